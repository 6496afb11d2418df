"""Village household points (SPEC V-1…V-10) on the common engine.

Reading: `设置`, `农户名册`, `评议小组`, `规则`, `评议记录` → ``VillageData`` (households,
panels, rules, entries frame, problems). Computing: the quarterly summary and notice (V-4,
V-8) and the annual totals, star rating and notice (V-3, V-7, V-10) as ``OutputSheet``
objects. Everything here is pure: it sees RawSheets, never a workbook file.

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
* 申报 rows (V-9) need 证明材料 (错误 without) and count, even provisionally, only once a
  评议小组 is named on them (before that: a 提示, not counted).
* Records for an opted-out household (V-1) are 提示, not counted; records of an annual rule
  dated outside the workbook's year (`年度`, else the year of the latest record) are 错误.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import re
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd

from ...book.charts import ChartSpec
from ...book.sheets import OutputSheet
from ...core.engine import EntryBuilder, Rule, Subject
from ...core.checks import UniqueBy
from ...core.ids import IdMatcher, match_records
from ...core.periods import Period, quarter, quarter_of, year as year_period
from ...core.points import from_cents, to_cents
from ...core import clock, reversals
from ...core.problems import ERROR, NOTICE, Problem
from ...core.ranking import RANK, competition_rank, star_for
from ...core.table import Col, RawSheet, Setting, parse_settings, parse_table

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
    Setting("年度", "count", None),
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
]

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
    row: int = 0                                      # first row of the panel


@dataclass(frozen=True)
class NoticeRecord:
    """One row of `公示记录` (V-8): the notice of one quarter or year as the clerk posted it."""
    label: str               # 2026Q3 or 2026
    start: date
    end: date
    reported: date | None    # 上报日期: the day the final result went to the town
    row: int


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
    notices: dict[str, NoticeRecord] = field(default_factory=dict)   # 公示记录 by 期次
    has_notice_log: bool = False       # False: a workbook from before 公示记录 existed
    matchers: dict[str, IdMatcher] = field(default_factory=dict)   # 户号 / 代码 as typed (issue #14)

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


# ---- reading ---------------------------------------------------------------------------------

def load(sheets: dict[str, RawSheet | None]) -> VillageData:
    """Parse and validate every input sheet; build the entries frame (V-1…V-6, V-9, C-2, C-6)."""
    problems: list[Problem] = []
    for name in (ROSTER, PANELS, RULES, RECORDS):
        if sheets.get(name) is None:
            problems.append(Problem(name, None, "", "", f"缺少工作表“{name}”，请使用乡村积分模板"))
    settings, probs = parse_settings(sheets.get(SETTINGS), SETTING_SCHEMA)
    problems += probs + check_star_cuts(settings)
    households, probs = read_roster(sheets.get(ROSTER))
    problems += probs + check_group_sizes(households, settings["每组户数上限"])
    panels, probs = read_panels(sheets.get(PANELS))
    problems += probs + check_panel_sizes(panels, settings["评议小组最少人数"])
    rules, probs = read_rules(sheets.get(RULES))
    problems += probs
    recs, probs = parse_table(sheets[RECORDS], RECORD_COLS) if sheets.get(RECORDS) is not None else ([], [])
    problems += probs
    data = VillageData(settings, households, panels, rules, EntryBuilder().frame(), problems)
    problems += match_ids(data, recs)     # issue #14: ids as typed, before 冲正 pairs
    pairs, probs = reversals.match_reversals(recs, RECORDS, ("户号", "代码"))   # C-9
    problems += probs
    ordinary = reversals.ordinary_rows([r["_row"] for r in recs], [r.get("冲正") for r in recs], pairs)
    dates = [r["日期"] for r, ok in zip(recs, ordinary) if r.get("日期") and ok]
    data.latest = max(dates) if dates else None
    data.year = settings["年度"] or (data.latest.year if data.latest else None)
    builder = EntryBuilder()
    problems += record_entries(data, recs, builder, pairs)
    data.entries = builder.frame()
    reversals.cancel_rows(data.entries, RECORDS, pairs)
    data.notices, probs = read_notice_log(sheets.get(NOTICE_LOG), settings["公示天数"])
    data.has_notice_log = sheets.get(NOTICE_LOG) is not None
    problems += probs
    problems[:] = reversals.soften_reversed(problems, RECORDS, pairs)
    return data


PERIOD_LABEL = re.compile(r"(\d{4})(?:Q([1-4]))?")


def period_of_label(label: str) -> Period | None:
    """`2026Q3` → that quarter, `2026` → that year (the 期次 of `公示记录`)."""
    m = PERIOD_LABEL.fullmatch(label)
    if not m:
        return None
    return quarter(int(m.group(1)), int(m.group(2))) if m.group(2) else year_period(int(m.group(1)))


def read_notice_log(raw: RawSheet | None, days: int) -> tuple[dict[str, NoticeRecord], list[Problem]]:
    """`公示记录` (V-8, C-8): one row per posted notice. An empty 公示结束 is 公示开始 +
    公示天数 − 1; the notice cannot start before its period does nor end before it starts,
    and the report to the town (上报日期) comes after the notice has ended."""
    if raw is None:
        return {}, []
    recs, problems = parse_table(raw, NOTICE_LOG_COLS)
    out: dict[str, NoticeRecord] = {}
    for r in recs:
        row, bad = r["_row"], r.get("_bad", set())
        label = (r["期次"] or "").strip().upper().replace("年", "").replace("季度", "")
        label = re.sub(r"^(\d{4})第?([1-4])$", r"\1Q\2", label)
        if not label:
            if r["公示开始"] is not None:
                problems.append(Problem(NOTICE_LOG, row, "期次", "", "请填写期次（如 2026Q3 或 2026）"))
            continue
        period = period_of_label(label)
        if period is None:
            problems.append(Problem(NOTICE_LOG, row, "期次", r["期次"],
                                    "期次应写成季度 2026Q3 或年度 2026"))
            continue
        if label in out:
            problems.append(Problem(NOTICE_LOG, row, "期次", label, f"期次重复（第{out[label].row}行已有）"))
            continue
        start = r["公示开始"]
        if start is None:
            if "公示开始" not in bad:
                problems.append(Problem(NOTICE_LOG, row, "公示开始", "",
                                        "请填写公示开始（张贴公示的日期）；还没有张贴就先不要登记这一行"))
            continue
        if start < period.start:
            problems.append(Problem(NOTICE_LOG, row, "公示开始", start,
                                    f"公示开始早于{label}本身（{period.start.isoformat()} 起），请核对期次和日期"))
            continue
        end = r["公示结束"] or start + timedelta(days=max(int(days), 1) - 1)
        if end < start:
            problems.append(Problem(NOTICE_LOG, row, "公示结束", end, "公示结束早于公示开始"))
            continue
        reported = r["上报日期"]
        if reported is not None and reported <= end:
            problems.append(Problem(NOTICE_LOG, row, "上报日期", reported,
                                    f"公示期到 {end.isoformat()} 结束，公示期满无异议后才能上报镇里"))
            continue
        out[label] = NoticeRecord(label, start, end, reported, row)
    return out, problems


def match_ids(data: VillageData, recs: list[dict]) -> list[Problem]:
    """户号 and 代码 as people type them (issue #14): lost leading zeros, other case, `代码 事项`."""
    hm = data.matchers["户号"] = IdMatcher((h.hid for h in data.households), what="户号",
                                          names={h.hid: h.head for h in data.households})
    cm = data.matchers["代码"] = IdMatcher(data.rules, what="代码",
                                          items={c: r.item for c, r in data.rules.items()})
    return match_records(recs, hm, RECORDS, "户号") + match_records(recs, cm, RECORDS, "代码")


def _hint(ctx, what: str, typed: str) -> str:
    m = ctx.data.matchers.get(what)
    return m.hint(typed) if m is not None else ""


def read_roster(raw: RawSheet | None) -> tuple[list[Household], list[Problem]]:
    if raw is None:
        return [], []
    recs, problems = parse_table(raw, ROSTER_COLS)
    ids = UniqueBy(raw.name, "户号")
    out = []
    for r in recs:
        hid = r["户号"]
        if not hid or not r["户主"] or not r["组"]:
            continue
        if repeat := ids.first(hid, r["_row"]):
            problems.append(repeat)
            continue
        part = r["参与"] if r["参与"] is not None else True
        out.append(Household(hid, r["户主"], r["组"], r["人口"], part, r["_row"]))
    return out, problems


def read_panels(raw: RawSheet | None) -> tuple[dict[str, Panel], list[Problem]]:
    if raw is None:
        return {}, []
    recs, problems = parse_table(raw, PANEL_COLS)
    panels: dict[str, Panel] = {}
    for r in recs:
        name, member = r["小组"], r["成员"]
        if not name or not member:
            continue
        p = panels.setdefault(name, Panel(name, row=r["_row"]))
        if member in p.members:
            problems.append(Problem(raw.name, r["_row"], "成员", member,
                                    f"评议小组“{name}”中成员重复，只计一次", NOTICE))
        else:
            p.members.append(member)
        if r["所在组"] and r["所在组"] not in p.groups:
            p.groups.append(r["所在组"])
    for p in panels.values():
        if len(p.groups) > 1:
            problems.append(Problem(raw.name, p.row, "所在组", "、".join(p.groups),
                                    f"评议小组“{p.name}”的成员来自多个组（{'、'.join(p.groups)}），"
                                    "交叉评议时该小组不能评议其中任何一个组的农户", NOTICE))
    return panels, problems


def default_period(category: str) -> str:
    """V-2: 环境整治 and 文明新风 are daily, the other three annual."""
    return DAILY if category in DAILY_CATEGORIES else ANNUAL


def read_rules(raw: RawSheet | None) -> tuple[dict[str, Rule], list[Problem]]:
    if raw is None:
        return {}, []
    recs, problems = parse_table(raw, RULE_COLS)
    rules: dict[str, Rule] = {}
    codes = UniqueBy(raw.name, "代码")      # the first valid row of a code wins
    for r in recs:
        code, cat, row = r["代码"], r["类别"], r["_row"]
        if not code:
            continue
        if repeat := codes.repeat(code, row):
            problems.append(repeat)
            continue
        if cat and cat not in CATEGORIES:
            problems.append(Problem(raw.name, row, "类别", cat, "类别只能是：" + "、".join(CATEGORIES)))
            continue
        if not cat:
            continue
        period = r["周期"] or default_period(cat)
        if period not in (DAILY, ANNUAL):
            problems.append(Problem(raw.name, row, "周期", period, "周期只能填“日常”或“年度”"))
            continue
        pts, low, high = (to_cents(r[k]) if r[k] is not None else None for k in ("分值", "最低分值", "最高分值"))
        if low is not None and high is not None and low > high:
            problems.append(Problem(raw.name, row, "最低分值", r["最低分值"], "最低分值大于最高分值"))
            continue
        rules[code] = Rule(code, cat, r["事项"] or "", pts, low, high, period=period, row=row)
        codes.keep(code, row)
    return rules, problems


# ---- sheet-wide checks (V-5, V-7) --------------------------------------------------------------

def check_star_cuts(settings: dict) -> list[Problem]:
    """V-7: the star shares must grow from 五星 to 三星."""
    a, b, c = settings["五星比例"], settings["四星比例"], settings["三星比例"]
    if a <= b <= c:
        return []
    return [Problem(SETTINGS, None, "值", f"{a}/{b}/{c}", "五星比例、四星比例、三星比例应依次不减（如 10%、20%、30%）")]


def check_group_sizes(households: list[Household], limit: int) -> list[Problem]:
    """V-5: a group holds at most 每组户数上限 participating households."""
    sizes: dict[str, list[Household]] = {}
    for h in households:
        if h.participating:
            sizes.setdefault(h.group, []).append(h)
    return [Problem(ROSTER, hs[limit].row, "组", g,
                    f"第“{g}”组有 {len(hs)} 户参与评议，超过每组户数上限 {limit} 户，请拆分为两个组")
            for g, hs in sizes.items() if len(hs) > limit]


def check_panel_sizes(panels: dict[str, Panel], minimum: int) -> list[Problem]:
    """V-5: each review panel has at least 评议小组最少人数 members."""
    return [Problem(PANELS, p.row, "小组", p.name,
                    f"评议小组“{p.name}”只有 {len(p.members)} 名成员，至少需要 {minimum} 人")
            for p in panels.values() if len(p.members) < minimum]


# ---- per-record checks (C-6, V-1, V-5, V-6, V-9, C-2) --------------------------------------------

@dataclass
class RecordContext:
    data: VillageData
    by_id: dict[str, Household]
    seen: dict[tuple, int] = field(default_factory=dict)


def _p(rec: dict, column: str, value, message: str, level: str = ERROR) -> Problem:
    return Problem(RECORDS, rec["_row"], column, value, message, level)


def check_date_present(rec: dict, ctx: RecordContext) -> Problem | None:
    """WORKBOOKS `评议记录`: 日期 is required (an unreadable one was reported by parse_table)."""
    if rec["日期"] is None and "日期" not in rec.get("_bad", set()):
        return _p(rec, "日期", "", "“日期”不能为空，请填写评议日期")
    return None


def check_household_known(rec: dict, ctx: RecordContext) -> Problem | None:
    """V-1: the 户号 is on `农户名册`."""
    hid = rec["户号"]
    if not hid:
        return _p(rec, "户号", "", "“户号”不能为空")
    if hid not in ctx.by_id:
        return _p(rec, "户号", hid, "农户名册中没有这个户号" + _hint(ctx, "户号", hid))
    return None


def check_household_participates(rec: dict, ctx: RecordContext) -> Problem | None:
    """V-1: an opted-out household is not scored; its records are noted and left out."""
    h = ctx.by_id[rec["户号"]]
    if not h.participating:
        return _p(rec, "户号", h.hid, f"{h.head}户未参与积分评议（参与为“否”），这条记录不计入", NOTICE)
    return None


def check_code_known(rec: dict, ctx: RecordContext) -> Problem | None:
    """C-2: the 代码 names a rule of `规则`."""
    code = rec["代码"]
    if not code:
        return _p(rec, "代码", "", "“代码”不能为空")
    if code not in ctx.data.rules:
        return _p(rec, "代码", code, "规则表中没有这个代码" + _hint(ctx, "代码", code))
    return None


def check_status(rec: dict, ctx: RecordContext) -> Problem | None:
    """V-6: the status is one of the five workflow words (blank means 初评)."""
    st = rec["状态"]
    if st and st not in STATUSES:
        return _p(rec, "状态", st, "状态只能是：" + "、".join(STATUSES))
    return None


def check_source(rec: dict, ctx: RecordContext) -> Problem | None:
    """V-9: 来源 is 评议 or 申报 (blank means 评议)."""
    src = rec["来源"]
    if src and src not in SOURCES:
        return _p(rec, "来源", src, "来源只能是“评议”或“申报”")
    return None


def check_declared_evidence(rec: dict, ctx: RecordContext) -> Problem | None:
    """V-9: a self-declaration comes with its 证明材料."""
    if rec["来源"] == DECLARED and not rec["证明材料"]:
        return _p(rec, "证明材料", "", "申报事项须提供证明材料：请在“证明材料”中写明（如 照片、证书、收据）")
    return None


def check_panel_known(rec: dict, ctx: RecordContext) -> Problem | None:
    """A reviewed entry names its panel; a declaration (V-9) counts — even provisionally —
    only once a panel has verified it (a 提示 that leaves it out before), and is an error
    when 已确认 without one."""
    name = rec["评议小组"]
    if not name:
        if (rec["来源"] or REVIEW) == DECLARED and (rec["状态"] or FIRST) != CONFIRMED:
            return _p(rec, "评议小组", "", "申报事项尚未由评议小组核实，暂不计分（核实后填写评议小组）", NOTICE)
        what = "申报事项经评议小组核实后才能确认" if rec["来源"] == DECLARED else "请填写评议小组"
        return _p(rec, "评议小组", "", f"“评议小组”不能为空：{what}")
    if name not in ctx.data.panels:
        return _p(rec, "评议小组", name, "评议小组表中没有这个小组")
    return None


def check_cross_review(rec: dict, ctx: RecordContext) -> Problem | None:
    """V-5: panels review crosswise — never a household of their own group."""
    name = rec["评议小组"]
    if not name:
        return None
    h = ctx.by_id[rec["户号"]]
    panel = ctx.data.panels[name]
    if h.group in panel.groups:
        return _p(rec, "评议小组", name,
                  f"评议小组“{name}”属于第“{h.group}”组，不能评议本组农户（{h.hid} {h.head}），应交叉评议")
    return None


def check_annual_in_year(rec: dict, ctx: RecordContext) -> Problem | None:
    """V-2, V-3: an annual assessment belongs to the workbook's year; daily records of
    another year are noted (they count only in that year's computations)."""
    y, d = ctx.data.year, rec["日期"]
    if y is None or d.year == y:
        return None
    rule = ctx.data.rules[rec["代码"]]
    if rule.period == ANNUAL:
        return _p(rec, "日期", d, f"“{rule.item}”是年度评议事项，日期应在 {y} 年内")
    return _p(rec, "日期", d, f"日期不在 {y} 年内，不计入 {y} 年的季度和年度结果", NOTICE)


def check_explicit_value(rec: dict, ctx: RecordContext) -> Problem | None:
    """C-2 / WORKBOOKS: an explicit 分值 replaces the rule's, within its range and sign."""
    rule = ctx.data.rules[rec["代码"]]
    if rec["分值"] is None:
        if rule.points is None and "分值" not in rec.get("_bad", set()):
            return _p(rec, "分值", "", f"“{rule.item}”的分值视情况而定，请填写分值")
        return None
    why = rule.check_explicit(to_cents(rec["分值"]))
    return _p(rec, "分值", rec["分值"], why) if why else None


def check_duplicate(rec: dict, ctx: RecordContext) -> Problem | None:
    """C-6: the same date, household, code, panel and note twice is a double entry."""
    key = (rec["日期"], rec["户号"], rec["代码"], rec["评议小组"], rec["备注"])
    if key in ctx.seen:
        return _p(rec, "", "", f"与第{ctx.seen[key]}行重复（同一日期、户号、代码、评议小组和备注）")
    ctx.seen[key] = rec["_row"]
    return None


RecordCheck = Callable[[dict, RecordContext], Problem | None]
# In order; a record stops at its first error (later checks rely on earlier ones).
RECORD_CHECKS: list[RecordCheck] = [
    check_date_present, check_household_known, check_code_known, check_status, check_source,
    check_declared_evidence, check_panel_known, check_household_participates, check_cross_review, check_annual_in_year,
    check_explicit_value, check_duplicate,
]
SKIPPING_CHECKS = (check_household_participates, check_panel_known)   # a 提示 that also leaves the record out


def record_entries(data: VillageData, recs: list[dict], builder: EntryBuilder,
                   reversed_rows: dict[int, int] | None = None) -> list[Problem]:
    """Every valid, non-reversal record row becomes one entry (count 1). A row a 冲正 names
    is checked too (its problems become one 提示, C-9) but never marks a later identical
    row as a duplicate."""
    problems: list[Problem] = []
    ctx = RecordContext(data, {h.hid: h for h in data.households})
    for rec in recs:
        if rec.get("冲正"):
            continue
        if rec.get("_bad") and rec["_bad"] & {"日期", "户号", "代码", "分值"}:
            continue   # already reported by parse_table
        skip = False
        seen = ctx.seen
        if reversed_rows and rec["_row"] in reversed_rows:
            ctx.seen = dict(seen)       # checked against earlier rows, but not remembered
        for check in RECORD_CHECKS:
            found = check(rec, ctx)
            if found is not None:
                problems.append(found)
                if found.level == ERROR or check in SKIPPING_CHECKS:
                    skip = True
                    break
        ctx.seen = seen
        if skip:
            continue
        h = ctx.by_id[rec["户号"]]
        rule = data.rules[rec["代码"]]
        subject = Subject(h.hid, h.head, data.base_total, groups=(("组", h.group),), row=h.row)
        each = to_cents(rec["分值"]) if rec["分值"] is not None else None
        builder.add(sheet=RECORDS, row=rec["_row"], date=rec["日期"], subject=subject, rule=rule,
                    each=each, source=rec["来源"] or REVIEW, status=rec["状态"] or FIRST,
                    ref=rec.get("编号") or "", note=rec["评议小组"] or "")
    return problems


# ---- computing -------------------------------------------------------------------------------

def _live(data: VillageData, start: date, end: date) -> pd.DataFrame:
    """Entries of participating households in [start, end], reversals removed."""
    e = data.entries
    sids = [h.hid for h in data.participants]
    return e[~e["cancelled"] & e["sid"].isin(sids) & (e["date"] >= start) & (e["date"] <= end)]


@dataclass
class Finality:
    """C-8, V-8: whether a period's result is final, and why not when it was asked for."""
    final: bool
    notice: NoticeRecord | None
    problems: list[Problem] = field(default_factory=list)


def finality(data: VillageData, period: Period, asked: bool = False) -> Finality:
    """A result is final only after the notice recorded in `公示记录` has ended with no open
    objection (year to date). Asked for (``--final`` / 正式结果), it is refused with a
    located 错误 for each missing step — the clock consulted only to refuse a notice not yet
    ended (a recorded 上报日期 says it has). Unasked: see ``_finality_unasked``."""
    rec = data.notices.get(period.label)
    if not asked:
        return _finality_unasked(data, period, rec)
    why: list[Problem] = []
    if rec is None:
        why.append(Problem(NOTICE_LOG, None, "期次", period.label,
                           f"没有 {period.label} 的公示记录：请先张贴公示，在“公示记录”登记公示开始日期，"
                           "公示期满无异议后再生成正式结果"
                           + ("" if data.has_notice_log else
                              "（本工作簿还没有“公示记录”工作表：请新建一张，表头为 期次、公示开始、公示结束、上报日期、备注）")))
    elif rec.reported is None and rec.end >= clock.today():   # the clock only refuses
        why.append(Problem(NOTICE_LOG, rec.row, "公示结束", rec.end,
                           f"公示期到 {rec.end.isoformat()} 才结束，公示期满无异议后才能生成正式结果"))
    why += _open_objections(data, period, "不能生成正式结果")
    return Finality(not why, rec, why)


def _open_objections(data: VillageData, period: Period, consequence: str, level: str = ERROR) -> list[Problem]:
    e = _live(data, date(period.end.year, 1, 1), period.end)
    e = e[e["status"] == OBJECTED]
    return [Problem(RECORDS, int(row), "状态", OBJECTED,
                    f"{sid}户的异议尚未处理（复核后改为已确认或已驳回），{consequence}", level)
            for row, sid in zip(e["row"], e["sid"])]


def _finality_unasked(data: VillageData, period: Period, rec: NoticeRecord | None) -> Finality:
    """Final without asking once the recorded notice has ended — reported to the town
    (上报日期), or its 公示结束 passed by the clock — with no open objection and, unless
    reported, every record of the year so far decided (no 初评/公示中 left, which a final
    result would silently drop). Otherwise 预公示, each reason after the notice a 提示."""
    if rec is None or (rec.reported is None and rec.end >= clock.today()):
        return Finality(False, rec)
    why = _open_objections(data, period, "结果仍为预公示", NOTICE)
    left = unconfirmed(data, period)
    if not why and rec.reported is None and left:
        why.append(Problem(RECORDS, None, "状态", "",
                           f"{period.label} 的公示期已满，还有 {left} 条初评或公示中的记录，结果仍为预公示："
                           "公示无异议的请改为“已确认”，或用 --final 只按已确认的记录生成正式结果", NOTICE))
    return Finality(not why, rec, why)


def unconfirmed(data: VillageData, period: Period) -> int:
    """Entries (year to date) a final result leaves out because nobody marked them 已确认."""
    e = _live(data, date(period.end.year, 1, 1), period.end)
    return int(e["status"].isin((FIRST, NOTICE_ST)).sum())


def counted(data: VillageData, start: date, end: date, final: bool) -> pd.DataFrame:
    """C-7, V-6: the entries that enter totals in the notice or the final version."""
    e = _live(data, start, end)
    return e[e["status"].isin(COUNTS_IN_FINAL if final else COUNTS_IN_NOTICE)]


def objections(data: VillageData, start: date, end: date) -> dict[str, int]:
    """V-6: open objections (有异议) per household; they block its finalisation."""
    e = _live(data, start, end)
    return e[e["status"] == OBJECTED].groupby("sid").size().astype(int).to_dict()


def category_sums(entries: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(household, category) → net cents."""
    if entries.empty:
        return {}
    return {k: int(v) for k, v in entries.groupby(["sid", "category"])["points"].sum().items()}


def as_of(data: VillageData, period: Period) -> date:
    """The latest counted record date in the period (its last day when it has none)."""
    e = _live(data, period.start, period.end)
    e = e[~e["cancelled"]]
    return e["date"].max() if len(e) else period.end


def notice_dates(data: VillageData, period: Period) -> tuple[date | None, date | None]:
    """V-8: the notice dates recorded in `公示记录`; (None, None) — blank lines to fill by
    hand — when the period has no record yet (never dates taken from the records)."""
    rec = data.notices.get(period.label)
    return (rec.start, rec.end) if rec else (None, None)


BLANK_DATE = "　　年　　月　　日"


def _notice_period(begin: date | None, end: date | None) -> str:
    if begin is None:
        return f"公示期 {BLANK_DATE} 至 {BLANK_DATE}"
    return f"公示期 {begin.isoformat()} 至 {end.isoformat()}"


def group_order(households: list[Household]) -> list[Household]:
    """V-4, V-8: households grouped by 组 (groups as first seen), roster order inside."""
    groups: dict[str, list[Household]] = {}
    for h in households:
        groups.setdefault(h.group, []).append(h)
    return [h for hs in groups.values() for h in hs]


@dataclass
class Standing:
    household: Household
    scores: dict[str, int]          # category → year-to-date score, cents
    season: dict[str, int]          # daily category → the period's adjustments, cents
    total: int
    rank: int = 0
    star: str = ""
    objections: int = 0

    @property
    def pending(self) -> str:
        return f"有异议 {self.objections} 条" if self.objections else ""


def standings(data: VillageData, period: Period, final: bool) -> list[Standing]:
    """V-3, V-4: per participating household the year-to-date category scores (base +
    entries from 1 January to the period's end), the period's daily adjustments, the total
    and its competition rank (C-4) among all participants (roster order)."""
    start = date(period.end.year, 1, 1)
    bases = data.bases
    ytd = category_sums(counted(data, start, period.end, final))
    season = category_sums(counted(data, period.start, period.end, final))
    blocked = objections(data, start, period.end)
    out = []
    for h in data.participants:
        scores = {c: bases[c] + ytd.get((h.hid, c), 0) for c in CATEGORIES}
        out.append(Standing(h, scores, {c: season.get((h.hid, c), 0) for c in DAILY_CATEGORIES},
                            sum(scores.values()), objections=blocked.get(h.hid, 0)))
    for s, r in zip(out, competition_rank([s.total for s in out])):
        s.rank = r
    return out


def rate_stars(data: VillageData, rows: list[Standing]) -> None:
    """V-7: with rank r among N participants, 五星 if r/N ≤ 五星比例, 四星 ≤ 四星比例,
    三星 ≤ 三星比例, only at or above the base total; an open objection withholds the star."""
    n, base, cuts = len(rows), data.base_total, data.cuts()
    for s in rows:
        s.star = "" if s.objections else star_for(s.rank, n, s.total, base, cuts)


def resolve_quarter(data: VillageData, yq: tuple[int, int] | None) -> Period | None:
    """The quarter asked, else the latest quarter with records (in the workbook's year)."""
    if yq:
        return quarter(*yq)
    live = data.entries.loc[~data.entries["cancelled"], "date"]     # C-9: not a cancelled row
    dates = [d for d in live if data.year is None or d.year == data.year]
    if dates:
        return quarter_of(max(dates))
    return quarter(data.year, 1) if data.year else None


def resolve_year(data: VillageData, y: int | None) -> Period | None:
    y = y or data.year
    return year_period(y) if y else None


def _cell(cents: int):
    return from_cents(cents)


def _version(final: bool) -> str:
    return FINAL_NOTICE if final else PRE_NOTICE


def _notice_sheet(name: str, columns: list[str], rows: list[list], title: str) -> OutputSheet:
    sheet = OutputSheet(name, columns, rows, title=title, landscape=True)
    widths = sheet.column_widths()
    widths[columns.index("异议")] = 30
    sheet.widths = widths
    return sheet


@dataclass
class PeriodResult:
    """The typed result of a quarter or a year (V-3…V-8): households in 公示 order (by 组,
    roster order inside) with their standings, and the notice's state and dates. Rendered into
    sheets by ``render_quarter`` / ``render_year``; the actions and the roll-up read it."""

    period: Period
    final: bool                     # C-8: 正式 (True) or 预公示
    standings: list[Standing]       # group order
    as_of: date
    notice_start: date
    notice_end: date

    @property
    def version(self) -> str:
        return _version(self.final)

    @property
    def pending(self) -> list[Standing]:
        """Households with open objections (V-6: their results wait)."""
        return [s for s in self.standings if s.objections]

    @property
    def starred(self) -> list[Standing]:
        """Starred households by rank (stable: roster order); empty for a quarter."""
        return sorted((s for s in self.standings if s.star), key=lambda s: s.rank)


def _result(data: VillageData, period: Period, final: bool, stars: bool) -> PeriodResult:
    rows = standings(data, period, final)
    if stars:
        rate_stars(data, rows)
    by_hid = {s.household.hid: s for s in rows}
    ordered = [by_hid[h.hid] for h in group_order(data.participants)]
    begin, end = notice_dates(data, period)
    return PeriodResult(period, final, ordered, as_of(data, period), begin, end)


def quarter_result(data: VillageData, period: Period, final: bool | None = None) -> PeriodResult:
    """V-4, V-6: one quarter's standings (year to date). ``final``: the result is final
    (``finality`` said so), None: as the data say (``finality`` unasked)."""
    if final is None:
        final = finality(data, period).final
    return _result(data, period, final, stars=False)


def year_result(data: VillageData, period: Period, final: bool | None = None) -> PeriodResult:
    """V-3, V-7: the year's standings with (pre-)rated stars; ``final`` as for ``quarter_result``."""
    if final is None:
        final = finality(data, period).final
    return _result(data, period, final, stars=True)


def render_quarter(data: VillageData, res: PeriodResult) -> list[OutputSheet]:
    """`季度汇总-<Q>` and `公示-<Q>` (V-4, V-8)."""
    period, ordered, begin, end, version = res.period, res.standings, res.notice_start, res.notice_end, res.version
    y, q = period.start.year, (period.start.month - 1) // 3 + 1
    stamp = res.as_of
    summary = [[s.household.hid, s.household.head, s.household.group,
                _cell(s.season[ENVIRONMENT]), _cell(s.season[CIVILITY]),
                *(_cell(s.scores[c]) for c in CATEGORIES), _cell(s.total), s.rank] for s in ordered]
    notice = [[s.household.group, s.household.hid, s.household.head, _cell(s.season[ENVIRONMENT]),
               _cell(s.season[CIVILITY]), *(_cell(s.scores[c]) for c in CATEGORIES), _cell(s.total), s.rank,
               s.pending, begin, end, ""]
              for s in ordered]
    head = f"{data.title}　{y}年第{q}季度"
    return [
        OutputSheet(quarter_sheet(period.label), QUARTER_COLS, summary, landscape=True,
                    title=f"{head}农户积分汇总（{version}，数据截至 {stamp.isoformat()}）"),
        _notice_sheet(notice_sheet(period.label), QUARTER_NOTICE_COLS, notice,
                      f"{head}农户积分公示（{version}）　{_notice_period(begin, end)}，"
                      "如有异议请在公示期内向村评议小组提出"),
    ]


def render_year(data: VillageData, res: PeriodResult) -> list[OutputSheet]:
    """`年度汇总-<Y>` (the table for the town office), `公示-<Y>`, and for a final year only
    (C-8) `星级评定-<Y>` (starred households with their 文明户 medal and the bank's credit
    list), between the two (V-3, V-7, V-8, V-10)."""
    period, ordered, begin, end, version = res.period, res.standings, res.notice_start, res.notice_end, res.version
    stamp = res.as_of
    table = [[s.household.hid, s.household.head, s.household.group,
              *(_cell(s.scores[c]) for c in CATEGORIES), _cell(s.total), s.rank, s.star, s.pending]
             for s in ordered]
    stars = [[s.household.hid, s.household.head, s.household.group, _cell(s.total), s.rank, s.star,
              MEDALS[s.star], "是"] for s in res.starred]
    notice = [[s.household.group, s.household.hid, s.household.head,
               *(_cell(s.scores[c]) for c in CATEGORIES), _cell(s.total), s.rank, s.star,
               s.pending, begin, end, ""] for s in ordered]
    head = f"{data.title}　{period.label}年度"
    outs = [OutputSheet(year_sheet(period.label), YEAR_COLS, table, landscape=True,
                        title=f"{head}农户积分汇总（{version}，数据截至 {stamp.isoformat()}）")]
    if res.final:
        outs.append(OutputSheet(star_sheet(period.label), STAR_COLS, stars,
                                title=f"{head}星级文明户评定（{version}）：三星及以上颁发奖牌，星级户列入信用户名单"))
    outs.append(_notice_sheet(notice_sheet(period.label), YEAR_NOTICE_COLS, notice,
                              f"{head}农户积分及评星公示（{version}）　{_notice_period(begin, end)}，"
                              "如有异议请在公示期内向村评议小组提出；公示无异议后上报镇乡村治理领导小组办公室"))
    return outs


def quarter_outputs(data: VillageData, period: Period, final: bool | None = None) -> list[OutputSheet]:
    """V-4, V-6, V-8: `季度汇总-<Q>` and `公示-<Q>` for one quarter."""
    return render_quarter(data, quarter_result(data, period, final))


def year_outputs(data: VillageData, period: Period, final: bool | None = None) -> list[OutputSheet]:
    """V-3, V-7, V-8, V-10: `年度汇总-<Y>`, (final only) `星级评定-<Y>`, `公示-<Y>`."""
    return render_year(data, year_result(data, period, final))


# ---- by-group summary with charts (issue #9) ---------------------------------------------------

GROUPS_PREFIX = "分组统计-"
GROUP_COLS = ["组", "户数", "平均总分", "最高分", "最低分", *STARS]


def group_charts(columns: list[str]) -> list[ChartSpec]:
    """Charts of `分组统计-<Q|Y>`: average total per group, star households per group (V-4, V-7)."""
    out = [ChartSpec("各组平均总分（累计至本期）", "组", ["平均总分"], y_title="分", labels=True)]
    if all(s in columns for s in STARS):
        out.append(ChartSpec("各组星级户数", "组", list(STARS), stacked=True, y_title="户"))
    return out




def group_outputs(table: OutputSheet, label: str) -> list[OutputSheet]:
    """`分组统计-<label>` from a `季度汇总`/`年度汇总` sheet: per group (in table order) the
    households, exact average, highest and lowest year-to-date total and star counts (V-4,
    V-7), with native charts below the data. Stars are counted only where the table has them."""
    total_col = "年度总分" if "年度总分" in table.columns else "累计总分"
    ti, gi = table.columns.index(total_col), table.columns.index("组")
    si = table.columns.index("星级") if "星级" in table.columns else None
    groups: dict[str, list] = {}
    for r in table.rows:
        groups.setdefault(r[gi], []).append(r)
    rows = []
    for g, rs in groups.items():
        cents = [to_cents(Decimal(str(r[ti]))) for r in rs]
        avg = (Decimal(sum(cents)) / len(cents) / 100).quantize(Decimal("0.01"))
        stars = [sum(1 for r in rs if si is not None and r[si] == st) for st in STARS]
        rows.append([g, len(rs), avg.normalize() if avg == avg.to_integral() else avg,
                     from_cents(max(cents)), from_cents(min(cents))] + (stars if si is not None else []))
    cols = GROUP_COLS if si is not None else GROUP_COLS[:5]
    head = table.title.replace("农户积分汇总", "分组统计")
    return [OutputSheet(GROUPS_PREFIX + label, cols, rows, title=head, charts=group_charts(cols))]
