"""Reading the school workbook: `设置`, `名册`, `规则`, `日志` (plus the derived sources such as
dorm inspections and exams, listed in ``DERIVED_SOURCES``) → ``SchoolData`` (subjects, rules,
entries frame, problems). Pure: it sees RawSheets, never a workbook file."""
from __future__ import annotations

from ...core import engine
from ...core.engine import EntryBuilder, LimitGroup, Rule, Subject
from ...core.checks import UniqueBy, run_row_checks
from ...core.ids import match_column
from ...core.periods import Period
from ...core.points import to_cents
from ...core.problems import NOTICE, Problem
from ...core import reversals
from ...core.table import Columns, RawSheet, gc_paused, parse_columns, parse_settings, parse_table
from . import dorms, exams
from .leave import read_additions, read_leave
from .checks import (AFTER_ERROR, LAST_CELL_CHECK, LOG_CHECKS, NONE_BAD, REPORTED_TOGETHER, TABLE_CHECKS,
                     LogContext, LogRow)
from .data import (DerivedSource, SchoolData, _merge_group, code_matcher, default_cadre_double,
                   default_leave_excused, student_matcher)
from .schema import (LEAVE, LOG, LOG_COLS, TEACHER_LIST, ROSTER, ROSTER_COLS, RULE_COLS, RULES, SETTING_SCHEMA, SETTINGS,
                     TARGET_KINDS, WHOLE_CLASS)


# the derived sources, in the order they add entries (S-4/S-5 dorms, S-9 exams)
DERIVED_SOURCES: tuple[DerivedSource, ...] = (dorms.derive, exams.derive)


# ---- reading ---------------------------------------------------------------------------------

def load(sheets: dict[str, RawSheet]) -> SchoolData:
    """Parse and validate every input sheet; build the entries frame (S-1…S-4, C-2, C-6)."""
    with gc_paused():     # no collector passes over 200,000 fresh records
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
    rules, groups, marks, probs = _read_rules(sheets.get(RULES))
    problems += probs
    data = SchoolData(settings, subjects, rules, engine.EntryBuilder().frame(), problems,
                      groups, raw=sheets)
    data.leave_codes, data.roles = marks
    data.leave, probs = read_leave(sheets.get(LEAVE), data)       # S-13: known before 日志 rows
    problems += probs
    data.log, probs = log_recs, probs = _read_log_records(sheets.get(LOG))
    problems += probs
    problems += _match_ids(data, log_recs)     # ids as typed, before 冲正 pairs
    pairs, probs = _match_reversals(log_recs)      # C-9: known before any row is checked
    problems += probs
    data.semester, data.latest = _semester(settings, log_recs, problems, pairs)
    data.additions, probs = read_additions(sheets.get(TEACHER_LIST), data)     # S-15
    problems += probs
    builder = EntryBuilder()
    problems += _log_entries(data, log_recs, builder, pairs)
    for source in DERIVED_SOURCES:
        problems += source(data, sheets, builder)
    data.entries = builder.frame()
    reversals.cancel_rows(data.entries, LOG, pairs)
    for table_check in TABLE_CHECKS:
        problems += table_check(data)
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
    """`规则` → rules, limit groups, and what a rule says beyond points: the codes marked
    请假免扣 (S-13) and each code's recording roles, 负责人 (S-14)."""
    if raw is None:
        return {}, {}, (frozenset(), {}), []
    leave: set[str] = set()
    roles: dict[str, tuple[str, ...]] = {}
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
        if r["请假免扣"] or (r["请假免扣"] is None and default_leave_excused(rule)):
            leave.add(code)
        if r["负责人"]:
            roles[code] = tuple(r["负责人"])
        if group:
            problems += _merge_group(groups, group_rows, group, r["周限额"], rule.carry, raw.name, r["_row"])
    return rules, groups, (frozenset(leave), roles), problems


def _read_log_records(raw: RawSheet | None) -> tuple[Columns, list[Problem]]:
    """`日志` column by column (no dict per row of a 200,000-row log)."""
    if raw is None:
        return Columns([], {c.header: [] for c in LOG_COLS}, {}), []
    return parse_columns(raw, LOG_COLS)


def _match_ids(data: SchoolData, log: Columns) -> list[Problem]:
    """学号 and 代码 as people type them: lost leading zeros, other case, `代码 事项`."""
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


def _stops(check, problem) -> bool:
    return check not in REPORTED_TOGETHER


def _log_entries(data: SchoolData, log: Columns, builder: EntryBuilder,
                 reversed_rows: dict[int, int] | None = None) -> list[Problem]:
    """Every valid, non-reversal `日志` row becomes entries: LOG_CHECKS run in order, then
    one entry for a plain 学号 (the fast path) or one per member of a group."""
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
        bad = bad_rows.get(idx, NONE_BAD) if bad_rows else NONE_BAD
        r = LogRow(row, d, target, who, code, item, count, value, recorder, remark, ref, bad)
        incomplete = not target or not code or d is None or bad
        found, stopped = run_row_checks(LOG_CHECKS, (r, ctx), stops=_stops, after_error=AFTER_ERROR,
                                        stop_after=LAST_CELL_CHECK if incomplete else None)
        if found:
            problems += found
        if not stopped:
            rule, each = r.rule, r.each
            if r.kind == "学号":     # one student: EntryBuilder.add inlined (200,000 rows)
                append(simple(row, d, r.members[0], rule, count, each, ref or "", remark or ""))
                continue
            for s in r.members:
                builder.add(sheet=LOG, row=row, date=d, subject=s, rule=rule, count=count,
                            each=each, cadre_multiplier=mult, ref=ref or "",
                            note="，".join(x for x in (remark, target) if x))
    return problems + ctx.notes     # 校验 is sorted by sheet and row: the notes fall in place


def _match_reversals(log: Columns) -> tuple[dict[int, int], list[Problem]]:
    """冲正 (C-9): a row naming another row's 编号 cancels it; both stay visible.

    Only the rows match_reversals can act on become records, with only the fields it reads:
    reversal rows, and numbered rows whose 编号 is repeated or named by a 冲正.
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

