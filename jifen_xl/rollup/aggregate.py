"""`jifen rollup FOLDER -o 镇汇总.xlsx`: every village and ledger workbook of a town (or county)
in one report, aggregated with DuckDB over the Parquet layout of ``export.py``.

Steps:

1. **Scan** the folder recursively for .xlsx/.xlsm, skipping backup folders (`jifen备份`),
   hidden folders (our cache), Office/LibreOffice owner and temp files (`~$…`, `.~…`) and
   the report itself.
2. **Hash** each file (sha256 of its bytes). The cache ``<FOLDER>/.jifen-rollup/v<schema>/
   <variant>-<code>/<sha256>/`` holds one Parquet set per content hash; a workbook whose hash has
   a set is not read again (incremental). New ones are exported by two worker
   processes (``jobs``). A broken workbook yields its problems, never an exception (C-6).
3. **Aggregate** with DuckDB (embedded): per village the participating households, the
   category totals, star counts, open objections, notice version and dates, groups over the
   size limit and panels under the minimum (V-5); 示范村指标 per ledger village (L-9); a
   ranking of villages by average household total (C-4 competition ranking).
4. **Write** a fresh report workbook (`说明` + output sheets) through the package writer.

Privacy: the report holds counts and scores per village; household and
account names — and per-household rows at all — appear only with ``with_names``. The cache
holds names only in its ``names`` variant, which only ``--with-names`` creates.

Exactness: per-village totals are sums of the very rows `jifen year` writes (export.py), in
``decimal(18,2)``; averages are exact fractions, shown rounded half up to two places.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

from ..book.safety import MSG_NOT_REGULAR, NotRegularFile
from ..book.sheets import OutputSheet
from ..core.oserror import os_reason
from ..core.problems import CHECK_COLUMNS, CHECK_SHEET, ERROR, NOTICE, InputError
from ..core.ranking import RANK, competition_rank
from . import export as ex
from .fingerprint import code_fingerprint

CACHE_DIR = ".jifen-rollup"
DUPLICATE_NAME = "村名重复，未计入"
BACKUP_DIR = "jifen备份"
SUFFIXES = (".xlsx", ".xlsm")
VILLAGE_CATEGORIES = ("党的建设", "民生保障", "环境整治", "文明新风", "遵纪守法")   # V-2
LEDGER_CATEGORIES = ("思想政治", "平安稳定", "村建设", "奖励惩罚")                  # L-2
STARS = ("五星", "四星", "三星")

SUMMARY = "村庄汇总"
RANKING = "村庄排名"
INDICATORS = "示范村指标"
FILES = "工作簿清单"
STAR_LIST = "星级户名单"
PENDING_LIST = "待复核农户"

SUMMARY_COLS = ["村名", "年度", "状态", "总户数", "参与户数", *VILLAGE_CATEGORIES, "年度总分合计", "户均总分",
                *STARS, "星级户数", "有异议条数", "待复核户数", "公示版本", "公示开始", "公示结束", "可上报",
                "组数", "超过户数上限的组", "评议小组数", "人数不足的小组", "错误数", "工作簿"]
RANKING_COLS = [RANK, "村名", "参与户数", "户均总分", "年度总分合计", "星级户数", "星级户占比", "公示版本"]
INDICATOR_COLS = ["村名", "常住人口", "兑换人数", "兑换人数占比", "是否达标", "覆盖类别数", "参与账户数",
                  "奖励支出元", "奖励预算元", "镇名", "账户数", "累计积分合计", *LEDGER_CATEGORIES, "状态", "工作簿"]
FILE_COLS = ["工作簿", "类型", "名称", "年度", "状态", "错误", "拒绝", "提示", "本次", "内容摘要"]
CHECK_COLS = [*CHECK_COLUMNS, "工作簿"]
STAR_LIST_COLS = ["村名", "户号", "户主", "组", "年度总分", RANK, "星级"]
PENDING_COLS = ["村名", "户号", "户主", "组", "有异议条数"]


# ---- scanning and the cache ------------------------------------------------------------------

def scan(folder: Path, exclude: tuple[Path, ...] = ()) -> list[Path]:
    """Workbooks under ``folder`` in a stable order (relative path), skipping backups, hidden
    folders, owner/temp files and ``exclude``."""
    folder = Path(folder)
    skip = {_resolved(p) for p in exclude}
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != BACKUP_DIR and not d.startswith("."))
        for name in files:
            if not name.lower().endswith(SUFFIXES) or name.startswith(("~$", ".~", ".")):
                continue
            p = Path(root) / name
            if _resolved(p) in skip:
                continue
            found.append(p)
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def _resolved(p: Path) -> Path:
    """``p.resolve()``, or ``p`` itself for a symlink loop (listed later as unreadable)."""
    try:
        return p.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(p))


def variant(with_names: bool, year: int | None) -> str:
    """Cache variant: what the export depends on besides the file's bytes."""
    return ("names" if with_names else "plain") + (f"-{year}" if year else "")


def cache_dir(folder: Path, with_names: bool, year: int | None) -> Path:
    return Path(folder) / CACHE_DIR / f"v{ex.SCHEMA_VERSION}" / f"{variant(with_names, year)}-{code_fingerprint()}"


def _complete(entry: Path) -> bool:
    return all((entry / f"{t}.parquet").is_file() for t in ex.TABLES)


#: Seconds one workbook may take to export (read, check, compute, write its Parquet set).
#: One on a stalled network share, or any file a reader hangs on, is listed as skipped with
#: the reason and the roll-up goes on; the slowest real village workbook takes a few seconds.
SECONDS_PER_FILE = 180


class ExportTimeout(Exception):
    """A workbook that did not export within ``SECONDS_PER_FILE``."""


def export_all(args: list[tuple], jobs: int) -> list[Exception | None]:
    """``export_to_cache(*a)`` for each of ``args`` in worker processes, each within
    ``SECONDS_PER_FILE``: the error of each (``None`` when done), in order.

    A file over its time is given up: the workers are stopped (a stuck one cannot be
    interrupted otherwise) and the files not finished yet go to fresh workers, so every
    other file still gets its full time. A finished export is one rename (ex.export_to_cache),
    so a stopped worker leaves no half set."""
    import multiprocessing

    results: dict[int, Exception | None] = {}
    remaining = list(enumerate(args))
    while remaining:
        pool = multiprocessing.Pool(processes=max(1, min(jobs, len(remaining))))
        stuck = False
        try:
            handles = [(i, pool.apply_async(ex.export_to_cache, a)) for i, a in remaining]
            for i, h in handles:
                try:
                    h.get(timeout=SECONDS_PER_FILE if not stuck else 0)
                    results[i] = None
                except multiprocessing.TimeoutError:
                    if not stuck:
                        results[i] = ExportTimeout(f"读取超过 {SECONDS_PER_FILE} 秒仍未完成（文件可能在不可用的网络盘上，"
                                                   f"或正被其他程序占用），已跳过")
                        stuck = True
                except Exception as exc:    # e.g. the cache folder cannot be written
                    results[i] = exc
        finally:
            if stuck:
                pool.terminate()
            else:
                pool.close()
            pool.join()
        remaining = [(i, a) for i, a in remaining if i not in results]
    return [results[i] for i in range(len(args))]


@dataclass
class Book:
    path: Path
    rel: str
    sha: str
    exported: bool = False       # re-exported in this run (else: from the cache)
    duplicate_of: str = ""       # same bytes as an earlier file: counted once


@dataclass
class Failure:
    """A file found but not counted, with why (listed, never fatal)."""
    rel: str
    reason: str
    title: str = ""


@dataclass
class RollupResult:
    out: Path
    books: list[Book]
    sheets: list[OutputSheet]
    failures: list[Failure] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    pdf: Path | None = None


# ---- the roll-up -------------------------------------------------------------------------------

def rollup(folder: Path, out: Path | None = None, *, with_names: bool = False, year: int | None = None,
           jobs: int = 2, town: str | None = None, full: bool = False, write: bool = True) -> RollupResult:
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"找不到文件夹“{folder}”。")
    out = Path(out) if out is not None else folder / "镇汇总.xlsx"
    if out.suffix.lower() != ".xlsx":
        raise InputError(f"汇总表只能保存为 .xlsx 文件（收到“{out.name}”）。")
    t0 = time.perf_counter()
    paths = scan(folder, exclude=(out,))
    if not paths:
        raise InputError(f"文件夹“{folder}”中没有找到 Excel 工作簿（.xlsx / .xlsm）。")
    cache = cache_dir(folder, with_names, year)
    books: list[Book] = []
    failures: list[Failure] = []
    first: dict[str, str] = {}
    for p in paths:
        rel = p.relative_to(folder).as_posix()
        try:
            sha = ex.file_sha256(p)
        except OSError as exc:
            failures.append(Failure(rel, file_problem(exc)))
            continue
        b = Book(p, rel, sha)
        if b.sha in first:
            b.duplicate_of = first[b.sha]
        else:
            first[b.sha] = b.rel
        books.append(b)
    t_hash = time.perf_counter()
    todo = [b for b in books if not b.duplicate_of and (full or not _complete(cache / b.sha))]
    args = [(str(b.path), b.sha, str(cache), with_names, year) for b in todo]
    errors = export_all(args, jobs)
    for b, err in zip(todo, errors):
        b.exported = True
        if isinstance(err, ExportTimeout):
            failures.append(Failure(b.rel, str(err)))
        elif err is not None:
            failures.append(Failure(b.rel, f"无法导出（{type(err).__name__}: {err}），已跳过"))
    bad = {f.rel for f in failures}
    books = [b for b in books if b.rel not in bad and (b.duplicate_of not in bad)]
    _prune(cache, {b.sha for b in books})
    t_export = time.perf_counter()
    unique = [b for b in books if not b.duplicate_of]
    if not unique:
        raise InputError("文件夹中没有能读取的工作簿：\n" + "\n".join(f"  {f.rel}：{f.reason}" for f in failures))
    sheets, summary = aggregate(cache, books, unique, with_names=with_names, town=town, year=year,
                                failures=failures)
    t_agg = time.perf_counter()
    result = RollupResult(out, books, sheets, failures, summary)
    if write:
        write_report(out, sheets, summary_title(sheets))
    t_write = time.perf_counter()
    result.timings = {"scan_hash": t_hash - t0, "export": t_export - t_hash, "aggregate": t_agg - t_export,
                      "write": t_write - t_agg, "total": t_write - t0}
    return result


def file_problem(exc: OSError) -> str:
    """Why a file found in the folder cannot be read, in Chinese."""
    import errno

    if exc.errno == errno.ELOOP:
        return "快捷方式（符号链接）指向自身，形成循环，无法读取"
    if exc.errno == errno.ENOENT:
        return "快捷方式（符号链接）指向的文件不存在，无法读取"
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return "没有读取权限，或文件正被其他程序锁定，无法读取"
    if exc.errno == errno.ENAMETOOLONG:
        return "文件名或路径太长，无法读取"
    if isinstance(exc, NotRegularFile):
        return MSG_NOT_REGULAR + "，已跳过"
    return f"无法读取（{os_reason(exc)}）"


def _prune(cache: Path, keep: set[str]) -> None:
    """Drop cached sets of files that are gone or changed, temp folders of killed runs, and
    the same variant's sets made by another version of the code."""
    if not cache.is_dir():
        return
    base = cache.name.rsplit("-", 1)[0]
    for other in cache.parent.iterdir():
        if other != cache and other.is_dir() and other.name.rsplit("-", 1)[0] == base:
            shutil.rmtree(other, ignore_errors=True)
    for entry in cache.iterdir():
        if entry.is_dir() and entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)


# ---- DuckDB ----------------------------------------------------------------------------------

USED_TABLES = ("workbook", "results", "category_scores", "villages", "problems")


def _connect(cache: Path, unique: list[Book]):
    import duckdb
    import pyarrow as pa

    con = duckdb.connect()
    con.execute("SET threads = 2")
    for t in USED_TABLES:   # loaded once into DuckDB tables: every query below reads them again
        files = [str(cache / b.sha / f"{t}.parquet") for b in unique]
        con.read_parquet(files, file_row_number=True).create(t)
    files = pa.table({"workbook": [b.sha for b in unique], "path": [b.rel for b in unique],
                      "stem": [b.path.stem for b in unique], "pos": list(range(len(unique)))})
    con.register("files", files)
    return con


def _rows(con, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


VILLAGE_SQL = """
WITH r AS (
    SELECT workbook, count(*) AS scored, sum(total) AS total_sum,
           count(*) FILTER (WHERE star = '五星') AS s5, count(*) FILTER (WHERE star = '四星') AS s4,
           count(*) FILTER (WHERE star = '三星') AS s3, sum(objections) AS objections,
           count(*) FILTER (WHERE objections > 0) AS blocked
    FROM results GROUP BY workbook
)
SELECT w.workbook, f.path, f.stem, f.pos, coalesce(nullif(w.title, ''), f.stem) AS village, w.year, w.status,
       w.final, w.notice_start, w.notice_end, w.errors, v.households, v.participating, v.groups,
       v.groups_over_limit, v.panels, v.panels_under_min, r.scored, r.total_sum, r.s5, r.s4, r.s3,
       r.objections, r.blocked
FROM wb w JOIN files f USING (workbook) LEFT JOIN villages v USING (workbook) LEFT JOIN r USING (workbook)
WHERE w.scheme = 'village'
ORDER BY village, f.path
"""

CATEGORY_SQL = """
SELECT c.workbook, c.village, c.category, sum(c.score) AS score
FROM category_scores c JOIN wb w USING (workbook) WHERE w.scheme = ?
GROUP BY ALL
"""

LEDGER_SQL = """
WITH a AS (SELECT workbook, village, count(*) AS accounts, sum(total) AS total_sum FROM results GROUP BY ALL)
SELECT w.workbook, f.path, w.title AS town, w.status, v.*, a.accounts, a.total_sum
FROM wb w JOIN files f USING (workbook) JOIN villages v USING (workbook)
LEFT JOIN a USING (workbook, village)
WHERE w.scheme = 'ledger'
ORDER BY f.path, v.file_row_number
"""


@dataclass
class _Facts:
    """What the DuckDB queries return, read once before the connection closes."""
    wb_rows: dict[str, dict]
    villages: list[dict]
    vcats: dict[tuple, Decimal]
    ledgers: list[dict]
    lcats: dict[tuple, Decimal]
    problems: list[dict]
    names: list[OutputSheet] | None


def _query(cache: Path, unique: list[Book], with_names: bool) -> _Facts:
    con = _connect(cache, unique)
    con.execute("CREATE VIEW wb AS SELECT * FROM workbook")
    wb_rows = {r["workbook"]: r for r in _rows(con, "SELECT * FROM workbook")}
    villages = _rows(con, VILLAGE_SQL)
    vcats = {(r["workbook"], r["category"]): r["score"] for r in _rows(con, CATEGORY_SQL, ["village"])}
    ledgers = _rows(con, LEDGER_SQL)
    lcats = {(r["workbook"], r["village"], r["category"]): r["score"] for r in _rows(con, CATEGORY_SQL, ["ledger"])}
    problems = _rows(con, """
        SELECT f.path, p.sheet, p.row, p."column", p.value, p.message, p.level
        FROM problems p JOIN files f USING (workbook) WHERE p.level = ?
        ORDER BY f.pos, p.file_row_number""", [ERROR])
    names = _names(con) if with_names else None
    con.close()
    return _Facts(wb_rows, villages, vcats, ledgers, lcats, problems, names)


def _drop_duplicate_names(facts: _Facts, failures: list[Failure]) -> None:
    """Duplicate 村名 (different files): neither is counted — we cannot tell which
    one the village meant, and counting both would count the village twice."""
    by_name: dict[str, list[dict]] = {}
    for v in facts.villages:
        if v["status"] == ex.OK:
            by_name.setdefault(v["village"], []).append(v)
    dup_shas = set()
    for name, vs in by_name.items():
        if len(vs) > 1:
            paths = "、".join(f"“{v['path']}”" for v in vs)
            for v in vs:
                dup_shas.add(v["workbook"])
                failures.append(Failure(v["path"], f"村名“{name}”与其他工作簿重复（{paths}），"
                                                   "这几个工作簿都未计入汇总；请只保留本村的一个工作簿", name))
    facts.villages = [v for v in facts.villages if v["workbook"] not in dup_shas]
    for sha in dup_shas:
        facts.wb_rows[sha] = dict(facts.wb_rows[sha], status=DUPLICATE_NAME)


def _village_rows(facts: _Facts, report_year: int | None) -> tuple[list[list], list[tuple], list[list]]:
    """`村庄汇总` rows, the villages that take part in the ranking (average first), and the
    notices about a missing 村名 or another year."""
    extra_checks: list[list] = []
    summary_rows, ranked = [], []
    for v in facts.villages:
        ok = v["status"] == ex.OK
        if not (facts.wb_rows[v["workbook"]]["title"] or ""):
            extra_checks.append(["设置", None, "村名", "", f"设置中没有村名，按文件名“{v['stem']}”汇总", NOTICE, v["path"]])
        if ok and report_year and v["year"] != report_year:
            extra_checks.append(["设置", None, "年度", v["year"],
                                 f"本村年度为 {v['year']}，与汇总年度 {report_year} 不同", NOTICE, v["path"]])
        stars = [v["s5"], v["s4"], v["s3"]] if ok else [None] * 3
        starred = sum(stars) if ok else None
        avg = Fraction(int(v["total_sum"] * 100), 100 * v["scored"]) if ok and v["scored"] else None
        version = (("正式" if v["final"] else "预公示") if ok else "")
        ready = ("是" if v["final"] and not v["objections"] else "否") if ok else "否"
        summary_rows.append([
            v["village"], v["year"], v["status"], v["households"], v["participating"],
            *(_num(facts.vcats.get((v["workbook"], c))) if ok else None for c in VILLAGE_CATEGORIES),
            _num(v["total_sum"]) if ok else None, _avg(avg), *stars, starred,
            v["objections"] if ok else None, v["blocked"] if ok else None, version,
            v["notice_start"], v["notice_end"], ready, v["groups"], v["groups_over_limit"], v["panels"],
            v["panels_under_min"], v["errors"], v["path"]])
        if ok and v["scored"]:
            ranked.append((avg, v, starred, version))
    return summary_rows, ranked, extra_checks


def _ranking_rows(ranked: list[tuple]) -> list[list]:
    """`村庄排名`: by average household total, ties share a rank (C-4)."""
    ranks = competition_rank([a for a, *_ in ranked])
    return sorted(([r, v["village"], v["scored"], _avg(a), _num(v["total_sum"]), s,
                    _share(s, v["scored"]), ver] for r, (a, v, s, ver) in zip(ranks, ranked)),
                  key=lambda row: row[0])


def _indicator_rows(facts: _Facts) -> list[list]:
    """`示范村指标`: one row per ledger village (L-9)."""
    rows = []
    for l in facts.ledgers:
        ok = l["status"] == ex.OK
        rows.append([
            l["village"], l["population"], l["redeemers"], l["redeemed_share"],
            ("是" if l["meets_target"] else "否") if ok else None, l["categories_covered"], l["active_accounts"],
            _num(l["reward_spend"]), _num(l["reward_budget"]), l["town"], l["accounts"] or (0 if ok else None),
            _num(l["total_sum"]) if ok else None,
            *((_num(facts.lcats.get((l["workbook"], l["village"], c), Decimal(0))) if ok else None)
              for c in LEDGER_CATEGORIES),
            l["status"], l["path"]])
    return rows


def _file_rows(books: list[Book], wb_rows: dict[str, dict]) -> list[list]:
    """`工作簿清单`: every workbook found, with what it is and whether it was exported again."""
    rows = []
    for b in books:
        w = wb_rows[b.sha]
        status = w["status"] if not b.duplicate_of else f"与“{b.duplicate_of}”内容相同，只计一次"
        rows.append([b.rel, ex.KIND.get(w["scheme"] or "", "—"), w["title"] or "", w["year"], status,
                     w["errors"], w["refusals"], w["notices"],
                     "重新导出" if b.exported else ("—" if b.duplicate_of else "沿用上次结果"), b.sha[:12]])
    return rows


def _check_rows(facts: _Facts, extra_checks: list[list], failures: list[Failure], books: list[Book],
                file_rows: list[list]) -> list[list]:
    """`校验`: every workbook's errors, the notices, and each file not counted; a
    failed file not otherwise listed gets its `工作簿清单` row here."""
    checks = [[p["sheet"], p["row"], p["column"], p["value"], p["message"], p["level"], p["path"]]
              for p in facts.problems]
    checks += extra_checks
    listed = {b.rel for b in books}
    for f in failures:
        checks.append(["设置" if f.title else "", None, "村名" if f.title else "", f.title, f.reason, ERROR, f.rel])
        if f.rel not in listed:
            file_rows.append([f.rel, "—", "", None, ex.UNREADABLE, 1, 0, 0, "—", ""])
    return checks


def _report_sheets(head: str, stamp: str, checks: list[list], summary_rows: list[list], ranking_rows: list[list],
                   indicator_rows: list[list], file_rows: list[list]) -> list[OutputSheet]:
    return [
        OutputSheet(CHECK_SHEET, CHECK_COLS, checks, title=f"{head}汇总：各工作簿的错误", landscape=True,
                    widths=[12, 6, 12, 18, 60, 6, 30]),
        OutputSheet(SUMMARY, SUMMARY_COLS, summary_rows, landscape=True,
                    title=f"{head}各村农户积分汇总（{len(summary_rows)} 个村{stamp}）"),
        OutputSheet(RANKING, RANKING_COLS, ranking_rows, number_formats={"星级户占比": "0.0%"},
                    title=f"{head}各村排名（按户均年度总分，并列同名次{stamp}）"),
        OutputSheet(INDICATORS, INDICATOR_COLS, indicator_rows, landscape=True,
                    number_formats={"兑换人数占比": "0.0%"},
                    title=f"{head}示范村指标（兑换人数占比目标 30%{stamp}）"),
        OutputSheet(FILES, FILE_COLS, file_rows, landscape=True, title=f"{head}汇总的工作簿"),
    ]


def _summary_lines(books: list[Book], file_rows: list[list], checks: list[list], failures: list[Failure],
                   counted: int, ranked: int, indicators: int) -> list[str]:
    """What `jifen rollup` prints: counts, the files not counted and each broken workbook's
    first errors."""
    broken = [r for r in file_rows if r[4] in (ex.BROKEN, ex.UNREADABLE)]
    dups = sum(1 for b in books if b.duplicate_of)
    kinds = Counter(r[1] for b, r in zip(books, file_rows) if not b.duplicate_of)
    nv, nl = kinds.get("乡村积分", 0), kinds.get("积分台账", 0)
    lines = [f"共找到 {len(books)} 个工作簿：乡村积分 {nv} 个，积分台账 {nl} 个，其他 {len(books) - dups - nv - nl} 个"
             + (f"，重复 {dups} 个（内容相同，只计一次）" if dups else "")
             + f"；本次重新导出 {sum(b.exported for b in books)} 个，其余沿用上次结果。",
             f"汇总 {counted} 个村（排名 {ranked} 个），示范村指标 {indicators} 行。"]
    if failures:
        lines.append(f"有 {len(failures)} 个文件未计入汇总（见“校验”和“工作簿清单”工作表）：")
        lines += [f"  {f.rel}：{f.reason}" for f in failures]
    broken = [r for r in broken if r[0] not in {f.rel for f in failures}]
    if broken:
        lines.append(f"有 {len(broken)} 个工作簿有错误或无法读取，未计入汇总（错误见“校验”工作表）：")
        by_path: dict[str, list] = {}
        for c in checks:
            by_path.setdefault(c[6], []).append(c)
        for r in broken:
            lines.append(f"  {r[0]}：{r[5]} 个错误")
            for c in by_path.get(r[0], [])[:3]:
                where = c[0] + (f" 第{c[1]}行" if c[1] else "") + (f" 【{c[2]}】" if c[2] else "")
                lines.append(f"    {where}：{c[4]}")
    return lines


def aggregate(cache: Path, books: list[Book], unique: list[Book], *, with_names: bool, town: str | None,
              year: int | None, failures: list[Failure] | None = None) -> tuple[list[OutputSheet], list[str]]:
    """The report's sheets and the printed summary from the cached Parquet sets of ``unique``."""
    failures = failures if failures is not None else []
    facts = _query(cache, unique, with_names)
    _drop_duplicate_names(facts, failures)
    wb_rows = facts.wb_rows
    report_year = year or _common_year([v["year"] for v in facts.villages]
                                       + [wb_rows[l["workbook"]]["year"] for l in facts.ledgers])
    towns = sorted({l["town"] for l in facts.ledgers if l["town"]})
    town = town if town is not None else (towns[0] if len(towns) == 1 else "")
    summary_rows, ranked, extra_checks = _village_rows(facts, report_year)
    ranking_rows = _ranking_rows(ranked)
    indicator_rows = _indicator_rows(facts)
    file_rows = _file_rows(books, wb_rows)
    checks = _check_rows(facts, extra_checks, failures, books, file_rows)
    as_of = max((w["as_of"] for w in wb_rows.values() if w["as_of"] and w["status"] == ex.OK), default=None)
    head = f"{town}{report_year or ''}{'年' if report_year else ''}"
    stamp = f"，数据截至 {as_of.isoformat()}" if as_of else ""
    sheets = _report_sheets(head, stamp, checks, summary_rows, ranking_rows, indicator_rows, file_rows)
    if facts.names is not None:
        sheets += facts.names
    counted = sum(1 for r in summary_rows if r[2] == ex.OK)
    lines = _summary_lines(books, file_rows, checks, failures, counted, len(ranking_rows), len(indicator_rows))
    return sheets, lines


def _names(con) -> list[OutputSheet]:
    """``--with-names``: starred households and households with open objections, by village."""
    stars = _rows(con, """
        SELECT coalesce(nullif(r.village, ''), f.stem) AS village, r.subject_id, r.name, r."group", r.total,
               r.rank, r.star
        FROM results r JOIN wb w USING (workbook) JOIN files f USING (workbook)
        WHERE w.scheme = 'village' AND r.star IS NOT NULL
        ORDER BY village, f.pos, r.rank, r.file_row_number""")
    pending = _rows(con, """
        SELECT coalesce(nullif(r.village, ''), f.stem) AS village, r.subject_id, r.name, r."group", r.objections
        FROM results r JOIN wb w USING (workbook) JOIN files f USING (workbook)
        WHERE w.scheme = 'village' AND r.objections > 0
        ORDER BY village, f.pos, r.file_row_number""")
    return [
        OutputSheet(STAR_LIST, STAR_LIST_COLS, [[s["village"], s["subject_id"], s["name"], s["group"], _num(s["total"]),
                                                 s["rank"], s["star"]] for s in stars],
                    title="星级文明户名单（含姓名，仅供镇领导小组办公室使用）"),
        OutputSheet(PENDING_LIST, PENDING_COLS, [[p["village"], p["subject_id"], p["name"], p["group"], p["objections"]]
                                                 for p in pending],
                    title="有未处理异议的农户（含姓名，仅供镇领导小组办公室使用）"),
    ]


def _common_year(years: list) -> int | None:
    counts = Counter(y for y in years if y)
    if not counts:
        return None
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]


def _num(v):
    """An exact Decimal from DuckDB as the cell value (int when whole)."""
    if v is None:
        return None
    d = Decimal(v)
    return int(d) if d == d.to_integral_value() else d.normalize()


def _avg(f: Fraction | None):
    if f is None:
        return None
    return _num((Decimal(f.numerator) / Decimal(f.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _share(n: int, of: int) -> Decimal | None:
    if not of:
        return None
    return (Decimal(n) / Decimal(of)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


# ---- the report workbook ---------------------------------------------------------------------

def summary_title(sheets: list[OutputSheet]) -> str:
    s = next(s for s in sheets if s.name == SUMMARY)
    return s.title


def write_report(out: Path, sheets: list[OutputSheet], title: str) -> Path:
    """A fresh workbook: `说明` written by XlsxWriter (deterministic), then the output sheets
    through the package writer (atomic, backup of a previous report in `jifen备份/`). The whole
    file is regenerated, so no sheet of an earlier run (e.g. names) survives a run without them."""
    from ..book.template_spec import TemplateSheet, write_template
    from ..book.ooxml import write_outputs

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = [
        title,
        "本表由 jifen rollup 根据文件夹中各村的“乡村积分”工作簿和“积分台账”工作簿自动汇总，"
        "请勿手工修改；重新运行命令会整体替换本表（旧表备份在 jifen备份 文件夹）。",
        "村庄汇总：每个村一行。各类别分数和年度总分合计是该村全部参与户的年度成绩之和，"
        "与该村工作簿“年度评星”（jifen year）生成的“年度汇总”表逐户相加的结果完全一致；"
        "户均总分 = 年度总分合计 ÷ 参与户数（四舍五入到两位小数）。",
        "公示版本为“预公示”表示该村还有未确认的评议记录；“可上报”为“是”表示结果为正式版且没有未处理的异议"
        "（按规定还须公示期满后才能上报）。“超过户数上限的组”“人数不足的小组”不为 0 时，该村工作簿有错误，需先改正。",
        "村庄排名：按户均年度总分从高到低，分数相同名次相同。有错误的村不参加排名，见“校验”和“工作簿清单”。",
        "示范村指标：来自各镇“积分台账”工作簿，兑换人数占比达到 30% 为达标。",
        "隐私：本表只含各村的户数、分数和统计数，不含农户姓名；只有运行时加上 --with-names 才会附上星级户和待复核农户名单。",
    ]
    with tempfile.TemporaryDirectory(prefix="jifen-rollup-") as tmp:
        skeleton = Path(tmp) / "skeleton.xlsx"
        write_template(skeleton, [TemplateSheet("说明", [], rows=[[t] for t in text], text_sheet=True, title=title)])
        return write_outputs(skeleton, sheets, out=out)


def to_pdf(out: Path, sheets: list[OutputSheet]) -> Path:
    """`--pdf`: the report's sheets (with rows) typeset as tables next to the workbook
    (papers.render_sheets: the typed sheets, not the workbook read back)."""
    from ..papers import render_sheets, write_pdf

    return write_pdf(render_sheets([s for s in sheets if s.rows]), out.with_suffix(".pdf"))
