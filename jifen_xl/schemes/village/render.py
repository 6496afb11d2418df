"""Village rendering (SPEC V-4, V-7, V-8, V-10): ``PeriodResult`` → `季度汇总-`, `公示-`,
`年度汇总-`, `星级评定-` and `分组统计-` ``OutputSheet``s (charts included)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from ...book.charts import ChartSpec
from ...book.sheets import OutputSheet
from ...core.periods import Period
from ...core.points import from_cents, to_cents
from .model import (
    CATEGORIES, CIVILITY, ENVIRONMENT, MEDALS, QUARTER_COLS, QUARTER_NOTICE_COLS, STARS, STAR_COLS,
    YEAR_COLS, YEAR_NOTICE_COLS, VillageData, notice_sheet, quarter_sheet, star_sheet, year_sheet
)
from .compute import Finality, PeriodResult, quarter_result, year_result

BLANK_DATE = "　　年　　月　　日"


def _notice_period(begin: date | None, end: date | None) -> str:
    if begin is None:
        return f"公示期 {BLANK_DATE} 至 {BLANK_DATE}"
    return f"公示期 {begin.isoformat()} 至 {end.isoformat()}"


def _state(res: PeriodResult) -> str:
    """The state in a summary's header (C-8, V-8): 正式/预公示, the dates of the notice in
    force (when one is recorded) and 数据截至."""
    posted = f"公示期 {res.notice_start.isoformat()} 至 {res.notice_end.isoformat()}，" if res.notice_start else ""
    return f"（{res.version}，{posted}数据截至 {res.as_of.isoformat()}）"


def _cell(cents: int):
    return from_cents(cents)


def _info(res: PeriodResult) -> dict:
    """The state a printed page needs (C-8): 正式/预公示, period, 数据截至, 公示 dates."""
    return {"status": res.version, "why": res.why, "period": res.period.label, "as_of": res.as_of,
            "notice": (res.notice_start, res.notice_end)}


def issue_date(data: VillageData, period: Period) -> date | None:
    """The date certificates carry (V-8, V-10): the later of 上报日期 and 公示结束 recorded in
    `公示记录` for the period; None (a blank date line) without a record — never the data's end."""
    rec = data.notices.get(period.label)
    if rec is None:
        return None
    return max(d for d in (rec.reported, rec.end) if d is not None)


def _notice_sheet(name: str, columns: list[str], rows: list[list], title: str, res: PeriodResult) -> OutputSheet:
    sheet = OutputSheet(name, columns, rows, title=title, landscape=True, layout="notice", **_info(res))
    widths = sheet.column_widths()
    widths[columns.index("异议")] = 30
    sheet.widths = widths
    return sheet


def render_quarter(data: VillageData, res: PeriodResult) -> list[OutputSheet]:
    """`季度汇总-<Q>` and `公示-<Q>` (V-4, V-8)."""
    period, ordered, begin, end, version = res.period, res.standings, res.notice_start, res.notice_end, res.version
    y, q = period.start.year, (period.start.month - 1) // 3 + 1
    summary = [[s.household.hid, s.household.head, s.household.group,
                _cell(s.season[ENVIRONMENT]), _cell(s.season[CIVILITY]),
                *(_cell(s.scores[c]) for c in CATEGORIES), _cell(s.total), s.rank] for s in ordered]
    notice = [[s.household.group, s.household.hid, s.household.head, _cell(s.season[ENVIRONMENT]),
               _cell(s.season[CIVILITY]), *(_cell(s.scores[c]) for c in CATEGORIES), _cell(s.total), s.rank,
               s.pending, begin, end, ""]
              for s in ordered]
    head = f"{data.title}　{y}年第{q}季度"
    return [
        OutputSheet(quarter_sheet(period.label), QUARTER_COLS, summary, landscape=True,
                    title=f"{head}农户积分汇总{_state(res)}", **_info(res)),
        _notice_sheet(notice_sheet(period.label), QUARTER_NOTICE_COLS, notice,
                      f"{head}农户积分公示（{version}）　{_notice_period(begin, end)}，"
                      "如有异议请在公示期内向村评议小组提出", res),
    ]


def render_year(data: VillageData, res: PeriodResult) -> list[OutputSheet]:
    """`年度汇总-<Y>` (the table for the town office), `公示-<Y>`, and for a final year only
    (C-8) `星级评定-<Y>` (starred households with their 文明户 medal and the bank's credit
    list), between the two (V-3, V-7, V-8, V-10)."""
    period, ordered, begin, end, version = res.period, res.standings, res.notice_start, res.notice_end, res.version
    table = [[s.household.hid, s.household.head, s.household.group,
              *(_cell(s.scores[c]) for c in CATEGORIES), _cell(s.total), s.rank, s.star, s.pending]
             for s in ordered]
    stars = [[s.household.hid, s.household.head, s.household.group, _cell(s.total), s.rank, s.star,
              MEDALS[s.star], "是"] for s in res.starred]
    notice = [[s.household.group, s.household.hid, s.household.head,
               *(_cell(s.scores[c]) for c in CATEGORIES), _cell(s.total), s.rank, s.star,
               s.pending, begin, end, ""] for s in ordered]
    head = f"{data.title}　{period.label}年度"
    outs = [OutputSheet(year_sheet(period.label), YEAR_COLS, table, landscape=True,
                        title=f"{head}农户积分汇总{_state(res)}", **_info(res))]
    if res.final:
        outs.append(OutputSheet(star_sheet(period.label), STAR_COLS, stars,
                                title=f"{head}星级文明户评定（{version}）：三星及以上颁发奖牌，星级户列入信用户名单",
                                issued=issue_date(data, period), **_info(res)))
    outs.append(_notice_sheet(notice_sheet(period.label), YEAR_NOTICE_COLS, notice,
                              f"{head}农户积分及评星公示（{version}）　{_notice_period(begin, end)}，"
                              "如有异议请在公示期内向村评议小组提出；公示无异议后上报镇乡村治理领导小组办公室", res))
    return outs


def _forced(data: VillageData, period: Period, final: bool | None) -> Finality | None:
    """``final`` given: that version whatever the data say (tests, a version asked for)."""
    return None if final is None else Finality(final, data.notices.get(period.label))


def quarter_outputs(data: VillageData, period: Period, final: bool | None = None) -> list[OutputSheet]:
    """V-4, V-6, V-8: `季度汇总-<Q>` and `公示-<Q>` for one quarter."""
    return render_quarter(data, quarter_result(data, period, _forced(data, period, final)))


def year_outputs(data: VillageData, period: Period, final: bool | None = None) -> list[OutputSheet]:
    """V-3, V-7, V-8, V-10: `年度汇总-<Y>`, (final only) `星级评定-<Y>`, `公示-<Y>`."""
    return render_year(data, year_result(data, period, _forced(data, period, final)))


# ---- by-group summary with charts --------------------------------------------------------------

GROUPS_PREFIX = "分组统计-"
GROUP_COLS = ["组", "户数", "平均总分", "最高分", "最低分", *STARS]


def group_charts(columns: list[str]) -> list[ChartSpec]:
    """Charts of `分组统计-<Q|Y>`: average total per group, star households per group (V-4, V-7)."""
    out = [ChartSpec("各组平均总分（累计至本期）", "组", ["平均总分"], y_title="分", labels=True)]
    if all(s in columns for s in STARS):
        out.append(ChartSpec("各组星级户数", "组", list(STARS), stacked=True, y_title="户"))
    return out


def group_outputs(table: OutputSheet, label: str) -> list[OutputSheet]:
    """`分组统计-<label>` from a `季度汇总`/`年度汇总` sheet: per group (in table order) the
    households, exact average, highest and lowest year-to-date total and star counts (V-4,
    V-7), with native charts below the data. Stars are counted only where the table has them."""
    total_col = "年度总分" if "年度总分" in table.columns else "累计总分"
    ti, gi = table.columns.index(total_col), table.columns.index("组")
    si = table.columns.index("星级") if "星级" in table.columns else None
    groups: dict[str, list] = {}
    for r in table.rows:
        groups.setdefault(r[gi], []).append(r)
    rows = []
    for g, rs in groups.items():
        cents = [to_cents(Decimal(str(r[ti]))) for r in rs]
        avg = (Decimal(sum(cents)) / len(cents) / 100).quantize(Decimal("0.01"))
        stars = [sum(1 for r in rs if si is not None and r[si] == st) for st in STARS]
        rows.append([g, len(rs), avg.normalize() if avg == avg.to_integral() else avg,
                     from_cents(max(cents)), from_cents(min(cents))] + (stars if si is not None else []))
    cols = GROUP_COLS if si is not None else GROUP_COLS[:5]
    head = table.title.replace("农户积分汇总", "分组统计")
    return [OutputSheet(GROUPS_PREFIX + label, cols, rows, title=head, charts=group_charts(cols),
                        status=table.status, why=table.why, period=table.period, as_of=table.as_of)]
