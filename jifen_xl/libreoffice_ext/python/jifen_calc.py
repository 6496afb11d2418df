# -*- coding: utf-8 -*-
"""积分 toolbar for LibreOffice Calc: each button posts the open workbook's sheets to the
local service (`jifen serve`) and writes the returned output sheets back.

Standard library + uno only: LibreOffice's own Python (Windows, macOS) has no pandas and no
jifen_xl. Nothing is computed here: the service runs the same actions as `jifen <command>`.

Settings (written by `jifen install-libreoffice` into the jifen config folder, client.json):
port of the service and the command that starts it when it is not running. The token is
read from the same folder (`token`).
"""
from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta

import uno
from com.sun.star.table import CellRangeAddress

TITLE = "积分计算"
DEFAULT_PORT = 39800
TIMEOUT = 900
# CellFlags: VALUE 1, DATETIME 2, STRING 4, ANNOTATION 8, FORMULA 16, HARDATTR 32, STYLES 64,
# OBJECTS 128, EDITATTR 256, FORMATTED 512
CLEAR_ALL = 1023
DATETIME_FLAG = 2
EN_US = uno.createUnoStruct("com.sun.star.lang.Locale", "en", "US", "")


class ClientError(Exception):
    """Something the clerk must read (a Chinese message)."""


# --------------------------------------------------------------------------- configuration

def config_dir() -> str:
    if os.name == "nt":
        base = os.environ.get("APPDATA") or os.path.join(os.path.expanduser("~"), "AppData", "Roaming")
    else:
        base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "jifen")


def client_config() -> dict:
    try:
        with open(os.path.join(config_dir(), "client.json"), encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def read_token() -> str:
    try:
        with open(os.path.join(config_dir(), "token"), encoding="ascii") as fh:
            return fh.read().strip()
    except OSError:
        return ""


# --------------------------------------------------------------------------- the service

def service_env() -> dict:
    """LibreOffice's environment without what points a Python at LibreOffice's own (it sets
    PYTHONPATH, on Windows PYTHONHOME too): the service's Python must load its own library
    (the mirror of jifen_xl/book/childenv.py, which this module cannot import)."""
    return {k: v for k, v in os.environ.items()
            if not k.upper().startswith("PYTHON") and k.upper() not in ("VIRTUAL_ENV", "__PYVENV_LAUNCHER__")}


class Service:
    def __init__(self):
        cfg = client_config()
        self.port = int(os.environ.get("JIFEN_PORT") or cfg.get("port") or DEFAULT_PORT)
        self.base = "http://127.0.0.1:%d" % self.port
        self.start_command = cfg.get("serve_command")

    def _request(self, method: str, path: str, body=None, timeout: float = TIMEOUT):
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        token = read_token()
        if token:
            req.add_header("X-Jifen-Token", token)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read().decode("utf-8")).get("message")
            except Exception:
                message = None
            raise ClientError(message or "积分服务返回错误 %d。" % exc.code)

    def healthy(self) -> bool:
        try:
            return bool(self._request("GET", "/v1/health", timeout=3).get("ok"))
        except (ClientError, OSError, ValueError):
            return False

    def ensure_running(self) -> None:
        if self.healthy():
            return
        if not self.start_command:
            raise ClientError("积分服务没有运行。请在命令行运行 `jifen serve`（端口 %d），"
                              "或运行 `jifen serve --install-autostart` 让它在登录时自动启动，然后再点按钮。"
                              % self.port)
        flags = 0x08000000 if os.name == "nt" else 0          # CREATE_NO_WINDOW
        try:
            subprocess.Popen(self.start_command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, creationflags=flags, env=service_env(),
                             start_new_session=(os.name != "nt"))
        except OSError as exc:
            raise ClientError("无法启动积分服务（%s）：%s。请在命令行运行 `jifen serve`。"
                              % (" ".join(self.start_command), exc))
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.healthy():
                return
            time.sleep(0.3)
        raise ClientError("积分服务启动后 30 秒内没有响应。请在命令行运行 `jifen serve` 查看原因。")

    def commands(self) -> list:
        return self._request("GET", "/v1/commands", timeout=30)["commands"]

    def run(self, command: str, body: dict) -> dict:
        return self._request("POST", "/v1/run/" + command, body)


# --------------------------------------------------------------------------- the document

def find_document(ctx):
    """The spreadsheet the button was pressed on. A macro dispatched on a hidden document gets
    no XSCRIPTCONTEXT document, so fall back to the desktop's current / open spreadsheets."""
    doc = None
    try:
        doc = XSCRIPTCONTEXT.getDocument()  # noqa: F821 (provided by the script provider)
    except Exception:
        doc = None
    if doc is not None and doc.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
        return doc
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    current = desktop.getCurrentComponent()
    if current is not None and current.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
        return current
    found = []
    components = desktop.getComponents().createEnumeration()
    while components.hasMoreElements():
        comp = components.nextElement()
        if comp.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
            found.append(comp)
    if len(found) == 1:
        return found[0]
    if found:   # several open: the one whose window is active
        for comp in found:
            try:
                if comp.getCurrentController().getFrame().isActive():
                    return comp
            except Exception:
                pass
        return found[-1]
    raise ClientError("没有找到打开的电子表格。")


def _null_date(doc) -> datetime:
    d = doc.NullDate
    return datetime(d.Year, d.Month, d.Day)


def _iso(serial: float, epoch: datetime) -> str:
    days = int(serial // 1)
    frac = serial - days
    if abs(frac) < 1e-9:
        return (epoch + timedelta(days=days)).date().isoformat()
    return (epoch + timedelta(days=days, seconds=round(frac * 86400))).isoformat(timespec="seconds")


def read_sheet(doc, sheet) -> list:
    """The used range from A1 as rows of JSON cells; date cells as ISO text."""
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    end = cursor.getRangeAddress()
    if end.EndRow < 0 or end.EndColumn < 0:
        return []
    data = sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow).getDataArray()
    rows = [[None if v == "" else v for v in row] for row in data]
    epoch = _null_date(doc)
    try:
        dated = sheet.queryContentCells(DATETIME_FLAG).getRangeAddresses()
    except Exception:
        dated = ()
    for a in dated:
        for r in range(a.StartRow, min(a.EndRow, end.EndRow) + 1):
            for c in range(a.StartColumn, min(a.EndColumn, end.EndColumn) + 1):
                v = rows[r][c]
                if isinstance(v, float):
                    rows[r][c] = _iso(v, epoch)
    return rows


# --------------------------------------------------------------------------- writing back

def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _parse_a1(ref: str) -> tuple:
    letters = "".join(ch for ch in ref if ch.isalpha())
    digits = "".join(ch for ch in ref if ch.isdigit())
    return _col_index(letters.upper()), int(digits) - 1


def _range_address(sheet_index: int, ref: str):
    a, b = ref.split(":") if ":" in ref else (ref, ref)
    c0, r0 = _parse_a1(a)
    c1, r1 = _parse_a1(b)
    addr = CellRangeAddress()
    addr.Sheet, addr.StartColumn, addr.StartRow, addr.EndColumn, addr.EndRow = sheet_index, c0, r0, c1, r1
    return addr


def _format_key(formats, code: str) -> int:
    key = formats.queryKey(code, EN_US, False)
    if key == -1:
        key = formats.addNew(code, EN_US)
    return key


def _to_serial(text: str, epoch: datetime):
    try:
        if len(text) == 10:
            d = datetime.strptime(text, "%Y-%m-%d")
        else:
            d = datetime.fromisoformat(text)
    except ValueError:
        return None
    delta = d - epoch
    return delta.days + delta.seconds / 86400.0


def _cells(rows: list, date_cols: set, epoch: datetime) -> tuple:
    out = []
    for r, row in enumerate(rows):
        cells = []
        for c, v in enumerate(row):
            if v is None:
                cells.append("")
            elif isinstance(v, bool):
                cells.append("是" if v else "否")
            elif isinstance(v, (int, float)):
                cells.append(float(v))
            elif r > 0 and c in date_cols and isinstance(v, str):
                serial = _to_serial(v, epoch)
                cells.append(v if serial is None else serial)
            else:
                cells.append(str(v))
        out.append(tuple(cells))
    return tuple(out)


def _get_or_add_sheet(doc, name: str):
    sheets = doc.getSheets()
    if sheets.hasByName(name):
        sheet = sheets.getByName(name)
        charts = sheet.getCharts()
        for chart in list(charts.getElementNames()):
            charts.removeByName(chart)
        sheet.clearContents(CLEAR_ALL)
        return sheet
    sheets.insertNewByName(name, sheets.getCount())
    return sheets.getByName(name)


def _sheet_index(doc, name: str) -> int:
    return list(doc.getSheets().getElementNames()).index(name)


def _width_100mm(chars: float) -> int:
    # Excel's column width (characters of the default font) → pixels at 96 dpi → 1/100 mm
    return int(round((chars * 7 + 5) * 2540 / 96))


def _rgb(hex_colour: str) -> int:
    return int(hex_colour, 16)


def write_output(doc, out: dict, problems: list) -> None:
    """Replace one output sheet whole: its cells, then as much of its render spec as Calc allows."""
    name, rows, fmt = out["name"], out["rows"], out.get("format") or {}
    sheet = _get_or_add_sheet(doc, name)
    epoch = _null_date(doc)
    columns = fmt.get("columns") or []
    date_cols = {i for i, c in enumerate(columns) if (c.get("number_format") or "").startswith("yyyy-mm-dd")}
    width = max([len(r) for r in rows] or [0])
    if not rows or not width:
        return
    grid = _cells([list(r) + [None] * (width - len(r)) for r in rows], date_cols, epoch)
    sheet.getCellRangeByPosition(0, 0, width - 1, len(grid) - 1).setDataArray(grid)
    for step in (_apply_columns, _apply_header, _apply_page, _apply_filter, _apply_charts):
        try:
            step(doc, sheet, name, fmt, len(grid))
        except Exception as exc:   # the cells are written; a look that fails is reported, not fatal
            detail = "%s: %s" % (type(exc).__name__, exc) if os.environ.get("JIFEN_DEBUG") else type(exc).__name__
            problems.append("“%s”的格式未能完全应用（%s %s）" % (name, step.__name__.strip("_"), detail))


def _apply_columns(doc, sheet, name, fmt, nrows):
    formats = doc.getNumberFormats()
    cols = sheet.getColumns()
    for i, col in enumerate(fmt.get("columns") or []):
        column = cols.getByIndex(i)
        if col.get("width"):
            column.Width = _width_100mm(col["width"])
        code = col.get("number_format")
        if code and nrows > 1:
            sheet.getCellRangeByPosition(i, 1, i, nrows - 1).NumberFormat = _format_key(formats, code)


def _apply_header(doc, sheet, name, fmt, nrows):
    head = fmt.get("header_row") or {}
    ncols = len(fmt.get("columns") or [])
    if not ncols:
        return
    rng = sheet.getCellRangeByPosition(0, 0, ncols - 1, 0)
    if head.get("bold"):
        rng.CharWeight = 150.0          # com.sun.star.awt.FontWeight.BOLD
    if head.get("fill"):
        rng.CellBackColor = _rgb(head["fill"])


def _apply_page(doc, sheet, name, fmt, nrows):
    page = fmt.get("page") or {}
    if not page:
        return
    styles = doc.getStyleFamilies().getByName("PageStyles")
    style_name = "积分-" + name
    if not styles.hasByName(style_name):
        styles.insertByName(style_name, doc.createInstance("com.sun.star.style.PageStyle"))
    style = styles.getByName(style_name)
    landscape = page.get("orientation") == "landscape"
    style.IsLandscape = landscape
    style.Width, style.Height = (29700, 21000) if landscape else (21000, 29700)
    margins = page.get("margins_inch") or {}
    for key, prop in (("left", "LeftMargin"), ("right", "RightMargin"), ("top", "TopMargin"),
                      ("bottom", "BottomMargin")):
        if key in margins:
            setattr(style, prop, int(round(margins[key] * 2540)))
    style.ScaleToPagesX = int(page.get("fit_to_pages_wide") or 0)
    style.ScaleToPagesY = int(page.get("fit_to_pages_tall") or 0)
    header = (page.get("header") or {}).get("center")
    style.HeaderIsOn = bool(header)
    if header:
        content = style.RightPageHeaderContent
        content.CenterText.setString(header)
        _black(content.CenterText)
        style.RightPageHeaderContent = content
        style.LeftPageHeaderContent = content
    footer = (page.get("footer") or {}).get("center")
    style.FooterIsOn = bool(footer)
    if footer:
        content = style.RightPageFooterContent
        _footer_text(doc, content.CenterText, footer)
        _black(content.CenterText)
        style.RightPageFooterContent = content
        style.LeftPageFooterContent = content
    sheet.PageStyle = style_name
    titles = page.get("print_title_rows")
    if titles:
        first, last = (int(x) for x in titles.split(":"))
        addr = CellRangeAddress()
        addr.Sheet, addr.StartColumn, addr.EndColumn = _sheet_index(doc, name), 0, 0
        addr.StartRow, addr.EndRow = first - 1, last - 1
        sheet.setPrintTitleRows(True)
        sheet.setTitleRows(addr)
    # Calc freezes through the view; the document's controller exists even when hidden.
    freeze = fmt.get("freeze") or {}
    if freeze.get("rows") or freeze.get("columns"):
        controller = doc.getCurrentController()
        if controller is not None:
            controller.setActiveSheet(sheet)
            controller.freezeAtPosition(int(freeze.get("columns") or 0), int(freeze.get("rows") or 0))


def _black(text) -> None:
    """Explicit black: LibreOffice 7.4 exports the automatic colour of a header as white (&Kffffff)."""
    cursor = text.createTextCursor()
    cursor.gotoStart(False)
    cursor.gotoEnd(True)
    cursor.CharColor = 0


def _footer_text(doc, text, template: str) -> None:
    """Excel's &P / &N codes as Calc page-number / page-count fields."""
    text.setString("")
    cursor = text.createTextCursor()
    parts = template.replace("&N", "\x00N\x00").replace("&P", "\x00P\x00").split("\x00")
    for part in parts:
        if part in ("P", "N"):
            field = doc.createInstance("com.sun.star.text.TextField." + ("PageNumber" if part == "P" else "PageCount"))
            text.insertTextContent(cursor, field, False)
        elif part:
            text.insertString(cursor, part, False)


def _apply_filter(doc, sheet, name, fmt, nrows):
    ref = fmt.get("autofilter")
    if not ref:
        return
    idx = _sheet_index(doc, name)
    unnamed = doc.getPropertyValue("UnnamedDatabaseRanges")
    unnamed.setByTable(_range_address(idx, ref))
    unnamed.getByTable(idx).AutoFilter = True


def _row_top(sheet, row: int) -> int:
    return sheet.getRows().getByIndex(row).Position.Y if row >= 0 else 0


def _apply_charts(doc, sheet, name, fmt, nrows):
    charts = fmt.get("charts") or []
    if not charts:
        return
    idx = _sheet_index(doc, name)
    table = sheet.getCharts()
    cols = sheet.getColumns()
    for spec in charts:
        brk = spec.get("page_break_after_row")
        if brk:
            sheet.getRows().getByIndex(int(brk)).IsStartOfNewPage = True
        anchor = spec["anchor"]
        rect = uno.createUnoStruct("com.sun.star.awt.Rectangle")
        rect.X = 0
        rect.Y = _row_top(sheet, anchor["first_row"])
        rect.Width = sum(cols.getByIndex(c).Width for c in range(anchor["last_col"]))
        rect.Height = max(_row_top(sheet, anchor["last_row"]) - rect.Y, 8000)
        cat = spec["categories"]["range"]
        cat0 = cat.split(":")[0]
        cat_head = "%s1:%s" % ("".join(ch for ch in cat0 if ch.isalpha()), cat.split(":")[1])
        ranges = [_range_address(idx, cat_head)]
        bars = [s for s in spec["series"] if s["as"] == "bar"]
        lines = [s for s in spec["series"] if s["as"] == "line"]
        for s in bars + lines:
            col = "".join(ch for ch in s["range"].split(":")[0] if ch.isalpha())
            ranges.append(_range_address(idx, "%s1:%s" % (col, s["range"].split(":")[1])))
        chart_name = "%s-图表%d" % (name, len(table.getElementNames()) + 1)   # unique in the document
        table.addNewByName(chart_name, rect, tuple(ranges), True, True)
        chart = table.getByName(chart_name).getEmbeddedObject()
        if spec["type"] == "line":
            diagram = chart.createInstance("com.sun.star.chart.LineDiagram")
        else:
            diagram = chart.createInstance("com.sun.star.chart.BarDiagram")
        chart.setDiagram(diagram)
        diagram = chart.getDiagram()
        if spec["type"] == "bar":
            diagram.Vertical = True
        if spec.get("stacked"):
            diagram.Stacked = True
        if lines and bars:
            diagram.NumberOfLines = len(lines)
        chart.HasMainTitle = True
        chart.getTitle().String = spec.get("title") or ""
        chart.HasLegend = True
        try:
            from com.sun.star.chart.ChartLegendPosition import BOTTOM
            chart.getLegend().Alignment = BOTTOM
        except Exception:
            pass
        for i, s in enumerate(bars + lines):
            props = diagram.getDataRowProperties(i)
            props.FillColor = _rgb(s["colour"])
            props.LineColor = _rgb(s["colour"])
            if s["as"] == "line" and s.get("dash"):
                from com.sun.star.drawing.LineStyle import DASH
                props.LineStyle = DASH
        if spec.get("data_labels"):
            for i in range(len(bars)):
                diagram.getDataRowProperties(i).DataCaption = 1     # ChartDataCaption.VALUE
        for p, colour in enumerate(spec.get("point_colours") or []):
            if colour:
                diagram.getDataPointProperties(p, 0).FillColor = _rgb(colour)
        axis = spec.get("value_axis") or {}
        if axis.get("title"):
            diagram.HasYAxisTitle = True
            diagram.getYAxisTitle().String = axis["title"]
        if axis.get("number_format") and axis["number_format"] != "General":
            y = diagram.getYAxis()
            y.LinkNumberFormatToSource = False
            y.NumberFormat = _format_key(chart.getNumberFormats(), axis["number_format"])
        for key, prop in (("min", "Min"), ("max", "Max")):
            if axis.get(key) is not None:
                y = diagram.getYAxis()
                setattr(y, "Auto" + prop, False)
                setattr(y, prop, float(axis[key]))


# --------------------------------------------------------------------------- a button

def _show(doc, message: str, error: bool) -> None:
    log = os.environ.get("JIFEN_LO_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"error": error, "message": message}, ensure_ascii=False) + "\n")
    if os.environ.get("JIFEN_LO_QUIET"):
        return
    try:
        from com.sun.star.awt.MessageBoxType import ERRORBOX, INFOBOX
        frame = doc.getCurrentController().getFrame()
        window = frame.getContainerWindow()
        toolkit = window.getToolkit()
        box = toolkit.createMessageBox(window, ERRORBOX if error else INFOBOX, 1, TITLE, message)
        box.execute()
    except Exception:
        pass


def run(command: str) -> None:
    ctx = uno.getComponentContext()
    doc = None
    marks = [("start", time.perf_counter())]
    try:
        doc = find_document(ctx)
        service = Service()
        service.ensure_running()
        entries = [c for c in service.commands() if c["command"] == command]
        sheets = doc.getSheets()
        names = set(sheets.getElementNames())
        wanted = []
        for entry in entries:
            if set(entry["sheets"]) & names:
                wanted += [s for s in entry["sheets"] if s not in wanted]
        if not wanted:
            button = entries[0]["button"] if entries else command
            raise ClientError("这个工作簿没有“%s”所需的工作表，请使用对应的积分模板。" % button)
        if "设置" not in wanted:
            wanted.append("设置")
        marks.append(("service", time.perf_counter()))
        posted = {n: read_sheet(doc, sheets.getByName(n)) for n in wanted if n in names}
        marks.append(("read", time.perf_counter()))
        # option cells (计算周 …) are read by the service exactly as the Excel buttons read them
        answer = service.run(command, {"sheets": posted, "settings_options": True,
                                       "workbook": doc.getURL() or doc.getTitle()})
        marks.append(("run", time.perf_counter()))
        notes = []
        for out in answer["outputs"]:
            write_output(doc, out, notes)
        marks.append(("write", time.perf_counter()))
        if os.environ.get("JIFEN_DEBUG"):
            notes.append(" ".join("%s %.2f" % (m[0], m[1] - p[1]) for p, m in zip(marks, marks[1:])))
        outs = answer["outputs"]
        first = outs[1] if len(outs) > 1 and answer["exit_code"] == 0 else outs[0]
        try:
            doc.getCurrentController().setActiveSheet(sheets.getByName(first["name"]))
        except Exception:
            pass
        _show(doc, "\n".join(list(answer.get("summary") or []) + notes) or "完成。", answer["exit_code"] != 0)
    except ClientError as exc:
        _show(doc, str(exc), True)
    except Exception as exc:   # never a traceback for the clerk
        _show(doc, "积分按钮出错（%s: %s）。工作簿中的输入没有被改动；请把工作簿和这条信息发给维护人员。"
              % (type(exc).__name__, exc), True)


# --------------------------------------------------------------------------- the buttons

def _button(command: str):
    """The toolbar/menu function of one command: ``jifen_<command>(*args)`` runs ``run(command)``."""
    def press(*args):
        run(command)
    press.__name__ = "jifen_" + command
    return press

# The button functions themselves (jifen_check = _button("check") …, one per declared command,
# and g_exportedScripts) are appended to this file when the extension is built
# (jifen_xl/lo_extension.py, from the scheme declarations): see the end of the installed copy.
