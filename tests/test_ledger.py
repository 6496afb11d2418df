"""Community ledger (SPEC L-1…L-9): the hand-built town of issue #6.

Workbook built from WORKBOOKS.md headers alone (typed below). Town 曾集镇, 年度 2026,
人均奖励预算 2 元: 东村 (常住 10 → budget 20 元), 西村 (常住 100 → 200 元).

Claims that count (通过, dated 录入日期, L-3):
  A01 村民 张三 东村: 02-01 R03 explicit 6 (平安稳定), 03-10 R01 +2, 04-10 R02 +3;
      05-05 R03 explicit 4 found 虚假 at 干部审核 (no 录入) → −2×4 = −8 (奖励惩罚, L-4)
      → 累计 6 + 2 + 3 − 8 = 3
  A02 村民 李四 东村: 03-01 R02 +3, 07-01 R01 +2 → 5; a 驳回 claim counts nothing
  A03 家庭 王家 东村 (人口 4): 03-05 R02 +3, 04-05 R02 +3, 04-06 R01 +2 → 8
  A04 党员 赵六 西村: 05-20 R04 +10; R01 stuck at 干部审核 (审核 06-10, 结果 empty) → 0 → 10
  A05 单位 小卖部 西村: 03-15 R01 +2 → 2
  A06 村民 钱七 东村, 转移 06-01 东村→西村 (L-7): 02-10 R02 +3 (in 东村), 07-10 R01 +2 (in 西村) → 5
  A07 村民 孙八 东村 注销: no rows.
Redemptions in date order (L-5, L-6); catalogue 洗衣粉 2 分/5 元 stock 10, 毛巾 3 分/8 元
stock 1, 大米 5 分/20 元 unlimited:
  r2 04-15 A01 洗衣粉×1: cum 11, avail 11 ≥ 2 ✓; 东村 5/20        → A01 spent 2
  r3 04-20 A03 毛巾×1:   avail 8 ≥ 3 ✓; 东村 13/20; 毛巾 stock 0  → A03 spent 3
  r4 04-25 A02 毛巾×1:   avail 3 ≥ 3 ✓ but stock 0 → 拒绝 库存不足
  r5 05-10 A01 洗衣粉×1: cum 3 (after −8 on 05-05) − 2 = 1 < 2 → 拒绝 余额不足
  r6 06-01 A03 大米×1:   avail 8 − 3 = 5 ≥ 5 ✓; 东村 13 + 20 = 33 > 20 → 拒绝 超出预算
  r7 07-15 A06 大米×1:   avail 5 ≥ 5 ✓; A06 is in 西村 since 06-01: 西村 20 + 20 = 40 ≤ 200 ✓
  r8 06-20 A04 大米×1:   avail 10 ≥ 5 ✓; 西村 0 + 20 = 20 ✓ (taken before r7: date order)
  r9 08-01 A02 洗衣粉×1: avail 5 ≥ 2 ✓; 东村 13 + 5 = 18 ≤ 20 ✓
  r10 08-02 A05 洗衣粉×1: avail 2 ≥ 2 ✓; 西村 45
Transfer 09-01 A02 东村 → 李庄 (not in 村庄): 拒绝 (outside the town).
Result 累计 / 可用: A01 3/1, A02 5/3, A03 8/5, A04 10/5, A05 2/0, A06 5/0.
Ranking 村民 (C-4): A02 5 → 1, A06 5 → 1, A01 3 → 3.
示范村指标 2026 (L-9):
  东村: redeemers A01 (1) + A03 家庭 (4) + A02 (1) = 6 / 10 = 60% → 是; categories of counted
        claims in 东村: 平安稳定, 思想政治, 村建设 = 3 (the 虚假 deduction is no counted claim);
        participating A01, A02, A03, A06 (its 02-10 claim) = 4; spending 5 + 8 + 5 = 18 of 20.
  西村: A04 (1) + A06 (1) + A05 单位 (0) = 2 / 100 = 2% → 否; 奖励惩罚 (A04), 思想政治 (A05,
        A06) = 2; participating A04, A05, A06 = 3; spending 20 + 20 + 5 = 45 of 200.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from contract import raw_sheets, write_xlsx

from jifen_xl.core.problems import ERROR, NOTICE, REFUSED
from jifen_xl.schemes.ledger import checks as lchecks, compute as lcompute, model as lg, render as lrender

D = date
CLAIM_HEADER = ["编号", "账户号", "代码", "分值", "申报日期", "申报方式", "渠道", "时间地点事由", "证据",
                "初审日期", "初审人", "公示日期", "审核日期", "审核人", "录入日期", "录入人", "结果"]
STEP_COLS = [("申报日期", None), ("初审日期", "初审人"), ("公示日期", None), ("审核日期", "审核人"),
             ("录入日期", "录入人")]


def claim(no, aid, code, last: date, *, upto=5, result="通过", pts=None) -> list:
    """A 申报 row that reached step `upto` (1 申报 … 5 录入) on `last`, earlier steps two days apart."""
    row = dict.fromkeys(CLAIM_HEADER)
    row.update({"编号": no, "账户号": aid, "代码": code, "分值": pts, "申报方式": "本人", "渠道": "微信",
                "时间地点事由": "村委会", "证据": "照片", "结果": result})
    for i, (col, actor) in enumerate(STEP_COLS[:upto]):
        row[col] = last - timedelta(days=2 * (upto - 1 - i))
        if actor:
            row[actor] = {"初审人": "网格员甲", "审核人": "村干部乙", "录入人": "文书丙"}[actor]
    return [row[h] for h in CLAIM_HEADER]


def scenario() -> dict[str, list[list]]:
    return {
        "设置": [["项目", "值"], ["镇名", "曾集镇"], ["年度", 2026], ["人均奖励预算", 2]],
        "村庄": [["村名", "常住人口"], ["东村", 10], ["西村", 100]],
        "账户": [["账户号", "类型", "名称", "所属村", "人口", "状态"],
                 ["A01", "村民", "张三", "东村", None, "正常"],
                 ["A02", "村民", "李四", "东村", None, "正常"],
                 ["A03", "家庭", "王家", "东村", 4, "正常"],
                 ["A04", "党员", "赵六", "西村", None, "正常"],
                 ["A05", "单位", "小卖部", "西村", None, "正常"],
                 ["A06", "村民", "钱七", "东村", None, "正常"],
                 ["A07", "村民", "孙八", "东村", None, "注销"]],
        "规则": [["代码", "适用类型", "类别", "事项", "分值", "最低分值", "最高分值"],
                 ["R01", "全部", "思想政治", "参加党课学习", 2, None, None],
                 ["R02", "村民、家庭", "村建设", "义务清扫", 3, None, None],
                 ["R03", "全部", "平安稳定", "调解纠纷", None, 1, 10],
                 ["R04", "党员", "奖励惩罚", "获市级表彰", 10, None, None],
                 ["R05", "全部", "奖励惩罚", "违反村规", -5, None, None]],
        "申报": [CLAIM_HEADER,
                 claim(1, "A01", "R03", D(2026, 2, 1), pts=6),
                 claim(2, "A01", "R01", D(2026, 3, 10)),
                 claim(3, "A01", "R02", D(2026, 4, 10)),
                 claim(4, "A01", "R03", D(2026, 5, 5), upto=4, result="虚假", pts=4),
                 claim(5, "A02", "R02", D(2026, 3, 1)),
                 claim(6, "A02", "R01", D(2026, 7, 1)),
                 claim(7, "A02", "R01", D(2026, 3, 3), upto=2, result="驳回"),
                 claim(8, "A03", "R02", D(2026, 3, 5)),
                 claim(9, "A03", "R02", D(2026, 4, 5)),
                 claim(10, "A03", "R01", D(2026, 4, 6)),
                 claim(11, "A04", "R04", D(2026, 5, 20)),
                 claim(12, "A04", "R01", D(2026, 6, 10), upto=4, result=None),
                 claim(13, "A05", "R01", D(2026, 3, 15)),
                 claim(14, "A06", "R02", D(2026, 2, 10)),
                 claim(15, "A06", "R01", D(2026, 7, 10))],
        "兑换目录": [["商品", "所需积分", "价值元", "库存"],
                     ["洗衣粉", 2, 5, 10], ["毛巾", 3, 8, 1], ["大米", 5, 20, None]],
        "兑换记录": [["日期", "账户号", "商品", "数量", "经办人"],
                     [D(2026, 4, 15), "A01", "洗衣粉", 1, "文书丙"],   # row 2
                     [D(2026, 4, 20), "A03", "毛巾", 1, "文书丙"],     # row 3
                     [D(2026, 4, 25), "A02", "毛巾", 1, "文书丙"],     # row 4 库存不足
                     [D(2026, 5, 10), "A01", "洗衣粉", 1, "文书丙"],   # row 5 余额不足
                     [D(2026, 6, 1), "A03", "大米", 1, "文书丙"],      # row 6 超出预算
                     [D(2026, 7, 15), "A06", "大米", 1, "文书丙"],     # row 7
                     [D(2026, 6, 20), "A04", "大米", 1, "文书丙"],     # row 8
                     [D(2026, 8, 1), "A02", "洗衣粉", 1, "文书丙"],    # row 9
                     [D(2026, 8, 2), "A05", "洗衣粉", None, "文书丙"]],  # row 10 (数量 blank = 1)
        "转移": [["日期", "账户号", "原村", "新村"],
                 [D(2026, 6, 1), "A06", "东村", "西村"],
                 [D(2026, 9, 1), "A02", "东村", "李庄"]],
    }


raw = raw_sheets   # in-memory RawSheets (tests/contract.py)


def load(sheets=None) -> lg.LedgerData:
    return lchecks.load(raw(sheets or scenario()))


def errors(data):
    return [p for p in data.problems if p.level == ERROR]


def by_id(sheet, col="账户号"):
    i = sheet.columns.index(col)
    return {r[i]: dict(zip(sheet.columns, r)) for r in sheet.rows}


# ---- the hand-computed town ------------------------------------------------------------------

def test_scenario_has_no_errors_only_refusals():
    data = load()
    assert errors(data) == []
    refused = sorted((p.sheet, p.row) for p in data.problems if p.level == REFUSED)
    assert refused == [("兑换记录", 4), ("兑换记录", 5), ("兑换记录", 6), ("转移", 3)]


def test_refusals_name_their_reason_L6():
    data = load()
    msg = {(p.sheet, p.row): p.message for p in data.problems if p.level == REFUSED}
    assert "库存不足" in msg[("兑换记录", 4)] and "余额不足" not in msg[("兑换记录", 4)]
    assert "余额不足" in msg[("兑换记录", 5)] and "可用余额 1 分" in msg[("兑换记录", 5)]
    assert "超出预算" in msg[("兑换记录", 6)] and "已支出 13 元" in msg[("兑换记录", 6)]
    assert "李庄" in msg[("转移", 3)] and "本镇" in msg[("转移", 3)]
    assert [r.row for r in data.redemptions] == [2, 3, 8, 7, 9, 10]   # date order, r8 before r7


def test_cumulative_and_spendable_balance_L4_L5():
    tot = lcompute.account_totals(load())
    got = {sid: (int(tot.loc[sid, "cum"]) // 100, int(tot.loc[sid, "available"]) // 100)
           for sid in ["A01", "A02", "A03", "A04", "A05", "A06"]}
    assert got == {"A01": (3, 1), "A02": (5, 3), "A03": (8, 5), "A04": (10, 5), "A05": (2, 0), "A06": (5, 0)}


def test_false_claim_costs_double_dated_at_last_step_L4():
    data = load()
    e = data.entries[data.entries["status"] == "虚假"]
    assert list(e["points"]) == [-800] and list(e["date"]) == [D(2026, 5, 5)]
    assert list(e["category"]) == ["奖励惩罚"]
    # the claim stuck at 干部审核 (编号 12) and the 驳回 one (编号 7) count nothing (L-3)
    assert set(data.entries["ref"]) == {str(n) for n in range(1, 16)} - {"7", "12"}


def test_ranking_per_type_with_shared_ranks_C4_L1():
    sheet = lrender.ranking_output(load())
    assert sheet.columns[:7] == ["类型", "名次", "账户号", "名称", "所属村", "累计积分", "可用余额"]
    assert [r[:7] for r in sheet.rows] == [
        ["村民", 1, "A02", "李四", "东村", 5, 3],
        ["村民", 1, "A06", "钱七", "西村", 5, 0],      # current village after the transfer
        ["村民", 3, "A01", "张三", "东村", 3, 1],
        ["党员", 1, "A04", "赵六", "西村", 10, 5],
        ["家庭", 1, "A03", "王家", "东村", 8, 5],
        ["单位", 1, "A05", "小卖部", "西村", 2, 0],
    ]   # A07 注销 is not ranked
    a01 = by_id(sheet)["A01"]
    assert [a01[c] for c in ("思想政治", "平安稳定", "村建设", "奖励惩罚")] == [2, 6, 3, -8]   # sums to 3
    assert a01["本年积分"] == 3 and a01["本年名次"] == 3
    assert "曾集镇" in sheet.title and "2026-09-01" in sheet.title   # 数据截至 = latest data date


def test_demonstration_village_indicators_L9():
    sheet = lrender.indicator_output(load())
    assert sheet.columns == ["村名", "常住人口", "兑换人数", "兑换人数占比", "是否达标", "覆盖类别数",
                             "参与账户数", "奖励支出元", "奖励预算元", "目标占比"]   # 目标占比: the chart's target line (#16)
    assert sheet.rows == [
        ["东村", 10, 6, Decimal("0.6"), "是", 3, 4, 18, 20, Decimal("0.3")],
        ["西村", 100, 2, Decimal("0.02"), "否", 2, 3, 45, 200, Decimal("0.3")],
    ]


def test_passbook_after_transfer_L7_L8():
    data = load()
    sheet = lrender.passbook_output(data, "A06")
    assert sheet.name == "存折-A06" and sheet.columns == ["日期", "摘要", "积分", "累计积分", "可用余额"]
    assert [[r[0], r[2], r[3], r[4]] for r in sheet.rows] == [
        [D(2026, 2, 10), 3, 3, 3],
        [D(2026, 6, 1), 0, 3, 3],
        [D(2026, 7, 10), 2, 5, 5],
        [D(2026, 7, 15), -5, 5, 0],
    ]
    assert "转出 东村" in sheet.rows[1][1] and "转入 西村" in sheet.rows[1][1]
    assert "大米" in sheet.rows[3][1]
    assert "西村" in sheet.title and "A06" in sheet.title and "钱七" in sheet.title


def test_passbook_false_claim_and_redemption_L4_L5_L8():
    rows = lrender.passbook_output(load(), "A01").rows
    assert [[r[0], r[2], r[3], r[4]] for r in rows] == [
        [D(2026, 2, 1), 6, 6, 6], [D(2026, 3, 10), 2, 8, 8], [D(2026, 4, 10), 3, 11, 11],
        [D(2026, 4, 15), -2, 11, 9],          # redemption: cumulative unchanged (L-5)
        [D(2026, 5, 5), -8, 3, 1],            # 虚假: −2 × 4
    ]
    assert "虚假" in rows[4][1]


def test_passbook_all_one_sheet_per_type_L8():
    sheets = lrender.passbook_by_type(load())
    assert [s.name for s in sheets] == ["存折-村民", "存折-党员", "存折-家庭", "存折-单位"]
    villagers = sheets[0]
    assert villagers.columns == ["账户号", "日期", "摘要", "积分", "累计积分", "可用余额"]
    ids = [r[0] for r in villagers.rows]
    # blocks in account order: a heading line then the account's lines
    assert ids == ["A01"] * 6 + ["A02"] * 4 + ["A06"] * 5 + ["A07"]
    assert villagers.rows[0][1] is None and "张三" in villagers.rows[0][2]


# ---- workflow validation (L-3) and other checks ---------------------------------------------

def with_claims(*rows, **extra):
    s = scenario()
    s["申报"] = [CLAIM_HEADER, *rows]
    s["兑换记录"] = s["兑换记录"][:1]
    s.update(extra)
    return load(s)


def problems_at(data, row, sheet="申报"):
    return {(p.column, p.level) for p in data.problems if p.sheet == sheet and p.row == row}


def test_step_before_previous_skipped_step_and_missing_actor_L3():
    early = claim(1, "A01", "R01", D(2026, 3, 10))
    early[CLAIM_HEADER.index("审核日期")] = D(2026, 2, 1)          # before 公示 (03-06)
    skipped = claim(2, "A01", "R01", D(2026, 3, 10))
    skipped[CLAIM_HEADER.index("公示日期")] = None
    no_actor = claim(3, "A01", "R01", D(2026, 3, 10))
    no_actor[CLAIM_HEADER.index("录入人")] = None
    data = with_claims(early, skipped, no_actor)
    assert ("审核日期", ERROR) in problems_at(data, 2)
    assert ("公示日期", ERROR) in problems_at(data, 3)
    assert problems_at(data, 4) == {("录入人", ERROR)}
    assert data.entries.empty


def test_passed_requires_entry_L3():
    data = with_claims(claim(1, "A01", "R01", D(2026, 3, 10), upto=4, result="通过"))
    [p] = [p for p in data.problems if p.row == 2]
    assert (p.column, p.level) == ("结果", ERROR) and "录入" in p.message


def test_code_not_for_type_explicit_range_unknown_ids_C2_L2():
    data = with_claims(claim(1, "A05", "R02", D(2026, 3, 10)),             # R02 not for 单位
                       claim(2, "A01", "R03", D(2026, 3, 10), pts=12),     # range 1…10
                       claim(3, "A01", "R01", D(2026, 3, 10), pts=3),      # fixed +2
                       claim(4, "X99", "R01", D(2026, 3, 10)),
                       claim(5, "A01", "Z9", D(2026, 3, 10)),
                       claim(6, "A07", "R01", D(2026, 3, 10), upto=2, result=None),  # 注销, open
                       claim(7, "A01", "R03", D(2026, 3, 10)))             # discretionary, blank
    assert problems_at(data, 2) == {("代码", ERROR)}
    assert problems_at(data, 3) == {("分值", ERROR)}
    assert problems_at(data, 4) == {("分值", ERROR)}
    assert problems_at(data, 5) == {("账户号", ERROR)}
    assert problems_at(data, 6) == {("代码", ERROR)}
    assert problems_at(data, 7) == {("账户号", ERROR)}
    assert problems_at(data, 8) == {("分值", ERROR)}


def test_blank_points_take_the_rule_and_false_deduction_claim_counts_nothing_L4():
    data = with_claims(claim(1, "A01", "R01", D(2026, 3, 10)),
                       claim(2, "A01", "R05", D(2026, 3, 12), upto=2, result="虚假"))
    assert list(data.entries["points"]) == [200]
    assert problems_at(data, 3) == {("结果", NOTICE)}
    assert lchecks.false_claim_points(400) == -800 and lchecks.false_claim_points(-500) == 0


def test_unknown_village_and_transfer_origin_mismatch_L7():
    s = scenario()
    s["账户"].append(["A08", "村民", "周九", "南村", None, "正常"])
    s["转移"].append([D(2026, 10, 1), "A06", "东村", "西村"])   # A06 is in 西村 since 06-01
    data = load(s)
    assert {(p.sheet, p.row, p.column) for p in errors(data)} == {("账户", 9, "所属村"), ("转移", 4, "原村")}


def test_missing_sheet_is_an_error():
    s = scenario()
    del s["申报"]
    data = load(s)
    assert [(p.sheet, p.level) for p in errors(data)] == [("申报", ERROR)]


# ---- end to end through `jifen` (real .xlsx built with openpyxl) -----------------------------

def read_sheet(path: Path, name: str) -> list[list]:
    import python_calamine as pc

    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def sheet_names(path: Path) -> list[str]:
    import python_calamine as pc

    return list(pc.CalamineWorkbook.from_path(str(path)).sheet_names)


@pytest.fixture
def book(tmp_path):
    return write_xlsx(tmp_path / "积分台账.xlsx", scenario())


def test_cli_ledger_writes_ranking_indicators_and_refusals(book, capsys):
    from jifen_xl.cli import main

    assert main(["ledger", str(book)]) == 0          # refusals alone → exit 0
    rank = read_sheet(book, "积分排名")
    assert rank[0][:7] == ["类型", "名次", "账户号", "名称", "所属村", "累计积分", "可用余额"]
    assert [r[:7] for r in rank[1:4]] == [["村民", 1, "A02", "李四", "东村", 5, 3],
                                          ["村民", 1, "A06", "钱七", "西村", 5, 0],
                                          ["村民", 3, "A01", "张三", "东村", 3, 1]]
    ind = read_sheet(book, "示范村指标")
    assert ind[1] == ["东村", 10, 6, 0.6, "是", 3, 4, 18, 20, 0.3]
    assert ind[2] == ["西村", 100, 2, 0.02, "否", 2, 3, 45, 200, 0.3]
    check = read_sheet(book, "校验")
    assert check[0] == ["工作表", "行", "列", "值", "问题", "级别"]
    refused = {(r[0], r[1]): r[4] for r in check[1:] if r[5] == "拒绝"}
    assert set(refused) == {("兑换记录", 4), ("兑换记录", 5), ("兑换记录", 6), ("转移", 3)}
    assert "库存不足" in refused[("兑换记录", 4)] and "余额不足" in refused[("兑换记录", 5)]
    assert "超出预算" in refused[("兑换记录", 6)]
    assert read_sheet(book, "申报")[1][1] == "A01"   # inputs untouched
    assert "东村" in capsys.readouterr().out


def test_cli_passbook_account_and_all(book):
    from jifen_xl.cli import main

    assert main(["passbook", str(book), "--account", "A06"]) == 0
    rows = read_sheet(book, "存折-A06")
    assert rows[0] == ["日期", "摘要", "积分", "累计积分", "可用余额"]
    assert [r[2:] for r in rows[1:]] == [[3, 3, 3], [0, 3, 3], [2, 5, 5], [-5, 5, 0]]
    assert main(["passbook", str(book), "--all"]) == 0
    names = sheet_names(book)
    assert {"存折-A06", "存折-村民", "存折-党员", "存折-家庭", "存折-单位"} <= set(names)
    fam = read_sheet(book, "存折-家庭")
    assert fam[0] == ["账户号", "日期", "摘要", "积分", "累计积分", "可用余额"]
    assert [r[3:] for r in fam[2:]] == [[3, 3, 3], [3, 6, 6], [2, 8, 8], [-3, 8, 5]]


def test_cli_passbook_unknown_account_exits_1(book):
    from jifen_xl.cli import main

    assert main(["passbook", str(book), "--account", "Z1"]) == 1
    assert "存折-Z1" not in sheet_names(book)


def test_cli_errors_block_outputs_C6(tmp_path):
    from jifen_xl.cli import main

    s = scenario()
    s["申报"].append(claim(16, "A05", "R02", D(2026, 3, 10)))    # R02 is not for 单位
    path = write_xlsx(tmp_path / "错.xlsx", s)
    assert main(["ledger", str(path)]) == 1
    assert "积分排名" not in sheet_names(path)
    check = read_sheet(path, "校验")
    assert ["申报", 17, "代码", "R02"] == check[1][:4] and check[1][5] == "错误"
    assert main(["check", str(path)]) == 1


def test_ledger_is_reproducible_C5(book, tmp_path):
    from jifen_xl.cli import main

    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert main(["ledger", str(book), "--out", str(a)]) == 0
    assert main(["ledger", str(book), "--out", str(b)]) == 0
    assert read_sheet(a, "积分排名") == read_sheet(b, "积分排名")
    assert read_sheet(a, "示范村指标") == read_sheet(b, "示范村指标")


def test_template_is_valid_and_covers_every_type_and_category_L1_L2(tmp_path):
    from jifen_xl.cli import main

    path = tmp_path / "积分台账.xlsx"
    assert main(["new", "ledger", "-o", str(path)]) == 0
    names = sheet_names(path)
    assert {"说明", "设置", "村庄", "账户", "规则", "申报", "兑换目录", "兑换记录", "转移"} <= set(names)
    assert read_sheet(path, "申报")[0][:17] == CLAIM_HEADER
    rules = read_sheet(path, "规则")
    assert rules[0][:7] == ["代码", "适用类型", "类别", "事项", "分值", "最低分值", "最高分值"]
    covered = {(t, r[2]) for r in rules[1:] for t in lg.TYPES if r[1] == "全部" or t in r[1].split("、")}
    assert covered == {(t, c) for t in lg.TYPES for c in lg.CATEGORIES}
    assert main(["check", str(path)]) == 0


# ---- issue #23 case 19: ids and names as people type them -----------------------------------

def test_cli_passbook_account_in_lower_case(book, capsys):
    from jifen_xl.cli import main

    assert main(["passbook", str(book), "--account", "a06"]) == 0
    assert "存折-A06" in sheet_names(book) and "存折-a06" not in sheet_names(book)
    assert "大小写不同" in capsys.readouterr().out
    rows = read_sheet(book, "存折-A06")
    assert [r[2:] for r in rows[1:]] == [[3, 3, 3], [0, 3, 3], [2, 5, 5], [-5, 5, 0]]


def test_cli_passbook_unknown_account_asks_is_it(book, capsys):
    from jifen_xl.cli import main

    assert main(["passbook", str(book), "--account", "A6"]) == 1
    out = capsys.readouterr().out
    assert "是不是" in out and "A06" in out


@pytest.mark.parametrize("typed,meant", [("毛中", "毛巾"), ("大米5斤", "大米"), ("洗衣", "洗衣粉")])
def test_unknown_product_asks_is_it(typed, meant):
    sheets = scenario()
    sheets["兑换记录"][2][2] = typed
    data = load(sheets)
    hit = [p for p in errors(data) if p.sheet == "兑换记录" and p.column == "商品"]
    assert hit and hit[0].value == typed
    assert f"是不是 {meant}" in hit[0].message
