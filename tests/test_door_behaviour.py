"""Workbook behaviour, the same through every door (issue #13): the class scenario of
WORKBOOKS.md through `compute`, `jifen` on a file and the xlwings button (the ``door``
fixture, tests/doors.py). The expected values are those of test_cli_school / test_village,
which check the file door in more detail."""
from __future__ import annotations

from datetime import date

import pytest

from contract import scenario_class, write_xlsx


@pytest.fixture
def book(tmp_path):
    return write_xlsx(tmp_path / "班级.xlsx", scenario_class())


def test_week_summary_and_self_study(door, book):
    run = door.run(book, "week", week="2026-09-09")
    assert run.code == 0
    rows = run.sheets["周汇总"]
    assert rows[0][:7] == ["周开始", "学号", "姓名", "加分", "减分", "净分", "累计总分"]
    assert {r[1]: r[2:7] for r in rows[1:]} == {"1001": ["张三", 1, 7, -6, 79], "1002": ["李四", 1, 3, -2, 78],
                                                 "1003": ["王五", 1, 0.5, 0.5, 80.5], "1005": ["钱七", 1, 1, 0, 85]}
    assert all(r[0] == date(2026, 9, 7) for r in rows[1:])
    assert {r[1]: r[3] for r in run.rows("上自习名单")} == {"1001": "旷操旷课 1次", "1002": "迟到 3次"}


def test_default_week_is_the_latest_logged(door, book):
    run = door.run(book, "week")
    assert [r[1:] for r in run.rows("上自习名单")] == [["1002", "李四", "迟到 2次（本周 1 次，另有上周超出限额顺延的 1 次）"]]


def test_month_report_and_parent_meetings(door, book):
    run = door.run(book, "month", month="2026-09")
    assert run.code == 0
    rep = {r[1]: r for r in run.rows("月报")}
    assert rep["1002"][3:8] == [3, 4, -1, 79, 3]
    assert run.rows("家长约谈") == [["2026-09", "1001", "张三", 79, 7]]


def test_semester_awards(door, book):
    run = door.run(book, "awards")
    assert run.sheets["学期奖励"][0][:5] == ["名次", "学号", "姓名", "总分", "奖项"]
    assert [r[:5] for r in run.rows("学期奖励")] == [
        [1, "1005", "钱七", 85, "一等奖"], [2, "1003", "王五", 80.5, "二等奖"],
        [3, "1001", "张三", 79, "三等奖"], [3, "1002", "李四", 79, "三等奖"]]


def test_input_errors_write_only_the_check_sheet(door, tmp_path):
    sheets = scenario_class()
    sheets["日志"] = sheets["日志"] + [[date(2026, 9, 9), "1001", None, "ZZ9"]]
    book = write_xlsx(tmp_path / "坏.xlsx", sheets)
    run = door.run(book, "week")
    assert run.code == 1
    assert [r[2:5] for r in run.errors()] == [["代码", "ZZ9", "规则表中没有这个代码"]]
    assert "周汇总" not in run.sheets
