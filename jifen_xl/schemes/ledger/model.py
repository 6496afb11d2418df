"""Community ledger (SPEC L-1…L-9) on the common engine: the sheet schema and data.

Sheet names, headers (`Col` lists), settings and the typed data (``LedgerData``) live here;
reading and checks in ``checks.py`` (`设置`, `村庄`, `账户`, `规则`, `申报`, `兑换目录`,
`兑换记录`, `转移` → ``LedgerData``: accounts, rules, the entries frame of counted claims and
false-claim deductions, accepted redemptions and transfers, problems), computing in
``compute.py`` (redemptions against balance/stock/budget, totals, ranking, indicators,
passbook lines), rendering in ``render.py`` (`积分排名`, `示范村指标`, `存折-…`). Everything
is pure: it sees RawSheets only.

Order of work: claims are validated and turned into entries (L-3, L-4); transfers give
each account's village on any date (L-7); redemptions are then taken in date order
(stable by sheet row) against balance, stock and village budget (L-5, L-6) — a failing
one is refused (级别 拒绝) and left out, never reordering what follows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pandas as pd

from ...core.engine import Rule, Subject
from ...core.ids import IdMatcher
from ...core.problems import Problem
from ...core.ranking import RANK
from ...core.table import Col, Setting


# ---- sheet schema (WORKBOOKS.md, community ledger) -----------------------------------------

SETTINGS = "设置"
VILLAGES = "村庄"
ACCOUNTS = "账户"
RULES = "规则"
CLAIMS = "申报"
CATALOGUE = "兑换目录"
REDEMPTIONS = "兑换记录"
TRANSFERS = "转移"
RANKING = "积分排名"
INDICATORS = "示范村指标"
PASSBOOK_PREFIX = "存折-"

TYPES = ("村民", "党员", "家庭", "单位")                  # L-1
CATEGORIES = ("思想政治", "平安稳定", "村建设", "奖励惩罚")  # L-2
ALL_TYPES = "全部"
PENALTY_CATEGORY = "奖励惩罚"   # seed: false claims are punished under 奖励惩罚类
STATUS_OPEN, STATUS_CLOSED = "正常", "注销"
PASSED, REJECTED, FALSE = "通过", "驳回", "虚假"
RESULTS = (PASSED, REJECTED, FALSE)
MODES = ("本人", "代报")
CHANNELS = ("口头", "电话", "短信", "QQ", "微信")
REASON_BALANCE, REASON_STOCK, REASON_BUDGET = "余额不足", "库存不足", "超出预算"
DEMO_TARGET = Decimal("0.3")    # L-9: 兑换人数占比 ≥ 30%

# L-3 steps: (date column, actor column or "", step name)
STEPS = (
    ("申报日期", "", "申报"),
    ("初审日期", "初审人", "网格员初审"),
    ("公示日期", "", "公示"),
    ("审核日期", "审核人", "干部审核"),
    ("录入日期", "录入人", "录入"),
)

SETTING_SCHEMA = [
    Setting("镇名", "text", ""),
    Setting("年度", "year", None),
    Setting("人均奖励预算", "decimal", Decimal(2)),
]

VILLAGE_COLS = [
    Col("村名", "text", required=True, optional_column=False),
    Col("常住人口", "count", required=True, optional_column=False),
]
ACCOUNT_COLS = [
    Col("账户号", "id", required=True, optional_column=False),
    Col("类型", "text", required=True, optional_column=False),
    Col("名称", "text", default=""),
    Col("所属村", "text", required=True, optional_column=False),
    Col("人口", "count", default=1),
    Col("状态", "text", default=STATUS_OPEN),
]
RULE_COLS = [
    Col("代码", "id", required=True, optional_column=False),
    Col("适用类型", "multi", default=[ALL_TYPES]),
    Col("类别", "text", required=True, optional_column=False),
    Col("事项", "text", default=""),
    Col("分值", "decimal", optional_column=False),
    Col("最低分值", "decimal"),
    Col("最高分值", "decimal"),
]
CLAIM_COLS = [
    Col("编号", "id"),
    Col("账户号", "id", required=True, optional_column=False),
    Col("代码", "id", required=True, optional_column=False),
    Col("分值", "decimal"),
    Col("申报日期", "date", optional_column=False),
    Col("申报方式", "text"),
    Col("渠道", "text"),
    Col("时间地点事由", "text", default=""),
    Col("证据", "text", default=""),
    Col("初审日期", "date"),
    Col("初审人", "text"),
    Col("公示日期", "date"),
    Col("审核日期", "date"),
    Col("审核人", "text"),
    Col("录入日期", "date", optional_column=False),
    Col("录入人", "text"),
    Col("结果", "text", optional_column=False),
]
CATALOGUE_COLS = [
    Col("商品", "text", required=True, optional_column=False),
    Col("所需积分", "decimal", required=True, optional_column=False),
    Col("价值元", "decimal", required=True, optional_column=False),
    Col("库存", "count"),
    Col("村名", "text", default=""),     # L-10: empty = every village, each with its own stock
]
REDEMPTION_COLS = [
    Col("日期", "date", required=True, optional_column=False),
    Col("账户号", "id", required=True, optional_column=False),
    Col("商品", "text", required=True, optional_column=False),
    Col("数量", "count", default=1),
    Col("经办人", "text", default=""),
]
TRANSFER_COLS = [
    Col("日期", "date", required=True, optional_column=False),
    Col("账户号", "id", required=True, optional_column=False),
    Col("原村", "text", required=True, optional_column=False),
    Col("新村", "text", required=True, optional_column=False),
]

RANKING_COLS = ["类型", RANK, "账户号", "名称", "所属村", "累计积分", "可用余额",
                *CATEGORIES, "本年积分", "本年名次"]
INDICATOR_COLS = ["村名", "常住人口", "兑换人数", "兑换人数占比", "是否达标", "覆盖类别数",
                  "参与账户数", "奖励支出元", "奖励预算元", "目标占比"]
PASSBOOK_COLS = ["日期", "摘要", "积分", "累计积分", "可用余额"]

EXPECTED_HEADERS = {
    SETTINGS: ["项目", "值"],
    VILLAGES: [c.header for c in VILLAGE_COLS],
    ACCOUNTS: [c.header for c in ACCOUNT_COLS],
    RULES: [c.header for c in RULE_COLS],
    CLAIMS: [c.header for c in CLAIM_COLS],
    CATALOGUE: [c.header for c in CATALOGUE_COLS],
    REDEMPTIONS: [c.header for c in REDEMPTION_COLS],
    TRANSFERS: [c.header for c in TRANSFER_COLS],
}
REQUIRED_SHEETS = (VILLAGES, ACCOUNTS, RULES, CLAIMS)


# ---- data ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Village:
    name: str
    population: int
    row: int


@dataclass(frozen=True)
class Account:
    aid: str
    kind: str           # 类型 (L-1)
    name: str
    village: str        # 所属村 when the account was opened; transfers move it (L-7)
    people: int         # 人口 (families)
    closed: bool
    row: int

    def subject(self) -> Subject:
        return Subject(self.aid, self.name, 0, active=not self.closed,
                       groups=(("类型", self.kind), ("所属村", self.village)), row=self.row)


@dataclass(frozen=True)
class LedgerRule:
    rule: Rule
    types: tuple[str, ...]     # account types it applies to (ALL_TYPES = every type)

    def applies_to(self, kind: str) -> bool:
        return ALL_TYPES in self.types or kind in self.types


@dataclass(frozen=True)
class Item:
    """One `兑换目录` row (L-6, L-10): a product on one village's shelf, or (``village`` "")
    on every village's — each village with its own stock of it."""
    name: str
    points: int        # cents per unit
    value: int         # 元 in cents per unit
    stock: int | None  # None: unlimited (services); per village
    row: int
    village: str = ""  # 村名; "" = every village


@dataclass(frozen=True)
class Redemption:
    row: int
    date: date
    aid: str
    item: str
    qty: int
    points: int        # cents
    value: int         # 元 cents
    village: str


@dataclass(frozen=True)
class Transfer:
    row: int
    date: date
    aid: str
    old: str
    new: str


@dataclass
class LedgerData:
    settings: dict
    villages: dict[str, Village]
    accounts: dict[str, Account]
    rules: dict[str, LedgerRule]
    entries: pd.DataFrame          # counted claims (status 通过) and false-claim deductions (虚假)
    problems: list[Problem]
    items: dict[tuple[str, str], Item] = field(default_factory=dict)   # (商品, 村名 or "") → item
    redemptions: list[Redemption] = field(default_factory=list)   # accepted, in processing order
    refused: list[tuple[int, str]] = field(default_factory=list)  # (兑换记录 row, reasons)
    transfers: list[Transfer] = field(default_factory=list)       # accepted, in date order
    latest: date | None = None
    matchers: dict[str, IdMatcher] = field(default_factory=dict)   # 账户号 / 代码 as typed

    @property
    def town(self) -> str:
        return self.settings.get("镇名") or ""

    @property
    def year(self) -> int:
        y = self.settings.get("年度")
        if y:
            return int(y)
        return (self.latest or date(2026, 1, 1)).year

    def village_on(self, aid: str, d: date) -> str:
        """L-7: the account's village on date d (a transfer applies from its own date)."""
        v = self.accounts[aid].village
        for t in self.transfers:
            if t.aid == aid and t.date <= d:
                v = t.new
        return v

    @property
    def item_names(self) -> list[str]:
        """The catalogue's product names, each once, in sheet order (L-6, L-10)."""
        return list(dict.fromkeys(name for name, _ in self.items))

    def item_for(self, name: str, village: str) -> Item | None:
        """L-10: the product on ``village``'s shelf — its own row, else the every-village row."""
        return self.items.get((name, village)) or self.items.get((name, ""))

    def offered_in(self, name: str) -> list[str]:
        """L-10: the villages that offer ``name`` (all of them for an every-village row)."""
        if (name, "") in self.items:
            return list(self.villages)
        return [v for (n, v) in self.items if n == name]

    def current_village(self, aid: str) -> str:
        return self.village_on(aid, date.max)

    def as_of(self) -> str:
        return self.latest.isoformat() if self.latest else ""


