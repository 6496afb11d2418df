"""Village computing (SPEC V-3…V-8, C-4, C-7, C-8): finality of a period, year-to-date
standings, star rating, the typed ``PeriodResult`` the renderers and the roll-up read.
Pure: it sees ``VillageData`` only."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ...core.periods import Period, quarter, quarter_of, year as year_period
from ...core import clock
from ...core.problems import ERROR, NOTICE, Problem
from ...core.ranking import competition_rank, star_for
from .model import (
    CATEGORIES, COUNTS_IN_FINAL, COUNTS_IN_NOTICE, DAILY_CATEGORIES, FINAL_NOTICE, FIRST, NOTICE_LOG,
    NOTICE_ST, OBJECTED, PRE_NOTICE, RECORDS, REJECTED, Household, NoticeRecord, VillageData
)


def _live(data: VillageData, start: date, end: date) -> pd.DataFrame:
    """Entries of participating households in [start, end], reversals removed."""
    e = data.entries
    sids = [h.hid for h in data.participants]
    return e[~e["cancelled"] & e["sid"].isin(sids) & (e["date"] >= start) & (e["date"] <= end)]


@dataclass
class Finality:
    """C-8, V-8: whether a period's result is final, and why not when it was asked for."""
    final: bool
    notice: NoticeRecord | None     # the notice in force (the latest 公示开始 of the period)
    problems: list[Problem] = field(default_factory=list)
    changed_rows: list[int] = field(default_factory=list)   # C-8: rows dated after the notice began
    meeting_missing: bool = False   # V-11: a year without its review meeting before the notice
    why: str = ""                   # not final: the first missing step, in the clerk's words


def _why(final: bool, rec: NoticeRecord | None, rows: list[int], missing: bool, problems: list[Problem]) -> str:
    """The first step a result that is not final still waits for (C-8, V-8, V-11)."""
    if final:
        return ""
    if rec is None:
        return "还没有登记公示"
    if rows:
        return "公示后有改动，需要重新公示"
    if missing:
        return "年度审议会议没有在公示前登记"
    if any(p.value == OBJECTED for p in problems):
        return "有未处理的异议"
    if any(p.column == "状态" for p in problems):
        return "还有初评或公示中的记录"
    return "公示期未满"


def finality(data: VillageData, period: Period, asked: bool = False) -> Finality:
    """The one place a period's result is judged final (C-8, V-8, V-11). Final only after
    the notice in force in `公示记录` has ended with no open objection (year to date), with
    no record or 冲正 dated on or after its 公示开始 (``late_changes``) and, for a year, the
    review meeting recorded before it (``meeting_problems``). Asked for (``--final`` /
    正式结果), it is refused with a located 错误 for each missing step — the clock
    consulted only to refuse a notice not yet ended (a recorded 上报日期 says it has).
    Unasked: see ``_finality_unasked``."""
    rec = data.notices.get(period.label)
    if not asked:
        return _finality_unasked(data, period, rec)
    why: list[Problem] = []
    if rec is None:
        why.append(Problem(NOTICE_LOG, None, "期次", period.label,
                           f"没有 {period.label} 的公示记录：请先张贴公示，在“公示记录”登记公示开始日期，"
                           "公示期满无异议后再生成正式结果"
                           + ("" if data.has_notice_log else
                              "（本工作簿还没有“公示记录”工作表：请新建一张，表头为 期次、公示开始、公示结束、上报日期、备注）")))
    elif rec.reported is None and rec.end >= clock.today():   # the clock only refuses
        why.append(Problem(NOTICE_LOG, rec.row, "公示结束", rec.end,
                           f"公示期到 {rec.end.isoformat()} 才结束，公示期满无异议后才能生成正式结果"))
    meeting, late = meeting_problems(period, rec, ERROR), late_changes(data, period, rec, ERROR)
    why += meeting + late + _open_objections(data, period, "不能生成正式结果")
    rows = [p.row for p in late]
    return Finality(not why, rec, why, rows, bool(meeting), _why(not why, rec, rows, bool(meeting), why))


def meeting_problems(period: Period, rec: NoticeRecord | None, level: str = NOTICE) -> list[Problem]:
    """V-11: the annual result passes a meeting of 党员、村民代表 (包村领导 present) before its
    notice; without a 审议日期 before the 公示开始 in force the year is not final."""
    if "Q" in period.label:
        return []
    then = "不能生成正式结果" if level == ERROR else "年度结果仍为预公示"
    if rec is None:
        return [Problem(NOTICE_LOG, None, "审议日期", "",
                        f"{period.label} 年度结果公示前须召开党员、村民代表会议（包村领导参加）公开审议；"
                        f"开会后在“公示记录”期次 {period.label} 一行填写审议日期、参加人数、包村领导、修改意见", level)]
    if rec.meeting is None:
        return [Problem(NOTICE_LOG, rec.row, "审议日期", "",
                        f"没有登记 {period.label} 年度审议会议：公示前须召开党员、村民代表会议（包村领导参加）"
                        f"公开审议，请填写审议日期、参加人数、包村领导、修改意见；{then}", level)]
    if rec.meeting >= rec.start:
        return [Problem(NOTICE_LOG, rec.meeting_row, "审议日期", rec.meeting,
                        f"审议日期不在公示开始（{rec.start.isoformat()}）之前：应先召开党员、村民代表会议审议，"
                        f"再张贴公示；{then}", level)]
    return []


def late_changes(data: VillageData, period: Period, rec: NoticeRecord | None, level: str = NOTICE) -> list[Problem]:
    """C-8: rows the notice in force did not contain — a record counted in the period dated
    on or after its 公示开始, or a 冲正 so dated cancelling an earlier record counted in the
    period — one per row, in sheet order. 已驳回 records never count; a record and its 冲正
    both after the notice began cancel out and change nothing."""
    if rec is None:
        return []
    first = date(period.end.year, 1, 1)
    counted = _dated_rows(data, first, period.end)      # row → (date, cancelled)
    rows = {r: d for r, (d, cancelled) in counted.items() if d >= rec.start and not cancelled}
    for rev, (d, orig) in data.corrections.items():
        od = counted.get(orig)
        if d is not None and d >= rec.start and od is not None and od[0] < rec.start:
            rows[rev] = d
    then = "不能生成正式结果" if level == ERROR else f"{period.label} 结果仍为预公示"
    return [Problem(RECORDS, row, "日期", rows[row],
                    f"公示后有改动，需要重新公示：这一行的日期在 {period.label} 公示开始（{rec.start.isoformat()}）"
                    f"当天或之后，{then}；重新张贴公示后在“公示记录”为 {period.label} 新增一行", level)
            for row in sorted(rows)]


def _dated_rows(data: VillageData, start: date, end: date) -> dict[int, tuple[date, bool]]:
    """Row → (date, cancelled by a 冲正) of participating households' entries in [start,
    end], 已驳回 left out (they never count). Plain Python over the columns: called once
    per recorded notice by the check button, cheaper than filtering the frame."""
    e = data.entries
    part = {h.hid for h in data.participants}
    return {int(r): (d, bool(c)) for r, d, s, st, c in zip(
        e["row"].tolist(), e["date"].tolist(), e["sid"].tolist(), e["status"].tolist(), e["cancelled"].tolist())
        if s in part and st != REJECTED and start <= d <= end}


def _open_objections(data: VillageData, period: Period, consequence: str, level: str = ERROR) -> list[Problem]:
    e = _live(data, date(period.end.year, 1, 1), period.end)
    e = e[e["status"] == OBJECTED]
    return [Problem(RECORDS, int(row), "状态", OBJECTED,
                    f"{sid}户的异议尚未处理（复核后改为已确认或已驳回），{consequence}", level)
            for row, sid in zip(e["row"], e["sid"])]


def _finality_unasked(data: VillageData, period: Period, rec: NoticeRecord | None) -> Finality:
    """Final without asking once the recorded notice has ended — reported to the town
    (上报日期), or its 公示结束 passed by the clock — with no open objection, no change after
    the notice began, the year's review meeting held before it and, unless reported, every
    record of the year so far decided (no 初评/公示中 left, which a final result would
    silently drop). Otherwise 预公示, each reason a 提示 (changes after the notice and a
    missing meeting are named even while the notice runs)."""
    late = late_changes(data, period, rec)
    meeting = meeting_problems(period, rec) if rec is not None else []
    rows, missing = [p.row for p in late], bool(meeting) or ("Q" not in period.label and rec is None)
    if rec is None or (rec.reported is None and rec.end >= clock.today()):
        return Finality(False, rec, late + meeting, rows, missing, _why(False, rec, rows, missing, []))
    why = late + meeting + _open_objections(data, period, "结果仍为预公示", NOTICE)
    left = unconfirmed(data, period)
    if not why and rec.reported is None and left:
        why.append(Problem(RECORDS, None, "状态", "",
                           f"{period.label} 的公示期已满，还有 {left} 条初评或公示中的记录，结果仍为预公示："
                           "公示无异议的请改为“已确认”，或用 --final 只按已确认的记录生成正式结果", NOTICE))
    return Finality(not why, rec, why, rows, missing, _why(not why, rec, rows, missing, why))


def unconfirmed(data: VillageData, period: Period) -> int:
    """Entries (year to date) a final result leaves out because nobody marked them 已确认."""
    e = _live(data, date(period.end.year, 1, 1), period.end)
    return int(e["status"].isin((FIRST, NOTICE_ST)).sum())


def counted(data: VillageData, start: date, end: date, final: bool) -> pd.DataFrame:
    """C-7, V-6: the entries that enter totals in the notice or the final version."""
    e = _live(data, start, end)
    return e[e["status"].isin(COUNTS_IN_FINAL if final else COUNTS_IN_NOTICE)]


def objections(data: VillageData, start: date, end: date) -> dict[str, int]:
    """V-6: open objections (有异议) per household; they block its finalisation."""
    e = _live(data, start, end)
    return e[e["status"] == OBJECTED].groupby("sid").size().astype(int).to_dict()


def category_sums(entries: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(household, category) → net cents."""
    if entries.empty:
        return {}
    return {k: int(v) for k, v in entries.groupby(["sid", "category"])["points"].sum().items()}


def as_of(data: VillageData, period: Period) -> date:
    """The latest counted record date in the period (its last day when it has none)."""
    e = _live(data, period.start, period.end)
    e = e[~e["cancelled"]]
    return e["date"].max() if len(e) else period.end


def notice_dates(data: VillageData, period: Period) -> tuple[date | None, date | None]:
    """V-8: the notice dates recorded in `公示记录`; (None, None) — blank lines to fill by
    hand — when the period has no record yet (never dates taken from the records)."""
    rec = data.notices.get(period.label)
    return (rec.start, rec.end) if rec else (None, None)


def group_order(households: list[Household]) -> list[Household]:
    """V-4, V-8: households grouped by 组 (groups as first seen), roster order inside."""
    groups: dict[str, list[Household]] = {}
    for h in households:
        groups.setdefault(h.group, []).append(h)
    return [h for hs in groups.values() for h in hs]


@dataclass
class Standing:
    household: Household
    scores: dict[str, int]          # category → year-to-date score, cents
    season: dict[str, int]          # daily category → the period's adjustments, cents
    total: int
    rank: int = 0
    star: str = ""
    objections: int = 0

    @property
    def pending(self) -> str:
        return f"有异议 {self.objections} 条" if self.objections else ""


def standings(data: VillageData, period: Period, final: bool) -> list[Standing]:
    """V-3, V-4: per participating household the year-to-date category scores (base +
    entries from 1 January to the period's end), the period's daily adjustments, the total
    and its competition rank (C-4) among all participants (roster order)."""
    start = date(period.end.year, 1, 1)
    bases = data.bases
    ytd = category_sums(counted(data, start, period.end, final))
    season = category_sums(counted(data, period.start, period.end, final))
    blocked = objections(data, start, period.end)
    out = []
    for h in data.participants:
        scores = {c: bases[c] + ytd.get((h.hid, c), 0) for c in CATEGORIES}
        out.append(Standing(h, scores, {c: season.get((h.hid, c), 0) for c in DAILY_CATEGORIES},
                            sum(scores.values()), objections=blocked.get(h.hid, 0)))
    for s, r in zip(out, competition_rank([s.total for s in out])):
        s.rank = r
    return out


def rate_stars(data: VillageData, rows: list[Standing]) -> None:
    """V-7: with rank r among N participants, 五星 if r/N ≤ 五星比例, 四星 ≤ 四星比例,
    三星 ≤ 三星比例, only at or above the base total; an open objection withholds the star."""
    n, base, cuts = len(rows), data.base_total, data.cuts()
    for s in rows:
        s.star = "" if s.objections else star_for(s.rank, n, s.total, base, cuts)


def resolve_quarter(data: VillageData, yq: tuple[int, int] | None) -> Period | None:
    """The quarter asked, else the latest quarter with records (in the workbook's year)."""
    if yq:
        return quarter(*yq)
    live = data.entries.loc[~data.entries["cancelled"], "date"]     # C-9: not a cancelled row
    dates = [d for d in live if data.year is None or d.year == data.year]
    if dates:
        return quarter_of(max(dates))
    return quarter(data.year, 1) if data.year else None


def resolve_year(data: VillageData, y: int | None) -> Period | None:
    y = y or data.year
    return year_period(y) if y else None


def _version(final: bool) -> str:
    return FINAL_NOTICE if final else PRE_NOTICE


@dataclass
class PeriodResult:
    """The typed result of a quarter or a year (V-3…V-8): households in 公示 order (by 组,
    roster order inside) with their standings, and the notice's state and dates. Rendered into
    sheets by ``render_quarter`` / ``render_year``; the actions and the roll-up read it."""

    period: Period
    final: bool                     # C-8: 正式 (True) or 预公示
    standings: list[Standing]       # group order
    as_of: date
    notice_start: date              # the notice in force (C-8: the latest 公示开始 of the period)
    notice_end: date
    meeting: date | None = None     # V-11: the year's review meeting (审议日期); None for a quarter
    why: str = ""                   # not final: what it still waits for (Finality.why)

    @property
    def version(self) -> str:
        return _version(self.final)

    @property
    def pending(self) -> list[Standing]:
        """Households with open objections (V-6: their results wait)."""
        return [s for s in self.standings if s.objections]

    @property
    def starred(self) -> list[Standing]:
        """Starred households by rank (stable: roster order); empty for a quarter."""
        return sorted((s for s in self.standings if s.star), key=lambda s: s.rank)


def _result(data: VillageData, period: Period, state: Finality, stars: bool) -> PeriodResult:
    final = state.final
    rows = standings(data, period, final)
    if stars:
        rate_stars(data, rows)
    by_hid = {s.household.hid: s for s in rows}
    ordered = [by_hid[h.hid] for h in group_order(data.participants)]
    begin, end = notice_dates(data, period)
    rec = data.notices.get(period.label)
    meeting = rec.meeting if rec is not None and stars else None
    return PeriodResult(period, final, ordered, as_of(data, period), begin, end, meeting, state.why)


def quarter_result(data: VillageData, period: Period, state: Finality | None = None) -> PeriodResult:
    """V-4, V-6: one quarter's standings (year to date). ``state``: what ``finality`` said
    (asked or not); None: as the data say (``finality`` unasked)."""
    return _result(data, period, state or finality(data, period), stars=False)


def year_result(data: VillageData, period: Period, state: Finality | None = None) -> PeriodResult:
    """V-3, V-7: the year's standings with (pre-)rated stars; ``state`` as for ``quarter_result``."""
    return _result(data, period, state or finality(data, period), stars=True)


