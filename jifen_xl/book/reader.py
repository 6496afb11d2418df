"""Read input sheets fast with python-calamine (never openpyxl just to read; issue #7).

Sheets are read by header text: the header is the first row (within the first five)
holding one of the expected column names. Merged cells are filled from their top-left
cell and noted once, so a date merged down a block of log rows still applies to each row.
"""
from __future__ import annotations

import re
import zipfile
from html import unescape
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
        self._parts: dict[str, str] | None = None     # sheet name -> XML part, on demand

    def close(self) -> None:
        self._book.close()

    def _sheet_part(self, name: str) -> str | None:
        if self._parts is None:
            try:
                with zipfile.ZipFile(self.path) as zf:
                    self._parts = sheet_parts(zf)
            except (OSError, zipfile.BadZipFile, KeyError):
                self._parts = {}
        return self._parts.get(name)

    def formula_cells(self, name: str) -> list[tuple[int, int]]:
        """(Excel row, 0-based column) of the sheet's formula cells without a stored result."""
        part = self._sheet_part(name)
        if part is None:
            return []
        try:
            with zipfile.ZipFile(self.path) as zf:
                return formulas_without_value(zf, part)
        except (OSError, zipfile.BadZipFile, KeyError):
            return []

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
            raw = raw_from_cells(name, cells, expected or [], merged)
        raw.formula_cells = self.formula_cells(name)
        return raw


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


# ---- formulas without a stored result (issue #14) ---------------------------------------------

_SHEET_TAG = re.compile(r"<(?:\w+:)?sheet\b[^>]*>")
_REL_TAG = re.compile(r"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(r'([\w:]+)\s*=\s*"([^"]*)"')
_F_START = re.compile(rb"<(?:\w+:)?f[\s/>]")
_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_V_ELEM = re.compile(rb"<(?:\w+:)?v\s*(?:/>|>([^<]*)<)")
_C_END = re.compile(rb"</(?:\w+:)?c>")
CHUNK = 1 << 20


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML part, from ``xl/workbook.xml`` and its relationships."""
    wb = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {}
    for tag in _REL_TAG.findall(rels):
        a = dict(_ATTR.findall(tag))
        t = a.get("Target", "")
        targets[a.get("Id")] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    out = {}
    for tag in _SHEET_TAG.findall(wb):
        a = dict(_ATTR.findall(tag))
        rid = next((v for k, v in a.items() if k.endswith(":id")), None)
        if "name" in a and rid in targets:
            out[unescape(a["name"])] = targets[rid]
    return out


def _may_hold_formula(buf: bytes) -> bool:
    """Is there an ``<f`` element start in ``buf``? Searched by the letter f (memchr-fast):
    cell XML (refs, styles, numbers, shared-string indexes, Chinese text) rarely holds a
    lowercase f, so this costs about a tenth of a multi-character search."""
    i, hits = buf.find(b"f"), 0
    while i >= 0:
        if i and buf[i - 1] in b"<:" and buf[i + 1:i + 2] in (b" ", b">", b"/", b"\t", b"\r", b"\n"):
            return True
        hits += 1
        if hits > 200:                  # English text in cells: one regex pass instead
            return _F_START.search(buf) is not None
        i = buf.find(b"f", i + 1)
    return False


def formulas_without_value(zf: zipfile.ZipFile, part: str) -> list[tuple[int, int]]:
    """Cells of ``part`` holding a formula (``<f>``) but no cached value (``<v>``): calamine
    returns '' for them. The part is streamed once looking for any ``<f``; only a sheet that
    has formulas at all is then read whole and its formula cells inspected."""
    with zf.open(part) as fp:
        tail = b""
        while True:
            chunk = fp.read(CHUNK)
            if not chunk:
                return []
            if _may_hold_formula(tail + chunk):
                break
            tail = chunk[-2:]
    data = zf.read(part)
    out = []
    last_cell = -1
    for m in _F_START.finditer(data):
        pos = m.start()
        start = data.rfind(b"<c ", 0, pos)
        if start < 0:
            start = data.rfind(b":c ", 0, pos)
        if start <= last_cell:
            continue                      # a second <f> inside one cell
        last_cell = start
        close = _C_END.search(data, pos)  # </c> or </x:c>
        cell = data[start:close.start() if close else len(data)]
        head = cell[:cell.find(b">") + 1]
        v = _V_ELEM.search(cell, pos - start)
        if v is not None and (v.group(1) or b't="str"' in head):
            continue    # a stored result (an empty one only for a text formula, t="str")
        ref = _REF.search(head)
        if ref is None:
            continue
        col = 0
        for ch in ref.group(1):
            col = col * 26 + ch - 64
        out.append((int(ref.group(2)), col - 1))
    return out
