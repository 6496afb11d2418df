"""The school's output sheets: `周汇总` and `上自习名单` (S-6…S-8), `月报` and `家长约谈` (S-10),
`周趋势` with its charts (S-12), `学期奖励` (S-11) as ``OutputSheet`` objects."""
from __future__ import annotations

import re

from datetime import date

import pandas as pd

from ...book.charts import ChartSpec
from ...book.sheets import OutputSheet
from ...core import engine
from ...core.periods import Period, month_cn, semester_cn, week_cn, week_of, weeks_between
from ...core.points import fmt, from_cents, to_cents
from ...core.ranking import bottom_mask, competition_rank
from ...core.table import RawSheet
from .compute import Awards, entered, recorder_counts, semester_awards, totals_by_sid
from .data import SchoolData
from .schema import (AWARD_COLS, AWARDS, FINAL, LOG, MONTHLY, MONTHLY_COLS, PARENT_COLS, PARENT_MEETING,
                     PROVISIONAL, SELF_STUDY, SELF_STUDY_COLS, TEACHER, TREND, WEEKLY, WEEKLY_COLS)

_REVERSED_NOTE = re.compile(r"（已被第\d+行冲正）")


def _detail(entries: pd.DataFrame, start: date, end: date) -> dict[str, str]:
    """Per student, the period's entries as one readable line (source, item, points)."""
    e = entries[(entries["date"] >= start) & (entries["date"] <= end)]
    out: dict[str, list[str]] = {}
    e = e.sort_values(["date", "sheet", "row"], kind="stable")
    columns = [e[c].tolist() for c in ("date", "item", "count", "multiplier", "points", "source",
                                        "cancelled", "sid", "note")]   # plain lists: fast to walk
    for d, item, count, multiplier, points, source, cancelled, sid, note in zip(*columns):
        txt = f"{d.month}/{d.day} {item}"
        if note and source == LOG:        # the 备注 of the log row (e.g. why a discretionary value)
            note = _REVERSED_NOTE.sub("", note) if cancelled else note
            if note:
                txt += f"（{note}）"
        if count != 1:
            txt += f"×{count}"
        if multiplier != 1:
            txt += f"（班干部×{multiplier.normalize()}）"
        txt += " " + fmt(points, signed=True)
        if source and source != LOG:
            txt += f"[{source}]"
        if cancelled:
            txt = f"{txt}（已冲正，不计）"
        out.setdefault(sid, []).append(txt)
    return {k: "；".join(v) for k, v in out.items()}


def _as_of(data: SchoolData, end: date) -> str:
    """数据截至: the latest entered date up to ``end`` (never a derived bonus's)."""
    e = data.entries
    dates = e.loc[entered(e), "date"] if len(e) else e["date"]
    dates = dates[dates <= end]
    return (dates.max() if len(dates) else end).isoformat()


def week_label(data: SchoolData, week: Period) -> str:
    """第N周（9月7日—13日), N counted from the semester start."""
    first = data.semester.start if data.semester else None
    return week_cn(week, first, data.settings["周起始"])


# How the template's limit groups read on the self-study list (a clerk's own group names
# print as they are): 宿舍合格 counts duty that was only "passable" (the source deducts for
# it), so it must not read as a punishment for passing.
LIMIT_LABELS = {
    "宿舍合格": "宿舍值日仅评合格",
    "宿舍不合格": "宿舍或教室卫生不合格",
    "作业": "作业迟交或未交",
    "被子": "被子不合格",
    "就寝": "就寝不合格",
}


def week_outputs(data: SchoolData, week: Period) -> list[OutputSheet]:
    """S-8, S-6, S-7: `周汇总` for one week and that week's `上自习名单`."""
    subs = data.active
    sids = [s.sid for s in subs]
    tot = totals_by_sid(engine.period_totals(data.entries, sids, week.start, week.end))
    cum = totals_by_sid(engine.period_totals(data.entries, sids, None, week.end))
    detail = _detail(data.entries, week.start, week.end)
    rows = []
    for s in subs:
        t = tot[s.sid]
        rows.append([week.start, s.sid, s.name, from_cents(t["add"]), from_cents(t["ded"]),
                     from_cents(t["net"]), from_cents(s.base + cum[s.sid]["net"]), detail.get(s.sid, "")])
    first = data.semester.start if data.semester else week.start
    weeks = weeks_between(min(first, week.start), week.end, data.settings["周起始"])
    hits = [h for h in engine.weekly_limits(data.entries, data.limit_groups, weeks, sids)
            if h.week.start == week.start]
    names = {s.sid: s.name for s in subs}
    reasons: dict[str, list[str]] = {}
    for h in hits:
        reasons.setdefault(h.sid, []).append(h.reason(LIMIT_LABELS.get(h.group)))
    for a in data.additions:        # S-15: the head teacher's own list joins the week's
        if week.start <= a.day <= week.end and a.sid in names:
            reasons.setdefault(a.sid, []).append(f"{TEACHER}：{a.reason}" if a.reason else f"{TEACHER}查到")
    study = [[week.start, sid, names[sid], "；".join(rs)] for sid, rs in reasons.items()]
    head = f"{data.title}　{week_label(data, week)}（数据截至 {_as_of(data, week.end)}）"
    info = {"period": week_label(data, week), "as_of": date.fromisoformat(_as_of(data, week.end))}
    return [
        OutputSheet(WEEKLY, WEEKLY_COLS, rows, title=head + " 周汇总", landscape=True, **info),
        OutputSheet(SELF_STUDY, SELF_STUDY_COLS, study, title=head + " 周日上自习名单", **info),
    ]


def month_outputs(data: SchoolData, month: Period) -> list[OutputSheet]:
    """S-10: `月报` (with an empty 家长评语 column, and 记录条数: the month's `日志` rows each
    pupil recorded, S-14) and the `家长约谈` list."""
    subs = data.active
    sids = [s.sid for s in subs]
    tot = totals_by_sid(engine.period_totals(data.entries, sids, month.start, month.end))
    cum = totals_by_sid(engine.period_totals(data.entries, sids, None, month.end))
    totals = [s.base + int(cum[s.sid]["net"]) for s in subs]
    ranks = competition_rank(totals)
    detail = _detail(data.entries, month.start, month.end)
    recorded = recorder_counts(data, month)
    rows = []
    for s, total, rank in zip(subs, totals, ranks):
        t = tot[s.sid]
        n = recorded.get(s.name, 0)
        rows.append([month.label, s.sid, s.name, from_cents(t["add"]), from_cents(t["ded"]),
                     from_cents(t["net"]), from_cents(total), rank, "", n, detail.get(s.sid, "")])
    bottom = bottom_mask(totals, data.settings["约谈后几名"])
    limit = to_cents(data.settings["约谈月扣分"])
    meet = [[month.label, s.sid, s.name, from_cents(total), from_cents(tot[s.sid]["ded"])]
            for s, total, low in zip(subs, totals, bottom) if low and tot[s.sid]["ded"] > limit]
    head = f"{data.title}　{month_cn(month)}（数据截至 {_as_of(data, month.end)}）"
    info = {"period": month.label, "as_of": date.fromisoformat(_as_of(data, month.end))}
    return [
        OutputSheet(MONTHLY, MONTHLY_COLS, rows, title=head + " 月报", landscape=True, **info),
        OutputSheet(PARENT_MEETING, PARENT_COLS, meet, title=head + " 家长约谈名单", **info),
    ]


TREND_COLS = ["周开始", "加分合计", "减分合计", "净分合计"]     # then one "<类别>减分" per category


def trend_charts(columns: list[str]) -> list[ChartSpec]:
    """The two charts of `周趋势`, derived from its headers alone."""
    cats = [c for c in columns[len(TREND_COLS):] if c.endswith("减分")]
    out = [ChartSpec("每周全班加分、减分与净分", "周开始", ["加分合计", "减分合计"], lines=["净分合计"],
                     y_title="分")]
    if cats:
        out.append(ChartSpec("每周减分（按类别）", "周开始", cats, stacked=True, y_title="分"))
    return out




def trend_outputs(data: SchoolData, end: date) -> list[OutputSheet]:
    """`周趋势`: the class's week-by-week additions, deductions, net and deductions by rule
    category from the semester start to the week holding ``end`` (S-8 weeks, S-12), with
    native charts below the data. Active students only; collective entries count per member.
    """
    sids = {s.sid for s in data.active}
    first_wd = data.settings["周起始"]
    e = engine.counted(data.entries[["date", "sid", "category", "points", "cancelled"]])
    e = e[e["sid"].isin(sids) & (e["date"] <= week_of(end, first_wd).end)]
    first = data.semester.start if data.semester else (e["date"].min() if len(e) else end)
    e = e[e["date"] >= week_of(first, first_wd).start]
    weeks = weeks_between(min(first, end), end, first_wd)
    cats = list(dict.fromkeys([r.category for r in data.rules.values() if r.category]
                              + sorted(set(e["category"].unique()) - {""})))
    starts = {d: week_of(d, first_wd).start for d in set(e["date"])}   # per distinct date
    wk = e["date"].map(starts)
    pts = e["points"]
    add = pts.where(pts > 0, 0).groupby(wk).sum()
    ded = (-pts.where(pts < 0, 0))
    ded_total = ded.groupby(wk).sum()
    by_cat = ded.groupby([wk, e["category"]]).sum()
    rows = []
    for w in weeks:
        a, d = int(add.get(w.start, 0)), int(ded_total.get(w.start, 0))
        rows.append([w.start, from_cents(a), from_cents(d), from_cents(a - d)]
                    + [from_cents(int(by_cat.get((w.start, c), 0))) for c in cats])
    columns = TREND_COLS + [f"{c}减分" for c in cats]
    head = (f"{data.title}　{week_label(data, weeks[0])}至{week_label(data, weeks[-1])} 每周积分趋势"
            f"（数据截至 {_as_of(data, end)}）")
    return [OutputSheet(TREND, columns, rows, title=head, charts=trend_charts(columns),
                        as_of=date.fromisoformat(_as_of(data, end)))]



def render_awards(data: SchoolData, res: Awards) -> list[OutputSheet]:
    """`学期奖励`: the 暂定 state in its 状态 column and its printed header (certificates are
    refused by `jifen print` while 暂定, read from ``status``)."""
    state = FINAL if res.final else PROVISIONAL
    rows = [[a.rank, a.sid, a.name, from_cents(a.total), a.tier, "是" if a.special else "", state]
            for a in res.awards]
    sem = semester_cn(data.semester.start) if data.semester else ""
    head = f"{data.title}　{sem} 学期奖励名单（数据截至 {_as_of(data, res.end)}）"
    if not res.final:
        head += f"【暂定：{res.why}，期末前不发奖状】"
    return [OutputSheet(AWARDS, AWARD_COLS, rows, title=head, status=state, why=res.why, period=sem,
                        as_of=date.fromisoformat(_as_of(data, res.end)))]


def award_outputs(data: SchoolData, previous: RawSheet | None = None) -> list[OutputSheet]:
    return render_awards(data, semester_awards(data, previous))

