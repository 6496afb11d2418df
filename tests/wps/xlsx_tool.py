"""Helper for the WPS add-in's node tests (tests/wps/*.test.js).

    python tests/wps/xlsx_tool.py dump FILE      -> JSON: every sheet's cells as Range.Value2 holds them
    python tests/wps/xlsx_tool.py demos DIR      -> builds the demo workbooks (inputs only) and prints
                                                    the button steps with their CLI flags and 设置 cells

Values are what WPS's Range.Value2 reports: numbers, text, booleans; a date cell is its
Excel serial number (1900 system) and is listed with a date number format.
"""
from __future__ import annotations

import json
import sys
from datetime import date, datetime, time
from pathlib import Path

EPOCH = datetime(1899, 12, 30)


def value2(v):
    if isinstance(v, datetime):
        delta = v - EPOCH
        return delta.days + delta.seconds / 86400
    if isinstance(v, date):
        return (v - EPOCH.date()).days
    if isinstance(v, time):
        return (v.hour * 3600 + v.minute * 60 + v.second) / 86400
    return v


def dump(path: Path) -> dict:
    """Every sheet's non-empty cells [row, col, value] (1-based), read with calamine (fast);
    a cell calamine reports as a date is listed with the date format it shows as."""
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(path))
    sheets = []
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        cells, formats = [], []
        for i, row in enumerate(sheet.to_python(skip_empty_area=False)):   # from A1
            for j, v in enumerate(row):
                if v is None or v == "":
                    continue
                r, c = i + 1, j + 1
                cells.append([r, c, value2(v)])
                if isinstance(v, (date, datetime)):
                    formats.append([r, c, "yyyy-mm-dd hh:mm" if isinstance(v, datetime) and v.time() != time() else "yyyy-mm-dd"])
        sheets.append({"name": name, "cells": cells, "formats": formats})
    return {"sheets": sheets}


def option_text(kind: str, value) -> str:
    if kind == "flag":
        return "是"
    if kind == "quarter" and isinstance(value, tuple):
        return f"{value[0]}Q{value[1]}"
    if kind == "month" and isinstance(value, tuple):
        return f"{value[0]}-{value[1]:02d}"
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    return str(value)


def demos(folder: Path) -> list[dict]:
    from jifen_xl import demo
    from jifen_xl.app import find_action
    from jifen_xl.book.reader import workbook_sheet_names

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for builder in demo.DEMOS:
        for path, commands in builder(folder):
            names = workbook_sheet_names(path)
            steps = []
            for command, opts in commands:
                action = find_action(command, names)
                kinds = {p.name: p.kind for p in action.params}
                labels = {p.name: p.label for p in action.params}
                flags, cells = [], []
                for name, value in opts.items():
                    text = option_text(kinds[name], value)
                    flags += [f"--{name}"] if kinds[name] == "flag" else [f"--{name}", text]
                    cells.append([labels[name], text])
                steps.append({"command": command, "flags": flags, "cells": cells, "scheme": action.scheme})
            out.append({"path": str(path), "steps": steps})
    return out


if __name__ == "__main__":
    verb, arg = sys.argv[1], Path(sys.argv[2])
    result = dump(arg) if verb == "dump" else demos(arg)
    json.dump(result, sys.stdout, ensure_ascii=False)
