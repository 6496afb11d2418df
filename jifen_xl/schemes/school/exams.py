"""Exam-derived points (SPEC S-9, C-4; WORKBOOKS.md school `考试`).

`考试` holds many exams, one row per student per exam: `考试`, `日期`, `学号`, one column per
subject, `总分`. Every exam is a monthly exam. Per exam: class rank by 总分 (competition
ranking, C-4) gives 月考前5名 / 月考6至10名 / 月考11至15名; improvement = rank in the previous
exam − rank in this one, for students who sat both; the five most improved (improvement
rank ≤ 5 among students whose rank rose, ties all in) get 进步前5名, the five most regressed
(among students whose rank fell) 退步前5名; the best score in each subject 单科第一 (ties all
get it). Values are `设置` keys. Entries are dated the exam's date, category 学习 and never
doubled for cadres (S-2), and are recomputed from `考试` on every run.

Decisions: subject columns are the columns between `学号` and `总分` (other than 姓名 and
备注), so a column a user adds after `总分` is ignored; a row with 学号 but no scores is an
absence; a blank 总分 with every subject filled is taken as the sum of the subjects (提示);
students no longer 在籍 keep their place in the class ranking of the exam they sat but get
no entries; "previous exam" is the exam with the nearest earlier date (same date: sheet order).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ...core import normalize as nz
from ...core.engine import EntryBuilder, Rule, Subject
from ...core.points import to_cents
from ...core.problems import NOTICE, Problem
from ...core.ranking import RANK, competition_rank
from ...core.table import Col, RawSheet, formula_problems, is_blank, parse_table
from . import data as sc

EXAMS = "考试"
SOURCE = "考试"
CATEGORY = "学习"
FIXED = ["考试", "日期", "学号"]
TOTAL = "总分"
NOT_SUBJECTS = {"姓名", "备注", "班级", RANK, "考号", "座号"}

BANDS = (("月考前5名", 5), ("月考6至10名", 10), ("月考11至15名", 15))
IMPROVED, REGRESSED, SUBJECT_FIRST = "进步前5名", "退步前5名", "单科第一"
TOP_N = 5

EXAM_COLS = [
    Col("考试", "text", required=True, optional_column=False),
    Col("日期", "date", required=True, optional_column=False),
    Col("学号", "id", required=True, optional_column=False),
    Col("姓名", "text"),
]


@dataclass
class Sitting:
    row: int
    subject: Subject
    total: Decimal
    scores: dict[str, Decimal]


@dataclass
class Exam:
    name: str
    date: date
    row: int                                   # first row of the exam
    sittings: list[Sitting] = field(default_factory=list)


def subject_columns(raw: RawSheet) -> list[str]:
    """Headers between 学号 and 总分 (module docstring)."""
    h = raw.header
    if "学号" not in h or TOTAL not in h:
        return []
    lo, hi = h.index("学号"), h.index(TOTAL)
    return [c for c in h[lo + 1:hi] if c and c not in NOT_SUBJECTS]


def read_exams(data: sc.SchoolData, raw: RawSheet | None) -> tuple[list[Exam], list[Problem]]:
    """Parse and check `考试`: unknown 学号, non-numeric scores, one date per exam name, one row
    per student per exam, dates in the semester, absent students (提示)."""
    if raw is None:
        return [], []
    recs, problems = parse_table(raw, EXAM_COLS)
    if TOTAL not in raw.header:
        problems.append(Problem(raw.name, raw.header_row, TOTAL, "",
                                f"缺少列“{TOTAL}”，请按模板在第{raw.header_row}行加上这一列标题"))
        return [], problems
    subjects = subject_columns(raw)
    problems += [p for p in formula_problems(raw, subjects + [TOTAL]) if p.row != raw.header_row]
    idx = {c: raw.header.index(c) for c in subjects + [TOTAL]}
    cells = dict(zip(raw.row_numbers, raw.rows))
    by_id = data.by_id
    st = data.settings
    check_semester = st["学期开始"] is not None and st["学期结束"] is not None and data.semester is not None
    exams: dict[str, Exam] = {}
    seen: dict[tuple[str, str], int] = {}
    for r in recs:
        row, name, d, sid = r["_row"], r["考试"], r["日期"], r["学号"]
        if r.get("_bad") or not (name and d and sid):
            continue
        ex = exams.get(name)
        if ex is None:
            if check_semester and d not in data.semester:
                problems.append(Problem(raw.name, row, "日期", d,
                                        f"日期不在本学期内（{data.semester.start}～{data.semester.end}）"))
            ex = exams[name] = Exam(name, d, row)
        elif d != ex.date:
            problems.append(Problem(raw.name, row, "日期", d,
                                    f"考试“{name}”在第{ex.row}行的日期是 {ex.date}，同一次考试只能有一个日期"
                                    "（不同的考试请用不同的名称）"))
            continue
        s = by_id.get(sid)
        if s is None:
            found, note = sc.student_matcher(data).resolve(sid)
            if found is None:
                problems.append(Problem(raw.name, row, "学号", sid,
                                        "名册中没有这个学号" + sc.student_matcher(data).hint(sid)))
                continue
            if note:
                problems.append(Problem(raw.name, row, "学号", sid, note, NOTICE))
            s, sid = by_id[found], found
        if r["姓名"] and r["姓名"] != s.name:
            problems.append(Problem(raw.name, row, "姓名", r["姓名"], f"姓名与名册不一致（学号 {sid} 是“{s.name}”）"))
            continue
        if (name, sid) in seen:
            problems.append(Problem(raw.name, row, "学号", sid,
                                    f"{s.name}在考试“{name}”中出现两次（第{seen[(name, sid)]}行已有）"))
            continue
        seen[(name, sid)] = row
        values: dict[str, Decimal | None] = {}
        bad = False
        for col in subjects + [TOTAL]:
            v = cells[row][idx[col]] if idx[col] < len(cells[row]) else None
            if is_blank(v):
                values[col] = None
                continue
            try:
                values[col], note = nz.to_decimal(v)
            except ValueError as exc:
                problems.append(Problem(raw.name, row, col, v, f"成绩必须是数字：{exc}"))
                bad = True
                continue
            if note:
                problems.append(Problem(raw.name, row, col, v, note, NOTICE))
        if bad:
            continue
        scores = {c: values[c] for c in subjects if values[c] is not None}
        total = values[TOTAL]
        if total is None:
            if not scores:
                problems.append(Problem(raw.name, row, TOTAL, "", f"{s.name}没有成绩，按缺考处理", NOTICE))
                continue
            if len(scores) < len(subjects):
                problems.append(Problem(raw.name, row, TOTAL, "", "总分为空且有科目未填成绩，无法排名；缺考请整行不填成绩"))
                continue
            total = sum(scores.values(), Decimal(0))
            problems.append(Problem(raw.name, row, TOTAL, "", f"总分未填，已按各科成绩之和 {total} 计算", NOTICE))
        if not s.active:
            problems.append(Problem(raw.name, row, "学号", sid, f"{s.name}已不在籍，参与排名但不计分", NOTICE))
        ex.sittings.append(Sitting(row, s, total, scores))
    ordered = sorted(exams.values(), key=lambda e: (e.date, e.row))
    for ex in ordered:
        sat = {t.subject.sid for t in ex.sittings}
        for s in data.active:
            if s.sid not in sat:
                problems.append(Problem(raw.name, None, "学号", s.sid,
                                        f"考试“{ex.name}”中没有{s.name}的成绩，按缺考处理", NOTICE))
    return ordered, problems


def exam_entries(exams: list[Exam], settings: dict):
    """(exam, sitting, rule, item) per derived entry, in exam order (S-9, C-4)."""
    out = []
    prev_rank: dict[str, int] | None = None
    for ex in exams:
        sits = ex.sittings
        ranks = competition_rank([t.total for t in sits])
        rank_of = {t.subject.sid: r for t, r in zip(sits, ranks)}
        order = sorted(range(len(sits)), key=lambda i: (ranks[i], sits[i].row))
        low = 0
        for key, high in BANDS:
            pts = to_cents(settings[key])
            for i in order:
                if low < ranks[i] <= high and pts:
                    out.append((ex, sits[i], _rule(key, pts), f"{key}（第{ranks[i]}名）"))
            low = high
        if prev_rank is not None:
            both = [t for t in sits if t.subject.sid in prev_rank]
            change = {t.subject.sid: prev_rank[t.subject.sid] - rank_of[t.subject.sid] for t in both}
            for key, sign, word in ((IMPROVED, 1, "进步"), (REGRESSED, -1, "退步")):
                pts = to_cents(settings[key])
                movers = [t for t in both if change[t.subject.sid] * sign > 0]
                mr = competition_rank([change[t.subject.sid] * sign for t in movers])
                for r, t in sorted(zip(mr, movers), key=lambda x: (x[0], x[1].row)):
                    if r <= TOP_N and pts:
                        out.append((ex, t, _rule(key, pts), f"{key}（{word}{abs(change[t.subject.sid])}名）"))
        pts = to_cents(settings[SUBJECT_FIRST])
        subjects = list(dict.fromkeys(c for t in sits for c in t.scores))
        for col in subjects:
            best = max(t.scores[col] for t in sits if col in t.scores)
            for t in sorted(sits, key=lambda t: t.row):
                if t.scores.get(col) == best and pts:
                    out.append((ex, t, _rule(SUBJECT_FIRST, pts, col),
                                f"{SUBJECT_FIRST}（{col} {format(best, 'f')}）"))
        prev_rank = rank_of
    return out


def _rule(key: str, pts: int, subject: str = "") -> Rule:
    code = f"考试:{key}" + (f":{subject}" if subject else "")
    return Rule(code, CATEGORY, key + (f"（{subject}）" if subject else ""), pts, cadre_double=False)


def derive(data: sc.SchoolData, sheets: dict[str, RawSheet], builder: EntryBuilder) -> list[Problem]:
    """The derived source listed in ``read.DERIVED_SOURCES`` (S-9)."""
    exams, problems = read_exams(data, sheets.get(EXAMS))
    for ex, t, rule, item in exam_entries(exams, data.settings):
        if not t.subject.active:
            continue
        builder.add(sheet=EXAMS, row=t.row, date=ex.date, subject=t.subject, rule=rule,
                    source=SOURCE, item=item, note=ex.name)
    return problems


# the sheet this derived source reads (part of the school's EXPECTED_HEADERS)
EXPECTED_HEADERS = {EXAMS: FIXED + [TOTAL]}
