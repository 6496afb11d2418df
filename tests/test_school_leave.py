"""请假 (SPEC S-13, issue #26 item 1), hand-computed on tests/school_book.py.

请假: row 2 李四 1002 2026-09-08～09-09 (病假, 班主任); row 3 张三 1001 2026-09-10 (one day, 班长).
日志 (week 2026-09-07…13), Excel rows:
  2  09-08 1002 X03 旷课 −5        on leave (请假 row 2), rule 请假免扣 → not counted, 提示
  3  09-09 1002 X02 迟到 −1        on leave, but 迟到 is not 请假免扣 → counts
  4  09-10 1002 X03 旷课 −5        leave ended 09-09 → counts
  5  09-10 1001 Q06 不跑操 −2×2     on leave (row 3) → not counted, 提示
  6  09-11 1001 Q06 不跑操 −2×2     → −4
  7  09-10 1001 T20 集体活动缺席     on leave → 0 instead of −1×2, 提示
  8  09-10 1003 T20 集体活动缺席     no leave → −1
  9  09-10 全班 T18 参与者 +1       1002, 1003, 1004 +1; 张三 on leave → skipped, 提示
Week: 1001 (85) 减 4 → 81; 1002 (80) 加 1 减 6 → 75; 1003 加 1 减 1 → 80; 1004 (85) 加 1 → 86.
Self-study: 1001 旷操旷课 1次 (Q06 on the 11th), 1002 旷操旷课 1次 (X03 on the 10th).
Without the 请假 sheet: 1001 减 8 + 2 = 10 and 旷操旷课 2次; 1002 减 11, 旷操旷课 2次.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from contract import raw_sheets, write_xlsx
from school_book import book, log_row
from jifen_xl.cli import main
from jifen_xl.core.periods import week_of
from jifen_xl.core.problems import ERROR, NOTICE
from jifen_xl.schemes.school import leave as leave_checks
from jifen_xl.schemes.school import model as sc

d = date
WEEK = week_of(d(2026, 9, 9))
LEAVE = [[d(2026, 9, 8), d(2026, 9, 9), 1002, "病假", "班主任"],
         [d(2026, 9, 10), None, 1001, "事假", "班长"]]
LOG = [log_row(d(2026, 9, 8), 1002, "X03"),
       log_row(d(2026, 9, 9), 1002, "X02"),
       log_row(d(2026, 9, 10), 1002, "X03"),
       log_row(d(2026, 9, 10), 1001, "Q06", recorder="体育委员"),
       log_row(d(2026, 9, 11), 1001, "Q06", recorder="体育委员"),
       log_row(d(2026, 9, 10), 1001, "T20", recorder="文艺委员"),
       log_row(d(2026, 9, 10), 1003, "T20", recorder="文艺委员"),
       log_row(d(2026, 9, 10), "全班", "T18", recorder="文艺委员", note="中秋晚会")]


def load(leave=LEAVE, log=LOG):
    return sc.load(raw_sheets(book(log, leave)))


def week(data):
    weekly, study = sc.week_outputs(data, WEEK)
    totals = {r[1]: tuple(r[3:7]) for r in weekly.rows}
    return totals, {r[1]: r[3] for r in study.rows}


def test_leave_excuses_only_rules_marked_and_only_on_its_days():
    data = load()
    assert [p for p in data.problems if p.level == ERROR] == []
    totals, study = week(data)
    assert totals == {"1001": (0, 4, -4, 81), "1002": (1, 6, -5, 75),
                      "1003": (1, 1, 0, 80), "1004": (1, 0, 1, 86)}
    assert study == {"1001": "旷操旷课 1次", "1002": "旷操旷课 1次"}


def test_without_leave_every_deduction_counts():
    totals, study = week(load(leave=None))
    assert totals["1001"] == (1, 10, -9, 76)
    assert totals["1002"] == (1, 11, -10, 70)
    assert study == {"1001": "旷操旷课 2次", "1002": "旷操旷课 2次"}


def test_each_excused_row_is_a_notice_naming_the_leave_row():
    notes = [p for p in load().problems if p.sheet == "日志" and p.column == "对象"]
    assert [(p.row, p.level) for p in notes] == [(2, NOTICE), (5, NOTICE), (7, NOTICE), (9, NOTICE)]
    assert "请假表第2行" in notes[0].message and "旷课一节" in notes[0].message
    assert notes[0].message.startswith("李四当天已请假")
    assert all("请假表第3行" in p.message for p in notes[1:])
    assert notes[3].message.startswith("张三") and notes[3].value == "全班"


def test_collective_activity_absence_with_leave_is_zero_not_minus_one():
    e = load().entries
    t20 = e[e["code"] == "T20"]
    assert dict(zip(t20["sid"], t20["points"])) == {"1003": -100}     # 1001 excused: no entry
    t18 = e[e["code"] == "T18"]
    assert sorted(t18["sid"]) == ["1002", "1003", "1004"]


def test_leave_with_a_date_column_and_a_one_day_range():
    sheets = book([log_row(d(2026, 9, 8), 1002, "X03")])
    sheets["请假"] = [["日期", "学号", "事由", "批准人"], [d(2026, 9, 8), 1002, "看病", "班主任"]]
    data = sc.load(raw_sheets(sheets))
    assert [p for p in data.problems if p.level == ERROR] == []
    assert len(data.entries) == 0
    assert data.leave.on("1002", d(2026, 9, 8)).row == 2
    assert data.leave.on("1002", d(2026, 9, 9)) is None


def test_leave_rows_are_validated_with_sheet_row_and_column():
    bad = [[d(2026, 9, 8), None, 9999, "病假", "班主任"],             # row 2: unknown 学号
           [d(2026, 9, 9), d(2026, 9, 8), 1002, "病假", "班主任"],    # row 3: 结束 before 开始
           [d(2026, 9, 8), None, 1003, "事假", None],                 # row 4: no 批准人
           [None, d(2026, 9, 8), 1003, "事假", "班长"],               # row 5: no 开始
           [d(2026, 9, 8), None, None, "事假", "班长"],               # row 6: no 学号
           ["九月八号", None, 1004, "事假", "班长"]]                  # row 7: unreadable date
    probs = sorted((p for p in load(leave=bad).problems if p.sheet == "请假"), key=lambda p: p.row)
    assert [(p.row, p.column, p.level) for p in probs] == [
        (2, "学号", ERROR), (3, "结束", ERROR), (4, "批准人", ERROR), (5, "开始", ERROR), (6, "学号", ERROR),
        (7, "开始", ERROR)]
    assert probs[0].message.startswith("名册中没有这个学号")
    assert "早于" in probs[1].message and "批准人" in probs[2].message


def test_leave_checks_are_named_and_ordered():
    assert leave_checks.LEAVE_CHECKS[0] is leave_checks.check_leave_student_present
    assert all(c.__name__.startswith("check_") and c.__doc__ for c in leave_checks.LEAVE_CHECKS)


def test_a_leave_typed_without_leading_zeros_still_matches():
    sheets = book([log_row(d(2026, 9, 8), "01002", "X03")])
    sheets["名册"][2][0] = "01002"
    sheets["请假"] = [["开始", "结束", "学号", "事由", "批准人"], [d(2026, 9, 8), None, 1002, "病假", "班主任"]]
    data = sc.load(raw_sheets(sheets))
    assert [p for p in data.problems if p.level == ERROR] == []
    assert len(data.entries) == 0         # excused


def test_leave_through_the_command_line_keeps_the_leave_sheet(tmp_path):
    path = write_xlsx(tmp_path / "班级.xlsx", book(LOG, LEAVE))
    assert main(["week", str(path), "--week", "2026-09-09"]) == 0
    import python_calamine as pc
    wb = pc.CalamineWorkbook.from_path(str(path))
    assert wb.get_sheet_by_name("请假").to_python()[1][2] in (1002, 1002.0)
    weekly = {r[1]: r for r in wb.get_sheet_by_name("周汇总").to_python()[1:]}
    assert weekly["1002"][6] == 75
    check = wb.get_sheet_by_name("校验").to_python()
    assert sum(1 for r in check[1:] if "请假表第" in r[4]) == 4
    assert Decimal(str(weekly["1001"][6])) == 81


def test_overlapping_leave_rows_are_a_notice_and_the_first_row_is_named():
    rows = LEAVE + [[d(2026, 9, 9), d(2026, 9, 11), 1002, "复查", "班主任"]]       # row 4
    data = load(leave=rows)
    over = [p for p in data.problems if p.sheet == "请假"]
    assert [(p.row, p.column, p.level) for p in over] == [(4, "开始", NOTICE)]
    assert "与第2行的请假日期重叠" in over[0].message
    assert data.leave.on("1002", d(2026, 9, 9)).row == 2 and data.leave.on("1002", d(2026, 9, 10)).row == 4
    totals, _ = week(data)
    # on leave on the 10th now: its 旷课 and the evening's +1 are excused; the 迟到 of the 9th stays
    assert totals["1002"] == (0, 1, -1, 79)


def test_a_blank_or_missing_leave_column_follows_the_rule_wording():
    """S-13: 请假免扣 blank (or a 规则 sheet from before the column) = 是 for a deduction whose
    事项 names an absence without leave (旷课, 旷操, 无故…, 不请假…, 假条, 随便出入); an
    explicit 否 keeps it counted; 迟到 and additions are never excused by default."""
    sheets = book(LOG, LEAVE)
    header = sheets["规则"][0]
    col = header.index("请假免扣")
    for row in sheets["规则"][1:]:
        row[col] = None
    data = sc.load(raw_sheets(sheets))
    assert data.leave_codes == frozenset({"X03", "Q06", "T20"})      # T18 (+1) needs an explicit 是
    for row in sheets["规则"]:
        del row[col]
    assert sc.load(raw_sheets(sheets)).leave_codes == frozenset({"X03", "Q06", "T20"})
    sheets = book(LOG, LEAVE)
    next(r for r in sheets["规则"] if r[0] == "X03")[col] = "否"
    assert "X03" not in sc.load(raw_sheets(sheets)).leave_codes
