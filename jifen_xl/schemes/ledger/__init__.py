"""The community-ledger scheme (积分台账, SPEC L-1…L-9): a town's accounts, claims through six
steps, redemptions and transfers.

This file is the scheme's declaration (its buttons/commands, detection, files); it imports
nothing heavy: the computing code is named by ``Ref`` and loaded on first use.
model.py: sheet schema and data; checks.py: reading and checks; compute.py: ranking,
indicators; render.py: the output sheets, passbooks; actions.py: the buttons' computations; template.py, demo.py: `jifen new ledger`,
`jifen demo`; export.py: the roll-up tables (`jifen export` / `jifen rollup`).
"""
from __future__ import annotations

from ..base import Action, LazyMap, PaperSource, Param, PrintJob, Scheme, check_action, refs

ref = refs(__name__)
RANK = "名次"   # core.ranking.RANK (a literal here: the declaration imports nothing heavy)
INPUTS = LazyMap(ref("model:EXPECTED_HEADERS"))
BOOK = "台账.xlsx"

ACTIONS = (
    check_action("ledger", INPUTS, ref("actions:check"), BOOK),
    Action("ledger", "计算积分", "ledger", INPUTS, ref("actions:ledger"),
           help="计算积分：台账排名、兑换、示范村指标",
           description="积分台账：检查申报六步、计算积分排名、按余额库存预算处理兑换、生成示范村指标。",
           examples=(f"jifen ledger {BOOK}",),
           writes=("积分排名", "示范村指标")),
    Action("passbook", "打印存折", "ledger", INPUTS, ref("actions:passbook"),
           params=(Param("account", "text", "账户号", "存折账户", "“打印存折”按钮打印哪个账户（账户号）",
                         metavar="账户号"),
                   Param("all", "flag", "每种账户类型各一张存折表", "全部存折",
                         "填“是”：“打印存折”按钮为每种账户类型各生成一张存折表")),
           help="打印存折：行为银行存折工作表",
           description="生成行为银行存折工作表：一个账户（--account），或全部账户（--all，默认）。",
           examples=(f"jifen passbook {BOOK} --account Z001", f"jifen passbook {BOOK} --all"),
           writes=("存折-*",)),
)

SCHEME = Scheme(
    name="ledger",
    label="积分台账",
    template_kind="ledger",
    identify=("账户", "申报"),
    description="镇村行为银行用：账户、申报六步、兑换，积分排名、存折、示范村指标",
    example_file="曾集镇积分台账.xlsx",
    inputs=INPUTS,
    actions=ACTIONS,
    template_sheets=ref("template:sheets"),
    template_file="积分台账.xlsx",
    xlsm_file="积分台账.xlsm",
    demo=ref("demo:ledger_demo"),
    charts={"示范村指标": ref("render:indicator_charts")},
    print_jobs=(PrintJob(("存折",), "存折"),
                PrintJob(("示范村指标", "积分排名", "分类排名"), "示范村指标与积分排名"),
                PrintJob(("公示栏", "奖分通知单-2026-12"), "公示栏与奖分通知单"),
                PrintJob(("积分卡",), "积分卡")),
    export=ref("export:export"),
    papers=LazyMap(ref("papers:PAPERS")),
    paper_sources={
        # L-8: every account's passbook, one document each (存折-Z001 one account, 存折-村民 one type)
        "存折": PaperSource("passbook", "存折-", "passbook", options=(("all", True),)),
        "积分卡": PaperSource("ledger", "积分排名", "cards", card=("账户号", "名称", "累计积分", RANK)),
    },
)
