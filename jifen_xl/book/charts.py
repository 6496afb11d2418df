"""Native charts in output sheets: DrawingML parts written next to the sheet.

A :class:`ChartSpec` is declarative: it names columns of its :class:`OutputSheet` by header
text (category column, value series, optional line series drawn on the same axes, e.g. the
30% target of SPEC L-9). The package writer (``ooxml/``) turns every spec into

* ``xl/charts/chartN.xml`` — a ``c:chartSpace`` whose series point at the sheet's cells
  (``'名'!$B$2:$B$20``) *and* carry cached values, so Excel, WPS and LibreOffice draw it on
  open without recalculating and the chart stays editable (it is a normal chart there);
* one ``xl/drawings/drawingN.xml`` per sheet (+ its rels) anchoring the charts **below the
  data**, each chart starting on a new printed page (a manual row break before it) and
  smaller than a page, so a chart is never split across pages; the sheet's own rels links
  the drawing.

Everything here is pure text generation; the writer decides part names and relationships.
Charts whose category column or series are missing, or sheets without data rows, produce
no chart rather than a broken one.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

NS_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RT_DRAWING = NS_R + "/drawing"
RT_CHART = NS_R + "/chart"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"

CHART_ROWS = 22            # rows a chart spans (default row height 15 pt → about 11.6 cm)
MIN_CHART_ROWS = 17        # a chart may shrink to this to share a page with a short table
MIN_CHART_CHARS = 80       # minimum chart width, in characters of column width
DEFAULT_COL_CHARS = 8.43   # Excel's default column width

KINDS = ("column", "bar", "line")


@dataclass
class ChartSpec:
    """One chart over columns of the sheet it belongs to (headers, not positions).

    ``kind``: ``column`` (vertical bars), ``bar`` (horizontal bars) or ``line``;
    ``stacked`` stacks the ``series``; ``lines`` are further series drawn as lines over
    the bars on the same axes (a target or threshold); ``percent`` formats the value axis
    as per cent. ``first_row``/``last_row`` limit the data rows (1-based within the data,
    default all).
    """

    title: str
    categories: str
    series: list[str]
    kind: str = "column"
    stacked: bool = False
    lines: list[str] = field(default_factory=list)
    y_title: str = ""
    percent: bool = False
    first_row: int | None = None
    last_row: int | None = None
    targets: list[tuple[str, float]] = field(default_factory=list)   # (label, constant) lines
    goals: list[str] = field(default_factory=list)     # columns drawn as red dashed target lines
    labels: bool = False                               # value labels on the bars

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}")


# Sheets whose charts can be derived from their columns alone, so that `jifen print` can
# draw them again from the cells it reads back: sheet name (or prefix ending in "-") ->
# fn(columns) -> specs. Each scheme declares its own (``Scheme.charts``).
ChartsForSheet = dict[str, Callable[[list[str]], list[ChartSpec]]]


def charts_for(name: str, columns: list[str], table: ChartsForSheet) -> list[ChartSpec]:
    """Chart specs ``table`` gives for an output sheet called ``name`` (exact or ``prefix-``)."""
    fn = table.get(name)
    if fn is None and "-" in name:
        fn = table.get(name.split("-", 1)[0] + "-")
    return fn(columns) if fn else []


# --------------------------------------------------------------------------- helpers

def _esc(s: str) -> str:
    return (str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def col_letter(i: int) -> str:
    s = ""
    n = i + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _quote(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _serial(v: date | datetime, date1904: bool) -> float:
    dt = v if isinstance(v, datetime) else datetime.combine(v, time())
    epoch = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30)
    d = dt.replace(tzinfo=None) - epoch
    return d.days + d.seconds / 86400


def _plain(v):
    if hasattr(v, "item") and not isinstance(v, (str, date, Decimal)):
        try:
            v = v.item()
        except (TypeError, ValueError):
            pass
    return v


def _num(v) -> str | None:
    v = _plain(v)
    if v is None or isinstance(v, (str, bool)):
        return None
    if isinstance(v, Decimal):
        if not v.is_finite():
            return None
        t = format(v.normalize(), "f")
        return "0" if t in ("-0", "0") else t
    f = float(v)
    if f != f or f in (float("inf"), float("-inf")):
        return None
    return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)


@dataclass
class _Resolved:
    """A spec bound to cell ranges of one sheet."""
    spec: ChartSpec
    cat_col: int
    series_cols: list[int]
    line_cols: list[int]
    r0: int            # first Excel row of data
    r1: int            # last Excel row of data


def resolve(spec: ChartSpec, columns: list[str], nrows: int) -> _Resolved | None:
    """Bind a spec to columns; None when something it names is missing or there is no data."""
    if spec.categories not in columns or nrows == 0:
        return None
    series = [columns.index(s) for s in spec.series if s in columns]
    lines = [columns.index(s) for s in spec.lines + spec.goals if s in columns]
    if not series and not lines and not spec.targets:
        return None
    first = max(1, spec.first_row or 1)
    last = min(nrows, spec.last_row or nrows)
    if last < first:
        return None
    return _Resolved(spec, columns.index(spec.categories), series, lines, first + 1, last + 1)


# --------------------------------------------------------------------------- chart part

def _rich(text: str, size: int, bold: bool) -> str:
    b = ' b="1"' if bold else ' b="0"'
    return (f'<c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size}"{b}/></a:pPr>'
            f'<a:r><a:rPr lang="zh-CN" sz="{size}"{b}/><a:t>{_esc(text)}</a:t></a:r></a:p></c:rich></c:tx>')


def _cat_xml(ref: str, values: list, date1904: bool) -> str:
    vals = [_plain(v) for v in values]
    if vals and all(isinstance(v, (date, datetime)) for v in vals if v is not None) \
            and any(v is not None for v in vals):
        pts = "".join(f'<c:pt idx="{i}"><c:v>{_num(_serial(v, date1904))}</c:v></c:pt>'
                      for i, v in enumerate(vals) if v is not None)
        return (f"<c:cat><c:numRef><c:f>{_esc(ref)}</c:f><c:numCache><c:formatCode>yyyy-mm-dd</c:formatCode>"
                f'<c:ptCount val="{len(vals)}"/>{pts}</c:numCache></c:numRef></c:cat>')
    pts = "".join(f'<c:pt idx="{i}"><c:v>{_esc(_text(v))}</c:v></c:pt>'
                  for i, v in enumerate(vals) if v is not None and _text(v) != "")
    return (f"<c:cat><c:strRef><c:f>{_esc(ref)}</c:f><c:strCache>"
            f'<c:ptCount val="{len(vals)}"/>{pts}</c:strCache></c:strRef></c:cat>')


def _text(v) -> str:
    if isinstance(v, (date, datetime)):
        return v.isoformat()[:10]
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, Decimal):
        return _num(v) or ""
    return str(v)


PALETTE = ["4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47", "264478", "9E480E"]
GOAL_COLOUR = "C00000"


def _fill(colour: str) -> str:
    return f'<c:spPr><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill></c:spPr>'


def _ser_xml(idx: int, sheet_ref: str, columns: list[str], rows: list[list], col: int,
             res: _Resolved, cat: str, line: bool, fmt: str) -> str:
    """One series. Every series carries its own colour, so the legend shows exactly the
    colour of its bars or line in every client (no per-bar colours the legend
    cannot explain); a goal column is a red dashed line with dash markers, visible even
    over a single category."""
    letter = col_letter(col)
    name_ref = f"{sheet_ref}!${letter}$1"
    val_ref = f"{sheet_ref}!${letter}${res.r0}:${letter}${res.r1}"
    vals = [rows[r - 2][col] if col < len(rows[r - 2]) else None for r in range(res.r0, res.r1 + 1)]
    pts = "".join(f'<c:pt idx="{i}"><c:v>{t}</c:v></c:pt>'
                  for i, v in enumerate(vals) if (t := _num(v)) is not None)
    out = (f'<c:ser><c:idx val="{idx}"/><c:order val="{idx}"/>'
           f"<c:tx><c:strRef><c:f>{_esc(name_ref)}</c:f><c:strCache><c:ptCount val=\"1\"/>"
           f'<c:pt idx="0"><c:v>{_esc(columns[col])}</c:v></c:pt></c:strCache></c:strRef></c:tx>')
    colour = PALETTE[idx % len(PALETTE)]
    if line and columns[col] in res.spec.goals:
        out += (f'<c:spPr><a:ln w="28575"><a:solidFill><a:srgbClr val="{GOAL_COLOUR}"/></a:solidFill>'
                '<a:prstDash val="dash"/></a:ln></c:spPr>'
                '<c:marker><c:symbol val="dash"/><c:size val="14"/>'
                f'<c:spPr><a:solidFill><a:srgbClr val="{GOAL_COLOUR}"/></a:solidFill>'
                f'<a:ln><a:solidFill><a:srgbClr val="{GOAL_COLOUR}"/></a:solidFill></a:ln></c:spPr></c:marker>')
    elif line:
        dash = '<a:prstDash val="dash"/>' if res.spec.kind != "line" else ""
        out += (f'<c:spPr><a:ln w="28575"><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill>{dash}</a:ln>'
                '</c:spPr>')
        out += ('<c:marker><c:symbol val="none"/></c:marker>' if res.spec.kind != "line" else
                f'<c:marker><c:symbol val="circle"/><c:size val="5"/>{_fill(colour)}</c:marker>')
    else:
        out += _fill(colour) + '<c:invertIfNegative val="0"/>'
        if res.spec.labels:
            out += (f'<c:dLbls><c:numFmt formatCode="{_esc(_label_fmt(fmt))}" sourceLinked="0"/>'
                    '<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>'
                    '<c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/>'
                    '<c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>')
    out += cat
    out += (f"<c:val><c:numRef><c:f>{_esc(val_ref)}</c:f><c:numCache><c:formatCode>{_esc(fmt)}</c:formatCode>"
            f'<c:ptCount val="{len(vals)}"/>{pts}</c:numCache></c:numRef></c:val>')
    if line:
        out += '<c:smooth val="0"/>'
    return out + "</c:ser>"


def _label_fmt(fmt: str) -> str:
    return "0.0%" if fmt.endswith("%") else "General"


def _values(rows: list[list], cols: list[int], res: _Resolved) -> list[float]:
    out = []
    for r in range(res.r0, res.r1 + 1):
        row = rows[r - 2]
        for c in cols:
            t = _num(row[c]) if c < len(row) else None
            if t is not None:
                out.append(float(t))
    return out


def _nice_max(top: float, percent: bool) -> float:
    """A round axis maximum strictly above ``top`` (so a target line is not the frame)."""
    if percent:
        return math.floor(top * 10 + 1e-9) / 10 + 0.1
    step = 10 ** max(0, len(str(int(abs(top)))) - 1)
    return (math.floor(top / step + 1e-9) + 1) * step


def value_scaling(spec: ChartSpec, columns: list[str], rows: list[list], res: _Resolved) -> tuple[float | None, float | None]:
    """(min, max) for the value axis: bars start at 0 (never at the smallest
    value, which makes 1% look like 3×) when nothing is negative; with a target (goal
    columns or constant targets) the axis reaches above it."""
    if spec.kind == "line":
        return None, None
    values = _values(rows, res.series_cols + res.line_cols, res) + [t for _, t in spec.targets]
    lo = 0.0 if not values or min(values) >= 0 else None
    goal_cols = [columns.index(g) for g in spec.goals if g in columns]
    goals = _values(rows, goal_cols, res) + [t for _, t in spec.targets]
    hi = None
    if goals and values:
        top = max(values)
        if spec.stacked:
            for r in range(res.r0, res.r1 + 1):
                row = rows[r - 2]
                top = max(top, sum(float(t) for c in res.series_cols
                                   if c < len(row) and (t := _num(row[c])) is not None))
        hi = _nice_max(max(top, max(goals)), spec.percent)
    return lo, hi


def _target_ser_xml(idx: int, label: str, value: float, n: int, cat: str, fmt: str) -> str:
    """A constant line (e.g. the 30% target of L-9) as literal values: no helper cells."""
    v = _num(value)
    pts = "".join(f'<c:pt idx="{i}"><c:v>{v}</c:v></c:pt>' for i in range(n))
    return (f'<c:ser><c:idx val="{idx}"/><c:order val="{idx}"/><c:tx><c:v>{_esc(label)}</c:v></c:tx>'
            '<c:spPr><a:ln w="28575"><a:solidFill><a:srgbClr val="C00000"/></a:solidFill>'
            '<a:prstDash val="dash"/></a:ln></c:spPr><c:marker><c:symbol val="none"/></c:marker>'
            f'{cat}<c:val><c:numLit><c:formatCode>{_esc(fmt)}</c:formatCode><c:ptCount val="{n}"/>{pts}'
            '</c:numLit></c:val><c:smooth val="0"/></c:ser>')


def chart_xml(sheet_name: str, columns: list[str], rows: list[list], res: _Resolved,
              date1904: bool = False) -> bytes:
    """The ``xl/charts/chartN.xml`` part for one resolved spec."""
    spec = res.spec
    sheet_ref = _quote(sheet_name)
    cat_letter = col_letter(res.cat_col)
    cat_ref = f"{sheet_ref}!${cat_letter}${res.r0}:${cat_letter}${res.r1}"
    cat = _cat_xml(cat_ref, [rows[r - 2][res.cat_col] if res.cat_col < len(rows[r - 2]) else None
                             for r in range(res.r0, res.r1 + 1)], date1904)
    fmt = "0%" if spec.percent else "General"
    ax_cat, ax_val = 50010, 50020
    axes = f'<c:axId val="{ax_cat}"/><c:axId val="{ax_val}"/>'
    idx = 0
    plot = ""
    if spec.kind == "line":
        sers = ""
        for col in res.series_cols + res.line_cols:
            sers += _ser_xml(idx, sheet_ref, columns, rows, col, res, cat, True, fmt)
            idx += 1
        plot += (f'<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>{sers}'
                 f'<c:marker val="1"/>{axes}</c:lineChart>')
    else:
        sers = ""
        for col in res.series_cols:
            sers += _ser_xml(idx, sheet_ref, columns, rows, col, res, cat, False, fmt)
            idx += 1
        grouping = "stacked" if spec.stacked else "clustered"
        overlap = '<c:overlap val="100"/>' if spec.stacked else ""
        bar_dir = "bar" if spec.kind == "bar" else "col"
        if sers:
            plot += (f'<c:barChart><c:barDir val="{bar_dir}"/><c:grouping val="{grouping}"/>'
                     f'<c:varyColors val="0"/>{sers}<c:gapWidth val="80"/>{overlap}{axes}</c:barChart>')
        if res.line_cols or spec.targets:
            lsers = ""
            for col in res.line_cols:
                lsers += _ser_xml(idx, sheet_ref, columns, rows, col, res, cat, True, fmt)
                idx += 1
            for label, value in spec.targets:
                lsers += _target_ser_xml(idx, label, value, res.r1 - res.r0 + 1, cat, fmt)
                idx += 1
            plot += (f'<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>{lsers}'
                     f'<c:marker val="1"/>{axes}</c:lineChart>')
    horizontal = spec.kind == "bar"
    cat_pos, val_pos = ("l", "b") if horizontal else ("b", "l")
    cat_fmt = '<c:numFmt formatCode="m/d" sourceLinked="0"/>' if "<c:numRef>" in cat.split("</c:cat>")[0] else ""
    y_title = ""
    if spec.y_title:
        y_title = f"<c:title>{_rich(spec.y_title, 1000, False)}<c:overlay val=\"0\"/></c:title>"
    scaling = '<c:scaling><c:orientation val="maxMin"/></c:scaling>' if horizontal else \
        '<c:scaling><c:orientation val="minMax"/></c:scaling>'
    cat_ax = (f'<c:catAx><c:axId val="{ax_cat}"/>{scaling}<c:delete val="0"/>'
              f'<c:axPos val="{cat_pos}"/>{cat_fmt}<c:majorTickMark val="out"/><c:minorTickMark val="none"/>'
              f'<c:tickLblPos val="low"/><c:crossAx val="{ax_val}"/><c:crosses val="autoZero"/>'
              f'<c:auto val="0"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>')
    lo, hi = value_scaling(spec, columns, rows, res)
    bounds = (f'<c:max val="{_num(round(hi, 6))}"/>' if hi is not None else "") + \
        (f'<c:min val="{_num(lo)}"/>' if lo is not None else "")
    val_ax = (f'<c:valAx><c:axId val="{ax_val}"/><c:scaling><c:orientation val="minMax"/>{bounds}</c:scaling>'
              f'<c:delete val="0"/><c:axPos val="{val_pos}"/><c:majorGridlines/>{y_title}'
              f'<c:numFmt formatCode="{fmt}" sourceLinked="0"/><c:majorTickMark val="out"/>'
              f'<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="{ax_cat}"/>'
              f'<c:crosses val="{"max" if horizontal else "autoZero"}"/><c:crossBetween val="between"/></c:valAx>')
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<c:chartSpace xmlns:c="{NS_C}" xmlns:a="{NS_A}" xmlns:r="{NS_R}">'
           '<c:lang val="zh-CN"/><c:roundedCorners val="0"/><c:chart>'
           f'<c:title>{_rich(spec.title, 1400, True)}<c:overlay val="0"/></c:title>'
           '<c:autoTitleDeleted val="0"/>'
           f'<c:plotArea><c:layout/>{plot}{cat_ax}{val_ax}</c:plotArea>'
           '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>'
           '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
           '<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="1000"/></a:pPr>'
           '<a:endParaRPr lang="zh-CN"/></a:p></c:txPr>'
           '</c:chartSpace>')
    return xml.encode("utf-8")


# --------------------------------------------------------------------------- drawing part

@dataclass
class Placement:
    """Where a chart sits: rows are 0-based anchor rows, cols 0-based, ``to`` exclusive."""
    row_from: int
    row_to: int
    col_to: int


PAGE_CHARS = {False: 94.0, True: 141.0}   # A4 width inside the writer's margins, in characters
PAGE_ROWS = {False: 47.0, True: 32.0}     # A4 height inside margins and header, in 15 pt rows


def rows_per_page(total_chars: float, landscape: bool) -> int:
    """Rows of default height on one printed page of a sheet fitted to the page width
    (a wide sheet is scaled down, so more rows fit); a tenth kept as a safety margin."""
    scale = min(1.0, PAGE_CHARS[landscape] / max(total_chars, 1.0))
    return int(PAGE_ROWS[landscape] / scale * 0.9)


def placements(n_charts: int, nrows: int, widths: list[float],
               landscape: bool = False) -> tuple[list[Placement], list[int]]:
    """Anchors below the data and the rows to break before (a short table and its
    chart share a page; a chart never straddles a page).

    Returns (placements, breaks) where each break is the 1-based Excel row after which a
    manual page break goes (``<brk id=…>``). A chart goes under what is above it on the same
    page when the table fits its first page and the chart fits below it; otherwise it starts
    a new page.
    """
    total = 0.0
    col_to = 0
    for w in widths:
        total += w
        col_to += 1
    page_w = total
    while total < MIN_CHART_CHARS:
        total += DEFAULT_COL_CHARS
        col_to += 1
    page = rows_per_page(max(page_w, total), landscape)
    out, breaks = [], []
    last_data_row = nrows + 1                   # header + data, 1-based
    start = last_data_row + 1                   # 0-based index = first row after a blank one
    used = last_data_row if last_data_row <= page else page + 1   # rows on the current page
    for i in range(n_charts):
        height = CHART_ROWS
        if i == 0 and used + 1 + CHART_ROWS > page and page - used - 1 >= MIN_CHART_ROWS:
            height = page - used - 1            # a little shorter, to stay with its table
        if used + 1 + height <= page:
            used += 1 + height                  # same page, under a blank row
        else:
            breaks.append(start)                # break after Excel row `start` (blank row)
            used = height
        out.append(Placement(start, start + height, col_to))
        start += height + 1
    return out, breaks


def drawing_xml(places: list[Placement]) -> bytes:
    anchors = ""
    for i, p in enumerate(places):
        anchors += (
            '<xdr:twoCellAnchor editAs="oneCell">'
            f"<xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{p.row_from}</xdr:row>"
            "<xdr:rowOff>0</xdr:rowOff></xdr:from>"
            f"<xdr:to><xdr:col>{p.col_to}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{p.row_to}</xdr:row>"
            "<xdr:rowOff>0</xdr:rowOff></xdr:to>"
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{i + 2}" name="图表 {i + 1}"/>'
            "<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>"
            '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
            f'<a:graphic><a:graphicData uri="{NS_C}"><c:chart xmlns:c="{NS_C}" r:id="rId{i + 1}"/>'
            "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<xdr:wsDr xmlns:xdr="{NS_XDR}" xmlns:a="{NS_A}" xmlns:r="{NS_R}">{anchors}</xdr:wsDr>'
            ).encode("utf-8")


def rels_xml(rels: list[tuple[str, str, str]]) -> bytes:
    """A relationships part: [(Id, Type, Target)]."""
    body = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{_esc(tg)}"/>' for i, t, tg in rels)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{body}</Relationships>").encode("utf-8")


def sheet_tail_xml(breaks: list[int], drawing_rid: str) -> str:
    """``<rowBreaks>`` and ``<drawing>`` for the end of the worksheet (schema order)."""
    brks = "".join(f'<brk id="{b}" max="16383" man="1"/>' for b in breaks)
    out = f'<rowBreaks count="{len(breaks)}" manualBreakCount="{len(breaks)}">{brks}</rowBreaks>' if breaks else ""
    return out + f'<drawing r:id="{drawing_rid}"/>'
