"""The school's numbers: which week / month a command means, the per-student totals, the
semester award list (S-11, C-4, C-8). Pure; render.py turns them into sheets."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from ...core import clock, engine
from ...core.periods import Period, month_of, week_of
from ...core.ranking import award_keys, competition_rank, tier_for_rank
from ...core.problems import ERROR, Problem
from ...core.table import Col, RawSheet, parse_table
from .data import SchoolData
from .dorms import PERIOD_BONUS_CODES
from .schema import SETTINGS, SPECIAL_AWARD, TIERS


def resolve_week(data: SchoolData, when: date | None) -> Period:
    d = when or data.latest or (data.semester.end if data.semester else date.today())
    return week_of(d, data.settings["周起始"])


def resolve_month(data: SchoolData, year_month: tuple[int, int] | None) -> Period:
    from ...core.periods import month

    if year_month:
        return month(*year_month)
    d = data.latest or (data.semester.end if data.semester else date.today())
    return month_of(d)


def totals_by_sid(totals: pd.DataFrame) -> dict[str, dict[str, int]]:
    """period_totals as {sid: {"add", "ded", "net"}} for per-student lookups (a DataFrame
    ``.loc`` per student costs more than the whole sum at 3,000 students)."""
    return {sid: {"add": int(a), "ded": int(d), "net": int(n)}
            for sid, a, d, n in zip(totals.index, totals["add"].tolist(), totals["ded"].tolist(),
                                    totals["net"].tolist())}


def recorder_counts(data: SchoolData, period: Period) -> dict[str, int]:
    """S-14: `日志` rows per 记录人 dated within ``period``, 冲正 rows left out (a correction
    is not a record of the day), in order of first appearance; a pupil typed by 学号 counts
    under the 姓名."""
    log = data.log
    if log is None:
        return {}
    names = {s.sid: s.name for s in data.subjects}
    counts: dict[str, int] = {}
    start, end = period.start, period.end
    for d, who, rev in zip(log.values["日期"], log.values["记录人"], log.values["冲正"]):
        if who and not rev and d is not None and start <= d <= end:
            who = names.get(who, who)
            counts[who] = counts.get(who, 0) + 1
    return counts


def entered(entries: pd.DataFrame) -> pd.Series:
    """Entries dated by what was entered: all but the streak bonuses dated at their period's
    end (a 月全优（暂计） on 09-30 is not data up to 09-30)."""
    return ~entries["code"].isin(PERIOD_BONUS_CODES) if len(entries) else pd.Series([], dtype=bool)


def data_end(data: SchoolData) -> date | None:
    """The latest date the data reach: ordinary log rows (C-9) and counted entries, except
    the derived ones dated at a period's end (``entered``)."""
    e = data.entries
    live = e.loc[~e["cancelled"] & entered(e), "date"] if len(e) else e["date"]
    dates = [d for d in (data.latest, live.max() if len(live) else None) if d is not None]
    return max(dates) if dates else None


def awards_final(data: SchoolData, asked: bool = False) -> tuple[bool, str]:
    """C-8, S-11: the award list is final once the data reach 学期结束, or when the teacher
    closes the semester (``asked``: --final / 设置 正式结果 是) and ``closing_refused`` has
    nothing against it; else the reason it is 暂定."""
    if data.semester is None:
        return False, "日志中没有记录"
    reached = data_end(data)
    if reached is not None and reached >= data.semester.end:
        return True, ""
    if asked and not closing_refused(data, True):
        return True, ""
    upto = f"日志只记到 {reached.isoformat()}" if reached else "日志中还没有记录"
    return False, f"{upto}，学期到 {data.semester.end.isoformat()} 才结束"


def closing_refused(data: SchoolData, asked: bool) -> list[Problem]:
    """C-8: closing the semester by hand (a last day with no log entry) is refused, as a
    located 错误 on 学期结束, until 学期结束 has passed — the clock consulted only to refuse,
    as the village's --final is. Nothing to refuse when not asked or the data reach the end."""
    if not asked or data.semester is None:
        return []
    end = data.semester.end
    reached = data_end(data)
    if reached is not None and reached >= end:
        return []
    if end >= clock.today():
        return [Problem(SETTINGS, _setting_row(data, "学期结束"), "值", end,
                        f"学期到 {end.isoformat()} 才结束，学期结束后才能生成正式的学期奖励名单"
                        f"（--final / 设置“正式结果”）；在此之前名单为暂定", ERROR)]
    return []


def _setting_row(data: SchoolData, key: str) -> int | None:
    """The Excel row of ``key`` in 设置, for locating a problem on it."""
    raw = data.raw.get(SETTINGS)
    if raw is None or "项目" not in raw.header:
        return None
    ki = raw.header.index("项目")
    return next((n for n, row in zip(raw.row_numbers, raw.rows)
                 if ki < len(row) and isinstance(row[ki], str) and row[ki].strip() == key), None)


@dataclass
class Award:
    """One line of `学期奖励` (S-11); ``total`` in cents."""

    rank: int
    sid: str
    name: str
    total: int
    tier: str                       # 一等奖 … or 特等奖
    special: bool                   # marked 特等 by hand, kept on recompute


@dataclass
class Awards:
    awards: list[Award]             # by rank, roster order within a rank
    end: date                       # the data's as-of end (semester end or latest entry)
    final: bool                     # C-8: 正式 once the data reach 学期结束, else 暂定
    why: str                        # why it is still 暂定 ("" when final)


def semester_awards(data: SchoolData, previous: RawSheet | None = None, asked: bool = False) -> Awards:
    """S-11: rank by semester total, tiers by shared rank (C-4); 特等 marks survive recompute.
    Before the data reach 学期结束 the list is 暂定 (C-8)."""
    subs = data.active
    sids = [s.sid for s in subs]
    end = data.semester.end if data.semester else (data.latest or date.today())
    start = data.semester.start if data.semester else None
    tot = engine.period_totals(data.entries, sids, start, end)
    by_sid = totals_by_sid(tot)
    totals = [s.base + by_sid[s.sid]["net"] for s in subs]
    keys = award_keys(totals, list(tot["ded"]), list(tot["add"]), data.settings["并列处理"])
    ranks = competition_rank(keys)
    st = data.settings
    tiers = list(zip(TIERS, (st["一等人数"], st["二等人数"], st["三等人数"])))
    special = special_marks(previous)
    final, why = awards_final(data, asked)
    rows = []
    for i, (s, total, rank) in enumerate(zip(subs, totals, ranks)):
        marked = s.sid in special
        if rank > st["奖励人数"] and not marked:
            continue
        tier = SPECIAL_AWARD if marked else tier_for_rank(rank, tiers)
        rows.append((rank, i, Award(rank, s.sid, s.name, total, tier, marked)))
    rows.sort(key=lambda x: (x[0], x[1]))
    return Awards([a for _, _, a in rows], end, final, why)


def special_marks(previous: RawSheet | None) -> set[str]:
    """学号s the teacher marked 特等 by hand in the previous `学期奖励` (S-11)."""
    if previous is None:
        return set()
    recs, _ = parse_table(previous, [Col("学号", "id"), Col("奖项", "text"), Col("特等", "bool")])
    return {r["学号"] for r in recs if r["学号"] and (r["奖项"] == SPECIAL_AWARD or r["特等"])}
