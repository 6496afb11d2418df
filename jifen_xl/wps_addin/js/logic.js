/*
 * 积分 WPS 加载项 — the pure part (no WPS object model, no network).
 *
 * What a button press means, independent of WPS: which workbook kind is open, which sheets
 * the command reads, the request for `jifen serve` (WORKBOOKS.md "The local service"), how
 * the answer becomes per-sheet write plans, and the value conversions in both directions:
 *
 *   cell -> request   a real date (a number whose NumberFormat is a date format) goes as an
 *                     ISO string "2026-09-07" (with "T08:30:00" when it has a time); every
 *                     other value as Range.Value2 holds it (number, string, boolean, null).
 *   answer -> cell    in a column whose render spec says date (number format with y/d), an ISO
 *                     string becomes an Excel serial number (1900 date system, as Value2 holds
 *                     dates); text that WPS/Excel would re-interpret on entry ("20260101",
 *                     "=…", "2026-09-01", "TRUE") gets the text prefix "'" so it stays text,
 *                     exactly as jifen_xl/book/xlwings_io.py does for the Excel door.
 *
 * The WPS calls live in wps_adapter.js, the button glue in ribbon.js. This file runs
 * unchanged in WPS's embedded Chromium (global `JifenLogic`) and in node (module.exports).
 */
(function (root, factory) {
  var actions = (typeof module === "object" && module.exports)
    ? require("./actions.js") : root.JifenActions;
  var api = factory(actions);
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.JifenLogic = api;
})(typeof globalThis !== "undefined" ? globalThis : this, function (A) {
  "use strict";

  var SETTINGS_SHEET = "设置";
  var TITLE = "积分计算";
  var MS_PER_DAY = 86400000;
  var EXCEL_EPOCH = Date.UTC(1899, 11, 30);   // serial 0 in the 1900 date system (serial 61 = 1900-03-01)

  // ---- workbook kind and actions (the same data and rule as jifen_xl/app.py detect_scheme:
  //      A.DETECT lists each scheme's identifying sheets; most distinctive sheets present wins,
  //      then most shared ones (名册 …), then the first scheme in the table) ----

  function detectScheme(sheetNames) {
    var names = {};
    sheetNames.forEach(function (n) { names[n] = true; });
    var best = null, bestOwn = 0, bestShared = 0;
    A.DETECT.forEach(function (d) {
      var own = 0, shared = 0;
      d.identify.forEach(function (n) {
        if (!names[n]) return;
        if (d.shared.indexOf(n) >= 0) shared++; else own++;
      });
      if (own > bestOwn || (own === bestOwn && shared > bestShared)) {
        best = d.scheme; bestOwn = own; bestShared = shared;
      }
    });
    return best;
  }

  function findAction(command, sheetNames) {
    var scheme = detectScheme(sheetNames);
    var candidates = A.ACTIONS.filter(function (a) { return a.command === command; });
    for (var i = 0; i < candidates.length; i++) {
      if (candidates[i].scheme === scheme) return candidates[i];
    }
    return null;
  }

  /** True when the button for `command` applies to a workbook with these sheets (getEnabled). */
  function isEnabled(command, sheetNames) {
    return findAction(command, sheetNames) !== null;
  }

  function buttonById(id) {
    for (var i = 0; i < A.BUTTONS.length; i++) if (A.BUTTONS[i].id === id) return A.BUTTONS[i];
    return null;
  }

  function buttonByCommand(command) {
    for (var i = 0; i < A.BUTTONS.length; i++) if (A.BUTTONS[i].command === command) return A.BUTTONS[i];
    return null;
  }

  /** Sheets to read and post for `action`: what the action reads, plus 设置 (option cells). */
  function sheetsToRead(action, sheetNames) {
    var present = {};
    sheetNames.forEach(function (n) { present[n] = true; });
    var wanted = action.sheets.slice();
    if (wanted.indexOf(SETTINGS_SHEET) < 0) wanted.push(SETTINGS_SHEET);
    return wanted.filter(function (n) { return present[n]; });
  }

  // ---- value conversion ----

  function pad2(n) { return (n < 10 ? "0" : "") + n; }

  /** Excel serial (1900 system) -> "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS" when it has a time. */
  function serialToIso(serial) {
    var ms = Math.round(serial * MS_PER_DAY / 1000) * 1000;   // whole seconds
    var d = new Date(EXCEL_EPOCH + ms);
    var day = d.getUTCFullYear() + "-" + pad2(d.getUTCMonth() + 1) + "-" + pad2(d.getUTCDate());
    var h = d.getUTCHours(), m = d.getUTCMinutes(), s = d.getUTCSeconds();
    if (h === 0 && m === 0 && s === 0) return day;
    return day + "T" + pad2(h) + ":" + pad2(m) + ":" + pad2(s);
  }

  var ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;

  /** "YYYY-MM-DD[THH:MM[:SS]]" -> Excel serial number, or null when `text` is not ISO. */
  function isoToSerial(text) {
    var m = ISO_RE.exec(text);
    if (!m) return null;
    var ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0));
    var check = new Date(ms);
    if (check.getUTCMonth() !== +m[2] - 1 || check.getUTCDate() !== +m[3]) return null;
    return (ms - EXCEL_EPOCH) / MS_PER_DAY;
  }

  /** True for a number format that shows a date (y or d outside quotes, brackets, escapes). */
  function isDateFormat(code) {
    if (typeof code !== "string" || !code) return false;
    var bare = code.replace(/"[^"]*"/g, "").replace(/\[[^\]]*\]/g, "").replace(/\\./g, "").replace(/_./g, "");
    if (/^general$/i.test(bare.trim()) || bare.trim() === "@") return false;
    return /[yd]/i.test(bare);
  }

  var NUMBER_LIKE = /^\s*[-+]?(\d|\.\d)/;

  /** True when Excel/WPS would turn typed `text` into a number, date, formula, error or boolean. */
  function needsTextPrefix(text) {
    if (!text) return false;
    var c = text.charAt(0);
    if ("=+-@'#".indexOf(c) >= 0 || /\s/.test(c)) return true;
    var up = text.toUpperCase();
    if (up === "TRUE" || up === "FALSE") return true;
    return NUMBER_LIKE.test(text);
  }

  /** One answered cell as it must be assigned through Range.Value2. */
  function cellForWrite(v, isDateColumn) {
    if (v === null || v === undefined) return null;
    if (typeof v === "boolean" || typeof v === "number") return v;
    var text = String(v);
    if (isDateColumn) {
      var serial = isoToSerial(text);
      if (serial !== null) return serial;
    }
    return needsTextPrefix(text) ? "'" + text : text;
  }

  /**
   * One read sheet for the request: `grid` is Value2 from A1 (index 0 = row 1), `isDate(r, c)`
   * says whether the cell at grid index (r, c) holds a real date (its NumberFormat is a date).
   */
  function requestGrid(grid, isDate) {
    var out = [];
    for (var r = 0; r < grid.length; r++) {
      var row = grid[r], o = [];
      for (var c = 0; c < row.length; c++) {
        var v = row[c];
        if (v === undefined || v === "") v = null;     // an empty cell, however the host reports it
        if (typeof v === "number" && isDate && isDate(r, c)) v = serialToIso(v);
        o.push(v);
      }
      out.push(o);
    }
    return trimGrid(out);
  }

  function isBlank(v) { return v === null || v === undefined || v === ""; }

  /** Drop trailing blank rows and columns (a used range often reaches past the data). */
  function trimGrid(grid) {
    var rows = grid.length;
    while (rows > 0 && grid[rows - 1].every(isBlank)) rows--;
    var cols = 0;
    for (var r = 0; r < rows; r++) {
      for (var c = grid[r].length - 1; c >= cols; c--) if (!isBlank(grid[r][c])) { cols = c + 1; break; }
    }
    var out = [];
    for (var i = 0; i < rows; i++) {
      var row = grid[i].slice(0, cols);
      while (row.length < cols) row.push(null);
      out.push(row);
    }
    return out;
  }

  /**
   * Value2 of a range whose top-left cell is (row0, col0) (1-based) -> grid anchored at A1.
   * Value2 of a single cell is a scalar; of several cells a 2-D array (rows of columns).
   */
  function gridFromValue2(value2, row0, col0) {
    var body = Array.isArray(value2) ? value2 : [[value2]];
    var grid = [];
    for (var r = 1; r < row0; r++) grid.push([]);
    body.forEach(function (row) {
      var cells = Array.isArray(row) ? row.slice() : [row];
      for (var c = 1; c < col0; c++) cells.unshift(null);
      grid.push(cells);
    });
    var width = 0;
    grid.forEach(function (row) { width = Math.max(width, row.length); });
    grid.forEach(function (row) { while (row.length < width) row.push(null); });
    return grid;
  }

  // ---- option cells (设置: 项目 / 值), as jifen_xl/macros.py reads them ----

  function cleanLabel(v) {
    return (v === null || v === undefined) ? "" : String(v).replace(/[\s\u3000]+/g, "");
  }

  /**
   * The command-line options of `action` from the labelled 设置 cells (macros.PARAM_LABELS):
   * 计算周 → week, 计算月份 → month, …; an empty or missing cell means the CLI's default.
   * Values go to the service as the cell holds them (dates already ISO); the service parses
   * them exactly as the command line parses its --options.
   */
  function optionsFromSettings(action, settingsGrid) {
    var options = {};
    if (!settingsGrid || !settingsGrid.length) return options;
    var hr = -1, ki = -1, vi = -1;
    for (var r = 0; r < Math.min(settingsGrid.length, 10) && hr < 0; r++) {
      var row = settingsGrid[r].map(cleanLabel);
      if (row.indexOf("项目") >= 0 && row.indexOf("值") >= 0) {
        hr = r; ki = row.indexOf("项目"); vi = row.indexOf("值");
      }
    }
    if (hr < 0) return options;
    var cells = {};
    for (var i = hr + 1; i < settingsGrid.length; i++) {
      var key = cleanLabel(settingsGrid[i][ki]);
      if (key && !(key in cells)) cells[key] = settingsGrid[i][vi];
    }
    action.params.forEach(function (p) {
      var label = A.PARAM_LABELS[p.name];
      var v = label ? cells[label] : undefined;
      if (v === undefined || v === null || (typeof v === "string" && !v.trim())) return;
      options[p.name] = typeof v === "string" ? v.trim() : v;
    });
    return options;
  }

  // ---- request and answer ----

  function buildRequest(config, command, sheets, options, workbookId) {
    var base = String(config.serviceUrl || A.DEFAULT_URL).replace(/\/+$/, "");
    return {
      url: base + "/v1/run/" + encodeURIComponent(command),
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Jifen-Token": config.token || "" },
      body: JSON.stringify(workbookId ? { sheets: sheets, options: options || {}, workbook: String(workbookId) }
        : { sheets: sheets, options: options || {} })
    };
  }

  function healthUrl(config) {
    return String(config.serviceUrl || A.DEFAULT_URL).replace(/\/+$/, "") + "/v1/health";
  }

  function formatOf(out) { return out.format || {}; }

  /**
   * Column index -> {width, number_format} from the render spec (jifen_xl/book/render_spec.py
   * v1, see the service notes): `columns` lists each column by header text.
   */
  function columnSpecs(out, header) {
    var specs = {};
    (formatOf(out).columns || []).forEach(function (col, i) {
      var at = col && col.header !== undefined ? header.indexOf(String(col.header)) : -1;
      if (at < 0) at = i;
      if (!(at in specs)) specs[at] = col || {};
    });
    return specs;
  }

  function toPrintTitles(rows) {
    if (!rows) return "$1:$1";
    var m = /^\$?(\d+):\$?(\d+)$/.exec(String(rows));
    return m ? "$" + m[1] + ":$" + m[2] : String(rows);
  }

  /**
   * The write plan of one output sheet: the full rectangular grid for ONE Value2 assignment,
   * plus what the render spec asks for (formats and widths per column, bold header, freeze
   * panes, autofilter, A4 print setup with print titles and page header, charts).
   */
  function planSheet(out) {
    var rows = out.rows || [];
    var header = (rows[0] || []).map(function (h) { return h === null || h === undefined ? "" : String(h); });
    var specs = columnSpecs(out, header);
    var width = 0;
    rows.forEach(function (r) { width = Math.max(width, r.length); });
    width = Math.max(width, 1);
    var dateCol = [];
    for (var c = 0; c < width; c++) dateCol.push(!!(specs[c] && isDateFormat(specs[c].number_format)));
    var values = rows.map(function (r, ri) {
      var o = [];
      for (var c = 0; c < width; c++) o.push(cellForWrite(c < r.length ? r[c] : null, ri > 0 && dateCol[c]));
      return o;
    });
    if (!values.length) values = [[null]];
    var fmt = formatOf(out);
    var numberFormats = [], widths = [];
    for (var i = 0; i < width; i++) {
      var sp = specs[i] || {};
      if (sp.number_format) numberFormats.push({ column: i + 1, code: sp.number_format });
      widths.push(typeof sp.width === "number" ? sp.width : null);
    }
    var hr = fmt.header_row || {};
    var page = fmt.page || {};
    var fr = fmt.freeze === undefined ? { rows: 1, columns: 0 } : fmt.freeze;
    return {
      name: out.name,
      values: values,
      rowCount: values.length,
      columnCount: width,
      numberFormats: numberFormats,
      widths: widths.some(function (w) { return w !== null; }) ? widths : null,
      header: { bold: hr.bold !== false, fill: hr.fill || null },
      freeze: fr && (fr.rows || fr.columns) ? { rows: fr.rows || 0, columns: fr.columns || 0 } : null,
      autofilter: fmt.autofilter || null,
      page: {
        landscape: page.orientation === "landscape",
        paperA4: !page.paper || String(page.paper).toUpperCase() === "A4",
        fitWide: page.fit_to_pages_wide === undefined ? 1 : page.fit_to_pages_wide,
        fitTall: page.fit_to_pages_tall || 0,
        margins: page.margins_inch || null,
        printTitleRows: toPrintTitles(page.print_title_rows),
        header: page.header || {},
        footer: page.footer || {}
      },
      charts: (fmt.charts || []).filter(function (ch) { return ch && ch.series && ch.series.length; })
    };
  }

  /** 1 -> "A", 27 -> "AA". */
  function colLetter(n) {
    var s = "";
    while (n > 0) { var m = (n - 1) % 26; s = String.fromCharCode(65 + m) + s; n = Math.floor((n - 1) / 26); }
    return s;
  }

  /** "4472C4" (RRGGBB, as the render spec gives colours) -> the BGR long WPS/Excel Color takes. */
  function rgbToBgr(hex) {
    var m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(String(hex || ""));
    if (!m) return null;
    return parseInt(m[3], 16) * 65536 + parseInt(m[2], 16) * 256 + parseInt(m[1], 16);
  }

  /** The sheet to show after the run: the first result, or 校验 when there are errors. */
  function firstSheet(answer) {
    var outs = answer.outputs || [];
    if (outs.length > 1 && answer.exit_code === 0) return outs[1].name;
    return outs.length ? outs[0].name : null;
  }

  function summaryText(answer) {
    var lines = (answer.summary || []).slice();
    return lines.length ? lines.join("\n") : "完成。";
  }

  var START_HINT = "请先启动积分服务：在命令行运行 jifen serve（保持窗口打开），" +
    "或运行 jifen serve --install-autostart 让它开机自动启动；然后再点按钮。";

  function unreachableMessage(config) {
    return "无法连接积分服务（" + (config.serviceUrl || A.DEFAULT_URL) + "）。\n" + START_HINT;
  }

  /** A Chinese message for an HTTP answer other than 200. */
  function httpErrorMessage(status, body) {
    var msg = body && typeof body === "object" && body.message ? String(body.message) : "";
    if (status === 401) {
      return "积分服务拒绝了请求：令牌不对或缺失。请重新运行 jifen install-wps 安装加载项（会写入本机的令牌），然后重启 WPS。" +
        (msg ? "\n（" + msg + "）" : "");
    }
    if (status === 403) return "积分服务拒绝了请求（" + (msg || "来源不被允许") + "）。";
    if (status === 413) return msg || "工作簿太大，积分服务无法处理。";
    return (msg || "积分服务返回错误（HTTP " + status + "）。") + (msg ? "" : "\n请把工作簿发给维护人员。");
  }

  function wrongWorkbookMessage(command) {
    var b = buttonByCommand(command);
    return "这个工作簿没有“" + (b ? b.label : command) + "”所需的工作表，请使用对应的积分模板。";
  }

  return {
    TITLE: TITLE,
    SETTINGS_SHEET: SETTINGS_SHEET,
    ACTIONS: A.ACTIONS,
    BUTTONS: A.BUTTONS,
    DEFAULT_URL: A.DEFAULT_URL,
    detectScheme: detectScheme,
    findAction: findAction,
    isEnabled: isEnabled,
    buttonById: buttonById,
    buttonByCommand: buttonByCommand,
    sheetsToRead: sheetsToRead,
    serialToIso: serialToIso,
    isoToSerial: isoToSerial,
    isDateFormat: isDateFormat,
    needsTextPrefix: needsTextPrefix,
    cellForWrite: cellForWrite,
    requestGrid: requestGrid,
    trimGrid: trimGrid,
    gridFromValue2: gridFromValue2,
    optionsFromSettings: optionsFromSettings,
    buildRequest: buildRequest,
    healthUrl: healthUrl,
    planSheet: planSheet,
    colLetter: colLetter,
    rgbToBgr: rgbToBgr,
    firstSheet: firstSheet,
    summaryText: summaryText,
    unreachableMessage: unreachableMessage,
    httpErrorMessage: httpErrorMessage,
    wrongWorkbookMessage: wrongWorkbookMessage
  };
});
