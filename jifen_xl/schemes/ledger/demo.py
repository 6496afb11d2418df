"""Demo for `jifen demo`: a town of three villages with a year of claims through the six
steps (L-3), false and rejected claims, redemptions (some refused, L-6), one transfer
(L-7); each village runs its own exchange (L-10): the catalogue's rows are on every village's
shelf with its own stock (two bottles of oil each), and 曾巷村 alone offers 农家乐餐券.
Runs `check`, `ledger` and `passbook --all`."""
from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from ..sample import chinese_names
from . import model as lg
from . import template as lt

VILLAGES = [("曾巷村", 320), ("新河村", 260), ("杨集村", 40)]
GRID = {"曾巷村": "网格员刘芳", "新河村": "网格员陈明", "杨集村": "网格员黄静"}
SHOPS = ["便民超市", "老街药店", "志愿服务队", "广场舞协会", "农资店", "卫生室"]


def ledger_demo(folder: Path, seed: int = 2026) -> list[tuple[Path, list[tuple[str, dict]]]]:
    from ...book.template_spec import write_template

    rng = random.Random(seed)
    sheets = lt.sheets()
    by = {s.name: s for s in sheets}
    by["村庄"].rows = [[v, n] for v, n in VILLAGES]
    # accounts: per village villagers, party members, families and a couple of units
    accounts, aid = [], 0
    names = iter(chinese_names(rng, 200))
    shops = iter(SHOPS)
    for vi, (village, _) in enumerate(VILLAGES):
        plan = [("村民", 10), ("党员", 3), ("家庭", 6), ("单位", 2)] if vi < 2 else \
               [("村民", 6), ("党员", 2), ("家庭", 5), ("单位", 1)]
        for kind, n in plan:
            for _ in range(n):
                aid += 1
                if kind == "家庭":
                    name, people = next(names)[0] + "家", rng.randint(2, 6)
                elif kind == "单位":
                    name, people = next(shops), None
                else:
                    name, people = next(names), None
                accounts.append([f"{'ZXC'[vi]}{aid:03d}", kind, name, village, people, "正常"])
    accounts[5][5] = "注销"          # someone who moved out of town: history kept, not ranked
    by["账户"].rows = accounts
    open_accounts = [a for a in accounts if a[5] == "正常"]
    rules = [r for r in lt.RULE_CATALOGUE]

    def rule_for(kind: str) -> list:
        fit = [r for r in rules if r[1] == "全部" or kind in r[1].split("、")]
        fit = [r for r in fit if not (r[4] is None and r[5] < 0)]    # nobody claims a deduction
        return rng.choice(fit)

    claims, n = [], 0
    start, end = date(2026, 1, 5), date(2026, 12, 20)
    for _ in range(1100):
        n += 1
        acc = rng.choice(open_accounts)
        rule = rule_for(acc[1])
        pts = rng.randint(rule[5], rule[6]) if rule[4] is None else None
        day = start + timedelta(days=rng.randint(0, (end - start).days - 20))
        steps = [day]
        for _ in range(4):
            steps.append(steps[-1] + timedelta(days=rng.randint(0, 4)))
        fate = rng.random()
        if steps[-1] > date(2026, 12, 20):                # late in the year: still in progress
            upto, result = 3, None
        elif fate < 0.06:
            upto, result = rng.choice((2, 4)), "驳回"
        elif fate < 0.09:
            upto, result = 4, "虚假"
        else:
            upto, result = 5, "通过"
        row = [n, acc[0], rule[0], pts, steps[0], rng.choice(lg.MODES), rng.choice(lg.CHANNELS),
               f"{steps[0].month}月{steps[0].day}日 {acc[3]} {rule[3][:10]}", rng.choice(("照片", "证明人", "")),
               steps[1] if upto > 1 else None, GRID[acc[3]] if upto > 1 else None,
               steps[2] if upto > 2 else None,
               steps[3] if upto > 3 else None, "村干部王强" if upto > 3 else None,
               steps[4] if upto > 4 else None, "文书李娜" if upto > 4 else None, result]
        claims.append(row)
    # one claim stuck at 干部审核 at year end, and a discretionary one with its value
    n += 1
    claims.append([n, open_accounts[0][0], "P03", None, date(2026, 12, 10), "代报", "电话", "调解邻里纠纷",
                   "", date(2026, 12, 11), GRID[open_accounts[0][3]], date(2026, 12, 12),
                   date(2026, 12, 16), "村干部王强", None, None, None])
    by["申报"].rows = claims
    by["申报"].prefill_numbers = 0
    # redemptions: monthly market days; some accounts try beyond their balance
    catalogue = [r[0] for r in lt.CATALOGUE_ROWS]
    by["兑换目录"].rows = [list(r) for r in lt.CATALOGUE_ROWS]
    by["兑换目录"].rows[3][3] = 2                      # 食用油: only two bottles a village this year
    by["兑换目录"].rows.append(["农家乐餐券", 20, 10, 2, "曾巷村"])   # L-10: one village's own item
    reds = []
    for month in range(4, 13):
        for _ in range(rng.randint(12, 18)):
            acc = rng.choice(open_accounts)
            reds.append([date(2026, month, rng.randint(1, 25)), acc[0], rng.choice(catalogue),
                         rng.choice((1, 1, 1, 2)), "文书李娜"])
    zeng = [a for a in open_accounts if a[3] == "曾巷村" and a[1] in ("村民", "党员")]
    reds += [[date(2026, 7, 1 + k), a[0], "农家乐餐券", 1, "文书李娜"] for k, a in enumerate(zeng[:3])]
    reds.sort(key=lambda r: r[0])
    by["兑换记录"].rows = reds
    # one family moves from 曾巷村 to 新河村 mid-year
    mover = next(a for a in open_accounts if a[3] == "曾巷村" and a[1] == "家庭")
    by["转移"].rows = [[date(2026, 6, 18), mover[0], "曾巷村", "新河村"]]
    path = write_template(folder / "积分台账-示例.xlsx", sheets)
    return [(path, [("check", {}), ("ledger", {}), ("passbook", {"all": True})])]

