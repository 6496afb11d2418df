"""Ledger rendering (SPEC L-5, L-8, L-9): `积分排名`, `示范村指标` (with its chart) and the
`存折-…` passbooks as ``OutputSheet``s."""
from __future__ import annotations

from ...book.charts import ChartSpec
from ...book.sheets import OutputSheet
from ...core.points import from_cents
from .model import (
    CATEGORIES, DEMO_TARGET, FALSE, INDICATORS, INDICATOR_COLS, PASSBOOK_COLS, PASSBOOK_PREFIX, PASSED,
    RANKING, RANKING_COLS, TYPES, Account, LedgerData
)
from .compute import Indicators, Standing, indicators, passbook_lines, ranking


def _title(data: LedgerData, what: str) -> str:
    town = f"{data.town}　" if data.town else ""
    return f"{town}{what}（数据截至 {data.as_of()}）" if data.latest else f"{town}{what}"


def render_ranking(data: LedgerData, standings: list[Standing]) -> OutputSheet:
    """`积分排名`: the contract columns, then the four category sums and the 年度's points and rank."""
    rows = [[s.kind, s.rank, s.aid, s.name, s.village, from_cents(s.cum), from_cents(s.available),
             *(from_cents(s.categories[c]) for c in CATEGORIES), from_cents(s.year), s.year_rank]
            for s in standings]
    return OutputSheet(RANKING, RANKING_COLS, rows, landscape=True,
                       title=_title(data, f"积分排名（累计；本年 = {data.year}年）"))


def ranking_output(data: LedgerData) -> OutputSheet:
    return render_ranking(data, ranking(data))


def render_indicators(data: LedgerData, found: list[Indicators]) -> OutputSheet:
    """`示范村指标` with its chart and the target column the chart draws."""
    rows = [[i.village, i.population, i.redeemers, i.share, "是" if i.meets_target else "否", i.categories,
             i.active, from_cents(i.spend), from_cents(i.budget), DEMO_TARGET] for i in found]
    return OutputSheet(INDICATORS, INDICATOR_COLS, rows, number_formats={"兑换人数占比": "0.0%", "目标占比": "0%"},
                       title=_title(data, f"{data.year}年 示范村指标（兑换人数占比目标 30%）"), landscape=True,
                       charts=indicator_charts(INDICATOR_COLS))


def indicator_output(data: LedgerData) -> OutputSheet:
    return render_indicators(data, indicators(data))


def indicator_charts(columns: list[str]) -> list[ChartSpec]:
    """L-9 chart: each village's 兑换人数占比 as bars and the 30% target as a
    red dashed line drawn from the `目标占比` cells (LibreOffice ignores literal-valued
    series); the value axis runs from 0 to above the target. A sheet without that column
    (e.g. a roll-up) still gets the axis reaching the target."""
    if "目标占比" in columns:
        return [ChartSpec("各村兑换人数占比与 30% 目标", "村名", ["兑换人数占比"], percent=True,
                          goals=["目标占比"], labels=True)]
    return [ChartSpec("各村兑换人数占比（目标 30%）", "村名", ["兑换人数占比"], percent=True,
                      targets=[("目标 30%", float(DEMO_TARGET))], labels=True)]


def passbook_sheet_name(key: str) -> str:
    return PASSBOOK_PREFIX + key


def bad_sheet_name(name: str) -> str | None:
    if len(name) > 31:
        return "工作表名最长 31 个字符"
    if any(ch in name for ch in "[]:*?/\\"):
        return "账户号含有工作表名不允许的字符 [ ] : * ? / \\"
    return None


def _account_head(data: LedgerData, acc: Account) -> str:
    now = data.current_village(acc.aid)
    moved = f"，开户于{acc.village}" if now != acc.village else ""
    closed = "，已注销" if acc.closed else ""
    return f"{acc.kind}账户 {acc.aid} {acc.name}（{now}{moved}{closed}）"


def passbook_output(data: LedgerData, aid: str) -> OutputSheet:
    """L-8: `存折-<账户号>`, the village and account in the printed page header."""
    acc = data.accounts[aid]
    rows = [[ln.date, ln.text, from_cents(ln.points), from_cents(ln.cumulative), from_cents(ln.available)]
            for ln in passbook_lines(data, aid)]
    return OutputSheet(passbook_sheet_name(aid), PASSBOOK_COLS, rows, landscape=True,
                       title=_title(data, f"行为银行存折　{_account_head(data, acc)}"),
                       widths=[12, 60, 10, 12, 12])


def passbook_by_type(data: LedgerData) -> list[OutputSheet]:
    """L-8 `--all`: one sheet per account type (`存折-村民` …) with `账户号` first; each
    account's block starts with a line naming it, then its statement lines."""
    out = []
    for kind in TYPES:
        accs = [a for a in data.accounts.values() if a.kind == kind]
        if not accs:
            continue
        rows = []
        for a in accs:
            rows.append([a.aid, None, _account_head(data, a), None, None, None])
            rows += [[a.aid, ln.date, ln.text, from_cents(ln.points), from_cents(ln.cumulative),
                      from_cents(ln.available)] for ln in passbook_lines(data, a.aid)]
        out.append(OutputSheet(passbook_sheet_name(kind), ["账户号", *PASSBOOK_COLS], rows, landscape=True,
                               title=_title(data, f"行为银行存折　{kind}账户"),
                               widths=[12, 12, 60, 10, 12, 12]))
    return out


def summary_lines(data: LedgerData) -> list[str]:
    n_claims = int((data.entries["status"] == PASSED).sum())
    n_false = int((data.entries["status"] == FALSE).sum())
    return [f"{len(data.accounts)} 个账户，计分申报 {n_claims} 条，虚假申报 {n_false} 条，"
            f"兑换成功 {len(data.redemptions)} 笔，拒绝 {len(data.refused)} 笔，转移 {len(data.transfers)} 次。"]

