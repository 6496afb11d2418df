"""The ledger workbook for the roll-up (`jifen export` / `jifen rollup`, docs/rollup.md):
typed rows of the roll-up tables, computed exactly as `jifen ledger` computes them."""
from __future__ import annotations

from decimal import Decimal

from ...core.problems import ERROR, Problem
from ..base import Export
from . import model as lg


def dec(v) -> Decimal | None:
    """A cell value (int / exact Decimal from ``from_cents``) as a two-place Decimal."""
    if v is None or v == "":
        return None
    return Decimal(v).quantize(Decimal("0.01"))


def cents_dec(c: int) -> Decimal:
    return Decimal(int(c)).scaleb(-2)


def export(sheets, with_names: bool, year: int | None) -> Export:
    data = lg.load(sheets)
    if year:
        data.settings["年度"] = year
    ex = Export(list(data.problems), {t: [] for t in ("subjects", "entries", "results", "category_scores", "villages")})
    town = data.town
    ex.tables["subjects"] = [{"village": data.current_village(a.aid), "subject_id": a.aid,
                              "subject_type": a.kind, "group": None, "people": a.people,
                              "participating": not a.closed, "name": a.name if with_names else None,
                              "source_row": a.row} for a in data.accounts.values()]
    if any(p.level == ERROR for p in ex.problems):
        ex.broken = True
        for v in data.villages.values():
            ex.tables["villages"].append({"village": v.name, "population": v.population})
        n = sum(p.level == ERROR for p in ex.problems)
        ex.summary.append(f"{town or '积分台账'}：发现 {n} 个错误，只导出账户和校验结果。")
        ex.workbook = {"title": town, "year": data.year}
        return ex
    # the same computation as `jifen ledger` (ledger_actions.ledger)
    ranking, indicators = lg.ranking_output(data), lg.indicator_output(data)
    cats = list(lg.CATEGORIES)
    results, scores = [], []
    for row in ranking.rows:
        kind, rank, aid, nm, village = row[:5]
        results.append({"village": village, "subject_id": aid, "subject_type": kind,
                        "total": dec(row[5]), "available": dec(row[6]), "year_total": dec(row[7 + len(cats)]),
                        "rank": rank, "year_rank": row[8 + len(cats)], "objections": 0,
                        "name": nm if with_names else None})
        scores += [{"village": village, "subject_id": aid, "category": c, "score": dec(row[7 + i])}
                   for i, c in enumerate(cats)]
    ex.tables["results"], ex.tables["category_scores"] = results, scores
    for r in indicators.rows:
        ex.tables["villages"].append({
            "village": r[0], "population": r[1], "redeemers": r[2],
            "redeemed_share": r[3], "meets_target": r[4] == "是", "categories_covered": r[5],
            "active_accounts": r[6], "reward_spend": dec(r[7]), "reward_budget": dec(r[8])})
    e = data.entries
    ex.tables["entries"] = [
        {"village": data.village_on(sid, d), "subject_id": sid, "date": d, "code": code,
         "category": cat, "points": cents_dec(pts), "status": st, "cancelled": bool(canc),
         "counted": not canc, "source": src, "sheet": sheet, "source_row": int(row) if row is not None else None}
        for sid, d, code, cat, pts, st, canc, src, sheet, row in zip(
            e["sid"], e["date"], e["code"], e["category"], e["points"], e["status"], e["cancelled"],
            e["source"], e["sheet"], e["row"])]
    ex.workbook = {"title": town, "year": data.year, "as_of": data.latest}
    ex.summary.append(f"{town or '积分台账'} {data.year}年：{len(data.villages)} 个村，{len(results)} 个账户参与排名，"
                      f"{len(ex.tables['entries'])} 条计分记录。")
    return ex
