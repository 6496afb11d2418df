"""The render spec (render_spec.py) applied through xlwings: the Excel door's look.

What every xlwings engine does: column widths, the bold shaded header row, number formats
(xlwings_io), the frozen header row, and native charts through ``sheet.charts.add``
(type, source range, title, series colours where the engine has them).

What only desktop Excel (the COM ``api``) does: A4 page setup, orientation, fit to one page
wide, the page header title and page-number footer, print titles and manual page breaks.
The remote engine (xlwings Server / Lite / the tests' JSON engine) has no page-setup
actions beyond the print area, so a printout from there has Excel's default page setup;
``apply_format`` returns what it could not apply, and the caller may tell the clerk.
"""
from __future__ import annotations

from .charts import col_letter

_XL_TYPES = {("column", False): "column_clustered", ("column", True): "column_stacked",
             ("bar", False): "bar_clustered", ("bar", True): "bar_stacked",
             ("line", False): "line", ("line", True): "line_stacked"}
POINTS_PER_CHAR = 7.5          # an Excel character of width, roughly, in points
POINTS_PER_ROW = 15


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[0:2], 16), int(hex_colour[2:4], 16), int(hex_colour[4:6], 16)


def _excel_com(sheet) -> bool:
    """True when ``sheet.api`` is Excel's COM object (desktop Excel on Windows)."""
    try:
        return sheet.book.app.engine.name == "excel"
    except Exception:
        return False


def apply_format(sheet, fmt: dict, nrows: int) -> list[str]:
    """Apply ``fmt`` to an xlwings sheet already holding the values; what was left out."""
    missing: list[str] = []
    for step in (_columns, _header, _freeze, _page, _charts):
        try:
            step(sheet, fmt, nrows, missing)
        except Exception as exc:       # a look that fails never undoes the written values
            missing.append(f"{step.__name__.strip('_')}（{type(exc).__name__}）")
    return missing


def _columns(sheet, fmt, nrows, missing):
    for i, col in enumerate(fmt.get("columns") or []):
        if col.get("width"):
            sheet.range((1, i + 1)).column_width = float(col["width"])


def _header(sheet, fmt, nrows, missing):
    head = fmt.get("header_row") or {}
    ncols = len(fmt.get("columns") or [])
    if ncols and head.get("fill"):
        sheet.range((1, 1), (1, ncols)).color = _rgb(head["fill"])


def _freeze(sheet, fmt, nrows, missing):
    freeze = fmt.get("freeze") or {}
    rows, cols = int(freeze.get("rows") or 0), int(freeze.get("columns") or 0)
    if not rows and not cols:
        return
    cell = f"{col_letter(cols)}{rows + 1}"
    if _excel_com(sheet):
        window = sheet.book.app.api.ActiveWindow
        sheet.activate()
        window.FreezePanes = False
        window.SplitRow, window.SplitColumn = rows, cols
        window.FreezePanes = True
    elif hasattr(sheet, "freeze_panes"):
        sheet.freeze_panes.freeze_at(cell)
    else:
        missing.append("冻结首行")


def _page(sheet, fmt, nrows, missing):
    page = fmt.get("page") or {}
    if not page:
        return
    if not _excel_com(sheet):
        missing.append("页面设置（A4、方向、页眉页脚、打印标题）")
        return
    ps = sheet.api.PageSetup
    ps.PaperSize = 9                                   # xlPaperA4
    ps.Orientation = 2 if page.get("orientation") == "landscape" else 1
    ps.Zoom = False
    ps.FitToPagesWide = int(page.get("fit_to_pages_wide") or 1)
    ps.FitToPagesTall = False if not page.get("fit_to_pages_tall") else int(page["fit_to_pages_tall"])
    margins = page.get("margins_inch") or {}
    app = sheet.book.app.api
    for key, prop in (("left", "LeftMargin"), ("right", "RightMargin"), ("top", "TopMargin"),
                      ("bottom", "BottomMargin"), ("header", "HeaderMargin"), ("footer", "FooterMargin")):
        if key in margins:
            setattr(ps, prop, app.InchesToPoints(margins[key]))
    title = (page.get("header") or {}).get("center")
    ps.CenterHeader = title.replace("&", "&&") if title else ""
    ps.CenterFooter = (page.get("footer") or {}).get("center") or ""
    rows = page.get("print_title_rows")
    if rows:
        first, last = rows.split(":")
        ps.PrintTitleRows = f"${first}:${last}"
    for chart in fmt.get("charts") or []:
        brk = chart.get("page_break_after_row")
        if brk:
            sheet.api.HPageBreaks.Add(sheet.api.Rows(int(brk) + 1))


def _charts(sheet, fmt, nrows, missing):
    specs = fmt.get("charts") or []
    if not specs:
        return
    if not hasattr(sheet, "charts"):
        missing.append("图表")
        return
    api = sheet.api
    if isinstance(api, dict):          # remote engine: payloads of older clients carry no "charts"
        api.setdefault("charts", [])
    for spec in specs:
        anchor = spec["anchor"]
        widths = [c.get("width") or 8.43 for c in fmt.get("columns") or []]
        width_chars = sum(widths[:anchor["last_col"]]) + 8.43 * max(0, anchor["last_col"] - len(widths))
        cat = spec["categories"]["range"]
        series = spec["series"]
        first_col = cat.split(":")[0].rstrip("0123456789")
        last_row = cat.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        letters = [first_col] + [s["range"].split(":")[0].rstrip("0123456789") for s in series]
        index = [_col_index(c) for c in letters]
        block = list(range(min(index), max(index) + 1))
        contiguous = sorted(index) == block and index[0] == block[0]
        if not contiguous and not _excel_com(sheet):
            missing.append(f"图表“{spec.get('title')}”（数据列不相邻，远程引擎只能使用连续区域）")
            continue
        source = sheet.range(f"{col_letter(block[0])}1:{col_letter(block[-1])}{last_row}")
        kind = "line" if spec["type"] == "line" else spec["type"]
        chart = sheet.charts.add(left=0, top=anchor["first_row"] * POINTS_PER_ROW,
                                 width=width_chars * POINTS_PER_CHAR,
                                 height=(anchor["last_row"] - anchor["first_row"]) * POINTS_PER_ROW)
        chart.chart_type = _XL_TYPES[(kind, bool(spec.get("stacked")))]
        chart.set_source_data(source)
        try:
            chart.name = f"{sheet.name}-{spec['name']}"
        except Exception:
            pass
        if _excel_com(sheet):
            api = chart.api[1]
            if not contiguous:             # the bounding block: drop the columns not charted
                keep = {col_letter(i) for i in index[1:]}
                for i in range(len(block) - 1, 0, -1):
                    if col_letter(block[i]) not in keep:
                        api.SeriesCollection(i).Delete()
            api.HasTitle = True
            api.ChartTitle.Text = spec.get("title") or ""
            for i, s in enumerate(series, start=1):
                r, g, b = _rgb(s["colour"])
                colour = r + g * 256 + b * 65536
                ser = api.SeriesCollection(i)
                if s["as"] == "line" and spec["type"] != "line":
                    ser.ChartType = 4                       # xlLine over the bars
                    ser.Format.Line.ForeColor.RGB = colour
                else:
                    ser.Format.Fill.ForeColor.RGB = colour
        else:
            try:
                chart.title = spec.get("title") or ""
            except Exception:
                missing.append("图表标题")
        if spec.get("targets"):
            missing.append("图表目标线")
