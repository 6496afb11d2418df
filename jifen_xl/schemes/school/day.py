"""The morning report `日总结` (SPEC S-16): "值日班长第2天早上的7:40―7:45做总结" — for one day,
each pupil's entries with their reasons, the class's net for the day, who reached a weekly
limit that day (and goes to Sunday self-study), who was on leave (S-13). One A4 page to
read aloud; printed like any output sheet."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ...book.sheets import OutputSheet
from ...core import engine
from ...core.periods import week_of, weeks_between
from ...core.points import fmt, from_cents
from .data import SchoolData
from .render import LIMIT_LABELS
from .schema import DAY, DAY_COLS, LOG

WEEKDAYS = "一二三四五六日"


def resolve_day(data: SchoolData, when: date | None) -> date:
    """The day asked for, else the latest ordinary `日志` date (C-9), else the semester end."""
    return when or data.latest or (data.semester.end if data.semester else date.today())


@dataclass(frozen=True)
class Reached:
    """A pupil's limit group that reached its weekly limit on the day (S-6, S-7)."""

    sid: str
    group: str
    count: int          # the week's count (carry included) at the end of the day
    limit: int

    def text(self) -> str:
        label = LIMIT_LABELS.get(self.group, self.group)
        return f"本周“{label}”已达{self.count}次（限额{self.limit}次），周日上自习"


def limits_reached(data: SchoolData, day: date, sids: list[str]) -> list[Reached]:
    """The limits reached on ``day``: the week's count with carry-over was below the limit
    the evening before and reaches it that day (S-6; the carry of S-7 comes from
    engine.weekly_limits)."""
    first_wd = data.settings["周起始"]
    week = week_of(day, first_wd)
    first = data.semester.start if data.semester else week.start
    weeks = weeks_between(min(first, week.start), week.end, first_wd)
    hits = [h for h in engine.weekly_limits(data.entries, data.limit_groups, weeks, sids)
            if h.week.start == week.start]
    if not hits:
        return []
    e = engine.counted(data.entries[["sid", "limit_group", "date", "count", "cancelled"]])
    e = e[(e["date"] >= week.start) & (e["date"] <= day)]
    counts: dict[tuple[str, str, bool], int] = {}
    for sid, group, d, n in zip(e["sid"], e["limit_group"], e["date"], e["count"]):
        key = (sid, group, d == day)
        counts[key] = counts.get(key, 0) + int(n)
    out = []
    for h in hits:
        limit = data.limit_groups[h.group].limit
        before = h.carried_in + counts.get((h.sid, h.group, False), 0)
        upto = before + counts.get((h.sid, h.group, True), 0)
        if before < limit <= upto:
            out.append(Reached(h.sid, h.group, upto, limit))
    return out


def _entry_text(item: str, count: int, multiplier) -> str:
    txt = item
    if count != 1:
        txt += f"×{count}"
    if multiplier != 1:
        txt += f"（班干部×{multiplier.normalize()}）"
    return txt


def _entries_of(data: SchoolData, day: date, sids: set[str]) -> dict[str, list[tuple]]:
    """Per pupil, the day's counted entries as (事项, points, 备注) in sheet/row order."""
    e = engine.counted(data.entries)
    e = e[(e["date"] == day) & e["sid"].isin(list(sids))].sort_values(["sheet", "row"], kind="stable")
    out: dict[str, list[tuple]] = {}
    cols = [e[c].tolist() for c in ("sid", "item", "count", "multiplier", "points", "source", "note",
                                    "limit_group")]
    for sid, item, count, mult, points, source, note, group in zip(*cols):
        remark = note if source == LOG else f"{note}[{source}]" if note else f"[{source}]"
        out.setdefault(sid, []).append((_entry_text(item, count, mult), int(points), remark, group))
    return out


@dataclass
class DaySummary:
    rows: list[list]            # `日总结` without its closing 全班 row
    net: int = 0                # the class's net for the day, cents
    with_entries: int = 0       # pupils with a counted entry that day
    on_leave: int = 0           # pupils on approved leave that day (S-13)
    reached: int = 0            # pupils who reached a weekly limit that day (S-6)


def day_rows(data: SchoolData, day: date) -> DaySummary:
    """Per active pupil in roster order: the day's entries (S-16), deductions excused by
    leave (0, S-13), the leave itself, and the limit reached that day on the entry that
    reached it; 当日净分 on every row of the pupil."""
    subs = data.active
    entries = _entries_of(data, day, {s.sid for s in subs})
    reached: dict[str, list[Reached]] = {}
    for r in limits_reached(data, day, [s.sid for s in subs]):
        reached.setdefault(r.sid, []).append(r)
    excused: dict[str, list[tuple]] = {}
    for row, d, sid, item, lv in data.excused:
        if d == day:
            excused.setdefault(sid, []).append((item, 0, f"请假免扣（请假表第{lv.row}行）", ""))
    out = DaySummary([], reached=len(reached))       # pupils (keys of ``reached``)
    rows = out.rows
    for s in subs:
        mine = entries.get(s.sid, []) + excused.get(s.sid, [])
        lv = data.leave.on(s.sid, day)
        if lv is not None:
            out.on_leave += 1
            mine.append(("请假", None, f"{lv.reason or '未写事由'}，批准人 {lv.approver}（{lv.span()}）", ""))
        if not mine:
            continue
        net = sum(p for _, p, _, _ in mine if p)
        out.net += net
        out.with_entries += bool(entries.get(s.sid))
        notes = {r.group: r.text() for r in reached.get(s.sid, [])}
        last_of = {g: i for i, (_, _, _, g) in enumerate(mine) if g in notes}
        for i, (item, points, remark, group) in enumerate(mine):
            if last_of.get(group) == i:      # the limit note goes on the entry that reached it
                remark = "；".join(x for x in (remark, notes.pop(group)) if x)
            rows.append([day, s.sid, s.name, item, from_cents(points) if points is not None else None,
                         from_cents(net), remark])
    return out


def day_outputs(data: SchoolData, day: date) -> tuple[list[OutputSheet], list[str]]:
    """S-16: `日总结` of one day, with a closing 全班 row holding the class's net."""
    s = day_rows(data, day)
    said = f"{s.with_entries}人有加减分" + (f"，{s.reached}人当天达到周限额" if s.reached else "") \
        + (f"，{s.on_leave}人请假" if s.on_leave else "")
    rows = s.rows + [[day, "", "全班", "当日全班合计", None, from_cents(s.net), said]]
    when = f"{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"
    head = f"{data.title}　{when} 日总结　全班当日净分 {fmt(s.net, signed=True)}"
    lines = [f"已生成 {day.isoformat()} 日总结：{said}，全班当日净分 {fmt(s.net, signed=True)}。"]
    return [OutputSheet(DAY, DAY_COLS, rows, title=head, period=day.isoformat(), as_of=day)], lines
