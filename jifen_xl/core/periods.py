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


# ---- how people read periods: never 2026-09-07 ～ 2026-09-13 on paper ----------------------------

def _md(d: date, ref: date | None = None) -> str:
    """9月7日; the year is added when it differs from ``ref``'s."""
    year = f"{d.year}年" if ref is not None and d.year != ref.year else ""
    return f"{year}{d.month}月{d.day}日"


def span_cn(start: date, end: date) -> str:
    """9月7日—13日, 9月28日—10月4日, 12月28日—2027年1月3日."""
    if start.year == end.year and start.month == end.month:
        return f"{start.month}月{start.day}日—{end.day}日"
    return f"{_md(start)}—{_md(end, start)}"


def week_cn(week: Period, first: date | None = None, first_weekday: int = 0) -> str:
    """第N周（9月7日—13日): N counts weeks from the week holding ``first`` (the semester
    start); without ``first`` only the dates are given."""
    if first is None or week.start < week_of(first, first_weekday).start:
        return f"{week.start.year}年{span_cn(week.start, week.end)}这一周"
    n = (week.start - week_of(first, first_weekday).start).days // 7 + 1
    return f"第{n}周（{span_cn(week.start, week.end)}）"


def month_cn(value) -> str:
    """2026年10月 from a month Period, a date or a label such as 2026-10."""
    if isinstance(value, Period):
        value = value.start
    if isinstance(value, date):
        return f"{value.year}年{value.month}月"
    text = str(value or "").strip()
    parts = text.replace("/", "-").split("-")
    if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
        return f"{int(parts[0])}年{int(parts[1])}月"
    return text


def semester_cn(start: date | None, end: date | None = None) -> str:
    """2026—2027学年第一学期 (a term starting July or later), 2026—2027学年第二学期 (spring)."""
    if start is None:
        return "本学期"
    if start.month >= 7:
        return f"{start.year}—{start.year + 1}学年第一学期"
    return f"{start.year - 1}—{start.year}学年第二学期"


def quarter_cn(label: str) -> str:
    """2026年第三季度 from 2026Q3; 2026年度 from 2026; anything else unchanged."""
    text = str(label or "").strip()
    if len(text) == 6 and text[:4].isdigit() and text[4] in "Qq" and text[5] in "1234":
        return f"{text[:4]}年第{'一二三四'[int(text[5]) - 1]}季度"
    if len(text) == 4 and text.isdigit():
        return f"{text}年度"
    return text
