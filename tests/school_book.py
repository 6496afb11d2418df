"""A small class workbook for the issue #26 tests (leave, recorders, teacher additions, the
morning report), written from WORKBOOKS.md: 规则 with 负责人 and 请假免扣, 请假, 上自习补充.

Roster (base 80, cadre base 85, cadre ×2 on rules marked 班干部加倍):
  1001 张三  班长、值日班长 (cadre)   1002 李四  —   1003 王五  —
  1004 赵六  学习委员、语文课代表 (cadre)   1005 孙七  在籍 否
Rules (the template's values): X02 迟到 −1 (迟到 limit 2, carried), X03 旷课 −5 and
Q06 不签假条不跑操 −2 (cadre ×2) sharing 旷操旷课 limit 1, T20 集体活动不请假缺席 −1
(cadre ×2), T18 集体活动参与者 +1, X07 不交作业 −1 (作业 limit 2), X21 作业优秀 +0.5,
Q16 视情况 −5…5. 请假免扣 是: X03, Q06, T20, T18.
"""
from __future__ import annotations

from datetime import date

from contract import LOG_HEADER, ROSTER_HEADER, SCHOOL_SETTINGS_HEADER

RULES_HEADER = ["代码", "类别", "事项", "分值", "最低分值", "最高分值", "班干部加倍", "限额组", "周限额",
                "顺延", "负责人", "请假免扣", "备注"]
LEAVE_HEADER = ["开始", "结束", "学号", "事由", "批准人"]
ADDITIONS_HEADER = ["日期", "学号", "原因"]

d = date


def book(log: list[list], leave: list[list] | None = None, additions: list[list] | None = None) -> dict:
    """The workbook's sheets as rows; ``log`` rows follow LOG_HEADER (编号 and 冲正 optional)."""
    out = {
        "设置": [list(SCHOOL_SETTINGS_HEADER),
                 ["班级", "测试班"], ["学期开始", d(2026, 9, 1)], ["学期结束", d(2026, 9, 30)],
                 ["基础分", 80], ["班干部基础分", 85], ["班干部倍数", 2], ["周起始", "周一"]],
        "名册": [list(ROSTER_HEADER),
                 [1001, "张三", "班长、值日班长", "301", "1", "是"],
                 [1002, "李四", None, "301", "1", "是"],
                 [1003, "王五", None, "302", "2", "是"],
                 [1004, "赵六", "学习委员、语文课代表", "302", "2", "是"],
                 [1005, "孙七", None, "302", "2", "否"]],
        "规则": [list(RULES_HEADER),
                 ["X02", "学习", "上课迟到", -1, None, None, "否", "迟到", 2, "是", "值日班长", None, None],
                 ["X03", "学习", "旷课一节", -5, None, None, "否", "旷操旷课", 1, "是", "值日班长", "是", None],
                 ["Q06", "其他", "无故不签假条不跑操", -2, None, None, "是", "旷操旷课", 1, "是", "体育委员", "是", None],
                 ["T20", "文体", "集体活动不请假缺席", -1, None, None, "是", None, None, None, "文艺委员", "是", None],
                 ["T18", "文体", "集体活动参与者", 1, None, None, "否", None, None, None, "文艺委员", "是", None],
                 ["X07", "学习", "不交作业", -1, None, None, "否", "作业", 2, "是", "学习委员", None, None],
                 ["X21", "学习", "作业优秀", 0.5, None, None, "否", None, None, None, "课代表", None, None],
                 ["W11", "卫生劳动", "桌面乱", -0.5, None, None, "是", None, None, None, "卫生委员、值日班长", None, None],
                 ["Q13", "其他", "校内做好人好事", 1, None, None, "否", None, None, None, "班长", None, None],
                 ["T11", "文体", "参加运动会", 1, None, None, "否", None, None, None, None, None, None],
                 ["Q16", "其他", "视情况加减分", None, -5, 5, "是", None, None, None, "班主任", None, None]],
        "日志": [list(LOG_HEADER)] + [list(r) for r in log],
    }
    if leave is not None:
        out["请假"] = [list(LEAVE_HEADER)] + [list(r) for r in leave]
    if additions is not None:
        out["上自习补充"] = [list(ADDITIONS_HEADER)] + [list(r) for r in additions]
    return out


def log_row(day: date, target, code: str, count=None, value=None, recorder="张三", note=None) -> list:
    return [day, target, None, code, None, count, value, recorder, note]
