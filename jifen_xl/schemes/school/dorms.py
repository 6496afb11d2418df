"""Dorm inspections (SPEC S-4, S-5, S-6; WORKBOOKS.md "Dorm inspections").

`宿舍检查` rows are graded by `宿舍评分`: each row gives every person of the dorm the points of
the grading row matching its 项目, 结果 and that person's role that day (值日生 / 宿舍长 /
责任人 / 其他成员). The entries are ordinary engine entries built from a derived ``Rule``, so
they count toward weekly limit groups (S-6, S-7) and cadre doubling (S-2) like log entries.
From the 值日 inspections the streak bonuses of S-5 are derived (周全优, 周三特优, 月全优).

Decisions where the contract is silent (see also the module tests):

* One role per person per inspection row. A person holding two roles in one row (the
  宿舍长 who is also the 值日生, a 值日生 named 责任人 as well) gets the points of one role:
  the one that costs them most (the lowest points after the cadre multiplier), or, when
  none is a deduction, the one worth most; ties go to 责任人, then 值日生, then 宿舍长. The
  source's "当天值日生及宿舍长−1" names the two people who lose a point, not a double loss,
  and one count per person keeps the limit groups (就寝 1, 宿舍合格 5 …) counting
  inspections rather than roles.
* Streak bonuses are derived for every week and month that has 值日 inspections, from
  the inspections recorded so far, so the weekly summary handed in on Monday already shows
  the week just ended. A period not yet over by the latest date in the data is marked
  ``（暂计）`` in the item text; every run recomputes it, so a later 合格 removes it.
* A bonus is dated the last day of its week or month, or the semester's last day when the
  period runs past it (so it is counted in the semester it was earned).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from ...core.engine import EntryBuilder, Rule, Subject, multiplier_for
from ...core.periods import Period, month_of, week_of
from ...core.points import to_cents
from ...core.problems import NOTICE, Problem
from ...core.table import Col, RawSheet, parse_table
from . import data as sc

INSPECTIONS = "宿舍检查"
GRADING = "宿舍评分"

DUTY = "值日"
ITEMS = ("值日", "就寝", "被子")
RESULTS = ("特优", "优秀", "合格", "不合格")
GOOD = ("特优", "优秀")
BEST = "特优"
ON_DUTY, HEAD, RESPONSIBLE, OTHERS = "值日生", "宿舍长", "责任人", "其他成员"
ROLES = (ON_DUTY, HEAD, RESPONSIBLE, OTHERS)
ROLE_PRIORITY = {RESPONSIBLE: 0, ON_DUTY: 1, HEAD: 2, OTHERS: 3}   # tie-break, see docstring
HEAD_POST = "宿舍长"

INSPECTION_COLS = [
    Col("日期", "date", required=True, optional_column=False),
    Col("宿舍", "id", required=True, optional_column=False),
    Col("项目", "text", required=True, optional_column=False),
    Col("结果", "text", required=True, optional_column=False),
    Col("值日生", "multi", default=[]),
    Col("责任人", "multi", default=[]),
]
GRADING_COLS = [
    Col("项目", "text", required=True, optional_column=False),
    Col("结果", "text", required=True, optional_column=False),
    Col("角色", "text", required=True, optional_column=False),
    Col("分值", "decimal", required=True, optional_column=False),
    Col("类别", "text", default=""),
    Col("班干部加倍", "bool"),
    Col("限额组", "text", default=""),
    Col("周限额", "count"),
    Col("顺延", "bool", default=True),
]

BONUS_CATEGORY = "卫生劳动"
WEEK_ALL_GOOD, WEEK_THREE_BEST, MONTH_ALL_GOOD = "周全优", "周三特优", "月全优"
# The streak bonuses' codes: dated at their period's end, a date nobody entered, so never the
# data's 数据截至.
PERIOD_BONUS_CODES = frozenset(f"宿舍:{n}" for n in (WEEK_ALL_GOOD, WEEK_THREE_BEST, MONTH_ALL_GOOD))
PROVISIONAL = "（暂计）"


@dataclass(frozen=True)
class Inspection:
    row: int
    date: date
    dorm: str
    item: str
    result: str


# ---- 宿舍评分 ---------------------------------------------------------------------------------

def read_grading(raw: RawSheet | None) -> tuple[dict[tuple[str, str, str], Rule], list[Problem]]:
    """`宿舍评分` → derived rules keyed by (项目, 结果, 角色) (S-4). Code ``宿舍:项目:结果:角色``."""
    if raw is None:
        return {}, []
    recs, problems = parse_table(raw, GRADING_COLS)
    rules: dict[tuple[str, str, str], Rule] = {}
    for r in recs:
        if r.get("_bad"):
            continue
        item, result, role = r["项目"], r["结果"], r["角色"]
        if not (item and result and role) or r["分值"] is None:
            continue
        bad = False
        if result not in RESULTS:
            problems.append(Problem(raw.name, r["_row"], "结果", result, "结果只能填：" + "、".join(RESULTS)))
            bad = True
        if role not in ROLES:
            problems.append(Problem(raw.name, r["_row"], "角色", role, "角色只能填：" + "、".join(ROLES)))
            bad = True
        if bad:
            continue
        key = (item, result, role)
        if key in rules:
            problems.append(Problem(raw.name, r["_row"], "角色", role,
                                    f"{item}{result}的{role}重复（第{rules[key].row}行已有）"))
            continue
        category = r["类别"] or (BONUS_CATEGORY if item == DUTY else "其他")
        text = f"宿舍{item}{result}（{role}）"
        cd = r["班干部加倍"]
        if cd is None:
            cd = sc.default_cadre_double(category, item)
        rules[key] = Rule(f"宿舍:{item}:{result}:{role}", category, text, to_cents(r["分值"]),
                          cadre_double=cd, limit_group=r["限额组"] or "", limit=r["周限额"],
                          carry=r["顺延"] if r["顺延"] is not None else True, row=r["_row"])
    return rules, problems


def merge_limit_groups(data: sc.SchoolData, grading: dict, sheet: str) -> list[Problem]:
    """Limit groups named in `宿舍评分` join those of `规则` (S-6): same name, same threshold."""
    origin: dict[str, str] = {}
    group_rows: dict[str, int] = {}
    for rule in data.rules.values():
        g = rule.limit_group
        if g in data.limit_groups and g not in group_rows and rule.limit is not None:
            group_rows[g], origin[g] = rule.row, "规则表"
    problems = []
    for rule in sorted(grading.values(), key=lambda r: r.row):
        g = rule.limit_group
        if not g:
            continue
        for p in sc._merge_group(data.limit_groups, group_rows, g, rule.limit, rule.carry, sheet, rule.row):
            if origin.get(g):
                p = replace(p, message=p.message.replace("与第", f"与{origin[g]}第", 1))
            problems.append(p)
    return problems


# ---- 宿舍检查 ---------------------------------------------------------------------------------

def derive(data: sc.SchoolData, sheets: dict[str, RawSheet], builder: EntryBuilder) -> list[Problem]:
    """The derived source listed in ``read.DERIVED_SOURCES`` (S-4, S-5)."""
    raw, graw = sheets.get(INSPECTIONS), sheets.get(GRADING)
    grading, problems = read_grading(graw)
    problems += merge_limit_groups(data, grading, GRADING)
    if raw is None:
        return problems
    recs, probs = parse_table(raw, INSPECTION_COLS)
    problems += probs
    if recs and graw is None:
        problems.append(Problem(GRADING, None, "", "", f"缺少工作表“{GRADING}”，无法给宿舍检查计分，请使用班级积分模板"))
    items = set(ITEMS) | {k[0] for k in grading}
    dorms: dict[str, list[Subject]] = defaultdict(list)
    for s in data.subjects:
        if s.group("宿舍"):
            dorms[s.group("宿舍")].append(s)
    by_id = data.by_id
    st = data.settings
    check_semester = st["学期开始"] is not None and st["学期结束"] is not None and data.semester is not None
    mult = st["班干部倍数"]
    seen: dict[tuple, int] = {}
    duty: list[Inspection] = []
    headless: set[str] = set()       # dorms without a 宿舍长, reported once
    for r in recs:
        row, d, dorm, item, result = r["_row"], r["日期"], r["宿舍"], r["项目"], r["结果"]
        if r.get("_bad") or not (d and dorm and item and result):
            continue
        if check_semester and d not in data.semester:
            problems.append(Problem(raw.name, row, "日期", d,
                                    f"日期不在本学期内（{data.semester.start}～{data.semester.end}）"))
            continue
        if item not in items:
            problems.append(Problem(raw.name, row, "项目", item, "项目只能填：" + "、".join(sorted(items, key=_item_order))))
            continue
        if result not in RESULTS:
            problems.append(Problem(raw.name, row, "结果", result, "结果只能填：" + "、".join(RESULTS)))
            continue
        members = [s for s in dorms.get(dorm, []) if s.active]
        if not members:
            problems.append(Problem(raw.name, row, "宿舍", dorm, f"名册中没有宿舍“{dorm}”的在籍学生"))
            continue
        key = (d, dorm, item, result, tuple(r["值日生"]), tuple(r["责任人"]))
        if key in seen:
            problems.append(Problem(raw.name, row, "", "", f"与第{seen[key]}行重复（同一日期、宿舍、项目、结果和人员）"))
            continue
        seen[key] = row
        named: dict[str, set[str]] = defaultdict(set)   # sid -> roles named in this row
        ok = True
        for role in (ON_DUTY, RESPONSIBLE):
            tokens = list(dict.fromkeys(r[role] or []))
            if not tokens and grading.get((item, result, role)) is not None and grading[(item, result, role)].points:
                problems.append(Problem(raw.name, row, role, "",
                                        f"{item}{result}时{role}有加减分，请填写{role}（姓名或学号，多人用“、”分隔）"))
                ok = False
            for tok in tokens:
                s, why = _match_person(tok, dorm, dorms.get(dorm, []), by_id, data.subjects)
                if why:
                    problems.append(Problem(raw.name, row, role, tok, why))
                    ok = False
                elif not s.active:
                    problems.append(Problem(raw.name, row, role, tok, f"{s.name}已不在籍，不计分", NOTICE))
                else:
                    named[s.sid].add(role)
        if not ok:
            continue
        heads = [s for s in members if HEAD_POST in s.posts]
        if (not heads and dorm not in headless and grading.get((item, result, HEAD)) is not None
                and grading[(item, result, HEAD)].points):
            headless.add(dorm)
            problems.append(Problem(raw.name, row, "宿舍", dorm,
                                    f"名册中宿舍“{dorm}”没有宿舍长（职务含“宿舍长”），宿舍长一项不计分（只提示一次）", NOTICE))
        for s in heads:
            named[s.sid].add(HEAD)
        for s in members:
            roles = named.get(s.sid) or {OTHERS}
            rule = _pick_role(s, [grading.get((item, result, role)) for role in roles], mult)
            if rule is None:
                continue
            builder.add(sheet=INSPECTIONS, row=row, date=d, subject=s, rule=rule, cadre_multiplier=mult,
                        source=INSPECTIONS, item=f"宿舍{dorm}{item}{result}（{rule.code.rsplit(':', 1)[1]}）",
                        note=f"宿舍:{dorm}")
        if item == DUTY:
            duty.append(Inspection(row, d, dorm, item, result))
    last = max([r["日期"] for r in recs if r.get("日期")] + ([data.latest] if data.latest else []), default=None)
    _streaks(data, duty, {k: [s for s in v if s.active] for k, v in dorms.items()}, builder, last)
    return problems


def _item_order(item: str) -> tuple:
    return (ITEMS.index(item) if item in ITEMS else len(ITEMS), item)


def _match_person(token: str, dorm: str, dorm_members: list[Subject], by_id: dict[str, Subject],
                  everyone: list[Subject]) -> tuple[Subject | None, str]:
    """A name or 学号 typed in 值日生/责任人 → the dorm member it names, or a reason."""
    s = by_id.get(token)
    if s is not None:
        if s.group("宿舍") != dorm:
            return None, f"{s.name}（{s.sid}）不是宿舍“{dorm}”的成员"
        return s, ""
    hits = [m for m in dorm_members if m.name == token]
    if len(hits) == 1:
        return hits[0], ""
    if len(hits) > 1:
        return None, f"宿舍“{dorm}”有{len(hits)}名同学叫“{token}”，请改填学号"
    elsewhere = [m for m in everyone if m.name == token]
    if elsewhere:
        return None, f"“{token}”不是宿舍“{dorm}”的成员（名册中在宿舍“{elsewhere[0].group('宿舍') or '未填'}”）"
    return None, "名册中没有这个姓名或学号"


def _pick_role(s: Subject, rules: list[Rule | None], mult) -> Rule | None:
    """One role per person per row (module docstring): the costliest, else the most valuable."""
    rules = [r for r in rules if r is not None]
    if not rules:
        return None

    def effective(r: Rule) -> int:
        return r.points * multiplier_for(r.points, s.cadre, r.cadre_double, mult)

    role = lambda r: ROLE_PRIORITY[r.code.rsplit(":", 1)[1]]  # noqa: E731
    if any(effective(r) < 0 for r in rules):
        return min(rules, key=lambda r: (effective(r), role(r)))
    return min(rules, key=lambda r: (-effective(r), role(r)))


# ---- streak bonuses (S-5) --------------------------------------------------------------------

def _streaks(data: sc.SchoolData, duty: list[Inspection], members: dict[str, list[Subject]],
             builder: EntryBuilder, as_of: date | None) -> None:
    """周全优 / 周三特优 per week, 月全优 per calendar month, over 值日 inspections only."""
    st = data.settings
    first = st["周起始"]
    weekly: dict[tuple[str, Period], list[Inspection]] = defaultdict(list)
    monthly: dict[tuple[str, Period], list[Inspection]] = defaultdict(list)
    for ins in duty:
        weekly[(ins.dorm, week_of(ins.date, first))].append(ins)
        monthly[(ins.dorm, month_of(ins.date))].append(ins)
    found: list[tuple[date, str, int, str, int, list[Inspection], Period]] = []
    for (dorm, week), rows in weekly.items():
        if all(i.result in GOOD for i in rows):
            found.append((week.end, dorm, 0, WEEK_ALL_GOOD, to_cents(st["周全优加分"]), rows, week))
        if sum(i.result == BEST for i in rows) >= 3:
            found.append((week.end, dorm, 1, WEEK_THREE_BEST, to_cents(st["周三特优加分"]), rows, week))
    for (dorm, month), rows in monthly.items():
        if all(i.result in GOOD for i in rows):
            found.append((month.end, dorm, 2, MONTH_ALL_GOOD, to_cents(st["月全优加分"]), rows, month))
    sem_end = data.semester.end if data.semester is not None else None
    for end, dorm, _, name, pts, rows, period in sorted(found, key=lambda f: f[:3]):
        if not pts:
            continue
        day = min(end, sem_end) if sem_end is not None and end > sem_end else end
        item = f"宿舍{dorm}{name}"
        if as_of is None or day > as_of:
            item += PROVISIONAL
        rule = Rule(f"宿舍:{name}", BONUS_CATEGORY, f"宿舍{name}", pts)
        row = max(i.row for i in rows)
        for s in members.get(dorm, []):
            builder.add(sheet=INSPECTIONS, row=row, date=day, subject=s, rule=rule, source=INSPECTIONS,
                        item=item, note=f"宿舍:{dorm} {period.label}")


# the sheets this derived source reads (part of the school's EXPECTED_HEADERS)
EXPECTED_HEADERS = {INSPECTIONS: [c.header for c in INSPECTION_COLS],
                    GRADING: [c.header for c in GRADING_COLS]}
