"""`jifen demo`: a village of several hundred households with a year 2026 of reviews.

Six groups (片), six panels reviewing crosswise (V-5), a few elderly households opted out
(V-1), quarterly daily reviews and December annual reviews with self-declarations (V-9),
some rejected records, a few objections raised during the Q4 notice and settled on review
(V-6), one correction by 冲正. The year is finished the way the source runs it (C-8, V-8):
every notice posted after its review and recorded in `公示记录`, the objections handled,
the records 已确认, and each result reported to the town (上报日期) — so the quarters and
the year are final and the star list, medals and 信用户 list exist. The year's notice follows
the review meeting of 党员、村民代表 with the 包村领导 (V-11, recorded in `公示记录`). A good
deed found during Q3's notice was recorded late, so Q3 was noticed again (a second
`公示记录` row, C-8: the outputs show the second notice's dates). The sixth panel has no
村务监督委员会 member (a V-12 提示 in every 校验).
"""
from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from ..sample import chinese_names

GROUPS = ["一组", "二组", "三组", "四组", "五组", "六组"]
REVIEW_DAYS = [date(2026, 3, 20), date(2026, 6, 19), date(2026, 9, 18), date(2026, 12, 18)]
ANNUAL_DAY = date(2026, 12, 10)
# 期次, 公示开始 (the Monday after the review), 上报日期 — 公示结束 left to 公示天数 (3 days)
NOTICES = [("2026Q1", date(2026, 3, 23), date(2026, 3, 27)), ("2026Q2", date(2026, 6, 22), date(2026, 6, 26)),
           ("2026Q3", date(2026, 9, 21), date(2026, 9, 25)), ("2026Q4", date(2026, 12, 21), date(2026, 12, 28)),
           ("2026", date(2026, 12, 21), date(2026, 12, 28)),
           ("2026Q3", date(2026, 9, 28), date(2026, 10, 9))]    # C-8: Q3 noticed again after a late record
# V-11: the year's review meeting before its notice: 审议日期, 参加人数, 包村领导, 修改意见
MEETING = {"2026": [date(2026, 12, 19), 46, "刘振华（镇党委委员）", "将三户的“参加集体活动”次数按签到表更正后再公示"]}
LATE_RECORD = date(2026, 9, 24)     # found during Q3's first notice
# (code, probability per household per quarter, explicit value range or None)
DAILY_ITEMS = [
    ("HJ01", 0.30, None), ("HJ02", 0.15, None), ("HJ03", 0.12, None), ("HJ04", 0.10, None),
    ("HJ05", 0.02, (1, 5)), ("HJ07", 0.10, None), ("HJ08", 0.05, None), ("HJ09", 0.04, None),
    ("HJ10", 0.005, (-10, -3)), ("HJ11", 0.02, None),
    ("WM01", 0.12, None), ("WM02", 0.10, None), ("WM03", 0.03, None), ("WM04", 0.25, None),
    ("WM05", 0.05, None), ("WM06", 0.03, (1, 5)), ("WM07", 0.004, (3, 10)), ("WM08", 0.03, None),
    ("WM09", 0.015, None), ("WM10", 0.005, (-10, -3)), ("WM11", 0.03, None),
]
ANNUAL_ITEMS = [
    ("DJ01", 0.50, None, False), ("DJ02", 0.08, None, False), ("DJ03", 0.05, (1, 5), False),
    ("DJ04", 0.03, None, True), ("DJ05", 0.20, None, False), ("DJ06", 0.01, None, False),
    ("MS01", 0.70, None, True), ("MS02", 0.05, (1, 5), True), ("MS03", 0.25, None, False),
    ("MS04", 0.06, (1, 5), True), ("MS05", 0.30, None, True), ("MS06", 0.02, None, False),
    ("FZ01", 0.80, None, False), ("FZ02", 0.10, None, False), ("FZ03", 0.05, None, False),
    ("FZ04", 0.03, None, True), ("FZ05", 0.01, (-20, -5), False), ("FZ06", 0.01, None, False),
    ("FZ07", 0.005, None, False),
]
EVIDENCE = {"DJ04": "入党申请书复印件", "MS01": "缴费凭证", "MS02": "合作社证明", "MS04": "捐赠收据",
            "MS05": "学校在读证明", "FZ04": "派出所回执"}


def village_demo(folder: Path, seed: int = 2026) -> list[tuple[Path, list[tuple[str, dict]]]]:
    from ...book.template_spec import write_template
    from . import template as village_template

    rng = random.Random(seed)
    sizes = [86, 92, 78, 95, 71, 84]
    names = chinese_names(rng, sum(sizes) + 6 * 7)
    roster, households = [], []
    k = 0
    for g, (group, size) in enumerate(zip(GROUPS, sizes), start=1):
        for i in range(1, size + 1):
            hid = f"{g:02d}{i:03d}"
            opted_out = rng.random() < 0.02
            roster.append([hid, names[k], group, rng.choice([1, 2, 2, 3, 3, 4, 4, 5, 6]),
                           "否" if opted_out else "是"])
            if not opted_out:
                households.append((hid, g - 1))
            k += 1
    panels = []
    roles = ["村两委", "小组长", "村务监督委员会成员", "党员代表", "群众代表", "群众代表", "党员代表"]
    for g, group in enumerate(GROUPS):
        for j in range(rng.choice([5, 6, 7])):
            role = "党员代表" if g == len(GROUPS) - 1 and j == 2 else roles[j]   # V-12: no 监委会 member
            panels.append([f"第{g + 1}评议组", names[k], role, group])
            k += 1

    def panel_for(gi: int) -> str:
        return f"第{(gi + 1) % len(GROUPS) + 1}评议组"   # cross review: never its own group

    records: list[list] = []

    def add(when, hid, gi, code, value=None, status="已确认", source="评议", evidence=None, note=None):
        records.append([len(records) + 1, when, hid, code, value, panel_for(gi), status, source,
                        evidence, note, None])

    for qi, day in enumerate(REVIEW_DAYS):
        for hid, gi in households:
            for code, p, rng_range in DAILY_ITEMS:
                if rng.random() >= p:
                    continue
                value = rng.randint(*rng_range) if rng_range else None
                status = "已确认"      # noticed without objection (V-6)
                if rng.random() < 0.01:
                    status = "已驳回"
                add(day, hid, gi, code, value, status)
    for hid, gi in households:
        for code, p, rng_range, declared in ANNUAL_ITEMS:
            if rng.random() >= p:
                continue
            value = rng.randint(*rng_range) if rng_range else None
            status = "已驳回" if rng.random() < 0.01 else "已确认"
            add(ANNUAL_DAY, hid, gi, code, value, status, "申报" if declared else "评议",
                EVIDENCE.get(code) if declared else None)
    # objections raised during the Q4 notice, settled on review before the final result (V-6)
    q4 = [r for r in records if r[1] == REVIEW_DAYS[3] and r[4] is None and r[6] == "已确认"]
    for k, r in enumerate(rng.sample(q4, 3)):
        r[6] = "已确认" if k == 0 else "已驳回"
        r[9] = "公示期内农户提出异议，复核后" + ("维持" if k == 0 else "撤销")
    # a wrong household corrected by 冲正 before the Q2 notice (C-8: one on or after its 公示开始
    # would keep Q2 预公示 until noticed again): the original stays, the reversal cancels it
    wrong = next(r for r in records if r[1] == REVIEW_DAYS[1] and r[3] == "HJ07")
    records.append([len(records) + 1, date(2026, 6, 20), wrong[2], wrong[3], None, wrong[5], None, None,
                    None, "户号登记错误", wrong[0]])
    hid, gi = households[5]
    add(LATE_RECORD, hid, gi, "WM06", 3, note="公示期间群众反映的好人好事，补登后重新公示")

    specs = village_template.sheets()
    by = {s.name: s for s in specs}
    by["设置"].rows = [["村名", "龙雨庄村", row[2]] if row[0] == "村名" else list(row)
                       for row in by["设置"].rows]
    by["农户名册"].rows = roster
    by["评议小组"].rows = panels
    by["评议记录"].rows = records
    by["评议记录"].prefill_numbers = 0
    by["公示记录"].rows = [[label, start, None, reported, "村务公开栏", *MEETING.get(label, [])]
                          for label, start, reported in NOTICES]
    path = write_template(folder / "乡村积分-示例.xlsx", specs)
    return [(path, [("check", {}), ("quarter", {"quarter": (2026, 3)}), ("quarter", {}), ("year", {})])]

