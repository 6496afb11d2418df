"""Community ledger (SPEC L-1…L-9) on the common engine.

Reading: `设置`, `村庄`, `账户`, `规则`, `申报`, `兑换目录`, `兑换记录`, `转移` → ``LedgerData``
(accounts, rules, the entries frame of counted claims and false-claim deductions, accepted
redemptions and transfers, problems). Computing: `积分排名`, `示范村指标` and `存折-…`
passbooks as ``OutputSheet`` objects. Everything here is pure: it sees RawSheets only.

Order of work: claims are validated and turned into entries (L-3, L-4); transfers give
each account's village on any date (L-7); redemptions are then taken in date order
(stable by sheet row) against balance, stock and village budget (L-5, L-6) — a failing
one is refused (级别 拒绝) and left out, never reordering what follows.
"""
from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pandas as pd

from ...book.charts import ChartSpec
from ...book.sheets import OutputSheet
from ...core import engine
from ...core.engine import EntryBuilder, Rule, Subject
from ...core.checks import UniqueBy
from ...core.ids import IdMatcher, match_records
from ...core.points import fmt, from_cents, to_cents
from ...core.problems import NOTICE, REFUSED, Problem
from ...core.ranking import RANK, competition_rank
from ...core.table import Col, RawSheet, Setting, parse_settings, parse_table

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
    Setting("年度", "count", None),
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
    name: str
    points: int        # cents per unit
    value: int         # 元 in cents per unit
    stock: int | None  # None: unlimited (services)
    row: int


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
    items: dict[str, Item] = field(default_factory=dict)
    redemptions: list[Redemption] = field(default_factory=list)   # accepted, in processing order
    refused: list[tuple[int, str]] = field(default_factory=list)  # (兑换记录 row, reasons)
    transfers: list[Transfer] = field(default_factory=list)       # accepted, in date order
    latest: date | None = None
    matchers: dict[str, IdMatcher] = field(default_factory=dict)   # 账户号 / 代码 as typed (issue #14)

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

    def current_village(self, aid: str) -> str:
        return self.village_on(aid, date.max)

    def as_of(self) -> str:
        return self.latest.isoformat() if self.latest else ""


# ---- reading ---------------------------------------------------------------------------------

def load(sheets: dict[str, RawSheet | None]) -> LedgerData:
    """Parse and validate every input sheet, then compute entries, transfers and redemptions."""
    problems: list[Problem] = []
    for name in REQUIRED_SHEETS:
        if sheets.get(name) is None:
            problems.append(Problem(name, None, "", "", f"缺少工作表“{name}”，请使用积分台账模板"))
    settings, probs = parse_settings(sheets.get(SETTINGS), SETTING_SCHEMA)
    problems += probs
    villages, probs = read_villages(sheets.get(VILLAGES))
    problems += probs
    accounts, probs = read_accounts(sheets.get(ACCOUNTS), villages)
    problems += probs
    rules, probs = read_rules(sheets.get(RULES))
    problems += probs
    items, probs = read_catalogue(sheets.get(CATALOGUE))
    problems += probs
    data = LedgerData(settings, villages, accounts, rules, EntryBuilder().frame(), problems, items)
    dates: list[date] = []
    builder = EntryBuilder()
    problems += claim_entries(data, sheets.get(CLAIMS), builder, dates)
    data.entries = builder.frame()
    problems += read_transfers(data, sheets.get(TRANSFERS), dates)
    red_recs, probs = read_redemption_records(data, sheets.get(REDEMPTIONS), dates)
    problems += probs
    data.latest = max(dates) if dates else None
    problems += process_redemptions(data, red_recs)
    return data


def match_ids(data: LedgerData, recs: list[dict], sheet: str, codes: bool = False) -> list[Problem]:
    """账户号 (and 代码) as people type them (issue #14): lost leading zeros, other case, `代码 事项`."""
    if "账户号" not in data.matchers:
        data.matchers["账户号"] = IdMatcher(data.accounts, what="账户号",
                                           names={a: acc.name for a, acc in data.accounts.items()})
        data.matchers["代码"] = IdMatcher(data.rules, what="代码",
                                         items={c: r.rule.item for c, r in data.rules.items()})
    out = match_records(recs, data.matchers["账户号"], sheet, "账户号")
    if codes:
        out += match_records(recs, data.matchers["代码"], sheet, "代码")
    return out


def hint(data: LedgerData, what: str, typed: str) -> str:
    m = data.matchers.get(what)
    return m.hint(typed) if m is not None else ""


def read_villages(raw: RawSheet | None) -> tuple[dict[str, Village], list[Problem]]:
    if raw is None:
        return {}, []
    recs, problems = parse_table(raw, VILLAGE_COLS)
    out: dict[str, Village] = {}
    names = UniqueBy(raw.name, "村名")
    for r in recs:
        name = r["村名"]
        if not name or r["常住人口"] is None:
            continue
        if repeat := names.first(name, r["_row"]):
            problems.append(repeat)
            continue
        out[name] = Village(name, r["常住人口"], r["_row"])
    return out, problems


def read_accounts(raw: RawSheet | None, villages: dict[str, Village]
                  ) -> tuple[dict[str, Account], list[Problem]]:
    if raw is None:
        return {}, []
    recs, problems = parse_table(raw, ACCOUNT_COLS)
    out: dict[str, Account] = {}
    ids = UniqueBy(raw.name, "账户号")      # the first valid row of an account wins
    for r in recs:
        aid, row = r["账户号"], r["_row"]
        if not aid:
            continue
        if repeat := ids.repeat(aid, row):
            problems.append(repeat)
            continue
        bad = False
        if r["类型"] and r["类型"] not in TYPES:
            problems.append(Problem(raw.name, row, "类型", r["类型"], "类型只能填写：" + "、".join(TYPES)))
            bad = True
        status = r["状态"] or STATUS_OPEN
        if status not in (STATUS_OPEN, STATUS_CLOSED):
            problems.append(Problem(raw.name, row, "状态", status, "状态只能填写：正常、注销"))
            bad = True
        if r["所属村"] and r["所属村"] not in villages:
            problems.append(Problem(raw.name, row, "所属村", r["所属村"], "“村庄”表中没有这个村"))
            bad = True
        if r["人口"] == 0:
            problems.append(Problem(raw.name, row, "人口", 0, "人口至少为 1"))
            bad = True
        if bad or not r["类型"] or not r["所属村"] or "_bad" in r:
            continue
        out[aid] = Account(aid, r["类型"], r["名称"] or "", r["所属村"], r["人口"] or 1,
                           status == STATUS_CLOSED, row)
        ids.keep(aid, row)
    return out, problems


def read_rules(raw: RawSheet | None) -> tuple[dict[str, LedgerRule], list[Problem]]:
    """L-2: every rule has one of the four categories and applies to some account types."""
    if raw is None:
        return {}, []
    recs, problems = parse_table(raw, RULE_COLS)
    out: dict[str, LedgerRule] = {}
    codes = UniqueBy(raw.name, "代码")      # the first valid row of a code wins
    for r in recs:
        code, row = r["代码"], r["_row"]
        if not code:
            continue
        if repeat := codes.repeat(code, row):
            problems.append(repeat)
            continue
        types = tuple(r["适用类型"] or [ALL_TYPES])
        wrong = [t for t in types if t not in TYPES and t != ALL_TYPES]
        if wrong:
            problems.append(Problem(raw.name, row, "适用类型", "、".join(wrong),
                                    "适用类型只能填写：" + "、".join(TYPES) + "（多个用“、”分隔），或“全部”"))
            continue
        if r["类别"] and r["类别"] not in CATEGORIES:
            problems.append(Problem(raw.name, row, "类别", r["类别"], "类别只能填写：" + "、".join(CATEGORIES)))
            continue
        if not r["类别"] or "_bad" in r:
            continue
        pts, low, high = (to_cents(r[k]) if r[k] is not None else None for k in ("分值", "最低分值", "最高分值"))
        if low is not None and high is not None and low > high:
            problems.append(Problem(raw.name, row, "最低分值", r["最低分值"], "最低分值大于最高分值"))
            continue
        out[code] = LedgerRule(Rule(code, r["类别"], r["事项"] or "", pts, low, high, row=row), types)
        codes.keep(code, row)
    return out, problems


def read_catalogue(raw: RawSheet | None) -> tuple[dict[str, Item], list[Problem]]:
    if raw is None:
        return {}, []
    recs, problems = parse_table(raw, CATALOGUE_COLS)
    out: dict[str, Item] = {}
    items = UniqueBy(raw.name, "商品")      # the first valid row of an item wins
    for r in recs:
        name, row = r["商品"], r["_row"]
        if not name or r["所需积分"] is None or r["价值元"] is None:
            continue
        if repeat := items.repeat(name, row):
            problems.append(repeat)
            continue
        if r["所需积分"] <= 0:
            problems.append(Problem(raw.name, row, "所需积分", r["所需积分"], "所需积分必须大于 0"))
            continue
        if r["价值元"] < 0:
            problems.append(Problem(raw.name, row, "价值元", r["价值元"], "价值元不能是负数"))
            continue
        out[name] = Item(name, to_cents(r["所需积分"]), to_cents(r["价值元"]), r["库存"], row)
        items.keep(name, row)
    return out, problems


# ---- claims: the six-step workflow (L-3) and false claims (L-4) -----------------------------

def check_workflow(r: dict) -> list[Problem]:
    """L-3: steps in order, none skipped, each dated step with its actor, 初审 with the
    time, place and cause (evidence optional), 通过 only after 录入.

    Returns problems for one parsed `申报` record (sheet row ``r["_row"]``)."""
    row, problems = r["_row"], []
    bad = r.get("_bad", set())
    prev: tuple[str, date] | None = None
    filled = [r.get(col) is not None for col, _, _ in STEPS]
    for i, (col, actor, step) in enumerate(STEPS):
        d = r.get(col)
        if d is None:
            if col not in bad and any(filled[i + 1:]):
                later = next(STEPS[j][2] for j in range(i + 1, len(STEPS)) if filled[j])
                problems.append(Problem(CLAIMS, row, col, "",
                                        f"“{step}”一步没有日期，但后面的“{later}”已有日期：不能跳过步骤"))
            continue
        if prev is not None and d < prev[1]:
            problems.append(Problem(CLAIMS, row, col, d,
                                    f"{step}日期早于前一步“{prev[0]}”的日期 {prev[1].isoformat()}"))
        prev = (step, d)
        if actor and not r.get(actor):
            problems.append(Problem(CLAIMS, row, actor, "", f"{step}已有日期，请填写{actor}"))
        if col == "初审日期" and not r.get("时间地点事由"):
            problems.append(Problem(CLAIMS, row, "时间地点事由", "",
                                    "网格员初审须摸清行为发生的时间、地点、事由：请填写“时间地点事由”（证据有条件的再收集）"))
    result = r.get("结果")
    if result == PASSED and r.get("录入日期") is None and "录入日期" not in bad:
        problems.append(Problem(CLAIMS, row, "结果", result,
                                "结果为“通过”须先录入：请填写录入日期和录入人（只有录入后才计分）"))
    return problems


def false_claim_points(claimed: int) -> int:
    """L-4: a false claim costs twice the claimed points as a deduction.

    Decision: only a claim of an addition is penalised (−2 × points); a claim of a
    deduction (or 0) found false counts nothing — the account did not claim a gain."""
    return -2 * claimed if claimed > 0 else 0


@dataclass
class ClaimRow:
    """One parsed `申报` record and what it names: its account and rule (None when blank or
    unknown), and the points each counts once check_points has found them."""
    rec: dict
    acc: Account | None = None
    lrule: LedgerRule | None = None
    each: int | None = None

    @property
    def row(self) -> int:
        return self.rec["_row"]


@dataclass
class ClaimContext:
    data: LedgerData
    numbers: UniqueBy = field(default_factory=lambda: UniqueBy(CLAIMS, "编号"))


def check_number_unique(c: ClaimRow, ctx: ClaimContext) -> Problem | None:
    """C-6: a 编号 is given once (the repeat is reported; it does not stop the claim)."""
    n = c.rec.get("编号")
    return ctx.numbers.first(n, c.row) if n else None


def _choice(c: ClaimRow, col: str, choices: tuple[str, ...], tail: str = "") -> Problem | None:
    v = c.rec.get(col)
    if v and v not in choices:
        return Problem(CLAIMS, c.row, col, v, f"{col}只能填写：" + "、".join(choices) + tail)
    return None


def check_mode(c: ClaimRow, ctx: ClaimContext) -> Problem | None:
    """L-3: 申报方式 is 本人 or 代报."""
    return _choice(c, "申报方式", MODES)


def check_channel(c: ClaimRow, ctx: ClaimContext) -> Problem | None:
    """L-3: 渠道 is one of the channels (qq in any case reads as QQ)."""
    v = c.rec.get("渠道")
    if v and v.upper() == "QQ":
        c.rec["渠道"] = "QQ"
    return _choice(c, "渠道", CHANNELS)


def check_result(c: ClaimRow, ctx: ClaimContext) -> Problem | None:
    """L-3, L-4: 结果 is 通过, 不通过 or 虚假 — blank while the claim is in progress."""
    return _choice(c, "结果", RESULTS, "；办理中请留空")


def check_claim_date(c: ClaimRow, ctx: ClaimContext) -> Problem | None:
    """L-3: a claim starts with its 申报日期 (a later step's date is reported by check_workflow)."""
    r = c.rec
    if r.get("申报日期") is None and "申报日期" not in r.get("_bad", set()) and not any(
            r.get(col) is not None for col, _, _ in STEPS[1:]):
        return Problem(CLAIMS, c.row, "申报日期", "", "“申报日期”不能为空")
    return None


def check_steps(c: ClaimRow, ctx: ClaimContext) -> list[Problem]:
    """L-3: the six steps in order (check_workflow: the one check that may find several
    problems in a row, one per step)."""
    return check_workflow(c.rec)


def check_account_known(c: ClaimRow, ctx: ClaimContext) -> Problem | None:
    """L-1: the 账户号 is on `账户`."""
    aid = c.rec["账户号"]
    if aid and c.acc is None:
        return Problem(CLAIMS, c.row, "账户号", aid, "“账户”表中没有这个账户号" + hint(ctx.data, "账户号", aid))
    return None


def check_code_known(c: ClaimRow, ctx: ClaimContext) -> Problem | None:
    """L-2: the 代码 is on `规则`."""
    code = c.rec["代码"]
    if code and c.lrule is None:
        return Problem(CLAIMS, c.row, "代码", code, "“规则”表中没有这个代码" + hint(ctx.data, "代码", code))
    return None


def check_account_open(c: ClaimRow, ctx: ClaimContext) -> Problem | None:
    """L-1: a closed account takes no new claim (finished ones stay)."""
    if c.acc is not None and c.acc.closed and not c.rec.get("结果"):
        return Problem(CLAIMS, c.row, "账户号", c.rec["账户号"], "账户已注销，不能再办理新的申报（已办结的记录保留）")
    return None


def check_points(c: ClaimRow, ctx: ClaimContext) -> Problem | None:
    """L-1, L-2, C-2: the rule applies to the account's type; an explicit 分值 replaces the
    rule's within its range and sign; a case-by-case rule needs one once decided."""
    acc, lrule, r = c.acc, c.lrule, c.rec
    if acc is None or lrule is None:
        return None
    rule = lrule.rule
    if not lrule.applies_to(acc.kind):
        return Problem(CLAIMS, c.row, "代码", r["代码"],
                       f"规则“{rule.item}”不适用于{acc.kind}账户（适用：{'、'.join(lrule.types)}）")
    if r["分值"] is not None:
        c.each = to_cents(r["分值"])
        why = rule.check_explicit(c.each)
        return Problem(CLAIMS, c.row, "分值", r["分值"], why) if why else None
    result = r.get("结果") if r.get("结果") in RESULTS else None
    if rule.points is None and result in (PASSED, FALSE):
        return Problem(CLAIMS, c.row, "分值", "", f"“{rule.item}”的分值视情况而定，请填写分值")
    c.each = rule.points
    return None


ClaimCheck = Callable[[ClaimRow, ClaimContext], "Problem | list[Problem] | None"]
# In order; every check runs on every row (a claim's problems are all reported). A row with
# a problem from any check but those in NOT_STOPPING becomes no entry.
CLAIM_CHECKS: list[ClaimCheck] = [
    check_number_unique, check_mode, check_channel, check_result, check_claim_date, check_steps,
    check_account_known, check_code_known, check_account_open, check_points,
]
NOT_STOPPING = (check_number_unique,)


def claim_entries(data: LedgerData, raw: RawSheet | None, builder: EntryBuilder,
                  dates: list[date]) -> list[Problem]:
    """Validate `申报` (CLAIM_CHECKS) and add an entry per counted claim (通过, dated 录入日期,
    L-3) and per false claim (虚假, a −2× deduction under 奖励惩罚, dated at the last step
    reached, L-4)."""
    if raw is None:
        return []
    recs, problems = parse_table(raw, CLAIM_COLS)
    problems += match_ids(data, recs, CLAIMS, codes=True)
    ctx = ClaimContext(data)
    for r in recs:
        row, bad = r["_row"], r.get("_bad", set())
        aid, code = r["账户号"], r["代码"]
        c = ClaimRow(r, data.accounts.get(aid) if aid else None, data.rules.get(code) if code else None)
        dates += [r[col] for col, _, _ in STEPS if r.get(col) is not None]
        stopped = False
        for check in CLAIM_CHECKS:
            found = check(c, ctx)
            if not found:
                continue
            if isinstance(found, Problem):
                problems.append(found)
            else:
                problems += found
            if check not in NOT_STOPPING:
                stopped = True
        acc, lrule, each = c.acc, c.lrule, c.each
        if stopped or bad or acc is None or lrule is None or each is None:
            continue
        result = r.get("结果") if r.get("结果") in RESULTS else None
        subject = acc.subject()
        ref = r.get("编号") or ""
        if result == PASSED:
            builder.add(sheet=CLAIMS, row=row, date=r["录入日期"], subject=subject, rule=lrule.rule,
                        each=each, status=PASSED, ref=ref)
        elif result == FALSE:
            penalty = false_claim_points(each)
            if penalty == 0:
                problems.append(Problem(CLAIMS, row, "结果", result,
                                        "减分事项被认定为虚假：不计分，也不加倍扣分", NOTICE))
                continue
            last = [r[col] for col, _, _ in STEPS if r.get(col) is not None][-1]
            builder.add(sheet=CLAIMS, row=row, date=last, subject=subject, rule=lrule.rule,
                        each=penalty, status=FALSE, ref=ref, category=PENALTY_CATEGORY,
                        item=f"虚假申报加倍扣分：{lrule.rule.item}", note=f"申报 {fmt(each)} 分")
        elif result is None and r.get("录入日期") is not None:
            problems.append(Problem(CLAIMS, row, "结果", "", "已录入但“结果”为空，暂不计分；核实后填“通过”",
                                    NOTICE))
    return problems


# ---- transfers (L-7) -------------------------------------------------------------------------

def check_transfer_account_known(r: dict, data: LedgerData) -> Problem | None:
    """L-7: the 账户号 of a transfer is on `账户`."""
    aid = r["账户号"]
    if data.accounts.get(aid) is None:
        return Problem(TRANSFERS, r["_row"], "账户号", aid, "“账户”表中没有这个账户号" + hint(data, "账户号", aid))
    return None


def check_transfer_account_open(r: dict, data: LedgerData) -> Problem | None:
    """L-1, L-7: a closed account is not transferred."""
    if data.accounts[r["账户号"]].closed:
        return Problem(TRANSFERS, r["_row"], "账户号", r["账户号"], "账户已注销，不能转移")
    return None


def check_transfer_origin(r: dict, data: LedgerData) -> Problem | None:
    """L-7: 原村 is the account's village on the transfer's date (earlier transfers applied)."""
    now = data.village_on(r["账户号"], r["日期"])
    if r["原村"] != now:
        return Problem(TRANSFERS, r["_row"], "原村", r["原村"],
                       f"原村与该账户当时的所属村“{now}”不一致（“账户”表的所属村填开户时的村，"
                       "迁移只在“转移”表登记）")
    return None


def check_transfer_moves(r: dict, data: LedgerData) -> Problem | None:
    """L-7: a transfer changes the village."""
    if r["新村"] == r["原村"]:
        return Problem(TRANSFERS, r["_row"], "新村", r["新村"], "新村与原村相同")
    return None


def check_transfer_in_town(r: dict, data: LedgerData) -> Problem | None:
    """L-7: points move only within the town — a 新村 not in `村庄` is refused (拒绝)."""
    if r["新村"] not in data.villages:
        return Problem(TRANSFERS, r["_row"], "新村", r["新村"],
                       f"不予转移：“{r['新村']}”不在本镇“村庄”表中，积分只能在本镇范围内转移接续", REFUSED)
    return None


TransferCheck = Callable[[dict, LedgerData], "Problem | None"]
# In order; a transfer stops at its first problem.
TRANSFER_CHECKS: list[TransferCheck] = [
    check_transfer_account_known, check_transfer_account_open, check_transfer_origin, check_transfer_moves,
    check_transfer_in_town,
]


def read_transfers(data: LedgerData, raw: RawSheet | None, dates: list[date]) -> list[Problem]:
    """L-7: a transfer moves an account to another village of the same town from its date,
    points and history intact. 原村 must be the account's village on that date (错误); a
    新村 outside the town (not in `村庄`) is refused (拒绝). Transfers are taken in date
    order (TRANSFER_CHECKS), so each sees the earlier ones."""
    if raw is None:
        return []
    recs, problems = parse_table(raw, TRANSFER_COLS)
    problems += match_ids(data, recs, TRANSFERS)
    recs = [r for r in recs if r["日期"] is not None and "_bad" not in r]
    dates += [r["日期"] for r in recs]
    for r in sorted(recs, key=lambda r: (r["日期"], r["_row"])):
        if not r["账户号"] or not r["原村"] or not r["新村"]:
            continue
        for check in TRANSFER_CHECKS:
            found = check(r, data)
            if found is not None:
                problems.append(found)
                break
        else:
            data.transfers.append(Transfer(r["_row"], r["日期"], r["账户号"], r["原村"], r["新村"]))
    return problems


# ---- redemptions (L-5, L-6) ------------------------------------------------------------------

def check_redemption_account_known(r: dict, data: LedgerData) -> Problem | None:
    """L-5: the 账户号 of a redemption is on `账户`."""
    if data.accounts.get(r["账户号"]) is None:
        return Problem(REDEMPTIONS, r["_row"], "账户号", r["账户号"],
                       "“账户”表中没有这个账户号" + hint(data, "账户号", r["账户号"]))
    return None


def check_redemption_item_known(r: dict, data: LedgerData) -> Problem | None:
    """L-6: the 商品 is in `兑换目录`."""
    if r["商品"] not in data.items:
        return Problem(REDEMPTIONS, r["_row"], "商品", r["商品"], "“兑换目录”中没有这个商品")
    return None


def check_redemption_quantity(r: dict, data: LedgerData) -> Problem | None:
    """L-5: at least one piece is redeemed (a blank 数量 means 1)."""
    if r["数量"] == 0:
        return Problem(REDEMPTIONS, r["_row"], "数量", 0, "数量至少为 1")
    return None


RedemptionCheck = Callable[[dict, LedgerData], "Problem | None"]
# In order; every check runs (all of a row's problems are reported); a row with one is left out.
REDEMPTION_CHECKS: list[RedemptionCheck] = [
    check_redemption_account_known, check_redemption_item_known, check_redemption_quantity,
]


def read_redemption_records(data: LedgerData, raw: RawSheet | None, dates: list[date]
                            ) -> tuple[list[dict], list[Problem]]:
    if raw is None:
        return [], []
    recs, problems = parse_table(raw, REDEMPTION_COLS)
    problems += match_ids(data, recs, REDEMPTIONS)
    good = []
    for r in recs:
        if "_bad" in r or not r["日期"] or not r["账户号"] or not r["商品"]:
            continue
        dates.append(r["日期"])
        found = [p for p in (check(r, data) for check in REDEMPTION_CHECKS) if p is not None]
        problems += found
        if not found:
            good.append(r)
    return good, problems


class _Balances:
    """Cumulative points per account on any date, from the entries frame (L-5)."""

    def __init__(self, entries: pd.DataFrame):
        self._dates: dict[str, list[date]] = {}
        self._cum: dict[str, list[int]] = {}
        e = engine.counted(entries).sort_values(["date", "row"], kind="stable")
        for sid, g in e.groupby("sid", sort=False):
            self._dates[sid] = list(g["date"])
            self._cum[sid] = [int(x) for x in g["points"].cumsum()]

    def cumulative(self, sid: str, d: date) -> int:
        i = bisect.bisect_right(self._dates.get(sid, []), d)
        return self._cum[sid][i - 1] if i else 0


def process_redemptions(data: LedgerData, recs: list[dict]) -> list[Problem]:
    """L-5, L-6: in date order (stable by row), each redemption needs spendable balance
    (claims recorded on or before its date minus earlier accepted redemptions), stock, and
    room in the budget of the account's village on that date (人均奖励预算 × 常住人口 元 per
    calendar year). One that fails is refused (拒绝) with every reason and left out."""
    problems: list[Problem] = []
    balances = _Balances(data.entries)
    spent: dict[str, int] = {}                      # points redeemed per account
    sold: dict[str, int] = {}                       # units per item
    paid: dict[tuple[str, int], int] = {}           # 元 cents per (village, year)
    per_head = to_cents(data.settings["人均奖励预算"])
    for r in sorted(recs, key=lambda r: (r["日期"], r["_row"])):
        d, aid, item = r["日期"], r["账户号"], data.items[r["商品"]]
        qty = r["数量"]
        acc = data.accounts[aid]
        cost, value = item.points * qty, item.value * qty
        village = data.village_on(aid, d)
        reasons = []
        if acc.closed:
            reasons.append("账户已注销")
        available = max(0, balances.cumulative(aid, d) - spent.get(aid, 0))
        if cost > available:
            reasons.append(f"{REASON_BALANCE}（需要 {fmt(cost)} 分，{d.isoformat()} 可用余额 {fmt(available)} 分）")
        if item.stock is not None and sold.get(item.name, 0) + qty > item.stock:
            left = item.stock - sold.get(item.name, 0)
            reasons.append(f"{REASON_STOCK}（需要 {qty}，剩余 {left}）")
        budget = per_head * data.villages[village].population
        used = paid.get((village, d.year), 0)
        if used + value > budget:
            reasons.append(f"{REASON_BUDGET}（{village}{d.year}年奖励预算 {fmt(budget)} 元，"
                           f"已支出 {fmt(used)} 元，本次 {fmt(value)} 元）")
        if reasons:
            text = "、".join(reasons)
            data.refused.append((r["_row"], text))
            problems.append(Problem(REDEMPTIONS, r["_row"], "商品", r["商品"],
                                    f"不予兑换：{text}", REFUSED))
            continue
        spent[aid] = spent.get(aid, 0) + cost
        sold[item.name] = sold.get(item.name, 0) + qty
        paid[(village, d.year)] = used + value
        data.redemptions.append(Redemption(r["_row"], d, aid, item.name, qty, cost, value, village))
    return problems


# ---- computing -------------------------------------------------------------------------------

def _title(data: LedgerData, what: str) -> str:
    town = f"{data.town}　" if data.town else ""
    return f"{town}{what}（数据截至 {data.as_of()}）" if data.latest else f"{town}{what}"


def account_totals(data: LedgerData) -> pd.DataFrame:
    """Per account: 累计积分 (never reduced by redemptions, L-5), redeemed points, 可用余额
    (cumulative − redeemed, never below zero), per-category sums and the 年度's points."""
    sids = list(data.accounts)
    end = date.max
    tot = engine.period_totals(data.entries, sids, None, end)
    yr = engine.period_totals(data.entries, sids, date(data.year, 1, 1), date(data.year, 12, 31))
    out = pd.DataFrame(index=pd.Index(sids, name="sid"))
    out["cum"] = tot["net"]
    spent: dict[str, int] = {}
    for red in data.redemptions:
        spent[red.aid] = spent.get(red.aid, 0) + red.points
    out["spent"] = pd.Series(spent, dtype="int64").reindex(out.index, fill_value=0)
    out["available"] = (out["cum"] - out["spent"]).clip(lower=0)
    e = engine.counted(data.entries)
    by_cat = e.groupby(["sid", "category"])["points"].sum()
    for cat in CATEGORIES:
        vals = {sid: int(v) for (sid, c), v in by_cat.items() if c == cat}
        out[cat] = pd.Series(vals, dtype="int64").reindex(out.index, fill_value=0)
    out["year"] = yr["net"]
    return out


@dataclass
class Standing:
    """One open account's place in `积分排名` (L-1, L-5, C-4); points in cents."""

    kind: str
    rank: int
    aid: str
    name: str
    village: str
    cum: int                        # 累计积分
    available: int                  # 可用余额
    categories: dict[str, int]      # L-2 category -> cents
    year: int                       # the 年度's points
    year_rank: int


def ranking(data: LedgerData) -> list[Standing]:
    """L-1, L-5, C-4: per account type, open accounts ranked by 累计积分 (competition
    ranking), ties in account order; with the category sums (L-2) and the 年度's rank."""
    tot = account_totals(data)
    out: list[Standing] = []
    for kind in TYPES:
        accs = [a for a in data.accounts.values() if a.kind == kind and not a.closed]
        if not accs:
            continue
        cums = [int(tot.loc[a.aid, "cum"]) for a in accs]
        years = [int(tot.loc[a.aid, "year"]) for a in accs]
        ranks, yranks = competition_rank(cums), competition_rank(years)
        block = []
        for i, a in enumerate(accs):
            t = tot.loc[a.aid]
            block.append((ranks[i], i, Standing(kind, ranks[i], a.aid, a.name, data.current_village(a.aid),
                                                int(t["cum"]), int(t["available"]),
                                                {c: int(t[c]) for c in CATEGORIES}, int(t["year"]), yranks[i])))
        out += [s for _, _, s in sorted(block, key=lambda x: (x[0], x[1]))]
    return out


def render_ranking(data: LedgerData, standings: list[Standing]) -> OutputSheet:
    """`积分排名`: the contract columns, then the four category sums and the 年度's points and rank."""
    rows = [[s.kind, s.rank, s.aid, s.name, s.village, from_cents(s.cum), from_cents(s.available),
             *(from_cents(s.categories[c]) for c in CATEGORIES), from_cents(s.year), s.year_rank]
            for s in standings]
    return OutputSheet(RANKING, RANKING_COLS, rows, landscape=True,
                       title=_title(data, f"积分排名（累计；本年 = {data.year}年）"))


def ranking_output(data: LedgerData) -> OutputSheet:
    return render_ranking(data, ranking(data))


def people_redeemed(acc: Account) -> int:
    """L-9 兑换人数: a 村民 or 党员 account counts 1, a 家庭 its 人口, a 单位 none."""
    if acc.kind == "家庭":
        return acc.people
    return 1 if acc.kind in ("村民", "党员") else 0


@dataclass
class Indicators:
    """One village's L-9 indicators for the 年度; money in cents."""

    village: str
    population: int
    redeemers: int                  # 兑换人数
    share: Decimal | None           # 兑换人数占比
    meets_target: bool              # 是否达标 (≥ 30%)
    categories: int                 # 覆盖类别数
    active: int                     # 参与账户数
    spend: int                      # 奖励支出
    budget: int                     # 奖励预算


def indicators(data: LedgerData) -> list[Indicators]:
    """L-9: per village for the 年度 — people who redeemed and their share of residents
    (是否达标 at ≥ 30%), categories covered by counted claims, participating accounts,
    reward spending and budget. Accounts are counted in the village they belonged to on the
    date of each claim or redemption (L-7)."""
    y = data.year
    per_head = to_cents(data.settings["人均奖励预算"])
    redeemers: dict[str, set[str]] = {v: set() for v in data.villages}
    spend: dict[str, int] = {v: 0 for v in data.villages}
    cats: dict[str, set[str]] = {v: set() for v in data.villages}
    active: dict[str, set[str]] = {v: set() for v in data.villages}
    for red in data.redemptions:
        if red.date.year == y:
            redeemers[red.village].add(red.aid)
            active[red.village].add(red.aid)
            spend[red.village] += red.value
    e = engine.counted(data.entries)
    e = e[e["status"] == PASSED]
    for rec in e.itertuples(index=False):
        if rec.date.year == y:
            v = data.village_on(rec.sid, rec.date)
            cats[v].add(rec.category)
            active[v].add(rec.sid)
    out = []
    for v in data.villages.values():
        n = sum(people_redeemed(data.accounts[a]) for a in sorted(redeemers[v.name]))
        share = (Decimal(n) / Decimal(v.population)).quantize(Decimal("0.0001")) if v.population else None
        ok = v.population > 0 and Decimal(n) >= DEMO_TARGET * v.population
        out.append(Indicators(v.name, v.population, n, share, ok, len(cats[v.name]), len(active[v.name]),
                              spend[v.name], per_head * v.population))
    return out


def render_indicators(data: LedgerData, found: list[Indicators]) -> OutputSheet:
    """`示范村指标` with its chart (issue #9) and the target column the chart draws (#16)."""
    rows = [[i.village, i.population, i.redeemers, i.share, "是" if i.meets_target else "否", i.categories,
             i.active, from_cents(i.spend), from_cents(i.budget), DEMO_TARGET] for i in found]
    return OutputSheet(INDICATORS, INDICATOR_COLS, rows, number_formats={"兑换人数占比": "0.0%", "目标占比": "0%"},
                       title=_title(data, f"{data.year}年 示范村指标（兑换人数占比目标 30%）"), landscape=True,
                       charts=indicator_charts(INDICATOR_COLS))


def indicator_output(data: LedgerData) -> OutputSheet:
    return render_indicators(data, indicators(data))


def indicator_charts(columns: list[str]) -> list[ChartSpec]:
    """L-9 chart (issue #9, #16): each village's 兑换人数占比 as bars and the 30% target as a
    red dashed line drawn from the `目标占比` cells (LibreOffice ignores literal-valued
    series); the value axis runs from 0 to above the target. A sheet without that column
    (e.g. a roll-up) still gets the axis reaching the target."""
    if "目标占比" in columns:
        return [ChartSpec("各村兑换人数占比与 30% 目标", "村名", ["兑换人数占比"], percent=True,
                          goals=["目标占比"], labels=True)]
    return [ChartSpec("各村兑换人数占比（目标 30%）", "村名", ["兑换人数占比"], percent=True,
                      targets=[("目标 30%", float(DEMO_TARGET))], labels=True)]




@dataclass(frozen=True)
class Line:
    """One passbook line (L-8)."""
    date: date
    text: str
    points: int        # change shown in 积分 (redemptions show −cost)
    cumulative: int
    available: int


def passbook_lines(data: LedgerData, aid: str) -> list[Line]:
    """L-8: the account's counted claims, false-claim deductions, transfers (0 points) and
    accepted redemptions in date order; on one date claims come first, then transfers,
    then redemptions, each in sheet-row order."""
    events: list[tuple] = []
    e = engine.counted(data.entries)
    for rec in e[e["sid"] == aid].itertuples(index=False):
        ref = f"（申报编号 {rec.ref}）" if rec.ref else f"（申报第{rec.row}行）"
        if rec.status == FALSE:
            text = f"{rec.item}{ref}，{rec.note}"
        else:
            text = f"{rec.category}：{rec.item}{ref}"
        events.append((rec.date, 0, rec.row, "claim", int(rec.points), text))
    for t in data.transfers:
        if t.aid == aid:
            events.append((t.date, 1, t.row, "move", 0, f"转出 {t.old}，转入 {t.new}（积分随账户转移）"))
    for red in data.redemptions:
        if red.aid == aid:
            events.append((red.date, 2, red.row, "redeem", -red.points,
                           f"兑换 {red.item}×{red.qty}（消费积分，累计积分不减）"))
    cum = spent = 0
    lines = []
    for d, _, _, kind, pts, text in sorted(events, key=lambda x: (x[0], x[1], x[2])):
        if kind == "claim":
            cum += pts
        elif kind == "redeem":
            spent -= pts
        lines.append(Line(d, text, pts, cum, max(0, cum - spent)))
    return lines


def passbook_sheet_name(key: str) -> str:
    return PASSBOOK_PREFIX + key


def bad_sheet_name(name: str) -> str | None:
    if len(name) > 31:
        return "工作表名最长 31 个字符"
    if any(ch in name for ch in "[]:*?/\\"):
        return "账户号含有工作表名不允许的字符 [ ] : * ? / \\"
    return None


def _account_head(data: LedgerData, acc: Account) -> str:
    now = data.current_village(acc.aid)
    moved = f"，开户于{acc.village}" if now != acc.village else ""
    closed = "，已注销" if acc.closed else ""
    return f"{acc.kind}账户 {acc.aid} {acc.name}（{now}{moved}{closed}）"


def passbook_output(data: LedgerData, aid: str) -> OutputSheet:
    """L-8: `存折-<账户号>`, the village and account in the printed page header."""
    acc = data.accounts[aid]
    rows = [[ln.date, ln.text, from_cents(ln.points), from_cents(ln.cumulative), from_cents(ln.available)]
            for ln in passbook_lines(data, aid)]
    return OutputSheet(passbook_sheet_name(aid), PASSBOOK_COLS, rows, landscape=True,
                       title=_title(data, f"行为银行存折　{_account_head(data, acc)}"),
                       widths=[12, 60, 10, 12, 12])


def passbook_by_type(data: LedgerData) -> list[OutputSheet]:
    """L-8 `--all`: one sheet per account type (`存折-村民` …) with `账户号` first; each
    account's block starts with a line naming it, then its statement lines."""
    out = []
    for kind in TYPES:
        accs = [a for a in data.accounts.values() if a.kind == kind]
        if not accs:
            continue
        rows = []
        for a in accs:
            rows.append([a.aid, None, _account_head(data, a), None, None, None])
            rows += [[a.aid, ln.date, ln.text, from_cents(ln.points), from_cents(ln.cumulative),
                      from_cents(ln.available)] for ln in passbook_lines(data, a.aid)]
        out.append(OutputSheet(passbook_sheet_name(kind), ["账户号", *PASSBOOK_COLS], rows, landscape=True,
                               title=_title(data, f"行为银行存折　{kind}账户"),
                               widths=[12, 12, 60, 10, 12, 12]))
    return out


def summary_lines(data: LedgerData) -> list[str]:
    n_claims = int((data.entries["status"] == PASSED).sum())
    n_false = int((data.entries["status"] == FALSE).sum())
    return [f"{len(data.accounts)} 个账户，计分申报 {n_claims} 条，虚假申报 {n_false} 条，"
            f"兑换成功 {len(data.redemptions)} 笔，拒绝 {len(data.refused)} 笔，转移 {len(data.transfers)} 次。"]

