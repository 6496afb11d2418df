"""The Excel door: one xlwings script per workbook button (WORKBOOKS.md "Commands").

Each button runs exactly what its `jifen` command runs: the registered ``Action`` for the
workbook (app.find_action) computes from the sheets read through xlwings
(book/xlwings_io.py), and its ``Result.outputs`` are written back, 校验 first, one bulk
``range.value`` per sheet. No scoring logic lives here.

* ``@xw.script`` functions take ``book: xw.Book`` — the form xlwings Lite and xlwings
  Server call (and the remote engine used in the tests).
* ``*_caller()`` companions take no argument and use ``xw.Book.caller()``; they are what
  the VBA Subs in ``jifen_xl/vba/JifenButtons.bas`` run through ``RunPython``.

Period and other command-line options come from labelled cells in the `设置` sheet
(`项目` / `值`), read the way the command line reads its ``--options``:

    计算周     → --week     any day of the week, e.g. 2026-09-07
    计算月份   → --month    e.g. 2026-09
    计算季度   → --quarter  e.g. 2026Q3
    计算年度   → --year     e.g. 2026
    计算考试   → --exam     the exam's name
    存折账户   → --account  an account number
    全部存折   → --all      是/否
    正式结果   → --final    是/否 (village: the final result, refused until the notice in
                            `公示记录` has ended with no open objection, SPEC C-8, V-6)

An empty or missing cell means the command line's default (the period of the latest
entry). An unreadable value, input errors (SPEC C-6) or an unexpected failure show the
clerk a message box and fill `校验`; nothing else is written then. Every output is
computed before the first cell is written, so no half-written sheet is ever left.
"""
from __future__ import annotations

import xlwings as xw

from .app import Action, Result, check_sheet, detect_scheme, find_action, parse_param
from .book import xlwings_io as xio
from .core.problems import ERROR, InputError, Problem
from .core.table import settings_cells

TITLE = "积分计算"
SETTINGS_SHEET = "设置"
PARAM_LABELS: dict[str, str] = {
    "week": "计算周",
    "month": "计算月份",
    "quarter": "计算季度",
    "year": "计算年度",
    "exam": "计算考试",
    "account": "存折账户",
    "all": "全部存折",
    "final": "正式结果",
}


# ---- the shared few lines every button runs ---------------------------------------------------

def options_from_settings(action: Action, settings) -> tuple[dict, list[Problem]]:
    """The action's options from `设置` rows labelled as in ``PARAM_LABELS`` (None: defaults)."""
    opts: dict = {}
    problems: list[Problem] = []
    cells = settings_cells(settings)
    for name, kind, _help in action.params:
        label = PARAM_LABELS.get(name)
        value, number = cells.get(label, (None, None))
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            opts[name] = parse_param(kind, value)
        except (ValueError, TypeError) as exc:
            problems.append(Problem(SETTINGS_SHEET, number, "值", value, f"“{label}”无法识别：{exc}"))
    return opts, problems


def run_button(book, command: str) -> Result | None:
    """Run `command` on the open ``book``: read, compute everything, then write (C-6)."""
    names = xio.sheet_names(book)
    action = find_action(command, names)
    scheme = detect_scheme(names)
    if action is None or (scheme is not None and action.scheme != scheme):
        book.app.alert("这个工作簿没有“{}”所需的工作表，请使用对应的积分模板。".format(
            _button_caption(command)), title=TITLE)
        return None
    try:
        wanted = action.sheets_to_read()
        if SETTINGS_SHEET not in wanted:
            wanted = wanted | {SETTINGS_SHEET: ["项目", "值"]}
        sheets = xio.read_sheets(book, wanted)
        opts, problems = options_from_settings(action, sheets.get(SETTINGS_SHEET))
        if problems:
            result = Result([check_sheet(problems)], problems,
                            [f"“{SETTINGS_SHEET}”中的计算参数有误，未生成结果；请按“校验”工作表修改。"])
        else:
            result = action.compute(sheets, opts)
    except InputError as exc:
        result = _failure(exc.message)
    except Exception as exc:  # never a traceback for the clerk: 校验 + a message box
        result = _failure(f"计算时发生意外错误（{type(exc).__name__}: {exc}），请把工作簿发给维护人员。")
    xio.write_outputs(book, result.outputs)
    first = result.outputs[1] if len(result.outputs) > 1 and result.exit_code == 0 else result.outputs[0]
    xio.find_sheet(book, first.name).activate()
    book.app.alert("\n".join(result.summary) or "完成。", title=TITLE)
    return result


def _failure(message: str) -> Result:
    problems = [Problem("", None, "", "", message, ERROR)]
    return Result([check_sheet(problems)], problems, [message])


def _button_caption(command: str) -> str:
    from .app import ACTIONS
    for (name, _), action in ACTIONS.items():
        if name == command:
            return action.button
    return command


# ---- one script per button (xlwings Lite / Server / remote engine) ---------------------------

@xw.script
def check_data(book: xw.Book):
    """校验数据 — `jifen check`."""
    run_button(book, "check")


@xw.script
def week_summary(book: xw.Book):
    """本周汇总 — `jifen week` (计算周)."""
    run_button(book, "week")


@xw.script
def month_report(book: xw.Book):
    """月报 — `jifen month` (计算月份)."""
    run_button(book, "month")


@xw.script
def semester_awards(book: xw.Book):
    """学期奖励 — `jifen awards`."""
    run_button(book, "awards")


@xw.script
def compute_quarter(book: xw.Book):
    """计算本季度 — `jifen quarter` (计算季度)."""
    run_button(book, "quarter")


@xw.script
def annual_stars(book: xw.Book):
    """年度评星 — `jifen year` (计算年度)."""
    run_button(book, "year")


@xw.script
def exams(book: xw.Book):
    """考试加减分 — `jifen exams` (计算考试)."""
    run_button(book, "exams")


@xw.script
def ledger(book: xw.Book):
    """计算积分 — `jifen ledger`."""
    run_button(book, "ledger")


@xw.script
def passbook(book: xw.Book):
    """打印存折 — `jifen passbook` (存折账户 / 全部存折)."""
    run_button(book, "passbook")


# ---- zero-argument companions for VBA RunPython (jifen_xl/vba/JifenButtons.bas) ---------------

def check_data_caller():
    run_button(xw.Book.caller(), "check")


def week_summary_caller():
    run_button(xw.Book.caller(), "week")


def month_report_caller():
    run_button(xw.Book.caller(), "month")


def semester_awards_caller():
    run_button(xw.Book.caller(), "awards")


def compute_quarter_caller():
    run_button(xw.Book.caller(), "quarter")


def annual_stars_caller():
    run_button(xw.Book.caller(), "year")


def exams_caller():
    run_button(xw.Book.caller(), "exams")


def ledger_caller():
    run_button(xw.Book.caller(), "ledger")


def passbook_caller():
    run_button(xw.Book.caller(), "passbook")


#: VBA companion → command, for the template builder and the tests.
CALLER_COMMANDS: dict[str, str] = {
    "check_data_caller": "check",
    "week_summary_caller": "week",
    "month_report_caller": "month",
    "semester_awards_caller": "awards",
    "compute_quarter_caller": "quarter",
    "annual_stars_caller": "year",
    "exams_caller": "exams",
    "ledger_caller": "ledger",
    "passbook_caller": "passbook",
}
