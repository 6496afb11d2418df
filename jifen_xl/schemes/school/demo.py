"""`jifen demo` for the school: a class of 50 with a semester of duty-monitor log entries,
plus dorm inspections and exams (SPEC S-4, S-5, S-9): a semester of daily 值日 inspections
with occasional 就寝/被子 failures, and four monthly exams; a few approved leaves (S-13),
each item recorded by its 负责人 with now and then a substitute (S-14), and the head
teacher's own additions to the self-study list (S-15)."""
from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from ...book.template_spec import write_template
from ..sample import chinese_names
from .checks import holds_role
from . import template as school_template

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


def _recorder_for(roster: list[list]):
    """S-14: who records each code — the pupil whose 职务 holds the rule's 负责人 (the day's
    值日班长 for the duty monitor's items, 班主任 for the teacher's); every 97th row a
    substitute (the day's 值日班长), which 校验 notes."""
    roles = {r[0]: r[10] for r in school_template.RULE_CATALOGUE}
    every = set(roles.values())
    holder = {}
    for role in every:
        holder[role] = next((r[1] for r in roster
                             if any(holds_role(p, role, every) for p in r[2].split("、") if p)), None)

    def who(code: str, duty: str, n: int) -> str:
        role = roles.get(code, "")
        if n % 97 == 0 or role in ("", "值日班长"):
            return duty
        return "班主任" if role == "班主任" else holder.get(role) or duty
    return who


def _leave_and_additions(by: dict, log: list[list], active_ids: list[str]) -> None:
    """S-13: leave for the first three pupils marked 自习课随便出入 (X05) that day, a sick
    leave over New Year's evening (its 全班 activity row skips the pupil; absent from it
    with leave: 0, without: −1), and a leave on the last day; S-15: two additions."""
    leave = [[r[1], None, r[2], "身体不适，去医务室", "班主任"] for r in log if r[4] == "X05"][:3]
    leave.append([date(2026, 12, 30), date(2027, 1, 1), active_ids[10], "感冒发烧，回家休息", "班主任"])
    leave.append([date(2027, 1, 22), None, active_ids[14], "参加学校合唱排练", "文艺委员"])
    by["请假"].rows = leave
    by["上自习补充"].rows = [[date(2026, 11, 18), active_ids[20], "晚自习玩手机"],
                          [date(2027, 1, 20), active_ids[12], "就寝时讲话，被班主任查到"]]


def school_demo(folder: Path, seed: int = 2026) -> list[tuple[Path, list[tuple[str, dict]]]]:
    """A class of 50 (cadres, 8 dorms, 6 groups) with a semester of duty-monitor log entries."""

    rng = random.Random(seed)
    start, end = date(2026, 9, 1), date(2027, 1, 22)
    names = chinese_names(rng, 50)
    posts = ["班长", "副班长", "学习委员", "卫生委员", "体育委员", "文艺委员", "安全委员", "宣传委员",
             "语文课代表", "数学课代表", "英语课代表", "物理课代表"]
    roster = []
    for i, name in enumerate(names):
        sid = str(20260101 + i)
        post = posts[i] if i < len(posts) else ("组长" if i % 8 == 0 else "")
        if i < 8:       # the eight cadres who take turns as 值日班长 (S-14)
            post += "、值日班长" + ("、劳动委员" if post == "副班长" else "")
        dorm_no = 301 + (i // 7) if i < 25 else 401 + ((i - 25) // 7)   # boys 30x, girls 40x
        if i % 7 == 0 and not post:
            post = "宿舍长"
        elif i % 7 == 0:
            post += "、宿舍长"
        active = "否" if i == 49 else "是"
        roster.append([sid, name, post, str(dorm_no), str(i % 6 + 1), active])
    # habits: a few students are often late or miss homework
    often_late = {roster[i][0] for i in rng.sample(range(49), 6)}
    careless = {roster[i][0] for i in rng.sample(range(49), 6)}
    weights_neg = [("X02", 6), ("X04", 5), ("X07", 6), ("X01", 3), ("X13", 3), ("T02", 3), ("T03", 3),
                   ("T04", 2), ("W01", 1), ("W08", 2), ("W11", 2), ("X05", 2), ("T05", 1), ("X08", 1), ("Q08", 1)]
    weights_pos = [("X21", 6), ("W14", 3), ("Q13", 3), ("Q15", 1), ("T07", 1), ("X14", 1), ("T11", 1)]
    recorders = [r[1] for r in roster if r[2]][:8]
    recorder_for = _recorder_for(roster)
    log = []
    n = 1
    d = start
    active_ids = [r[0] for r in roster if r[5] == "是"]
    while d <= end:
        if d.weekday() < 5 and not (date(2026, 10, 1) <= d <= date(2026, 10, 7)):
            recorder = recorders[d.toordinal() % len(recorders)]
            today: dict[tuple[str, str], list] = {}
            for _ in range(rng.randint(2, 6)):
                sid = rng.choice(active_ids)
                if sid in often_late and rng.random() < 0.5:
                    code = rng.choice(["X02", "T02", "T03"])
                elif sid in careless and rng.random() < 0.5:
                    code = "X07"
                elif rng.random() < 0.7:
                    code = rng.choices([c for c, _ in weights_neg], [w for _, w in weights_neg])[0]
                else:
                    code = rng.choices([c for c, _ in weights_pos], [w for _, w in weights_pos])[0]
                if (sid, code) in today:
                    today[(sid, code)][6] += 1
                    continue
                today[(sid, code)] = [n, d, sid, "", code, "", 1, None, recorder_for(code, recorder, n), "", None]
                log.append(today[(sid, code)])
                n += 1
            if d.weekday() == 4 and rng.random() < 0.3:
                log.append([n, d, f"小组:{rng.randint(1, 6)}", "", "W14", "", 1, None, recorder_for("W14", recorder, n),
                            "大扫除", None])
                n += 1
            if d.weekday() == 0 and rng.random() < 0.15:
                log.append([n, d, f"宿舍:{rng.choice(['301', '302', '402'])}", "", "W11", "", 1, None,
                            recorder_for("W11", recorder, n), "内务检查", None])
                n += 1
        d += timedelta(days=1)
    # whole class: a sports meeting and a New Year's evening
    log.append([n, date(2026, 10, 23), "全班", "", "T11", "", 1, None, recorder_for("T11", "", n), "秋季运动会", None]); n += 1
    log.append([n, date(2026, 12, 31), "全班", "", "T18", "", 1, None, recorder_for("T18", "", n), "元旦晚会", None]); n += 1
    for sid in (active_ids[10], active_ids[11]):    # absent from the evening: with leave 0, without −1
        log.append([n, date(2026, 12, 31), sid, "", "T20", "", 1, None, recorder_for("T20", "", n), "元旦晚会", None]); n += 1
    # a discretionary value and a correction (冲正) of a wrong entry
    log.append([n, date(2026, 11, 12), active_ids[3], "", "Q16", "", 1, 2, "班主任", "主动帮助同学补课", None]); n += 1
    wrong = n
    log.append([n, date(2026, 11, 13), active_ids[5], "", "X02", "", 1, None, recorders[2], "", None]); n += 1
    log.append([n, date(2026, 11, 14), active_ids[5], "", "", "", None, None, recorders[2], "13日迟到记错人", wrong]); n += 1
    sheets = school_template.sheets()
    by = {s.name: s for s in sheets}
    by["名册"].rows = roster
    by["日志"].rows = log
    by["日志"].prefill_numbers = 0
    add_dorms_and_exams(by, roster, rng, start, end)
    _leave_and_additions(by, log, active_ids)
    path = write_template(folder / "班级积分-示例.xlsx", sheets)
    return [(path, [("check", {}), ("week", {}), ("month", {}), ("awards", {}), ("exams", {}), ("day", {})])]
