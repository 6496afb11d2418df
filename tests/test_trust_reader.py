"""Issue #14, cases 1 and 2: no silent defaults. A formula cell without a stored result and a
misspelt known header are 错误 (exit 1, nothing but 校验 written), never a wrong score."""
from __future__ import annotations

import copy
import zipfile

import pytest
import python_calamine as pc

from contract import scenario_class, write_xlsx
from jifen_xl.book.reader import WorkbookReader
from jifen_xl.cli import main
from jifen_xl.core.normalize import clean_text
from jifen_xl.core.table import RawSheet, header_key, header_problems, resembles
from village_fixtures import scenario_village


def write_with_formulas(path, sheets: dict[str, list[list]]):
    """openpyxl writes a string starting with '=' as a formula and stores no result for it —
    what scripts and tools that don't compute produce."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def check_rows(path) -> list[list]:
    book = pc.CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name("校验").to_python()


def errors_of(path) -> list[list]:
    return [r for r in check_rows(path)[1:] if r[5] == "错误"]


def sheet_names(path) -> list[str]:
    return pc.CalamineWorkbook.from_path(str(path)).sheet_names


def _set(book, sheet, row, col, value):
    header = book[sheet][0]
    book[sheet][row][header.index(col)] = value


@pytest.mark.parametrize("sheet,row,col,formula", [
    ("日志", 6, "次数", "=5"),          # 次数 =5 would count as 1
    ("设置", 5, "值", "=90"),           # 基础分 =90 would use 80
    ("名册", 4, "在籍", '="否"'),        # 在籍 ="否" would stay active
    ("名册", 1, "职务", '="班长"'),      # 职务 ="班长" would lose cadre status
])
def test_formula_without_stored_value_is_an_error(tmp_path, capsys, sheet, row, col, formula):
    book = scenario_class()
    _set(book, sheet, row, col, formula)
    path = write_with_formulas(tmp_path / "班级.xlsx", book)
    assert main(["week", str(path), "--week", "2026-09-09"]) == 1
    errs = errors_of(path)
    hit = [r for r in errs if r[0] == sheet and r[1] == row + 1 and r[2] == col]
    assert hit, errs
    assert "Excel" in hit[0][4] and "WPS" in hit[0][4] and "保存" in hit[0][4]
    assert "周汇总" not in sheet_names(path)
    out = capsys.readouterr().out
    assert f"{sheet} 第{row + 1}行 【{col}】" in out


def test_formula_in_a_users_own_column_is_fine(tmp_path):
    book = scenario_class()
    for i, r in enumerate(book["日志"]):
        r.append("老师备注" if i == 0 else f"=B{i + 1}&\"\"")
    path = write_with_formulas(tmp_path / "班级.xlsx", book)
    assert main(["week", str(path), "--week", "2026-09-09"]) == 0
    assert not errors_of(path)


def test_formula_with_stored_value_is_read(tmp_path):
    """XlsxWriter stores a result with each formula: such a cell reads as its value."""
    import xlsxwriter

    book = scenario_class()
    path = tmp_path / "班级.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    for name, rows in book.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if name == "日志" and r == 6 and book["日志"][0][c] == "次数":
                    ws.write_formula(r, c, "=1+2", None, 3)
                elif v is None:
                    continue
                elif hasattr(v, "isoformat"):
                    ws.write_datetime(r, c, v, wb.add_format({"num_format": "yyyy-mm-dd"}))
                elif isinstance(v, str):
                    ws.write_string(r, c, v)
                else:
                    ws.write_number(r, c, v)
    wb.close()
    with WorkbookReader(path) as reader:
        raw = reader.sheet("日志", book["日志"][0])
    assert raw.formula_cells == []
    assert raw.rows[5][raw.header.index("次数")] == 3


def test_formula_cells_are_located(tmp_path):
    path = write_with_formulas(tmp_path / "f.xlsx", {"日志": [["日期", "次数", "备注"], [None, "=5", "=1"],
                                                            [None, 2, "x"], [None, "=SUM(B2:B3)", None]]})
    with WorkbookReader(path) as reader:
        raw = reader.sheet("日志", ["日期", "次数"])
    assert sorted(raw.formula_cells) == [(2, 1), (2, 2), (4, 1)]


def test_village_roster_formula_is_an_error(tmp_path):
    book = scenario_village()
    _set(book, "农户名册", 1, "人口", "=2+1")
    path = write_with_formulas(tmp_path / "乡村.xlsx", book)
    assert main(["year", str(path)]) == 1
    assert any(r[0] == "农户名册" and r[2] == "人口" for r in errors_of(path))


def week_rows(path) -> list[list]:
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("周汇总").to_python()


# Issue #23: spellings equal to the template header once normalised are read (a 提示 says so);
# the others resembling it are an 错误 naming both. Never silently defaulted (次数 1).
READ = ["次數", "【次数】", "(次数)", "（次数）", "次数1", "次数（次）", "次 数", "次数(次)", "*次数", "次数：",
        "［次数］", "次数 2", "《次數》"]
REFUSED = ["数次", "Count", "count", "次", "数目", "TIMES", "次数次", "数 次"]


@pytest.mark.parametrize("typed", READ)
def test_normalised_spelling_of_a_header_is_read_with_a_notice(tmp_path, typed):
    exact = write_xlsx(tmp_path / "原样.xlsx", scenario_class())
    assert main(["week", str(exact), "--week", "2026-09-09"]) == 0
    book = scenario_class()
    book["日志"][0][book["日志"][0].index("次数")] = typed
    path = write_xlsx(tmp_path / "班级.xlsx", book)
    assert main(["week", str(path), "--week", "2026-09-09"]) == 0
    assert week_rows(path) == week_rows(exact)              # every count read as typed
    notes = [r for r in check_rows(path)[1:] if r[0] == "日志" and r[1] == 1]
    assert [(r[2], r[3], r[5]) for r in notes] == [("次数", clean_text(typed)[0], "提示")]
    assert f"按“次数”读取" in notes[0][4]


@pytest.mark.parametrize("typed", REFUSED)
def test_look_alike_header_is_an_error_naming_both(tmp_path, typed):
    book = scenario_class()
    book["日志"][0][book["日志"][0].index("次数")] = typed
    path = write_xlsx(tmp_path / "班级.xlsx", book)
    assert main(["week", str(path), "--week", "2026-09-09"]) == 1
    errs = errors_of(path)
    hit = [r for r in errs if r[0] == "日志" and r[1] == 1]
    assert hit, errs
    assert hit[0][2] == typed and f"“{typed}”" in hit[0][4] and "“次数”" in hit[0][4]
    assert "周汇总" not in sheet_names(path)


def test_two_spellings_of_one_missing_header_are_an_error(tmp_path):
    book = scenario_class()
    header = book["日志"][0]
    header[header.index("次数")] = "次數"
    for i, r in enumerate(book["日志"]):
        r.append("【次数】" if i == 0 else None)
    path = write_xlsx(tmp_path / "班级.xlsx", book)
    assert main(["week", str(path), "--week", "2026-09-09"]) == 1
    hit = [r for r in errors_of(path) if r[0] == "日志" and r[1] == 1]
    assert hit and "次數" in hit[0][4] and "【次数】" in hit[0][4] and "无法确定" in hit[0][4]


def test_traditional_headers_of_other_sheets_are_read(tmp_path):
    book = scenario_class()
    roster = book["名册"][0]
    roster[roster.index("学号")] = "學號"
    roster[roster.index("职务")] = "職務"
    path = write_xlsx(tmp_path / "班级.xlsx", book)
    exact = write_xlsx(tmp_path / "原样.xlsx", scenario_class())
    assert main(["week", str(path), "--week", "2026-09-09"]) == 0
    assert main(["week", str(exact), "--week", "2026-09-09"]) == 0
    assert week_rows(path) == week_rows(exact)


def test_other_extra_columns_are_fine(tmp_path):
    book = scenario_class()
    for i, r in enumerate(book["日志"]):
        r.append("班主任的话" if i == 0 else ("好" if r[0] else None))
    for i, r in enumerate(book["名册"]):
        r.append("家长电话" if i == 0 else None)
    path = write_xlsx(tmp_path / "班级.xlsx", book)
    assert main(["week", str(path), "--week", "2026-09-09"]) == 0
    assert not errors_of(path)


def test_resemblance_rules():
    assert header_key("次数（次）") == header_key("次 数") == header_key("次数") == "次数"
    assert header_key("次數") == header_key("【次数】") == header_key("(次数)") == header_key("次数1") == "次数"
    assert header_key("（次）") == "次"                 # brackets only round the whole header
    assert resembles("最低分值 ", "最低分值")
    assert resembles("证明材", "证明材料")          # one character off, long header
    assert resembles("数次", "次数") and resembles("Count", "次数")   # other order; a synonym
    assert resembles("分数", "分值")                 # a synonym (not one character off: too loose)
    assert not resembles("分类", "分值")
    assert not resembles("班主任的话", "备注")
    raw = RawSheet("日志", ["日期", "次数（次）", "家长电话"], [], [])
    probs = header_problems(raw, ["日期", "次数"])
    assert [p.column for p in probs] == ["次数（次）"]
    # the known header present: a look-alike next to it is the user's own column
    raw = RawSheet("日志", ["日期", "次数", "次数（次）"], [], [])
    assert header_problems(raw, ["日期", "次数"]) == []


def test_every_template_reads_without_header_errors(tmp_path):
    """The shipped templates must not trip the look-alike check on their own columns."""
    from jifen_xl.templates import TEMPLATES

    for kind, make in TEMPLATES.items():
        path = make(tmp_path / f"{kind}.xlsx")
        assert main(["check", str(path)]) in (0, 1)
        rows = check_rows(path)
        assert not [r for r in rows[1:] if "相近但不相同" in str(r[4]) or "没有保存公式" in str(r[4])], (kind, rows)


def test_exam_total_formula_without_value_is_an_error(tmp_path):
    book = scenario_class()
    book["考试"] = [["考试", "日期", "学号", "语文", "数学", "总分"],
                    ["九月月考", book["日志"][1][0], 1001, 90, 95, "=D2+E2"],
                    ["九月月考", book["日志"][1][0], 1002, 80, 85, 165]]
    path = write_with_formulas(tmp_path / "班级.xlsx", book)
    assert main(["exams", str(path)]) == 1
    assert [(r[0], r[1], r[2]) for r in errors_of(path)] == [("考试", 2, "总分")]
