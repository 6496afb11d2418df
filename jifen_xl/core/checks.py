"""Shared helpers of the schemes' validation (SPEC C-6): every check returns located
``Problem``s (sheet, row, column, value, Chinese message)."""
from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence

from .problems import ERROR, Problem


class UniqueBy:
    """The "<列>重复（第N行已有）" check: a key (学号, 户号, 代码, 编号 …) may appear once in a
    sheet; the first row holding it wins.

    ``first(key, row)`` reports a repeat or remembers the row at once; where only a row that
    passes its other checks counts as the first, call ``repeat(key, row)`` before those checks
    and ``keep(key, row)`` once the row is accepted."""

    def __init__(self, sheet: str, column: str, label: str | None = None):
        self.sheet, self.column, self.label = sheet, column, label or column
        self.rows: dict[Hashable, int] = {}

    def repeat(self, key: Hashable, row: int | None, value=None) -> Problem | None:
        if key not in self.rows:
            return None
        return Problem(self.sheet, row, self.column, key if value is None else value,
                       f"{self.label}重复（第{self.rows[key]}行已有）", ERROR)

    def keep(self, key: Hashable, row: int) -> None:
        self.rows.setdefault(key, row)

    def first(self, key: Hashable, row: int, value=None) -> Problem | None:
        found = self.repeat(key, row, value)
        if found is None:
            self.keep(key, row)
        return found

    def __contains__(self, key: Hashable) -> bool:
        return key in self.rows


def run_row_checks(checks: Sequence[Callable], args: tuple, *, stops: Callable[[Callable, Problem], bool],
                   after_error: Mapping[Callable, Callable[..., bool]], stop_after: Callable | None = None,
                   stopped: bool = False) -> tuple[list[Problem], bool]:
    """Run one row's ``checks`` in order on ``args``: (the problems, whether the row stopped —
    it then becomes no entry).

    A problem for which ``stops(check, problem)`` holds stops the row; so does reaching
    ``stop_after`` (a row whose required cells are blank or unreadable), and ``stopped`` says
    it stopped before any check ran. After a stopping 提示 (the row is left out on purpose)
    nothing more runs. After an 错误 every problem of the row is still wanted in the same run:
    the checks listed in ``after_error`` run when their predicate (called with
    ``args``) says the cells they read are sound; the others rely on what failed."""
    problems: list[Problem] = []
    for check in checks:
        if stopped:
            sound = after_error.get(check)
            if sound is None or not sound(*args):
                continue
        found = check(*args)
        if found is not None:
            problems.append(found)
            if stops(check, found):
                if found.level != ERROR and not stopped:
                    return problems, True
                stopped = True
        if check is stop_after:
            stopped = True
    return problems, stopped
