"""Town roll-up (issue #10): Parquet export, DuckDB aggregation, incremental cache, privacy.

Workbooks are built from WORKBOOKS.md headers (tests/village_fixtures.py, the ledger town of
tests/test_ledger.py). Hand arithmetic for the village scenario 测试村 (see test_village.py):
20 participating households (H21 opted out, V-1), every record 已确认 or 已驳回, the year's
notice recorded in 公示记录 as ended and reported to the town → 正式 (C-8).

  year totals: H03 150 (r1), H05 H12 H17 145 (r2), H08 144 (r5), H14 139, H01 138,
               11 households 135, H02 H13 133
  Σ = 150 + 3×145 + 144 + 139 + 138 + 11×135 + 2×133 = 2757; average 2757 / 20 = 137.85
  categories (base × 20 + entries, V-2, V-3):
    党的建设 400 + 2 + 2 = 404; 民生保障 400 + 1 + 1 + 1 = 403;
    环境整治 800 + 2 + 2 + 4 + 4 − 2 − 2 − 2 − 2 = 804; 文明新风 800 + 5 + 3 + 3 − 13×5 = 746;
    遵纪守法 400 — together 2757.
  stars (V-7): 五星 H03 and the three at r2 = 4, 四星 0, 三星 H08 = 1.

Village 二号村 is the same workbook with H03's W01 record (row 3) 有异议: H03 loses 5 points →
145, withheld star; every household stays, the version becomes 预公示 (V-6).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
import python_calamine as pc

from contract import write_xlsx as _write_xlsx
from test_ledger import scenario as ledger_scenario
from village_fixtures import HEADS, TODAY, record_row, scenario_village, set_status, d
from jifen_xl.rollup import aggregate as agg
from jifen_xl.rollup import export as ex

JIFEN = [sys.executable, "-m", "jifen_xl.cli"]


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """C-8: the scenario's notices are recorded as reported to the town (公示记录 上报日期),
    so its year is final once the clock has passed them (subprocesses inherit this)."""
    monkeypatch.setenv("JIFEN_TODAY", TODAY)


def write_xlsx(path: Path, book: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return _write_xlsx(path, book)


def village_book(name: str, **settings) -> dict:
    book = scenario_village()
    for row in book["设置"]:
        if row[0] == "村名":
            row[1] = name
        if row[0] in settings:
            row[1] = settings.pop(row[0])
    return book


def objected_book() -> dict:
    book = village_book("二号村")
    return set_status(book, record_row(book, "H03", "W01", d(5, 20)), "有异议")


def broken_book() -> dict:
    """每组户数上限 5: both groups (10 participating each) are over the limit (V-5, 错误)."""
    return village_book("三号村", 每组户数上限=5)


def read_book(path: Path) -> dict[str, list[list]]:
    wb = pc.CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names}


def as_dicts(rows: list[list]) -> list[dict]:
    return [dict(zip(rows[0], r)) for r in rows[1:]]


@pytest.fixture
def town(tmp_path) -> Path:
    folder = tmp_path / "镇"
    write_xlsx(folder / "一号村.xlsx", village_book("测试村"))
    write_xlsx(folder / "片区" / "二号村.xlsx", objected_book())
    write_xlsx(folder / "片区" / "三号村.xlsx", broken_book())
    write_xlsx(folder / "台账.xlsx", ledger_scenario())
    (folder / "坏文件.xlsx").write_bytes(b"not a workbook")
    # never scanned: backups, owner files, our own cache
    write_xlsx(folder / "jifen备份" / "一号村-20260101-000000.xlsx", village_book("备份村"))
    (folder / "~$一号村.xlsx").write_bytes(b"owner")
    return folder


# ---- export (one workbook) -------------------------------------------------------------------

def test_export_village_results_equal_year_table_V3_V7(tmp_path):
    path = write_xlsx(tmp_path / "v.xlsx", village_book("测试村"))
    res = ex.export_workbook(path, tmp_path / "pq")
    assert res.status == ex.OK
    wb = pq.read_table(tmp_path / "pq" / "workbook.parquet").to_pylist()[0]
    assert (wb["scheme"], wb["title"], wb["year"], wb["final"], wb["errors"]) == ("village", "测试村", 2026, True, 0)
    assert wb["schema_version"] == ex.SCHEMA_VERSION == 1
    results = {r["subject_id"]: r for r in pq.read_table(tmp_path / "pq" / "results.parquet").to_pylist()}
    assert len(results) == 20 and "H21" not in results                      # V-1
    assert (results["H03"]["total"], results["H03"]["rank"], results["H03"]["star"]) == (Decimal("150.00"), 1, "五星")
    assert (results["H08"]["total"], results["H08"]["rank"], results["H08"]["star"]) == (Decimal("144.00"), 5, "三星")
    assert (results["H14"]["total"], results["H14"]["star"]) == (Decimal("139.00"), None)   # below base: no star
    assert sum(r["total"] for r in results.values()) == Decimal("2757.00")
    scores = {(r["subject_id"], r["category"]): r["score"]
              for r in pq.read_table(tmp_path / "pq" / "category_scores.parquet").to_pylist()}
    assert [scores[("H03", c)] for c in agg.VILLAGE_CATEGORIES] == [22, 21, 42, 45, 20]
    subjects = pq.read_table(tmp_path / "pq" / "subjects.parquet").to_pylist()
    assert len(subjects) == 21 and [s["participating"] for s in subjects if s["subject_id"] == "H21"] == [False]
    assert all(s["name"] is None for s in subjects)                          # privacy by default


def test_export_entries_carry_source_row_status_and_exact_points_C2_V6(tmp_path):
    path = write_xlsx(tmp_path / "v.xlsx", village_book("测试村"))
    ex.export_workbook(path, tmp_path / "pq")
    con = duckdb.connect()
    e = f"'{tmp_path / 'pq' / 'entries.parquet'}'"
    row = con.execute(f"SELECT subject_id, date, code, category, points, status, counted, sheet, source_row "
                      f"FROM {e} WHERE source_row = 3").fetchone()
    assert row == ("H03", date(2026, 5, 20), "W01", "文明新风", Decimal("5.00"), "已确认", True, "评议记录", 3)
    # the rejected +5 of H01 and the reversed +2 of H20 are there, not counted
    assert con.execute(f"SELECT status, counted FROM {e} WHERE subject_id = 'H01' AND code = 'W01'").fetchall() == \
        [("已驳回", False)]
    assert con.execute(f"SELECT cancelled, counted FROM {e} WHERE subject_id = 'H20' AND code = 'E01'").fetchall() == \
        [(True, False)]
    # counted entries + the bases give the year total (V-3): 2757 − 20 × 140 = −43
    assert con.execute(f"SELECT sum(points) FROM {e} WHERE counted").fetchone()[0] == Decimal("-43.00")


def test_export_with_names_and_broken_workbook_C6_V5(tmp_path):
    path = write_xlsx(tmp_path / "v.xlsx", village_book("测试村"))
    ex.export_workbook(path, tmp_path / "named", with_names=True)
    names = {r["subject_id"]: r["name"] for r in pq.read_table(tmp_path / "named" / "results.parquet").to_pylist()}
    assert names["H03"] == HEADS["H03"] == "孙三"
    bad = write_xlsx(tmp_path / "b.xlsx", broken_book())
    res = ex.export_workbook(bad, tmp_path / "bad")
    assert res.status == ex.BROKEN
    assert pq.read_table(tmp_path / "bad" / "results.parquet").num_rows == 0       # only 校验, as `jifen year`
    v = pq.read_table(tmp_path / "bad" / "villages.parquet").to_pylist()[0]
    assert (v["groups"], v["groups_over_limit"], v["group_limit"], v["panels_under_min"]) == (2, 2, 5, 0)
    probs = pq.read_table(tmp_path / "bad" / "problems.parquet").to_pylist()
    assert [p["row"] for p in probs if p["level"] == "错误"] == [8, 18]          # the 6th household of each group


def test_export_ledger_indicators_and_accounts_L5_L9(tmp_path):
    path = write_xlsx(tmp_path / "l.xlsx", ledger_scenario())
    res = ex.export_workbook(path, tmp_path / "pq")
    assert res.status == ex.OK
    vs = {v["village"]: v for v in pq.read_table(tmp_path / "pq" / "villages.parquet").to_pylist()}
    east, west = vs["东村"], vs["西村"]
    assert (east["population"], east["redeemers"], east["redeemed_share"], east["meets_target"]) == \
        (10, 6, Decimal("0.6000"), True)
    assert (east["categories_covered"], east["active_accounts"], east["reward_spend"], east["reward_budget"]) == \
        (3, 4, Decimal("18.00"), Decimal("20.00"))
    assert (west["redeemers"], west["meets_target"], west["reward_spend"], west["reward_budget"]) == \
        (2, False, Decimal("45.00"), Decimal("200.00"))
    acc = {r["subject_id"]: r for r in pq.read_table(tmp_path / "pq" / "results.parquet").to_pylist()}
    assert (acc["A01"]["total"], acc["A01"]["available"], acc["A01"]["village"]) == (Decimal("3.00"), Decimal("1.00"), "东村")
    assert (acc["A06"]["total"], acc["A06"]["village"]) == (Decimal("5.00"), "西村")          # L-7
    assert "A07" not in acc                                                                    # 注销


# ---- roll-up ---------------------------------------------------------------------------------

def test_rollup_per_village_totals_stars_objections_V3_V5_V6_V7(town):
    res = agg.rollup(town, town / "镇汇总.xlsx")
    book = read_book(town / "镇汇总.xlsx")
    assert list(book)[:6] == ["说明", "校验", "村庄汇总", "村庄排名", "示范村指标", "工作簿清单"]
    rows = {r["村名"]: r for r in as_dicts(book["村庄汇总"])}
    assert set(rows) == {"测试村", "二号村", "三号村"}                        # 备份村 never scanned
    one = rows["测试村"]
    assert [one[c] for c in agg.VILLAGE_CATEGORIES] == [404, 403, 804, 746, 400]
    assert (one["年度总分合计"], one["户均总分"], one["参与户数"], one["总户数"]) == (2757, 137.85, 20, 21)
    assert (one["五星"], one["四星"], one["三星"], one["星级户数"]) == (4, 0, 1, 5)
    assert (one["有异议条数"], one["待复核户数"], one["公示版本"], one["可上报"]) == (0, 0, "正式", "是")
    two = rows["二号村"]
    assert (two["年度总分合计"], two["有异议条数"], two["待复核户数"], two["公示版本"], two["可上报"]) == \
        (2752, 1, 1, "预公示", "否")
    assert (two["五星"], two["星级户数"]) == (3, 4)                          # H03 withheld (V-6)
    three = rows["三号村"]
    assert (three["状态"], three["超过户数上限的组"], three["组数"], three["人数不足的小组"], three["错误数"]) == \
        ("有错误", 2, 2, 0, 2)
    assert three["年度总分合计"] == ""
    # ranking by average: 测试村 137.85 before 二号村 137.6; the broken village is not ranked (C-4)
    assert [(r["名次"], r["村名"], r["户均总分"]) for r in as_dicts(book["村庄排名"])] == \
        [(1, "测试村", 137.85), (2, "二号村", 137.6)]
    ind = {r["村名"]: r for r in as_dicts(book["示范村指标"])}
    assert (ind["东村"]["兑换人数"], ind["东村"]["是否达标"], ind["东村"]["奖励支出元"], ind["东村"]["镇名"]) == \
        (6, "是", 18, "曾集镇")
    assert (ind["西村"]["兑换人数"], ind["西村"]["是否达标"], ind["西村"]["奖励预算元"]) == (2, "否", 200)
    checks = as_dicts(book["校验"])
    assert {(c["工作簿"], c["行"]) for c in checks} >= {("片区/三号村.xlsx", 8), ("片区/三号村.xlsx", 18)}
    assert any(c["工作簿"] == "坏文件.xlsx" and c["级别"] == "错误" for c in checks)
    files = {r["工作簿"]: r for r in as_dicts(book["工作簿清单"])}
    assert set(files) == {"一号村.xlsx", "片区/二号村.xlsx", "片区/三号村.xlsx", "台账.xlsx", "坏文件.xlsx"}
    assert files["坏文件.xlsx"]["状态"] == "无法读取" and files["台账.xlsx"]["类型"] == "积分台账"
    assert sum(b.exported for b in res.books) == 5


def test_rollup_holds_no_names_unless_asked_privacy(town):
    agg.rollup(town, town / "镇汇总.xlsx")
    cells = {str(v) for rows in read_book(town / "镇汇总.xlsx").values() for r in rows for v in r}
    people = set(HEADS.values()) | {"张三", "李四", "王家", "赵六", "小卖部", "钱七"}
    assert not any(p in c for p in people for c in cells)
    assert not any(c.startswith("H0") for c in cells)                        # no household rows at all
    named = agg.rollup(town, town / "名单.xlsx", with_names=True)
    book = read_book(town / "名单.xlsx")
    assert [s.name for s in named.sheets][-2:] == ["星级户名单", "待复核农户"]
    stars = as_dicts(book["星级户名单"])
    assert stars[0] == {"村名": "二号村", "户号": "H05", "户主": "周五", "组": "一组", "年度总分": 145,
                        "名次": 1, "星级": "五星"}
    assert [(p["村名"], p["户号"], p["户主"], p["有异议条数"]) for p in as_dicts(book["待复核农户"])] == \
        [("二号村", "H03", "孙三", 1)]
    # a plain run afterwards regenerates the whole file: no name sheet survives
    agg.rollup(town, town / "名单.xlsx")
    assert "星级户名单" not in read_book(town / "名单.xlsx")


def test_rollup_is_incremental_by_content_hash(town):
    agg.rollup(town, town / "镇汇总.xlsx")
    again = agg.rollup(town, town / "镇汇总.xlsx")
    assert sum(b.exported for b in again.books) == 0
    write_xlsx(town / "一号村.xlsx", village_book("测试村改"))              # one workbook changes
    third = agg.rollup(town, town / "镇汇总.xlsx")
    assert [b.rel for b in third.books if b.exported] == ["一号村.xlsx"]
    cached = {p.name for p in agg.cache_dir(town, False, None).iterdir()}
    assert cached == {b.sha for b in third.books}                            # the old set is pruned
    assert "测试村改" in {r["村名"] for r in as_dicts(read_book(town / "镇汇总.xlsx")["村庄汇总"])}


def test_rollup_report_is_reproducible_C5(town, tmp_path):
    agg.rollup(town, tmp_path / "a.xlsx")
    agg.rollup(town, tmp_path / "b.xlsx", full=True)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


# ---- the command line --------------------------------------------------------------------------

def run(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([*JIFEN, *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_rollup_totals_equal_each_villages_own_jifen_year(town, tmp_path):
    """Issue #10 target: the roll-up's per-village totals equal `jifen year` exactly."""
    from jifen_xl.schemes.village.demo import village_demo

    (demo_path, _), = village_demo(town / "demo")
    p = run("rollup", town, "-o", tmp_path / "镇汇总.xlsx")
    assert p.returncode == 0, p.stderr
    assert "有 2 个工作簿有错误或无法读取" in p.stdout
    rows = {r["工作簿"]: r for r in as_dicts(read_book(tmp_path / "镇汇总.xlsx")["村庄汇总"])}
    for rel in ("一号村.xlsx", "片区/二号村.xlsx", f"demo/{demo_path.name}"):
        copy = tmp_path / "year" / rel
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(town / rel, copy)
        y = run("year", copy)
        assert y.returncode == 0, y.stdout + y.stderr
        table = as_dicts(next(v for k, v in read_book(copy).items() if k.startswith("年度汇总-")))
        mine = rows[rel]
        for c in [*agg.VILLAGE_CATEGORIES, "年度总分"]:
            own = sum(Decimal(str(r[c])) for r in table)
            assert Decimal(str(mine[c if c != "年度总分" else "年度总分合计"])) == own, (rel, c)
        assert mine["参与户数"] == len(table)
        for s in agg.STARS:
            assert mine[s] == sum(r["星级"] == s for r in table), (rel, s)
        assert mine["待复核户数"] == sum(bool(r["待复核"]) for r in table)
    assert rows[f"demo/{demo_path.name}"]["参与户数"] > 400


def test_cli_export_and_rollup_exit_codes(town, tmp_path):
    p = run("export", town / "一号村.xlsx", "--parquet", tmp_path / "one")
    assert p.returncode == 0 and "测试村 2026年度（正式）：20 户参与评议" in p.stdout
    assert sorted(f.name for f in (tmp_path / "one").iterdir()) == sorted(f"{t}.parquet" for t in ex.TABLES)
    p = run("export", town / "片区" / "三号村.xlsx", "--parquet", tmp_path / "three")
    assert p.returncode == 1 and "每组户数上限 5 户" in p.stdout
    p = run("export", town / "坏文件.xlsx", "--parquet", tmp_path / "junk")
    assert p.returncode == 2
    (tmp_path / "empty").mkdir()
    p = run("rollup", tmp_path / "empty")
    assert p.returncode == 2 and "没有找到 Excel 工作簿" in p.stderr
    p = run("rollup", town, "-o", tmp_path / "x.xlsm")
    assert p.returncode == 2
