"""School class points (SPEC S-1…S-12) on the common engine.

Reading: `设置`, `名册`, `规则`, `日志` (plus derived sources such as dorm inspections and
exams, registered in ``DERIVED_SOURCES``) → ``SchoolData`` (subjects, rules, entries frame,
problems). Computing: week / month / semester outputs as ``OutputSheet`` objects.
Everything here is pure: it sees RawSheets, never a workbook file.
"""
from __future__ import annotations

import re

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pandas as pd

from ...book.charts import ChartSpec
from ...book.sheets import OutputSheet
from ...core import engine
from ...core.engine import EntryBuilder, LimitGroup, Rule, Subject
from ...core.checks import UniqueBy
from ...core.ids import IdMatcher, match_column
from ...core.periods import Period, month_cn, month_of, semester_cn, week_cn, week_of, weeks_between
from ...core.points import fmt, from_cents, to_cents
from ...core.problems import ERROR, NOTICE, Problem
from ...core import reversals
from ...core.ranking import (RANK, TIE_FEWER_DEDUCTIONS, TIE_SHARE, award_keys, bottom_mask,
                            competition_rank, tier_for_rank)
from ...core.table import (Col, Columns, RawSheet, Setting, gc_paused, parse_columns, parse_settings,
                          parse_table)
from . import dorms, exams
from .data import (DerivedSource, SchoolData, _merge_group, code_matcher,  # noqa: F401
                   default_cadre_double, student_matcher)

# ---- sheet schema (WORKBOOKS.md, school) ----------------------------------------------------

SETTINGS = "设置"
ROSTER = "名册"
RULES = "规则"
LOG = "日志"
WEEKLY = "周汇总"
SELF_STUDY = "上自习名单"
MONTHLY = "月报"
PARENT_MEETING = "家长约谈"
AWARDS = "学期奖励"
TREND = "周趋势"

WHOLE_CLASS = "全班"
TARGET_KINDS = ("宿舍", "小组")

SETTING_SCHEMA = [
    Setting("班级", "text", ""),
    Setting("学期开始", "date", None),
    Setting("学期结束", "date", None),
    Setting("基础分", "decimal", Decimal(80)),
    Setting("班干部基础分", "decimal", Decimal(85)),
    Setting("班干部倍数", "decimal", Decimal(2)),
    Setting("周起始", "weekday", 0),
    Setting("奖励人数", "count", 15),
    Setting("一等人数", "count", 3),
    Setting("二等人数", "count", 5),
    Setting("三等人数", "count", 7),
    Setting("并列处理", "choice", TIE_SHARE, (TIE_SHARE, TIE_FEWER_DEDUCTIONS)),
    Setting("约谈后几名", "count", 3),
    Setting("约谈月扣分", "decimal", Decimal(10)),
    # dorm streaks and exams (S-5, S-9)
    Setting("周全优加分", "decimal", Decimal(1)),
    Setting("周三特优加分", "decimal", Decimal(1)),
    Setting("月全优加分", "decimal", Decimal(1)),
    Setting("月考前5名", "decimal", Decimal(3)),
    Setting("月考6至10名", "decimal", Decimal(2)),
    Setting("月考11至15名", "decimal", Decimal(1)),
    Setting("进步前5名", "decimal", Decimal(1)),
    Setting("退步前5名", "decimal", Decimal(-1)),
    Setting("单科第一", "decimal", Decimal(3)),
]

ROSTER_COLS = [
    Col("学号", "id", required=True, optional_column=False),
    Col("姓名", "text", required=True, optional_column=False),
    Col("职务", "multi", default=[]),
    Col("宿舍", "id"),
    Col("小组", "id"),
    Col("在籍", "bool", default=True),
]
RULE_COLS = [
    Col("代码", "id", required=True, optional_column=False),
    Col("类别", "text", default=""),
    Col("事项", "text", default=""),
    Col("分值", "decimal", optional_column=False),
    Col("最低分值", "decimal"),
    Col("最高分值", "decimal"),
    Col("班干部加倍", "bool"),
    Col("限额组", "text", default=""),
    Col("周限额", "count"),
    Col("顺延", "bool", default=True),
    Col("负责人", "text", default=""),
    Col("备注", "text", default=""),
]
LOG_COLS = [
    Col("日期", "date", required=True, optional_column=False),
    Col("对象", "id", optional_column=False),
    Col("姓名", "text"),
    Col("代码", "id", optional_column=False),
    Col("事项", "text"),
    Col("次数", "count", default=1),
    Col("分值", "decimal"),
    Col("记录人", "text", default=""),
    Col("备注", "text", default=""),
    Col("编号", "id"),
    Col("冲正", "id"),
]

WEEKLY_COLS = ["周开始", "学号", "姓名", "加分", "减分", "净分", "累计总分", "明细"]
SELF_STUDY_COLS = ["周开始", "学号", "姓名", "原因"]
MONTHLY_COLS = ["月份", "学号", "姓名", "加分", "减分", "净分", "累计总分", RANK, "家长评语", "明细"]
PARENT_COLS = ["月份", "学号", "姓名", "累计总分", "本月减分"]
AWARD_COLS = [RANK, "学号", "姓名", "总分", "奖项", "特等", "状态"]
PROVISIONAL, FINAL = "暂定", "正式"     # C-8, S-11: the award list before / after 学期结束
SPECIAL_AWARD = "特等奖"
TIERS = ("一等奖", "二等奖", "三等奖")


# the derived sources, in the order they add entries (S-4/S-5 dorms, S-9 exams)
DERIVED_SOURCES: tuple[DerivedSource, ...] = (dorms.derive, exams.derive)

SHEETS_READ = [SETTINGS, ROSTER, RULES, LOG]
EXPECTED_HEADERS = {
    SETTINGS: ["项目", "值"],
    ROSTER: [c.header for c in ROSTER_COLS],
    RULES: [c.header for c in RULE_COLS],
    LOG: [c.header for c in LOG_COLS],
    **dorms.EXPECTED_HEADERS,
    **exams.EXPECTED_HEADERS,
}


# ---- reading ---------------------------------------------------------------------------------

def load(sheets: dict[str, RawSheet]) -> SchoolData:
    """Parse and validate every input sheet; build the entries frame (S-1…S-4, C-2, C-6)."""
    with gc_paused():     # issue #7: no collector passes over 200,000 fresh records
        return _load(sheets)


def _load(sheets: dict[str, RawSheet]) -> SchoolData:
    problems: list[Problem] = []
    for name in (ROSTER, RULES, LOG):
        if sheets.get(name) is None:
            problems.append(Problem(name, None, "", "", f"缺少工作表“{name}”，请使用班级积分模板"))
    settings, probs = parse_settings(sheets.get(SETTINGS), SETTING_SCHEMA)
    problems += probs
    subjects, probs = _read_roster(sheets.get(ROSTER), settings)
    problems += probs
    rules, groups, probs = _read_rules(sheets.get(RULES))
    problems += probs
    data = SchoolData(settings, subjects, rules, engine.EntryBuilder().frame(), problems,
                      groups, raw=sheets)
    log_recs, probs = _read_log_records(sheets.get(LOG))
    problems += probs
    problems += _match_ids(data, log_recs)     # issue #14: ids as typed, before 冲正 pairs
    pairs, probs = _match_reversals(log_recs)      # C-9: known before any row is checked
    problems += probs
    data.semester, data.latest = _semester(settings, log_recs, problems, pairs)
    builder = EntryBuilder()
    problems += _log_entries(data, log_recs, builder, pairs)
    for source in DERIVED_SOURCES:
        problems += source(data, sheets, builder)
    data.entries = builder.frame()
    reversals.cancel_rows(data.entries, LOG, pairs)
    problems += check_weekly_single(data)
    problems[:] = reversals.soften_reversed(problems, LOG, pairs)
    return data


def _read_roster(raw: RawSheet | None, settings: dict) -> tuple[list[Subject], list[Problem]]:
    if raw is None:
        return [], []
    recs, problems = parse_table(raw, ROSTER_COLS)
    base, cadre_base = to_cents(settings["基础分"]), to_cents(settings["班干部基础分"])
    ids = UniqueBy(raw.name, "学号")
    subjects = []
    for r in recs:
        sid = r["学号"]
        if not sid or not r["姓名"]:
            continue
        if repeat := ids.first(sid, r["_row"]):
            problems.append(repeat)
            continue
        posts = tuple(r["职务"] or ())
        groups = tuple((k, r[k]) for k in TARGET_KINDS if r.get(k))
        active = r["在籍"] if r["在籍"] is not None else True
        subjects.append(Subject(sid, r["姓名"], cadre_base if posts else base, bool(posts), active,
                                groups, posts, r["_row"]))
    return subjects, problems


def _read_rules(raw: RawSheet | None):
    if raw is None:
        return {}, {}, []
    recs, problems = parse_table(raw, RULE_COLS)
    rules: dict[str, Rule] = {}
    groups: dict[str, LimitGroup] = {}
    group_rows: dict[str, int] = {}
    codes = UniqueBy(raw.name, "代码")
    for r in recs:
        code = r["代码"]
        if not code:
            continue
        if repeat := codes.first(code, r["_row"]):
            problems.append(repeat)
            continue
        pts, low, high = (to_cents(r[k]) if r[k] is not None else None for k in ("分值", "最低分值", "最高分值"))
        if low is not None and high is not None and low > high:
            problems.append(Problem(raw.name, r["_row"], "最低分值", r["最低分值"], "最低分值大于最高分值"))
        cd = r["班干部加倍"]
        if cd is None:
            cd = default_cadre_double(r["类别"] or "", r["事项"] or "")
        group = r["限额组"] or ""
        rule = Rule(code, r["类别"] or "", r["事项"] or "", pts, low, high, cd, group,
                    r["周限额"], r["顺延"] if r["顺延"] is not None else True, row=r["_row"])
        rules[code] = rule
        if group:
            problems += _merge_group(groups, group_rows, group, r["周限额"], rule.carry, raw.name, r["_row"])
    return rules, groups, problems


def _read_log_records(raw: RawSheet | None) -> tuple[Columns, list[Problem]]:
    """`日志` column by column (issue #7: no dict per row of a 200,000-row log)."""
    if raw is None:
        return Columns([], {c.header: [] for c in LOG_COLS}, {}), []
    return parse_columns(raw, LOG_COLS)


def _match_ids(data: SchoolData, log: Columns) -> list[Problem]:
    """学号 and 代码 as people type them (issue #14): lost leading zeros, other case, `代码 事项`."""
    rows = log.rows
    return (match_column(log.values["对象"], student_matcher(data), LOG, "对象", rows,
                         skip=lambda v: ":" in v or v == WHOLE_CLASS)
            + match_column(log.values["代码"], code_matcher(data), LOG, "代码", rows))


def _semester(settings: dict, log: Columns, problems: list[Problem], pairs: dict[int, int]):
    dates = [d for d in log.values["日期"] if d]
    # C-9: the default week/month follow the latest ordinary entry, never a 冲正 row's date
    ordinary = reversals.ordinary_rows(log.rows, log.values["冲正"], pairs)
    latest = max((d for d, ok in zip(log.values["日期"], ordinary) if d and ok), default=None)
    start, end = settings["学期开始"], settings["学期结束"]
    if start is None or end is None:
        if not dates:
            return None, latest
        problems.append(Problem(SETTINGS, None, "值", "",
                                "未填写学期开始/学期结束，暂以日志中最早和最晚的日期作为学期范围", NOTICE))
        start = start or min(dates)
        end = end or max(dates)
    if start > end:
        problems.append(Problem(SETTINGS, None, "值", end, "学期结束早于学期开始"))
    return Period(start, end, f"{start.isoformat()}～{end.isoformat()}"), latest


def parse_target(target: str) -> tuple[str, str]:
    """`学号` → ("学号", id); `宿舍:301` → ("宿舍", "301"); `全班` → ("全班", "")."""
    if target == WHOLE_CLASS:
        return WHOLE_CLASS, ""
    kind, sep, name = target.partition(":")
    if sep and kind.strip() in TARGET_KINDS:
        return kind.strip(), name.strip()
    return "学号", target


_NONE_BAD: frozenset = frozenset()


# ---- per-row checks of `日志` (C-2, C-6, S-1, S-4) ------------------------------------------------

class LogRow:
    """One `日志` row's column values (issue #7: built from the column-wise parse, no dict),
    plus what the checks resolve on the way: the rule, the target's kind and name, the
    students it names, the explicit points."""
    __slots__ = ("row", "date", "target", "who", "code", "item", "count", "value", "recorder",
                 "remark", "ref", "bad", "rule", "kind", "name", "members", "each")

    def __init__(self, row, d, target, who, code, item, count, value, recorder, remark, ref,
                 bad=_NONE_BAD):
        self.row, self.date, self.target, self.who, self.code, self.item = row, d, target, who, code, item
        self.count, self.value, self.recorder, self.remark, self.ref = count, value, recorder, remark, ref
        self.bad = bad
        self.rule = self.kind = self.name = self.each = None
        self.members = None


class LogContext:
    """What the `日志` checks read besides the row: the data, and the rows seen so far."""

    def __init__(self, data: SchoolData, reversed_rows: dict[int, int] | None = None):
        self.data = data
        self.by_id = data.by_id        # a property that builds the dict: once per run
        self.reversed_rows = reversed_rows
        self.seen: dict[tuple, int] = {}
        self.groups: dict = {}      # (kind, name) -> active members, for collective targets


def check_in_semester(r: LogRow, ctx: LogContext) -> Problem | None:
    """S-1: a record is dated within the semester (设置 学期开始～学期结束)."""
    sem, d = ctx.data.semester, r.date
    if d is not None and sem is not None and not (sem.start <= d <= sem.end):
        return Problem(LOG, r.row, "日期", d, f"日期不在本学期内（{sem.start}～{sem.end}）")
    return None


def check_target_present(r: LogRow, ctx: LogContext) -> Problem | None:
    """WORKBOOKS `日志`: 对象 is required (reported together with a blank 代码)."""
    if not r.target and "对象" not in r.bad:
        return Problem(LOG, r.row, "对象", "", "“对象”不能为空（填学号、宿舍:名、小组:名或全班）")
    return None


def check_code_present(r: LogRow, ctx: LogContext) -> Problem | None:
    """WORKBOOKS `日志`: 代码 is required."""
    if not r.code and "代码" not in r.bad:
        return Problem(LOG, r.row, "代码", "", "“代码”不能为空")
    return None


def check_code_known(r: LogRow, ctx: LogContext) -> Problem | None:
    """C-2: the 代码 names a rule of `规则`."""
    r.rule = rule = ctx.data.rules.get(r.code)
    if rule is None:
        return Problem(LOG, r.row, "代码", r.code, "规则表中没有这个代码" + code_matcher(ctx.data).hint(r.code))
    return None


def check_item_matches(r: LogRow, ctx: LogContext) -> Problem | None:
    """C-2: a typed 事项 agrees with the rule's."""
    if r.item and r.item != r.rule.item:
        return Problem(LOG, r.row, "事项", r.item, f"事项与规则表不一致（代码 {r.code} 是“{r.rule.item}”）")
    return None


def check_student_known(r: LogRow, ctx: LogContext) -> Problem | None:
    """S-4: a plain 学号 target is on `名册`."""
    target = r.target
    # parse_target, with its commonest case (a plain 学号) first
    r.kind, r.name = ("学号", target) if ":" not in target and target != WHOLE_CLASS else parse_target(target)
    if r.kind != "学号":
        return None
    s = ctx.by_id.get(target)
    if s is None:
        return Problem(LOG, r.row, "对象", target, "名册中没有这个学号" + student_matcher(ctx.data).hint(target))
    r.members = [s]
    return None


def check_name_matches(r: LogRow, ctx: LogContext) -> Problem | None:
    """S-4: a typed 姓名 agrees with `名册`."""
    if r.members is not None and r.who:
        s = r.members[0]
        if r.who != s.name:
            return Problem(LOG, r.row, "姓名", r.who, f"姓名与名册不一致（学号 {r.target} 是“{s.name}”）")
    return None


def check_student_active(r: LogRow, ctx: LogContext) -> Problem | None:
    """S-4: a student no longer enrolled is not scored (a 提示; the record is left out)."""
    if r.members is not None:
        s = r.members[0]
        if not s.active:
            return Problem(LOG, r.row, "对象", r.target, f"{s.name}已不在籍，这条记录不计入", NOTICE)
    return None


def check_collective_members(r: LogRow, ctx: LogContext) -> Problem | None:
    """S-4: 宿舍:名 / 小组:名 / 全班 expand to the active students they name — at least one."""
    if r.kind == "学号":
        return None
    kind, name, groups, data = r.kind, r.name, ctx.groups, ctx.data
    if name and kind != WHOLE_CLASS:
        if not groups:      # every active member of each dorm / group, built once
            for s in data.subjects:
                if s.active:
                    for k, v in dict(s.groups).items():
                        groups.setdefault((k, v), []).append(s)
            groups[None] = []
        members = groups.get((kind, name), [])
    else:
        members = engine.expand_target(r.target if kind == WHOLE_CLASS else f"{kind}:{name}",
                                       data.subjects, WHOLE_CLASS)
    if not members:
        return Problem(LOG, r.row, "对象", r.target,
                       f"名册中没有{kind}“{name}”的在籍学生" if name else "名册中没有在籍学生")
    r.members = members
    return None


def check_explicit_value(r: LogRow, ctx: LogContext) -> Problem | None:
    """C-2: an explicit 分值 replaces the rule's, within its range and sign; a rule without
    fixed points needs one."""
    rule = r.rule
    if r.value is not None:
        r.each = to_cents(r.value)
        why = rule.check_explicit(r.each)
        if why:
            return Problem(LOG, r.row, "分值", r.value, why)
    elif rule.points is None:
        return Problem(LOG, r.row, "分值", "", f"“{rule.item}”的分值视情况而定，请填写分值")
    return None


def check_duplicate(r: LogRow, ctx: LogContext) -> Problem | None:
    """C-6: the same date, target, code, recorder and note twice is a double entry; a
    re-entry after a 冲正 (C-9) is none."""
    key = (r.date, r.target, r.code, r.recorder, r.remark)
    seen = ctx.seen
    if key in seen:
        return Problem(LOG, r.row, "", "", f"与第{seen[key]}行重复（同一日期、对象、代码、记录人和备注）；"
                                           "同一事项多次请填“次数”")
    if not ctx.reversed_rows or r.row not in ctx.reversed_rows:
        seen[key] = r.row
    return None


LogCheck = Callable[[LogRow, LogContext], "Problem | None"]
# In order; a row stops at its first problem, except that a blank 对象 and a blank 代码 are
# reported together (REPORTED_TOGETHER); a row with a blank or unreadable required cell stops
# after check_code_present (parse_columns reported the unreadable ones).
LOG_CHECKS: list[LogCheck] = [
    check_in_semester, check_target_present, check_code_present, check_code_known, check_item_matches,
    check_student_known, check_name_matches, check_student_active, check_collective_members,
    check_explicit_value, check_duplicate,
]
REPORTED_TOGETHER = (check_target_present,)
LAST_CELL_CHECK = check_code_present


def _log_entries(data: SchoolData, log: Columns, builder: EntryBuilder,
                 reversed_rows: dict[int, int] | None = None) -> list[Problem]:
    """Every valid, non-reversal `日志` row becomes entries: LOG_CHECKS run in order, then
    one entry for a plain 学号 (the fast path, issue #7) or one per member of a group."""
    problems: list[Problem] = []
    mult = data.settings["班干部倍数"]
    ctx = LogContext(data, reversed_rows)
    append, simple = builder.records.append, builder.simple_entry(LOG, mult)
    bad_rows = log.bad
    columns = (log.values[c.header] for c in LOG_COLS)   # 日期, 对象, 姓名, 代码, 事项, 次数, 分值, 记录人, 备注, 编号, 冲正
    for idx, (row, d, target, who, code, item, count, value, recorder, remark, ref, rev) in enumerate(
            zip(log.rows, *columns)):
        if rev:
            continue  # reversal rows are checked in _apply_reversals
        bad = bad_rows.get(idx, _NONE_BAD) if bad_rows else _NONE_BAD
        r = LogRow(row, d, target, who, code, item, count, value, recorder, remark, ref, bad)
        incomplete = not target or not code or d is None or bad
        for check in LOG_CHECKS:
            found = check(r, ctx)
            if found is not None:
                problems.append(found)
                if check not in REPORTED_TOGETHER:
                    break
            if check is LAST_CELL_CHECK and incomplete:
                break
        else:
            rule, each = r.rule, r.each
            if r.kind == "学号":     # one student: EntryBuilder.add inlined (issue #7, 200,000 rows)
                append(simple(row, d, r.members[0], rule, count, each, ref or "", remark or ""))
                continue
            for s in r.members:
                builder.add(sheet=LOG, row=row, date=d, subject=s, rule=rule, count=count,
                            each=each, cadre_multiplier=mult, ref=ref or "",
                            note="，".join(x for x in (remark, target) if x))
    return problems


def _match_reversals(log: Columns) -> tuple[dict[int, int], list[Problem]]:
    """冲正 (issue #8, C-9): a row naming another row's 编号 cancels it; both stay visible.

    Only the rows match_reversals can act on become records, with only the fields it reads
    (issue #7): reversal rows, and numbered rows whose 编号 is repeated or named by a 冲正.
    A row with a unique 编号 that nothing reverses only ever sits in its lookup table."""
    v = log.values
    refs, revs = v["编号"], v["冲正"]
    wanted = {n for n in revs if n}
    seen: set = set()
    for n in refs:
        if n:
            if n in seen:
                wanted.add(n)
            else:
                seen.add(n)
    recs = [{"_row": row, "编号": ref, "冲正": rev, "对象": target, "代码": code}
            for row, ref, rev, target, code in zip(log.rows, refs, revs, v["对象"], v["代码"])
            if rev or (ref and ref in wanted)]
    return reversals.match_reversals(recs, LOG, ("对象", "代码"))


WEEKLY_SINGLE_MARKS = ("每周一人", "每周1人")


def check_weekly_single(data: SchoolData) -> list[Problem]:
    """The source's 每周评出优秀值日班长1人: a rule whose 事项 says 每周一人 may be given to
    one student once per week (S-8 weeks); every further counted row of that week is 错误."""
    codes = {r.code for r in data.rules.values() if any(m in r.item for m in WEEKLY_SINGLE_MARKS)}
    if not codes:
        return []
    e = engine.counted(data.entries)
    e = e[(e["sheet"] == LOG) & e["code"].isin(list(codes))]
    problems: list[Problem] = []
    first: dict[tuple, int] = {}
    first_wd = data.settings["周起始"]
    for row, d, code, sid, count, item in sorted(zip(e["row"], e["date"], e["code"], e["sid"], e["count"],
                                                      e["item"])):
        week = week_of(d, first_wd)
        key = (code, week.start)
        if count > 1:
            problems.append(Problem(LOG, row, "次数", count, f"“{item}”每周只评一人一次"))
        elif key in first and first[key] != row:
            problems.append(Problem(LOG, row, "对象", sid,
                                    f"“{item}”每周只评一人，{week.start.isoformat()} 这一周第{first[key]}行已登记"))
        first.setdefault(key, row)
    return problems


# ---- computing -------------------------------------------------------------------------------

_REVERSED_NOTE = re.compile(r"（已被第\d+行冲正）")


def _detail(entries: pd.DataFrame, start: date, end: date) -> dict[str, str]:
    """Per student, the period's entries as one readable line (source, item, points)."""
    e = entries[(entries["date"] >= start) & (entries["date"] <= end)]
    out: dict[str, list[str]] = {}
    e = e.sort_values(["date", "sheet", "row"], kind="stable")
    columns = [e[c].tolist() for c in ("date", "item", "count", "multiplier", "points", "source",
                                        "cancelled", "sid", "note")]   # plain lists: fast to walk
    for d, item, count, multiplier, points, source, cancelled, sid, note in zip(*columns):
        txt = f"{d.month}/{d.day} {item}"
        if note and source == LOG:        # the 备注 of the log row (e.g. why a discretionary value)
            note = _REVERSED_NOTE.sub("", note) if cancelled else note
            if note:
                txt += f"（{note}）"
        if count != 1:
            txt += f"×{count}"
        if multiplier != 1:
            txt += f"（班干部×{multiplier.normalize()}）"
        txt += " " + fmt(points, signed=True)
        if source and source != LOG:
            txt += f"[{source}]"
        if cancelled:
            txt = f"{txt}（已冲正，不计）"
        out.setdefault(sid, []).append(txt)
    return {k: "；".join(v) for k, v in out.items()}


def _as_of(data: SchoolData, end: date) -> str:
    dates = data.entries["date"]
    dates = dates[dates <= end]
    return (dates.max() if len(dates) else end).isoformat()


def week_label(data: SchoolData, week: Period) -> str:
    """第N周（9月7日—13日), N counted from the semester start (issue #16)."""
    first = data.semester.start if data.semester else None
    return week_cn(week, first, data.settings["周起始"])


def resolve_week(data: SchoolData, when: date | None) -> Period:
    d = when or data.latest or (data.semester.end if data.semester else date.today())
    return week_of(d, data.settings["周起始"])


def resolve_month(data: SchoolData, year_month: tuple[int, int] | None) -> Period:
    from ...core.periods import month

    if year_month:
        return month(*year_month)
    d = data.latest or (data.semester.end if data.semester else date.today())
    return month_of(d)


def _by_sid(totals: pd.DataFrame) -> dict[str, dict[str, int]]:
    """period_totals as {sid: {"add", "ded", "net"}} for per-student lookups (a DataFrame
    ``.loc`` per student costs more than the whole sum at 3,000 students; issue #7)."""
    return {sid: {"add": int(a), "ded": int(d), "net": int(n)}
            for sid, a, d, n in zip(totals.index, totals["add"].tolist(), totals["ded"].tolist(),
                                    totals["net"].tolist())}


# How the template's limit groups read on the self-study list (a clerk's own group names
# print as they are): 宿舍合格 counts duty that was only "passable" (the source deducts for
# it), so it must not read as a punishment for passing.
LIMIT_LABELS = {
    "宿舍合格": "宿舍值日仅评合格",
    "宿舍不合格": "宿舍或教室卫生不合格",
    "作业": "作业迟交或未交",
    "被子": "被子不合格",
    "就寝": "就寝不合格",
}


def week_outputs(data: SchoolData, week: Period) -> list[OutputSheet]:
    """S-8, S-6, S-7: `周汇总` for one week and that week's `上自习名单`."""
    subs = data.active
    sids = [s.sid for s in subs]
    tot = _by_sid(engine.period_totals(data.entries, sids, week.start, week.end))
    cum = _by_sid(engine.period_totals(data.entries, sids, None, week.end))
    detail = _detail(data.entries, week.start, week.end)
    rows = []
    for s in subs:
        t = tot[s.sid]
        rows.append([week.start, s.sid, s.name, from_cents(t["add"]), from_cents(t["ded"]),
                     from_cents(t["net"]), from_cents(s.base + cum[s.sid]["net"]), detail.get(s.sid, "")])
    first = data.semester.start if data.semester else week.start
    weeks = weeks_between(min(first, week.start), week.end, data.settings["周起始"])
    hits = [h for h in engine.weekly_limits(data.entries, data.limit_groups, weeks, sids)
            if h.week.start == week.start]
    names = {s.sid: s.name for s in subs}
    reasons: dict[str, list[str]] = {}
    for h in hits:
        reasons.setdefault(h.sid, []).append(h.reason(LIMIT_LABELS.get(h.group)))
    study = [[week.start, sid, names[sid], "；".join(rs)] for sid, rs in reasons.items()]
    head = f"{data.title}　{week_label(data, week)}（数据截至 {_as_of(data, week.end)}）"
    return [
        OutputSheet(WEEKLY, WEEKLY_COLS, rows, title=head + " 周汇总", landscape=True),
        OutputSheet(SELF_STUDY, SELF_STUDY_COLS, study, title=head + " 周日上自习名单"),
    ]


def month_outputs(data: SchoolData, month: Period) -> list[OutputSheet]:
    """S-10: `月报` (with an empty 家长评语 column) and the `家长约谈` list."""
    subs = data.active
    sids = [s.sid for s in subs]
    tot = _by_sid(engine.period_totals(data.entries, sids, month.start, month.end))
    cum = _by_sid(engine.period_totals(data.entries, sids, None, month.end))
    totals = [s.base + int(cum[s.sid]["net"]) for s in subs]
    ranks = competition_rank(totals)
    detail = _detail(data.entries, month.start, month.end)
    rows = []
    for s, total, rank in zip(subs, totals, ranks):
        t = tot[s.sid]
        rows.append([month.label, s.sid, s.name, from_cents(t["add"]), from_cents(t["ded"]),
                     from_cents(t["net"]), from_cents(total), rank, "", detail.get(s.sid, "")])
    bottom = bottom_mask(totals, data.settings["约谈后几名"])
    limit = to_cents(data.settings["约谈月扣分"])
    meet = [[month.label, s.sid, s.name, from_cents(total), from_cents(tot[s.sid]["ded"])]
            for s, total, low in zip(subs, totals, bottom) if low and tot[s.sid]["ded"] > limit]
    head = f"{data.title}　{month_cn(month)}（数据截至 {_as_of(data, month.end)}）"
    return [
        OutputSheet(MONTHLY, MONTHLY_COLS, rows, title=head + " 月报", landscape=True),
        OutputSheet(PARENT_MEETING, PARENT_COLS, meet, title=head + " 家长约谈名单"),
    ]


TREND_COLS = ["周开始", "加分合计", "减分合计", "净分合计"]     # then one "<类别>减分" per category


def trend_charts(columns: list[str]) -> list[ChartSpec]:
    """The two charts of `周趋势` (issue #9), derived from its headers alone."""
    cats = [c for c in columns[len(TREND_COLS):] if c.endswith("减分")]
    out = [ChartSpec("每周全班加分、减分与净分", "周开始", ["加分合计", "减分合计"], lines=["净分合计"],
                     y_title="分")]
    if cats:
        out.append(ChartSpec("每周减分（按类别）", "周开始", cats, stacked=True, y_title="分"))
    return out




def trend_outputs(data: SchoolData, end: date) -> list[OutputSheet]:
    """`周趋势`: the class's week-by-week additions, deductions, net and deductions by rule
    category from the semester start to the week holding ``end`` (S-8 weeks, S-12), with
    native charts below the data. Active students only; collective entries count per member.
    """
    sids = {s.sid for s in data.active}
    first_wd = data.settings["周起始"]
    e = engine.counted(data.entries[["date", "sid", "category", "points", "cancelled"]])
    e = e[e["sid"].isin(sids) & (e["date"] <= week_of(end, first_wd).end)]
    first = data.semester.start if data.semester else (e["date"].min() if len(e) else end)
    e = e[e["date"] >= week_of(first, first_wd).start]
    weeks = weeks_between(min(first, end), end, first_wd)
    cats = list(dict.fromkeys([r.category for r in data.rules.values() if r.category]
                              + sorted(set(e["category"].unique()) - {""})))
    starts = {d: week_of(d, first_wd).start for d in set(e["date"])}   # per distinct date
    wk = e["date"].map(starts)
    pts = e["points"]
    add = pts.where(pts > 0, 0).groupby(wk).sum()
    ded = (-pts.where(pts < 0, 0))
    ded_total = ded.groupby(wk).sum()
    by_cat = ded.groupby([wk, e["category"]]).sum()
    rows = []
    for w in weeks:
        a, d = int(add.get(w.start, 0)), int(ded_total.get(w.start, 0))
        rows.append([w.start, from_cents(a), from_cents(d), from_cents(a - d)]
                    + [from_cents(int(by_cat.get((w.start, c), 0))) for c in cats])
    columns = TREND_COLS + [f"{c}减分" for c in cats]
    head = (f"{data.title}　{week_label(data, weeks[0])}至{week_label(data, weeks[-1])} 每周积分趋势"
            f"（数据截至 {_as_of(data, end)}）")
    return [OutputSheet(TREND, columns, rows, title=head, charts=trend_charts(columns))]


def data_end(data: SchoolData) -> date | None:
    """The latest date the data reach: ordinary log rows (C-9) and counted derived entries."""
    e = data.entries
    live = e.loc[~e["cancelled"], "date"] if len(e) else e["date"]
    dates = [d for d in (data.latest, live.max() if len(live) else None) if d is not None]
    return max(dates) if dates else None


def awards_final(data: SchoolData) -> tuple[bool, str]:
    """C-8, S-11: the award list is final only once the data reach 学期结束; else the reason."""
    if data.semester is None:
        return False, "日志中没有记录"
    reached = data_end(data)
    if reached is not None and reached >= data.semester.end:
        return True, ""
    upto = f"日志只记到 {reached.isoformat()}" if reached else "日志中还没有记录"
    return False, f"{upto}，学期到 {data.semester.end.isoformat()} 才结束"


@dataclass
class Award:
    """One line of `学期奖励` (S-11); ``total`` in cents."""

    rank: int
    sid: str
    name: str
    total: int
    tier: str                       # 一等奖 … or 特等奖
    special: bool                   # marked 特等 by hand, kept on recompute


@dataclass
class Awards:
    awards: list[Award]             # by rank, roster order within a rank
    end: date                       # the data's as-of end (semester end or latest entry)
    final: bool                     # C-8: 正式 once the data reach 学期结束, else 暂定
    why: str                        # why it is still 暂定 ("" when final)


def semester_awards(data: SchoolData, previous: RawSheet | None = None) -> Awards:
    """S-11: rank by semester total, tiers by shared rank (C-4); 特等 marks survive recompute.
    Before the data reach 学期结束 the list is 暂定 (C-8)."""
    subs = data.active
    sids = [s.sid for s in subs]
    end = data.semester.end if data.semester else (data.latest or date.today())
    start = data.semester.start if data.semester else None
    tot = engine.period_totals(data.entries, sids, start, end)
    by_sid = _by_sid(tot)
    totals = [s.base + by_sid[s.sid]["net"] for s in subs]
    keys = award_keys(totals, list(tot["ded"]), list(tot["add"]), data.settings["并列处理"])
    ranks = competition_rank(keys)
    st = data.settings
    tiers = list(zip(TIERS, (st["一等人数"], st["二等人数"], st["三等人数"])))
    special = special_marks(previous)
    final, why = awards_final(data)
    rows = []
    for i, (s, total, rank) in enumerate(zip(subs, totals, ranks)):
        marked = s.sid in special
        if rank > st["奖励人数"] and not marked:
            continue
        tier = SPECIAL_AWARD if marked else tier_for_rank(rank, tiers)
        rows.append((rank, i, Award(rank, s.sid, s.name, total, tier, marked)))
    rows.sort(key=lambda x: (x[0], x[1]))
    return Awards([a for _, _, a in rows], end, final, why)


def render_awards(data: SchoolData, res: Awards) -> list[OutputSheet]:
    """`学期奖励`: the 暂定 state in its 状态 column and its printed header (certificates are
    refused by reports while 暂定)."""
    state = FINAL if res.final else PROVISIONAL
    rows = [[a.rank, a.sid, a.name, from_cents(a.total), a.tier, "是" if a.special else "", state]
            for a in res.awards]
    sem = semester_cn(data.semester.start) if data.semester else ""
    head = f"{data.title}　{sem} 学期奖励名单（数据截至 {_as_of(data, res.end)}）"
    if not res.final:
        head += f"【暂定：{res.why}，期末前不发奖状】"
    return [OutputSheet(AWARDS, AWARD_COLS, rows, title=head)]


def award_outputs(data: SchoolData, previous: RawSheet | None = None) -> list[OutputSheet]:
    return render_awards(data, semester_awards(data, previous))


def special_marks(previous: RawSheet | None) -> set[str]:
    """学号s the teacher marked 特等 by hand in the previous `学期奖励` (S-11)."""
    if previous is None:
        return set()
    recs, _ = parse_table(previous, [Col("学号", "id"), Col("奖项", "text"), Col("特等", "bool")])
    return {r["学号"] for r in recs if r["学号"] and (r["奖项"] == SPECIAL_AWARD or r["特等"])}
