"""Issue #15, village side: `公示记录` and finality (C-8, V-8), notices that add up (V-8),
declarations (V-9), corrections (C-9). The scenario is tests/village_fixtures.py (hand
arithmetic in tests/test_village.py); its `公示记录` records every notice as ended and
reported, so tests of the earlier steps take rows or dates out."""
from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest

from contract import raw_sheets, write_xlsx
from village_fixtures import TODAY, d, record_row, scenario_village, set_status, unreport
from jifen_xl.app import ACTIONS
from jifen_xl.core.periods import quarter, year
from jifen_xl.core.problems import ERROR, NOTICE
from jifen_xl.schemes.village import checks as vchecks, compute as vcompute, model as vg, render as vrender

Q3, Y = quarter(2026, 3), year(2026)
RECORD_HEADER = scenario_village()["评议记录"][0]


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("JIFEN_TODAY", TODAY)       # 2027-02-01: every recorded notice has ended


def load(book):
    return vchecks.load(raw_sheets(book))


def run(command, book, **opts):
    return ACTIONS[(command, "village")].compute(raw_sheets(book), opts)


def by_id(sheet):
    i = sheet.columns.index("户号")
    return {r[i]: dict(zip(sheet.columns, r)) for r in sheet.rows}


def located(result, level=ERROR):
    return [(p.sheet, p.row, p.column) for p in result.problems if p.level == level]


def posted(book, label, start, end=None, reported=None):
    """The clerk posted the notice of ``label`` (replacing the scenario's row)."""
    rows = [r for r in book["公示记录"] if r[0] != label]
    book["公示记录"] = rows + [[label, start, end, reported, None]]
    return book


# ---- notice dates come from 公示记录 (V-8) --------------------------------------------------------

def test_notice_without_record_has_blank_date_lines_V8():
    book = scenario_village()
    del book["公示记录"]
    result = run("quarter", book, quarter=(2026, 3))
    assert result.exit_code == 0
    notice = next(o for o in result.outputs if o.name == "公示-2026Q3")
    i = notice.columns.index("公示开始")
    assert {(r[i], r[i + 1]) for r in notice.rows} == {(None, None)}   # never dates from the records
    assert "公示期 　　年　　月　　日 至 　　年　　月　　日" in notice.title
    assert "2026-09-28" not in notice.title                            # the latest record's date


def test_notice_dates_from_record_and_default_end_V8():
    book = posted(scenario_village(), "2026Q3", "2026-10-09")          # 公示结束 empty: + 3 − 1
    _, notice = vrender.quarter_outputs(load(book), Q3)
    i = notice.columns.index("公示开始")
    assert (notice.rows[0][i], notice.rows[0][i + 1]) == (date(2026, 10, 9), date(2026, 10, 11))
    book = posted(scenario_village(), "2026Q3", d(10, 9), d(10, 15))   # a longer notice as recorded
    _, notice = vrender.quarter_outputs(load(book), Q3)
    assert "公示期 2026-10-09 至 2026-10-15" in notice.title


@pytest.mark.parametrize("row, column, fragment", [
    (["2026Q5", d(10, 9), None, None, None], "期次", "2026Q3"),
    (["2026Q3", d(10, 9), None, None, None], "期次", "重复"),        # C-8: a new notice starts on a new day
    (["2026Q4", d(9, 25), None, None, None], "公示开始", "早于"),
    (["2026Q4", date(2027, 1, 5), date(2027, 1, 2), None, None], "公示结束", "早于公示开始"),
    (["2026Q4", date(2027, 1, 5), None, date(2027, 1, 7), None], "上报日期", "公示期满"),
    (["2026Q4", None, None, None, "还没贴"], "公示开始", "公示开始"),
])
def test_notice_log_checks_V8(row, column, fragment):
    book = scenario_village()
    book["公示记录"] = [book["公示记录"][0], ["2026Q3", d(10, 9), None, d(10, 16), None], row]
    problems = [p for p in load(book).problems if p.sheet == "公示记录"]
    assert [(p.row, p.column, p.level) for p in problems] == [(3, column, ERROR)]
    assert fragment in problems[0].message


# ---- finality (C-8, V-6, V-8) ---------------------------------------------------------------------

def test_without_record_everything_is_pre_notice_and_there_is_no_star_list_C8():
    book = scenario_village()
    del book["公示记录"]
    q = run("quarter", book, quarter=(2026, 3))
    y = run("year", book, year=2026)
    assert [o.name for o in y.outputs] == ["校验", "年度汇总-2026", "公示-2026", "分组统计-2026"]
    for o in q.outputs[1:] + y.outputs[1:]:
        assert "预公示" in o.title and "正式" not in o.title, o.name
    assert any("星级评定" in line and "正式结果后" in line for line in y.summary)


def test_final_refused_without_a_record_C8():
    book = scenario_village()
    del book["公示记录"]
    result = run("year", book, year=2026, final=True)
    assert result.exit_code == 1 and [o.name for o in result.outputs] == ["校验"]
    # V-11: the year's review meeting is missing too
    assert located(result) == [("公示记录", None, "期次"), ("公示记录", None, "审议日期")]
    assert "新建" in next(p.message for p in result.problems if p.level == ERROR)   # an older workbook


def test_final_refused_while_the_notice_has_not_ended_C8(monkeypatch):
    book = unreport(scenario_village(), "2026")          # posted 2027-01-05, ends 2027-01-07
    monkeypatch.setenv("JIFEN_TODAY", "2027-01-07")      # the last day of the notice
    result = run("year", book, year=2026, final=True)
    assert result.exit_code == 1 and [o.name for o in result.outputs] == ["校验"]
    assert located(result) == [("公示记录", 6, "公示结束")]
    assert "2027-01-07" in next(p for p in result.problems if p.level == ERROR).message
    monkeypatch.setenv("JIFEN_TODAY", "2027-01-08")      # the day after: ended
    result = run("year", book, year=2026, final=True)
    assert result.exit_code == 0
    assert [o.name for o in result.outputs] == ["校验", "年度汇总-2026", "星级评定-2026", "公示-2026", "分组统计-2026"]
    assert all("正式" in o.title for o in result.outputs[1:4])


def test_clock_never_enters_an_output_C8_C5(monkeypatch):
    book = unreport(scenario_village(), "2026")
    outputs = []
    for today in ("2027-01-08", "2031-06-30"):
        monkeypatch.setenv("JIFEN_TODAY", today)
        result = run("year", book, year=2026, final=True)
        outputs.append([(o.name, o.title, o.rows) for o in result.outputs])
    assert outputs[0] == outputs[1]


def test_final_refused_while_an_objection_is_open_C8_V6():
    book = unreport(scenario_village(), "2026")
    row = record_row(book, "H05", "W01", d(9, 18))
    set_status(book, row, "有异议")
    result = run("year", book, year=2026, final=True)
    assert result.exit_code == 1 and located(result) == [("评议记录", row, "状态")]
    assert "H05" in next(p for p in result.problems if p.level == ERROR).message
    set_status(book, row, "已驳回")                        # reviewed and rejected
    assert run("year", book, year=2026, final=True).exit_code == 0


def test_settings_cell_final_is_refused_the_same_way_C8():
    from jifen_xl import macros

    book = unreport(scenario_village(), "2026")
    book["设置"].append(["正式结果", "是"])
    set_status(book, record_row(book, "H05", "W01", d(9, 18)), "有异议")
    action = ACTIONS[("year", "village")]
    opts, problems = macros.options_from_settings(action, raw_sheets(book)["设置"])
    assert problems == [] and opts.get("final") is True
    assert action.compute(raw_sheets(book), opts).exit_code == 1


def test_reported_result_is_final_without_asking_and_the_same_any_day_C8(monkeypatch):
    book = scenario_village()                              # 2026 reported 2027-01-12
    first = run("year", book, year=2026)
    monkeypatch.setenv("JIFEN_TODAY", "2026-06-01")        # a wrong clock changes nothing
    again = run("year", book, year=2026)
    assert first.exit_code == again.exit_code == 0
    assert [(o.name, o.title, o.rows) for o in first.outputs] == [(o.name, o.title, o.rows) for o in again.outputs]
    assert "星级评定-2026" in [o.name for o in first.outputs]


def test_reported_with_an_open_objection_stays_pre_notice_C8():
    book = scenario_village()
    row = record_row(book, "H05", "W01", d(9, 18))
    set_status(book, row, "有异议")
    result = run("year", book, year=2026)
    assert result.exit_code == 0 and "星级评定-2026" not in [o.name for o in result.outputs]
    assert located(result, NOTICE)[-1] == ("评议记录", row, "状态")


def test_final_notes_records_left_unconfirmed_V6():
    book = unreport(scenario_village(), "2026")
    set_status(book, record_row(book, "H12", "W01", d(11, 5)), "公示中")
    result = run("year", book, year=2026, final=True)
    assert result.exit_code == 0
    assert any(p.level == NOTICE and "1 条初评或公示中" in p.message for p in result.problems)


def test_town_rollup_says_pre_notice_until_final_C8(tmp_path, monkeypatch):
    from jifen_xl.rollup import export as ex

    final = write_xlsx(tmp_path / "一.xlsx", scenario_village())
    posted = write_xlsx(tmp_path / "二.xlsx", unreport(scenario_village(), "2026"))
    monkeypatch.setenv("JIFEN_TODAY", "2027-01-06")      # the year's notice runs 01-05 … 01-07
    assert "（正式）" in ex.extract(final).summary[-1]
    assert "（预公示）" in ex.extract(posted).summary[-1]
    monkeypatch.setenv("JIFEN_TODAY", "2027-01-08")
    assert "（正式）" in ex.extract(posted).summary[-1]


def test_final_without_asking_once_the_notice_has_ended_C8(monkeypatch):
    """Every record decided, no objection: the result is final once the recorded notice has
    ended — the clock only holds it back while the notice runs."""
    book = unreport(scenario_village(), "2026")
    monkeypatch.setenv("JIFEN_TODAY", "2027-01-07")
    running = run("year", book, year=2026)
    assert running.exit_code == 0 and "星级评定-2026" not in [o.name for o in running.outputs]
    assert all("预公示" in o.title for o in running.outputs[1:])
    monkeypatch.setenv("JIFEN_TODAY", "2027-01-08")
    ended = run("year", book, year=2026)
    assert "星级评定-2026" in [o.name for o in ended.outputs]
    assert all("正式" in o.title for o in ended.outputs[1:4])


def test_ended_notice_with_undecided_records_stays_pre_notice_C8_V6():
    book = unreport(scenario_village(), "2026")
    set_status(book, record_row(book, "H12", "W01", d(11, 5)), "公示中")
    result = run("year", book, year=2026)
    assert result.exit_code == 0 and "星级评定-2026" not in [o.name for o in result.outputs]
    assert any(p.level == NOTICE and "公示期已满" in p.message and "1 条" in p.message for p in result.problems)


# ---- notices add up (V-8) -------------------------------------------------------------------------

@pytest.mark.parametrize("final", [False, True])
def test_notice_shows_five_categories_that_add_up_to_the_total_V8(final):
    data = load(scenario_village())
    quarter_notice = vrender.quarter_outputs(data, Q3, final)[1]
    year_notice = vrender.year_outputs(data, Y, final)[-1]
    for notice, total in ((quarter_notice, "累计总分"), (year_notice, "年度总分")):
        for r in by_id(notice).values():
            assert sum(r[c] for c in vg.CATEGORIES) == r[total]
    # the household of the audit (0 / 0 / 142) now shows where its 142 comes from: H05 in Q3
    h05 = by_id(quarter_notice)["H05"]
    assert [h05[c] for c in ("环境整治本季", "文明新风本季", *vg.CATEGORIES, "累计总分")] == \
        [2, 3, 20, 20, 42, 43, 20, 145]


# ---- declarations (V-9) ------------------------------------------------------------------------------

def _declared(book, panel, proof, status="初评"):
    book["评议记录"].append([d(12, 11), "H14", "D01", None, panel, status, "申报", proof, None, 99, None])
    return book


def test_declaration_without_panel_does_not_count_even_provisionally_V9():
    book = _declared(unreport(scenario_village(), "2026"), None, "证书复印件")
    data = load(book)
    assert [p for p in data.problems if p.level == ERROR] == []
    note = [p for p in data.problems if p.row == len(book["评议记录"])]
    assert [(p.column, p.level) for p in note] == [("评议小组", NOTICE)]
    assert by_id(vrender.year_outputs(data, Y, False)[0])["H14"]["年度总分"] == 139     # not 141
    verified = _declared(unreport(scenario_village(), "2026"), "甲", "证书复印件")
    assert by_id(vrender.year_outputs(load(verified), Y, False)[0])["H14"]["年度总分"] == 141


def test_declaration_without_evidence_is_an_error_V9():
    book = _declared(scenario_village(), "甲", None)
    errors = [(p.row, p.column) for p in load(book).problems if p.level == ERROR]
    assert errors == [(len(book["评议记录"]), "证明材料")]


# ---- corrections (C-9) -------------------------------------------------------------------------------

def test_reversal_cancels_an_invalid_record_C9():
    book = scenario_village()
    book["评议记录"].append([d(8, 1), "H99", "E01", None, "甲", "已确认", "评议", None, None, 90, None])
    book["评议记录"].append([d(8, 2), None, None, None, None, None, None, None, "户号写错", 91, 90])
    data = load(book)
    assert [p for p in data.problems if p.level == ERROR] == []
    bad = len(book["评议记录"]) - 1
    assert [(p.column, p.level) for p in data.problems if p.row == bad] == [("户号", NOTICE)]


def test_default_quarter_ignores_a_later_reversal_row_C9():
    book = scenario_village()
    book["评议记录"].append([date(2027, 1, 4), None, None, None, None, None, None, None, "更正", 90, 1])
    data = load(book)
    assert [p for p in data.problems if p.level == ERROR] == []
    assert vcompute.resolve_quarter(data, None) == quarter(2026, 4)
    assert data.latest == d(12, 10)


# ---- the printed notice (V-8) -------------------------------------------------------------------------

def test_printed_notice_without_record_has_blank_dates_to_fill_by_hand_V8(tmp_path, capsys):
    from jifen_xl.cli import main

    if shutil.which("pdftotext") is None:
        pytest.skip("poppler (pdftotext) is not installed")
    book = scenario_village()
    del book["公示记录"]
    path = write_xlsx(tmp_path / "村.xlsx", book)
    assert main(["quarter", str(path), "--quarter", "2026Q3"]) == 0
    pdf = tmp_path / "公示.pdf"
    assert main(["print", str(path), "公示-2026Q3", "-o", str(pdf)]) == 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "预公示" in text and "2026年9月28日" not in text and "年" in text
    assert "公示期自" in "".join(text.split()) and "2026-09-28" not in text


def test_no_certificates_before_the_year_is_final_C8_V10(tmp_path, capsys):
    from jifen_xl.cli import main

    book = scenario_village()
    del book["公示记录"]
    path = write_xlsx(tmp_path / "村.xlsx", book)
    assert main(["year", str(path)]) == 0
    capsys.readouterr()
    for what in ("奖状", "星级评定-2026"):
        assert main(["print", str(path), what, "-o", str(tmp_path / "x.pdf")]) == 1
        assert "正式结果" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
