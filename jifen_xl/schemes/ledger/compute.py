"""Ledger computing (SPEC L-5…L-9, C-4): redemptions against balance, stock and budget,
account totals, the ranking, the demonstration-village indicators and passbook lines."""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pandas as pd

from ...core import engine
from ...core.points import fmt, to_cents
from ...core.problems import REFUSED, Problem
from ...core.ranking import competition_rank
from .model import (
    CATEGORIES, DEMO_TARGET, FALSE, PASSED, REASON_BALANCE, REASON_BUDGET, REASON_STOCK, REDEMPTIONS,
    TYPES, Account, LedgerData, Redemption
)


class _Balances:
    """Cumulative points per account on any date, from the entries frame (L-5)."""

    def __init__(self, entries: pd.DataFrame):
        self._dates: dict[str, list[date]] = {}
        self._cum: dict[str, list[int]] = {}
        e = engine.counted(entries).sort_values(["date", "row"], kind="stable")
        for sid, g in e.groupby("sid", sort=False):
            self._dates[sid] = list(g["date"])
            self._cum[sid] = [int(x) for x in g["points"].cumsum()]

    def cumulative(self, sid: str, d: date) -> int:
        i = bisect.bisect_right(self._dates.get(sid, []), d)
        return self._cum[sid][i - 1] if i else 0


def process_redemptions(data: LedgerData, recs: list[dict]) -> list[Problem]:
    """L-5, L-6, L-10: in date order (stable by row), each redemption needs spendable balance
    (claims recorded on or before its date minus earlier accepted redemptions), stock on the
    shelf of the account's village on that date, and room in that village's budget
    (人均奖励预算 × 常住人口 元 per calendar year) — each village runs its own exchange, so
    one village's redemptions never use another's stock or budget. One that fails is
    refused (拒绝) with every reason and left out."""
    problems: list[Problem] = []
    balances = _Balances(data.entries)
    spent: dict[str, int] = {}                      # points redeemed per account
    sold: dict[tuple[str, str], int] = {}           # units per (item, village): L-10
    paid: dict[tuple[str, int], int] = {}           # 元 cents per (village, year)
    per_head = to_cents(data.settings["人均奖励预算"])
    for r in sorted(recs, key=lambda r: (r["日期"], r["_row"])):
        d, aid = r["日期"], r["账户号"]
        village = data.village_on(aid, d)
        item = data.item_for(r["商品"], village)
        qty = r["数量"]
        acc = data.accounts[aid]
        cost, value = item.points * qty, item.value * qty
        shelf = (item.name, village)
        reasons = []
        if acc.closed:
            reasons.append("账户已注销")
        available = max(0, balances.cumulative(aid, d) - spent.get(aid, 0))
        if cost > available:
            reasons.append(f"{REASON_BALANCE}（需要 {fmt(cost)} 分，{d.isoformat()} 可用余额 {fmt(available)} 分）")
        if item.stock is not None and sold.get(shelf, 0) + qty > item.stock:
            left = item.stock - sold.get(shelf, 0)
            reasons.append(f"{REASON_STOCK}（{village}需要 {qty}，剩余 {left}）")
        budget = per_head * data.villages[village].population
        used = paid.get((village, d.year), 0)
        if used + value > budget:
            reasons.append(f"{REASON_BUDGET}（{village}{d.year}年奖励预算 {fmt(budget)} 元，"
                           f"已支出 {fmt(used)} 元，本次 {fmt(value)} 元）")
        if reasons:
            text = "、".join(reasons)
            data.refused.append((r["_row"], text))
            problems.append(Problem(REDEMPTIONS, r["_row"], "商品", r["商品"],
                                    f"不予兑换：{text}", REFUSED))
            continue
        spent[aid] = spent.get(aid, 0) + cost
        sold[shelf] = sold.get(shelf, 0) + qty
        paid[(village, d.year)] = used + value
        data.redemptions.append(Redemption(r["_row"], d, aid, item.name, qty, cost, value, village))
    return problems


def account_totals(data: LedgerData) -> pd.DataFrame:
    """Per account: 累计积分 (never reduced by redemptions, L-5), redeemed points, 可用余额
    (cumulative − redeemed, never below zero), per-category sums and the 年度's points."""
    sids = list(data.accounts)
    end = date.max
    tot = engine.period_totals(data.entries, sids, None, end)
    yr = engine.period_totals(data.entries, sids, date(data.year, 1, 1), date(data.year, 12, 31))
    out = pd.DataFrame(index=pd.Index(sids, name="sid"))
    out["cum"] = tot["net"]
    spent: dict[str, int] = {}
    for red in data.redemptions:
        spent[red.aid] = spent.get(red.aid, 0) + red.points
    out["spent"] = pd.Series(spent, dtype="int64").reindex(out.index, fill_value=0)
    out["available"] = (out["cum"] - out["spent"]).clip(lower=0)
    e = engine.counted(data.entries)
    by_cat = e.groupby(["sid", "category"])["points"].sum()
    for cat in CATEGORIES:
        vals = {sid: int(v) for (sid, c), v in by_cat.items() if c == cat}
        out[cat] = pd.Series(vals, dtype="int64").reindex(out.index, fill_value=0)
    out["year"] = yr["net"]
    return out


@dataclass
class Standing:
    """One open account's place in `积分排名` (L-1, L-5, C-4); points in cents."""

    kind: str
    rank: int
    aid: str
    name: str
    village: str
    cum: int                        # 累计积分
    available: int                  # 可用余额
    categories: dict[str, int]      # L-2 category -> cents
    year: int                       # the 年度's points
    year_rank: int


def ranking(data: LedgerData) -> list[Standing]:
    """L-1, L-5, C-4: per account type, open accounts ranked by 累计积分 (competition
    ranking), ties in account order; with the category sums (L-2) and the 年度's rank."""
    tot = account_totals(data)
    out: list[Standing] = []
    for kind in TYPES:
        accs = [a for a in data.accounts.values() if a.kind == kind and not a.closed]
        if not accs:
            continue
        cums = [int(tot.loc[a.aid, "cum"]) for a in accs]
        years = [int(tot.loc[a.aid, "year"]) for a in accs]
        ranks, yranks = competition_rank(cums), competition_rank(years)
        block = []
        for i, a in enumerate(accs):
            t = tot.loc[a.aid]
            block.append((ranks[i], i, Standing(kind, ranks[i], a.aid, a.name, data.current_village(a.aid),
                                                int(t["cum"]), int(t["available"]),
                                                {c: int(t[c]) for c in CATEGORIES}, int(t["year"]), yranks[i])))
        out += [s for _, _, s in sorted(block, key=lambda x: (x[0], x[1]))]
    return out


def people_redeemed(acc: Account) -> int:
    """L-9 兑换人数: a 村民 or 党员 account counts 1, a 家庭 its 人口, a 单位 none."""
    if acc.kind == "家庭":
        return acc.people
    return 1 if acc.kind in ("村民", "党员") else 0


@dataclass
class Indicators:
    """One village's L-9 indicators for the 年度; money in cents."""

    village: str
    population: int
    redeemers: int                  # 兑换人数
    share: Decimal | None           # 兑换人数占比
    meets_target: bool              # 是否达标 (≥ 30%)
    categories: int                 # 覆盖类别数
    active: int                     # 参与账户数
    spend: int                      # 奖励支出
    budget: int                     # 奖励预算


def indicators(data: LedgerData) -> list[Indicators]:
    """L-9: per village for the 年度 — people who redeemed and their share of residents
    (是否达标 at ≥ 30%), categories covered by counted claims, participating accounts,
    reward spending and budget. Accounts are counted in the village they belonged to on the
    date of each claim or redemption (L-7)."""
    y = data.year
    per_head = to_cents(data.settings["人均奖励预算"])
    redeemers: dict[str, set[str]] = {v: set() for v in data.villages}
    spend: dict[str, int] = {v: 0 for v in data.villages}
    cats: dict[str, set[str]] = {v: set() for v in data.villages}
    active: dict[str, set[str]] = {v: set() for v in data.villages}
    for red in data.redemptions:
        if red.date.year == y:
            redeemers[red.village].add(red.aid)
            active[red.village].add(red.aid)
            spend[red.village] += red.value
    e = engine.counted(data.entries)
    e = e[e["status"] == PASSED]
    for rec in e.itertuples(index=False):
        if rec.date.year == y:
            v = data.village_on(rec.sid, rec.date)
            cats[v].add(rec.category)
            active[v].add(rec.sid)
    out = []
    for v in data.villages.values():
        n = sum(people_redeemed(data.accounts[a]) for a in sorted(redeemers[v.name]))
        share = (Decimal(n) / Decimal(v.population)).quantize(Decimal("0.0001")) if v.population else None
        ok = v.population > 0 and Decimal(n) >= DEMO_TARGET * v.population
        out.append(Indicators(v.name, v.population, n, share, ok, len(cats[v.name]), len(active[v.name]),
                              spend[v.name], per_head * v.population))
    return out


@dataclass(frozen=True)
class Line:
    """One passbook line (L-8)."""
    date: date
    text: str
    points: int        # change shown in 积分 (redemptions show −cost)
    cumulative: int
    available: int


def passbook_lines(data: LedgerData, aid: str) -> list[Line]:
    """L-8: the account's counted claims, false-claim deductions, transfers (0 points) and
    accepted redemptions in date order; on one date claims come first, then transfers,
    then redemptions, each in sheet-row order."""
    events: list[tuple] = []
    e = engine.counted(data.entries)
    for rec in e[e["sid"] == aid].itertuples(index=False):
        ref = f"（申报编号 {rec.ref}）" if rec.ref else f"（申报第{rec.row}行）"
        if rec.status == FALSE:
            text = f"{rec.item}{ref}，{rec.note}"
        else:
            text = f"{rec.category}：{rec.item}{ref}"
        events.append((rec.date, 0, rec.row, "claim", int(rec.points), text))
    for t in data.transfers:
        if t.aid == aid:
            events.append((t.date, 1, t.row, "move", 0, f"转出 {t.old}，转入 {t.new}（积分随账户转移）"))
    for red in data.redemptions:
        if red.aid == aid:
            events.append((red.date, 2, red.row, "redeem", -red.points,
                           f"兑换 {red.item}×{red.qty}（消费积分，累计积分不减）"))
    cum = spent = 0
    lines = []
    for d, _, _, kind, pts, text in sorted(events, key=lambda x: (x[0], x[1], x[2])):
        if kind == "claim":
            cum += pts
        elif kind == "redeem":
            spent -= pts
        lines.append(Line(d, text, pts, cum, max(0, cum - spent)))
    return lines


