"""What an output sheet is, independent of how it gets written (file door or xlwings door)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .charts import ChartSpec

FINAL = "正式"
PROVISIONAL_STATES = ("暂定", "预公示")

Cell = str | int | float | Decimal | date | datetime | bool | None


@dataclass
class OutputSheet:
    """One output sheet, replaced whole on every run (WORKBOOKS.md "Every output sheet").

    Row 1 is ``columns``; data starts in row 2. ``title`` goes into the printed page header
    (class or village, period, as-of date), never into the cells. Strings are always written
    as text, never as formulas, whatever they start with.
    """

    name: str
    columns: list[str]
    rows: list[list[Cell]]
    title: str = ""
    widths: list[float] | None = None        # in characters; None: computed from the content
    landscape: bool = False
    number_formats: dict[str, str] = field(default_factory=dict)  # column header -> format code
    charts: list[ChartSpec] = field(default_factory=list)  # native charts below the data (charts.py)
    # What a printed document needs, set by the scheme that computed the sheet
    # (state travels on the result, never read back out of the title):
    status: str = ""              # C-8: FINAL "正式", or "暂定" / "预公示" while not final; "" n/a
    why: str = ""                 # why the result is not final yet (the scheme's words)
    period: str = ""              # the period shown: 2026Q3, 2026, 2026-09, a week's first day …
    as_of: date | None = None     # 数据截至: the latest entered date the result counts
    layout: str = ""              # print layout: "" a table, "notice" (公示), "passbook" (存折)
    issued: date | None = None    # the date a certificate carries (V-8: 上报日期 or 公示结束), or None
    notice: tuple[date | None, date | None] = (None, None)   # 公示 start and end (V-8)

    @property
    def provisional(self) -> bool:
        """Not a final result (C-8): 暂定 or 预公示."""
        return self.status in PROVISIONAL_STATES

    def column_widths(self) -> list[float]:
        """Widths wide enough that dates never print as ### and CJK text is not cut."""
        if self.widths is not None:
            return list(self.widths)
        out = []
        for i, head in enumerate(self.columns):
            w = _display_width(head)
            for r in self.rows[:2000]:
                if i < len(r):
                    w = max(w, _display_width(r[i]))
            out.append(min(max(w + 2, 8), 60))
        return out


def _display_width(v: Cell) -> float:
    if v is None:
        return 0
    if isinstance(v, (date, datetime)):
        return 11
    s = str(v)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)
