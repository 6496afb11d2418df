"""The blank workbook (`jifen new volunteer` → 志愿服务积分.xlsx, and the .xlsm with buttons):
a `说明` sheet (the Excel buttons go there), `设置`, `名册`, `规则` with a starting catalogue,
and an empty `记录` with drop-downs."""
from __future__ import annotations

from ...book.template_spec import TemplateSheet, Validation, code_validation
from .schema import RECORD_COLS, ROSTER_COLS, RULE_COLS

# 代码, 服务项目, 每小时积分
RULE_CATALOGUE = [
    ["V01", "社区环境清洁", 1],
    ["V02", "助老助残、陪护就医", 1.5],
    ["V03", "文明交通劝导", 1],
    ["V04", "义务辅导、讲座", 2],
    ["V05", "应急救援、抢险", 3],
]
SETTING_ROWS = [
    ["组织名称", "城关社区志愿服务队", "印在“志愿积分排名”的标题上"],
    ["统计开始", None, "只计这一天及以后的记录；空白＝不限"],
    ["统计截止", None, "只计这一天及以前的记录；空白＝不限"],
]
GUIDE = [
    "志愿服务积分使用说明",
    "一、“名册”登记每位志愿者：编号不能重复；不再参加的志愿者把“在册”改为“否”，不要删除（历史记录保留，不参加排名）。",
    "二、“规则”是服务项目和每小时积分，可按本队实际增加。",
    "三、“记录”一行一次服务：日期、编号、代码、小时（按半小时填写）。同一人同一天同一代码只登记一次。",
    "四、点“计算志愿积分”（或运行 jifen volunteer 志愿服务积分.xlsx）生成“志愿积分排名”：积分 = 小时 × 每小时积分，"
    "按积分从高到低排名，积分相同名次相同。结果表每次整表重新生成，请不要手工修改。",
    "五、点“校验数据”（jifen check）可随时检查。“错误”必须改正后才会生成结果；“提示”的记录不计分。",
]


def sheets() -> list[TemplateSheet]:
    rules = TemplateSheet("规则", [c.header for c in RULE_COLS], RULE_CATALOGUE,
                          widths={"服务项目": 24}, title="志愿服务积分 规则", code_list=("代码", "服务项目"))
    return [
        TemplateSheet("说明", ["说明"], [[t] for t in GUIDE], text_sheet=True, title="志愿服务积分 使用说明"),
        TemplateSheet("设置", ["项目", "值", "说明"], SETTING_ROWS, widths={"项目": 12, "值": 22, "说明": 40},
                      title="志愿服务积分 设置"),
        TemplateSheet("名册", [c.header for c in ROSTER_COLS], widths={"服务队": 14},
                      validations=[Validation("在册", ["是", "否"])], title="志愿服务积分 名册"),
        rules,
        TemplateSheet("记录", [c.header for c in RECORD_COLS], widths={"备注": 24},
                      validations=[Validation("编号", "=名册!$A$2:$A$2000"), code_validation(rules)],
                      date_columns=("日期",), title="志愿服务积分 记录"),
    ]
