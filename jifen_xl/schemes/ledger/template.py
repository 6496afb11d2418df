"""The community ledger template (`jifen new ledger` → 积分台账.xlsx): a rule catalogue per
account type and category drawn from the source's fourth plan (社会治理积分制, L-1, L-2),
the 示范村 targets of the third (L-9), drop-downs and a 说明 sheet for grid worker and clerk."""
from __future__ import annotations

from pathlib import Path

from ...book.template_spec import TemplateSheet, Validation, code_validation, write_template
from . import model as lg

PER_TIME = "每次"
RANGE = "视情况在范围内评定，分值必填"

# 代码, 适用类型, 类别, 事项, 分值, 最低分值, 最高分值, 备注
RULE_CATALOGUE: list[list] = [
    # 一、思想政治类
    ["S01", "全部", "思想政治", "参加政策宣讲、道德讲堂、市民教育等学习活动", 1, None, None, PER_TIME],
    ["S02", "党员", "思想政治", "按时参加组织生活、按时交纳党费", 2, None, None, "每季度"],
    ["S03", "党员", "思想政治", "发挥先锋模范作用、带头践行社会主义核心价值观", None, 2, 10, RANGE],
    ["S04", "村民、家庭", "思想政治", "尊老爱幼、男女平等、夫妻和睦、邻里团结（家庭美德），经评议认可", 3, None, None, "每年"],
    ["S05", "单位", "思想政治", "爱岗敬业、诚实守信、办事公道（职业道德），全年无有效投诉", 3, None, None, "每年"],
    ["S06", "全部", "思想政治", "助人为乐、见义勇为、爱护公物等好人好事", None, 1, 10, RANGE],
    # 二、平安稳定类
    ["P01", "全部", "平安稳定", "参加街面巡逻、看家护院等群防群治", 2, None, None, PER_TIME],
    ["P02", "全部", "平安稳定", "提供治安、反恐或不稳定信息，经核实", None, 2, 10, RANGE],
    ["P03", "全部", "平安稳定", "参与矛盾纠纷调解并调解成功", 3, None, None, PER_TIME],
    ["P04", "党员", "平安稳定", "参与重要对象稳控、维护公共秩序", 3, None, None, PER_TIME],
    ["P05", "单位", "平安稳定", "落实单位内部防范，安全检查合格", 3, None, None, "每季度"],
    # 三、村建设类
    ["J01", "全部", "村建设", "参加村会议、文体活动、健康教育等集体活动", 1, None, None, PER_TIME],
    ["J02", "村民、党员", "村建设", "参与义务家政、教育助学、辅导留守儿童等奉献活动", 2, None, None, PER_TIME],
    ["J03", "全部", "村建设", "保护修缮公共设施、维护环境卫生", 2, None, None, PER_TIME],
    ["J04", "全部", "村建设", "举报违法建设和破坏环境行为，经核实", 3, None, None, PER_TIME],
    ["J05", "家庭", "村建设", "参与文明家庭创建并被评为文明家庭", 5, None, None, "每年"],
    ["J06", "单位", "村建设", "参与文明集镇、文明乡村创建，为村集体活动提供场地或物资", None, 2, 10, RANGE],
    # 四、奖励惩罚类
    ["K01", "全部", "奖励惩罚", "荣获县级荣誉", 5, None, None, ""],
    ["K02", "全部", "奖励惩罚", "荣获市级荣誉", 8, None, None, ""],
    ["K03", "全部", "奖励惩罚", "荣获省级及以上荣誉", 10, None, None, ""],
    ["K04", "全部", "奖励惩罚", "先进事迹被各级媒体宣传报道", 5, None, None, ""],
    ["K05", "全部", "奖励惩罚", "违反村规民约，经查实", None, -10, -1, RANGE],
]

# 商品, 所需积分, 价值元, 库存, 村名 — examples after the source (生活用品、衣服、文具、粮油, 兑换服务);
# 村名 empty: every village offers it, each with its own stock (L-10)
CATALOGUE_ROWS: list[list] = [
    ["洗衣粉", 10, 5, 100, None],
    ["毛巾", 10, 6, 100, None],
    ["文具套装", 15, 8, 50, None],
    ["食用油（1升）", 30, 15, 40, None],
    ["大米（5公斤）", 40, 20, 40, None],
    ["电话充值卡（10元）", 20, 10, None, None],
    ["家政服务（2小时）", 20, 0, None, None],
]

SETTING_ROWS: list[list] = [
    ["镇名", "曾集镇", "打印页眉上的镇名"],
    ["年度", 2026, "“示范村指标”和“本年积分”统计的年度；累计积分从不清零"],
    ["人均奖励预算", 2, "每村每年兑换奖励总价值不超过 人均奖励预算 × 常住人口（元）。"
                   "经费：镇财政 1.5 元/人，村配套 1 元/人"],
]

VILLAGE_ROWS: list[list] = [["曾巷村", 1200]]

GUIDE = [
    "社会治理积分台账使用说明",
    "一、开始时填一次：“设置”（镇名、年度、人均奖励预算）、“村庄”（本镇各村的村名和常住人口）。"
    "“账户”按村民、党员、家庭、单位（商户、社团）四类分别开户：账户号不能重复；所属村填开户时的村；家庭账户填“人口”；"
    "不再使用的账户把“状态”改为“注销”，不要删除（历史记录保留，不参加排名）。",
    "二、“规则”是积分项目：适用类型（一种，或多种用“、”分隔，或“全部”）、类别（思想政治、平安稳定、村建设、奖励惩罚）、"
    "事项和分值。分值为空的项目“视情况”评定，申报时必须在最低分值和最高分值之间填写分值。可按本村实际增加项目。",
    "三、积分申报分六步：本人或他人代为申报（口头、电话、短信、QQ、微信均可）→ 网格员、综治信息员初审（摸清时间、地点、事由，"
    "有条件的收集证据）→ 公示栏公示 → 干部审核 → 专人录入 → 填写奖分通知单或行为银行存折。"
    "“申报”表一行一件事：每走完一步就填上那一步的日期和经办人，不能跳步，日期不能早于上一步。",
    "四、“结果”在办理中留空；录入后填“通过”才计分，计分日期为录入日期。审核不通过填“驳回”，不计分。"
    "经查实为虚假的填“虚假”：按申报分值加倍扣分（记入奖励惩罚类），扣分日期为办到的最后一步的日期。",
    "五、积分累计使用，奖励之后不清零：排名看“累计积分”；兑换商品或服务只减“可用余额”。"
    "“兑换记录”一行一次兑换（日期、账户号、商品、数量、经办人）。系统按日期先后逐笔核对：可用余额不足、库存不足、"
    "或超出该户当时所属村本年度的奖励预算的，不予兑换，在“校验”表写明原因（余额不足、库存不足、超出预算），其余照常计算。"
    "兑换由各村统筹实施：“兑换目录”的“村名”不填，表示每个村都有这个商品，库存是每个村各自的数量；"
    "填了村名，只有这个村有（同一商品某村另有一行时，该村按自己那一行的积分、价值和库存）。"
    "兑换看账户当天所属的村：用这个村的库存和这个村的奖励预算，一个村的兑换不会占用别的村的库存和预算；"
    "本村目录里没有的商品不能兑换（“校验”表写明哪些村有）。",
    "六、积分在本镇范围内可转移接续：村民搬到本镇另一个村时，在“转移”表登记日期、账户号、原村、新村，"
    "不要修改“账户”表的所属村。积分和记录随账户转移；新村不在“村庄”表（镇外）的不予转移。",
    "七、点“计算积分”（或运行 jifen ledger 积分台账.xlsx）：生成“积分排名”（按账户类型分别排名，并列同名次，"
    "另列各类别积分和本年积分）和“示范村指标”（兑换人数占常住人口比例，达到 30% 为达标；覆盖类别数；参与账户数；"
    "奖励支出与预算），可作为示范村申报的附件，做到积分过程全记录、积分奖励全公开。",
    "八、点“打印存折”（jifen passbook 积分台账.xlsx --account 账户号）生成该账户的“存折-账户号”；"
    "加 --all 按账户类型各生成一张（如“存折-村民”），可直接打印或导出 PDF。",
    "九、点“校验数据”（jifen check）可随时检查。“错误”必须改正后才会生成结果；“拒绝”是业务上不予办理的兑换或转移，"
    "不影响其他计算；“提示”表示系统已自动纠正的写法。结果表每次计算整表重新生成，请不要在结果表里手工修改。",
]


def sheets() -> list[TemplateSheet]:
    yes_types = list(lg.TYPES)
    claim_cols = [c.header for c in lg.CLAIM_COLS]
    rules = TemplateSheet("规则", ["代码", "适用类型", "类别", "事项", "分值", "最低分值", "最高分值", "备注"],
                          RULE_CATALOGUE, widths={"适用类型": 14, "事项": 50, "备注": 28},
                          validations=[Validation("类别", list(lg.CATEGORIES)),
                                       Validation("适用类型", [lg.ALL_TYPES, *yes_types], strict=False,
                                                  message="一种类型，或多种用“、”分隔，或“全部”")],
                          landscape=True, title="积分台账 规则", code_list=("代码", "事项"))
    return [
        TemplateSheet("说明", ["说明"], [[t] for t in GUIDE], text_sheet=True, title="积分台账 使用说明"),
        TemplateSheet("设置", ["项目", "值", "说明"], SETTING_ROWS,
                      widths={"项目": 16, "值": 14, "说明": 70}, title="积分台账 设置"),
        TemplateSheet("村庄", ["村名", "常住人口"], VILLAGE_ROWS, widths={"村名": 16, "常住人口": 12},
                      header_notes={"常住人口": "用于奖励预算（人均奖励预算 × 常住人口）和示范村兑换人数占比"},
                      title="积分台账 村庄"),
        TemplateSheet("账户", ["账户号", "类型", "名称", "所属村", "人口", "状态"],
                      widths={"账户号": 12, "名称": 20, "所属村": 14},
                      validations=[Validation("类型", yes_types),
                                   Validation("所属村", "=村庄!$A$2:$A$200"),
                                   Validation("状态", [lg.STATUS_OPEN, lg.STATUS_CLOSED])],
                      header_notes={"所属村": "开户时所在的村；迁到本镇其他村请在“转移”表登记，不要改这里",
                                    "人口": "家庭账户的人数（示范村兑换人数按此计），其他账户不填"},
                      title="积分台账 账户"),
        rules,
        TemplateSheet("申报", claim_cols,
                      widths={"时间地点事由": 30, "证据": 16, "账户号": 10, "编号": 8},
                      validations=[Validation("账户号", "=账户!$A$2:$A$5000"),
                                   code_validation(rules),
                                   Validation("申报方式", list(lg.MODES)),
                                   Validation("渠道", list(lg.CHANNELS)),
                                   Validation("结果", list(lg.RESULTS),
                                              message="办理中留空；录入后填通过；不通过填驳回；查实虚假填虚假")],
                      date_columns=tuple(c for c in claim_cols if c.endswith("日期")),
                      prefill_numbers=3000, valid_rows=3000,
                      header_notes={"编号": "预先编好，请勿修改",
                                    "分值": "一般不填，按规则表；“视情况”的项目必填",
                                    "结果": "办理中留空；只有“通过”且已录入才计分；“虚假”加倍扣分"},
                      landscape=True, title="积分台账 申报"),
        TemplateSheet("兑换目录", [c.header for c in lg.CATALOGUE_COLS], CATALOGUE_ROWS,
                      widths={"商品": 20, "村名": 14},
                      validations=[Validation("村名", "=村庄!$A$2:$A$200")],
                      header_notes={"库存": "每个村各自的库存；不填表示不限（如服务类）",
                                    "价值元": "计入本村奖励预算的金额",
                                    "村名": "不填：每个村都有这个商品（各村库存分开计）；填村名：只有这个村有"},
                      title="积分台账 兑换目录"),
        TemplateSheet("兑换记录", ["日期", "账户号", "商品", "数量", "经办人"],
                      validations=[Validation("账户号", "=账户!$A$2:$A$5000"),
                                   Validation("商品", "=兑换目录!$A$2:$A$500")],
                      date_columns=("日期",), widths={"日期": 12, "商品": 20},
                      title="积分台账 兑换记录"),
        TemplateSheet("转移", ["日期", "账户号", "原村", "新村"],
                      validations=[Validation("账户号", "=账户!$A$2:$A$5000"),
                                   Validation("原村", "=村庄!$A$2:$A$200"),
                                   Validation("新村", "=村庄!$A$2:$A$200", strict=False,
                                              message="积分只能在本镇范围内转移")],
                      date_columns=("日期",), widths={"日期": 12, "原村": 14, "新村": 14},
                      title="积分台账 转移"),
    ]


def build(path: Path) -> Path:
    return write_template(path, sheets())
