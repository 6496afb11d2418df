"""`jifen export` and `jifen rollup`: dedicated subcommands, not per-workbook Actions.

cli.py calls ``add_parsers(sub)`` while building its parser and ``run(args)`` for these two
commands; errors a user can fix raise ``InputError`` (exit 2), as everywhere in `jifen`.
"""
from __future__ import annotations

import argparse
from pathlib import Path

COMMANDS = ("export", "rollup")


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    from ..core import normalize as nz
    from ..core.problems import InputError

    try:
        return int(nz.to_decimal(text)[0])
    except (ValueError, TypeError) as exc:
        raise InputError(f"参数 --year “{text}” 无法识别：{exc}") from exc


def add_parsers(sub) -> None:
    p = sub.add_parser("export", help="把一个乡村积分或积分台账工作簿导出为 Parquet 数据文件")
    p.add_argument("file", type=Path, help="工作簿（.xlsx / .xlsm）")
    p.add_argument("--parquet", required=True, type=Path, metavar="DIR", help="输出文件夹")
    p.add_argument("--year", default=None, help="年度（默认：设置中的年度，或最后记录所在年）")
    p.add_argument("--with-names", action="store_true", help="同时导出户主姓名、账户名称（默认不导出）")

    p = sub.add_parser("rollup", help="汇总文件夹中所有乡村积分和积分台账工作簿（镇汇总）")
    p.add_argument("folder", type=Path, help="存放各村工作簿的文件夹（含子文件夹）")
    p.add_argument("-o", "--out", type=Path, default=None, help="汇总表（默认：文件夹中的 镇汇总.xlsx）")
    p.add_argument("--year", default=None, help="汇总年度（默认：各工作簿自己的年度）")
    p.add_argument("--town", default=None, help="页眉上的镇名（默认：积分台账中的镇名）")
    p.add_argument("--with-names", action="store_true", help="附上星级户和待复核农户的姓名名单（默认只有统计数）")
    p.add_argument("--pdf", action="store_true", help="同时生成 PDF（需要 LibreOffice）")
    p.add_argument("--full", action="store_true", help="忽略缓存，重新导出全部工作簿")
    p.add_argument("--jobs", type=int, default=2, help=argparse.SUPPRESS)


#: Shown when the optional extra is missing (exit 2).
MISSING_EXTRA = ("“jifen {command}”需要可选组件 pyarrow 和 duckdb（缺少：{missing}），"
                 "其他命令和 Excel 按钮不需要它们。联网的电脑上运行：\n"
                 "    python -m pip install \"jifen-xl[rollup]\"\n"
                 "离线安装包（make bundle-windows）默认不含这两个组件。")


def require_rollup_extra(command: str) -> None:
    """Raise InputError (Chinese, exit 2) unless pyarrow and duckdb can be imported."""
    import importlib

    from ..core.problems import InputError

    missing = []
    for name in ("pyarrow", "duckdb"):
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise InputError(MISSING_EXTRA.format(command=command, missing="、".join(missing)))


def run(args) -> int:
    require_rollup_extra(args.command)
    if args.command == "export":
        return _export(args)
    return _rollup(args)


def _export(args) -> int:
    from ..core.problems import ERROR, InputError
    from .export import BROKEN, OK, SCHEMA_VERSION, UNREADABLE, export_workbook

    if not args.file.is_file():
        raise InputError(f"找不到工作簿“{args.file}”。")
    result = export_workbook(args.file, args.parquet, with_names=args.with_names, year=_year(args.year))
    for line in result.summary:
        print(line)
    errors = [p for p in result.problems if p.level == ERROR]
    for p in errors[:40]:
        print(str(p))
    if len(errors) > 40:
        print(f"……另有 {len(errors) - 40} 条错误，见 problems.parquet。")
    if result.status == UNREADABLE:
        return 2
    print(f"已导出到 {args.parquet}（7 个 Parquet 文件，数据格式版本 {SCHEMA_VERSION}）")
    if result.status not in (OK, BROKEN):
        print("这个工作簿不参与汇总，只导出了工作簿信息。")
    return 1 if result.status == BROKEN else 0


def _rollup(args) -> int:
    from .aggregate import rollup, to_pdf

    result = rollup(args.folder, args.out, with_names=args.with_names, year=_year(args.year),
                    jobs=max(1, args.jobs), town=args.town, full=args.full)
    for line in result.summary:
        print(line)
    print(f"已写入 {result.out}：{'、'.join(s.name for s in result.sheets)}")
    if args.pdf:
        pdf = to_pdf(result.out, result.sheets)
        print(f"已生成 PDF：{pdf}")
    return 0
