"""Demo data for dorm inspections and exams (SPEC S-4, S-5, S-9): a semester of daily 值日
inspections with occasional 就寝/被子 failures, and four monthly exams. Registered into the
class demo of ``jifen_xl.demo`` at import."""
from __future__ import annotations

import random
from datetime import date, timedelta

from ... import demo

SUBJECTS = (("语文", 150), ("数学", 150), ("英语", 150), ("物理", 100), ("化学", 100), ("生物", 100))
EXAMS = (("九月月考", date(2026, 9, 25)), ("十月月考", date(2026, 10, 30)),
         ("十一月月考", date(2026, 11, 27)), ("十二月月考", date(2026, 12, 25)))
HOLIDAY = (date(2026, 10, 1), date(2026, 10, 7))


def _school_days(start: date, end: date):
    d = start
    while d <= end:
        if d.weekday() < 5 and not (HOLIDAY[0] <= d <= HOLIDAY[1]):
            yield d
        d += timedelta(days=1)


def _person(rng: random.Random, row: list) -> str:
    """Clerks type a name, now and then a 学号 (both are accepted)."""
    return row[0] if rng.random() < 0.1 else row[1]


def add_dorms_and_exams(by: dict, roster: list[list], rng: random.Random, start: date, end: date) -> None:
    active = [r for r in roster if r[5] == "是"]
    dorms: dict[str, list[list]] = {}
    for r in active:
        if r[3]:
            dorms.setdefault(r[3], []).append(r)
    # some dorms are tidier than others: weights of 特优, 优秀, 合格, 不合格
    habits = {d: rng.choice([(3, 6, 1, 0), (2, 6, 2, 0.3), (1, 5, 3, 0.6)]) for d in sorted(dorms)}
    rows = []
    turn = {d: 0 for d in dorms}
    for day in _school_days(start, end):
        for dorm in sorted(dorms):
            members = dorms[dorm]
            on_duty = members[turn[dorm] % len(members)]
            turn[dorm] += 1
            result = rng.choices(("特优", "优秀", "合格", "不合格"), habits[dorm])[0]
            responsible = _person(rng, on_duty) if result in ("合格", "不合格") else None
            rows.append([day, dorm, "值日", result, _person(rng, on_duty), responsible])
            if rng.random() < 0.03:
                culprit = rng.choice(members)
                rows.append([day, dorm, "就寝", "不合格", _person(rng, on_duty), _person(rng, culprit)])
            if rng.random() < 0.03:
                rows.append([day, dorm, "被子", "不合格", None, _person(rng, rng.choice(members))])
    by["宿舍检查"].rows = rows

    ability = {r[0]: rng.gauss(0, 1) for r in active}
    exam_rows = []
    for name, day in EXAMS:
        absent = rng.choice(active)[0] if rng.random() < 0.7 else None
        for r in active:
            if r[0] == absent:
                continue
            scores = []
            for _, full in SUBJECTS:
                s = full * 0.7 + full * 0.08 * ability[r[0]] + rng.gauss(0, full * 0.08)
                scores.append(int(max(full * 0.2, min(full, round(s)))))
            exam_rows.append([name, day, r[0], *scores, sum(scores)])
    by["考试"].rows = exam_rows


demo.SCHOOL_DEMO_EXTRAS.append(add_dorms_and_exams)
demo.SCHOOL_DEMO_COMMANDS.append(("exams", {}))
