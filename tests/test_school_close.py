"""A teacher closes a semester whose last day has no log entry (issue #23 case 16, C-8,
S-11): `jifen awards --final` (the buttons: 设置 正式结果 是) after 学期结束 makes the award
list 正式; before, and on the last day itself, it is refused by the clock (JIFEN_TODAY stands
in for today) with a located 错误 and the 学期奖励 sheet is not written. The scenario's
学期结束 is 2026-09-30 and its log ends 2026-09-16."""
from __future__ import annotations

import pytest

from contract import raw_sheets, scenario_class, write_xlsx
from jifen_xl.cli import main
from jifen_xl.core.problems import ERROR
from jifen_xl.schemes.school import compute
from jifen_xl.schemes.school.read import load

SETTINGS_ROW = 4          # 学期结束 in the scenario's 设置 (Excel row)


@pytest.fixture
def book(tmp_path):
    return write_xlsx(tmp_path / "高一3班.xlsx", scenario_class())


def _status(run) -> set:
    rows = run.sheets["学期奖励"]
    return {r[rows[0].index("状态")] for r in rows[1:]}


@pytest.mark.parametrize("today", ["2026-09-16", "2026-09-30"])
def test_closing_before_the_semester_ends_is_refused(door, book, monkeypatch, today):
    monkeypatch.setenv("JIFEN_TODAY", today)
    run = door.run(book, "awards", final=True)
    assert run.code == 1
    (error,) = run.errors()
    assert error[:3] == ["设置", float(SETTINGS_ROW), "值"] or error[:3] == ["设置", SETTINGS_ROW, "值"]
    assert "2026-09-30 才结束" in error[4]
    assert "学期奖励" not in run.sheets


def test_closing_after_the_semester_ends_makes_the_list_final(door, book, monkeypatch):
    monkeypatch.setenv("JIFEN_TODAY", "2026-10-01")
    assert _status(door.run(book, "awards")) == {"暂定"}         # not asked: the data decide
    closed = door.run(book, "awards", final=True)
    assert closed.code == 0 and not closed.errors()
    assert _status(closed) == {"正式"}


def test_the_clock_never_enters_the_output(book, tmp_path, monkeypatch):
    """C-8: closed on two different days after the end, the same bytes."""
    import shutil

    outs = []
    for i, today in enumerate(["2026-10-01", "2027-03-15"]):
        monkeypatch.setenv("JIFEN_TODAY", today)
        copy = tmp_path / f"{i}.xlsx"
        shutil.copy(book, copy)
        assert main(["awards", str(copy), "--final"]) == 0
        outs.append(copy.read_bytes())
    assert outs[0] == outs[1]


def test_certificates_print_once_the_semester_is_closed_in_settings(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JIFEN_TODAY", "2026-10-01")
    book = scenario_class()
    book["设置"].append(["正式结果", "是"])
    path = write_xlsx(tmp_path / "班.xlsx", book)
    assert main(["print", str(path), "奖状", "-o", str(tmp_path / "奖状.pdf")]) == 0
    assert (tmp_path / "奖状.pdf").exists()
    monkeypatch.setenv("JIFEN_TODAY", "2026-09-30")
    assert main(["print", str(path), "奖状", "-o", str(tmp_path / "早.pdf")]) == 1
    assert not (tmp_path / "早.pdf").exists()


def test_a_log_that_reaches_the_end_needs_no_closing(monkeypatch):
    from datetime import date

    monkeypatch.setenv("JIFEN_TODAY", "2026-09-30")
    book = scenario_class()
    assert [p.level for p in compute.closing_refused(load(raw_sheets(book)), True)] == [ERROR]
    assert compute.closing_refused(load(raw_sheets(book)), False) == []
    book["日志"].append([date(2026, 9, 30), 1003, None, "X07", None, None, None, "x", None, 30, None])
    data = load(raw_sheets(book))
    assert compute.closing_refused(data, True) == [] and compute.awards_final(data, True) == (True, "")
