"""One output sheet as worksheet XML: cells (inline strings only), widths, frozen header,
auto-filter, A4 page set-up with the title in the page header and page numbers below.

New and replaced sheets use inline strings only, so ``sharedStrings.xml`` is never
touched. Strings are always text, never formulas. This is where the presentation of an
:class:`OutputSheet` (its widths, number formats, landscape, title) becomes XML; a render
spec carried by the sheet would be applied here (and its styles in ``styles.py``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Iterator

from ..sheets import OutputSheet
from .package import NS_MAIN, NS_R
from .xmltext import ILLEGAL_XML_RE, esc_text

MAX_ROWS = 1_048_576
MAX_COLS = 16_384
MAX_CELL_CHARS = 32_767
MAX_HEADER_CHARS = 255

# Excel reads _xHHHH_ in cell text as an escaped character; escape a literal one.
_EXCEL_ESCAPE_RE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


@dataclass
class StyleIds:
    """The ``cellXfs`` indices the cells use (found or added by ``styles.py``)."""
    header: int
    date: int
    datetime: int
    by_format: dict[str, int]


_COL_CACHE: list[str] = []


def col_letter(i: int) -> str:
    """0-based column index -> Excel letters."""
    while len(_COL_CACHE) <= i:
        n = len(_COL_CACHE) + 1
        s = ""
        while n:
            n, r = divmod(n - 1, 26)
            s = chr(65 + r) + s
        _COL_CACHE.append(s)
    return _COL_CACHE[i]


def _clean_text(s: str) -> str:
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = ILLEGAL_XML_RE.sub("", s)
    if len(s) > MAX_CELL_CHARS:
        s = s[:MAX_CELL_CHARS]
    return _EXCEL_ESCAPE_RE.sub(r"_x005F_\1", s)


def _inline(ref: str, s: str, style: int) -> str:
    s = _clean_text(s)
    st = f' s="{style}"' if style else ""
    sp = ' xml:space="preserve"' if s[:1].isspace() or s[-1:].isspace() else ""
    return f'<c r="{ref}"{st} t="inlineStr"><is><t{sp}>{esc_text(s)}</t></is></c>'


def num_text(v) -> str | None:
    """Numeric cell text, or None for a missing value (NaN)."""
    if isinstance(v, Decimal):
        if v.is_nan():
            return None
        if v.is_infinite():
            raise ValueError(f"cannot write an infinite number to a cell: {v!r}")
        t = format(v.normalize(), "f")
        return "0" if t in ("-0", "0") else t
    if isinstance(v, int):
        return str(v)
    f = float(v)
    if math.isnan(f):
        return None
    if math.isinf(f):
        raise ValueError(f"cannot write an infinite number to a cell: {v!r}")
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    return repr(f)


_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)


def _serial(v: date | datetime, date1904: bool) -> str | None:
    """Excel serial number text for a date/datetime, None if Excel cannot show it."""
    dt = v if isinstance(v, datetime) else datetime.combine(v, time())
    if dt.tzinfo is not None:
        dt = dt.replace(tzinfo=None)
    if date1904:
        if dt < _EPOCH_1904:
            return None
        delta = dt - _EPOCH_1904
    else:
        if dt < datetime(1900, 1, 1):
            return None
        delta = dt - _EPOCH_1900
        if dt < datetime(1900, 3, 1):   # Excel's phantom 1900-02-29
            delta -= timedelta(days=1)
    days = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return num_text(days)


def plain(v):
    """Turn numpy / pandas scalars into plain Python values without importing them."""
    if type(v) in (str, int, float, bool, Decimal, date, datetime) or v is None:
        return v
    if hasattr(v, "item") and not isinstance(v, (str, date)):
        try:
            v = v.item()
        except (TypeError, ValueError):
            pass
    if isinstance(v, datetime):
        try:
            if v != v:   # pandas NaT
                return None
        except TypeError:
            pass
        if hasattr(v, "to_pydatetime"):
            v = v.to_pydatetime()
    return v


def _cell(ref: str, v, fmt_style: int, styles: StyleIds, date1904: bool) -> str:
    v = plain(v)
    if v is None:
        return ""
    if isinstance(v, str):
        return "" if v == "" else _inline(ref, v, 0)
    if isinstance(v, bool):
        return _inline(ref, "是" if v else "否", 0)
    if isinstance(v, (datetime, date)):
        serial = _serial(v, date1904)
        if serial is None:
            return _inline(ref, v.isoformat(), 0)
        has_time = isinstance(v, datetime) and v.time() != time()
        style = fmt_style or (styles.datetime if has_time else styles.date)
        return f'<c r="{ref}" s="{style}"><v>{serial}</v></c>'
    if isinstance(v, (int, float, Decimal)):
        t = num_text(v)
        if t is None:
            return ""
        st = f' s="{fmt_style}"' if fmt_style else ""
        return f'<c r="{ref}"{st}><v>{t}</v></c>'
    return _inline(ref, str(v), 0)


def quote_sheet(name: str) -> str:
    """A sheet name quoted for a formula reference (``'周汇总'``)."""
    return "'" + name.replace("'", "''") + "'"


def header_text(title: str) -> str:
    """Page-header code for the centred title: '&' doubled, within Excel's 255 chars."""
    t = ILLEGAL_XML_RE.sub("", title).replace("\r", " ").replace("\n", " ").replace("&", "&&")
    t = t[:MAX_HEADER_CHARS - 2]
    if t.endswith("&") and not t.endswith("&&"):
        t = t[:-1]
    return "&C" + t


def _fmt_width(w: float) -> str:
    w = float(w)
    return str(int(w)) if w.is_integer() else repr(round(w, 4))


def sheet_size(sheet: OutputSheet) -> tuple[int, int]:
    """(data rows, columns) of ``sheet``: the widest of the header and every row."""
    ncols = len(sheet.columns)
    for r in sheet.rows:
        ncols = max(ncols, len(r))
    return len(sheet.rows), ncols


def _head_xml(dim: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">'
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<dimension ref="{dim}"/>'
            '<sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            '</sheetView></sheetViews>')


def _page_xml(sheet: OutputSheet) -> Iterator[str]:
    yield ('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
           f'<pageSetup paperSize="9" orientation="{"landscape" if sheet.landscape else "portrait"}"'
           ' fitToWidth="1" fitToHeight="0"/><headerFooter>')
    if sheet.title:
        yield f"<oddHeader>{esc_text(header_text(sheet.title))}</oddHeader>"
    yield "<oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter>"


def render_sheet_xml(sheet: OutputSheet, styles: StyleIds, date1904: bool = False,
                     chart_tail: str = "") -> Iterator[str]:
    """The worksheet part for ``sheet`` as a stream of XML text chunks.

    ``chart_tail`` is the ``<rowBreaks>``/``<drawing>`` markup of its charts (charts.py).
    """
    nrows, ncols = sheet_size(sheet)
    if ncols > MAX_COLS or nrows + 1 > MAX_ROWS:
        raise ValueError(f"sheet {sheet.name!r} is too large for Excel ({nrows + 1} rows, {ncols} columns)")
    last = f"{col_letter(ncols - 1)}{nrows + 1}" if ncols else "A1"
    dim = "A1" if last == "A1" else f"A1:{last}"
    yield _head_xml(dim)
    widths = sheet.column_widths()
    if widths:
        yield "<cols>" + "".join(
            f'<col min="{i + 1}" max="{i + 1}" width="{_fmt_width(w)}" customWidth="1"/>'
            for i, w in enumerate(widths)) + "</cols>"
    fmt_styles = [styles.by_format.get(sheet.number_formats.get(c, ""), 0) for c in sheet.columns]
    fmt_styles += [0] * (ncols - len(fmt_styles))
    letters = [col_letter(i) for i in range(ncols)]
    yield '<sheetData><row r="1">'
    yield "".join(_inline(f"{letters[i]}1", str(h), styles.header) for i, h in enumerate(sheet.columns))
    yield "</row>"
    buf = []
    for n, row in enumerate(sheet.rows, start=2):
        cells = "".join(_cell(f"{letters[i]}{n}", v, fmt_styles[i], styles, date1904)
                        for i, v in enumerate(row))
        buf.append(f'<row r="{n}">{cells}</row>' if cells else "")
        if len(buf) >= 2000:
            yield "".join(buf)
            buf = []
    yield "".join(buf)
    yield "</sheetData>"
    if ncols:
        yield f'<autoFilter ref="{dim}"/>'
    yield from _page_xml(sheet)
    yield chart_tail + "</worksheet>"
