"""The ledger workbook for the roll-up (`jifen export` / `jifen rollup`, docs/rollup.md):
typed rows of the roll-up tables, computed exactly as `jifen ledger` computes them."""
from __future__ import annotations

from ...core.points import from_cents
from ...core.problems import ERROR, Problem
from ..base import Export, cents_dec, dec
from . import checks, compute, model as lg


def export(sheets, with_names: bool, year: int | None) -> Export:
    data = checks.load(sheets)
    if year:
        data.settings["年度"] = year
    ex = Export(list(data.problems))
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
    # the same computation as `jifen ledger` (actions.ledger → compute.ranking, compute.indicators)
    results, scores = [], []
    for s in compute.ranking(data):
        results.append({"village": s.village, "subject_id": s.aid, "subject_type": s.kind,
                        "total": dec(from_cents(s.cum)), "available": dec(from_cents(s.available)),
                        "year_total": dec(from_cents(s.year)), "rank": s.rank, "year_rank": s.year_rank,
                        "objections": 0, "name": s.name if with_names else None})
        scores += [{"village": s.village, "subject_id": s.aid, "category": c,
                    "score": dec(from_cents(s.categories[c]))} for c in lg.CATEGORIES]
    ex.tables["results"], ex.tables["category_scores"] = results, scores
    for i in compute.indicators(data):
        ex.tables["villages"].append({
            "village": i.village, "population": i.population, "redeemers": i.redeemers,
            "redeemed_share": i.share, "meets_target": i.meets_target, "categories_covered": i.categories,
            "active_accounts": i.active, "reward_spend": dec(from_cents(i.spend)),
            "reward_budget": dec(from_cents(i.budget))})
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
