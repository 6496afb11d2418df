"""Village household points (SPEC V-1…V-10) on the common engine: the sheet schema and data.

Sheet names, headers (`Col` lists), settings and the typed data (``VillageData``) live here;
reading and checks in ``checks.py`` (`设置`, `农户名册`, `评议小组`, `规则`, `评议记录`,
`公示记录` → ``VillageData``), computing in ``compute.py`` (finality, standings, stars →
``PeriodResult``), rendering in ``render.py`` (``OutputSheet``s). Everything is pure: it sees
RawSheets, never a workbook file.

Decisions where SPEC/WORKBOOKS leave room (documented for the clerk in the template's 说明):

* Workflow (V-6, V-8, C-8): the *notice* version counts 初评, 公示中 and 已确认 entries and is
  marked 预公示; the *final* version counts only 已确认. A result is final only after the
  notice recorded in `公示记录` has ended with no open objection. Asked for (``--final`` /
  正式结果 是), it counts only 已确认 and is refused with a located 错误 while there is no
  record, the notice has not ended by today's date, or an objection is open. Unasked, the
  result is final once the notice has ended (its 公示结束 passed, or an 上报日期 recorded:
  the report to the town comes after) with no open objection and no 初评/公示中 record
  left (unless reported). The clock is consulted only to refuse; it never enters an output. 已驳回 never counts. 有异议 entries count
  in neither version; their household is listed in `待复核` and gets no star.
* The annual star list (`星级评定`: medals and the bank's 信用户 list) exists only for a final
  year; the provisional `年度汇总` and notice show the star each household would get, so
  it can object to it.
* A panel whose members give several `所在组` values belongs to all of them: it may review
  no household of any of those groups (cross review, V-5). Members with an empty 所在组
  (e.g. village committee members) do not tie the panel to a group.
* Group size (V-5) counts participating households only (the ones panels review).
* The notice dates (V-8) come from `公示记录` only (公示结束 empty: 公示开始 + 公示天数 − 1);
  without a row for the period the notice has blank date lines to fill in by hand.
* A period may be noticed again (C-8): `公示记录` may hold several rows of one 期次; the
  one with the latest 公示开始 is in force (its dates head the outputs). A record, or a
  冲正 of an earlier record, dated on or after that 公示开始 and counted in the period was
  not in the notice: the period stays 预公示 with a 提示 on each such row (a 错误 when
  --final is asked) until a new notice row is recorded. A pair (record and its 冲正) both
  dated after the notice began changes nothing and is not flagged; 已驳回 rows never count.
* The annual review meeting (V-11): the year is final only when `公示记录` records a
  审议日期 before the 公示开始 of the notice in force (on its row, or an earlier row of the
  same year); without one the year stays 预公示 and 校验 names the row and 审议日期 (a
  错误 when --final is asked). An empty 包村领导 beside a 审议日期 is a 提示 only; the
  meeting columns on a quarter's row are ignored with a 提示.
* Panel make-up (V-12): a panel with no member whose 身份 names the 两委 (两委, 支部, 支委,
  村委, 书记, 村主任) or none naming the 村务监督委员会 (监督, 监委) gets a 提示 each.
* 申报 rows (V-9) need 证明材料 (错误 without) and count, even provisionally, only once a
  评议小组 is named on them (before that: a 提示, not counted).
* Records for an opted-out household (V-1) are 提示, not counted; records of an annual rule
  dated outside the workbook's year (`年度`, else the year of the latest record) are 错误.
"""
from __future__ import annotations

from dataclasses import dataclass, field
import re
from datetime import date
from decimal import Decimal

import pandas as pd

from ...core.engine import Rule
from ...core.ids import IdMatcher
from ...core.periods import Period, quarter, year as year_period
from ...core.points import to_cents
from ...core.problems import Problem
from ...core.ranking import RANK
from ...core.table import Col, Setting

# ---- sheet schema (WORKBOOKS.md, village) ---------------------------------------------------

SETTINGS = "设置"
ROSTER = "农户名册"
PANELS = "评议小组"
RULES = "规则"
RECORDS = "评议记录"
NOTICE_LOG = "公示记录"

PARTY, LIVELIHOOD, ENVIRONMENT, CIVILITY, LAW = "党的建设", "民生保障", "环境整治", "文明新风", "遵纪守法"
CATEGORIES = (PARTY, LIVELIHOOD, ENVIRONMENT, CIVILITY, LAW)     # column order of the outputs
DAILY_CATEGORIES = (ENVIRONMENT, CIVILITY)                        # V-2: assessed each quarter
DAILY, ANNUAL = "日常", "年度"

# V-6 workflow
FIRST, NOTICE_ST, OBJECTED, CONFIRMED, REJECTED = "初评", "公示中", "有异议", "已确认", "已驳回"
STATUSES = (FIRST, NOTICE_ST, OBJECTED, CONFIRMED, REJECTED)
COUNTS_IN_NOTICE = (FIRST, NOTICE_ST, CONFIRMED)
COUNTS_IN_FINAL = (CONFIRMED,)
PENDING = (FIRST, NOTICE_ST, OBJECTED)
REVIEW, DECLARED = "评议", "申报"
SOURCES = (REVIEW, DECLARED)

STARS = ("五星", "四星", "三星")
MEDALS = {"五星": "五星级文明户", "四星": "四星级文明户", "三星": "三星级文明户"}
PRE_NOTICE, FINAL_NOTICE = "预公示", "正式"

SETTING_SCHEMA = [
    Setting("村名", "text", ""),
    Setting("年度", "year", None),
    Setting("党的建设基础分", "decimal", Decimal(20)),
    Setting("民生保障基础分", "decimal", Decimal(20)),
    Setting("环境整治基础分", "decimal", Decimal(40)),
    Setting("文明新风基础分", "decimal", Decimal(40)),
    Setting("遵纪守法基础分", "decimal", Decimal(20)),
    Setting("五星比例", "ratio", Decimal("0.1")),
    Setting("四星比例", "ratio", Decimal("0.2")),
    Setting("三星比例", "ratio", Decimal("0.3")),
    Setting("公示天数", "count", 3),
    Setting("每组户数上限", "count", 100),
    Setting("评议小组最少人数", "count", 5),
]

ROSTER_COLS = [
    Col("户号", "id", required=True, optional_column=False),
    Col("户主", "text", required=True, optional_column=False),
    Col("组", "id", required=True, optional_column=False),
    Col("人口", "count"),
    Col("参与", "bool", default=True),
]
PANEL_COLS = [
    Col("小组", "id", required=True, optional_column=False),
    Col("成员", "text", required=True, optional_column=False),
    Col("身份", "text", default=""),
    Col("所在组", "id", optional_column=False),
]
RULE_COLS = [
    Col("代码", "id", required=True, optional_column=False),
    Col("类别", "text", required=True, optional_column=False),
    Col("事项", "text", default=""),
    Col("分值", "decimal", optional_column=False),
    Col("最低分值", "decimal"),
    Col("最高分值", "decimal"),
    Col("周期", "text"),
    Col("备注", "text", default=""),
]
RECORD_COLS = [
    Col("日期", "date", optional_column=False),
    Col("户号", "id", optional_column=False),
    Col("代码", "id", optional_column=False),
    Col("分值", "decimal"),
    Col("评议小组", "id", optional_column=False),
    Col("状态", "text", optional_column=False),
    Col("来源", "text"),
    Col("证明材料", "text", default=""),
    Col("备注", "text", default=""),
    Col("编号", "id"),
    Col("冲正", "id"),
]

NOTICE_LOG_COLS = [
    Col("期次", "id", optional_column=False),
    Col("公示开始", "date", optional_column=False),
    Col("公示结束", "date"),
    Col("上报日期", "date"),
    Col("备注", "text", default=""),
    # V-11: the annual period's review meeting (党员、村民代表会议, 包村领导 present)
    Col("审议日期", "date"),
    Col("参加人数", "count"),
    Col("包村领导", "text", default=""),
    Col("修改意见", "text", default=""),
]
MEETING_COLS = ("审议日期", "参加人数", "包村领导", "修改意见")

QUARTER_COLS = ["户号", "户主", "组", "环境整治本季", "文明新风本季", PARTY, LIVELIHOOD, ENVIRONMENT,
                CIVILITY, LAW, "累计总分", RANK]
# V-8: each household's five category scores and the total they add up to
QUARTER_NOTICE_COLS = ["组", "户号", "户主", "环境整治本季", "文明新风本季", PARTY, LIVELIHOOD, ENVIRONMENT,
                       CIVILITY, LAW, "累计总分", RANK, "待复核", "公示开始", "公示结束", "异议"]
YEAR_COLS = ["户号", "户主", "组", PARTY, LIVELIHOOD, ENVIRONMENT, CIVILITY, LAW, "年度总分", RANK,
             "星级", "待复核"]
STAR_COLS = ["户号", "户主", "组", "年度总分", RANK, "星级", "奖牌", "信用户"]
YEAR_NOTICE_COLS = ["组", "户号", "户主", PARTY, LIVELIHOOD, ENVIRONMENT, CIVILITY, LAW, "年度总分", RANK,
                    "星级", "待复核", "公示开始", "公示结束", "异议"]


def quarter_sheet(label: str) -> str:
    return f"季度汇总-{label}"


def notice_sheet(label: str) -> str:
    return f"公示-{label}"


def year_sheet(label: str) -> str:
    return f"年度汇总-{label}"


def star_sheet(label: str) -> str:
    return f"星级评定-{label}"


@dataclass(frozen=True)
class Household:
    hid: str
    head: str
    group: str
    people: int | None
    participating: bool
    row: int


@dataclass
class Panel:
    name: str
    members: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)   # distinct 所在组 values, in sheet order
    roles: list[str] = field(default_factory=list)    # 身份 of each member row (V-12)
    row: int = 0                                      # first row of the panel


@dataclass(frozen=True)
class NoticeRecord:
    """One row of `公示记录` (V-8): the notice of one quarter or year as the clerk posted it.
    A period may be noticed again (C-8): the row with the latest 公示开始 is in force."""
    label: str               # 2026Q3 or 2026
    start: date
    end: date
    reported: date | None    # 上报日期: the day the final result went to the town
    row: int
    meeting: date | None = None     # V-11 审议日期 (annual only): this row's, else an earlier row's of the period
    meeting_row: int | None = None  # the row that records it
    attendees: int | None = None    # 参加人数
    leader: str = ""                # 包村领导
    opinions: str = ""              # 修改意见

    @property
    def annual(self) -> bool:
        return "Q" not in self.label


@dataclass
class VillageData:
    settings: dict
    households: list[Household]
    panels: dict[str, Panel]
    rules: dict[str, Rule]
    entries: pd.DataFrame
    problems: list[Problem]
    year: int | None = None            # the workbook's year: 年度, else the latest record's year
    latest: date | None = None         # latest ordinary record date (C-9: not a 冲正 row)
    notices: dict[str, NoticeRecord] = field(default_factory=dict)   # 公示记录 in force, by 期次
    corrections: dict[int, tuple[date | None, int]] = field(default_factory=dict)  # 冲正 row → (date, row it cancels)
    has_notice_log: bool = False       # False: a workbook from before 公示记录 existed
    matchers: dict[str, IdMatcher] = field(default_factory=dict)   # 户号 / 代码 as typed

    @property
    def participants(self) -> list[Household]:
        """V-1: households taking part, in roster order."""
        return [h for h in self.households if h.participating]

    @property
    def bases(self) -> dict[str, int]:
        """V-2: category bases in cents (settings)."""
        return {c: to_cents(self.settings[f"{c}基础分"]) for c in CATEGORIES}

    @property
    def base_total(self) -> int:
        return sum(self.bases.values())

    @property
    def title(self) -> str:
        return self.settings.get("村名") or "乡村积分"

    def cuts(self) -> list[tuple[str, Decimal]]:
        st = self.settings
        return [("五星", st["五星比例"]), ("四星", st["四星比例"]), ("三星", st["三星比例"])]


EXPECTED_HEADERS = {
    SETTINGS: ["项目", "值"],
    ROSTER: [c.header for c in ROSTER_COLS],
    PANELS: [c.header for c in PANEL_COLS],
    RULES: [c.header for c in RULE_COLS],
    RECORDS: [c.header for c in RECORD_COLS],
    NOTICE_LOG: [c.header for c in NOTICE_LOG_COLS],
}


PERIOD_LABEL = re.compile(r"(\d{4})(?:Q([1-4]))?")


def period_of_label(label: str) -> Period | None:
    """`2026Q3` → that quarter, `2026` → that year (the 期次 of `公示记录`)."""
    m = PERIOD_LABEL.fullmatch(label)
    if not m:
        return None
    return quarter(int(m.group(1)), int(m.group(2))) if m.group(2) else year_period(int(m.group(1)))


def default_period(category: str) -> str:
    """V-2: 环境整治 and 文明新风 are daily, the other three annual."""
    return DAILY if category in DAILY_CATEGORIES else ANNUAL

