"""The two small sheets kept beside `日志` (SPEC S-13, S-15):

- `请假` — approved leave, kept by the 值日班长: 开始, 结束 (empty: one day), 学号, 事由,
  批准人. A deduction whose rule is marked 请假免扣 does not count on a leave day
  (checks.check_excused_by_leave).
- `上自习补充` — the head teacher's own additions to a week's self-study list: 日期, 学号,
  原因 (render.week_outputs).

Each row is validated by small named checks, in order; a row stops at its first problem.
"""
from __future__ import annotations

from collections.abc import Callable

from ...core.ids import match_column
from ...core.problems import NOTICE, Problem
from ...core.table import RawSheet, parse_table
from .data import Leave, LeaveBook, SchoolData, TeacherAddition, student_matcher
from .schema import LEAVE, LEAVE_COLS, TEACHER_LIST, TEACHER_LIST_COLS

RowCheck = Callable[[dict, SchoolData], "Problem | None"]


def _match_ids(recs: list[dict], data: SchoolData, sheet: str) -> list[Problem]:
    """学号 as people type them (lost leading zeros …), as for `日志`."""
    values = [r["学号"] for r in recs]
    problems = match_column(values, student_matcher(data), sheet, "学号", [r["_row"] for r in recs])
    for r, v in zip(recs, values):
        r["学号"] = v
    return problems


def _run(recs: list[dict], data: SchoolData, checks: list[RowCheck], required: tuple[str, ...] = ()
         ) -> tuple[list[dict], list[Problem]]:
    """The rows that pass every check, and the problems of the others (first problem per row)."""
    kept, problems = [], []
    for r in recs:
        if r.get("_bad") or any(r[c] in (None, "") for c in required):
            continue        # an unreadable or blank required cell: parse_table has named it
        for check in checks:
            found = check(r, data)
            if found is not None:
                problems.append(found)
                break
        else:
            kept.append(r)
    return kept, problems


def _unknown_student(sheet: str, r: dict, data: SchoolData) -> Problem | None:
    sid = r["学号"]
    if sid not in data.by_id:
        return Problem(sheet, r["_row"], "学号", sid, "名册中没有这个学号" + student_matcher(data).hint(sid))
    return None


# ---- 请假 (S-13) -----------------------------------------------------------------------------

def check_leave_student_present(r: dict, data: SchoolData) -> Problem | None:
    """A leave names the pupil: 学号 is required."""
    if not r["学号"]:
        return Problem(LEAVE, r["_row"], "学号", "", "“学号”不能为空")
    return None


def check_leave_student_known(r: dict, data: SchoolData) -> Problem | None:
    """The 学号 is on `名册`."""
    return _unknown_student(LEAVE, r, data)


def check_leave_start_present(r: dict, data: SchoolData) -> Problem | None:
    """A leave has a first day (开始, or 日期 on a one-day sheet)."""
    if r["开始"] is None:
        r["开始"] = r["日期"]
    if r["开始"] is None:
        return Problem(LEAVE, r["_row"], "开始", "", "请填写请假“开始”日期（只请一天时“结束”可以不填）")
    return None


def check_leave_end_not_before_start(r: dict, data: SchoolData) -> Problem | None:
    """结束 is empty (one day) or not before 开始."""
    if r["结束"] is not None and r["结束"] < r["开始"]:
        return Problem(LEAVE, r["_row"], "结束", r["结束"],
                       f"“结束”早于“开始”（{r['开始'].isoformat()}），请检查日期")
    return None


def check_leave_approved(r: dict, data: SchoolData) -> Problem | None:
    """Only approved leave excuses a deduction: 批准人 is required."""
    if not r["批准人"]:
        return Problem(LEAVE, r["_row"], "批准人", "",
                       "请填写“批准人”（批准请假的老师或班长）；没有批准人的请假不能免扣分")
    return None


LEAVE_CHECKS: list[RowCheck] = [
    check_leave_student_present, check_leave_student_known, check_leave_start_present,
    check_leave_end_not_before_start, check_leave_approved,
]


def read_leave(raw: RawSheet | None, data: SchoolData) -> tuple[LeaveBook, list[Problem]]:
    """`请假` → every approved leave by 学号 (S-13); a missing sheet means no leave."""
    book = LeaveBook()
    if raw is None:
        return book, []
    recs, problems = parse_table(raw, LEAVE_COLS)
    if not (raw.has("开始") or raw.has("日期")):
        problems.append(Problem(LEAVE, raw.header_row, "开始", "",
                                f"缺少列“开始”，请按模板在第{raw.header_row}行加上这一列标题"))
        return book, problems
    problems += _match_ids(recs, data, LEAVE)
    kept, probs = _run(recs, data, LEAVE_CHECKS)
    problems += probs
    for r in kept:
        start = r["开始"]
        lv = Leave(r["学号"], start, r["结束"] or start, r["事由"] or "", r["批准人"], r["_row"])
        mine = book.by_sid.setdefault(lv.sid, [])
        if (other := next((o for o in mine if o.start <= lv.end and lv.start <= o.end), None)) is not None:
            problems.append(Problem(LEAVE, lv.row, "开始", start,
                                    f"与第{other.row}行的请假日期重叠（{other.span()}），重叠的日子按第{other.row}行",
                                    NOTICE))
        mine.append(lv)
    return book, problems


# ---- 上自习补充 (S-15) --------------------------------------------------------------------------

def check_addition_student_known(r: dict, data: SchoolData) -> Problem | None:
    """The 学号 is on `名册`."""
    return _unknown_student(TEACHER_LIST, r, data)


def check_addition_in_semester(r: dict, data: SchoolData) -> Problem | None:
    """S-1: dated within the semester, like every record."""
    sem, d = data.semester, r["日期"]
    if sem is not None and not (sem.start <= d <= sem.end):
        return Problem(TEACHER_LIST, r["_row"], "日期", d, f"日期不在本学期内（{sem.start}～{sem.end}）")
    return None


def check_addition_student_active(r: dict, data: SchoolData) -> Problem | None:
    """A pupil no longer enrolled is not listed (a 提示)."""
    s = data.by_id[r["学号"]]
    if not s.active:
        return Problem(TEACHER_LIST, r["_row"], "学号", r["学号"], f"{s.name}已不在籍，不列入上自习名单", NOTICE)
    return None


ADDITION_CHECKS: list[RowCheck] = [
    check_addition_student_known, check_addition_in_semester, check_addition_student_active,
]


def read_additions(raw: RawSheet | None, data: SchoolData) -> tuple[list[TeacherAddition], list[Problem]]:
    """`上自习补充` → the head teacher's additions in sheet order (S-15); the sheet is an input
    and never written, so they survive every recompute."""
    if raw is None:
        return [], []
    recs, problems = parse_table(raw, TEACHER_LIST_COLS)
    problems += _match_ids(recs, data, TEACHER_LIST)
    kept, probs = _run(recs, data, ADDITION_CHECKS, required=("日期", "学号"))
    return [TeacherAddition(r["日期"], r["学号"], r["原因"] or "", r["_row"]) for r in kept], problems + probs
