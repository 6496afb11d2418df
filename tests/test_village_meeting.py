"""The annual review meeting (SPEC V-11), the panel make-up (V-12) and records after the
notice began (C-8 with V-8: a period noticed again). Hand-computed on the scenario of
tests/village_fixtures.py (arithmetic in tests/test_village.py): its `公示记录` records
every notice as ended and reported, the year's row with a review meeting on 2026-12-28
before its notice of 2027-01-05 (row 6); panel 甲 (rows 2–6) and 乙 (rows 7–11) each have
a 两委 and a 村务监督委员会 member."""
from __future__ import annotations

from datetime import date

import pytest

from contract import raw_sheets
from village_fixtures import TODAY, d, record_row, scenario_village
from jifen_xl.app import ACTIONS
from jifen_xl.core.periods import quarter, year
from jifen_xl.core.problems import ERROR, NOTICE
from jifen_xl.schemes.village import checks as vchecks, compute as vcompute, render as vrender

Q3, Y = quarter(2026, 3), year(2026)
YEAR_ROW = 6                       # the row of 期次 2026 in 公示记录
LATE = "公示后有改动，需要重新公示"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("JIFEN_TODAY", TODAY)       # 2027-02-01: every recorded notice has ended


def load(book):
    return vchecks.load(raw_sheets(book))


def run(command, book, **opts):
    return ACTIONS[(command, "village")].compute(raw_sheets(book), opts)


def names(result):
    return [o.name for o in result.outputs]


def fresh(result_or_problems) -> list:
    """The problems beyond the scenario's own (its 设置 percentages written as text and the
    opted-out H21's records are 提示 in every run)."""
    base = {(p.sheet, p.row, p.column) for p in load(scenario_village()).problems}
    problems = getattr(result_or_problems, "problems", result_or_problems)
    return [p for p in problems if (p.sheet, p.row, p.column) not in base]


def found(result_or_problems, level=None):
    return [(p.sheet, p.row, p.column, p.level) for p in fresh(result_or_problems) if level is None or p.level == level]


def notice_row(book, label):
    return next(r for r in book["公示记录"][1:] if r[0] == label)


def set_meeting(book, when, people=35, leader="王包村", opinions="无"):
    row = notice_row(book, "2026")
    row[5:9] = [when, people, leader, opinions]
    return book


def add_record(book, when, hid, code, value=None, status="已确认", reverses=None, note=None):
    """Append a 评议记录 row (panel 乙 reviews 一组, 甲 reviews 二组); returns its Excel row."""
    rows = book["评议记录"]
    panel = "乙" if hid in ("H01", "H02", "H03", "H04", "H05", "H06", "H07", "H08", "H09", "H10") else "甲"
    rows.append([when, hid, code, value, panel, status, "评议", None, note, len(rows) + 100, reverses])
    return len(rows)


def total(sheet, hid, column="累计总分"):
    i, t = sheet.columns.index("户号"), sheet.columns.index(column)
    return next(r[t] for r in sheet.rows if r[i] == hid)


# ---- V-11: the annual review meeting -------------------------------------------------------------

def test_year_with_a_meeting_before_the_notice_is_final_V11():
    result = run("year", scenario_village(), year=2026)
    assert result.exit_code == 0 and "星级评定-2026" in names(result)
    assert not [p for p in result.problems if p.sheet == "公示记录"]
    assert "正式" in result.outputs[1].title
    res = vcompute.year_result(load(scenario_village()), Y)
    assert (res.final, res.meeting, res.notice_start, res.notice_end, res.why) == (
        True, d(12, 28), date(2027, 1, 5), date(2027, 1, 7), "")


def test_year_without_a_meeting_stays_pre_notice_and_is_named_V11():
    book = set_meeting(scenario_village(), None, None, None, None)
    result = run("year", book, year=2026)
    assert result.exit_code == 0
    assert names(result) == ["校验", "年度汇总-2026", "公示-2026", "分组统计-2026"]     # no star list
    assert found(result) == [("公示记录", YEAR_ROW, "审议日期", NOTICE)]
    assert "党员、村民代表会议" in fresh(result)[0].message
    assert all("预公示" in o.title for o in result.outputs[1:])
    assert any("审议日期" in line for line in result.summary)           # the next step names it
    # H03: 140 + 2 + 5 + 2 + 1 = 150 either way; the stars are the pre-rated ones
    assert total(result.outputs[1], "H03", "年度总分") == 150
    assert vcompute.finality(load(book), Y).meeting_missing
    # the state travels on the result and its sheets, for print and the other doors
    assert vcompute.year_result(load(book), Y).why == "年度审议会议没有在公示前登记"
    assert {(o.status, o.why) for o in result.outputs[1:]} == {("预公示", "年度审议会议没有在公示前登记")}


def test_final_is_refused_without_the_meeting_V11():
    book = set_meeting(scenario_village(), None, None, None, None)
    result = run("year", book, year=2026, final=True)
    assert result.exit_code == 1 and names(result) == ["校验"]
    assert found(result, ERROR) == [("公示记录", YEAR_ROW, "审议日期", ERROR)]
    assert "不能生成正式结果" in next(p.message for p in fresh(result) if p.level == ERROR)


@pytest.mark.parametrize("when", [date(2027, 1, 5), date(2027, 1, 6)])   # the notice's first day, after it
def test_a_meeting_on_or_after_the_notice_start_does_not_count_V11(when):
    book = set_meeting(scenario_village(), when)
    result = run("year", book, year=2026)
    assert result.exit_code == 0 and "星级评定-2026" not in names(result)
    assert [(p.row, p.column, p.value, p.level) for p in fresh(result)] == [(YEAR_ROW, "审议日期", when, NOTICE)]
    assert "2027-01-05" in fresh(result)[0].message
    refused = run("year", book, year=2026, final=True)
    assert refused.exit_code == 1 and found(refused, ERROR) == [("公示记录", YEAR_ROW, "审议日期", ERROR)]


def test_quarters_need_no_meeting_V11():
    book = set_meeting(scenario_village(), None, None, None, None)
    result = run("quarter", book, quarter=(2026, 4))
    assert result.exit_code == 0 and not fresh(result)
    assert "正式" in result.outputs[1].title


def test_meeting_without_the_township_leader_is_a_notice_only_V11():
    book = set_meeting(scenario_village(), d(12, 28), leader=None)
    result = run("year", book, year=2026)
    assert found(result) == [("公示记录", YEAR_ROW, "包村领导", NOTICE)]
    assert "星级评定-2026" in names(result)


def test_meeting_columns_on_a_quarter_row_are_ignored_with_a_notice_V11():
    book = scenario_village()
    notice_row(book, "2026Q3")[5:9] = [d(10, 1), 20, "王包村", None]
    problems = [p for p in fresh(load(book).problems) if p.sheet == "公示记录"]
    assert [(p.row, p.column, p.level) for p in problems] == [(4, "审议日期", NOTICE)]


def test_older_workbook_without_the_meeting_columns_V11():
    book = scenario_village()
    book["公示记录"] = [r[:5] for r in book["公示记录"]]
    year_run = run("year", book, year=2026)
    assert year_run.exit_code == 0 and "星级评定-2026" not in names(year_run)
    assert found(year_run) == [("公示记录", YEAR_ROW, "审议日期", NOTICE)]
    assert fresh(run("quarter", book, quarter=(2026, 3))) == []


def test_the_meeting_of_an_earlier_notice_row_holds_for_a_new_notice_V11_C8():
    book = scenario_village()
    book["公示记录"].append(["2026", date(2027, 1, 20), None, date(2027, 1, 25), "重新公示"])
    res = vcompute.year_result(load(book), Y)
    assert (res.final, res.meeting, res.notice_start, res.notice_end) == (
        True, d(12, 28), date(2027, 1, 20), date(2027, 1, 22))
    notice = vrender.year_outputs(load(book), Y)[-1]
    assert "公示期 2027-01-20 至 2027-01-22" in notice.title


# ---- V-12: panel make-up -------------------------------------------------------------------------

def panel_roles(book, panel, roles):
    rows = [r for r in book["评议小组"][1:] if r[0] == panel]
    for r, role in zip(rows, roles):
        r[2] = role
    return book


def test_panels_with_committee_and_supervision_members_give_no_notice_V12():
    assert not [p for p in load(scenario_village()).problems if p.sheet == "评议小组"]


def test_panel_without_a_supervision_member_V12():
    book = panel_roles(scenario_village(), "乙", ["村两委", "村民代表", "小组长", "村民代表", "村民代表"])
    problems = [p for p in fresh(load(book).problems) if p.sheet == "评议小组"]
    assert [(p.row, p.column, p.level) for p in problems] == [(7, "身份", NOTICE)]
    assert "乙" in problems[0].message and "村务监督委员会成员" in problems[0].message
    assert problems[0].value == "村两委、村民代表、小组长"
    result = run("quarter", book, quarter=(2026, 3))
    assert result.exit_code == 0 and len(result.outputs) > 1          # a 提示: results still computed


def test_panel_without_either_V12():
    book = panel_roles(scenario_village(), "甲", ["小组长", "党员代表", "群众代表", "党员代表", "群众代表"])
    problems = [p for p in fresh(load(book).problems) if p.sheet == "评议小组"]
    assert [(p.row, p.column) for p in problems] == [(2, "身份"), (2, "身份")]
    assert ["两委" in problems[0].message, "村务监督委员会" in problems[1].message] == [True, True]


def test_role_words_V12():
    for role in ("村两委", "两委委员", "党支部书记", "村委会主任", "支委委员", "村主任", "小组长、支部委员"):
        assert vchecks.is_committee(role), role
    for role in ("村务监督委员会成员", "监委会主任", "村务监督委员会主任", "监督委员"):
        assert vchecks.is_supervisor(role) and not vchecks.is_committee(role), role
    for role in ("小组长", "党员代表", "群众代表", ""):
        assert not vchecks.is_committee(role) and not vchecks.is_supervisor(role), role


# ---- C-8: records after the notice began, a new notice -------------------------------------------

def early_q3_notice(book):
    """Q3's notice posted on 2026-09-26, inside the quarter, reported 2026-10-05."""
    notice_row(book, "2026Q3")[1:4] = [d(9, 26), None, d(10, 5)]
    return book


def test_record_after_the_notice_began_keeps_the_period_pre_notice_C8():
    book = early_q3_notice(scenario_village())
    assert fresh(run("quarter", book, quarter=(2026, 3))) == []           # as posted: final
    late = add_record(book, d(9, 27), "H05", "E01")                        # +2 after the notice began
    result = run("quarter", book, quarter=(2026, 3))
    assert result.exit_code == 0
    assert found(result) == [("评议记录", late, "日期", NOTICE)]
    assert LATE in fresh(result)[0].message and "2026-09-26" in fresh(result)[0].message
    summary, notice = result.outputs[1], result.outputs[2]
    assert "预公示" in summary.title and "公示期 2026-09-26 至 2026-09-28" in notice.title
    assert summary.status == "预公示" and "公示期 2026-09-26 至 2026-09-28" in summary.title
    assert summary.why == notice.why == "公示后有改动，需要重新公示"
    assert total(summary, "H05") == 147                   # 145 as posted + 2: the notice version counts it
    refused = run("quarter", book, quarter=(2026, 3), final=True)
    assert refused.exit_code == 1 and found(refused, ERROR) == [("评议记录", late, "日期", ERROR)]
    # a record dated on the notice's first day is after it too; a rejected one never counts
    rejected = add_record(book, d(9, 26), "H03", "E01", status="已驳回")
    assert [p.row for p in fresh(run("quarter", book, quarter=(2026, 3)))] == [late]
    assert rejected not in vcompute.finality(load(book), Q3).changed_rows


def test_a_new_notice_row_makes_it_final_again_after_it_ends_C8(monkeypatch):
    book = early_q3_notice(scenario_village())
    add_record(book, d(9, 27), "H05", "E01")
    book["公示记录"].append(["2026Q3", d(10, 9), None, None, "重新公示"])
    monkeypatch.setenv("JIFEN_TODAY", "2026-10-10")                         # the new notice still runs
    running = run("quarter", book, quarter=(2026, 3))
    assert fresh(running) == [] and "预公示" in running.outputs[1].title
    assert "公示期 2026-10-09 至 2026-10-11" in running.outputs[2].title     # the notice in force
    monkeypatch.setenv("JIFEN_TODAY", "2026-10-12")                         # ended, nothing open
    final = run("quarter", book, quarter=(2026, 3))
    assert fresh(final) == [] and "正式" in final.outputs[1].title
    for sheet in final.outputs[1:3]:              # the summary's header and the notice show the new notice
        assert "公示期 2026-10-09 至 2026-10-11" in sheet.title and "2026-09-26" not in sheet.title
        assert sheet.notice == (d(10, 9), d(10, 11)) and sheet.status == "正式"
    assert total(final.outputs[1], "H05") == 147
    res = vcompute.quarter_result(load(book), Q3)
    assert (res.final, res.notice_start, res.notice_end, res.meeting) == (True, d(10, 9), d(10, 11), None)


def test_a_correction_after_the_notice_began_keeps_the_period_pre_notice_C8():
    book = scenario_village()                                              # Q3 notice from 2026-10-09
    target = record_row(book, "H05", "W01", d(9, 18))                       # +3, counted in Q3
    number = book["评议记录"][target - 1][9]
    rev = add_record(book, d(10, 12), None, None, reverses=number, note="分值登记错误")
    q3 = run("quarter", book, quarter=(2026, 3))
    assert found(q3) == [("评议记录", rev, "日期", NOTICE)] and LATE in fresh(q3)[0].message
    assert total(q3.outputs[1], "H05") == 142                              # 145 − 3
    assert fresh(run("year", book, year=2026)) == []                     # the year's notice came later


def test_a_record_and_its_correction_both_after_the_notice_change_nothing_C8():
    book = early_q3_notice(scenario_village())
    late = add_record(book, d(9, 27), "H05", "E01")
    add_record(book, d(9, 29), None, None, reverses=book["评议记录"][late - 1][9])
    result = run("quarter", book, quarter=(2026, 3))
    assert fresh(result) == [] and "正式" in result.outputs[1].title


def test_records_of_a_later_period_do_not_touch_an_earlier_notice_C8():
    # H08 E01 2026-10-15 is after Q3's notice (2026-10-09) but in Q4: Q3 stays final
    result = run("quarter", scenario_village(), quarter=(2026, 3))
    assert fresh(result) == [] and "正式" in result.outputs[1].title


def test_the_check_button_names_a_missing_meeting_and_changes_after_a_notice_V11_C8():
    assert fresh(run("check", scenario_village())) == []
    book = early_q3_notice(set_meeting(scenario_village(), None, None, None, None))
    late = add_record(book, d(9, 27), "H05", "E01")
    result = run("check", book)
    assert result.exit_code == 0
    assert found(result) == [("评议记录", late, "日期", NOTICE), ("公示记录", YEAR_ROW, "审议日期", NOTICE)]
