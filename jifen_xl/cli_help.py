"""`jifen --help` in Chinese: argparse's own words translated, and for the fixed
commands (new, demo, print, the roll-up and add-in commands) a description and examples; the
workbook commands bring their own from their declarations (cli.build_parser).

argparse takes its words ("usage: ", "positional arguments", "options", "show this help
message and exit", its error messages …) from ``gettext`` through the module-level names
``argparse._`` and ``argparse.ngettext``; :class:`ChineseParser` swaps them for the
translations below while it builds, formats and parses, and puts them back afterwards, so
nothing outside the `jifen` parser is affected.
"""
from __future__ import annotations

import argparse
import contextlib
import sys

WORDS = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必填的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "最多只能有一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "忽略多余的值 %r",
    "one of the arguments %s is required": "参数 %s 必须填写其中一个",
    "unexpected option string: %s": "意外的选项：%s",
    "%r is not callable": "%r 不可调用",
    "cannot merge actions - two groups are named %r": "无法合并：两个参数组都叫 %r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有命令 %(parser_name)r（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    'argument "-" with mode %r': "参数“-”不能用于模式 %r",
    # newer Pythons' wording (3.12–3.14), so a clerk never meets English there either
    "invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)":
        "无效的选项 %(value)r，是不是 %(closest)r？（可选：%(choices)s）",
    "option '%(option)s' is deprecated": "选项“%(option)s”已不再使用",
    "argument '%(argument_name)s' is deprecated": "参数“%(argument_name)s”已不再使用",
    "command '%(parser_name)s' is deprecated": "命令“%(parser_name)s”已不再使用",
}
PLURAL = {"expected %s argument": "需要 %s 个值"}


def _tr(text: str) -> str:
    return WORDS.get(text, text)


def _ntr(singular: str, plural: str, n: int) -> str:
    if singular in PLURAL:
        return PLURAL[singular]
    return singular if n == 1 else plural


@contextlib.contextmanager
def chinese():
    """argparse speaks Chinese inside this block."""
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = _tr, _ntr
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


class ChineseFormatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog, indent_increment=2, max_help_position=32, width=None):
        # room for the longest command name (install-libreoffice) beside its description
        super().__init__(prog, indent_increment, max_help_position, width)

    def add_argument(self, action):
        super().add_argument(action)
        # argparse measures sub-commands without their extra indent, so the longest one wraps
        # onto a line of its own; count that indent too.
        if action.help is not argparse.SUPPRESS and hasattr(action, "_get_subactions"):
            longest = max((len(self._format_action_invocation(a)) for a in action._get_subactions()),
                          default=0)
            self._action_max_length = max(self._action_max_length,
                                          longest + self._current_indent + self._indent_increment)

    def _format_usage(self, usage, actions, groups, prefix):
        return super()._format_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ChineseParser(argparse.ArgumentParser):
    """An ArgumentParser whose own words are Chinese (sub-parsers inherit the class)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", ChineseFormatter)
        with chinese():
            super().__init__(*args, **kwargs)

    def parse_args(self, args=None, namespace=None):
        with chinese():
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        with chinese():
            return super().parse_known_args(args, namespace)

    def format_help(self):
        with chinese():
            return super().format_help()

    def format_usage(self):
        with chinese():
            return super().format_usage()

    def error(self, message):
        with chinese():
            self.print_usage(sys.stderr)
            self.exit(2, f"{self.prog}：错误：{message}\n")


# --------------------------------------------------------------------------- commands

# The fixed commands' words. Each workbook command's words (caption, help, examples, options)
# are declared with its Action, and `jifen new`'s kinds with each Scheme (cli.build_parser).
COMMANDS: dict[str, tuple[str, list[str]]] = {
    "demo": ("用合成的示例数据生成三种工作簿，运行全部计算，把打印件放进“报表”文件夹，最后告诉你去哪里看。",
             ["jifen demo", "jifen demo 示例文件夹"]),
    "print": ("把输出表或纸质文书打印成 A4 PDF（不需要办公软件，只需系统自带的中文字体）：月报、家长通知单、"
              "家长通知书、奖状、积分卡、公示-季度/年度、分组统计、存折、公示栏、奖分通知单、分类排名等；"
              "按工作簿的输入表当场计算，每份文书的页码单独编排。暂时不能打印的（如学期未结束时的奖状）"
              "列出原因，其余照常打印（此时退出码为 1）。",
              ["jifen print 高一3班.xlsx 家长通知单", "jifen print 高一3班.xlsx 家长通知书 奖状",
               "jifen print 高一3班.xlsx 积分卡",
               "jifen print 龙潭村.xlsx 公示-2026Q3 -o 公示.pdf", "jifen print 台账.xlsx 公示栏 奖分通知单 分类排名"]),
    "export": ("把一个乡村积分或积分台账工作簿导出为 Parquet 数据文件（默认不含姓名）。",
               ["jifen export 龙潭村.xlsx --parquet 导出"]),
    "rollup": ("汇总一个文件夹里所有乡村积分和积分台账工作簿，生成镇汇总表。",
               ["jifen rollup 各村工作簿 -o 镇汇总.xlsx", "jifen rollup 各村工作簿 --pdf"]),
    # commands of the local service and the add-ins (their own help text wins when set)
    "serve": ("在本机（127.0.0.1）运行积分服务，供 WPS 和 LibreOffice 的按钮调用。",
              ["jifen serve", "jifen serve --port 39800", "jifen serve --print-token"]),
    "install-wps": ("安装 WPS 加载项（WPS 表格中的“积分”选项卡）。",
                    ["jifen install-wps", "jifen install-wps --uninstall"]),
    "ui": ("打开积分助手：浏览器中列出文件夹里的工作簿，点按钮计算，看校验问题，打印文书；不需要宏或加载项。",
           ["jifen ui", "jifen ui --folder 各班工作簿", "jifen ui 高一3班.xlsx"]),
    "install-libreoffice": ("安装 LibreOffice 扩展（Calc 中的“积分”工具栏）。",
                            ["jifen install-libreoffice", "jifen install-libreoffice --uninstall"]),
}

SHORT = {"demo": "生成示例工作簿，运行全部计算并打印报表"}

METAVARS = {"file": "工作簿", "out": "文件", "year": "年度", "dir": "文件夹", "folder": "文件夹",
            "parquet": "文件夹", "town": "镇名", "sheets": "表名", "kind": "模板类型", "port": "端口"}

TOP_EPILOG = ("每个命令的说明和示例：jifen 命令 --help，例如 jifen print --help。\n"
              "常用：\n"
              "  jifen demo                         先看示例\n"
              "  jifen new class -o 高一3班.xlsx    生成班级积分模板\n"
              "  jifen week 高一3班.xlsx            本周汇总和上自习名单\n"
              "  jifen print 高一3班.xlsx 家长通知单  打印家长通知单")


def _subparsers(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return None


def decorate(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Descriptions, examples and Chinese metavars on every (sub)command of ``parser``."""
    parser.epilog = parser.epilog or TOP_EPILOG
    parser.formatter_class = ChineseFormatter
    sub = _subparsers(parser)
    if sub is None:
        return parser
    sub.title = "命令"
    helps = {a.dest: a.help for a in sub._choices_actions}
    for name, p in sub.choices.items():
        line, examples = COMMANDS.get(name, (helps.get(name) or "", []))
        p.description = p.description or line
        if examples and not p.epilog:
            p.epilog = "示例：\n" + "\n".join("  " + e for e in examples)
        p.formatter_class = ChineseFormatter
        for a in p._actions:
            if a.metavar is None and a.nargs != 0 and a.dest in METAVARS:
                a.metavar = METAVARS[a.dest] if not a.choices else None
            if a.metavar == "DIR":
                a.metavar = "文件夹"
            if a.metavar == "SHEET":
                a.metavar = "表名"
    for ca in sub._choices_actions:
        if ca.dest in SHORT:
            ca.help = SHORT[ca.dest]
    return parser
