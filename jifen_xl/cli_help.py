"""`jifen --help` in Chinese (issue #16): argparse's own words translated, and for every
command a one-line description and examples.

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

KINDS = ("class = 班级积分（班主任和值日班长用：日志、宿舍检查、考试，周汇总、月报、学期奖励）；\n"
         "village = 乡村积分（村两委用：农户名册、评议记录，季度汇总、公示、年度评星）；\n"
         "ledger = 积分台账（镇村行为银行用：账户、申报六步、兑换，积分排名、存折、示范村指标）。")

COMMANDS: dict[str, tuple[str, list[str]]] = {
    "new": ("生成一个空白的工作簿模板，有三种：\n" + KINDS,
            ["jifen new class -o 高一3班.xlsx", "jifen new village -o 龙潭村.xlsx",
             "jifen new ledger -o 曾集镇积分台账.xlsx"]),
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
    "check": ("只校验数据：把问题写入“校验”工作表并列在屏幕上，不计算（三种工作簿都可用）。",
              ["jifen check 高一3班.xlsx", "jifen check 龙潭村.xlsx"]),
    "week": ("计算一周的周汇总和周日上自习名单（默认：日志最后日期所在的那一周）。",
             ["jifen week 高一3班.xlsx", "jifen week 高一3班.xlsx --week 2026-09-07"]),
    "month": ("计算月报（含家长评语栏）、家长约谈名单和每周积分趋势图（默认：日志最后日期所在的月）。",
              ["jifen month 高一3班.xlsx", "jifen month 高一3班.xlsx --month 2026-10"]),
    "awards": ("按学期总分排名，生成学期奖励名单（一、二、三等奖；手工标的特等奖会保留）。",
               ["jifen awards 高一3班.xlsx"]),
    "exams": ("根据“考试”表计算月考名次、进步退步和单科第一的加减分（默认：最近一次考试）。",
              ["jifen exams 高一3班.xlsx", "jifen exams 高一3班.xlsx --exam 十月月考"]),
    "quarter": ("计算一个季度的农户积分汇总、公示表和分组统计（默认：评议记录最后日期所在季度）。",
                ["jifen quarter 龙潭村.xlsx", "jifen quarter 龙潭村.xlsx --quarter 2026Q3"]),
    "year": ("计算年度总分、星级评定和年度公示（默认：设置中的年度）。",
             ["jifen year 龙潭村.xlsx", "jifen year 龙潭村.xlsx --year 2026"]),
    "ledger": ("积分台账：检查申报六步、计算积分排名、按余额库存预算处理兑换、生成示范村指标。",
               ["jifen ledger 台账.xlsx"]),
    "passbook": ("生成行为银行存折工作表：一个账户（--account），或全部账户（--all，默认）。",
                 ["jifen passbook 台账.xlsx --account Z001", "jifen passbook 台账.xlsx --all"]),
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

SHORT = {
    "new": "生成空白模板（class 班级 / village 乡村 / ledger 台账）",
    "demo": "生成示例工作簿，运行全部计算并打印报表",
    "check": "校验数据：只检查，把问题写入“校验”表",
    "week": "本周汇总：周汇总和周日上自习名单",
    "month": "月报：月报、家长约谈名单、每周趋势",
    "awards": "学期奖励：按学期总分排名评奖",
    "exams": "考试加减分：月考名次、进步、单科第一",
    "quarter": "计算本季度：农户季度汇总、公示、分组统计",
    "year": "年度评星：年度汇总、星级评定、年度公示",
    "ledger": "计算积分：台账排名、兑换、示范村指标",
    "passbook": "打印存折：行为银行存折工作表",
}

METAVARS = {"file": "工作簿", "out": "文件", "week": "日期", "month": "年-月", "quarter": "季度",
            "year": "年度", "exam": "考试名称", "account": "账户号", "dir": "文件夹", "folder": "文件夹",
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
        if name == "new":
            for a in p._actions:
                if a.dest == "kind":
                    a.metavar = "模板类型"
                    a.help = "class（班级积分）、village（乡村积分）或 ledger（积分台账），见上"
    for ca in sub._choices_actions:
        if ca.dest in SHORT:
            ca.help = SHORT[ca.dest]
    return parser
