"""Periods (SPEC S-8, V-2): weeks with a configurable first weekday, months, quarters."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date          # inclusive
    label: str         # shown to the user: 2026-09-07, 2026-09, 2026Q3, 2026

    def __contains__(self, d: date) -> bool:
        return self.start <= d <= self.end


def week_of(d: date, first_weekday: int = 0) -> Period:
    """The week (first_weekday .. first_weekday+6; 0 = Monday) holding d."""
    start = d - timedelta(days=(d.weekday() - first_weekday) % 7)
    return Period(start, start + timedelta(days=6), start.isoformat())


def weeks_between(first: date, last: date, first_weekday: int = 0) -> list[Period]:
    """Every week touching [first, last], in order."""
    out = []
    w = week_of(first, first_weekday)
    while w.start <= last:
        out.append(w)
        nxt = w.start + timedelta(days=7)
        w = Period(nxt, nxt + timedelta(days=6), nxt.isoformat())
    return out


def month_of(d: date) -> Period:
    return month(d.year, d.month)


def month(year: int, m: int) -> Period:
    last = calendar.monthrange(year, m)[1]
    return Period(date(year, m, 1), date(year, m, last), f"{year}-{m:02d}")


def quarter(year: int, q: int) -> Period:
    first_month = 3 * (q - 1) + 1
    end = month(year, first_month + 2).end
    return Period(date(year, first_month, 1), end, f"{year}Q{q}")


def quarter_of(d: date) -> Period:
    return quarter(d.year, (d.month - 1) // 3 + 1)


def year(y: int) -> Period:
    return Period(date(y, 1, 1), date(y, 12, 31), str(y))
