"""Dorm inspections, roles and streak bonuses (SPEC S-4, S-5, S-6, S-2, C-6).

Workbooks are built from the WORKBOOKS.md headers (not from our template code). The
acceptance week is 2026-09-07 (Mon) … 2026-09-13 (Sun); every expected value is computed
by hand in the comments.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jifen_xl.core.table import RawSheet
from jifen_xl.schemes.school import dorms, exams  # noqa: F401  (register derived sources)
from jifen_xl.schemes.school import model as sc

SETTINGS_H = ["项目", "值"]
ROSTER_H = ["学号", "姓名", "职务", "宿舍", "小组", "在籍"]
RULES_H = ["代码", "类别", "事项", "分值", "最低分值", "最高分值", "班干部加倍", "限额组", "周限额", "顺延", "负责人", "备注"]
LOG_H = ["日期", "对象", "姓名", "代码", "事项", "次数", "分值", "记录人", "备注"]
INSPECT_H = ["日期", "宿舍", "项目", "结果", "值日生", "责任人"]
GRADING_H = ["项目", "结果", "角色", "分值", "类别", "班干部加倍", "限额组", "周限额", "顺延"]
EXAM_H = ["考试", "日期", "学号", "语文", "数学", "总分"]

SETTINGS = [["班级", "高一（3）班"], ["学期开始", date(2026, 9, 1)], ["学期结束", date(2027, 1, 22)],
            ["周起始", "周一"]]
# 14 students; cadres (non-empty 职务) have base 85 and double deductions where the row says so.
ROSTER = [
    ["S01", "张伟", "班长、宿舍长", "301", "1", "是"],
    ["S02", "李强", "", "301", "1", "是"],
    ["S03", "王磊", "", "301", "1", "是"],
    ["S04", "赵军", "", "301", "2", "是"],
    ["S05", "陈静", "宿舍长", "302", "2", "是"],
    ["S06", "刘洋", "", "302", "2", "是"],
    ["S07", "杨敏", "", "302", "3", "是"],
    ["S08", "黄丽", "", "302", "3", "是"],
    ["S09", "周杰", "宿舍长", "303", "3", "是"],
    ["S10", "吴涛", "", "303", "4", "是"],
    ["S11", "徐明", "", "303", "4", "是"],
    ["S12", "孙超", "", "303", "4", "是"],
    ["S13", "胡平", "", "", "5", "是"],
    ["S14", "朱刚", "", "", "5", "是"],
]
# the source's values as WORKBOOKS.md lists them for the template (S-4, S-6)
GRADING = [
    ["就寝", "不合格", "值日生", -1, "其他", "是", "就寝", 1, "是"],
    ["就寝", "不合格", "宿舍长", -1, "其他", "是", "就寝", 1, "是"],
    ["就寝", "不合格", "责任人", -3, "其他", "是", "就寝", 1, "是"],
    ["就寝", "不合格", "其他成员", -0.5, "其他", "是", None, None, None],
    ["值日", "不合格", "责任人", -3, "卫生劳动", "否", "宿舍不合格", 2, "是"],
    ["值日", "不合格", "值日生", 0, "卫生劳动", "否", "宿舍不合格", 2, "是"],
    ["值日", "合格", "责任人", -1, "卫生劳动", "否", "宿舍合格", 5, "是"],
    ["值日", "合格", "值日生", 0, "卫生劳动", "否", "宿舍合格", 5, "是"],
    ["值日", "优秀", "值日生", 1, "卫生劳动", "否", None, None, None],
    ["值日", "特优", "值日生", 3, "卫生劳动", "否", None, None, None],
    ["被子", "不合格", "责任人", -1, "其他", "是", "被子", 2, "是"],
]
RULES = [
    ["X21", "学习", "作业优秀", 0.5, None, None, "否", None, None, None, "课代表", ""],
    ["Q01", "其他", "宿舍就寝不合格（当天值日生）", -1, None, None, "是", "就寝", 1, "是", "宿舍长", ""],
    ["W04", "卫生劳动", "宿舍值日合格（责任人）", -1, None, None, "否", "宿舍合格", 5, "是", "宿舍长", ""],
]
# The acceptance week.
INSPECTIONS = [
    [date(2026, 9, 7), "301", "值日", "特优", "李强", None],          # S02 值日生 +3
    [date(2026, 9, 8), "301", "值日", "特优", "S03", None],           # S03 (by 学号) +3
    [date(2026, 9, 9), "301", "值日", "合格", "赵军", "赵军"],         # S04 one role: 责任人 −1 (not 值日生 0 too)
    [date(2026, 9, 10), "301", "值日", "特优", "张伟", None],          # S01 +3 (additions never doubled)
    [date(2026, 9, 10), "301", "就寝", "不合格", "李强", "王磊"],      # S02 −1, S03 −3, 宿舍长 S01 −1×2, S04 −0.5
    [date(2026, 9, 7), "302", "值日", "优秀", "刘洋", None],          # S06 +1
    [date(2026, 9, 9), "302", "值日", "特优", "杨敏", None],          # S07 +3
    [date(2026, 9, 11), "302", "值日", "优秀", "黄丽", None],         # S08 +1
    [date(2026, 9, 11), "302", "就寝", "不合格", "陈静", "刘洋"],      # S05 值日生 and 宿舍长: one role (值日生 wins the tie) −1 ×2 = −2;
]                                                                    # S06 −3; S07, S08 −0.5
# 301: 特优, 特优, 合格, 特优 → not 全优 (the 合格 breaks it), but 3 特优 → +1 each member.
# 302: 优秀, 特优, 优秀 → 全优 → +1 each member; one 特优 only. 303: no inspection → nothing.


def raw(name, header, rows, start=2):
    return RawSheet(name, list(header), [list(r) + [None] * (len(header) - len(r)) for r in rows],
                    list(range(start, start + len(rows))))


def book(inspections=INSPECTIONS, grading=GRADING, log=(), exam_rows=(), settings=SETTINGS, roster=ROSTER,
         rules=RULES):
    sheets = {
        "设置": raw("设置", SETTINGS_H, settings),
        "名册": raw("名册", ROSTER_H, roster),
        "规则": raw("规则", RULES_H, rules),
        "日志": raw("日志", LOG_H, list(log)),
        "宿舍检查": raw("宿舍检查", INSPECT_H, list(inspections)),
        "宿舍评分": raw("宿舍评分", GRADING_H, grading),
    }
    if exam_rows:
        sheets["考试"] = raw("考试", EXAM_H, list(exam_rows))
    return sheets


def errors(data):
    return [p for p in data.problems if p.level == "错误"]


def points_of(data, sid, start=date(2026, 9, 7), end=date(2026, 9, 13)):
    e = data.entries
    e = e[(e["sid"] == sid) & (e["date"] >= start) & (e["date"] <= end) & ~e["cancelled"]]
    return sorted(zip(e["item"], e["points"]))


def weekly(data, when=date(2026, 9, 7)):
    week, study = sc.week_outputs(data, sc.resolve_week(data, when))
    rows = {r[1]: r for r in week.rows}
    return rows, {r[1]: r[3] for r in study.rows}


def test_acceptance_week_per_student_points():
    """S-4 roles, S-2 cadre doubling of 就寝, S-5 streaks, S-6 就寝 limit — by hand."""
    data = sc.load(book(log=[[date(2026, 9, 14), "S10", None, "X21"]]))   # data reaches next Monday
    assert errors(data) == []
    rows, study = weekly(data)
    # 加分, 减分, 净分, 累计总分 (base 85 for cadres S01/S05/S09, else 80)
    expect = {
        "S01": (4, 2, 2, 87),              # +3 特优 +1 三特优; 宿舍长 −1 ×2 (cadre, 就寝 doubled)
        "S02": (4, 1, 3, 83),              # +3 +1; 值日生 −1
        "S03": (4, 3, 1, 81),              # +3 +1; 责任人 −3
        "S04": (1, Decimal("1.5"), Decimal("-0.5"), Decimal("79.5")),   # +1; 合格责任人 −1, 其他成员 −0.5
        "S05": (1, 2, -1, 84),             # +1 全优; 值日生+宿舍长 → one role −1 ×2
        "S06": (2, 3, -1, 79),             # +1 优秀 +1 全优; 责任人 −3
        "S07": (4, Decimal("0.5"), Decimal("3.5"), Decimal("83.5")),
        "S08": (2, Decimal("0.5"), Decimal("1.5"), Decimal("81.5")),
        "S09": (0, 0, 0, 85),              # dorm 303 had no inspection: no bonus
        "S10": (0, 0, 0, 80),              # the 9/14 作业优秀 is next week
    }
    for sid, (add, ded, net, cum) in expect.items():
        assert tuple(rows[sid][3:7]) == (add, ded, net, cum), sid
    # 就寝 limit 1 (S-6): everyone who lost a 就寝 point with a limit group — not 其他成员
    assert study == {sid: "就寝不合格 1次" for sid in ("S01", "S02", "S03", "S05", "S06")}
    assert points_of(data, "S01") == sorted([
        ("宿舍301值日特优（值日生）", 300), ("宿舍301就寝不合格（宿舍长）", -200), ("宿舍301周三特优", 100)])
    assert points_of(data, "S05") == sorted([("宿舍302就寝不合格（值日生）", -200), ("宿舍302周全优", 100)])
    # bonus entries are dated the week's last day and name their source
    bonus = data.entries[data.entries["code"] == "宿舍:周三特优"]
    assert set(bonus["date"]) == {date(2026, 9, 13)} and set(bonus["source"]) == {"宿舍检查"}
    assert sorted(bonus["sid"]) == ["S01", "S02", "S03", "S04"]


def test_detail_shows_dorm_source():
    data = sc.load(book())
    rows, _ = weekly(data)
    assert "宿舍301就寝不合格（宿舍长）（班干部×2） -2[宿舍检查]" in rows["S01"][7]


def test_zero_point_rows_count_toward_limit_groups():
    """S-6: 值日 合格 值日生 is a 0-point row that still counts toward 宿舍合格 (limit 5)."""
    ins = [[date(2026, 9, 7 + i), "301", "值日", "合格", "李强", "赵军"] for i in range(5)]
    data = sc.load(book(inspections=ins))
    rows, study = weekly(data)
    assert rows["S02"][3:6] == [0, 0, 0]                 # 值日生: 0 points, five counts
    assert rows["S04"][3:6] == [0, 5, -5]                # 责任人: −1 × 5
    assert study == {"S02": "宿舍值日仅评合格 5次", "S04": "宿舍值日仅评合格 5次"}


def test_month_bonus_and_provisional_marking():
    """S-5 monthly 全优, dated the month's last day; a period not over by the latest date in
    the data is marked （暂计）."""
    data = sc.load(book())
    latest_week = data.entries[data.entries["code"] == "宿舍:周全优"]
    assert set(latest_week["item"]) == {"宿舍302周全优（暂计）"}     # data ends 9/11 < 9/13
    month = data.entries[data.entries["code"] == "宿舍:月全优"]
    assert sorted(month["sid"]) == ["S05", "S06", "S07", "S08"]      # 302 only (301 had a 合格)
    assert set(month["date"]) == {date(2026, 9, 30)}
    assert set(month["item"]) == {"宿舍302月全优（暂计）"}
    data = sc.load(book(log=[[date(2026, 10, 8), "S10", None, "X21"]]))
    assert set(data.entries[data.entries["code"] == "宿舍:月全优"]["item"]) == {"宿舍302月全优"}
    mo = {r[1]: r for r in sc.month_outputs(data, sc.resolve_month(data, (2026, 9)))[0].rows}
    assert mo["S05"][3:6] == [2, 2, 0]    # September: +1 周全优 +1 月全优, −2 就寝


def test_no_duty_inspection_no_bonus_and_only_duty_counts():
    """S-5: only 值日 inspections count; 就寝/被子 results neither make nor break a streak."""
    ins = [[date(2026, 9, 8), "303", "就寝", "不合格", "吴涛", "徐明"],
           [date(2026, 9, 8), "301", "值日", "优秀", "李强", None],
           [date(2026, 9, 9), "301", "被子", "不合格", None, "李强"]]
    data = sc.load(book(inspections=ins))
    assert errors(data) == []
    codes = data.entries.groupby("sid")["code"].apply(set)
    assert "宿舍:周全优" not in codes["S10"]
    assert "宿舍:周全优" in codes["S02"] and "宿舍:月全优" in codes["S02"]
    # 被子 不合格 责任人 −1, not doubled for a non-cadre; 其他成员 of 303 −0.5, 宿舍长 S09 −1×2
    assert points_of(data, "S09") == [("宿舍303就寝不合格（宿舍长）", -200)]
    assert ("宿舍301被子不合格（责任人）", -100) in points_of(data, "S02")


def test_settings_change_streak_values():
    data = sc.load(book(settings=SETTINGS + [["周三特优加分", 2], ["周全优加分", 0]]))
    assert set(data.entries[data.entries["code"] == "宿舍:周三特优"]["points"]) == {200}
    assert (data.entries["code"] == "宿舍:周全优").sum() == 0


def test_week_start_setting():
    """S-8: with weeks starting on Wednesday, 301's 9/7–9/8 特优 fall in the week before
    (9/2–9/8) and 9/9 合格 + 9/10 特优 in 9/9–9/15: no three 特优 anywhere."""
    data = sc.load(book(settings=SETTINGS[:3] + [["周起始", "周三"]]))
    assert (data.entries["code"] == "宿舍:周三特优").sum() == 0
    # 302: 9/7 优秀 alone in its week → 全优 dated 9/8; 9/9 特优 + 9/11 优秀 → 全优 dated 9/15
    dates = sorted(set(data.entries[(data.entries["code"] == "宿舍:周全优")]["date"]))
    assert dates == [date(2026, 9, 8), date(2026, 9, 15)]


def test_limit_groups_merge_with_rules():
    """S-6: a 宿舍评分 group with the same name as a 规则 group must have the same threshold."""
    grading = [list(r) for r in GRADING]
    grading[0][7] = 2                              # 就寝 limit 2 vs 规则 Q01 limit 1
    data = sc.load(book(grading=grading))
    bad = [p for p in errors(data) if p.sheet == "宿舍评分"]
    assert len(bad) == 1 and bad[0].row == 2 and bad[0].column == "周限额"
    assert "规则表第3行" in bad[0].message
    data = sc.load(book())
    assert data.limit_groups["就寝"].limit == 1 and data.limit_groups["被子"].limit == 2


@pytest.mark.parametrize("row, column, fragment", [
    ([date(2026, 9, 7), "309", "值日", "优秀", "李强", None], "宿舍", "名册中没有宿舍“309”"),
    ([date(2026, 9, 7), "301", "值日", "优秀", "陈静", None], "值日生", "不是宿舍“301”的成员"),
    ([date(2026, 9, 7), "301", "值日", "合格", "李强", "S05"], "责任人", "不是宿舍“301”的成员"),
    ([date(2026, 9, 7), "301", "值日", "优秀", "李雷", None], "值日生", "名册中没有这个姓名或学号"),
    ([date(2026, 9, 7), "301", "卫生", "优秀", "李强", None], "项目", "项目只能填"),
    ([date(2026, 9, 7), "301", "值日", "良好", "李强", None], "结果", "结果只能填"),
    ([date(2026, 9, 7), "301", "值日", "优秀", None, None], "值日生", "请填写值日生"),
    ([date(2027, 3, 1), "301", "值日", "优秀", "李强", None], "日期", "日期不在本学期内"),
])
def test_inspection_checks(row, column, fragment):
    """C-6: each bad 宿舍检查 row is one located 错误."""
    data = sc.load(book(inspections=[row]))
    errs = errors(data)
    assert len(errs) == 1, errs
    p = errs[0]
    assert (p.sheet, p.row, p.column) == ("宿舍检查", 2, column) and fragment in p.message


def test_duplicate_inspection_and_grading_problems():
    data = sc.load(book(inspections=INSPECTIONS[:1] * 2))
    assert [(p.row, "重复" in p.message) for p in errors(data)] == [(3, True)]
    grading = GRADING + [["值日", "优秀", "值日生", 2, "卫生劳动", "否", None, None, None],
                         ["值日", "优秀", "班长", 2, "卫生劳动", "否", None, None, None]]
    data = sc.load(book(grading=grading))
    assert [(p.row, p.column) for p in errors(data)] == [(13, "角色"), (14, "角色")]


def test_missing_grading_sheet_is_reported():
    sheets = book()
    del sheets["宿舍评分"]
    data = sc.load(sheets)
    assert any(p.sheet == "宿舍评分" and "缺少工作表" in p.message for p in errors(data))


def test_inactive_and_headless_dorm_are_notices():
    roster = [list(r) for r in ROSTER]
    roster[2][5] = "否"                # 王磊 left
    roster[8][2] = ""                  # 303 has no 宿舍长 (周杰 no longer a cadre either)
    ins = [[date(2026, 9, 10), "301", "就寝", "不合格", "李强", "王磊"],
           [date(2026, 9, 10), "303", "就寝", "不合格", "吴涛", "徐明"]]
    data = sc.load(book(inspections=ins, roster=roster))
    assert errors(data) == []
    notes = [(p.row, p.column) for p in data.problems if p.level == "提示" and p.sheet == "宿舍检查"]
    assert notes == [(2, "责任人"), (3, "宿舍")]
    assert "S03" not in set(data.entries["sid"])
    # 303 without a head: 周杰 is an 其他成员 now (−0.5, not a cadre)
    assert points_of(data, "S09") == [("宿舍303就寝不合格（其他成员）", -50)]


def test_data_as_of_is_the_latest_entered_date_never_a_bonus_date():
    """Issue #23 case 7: the 302 月全优（暂计） is dated 09-30, but the data end on 09-11 (the
    last inspection): 数据截至 says 09-11, and the week's as-of too."""
    data = sc.load(book())
    assert date(2026, 9, 30) in set(data.entries["date"])            # the bonus is there …
    month = sc.month_outputs(data, sc.resolve_month(data, (2026, 9)))[0]
    assert month.as_of == date(2026, 9, 11)                           # … but not the data's end
    assert "数据截至 2026-09-11" in month.title
    week = sc.week_outputs(data, sc.resolve_week(data, date(2026, 9, 7)))[0]
    assert week.as_of == date(2026, 9, 11)
    assert sc.data_end(data) == date(2026, 9, 11)


def test_a_bonus_dated_at_the_semester_end_does_not_close_the_semester():
    """A month running past 学期结束 dates its bonus on the last day: that is no entry on it."""
    settings = [r if r[0] != "学期结束" else ["学期结束", date(2026, 9, 20)] for r in SETTINGS]
    data = sc.load(book(settings=settings))
    assert date(2026, 9, 20) in set(data.entries["date"])            # 月全优 dated at the end
    final, why = sc.awards_final(data)
    assert not final and "2026-09-11" in why
