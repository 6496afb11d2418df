"""日总结, the morning report (SPEC S-16, issue #26 item 4), hand-computed on tests/school_book.py.

日志, Excel rows (limits: 迟到 2 carried, 旷操旷课 1; 张三 1001 and 赵六 1004 are cadres, but
X02/X07 are not doubled and 全班 additions never are):
  2  09-07 1001 X02 −1
  3  09-09 1001 X02 −1            迟到 1 → 2 on 09-09: the limit is reached that day
  4  09-08 1002 X02 ×3 −3          迟到 0 → 3 on 09-08: reached on the 8th
  5  09-09 1002 X02 −1            already over the limit: nothing new on the 9th
  6  09-09 全班 T11 +1 运动会       1001, 1002, 1003, 1004 (孙七 is not enrolled)
  7  09-09 1003 Q16 −2 顶撞同学
  8  09-09 1004 X07 −1
  9  09-09 1004 X21 +0.5
 10  09-09 1003 X03 −5            旷操旷课 0 → 1: reached on the 9th
 11  09-09 1002 T20 −1            李四 on leave that day (请假 row 2): 请假免扣 → 0
请假 row 2: 1002 2026-09-09 病假, 班主任.
Day 09-09: 张三 −1 +1 = 0; 李四 −1 +1 (+0 excused) = 0 and on leave; 王五 +1 −2 −5 = −6;
赵六 +1 −1 +0.5 = 0.5; the class −5.5. 4 pupils with entries, 2 reached a limit, 1 on leave.
Day 09-08: 李四 上课迟到×3 −3, reaching 迟到 (3 of 2); the class −3.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal


from contract import raw_sheets
from school_book import book, log_row
from jifen_xl.schemes.school import actions
from jifen_xl.schemes.school import day as day_report
from jifen_xl.schemes.school import model as sc

d = date
LOG = [log_row(d(2026, 9, 7), 1001, "X02"),
       log_row(d(2026, 9, 9), 1001, "X02"),
       log_row(d(2026, 9, 8), 1002, "X02", count=3),
       log_row(d(2026, 9, 9), 1002, "X02"),
       log_row(d(2026, 9, 9), "全班", "T11", recorder="体育委员", note="运动会"),
       log_row(d(2026, 9, 9), 1003, "Q16", value=-2, recorder="班主任", note="顶撞同学"),
       log_row(d(2026, 9, 9), 1004, "X07", recorder="赵六"),
       log_row(d(2026, 9, 9), 1004, "X21", recorder="赵六"),
       log_row(d(2026, 9, 9), 1003, "X03"),
       log_row(d(2026, 9, 9), 1002, "T20", recorder="文艺委员")]
LEAVE = [[d(2026, 9, 9), None, 1002, "病假", "班主任"]]
LIMIT = "本周“{}”已达{}次（限额{}次），周日上自习"


def report(day=d(2026, 9, 9)):
    data = sc.load(raw_sheets(book(LOG, LEAVE)))
    assert data.problems and all(p.level == "提示" for p in data.problems)     # the excused T20
    (sheet,), lines = day_report.day_outputs(data, day)
    assert sheet.name == "日总结"
    assert sheet.columns == ["日期", "学号", "姓名", "事项", "分值", "当日净分", "备注"]
    assert all(r[0] == day for r in sheet.rows)
    return sheet, lines


def test_a_busy_day_with_limits_reached_and_a_leave():
    sheet, lines = report()
    assert [r[1:] for r in sheet.rows] == [
        ["1001", "张三", "上课迟到", -1, 0, LIMIT.format("迟到", 2, 2)],
        ["1001", "张三", "参加运动会", 1, 0, "运动会，全班"],
        ["1002", "李四", "上课迟到", -1, 0, ""],
        ["1002", "李四", "参加运动会", 1, 0, "运动会，全班"],
        ["1002", "李四", "集体活动不请假缺席", 0, 0, "请假免扣（请假表第2行）"],
        ["1002", "李四", "请假", None, 0, "病假，批准人 班主任（2026-09-09）"],
        ["1003", "王五", "参加运动会", 1, -6, "运动会，全班"],
        ["1003", "王五", "视情况加减分", -2, -6, "顶撞同学"],
        ["1003", "王五", "旷课一节", -5, -6, LIMIT.format("旷操旷课", 1, 1)],
        ["1004", "赵六", "参加运动会", 1, Decimal("0.5"), "运动会，全班"],
        ["1004", "赵六", "不交作业", -1, Decimal("0.5"), ""],
        ["1004", "赵六", "作业优秀", Decimal("0.5"), Decimal("0.5"), ""],
        ["", "全班", "当日全班合计", None, Decimal("-5.5"), "4人有加减分，2人当天达到周限额，1人请假"],
    ]
    assert sheet.title.startswith("测试班　9月9日（星期三） 日总结　全班当日净分 -5.5")
    assert lines == ["已生成 2026-09-09 日总结：4人有加减分，2人当天达到周限额，1人请假，全班当日净分 -5.5。"]
    assert (sheet.period, sheet.as_of, sheet.landscape) == ("2026-09-09", d(2026, 9, 9), False)


def test_the_day_a_limit_is_first_reached():
    sheet, _ = report(d(2026, 9, 8))
    assert [r[1:] for r in sheet.rows] == [
        ["1002", "李四", "上课迟到×3", -3, -3, LIMIT.format("迟到", 3, 2)],
        ["", "全班", "当日全班合计", None, -3, "1人有加减分，1人当天达到周限额"],
    ]


def test_a_limit_reached_through_carry_over_is_not_news_the_next_week():
    """李四's 迟到: 4 in week 09-07, 2 carried (S-7): he is on the next week's list from its
    first day, so one more on 09-15 reaches nothing that day."""
    log = LOG + [log_row(d(2026, 9, 15), 1002, "X02")]
    data = sc.load(raw_sheets(book(log, LEAVE)))
    (sheet,), _ = day_report.day_outputs(data, d(2026, 9, 15))
    assert [r[1:] for r in sheet.rows] == [
        ["1002", "李四", "上课迟到", -1, -1, ""],
        ["", "全班", "当日全班合计", None, -1, "1人有加减分"],
    ]


def test_a_quiet_day_still_gives_the_class_row():
    sheet, lines = report(d(2026, 9, 12))
    assert [r[1:] for r in sheet.rows] == [["", "全班", "当日全班合计", None, 0, "0人有加减分"]]


def test_the_default_day_is_the_latest_log_date():
    res = actions.day(raw_sheets(book(LOG, LEAVE)), {})
    assert res.exit_code == 0
    sheet = next(o for o in res.outputs if o.name == "日总结")
    assert sheet.rows[0][0] == d(2026, 9, 9) and sheet.rows[-1][5] == Decimal("-5.5")
    res = actions.day(raw_sheets(book(LOG, LEAVE)), {"date": d(2026, 9, 8)})
    assert next(o for o in res.outputs if o.name == "日总结").rows[-1][5] == -3


def test_jifen_day_writes_the_sheet_and_recomputes_to_the_same_bytes(tmp_path, capsys):
    import python_calamine as pc

    from contract import write_xlsx
    from jifen_xl.cli import main

    path = write_xlsx(tmp_path / "班级.xlsx", book(LOG, LEAVE))
    assert main(["day", str(path), "--date", "2026-09-08"]) == 0
    assert "已生成 2026-09-08 日总结：1人有加减分，1人当天达到周限额，全班当日净分 -3。" in capsys.readouterr().out
    first = path.read_bytes()
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("日总结").to_python()
    assert rows[0] == ["日期", "学号", "姓名", "事项", "分值", "当日净分", "备注"]
    assert rows[1][1:5] == ["1002", "李四", "上课迟到×3", -3]
    assert main(["day", str(path), "--date", "2026-09-08"]) == 0
    assert path.read_bytes() == first
    assert main(["day", str(path)]) == 0            # default: the latest log date, 09-09
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("日总结").to_python()
    assert rows[1][0] == date(2026, 9, 9) and rows[-1][5] == -5.5
