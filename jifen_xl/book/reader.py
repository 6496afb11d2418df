"""Read input sheets fast with python-calamine (never openpyxl just to read; issue #7).

Sheets are read by header text: the header is the first row (within the first five)
holding one of the expected column names. Merged cells are filled from their top-left
cell and noted once, so a date merged down a block of log rows still applies to each row.
"""
from __future__ import annotations

from pathlib import Path

import python_calamine as pc

from ..core import normalize as nz
from ..core.problems import NOTICE, InputError, Problem
from ..core.table import RawSheet, gc_paused, is_blank
from .safety import check_workbook_file


class WorkbookReader:
    """One open workbook; `sheet(name, expected)` returns a RawSheet or None when absent."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        check_workbook_file(self.path)
        try:
            self._book = pc.CalamineWorkbook.from_path(str(self.path))
        except Exception as exc:  # calamine raises its own error types
            raise InputError(f"无法读取工作簿“{self.path.name}”：{exc}") from exc
        self.sheet_names: list[str] = list(self._book.sheet_names)

    def close(self) -> None:
        self._book.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def sheet(self, name: str, expected: list[str] | None = None) -> RawSheet | None:
        if name not in self.sheet_names:
            return None
        with gc_paused():       # many small objects, no cycles (issue #7)
            try:
                sh = self._book.get_sheet_by_name(name)
                cells = sh.to_python(skip_empty_area=False)
                merged = sh.merged_cell_ranges or []
            except Exception as exc:
                raise InputError(f"无法读取工作表“{name}”：{exc}") from exc
            return raw_from_cells(name, cells, expected or [], merged)


def raw_from_cells(name: str, cells: list[list], expected: list[str],
                   merged: list = ()) -> RawSheet:
    """Build a RawSheet from a grid whose index 0 is Excel row 1 (also used by the xlwings
    door, whose values come as the same kind of grid)."""
    notes: list[Problem] = []
    for (r0, c0), (r1, c1) in merged or []:
        if r0 >= len(cells):
            continue
        top = cells[r0][c0] if c0 < len(cells[r0]) else None
        filled = False
        for r in range(r0, min(r1, len(cells) - 1) + 1):
            row = cells[r]
            for c in range(c0, c1 + 1):
                if c < len(row) and (r, c) != (r0, c0) and is_blank(row[c]):
                    row[c] = top
                    filled = True
        if filled and r0 > 0:
            notes.append(Problem(name, r0 + 1, "", top,
                                 f"合并单元格（第{r0 + 1}～{r1 + 1}行）已按首格的值逐行填入", NOTICE))
    header_idx = 0
    wanted = set(expected)
    for i, row in enumerate(cells[:5]):
        texts = {nz.clean_text(v)[0] for v in row if not is_blank(v)}
        if wanted & texts:
            header_idx = i
            break
    header = [nz.clean_text(v)[0] if not is_blank(v) else "" for v in (cells[header_idx] if cells else [])]
    width = len(header)
    pad = [None] * width
    rows = []
    for row in cells[header_idx + 1:]:
        if len(row) != width:
            row = (row + pad)[:width]
        if "" in row:       # calamine gives '' for blank cells
            row = [None if v == "" else v for v in row]
        rows.append(row)
    numbers = list(range(header_idx + 2, header_idx + 2 + len(rows)))
    # drop trailing blank rows (formatted-but-empty rows cost nothing downstream)
    while rows and all(is_blank(v) for v in rows[-1]):
        rows.pop()
        numbers.pop()
    return RawSheet(name, header, rows, numbers, header_row=header_idx + 1, notes=notes)


def workbook_sheet_names(path: Path | str) -> list[str]:
    """Sheet names after the safety check (raises InputError for unusable files)."""
    with WorkbookReader(path) as r:
        return list(r.sheet_names)
