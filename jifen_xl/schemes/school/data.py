"""The school's loaded data and the helpers its derived sources (dorms.py, exams.py) share
with the log reader (read.py). Kept apart from read.py so that read can list the derived
sources without an import cycle."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ...core.engine import EntryBuilder, LimitGroup, Rule, Subject
from ...core.ids import IdMatcher
from ...core.periods import Period
from ...core.problems import Problem
from ...core.table import Columns, RawSheet


@dataclass(frozen=True)
class Leave:
    """One approved leave of `请假` (S-13): ``start``…``end`` inclusive, its Excel row."""

    sid: str
    start: date
    end: date
    reason: str
    approver: str
    row: int

    def span(self) -> str:
        return self.start.isoformat() if self.start == self.end else f"{self.start.isoformat()}～{self.end.isoformat()}"


@dataclass
class LeaveBook:
    """Every approved leave by 学号, in sheet order (S-13)."""

    by_sid: dict[str, list[Leave]] = field(default_factory=dict)

    def on(self, sid: str, d: date) -> Leave | None:
        """The first leave row covering ``d`` for this pupil, or None."""
        for lv in self.by_sid.get(sid, ()):
            if lv.start <= d <= lv.end:
                return lv
        return None

    def __bool__(self) -> bool:
        return bool(self.by_sid)


@dataclass(frozen=True)
class TeacherAddition:
    """One row of `上自习补充` (S-15): the head teacher sends a pupil to that week's self-study."""

    day: date
    sid: str
    reason: str
    row: int


@dataclass
class SchoolData:
    settings: dict
    subjects: list[Subject]
    rules: dict[str, Rule]
    entries: pd.DataFrame
    problems: list[Problem]
    limit_groups: dict[str, LimitGroup] = field(default_factory=dict)
    semester: Period | None = None
    latest: date | None = None          # latest dated input row (default period)
    raw: dict[str, RawSheet] = field(default_factory=dict)
    matchers: dict[str, IdMatcher] = field(default_factory=dict)   # 学号 / 代码 as typed
    leave: LeaveBook = field(default_factory=LeaveBook)              # S-13
    leave_codes: frozenset = frozenset()                             # S-13: rules marked 请假免扣
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # S-14: 代码 -> 负责人 roles
    log: Columns | None = None                                       # the parsed 日志 (S-14 counts)
    additions: list[TeacherAddition] = field(default_factory=list)   # S-15
    excused: list[tuple] = field(default_factory=list)   # S-13: (日志 row, date, 学号, 事项, Leave) not counted

    @property
    def active(self) -> list[Subject]:
        return [s for s in self.subjects if s.active]

    @property
    def by_id(self) -> dict[str, Subject]:
        return {s.sid: s for s in self.subjects}

    @property
    def title(self) -> str:
        return self.settings.get("班级") or "班级积分"


# A derived source (dorm inspections, exams …) adds entries from its own sheets:
# fn(data, sheets, builder) -> problems. read.DERIVED_SOURCES lists them.
DerivedSource = Callable[[SchoolData, dict[str, RawSheet], EntryBuilder], list[Problem]]


def default_cadre_double(category: str, item: str) -> bool:
    """S-2: study (学习) and duty (值日) deductions are not doubled unless the rule says so."""
    return not (category == "学习" or "值日" in item)


# S-13: the source's deductions for being absent without leave — 旷课, 旷操, 无故…, 不请假…,
# 不签假条…, 自习课随便出入 (要向班长请假) — are excused by approved leave unless 规则 says 否.
LEAVE_WORDS = ("旷课", "旷操", "无故", "不请假", "假条", "随便出入")


def default_leave_excused(rule: Rule) -> bool:
    """S-13: a blank 请假免扣 means 是 for a deduction whose 事项 names an absence without leave."""
    return rule.sign() < 0 and any(w in rule.item for w in LEAVE_WORDS)


def _merge_group(groups, group_rows, group, limit, carry, sheet, row) -> list[Problem]:
    """Limit groups are declared by their member rules; thresholds must agree (S-6)."""
    if group not in groups:
        if limit is None:
            return [Problem(sheet, row, "周限额", "", f"限额组“{group}”没有填写周限额")] if group not in group_rows else []
        groups[group] = LimitGroup(group, limit, carry)
        group_rows[group] = row
        return []
    g = groups[group]
    if limit is not None and limit != g.limit:
        return [Problem(sheet, row, "周限额", limit,
                        f"限额组“{group}”的周限额与第{group_rows[group]}行（{g.limit}）不一致")]
    if carry != g.carry:
        return [Problem(sheet, row, "顺延", "是" if carry else "否",
                        f"限额组“{group}”的顺延与第{group_rows[group]}行不一致")]
    return []


def student_matcher(data: SchoolData) -> IdMatcher:
    m = data.matchers.get("学号")
    if m is None:
        m = data.matchers["学号"] = IdMatcher((s.sid for s in data.subjects), what="学号",
                                             names={s.sid: s.name for s in data.subjects})
    return m


def code_matcher(data: SchoolData) -> IdMatcher:
    m = data.matchers.get("代码")
    if m is None:
        m = data.matchers["代码"] = IdMatcher(data.rules, what="代码",
                                             items={c: r.item for c, r in data.rules.items()})
    return m
