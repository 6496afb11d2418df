"""Data behind the ledger's printed papers (`jifen print`; layouts in jifen_xl/papers/):
the claims in public notice (L-3 step 3), the claims entered (step 6, 奖分通知单) and the
ranking per category (L-1, L-2) — typed rows from the input sheets, no layout."""
from __future__ import annotations

from ...core.points import from_cents
from ...core.ranking import competition_rank
from ..base import cell_date, cell_text, records
from . import checks, compute, model as lg

NOTICE_BOARD = "公示栏"
AWARD_SLIPS = "奖分通知单"
CATEGORY_RANKING = "分类排名"


def _claim(data, r: dict):
    """(账户号, account, rule, points) of a claim row whose account and rule are known; the points
    are the row's 分值 or, when empty, the rule's; None for a row the checks already reported."""
    aid = cell_text(r.get("账户号"))
    acc = data.accounts.get(aid)
    rule = data.rules.get(cell_text(r.get("代码")))
    if acc is None or rule is None:
        return None
    points = r.get("分值")
    if points is None or (isinstance(points, str) and not points.strip()):
        points = from_cents(rule.rule.points) if rule.rule.points is not None else ""
    return aid, acc, rule, points


def notice_claims(sheets: dict) -> tuple[dict, dict[str, list[list]]]:
    """Claims posted for public notice and not yet reviewed (公示日期 filled; no 审核日期,
    录入日期 or 结果), per village of the account: [编号, 账户号, 名称, 类型, 事项, 分值, 申报日期, 公示日期]."""

    data = checks.load(sheets)
    out: dict[str, list[list]] = {}
    for r in records(sheets.get(lg.CLAIMS)):
        posted = cell_date(r.get("公示日期"))
        if posted is None or cell_text(r.get("结果")) or cell_date(r.get("审核日期")) or cell_date(r.get("录入日期")):
            continue
        found = _claim(data, r)
        if found is None:
            continue
        aid, acc, rule, points = found
        claimed = cell_date(r.get("申报日期"))
        out.setdefault(data.village_on(aid, posted), []).append(
            [cell_text(r.get("编号")), aid, acc.name, acc.kind, rule.rule.item, points, claimed, posted])
    return data.settings, out


def entered_claims(sheets: dict) -> tuple[dict, list[dict]]:
    """Claims entered with 结果 通过 (L-3 step 6), in 录入日期 order then sheet order."""

    data = checks.load(sheets)
    out = []
    for i, r in enumerate(records(sheets.get(lg.CLAIMS))):
        entered = cell_date(r.get("录入日期"))
        if entered is None or cell_text(r.get("结果")) != lg.PASSED:
            continue
        found = _claim(data, r)
        if found is None:
            continue
        aid, acc, rule, points = found
        out.append({"编号": cell_text(r.get("编号")), "账户号": aid, "名称": acc.name, "类型": acc.kind,
                    "村": data.village_on(aid, entered), "事项": rule.rule.item, "类别": rule.rule.category,
                    "分值": points, "申报日期": cell_date(r.get("申报日期")), "公示日期": cell_date(r.get("公示日期")),
                    "审核日期": cell_date(r.get("审核日期")), "录入日期": entered, "录入人": cell_text(r.get("录入人")),
                    "_order": (entered, i)})
    out.sort(key=lambda d: d["_order"])
    return data.settings, out


def category_ranking_rows(sheets: dict) -> tuple[dict, list[list], str]:
    """Per category (L-2) and account type (L-1), open accounts with points in that
    category ranked by them (C-4, competition ranking)."""

    data = checks.load(sheets)
    tot = compute.account_totals(data)
    rows = []
    for cat in lg.CATEGORIES:
        for kind in lg.TYPES:
            accs = [a for a in data.accounts.values() if a.kind == kind and not a.closed
                    and int(tot.loc[a.aid, cat]) != 0]
            if not accs:
                continue
            pts = [int(tot.loc[a.aid, cat]) for a in accs]
            ranks = competition_rank(pts)
            block = sorted(zip(ranks, range(len(accs)), accs, pts), key=lambda x: (x[0], x[1]))
            rows += [[cat, kind, r, a.aid, a.name, data.current_village(a.aid), from_cents(p)]
                     for r, _, a, p in block]
    as_of = data.as_of()
    return data.settings, rows, as_of


PAPERS = {NOTICE_BOARD: notice_claims, AWARD_SLIPS: entered_claims, CATEGORY_RANKING: category_ranking_rows}
