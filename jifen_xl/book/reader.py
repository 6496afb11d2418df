"""Read input sheets fast with python-calamine (never openpyxl just to read).

Sheets are read by header text: the header is the first row (within the first five)
holding one of the expected column names. Merged cells are filled from their top-left
cell and noted once, so a date merged down a block of log rows still applies to each row.

Before calamine builds a sheet (a grid from A1 to the farthest cell holding a value), the
sheet's XML is streamed once for that extent: input beyond ``limits.py`` is
refused up front, naming the farthest cell, so a stray value at XFD1048576 is an answer in
a second, not a 550 GB allocation. The same pass notes whether the sheet has formulas.
"""
from __future__ import annotations

import re
import zipfile
from html import unescape
from pathlib import Path

import python_calamine as pc

from ..core import normalize as nz
from ..core.headers import canonical_headers, header_key
from ..core.oserror import os_reason
from ..core.problems import NOTICE, InputError, Problem
from ..core.table import RawSheet, gc_paused, is_blank
from . import limits
from .safety import check_workbook_file


class WorkbookReader:
    """One open workbook; `sheet(name, expected)` returns a RawSheet or None when absent."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        check_workbook_file(self.path)
        try:
            self._book = pc.CalamineWorkbook.from_path(str(self.path))
        except Exception as exc:  # calamine raises its own error types
            raise InputError(f"无法读取工作簿“{self.path.name}”：{calamine_reason(exc)}。"
                             f"请在 Excel 或 WPS 中打开它，另存为 .xlsx 后再试。") from exc
        self.sheet_names: list[str] = list(self._book.sheet_names)
        self._parts: dict[str, str] | None = None     # sheet name -> XML part, on demand
        self._extents: dict[str, Extent] = {}

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
        if part is None or not self.extent(name).formulas:
            return []
        try:
            with zipfile.ZipFile(self.path) as zf:
                return formulas_without_value(zf, part)
        except (OSError, zipfile.BadZipFile, KeyError):
            return []

    def extent(self, name: str) -> "Extent":
        """The sheet's extent from its XML (cached; an unreadable part: an empty extent,
        calamine then says what is wrong)."""
        if name not in self._extents:
            part = self._sheet_part(name)
            ext = Extent()
            if part is not None:
                try:
                    with zipfile.ZipFile(self.path) as zf:
                        ext = sheet_extent(zf, part)
                except (OSError, zipfile.BadZipFile, KeyError, EOFError, ValueError):
                    pass
            self._extents[name] = ext
        return self._extents[name]

    def check_limits(self, names) -> None:
        """``InputError`` (exit 2) when a sheet of ``names``, or all of them together, hold
        cells beyond ``limits.py``, before any of them is read."""
        check_extents({name: self.extent(name) for name in names if name in self.sheet_names})

    def sheets(self, wanted: dict[str, list[str] | None]) -> dict[str, RawSheet | None]:
        """``sheet(name, expected)`` for each of ``wanted``, after ``check_limits`` on them all."""
        self.check_limits(wanted)
        return {name: self.sheet(name, expected) for name, expected in wanted.items()}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def sheet(self, name: str, expected: list[str] | None = None) -> RawSheet | None:
        if name not in self.sheet_names:
            return None
        self.extent(name).check(name)
        with gc_paused():       # many small objects, no cycles
            try:
                sh = self._book.get_sheet_by_name(name)
                cells = sh.to_python(skip_empty_area=False)
                merged = sh.merged_cell_ranges or []
            except Exception as exc:
                raise InputError(f"无法读取工作表“{name}”：{calamine_reason(exc)}。"
                                 f"请在 Excel 或 WPS 中打开它，另存为 .xlsx 后再试。") from exc
            raw = raw_from_cells(name, cells, expected or [], merged)
        raw.formula_cells = self.formula_cells(name)
        return raw


def calamine_reason(exc: BaseException) -> str:
    """python-calamine's error (English: "Cfb error …", "Xml error …") in the clerk's words."""
    if isinstance(exc, OSError):
        return os_reason(exc)
    text = str(exc).casefold()
    if "cfb" in text or "vba" in text:
        return "文件中旧版 Office 格式的部分（如宏工程）已损坏或无法识别"
    if "password" in text or "encrypt" in text:
        return "工作簿设置了密码"
    if "zip" in text:
        return "文件的压缩结构已损坏"
    if "xml" in text:
        return "工作簿内部的数据有格式错误（文件可能已损坏）"
    return "文件已损坏，或不是本程序能读取的格式"


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
    wanted = {header_key(e) for e in expected}
    for i, row in enumerate(cells[:5]):
        texts = {header_key(nz.clean_text(v)[0]) for v in row if not is_blank(v)}
        if wanted & texts:
            header_idx = i
            break
    header = [nz.clean_text(v)[0] if not is_blank(v) else "" for v in (cells[header_idx] if cells else [])]
    header, header_notes = canonical_headers(name, header, expected, header_idx + 1)   # 次數 -> 次数
    notes += header_notes
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


# ---- the extent of a sheet, from its XML -------------------------------------------------------

class Extent:
    """Where a sheet's cells holding a value end: ``rows`` (Excel row of the last one) and
    ``cols`` (1-based column of the widest one), with their references for messages;
    ``formulas``: the XML may hold a formula (``formulas_without_value`` looks closer)."""

    def __init__(self, rows: int = 0, cols: int = 0, last: str = "", widest: str = "",
                 formulas: bool = False):
        self.rows, self.cols, self.last, self.widest, self.formulas = rows, cols, last, widest, formulas

    @property
    def cells(self) -> int:
        """Cells of the grid calamine builds (A1 to the farthest cell with a value)."""
        return self.rows * self.cols

    def over(self) -> bool:
        return self.rows > limits.MAX_ROWS_PER_SHEET or self.cells > limits.MAX_CELLS_PER_SHEET

    def check(self, name: str) -> None:
        tail = "如果是误填的，请在 Excel 或 WPS 中删除它（或删除那些行、列）后保存再试；数据确实这么多，请分成几个工作簿。"
        if self.rows > limits.MAX_ROWS_PER_SHEET:
            raise InputError(f"工作表“{name}”在第 {limits.number(limits.MAX_ROWS_PER_SHEET)} 行之后还有内容"
                             f"（例如 {self.last}），超出每个工作表最多 {limits.number(limits.MAX_ROWS_PER_SHEET)} "
                             f"行的上限。{tail}")
        if self.cells > limits.MAX_CELLS_PER_SHEET:
            raise InputError(f"工作表“{name}”有内容的单元格远到 {self.widest}（第 {letters(self.cols)} 列），"
                             f"从 A1 到第 {limits.number(self.rows)} 行、第 {letters(self.cols)} 列共 "
                             f"{limits.number(self.cells)} 个单元格，超出每个工作表最多 "
                             f"{limits.number(limits.MAX_CELLS_PER_SHEET)} 个的上限。{tail}")


def check_extents(extents: dict[str, Extent]) -> None:
    """``InputError`` (exit 2) when a sheet, or the sheets together, go beyond ``limits.py``."""
    total = 0
    for name, ext in extents.items():
        ext.check(name)
        total += ext.cells
    if total > limits.MAX_CELLS_PER_WORKBOOK:
        raise InputError(f"要读取的工作表共有 {limits.number(total)} 个单元格（按每个工作表从 A1 到最远有内容的"
                         f"单元格计），超出一次最多 {limits.number(limits.MAX_CELLS_PER_WORKBOOK)} 个的上限。"
                         f"请删除误填在远处的单元格，或把数据分到几个工作簿（例如每学期、每年一个）。")


_CELL_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_ROOT_PREFIX = re.compile(rb"<(\w+):worksheet\b")
_BEYOND: dict[tuple[bytes, int], tuple[re.Pattern, re.Pattern]] = {}


def _beyond(start_tok: bytes, cols: int) -> tuple[re.Pattern, re.Pattern]:
    """(quick, full): a start tag of a cell in a column past ``cols``, and such a cell holding
    a value (its tag not ending in ``/>``) with its column letters and row. Once ``cols`` is
    the sheet's width no cell matches, and the quick search is one C-speed pass a chunk.
    ``start_tok`` ends with ``r="`` when every cell starts with its reference (all writers
    seen); otherwise other attributes may come first (slower)."""
    key = (start_tok, min(cols, 26))
    if key not in _BEYOND:
        narrow = f"|[{chr(65 + cols)}-Z]" if cols < 26 else ""
        head = re.escape(start_tok) if start_tok.endswith(b'r="') else re.escape(start_tok) + rb'[^>]*?\br="'
        cols_re = rb"(?:[A-Z]{2}" + narrow.encode() + rb")"
        _BEYOND[key] = (re.compile(head + cols_re),
                        re.compile(head + rb"([A-Z]{2,}" + narrow.encode() + rb')([0-9]+)"[^>]*(?<!/)>'))
    return _BEYOND[key]


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def letters(col: int) -> str:
    s = ""
    while col:
        col, r = divmod(col - 1, 26)
        s = chr(65 + r) + s
    return s


def sheet_extent(zf: zipfile.ZipFile, part: str) -> Extent:
    """Stream ``part`` once (4 MiB at a time, each piece ending before a cell's start tag so
    no cell is split) for its ``Extent``. A cell holds a value when its tag is not empty
    (``<c …/>`` is only a format); rows come in order (ECMA-376), so the last cell holding a
    value in each piece carries the row so far. Cells are taken to start with their reference
    (``<c r="…"``, as every writer seen does) when the first ones do. About 0.1 s on top of
    the unzipping for 80 MB of XML (a 200,000-row 日志)."""
    ext = Extent()
    start_tok, end_tok = b"<c ", b"</c>"
    with zf.open(part) as fp:
        buf, decided = b"", False
        while True:
            chunk = fp.read(EXTENT_CHUNK)
            buf = buf + chunk if buf else chunk
            if not decided:                      # the tokens, from the root and the first cells
                early = chunk and len(buf) < 16 * EXTENT_CHUNK
                m = _ROOT_PREFIX.search(buf)
                if m:
                    start_tok, end_tok = b"<" + m[1] + b":c ", b"</" + m[1] + b":c>"
                if early and (b"sheetData" not in buf or buf.find(start_tok, buf.find(b"sheetData")) < 0):
                    continue
                if re.search(re.escape(start_tok) + rb'(?!r=")', buf) is None:
                    start_tok += b'r="'          # every cell starts with its reference
                decided = True
            cut = buf.rfind(start_tok) if chunk else len(buf)
            if cut <= 0 and len(buf) < 16 * EXTENT_CHUNK:
                continue                         # no cell starts here yet: read on
            if cut <= 0:
                cut = len(buf)
            if not ext.formulas and _may_hold_formula(buf, cut):
                ext.formulas = True
            _note_extent(ext, buf, cut, start_tok, end_tok)
            if not chunk or ext.over():
                return ext                       # over a limit: the rest cannot change the answer
            buf = buf[cut:]


def _note_extent(ext: Extent, buf: bytes, cut: int, start_tok: bytes, end_tok: bytes) -> None:
    """Widen ``ext`` by the cells of ``buf[:cut]``."""
    quick, full = _beyond(start_tok, ext.cols)
    if quick.search(buf, 0, cut):
        for m in full.finditer(buf, 0, cut):
            col = _col_number(m[1])
            if col > ext.cols:
                ext.cols, ext.widest = col, (m[1] + m[2]).decode()
    end = buf.rfind(end_tok, 0, cut)
    if end < 0:
        return
    start = buf.rfind(start_tok[:-3] if start_tok.endswith(b'r="') else start_tok, 0, end)
    ref = _CELL_REF.search(buf, start, buf.find(b">", start) + 1) if start >= 0 else None
    if ref is not None and int(ref[2]) > ext.rows:
        ext.rows, ext.last = int(ref[2]), (ref[1] + ref[2]).decode()


# ---- formulas without a stored result ---------------------------------------------------------

_SHEET_TAG = re.compile(r"<(?:\w+:)?sheet\b[^>]*>")
_REL_TAG = re.compile(r"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(r'([\w:]+)\s*=\s*"([^"]*)"')
_F_START = re.compile(rb"<(?:\w+:)?f[\s/>]")
_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_V_ELEM = re.compile(rb"<(?:\w+:)?v\s*(?:/>|>([^<]*)<)")
_C_END = re.compile(rb"</(?:\w+:)?c>")
CHUNK = 1 << 20
EXTENT_CHUNK = 4 << 20


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


def _may_hold_formula(buf: bytes, end: int | None = None) -> bool:
    """Is there an ``<f`` element start in ``buf``? Searched by the letter f (memchr-fast):
    cell XML (refs, styles, numbers, shared-string indexes, Chinese text) rarely holds a
    lowercase f, so this costs about a tenth of a multi-character search."""
    end = len(buf) if end is None else end
    i, hits = buf.find(b"f", 0, end), 0
    while i >= 0:
        if i and buf[i - 1] in b"<:" and buf[i + 1:i + 2] in (b" ", b">", b"/", b"\t", b"\r", b"\n"):
            return True
        hits += 1
        if hits > 200:                  # English text in cells: one regex pass instead
            return _F_START.search(buf, 0, end) is not None
        i = buf.find(b"f", i + 1, end)
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
