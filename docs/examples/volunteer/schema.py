"""志愿服务积分: the sheets as the team's clerk sees them — sheet names, `设置` items, the input
columns (the one place a header is written) and the output headers. Data only."""
from __future__ import annotations

from ...core.ranking import RANK
from ...core.table import Col, Setting

SETTINGS, ROSTER, RULES, RECORDS = "设置", "名册", "规则", "记录"
RANKING = "志愿积分排名"

SETTING_SCHEMA = [
    Setting("组织名称", "text", ""),        # printed in the title of 志愿积分排名
    Setting("统计开始", "date", None),      # records before it are not counted (blank: all)
    Setting("统计截止", "date", None),      # nor after it
]
ROSTER_COLS = [
    Col("编号", "id", required=True, optional_column=False),
    Col("姓名", "text", required=True, optional_column=False),
    Col("服务队", "text", default=""),
    Col("在册", "bool", default=True),
]
RULE_COLS = [
    Col("代码", "id", required=True, optional_column=False),
    Col("服务项目", "text", default=""),
    Col("每小时积分", "decimal", required=True, optional_column=False),
]
RECORD_COLS = [
    Col("日期", "date", required=True, optional_column=False),
    Col("编号", "id", required=True, optional_column=False),
    Col("姓名", "text"),
    Col("代码", "id", required=True, optional_column=False),
    Col("小时", "decimal", required=True, optional_column=False),
    Col("备注", "text", default=""),
]
RANKING_COLS = [RANK, "编号", "姓名", "服务队", "服务次数", "服务小时", "积分"]
MAX_HOURS_A_DAY = 24

EXPECTED_HEADERS = {
    SETTINGS: ["项目", "值"],
    ROSTER: [c.header for c in ROSTER_COLS],
    RULES: [c.header for c in RULE_COLS],
    RECORDS: [c.header for c in RECORD_COLS],
}
