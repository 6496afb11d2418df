"""The school scheme (班级积分, SPEC S-1…S-16): a class's duty log, dorm inspections and exams,
leave, the head teacher's self-study list and the morning report.

This file is the scheme's declaration (its buttons/commands, detection, files); it imports
nothing heavy: the computing code is named by ``Ref`` and loaded on first use.
schema.py: sheet names, settings, columns; read.py: reading (`load`); checks.py: the 日志
checks; compute.py: periods, totals, the award list; render.py: the output sheets; model.py:
those modules' public names in one place; data.py: the loaded data shared with the derived
sources dorms.py (S-4, S-5) and exams.py (S-9); actions.py / exam_actions.py: the buttons'
computations; template.py, demo.py: `jifen new class`, `jifen demo`.
"""
from __future__ import annotations

from ..base import Action, LazyMap, PaperSource, Param, PrintJob, Scheme, check_action, refs

ref = refs(__name__)
RANK = "名次"   # core.ranking.RANK (a literal here: the declaration imports nothing heavy)
INPUTS = LazyMap(ref("schema:EXPECTED_HEADERS"))   # every action reads every school input sheet
BOOK = "高一3班.xlsx"

ACTIONS = (
    check_action("school", INPUTS, ref("actions:check"), BOOK),
    Action("week", "本周汇总", "school", INPUTS, ref("actions:week"),
           params=(Param("week", "date", "该周内任一天，如 2026-09-07（默认：日志最后日期所在周）", "计算周",
                         "“本周汇总”按钮算哪一周：填该周内任一天；空白＝日志最后日期所在周"),),
           help="本周汇总：周汇总和周日上自习名单",
           description="计算一周的周汇总和周日上自习名单（默认：日志最后日期所在的那一周）。",
           examples=(f"jifen week {BOOK}", f"jifen week {BOOK} --week 2026-09-07"),
           writes=("周汇总", "上自习名单")),
    Action("month", "月报", "school", INPUTS, ref("actions:month"),
           params=(Param("month", "month", "月份，如 2026-09（默认：日志最后日期所在月）", "计算月份",
                         "“月报”按钮算哪个月，如 2026-09；空白＝日志最后日期所在月"),),
           help="月报：月报、家长约谈名单、每周趋势",
           description="计算月报（含家长评语栏）、家长约谈名单和每周积分趋势图（默认：日志最后日期所在的月）。",
           examples=(f"jifen month {BOOK}", f"jifen month {BOOK} --month 2026-10"),
           writes=("月报", "家长约谈", "周趋势")),
    Action("awards", "学期奖励", "school", INPUTS, ref("actions:awards"), output_sheets=("学期奖励",),
           params=(Param("final", "flag",
                         "学期结束后生成正式名单（学期最后一天日志没有记录时用；学期结束前拒绝）", "正式结果",
                         "学期结束后填“是”：学期奖励名单即为正式（最后一天没有日志记录时用）；学期结束前拒绝；"
                         "空白＝日志记到学期结束即为正式"),),
           help="学期奖励：按学期总分排名评奖",
           description="按学期总分排名，生成学期奖励名单（一、二、三等奖；手工标的特等奖会保留）。"
                       "日志记到学期结束即为正式；学期最后一天没有记录时，学期结束后用 --final 生成正式名单。",
           examples=(f"jifen awards {BOOK}", f"jifen awards {BOOK} --final"),
           writes=("学期奖励",)),
    Action("exams", "考试加减分", "school", INPUTS, ref("exam_actions:exams"),
           params=(Param("exam", "text", "考试名称（默认：最近一次）", "计算考试",
                         "“考试加减分”按钮算哪次考试（考试名称）；空白＝最近一次", metavar="考试名称"),),
           help="考试加减分：月考名次、进步、单科第一",
           description="根据“考试”表计算月考名次、进步退步和单科第一的加减分（默认：最近一次考试）。",
           examples=(f"jifen exams {BOOK}", f"jifen exams {BOOK} --exam 十月月考"),
           writes=("考试加减分",)),
    Action("day", "今日总结", "school", INPUTS, ref("actions:day"),
           params=(Param("date", "date", "哪一天，如 2026-09-08（默认：日志最后日期）", "总结日期",
                         "“今日总结”按钮总结哪一天；空白＝日志最后日期"),),
           help="今日总结：值日班长第二天早上的日总结",
           description="生成一天的日总结（SPEC S-16）：每人当天的加减分事项和原因、当日净分、当天达到周限额"
                       "要上自习的同学、请假的同学和全班当日净分，一页 A4（默认：日志最后日期）。",
           examples=(f"jifen day {BOOK}", f"jifen day {BOOK} --date 2026-09-08"),
           writes=("日总结",)),
)

SCHEME = Scheme(
    name="school",
    label="班级积分",
    template_kind="class",
    identify=("名册", "日志"),
    shared=("名册",),
    description="班主任和值日班长用：日志、宿舍检查、考试，周汇总、月报、学期奖励",
    example_file=BOOK,
    inputs=INPUTS,
    actions=ACTIONS,
    template_sheets=ref("template:sheets"),
    template_file="班级积分.xlsx",
    xlsm_file="班级积分.xlsm",
    demo=ref("demo:school_demo"),
    charts={"周趋势": ref("render:trend_charts")},
    print_jobs=(PrintJob(("月报", "周趋势"), "月报与周趋势"),
                PrintJob(("家长通知单",), "家长通知单"),
                PrintJob(("奖状",), "奖状"),
                PrintJob(("家长通知书",), "家长通知书"),
                PrintJob(("积分卡",), "积分卡")),
    export=None,
    papers=LazyMap(ref("papers:PAPERS")),
    paper_sources={
        "家长通知单": PaperSource("month", "月报", "slips"),
        "奖状": PaperSource("awards", "学期奖励", "certificates", final_only=True),
        "积分卡": PaperSource("month", "月报", "cards", card=("学号", "姓名", "累计总分", RANK)),
    },
)
