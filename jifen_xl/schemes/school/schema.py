"""The school's sheets as the clerk sees them (WORKBOOKS.md, school): sheet names, 设置 items,
the input columns and the output headers. Data only; read.py, checks.py, compute.py and
render.py use it."""
from __future__ import annotations

from decimal import Decimal

from ...core.ranking import RANK, TIE_FEWER_DEDUCTIONS, TIE_SHARE
from ...core.table import Col, Setting
from . import dorms, exams

# ---- sheet schema (WORKBOOKS.md, school) ----------------------------------------------------

SETTINGS = "设置"
ROSTER = "名册"
RULES = "规则"
LOG = "日志"
WEEKLY = "周汇总"
SELF_STUDY = "上自习名单"
MONTHLY = "月报"
PARENT_MEETING = "家长约谈"
AWARDS = "学期奖励"
TREND = "周趋势"
LEAVE = "请假"                  # S-13, kept by the 值日班长
TEACHER_LIST = "上自习补充"      # S-15, the head teacher's own self-study additions
DAY = "日总结"                  # S-16, the morning report

WHOLE_CLASS = "全班"
TARGET_KINDS = ("宿舍", "小组")

SETTING_SCHEMA = [
    Setting("班级", "text", ""),
    Setting("学期开始", "date", None),
    Setting("学期结束", "date", None),
    Setting("基础分", "decimal", Decimal(80)),
    Setting("班干部基础分", "decimal", Decimal(85)),
    Setting("班干部倍数", "decimal", Decimal(2)),
    Setting("周起始", "weekday", 0),
    Setting("奖励人数", "count", 15),
    Setting("一等人数", "count", 3),
    Setting("二等人数", "count", 5),
    Setting("三等人数", "count", 7),
    Setting("并列处理", "choice", TIE_SHARE, (TIE_SHARE, TIE_FEWER_DEDUCTIONS)),
    Setting("约谈后几名", "count", 3),
    Setting("约谈月扣分", "decimal", Decimal(10)),
    # dorm streaks and exams (S-5, S-9)
    Setting("周全优加分", "decimal", Decimal(1)),
    Setting("周三特优加分", "decimal", Decimal(1)),
    Setting("月全优加分", "decimal", Decimal(1)),
    Setting("月考前5名", "decimal", Decimal(3)),
    Setting("月考6至10名", "decimal", Decimal(2)),
    Setting("月考11至15名", "decimal", Decimal(1)),
    Setting("进步前5名", "decimal", Decimal(1)),
    Setting("退步前5名", "decimal", Decimal(-1)),
    Setting("单科第一", "decimal", Decimal(3)),
]

ROSTER_COLS = [
    Col("学号", "id", required=True, optional_column=False),
    Col("姓名", "text", required=True, optional_column=False),
    Col("职务", "multi", default=[]),
    Col("宿舍", "id"),
    Col("小组", "id"),
    Col("在籍", "bool", default=True),
]
RULE_COLS = [
    Col("代码", "id", required=True, optional_column=False),
    Col("类别", "text", default=""),
    Col("事项", "text", default=""),
    Col("分值", "decimal", optional_column=False),
    Col("最低分值", "decimal"),
    Col("最高分值", "decimal"),
    Col("班干部加倍", "bool"),
    Col("限额组", "text", default=""),
    Col("周限额", "count"),
    Col("顺延", "bool", default=True),
    Col("负责人", "multi", default=[]),      # S-14: the role(s) that record this item
    Col("请假免扣", "bool"),                  # S-13: not counted on a day of approved leave (blank: by 事项)
    Col("备注", "text", default=""),
]
LOG_COLS = [
    Col("日期", "date", required=True, optional_column=False),
    Col("对象", "id", optional_column=False),
    Col("姓名", "text"),
    Col("代码", "id", optional_column=False),
    Col("事项", "text"),
    Col("次数", "count", default=1),
    Col("分值", "decimal"),
    Col("记录人", "text", default=""),
    Col("备注", "text", default=""),
    Col("编号", "id"),
    Col("冲正", "id"),
]

# S-13: one row per leave; 结束 empty = one day. 日期 is read as 开始 when a clerk heads a
# one-day sheet that way.
LEAVE_COLS = [
    Col("开始", "date"),
    Col("结束", "date"),
    Col("学号", "id", optional_column=False),
    Col("事由", "text", default=""),
    Col("批准人", "text", default=""),
    Col("日期", "date"),
]
# S-15: the head teacher's additions to a week's self-study list
TEACHER_LIST_COLS = [
    Col("日期", "date", required=True, optional_column=False),
    Col("学号", "id", required=True, optional_column=False),
    Col("原因", "text", default=""),
]
TEACHER = "班主任"               # S-15: how a teacher's addition is marked on 上自习名单

WEEKLY_COLS = ["周开始", "学号", "姓名", "加分", "减分", "净分", "累计总分", "明细"]
SELF_STUDY_COLS = ["周开始", "学号", "姓名", "原因"]
MONTHLY_COLS = ["月份", "学号", "姓名", "加分", "减分", "净分", "累计总分", RANK, "家长评语", "记录条数", "明细"]
PARENT_COLS = ["月份", "学号", "姓名", "累计总分", "本月减分"]
DAY_COLS = ["日期", "学号", "姓名", "事项", "分值", "当日净分", "备注"]     # S-16
AWARD_COLS = [RANK, "学号", "姓名", "总分", "奖项", "特等", "状态"]
PROVISIONAL, FINAL = "暂定", "正式"     # C-8, S-11: the award list before / after 学期结束
SPECIAL_AWARD = "特等奖"
TIERS = ("一等奖", "二等奖", "三等奖")

SHEETS_READ = [SETTINGS, ROSTER, RULES, LOG]
EXPECTED_HEADERS = {
    SETTINGS: ["项目", "值"],
    ROSTER: [c.header for c in ROSTER_COLS],
    RULES: [c.header for c in RULE_COLS],
    LOG: [c.header for c in LOG_COLS],
    LEAVE: [c.header for c in LEAVE_COLS if c.header != "日期"],
    TEACHER_LIST: [c.header for c in TEACHER_LIST_COLS],
    **dorms.EXPECTED_HEADERS,
    **exams.EXPECTED_HEADERS,
}

