"""The volunteer scheme (志愿服务积分): volunteers, services and hours → a ranking by points.

This file is the declaration (the buttons/commands, detection, files); it imports nothing
heavy: the computing code is named by ``ref`` and loaded on first use.
schema.py: sheet names, settings, columns; read.py: reading (`load`); checks.py: the `记录`
checks; compute.py: points and ranks; render.py: the output sheet; actions.py: what the
buttons compute; template.py, demo.py: `jifen new volunteer`, `jifen demo`.
"""
from __future__ import annotations

from ..base import Action, LazyMap, PrintJob, Scheme, check_action, refs

ref = refs(__name__)                      # ref("actions:ranking") names .actions.ranking
INPUTS = LazyMap(ref("schema:EXPECTED_HEADERS"))
BOOK = "志愿服务积分.xlsx"

ACTIONS = (
    check_action("volunteer", INPUTS, ref("actions:check"), BOOK),
    Action("volunteer", "计算志愿积分", "volunteer", INPUTS, ref("actions:ranking"),
           help="计算志愿积分：志愿者积分排名",
           description="按“记录”计算每位志愿者的积分（小时 × 每小时积分），生成“志愿积分排名”。",
           examples=(f"jifen volunteer {BOOK}",), writes=("志愿积分排名",)),
)

SCHEME = Scheme(
    name="volunteer", label="志愿服务积分", template_kind="volunteer",
    identify=("名册", "规则", "记录"), shared=("名册", "规则"),   # 记录 is ours; the school has 名册, 规则
    description="志愿服务队用：名册、规则、服务记录，志愿积分排名", example_file=BOOK,
    inputs=INPUTS, actions=ACTIONS,
    template_sheets=ref("template:sheets"), template_file="志愿服务积分.xlsx", xlsm_file="志愿服务积分.xlsm",
    demo=ref("demo:volunteer_demo"),
    print_jobs=(PrintJob(("志愿积分排名",), "志愿积分排名"),),   # the PDF `jifen demo` prints
)
