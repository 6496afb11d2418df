"""What the page's buttons do, on the workbook file itself.

A button press runs ``runner.apply_action`` — the function `jifen <command> FILE` runs — so
the page has no write path of its own: the same workbook lock (waiting ``DOOR_WAIT`` for
another run, as a door answering a person does), the same check for a workbook open in
Excel/WPS/LibreOffice ("请先关闭"), the same backup and atomic save. Options are parsed
as the service parses them (``serve.options_from_json``: the command line's parsing).

The buttons and option labels come from ``serve.commands_json()`` — the data ``GET
/v1/commands`` serves, built from each scheme's ``Action`` declarations — so a new action
appears on the page without touching it.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path


def buttons_for(scheme: str) -> list[dict]:
    """The buttons of one scheme, in declaration order, from the ``/v1/commands`` data, with
    the one-line help of each declaration (shown when the pointer rests on the button)."""
    from ..app import ACTIONS
    from ..serve import commands_json

    return [{"command": c["command"], "caption": c["button"], "options": c["options"],
             "help": ACTIONS[(c["command"], scheme)].help}
            for c in commands_json() if c["scheme"] == scheme]


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def settings_values(path: Path) -> dict[str, str]:
    """The 设置 sheet's labelled cells as text (项目 → 值), for the option fields."""
    from ..book.reader import WorkbookReader
    from ..core.table import settings_cells

    with WorkbookReader(path) as reader:
        raw = reader.sheet("设置", ["项目", "值"])
    return {label: _shown(value) for label, (value, _) in settings_cells(raw).items()}


def workbook_view(path: Path, kind: str | None, label: str) -> dict:
    """Everything the page shows for one workbook: kind, buttons with option values, papers."""
    from ..papers import printable
    from .files import sheet_names

    names = sheet_names(path)
    view = {"path": str(path), "name": path.name, "kind": kind, "label": label, "sheets": names,
            "buttons": [], "papers": printable(names) if kind else []}
    if kind is None:
        view["message"] = "这个工作簿不是积分模板（缺少“日志”“评议记录”或“台账”等工作表），没有可用的按钮。"
        return view
    values = settings_values(path) if "设置" in names else {}
    for button in buttons_for(kind):
        button["options"] = [dict(o, value=values.get(o["label"] or "", "")) for o in button["options"]]
        view["buttons"].append(button)
    return view


def press(path: Path, command: str, options: dict) -> dict:
    """Run ``command`` on the workbook file (the CLI's apply_action) and say what happened."""
    from ..app import detect_scheme, find_action, sorted_problems
    from ..book.lock import DOOR_WAIT
    from ..book.render_spec import json_cell
    from ..core.problems import CHECK_COLUMNS, InputError
    from ..papers import printable
    from ..runner import apply_action
    from ..serve import ServiceError, options_from_json
    from .files import sheet_names

    names = sheet_names(path)
    action = find_action(command, names)
    if action is None or action.scheme != detect_scheme(names):
        raise InputError(f"“{path.name}”没有“{command}”所需的工作表，请使用对应的积分模板。")
    try:
        opts = options_from_json(action, {"options": options or {}})
    except ServiceError as exc:
        raise InputError(exc.message) from None
    result, target = apply_action(action, path, opts, lock_timeout=DOOR_WAIT)
    return {
        "exit_code": result.exit_code,
        "summary": list(result.summary),
        "problems": [dict(zip(CHECK_COLUMNS, (json_cell(v) for v in p.as_row())))
                     for p in sorted_problems(result.problems)],
        "outputs": [o.name for o in result.outputs],
        "written": str(target),
        "papers": printable(sheet_names(target)),
    }


def paper_pdf(path: Path, paper: str) -> bytes:
    """The printed paper ``paper`` of the workbook as PDF bytes (`jifen print`'s code,
    papers.render_pdf); a paper that cannot be printed now is an InputError with the reason."""
    from ..core.problems import InputError
    from ..papers import render_pdf

    pdf, refused = render_pdf(path, [paper])
    if pdf is None:
        raise InputError("；".join(f"不能打印“{name}”：{why}" for name, why in refused) + "。")
    return pdf


def rollup_folder(folder: Path) -> dict:
    """`jifen rollup FOLDER`: the town summary written into the folder (needs the extra)."""
    from ..rollup.cli_hooks import require_rollup_extra

    require_rollup_extra("rollup")
    from ..rollup.aggregate import rollup

    result = rollup(folder, None)
    return {"summary": list(result.summary), "written": str(result.out),
            "sheets": [s.name for s in result.sheets]}
