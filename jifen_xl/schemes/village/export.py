"""The village workbook for the roll-up (`jifen export` / `jifen rollup`, docs/rollup.md):
typed rows of the roll-up tables, computed exactly as `jifen year` computes them."""
from __future__ import annotations

from ...core.points import from_cents
from ...core.problems import ERROR, Problem
from ..base import Export, cents_dec, dec
from . import checks, compute, model as vg


def export(sheets, with_names: bool, year: int | None) -> Export:
    data = checks.load(sheets)
    period = compute.resolve_year(data, year)
    ex = Export(list(data.problems))
    if period is None:
        ex.problems.append(Problem(vg.RECORDS, None, "日期", "",
                                   "评议记录中没有日期，设置中也没有“年度”，无法确定年度；请用参数指定"))
    name = data.settings.get("村名") or ""
    limit, minimum = int(data.settings["每组户数上限"]), int(data.settings["评议小组最少人数"])
    sizes: dict[str, int] = {}
    for h in data.participants:
        sizes[h.group] = sizes.get(h.group, 0) + 1
    ex.tables["villages"].append({
        "village": name, "households": len(data.households),
        "participating": len(data.participants), "groups": len(sizes),
        "groups_over_limit": sum(n > limit for n in sizes.values()), "group_limit": limit,
        "panels": len(data.panels), "panels_under_min": sum(len(p.members) < minimum for p in data.panels.values()),
        "panel_min": minimum})
    ex.tables["subjects"] = [{"village": name, "subject_id": h.hid, "subject_type": "农户",
                              "group": h.group, "people": h.people, "participating": h.participating,
                              "name": h.head if with_names else None, "source_row": h.row}
                             for h in data.households]
    if any(p.level == ERROR for p in ex.problems):
        ex.broken = True
        n = sum(p.level == ERROR for p in ex.problems)
        ex.summary.append(f"{name or '本村'}：发现 {n} 个错误，只导出名册和校验结果。")
        ex.workbook = {"title": name, "year": period.start.year if period else data.year}
        return ex
    # the same computation as `jifen year` (actions.year → compute.year_result); C-8: final only
    # when the village recorded its report (公示记录 上报日期) after the notice
    res = compute.year_result(data, period, compute.finality(data, period))
    final = res.final
    begin, end = res.notice_start, res.notice_end
    blocked = compute.objections(data, period.start, period.end)
    results, scores = [], []
    for s in res.standings:
        hid, head, group = s.household.hid, s.household.head, s.household.group
        total = dec(from_cents(s.total))
        results.append({"village": name, "subject_id": hid, "subject_type": "农户",
                        "group": group, "total": total, "year_total": total, "rank": s.rank,
                        "year_rank": s.rank, "star": s.star or None,
                        "objections": blocked.get(hid, 0), "name": head if with_names else None})
        scores += [{"village": name, "subject_id": hid, "category": c, "score": dec(from_cents(s.scores[c]))}
                   for c in vg.CATEGORIES]
    ex.tables["results"], ex.tables["category_scores"] = results, scores
    e = data.entries
    counts = vg.COUNTS_IN_FINAL if final else vg.COUNTS_IN_NOTICE
    in_year = (e["date"] >= period.start) & (e["date"] <= period.end)
    counted = (~e["cancelled"] & e["status"].isin(counts) & in_year).tolist()
    ex.tables["entries"] = [
        {"village": name, "subject_id": sid, "date": d, "code": code, "category": cat,
         "points": cents_dec(pts), "status": st, "cancelled": bool(canc), "counted": cnt, "source": src,
         "sheet": sheet, "source_row": int(row) if row is not None else None}
        for sid, d, code, cat, pts, st, canc, cnt, src, sheet, row in zip(
            e["sid"], e["date"], e["code"], e["category"], e["points"], e["status"], e["cancelled"],
            counted, e["source"], e["sheet"], e["row"])]
    version = vg.FINAL_NOTICE if final else vg.PRE_NOTICE
    ex.workbook = {"title": name, "year": period.start.year, "as_of": res.as_of, "final": final,
                   "notice_start": begin, "notice_end": end}
    stars = sum(1 for r in results if r["star"])
    ex.summary.append(f"{name or '本村'} {period.label}年度（{version}）：{len(results)} 户参与评议，"
                      f"星级户 {stars} 户，{len(ex.tables['entries'])} 条记录。")
    return ex
