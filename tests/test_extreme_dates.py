"""Dates at and past the end of Excel's calendar (issue #23 case 11): 2958465.9999999 is
9999-12-31 23:59:59.99, the last instant Excel shows. Every door answers with a located 错误
(sheet, row, column), never an internal error or an HTTP 500; years are held to 1900–2100
like typed dates, so no later day's arithmetic can overflow."""
from __future__ import annotations

import shutil
import warnings
from datetime import date, datetime

import openpyxl
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from jifen_xl import serve
from jifen_xl.cli import main as cli_main
from jifen_xl.core import normalize as nz
from jifen_xl.core.problems import ERROR
from serve_helpers import request_sheets

TOKEN = "test-token"
AUTH = {serve.TOKEN_HEADER: TOKEN}
LAST = 2958465.9999999          # Excel's largest serial plus a fraction

# (workbook, sheet, header of a date column or 设置 key, command)
DATE_CELLS = [
    ("班级积分-示例.xlsx", "日志", "日期", "week"),
    ("班级积分-示例.xlsx", "设置", "学期开始", "awards"),
    ("乡村积分-示例.xlsx", "评议记录", "日期", "quarter"),
    ("乡村积分-示例.xlsx", "公示记录", "公示开始", "year"),
    ("乡村积分-示例.xlsx", "公示记录", "上报日期", "check"),
    ("积分台账-示例.xlsx", "申报", "申报日期", "ledger"),
    ("积分台账-示例.xlsx", "兑换记录", "日期", "passbook"),
]


@pytest.fixture(scope="module")
def client():
    with TestClient(serve.create_app(TOKEN, 39800), base_url="http://127.0.0.1:39800") as c:
        yield c


def _target(grid: list[list], label: str) -> tuple[int, int, str]:
    """(row index, column index, column header) of the first data cell of ``label``: a
    column header, or a 设置 key (its 值 cell)."""
    head = grid[0]
    if label in head:
        return 1, head.index(label), label
    ki, vi = head.index("项目"), head.index("值")
    return next(r for r in range(1, len(grid)) if grid[r][ki] == label), vi, "值"


def test_serial_conversion_never_passes_the_last_day():
    assert serve._serial_date(LAST) == datetime(9999, 12, 31, 23, 59, 59, 991000)
    assert serve._serial_date(2958465.999999999) == datetime(9999, 12, 31, 23, 59, 59, 999000)
    assert serve._serial_date(45000.9999999999).date() == date(2023, 3, 15)     # same day as the file door
    assert serve._serial_date(2958466) == 2958466 and serve._serial_date(0.5) == 0.5     # not Excel dates


@pytest.mark.parametrize("value", [datetime(9999, 12, 31, 23, 59, 59), date(9999, 12, 31), date(1, 1, 1),
                                   datetime(1899, 12, 31)])
def test_real_dates_outside_the_years_are_refused(value):
    with pytest.raises(ValueError, match="年份"):
        nz.to_date(value)
    assert nz.to_date(date(2100, 12, 31))[0] == date(2100, 12, 31)


@pytest.mark.parametrize("value", [99999, 0, -5, 1e9, "1e308", 2026.5, "abc", True])
def test_years_outside_1900_2100_are_refused(value):
    with pytest.raises(ValueError, match="年度"):
        nz.to_year(value)


def test_year_spellings():
    assert nz.to_year("2026年")[0] == nz.to_year(2026)[0] == nz.to_year("２０２６")[0] == 2026


@pytest.mark.parametrize("book, sheet, label, command", DATE_CELLS)
@pytest.mark.parametrize("value", [LAST, 2958465.5, 2958465, "9999-12-31", "9999-12-31T23:59:59"])
def test_service_answers_a_located_error_for_the_last_dates(client, demo_dir, book, sheet, label, command, value):
    sheets = request_sheets(demo_dir / book)
    r, c, column = _target(sheets[sheet], label)
    sheets[sheet][r][c] = value
    resp = client.post(f"/v1/run/{command}", json={"sheets": sheets, "options": {"all": True}
                                                   if command == "passbook" else {}}, headers=AUTH)
    assert resp.status_code == 200, resp.text
    answer = resp.json()
    assert answer["exit_code"] == 1
    located = [p for p in answer["problems"] if p["级别"] == ERROR and p["工作表"] == sheet
               and p["行"] == r + 1 and p["列"] == column]
    assert located and "年份 9999" in located[0]["问题"], answer["problems"][:3]


def _dated_book(demo_dir, tmp_path, book: str, sheet: str, label: str):
    """A copy of a demo workbook with ``LAST`` typed into the cell, formatted as a date (as
    Excel keeps it: a serial number with a date format)."""
    path = tmp_path / book
    shutil.copy(demo_dir / book, path)
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    grid = [[c.value for c in row] for row in ws.iter_rows()]
    r, c, column = _target(grid, label)
    cell = ws.cell(r + 1, c + 1)
    cell.value = LAST
    cell.number_format = "yyyy-mm-dd hh:mm"
    wb.save(path)
    return path, r + 1, column


@pytest.mark.parametrize("book, sheet, label, command", [DATE_CELLS[0], DATE_CELLS[3], DATE_CELLS[5]])
def test_every_door_answers_a_located_error(door, demo_dir, tmp_path, book, sheet, label, command):
    path, row, column = _dated_book(demo_dir, tmp_path, book, sheet, label)
    run = door.run(path, command, **({"all": True} if command == "passbook" else {}))
    assert run.code == 1
    located = [e for e in run.errors() if e[0] == sheet and e[1] == row and e[2] == column]
    assert located, run.errors()[:3]


@pytest.mark.parametrize("argv", [["year", "乡村积分-示例.xlsx", "--year", "99999"],
                                  ["year", "乡村积分-示例.xlsx", "--year", "0"],
                                  ["week", "班级积分-示例.xlsx", "--week", "9999-12-31"]])
def test_options_beyond_the_years_are_usage_errors(demo_dir, tmp_path, capsys, argv):
    shutil.copy(demo_dir / argv[1], tmp_path / argv[1])
    argv = [argv[0], str(tmp_path / argv[1]), *argv[2:]]
    assert cli_main(argv) == 2
    assert "年" in capsys.readouterr().err
