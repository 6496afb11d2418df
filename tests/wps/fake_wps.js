/*
 * A fake of the WPS 表格 (ET) JS object model — only the members the 积分 add-in uses, each
 * behaving as WPS documents it, so the add-in's node tests exercise the same calls it makes
 * inside WPS. Written from:
 *  - WPS open platform JSAPI reference for 表格 (airsheet.wps.cn/docs/apiV2/excel/workbook/…):
 *    Sheets.Add(Before, After, Count, Type) / Worksheets.Add — "新建的工作表将成为活动工作表",
 *    "如果同时省略 Before 和 After，则新工作表插入到活动工作表之前"; Range.Value is a METHOD
 *    in the JSAPI, "给单元格赋值也可以用 Range.Value2 属性" (so the add-in uses Value2 only);
 *    collections are 1-based with .Count and .Item(i | name).
 *  - Microsoft's Excel VBA reference for the same members WPS mirrors: Range.Value2 (no Date or
 *    Currency type: dates are serial numbers), Range.NumberFormat (null when the cells of a
 *    range differ), Worksheet.UsedRange (starts at the first used cell, not necessarily A1),
 *    Worksheet.Delete (asks the user unless Application.DisplayAlerts is false; the last
 *    visible sheet cannot be deleted), sheet-name rules (≤ 31 characters, none of : \ / ? * [ ],
 *    unique ignoring case), PageSetup, Shapes.AddChart2 / ChartObjects().Add, SeriesCollection.
 *  - Entry semantics of Value2 assignment: text is parsed as if typed — "123" becomes a number,
 *    "2026-09-01" a date, "TRUE" a boolean, "=…" a formula — unless it starts with the text
 *    prefix "'" (measured for Excel through xlwings in jifen_xl/book/xlwings_io.py; WPS follows
 *    Excel here). The fake implements the cases jifen's outputs can contain.
 *  - Ribbon callbacks: wpsjs templates (OnAddinLoad(ribbonUI), OnAction(control) with
 *    control.Id, OnGetEnabled), ribbonUI.Invalidate(), Application.ApiEvent.AddApiEventListener.
 * What it does not model: recalculation, styles beyond the members below, events firing.
 * Cells are stored sparsely; rows and columns are 1-based as in WPS.
 */
"use strict";

const GENERAL = "G/通用格式";          // what Chinese WPS reports for the General format
const ROW_HEIGHT = 13.5;               // points, WPS default for CJK fonts
const COL_WIDTH = 8.38;                // characters, default column width
const POINTS_PER_CHAR = 6;

function colNumber(letters) {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

function parseAddress(address) {
  const parts = String(address).replace(/\$/g, "").split(":");
  const cell = (p) => {
    const m = /^([A-Za-z]{1,3})(\d+)$/.exec(p);
    if (!m) throw new Error(`fake WPS: unsupported address ${address}`);
    return [Number(m[2]), colNumber(m[1])];
  };
  const a = cell(parts[0]);
  const b = parts.length > 1 ? cell(parts[1]) : a;
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1])];
}

const NUMBER_ENTRY = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;
const PERCENT_ENTRY = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*%\s*$/;
const DATE_ENTRY = /^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})\s*$/;

function dateSerial(y, m, d) {
  const ms = Date.UTC(y, m - 1, d);
  const check = new Date(ms);
  if (check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return null;
  return (ms - Date.UTC(1899, 11, 30)) / 86400000;
}

/** What a cell holds after `v` is assigned through Value2 (entry semantics). */
function entry(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error("fake WPS: non-finite number assigned");
    return { v };
  }
  if (typeof v === "boolean") return { v };
  if (typeof v !== "string") throw new Error(`fake WPS: Value2 cannot take ${typeof v} (${v})`);
  if (v === "") return null;
  if (v[0] === "'") return { v: v.slice(1), prefix: true };
  if (v[0] === "=") return { v: null, formula: v };
  if (NUMBER_ENTRY.test(v)) return { v: Number(v) };
  if (PERCENT_ENTRY.test(v)) return { v: Number(v.replace("%", "")) / 100, fmt: "0%" };
  const dm = DATE_ENTRY.exec(v);
  if (dm) {
    const serial = dateSerial(+dm[1], +dm[2], +dm[3]);
    if (serial !== null) return { v: serial, fmt: "yyyy/m/d" };
  }
  if (/^(TRUE|FALSE)$/i.test(v.trim())) return { v: v.trim().toUpperCase() === "TRUE" };
  return { v };
}

class FakeFont {
  constructor(range) { this._range = range; }
  get Bold() { return this._range._uniform((c) => !!c.bold); }
  set Bold(b) { this._range._each((c) => { c.bold = !!b; }); }
}

class FakeInterior {
  constructor(range) { this._range = range; }
  get Color() { return this._range._uniform((c) => (c.fill === undefined ? 16777215 : c.fill)); }
  set Color(v) { this._range._each((c) => { c.fill = v; }); }
}

class FakeRange {
  constructor(sheet, r1, c1, r2, c2) {
    Object.assign(this, { _s: sheet, _r1: r1, _c1: c1, _r2: r2, _c2: c2 });
  }
  get Row() { return this._r1; }
  get Column() { return this._c1; }
  get Rows() { return { Count: this._r2 - this._r1 + 1 }; }
  get Columns() {
    const self = this;
    return {
      Count: this._c2 - this._c1 + 1,
      AutoFit() { self._s._autofit(self._c1, self._c2); },
      Item(i) { const c = self._c1 + i - 1; return new FakeRange(self._s, self._r1, c, self._r2, c); },
    };
  }
  get Address() {
    const L = (c) => { let s = ""; while (c > 0) { const m = (c - 1) % 26; s = String.fromCharCode(65 + m) + s; c = Math.floor((c - 1) / 26); } return s; };
    const a = `$${L(this._c1)}$${this._r1}`;
    return this._r1 === this._r2 && this._c1 === this._c2 ? a : `${a}:$${L(this._c2)}$${this._r2}`;
  }
  get Top() { return (this._r1 - 1) * ROW_HEIGHT; }
  get Left() {
    let x = 0;
    for (let c = 1; c < this._c1; c++) x += this._s._width(c) * POINTS_PER_CHAR;
    return x;
  }
  _each(fn) {
    for (let r = this._r1; r <= this._r2; r++) for (let c = this._c1; c <= this._c2; c++) fn(this._s._cell(r, c, true));
  }
  _uniform(get) {
    let first, seen = false;
    for (let r = this._r1; r <= this._r2; r++) {
      for (let c = this._c1; c <= this._c2; c++) {
        const v = get(this._s._cell(r, c, false) || {});
        if (!seen) { first = v; seen = true; } else if (v !== first) return null;
      }
    }
    return first;
  }
  get Value2() {
    const read = (r, c) => { const cell = this._s._cell(r, c, false); return cell && cell.v !== null ? cell.v : undefined; };
    if (this._r1 === this._r2 && this._c1 === this._c2) return read(this._r1, this._c1);
    const out = [];
    for (let r = this._r1; r <= this._r2; r++) {
      const row = [];
      for (let c = this._c1; c <= this._c2; c++) row.push(read(r, c));
      out.push(row);
    }
    return out;
  }
  set Value2(value) {
    const rows = this._r2 - this._r1 + 1, cols = this._c2 - this._c1 + 1;
    this._s._app._log.push({ op: "Value2", sheet: this._s.Name, address: this.Address, cells: rows * cols });
    this._s.value2Writes += 1;
    if (Array.isArray(value)) {
      // a 2-D array must match the range (Excel would fill #N/A or repeat: we refuse instead)
      if (value.length !== rows || value.some((row) => !Array.isArray(row) || row.length !== cols)) {
        throw new Error(`fake WPS: array of ${value.length} rows does not fit ${this.Address}`);
      }
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) this._s._put(this._r1 + r, this._c1 + c, entry(value[r][c]));
    } else {
      const e = entry(value);
      for (let r = this._r1; r <= this._r2; r++) for (let c = this._c1; c <= this._c2; c++) this._s._put(r, c, e && { ...e });
    }
  }
  get NumberFormat() { this._s._app.formatReads += 1; return this._uniform((c) => c.fmt || GENERAL); }
  set NumberFormat(code) { this._each((c) => { c.fmt = String(code); }); }
  get Font() { return new FakeFont(this); }
  get Interior() { return new FakeInterior(this); }
  get ColumnWidth() {
    const w = this._s._width(this._c1);
    for (let c = this._c1 + 1; c <= this._c2; c++) if (this._s._width(c) !== w) return null;
    return w;
  }
  set ColumnWidth(w) { for (let c = this._c1; c <= this._c2; c++) this._s._widths.set(c, Number(w)); }
  get PrefixCharacter() { const c = this._s._cell(this._r1, this._c1, false); return c && c.prefix ? "'" : ""; }
  AutoFilter() { this._s.autoFilter = this.Address; return true; }
  Clear() { this._each((c) => { for (const k of Object.keys(c)) delete c[k]; c.v = null; }); }
}

class FakeSeries {
  constructor(coll) {
    this._coll = coll; this.Name = ""; this.Values = null; this.XValues = null; this.ChartType = coll._chart.ChartType;
    const color = () => ({ ForeColor: { RGB: null } });
    this.Format = { Fill: color(), Line: { ForeColor: { RGB: null }, DashStyle: 1 } };   // msoLineSolid
    this.HasDataLabels = false;
    this._labels = { NumberFormat: GENERAL };
    this._points = [];
  }
  DataLabels() { return this._labels; }
  Points(i) { if (!this._points[i]) this._points[i] = { Format: { Fill: { ForeColor: { RGB: null } } } }; return this._points[i]; }
  Delete() { this._coll._items.splice(this._coll._items.indexOf(this), 1); }
}

class FakeChart {
  constructor(type) {
    this.ChartType = type; this.HasTitle = false; this.ChartTitle = { Text: "" }; this.HasLegend = true;
    this.Legend = { Position: null }; this._series = []; this._axes = {};
  }
  SeriesCollection(i) {
    const chart = this;
    const coll = {
      _chart: chart, _items: chart._series,
      get Count() { return chart._series.length; },
      Item(k) { return chart._series[k - 1]; },
      NewSeries() { const s = new FakeSeries(coll); chart._series.push(s); return s; },
    };
    return i === undefined ? coll : coll.Item(i);
  }
  Axes(kind) {
    if (!this._axes[kind]) this._axes[kind] = { TickLabels: { NumberFormat: GENERAL }, MinimumScale: null, MaximumScale: null, HasTitle: false, AxisTitle: { Text: "" }, ReversePlotOrder: false };
    return this._axes[kind];
  }
}

class FakePageSetup {
  constructor() {
    Object.assign(this, {
      Orientation: 1, PaperSize: 9, PrintTitleRows: "", Zoom: 100, FitToPagesWide: 1, FitToPagesTall: 1,
      LeftHeader: "", CenterHeader: "", RightHeader: "", LeftFooter: "", CenterFooter: "", RightFooter: "",
      LeftMargin: 50.4, RightMargin: 50.4, TopMargin: 54, BottomMargin: 54, HeaderMargin: 21.6, FooterMargin: 21.6,
    });
  }
}

class FakeWorksheet {
  constructor(app, wb, name) {
    this._app = app; this._wb = wb; this._name = name;
    this._cells = new Map(); this._widths = new Map();
    this.PageSetup = new FakePageSetup();
    this.charts = []; this.pageBreaks = []; this.frozen = null; this.autoFilter = null; this.value2Writes = 0;
    this.deleted = false;
    const self = this;
    this.Shapes = {
      AddChart2(style, type, left, top, width, height) {
        const chart = new FakeChart(type);
        self.charts.push({ chart, left, top, width, height });
        return { Chart: chart };
      },
    };
    this.HPageBreaks = {
      Add(range) { self.pageBreaks.push(range.Row); return {}; },
      get Count() { return self.pageBreaks.length; },
    };
    this.Cells = { Item: (r, c) => new FakeRange(this, r, c, r, c) };
  }
  get Name() { return this._name; }
  set Name(name) {
    name = String(name);
    if (!name || name.length > 31 || /[:\\/?*[\]]/.test(name)) throw new Error(`fake WPS: invalid sheet name ${name}`);
    for (const s of this._wb._sheets) {
      if (s !== this && s._name.toLowerCase() === name.toLowerCase()) throw new Error(`fake WPS: duplicate sheet name ${name}`);
    }
    this._name = name;
  }
  get Index() { return this._wb._sheets.indexOf(this) + 1; }
  _cell(r, c, create) {
    const key = r * 100000 + c;
    let cell = this._cells.get(key);
    if (!cell && create) { cell = { v: null }; this._cells.set(key, cell); }
    return cell;
  }
  _put(r, c, e) {
    const cell = this._cell(r, c, true);
    delete cell.prefix; delete cell.formula;
    cell.v = e ? e.v : null;
    if (e && e.prefix) cell.prefix = true;
    if (e && e.formula) cell.formula = e.formula;
    if (e && e.fmt && (!cell.fmt || cell.fmt === GENERAL)) cell.fmt = e.fmt;
  }
  _width(c) { return this._widths.has(c) ? this._widths.get(c) : COL_WIDTH; }
  _autofit(c1, c2) {
    for (let c = c1; c <= c2; c++) {
      let w = 0;
      for (const [key, cell] of this._cells) {
        if (key % 100000 === c && cell.v !== null) w = Math.max(w, String(cell.v).length * 2);
      }
      this._widths.set(c, Math.max(w, 2));
    }
  }
  get UsedRange() {
    let r1 = Infinity, c1 = Infinity, r2 = 0, c2 = 0;
    for (const [key, cell] of this._cells) {
      const used = cell.v !== null || (cell.fmt && cell.fmt !== GENERAL) || cell.bold || cell.fill !== undefined;
      if (!used) continue;
      const r = Math.floor(key / 100000), c = key % 100000;
      r1 = Math.min(r1, r); c1 = Math.min(c1, c); r2 = Math.max(r2, r); c2 = Math.max(c2, c);
    }
    if (!r2) return new FakeRange(this, 1, 1, 1, 1);
    return new FakeRange(this, r1, c1, r2, c2);
  }
  Range(a, b) {
    if (b !== undefined) {
      const p = parseAddress(a), q = parseAddress(b);
      return new FakeRange(this, Math.min(p[0], q[0]), Math.min(p[1], q[1]), Math.max(p[2], q[2]), Math.max(p[3], q[3]));
    }
    const [r1, c1, r2, c2] = parseAddress(a);
    return new FakeRange(this, r1, c1, r2, c2);
  }
  ChartObjects() {
    const self = this;
    return {
      get Count() { return self.charts.length; },
      Add(left, top, width, height) {
        const chart = new FakeChart(51);
        self.charts.push({ chart, left, top, width, height });
        return { Chart: chart };
      },
    };
  }
  Activate() { if (this.deleted) throw new Error("fake WPS: sheet deleted"); this._wb._active = this; }
  Delete() {
    const sheets = this._wb._sheets;
    if (sheets.length <= 1) throw new Error("fake WPS: a workbook must keep at least one visible sheet");
    if (this._app.DisplayAlerts) this._app.dialogs.push(`删除工作表“${this._name}”？`);
    sheets.splice(sheets.indexOf(this), 1);
    this.deleted = true;
    if (this._wb._active === this) this._wb._active = sheets[Math.max(0, Math.min(sheets.length - 1, this.Index - 1))];
    this._app._log.push({ op: "Delete", sheet: this._name });
  }
  /** Test helper (not WPS): the used cells as a grid anchored at A1 (values as Value2 holds them). */
  grid() {
    const ur = this.UsedRange;
    const out = [];
    for (let r = 1; r <= ur._r2; r++) {
      const row = [];
      for (let c = 1; c <= ur._c2; c++) { const cell = this._cell(r, c, false); row.push(cell && cell.v !== null ? cell.v : null); }
      out.push(row);
    }
    return out;
  }
  /** Test helper: the number format of a cell. */
  formatAt(r, c) { const cell = this._cell(r, c, false); return (cell && cell.fmt) || GENERAL; }
}

class FakeSheets {
  constructor(app, wb) { this._app = app; this._wb = wb; }
  get Count() { return this._wb._sheets.length; }
  Item(i) {
    const sheets = this._wb._sheets;
    const s = typeof i === "number" ? sheets[i - 1] : sheets.find((x) => x._name === i);
    if (!s) throw new Error(`fake WPS: no sheet ${i}`);
    return s;
  }
  Add(Before, After, Count, Type) {
    if (Type !== undefined && Type !== null && Type !== -4167) throw new Error("fake WPS: only worksheets");
    const sheets = this._wb._sheets;
    let n = sheets.length + 1;
    while (sheets.some((s) => s._name.toLowerCase() === `sheet${n}`)) n++;
    const ws = new FakeWorksheet(this._app, this._wb, `Sheet${n}`);
    let at;
    if (Before) at = sheets.indexOf(Before);
    else if (After) at = sheets.indexOf(After) + 1;
    else at = Math.max(0, sheets.indexOf(this._wb._active));
    if (at < 0) throw new Error("fake WPS: Before/After is not a sheet of this workbook");
    sheets.splice(at, 0, ws);
    this._wb._active = ws;
    this._app._log.push({ op: "Add", sheet: ws._name });
    return ws;
  }
}

class FakeWorkbook {
  constructor(app, name) {
    this._app = app; this.Name = name; this.FullName = `C:\\Users\\clerk\\Documents\\${name}`;
    this._sheets = []; this._active = null;
    this.Sheets = new FakeSheets(app, this);
    this.Worksheets = this.Sheets;
  }
  get ActiveSheet() { return this._active; }
  /** Test helper: a sheet filled directly (as if the file had been opened), no entry parsing. */
  addSheetFromDump(d) {
    const ws = new FakeWorksheet(this._app, this, d.name);
    for (const [r, c, v] of d.cells) ws._cell(r, c, true).v = v;
    for (const [r, c, f] of d.formats || []) ws._cell(r, c, true).fmt = f;
    this._sheets.push(ws);
    if (!this._active) this._active = ws;
    return ws;
  }
  sheetNamesForTest() { return this._sheets.map((s) => s._name); }
}

class FakeApplication {
  constructor() {
    this.DisplayAlerts = true;
    this.ScreenUpdating = true;
    this.dialogs = [];
    this.formatReads = 0;
    this._log = [];
    this._workbooks = [];
    this._active = null;
    this._listeners = [];
    const app = this;
    this.ApiEvent = { AddApiEventListener(name, fn) { app._listeners.push([name, fn]); return true; } };
    this.PluginStorage = new Map();
    this._window = { FreezePanes: false, SplitRow: 0, SplitColumn: 0 };
  }
  get ActiveWorkbook() { return this._active; }
  get ActiveSheet() { return this._active ? this._active._active : null; }
  get ActiveWindow() {
    const app = this, win = this._window;
    return {
      get FreezePanes() { return win.FreezePanes; },
      set FreezePanes(b) {
        win.FreezePanes = !!b;
        const ws = app.ActiveSheet;
        if (ws) ws.frozen = b ? { rows: win.SplitRow, columns: win.SplitColumn } : null;
      },
      get SplitRow() { return win.SplitRow; }, set SplitRow(n) { win.SplitRow = n; },
      get SplitColumn() { return win.SplitColumn; }, set SplitColumn(n) { win.SplitColumn = n; },
    };
  }
  get Workbooks() {
    const app = this;
    return { get Count() { return app._workbooks.length; }, Item(i) { return app._workbooks[i - 1]; } };
  }
  /** Test helper: open a workbook from a dump ({sheets: [{name, cells, formats}]}). */
  openDump(name, dump) {
    const wb = new FakeWorkbook(this, name);
    for (const s of dump.sheets) wb.addSheetFromDump(s);
    this._workbooks.push(wb);
    this._active = wb;
    return wb;
  }
}

module.exports = { FakeApplication, FakeWorkbook, FakeWorksheet, FakeRange, entry, GENERAL, parseAddress };
