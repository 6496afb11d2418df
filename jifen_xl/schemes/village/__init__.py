"""The village scheme (乡村积分, SPEC V-1…V-10): households reviewed by panels, quarterly and
yearly results with 公示 and stars.

model.py: sheet schema and data; checks.py: reading and the named checks; compute.py: finality,
standings, stars; render.py: quarter / year / group outputs;
actions.py: the buttons; template.py, demo.py: `jifen new village`, `jifen demo`;
export.py: the roll-up tables (`jifen export` / `jifen rollup`).
"""
from __future__ import annotations

from ...core.ranking import RANK
from ..base import PaperSource, PrintJob, Scheme
from . import actions, demo, export, model, render, template


def detect(names: set[str]) -> bool:
    return model.ROSTER in names or model.RECORDS in names


SCHEME = Scheme(
    name="village",
    label="乡村积分",
    template_kind="village",
    detect=detect,
    detect_rank=20,
    inputs=model.EXPECTED_HEADERS,
    actions=actions.ACTIONS,
    template_sheets=template.sheets,
    template_file=template.FILE_NAME,
    xlsm_file="乡村积分.xlsm",
    demo=demo.village_demo,
    charts={render.GROUPS_PREFIX: render.group_charts},
    print_jobs=(PrintJob(("公示-*",), "公示"),
                PrintJob(("奖状",), "文明户奖状"),
                PrintJob(("星级评定-*",), "星级评定"),
                PrintJob((render.GROUPS_PREFIX + "*",), "分组统计"),
                PrintJob(("积分卡",), "积分卡")),
    paper_sources={
        # V-10: 文明户奖状 from the final year's 星级评定 (奖状-2026 picks the year)
        "奖状": PaperSource("year", "星级评定-", "certificates", param="year", final_only=True),
        "积分卡": PaperSource("quarter", "季度汇总-", "cards", param="quarter",
                             card=("户号", "户主", "累计总分", RANK)),
    },
    export=export.export,
)
