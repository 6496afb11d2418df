"""上自习补充: the head teacher's own additions to the self-study list (SPEC S-15, issue #26
item 3), hand-computed on tests/school_book.py.

日志: 李四 1002 迟到 (X02) ×3 on 2026-09-08 → 迟到 3次 in week 09-07 (limit 2, 1 carried).
上自习补充, Excel rows:
  2  09-09 1003 就寝讲话         → week 09-07: 王五 "班主任：就寝讲话"
  3  09-11 1002 晚自习玩手机     → week 09-07: 李四 "迟到 3次；班主任：晚自习玩手机"
  4  09-16 1004 (no 原因)        → week 09-14: 赵六 "班主任查到"; week 09-14 also holds 李四
                                   "迟到 1次" only when the carry reaches the limit (it does not:
                                   1 carried < 2), so 赵六 alone
Bad rows: 9999 (not on 名册) and 2026-10-08 (outside the semester) are 错误; 孙七 (在籍 否) a 提示.
"""
from __future__ import annotations

from datetime import date

import python_calamine as pc
import pytest

from contract import raw_sheets, write_xlsx
from school_book import book, log_row
from jifen_xl.cli import main
from jifen_xl.core.periods import week_of
from jifen_xl.core.problems import ERROR, NOTICE
from jifen_xl.schemes.school import model as sc

d = date
LOG = [log_row(d(2026, 9, 8), 1002, "X02", count=3)]
ADDITIONS = [[d(2026, 9, 9), 1003, "就寝讲话"],
             [d(2026, 9, 11), 1002, "晚自习玩手机"],
             [d(2026, 9, 16), 1004, None]]


def study(data, day):
    _, sheet = sc.week_outputs(data, week_of(day))
    assert sheet.columns == ["周开始", "学号", "姓名", "原因"]
    return {r[1]: (r[0], r[2], r[3]) for r in sheet.rows}


def test_teacher_additions_join_their_own_week_only():
    data = sc.load(raw_sheets(book(LOG, additions=ADDITIONS)))
    assert data.problems == []
    assert study(data, d(2026, 9, 7)) == {
        "1002": (d(2026, 9, 7), "李四", "迟到 3次；班主任：晚自习玩手机"),
        "1003": (d(2026, 9, 7), "王五", "班主任：就寝讲话"),
    }
    assert study(data, d(2026, 9, 14)) == {"1004": (d(2026, 9, 14), "赵六", "班主任查到")}
    assert study(data, d(2026, 9, 21)) == {}


def test_teacher_additions_are_checked_like_records():
    bad = [[d(2026, 9, 9), 9999, "x"], [d(2026, 10, 8), 1003, "y"], [d(2026, 9, 9), 1005, "z"],
           [None, 1003, "no date"]]
    data = sc.load(raw_sheets(book(LOG, additions=bad)))
    probs = sorted((p for p in data.problems if p.sheet == "上自习补充"), key=lambda p: p.row)
    assert [(p.row, p.column, p.level) for p in probs] == [
        (2, "学号", ERROR), (3, "日期", ERROR), (4, "学号", NOTICE), (5, "日期", ERROR)]
    assert probs[0].message.startswith("名册中没有这个学号")
    assert "不在本学期内" in probs[1].message and "不在籍" in probs[2].message


def test_additions_survive_every_recompute_with_the_same_bytes(tmp_path):
    path = write_xlsx(tmp_path / "班级.xlsx", book(LOG, additions=ADDITIONS))
    for when in ("2026-09-14", "2026-09-07"):      # another week, then back
        assert main(["week", str(path), "--week", when]) == 0
    first = path.read_bytes()
    wb = pc.CalamineWorkbook.from_path(str(path))
    assert wb.get_sheet_by_name("上自习补充").to_python()[1:] == [
        [d(2026, 9, 9), 1003.0, "就寝讲话"], [d(2026, 9, 11), 1002.0, "晚自习玩手机"], [d(2026, 9, 16), 1004.0, ""]]
    listed = {r[1]: r[3] for r in wb.get_sheet_by_name("上自习名单").to_python()[1:]}
    assert listed == {"1002": "迟到 3次；班主任：晚自习玩手机", "1003": "班主任：就寝讲话"}
    assert main(["week", str(path), "--week", "2026-09-07"]) == 0
    assert path.read_bytes() == first


@pytest.mark.parametrize("sheets", [None, []])
def test_a_workbook_without_additions_is_as_before(sheets):
    data = sc.load(raw_sheets(book(LOG, additions=sheets)))
    assert study(data, d(2026, 9, 7)) == {"1002": (d(2026, 9, 7), "李四", "迟到 3次")}
