"""Issue #23 case 18: every problem of a row in one run (`jifen check` used to report only
the first error of a row, so each hidden one cost a rerun). Checks that rely on a cell that
failed do not run (no noise about a rule that is not there); a row with any 错误 still counts
nothing."""
from __future__ import annotations

from datetime import date

import python_calamine as pc

from contract import scenario_class, write_xlsx
from jifen_xl.cli import main
from village_fixtures import scenario_village


def problems_at(path, sheet: str, row: int) -> dict[str, str]:
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("校验").to_python()
    return {r[2]: r[4] for r in rows[1:] if r[0] == sheet and r[1] == row and r[5] == "错误"}


def test_a_log_row_reports_all_its_errors(tmp_path):
    book = scenario_class()
    # 日期 outside the semester, an unknown 学号, an unknown 代码: three errors, one row
    book["日志"][1][:5] = [date(2026, 10, 8), 9999, None, "ZZ9", None]
    path = write_xlsx(tmp_path / "班级.xlsx", book)
    assert main(["check", str(path)]) == 1
    got = problems_at(path, "日志", 2)
    assert set(got) == {"日期", "对象", "代码"}, got
    assert "不在本学期" in got["日期"] and "名册中没有" in got["对象"] and "规则表中没有" in got["代码"]


def test_a_log_row_with_a_wrong_item_and_a_bad_value(tmp_path):
    book = scenario_class()
    row = book["日志"][1]          # X02 上课迟到 for 1001
    row[4] = "作业未交"             # 事项 disagrees with the rule
    row[6] = 99                    # 分值 out of the rule's range
    row[1] = 9999                  # and an unknown 学号
    path = write_xlsx(tmp_path / "班级.xlsx", book)
    assert main(["check", str(path)]) == 1
    got = problems_at(path, "日志", 2)
    assert {"事项", "分值", "对象"} <= set(got), got


def test_a_blank_code_hides_nothing_else(tmp_path):
    book = scenario_class()
    book["日志"][1][1] = 9999      # unknown 学号
    book["日志"][1][3] = None      # blank 代码 (and 事项 filled: no rule to compare with)
    path = write_xlsx(tmp_path / "班级.xlsx", book)
    assert main(["check", str(path)]) == 1
    got = problems_at(path, "日志", 2)
    assert set(got) == {"代码", "对象"}, got


def test_a_village_record_reports_all_its_errors(tmp_path):
    book = scenario_village()
    rec = book["评议记录"][1]
    rec[1] = "H99"          # unknown 户号
    rec[2] = "ZZ9"          # unknown 代码
    rec[5] = "已完成"        # not a status
    rec[6] = "上报"          # not a source
    path = write_xlsx(tmp_path / "村.xlsx", book)
    assert main(["check", str(path)]) == 1
    got = problems_at(path, "评议记录", 2)
    assert set(got) == {"户号", "代码", "状态", "来源"}, got


def test_a_village_record_with_an_unreadable_date_still_reports_the_rest(tmp_path):
    book = scenario_village()
    rec = book["评议记录"][1]
    rec[0] = "三月十五"      # not a date
    rec[2] = "ZZ9"
    path = write_xlsx(tmp_path / "村.xlsx", book)
    assert main(["check", str(path)]) == 1
    got = problems_at(path, "评议记录", 2)
    assert {"日期", "代码"} <= set(got), got


def test_a_clean_row_still_counts_and_an_erroneous_one_never(tmp_path):
    from jifen_xl.core.table import RawSheet  # noqa: F401  (the in-memory path of the same checks)
    from contract import raw_sheets
    from jifen_xl.schemes.school.read import load

    book = scenario_class()
    book["日志"][1][1] = 9999
    data = load(raw_sheets(book))
    assert 2 not in set(data.entries["row"])                 # the erroneous row counts nothing
    assert 3 in set(data.entries["row"])                     # the next one still does


def test_a_transfer_reports_all_its_errors():
    from test_ledger import load, scenario

    sheets = scenario()
    sheets["转移"][1] = [date(2026, 6, 1), "A06", "李庄", "李庄"]     # wrong 原村, and no move at all
    data = load(sheets)
    got = {p.column for p in data.problems if p.sheet == "转移" and p.row == 2 and p.level == "错误"}
    assert got == {"原村", "新村"}, data.problems
