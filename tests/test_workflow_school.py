"""Issue #15, school side: corrections that work (C-9), the shipped catalogue's last
divergences from the source (S-2, S-6, 优秀值日班长 once a week), provisional results (C-8,
S-11). Workbooks are built from WORKBOOKS.md headers (tests/contract.py); the shipped
catalogue is read from the committed template, as a teacher gets it."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from contract import LOG_HEADER, raw_sheets, scenario_class
from jifen_xl.book.reader import WorkbookReader
from jifen_xl.core.periods import week_of
from jifen_xl.core.problems import ERROR, NOTICE
from jifen_xl.schemes.school import model as sc

TEMPLATE = Path(__file__).parent.parent / "workbook_templates" / "班级积分.xlsx"
NUMBER, REVERSAL = LOG_HEADER.index("编号"), LOG_HEADER.index("冲正")


def load(book):
    return sc.load(raw_sheets(book))


def errors(data):
    return [p for p in data.problems if p.level == ERROR]


def log_row(d, target, code, number, *, count=None, value=None, recorder="x", note=None, reverses=None):
    return [d, target, None, code, None, count, value, recorder, note, number, reverses]


def by_id(sheet, col="学号"):
    i = sheet.columns.index(col)
    return {r[i]: dict(zip(sheet.columns, r)) for r in sheet.rows}


# ---- C-9: a 冲正 row cancels the row it names, whatever that row's problems -------------------

@pytest.mark.parametrize("bad_row, fragment", [
    (log_row(date(2026, 9, 9), 1003, "ZZ9", 20), "规则表中没有这个代码"),           # unknown code
    (log_row(date(2026, 9, 9), 9999, "X02", 20), "名册中没有这个学号"),             # unknown student
    (log_row("2026-13-45", 1003, "X02", 20), ""),                                   # unreadable date
    (log_row(date(2026, 9, 9), 1003, "X02", 20, count="两次"), ""),                 # bad count
])
def test_reversal_cancels_an_invalid_row_C9(bad_row, fragment):
    book = scenario_class()
    book["日志"] += [bad_row, log_row(date(2026, 9, 9), None, None, 21, note="写错了", reverses=20)]
    data = load(book)
    assert errors(data) == []
    bad = len(book["日志"]) - 1          # Excel row of the invalid row (header is row 1)
    notes = [p for p in data.problems if p.row == bad]
    assert len(notes) == 1 and notes[0].level == NOTICE       # its errors become one 提示
    assert f"第{bad + 1}行冲正" in notes[0].message and fragment in notes[0].message
    # the pair counts zero: the week is the hand-computed one of tests/test_school.py
    weekly, _ = sc.week_outputs(data, week_of(date(2026, 9, 9)))
    assert by_id(weekly)["1003"]["减分"] == 0.5


def test_invalid_row_without_reversal_is_still_an_error_C6():
    book = scenario_class()
    book["日志"].append(log_row(date(2026, 9, 9), 1003, "ZZ9", 20))
    assert [p.column for p in errors(load(book))] == ["代码"]


def test_reversed_valid_row_stays_visible_and_counts_zero_C9():
    book = scenario_class()
    book["日志"] += [log_row(date(2026, 9, 9), 1003, "X02", 20),
                    log_row(date(2026, 9, 9), None, None, 21, reverses=20)]
    data = load(book)
    assert errors(data) == []
    weekly, _ = sc.week_outputs(data, week_of(date(2026, 9, 9)))
    row = by_id(weekly)["1003"]
    assert row["减分"] == 0.5 and "已冲正，不计" in row["明细"]


def test_corrected_re_entry_is_not_a_duplicate_of_the_reversed_row_C9():
    book = scenario_class()
    wrong = log_row(date(2026, 9, 9), 1003, "X02", 20, count=3)
    again = log_row(date(2026, 9, 9), 1003, "X02", 22, count=1)
    book["日志"] += [wrong, log_row(date(2026, 9, 9), None, None, 21, reverses=20), again]
    data = load(book)
    assert errors(data) == []
    weekly, _ = sc.week_outputs(data, week_of(date(2026, 9, 9)))
    assert by_id(weekly)["1003"]["减分"] == 1.5


def test_default_week_and_month_ignore_a_later_reversal_row_C9():
    """The 说明 says: date the 冲正 row the day of the correction. A Monday correction must
    not move plain `jifen week` to an empty week."""
    book = scenario_class()
    # the latest ordinary entry is 2026-09-16 (week of 09-14); correct row 3 on Monday 09-21
    book["日志"].append(log_row(date(2026, 9, 21), None, None, 30, reverses=3))
    data = load(book)
    assert errors(data) == []
    assert sc.resolve_week(data, None).start == date(2026, 9, 14)
    book["日志"].append(log_row(date(2026, 10, 5), None, None, 31, reverses=8))
    assert sc.resolve_month(load(book), None).label == "2026-09"


def test_default_week_ignores_a_reversed_row_with_a_wrong_date_C9():
    book = scenario_class()
    book["日志"] += [log_row(date(2026, 9, 28), 1003, "X02", 20),      # wrong date …
                    log_row(date(2026, 9, 17), None, None, 21, reverses=20)]   # … reversed
    assert sc.resolve_week(load(book), None).start == date(2026, 9, 14)


# ---- the shipped catalogue (S-2, S-6, 优秀值日班长) ------------------------------------------------

@pytest.fixture(scope="module")
def shipped():
    with WorkbookReader(TEMPLATE) as wb:
        return {name: wb.sheet(name) for name in wb.sheet_names}


def _catalogue(shipped) -> dict[str, dict]:
    raw = shipped["规则"]
    return {str(r[0]): dict(zip(raw.header, r)) for r in raw.rows if r[0]}


def test_duty_lateness_is_in_the_lateness_limit_group_S6(shipped):
    rules = _catalogue(shipped)
    assert rules["W02"]["限额组"] == rules["X02"]["限额组"] == "迟到"
    assert rules["W02"]["周限额"] == 2


def test_two_duty_latenesses_in_a_week_mean_sunday_study_S6(shipped):
    book = {"设置": [["项目", "值"], ["学期开始", date(2026, 9, 1)], ["学期结束", date(2027, 1, 22)]],
            "名册": [["学号", "姓名", "职务", "宿舍", "小组", "在籍"], [1, "甲", None, None, None, "是"]],
            "日志": [list(LOG_HEADER), log_row(date(2026, 9, 7), 1, "W02", 1),
                     log_row(date(2026, 9, 9), 1, "W02", 2)]}
    sheets = raw_sheets(book)
    sheets["规则"] = shipped["规则"]
    data = sc.load(sheets)
    assert errors(data) == []
    _, study = sc.week_outputs(data, week_of(date(2026, 9, 7)))
    assert [(r[1], r[3]) for r in study.rows] == [("1", "迟到 2次")]


@pytest.mark.parametrize("code", ["W06", "W07", "W10"])
def test_duty_deductions_of_cadre_posts_are_not_doubled_S2(shipped, code):
    """Only a 组长/卫生委员/安全委员 incurs them, so doubling would always apply and the
    source's value never: they are duty deductions (S-2 exemption)."""
    rule = _catalogue(shipped)[code]
    assert rule["班干部加倍"] == "否"
    assert "值日减分" in rule["备注"] and "不加倍" in rule["备注"]


def test_cadre_pays_the_source_value_for_a_duty_post_deduction_S2(shipped):
    book = {"设置": [["项目", "值"], ["学期开始", date(2026, 9, 1)], ["学期结束", date(2027, 1, 22)]],
            "名册": [["学号", "姓名", "职务", "宿舍", "小组", "在籍"], [1, "甲", "组长", None, None, "是"]],
            "日志": [list(LOG_HEADER), log_row(date(2026, 9, 7), 1, "W06", 1)]}
    sheets = raw_sheets(book)
    sheets["规则"] = shipped["规则"]
    weekly, _ = sc.week_outputs(sc.load(sheets), week_of(date(2026, 9, 7)))
    assert by_id(weekly)["1"]["减分"] == 3 and by_id(weekly)["1"]["累计总分"] == 82


def test_best_duty_monitor_is_in_the_catalogue(shipped):
    items = [r for r in _catalogue(shipped).values() if "优秀值日班长" in r["事项"]]
    assert len(items) == 1 and items[0]["分值"] == 1 and "每周一人" in items[0]["事项"]


def _with_best_monitor(rows):
    book = scenario_class()
    book["规则"].append(["Q11", "其他", "优秀值日班长（每周一人）", 1, None, None, "否", None, None, None, "班主任", None])
    book["日志"] += rows
    return book


def test_best_duty_monitor_once_per_week():
    ok = _with_best_monitor([log_row(date(2026, 9, 11), 1001, "Q11", 40),
                             log_row(date(2026, 9, 18), 1002, "Q11", 41)])     # next week: fine
    assert errors(load(ok)) == []
    two = _with_best_monitor([log_row(date(2026, 9, 11), 1001, "Q11", 40),
                              log_row(date(2026, 9, 12), 1002, "Q11", 41)])
    errs = errors(load(two))
    assert len(errs) == 1 and errs[0].row == len(two["日志"]) and "每周只评一人" in errs[0].message
    twice = _with_best_monitor([log_row(date(2026, 9, 11), 1001, "Q11", 40, count=2)])
    assert [p.column for p in errors(load(twice))] == ["次数"]


def test_best_duty_monitor_second_row_reversed_is_fine_C9():
    book = _with_best_monitor([log_row(date(2026, 9, 11), 1001, "Q11", 40),
                               log_row(date(2026, 9, 12), 1002, "Q11", 41),
                               log_row(date(2026, 9, 12), None, None, 42, reverses=41)])
    assert errors(load(book)) == []


# ---- provisional awards (C-8, S-11) -----------------------------------------------------------

def test_award_list_is_provisional_before_semester_end_C8_S11():
    """scenario: 学期结束 2026-09-30, the log reaches 2026-09-16 (a 冲正 row later counts not)."""
    book = scenario_class()
    book["日志"].append(log_row(date(2026, 9, 30), None, None, 30, reverses=3))
    data = load(book)
    assert sc.awards_final(data) == (False, "日志只记到 2026-09-16，学期到 2026-09-30 才结束")
    (awards,) = sc.award_outputs(data)
    assert {r[awards.columns.index("状态")] for r in awards.rows} == {"暂定"}
    assert "暂定" in awards.title and "2026-09-30" in awards.title


def test_award_list_is_final_once_the_log_reaches_semester_end_C8_S11():
    book = scenario_class()
    book["日志"].append(log_row(date(2026, 9, 30), 1003, "X07", 30))
    data = load(book)
    assert sc.awards_final(data) == (True, "")
    (awards,) = sc.award_outputs(data)
    assert {r[awards.columns.index("状态")] for r in awards.rows} == {"正式"}
    assert "暂定" not in awards.title


def test_weekly_and_monthly_reports_say_data_as_of_C8():
    data = load(scenario_class())
    weekly, study = sc.week_outputs(data, week_of(date(2026, 9, 14)))
    month, meeting = sc.month_outputs(data, sc.resolve_month(data, None))
    for sheet in (weekly, study, month, meeting):
        assert "数据截至 2026-09-16" in sheet.title


def _awards_workbook(tmp_path, last_day):
    from contract import write_xlsx
    from jifen_xl.cli import main

    book = scenario_class()
    book["日志"].append(log_row(last_day, 1003, "X07", 30))
    path = write_xlsx(tmp_path / "班.xlsx", book)
    assert main(["awards", str(path)]) == 0
    return path


def test_certificates_refused_while_awards_are_provisional_C8_S11(tmp_path, capsys):
    """Issue #23 item 15: 奖状 alone is refused (exit 1, nothing printed); the 暂定 学期奖励
    prints with 暂定 on every page; asked together, the printable one prints and the refused
    one is listed (exit 1)."""
    from jifen_xl.cli import main

    path = _awards_workbook(tmp_path, date(2026, 9, 29))
    assert "暂定" in capsys.readouterr().out
    assert main(["print", str(path), "奖状", "-o", str(tmp_path / "x.pdf")]) == 1
    err = capsys.readouterr().err
    assert "暂定" in err and "日志只记到 2026-09-29，学期到 2026-09-30 才结束" in err
    assert not (tmp_path / "x.pdf").exists()
    assert main(["print", str(path), "学期奖励", "-o", str(tmp_path / "list.pdf")]) == 0
    pages = _pdf_pages(tmp_path / "list.pdf")
    assert pages and all("暂定" in p for p in pages)
    assert main(["print", str(path), "家长通知书", "奖状", "-o", str(tmp_path / "both.pdf")]) == 1
    out, err = capsys.readouterr()
    assert "家长通知书 4 份" in out and "未打印“奖状”" in err
    assert (tmp_path / "both.pdf").exists()


def _pdf_pages(pdf) -> list[str]:
    import subprocess

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def test_certificates_printed_once_awards_are_final_S11(tmp_path, capsys):
    from jifen_xl.cli import main

    path = _awards_workbook(tmp_path, date(2026, 9, 30))
    capsys.readouterr()
    assert main(["print", str(path), "奖状", "-o", str(tmp_path / "x.pdf")]) == 0
    assert (tmp_path / "x.pdf").exists() and "奖状 4 张" in capsys.readouterr().out   # ranks 1, 2, 3, 3
