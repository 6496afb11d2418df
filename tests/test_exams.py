"""Exam-derived points (SPEC S-9, C-4, S-2) and the `jifen exams` command, by hand.

Two monthly exams for the 14 students of tests/test_dorms.py. Exam 1 has a tie at rank 5,
exam 2 a tie at rank 5 and a three-way tie at the most-improved boundary.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from jifen_xl.schemes.school import exam_actions
from jifen_xl.schemes.school import model as sc
from test_dorms import EXAM_H, GRADING, GRADING_H, INSPECT_H, INSPECTIONS, LOG_H, ROSTER, ROSTER_H, RULES, \
    RULES_H, SETTINGS, SETTINGS_H, book, errors

E1, D1 = "九月月考", date(2026, 9, 25)
E2, D2 = "十月月考", date(2026, 10, 30)

# exam 1 — 总分 and ranks: S01 600 (1), S02 590 (2), S03 580 (3), S04 570 (4), S05 560 (5),
# S06 560 (5, tie), S07 550 (7) … S14 480 (14). 语文 best 120: S03 and S07 (tie); 数学 best 150: S01.
EXAM1 = {"S01": 600, "S02": 590, "S03": 580, "S04": 570, "S05": 560, "S06": 560, "S07": 550,
         "S08": 540, "S09": 530, "S10": 520, "S11": 510, "S12": 500, "S13": 490, "S14": 480}
# exam 2 — S06 absent. rank (exam-1 rank → change):
# 1 S12 610 (12→1 +11), 2 S11 600 (11→2 +9), 3 S10 590 (10→3 +7), 4 S07 580 (7→4 +3),
# 5 S09 570 (9→5 +4), 5 S08 570 (8→5 +3), 7 S01 560 (1→7 −6), 8 S02 550 (2→8 −6),
# 9 S03 540 (3→9 −6), 10 S13 530 (13→10 +3), 11 S04 520 (4→11 −7), 12 S14 510 (14→12 +2),
# 13 S05 500 (5→13 −8).   语文 best 130: S12; 数学 best 140: S11 and S01 (tie).
EXAM2 = {"S12": 610, "S11": 600, "S10": 590, "S07": 580, "S09": 570, "S08": 570, "S01": 560,
         "S02": 550, "S03": 540, "S13": 530, "S04": 520, "S14": 510, "S05": 500}
CHINESE = {(E1, "S03"): 120, (E1, "S07"): 120, (E2, "S12"): 130}
MATHS = {(E1, "S01"): 150, (E2, "S11"): 140, (E2, "S01"): 140}


def exam_rows():
    rows = []
    for name, d, totals in ((E1, D1, EXAM1), (E2, D2, EXAM2)):
        for sid, total in totals.items():
            rows.append([name, d, sid, CHINESE.get((name, sid), 100), MATHS.get((name, sid), 100), total])
    return rows


def derived(data, exam):
    e = data.entries[(data.entries["source"] == "考试") & (data.entries["note"] == exam)]
    return e


def per_student(data, exam):
    e = derived(data, exam)
    return {sid: int(v) // 100 for sid, v in e.groupby("sid")["points"].sum().items()}


def test_exam1_rank_bands_tie_at_five_and_subject_firsts():
    """S-9, C-4: both students tied at rank 5 get +3; the next is rank 7 (+2); 11–14 get +1;
    单科第一 ties all get +3. No previous exam → no 进步/退步."""
    data = sc.load(book(inspections=[], exam_rows=exam_rows()))
    assert errors(data) == []
    assert per_student(data, E1) == {
        "S01": 3 + 3, "S02": 3, "S03": 3 + 3, "S04": 3, "S05": 3, "S06": 3, "S07": 2 + 3,
        "S08": 2, "S09": 2, "S10": 2, "S11": 1, "S12": 1, "S13": 1, "S14": 1}
    items = dict(zip(derived(data, E1)["sid"] + derived(data, E1)["code"], derived(data, E1)["item"]))
    assert items["S06考试:月考前5名"] == "月考前5名（第5名）"
    assert items["S07考试:月考6至10名"] == "月考6至10名（第7名）"
    assert items["S07考试:单科第一:语文"] == "单科第一（语文 120）"


def test_exam2_improvement_boundary_tie_and_regression():
    """S-9: improvement ranks 11, 9, 7, 4, then 3, 3, 3 tied at improvement rank 5 → seven
    students +1 (S14's +2 is 8th: nothing); the five who fell (S05 −8, S04 −7, S01/S02/S03 −6)
    −1; cadre S01's −1 is not doubled (study, S-2); absent S06 gets nothing and a 提示."""
    data = sc.load(book(inspections=[], exam_rows=exam_rows()))
    assert per_student(data, E2) == {
        "S12": 3 + 1 + 3,   # rank 1, 进步 11, 语文 first
        "S11": 3 + 1 + 3,   # rank 2, 进步 9, 数学 first (tie)
        "S10": 3 + 1,
        "S07": 3 + 1,       # rank 4, 进步 3 (tied at improvement rank 5)
        "S09": 3 + 1,       # rank 5 (tie), 进步 4
        "S08": 3 + 1,       # rank 5 (tie), 进步 3
        "S01": 2 - 1 + 3,   # rank 7, 退步 6, 数学 first (tie)
        "S02": 2 - 1,
        "S03": 2 - 1,
        "S13": 2 + 1,       # rank 10, 进步 3 (tie at the boundary)
        "S04": 1 - 1,       # rank 11, 退步 7 (the sum is 0 but both entries exist)
        "S14": 1,           # rank 12, 进步 2 is improvement rank 8
        "S05": 1 - 1,
    }
    e = derived(data, E2)
    assert sorted(e[e["code"] == "考试:进步前5名"]["sid"]) == ["S07", "S08", "S09", "S10", "S11", "S12", "S13"]
    assert sorted(e[e["code"] == "考试:退步前5名"]["sid"]) == ["S01", "S02", "S03", "S04", "S05"]
    assert set(e["date"]) == {D2} and set(e["category"]) == {"学习"}
    s01 = e[(e["sid"] == "S01") & (e["code"] == "考试:退步前5名")].iloc[0]
    assert (s01["points"], s01["multiplier"], s01["item"]) == (-100, 1, "退步前5名（退步6名）")
    notes = [p for p in data.problems if p.level == "提示" and p.sheet == "考试"]
    assert [(p.value, E2 in p.message) for p in notes] == [("S06", True)]


def test_only_students_whose_rank_fell_regress():
    """S-9: 退步 counts only students whose rank fell; unchanged ranks earn neither."""
    rows = [[E1, D1, "S01", 90, 90, 180], [E1, D1, "S02", 80, 80, 160], [E1, D1, "S03", 70, 70, 140],
            [E2, D2, "S01", 90, 90, 180], [E2, D2, "S03", 85, 80, 165], [E2, D2, "S02", 80, 70, 150]]
    data = sc.load(book(inspections=[], exam_rows=rows))
    e = derived(data, E2)
    assert list(e[e["code"] == "考试:进步前5名"]["sid"]) == ["S03"]
    assert list(e[e["code"] == "考试:退步前5名"]["sid"]) == ["S02"]


def test_exam_points_enter_weekly_totals():
    """Derived exam entries count in 周汇总 of the week holding the exam date (10/26–11/1)."""
    data = sc.load(book(inspections=[], exam_rows=exam_rows()))
    week = {r[1]: r for r in sc.week_outputs(data, sc.resolve_week(data, D2))[0].rows}
    assert week["S12"][3:6] == [7, 0, 7]
    assert week["S01"][3:6] == [5, 1, 4]      # +2 +3, −1 (not doubled although a cadre)
    # 累计总分: base + both exams: S01 85 + 6 + 4 = 95; S06 80 + 3 = 83
    assert (week["S01"][6], week["S06"][6]) == (95, 83)


def test_exams_action_output_sheet():
    """`考试加减分`: exact columns, one row per derived entry; default = the latest exam."""
    res = exam_actions.exams(book(inspections=[], exam_rows=exam_rows()), {})
    assert res.exit_code == 0
    out = {o.name: o for o in res.outputs}["考试加减分"]
    assert out.columns == ["考试", "日期", "学号", "姓名", "事项", "分值"]
    assert {r[0] for r in out.rows} == {E2} and len(out.rows) == 13 + 7 + 5 + 3
    assert out.rows[0] == [E2, D2, "S12", "孙超", "月考前5名（第1名）", 3]
    assert sum(r[5] for r in out.rows) == 7 + 7 + 4 * 4 + 4 + 1 + 1 + 3 + 0 + 1 + 0
    res = exam_actions.exams(book(inspections=[], exam_rows=exam_rows()), {"exam": E1})
    out = {o.name: o for o in res.outputs}["考试加减分"]
    assert {r[0] for r in out.rows} == {E1} and len(out.rows) == 14 + 3
    res = exam_actions.exams(book(inspections=[], exam_rows=exam_rows()), {"exam": "全部"})
    assert len({o.name: o for o in res.outputs}["考试加减分"].rows) == 17 + 28
    res = exam_actions.exams(book(inspections=[], exam_rows=exam_rows()), {"exam": "期中"})
    assert res.exit_code == 1 and [o.name for o in res.outputs] == ["校验"]


@pytest.mark.parametrize("bad, column, fragment", [
    ([E1, D1, "S99", 100, 100, 200], "学号", "名册中没有这个学号"),
    ([E1, D1, "S02", "缺", 100, 200], "语文", "成绩必须是数字"),
    ([E1, date(2026, 9, 26), "S02", 100, 100, 200], "日期", "只能有一个日期"),
    ([E1, D1, "S01", 100, 100, 200], "学号", "出现两次"),
])
def test_exam_checks(bad, column, fragment):
    """C-6: unknown 学号, non-numeric score, two dates for one exam name, a student twice."""
    rows = [[E1, D1, "S01", 100, 100, 200], bad]
    data = sc.load(book(inspections=[], exam_rows=rows))
    errs = errors(data)
    assert len(errs) == 1, errs
    assert (errs[0].sheet, errs[0].row, errs[0].column) == ("考试", 3, column) and fragment in errs[0].message


def test_exam_outside_semester_and_blank_total():
    data = sc.load(book(inspections=[], exam_rows=[[E1, date(2027, 2, 1), "S01", 100, 100, 200]]))
    assert [(p.row, p.column) for p in errors(data)] == [(2, "日期")]
    data = sc.load(book(inspections=[], exam_rows=[[E1, D1, "S01", 100, 95, None], [E1, D1, "S02", 90, 90, 170]]))
    assert errors(data) == []
    assert per_student(data, E1) == {"S01": 3 + 3 + 3, "S02": 3}    # 195 from the subjects
    assert any(p.level == "提示" and p.column == "总分" and "195" in p.message for p in data.problems)


# ---- end to end: a real .xlsx through the `jifen` command ------------------------------------

def write_book(path: Path, exams: bool = True) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    sheets = [("设置", SETTINGS_H, SETTINGS), ("名册", ROSTER_H, ROSTER), ("规则", RULES_H, RULES),
              ("日志", LOG_H, [[date(2026, 11, 2), "S10", None, "X21"]]),
              ("宿舍检查", INSPECT_H, INSPECTIONS), ("宿舍评分", GRADING_H, GRADING)]
    if exams:
        sheets.append(("考试", EXAM_H, exam_rows()))
    for name, header, rows in sheets:
        ws = wb.create_sheet(name)
        ws.append(header)
        for r in rows:
            ws.append(list(r))
    wb.save(path)
    return path


def read_sheet(path: Path, name: str) -> list[list]:
    import python_calamine as pc

    book_ = pc.CalamineWorkbook.from_path(str(path))
    return book_.get_sheet_by_name(name).to_python()


def test_cli_exams_and_week_end_to_end(tmp_path, capsys):
    pytest.importorskip("jifen_xl.book.ooxml")
    from jifen_xl.cli import main

    path = write_book(tmp_path / "班级.xlsx")
    assert main(["exams", str(path), "--exam", E2]) == 0
    rows = read_sheet(path, "考试加减分")
    assert rows[0] == ["考试", "日期", "学号", "姓名", "事项", "分值"]
    assert len(rows) == 1 + 28
    totals: dict[str, float] = {}
    for r in rows[1:]:
        totals[r[2]] = totals.get(r[2], 0) + r[5]
    assert totals["S12"] == 7 and totals["S01"] == 4 and totals["S05"] == 0
    assert main(["week", str(path), "--week", "2026-09-07"]) == 0
    week = {r[1]: r for r in read_sheet(path, "周汇总")[1:]}
    assert week["S01"][3:7] == [4, 2, 2, 87] and week["S04"][3:7] == [1, 1.5, -0.5, 79.5]
    study = {r[1]: r[3] for r in read_sheet(path, "上自习名单")[1:]}
    assert set(study) == {"S01", "S02", "S03", "S05", "S06"}
    assert "考试加减分" in capsys.readouterr().out
