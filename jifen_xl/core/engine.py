"""The scheme-agnostic engine (SPEC C-1, C-2, C-7, S-2, S-4, S-6, S-7).

Subjects earn or lose points through entries that apply rules. Everything a scheme needs
(bases, multipliers, exemptions, limit groups, thresholds) arrives as data; nothing here
knows whether the subject is a student, a household or an account.

Entries live in one pandas frame with the columns of ``ENTRY_COLUMNS``; points are integer
hundredths (see ``points.py``) so sums are exact.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from .periods import Period
from .points import mul_cents


@dataclass(frozen=True)
class Rule:
    """One line of a rule catalogue (`规则`), or a derived rule (dorm grading, exam bonus)."""

    code: str
    category: str
    item: str
    points: int | None            # cents per occurrence; None = discretionary (视情况)
    low: int | None = None        # allowed explicit range, cents
    high: int | None = None
    cadre_double: bool = False    # S-2: deductions multiplied for cadres
    limit_group: str = ""         # S-6
    limit: int | None = None
    carry: bool = True            # S-7
    period: str = ""              # village: 日常 / 年度
    row: int | None = None        # Excel row in `规则`

    def allowed_range(self) -> tuple[int | None, int | None]:
        """C-2: explicit values must lie in 最低…最高; a fixed rule without a range allows
        only its own value; the sign always follows the rule."""
        low, high = self.low, self.high
        if low is None and high is None and self.points is not None:
            return self.points, self.points
        return low, high

    def sign(self) -> int:
        """+1 / -1 when the rule is an addition / a deduction; 0 when a range spans both."""
        if self.points:
            return 1 if self.points > 0 else -1
        ends = [v for v in (self.low, self.high) if v]
        if ends and all(v > 0 for v in ends):
            return 1
        if ends and all(v < 0 for v in ends):
            return -1
        return 0

    def check_explicit(self, value: int) -> str | None:
        """None when `value` (cents) is allowed, else a Chinese reason."""
        from .points import fmt

        sign = self.sign()
        if sign and value * sign < 0:
            return f"分值的正负号与规则不一致（规则为{'加分' if sign > 0 else '减分'}）"
        low, high = self.allowed_range()
        if low is not None and high is not None and low > high:
            low, high = high, low
        if (low is not None and value < low) or (high is not None and value > high):
            lo = fmt(low) if low is not None else "不限"
            hi = fmt(high) if high is not None else "不限"
            return f"分值超出规则允许的范围 {lo} ～ {hi}"
        return None


@dataclass(frozen=True)
class Subject:
    sid: str
    name: str
    base: int                      # cents
    cadre: bool = False
    active: bool = True
    groups: tuple[tuple[str, str], ...] = ()   # (kind, name): ("宿舍", "301"), ("小组", "3")
    posts: tuple[str, ...] = ()
    row: int | None = None

    def group(self, kind: str) -> str:
        return dict(self.groups).get(kind, "")


ENTRY_COLUMNS = [
    "sheet", "row", "ref", "date", "sid", "code", "category", "item", "count", "each",
    "multiplier", "points", "limit_group", "source", "status", "cancelled", "note",
]


@dataclass
class EntryBuilder:
    """Collects entries (one per subject) and turns them into the entries frame.

    Entries are kept as tuples in ``ENTRY_COLUMNS`` order (a third of the memory of one dict
    each, which matters at 200,000 log rows); ``rows`` gives them as dicts.
    """

    records: list[tuple] = field(default_factory=list)

    def add(self, *, sheet: str, row: int | None, date: date, subject: Subject, rule: Rule,
            count: int = 1, each: int | None = None, cadre_multiplier: Decimal = Decimal(1),
            source: str = "", status: str = "", ref: str = "", note: str = "",
            category: str | None = None, item: str | None = None) -> None:
        value = rule.points if each is None else each
        mult = multiplier_for(value, subject.cadre, rule.cadre_double, cadre_multiplier)
        # same order as ENTRY_COLUMNS
        self.records.append((
            sheet, row, ref, date, subject.sid, rule.code,
            rule.category if category is None else category,
            rule.item if item is None else item, count, value, mult,
            value * count if mult is _ONE and value.__class__ is int and count.__class__ is int
            else entry_points(value, count, mult),
            rule.limit_group, source or sheet, status,
            False, note,
        ))

    def simple_entry(self, sheet: str, cadre_multiplier: Decimal = Decimal(1)):
        """A fast positional form of ``add`` for the commonest entry: returns
        fn(row, date, subject, rule, count, each, ref, note="") -> the record tuple that
        ``add(sheet=sheet, row=row, date=date, subject=subject, rule=rule, count=count,
        each=each, cadre_multiplier=cadre_multiplier, ref=ref, note=note)`` would append (the caller
        appends it to ``records``)."""
        one = _ONE

        def entry(row, date, subject, rule, count, each, ref, note=""):
            value = rule.points if each is None else each
            if subject.cadre and rule.cadre_double and value < 0:
                mult = cadre_multiplier
            else:
                mult = one
            points = (value * count if mult is one and value.__class__ is int and count.__class__ is int
                      else entry_points(value, count, mult))
            return (sheet, row, ref, date, subject.sid, rule.code, rule.category, rule.item, count,
                    value, mult, points, rule.limit_group, sheet, "", False, note)
        return entry

    @property
    def rows(self) -> list[dict]:
        return [dict(zip(ENTRY_COLUMNS, r)) for r in self.records]

    def frame(self) -> pd.DataFrame:
        if not self.records:
            df = pd.DataFrame([], columns=ENTRY_COLUMNS)
        else:   # column by column: no 2-D object array of every entry at once
            recs = self.records
            df = pd.DataFrame({c: _column([r[i] for r in recs], c in _INT_COLUMNS)
                               for i, c in enumerate(ENTRY_COLUMNS)})
        df["points"] = df["points"].astype("int64")
        df["count"] = df["count"].astype("int64")
        df["cancelled"] = df["cancelled"].astype(bool)
        return df


_INT_COLUMNS = frozenset({"row", "count", "each", "points"})


def _column(values: list, whole: bool) -> pd.Series:
    """One entries column. A column of plain ints goes straight to int64 (what pandas would
    infer, without its per-value inference); anything else as pandas infers it."""
    if whole and all(v.__class__ is int for v in values):
        try:
            return pd.Series(np.array(values, dtype=np.int64), copy=False)
        except OverflowError:
            pass
    return pd.Series(values)


def multiplier_for(each: int, cadre: bool, cadre_double: bool, cadre_multiplier: Decimal) -> Decimal:
    """S-2: cadres' deductions ×multiplier unless the rule is exempt; additions never."""
    if cadre and cadre_double and each < 0:
        return cadre_multiplier
    return _ONE


_ONE = Decimal(1)


def entry_points(each: int, count: int, multiplier: Decimal) -> int:
    """C-2: rule (or explicit) points × count × multiplier, in cents."""
    return mul_cents(each * count, multiplier)


def expand_target(target: str, subjects: Iterable[Subject], whole: str = "全班") -> list[Subject]:
    """S-4: a collective target (`宿舍:301`, `小组:3`, `全班`) → every active member."""
    subs = [s for s in subjects if s.active]
    if target == whole:
        return subs
    kind, _, name = target.partition(":")
    return [s for s in subs if s.group(kind) == name]


# ---- period totals (C-1) -----------------------------------------------------------------

def counted(entries: pd.DataFrame) -> pd.DataFrame:
    """Entries that enter totals: not cancelled by a reversal (C-7 status filtering is the
    scheme's business and happens before)."""
    return entries.loc[~entries["cancelled"].astype(bool)]


def period_totals(entries: pd.DataFrame, sids: list[str], start: date | None, end: date) -> pd.DataFrame:
    """Per subject: additions, deductions (positive magnitude) and net between start and end
    inclusive (start None = from the beginning). Index = sids in the given order."""
    e = counted(entries[["date", "sid", "points", "cancelled"]])   # copy only what is summed
    mask = e["date"] <= end
    if start is not None:
        mask &= e["date"] >= start
    e = e[mask]
    pts = e["points"]
    add = pts.where(pts > 0, 0).groupby(e["sid"]).sum()
    ded = (-pts.where(pts < 0, 0)).groupby(e["sid"]).sum()
    out = pd.DataFrame(index=pd.Index(sids, name="sid"))
    out["add"] = add.reindex(out.index, fill_value=0).astype("int64")
    out["ded"] = ded.reindex(out.index, fill_value=0).astype("int64")
    out["net"] = out["add"] - out["ded"]
    return out


# ---- weekly limits with carry-over (S-6, S-7) ----------------------------------------------

@dataclass(frozen=True)
class LimitGroup:
    name: str
    limit: int
    carry: bool = True


@dataclass(frozen=True)
class LimitHit:
    sid: str
    week: Period
    group: str
    count: int          # this week's count plus what was carried in
    carried_in: int
    carried_out: int

    def reason(self, label: str | None = None) -> str:
        """Plain Chinese for the self-study list: what this week brought and what was carried
        in (S-7), e.g. ``迟到 3次`` or ``就寝不合格 2次（本周没有新记录，都是上周超出限额顺延的）``."""
        s = f"{label or self.group} {self.count}次"
        new = self.count - self.carried_in
        if self.carried_in and new > 0:
            s += f"（本周 {new} 次，另有上周超出限额顺延的 {self.carried_in} 次）"
        elif self.carried_in:
            s += f"（本周没有新记录，{self.carried_in} 次都是上周超出限额顺延的）"
        return s


def weekly_limits(entries: pd.DataFrame, groups: dict[str, LimitGroup], weeks: list[Period],
                  sids: list[str]) -> list[LimitHit]:
    """Walk the weeks in order; a group's count (plus carry) reaching its threshold sends the
    student to that week's self-study; with 顺延 the excess beyond the threshold carries into
    the next week's count of that group, otherwise the count restarts."""
    e = counted(entries[["sid", "limit_group", "date", "count", "cancelled"]])
    if not weeks:
        return []
    e = e[e["limit_group"].isin(list(groups)) & (e["date"] >= weeks[0].start) & (e["date"] <= weeks[-1].end)]
    if e.empty:
        return []
    starts = [w.start for w in weeks]
    dates = e["date"].tolist()
    index = {d: bisect.bisect_right(starts, d) - 1 for d in set(dates)}   # per distinct date
    wk = [index[d] for d in dates]
    e = e.assign(week=wk)
    counts = e.groupby(["sid", "limit_group", "week"])["count"].sum()
    hits: list[LimitHit] = []
    order = {sid: i for i, sid in enumerate(sids)}
    # Plain-Python walk over the sorted (sid, group, week) counts: iterating pandas groups
    # costs ~1 ms each, too slow for 3,000 students × several groups.
    per_group: dict[tuple[str, str], dict[int, int]] = {}
    for (sid, gname, week), v in zip(counts.index.tolist(), counts.tolist()):
        per_group.setdefault((sid, gname), {})[week] = int(v)
    for (sid, gname), per_week in per_group.items():
        if sid not in order:
            continue
        g = groups[gname]
        carry = 0
        for i, w in enumerate(weeks):
            n = per_week.get(i, 0) + carry
            if n >= g.limit:
                out = n - g.limit if g.carry else 0
                hits.append(LimitHit(sid, w, gname, n, carry, out))
                carry = out
            else:
                carry = 0
    hits.sort(key=lambda h: (h.week.start, order[h.sid], h.group))
    return hits
