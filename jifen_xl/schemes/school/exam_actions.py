"""The 考试加减分 button / `jifen exams FILE [--exam 名称]` (SPEC S-9).

Lists the entries the exams derive (the same entries that week, month and award totals
count), so the teacher can see them before they count. Default: the most recent exam by
date; `--exam 全部` lists every exam.
"""
from __future__ import annotations

from ..base import Result, finish
from ...book.sheets import OutputSheet
from ...core.points import from_cents
from ...core.problems import Problem
from . import exams as ex
from .data import SchoolData
from .read import load

OUTPUT = "考试加减分"
COLUMNS = ["考试", "日期", "学号", "姓名", "事项", "分值"]
ALL = "全部"


def exam_outputs(data: SchoolData, exam: str | None) -> tuple[list[OutputSheet], list[str]]:
    """`考试加减分`: one row per derived entry of the chosen exam (or of all exams)."""
    e = data.entries[(data.entries["source"] == ex.SOURCE) & ~data.entries["cancelled"]]
    names = {s.sid: s.name for s in data.subjects}
    if exam and exam != ALL:
        e = e[e["note"] == exam]
    rows = [[r.note, r.date, r.sid, names.get(r.sid, ""), r.item, from_cents(r.points)]
            for r in e.itertuples(index=False)]
    label = exam if exam else ALL
    head = f"{data.title}　{label} 考试加减分"
    if exam and exam != ALL and rows:
        head = f"{data.title}　{exam}（{rows[0][1].isoformat()}）考试加减分"
    people = len({r[2] for r in rows})
    summary = [f"已生成“{label}”的考试加减分：{len(rows)} 条，涉及 {people} 人；这些分数已计入周汇总、月报和学期奖励。"]
    return [OutputSheet(OUTPUT, COLUMNS, rows, title=head)], summary


def exams(sheets, opts) -> Result:
    data = load(sheets)
    raw = sheets.get(ex.EXAMS)
    found, _ = ex.read_exams(data, raw)
    wanted = opts.get("exam")
    problems = list(data.problems)
    if wanted and wanted != ALL and wanted not in {e.name for e in found}:
        known = "、".join(e.name for e in found) or "（无）"
        problems.append(Problem(ex.EXAMS, None, "考试", wanted, f"“考试”表中没有这次考试；已有：{known}"))
    if not wanted:
        wanted = found[-1].name if found else ALL

    def make():
        if not found:
            return [OutputSheet(OUTPUT, COLUMNS, [], title=f"{data.title}　考试加减分")], ["“考试”表中还没有考试成绩。"]
        return exam_outputs(data, wanted)
    return finish(problems, make)

