"""The xlwings side of the workbook layer: RawSheets from an open Book, OutputSheets into it.

The file door reads with calamine (reader.py) and writes at zip level (ooxml/); the
Excel door (macros.py) reads and writes here, through xlwings, so that the same
``Action.compute`` runs on the same kind of grid (index 0 = Excel row 1) either way.

Writing follows WORKBOOKS.md "Every output sheet": an output sheet is replaced whole (an
existing one is cleared in place, a new one goes after the last sheet) and its cells are
written with ONE ``range.value`` call per sheet — never cell by cell. Values are turned
into what Excel stores: exact decimals become floats, dates stay dates, and text that
Excel would reinterpret on entry (学号 "20260101", "=…", "2026-09-01", "TRUE") gets
Excel's text prefix ``'`` so it stays text, as the file door's inline strings do.

Known gap: merged cells in input sheets are filled row by row by the file door but not
here (xlwings reports no merge areas through the remote engine); the value then sits in
the top-left cell only.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from ..core.table import RawSheet
from .reader import Extent, check_extents, letters, raw_from_cells
from .sheets import OutputSheet

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_NUMBER_LIKE = re.compile(r"\s*[-+]?(\d|\.\d)")


def sheet_names(book) -> list[str]:
    return [sheet.name for sheet in book.sheets]


def find_sheet(book, name: str):
    """The sheet called ``name`` (exact, as the calamine reader matches), or None."""
    for sheet in book.sheets:
        if sheet.name == name:
            return sheet
    return None


def sheet_grid(sheet) -> list[list]:
    """Every value from A1 to the last used cell, as a 2-D list (index 0 = Excel row 1)."""
    last = sheet.used_range.last_cell
    grid = sheet.range((1, 1), (last.row, last.column)).options(ndim=2, empty=None).value
    return [list(row) for row in (grid or [[]])]


def sheet_extent(sheet) -> Extent:
    """Excel's used range as an ``Extent`` (it counts formatted cells too: a stray format far
    away is refused like a stray value in the file door)."""
    last = sheet.used_range.last_cell
    ref = f"{letters(last.column)}{last.row}"
    return Extent(last.row, last.column, ref, ref)


def read_sheets(book, wanted: dict[str, list[str]]) -> dict[str, RawSheet | None]:
    """RawSheets for the sheets an action reads (``Action.sheets_to_read()``); None if absent.
    The sheets' extents are checked against ``limits.py`` before any cell is read."""
    found = {name: find_sheet(book, name) for name in wanted}
    extents = {name: sheet_extent(sheet) for name, sheet in found.items() if sheet is not None}
    check_extents(extents)
    return {name: None if sheet is None else raw_from_cells(name, sheet_grid(sheet), list(wanted[name]))
            for name, sheet in found.items()}


def needs_text_prefix(text: str) -> bool:
    """True when Excel would turn typed ``text`` into a number, date, formula, error or bool."""
    if not text:
        return False
    if text[0] in "=+-@'#" or text[0].isspace():
        return True
    if text.upper() in ("TRUE", "FALSE"):
        return True
    return bool(_NUMBER_LIKE.match(text))


def xl_value(v):
    """One output cell as xlwings should write it (Decimal → float; guarded text)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, (int, float, datetime, date)):
        return v
    if hasattr(v, "item") and not isinstance(v, str):   # numpy / pandas scalars
        return xl_value(v.item())
    text = str(v)
    return "'" + text if needs_text_prefix(text) else text


def output_grid(out: OutputSheet) -> list[list]:
    """Header row plus data rows, rectangular, ready for one ``range.value`` call."""
    width = max([len(out.columns)] + [len(r) for r in out.rows])
    head = [xl_value(h) for h in out.columns] + [None] * (width - len(out.columns))
    body = [[xl_value(v) for v in row] + [None] * (width - len(row)) for row in out.rows]
    return [head] + body


def _date_columns(out: OutputSheet) -> dict[int, str]:
    formats: dict[int, str] = {}
    for c in range(len(out.columns)):
        for row in out.rows:
            v = row[c] if c < len(row) else None
            if isinstance(v, datetime):
                formats[c] = DATETIME_FORMAT if v.time() != datetime.min.time() else formats.get(c, DATE_FORMAT)
            elif isinstance(v, date):
                formats.setdefault(c, DATE_FORMAT)
    return formats


def write_output(book, out: OutputSheet):
    """Replace one output sheet whole: clear (or add) it, then one bulk value write."""
    sheet = find_sheet(book, out.name)
    if sheet is None:
        sheet = book.sheets.add(out.name, after=book.sheets[len(book.sheets) - 1])
    else:
        sheet.clear()
    grid = output_grid(out)
    sheet["A1"].value = grid
    ncols = len(grid[0])
    sheet.range((1, 1), (1, ncols)).font.bold = True
    if out.rows:
        formats = _date_columns(out)
        for header, code in out.number_formats.items():
            if header in out.columns:
                formats[out.columns.index(header)] = code
        for c, code in sorted(formats.items()):
            sheet.range((2, c + 1), (len(grid), c + 1)).number_format = code
    from .render_spec import sheet_format
    from .xlwings_format import apply_format
    apply_format(sheet, sheet_format(out), len(grid))   # widths, header, freeze, page setup, charts
    return sheet


def write_outputs(book, outputs: list[OutputSheet]) -> None:
    """Write every output in order (校验 first, as ``Result.outputs`` lists them)."""
    for out in outputs:
        write_output(book, out)
