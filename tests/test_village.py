"""Village household points (SPEC V-1…V-10) on the pure core and through `jifen`.

The scenario (tests/village_fixtures.py): bases 20/20/40/40/20 = 140; 20 participating
households H01…H20 (一组 H01–H10, 二组 H11–H20) and H21 (一组, 参与 否). Records, all 已确认
unless said otherwise:

  H03  E01 3/15 +2, W01 5/20 explicit +5, D01 12/10 +2, M01 12/10 +1 (申报)   → year 150
  H05  E01 8/12 +2, W01 9/18 explicit +3                                       → 145
  H12  D01 12/10 +2, W01 11/5 explicit +3                                      → 145
  H17  E01 2/10 +2, E01 6/10 +2, M01 9/25 +1                                   → 145
  H08  E01 10/15 +2, E01 11/15 +2                                              → 144
  H14  E02 4/8 −2, M01 12/10 +1                                                → 139
  H01  E02 7/7 −2; W01 9/28 +5 已驳回 (never counts)                            → 138
  H02, H04, H06, H07, H09, H10, H11: W02 3/1 −5; H02 also E02 8/20 −2          → 135 (H02 133)
  H13, H15, H16, H18, H19, H20: W02 10/20 −5; H13 also E02 8/20 −2             → 135 (H13 133)
  H20  E01 6/1 +2 reversed by 冲正 on 6/2                                       → counts 0
  H21  opted out: W01 3/15 +5 and E01 3/16 +2 are 提示 and not counted (V-1)

Year ranking (C-4) among N = 20: 150 r1; 145 ×3 r2; 144 r5; 139 r6; 138 r7; 135 ×11 r8;
133 ×2 r19. Stars (V-7, cuts 10/20/30 %): r1 1/20 = 5 % 五星; r2 2/20 = 10 % 五星 (ties at
the boundary all in); r5 25 % 三星 (no 四星 exists: nobody at r3–r4); H14 r6 = 30 % but
139 < 140 → no star (not a lower one); H01 r7 35 % none — were its rejected +5 counted it
would be 143, r6, 30 % → 三星.

Quarter 2026Q3, year-to-date 1/1…9/30 (V-3, V-4):
  H03 env 42 civ 45 → 147 r1; H05 env 42 civ 43 → 145 r2 (本季 env +2, civ +3);
  H17 env 44 民生 21 → 145 r2; 140: H08 H12 H15 H16 H18 H19 H20 r4;
  138: H01 (env 38, 本季 −2), H13 (env 38, 本季 −2), H14 (env 38) r11;
  135: H04 H06 H07 H09 H10 H11 (civ 35) r14; H02 env 38 civ 35 → 133 r20.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from contract import raw_sheets, write_xlsx
from village_fixtures import TODAY, record_row, scenario_village, set_status, unreport
from jifen_xl.app import ACTIONS
from jifen_xl.core.periods import quarter, year
from jifen_xl.core.problems import ERROR, NOTICE
from jifen_xl.schemes.village import checks as vchecks, compute as vcompute, render as vrender

Q3 = quarter(2026, 3)
Y = year(2026)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """C-8: the clock may only refuse a final result; fix it after every recorded notice."""
    monkeypatch.setenv("JIFEN_TODAY", TODAY)


def load(book=None):
    return vchecks.load(raw_sheets(book or scenario_village()))


def by_id(sheet, id_col="户号"):
    i = sheet.columns.index(id_col)
    return {r[i]: dict(zip(sheet.columns, r)) for r in sheet.rows}


def errors(data):
    return [p for p in data.problems if p.level == ERROR]


def stars(book=None, final=False):
    table = vrender.year_outputs(load(book), Y, final)[0]
    return {k: v["星级"] for k, v in by_id(table).items() if v["星级"]}


# ---- loading -----------------------------------------------------------------------------------

def test_scenario_loads_with_only_notices_C6_V1():
    data = load()
    assert errors(data) == []
    opted = [p for p in data.problems if p.sheet == "评议记录"]
    assert [(p.row, p.column, p.value, p.level) for p in opted] == [
        (34, "户号", "H21", NOTICE), (35, "户号", "H21", NOTICE)]
    assert data.year == 2026 and data.base_total == 14000
    assert data.cuts() == [("五星", Decimal("0.1")), ("四星", Decimal("0.2")), ("三星", Decimal("0.3"))]


# ---- quarter (V-3, V-4, V-8) -------------------------------------------------------------------

Q3_EXPECTED = {   # 户号: (环境整治本季, 文明新风本季, 党建, 民生, 环境, 文明, 遵纪, 累计总分, 名次)
    "H01": (-2, 0, 20, 20, 38, 40, 20, 138, 11),
    "H02": (-2, 0, 20, 20, 38, 35, 20, 133, 20),
    "H03": (0, 0, 20, 20, 42, 45, 20, 147, 1),
    "H04": (0, 0, 20, 20, 40, 35, 20, 135, 14),
    "H05": (2, 3, 20, 20, 42, 43, 20, 145, 2),
    "H06": (0, 0, 20, 20, 40, 35, 20, 135, 14),
    "H07": (0, 0, 20, 20, 40, 35, 20, 135, 14),
    "H08": (0, 0, 20, 20, 40, 40, 20, 140, 4),
    "H09": (0, 0, 20, 20, 40, 35, 20, 135, 14),
    "H10": (0, 0, 20, 20, 40, 35, 20, 135, 14),
    "H11": (0, 0, 20, 20, 40, 35, 20, 135, 14),
    "H12": (0, 0, 20, 20, 40, 40, 20, 140, 4),
    "H13": (-2, 0, 20, 20, 38, 40, 20, 138, 11),
    "H14": (0, 0, 20, 20, 38, 40, 20, 138, 11),
    "H15": (0, 0, 20, 20, 40, 40, 20, 140, 4),
    "H16": (0, 0, 20, 20, 40, 40, 20, 140, 4),
    "H17": (0, 0, 20, 21, 44, 40, 20, 145, 2),
    "H18": (0, 0, 20, 20, 40, 40, 20, 140, 4),
    "H19": (0, 0, 20, 20, 40, 40, 20, 140, 4),
    "H20": (0, 0, 20, 20, 40, 40, 20, 140, 4),
}
ROSTER_ORDER = ["H01", "H02", "H03", "H04", "H05", "H06", "H07", "H08", "H09", "H10",
                "H11", "H12", "H13", "H14", "H15", "H16", "H17", "H18", "H19", "H20"]


def test_quarter_year_to_date_totals_and_ranks_V3_V4():
    summary, notice = vrender.quarter_outputs(load(), Q3)
    assert summary.name == "季度汇总-2026Q3"
    assert summary.columns == ["户号", "户主", "组", "环境整治本季", "文明新风本季", "党的建设", "民生保障",
                               "环境整治", "文明新风", "遵纪守法", "累计总分", "名次"]
    assert [r[0] for r in summary.rows] == ROSTER_ORDER          # grouped by 组, roster order
    got = {r[0]: tuple(r[3:]) for r in summary.rows}
    assert got == Q3_EXPECTED
    assert by_id(summary)["H05"]["户主"] == "周五" and by_id(summary)["H11"]["组"] == "二组"
    assert "H21" not in got                                      # opted out (V-1)
    assert "正式" in summary.title and "数据截至 2026-09-28" in summary.title


def test_quarter_notice_sheet_V8():
    _, notice = vrender.quarter_outputs(load(), Q3)
    assert notice.name == "公示-2026Q3"
    assert notice.columns == ["组", "户号", "户主", "环境整治本季", "文明新风本季", "党的建设", "民生保障",
                              "环境整治", "文明新风", "遵纪守法", "累计总分", "名次",
                              "待复核", "公示开始", "公示结束", "异议"]
    first = notice.rows[0]
    # V-8: the five category scores add up to the total; dates from 公示记录 (10-09 + 3 days)
    assert first == ["一组", "H01", "赵一", -2, 0, 20, 20, 38, 40, 20, 138, 11, "",
                     date(2026, 10, 9), date(2026, 10, 11), ""]
    assert "公示期 2026-10-09 至 2026-10-11" in notice.title
    assert all("电话" not in c and "备注" not in c for c in notice.columns)   # privacy


def test_notice_days_setting_V8():
    book = scenario_village()
    for row in book["设置"]:
        if row[0] == "公示天数":
            row[1] = 5
    _, notice = vrender.quarter_outputs(load(book), Q3)
    i = notice.columns.index("公示开始")
    assert (notice.rows[0][i], notice.rows[0][i + 1]) == (date(2026, 10, 9), date(2026, 10, 13))


def test_default_quarter_is_latest_with_records():
    data = load()
    assert vcompute.resolve_quarter(data, None) == quarter(2026, 4)
    assert vcompute.resolve_quarter(data, (2026, 2)) == quarter(2026, 2)
    assert vcompute.resolve_year(data, None) == Y


def test_reversed_record_counts_zero():
    """H20's E01 of 6/1 is reversed by 冲正; without the reversal it would count +2."""
    assert by_id(vrender.quarter_outputs(load(), Q3)[0])["H20"]["累计总分"] == 140
    book = scenario_village()
    book["评议记录"] = book["评议记录"][:-1]
    assert by_id(vrender.quarter_outputs(load(book), Q3)[0])["H20"]["累计总分"] == 142


# ---- year and stars (V-3, V-7, V-10) -----------------------------------------------------------

def test_year_totals_ranks_and_stars_V7():
    table, star_list, notice = vrender.year_outputs(load(), Y, True)
    assert table.name == "年度汇总-2026"
    assert table.columns[:11] == ["户号", "户主", "组", "党的建设", "民生保障", "环境整治", "文明新风",
                                  "遵纪守法", "年度总分", "名次", "星级"]
    got = {k: (v["年度总分"], v["名次"], v["星级"]) for k, v in by_id(table).items()}
    assert got == {
        "H03": (150, 1, "五星"), "H05": (145, 2, "五星"), "H12": (145, 2, "五星"), "H17": (145, 2, "五星"),
        "H08": (144, 5, "三星"), "H14": (139, 6, ""), "H01": (138, 7, ""),
        **{h: (135, 8, "") for h in ["H04", "H06", "H07", "H09", "H10", "H11", "H15", "H16", "H18", "H19", "H20"]},
        "H02": (133, 19, ""), "H13": (133, 19, ""),
    }
    assert by_id(table)["H03"] == {"户号": "H03", "户主": "孙三", "组": "一组", "党的建设": 22, "民生保障": 21,
                                   "环境整治": 42, "文明新风": 45, "遵纪守法": 20, "年度总分": 150, "名次": 1,
                                   "星级": "五星", "待复核": ""}
    assert "正式" in table.title


def test_star_list_medal_and_credit_V10():
    _, star_list, _ = vrender.year_outputs(load(), Y, True)
    assert star_list.name == "星级评定-2026"
    assert star_list.columns == ["户号", "户主", "组", "年度总分", "名次", "星级", "奖牌", "信用户"]
    assert star_list.rows == [
        ["H03", "孙三", "一组", 150, 1, "五星", "五星级文明户", "是"],
        ["H05", "周五", "一组", 145, 2, "五星", "五星级文明户", "是"],
        ["H12", "卫十二", "二组", 145, 2, "五星", "五星级文明户", "是"],
        ["H17", "朱十七", "二组", 145, 2, "五星", "五星级文明户", "是"],
        ["H08", "王八", "一组", 144, 5, "三星", "三星级文明户", "是"],
    ]


def test_year_notice_V8():
    _, _, notice = vrender.year_outputs(load(), Y, True)
    assert notice.name == "公示-2026"
    assert notice.columns == ["组", "户号", "户主", "党的建设", "民生保障", "环境整治", "文明新风", "遵纪守法",
                              "年度总分", "名次", "星级", "待复核", "公示开始", "公示结束", "异议"]
    assert [r[1] for r in notice.rows] == ROSTER_ORDER
    assert notice.rows[2] == ["一组", "H03", "孙三", 22, 21, 42, 45, 20, 150, 1, "五星", "",
                              date(2027, 1, 5), date(2027, 1, 7), ""]


def test_household_below_base_gets_no_star_even_in_top_30_percent_V7():
    got = by_id(vrender.year_outputs(load(), Y)[0])["H14"]
    assert (got["名次"], got["年度总分"], got["星级"]) == (6, 139, "")   # 6/20 = 30 %, but 139 < 140


def test_rejected_record_never_counts_V6():
    assert "H01" not in stars()
    book = scenario_village()
    set_status(book, record_row(book, "H01", "W01", date(2026, 9, 28)), "已确认")
    # counted, H01 would be 143, rank 6 (30 %) → 三星; H14 falls to rank 7
    table = by_id(vrender.year_outputs(load(book), Y)[0])
    assert (table["H01"]["年度总分"], table["H01"]["名次"], table["H01"]["星级"]) == (143, 6, "三星")
    assert table["H14"]["名次"] == 7


def test_opted_out_household_is_not_among_N_V1():
    assert stars() == {"H03": "五星", "H05": "五星", "H12": "五星", "H17": "五星", "H08": "三星"}
    book = scenario_village()
    for row in book["农户名册"]:
        if row[0] == "H21":
            row[4] = "是"
    # were H21 taking part: 147 rank 2 of N = 21; the 145s rank 3 → 3/21 = 14.3 % → 四星;
    # H08 rank 6 → 28.6 % → 三星; H14 rank 7 → 33 % and below base anyway
    assert stars(book) == {"H03": "五星", "H21": "五星", "H05": "四星", "H12": "四星", "H17": "四星",
                           "H08": "三星"}


@pytest.mark.parametrize("five", ["10%", 0.1, 10, "10"])
def test_star_share_settings_accept_percent_forms_V7(five):
    book = scenario_village()
    for row in book["设置"]:
        if row[0] == "五星比例":
            row[1] = five
    assert stars(book)["H05"] == "五星"


def test_smaller_five_star_share_moves_the_tie_down_V7():
    book = scenario_village()
    for row in book["设置"]:
        if row[0] == "五星比例":
            row[1] = "5%"
    # rank 2 → 10 % > 5 % → 四星 (≤ 20 %); rank 1 → 5 % → 五星
    assert stars(book) == {"H03": "五星", "H05": "四星", "H12": "四星", "H17": "四星", "H08": "三星"}


# ---- workflow (V-6, V-9) -----------------------------------------------------------------------

def test_pending_entry_makes_a_pre_notice_and_final_counts_only_confirmed_V6():
    book = unreport(unreport(scenario_village(), "2026"), "2026Q4")
    set_status(book, record_row(book, "H12", "W01", date(2026, 11, 5)), "公示中")
    data = load(book)
    assert not vcompute.finality(data, Y).final
    table, notice = vrender.year_outputs(data, Y)      # C-8: no star list before the year is final
    assert "预公示" in table.title and "预公示" in notice.title
    assert stars(book) == {"H03": "五星", "H05": "五星", "H12": "五星", "H17": "五星", "H08": "三星"}
    # final: H12 loses the +3 → 142; ranks 150, 145, 145, 144, 142, 139 → r1, r2, r2, r4, r5, r6
    final = by_id(vrender.year_outputs(data, Y, final=True)[0])
    assert (final["H12"]["年度总分"], final["H12"]["名次"]) == (142, 5)
    assert stars(book, final=True) == {"H03": "五星", "H05": "五星", "H17": "五星", "H08": "四星", "H12": "三星"}
    # the quarter reported to the town is final; the one only posted is not (C-8)
    assert vcompute.finality(data, Q3).final and not vcompute.finality(data, quarter(2026, 4)).final


def test_first_assessment_counts_in_notice_only_V6_V9():
    """A self-declaration (申报) enters as 初评: it counts in the notice, not in the final."""
    book = scenario_village()
    set_status(book, record_row(book, "H03", "M01", date(2026, 12, 10)), "初评")
    data = load(book)
    assert by_id(vrender.year_outputs(data, Y, False)[0])["H03"]["年度总分"] == 150
    assert by_id(vrender.year_outputs(data, Y, final=True)[0])["H03"]["民生保障"] == 20


def test_open_objection_blocks_star_and_is_listed_V6():
    book = scenario_village()
    row = record_row(book, "H05", "W01", date(2026, 9, 18))
    set_status(book, row, "有异议")
    data = load(book)
    state = vcompute.finality(data, Y)        # even reported, an open objection keeps it 预公示
    assert not state.final and [(p.sheet, p.row, p.column) for p in state.problems] == [("评议记录", row, "状态")]
    table, notice = vrender.year_outputs(data, Y)
    assert "预公示" in table.title
    star_list = vrender.year_outputs(data, Y, True)[1]
    # 有异议 counts in neither version: H05 142 rank 5 (would be 三星) → withheld;
    # H12 H17 145 r2 五星; H08 144 r4 → 20 % → 四星
    got = {k: (v["年度总分"], v["名次"], v["星级"], v["待复核"]) for k, v in by_id(table).items()
           if k in ("H03", "H05", "H08", "H12", "H17")}
    assert got == {"H03": (150, 1, "五星", ""), "H12": (145, 2, "五星", ""), "H17": (145, 2, "五星", ""),
                   "H08": (144, 4, "四星", ""), "H05": (142, 5, "", "有异议 1 条")}
    assert "H05" not in [r[0] for r in star_list.rows]
    assert by_id(notice)["H05"]["待复核"] == "有异议 1 条"
    q_notice = by_id(vrender.quarter_outputs(data, Q3)[1])
    assert q_notice["H05"]["待复核"] == "有异议 1 条" and q_notice["H05"]["累计总分"] == 142


# ---- checks (V-5, C-6, C-2) --------------------------------------------------------------------

def problems_of(book, level=ERROR):
    return [(p.sheet, p.row, p.column, p.value) for p in load(book).problems if p.level == level]


def edit_record(book, hid, code, when, **cols):
    row = record_row(book, hid, code, when)
    header = book["评议记录"][0]
    for k, v in cols.items():
        book["评议记录"][row - 1][header.index(k)] = v
    return row


def test_check_group_size_V5():
    book = scenario_village()
    for row in book["设置"]:
        if row[0] == "每组户数上限":
            row[1] = 9
    # each group has 10 participating households (H21 is opted out and not counted);
    # reported at the 10th: H10 (Excel row 12) and H20 (row 22)
    assert problems_of(book) == [("农户名册", 12, "组", "一组"), ("农户名册", 22, "组", "二组")]


def test_check_panel_size_V5():
    book = scenario_village()
    book["评议小组"] = [r for r in book["评议小组"] if r[1] != "甲5"]
    assert problems_of(book) == [("评议小组", 2, "小组", "甲")]
    assert "只有 4 名成员" in [p for p in load(book).problems if p.level == ERROR][0].message


def test_check_cross_review_V5():
    book = scenario_village()
    row = edit_record(book, "H01", "E02", date(2026, 7, 7), 评议小组="乙")   # 乙 is 二组's panel: fine
    assert problems_of(book) == []
    book["评议记录"][row - 1][4] = "甲"                                      # 甲 belongs to 一组
    assert problems_of(book) == [("评议记录", row, "评议小组", "甲")]


def test_panel_with_several_groups_may_review_none_of_them_V5():
    book = scenario_village()
    book["评议小组"][-1][3] = "一组"            # 乙5 lives in 一组: 乙 now belongs to 一组 and 二组
    notes = [p for p in load(book).problems if p.sheet == "评议小组"]
    assert [(p.row, p.column, p.value, p.level) for p in notes] == [(7, "所在组", "二组、一组", NOTICE)]
    errs = problems_of(book)
    assert len(errs) > 0 and all(e[0] == "评议记录" and e[2] == "评议小组" and e[3] == "乙" for e in errs)


@pytest.mark.parametrize("column, value, expected_column", [
    ("户号", "H99", "户号"),
    ("代码", "X99", "代码"),
    ("评议小组", "丙", "评议小组"),
    ("状态", "已通过", "状态"),
    ("来源", "举报", "来源"),
    ("日期", None, "日期"),
    ("户号", None, "户号"),
])
def test_check_unknown_or_missing_values_C6(column, value, expected_column):
    book = scenario_village()
    row = edit_record(book, "H14", "E02", date(2026, 4, 8), **{column: value})
    assert problems_of(book) == [("评议记录", row, expected_column, value if value is not None else "")]


def test_check_annual_record_outside_year_V3():
    book = scenario_village()
    row = edit_record(book, "H14", "M01", date(2026, 12, 10), 日期=date(2025, 12, 10))
    assert problems_of(book) == [("评议记录", row, "日期", date(2025, 12, 10))]
    book = scenario_village()
    row = edit_record(book, "H14", "E02", date(2026, 4, 8), 日期=date(2025, 12, 1))   # daily: a notice
    assert problems_of(book) == []
    assert ("评议记录", row, "日期", date(2025, 12, 1)) in problems_of(book, NOTICE)
    assert by_id(vrender.year_outputs(load(book), Y)[0])["H14"]["年度总分"] == 141


@pytest.mark.parametrize("code, when, value, why", [
    ("W01", date(2026, 9, 18), 6, "范围"),        # W01 allows 1…5
    ("W01", date(2026, 9, 18), -2, "正负号"),     # an addition cannot be negative
    ("E01", date(2026, 8, 12), 3, "范围"),        # fixed +2 without range: only 2
])
def test_check_explicit_value_C2(code, when, value, why):
    hid = "H05"
    book = scenario_village()
    row = edit_record(book, hid, code, when, 分值=value)
    data = load(book)
    errs = errors(data)
    assert [(p.row, p.column, p.value) for p in errs] == [(row, "分值", value)]
    assert why in errs[0].message


def test_check_duplicate_record_C6():
    book = scenario_village()
    dup = list(book["评议记录"][record_row(book, "H14", "E02", date(2026, 4, 8)) - 1])
    dup[9] = 99
    book["评议记录"].append(dup)
    assert problems_of(book) == [("评议记录", len(book["评议记录"]), "", "")]


def test_declaration_needs_a_panel_once_confirmed_V9():
    book = scenario_village()
    row = edit_record(book, "H03", "M01", date(2026, 12, 10), 评议小组=None, 状态="初评")
    assert problems_of(book) == []                  # a declaration awaiting verification
    book["评议记录"][row - 1][5] = "已确认"
    assert problems_of(book) == [("评议记录", row, "评议小组", "")]


def test_rule_category_and_period_checked():
    book = scenario_village()
    book["规则"].append(["Z01", "卫生", "未知类别", 1, None, None, "日常"])
    book["规则"].append(["Z02", "环境整治", "周期错", 1, None, None, "每月"])
    assert problems_of(book) == [("规则", 9, "类别", "卫生"), ("规则", 10, "周期", "每月")]


# ---- actions and the file door (C-5, C-6) ------------------------------------------------------

def action(name):
    return ACTIONS[(name, "village")]


def test_action_with_errors_writes_only_the_check_sheet_C6():
    book = scenario_village()
    edit_record(book, "H14", "E02", date(2026, 4, 8), 代码="X99")
    result = action("quarter").compute(raw_sheets(book), {"quarter": (2026, 3)})
    assert result.exit_code == 1 and [o.name for o in result.outputs] == ["校验"]


def test_actions_produce_named_sheets():
    sheets = raw_sheets(scenario_village())
    q = action("quarter").compute(sheets, {})
    assert [o.name for o in q.outputs] == ["校验", "季度汇总-2026Q4", "公示-2026Q4", "分组统计-2026Q4"]
    y = action("year").compute(sheets, {"year": 2026})
    assert [o.name for o in y.outputs] == ["校验", "年度汇总-2026", "星级评定-2026", "公示-2026", "分组统计-2026"]
    assert y.exit_code == 0
    book = scenario_village()
    del book["公示记录"]                     # C-8: no notice recorded → 预公示, no star list
    y = action("year").compute(raw_sheets(book), {"year": 2026})
    assert [o.name for o in y.outputs] == ["校验", "年度汇总-2026", "公示-2026", "分组统计-2026"]


def read_back(path):
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    out = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    wb.close()
    return out


def _plain(v):
    return v.date() if isinstance(v, datetime) else ("" if v is None else v)


def test_cli_quarter_and_year_end_to_end(tmp_path):
    from jifen_xl.cli import main

    path = write_xlsx(tmp_path / "村.xlsx", scenario_village())
    assert main(["quarter", str(path), "--quarter", "2026Q3"]) == 0
    assert main(["year", str(path)]) == 0
    book = read_back(path)
    q = book["季度汇总-2026Q3"]
    assert q[0] == ["户号", "户主", "组", "环境整治本季", "文明新风本季", "党的建设", "民生保障", "环境整治",
                    "文明新风", "遵纪守法", "累计总分", "名次"]
    assert {r[0]: tuple(_plain(v) for v in r[3:]) for r in q[1:]} == Q3_EXPECTED
    notice = book["公示-2026Q3"]
    assert [_plain(v) for v in notice[1]] == ["一组", "H01", "赵一", -2, 0, 20, 20, 38, 40, 20, 138, 11, "",
                                              date(2026, 10, 9), date(2026, 10, 11), ""]
    s = book["星级评定-2026"]
    assert s[1:] == [
        ["H03", "孙三", "一组", 150, 1, "五星", "五星级文明户", "是"],
        ["H05", "周五", "一组", 145, 2, "五星", "五星级文明户", "是"],
        ["H12", "卫十二", "二组", 145, 2, "五星", "五星级文明户", "是"],
        ["H17", "朱十七", "二组", 145, 2, "五星", "五星级文明户", "是"],
        ["H08", "王八", "一组", 144, 5, "三星", "三星级文明户", "是"],
    ]
    y = {r[0]: r for r in book["年度汇总-2026"][1:]}
    assert [_plain(v) for v in y["H14"]] == ["H14", "沈十四", "二组", 20, 21, 38, 40, 20, 139, 6, "", ""]
    assert "公示-2026" in book and book["公示-2026"][0][-1] == "异议"
    # input sheets untouched
    assert book["评议记录"][1][:3] == [datetime(2026, 3, 15), "H03", "E01"]


def test_cli_errors_exit_1_and_write_only_check(tmp_path):
    from jifen_xl.cli import main

    book = scenario_village()
    row = edit_record(book, "H01", "E02", date(2026, 7, 7), 评议小组="甲")
    path = write_xlsx(tmp_path / "村.xlsx", book)
    assert main(["quarter", str(path)]) == 1
    out = read_back(path)
    assert not any(n.startswith("季度汇总") for n in out)
    check = out["校验"]
    assert check[0] == ["工作表", "行", "列", "值", "问题", "级别"]
    assert check[1][:4] == ["评议记录", row, "评议小组", "甲"] and check[1][5] == "错误"


def test_cli_final_flag_and_reproducible_output_C5(tmp_path):
    from jifen_xl.cli import main

    book = unreport(scenario_village(), "2026")
    set_status(book, record_row(book, "H12", "W01", date(2026, 11, 5)), "公示中")
    path = write_xlsx(tmp_path / "村.xlsx", book)
    assert main(["year", str(path), "--final"]) == 0
    first = path.read_bytes()
    assert main(["year", str(path), "--final"]) == 0
    assert path.read_bytes() == first
    y = {r[0]: r for r in read_back(path)["年度汇总-2026"][1:]}
    assert (y["H12"][8], y["H12"][10]) == (142, "三星")


def test_template_reads_back_clean(tmp_path):
    from jifen_xl.cli import main

    path = tmp_path / "乡村积分.xlsx"
    assert main(["new", "village", "-o", str(path)]) == 0
    book = read_back(path)
    assert list(book)[:6] == ["说明", "设置", "农户名册", "评议小组", "规则", "评议记录"]
    assert book["农户名册"][0] == ["户号", "户主", "组", "人口", "参与"]
    assert book["评议小组"][0] == ["小组", "成员", "身份", "所在组"]
    assert book["规则"][0][:7] == ["代码", "类别", "事项", "分值", "最低分值", "最高分值", "周期"]
    assert set(book["评议记录"][0]) >= {"日期", "户号", "代码", "分值", "评议小组", "状态", "来源", "证明材料",
                                     "备注", "编号", "冲正"}
    settings = {r[0]: r[1] for r in book["设置"][1:]}
    bases = [settings[f"{c}基础分"] for c in ("党的建设", "民生保障", "环境整治", "文明新风", "遵纪守法")]
    assert bases == [20, 20, 40, 40, 20] and sum(bases) == 140
    assert {r[1] for r in book["规则"][1:] if r[0]} == {"党的建设", "民生保障", "环境整治", "文明新风", "遵纪守法"}
    assert main(["check", str(path)]) == 0
