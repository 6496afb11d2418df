"""Issue #14, case 3: ids as people (and Excel) type them.

A numeric id matching exactly one zero-padded roster id (or the other way round) is
accepted with a 提示; codes and ids match ignoring case (提示); `代码 事项` — what the code
drop-down shows — is the code; an unknown id that is a roster name or one edit away from an
id gets "是不是 …？"."""
from __future__ import annotations

import copy

import pytest
import python_calamine as pc

from contract import raw_sheets, scenario_class, write_xlsx
from jifen_xl.cli import main
from jifen_xl.core.ids import IdMatcher, one_edit
from jifen_xl.core.problems import ERROR, NOTICE
from jifen_xl.schemes.ledger import render as lrender
from jifen_xl.schemes.school import model as sc
from jifen_xl.schemes.village import checks as vchecks
from village_fixtures import scenario_village


def padded_class() -> dict:
    """The contract class with 学号 typed as text 01001… in the roster."""
    book = scenario_class()
    for r in book["名册"][1:]:
        r[0] = f"0{r[0]}"
    return book


def weekly(path) -> dict:
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("周汇总").to_python()
    return {r[1]: r[2:7] for r in rows[1:]}


def test_numbers_match_zero_padded_roster_ids_with_a_notice(tmp_path, capsys):
    """Roster 01001 (text), log 1001 (a number, as Excel leaves it): same week as the
    contract scenario, one 提示 per such cell."""
    path = write_xlsx(tmp_path / "班级.xlsx", padded_class())
    assert main(["week", str(path), "--week", "2026-09-09"]) == 0
    got = weekly(path)
    assert got["01001"] == ["张三", 1, 7, -6, 79]
    assert got["01002"] == ["李四", 1, 3, -2, 78]
    out = capsys.readouterr().out
    assert "[提示] 日志 第2行 【对象】 值“1001”" in out and "01001" in out


def test_padded_ids_in_the_log_match_a_numeric_roster():
    book = scenario_class()
    for r in book["日志"][1:]:
        if isinstance(r[1], int):
            r[1] = f"00{r[1]}"
    data = sc.load(raw_sheets(book))
    assert not [p for p in data.problems if p.level == ERROR]
    notes = [p for p in data.problems if p.level == NOTICE and p.column == "对象"]
    assert notes and notes[0].value == "001001" and "1001" in notes[0].message


def test_ambiguous_padding_is_not_guessed():
    book = scenario_class()
    book["名册"].append(["01001", "张三丰", None, "303", "3", "是"])
    data = sc.load(raw_sheets(book))
    # 1001 is itself on the roster: exact match wins, no guess, no notice
    assert not [p for p in data.problems if p.level == NOTICE and p.column == "对象"]
    m = IdMatcher(["01001", "001001"])
    assert m.resolve("1001") == (None, None)


def test_codes_match_ignoring_case_with_a_notice():
    book = scenario_class()
    book["日志"][1][3] = "x02"
    data = sc.load(raw_sheets(book))
    assert not [p for p in data.problems if p.level == ERROR]
    notes = [p for p in data.problems if p.column == "代码" and p.level == NOTICE]
    assert [(n.row, n.value) for n in notes] == [(2, "x02")] and "X02" in notes[0].message
    # full-width and lower case together
    book["日志"][1][3] = "ｘ０２"
    data = sc.load(raw_sheets(book))
    assert not [p for p in data.problems if p.level == ERROR]


def test_code_with_its_item_is_the_code(tmp_path):
    """`X02 上课迟到` (the drop-down's text) counts as X02 without a notice; a wrong item is an error."""
    book = scenario_class()
    base = weekly(_week(tmp_path / "a.xlsx", copy.deepcopy(book)))
    for r in book["日志"][1:]:
        if r[3] == "X02":
            r[3] = "X02 上课迟到"
    assert weekly(_week(tmp_path / "b.xlsx", book)) == base
    data = sc.load(raw_sheets(book))
    assert not [p for p in data.problems if p.column == "代码"]
    book["日志"][1][3] = "X02 不交作业"
    data = sc.load(raw_sheets(book))
    errs = [p for p in data.problems if p.level == ERROR and p.column == "代码"]
    assert errs and "是不是 X02（上课迟到） 或 X07（不交作业）？" in errs[0].message


def _week(path, book):
    write_xlsx(path, book)
    assert main(["week", str(path), "--week", "2026-09-09"]) == 0
    return path


def test_a_name_where_the_id_belongs_gets_a_suggestion():
    book = scenario_class()
    book["日志"][1][1] = "张三"
    data = sc.load(raw_sheets(book))
    errs = [p for p in data.problems if p.level == ERROR]
    assert len(errs) == 1 and errs[0].column == "对象"
    assert "是不是 1001（张三）？" in errs[0].message


def test_one_edit_away_gets_a_suggestion():
    book = scenario_class()
    book["日志"][3][3] = "T10"            # T01 with two characters swapped
    data = sc.load(raw_sheets(book))
    errs = [p for p in data.problems if p.level == ERROR]
    assert len(errs) == 1 and "是不是 T01（旷操） 或 T11（参加运动会）？" in errs[0].message
    assert one_edit("10001", "1001") and one_edit("X2", "X02") and not one_edit("A1", "B2")


def test_exam_ids_are_matched_too():
    book = padded_class()
    book["考试"] = [["考试", "日期", "学号", "语文", "总分"],
                    ["九月月考", book["日志"][1][0], 1001, 90, 90],
                    ["九月月考", book["日志"][1][0], "张三", 80, 80]]
    data = sc.load(raw_sheets(book))
    found = {(p.row, p.level) for p in data.problems if p.sheet == "考试" and p.column == "学号" and p.row}
    assert found == {(2, NOTICE), (3, ERROR)}
    err = next(p for p in data.problems if p.sheet == "考试" and p.level == ERROR)
    assert "是不是 01001（张三）？" in err.message


def test_village_household_ids_and_codes():
    book = scenario_village()
    hid = book["评议记录"][1][1]
    code = book["评议记录"][1][2]
    head = next(r[1] for r in book["农户名册"][1:] if r[0] == hid)
    book["评议记录"][1][2] = code.lower()
    book["评议记录"][2][1] = head
    data = vchecks.load(raw_sheets(book))
    notes = [p for p in data.problems if p.level == NOTICE and p.column == "代码"]
    assert [(p.row, p.value) for p in notes] == [(2, code.lower())]
    errs = [p for p in data.problems if p.level == ERROR]
    assert len(errs) == 1 and errs[0].row == 3
    assert "是不是" in errs[0].message and head in errs[0].message


def test_ledger_account_ids_ignore_case():
    import test_ledger as tl

    book = tl.scenario()
    base = tl.load(book)
    book["申报"][1][1] = "a01"
    book["兑换记录"][1][1] = "a01"
    book["转移"][1][1] = "a06"
    data = tl.load(book)
    assert not tl.errors(data)
    notes = {(p.sheet, p.row) for p in data.problems if p.level == NOTICE and p.column == "账户号"}
    assert notes == {("申报", 2), ("兑换记录", 2), ("转移", 2)}
    assert [r for r in lrender.ranking_output(data).rows] == [r for r in lrender.ranking_output(base).rows]


@pytest.mark.parametrize("kind,checks", [
    ("class", {"名册": ["学号"], "日志": ["对象", "代码"], "考试": ["学号"]}),
    ("village", {"农户名册": ["户号"], "评议记录": ["户号", "代码"]}),
    ("ledger", {"账户": ["账户号"], "申报": ["账户号", "代码"], "兑换记录": ["账户号"], "转移": ["账户号"]}),
])
def test_templates_format_ids_as_text_and_list_codes_with_their_items(tmp_path, kind, checks):
    import openpyxl
    from openpyxl.utils import get_column_letter

    from jifen_xl.templates import TEMPLATES

    path = TEMPLATES[kind](tmp_path / f"{kind}.xlsx")
    wb = openpyxl.load_workbook(path)
    for sheet, cols in checks.items():
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        for col in cols:
            i = header.index(col) + 1      # adjacent columns of one style share a <col> range
            dims = [d for d in ws.column_dimensions.values() if d.min <= i <= d.max]
            assert dims and dims[0].number_format == "@", (sheet, col)
    rules = wb["规则"]
    header = [c.value for c in rules[1]]
    helper = get_column_letter(header.index("下拉显示") + 1)
    assert rules.column_dimensions[helper].hidden
    code, item = rules.cell(2, header.index("代码") + 1).value, rules.cell(2, header.index("事项") + 1).value
    # the stored result of the helper formula is "代码 事项" (calamine reads stored results)
    shown = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("规则").to_python()
    assert shown[1][header.index("下拉显示")] == f"{code} {item}"
    code_sheet = next(s for s, cols in checks.items() if "代码" in cols)
    ws = wb[code_sheet]
    sources = {str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    letter = get_column_letter([c.value for c in ws[1]].index("代码") + 1)
    assert sources[letter] == f"规则!${helper}$2:${helper}$501"
