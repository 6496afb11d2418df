"""The checks of `日志` (C-2, C-6, S-1, S-4): LOG_CHECKS, small named checks run in order on
each row, and TABLE_CHECKS, run once on the whole table after the entries are built."""
from __future__ import annotations

from collections.abc import Callable

from ...core import engine
from ...core.periods import week_of
from ...core.points import to_cents
from ...core.problems import NOTICE, Problem
from .data import SchoolData, code_matcher, student_matcher
from .schema import LOG, TARGET_KINDS, WHOLE_CLASS


def parse_target(target: str) -> tuple[str, str]:
    """`学号` → ("学号", id); `宿舍:301` → ("宿舍", "301"); `全班` → ("全班", "")."""
    if target == WHOLE_CLASS:
        return WHOLE_CLASS, ""
    kind, sep, name = target.partition(":")
    if sep and kind.strip() in TARGET_KINDS:
        return kind.strip(), name.strip()
    return "学号", target


NONE_BAD: frozenset = frozenset()


# ---- per-row checks of `日志` (C-2, C-6, S-1, S-4) ------------------------------------------------

class LogRow:
    """One `日志` row's column values (built from the column-wise parse, no dict),
    plus what the checks resolve on the way: the rule, the target's kind and name, the
    students it names, the explicit points."""
    __slots__ = ("row", "date", "target", "who", "code", "item", "count", "value", "recorder",
                 "remark", "ref", "bad", "rule", "kind", "name", "members", "each")

    def __init__(self, row, d, target, who, code, item, count, value, recorder, remark, ref,
                 bad=NONE_BAD):
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
        self.roles = data.roles                          # S-14: 代码 -> 负责人
        self.posts: dict[str, set[str]] | None = None   # S-14: 记录人 (姓名 or 学号) -> 职务
        self.every_role: set[str] = set()               # S-14: every 负责人 named in 规则
        self.role_ok: dict[tuple[str, str], bool] = {}  # S-14: (记录人, 代码) -> holds the role
        # S-13: None when nobody has leave (the check then costs one comparison per row)
        self.leave_on = data.leave.on if data.leave else None
        self.notes: list[Problem] = []  # 提示 of a collective row that still counts (S-13)


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


def holds_role(post: str, role: str, roles: frozenset | set) -> bool:
    """S-14: a 名册 职务 holds a 负责人 role when it is that role, or that role with a
    prefix naming a subject or a room (语文课代表, 301宿舍长) that is not itself a role
    of `规则` (值日班长 does not hold 班长)."""
    return post == role or (post.endswith(role) and post not in roles)


def _recorder_posts(data: SchoolData) -> dict[str, set[str]]:
    """记录人 as typed (a pupil's 姓名 or 学号) -> the 职务 they hold (S-14)."""
    out: dict[str, set[str]] = {}
    for s in data.subjects:
        for key in (s.name, s.sid):
            out.setdefault(key, set()).update(s.posts)
    return out


def check_recorder_role(r: LogRow, ctx: LogContext) -> Problem | None:
    """S-14: the 记录人 holds the rule's 负责人 role (名册 职务, or the role's own name such as
    班主任). Else a 提示 only — a substitute may record — and the row still counts."""
    if not r.recorder:
        return None
    key = (r.recorder, r.code)
    ok = ctx.role_ok.get(key)
    if ok is None:      # once per (记录人, 代码): a log has few of them
        ok = ctx.role_ok[key] = _holds(r.recorder, ctx.roles.get(r.code), ctx)
    if ok:
        return None
    return Problem(LOG, r.row, "记录人", r.recorder,
                   f"记录人不是“{r.rule.item}”的负责人（{'、'.join(ctx.roles[r.code])}）；如是代为记录，可以不改",
                   NOTICE)


def _holds(recorder: str, roles: tuple[str, ...] | None, ctx: LogContext) -> bool:
    if not roles:
        return True         # the rule names no 负责人: nothing to check
    if ctx.posts is None:
        ctx.posts = _recorder_posts(ctx.data)
        ctx.every_role = {x for rs in ctx.roles.values() for x in rs}
    posts = ctx.posts.get(recorder, set()) | {recorder}
    return any(holds_role(p, role, ctx.every_role) for p in posts for role in roles)


def _leave_note(sid_name: str, lv, item: str) -> str:
    return (f"{sid_name}当天已请假（请假表第{lv.row}行，{lv.span()}，{lv.reason or '未写事由'}，"
            f"批准人 {lv.approver}），“{item}”请假免扣，不计分")


def check_excused_by_leave(r: LogRow, ctx: LogContext) -> Problem | None:
    """S-13: a deduction whose rule is marked 请假免扣 does not count for a pupil with approved
    leave that day; a 提示 names the leave row. A collective row still counts for the other
    members (their 提示 goes to ``ctx.notes``)."""
    on = ctx.leave_on
    if on is None:
        return None
    data = ctx.data
    if r.code not in data.leave_codes:
        return None
    if r.kind == "学号":
        s = r.members[0]
        lv = on(s.sid, r.date)
        if lv is None:
            return None
        data.excused.append((r.row, r.date, s.sid, r.rule.item, lv))
        return Problem(LOG, r.row, "对象", r.target, _leave_note(s.name, lv, r.rule.item), NOTICE)
    away = [(s, lv) for s in r.members if (lv := on(s.sid, r.date)) is not None]
    if not away:
        return None
    r.members = [s for s in r.members if on(s.sid, r.date) is None]
    data.excused += [(r.row, r.date, s.sid, r.rule.item, lv) for s, lv in away]
    notes = [Problem(LOG, r.row, "对象", r.target, _leave_note(s.name, lv, r.rule.item), NOTICE)
             for s, lv in away]
    if not r.members:
        ctx.notes += notes[:-1]
        return notes[-1]        # nobody left to count: the row stops here
    ctx.notes += notes
    return None


LogCheck = Callable[[LogRow, LogContext], "Problem | None"]
# In order (core.checks.run_row_checks); a row stops at its first problem (a 提示 of
# check_student_active or check_excused_by_leave too: the row is left out), except after the checks of
# REPORTED_TOGETHER (a blank 对象 is reported with a blank 代码; a 记录人 who is not the
# 负责人 is only a 提示); a row with a blank or unreadable required cell stops after
# check_code_present (parse_columns reported the unreadable ones).
LOG_CHECKS: list[LogCheck] = [
    check_in_semester, check_target_present, check_code_present, check_code_known, check_item_matches,
    check_student_known, check_name_matches, check_student_active, check_collective_members,
    check_explicit_value, check_duplicate, check_recorder_role, check_excused_by_leave,
]
# These report their problem and let the row go on (a 提示 of check_recorder_role never stops it).
REPORTED_TOGETHER = (check_target_present, check_recorder_role)
LAST_CELL_CHECK = check_code_present
# After an 错误 these still run, when the cells they read are sound, so that every problem of
# a row is reported in one run; the others (double entries, roles, leave) wait for
# a row without errors.
AFTER_ERROR: dict[LogCheck, Callable[[LogRow, LogContext], bool]] = {
    check_target_present: lambda r, ctx: True,
    check_code_present: lambda r, ctx: True,
    check_code_known: lambda r, ctx: bool(r.code) and "代码" not in r.bad,
    check_item_matches: lambda r, ctx: r.rule is not None,
    check_student_known: lambda r, ctx: bool(r.target) and "对象" not in r.bad,
    check_name_matches: lambda r, ctx: r.members is not None,
    check_student_active: lambda r, ctx: r.members is not None,
    check_collective_members: lambda r, ctx: r.kind is not None,
    check_explicit_value: lambda r, ctx: r.rule is not None and "分值" not in r.bad,
}


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



TableCheck = Callable[[SchoolData], "list[Problem]"]
# Checks of the whole `日志` table, in order, once its entries are built.
TABLE_CHECKS: list[TableCheck] = [check_weekly_single]
