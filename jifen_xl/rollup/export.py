"""One workbook → Parquet tables with a documented, versioned schema (issue #10; docs/rollup.md).

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

Names (户主, 账户名称) are written only with ``with_names`` (privacy by default, issue #10 §4).
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
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..app import ACTIONS, detect_scheme, load_actions
from ..core.problems import ERROR, NOTICE, REFUSED, InputError, Problem

SCHEMA_VERSION = 1
META = {b"jifen.schema_version": str(SCHEMA_VERSION).encode(), b"jifen.points": b"decimal(18,2), exact"}

VILLAGE, LEDGER = "village", "ledger"
KIND = {VILLAGE: "乡村积分", LEDGER: "积分台账", "school": "班级积分"}
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
    with open(path, "rb") as fp:
        for chunk in iter(lambda: fp.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def dec(v) -> Decimal | None:
    """A cell value (int / exact Decimal from ``from_cents``) as a two-place Decimal."""
    if v is None or v == "":
        return None
    return Decimal(v).quantize(Decimal("0.01"))


def cents_dec(c: int) -> Decimal:
    return Decimal(int(c)).scaleb(-2)


# ---- reading ---------------------------------------------------------------------------------

def extract(path: Path, *, with_names: bool = False, year: int | None = None,
            sha256: str | None = None) -> Extract:
    """Read, validate and compute one workbook; never raises for a bad workbook (the
    problem is in ``problems`` and the status says 无法读取)."""
    from ..book.reader import WorkbookReader

    path = Path(path)
    sha = sha256 or file_sha256(path)
    load_actions()
    try:
        with WorkbookReader(path) as reader:
            scheme = detect_scheme(reader.sheet_names)
            if scheme not in (VILLAGE, LEDGER):
                ex = Extract(sha, scheme, SKIPPED)
                what = KIND.get(scheme or "", "")
                ex.summary.append(f"“{path.name}”是{what}工作簿，不参与汇总。" if what else
                                  f"“{path.name}”不是乡村积分或积分台账工作簿，不参与汇总。")
                _workbook_row(ex, None, None, message=ex.summary[-1])
                return ex
            action = ACTIONS[("year", VILLAGE)] if scheme == VILLAGE else ACTIONS[("ledger", LEDGER)]
            sheets = {n: reader.sheet(n, e) for n, e in action.sheets_to_read().items()}
    except InputError as exc:
        ex = Extract(sha, None, UNREADABLE)
        ex.problems.append(Problem("", None, "", "", exc.message))
        ex.summary.append(exc.message)
        _workbook_row(ex, None, None, message=exc.message)
        _problem_rows(ex)
        return ex
    ex = Extract(sha, scheme, OK)
    (_village if scheme == VILLAGE else _ledger)(ex, sheets, with_names, year)
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
# Columns of the input sheets that hold people's names (issue #14: none may leave without
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
    sheet, row and column stay so the village can still find the cell (issue #14)."""
    def value(p):
        v = p.as_row()[3]
        return v if names is None or v == "" else MASK

    ex.tables["problems"] = [{"workbook": ex.sha256, "sheet": p.sheet, "row": p.row, "column": p.column,
                              "value": value(p),
                              "message": p.message if names is None else mask_names(p.message, names),
                              "level": p.level}
                             for p in ex.problems]


# ---- village (V-1…V-10) --------------------------------------------------------------------------

def _village(ex: Extract, sheets, with_names: bool, year: int | None) -> None:
    from ..schemes.village import model as vg

    data = vg.load(sheets)
    period = vg.resolve_year(data, year)
    ex.problems = list(data.problems)
    if period is None:
        ex.problems.append(Problem(vg.RECORDS, None, "日期", "",
                                   "评议记录中没有日期，设置中也没有“年度”，无法确定年度；请用参数指定"))
    name = data.settings.get("村名") or ""
    sha = ex.sha256
    limit, minimum = int(data.settings["每组户数上限"]), int(data.settings["评议小组最少人数"])
    sizes: dict[str, int] = {}
    for h in data.participants:
        sizes[h.group] = sizes.get(h.group, 0) + 1
    ex.tables["villages"].append({
        "workbook": sha, "village": name, "households": len(data.households),
        "participating": len(data.participants), "groups": len(sizes),
        "groups_over_limit": sum(n > limit for n in sizes.values()), "group_limit": limit,
        "panels": len(data.panels), "panels_under_min": sum(len(p.members) < minimum for p in data.panels.values()),
        "panel_min": minimum})
    ex.tables["subjects"] = [{"workbook": sha, "village": name, "subject_id": h.hid, "subject_type": "农户",
                              "group": h.group, "people": h.people, "participating": h.participating,
                              "name": h.head if with_names else None, "source_row": h.row}
                             for h in data.households]
    if any(p.level == ERROR for p in ex.problems):
        ex.status = BROKEN
        n = sum(p.level == ERROR for p in ex.problems)
        ex.summary.append(f"{name or '本村'}：发现 {n} 个错误，只导出名册和校验结果。")
        _workbook_row(ex, name, period.start.year if period else data.year, with_names=with_names)
        return
    # the same computation as `jifen year` (village_actions.year → vg.year_outputs)
    # C-8: final only when the village recorded its report (公示记录 上报日期) after the notice
    final = vg.finality(data, period).final
    table = vg.year_outputs(data, period, final)[0]
    begin, end = vg.notice_dates(data, period)
    blocked = vg.objections(data, period.start, period.end)
    cats = list(vg.CATEGORIES)
    results, scores = [], []
    for row in table.rows:
        hid, head, group = row[0], row[1], row[2]
        total = dec(row[3 + len(cats)])
        results.append({"workbook": sha, "village": name, "subject_id": hid, "subject_type": "农户",
                        "group": group, "total": total, "year_total": total, "rank": row[4 + len(cats)],
                        "year_rank": row[4 + len(cats)], "star": row[5 + len(cats)] or None,
                        "objections": blocked.get(hid, 0), "name": head if with_names else None})
        scores += [{"workbook": sha, "village": name, "subject_id": hid, "category": c, "score": dec(row[3 + i])}
                   for i, c in enumerate(cats)]
    ex.tables["results"], ex.tables["category_scores"] = results, scores
    e = data.entries
    counts = vg.COUNTS_IN_FINAL if final else vg.COUNTS_IN_NOTICE
    in_year = (e["date"] >= period.start) & (e["date"] <= period.end)
    counted = (~e["cancelled"] & e["status"].isin(counts) & in_year).tolist()
    ex.tables["entries"] = [
        {"workbook": sha, "village": name, "subject_id": sid, "date": d, "code": code, "category": cat,
         "points": cents_dec(pts), "status": st, "cancelled": bool(canc), "counted": cnt, "source": src,
         "sheet": sheet, "source_row": int(row) if row is not None else None}
        for sid, d, code, cat, pts, st, canc, cnt, src, sheet, row in zip(
            e["sid"], e["date"], e["code"], e["category"], e["points"], e["status"], e["cancelled"],
            counted, e["source"], e["sheet"], e["row"])]
    version = vg.FINAL_NOTICE if final else vg.PRE_NOTICE
    _workbook_row(ex, name, period.start.year, with_names=with_names, as_of=vg.as_of(data, period), final=final,
                  notice_start=begin, notice_end=end)
    stars = sum(1 for r in results if r["star"])
    ex.summary.append(f"{name or '本村'} {period.label}年度（{version}）：{len(results)} 户参与评议，"
                      f"星级户 {stars} 户，{len(ex.tables['entries'])} 条记录。")


# ---- ledger (L-1…L-9) --------------------------------------------------------------------------

def _ledger(ex: Extract, sheets, with_names: bool, year: int | None) -> None:
    from ..schemes.ledger import model as lg

    data = lg.load(sheets)
    if year:
        data.settings["年度"] = year
    ex.problems = list(data.problems)
    town = data.town
    sha = ex.sha256
    ex.tables["subjects"] = [{"workbook": sha, "village": data.current_village(a.aid), "subject_id": a.aid,
                              "subject_type": a.kind, "group": None, "people": a.people,
                              "participating": not a.closed, "name": a.name if with_names else None,
                              "source_row": a.row} for a in data.accounts.values()]
    if any(p.level == ERROR for p in ex.problems):
        ex.status = BROKEN
        for v in data.villages.values():
            ex.tables["villages"].append({"workbook": sha, "village": v.name, "population": v.population})
        n = sum(p.level == ERROR for p in ex.problems)
        ex.summary.append(f"{town or '积分台账'}：发现 {n} 个错误，只导出账户和校验结果。")
        _workbook_row(ex, town, data.year, with_names=with_names)
        return
    # the same computation as `jifen ledger` (ledger_actions.ledger)
    ranking, indicators = lg.ranking_output(data), lg.indicator_output(data)
    cats = list(lg.CATEGORIES)
    results, scores = [], []
    for row in ranking.rows:
        kind, rank, aid, nm, village = row[:5]
        results.append({"workbook": sha, "village": village, "subject_id": aid, "subject_type": kind,
                        "total": dec(row[5]), "available": dec(row[6]), "year_total": dec(row[7 + len(cats)]),
                        "rank": rank, "year_rank": row[8 + len(cats)], "objections": 0,
                        "name": nm if with_names else None})
        scores += [{"workbook": sha, "village": village, "subject_id": aid, "category": c, "score": dec(row[7 + i])}
                   for i, c in enumerate(cats)]
    ex.tables["results"], ex.tables["category_scores"] = results, scores
    for r in indicators.rows:
        ex.tables["villages"].append({
            "workbook": sha, "village": r[0], "population": r[1], "redeemers": r[2],
            "redeemed_share": r[3], "meets_target": r[4] == "是", "categories_covered": r[5],
            "active_accounts": r[6], "reward_spend": dec(r[7]), "reward_budget": dec(r[8])})
    e = data.entries
    ex.tables["entries"] = [
        {"workbook": sha, "village": data.village_on(sid, d), "subject_id": sid, "date": d, "code": code,
         "category": cat, "points": cents_dec(pts), "status": st, "cancelled": bool(canc),
         "counted": not canc, "source": src, "sheet": sheet, "source_row": int(row) if row is not None else None}
        for sid, d, code, cat, pts, st, canc, src, sheet, row in zip(
            e["sid"], e["date"], e["code"], e["category"], e["points"], e["status"], e["cancelled"],
            e["source"], e["sheet"], e["row"])]
    _workbook_row(ex, town, data.year, with_names=with_names,
                  as_of=data.latest)
    ex.summary.append(f"{town or '积分台账'} {data.year}年：{len(data.villages)} 个村，{len(results)} 个账户参与排名，"
                      f"{len(ex.tables['entries'])} 条计分记录。")


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
