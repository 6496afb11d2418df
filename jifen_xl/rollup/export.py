"""One workbook → Parquet tables with a documented, versioned schema (docs/rollup.md).

A village (乡村积分) or ledger (积分台账) workbook is read with the same reader and the same
pure scheme code as `jifen year` / `jifen ledger`; its normalised, validated data and its
results become seven small tables:

``workbook``         one row: content hash, scheme, village/town name, year, as-of date,
                     notice version and dates, status, problem counts.
``subjects``         households (V-1) or accounts (L-1): ids, group/type, people, taking part.
``entries``          every counted-or-not entry the scheme built (C-2, V-6, L-3, L-4) with its
                     date, category, points, status and source sheet/row.
``results``          per scored subject the year result exactly as the workbook's own command
                     shows it: `年度汇总-<Y>` rows (V-3, V-7) or `积分排名` rows (L-5).
``category_scores``  the same rows' category columns in long form (V-2, L-2).
``villages``         per village: roster and panel facts (V-5) or `示范村指标` (L-9).
``problems``         every Problem (C-6) with its level.

Names (户主, 账户名称) are written only with ``with_names`` (privacy by default).
Points are exact: ``decimal(18,2)``, built from integer cents (C-3). The content hash is the
sha256 of the file's bytes, carried in every row (column ``workbook``) so that tables of many
workbooks can be concatenated by any Parquet engine without losing where a row came from.
A workbook with errors (错误) exports ``workbook``, ``subjects``, ``villages`` and ``problems``
only: no entries and no results, as `jifen year` writes only `校验` then (C-6).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..app import detect_scheme, scheme_named
from ..book.safety import open_regular
from ..core.problems import ERROR, NOTICE, REFUSED, InputError, Problem
from ..schemes import SCHEMES

SCHEMA_VERSION = 1
META = {b"jifen.schema_version": str(SCHEMA_VERSION).encode(), b"jifen.points": b"decimal(18,2), exact"}

KIND = {s.name: s.label for s in SCHEMES}              # scheme -> what a clerk calls it
EXPORTED = tuple(s.name for s in SCHEMES if s.export)  # schemes that take part in the roll-up
OK, BROKEN, UNREADABLE, SKIPPED = "正常", "有错误", "无法读取", "不参与汇总"

PTS = pa.decimal128(18, 2)

SCHEMAS: dict[str, pa.Schema] = {
    "workbook": pa.schema([
        ("workbook", pa.string()), ("schema_version", pa.int32()), ("scheme", pa.string()),
        ("title", pa.string()), ("year", pa.int32()), ("as_of", pa.date32()), ("final", pa.bool_()),
        ("notice_start", pa.date32()), ("notice_end", pa.date32()), ("status", pa.string()),
        ("errors", pa.int32()), ("refusals", pa.int32()), ("notices", pa.int32()),
        ("with_names", pa.bool_()), ("message", pa.string()),
    ]),
    "subjects": pa.schema([
        ("workbook", pa.string()), ("village", pa.string()), ("subject_id", pa.string()),
        ("subject_type", pa.string()), ("group", pa.string()), ("people", pa.int32()),
        ("participating", pa.bool_()), ("name", pa.string()), ("source_row", pa.int32()),
    ]),
    "entries": pa.schema([
        ("workbook", pa.string()), ("village", pa.string()), ("subject_id", pa.string()),
        ("date", pa.date32()), ("code", pa.string()), ("category", pa.string()), ("points", PTS),
        ("status", pa.string()), ("cancelled", pa.bool_()), ("counted", pa.bool_()),
        ("source", pa.string()), ("sheet", pa.string()), ("source_row", pa.int32()),
    ]),
    "results": pa.schema([
        ("workbook", pa.string()), ("village", pa.string()), ("subject_id", pa.string()),
        ("subject_type", pa.string()), ("group", pa.string()), ("total", PTS), ("year_total", PTS),
        ("available", PTS), ("rank", pa.int32()), ("year_rank", pa.int32()), ("star", pa.string()),
        ("objections", pa.int32()), ("name", pa.string()),
    ]),
    "category_scores": pa.schema([
        ("workbook", pa.string()), ("village", pa.string()), ("subject_id", pa.string()),
        ("category", pa.string()), ("score", PTS),
    ]),
    "villages": pa.schema([
        ("workbook", pa.string()), ("village", pa.string()),
        ("households", pa.int32()), ("participating", pa.int32()), ("groups", pa.int32()),
        ("groups_over_limit", pa.int32()), ("group_limit", pa.int32()), ("panels", pa.int32()),
        ("panels_under_min", pa.int32()), ("panel_min", pa.int32()),
        ("population", pa.int32()), ("redeemers", pa.int32()), ("redeemed_share", pa.decimal128(9, 4)),
        ("meets_target", pa.bool_()), ("categories_covered", pa.int32()), ("active_accounts", pa.int32()),
        ("reward_spend", PTS), ("reward_budget", PTS),
    ]),
    "problems": pa.schema([
        ("workbook", pa.string()), ("sheet", pa.string()), ("row", pa.int32()), ("column", pa.string()),
        ("value", pa.string()), ("message", pa.string()), ("level", pa.string()),
    ]),
}
TABLES = tuple(SCHEMAS)


@dataclass
class Extract:
    """One workbook's tables (rows as dicts until ``arrow``) and what the command prints."""

    sha256: str
    scheme: str | None
    status: str
    tables: dict[str, list[dict]] = field(default_factory=lambda: {t: [] for t in TABLES})
    problems: list[Problem] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)

    def arrow(self) -> dict[str, pa.Table]:
        out = {}
        for name, schema in SCHEMAS.items():
            rows = self.tables[name]
            cols = {f.name: [r.get(f.name) for r in rows] for f in schema}
            out[name] = pa.Table.from_pydict(cols, schema=schema).replace_schema_metadata(META)
        return out


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open_regular(path) as fp:      # a named pipe called 村.xlsx must not hang the roll-up
        for chunk in iter(lambda: fp.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ---- reading ---------------------------------------------------------------------------------

def extract(path: Path, *, with_names: bool = False, year: int | None = None,
            sha256: str | None = None) -> Extract:
    """Read, validate and compute one workbook; never raises for a bad workbook (the
    problem is in ``problems`` and the status says 无法读取)."""
    from ..book.reader import WorkbookReader

    path = Path(path)
    sha = sha256 or file_sha256(path)
    try:
        with WorkbookReader(path) as reader:
            scheme = detect_scheme(reader.sheet_names)
            if scheme not in EXPORTED:
                ex = Extract(sha, scheme, SKIPPED)
                what = KIND.get(scheme or "", "")
                ex.summary.append(f"“{path.name}”是{what}工作簿，不参与汇总。" if what else
                                  f"“{path.name}”不是{'或'.join(KIND[s] for s in EXPORTED)}工作簿，不参与汇总。")
                _workbook_row(ex, None, None, message=ex.summary[-1])
                return ex
            sheets = reader.sheets(scheme_named(scheme).inputs)
    except InputError as exc:
        ex = Extract(sha, None, UNREADABLE)
        ex.problems.append(Problem("", None, "", "", exc.message))
        ex.summary.append(exc.message)
        _workbook_row(ex, None, None, message=exc.message)
        _problem_rows(ex)
        return ex
    ex = Extract(sha, scheme, OK)
    got = scheme_named(scheme).export(sheets, with_names, year)
    ex.problems, ex.summary = got.problems, got.summary
    ex.status = BROKEN if got.broken else OK
    for table, rows in got.tables.items():
        ex.tables[table] = [{"workbook": sha, **r} for r in rows]
    _workbook_row(ex, got.workbook.get("title"), got.workbook.get("year"), with_names=with_names,
                  **{k: v for k, v in got.workbook.items() if k not in ("title", "year")})
    _problem_rows(ex, None if with_names else personal_names(sheets, ex))
    return ex


def failed(sha: str, message: str) -> Extract:
    """The tables of a workbook that could not be processed at all (listed as 无法读取)."""
    ex = Extract(sha, None, UNREADABLE)
    ex.problems.append(Problem("", None, "", "", message))
    ex.summary.append(message)
    _workbook_row(ex, None, None, message=message)
    _problem_rows(ex)
    return ex


def _counts(problems: list[Problem]) -> dict[str, int]:
    return {"errors": sum(p.level == ERROR for p in problems),
            "refusals": sum(p.level == REFUSED for p in problems),
            "notices": sum(p.level == NOTICE for p in problems)}


def _workbook_row(ex: Extract, title: str | None, year: int | None, *, with_names: bool = False,
                  message: str = "", **more) -> None:
    ex.tables["workbook"].append({"workbook": ex.sha256, "schema_version": SCHEMA_VERSION, "scheme": ex.scheme,
                                  "title": title, "year": year, "status": ex.status, "with_names": with_names,
                                  "message": message, **_counts(ex.problems), **more})


MASK = "＊＊"
# Columns of the input sheets that hold people's names (none may leave without
# --with-names, not even quoted in a problem).
NAME_COLUMNS = {"农户名册": ("户主",), "评议小组": ("成员",), "账户": ("名称",),
                "申报": ("初审人", "审核人", "录入人"), "兑换记录": ("经办人",)}


def personal_names(sheets: dict, ex: Extract | None = None) -> set[str]:
    """Every name typed in a name column of the workbook (split at 、 , etc.), for masking."""
    from ..core import normalize as nz

    names: set[str] = set()
    for sheet, cols in NAME_COLUMNS.items():
        raw = sheets.get(sheet)
        if raw is None:
            continue
        idx = [raw.header.index(c) for c in cols if c in raw.header]
        for row in raw.rows:
            for i in idx:
                v = row[i] if i < len(row) else None
                if v is None or v == "":
                    continue
                text = nz.clean_text(v)[0]
                names.add(text)
                names.update(nz.split_multi(text))
    return {n for n in names if n}


def mask_names(text: str, names: set[str]) -> str:
    """``text`` with every name in ``names`` replaced by ＊＊ (longest first)."""
    if not text or not names:
        return text
    for n in sorted((n for n in names if n in text), key=len, reverse=True):
        text = text.replace(n, MASK)
    return text


def _problem_rows(ex: Extract, names: set[str] | None = None) -> None:
    """The ``problems`` table. Without names (``names`` given), every cell value is masked —
    a problem may quote any cell, a 户主 included — and names are masked in the message;
    sheet, row and column stay so the village can still find the cell."""
    def value(p):
        v = p.as_row()[3]
        return v if names is None or v == "" else MASK

    ex.tables["problems"] = [{"workbook": ex.sha256, "sheet": p.sheet, "row": p.row, "column": p.column,
                              "value": value(p),
                              "message": p.message if names is None else mask_names(p.message, names),
                              "level": p.level}
                             for p in ex.problems]


# ---- writing ---------------------------------------------------------------------------------

def write_tables(tables: dict[str, pa.Table], folder: Path) -> list[Path]:
    """Write ``<table>.parquet`` files into ``folder`` atomically: into a sibling temp folder
    first, then each file moved into place."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".~jifen-parquet-", dir=folder))
    try:
        out = []
        for name, table in tables.items():
            pq.write_table(table, tmp / f"{name}.parquet")
        for name in tables:
            os.replace(tmp / f"{name}.parquet", folder / f"{name}.parquet")
            out.append(folder / f"{name}.parquet")
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def export_workbook(path: Path, folder: Path, *, with_names: bool = False, year: int | None = None) -> Extract:
    """`jifen export FILE --parquet DIR`: extract one workbook and write its tables."""
    ex = extract(path, with_names=with_names, year=year)
    write_tables(ex.arrow(), folder)
    return ex


def export_to_cache(path: str, sha: str, cache: str, with_names: bool, year: int | None) -> tuple[str, str, list[str]]:
    """`jifen rollup`'s worker: extract one workbook and move its Parquet set into
    ``cache/<sha>`` atomically (a complete folder appears by one rename, so a killed run leaves
    no half set). It lives here, with what it writes: the cache's code key is this module and
    everything it imports (fingerprint.py)."""
    try:
        got = extract(Path(path), with_names=with_names, year=year, sha256=sha)
    except Exception as exc:      # one file never stops the roll-up
        got = failed(sha, f"无法处理这个工作簿（{type(exc).__name__}: {exc}），已跳过；请把它发给维护人员")
    cache_p = Path(cache)
    cache_p.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{sha[:12]}-", dir=cache_p))
    try:
        for name, table in got.arrow().items():
            pq.write_table(table, tmp / f"{name}.parquet")
        final = cache_p / sha
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return sha, got.status, got.summary
