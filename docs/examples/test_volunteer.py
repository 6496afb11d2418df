"""志愿服务积分 through every door (the ``door`` fixture: compute, `jifen`, the xlwings button,
the local service): the example scheme of docs/adding-a-scheme.md, on its own blank template
filled the way a clerk fills it.

名册 Z001 王芳, Z002 李强, Z003 张敏 (在册 否), Z004 刘洋; 规则 from the template: V01 1,
V02 1.5, V04 2 points an hour. By hand (积分 = 小时 × 每小时积分):
  Z001  V01 2 h → 2,   V04 1.5 h → 3     5    (2 services, 3.5 h)
  Z002  V02 3 h → 4.5, V01 0.5 h → 0.5   5    (2 services, 3.5 h)
  Z003  V01 2 h: no longer 在册 → a 提示, not counted, not ranked
  Z004  V02 1 h → 1.5                    1.5
ranks (C-4, ties share the best rank): Z001 1, Z002 1, Z004 3.
"""
from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from jifen_xl.app import detect_scheme
from jifen_xl.book.reader import workbook_sheet_names
from jifen_xl.templates import build_template

ROSTER = [["Z001", "王芳", "青年服务队", "是"], ["Z002", "李强", "党员服务队", None],
          ["Z003", "张敏", "巾帼服务队", "否"], ["Z004", "刘洋", "青年服务队", "是"]]
RECORDS = [[date(2026, 3, 1), "Z001", "王芳", "V01", 2], [date(2026, 3, 1), "Z002", "李强", "V02", 3],
           [date(2026, 3, 8), "Z001", None, "V04", 1.5], [date(2026, 3, 8), "Z003", "张敏", "V01", 2],
           [date(2026, 3, 15), "Z002", "李强", "V01", 0.5], [date(2026, 3, 15), "Z004", "刘洋", "V02", 1]]


def filled(path, records=RECORDS):
    build_template("volunteer", path)
    book = openpyxl.load_workbook(path)
    for row in ROSTER:
        book["名册"].append(row)
    for row in records:
        book["记录"].append(row)
    book.save(path)
    return path


@pytest.fixture
def book(tmp_path):
    return filled(tmp_path / "志愿服务积分.xlsx")


def test_the_template_is_detected_as_a_volunteer_workbook(tmp_path):
    names = workbook_sheet_names(build_template("volunteer", tmp_path / "空白.xlsx"))
    assert {"名册", "规则", "记录"} <= set(names) and detect_scheme(names) == "volunteer"


def test_ranking_by_points(door, book):
    run = door.run(book, "volunteer")
    assert run.code == 0
    assert run.sheets["志愿积分排名"] == [
        ["名次", "编号", "姓名", "服务队", "服务次数", "服务小时", "积分"],
        [1, "Z001", "王芳", "青年服务队", 2, 3.5, 5], [1, "Z002", "李强", "党员服务队", 2, 3.5, 5],
        [3, "Z004", "刘洋", "青年服务队", 1, 1, 1.5]]
    assert run.rows("校验") == [["记录", 5, "编号", "Z003", "张敏已不在册，这条记录不计入", "提示"]]


def test_input_errors_write_only_the_check_sheet(door, tmp_path):
    records = RECORDS + [[date(2026, 3, 20), "Z001", "王芳", "V09", 1],     # no such rule
                         [date(2026, 3, 21), "Z004", "刘洋", "V01", 20],
                         [date(2026, 3, 21), "Z004", "刘洋", "V05", 5]]     # 25 hours in one day
    run = door.run(filled(tmp_path / "坏.xlsx", records), "volunteer")
    assert run.code == 1 and "志愿积分排名" not in run.sheets
    assert [r[:5] for r in run.errors()] == [
        ["记录", 8, "代码", "V09", "规则表中没有这个代码"],
        ["记录", 10, "小时", "25", "刘洋 2026-03-21 的服务合计 25 小时，超过 24 小时"]]
