"""The village scheme (乡村积分, SPEC V-1…V-10): households reviewed by panels, quarterly and
yearly results with 公示 and stars.

This file is the scheme's declaration (its buttons/commands, detection, files); it imports
nothing heavy: the computing code is named by ``Ref`` and loaded on first use.
model.py: sheet schema and data; checks.py: reading and named checks; compute.py: quarter /
year results; render.py: the output sheets; actions.py: the buttons' computations; template.py, demo.py: `jifen new village`,
`jifen demo`; export.py: the roll-up tables (`jifen export` / `jifen rollup`).
"""
from __future__ import annotations

from ..base import Action, LazyMap, PaperSource, Param, PrintJob, Scheme, check_action, refs

ref = refs(__name__)
RANK = "名次"   # core.ranking.RANK (a literal here: the declaration imports nothing heavy)
INPUTS = LazyMap(ref("model:EXPECTED_HEADERS"))
BOOK = "龙潭村.xlsx"
FINAL = Param("final", "flag",
              "生成正式结果（只计“已确认”的记录）：须在“公示记录”登记了本期公示且公示期已满、没有未处理的异议；"
              "不加时，公示期满、无异议且记录都已确认或驳回（或已填上报日期）即为正式，否则为预公示",
              "正式结果",
              "公示期满无异议后填“是”：只按已确认的记录生成正式结果；未登记公示记录、公示期未满或有异议时拒绝；"
              "空白＝按数据自动判断")

ACTIONS = (
    check_action("village", INPUTS, ref("actions:check"), BOOK),
    Action("quarter", "计算本季度", "village", INPUTS, ref("actions:quarter"),
           params=(Param("quarter", "quarter", "季度，如 2026Q3（默认：评议记录最后日期所在季度）", "计算季度",
                         "“计算本季度”按钮算哪个季度，如 2026Q3；空白＝评议记录最后日期所在季度"), FINAL),
           help="计算本季度：农户季度汇总、公示、分组统计",
           description="计算一个季度的农户积分汇总、公示表和分组统计（默认：评议记录最后日期所在季度）。",
           examples=(f"jifen quarter {BOOK}", f"jifen quarter {BOOK} --quarter 2026Q3"),
           writes=("季度汇总-*", "公示-*", "分组统计-*")),
    Action("year", "年度评星", "village", INPUTS, ref("actions:year"),
           params=(Param("year", "year", "年度，如 2026（默认：设置中的年度，或评议记录最后日期所在年）", "计算年度",
                         "“年度评星”按钮算哪一年，如 2026；空白＝默认年度"), FINAL),
           help="年度评星：年度汇总、星级评定、年度公示",
           description="计算年度总分、星级评定和年度公示（默认：设置中的年度）。",
           examples=(f"jifen year {BOOK}", f"jifen year {BOOK} --year 2026"),
           writes=("年度汇总-*", "星级评定-*", "公示-*", "分组统计-*")),
)

SCHEME = Scheme(
    name="village",
    label="乡村积分",
    template_kind="village",
    identify=("农户名册", "评议记录"),
    description="村两委用：农户名册、评议记录，季度汇总、公示、年度评星",
    example_file=BOOK,
    inputs=INPUTS,
    actions=ACTIONS,
    template_sheets=ref("template:sheets"),
    template_file="乡村积分.xlsx",
    xlsm_file="乡村积分.xlsm",
    demo=ref("demo:village_demo"),
    charts={"分组统计-": ref("render:group_charts")},
    print_jobs=(PrintJob(("公示-*",), "公示"),
                PrintJob(("奖状",), "文明户奖状"),
                PrintJob(("星级评定-*",), "星级评定"),
                PrintJob(("分组统计-*",), "分组统计"),
                PrintJob(("积分卡",), "积分卡")),
    paper_sources={
        # V-10: 文明户奖状 from the final year's 星级评定 (奖状-2026 picks the year)
        "奖状": PaperSource("year", "星级评定-", "certificates", param="year", final_only=True),
        "积分卡": PaperSource("quarter", "季度汇总-", "cards", param="quarter",
                             card=("户号", "户主", "累计总分", RANK)),
    },
    export=ref("export:export"),
)
