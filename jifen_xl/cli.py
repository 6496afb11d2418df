"""The `jifen` command: the file door for WPS, LibreOffice and batch use.

Every workbook command reads the sheets its action names with calamine, computes with the
same code the Excel buttons use (app.py), and writes the outputs with the package writer
(atomic, with a backup). Exit codes: 0 done, 1 input errors (only `校验` written),
2 usage / unreadable / unsafe / busy file.
"""
from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

from .core.problems import InputError

INTERNAL_ERROR = 3   # a bug of ours, not the user's input: the workbook is left as it was


def build_parser() -> argparse.ArgumentParser:
    """The `jifen` parser: the fixed commands, then one command per declared action
    (schemes.catalog.commands: name, caption, help, examples, options). Needs only the
    declarations: no pandas, no scheme computing code (README, "Light start")."""
    from .cli_help import ChineseParser, decorate
    from .schemes import SCHEMES, catalog

    parser = ChineseParser(prog="jifen", description="积分制管理：在 Excel 工作簿上计算积分、汇总、评星和奖励。")
    sub = parser.add_subparsers(dest="command", metavar="命令")
    _add_new(sub, SCHEMES)

    p = sub.add_parser("demo", help="生成示例工作簿并运行全部计算")
    p.add_argument("dir", nargs="?", default="demo", type=Path, help="放示例的文件夹（默认：demo）")

    p = sub.add_parser("print", help="把输出表和文书打印成 PDF（家长通知单、奖状、公示、存折、积分卡……）")
    p.add_argument("file", type=Path, help="工作簿（.xlsx / .xlsm）")
    p.add_argument("sheets", nargs="+", metavar="SHEET",
                   help="要打印的工作表，如 月报、周趋势、家长通知单、奖状、公示-2026Q3、存折-Z001")
    p.add_argument("-o", "--out", type=Path, default=None, help="PDF 文件（默认：工作簿旁边）")

    from .rollup.cli_hooks import add_parsers as add_rollup_parsers   # export, rollup
    add_rollup_parsers(sub)
    from .wps_install import add_parser as add_wps_parser   # install-wps
    add_wps_parser(sub)
    from .serve_cli import add_parsers as add_serve_parsers        # serve, install-libreoffice
    add_serve_parsers(sub)
    from .assistant.launch import add_parser as add_ui_parser      # ui: 积分助手
    add_ui_parser(sub)

    for command in catalog.commands(SCHEMES):
        if command.name in sub.choices:
            raise catalog.DeclarationError(f"command {command.name!r} is a built-in `jifen` command")
        p = sub.add_parser(command.name, help=command.help, description=command.description,
                           epilog=_examples(command.examples))
        p.add_argument("file", type=Path, help="工作簿（.xlsx / .xlsm）")
        p.add_argument("--out", type=Path, default=None, help="写到另一个文件（默认写回原工作簿）")
        for param in command.params:
            if param.kind == "flag":
                p.add_argument(f"--{param.name}", action="store_true", help=param.help)
            else:
                p.add_argument(f"--{param.name}", default=None, help=param.help, metavar=param.shown_as())
    return decorate(parser)          # Chinese descriptions, examples and metavars


def _examples(lines) -> str | None:
    return ("示例：\n" + "\n".join("  " + e for e in lines)) if lines else None


def _add_new(sub, schemes) -> None:
    """`jifen new <kind>`: one kind per scheme, explained from its declaration."""
    kinds = sorted(s.template_kind for s in schemes)
    listing = "；\n".join(f"{s.template_kind} = {s.label}（{s.description}）" for s in schemes)
    p = sub.add_parser("new", help="生成空白模板（" + " / ".join(f"{s.template_kind} {s.label}" for s in schemes) + "）",
                       description=f"生成一个空白的工作簿模板，可选的模板类型：\n{listing}。",
                       epilog=_examples([f"jifen new {s.template_kind} -o {s.example_file or s.template_file}"
                                         for s in schemes]))
    p.add_argument("kind", choices=kinds, metavar="模板类型",
                   help="、".join(f"{s.template_kind}（{s.label}）" for s in schemes) + "，见上")
    p.add_argument("-o", "--out", required=True, type=Path,
                   help="输出文件：.xlsx（WPS、LibreOffice、命令行）或 .xlsm（Excel 按钮版）")
    p.add_argument("--force", action="store_true",
                   help="文件已存在时也重新生成（原文件先备份到“jifen备份”文件夹）")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    if argv is None:   # the `jifen` process itself: no pyarrow/duckdb unless rolling up (startup.py)
        from .startup import light_start
        light_start([args.command])
    try:
        from .book.safety import check_path_length
        for name in ("file", "out", "folder", "parquet", "dir"):
            if isinstance(getattr(args, name, None), Path):
                check_path_length(getattr(args, name))      # exit 2, not 3
        if args.command == "new":
            from .templates import new_workbook   # .xlsm: the template with buttons
            path = new_workbook(args.kind, args.out, force=args.force)
            print(f"已生成模板 {path}")
            return 0
        if args.command == "demo":
            from .demo import run_demo
            return run_demo(args.dir)
        if args.command == "print":
            from .papers import run_print
            return run_print(args.file, args.sheets, args.out)
        if args.command == "install-wps":
            from .wps_install import run as run_install_wps
            return run_install_wps(args)
        from .serve_cli import COMMANDS as SERVE_COMMANDS
        if args.command in SERVE_COMMANDS:
            from .serve_cli import run as run_serve
            return run_serve(args)
        if args.command == "ui":
            from .assistant.launch import run as run_ui
            return run_ui(args)
        if args.command in ("export", "rollup"):
            from .rollup.cli_hooks import run as run_rollup
            return run_rollup(args)
        from .app import find_action, parse_param
        from .runner import run_action
        from .book.reader import workbook_sheet_names
        names = workbook_sheet_names(args.file)
        action = find_action(args.command, names)
        if action is None:
            print(f"“{args.file.name}”不是这个命令适用的工作簿（缺少相应的工作表）。", file=sys.stderr)
            return 2
        opts = {}
        for param in action.params:
            raw = getattr(args, param.name, None)
            if raw in (None, False):
                continue
            try:
                opts[param.name] = parse_param(param.kind, raw) if param.kind != "flag" else True
            except ValueError as exc:
                print(f"参数 --{param.name} “{raw}” 无法识别：{exc}", file=sys.stderr)
                return 2
        return run_action(action, args.file, opts, args.out)
    except InputError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    except Exception as exc:  # the writer's refusals carry a Chinese message
        if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
            print("文件名或路径太长，请改个短一些的名字，或把工作簿放到层级较浅的文件夹后再试。", file=sys.stderr)
            return 2
        message = getattr(exc, "message", None)
        if message:
            print(message, file=sys.stderr)
            return 2
        if os.environ.get("JIFEN_DEBUG"):
            raise
        if isinstance(exc, OSError):     # the system refused a file: exit 2, in Chinese
            from .core.oserror import os_reason
            where = f"“{exc.filename}”" if getattr(exc, "filename", None) else "文件"
            print(f"无法读写{where}：{os_reason(exc)}。工作簿没有被改动。", file=sys.stderr)
            return 2
        print(f"程序内部错误（{type(exc).__name__}: {exc}）。工作簿没有被改动；"
              "请把工作簿和这条信息发给维护人员（设置环境变量 JIFEN_DEBUG=1 可看到详细信息）。", file=sys.stderr)
        return INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
