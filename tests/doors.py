"""The doors a workbook command can come through, as one interface for behaviour tests
(issue #13; xlwings' tests/test_engines is the model).

``door.run(path, command, **options)`` runs ``command`` on the workbook file at ``path`` (a
copy of it: the file itself is left alone) and returns a ``DoorRun``: the exit code and the
resulting sheets as grids of cells (header row first), normalised so that every door reads
alike (numbers as float, blanks as None, trailing blanks trimmed). Options are given as a
clerk types them (``week="2026-09-09"``, ``final=True``).

* ``compute``: the sheets read from the file, ``Action.compute``, the ``OutputSheet`` rows;
* ``file``: `jifen <command> FILE --option …` in process, the file read back with calamine;
* ``xlwings``: the button's ``@xw.script`` on xlwings' remote engine, options in the `设置`
  labelled cells (macros.PARAM_LABELS), the recorded actions replayed onto the sheets.

* ``service``: the sheets posted to an in-process `jifen serve` app (tests/serve_door.py).

A new door is one more class and one more entry in ``DOORS`` (and in the fixture's params).
"""
from __future__ import annotations

import contextlib
import io
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from jifen_xl.core.problems import CHECK_SHEET, ERROR


@dataclass
class DoorRun:
    code: int                                   # 0 done, 1 input errors (only 校验 written)
    sheets: dict[str, list[list]] = field(default_factory=dict)

    def rows(self, sheet: str) -> list[list]:
        """The data rows of ``sheet`` (without its header row)."""
        return self.sheets[sheet][1:]

    def errors(self) -> list[list]:
        return [r for r in self.rows(CHECK_SHEET) if r and r[-1] == ERROR]


def _cell(v):
    if isinstance(v, str) and v == "":
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float, Decimal)):
        return float(v)
    return v


def grid(rows: list[list]) -> list[list]:
    out = [[_cell(v) for v in row] for row in rows]
    out = [row[: max([i + 1 for i, v in enumerate(row) if v is not None], default=0)] for row in out]
    while out and not out[-1]:
        out.pop()
    return out


def _copy(path: Path, tag: str) -> Path:
    target = path.with_name(f"{tag}-{path.name}")
    shutil.copy(path, target)
    return target


def _find(path: Path, command: str):
    from jifen_xl.app import find_action
    from jifen_xl.book.reader import workbook_sheet_names

    action = find_action(command, workbook_sheet_names(path))
    assert action is not None, f"no {command} for {path.name}"
    return action


class ComputeDoor:
    name = "compute"

    def run(self, path: Path, command: str, **options) -> DoorRun:
        from jifen_xl.app import parse_param
        from jifen_xl.book.reader import WorkbookReader

        action = _find(path, command)
        kinds = {p.name: p.kind for p in action.params}
        opts = {k: (True if kinds[k] == "flag" else parse_param(kinds[k], v)) for k, v in options.items() if v}
        with WorkbookReader(path) as reader:
            sheets = {n: reader.sheet(n, e) for n, e in action.sheets_to_read().items()}
        result = action.compute(sheets, opts)
        return DoorRun(result.exit_code, {o.name: grid([o.columns] + o.rows) for o in result.outputs})


def _read_all(path: Path) -> dict[str, list[list]]:
    import python_calamine as pc

    book = pc.CalamineWorkbook.from_path(str(path))
    try:
        return {n: grid(book.get_sheet_by_name(n).to_python(skip_empty_area=False)) for n in book.sheet_names}
    finally:
        book.close()


class FileDoor:
    name = "file"

    def run(self, path: Path, command: str, **options) -> DoorRun:
        from jifen_xl.cli import main

        out = _copy(path, f"file-{command}")
        args = [command, str(out)]
        for k, v in options.items():
            if v is True:
                args.append(f"--{k}")
            elif v:
                args += [f"--{k}", str(v)]
        with contextlib.redirect_stdout(io.StringIO()):
            code = main(args)
        return DoorRun(code, _read_all(out))


class XlwingsDoor:
    name = "xlwings"

    def run(self, path: Path, command: str, **options) -> DoorRun:
        import openpyxl

        from jifen_xl import macros
        from test_macros import run_macro

        case = _copy(path, f"xlwings-{command}")
        if any(options.values()):
            book = openpyxl.load_workbook(case)
            for k, v in options.items():
                if v:
                    book["设置"].append([macros.PARAM_LABELS[k], "是" if v is True else str(v)])
            book.save(case)
        _, replay = run_macro(case, macros.SCRIPTS[command])
        sheets = {n: grid(replay.grids[n]) for n in replay.order}
        code = 1 if any(r and r[-1] == ERROR for r in sheets.get(CHECK_SHEET, [])[1:]) else 0
        return DoorRun(code, sheets)


def _service():
    from serve_door import ServiceDoor   # the local service, `jifen serve` (issue #17)
    return ServiceDoor()


DOORS = {d.name: d for d in (ComputeDoor(), FileDoor(), XlwingsDoor(), _service())}
