"""Typed rows from a sheet's raw cells, with every problem located (SPEC C-6).

A ``RawSheet`` is plain data (header texts, cell values, Excel row numbers) so that the
whole parsing and validation path is testable without any workbook file.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from . import normalize as nz
from .problems import ERROR, NOTICE, Problem


@dataclass
class RawSheet:
    name: str
    header: list[str]
    rows: list[list]
    row_numbers: list[int]
    header_row: int = 1
    notes: list[Problem] = field(default_factory=list)   # reader notices (merged cells …)

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
    "bool": nz.to_bool,
    "multi": _parse_multi,
    "ratio": nz.to_ratio,
    "weekday": nz.to_weekday,
}


def is_blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def parse_table(raw: RawSheet, cols: Iterable[Col], skip_blank_ignoring: Iterable[str] = ("编号",)
                ) -> tuple[list[dict], list[Problem]]:
    """Typed records (dicts keyed by header, plus ``_row``) and the problems found.

    Blank rows are skipped (a row counts as blank when every column other than
    ``skip_blank_ignoring`` — e.g. the pre-filled 编号 — is empty). A missing required column
    is one problem on the header row; a bad value is one problem on its cell and the field is
    set to None; each normalised value is one 提示.
    """
    cols = list(cols)
    problems: list[Problem] = list(raw.notes)
    index = {h: i for i, h in enumerate(raw.header) if h}
    for c in cols:
        if c.header not in index and (c.required or not c.optional_column):
            problems.append(Problem(raw.name, raw.header_row, c.header, "",
                                    f"缺少列“{c.header}”，请按模板在第{raw.header_row}行加上这一列标题"))
    ignore = set(skip_blank_ignoring)
    check_idx = [i for h, i in index.items() if h not in ignore]
    records = []
    for cells, rownum in zip(raw.rows, raw.row_numbers):
        if all(is_blank(cells[i]) if i < len(cells) else True for i in check_idx):
            continue
        rec: dict = {"_row": rownum}
        for c in cols:
            i = index.get(c.header)
            v = cells[i] if i is not None and i < len(cells) else None
            if is_blank(v):
                rec[c.header] = c.default
                if c.required and i is not None:
                    problems.append(Problem(raw.name, rownum, c.header, "", f"“{c.header}”不能为空"))
                continue
            try:
                value, note = PARSERS[c.kind](v)
            except ValueError as exc:
                problems.append(Problem(raw.name, rownum, c.header, v, str(exc) or "无法识别"))
                rec[c.header] = None
                rec.setdefault("_bad", set()).add(c.header)
                continue
            if c.kind == "text" and value == "":
                value = c.default
            rec[c.header] = value
            if note:
                problems.append(Problem(raw.name, rownum, c.header, v, note, NOTICE))
        records.append(rec)
    return records, problems


# ---- the 设置 sheet: 项目 / 值 pairs ---------------------------------------------------------

@dataclass(frozen=True)
class Setting:
    key: str
    kind: str          # as Col.kind, plus "choice"
    default: object
    choices: tuple = ()


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
