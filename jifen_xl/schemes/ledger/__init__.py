"""The community-ledger scheme (积分台账, SPEC L-1…L-9): a town's accounts, claims through six
steps, redemptions and transfers.

model.py: sheet schema and data; checks.py: reading and the named checks; compute.py: redemptions,
totals, ranking, indicators, passbook lines; render.py: the output sheets;
actions.py: the buttons; template.py, demo.py: `jifen new ledger`, `jifen demo`;
export.py: the roll-up tables (`jifen export` / `jifen rollup`).
"""
from __future__ import annotations

from ...core.ranking import RANK
from ..base import PaperSource, PrintJob, Scheme
from . import actions, demo, export, model, papers, render, template


def detect(names: set[str]) -> bool:
    return model.ACCOUNTS in names or model.CLAIMS in names


SCHEME = Scheme(
    name="ledger",
    label="积分台账",
    template_kind="ledger",
    detect=detect,
    detect_rank=10,
    inputs=model.EXPECTED_HEADERS,
    actions=actions.ACTIONS,
    template_sheets=template.sheets,
    template_file="积分台账.xlsx",
    xlsm_file="积分台账.xlsm",
    demo=demo.ledger_demo,
    charts={model.INDICATORS: render.indicator_charts},
    print_jobs=(PrintJob(("存折",), "存折"),
                PrintJob((model.INDICATORS, model.RANKING, "分类排名"), "示范村指标与积分排名"),
                PrintJob(("公示栏", "奖分通知单-2026-12"), "公示栏与奖分通知单"),
                PrintJob(("积分卡",), "积分卡")),
    export=export.export,
    papers=papers.PAPERS,
    paper_sources={
        # L-8: every account's passbook, one document each (存折-Z001 one account, 存折-村民 one type)
        "存折": PaperSource("passbook", model.PASSBOOK_PREFIX, "passbook", options=(("all", True),)),
        "积分卡": PaperSource("ledger", model.RANKING, "cards", card=("账户号", "名称", "累计积分", RANK)),
    },
)
