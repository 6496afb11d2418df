/*
 * 积分 WPS 加载项 — the thin adapter: every call into the WPS 表格 object model lives here.
 *
 * The object model is the one WPS documents for its JS add-ins and JS macros (JSA), which
 * mirrors Excel's: Application.ActiveWorkbook, Workbook.Sheets (.Count, .Item(i|name),
 * .Add(Before, After, Count, Type)), Worksheet.Name/.UsedRange/.Range(address)/.Delete()/
 * .Activate()/.PageSetup/.Shapes, Range.Value2/.NumberFormat/.Font.Bold/.ColumnWidth.
 * References: WPS open platform JSAPI (airsheet.wps.cn/docs/apiV2/excel/workbook/…: Sheets.Add,
 * Worksheets.Add, Range.Value — "JSAPI里的Value是个方法 … 给单元格赋值也可以用Range.Value2属性"),
 * Microsoft's Excel VBA reference for the same members (Range.Value2, Sheets.Add, PageSetup,
 * Shapes.AddChart2), and the wpsjs templates (OnAddinLoad / OnAction / OnGetEnabled).
 *
 * Rules kept here (WORKBOOKS.md "Every output sheet"): an output sheet is replaced whole
 * (a new sheet takes the old one's place, then the old one is deleted), its cells are written
 * with ONE Value2 assignment, then formats, widths, print setup and charts are applied as far
 * as the host allows — a formatting member WPS lacks is skipped, never fatal.
 */
(function (root, factory) {
  var logic = (typeof module === "object" && module.exports)
    ? require("./logic.js") : root.JifenLogic;
  var api = factory(logic);
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.JifenWps = api;
})(typeof globalThis !== "undefined" ? globalThis : this, function (L) {
  "use strict";

  var XL_PORTRAIT = 1, XL_LANDSCAPE = 2, XL_PAPER_A4 = 9;
  var XL_COLUMN_CLUSTERED = 51, XL_COLUMN_STACKED = 52, XL_BAR_CLUSTERED = 57, XL_BAR_STACKED = 58,
    XL_LINE = 4, XL_CATEGORY = 1, XL_VALUE = 2, MSO_LINE_DASH = 4;

  function sheetsOf(wb) { return wb.Sheets || wb.Worksheets; }

  function sheetNames(wb) {
    var names = [], sheets = sheetsOf(wb);
    for (var i = 1; i <= sheets.Count; i++) names.push(sheets.Item(i).Name);
    return names;
  }

  function findSheet(wb, name) {
    var sheets = sheetsOf(wb);
    for (var i = 1; i <= sheets.Count; i++) {
      var s = sheets.Item(i);
      if (s.Name === name) return { sheet: s, index: i };
    }
    return null;
  }

  function addr(row, col) { return L.colLetter(col) + row; }

  /** A 2-D array from Value2 (WPS gives JS arrays; a COM SAFEARRAY would come as VBArray). */
  function asArray(v) {
    if (v && typeof v.toArray === "function" && typeof v.ubound === "function") {
      var flat = v.toArray(), rows = v.ubound(1), cols = v.ubound(2), out = [];
      for (var r = 0; r < rows; r++) {
        var row = [];
        for (var c = 0; c < cols; c++) row.push(flat[c * rows + r]);
        out.push(row);
      }
      return out;
    }
    return v;
  }

  /**
   * One input sheet as the request needs it: Value2 of the used range anchored at A1, with
   * real dates (numbers whose NumberFormat is a date format) as ISO strings. Number formats
   * are read per column block: a block whose cells share one format answers in one call
   * (NumberFormat is null when they differ, then the block is halved), so a 20,000-row log
   * costs a handful of calls, not one per cell.
   */
  function readSheet(sheet) {
    var ur = sheet.UsedRange;
    var value2 = asArray(ur.Value2);
    var r0 = ur.Row || 1, c0 = ur.Column || 1;
    var grid = L.gridFromValue2(value2, r0, c0);
    var lastRow = grid.length, lastCol = grid.length ? grid[0].length : 0;
    var dates = {};
    function classify(col, top, bottom) {          // 1-based rows top..bottom of column col
      var code = sheet.Range(addr(top, col) + ":" + addr(bottom, col)).NumberFormat;
      if (typeof code === "string" || top === bottom) {
        var isDate = L.isDateFormat(code);
        for (var r = top; r <= bottom; r++) if (typeof grid[r - 1][col - 1] === "number") dates[(r - 1) + "," + (col - 1)] = isDate;
        return;
      }
      var mid = Math.floor((top + bottom) / 2);
      classify(col, top, mid);
      classify(col, mid + 1, bottom);
    }
    for (var j = c0; j <= lastCol; j++) {
      var first = 0, last = 0;
      for (var r = r0; r <= lastRow; r++) {
        if (typeof grid[r - 1][j - 1] === "number") { if (!first) first = r; last = r; }
      }
      if (!first) continue;
      try {
        classify(j, first, last);
      } catch (e) {
        // a host without NumberFormat on ranges: the serials go as numbers, which the service
        // also accepts as dates in its date columns (WORKBOOKS.md "The local service")
        for (var k = first; k <= last; k++) delete dates[(k - 1) + "," + (j - 1)];
      }
    }
    return L.requestGrid(grid, function (r, c) { return dates[r + "," + c] === true; });
  }

  /** {sheet name: grid} for the names given (absent sheets are left out). */
  function readSheets(wb, names) {
    var out = {};
    names.forEach(function (name) {
      var found = findSheet(wb, name);
      if (found) out[name] = readSheet(found.sheet);
    });
    return out;
  }

  function tryDo(warnings, what, fn) {
    try { fn(); } catch (e) { warnings.push(what + ": " + (e && e.message ? e.message : e)); }
  }

  /** Replace (or add) the output sheet of `plan`: values in one Value2 assignment, then format. */
  function writeSheet(app, wb, plan, warnings) {
    var sheets = sheetsOf(wb);
    var old = findSheet(wb, plan.name);
    var after = old ? old.sheet : sheets.Item(sheets.Count);
    var ws = sheets.Add(null, after);      // the new sheet takes the old one's place
    if (old) {
      var alerts = app.DisplayAlerts;
      app.DisplayAlerts = false;           // no "delete this sheet?" question for the clerk
      try { old.sheet.Delete(); } finally { app.DisplayAlerts = alerts; }
    }
    ws.Name = plan.name;
    var last = addr(plan.rowCount, plan.columnCount);
    var headerRange = "A1:" + addr(1, plan.columnCount);
    ws.Range("A1:" + last).Value2 = plan.values;
    if (plan.header.bold) tryDo(warnings, "Font.Bold", function () { ws.Range(headerRange).Font.Bold = true; });
    if (plan.header.fill) tryDo(warnings, "Interior.Color", function () {
      ws.Range(headerRange).Interior.Color = L.rgbToBgr(plan.header.fill);
    });
    if (plan.rowCount > 1) plan.numberFormats.forEach(function (f) {
      tryDo(warnings, "NumberFormat", function () {
        ws.Range(addr(2, f.column) + ":" + addr(plan.rowCount, f.column)).NumberFormat = f.code;
      });
    });
    tryDo(warnings, "ColumnWidth", function () {
      if (!plan.widths) { ws.Range("A1:" + last).Columns.AutoFit(); return; }
      plan.widths.forEach(function (w, i) {
        if (w) ws.Range(addr(1, i + 1)).ColumnWidth = w;
        else ws.Range(addr(1, i + 1) + ":" + addr(plan.rowCount, i + 1)).Columns.AutoFit();
      });
    });
    if (plan.autofilter) tryDo(warnings, "AutoFilter", function () { ws.Range(plan.autofilter).AutoFilter(); });
    applyPage(ws, plan.page, warnings);
    plan.charts.forEach(function (ch) { tryDo(warnings, "chart", function () { addChart(ws, ch, warnings); }); });
    return ws;
  }

  function applyPage(ws, page, warnings) {
    var ps;
    tryDo(warnings, "PageSetup", function () { ps = ws.PageSetup; });
    if (!ps) return;
    tryDo(warnings, "Orientation", function () { ps.Orientation = page.landscape ? XL_LANDSCAPE : XL_PORTRAIT; });
    if (page.paperA4) tryDo(warnings, "PaperSize", function () { ps.PaperSize = XL_PAPER_A4; });
    tryDo(warnings, "PrintTitleRows", function () { ps.PrintTitleRows = page.printTitleRows; });
    // header/footer strings are Excel header codes already (&P page, &N pages)
    [["LeftHeader", page.header.left], ["CenterHeader", page.header.center], ["RightHeader", page.header.right],
     ["LeftFooter", page.footer.left], ["CenterFooter", page.footer.center], ["RightFooter", page.footer.right]]
      .forEach(function (hf) {
        if (hf[1]) tryDo(warnings, hf[0], function () { ps[hf[0]] = String(hf[1]); });
      });
    if (page.margins) tryDo(warnings, "Margins", function () {
      var m = page.margins, pt = function (inch) { return inch * 72; };
      if (m.left !== undefined) ps.LeftMargin = pt(m.left);
      if (m.right !== undefined) ps.RightMargin = pt(m.right);
      if (m.top !== undefined) ps.TopMargin = pt(m.top);
      if (m.bottom !== undefined) ps.BottomMargin = pt(m.bottom);
      if (m.header !== undefined) ps.HeaderMargin = pt(m.header);
      if (m.footer !== undefined) ps.FooterMargin = pt(m.footer);
    });
    tryDo(warnings, "FitToPages", function () {
      ps.Zoom = false;
      ps.FitToPagesWide = page.fitWide || false;
      ps.FitToPagesTall = page.fitTall || false;
    });
  }

  function chartType(ch) {
    if (ch.type === "line") return XL_LINE;
    if (ch.type === "bar") return ch.stacked ? XL_BAR_STACKED : XL_BAR_CLUSTERED;
    return ch.stacked ? XL_COLUMN_STACKED : XL_COLUMN_CLUSTERED;
  }

  var LEGEND = { bottom: -4107, top: -4160, right: -4152, left: -4131 };   // xlLegendPosition

  /**
   * A native chart (render spec `charts[]`): Shapes.AddChart2 (WPS 12 / Excel 2013+), else
   * ChartObjects().Add; series from the resolved ranges of the same sheet, anchored below the
   * data, a manual page break before it so it is not split across pages.
   */
  function addChart(ws, ch, warnings) {
    var a = ch.anchor || {};
    // anchor: 0-based rows first_row..last_row-1 and columns 0..last_col-1
    var firstRow = (a.first_row || 0) + 1, endRow = (a.last_row || firstRow + 21) + 1, lastCol = a.last_col || 8;
    var top = ws.Range("A" + firstRow).Top;
    var height = ws.Range("A" + endRow).Top - top;
    var width = ws.Range(addr(1, lastCol + 1)).Left;
    if (!(height > 0)) height = 300;
    if (!(width > 0)) width = 520;
    var chart;
    try {
      chart = ws.Shapes.AddChart2(-1, chartType(ch), 0, top, width, height).Chart;
    } catch (e) {
      chart = ws.ChartObjects().Add(0, top, width, height).Chart;
      chart.ChartType = chartType(ch);
    }
    var sc = chart.SeriesCollection();
    while (sc.Count > 0) sc.Item(1).Delete();     // AddChart2 may pre-fill from the selection
    var cats = ws.Range(ch.categories.range);
    ch.series.forEach(function (s) {
      var ns = chart.SeriesCollection().NewSeries();
      ns.Name = s.header !== undefined ? String(s.header) : "";
      ns.Values = ws.Range(s.range);
      ns.XValues = cats;
      if (s.as === "line" && ch.type !== "line") ns.ChartType = XL_LINE;
      if (s.colour) tryDo(warnings, "series colour", function () {
        if (s.as === "line" || ch.type === "line") ns.Format.Line.ForeColor.RGB = L.rgbToBgr(s.colour);
        else ns.Format.Fill.ForeColor.RGB = L.rgbToBgr(s.colour);
      });
      if (s.dash && (s.as === "line" || ch.type === "line")) tryDo(warnings, "series dash", function () {
        ns.Format.Line.DashStyle = MSO_LINE_DASH;
      });
      if (ch.data_labels) tryDo(warnings, "data labels", function () {
        ns.HasDataLabels = true;
        if (ch.data_labels.number_format) ns.DataLabels().NumberFormat = ch.data_labels.number_format;
      });
      if (ch.point_colours && ch.series.length === 1) tryDo(warnings, "point colours", function () {
        ch.point_colours.forEach(function (c, i) { ns.Points(i + 1).Format.Fill.ForeColor.RGB = L.rgbToBgr(c); });
      });
    });
    var n = cats.Rows.Count;
    (ch.targets || []).forEach(function (t) {
      var ns = chart.SeriesCollection().NewSeries(), vals = [];
      for (var i = 0; i < n; i++) vals.push(t.value);
      ns.Name = String(t.label); ns.Values = vals; ns.XValues = cats; ns.ChartType = XL_LINE;
      if (t.colour) tryDo(warnings, "target colour", function () { ns.Format.Line.ForeColor.RGB = L.rgbToBgr(t.colour); });
      if (t.dash) tryDo(warnings, "target dash", function () { ns.Format.Line.DashStyle = MSO_LINE_DASH; });
    });
    if (ch.title) { chart.HasTitle = true; chart.ChartTitle.Text = ch.title; }
    var va = ch.value_axis || {};
    if (va.number_format) tryDo(warnings, "axis format", function () { chart.Axes(XL_VALUE).TickLabels.NumberFormat = va.number_format; });
    if (va.min !== null && va.min !== undefined) tryDo(warnings, "axis min", function () { chart.Axes(XL_VALUE).MinimumScale = va.min; });
    if (va.max !== null && va.max !== undefined) tryDo(warnings, "axis max", function () { chart.Axes(XL_VALUE).MaximumScale = va.max; });
    if (va.title) tryDo(warnings, "axis title", function () {
      var ax = chart.Axes(XL_VALUE); ax.HasTitle = true; ax.AxisTitle.Text = va.title;
    });
    if (ch.categories.number_format) tryDo(warnings, "category format", function () {
      chart.Axes(XL_CATEGORY).TickLabels.NumberFormat = ch.categories.number_format;
    });
    if (ch.category_axis && ch.category_axis.reverse) tryDo(warnings, "reverse", function () { chart.Axes(XL_CATEGORY).ReversePlotOrder = true; });
    if (ch.legend && LEGEND[ch.legend]) tryDo(warnings, "legend", function () { chart.HasLegend = true; chart.Legend.Position = LEGEND[ch.legend]; });
    if (ch.page_break_after_row) tryDo(warnings, "page break", function () {
      ws.HPageBreaks.Add(ws.Range("A" + (ch.page_break_after_row + 1)));
    });
  }

  function freezePanes(app, ws, freeze, warnings) {
    tryDo(warnings, "FreezePanes", function () {
      ws.Activate();
      var win = app.ActiveWindow;
      win.FreezePanes = false;
      win.SplitColumn = freeze.columns;
      win.SplitRow = freeze.rows;
      win.FreezePanes = true;
    });
  }

  /** Write every plan in order (校验 first), then show `activate`. Returns the warnings. */
  function writeAll(app, wb, plans, activate) {
    var warnings = [];
    var written = plans.map(function (plan) { return { plan: plan, ws: writeSheet(app, wb, plan, warnings) }; });
    written.forEach(function (w) { if (w.plan.freeze) freezePanes(app, w.ws, w.plan.freeze, warnings); });
    var target = activate ? findSheet(wb, activate) : null;
    if (target) target.sheet.Activate();
    return warnings;
  }

  return {
    sheetNames: sheetNames,
    findSheet: findSheet,
    readSheet: readSheet,
    readSheets: readSheets,
    writeSheet: writeSheet,
    writeAll: writeAll
  };
});
