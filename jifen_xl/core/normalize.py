"""Normalisation of values a clerk types (WORKBOOKS.md "Values a clerk types").

Every parser takes one cell value as python-calamine returns it (``str``, ``float``, ``int``,
``bool``, ``date``/``datetime``, ``time``, ``timedelta`` or ``''`` for blank) and returns
``(value, note)``: ``note`` is ``None`` when the cell was already clean, otherwise a short
Chinese sentence saying what was normalised, for a 提示 row in ``校验`` (SPEC C-6).
A value that cannot be understood raises ``ValueError`` with a Chinese message; the caller
adds sheet, row and column. No Excel imports here: these are pure functions.

``split_multi`` is the one exception to the ``(value, note)`` shape: it returns the list.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

__all__ = [
    "clean_text", "to_id", "to_decimal", "to_count", "to_date", "to_bool", "to_ratio",
    "to_weekday", "split_multi", "to_month", "to_quarter", "to_year",
]

Note = str | None

# --- character tables -------------------------------------------------------------------

# Full-width ASCII (U+FF01..U+FF5E) -> ASCII. Values that are parsed (numbers, dates, ids)
# convert the whole block; free text keeps the full-width forms that are ordinary Chinese
# punctuation, so "迟到，早退" stays as typed.
_FULL_ALL = {0xFF01 + i: 0x21 + i for i in range(94)}
_CJK_PUNCT = "！（），：；？～"
_FULL_TEXT = {k: v for k, v in _FULL_ALL.items() if chr(k) not in _CJK_PUNCT}
_FULL_DIGITS = {chr(0xFF10 + i) for i in range(10)}

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_MINUS_SIGNS = dict.fromkeys(map(ord, "\u2212\u2010\u2011\u2012\u2013\u2014\u2015\ufe63"), "-")
_ODD_SPACE = re.compile(r"[^\S\n\t ]")   # whitespace other than space, tab, newline
_SPACE_RUN = re.compile(r"\s{2,}")

_EPOCH = date(1899, 12, 30)              # Excel's day 0 (1900 system, after the leap bug)
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000  # 1954-10-03 .. 2119-01-11
_YEAR_MIN, _YEAR_MAX = 1900, 2100
_MAX_ABS = Decimal(10) ** 12


def _join(notes: list[str]) -> Note:
    return "；".join(dict.fromkeys(n for n in notes if n)) or None


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and v.strip(" \t\r\n\u3000\u00a0\u200b\ufeff") == "")


def _clean(s: str, table: dict) -> tuple[str, list[str]]:
    """Shared text pipeline: invisible chars, full-width, odd spaces, trim, collapse runs."""
    notes: list[str] = []
    t = s.translate(_ZERO_WIDTH)
    if t != s:
        notes.append("去除了不可见字符")
    u = t.translate(table)
    if u != t:
        changed = {a for a, b in zip(t, u) if a != b}
        notes.append("全角数字已转换为半角" if changed <= _FULL_DIGITS else "全角字符已转换为半角")
    t = _ODD_SPACE.sub(" ", u)
    if t != u:
        notes.append("特殊空格已替换为普通空格")
    u = t.strip()
    if u != t:
        notes.append("去除了首尾空格")
    t = _SPACE_RUN.sub(lambda m: "\n" if "\n" in m.group() else " ", u)
    if t != u:
        notes.append("合并了连续空格")
    return t, notes


def _float_decimal(f: float) -> Decimal:
    """A float from Excel as the decimal the clerk meant: 0.30000000000000004 -> 0.3."""
    if math.isnan(f) or math.isinf(f):
        raise ValueError("不是有效的数字")
    return _canon(Decimal(repr(round(f, 6))))


def _canon(d: Decimal) -> Decimal:
    if abs(d) >= _MAX_ABS:
        raise ValueError("数值太大")
    if d == 0:
        return Decimal(0)
    if d == d.to_integral_value():
        return d.quantize(Decimal(1))
    return d.normalize()


def _display(v: object) -> str:
    """How a non-text cell reads as text (what Excel shows, without number formats)."""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return str(v)
        if v.is_integer():
            return str(int(v))
        return str(Decimal(repr(round(v, 6))).normalize())
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time(0) else v.isoformat(" ", "seconds")
    if isinstance(v, (date, time)):
        return v.isoformat()
    return str(v)


# --- text and identifiers -------------------------------------------------------------

def clean_text(v: object) -> tuple[str, Note]:
    """Free text (names, notes, 事项): full-width letters/digits/symbols to half-width
    (Chinese punctuation such as ，：（）and 、 kept), invisible characters removed, odd
    spaces made plain, trimmed, whitespace runs collapsed. Numbers read as typed
    (1001.0 -> "1001"), with no note."""
    if v is None:
        return "", None
    if not isinstance(v, str):
        return _display(v), None
    text, notes = _clean(v, _FULL_TEXT)
    return text, _join(notes)


def to_id(v: object) -> tuple[str, Note]:
    """An identifier (学号, 户号, 账户号, 代码): like ``clean_text`` but every full-width
    character is converted, so ids typed either way match. Case is kept. A number cell is
    normal for an id (1001.0 -> "1001", no note)."""
    if isinstance(v, bool):
        raise ValueError("是/否值不能作为编号")
    if isinstance(v, (date, time, timedelta)):
        raise ValueError("编号被 Excel 识别成了日期或时间，请把该列设为文本格式后重新输入")
    if isinstance(v, float) and abs(v) >= 2**53:
        raise ValueError("编号太长，Excel 已丢失末几位数字，请把该列设为文本格式后重新输入")
    if v is None or not isinstance(v, str):
        return clean_text(v)
    text, notes = _clean(v, _FULL_ALL)
    return text, _join(notes)


def split_multi(v: object) -> list[str]:
    """Several names or posts in one cell, separated by 、 , ， ; ； / or whitespace."""
    text, _ = to_id(v) if not isinstance(v, str) else _clean(v, _FULL_TEXT)
    return [p for p in re.split(r"[、,，;；/\s]+", text) if p]


# --- numbers ----------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DUN_POINT = re.compile(r"([+-]?\d+)、(\d+)")


def _parse_number_text(s: str, unit: str = "") -> tuple[Decimal | None, list[str]]:
    """Parse numeric text; returns (None, notes) when blank after cleaning."""
    t, notes = _clean(s, _FULL_ALL)
    if t == "":
        return None, notes
    u = t.translate(_MINUS_SIGNS)
    if u != t:
        notes.append("负号已统一为“-”")
    if unit and u.endswith(unit):
        u = u[: -len(unit)].rstrip()
        notes.append(f"去掉了单位“{unit}”")
    if m := _DUN_POINT.fullmatch(u):
        u = f"{m[1]}.{m[2]}"
        notes.append("“、”已识别为小数点")
    elif _THOUSANDS.fullmatch(u):
        u = u.replace(",", "")
        notes.append("去除了千位分隔符")
    if not _NUMBER.fullmatch(u):
        raise ValueError("不是数字")
    try:
        d = _canon(Decimal(u))
    except InvalidOperation:
        raise ValueError("不是数字") from None
    notes.insert(0, "文本格式的数字已转换为数值")
    return d, notes


def to_decimal(v: object, *, allow_blank: bool = False) -> tuple[Decimal | None, Note]:
    """A points value or amount (SPEC C-3) as an exact ``Decimal``; float noise from Excel
    is removed (up to 6 decimals kept). Text such as "３", "−1", "+2", "1,000", "0、5" (the
    source document's way of writing 0.5) and "3分" is accepted with a note."""
    if isinstance(v, bool):
        raise ValueError("是/否值不是数字")
    if isinstance(v, (date, time, timedelta)):
        raise ValueError("这是日期或时间，不是数字")
    if isinstance(v, Decimal):
        if not v.is_finite():
            raise ValueError("不是有效的数字")
        return _canon(v), None
    if isinstance(v, int):
        return _canon(Decimal(v)), None
    if isinstance(v, float):
        return _float_decimal(v), None
    if v is None:
        d, notes = None, []
    elif isinstance(v, str):
        d, notes = _parse_number_text(v, unit="分")
    else:
        raise ValueError("不是数字")
    if d is None:
        if allow_blank:
            return None, None
        raise ValueError("不能为空，请填写数字")
    return d, _join(notes)


def to_count(v: object) -> tuple[int, Note]:
    """A non-negative whole count (SPEC C-2); blank means 1. "2次" -> 2 with a note."""
    if _is_blank(v):
        return 1, None
    if isinstance(v, str):
        d, notes = _parse_number_text(v, unit="次")
        if d is None:
            return 1, None
        note = _join(notes)
    else:
        d, note = to_decimal(v)
    if d < 0:
        raise ValueError("次数不能是负数")
    if d != d.to_integral_value():
        raise ValueError("次数必须是整数")
    return int(d), note


def to_year(v: object) -> tuple[int, Note]:
    """A year: 2026, "2026", "2026年", between 1900 and 2100 like every date here (a year
    such as 99999 or 0 used to end in an internal error or fall back to the default)."""
    if isinstance(v, str):
        t, _ = _clean(v, _FULL_ALL)
        v = t.removesuffix("年").strip()
    try:
        d, note = to_decimal(v)
    except ValueError:
        d, note = None, None
    if d is None or not d.is_finite() or d != d.to_integral_value() or not _YEAR_MIN <= d <= _YEAR_MAX:
        raise ValueError(f"年度应为 {_YEAR_MIN}–{_YEAR_MAX} 之间的整数，例如 2026")
    return int(d), note


def to_ratio(v: object) -> tuple[Decimal, Note]:
    """A proportion: 10%, 0.1 and 10 all mean ten per cent -> Decimal("0.1").
    A plain number above 1 (up to 100) is read as a percentage."""
    if isinstance(v, str):
        t, notes = _clean(v, _FULL_ALL)
        if t.endswith("%"):
            d, more = _parse_number_text(t[:-1])
            if d is None:
                raise ValueError("不是有效的比例")
            if not 0 <= d <= 100:
                raise ValueError("比例应在 0% 到 100% 之间")
            return _canon(d / 100), _join(notes + ["文本格式的百分数已转换为数值"] + more[1:])
    d, note = to_decimal(v)
    if d < 0 or d > 100:
        raise ValueError("比例应在 0% 到 100% 之间（可写 10%、0.1 或 10）")
    if d > 1:
        return _canon(d / 100), _join([note or "", f"{d} 已按百分数理解为 {d}%"])
    return d, note


# --- yes/no -----------------------------------------------------------------------------

_TRUE = {"是", "Y", "YES", "TRUE", "√", "✓", "✔", "☑", "1"}
_FALSE = {"否", "N", "NO", "FALSE", "×", "✗", "✘", "☒", "0"}


def to_bool(v: object, default: bool | None = None) -> tuple[bool | None, Note]:
    """是/否, also Y/N, YES/NO, TRUE/FALSE, √/×, 1/0; blank gives ``default``."""
    if isinstance(v, bool):
        return v, None
    if _is_blank(v):
        return default, None
    if isinstance(v, (int, float, Decimal)) and v in (0, 1):
        return bool(v), f"{int(v)} 已识别为“{'是' if v else '否'}”"
    if isinstance(v, str):
        t, _ = _clean(v, _FULL_ALL)
        key = t.upper()
        if key in _TRUE or key in _FALSE:
            b = key in _TRUE
            word = "是" if b else "否"
            return b, None if t == v == word else f"“{t}”已识别为“{word}”"
    raise ValueError("请填写 是 或 否（也可以写 Y/N、√/×、1/0）")


# --- dates and periods ------------------------------------------------------------------

_TIME_TAIL = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_PATTERNS = [
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME_TAIL),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?" + _TIME_TAIL),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
]
_NO_YEAR = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]?|\d{1,2}[-/.]\d{1,2}")


def _make_date(y: int, m: int, d: int) -> date:
    if not _YEAR_MIN <= y <= _YEAR_MAX:
        raise ValueError(f"年份 {y} 不合理")
    try:
        return date(y, m, d)
    except ValueError:
        raise ValueError(f"日期不存在：{y}年{m}月{d}日") from None


def to_date(v: object) -> tuple[date | None, Note]:
    """A date: a real Excel date, an Excel serial number, or text such as 2026-09-01,
    2026/9/1, 2026.9.1, 2026年9月1日, 20260901. Blank gives ``None``. A datetime keeps its
    date (a time of day is allowed)."""
    if isinstance(v, bool):
        raise ValueError("是/否值不是日期")
    if isinstance(v, date):
        # a real date from any door (calamine, xlwings, the service) is held to the years a
        # typed date may have: 9999-12-31 would overflow the next day's arithmetic
        d = v.date() if isinstance(v, datetime) else v
        if not _YEAR_MIN <= d.year <= _YEAR_MAX:
            raise ValueError(f"年份 {d.year} 不合理，请填写 {_YEAR_MIN}–{_YEAR_MAX} 年之间的日期")
        return d, None
    if isinstance(v, (time, timedelta)):
        raise ValueError("只有时间没有日期，请填写完整日期，例如 2026-09-01")
    if _is_blank(v):
        return None, None
    if isinstance(v, (int, float, Decimal)):
        n = float(v)
        if _SERIAL_MIN <= n <= _SERIAL_MAX:
            d = _EPOCH + timedelta(days=math.floor(n))
            return d, f"日期序号 {math.floor(n)} 已识别为 {d.isoformat()}"
        if n.is_integer() and 19000101 <= n <= 21001231:
            s = str(int(n))
            d = _make_date(int(s[:4]), int(s[4:6]), int(s[6:]))
            return d, f"数字 {s} 已识别为日期 {d.isoformat()}"
        raise ValueError("不是日期，请填写例如 2026-09-01")
    if not isinstance(v, str):
        raise ValueError("不是日期，请填写例如 2026-09-01")
    t, _ = _clean(v, _FULL_ALL)
    for pattern in _DATE_PATTERNS:
        if m := pattern.fullmatch(t):
            d = _make_date(int(m[1]), int(m[2]), int(m[3]))
            return d, f"文本日期已识别为 {d.isoformat()}"
    if _NO_YEAR.fullmatch(t):
        raise ValueError("日期缺少年份，请写成 2026-09-01 这样的完整日期")
    raise ValueError("无法识别的日期，请写成 2026-09-01 这样的格式")


_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}
_MONTH = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?|(\d{4})(\d{2})")
_QUARTER = re.compile(r"(\d{4})\s*(?:-\s*)?[Qq]\s*([1-4])"
                      r"|(\d{4})\s*年\s*第?\s*([1-4一二三四])\s*季度?")


def to_month(v: object) -> tuple[tuple[int, int], Note]:
    """A month: "2026-09" (canonical), "2026年9月", "2026/9"; a real date gives its month
    (Excel turns a typed "2026-09" into the date 2026-09-01)."""
    if isinstance(v, date):
        return (v.year, v.month), None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if _SERIAL_MIN <= v <= _SERIAL_MAX:
            d, note = to_date(v)
            return (d.year, d.month), note
        v = _display(v)                  # 202609 typed as a number
    if not isinstance(v, str) or _is_blank(v):
        raise ValueError("请填写月份，例如 2026-09")
    t, _ = _clean(v, _FULL_ALL)
    m = _MONTH.fullmatch(t)
    if not m:
        raise ValueError("无法识别的月份，请写成 2026-09 这样的格式")
    y, mo = int(m[1] or m[3]), int(m[2] or m[4])
    if not 1 <= mo <= 12:
        raise ValueError("月份应在 1 到 12 之间")
    if not _YEAR_MIN <= y <= _YEAR_MAX:
        raise ValueError(f"年份 {y} 不合理")
    canon = f"{y}-{mo:02d}"
    return (y, mo), None if v == canon else f"已识别为月份 {canon}"


def to_quarter(v: object) -> tuple[tuple[int, int], Note]:
    """A quarter: "2026Q3" (canonical), "2026q3", "2026-Q3", "2026年第三季度"."""
    if not isinstance(v, str) or _is_blank(v):
        raise ValueError("请填写季度，例如 2026Q3")
    t, _ = _clean(v, _FULL_ALL)
    m = _QUARTER.fullmatch(t)
    if not m:
        raise ValueError("无法识别的季度，请写成 2026Q3 这样的格式")
    y = int(m[1] or m[3])
    q_text = m[2] or m[4]
    q = int(q_text) if q_text.isdigit() else _CN_DIGIT[q_text]
    if not _YEAR_MIN <= y <= _YEAR_MAX:
        raise ValueError(f"年份 {y} 不合理")
    canon = f"{y}Q{q}"
    return (y, q), None if v == canon else f"已识别为季度 {canon}"


_WEEKDAY_EN = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY_CN = "一二三四五六日"


def to_weekday(v: object) -> tuple[int, Note]:
    """A weekday, 0 = Monday: 周一…周日 (canonical), 星期一…星期日/星期天, 礼拜一…,
    Monday/Mon …"""
    if isinstance(v, str):
        t, _ = _clean(v, _FULL_ALL)
        m = re.fullmatch(r"(?:周|星期|礼拜)([一二三四五六日天])", t)
        if m:
            n = _CN_DIGIT[m[1]] - 1
        else:
            key = t.lower().rstrip(".")
            n = next((i for i, w in enumerate(_WEEKDAY_EN) if key in (w, w[:3])), None)
        if n is not None:
            canon = "周" + _WEEKDAY_CN[n]
            return n, None if v == canon else f"“{t}”已识别为“{canon}”"
    raise ValueError("请填写 周一 到 周日 之一")
