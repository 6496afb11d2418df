"""The render spec: what an output sheet needs to look right, as plain JSON-able data.

Every door writes the same :class:`OutputSheet`; this module says, once, how it should look
and how its cells travel as JSON:

* :func:`sheet_format` — number formats, column widths, the bold shaded header row, the
  frozen header, the autofilter, A4 page setup (orientation, fit to one page wide), the
  header row repeated on each printed page, the page header title and page-number footer,
  and the sheet's charts (type, cell ranges, colours, axes, placement below the data).
  It is derived from the same ``OutputSheet`` fields and ``charts.resolve``/``placements``
  the file door's package writer uses, with the writer's own constants, and a test checks
  it against the XML the writer produced.
* :func:`json_cell` — one cell as the file door writes it: ``True``/``False`` become
  是/否, dates ISO strings, exact decimals numbers, empty text nothing (``None``).

Clients (xlwings door, the LibreOffice extension, the WPS add-in) apply as much of the
spec as their host allows. Ranges are sheet-relative A1 references ("B2:B19").
"""
from __future__ import annotations

import math
from datetime import date, datetime, time
from decimal import Decimal

from . import charts as _charts
from .ooxml.sheetxml import plain
from .ooxml.xmltext import ILLEGAL_XML_RE
from .sheets import OutputSheet

SPEC_VERSION = 1
# The file door's values (the package writer); tests/test_serve_spec.py checks them against its output.
HEADER_FILL = "D9E1F2"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MAX_CELL_CHARS = 32_767
MARGINS_INCH = {"left": 0.7, "right": 0.7, "top": 0.75, "bottom": 0.75, "header": 0.3, "footer": 0.3}
FOOTER_CENTER = "第 &P 页，共 &N 页"          # Excel header/footer codes: page, pages
TARGET_COLOUR = "C00000"

def json_cell(v):
    """One output cell as the file door stores it, in JSON terms."""
    v = plain(v)
    if v is None:
        return None
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, str):
        if v == "":
            return None
        s = ILLEGAL_XML_RE.sub("", v.replace("\r\n", "\n").replace("\r", "\n"))
        return s[:MAX_CELL_CHARS]
    if isinstance(v, datetime):
        v = v.replace(tzinfo=None)
        return v.date().isoformat() if v.time() == time() else v.isoformat(timespec="seconds")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Decimal):
        if not v.is_finite():
            return None
        return int(v) if v == v.to_integral_value() and abs(v) < 10 ** 15 else float(v)
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return None
        return int(v) if v.is_integer() and abs(v) < 1e15 else v
    return json_cell(str(v))


def output_rows(out: OutputSheet) -> list[list]:
    """Header row plus data rows, rectangular (``None`` pads), cells as :func:`json_cell`."""
    width = max([len(out.columns)] + [len(r) for r in out.rows])
    pad = [None] * width
    head = [json_cell(h) for h in out.columns]
    rows = [(head + pad)[:width]]
    for r in out.rows:
        rows.append(([json_cell(v) for v in r] + pad)[:width])
    return rows


def column_number_formats(out: OutputSheet) -> list[str | None]:
    """Per column: the explicit format, else the date (time) format of a date column."""
    width = max([len(out.columns)] + [len(r) for r in out.rows])
    formats: list[str | None] = []
    for c in range(width):
        head = out.columns[c] if c < len(out.columns) else None
        code = out.number_formats.get(head) if head is not None else None
        if not code:
            for r in out.rows:
                v = plain(r[c]) if c < len(r) else None
                if isinstance(v, datetime):
                    if v.time() != time():
                        code = DATETIME_FORMAT
                        break
                    code = DATE_FORMAT
                elif isinstance(v, date):
                    code = code or DATE_FORMAT
        formats.append(code or None)
    return formats


def _a1(col: int, row: int) -> str:
    return f"{_charts.col_letter(col)}{row}"


def _range(col: int, r0: int, r1: int) -> str:
    return f"{_a1(col, r0)}:{_a1(col, r1)}"


def chart_specs(out: OutputSheet) -> list[dict]:
    """The sheet's charts bound to its cells, placed and coloured as the file door draws them
    (charts.chart_xml: series colours in palette order, goal columns as red dashed lines,
    value labels, the value axis from charts.value_scaling)."""
    columns = list(out.columns)
    nrows = len(out.rows)
    resolved = [r for c in out.charts if (r := _charts.resolve(c, columns, nrows)) is not None]
    if not resolved:
        return []
    places, breaks_list = _charts.placements(len(resolved), nrows, out.column_widths(), out.landscape)
    breaks = set(breaks_list)
    palette = _charts.PALETTE
    specs = []
    for i, (res, place) in enumerate(zip(resolved, places)):
        spec = res.spec
        series = []
        idx = 0
        for col in res.series_cols:
            series.append({"header": columns[col], "name_cell": _a1(col, 1),
                           "range": _range(col, res.r0, res.r1), "as": "line" if spec.kind == "line" else "bar",
                           "colour": palette[idx % len(palette)], "dash": False, "goal": False})
            idx += 1
        for col in res.line_cols:
            goal = columns[col] in spec.goals
            series.append({"header": columns[col], "name_cell": _a1(col, 1),
                           "range": _range(col, res.r0, res.r1), "as": "line",
                           "colour": _charts.GOAL_COLOUR if goal else palette[idx % len(palette)],
                           "dash": goal or spec.kind != "line", "goal": goal})
            idx += 1
        lo, hi = _charts.value_scaling(spec, columns, out.rows, res)
        cat_values = [plain(out.rows[r - 2][res.cat_col]) if res.cat_col < len(out.rows[r - 2]) else None
                      for r in range(res.r0, res.r1 + 1)]
        dated = any(isinstance(v, date) for v in cat_values)
        fmt = "0%" if spec.percent else "General"
        specs.append({
            "name": f"图表 {i + 1}",
            "type": spec.kind,                     # column | bar (horizontal) | line
            "title": spec.title,
            "stacked": spec.stacked,
            "categories": {"header": columns[res.cat_col], "range": _range(res.cat_col, res.r0, res.r1),
                           "number_format": "m/d" if dated else None},
            "series": series,
            "targets": [{"label": label, "value": float(value), "colour": TARGET_COLOUR, "dash": True}
                        for label, value in spec.targets],
            "data_labels": {"number_format": "0.0%" if spec.percent else "General"} if spec.labels else None,
            "point_colours": None,
            "value_axis": {"title": spec.y_title or None, "number_format": fmt,
                           "min": None if lo is None else float(lo),
                           "max": None if hi is None else float(round(hi, 6))},
            "category_axis": {"reverse": spec.kind == "bar"},   # horizontal bars list top-down
            "legend": "bottom",
            # 0-based rows/columns; the chart covers rows first_row..last_row-1, columns 0..last_col-1
            "anchor": {"first_row": place.row_from, "last_row": place.row_to, "last_col": place.col_to},
            # 1-based: a manual page break after this row (None: the chart shares the page above)
            "page_break_after_row": place.row_from if place.row_from in breaks else None,
        })
    return specs


def sheet_format(out: OutputSheet) -> dict:
    """The render spec of one output sheet (JSON-able)."""
    width = max([len(out.columns)] + [len(r) for r in out.rows])
    nrows = len(out.rows)
    widths = out.column_widths()
    formats = column_number_formats(out)
    columns = []
    for c in range(width):
        columns.append({"header": out.columns[c] if c < len(out.columns) else None,
                        "width": float(widths[c]) if c < len(widths) else None,   # characters
                        "number_format": formats[c]})
    last = f"A1:{_a1(width - 1, nrows + 1)}" if width else None
    return {
        "version": SPEC_VERSION,
        "columns": columns,
        "header_row": {"row": 1, "bold": True, "fill": HEADER_FILL},
        "freeze": {"rows": 1, "columns": 0},        # the header row stays visible
        "autofilter": last,
        "page": {
            "paper": "A4",
            "orientation": "landscape" if out.landscape else "portrait",
            "fit_to_pages_wide": 1, "fit_to_pages_tall": 0,    # 0: as many pages as needed
            "margins_inch": dict(MARGINS_INCH),
            "print_title_rows": "1:1",
            "header": {"center": out.title or None},
            "footer": {"center": FOOTER_CENTER},
        },
        "charts": chart_specs(out),
    }


def output_json(out: OutputSheet) -> dict:
    """``{"name", "rows", "format"}`` — one entry of the service's ``outputs``."""
    return {"name": out.name, "rows": output_rows(out), "format": sheet_format(out)}
