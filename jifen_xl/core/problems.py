"""Validation problems (SPEC C-6): one record per problem, located by sheet, row, column."""
from __future__ import annotations

from dataclasses import dataclass

ERROR = "错误"    # the input must be fixed; exit 1
REFUSED = "拒绝"  # a business refusal (e.g. redemption over budget); exit 0
NOTICE = "提示"   # a value accepted after normalisation; exit 0

CHECK_SHEET = "校验"
CHECK_COLUMNS = ["工作表", "行", "列", "值", "问题", "级别"]


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None      # the Excel row number (header is row 1), None for sheet-wide problems
    column: str          # the header text, "" when the problem is about the whole row or sheet
    value: object        # the offending value as the user typed it
    message: str         # a plain Chinese sentence
    level: str = ERROR

    def as_row(self) -> list:
        return [self.sheet, self.row, self.column, _show(self.value), self.message, self.level]

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f" 第{self.row}行"
        if self.column:
            where += f" 【{self.column}】"
        val = _show(self.value)
        return f"[{self.level}] {where}" + (f" 值“{val}”" if val != "" else "") + f"：{self.message}"


def _show(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.level == ERROR for p in problems)


class InputError(Exception):
    """Raised when a workbook cannot be used at all (exit code 2): unreadable, not a workbook,
    unsafe, or missing a required sheet/column. ``message`` is Chinese, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
