"""Typed rows from a sheet's raw cells, with every problem located (SPEC C-6).

A ``RawSheet`` is plain data (header texts, cell values, Excel row numbers) so that the
whole parsing and validation path is testable without any workbook file.
"""
from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from . import normalize as nz
from .headers import header_key, header_problems as _header_problems, resembles  # noqa: F401
from .problems import ERROR, NOTICE, Problem


@dataclass
class RawSheet:
    name: str
    header: list[str]
    rows: list[list]
    row_numbers: list[int]
    header_row: int = 1
    notes: list[Problem] = field(default_factory=list)   # reader notices (merged cells …)
    # (Excel row, 0-based column) of cells holding a formula with no stored result:
    # calamine reads them as blank, so whichever of them a parser reads is an 错误.
    formula_cells: list[tuple[int, int]] = field(default_factory=list)

    def has(self, column: str) -> bool:
        return column in self.header


@dataclass(frozen=True)
class Col:
    header: str
    kind: str = "text"      # text | id | date | decimal | count | bool | multi | ratio | weekday
    required: bool = False  # the column must exist and every used row must fill it
    optional_column: bool = True   # the column may be absent from the sheet altogether
    default: object = None


def _parse_text(v):
    return nz.clean_text(v)


def _parse_multi(v):
    text, note = nz.clean_text(v)
    return nz.split_multi(text), note


PARSERS: dict[str, Callable] = {
    "text": _parse_text,
    "id": nz.to_id,
    "date": nz.to_date,
    "decimal": nz.to_decimal,
    "count": nz.to_count,
    "year": nz.to_year,
    "bool": nz.to_bool,
    "multi": _parse_multi,
    "ratio": nz.to_ratio,
    "weekday": nz.to_weekday,
}


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector while a sheet becomes many small objects.

    Building 200,000 records (dicts, tuples, lists) triggers hundreds of collections that
    each walk every live object — about a sixth of a whole command's time.
    Nothing built here forms reference cycles; the collector runs again afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def is_blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def parse_table(raw: RawSheet, cols: Iterable[Col], skip_blank_ignoring: Iterable[str] = ("编号",)
                ) -> tuple[list[dict], list[Problem]]:
    """Typed records (dicts keyed by header, plus ``_row``) and the problems found.

    Blank rows are skipped (a row counts as blank when every column other than
    ``skip_blank_ignoring`` — e.g. the pre-filled 编号 — is empty). A missing required column
    is one problem on the header row; a bad value is one problem on its cell and the field is
    set to None; each normalised value is one 提示.

    Speed: the normalisers are pure, so each column memoises its results by
    (type, value) — a 200,000-row log holds a few thousand distinct values per column.
    Results that are mutable (``multi`` lists) are not memoised. For memory, a text cell equal
    to one seen before in its column is replaced in ``raw.rows`` by that first, equal ``str``
    (nothing a reader of ``raw`` can tell apart).
    """
    with gc_paused():
        return _parse_table(raw, cols, skip_blank_ignoring)


def _parse_table(raw: RawSheet, cols: Iterable[Col], skip_blank_ignoring: Iterable[str]
                 ) -> tuple[list[dict], list[Problem]]:
    table, problems = _parse_columns(raw, cols, skip_blank_ignoring)
    keys = ("_row",) + tuple(table.values)
    records = [dict(zip(keys, t)) for t in zip(table.rows, *table.values.values())]
    for k, headers in table.bad.items():
        records[k]["_bad"] = headers
    return records, problems


@dataclass
class Columns:
    """``parse_table``'s result column by column: record k is Excel row ``rows[k]`` with
    ``values[header][k]`` per column; ``bad[k]`` holds the headers whose value was rejected
    (a record's ``_bad``)."""

    rows: list[int]
    values: dict[str, list]
    bad: dict[int, set]


def parse_columns(raw: RawSheet, cols: Iterable[Col], skip_blank_ignoring: Iterable[str] = ("编号",)
                  ) -> tuple[Columns, list[Problem]]:
    """``parse_table`` without building one dict per record (a 200,000-row log):
    the same values and the same problems, column by column."""
    with gc_paused():
        return _parse_columns(raw, cols, skip_blank_ignoring)


def _parse_columns(raw: RawSheet, cols: Iterable[Col], skip_blank_ignoring: Iterable[str]
                   ) -> tuple[Columns, list[Problem]]:
    cols = list(cols)
    problems: list[Problem] = list(raw.notes)
    index = {h: i for i, h in enumerate(raw.header) if h}
    for c in cols:
        if c.header not in index and (c.required or not c.optional_column):
            problems.append(Problem(raw.name, raw.header_row, c.header, "",
                                    f"缺少列“{c.header}”，请按模板在第{raw.header_row}行加上这一列标题"))
    problems += header_problems(raw, [c.header for c in cols])
    problems += formula_problems(raw, [c.header for c in cols])
    ignore = set(skip_blank_ignoring)
    check_idx = [i for h, i in index.items() if h not in ignore]
    # per column: (header, index or None, parser, kind, required, default, memo or None)
    plan = [(c.header, index.get(c.header), _id_fast if c.kind == "id" else PARSERS[c.kind],
             c.kind, c.required, c.default,
             None if c.kind == "multi" else {}) for c in cols]
    name = raw.name
    kept_cells, kept_rows = [], []
    for cells, rownum in zip(raw.rows, raw.row_numbers):
        n = len(cells)
        for i in check_idx:
            if i < n:
                v = cells[i]
                if v is not None and not (isinstance(v, str) and not v.strip()):
                    kept_cells.append(cells)
                    kept_rows.append(rownum)
                    break
    # Column by column; problems are put back in row, then column order.
    found: list[tuple[int, int, Problem]] = []
    bad: dict[int, set] = {}
    columns = []
    for ci, (header, i, parse, kind, required, default, memo) in enumerate(plan):
        if i is None:
            columns.append([default] * len(kept_cells))
            continue
        out = []
        add = out.append
        clean: dict = {}    # str cell -> (value, first equal cell) when it parses with no note
        id_float = kind == "id"
        plain: dict = {}    # float or date cell -> value when it parses with no note
        for k, cells in enumerate(kept_cells):
            v = cells[i] if i < len(cells) else None
            if v.__class__ is str:
                c = clean.get(v)
                if c is not None:           # the common case: a value seen before, clean
                    add(c[0])
                    if c[1] is not v:
                        cells[i] = c[1]     # keep one object per distinct text (memory)
                    continue
            if v is None or (isinstance(v, str) and not v.strip()):
                add(default)
                if required:
                    found.append((k, ci, Problem(name, kept_rows[k], header, "", f"“{header}”不能为空")))
                continue
            cls = v.__class__
            if cls is float or cls is date:     # a number or date seen before, clean
                c = plain.get(v, _MISS)
                if c is not _MISS:
                    add(c)
                    continue
            if cls is float and id_float and v.is_integer() and -2**53 < v < 2**53:
                add(str(int(v)))    # _id_fast's commonest case inline (编号: all distinct)
                continue
            key = (cls, v)
            hit = memo.get(key) if memo is not None and cls in _MEMO_TYPES else None
            if hit is None:
                try:
                    hit = parse(v)
                except ValueError as exc:
                    hit = exc
                if memo is not None and cls in _MEMO_TYPES and len(memo) < _MEMO_LIMIT:
                    memo[key] = hit
            if hit.__class__ is not tuple:
                found.append((k, ci, Problem(name, kept_rows[k], header, v, str(hit) or "无法识别")))
                add(None)
                bad.setdefault(k, set()).add(header)
                continue
            value, note = hit
            if kind == "text" and value == "":
                value = default
            add(value)
            if note:
                found.append((k, ci, Problem(name, kept_rows[k], header, v, note, NOTICE)))
            elif cls is str and memo is not None and len(clean) < _MEMO_LIMIT:
                clean[v] = (value, v)
            elif (cls is float or cls is date) and memo is not None and len(plain) < _MEMO_LIMIT:
                plain[v] = value    # only floats / only dates: equal keys are the same value
        columns.append(out)
    found.sort(key=lambda f: (f[0], f[1]))
    problems += [f[2] for f in found]
    return Columns(kept_rows, dict(zip((p[0] for p in plan), columns)), bad), problems


# ---- no silent defaults (C-6) ---------------------------------------------------------------

FORMULA_MESSAGE = ("这个单元格是公式，但文件里没有保存公式的计算结果（文件可能是由程序生成的），无法读取它的值；"
                   "请在 Excel 或 WPS 中打开这个工作簿并保存一次，或直接填写数值")


def formula_problems(raw: RawSheet, headers: Iterable[str]) -> list[Problem]:
    """An 错误 for every formula cell without a stored result in the columns ``headers`` (and
    in the header row): such a cell reads as blank, and a blank silently becomes a default
    (次数 1, 基础分 80, 在籍 是). Other columns (a teacher's own notes) are not checked."""
    if not raw.formula_cells:
        return []
    wanted = {i for i, h in enumerate(raw.header) if h and h in set(headers)}
    out = []
    for row, col in raw.formula_cells:
        if row == raw.header_row or (row > raw.header_row and col in wanted):
            head = raw.header[col] if col < len(raw.header) else ""
            out.append(Problem(raw.name, row, head or _col_letter(col), "", FORMULA_MESSAGE))
    return out


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s + "列"


def header_problems(raw: RawSheet, headers: Iterable[str]) -> list[Problem]:
    """``headers.header_problems`` for a RawSheet: an 错误 for each column resembling a
    missing template header (it would be silently ignored)."""
    return _header_problems(raw.name, raw.header, raw.header_row, headers)


def _id_fast(v):
    """``nz.to_id`` with its commonest case inline: a whole-number cell (编号, 学号 typed
    as a number) reads as its digits, with no note — exactly what ``to_id`` returns."""
    if v.__class__ is float and v.is_integer() and -2**53 < v < 2**53:
        return str(int(v)), None
    return nz.to_id(v)


_MISS = object()
_MEMO_LIMIT = 20_000     # distinct values memoised per column (ids such as 编号 are all distinct)
# Types whose equal values always normalise alike (not Decimal: Decimal("1.0") == Decimal("1")
# but they read as different text).
_MEMO_TYPES = frozenset({str, float, int, bool, date, datetime})


# ---- the 设置 sheet: 项目 / 值 pairs ---------------------------------------------------------

@dataclass(frozen=True)
class Setting:
    key: str
    kind: str          # as Col.kind, plus "choice"
    default: object
    choices: tuple = ()


SETTING_KEY, SETTING_VALUE = "项目", "值"      # the 设置 sheet's two columns


def settings_cells(raw: RawSheet | None) -> dict[str, tuple[object, int]]:
    """The raw 设置 cells: 项目 (cleaned) -> (值 as read, row number). The first row of a
    key wins, as in ``parse_settings`` (which reports the repeats); blank keys are skipped.
    Used where the value is parsed by its reader (the buttons' labelled cells, print)."""
    cells: dict[str, tuple[object, int]] = {}
    if raw is None or SETTING_KEY not in raw.header or SETTING_VALUE not in raw.header:
        return cells
    ki, vi = raw.header.index(SETTING_KEY), raw.header.index(SETTING_VALUE)
    for row, number in zip(raw.rows, raw.row_numbers):
        key = nz.clean_text(row[ki])[0] if ki < len(row) and not is_blank(row[ki]) else ""
        if key and key not in cells:
            cells[key] = (row[vi] if vi < len(row) else None, number)
    return cells


def parse_settings(raw: RawSheet | None, schema: Iterable[Setting]) -> tuple[dict, list[Problem]]:
    """Settings by key with defaults for the ones left out (every SPEC *(setting)*)."""
    schema = list(schema)
    values = {s.key: s.default for s in schema}
    problems: list[Problem] = []
    if raw is None:
        return values, problems
    by_key = {s.key: s for s in schema}
    recs, probs = parse_table(raw, [Col("项目", "text", required=True), Col("值", "text")])
    problems += [p for p in probs if p.level != NOTICE or p.column != "值"]
    ki = raw.header.index("值") if "值" in raw.header else None
    rows_by_num = dict(zip(raw.row_numbers, raw.rows))
    seen: dict[str, int] = {}
    for rec in recs:
        key = rec.get("项目")
        if not key or key not in by_key:
            continue   # unknown keys are the user's notes; kept and ignored
        if key in seen:
            problems.append(Problem(raw.name, rec["_row"], "项目", key,
                                    f"设置项“{key}”重复（第{seen[key]}行已有），以第一次出现的为准"))
            continue
        seen[key] = rec["_row"]
        s = by_key[key]
        rawv = rows_by_num[rec["_row"]][ki] if ki is not None and ki < len(rows_by_num[rec["_row"]]) else None
        if is_blank(rawv):
            continue
        try:
            if s.kind == "choice":
                v, note = nz.clean_text(rawv)
                if v not in s.choices:
                    raise ValueError("只能填写：" + "、".join(s.choices))
            else:
                v, note = PARSERS[s.kind](rawv)
        except ValueError as exc:
            problems.append(Problem(raw.name, rec["_row"], "值", rawv, f"设置项“{key}”：{exc}"))
            continue
        values[key] = v
        if note:
            problems.append(Problem(raw.name, rec["_row"], "值", rawv, note, NOTICE))
    return values, problems
