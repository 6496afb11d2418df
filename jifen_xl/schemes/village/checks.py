"""Village reading and checks (SPEC V-1, V-2, V-5, V-6, V-8, V-9, C-2, C-6, C-9).

`load` parses every input sheet into ``VillageData``: the sheet-wide checks of the settings,
roster and panels (``TABLE_CHECKS``, each run once its sheet is read), the per-record checks of
`评议记录` (``RECORD_CHECKS``, in order) and `公示记录`. Pure: it sees RawSheets, never a file.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
import re
from datetime import timedelta

from ...core.engine import EntryBuilder, Rule, Subject
from ...core.checks import UniqueBy, run_row_checks
from ...core.ids import IdMatcher, match_records
from ...core.points import to_cents
from ...core import reversals
from ...core.problems import ERROR, NOTICE, Problem
from ...core.table import RawSheet, parse_settings, parse_table
from .model import (
    ANNUAL, CATEGORIES, CONFIRMED, DAILY, DECLARED, FIRST, MEETING_COLS, NOTICE_LOG, NOTICE_LOG_COLS, PANELS,
    PANEL_COLS, RECORDS, RECORD_COLS, REVIEW, ROSTER, ROSTER_COLS, RULES, RULE_COLS, SETTINGS,
    SETTING_SCHEMA, SOURCES, STATUSES, Household, NoticeRecord, Panel, VillageData, default_period,
    period_of_label
)


# ---- reading ---------------------------------------------------------------------------------

def load(sheets: dict[str, RawSheet | None]) -> VillageData:
    """Parse and validate every input sheet; build the entries frame (V-1…V-6, V-9, C-2, C-6)."""
    problems: list[Problem] = []
    for name in (ROSTER, PANELS, RULES, RECORDS):
        if sheets.get(name) is None:
            problems.append(Problem(name, None, "", "", f"缺少工作表“{name}”，请使用乡村积分模板"))
    settings, probs = parse_settings(sheets.get(SETTINGS), SETTING_SCHEMA)
    data = VillageData(settings, [], {}, {}, EntryBuilder().frame(), problems)
    problems += probs + table_checks(data, SETTINGS)
    data.households, probs = read_roster(sheets.get(ROSTER))
    problems += probs + table_checks(data, ROSTER)
    data.panels, probs = read_panels(sheets.get(PANELS))
    problems += probs + table_checks(data, PANELS)
    data.rules, probs = read_rules(sheets.get(RULES))
    problems += probs
    recs, probs = parse_table(sheets[RECORDS], RECORD_COLS) if sheets.get(RECORDS) is not None else ([], [])
    problems += probs
    problems += match_ids(data, recs)     # ids as typed, before 冲正 pairs
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
    when = {r["_row"]: r.get("日期") for r in recs}
    data.corrections = {rev: (when.get(rev), orig) for orig, rev in pairs.items()}   # C-8: dated changes
    data.notices, probs = read_notice_log(sheets.get(NOTICE_LOG), settings["公示天数"])
    data.has_notice_log = sheets.get(NOTICE_LOG) is not None
    problems += probs
    problems[:] = reversals.soften_reversed(problems, RECORDS, pairs)
    return data


def read_notice_log(raw: RawSheet | None, days: int) -> tuple[dict[str, NoticeRecord], list[Problem]]:
    """`公示记录` (V-8, V-11, C-8): one row per posted notice; a period noticed again has
    several rows and the one with the latest 公示开始 is in force. An empty 公示结束 is
    公示开始 + 公示天数 − 1; the notice cannot start before its period does nor end before
    it starts, and the report to the town (上报日期) comes after the notice has ended. The
    annual period's review meeting (审议日期 …) is read here and judged by ``finality``."""
    if raw is None:
        return {}, []
    recs, problems = parse_table(raw, NOTICE_LOG_COLS)
    rows: dict[str, list[NoticeRecord]] = {}
    for r in recs:
        rec = _notice_row(r, days, rows, problems)
        if rec is not None:
            rows.setdefault(rec.label, []).append(rec)
    return {label: _in_force(recs_of) for label, recs_of in rows.items()}, problems


def _notice_row(r: dict, days: int, seen: dict[str, list[NoticeRecord]],
                problems: list[Problem]) -> NoticeRecord | None:
    """One `公示记录` row, or None with its problem appended."""
    row, bad = r["_row"], r.get("_bad", set())
    label = (r["期次"] or "").strip().upper().replace("年", "").replace("季度", "")
    label = re.sub(r"^(\d{4})第?([1-4])$", r"\1Q\2", label)
    if not label:
        if r["公示开始"] is not None:
            problems.append(Problem(NOTICE_LOG, row, "期次", "", "请填写期次（如 2026Q3 或 2026）"))
        return None
    period = period_of_label(label)
    if period is None:
        problems.append(Problem(NOTICE_LOG, row, "期次", r["期次"], "期次应写成季度 2026Q3 或年度 2026"))
        return None
    start = r["公示开始"]
    if start is None:
        if "公示开始" not in bad:
            problems.append(Problem(NOTICE_LOG, row, "公示开始", "",
                                    "请填写公示开始（张贴公示的日期）；还没有张贴就先不要登记这一行"))
        return None
    same = next((x for x in seen.get(label, []) if x.start == start), None)
    if same is not None:
        problems.append(Problem(NOTICE_LOG, row, "期次", label,
                                f"期次重复（第{same.row}行已有同一天开始的公示）；重新公示请填新的公示开始日期"))
        return None
    if start < period.start:
        problems.append(Problem(NOTICE_LOG, row, "公示开始", start,
                                f"公示开始早于{label}本身（{period.start.isoformat()} 起），请核对期次和日期"))
        return None
    end = r["公示结束"] or start + timedelta(days=max(int(days), 1) - 1)
    if end < start:
        problems.append(Problem(NOTICE_LOG, row, "公示结束", end, "公示结束早于公示开始"))
        return None
    reported = r["上报日期"]
    if reported is not None and reported <= end:
        problems.append(Problem(NOTICE_LOG, row, "上报日期", reported,
                                f"公示期到 {end.isoformat()} 结束，公示期满无异议后才能上报镇里"))
        return None
    rec = NoticeRecord(label, start, end, reported, row)
    meeting = {c: r.get(c) for c in MEETING_COLS}
    if not rec.annual:
        filled = [c for c in MEETING_COLS if meeting[c] not in (None, "")]
        if filled:
            problems.append(Problem(NOTICE_LOG, row, filled[0], meeting[filled[0]],
                                    "审议会议只在年度公示前召开（期次填年度，如 2026）；季度公示的这几列不使用", NOTICE))
        return rec
    if meeting["审议日期"] is not None and not meeting["包村领导"]:
        problems.append(Problem(NOTICE_LOG, row, "包村领导", "",
                                "请填写参加审议会议并进行监督的包村领导", NOTICE))
    return NoticeRecord(label, start, end, reported, row, meeting["审议日期"],
                        row if meeting["审议日期"] is not None else None, meeting["参加人数"],
                        meeting["包村领导"] or "", meeting["修改意见"] or "")


def _in_force(recs: list[NoticeRecord]) -> NoticeRecord:
    """C-8: the notice with the latest 公示开始 is in force. V-11: its meeting is the one on
    its own row, else the latest recorded on an earlier row of the same year."""
    current = max(recs, key=lambda x: (x.start, x.row))
    if current.meeting is None:
        held = [x for x in recs if x.meeting is not None]
        if held:
            last = max(held, key=lambda x: (x.meeting, x.row))
            current = replace(current, meeting=last.meeting, meeting_row=last.meeting_row,
                              attendees=last.attendees, leader=last.leader, opinions=last.opinions)
    return current


def match_ids(data: VillageData, recs: list[dict]) -> list[Problem]:
    """户号 and 代码 as people type them: lost leading zeros, other case, `代码 事项`."""
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
        if r["身份"]:
            p.roles.append(r["身份"])
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

def check_star_cuts(data: VillageData) -> list[Problem]:
    """V-7: the star shares must grow from 五星 to 三星."""
    a, b, c = data.settings["五星比例"], data.settings["四星比例"], data.settings["三星比例"]
    if a <= b <= c:
        return []
    return [Problem(SETTINGS, None, "值", f"{a}/{b}/{c}", "五星比例、四星比例、三星比例应依次不减（如 10%、20%、30%）")]


def check_group_sizes(data: VillageData) -> list[Problem]:
    """V-5: a group holds at most 每组户数上限 participating households."""
    limit = data.settings["每组户数上限"]
    sizes: dict[str, list[Household]] = {}
    for h in data.households:
        if h.participating:
            sizes.setdefault(h.group, []).append(h)
    return [Problem(ROSTER, hs[limit].row, "组", g,
                    f"第“{g}”组有 {len(hs)} 户参与评议，超过每组户数上限 {limit} 户，请拆分为两个组")
            for g, hs in sizes.items() if len(hs) > limit]


def check_panel_sizes(data: VillageData) -> list[Problem]:
    """V-5: each review panel has at least 评议小组最少人数 members."""
    minimum = data.settings["评议小组最少人数"]
    return [Problem(PANELS, p.row, "小组", p.name,
                    f"评议小组“{p.name}”只有 {len(p.members)} 名成员，至少需要 {minimum} 人")
            for p in data.panels.values() if len(p.members) < minimum]


COMMITTEE_WORDS = ("两委", "支部", "支委", "村委", "书记", "村主任")   # V-12: 村“两委”
SUPERVISION_WORDS = ("监督", "监委")                                  # V-12: 村务监督委员会


def _role_parts(role: str) -> list[str]:
    return [x for x in re.split(r"[、,，/／;；\s]+", role) if x]


def is_supervisor(role: str) -> bool:
    """V-12: the 身份 names the 村务监督委员会 (监督委员会成员, 监委会主任 …)."""
    return any(w in part for part in _role_parts(role) for w in SUPERVISION_WORDS)


def is_committee(role: str) -> bool:
    """V-12: the 身份 names the village's 两委 (村两委, 支部书记, 村委委员 …), not the 监委."""
    return any(any(w in part for w in COMMITTEE_WORDS) and not any(w in part for w in SUPERVISION_WORDS)
               for part in _role_parts(role))


def check_panel_makeup(data: VillageData) -> list[Problem]:
    """V-12: a panel is made of 两委 members, group leaders, 村务监督委员会 members and
    党员群众代表 — a panel without a 两委 member or without a 监督委员会 member is a 提示."""
    out = []
    for p in data.panels.values():
        shown = "、".join(dict.fromkeys(p.roles))
        for test, who in ((is_committee, "村“两委”成员"), (is_supervisor, "村务监督委员会成员")):
            if not any(test(role) for role in p.roles):
                out.append(Problem(PANELS, p.row, "身份", shown,
                                   f"评议小组“{p.name}”没有{who}（按“身份”列）：评议小组应由村“两委”成员、小组长、"
                                   "村务监督委员会成员、党员群众代表等组成", NOTICE))
    return out


TableCheck = Callable[[VillageData], list[Problem]]
# The sheet-wide checks by the sheet they check, each run as soon as `load` has read that sheet
# (so 校验 lists a sheet's problems in the order the sheets are read), in this order.
TABLE_CHECKS: dict[str, list[TableCheck]] = {
    SETTINGS: [check_star_cuts],
    ROSTER: [check_group_sizes],
    PANELS: [check_panel_sizes, check_panel_makeup],
}


def table_checks(data: VillageData, sheet: str) -> list[Problem]:
    """The problems of ``sheet``'s TABLE_CHECKS."""
    return [p for check in TABLE_CHECKS.get(sheet, ()) for p in check(data)]


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
# In order (core.checks.run_row_checks); a record stops at its first error (later checks rely
# on earlier ones), and only AFTER_ERROR's checks go on.
RECORD_CHECKS: list[RecordCheck] = [
    check_date_present, check_household_known, check_code_known, check_status, check_source,
    check_declared_evidence, check_panel_known, check_household_participates, check_cross_review, check_annual_in_year,
    check_explicit_value, check_duplicate,
]
SKIPPING_CHECKS = (check_household_participates, check_panel_known)   # a 提示 that also leaves the record out


def _sound(*columns: str) -> Callable[[dict, RecordContext], bool]:
    """The record's ``columns`` were read (parse_table did not reject them)."""
    return lambda rec, ctx: not (rec.get("_bad") and rec["_bad"] & set(columns))


def _known(rec: dict, ctx: RecordContext) -> bool:
    return rec["户号"] in ctx.by_id and not (rec.get("_bad") and "户号" in rec["_bad"])


def _rule_known(rec: dict, ctx: RecordContext) -> bool:
    return rec["代码"] in ctx.data.rules and not (rec.get("_bad") and "代码" in rec["_bad"])


# After an 错误 these still run when the cells they read are sound, so that every problem of a
# record is reported in one run; a double entry waits for a record without errors.
AFTER_ERROR: dict[RecordCheck, Callable[[dict, RecordContext], bool]] = {
    check_date_present: _sound("日期"),
    check_household_known: _sound("户号"),
    check_code_known: _sound("代码"),
    check_status: _sound("状态"),
    check_source: _sound("来源"),
    check_declared_evidence: _sound("来源", "证明材料"),
    check_panel_known: _sound("评议小组", "来源", "状态"),
    check_household_participates: _known,
    check_cross_review: lambda rec, ctx: _known(rec, ctx) and rec["评议小组"] in ctx.data.panels,
    check_annual_in_year: lambda rec, ctx: rec["日期"] is not None and _rule_known(rec, ctx),
    check_explicit_value: lambda rec, ctx: _rule_known(rec, ctx) and _sound("分值")(rec, ctx),
}


def _stops(check: RecordCheck, found: Problem) -> bool:
    return found.level == ERROR or check in SKIPPING_CHECKS


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
        # a cell parse_table could not read was reported there: the row is stopped already
        unread = bool(rec.get("_bad") and rec["_bad"] & {"日期", "户号", "代码", "分值"})
        seen = ctx.seen
        if reversed_rows and rec["_row"] in reversed_rows:
            ctx.seen = dict(seen)       # checked against earlier rows, but not remembered
        found, skip = run_row_checks(RECORD_CHECKS, (rec, ctx), stops=_stops, after_error=AFTER_ERROR,
                                     stopped=unread)
        problems += found
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


