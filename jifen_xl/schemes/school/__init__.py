"""The school scheme (班级积分, SPEC S-1…S-12): a class's duty log, dorm inspections and exams.

schema.py: sheet names, settings, columns; read.py: reading (`load`); checks.py: the 日志
checks; compute.py: periods, totals, the award list; render.py: the output sheets; model.py:
those modules' public names in one place;
data.py: the loaded data shared with the derived sources dorms.py (S-4, S-5) and exams.py
(S-9); actions.py / exam_actions.py: the buttons; template.py, demo.py: `jifen new class`,
`jifen demo`. Importing this package gives the whole scheme (derived sources included).
"""
from __future__ import annotations

from ...core.ranking import RANK
from ..base import PaperSource, PrintJob, Scheme
from . import actions, demo, exam_actions, papers, render, schema, template


def detect(names: set[str]) -> bool:
    return schema.ROSTER in names or schema.LOG in names


SCHEME = Scheme(
    name="school",
    label="班级积分",
    template_kind="class",
    detect=detect,
    detect_rank=30,
    inputs=schema.EXPECTED_HEADERS,
    actions=actions.ACTIONS + exam_actions.ACTIONS,
    template_sheets=template.sheets,
    template_file="班级积分.xlsx",
    xlsm_file="班级积分.xlsm",
    demo=demo.school_demo,
    charts={schema.TREND: render.trend_charts},
    print_jobs=(PrintJob((schema.MONTHLY, schema.TREND), "月报与周趋势"),
                PrintJob(("家长通知单",), "家长通知单"),
                PrintJob(("奖状",), "奖状"),
                PrintJob(("家长通知书",), "家长通知书"),
                PrintJob(("积分卡",), "积分卡")),
    export=None,
    papers=papers.PAPERS,
    paper_sources={
        "家长通知单": PaperSource("month", schema.MONTHLY, "slips"),
        "奖状": PaperSource("awards", schema.AWARDS, "certificates", final_only=True),
        "积分卡": PaperSource("month", schema.MONTHLY, "cards", card=("学号", "姓名", "累计总分", RANK)),
    },
)
