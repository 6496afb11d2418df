"""The checks of `记录` (SPEC C-2, C-6): RECORD_CHECKS, small named checks run in order on each
row (the first problem stops the row), and TABLE_CHECKS, run once on the rows kept."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ...core.problems import ERROR, NOTICE, Problem
from .schema import MAX_HOURS_A_DAY, RECORDS


@dataclass
class Volunteer:
    vid: str
    name: str
    team: str
    active: bool


@dataclass
class Record:
    """One `记录` row as typed, plus what the checks resolve: the rule's points per hour."""
    row: int
    date: date | None
    vid: str | None
    name: str | None
    code: str | None
    hours: Decimal | None
    bad: set = field(default_factory=set)     # columns whose value was rejected
    rate: Decimal | None = None


@dataclass
class Context:
    """What the checks read besides the row: roster, rules, period, rows seen so far."""
    volunteers: dict[str, Volunteer]
    rules: dict[str, tuple[str, Decimal]]      # 代码 -> (服务项目, 每小时积分)
    start: date | None
    end: date | None
    seen: dict[tuple, int] = field(default_factory=dict)


def check_in_period(r: Record, ctx: Context) -> Problem | None:
    """设置 统计开始～统计截止: a record outside the period is not counted (提示)."""
    if (ctx.start and r.date < ctx.start) or (ctx.end and r.date > ctx.end):
        return Problem(RECORDS, r.row, "日期", r.date, "日期不在统计期内，这条记录不计入", NOTICE)
    return None


def check_volunteer_known(r: Record, ctx: Context) -> Problem | None:
    """C-2: the 编号 is a volunteer of `名册`."""
    if r.vid not in ctx.volunteers:
        return Problem(RECORDS, r.row, "编号", r.vid, "名册中没有这个编号，请先在“名册”登记", ERROR)
    return None


def check_name_matches(r: Record, ctx: Context) -> Problem | None:
    """A 姓名, when typed, is the roster's name for that 编号."""
    v = ctx.volunteers[r.vid]
    if r.name and r.name != v.name:
        return Problem(RECORDS, r.row, "姓名", r.name, f"姓名与名册不一致（编号 {r.vid} 是“{v.name}”）", ERROR)
    return None


def check_volunteer_active(r: Record, ctx: Context) -> Problem | None:
    """A volunteer no longer 在册 keeps the history but gets no new points (提示)."""
    v = ctx.volunteers[r.vid]
    if not v.active:
        return Problem(RECORDS, r.row, "编号", r.vid, f"{v.name}已不在册，这条记录不计入", NOTICE)
    return None


def check_code_known(r: Record, ctx: Context) -> Problem | None:
    """C-2: the 代码 names a rule of `规则`; the row takes that rule's 每小时积分."""
    if r.code not in ctx.rules:
        return Problem(RECORDS, r.row, "代码", r.code, "规则表中没有这个代码", ERROR)
    r.rate = ctx.rules[r.code][1]
    return None


def check_hours(r: Record, ctx: Context) -> Problem | None:
    """小时 is more than 0 and at most a day, in steps of half an hour."""
    if not (0 < r.hours <= MAX_HOURS_A_DAY) or (r.hours * 2) % 1:
        return Problem(RECORDS, r.row, "小时", r.hours,
                       f"小时应在 0.5 到 {MAX_HOURS_A_DAY} 之间，按半小时填写", ERROR)
    return None


def check_duplicate(r: Record, ctx: Context) -> Problem | None:
    """The same volunteer, day and service typed twice is one record entered twice (C-6)."""
    key = (r.vid, r.date, r.code)
    if key in ctx.seen:
        return Problem(RECORDS, r.row, "", "", f"与第{ctx.seen[key]}行重复（同一人、同一天、同一代码）", ERROR)
    ctx.seen[key] = r.row
    return None


RECORD_CHECKS: list[Callable[[Record, Context], Problem | None]] = [
    check_in_period, check_volunteer_known, check_name_matches,
    check_volunteer_active, check_code_known, check_hours, check_duplicate,
]


def check_hours_a_day(kept: list[Record], ctx: Context) -> list[Problem]:
    """One volunteer's records of one day add up to at most a day (on the day's last row)."""
    totals: dict[tuple, tuple[Decimal, int]] = {}
    for r in kept:
        hours, _ = totals.get((r.vid, r.date), (Decimal(0), 0))
        totals[(r.vid, r.date)] = (hours + r.hours, r.row)
    return [Problem(RECORDS, row, "小时", hours,
                    f"{ctx.volunteers[vid].name} {d} 的服务合计 {hours} 小时，超过 {MAX_HOURS_A_DAY} 小时", ERROR)
            for (vid, d), (hours, row) in totals.items() if hours > MAX_HOURS_A_DAY]


TABLE_CHECKS: list[Callable[[list[Record], Context], list[Problem]]] = [check_hours_a_day]
