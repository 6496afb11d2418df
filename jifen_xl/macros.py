"""The Excel door: every workbook button runs ``run_button(book, command)``.

Each button runs exactly what its `jifen` command runs: the declared ``Action`` for the
workbook (app.find_action) computes from the sheets read through xlwings
(book/xlwings_io.py), and its ``Result.outputs`` are written back, 校验 first, one bulk
``range.value`` per sheet. No scoring logic lives here, and no list of buttons: both entries
below are made from the declarations (``SCHEMES``).

* one ``@xw.script`` per command, named like the command (``week(book)``), generated below -
  the form xlwings Lite and xlwings Server call (and the remote engine used in the tests);
* ``run_caller(command)`` takes no book and uses ``xw.Book.caller()``: what every VBA Sub of
  the generated ``JifenButtons`` module runs through ``RunPython`` (vba/project.py).

Period and other command-line options come from labelled cells in the `设置` sheet
(`项目` / `值`), read the way the command line reads its ``--options``: each option's
``Param.label`` (计算周 → --week, 计算月份 → --month, 正式结果 → --final …), declared with
its action. An empty or missing cell means the command line's default (the period of the
latest entry). An unreadable value, input errors (SPEC C-6) or an unexpected failure show
the clerk a message box and fill `校验`; nothing else is written then. Every output is
computed before the first cell is written, so no half-written sheet is ever left.
"""
from __future__ import annotations

import xlwings as xw

from .app import ACTIONS, Action, Result, check_sheet, detect_scheme, find_action, parse_param
from .book import xlwings_io as xio
from .core.problems import ERROR, InputError, Problem
from .core.table import settings_cells
from .schemes import SCHEMES, catalog

TITLE = "积分计算"
SETTINGS_SHEET = "设置"
#: option name -> its labelled cell in 设置 (from the declarations)
PARAM_LABELS: dict[str, str] = {name: p.label for name, p in catalog.all_params(SCHEMES).items()}


# ---- the shared few lines every button runs ---------------------------------------------------

def options_from_settings(action: Action, settings) -> tuple[dict, list[Problem]]:
    """The action's options from `设置` rows labelled as its ``Param.label`` (None: defaults)."""
    opts: dict = {}
    problems: list[Problem] = []
    cells = settings_cells(settings)
    for param in action.params:
        label = param.label
        value, number = cells.get(label, (None, None))
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            opts[param.name] = parse_param(param.kind, value)
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
    return next((action.button for (name, _), action in ACTIONS.items() if name == command), command)


def run_caller(command: str) -> None:
    """What each VBA Sub runs (``RunPython "import jifen_xl.macros as m; m.run_caller('week')"``)."""
    run_button(xw.Book.caller(), command)


def _script(command: str, caption: str):
    def script(book: xw.Book):
        run_button(book, command)
    script.__name__ = script.__qualname__ = command
    script.__doc__ = f"{caption} — `jifen {command}`."
    return xw.script(script)


#: command -> its @xw.script (xlwings Lite / Server find them as this module's functions)
SCRIPTS = {c.name: _script(c.name, c.button) for c in catalog.commands(SCHEMES)}
if set(SCRIPTS) & set(globals()):
    raise catalog.DeclarationError(f"commands named like macros.py's own names: {sorted(set(SCRIPTS) & set(globals()))}")
globals().update(SCRIPTS)
