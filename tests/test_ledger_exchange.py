"""Each village runs its own exchange (SPEC L-10): stock and the per-resident budget are kept
per village; a product's `兑换目录` row with an empty 村名 is on every village's shelf (each
with its own stock), one with a 村名 only on that village's (and, for that village, in place
of the every-village row).

Hand-computed on the town of tests/test_ledger.py (人均奖励预算 2 元: 东村 10 residents →
20 元, 西村 100 → 200 元; catalogue 洗衣粉 2 分/5 元 stock 10, 毛巾 3 分/8 元 stock 1, 大米
5 分/20 元 unlimited). Balances on the dates used (claims counted from 录入日期): A01 11 on
04-15; A02 3 from 03-01; A03 8 from 04-06; A04 10 from 05-20; A06 3 (东村 until 06-01, then
西村) and 5 from 07-10.

Two villages redeeming the same product (毛巾, stock 1 each):
  r2 04-20 A03 东村 毛巾: 8 ≥ 3 ✓, 东村 shelf 1 → 0, 东村 paid 8/20
  r3 04-25 A02 东村 毛巾: 3 ≥ 3 ✓ but 东村 shelf 0 → 拒绝 库存不足（东村 剩余 0）
  r4 06-20 A04 西村 毛巾: 10 ≥ 3 ✓, 西村 shelf 1 → 0 (before L-10 the town's one towel was gone)
  r5 07-15 A06 西村 毛巾: 5 ≥ 3 ✓ but 西村 shelf 0 → 拒绝 库存不足（西村 剩余 0）
  r6 08-01 A03 东村 大米: 8 − 3 = 5 ≥ 5 ✓ but 东村 paid 8 + 20 = 28 > 20 → 拒绝 超出预算
  r7 08-02 A04 西村 大米: 10 − 3 = 7 ≥ 5 ✓, 西村 paid 8 + 20 = 28 ≤ 200 ✓
示范村指标: 东村 A03 家庭 4 people → 4/10 = 40% 是, spending 8 of 20; 西村 A04 → 1/100 否,
spending 28 of 200.
"""
from __future__ import annotations

from datetime import date as D
from decimal import Decimal

from test_ledger import errors, load, scenario

from jifen_xl.core.problems import ERROR, REFUSED
from jifen_xl.schemes.ledger import compute as lcompute, render as lrender

RED_HEADER = ["日期", "账户号", "商品", "数量", "经办人"]
CAT_HEADER = ["商品", "所需积分", "价值元", "库存", "村名"]


def book(redemptions, catalogue=None, transfers=None):
    b = scenario()
    b["兑换记录"] = [RED_HEADER] + [[*r, 1, "文书丙"] for r in redemptions]
    if catalogue is not None:
        b["兑换目录"] = [CAT_HEADER] + catalogue
    if transfers is not None:
        b["转移"] = [["日期", "账户号", "原村", "新村"]] + transfers
    return b


def refused(data):
    return {p.row: p.message for p in data.problems if p.sheet == "兑换记录" and p.level == REFUSED}


TWO_VILLAGES = [
    [D(2026, 4, 20), "A03", "毛巾"],       # r2 东村
    [D(2026, 4, 25), "A02", "毛巾"],       # r3 东村: its shelf is empty
    [D(2026, 6, 20), "A04", "毛巾"],       # r4 西村: its own towel
    [D(2026, 7, 15), "A06", "毛巾"],       # r5 西村 (moved 06-01): its shelf is empty
    [D(2026, 8, 1), "A03", "大米"],        # r6 东村: over 东村's budget
    [D(2026, 8, 2), "A04", "大米"],        # r7 西村: within 西村's budget
]


def test_two_villages_redeem_the_same_product_from_their_own_shelves_L10():
    data = load(book(TWO_VILLAGES))
    assert errors(data) == []
    assert [(r.row, r.aid, r.item, r.village, r.points // 100, r.value // 100) for r in data.redemptions] == [
        (2, "A03", "毛巾", "东村", 3, 8), (4, "A04", "毛巾", "西村", 3, 8), (7, "A04", "大米", "西村", 5, 20)]
    msg = refused(data)
    assert sorted(msg) == [3, 5, 6]
    assert "库存不足（东村需要 1，剩余 0）" in msg[3] and "余额不足" not in msg[3]
    assert "库存不足（西村需要 1，剩余 0）" in msg[5]
    assert "超出预算（东村2026年奖励预算 20 元，已支出 8 元，本次 20 元）" in msg[6]


def test_budgets_and_indicators_stay_per_village_L10_L9():
    data = load(book(TWO_VILLAGES))
    found = {i.village: i for i in lcompute.indicators(data)}
    east, west = found["东村"], found["西村"]
    assert (east.redeemers, east.share, east.meets_target, east.spend, east.budget) == (
        4, Decimal("0.4"), True, 800, 2000)
    assert (west.redeemers, west.share, west.meets_target, west.spend, west.budget) == (
        1, Decimal("0.01"), False, 2800, 20000)
    sheet = lrender.indicator_output(data)
    assert [r[0] for r in sheet.rows] == ["东村", "西村"]


def test_a_village_s_own_row_replaces_the_every_village_row_there_L10():
    catalogue = [["洗衣粉", 2, 5, 10, None], ["洗衣粉", 1, 2, 1, "东村"], ["农家乐餐券", 4, 10, 5, "西村"]]
    data = load(book([
        [D(2026, 4, 15), "A01", "洗衣粉"],     # r2 东村's own row: 1 分 / 2 元, stock 1
        [D(2026, 4, 16), "A02", "洗衣粉"],     # r3 东村's shelf is empty (the town row's 10 are not 东村's)
        [D(2026, 6, 20), "A04", "洗衣粉"],     # r4 西村: the every-village row, 2 分 / 5 元
        [D(2026, 6, 21), "A04", "农家乐餐券"],  # r5 西村's own product: 4 分, 10 − 2 = 8 ≥ 4
    ], catalogue))
    assert errors(data) == []
    assert [(r.row, r.village, r.points // 100, r.value // 100) for r in data.redemptions] == [
        (2, "东村", 1, 2), (4, "西村", 2, 5), (5, "西村", 4, 10)]
    assert "库存不足（东村需要 1，剩余 0）" in refused(data)[3]


def test_a_product_another_village_offers_is_an_error_naming_who_offers_it_L10():
    catalogue = [["洗衣粉", 2, 5, 10, None], ["农家乐餐券", 4, 10, 5, "西村"]]
    data = load(book([
        [D(2026, 4, 20), "A03", "农家乐餐券"],  # r2 东村 does not offer it
        [D(2026, 5, 15), "A06", "农家乐餐券"],  # r3 A06 is still in 东村 (moves 06-01)
        [D(2026, 7, 15), "A06", "农家乐餐券"],  # r4 now in 西村: 5 ≥ 4 ✓
    ], catalogue))
    bad = [(p.row, p.column, p.value) for p in errors(data) if p.sheet == "兑换记录"]
    assert bad == [(2, "商品", "农家乐餐券"), (3, "商品", "农家乐餐券")]
    messages = [p.message for p in errors(data)]
    assert all(m.startswith("东村的兑换目录没有这个商品（只有 西村 提供") for m in messages)
    assert [(r.row, r.village) for r in data.redemptions] == [(4, "西村")]


def test_catalogue_checks_L10():
    catalogue = [["洗衣粉", 2, 5, 10, None],
                 ["洗衣粉", 1, 2, 1, "东村"],        # fine: 东村's own row
                 ["洗衣粉", 3, 5, 10, None],         # row 4: the every-village row again
                 ["洗衣粉", 1, 2, 3, "东村"],        # row 5: 东村's row again
                 ["大米", 5, 20, None, "北村"]]      # row 6: not a village of the town
    data = load(book([], catalogue))
    problems = [p for p in data.problems if p.sheet == "兑换目录"]
    found = [(p.sheet, p.row, p.column, p.level) for p in problems]
    assert found == [("兑换目录", 4, "商品", ERROR), ("兑换目录", 5, "商品", ERROR), ("兑换目录", 6, "村名", ERROR)]
    messages = [p.message for p in problems]
    assert "第2行已有" in messages[0] and "第3行已有“东村”" in messages[1] and "村庄" in messages[2]
    assert data.item_for("洗衣粉", "东村").points == 100 and data.item_for("洗衣粉", "西村").points == 200
    assert data.offered_in("洗衣粉") == ["东村", "西村"] and data.offered_in("大米") == []


def test_an_older_catalogue_without_the_column_is_every_village_L10():
    b = book(TWO_VILLAGES)
    b["兑换目录"] = [r[:4] for r in b["兑换目录"]]
    assert [r.row for r in load(b).redemptions] == [2, 4, 7]
