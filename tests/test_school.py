"""School class points on the pure core: the hand-computed week of issue #2.

Arithmetic (base 80, cadre base 85, cadre ×2 except 学习 and 值日 rules):
  week 2026-09-07…13
  1001 张三 (班长, cadre, 301): X02 迟到 −1 (study: not doubled), W01 值日 −2 (duty: not
       doubled), T01 旷操 −2×2 = −4 (doubled), 全班 T11 +1 (additions never doubled)
       → 加分 1, 减分 7, 净分 −6, 累计 85 − 6 = 79; self-study: 旷操旷课 1次 (limit 1)
  1002 李四 (80, 301): X02 ×3 = −3, 全班 +1 → 加 1, 减 3, 净 −2, 累计 78; self-study 迟到 3次
       (limit 2, carries 1 into next week)
  1003 王五 (80, 302): 全班 +1, 宿舍:302 W11 −0.5, X07 −1 reversed by 冲正 (counts 0)
       → 加 1, 减 0.5, 净 0.5, 累计 80.5
  1004 赵六: 在籍 否 → no row, not in 全班 or 宿舍:302
  1005 钱七 (学习委员, cadre, 302): 全班 +1, W11 −0.5×2 = −1 → 加 1, 减 1, 净 0, 累计 85
  week 2026-09-14…20
  1002: X02 −1 (count 1 + carried 1 = 2 ≥ 2 → self-study again, S-7), Q16 explicit +2
       → 加 2, 减 1, 累计 79
  semester (awards, 奖励人数 3, 一/二/三等 1/1/1): 1005 85, 1003 80.5, 1001 79, 1002 79
       并列: ranks 1, 2, 3, 3 → 一等 1005, 二等 1003, 三等 1001 and 1002 (list of 4, C-4)
       少扣分优先: 1002 (减 4) before 1001 (减 7) → ranks 1, 2, 3, 4 → 1001 not listed
  month 2026-09: ranks 1005 1, 1003 2, 1001 3, 1002 3; parent meeting (bottom 2 with ties,
       month 减分 > 5): bottom = 1001 and 1002 (both 79); 1001 减 7 > 5 → listed, 1002 减 4 → not.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from contract import raw_sheets, scenario_class
from jifen_xl.core.periods import week_of, month
from jifen_xl.core.problems import ERROR, NOTICE
from jifen_xl.schemes.school import model as sc


def load(data=None):
    return sc.load(raw_sheets(data or scenario_class()))


def rows_by_id(sheet, id_col="学号"):
    i = sheet.columns.index(id_col)
    return {r[i]: dict(zip(sheet.columns, r)) for r in sheet.rows}


def test_scenario_loads_without_errors():
    data = load()
    assert [p for p in data.problems if p.level == ERROR] == []


def test_week_totals_cadre_doubling_and_collective_entries_S1_S2_S4():
    data = load()
    weekly, study = sc.week_outputs(data, week_of(date(2026, 9, 9)))
    assert weekly.columns[:7] == ["周开始", "学号", "姓名", "加分", "减分", "净分", "累计总分"]
    got = {k: (v["加分"], v["减分"], v["净分"], v["累计总分"]) for k, v in rows_by_id(weekly).items()}
    assert got == {
        "1001": (1, 7, -6, 79),
        "1002": (1, 3, -2, 78),
        "1003": (1, Decimal("0.5"), Decimal("0.5"), Decimal("80.5")),
        "1005": (1, 1, 0, 85),
    }
    assert all(r[0] == date(2026, 9, 7) for r in weekly.rows)


def test_self_study_and_carry_over_S6_S7():
    data = load()
    _, study1 = sc.week_outputs(data, week_of(date(2026, 9, 7)))
    assert {r[1]: r[3] for r in study1.rows} == {"1001": "旷操旷课 1次", "1002": "迟到 3次"}
    _, study2 = sc.week_outputs(data, week_of(date(2026, 9, 15)))
    assert {r[1]: r[3] for r in study2.rows} == {"1002": "迟到 2次（本周 1 次，另有上周超出限额顺延的 1 次）"}
    weekly2, _ = sc.week_outputs(data, week_of(date(2026, 9, 15)))
    r = rows_by_id(weekly2)["1002"]
    assert (r["加分"], r["减分"], r["累计总分"]) == (2, 1, 79)


def test_no_carry_when_group_says_no_S7():
    book = scenario_class()
    for row in book["规则"][1:]:
        if row[0] == "X02":
            row[9] = "否"
    _, study2 = sc.week_outputs(load(book), week_of(date(2026, 9, 15)))
    assert study2.rows == []


def test_awards_ties_share_rank_and_tier_C4_S11():
    data = load()
    (awards,) = sc.award_outputs(data)
    assert [(r[0], r[1], r[3], r[4]) for r in awards.rows] == [
        (1, "1005", 85, "一等奖"),
        (2, "1003", Decimal("80.5"), "二等奖"),
        (3, "1001", 79, "三等奖"),
        (3, "1002", 79, "三等奖"),
    ]


def test_awards_fewer_deductions_first_C4():
    book = scenario_class()
    for row in book["设置"]:
        if row[0] == "并列处理":
            row[1] = "少扣分优先"
    (awards,) = sc.award_outputs(load(book))
    assert [(r[0], r[1], r[4]) for r in awards.rows] == [
        (1, "1005", "一等奖"), (2, "1003", "二等奖"), (3, "1002", "三等奖")]


def test_special_award_mark_survives_recompute_S11():
    data = load()
    (first,) = sc.award_outputs(data)
    # the teacher marks 王五 特等 by hand in the 特等 column of the output sheet
    grid = [first.columns] + [list(r) for r in first.rows]
    grid[2][grid[0].index("特等")] = "是"
    prev = raw_sheets({"学期奖励": grid})["学期奖励"]
    (again,) = sc.award_outputs(data, prev)
    by = rows_by_id(again)
    assert by["1003"]["奖项"] == "特等奖" and by["1003"]["特等"] == "是"
    assert by["1005"]["奖项"] == "一等奖"


def test_monthly_report_and_parent_meeting_S10():
    data = load()
    report, meet = sc.month_outputs(data, month(2026, 9))
    assert report.columns[:9] == ["月份", "学号", "姓名", "加分", "减分", "净分", "累计总分", "名次", "家长评语"]
    got = {k: (v["加分"], v["减分"], v["累计总分"], v["名次"], v["家长评语"]) for k, v in rows_by_id(report).items()}
    assert got == {
        "1001": (1, 7, 79, 3, ""),
        "1002": (3, 4, 79, 3, ""),
        "1003": (1, Decimal("0.5"), Decimal("80.5"), 2, ""),
        "1005": (1, 1, 85, 1, ""),
    }
    assert [(r[1], r[3], r[4]) for r in meet.rows] == [("1001", 79, 7)]


def test_reversal_shows_in_detail_but_counts_zero():
    data = load()
    weekly, _ = sc.week_outputs(data, week_of(date(2026, 9, 9)))
    detail = rows_by_id(weekly)["1003"]["明细"]
    assert "不交作业" in detail and "已冲正" in detail


def _problems(book):
    return [(p.sheet, p.row, p.column, p.level) for p in load(book).problems if p.level == ERROR]


@pytest.mark.parametrize("row, expected_col, fragment", [
    ([date(2026, 9, 7), 9999, None, "X02"], "对象", "没有这个学号"),
    ([date(2026, 9, 7), 1001, None, "ZZZ"], "代码", "没有这个代码"),
    ([date(2026, 9, 7), 1001, "李四", "X02"], "姓名", "姓名与名册不一致"),
    ([date(2026, 9, 7), 1001, None, "X02", "打架"], "事项", "事项与规则表不一致"),
    ([date(2026, 10, 7), 1001, None, "X02"], "日期", "不在本学期"),
    ([date(2026, 9, 7), 1001, None, "X02", None, "两"], "次数", ""),
    ([date(2026, 9, 7), 1001, None, "X02", None, -1], "次数", ""),
    ([date(2026, 9, 7), 1001, None, "Q16", None, 1, 8], "分值", "范围"),
    ([date(2026, 9, 7), 1001, None, "X02", None, 1, -3], "分值", "范围"),
    ([date(2026, 9, 7), 1001, None, "X02", None, 1, 1], "分值", "正负号"),
    ([date(2026, 9, 7), 1001, None, "Q16"], "分值", "视情况"),
    ([date(2026, 9, 7), "宿舍:999", None, "X02"], "对象", "宿舍"),
    ([date(2026, 9, 7), "小组:9", None, "X02"], "对象", "小组"),
    ([date(2026, 9, 7), 1001, None, None], "代码", "不能为空"),
    ([None, 1001, None, "X02"], "日期", "不能为空"),
], ids=["unknown-id", "unknown-code", "name", "item", "date-outside", "count-text",
        "count-negative", "explicit-out-of-range", "explicit-on-fixed-rule", "explicit-sign",
        "discretionary-missing", "unknown-dorm", "unknown-group", "no-code", "no-date"])
def test_each_log_mistake_is_located_C6(row, expected_col, fragment):
    book = scenario_class()
    book["日志"].append(row + [None] * (11 - len(row)))
    excel_row = len(book["日志"])
    probs = [p for p in load(book).problems if p.level == ERROR]
    assert len(probs) == 1, probs
    p = probs[0]
    assert (p.sheet, p.row, p.column) == ("日志", excel_row, expected_col)
    assert fragment in p.message


def test_duplicate_rows_are_an_error_C6():
    book = scenario_class()
    book["日志"].append(list(book["日志"][1]))
    book["日志"][-1][9] = 99
    probs = [p for p in load(book).problems if p.level == ERROR]
    assert len(probs) == 1 and "重复" in probs[0].message and probs[0].row == len(book["日志"])


@pytest.mark.parametrize("reversal, fragment", [(77, "不存在"), (10, "冲正记录")])
def test_bad_reversals_are_errors(reversal, fragment):
    book = scenario_class()
    book["日志"].append([date(2026, 9, 20), None, None, None, None, None, None, "x", None, 50, reversal])
    probs = [p for p in load(book).problems if p.level == ERROR]
    assert len(probs) == 1 and fragment in probs[0].message and probs[0].column == "冲正"


def test_reversing_twice_is_an_error():
    book = scenario_class()
    book["日志"].append([date(2026, 9, 20), None, None, None, None, None, None, "x", None, 50, 9])
    probs = [p for p in load(book).problems if p.level == ERROR]
    assert len(probs) == 1 and "已在第" in probs[0].message


def test_roster_problems_C6():
    book = scenario_class()
    book["名册"].append([1001, "重名", None, None, None, "是"])
    book["名册"].append([1010, "某某", None, None, None, "也许"])
    probs = [(p.sheet, p.column) for p in load(book).problems if p.level == ERROR]
    assert ("名册", "学号") in probs and ("名册", "在籍") in probs


def test_limit_thresholds_must_agree_S6():
    book = scenario_class()
    book["规则"].append(["T02", "文体", "早操迟到", -1, None, None, "是", "迟到", 3, "是", None, None])
    probs = [p for p in load(book).problems if p.level == ERROR]
    assert len(probs) == 1 and probs[0].column == "周限额"


def test_normalised_values_are_notices_not_errors():
    book = scenario_class()
    book["日志"].append(["2026年9月18日", "１００３", None, "X02", None, "2", None, "学习委员", None, 13, None])
    data = load(book)
    assert [p for p in data.problems if p.level == ERROR] == []
    notes = {p.column for p in data.problems if p.level == NOTICE and p.row == len(book["日志"])}
    assert {"日期", "对象", "次数"} <= notes
    weekly, _ = sc.week_outputs(data, week_of(date(2026, 9, 18)))
    assert rows_by_id(weekly)["1003"]["减分"] == 2


def test_inactive_student_gets_nothing_and_personal_entry_is_a_notice():
    book = scenario_class()
    book["日志"].append([date(2026, 9, 18), 1004, None, "X02", None, 1, None, "x", None, 13, None])
    data = load(book)
    assert [p for p in data.problems if p.level == ERROR] == []
    assert any(p.level == NOTICE and "不在籍" in p.message for p in data.problems)
    weekly, _ = sc.week_outputs(data, week_of(date(2026, 9, 18)))
    assert "1004" not in rows_by_id(weekly)


def test_default_periods_follow_latest_log_date_S8():
    data = load()
    assert sc.resolve_week(data, None).start == date(2026, 9, 14)
    assert sc.resolve_month(data, None).label == "2026-09"


def test_first_weekday_setting_S8():
    book = scenario_class()
    for row in book["设置"]:
        if row[0] == "周起始":
            row[1] = "周日"
    data = load(book)
    assert sc.resolve_week(data, date(2026, 9, 9)).start == date(2026, 9, 6)
