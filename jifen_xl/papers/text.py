"""Small text helpers of the printed papers: points, dates, widths of Chinese text, and the
way a cell of an output sheet is written on paper (周开始 as 第N周, 月份 as 2026年9月)."""
from __future__ import annotations

from datetime import date, datetime

from ..book.sheets import OutputSheet
from ..core.periods import month_cn
from .typeset import HEI, fonts, lit


def blank(v) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def num(v) -> str:
    """A points value as a clerk writes it: 132, 121.5, -2."""
    if blank(v):
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (int, float)) or type(v).__name__ == "Decimal":
        f = float(v)
        return str(int(f)) if f.is_integer() else f"{f:.2f}".rstrip("0").rstrip(".")
    return str(v)


def cn_date(d) -> str:
    """2026年10月8日, or a blank date line to fill by hand."""
    if isinstance(d, (date, datetime)):
        return f"{d.year}年{d.month}月{d.day}日"
    return "　　　　年　　月　　日"


def iso(d) -> str:
    return d.isoformat()[:10] if isinstance(d, (date, datetime)) else ("" if blank(d) else str(d))


def width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)


def is_number(v) -> bool:
    return (isinstance(v, (int, float)) or type(v).__name__ == "Decimal") and not isinstance(v, bool)


def heading(text: str, size: float = 16, family=HEI, color: str = "black") -> str:
    return (f"#align(center, text(font: {fonts(family)}, size: {size}pt, weight: \"bold\", fill: {color}, "
            f"{lit(text)}))")


def state_mark(sheet: OutputSheet | None) -> str:
    """【暂定】/【预公示】 for a result that is not final (C-8)."""
    return f"【{sheet.status}】" if sheet is not None and sheet.provisional else ""


def page_header(text: str) -> str:
    return f"align(center, text(size: 8.5pt, fill: luma(80), {lit(text)}))"


def cell_text(header: str, v, week=None, fmt: str = "") -> str:
    """A cell as it reads on paper: 2026年9月 for a 月份, 第3周（…）for a 周开始, a share as
    10.6% (the column's number format, else a 占比/比例 header), dates as ISO."""
    if header == "月份" and isinstance(v, str):
        return month_cn(v)
    if header == "周开始" and week is not None and isinstance(v, (date, datetime)):
        return week(v.date() if isinstance(v, datetime) else v)
    if isinstance(v, (date, datetime)):
        return iso(v)
    if is_number(v) and ("%" in fmt or (not fmt and ("占比" in header or "比例" in header) and abs(float(v)) <= 10)):
        places = len(fmt.split(".", 1)[1].rstrip("%")) if "." in fmt else (0 if fmt else 1)
        return f"{float(v) * 100:.{places}f}%"
    return num(v)


def week_namer(settings: dict | None):
    """fn(date) -> 第3周（9月14日—20日）from 学期开始; None without one."""
    from ..core import normalize as nz
    from ..core.periods import week_cn, week_of

    settings = settings or {}
    try:
        start, _ = nz.to_date(settings.get("学期开始"))
        first_wd, _ = nz.to_weekday(settings.get("周起始") or "周一")
    except (ValueError, TypeError):
        return None
    if start is None:
        return None
    return lambda d: week_cn(week_of(d, first_wd), start, first_wd)
