"""A village workbook built from WORKBOOKS.md alone (headers typed here, not imported from
our code), for the hand-computed tests in tests/test_village.py."""
from __future__ import annotations

from datetime import date

SETTINGS_HEADER = ["项目", "值"]
ROSTER_HEADER = ["户号", "户主", "组", "人口", "参与"]
PANEL_HEADER = ["小组", "成员", "身份", "所在组"]
RULES_HEADER = ["代码", "类别", "事项", "分值", "最低分值", "最高分值", "周期"]
NOTICE_LOG_HEADER = ["期次", "公示开始", "公示结束", "上报日期", "备注", "审议日期", "参加人数", "包村领导", "修改意见"]
TODAY = "2027-02-01"    # JIFEN_TODAY for the tests: every recorded notice below has ended
RECORD_HEADER = ["日期", "户号", "代码", "分值", "评议小组", "状态", "来源", "证明材料", "备注", "编号", "冲正"]

HEADS = {
    "H01": "赵一", "H02": "钱二", "H03": "孙三", "H04": "李四", "H05": "周五", "H06": "吴六",
    "H07": "郑七", "H08": "王八", "H09": "冯九", "H10": "陈十", "H11": "褚十一", "H12": "卫十二",
    "H13": "蒋十三", "H14": "沈十四", "H15": "韩十五", "H16": "杨十六", "H17": "朱十七",
    "H18": "秦十八", "H19": "尤十九", "H20": "许二十", "H21": "何老汉",
}
GROUP_1 = ["H01", "H02", "H03", "H04", "H05", "H06", "H07", "H08", "H09", "H10"]
GROUP_2 = ["H11", "H12", "H13", "H14", "H15", "H16", "H17", "H18", "H19", "H20"]


def d(m: int, day: int) -> date:
    return date(2026, m, day)


def scenario_village() -> dict[str, list[list]]:
    """20 participating households in two groups and one opted-out household (H21).

    Panel 甲 belongs to 一组 and reviews 二组; panel 乙 belongs to 二组 and reviews 一组.
    See tests/test_village.py for the hand arithmetic."""
    roster = [ROSTER_HEADER]
    for hid in GROUP_1[:5]:
        roster.append([hid, HEADS[hid], "一组", 3, "是"])
    roster.append(["H21", HEADS["H21"], "一组", 1, "否"])          # opted out (V-1)
    for hid in GROUP_1[5:]:
        roster.append([hid, HEADS[hid], "一组", 4, None])         # blank 参与 = 是
    for hid in GROUP_2:
        roster.append([hid, HEADS[hid], "二组", 2, "是"])
    panels = [PANEL_HEADER]
    for i, name in enumerate(["甲1", "甲2", "甲3", "甲4", "甲5"]):
        panels.append(["甲", name, ["村两委", "村务监督委员会成员"][i] if i < 2 else "党员群众代表", "一组"])
    for i, name in enumerate(["乙1", "乙2", "乙3", "乙4", "乙5"]):
        panels.append(["乙", name, ["村两委", "村务监督委员会成员", "小组长"][i] if i < 3 else "村民代表", "二组"])
    rules = [RULES_HEADER,
             ["E01", "环境整治", "庭院整洁", 2, None, None, "日常"],
             ["E02", "环境整治", "乱堆乱放", -2, None, None, "日常"],
             ["W01", "文明新风", "好人好事", 3, 1, 5, "日常"],
             ["W02", "文明新风", "参与赌博", -5, None, None, None],        # blank 周期 → 日常
             ["D01", "党的建设", "参加党组织活动", 2, None, None, "年度"],
             ["M01", "民生保障", "投工投劳", 1, None, None, "年度"],
             ["F01", "遵纪守法", "违法被处理", -5, -10, -3, "年度"]]

    ok = "已确认"
    recs = []

    def add(when, hid, code, value=None, status=ok, source="评议", note=None, reverses=None):
        panel = "乙" if hid in GROUP_1 or hid == "H21" else "甲"
        proof = "照片" if source == "申报" else None     # V-9: a declaration comes with evidence
        recs.append([when, hid, code, value, panel, status, source, proof, note, len(recs) + 1, reverses])

    add(d(3, 15), "H03", "E01")
    add(d(5, 20), "H03", "W01", 5)
    add(d(12, 10), "H03", "D01")
    add(d(12, 10), "H03", "M01", source="申报")
    add(d(8, 12), "H05", "E01")
    add(d(9, 18), "H05", "W01", 3)
    add(d(12, 10), "H12", "D01")
    add(d(11, 5), "H12", "W01", 3)
    add(d(2, 10), "H17", "E01")
    add(d(6, 10), "H17", "E01")
    add(d(9, 25), "H17", "M01")
    add(d(10, 15), "H08", "E01")
    add(d(11, 15), "H08", "E01")
    add(d(4, 8), "H14", "E02")
    add(d(12, 10), "H14", "M01")
    add(d(7, 7), "H01", "E02")
    add(d(9, 28), "H01", "W01", 5, status="已驳回")                 # would give H01 a star
    for hid in ["H02", "H04", "H06", "H07", "H09", "H10", "H11"]:
        add(d(3, 1), hid, "W02")
    for hid in ["H13", "H15", "H16", "H18", "H19", "H20"]:
        add(d(10, 20), hid, "W02")
    add(d(8, 20), "H02", "E02")
    add(d(8, 20), "H13", "E02")
    add(d(3, 15), "H21", "W01", 5)                                  # opted out: not counted
    add(d(3, 16), "H21", "E01")
    add(d(6, 1), "H20", "E01", note="登记错户")                      # reversed below
    add(d(6, 2), None, None, note="6月1日登记错户", reverses=len(recs))
    return {
        "设置": [SETTINGS_HEADER, ["村名", "测试村"], ["年度", 2026],
                 ["党的建设基础分", 20], ["民生保障基础分", 20], ["环境整治基础分", 40],
                 ["文明新风基础分", 40], ["遵纪守法基础分", 20],
                 ["五星比例", "10%"], ["四星比例", 0.2], ["三星比例", 30],
                 ["公示天数", 3], ["每组户数上限", 100], ["评议小组最少人数", 5]],
        "农户名册": roster,
        "评议小组": panels,
        "规则": rules,
        "评议记录": [RECORD_HEADER] + recs,
        # V-8, C-8: every notice posted after its period, ended, and reported to the town
        # (上报日期) — so every result is final; tests of 预公示 take rows out. V-11: the
        # year's review meeting (审议日期) before its notice
        "公示记录": [NOTICE_LOG_HEADER,
                     ["2026Q1", d(4, 8), None, d(4, 15), None],
                     ["2026Q2", d(7, 6), None, d(7, 13), None],
                     ["2026Q3", d(10, 9), None, d(10, 16), "村务公开栏"],
                     ["2026Q4", date(2027, 1, 5), None, date(2027, 1, 12), None],
                     ["2026", date(2027, 1, 5), None, date(2027, 1, 12), None,
                      d(12, 28), 35, "王包村", "无"]],
    }


def unreport(book: dict, label: str, *, drop: bool = False) -> dict:
    """Take the 上报日期 (or, with ``drop``, the whole row) of one 期次 out of 公示记录."""
    rows = book["公示记录"]
    for i, r in enumerate(rows[1:], start=1):
        if r[0] == label:
            if drop:
                del rows[i]
            else:
                r[3] = None
            return book
    raise KeyError(label)


def set_status(book: dict, row: int, status: str) -> dict:
    """Change the 状态 of the record in Excel row `row` of 评议记录."""
    book["评议记录"][row - 1][5] = status
    return book


def record_row(book: dict, hid: str, code: str, when: date) -> int:
    """The Excel row of the record for (户号, 代码, 日期)."""
    for i, r in enumerate(book["评议记录"][1:], start=2):
        if r[1] == hid and r[2] == code and r[0] == when:
            return i
    raise KeyError((hid, code, when))
