// Unit tests of the WPS add-in's pure logic and adapter against the fake object model.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const ADDIN = path.join(__dirname, "..", "..", "jifen_xl", "wps_addin");
const L = require(path.join(ADDIN, "js", "logic.js"));
const W = require(path.join(ADDIN, "js", "wps_adapter.js"));
const addin = require(path.join(ADDIN, "js", "ribbon.js"));
const { FakeApplication, entry } = require("./fake_wps.js");

test("workbook kind decides which buttons are enabled", () => {
  // each scheme's identifying sheets (the generated detection table) enable exactly its buttons
  const A = require(path.join(ADDIN, "js", "actions.js"));
  const enabled = (names) => L.BUTTONS.filter((b) => L.isEnabled(b.command, names)).map((b) => b.label);
  assert.ok(A.DETECT.length >= 3);
  for (const d of A.DETECT) {
    const names = ["说明", "设置", "规则", ...d.identify];
    assert.equal(L.detectScheme(names), d.scheme);
    const own = A.ACTIONS.filter((a) => a.scheme === d.scheme).map((a) => a.command);
    assert.deepEqual(enabled(names), L.BUTTONS.filter((b) => own.includes(b.command)).map((b) => b.label));
  }
  assert.deepEqual(enabled(["Sheet1"]), []);
});

test("the buttons in ribbon.xml name the callbacks ribbon.js defines", () => {
  const xml = fs.readFileSync(path.join(ADDIN, "ribbon.xml"), "utf8");
  const buttons = [...xml.matchAll(/<button id="(\w+)" label="([^"]+)" onAction="(\w+)" getEnabled="(\w+)" getImage="(\w+)"/g)];
  assert.deepEqual(buttons.map((m) => m[2]), L.BUTTONS.map((b) => b.label));
  assert.deepEqual(buttons.map((m) => m[1]), L.BUTTONS.map((b) => b.id));
  for (const m of buttons) {
    for (const fn of [m[3], m[4], m[5]]) assert.equal(typeof globalThis[fn], "function", fn);
    assert.equal(L.buttonById(m[1]).label, m[2]);
  }
  assert.match(xml, /onLoad="OnAddinLoad"/);
  assert.equal(typeof globalThis.OnAddinLoad, "function");
});

test("dates: serial <-> ISO in the 1900 system, real dates only", () => {
  assert.equal(L.serialToIso(46272), "2026-09-07");
  assert.equal(L.isoToSerial("2026-09-07"), 46272);
  assert.equal(L.serialToIso(46272.5), "2026-09-07T12:00:00");
  assert.equal(L.isoToSerial("2026-09-07T12:00:00"), 46272.5);
  assert.equal(L.isoToSerial("2026-02-30"), null);
  assert.equal(L.isoToSerial("2026/9/7"), null);
  assert.equal(L.serialToIso(61), "1900-03-01");
  for (const f of ["yyyy-mm-dd", "yyyy/m/d", 'yyyy"年"m"月"d"日"', "m/d", "[$-804]yyyy-mm-dd", "yyyy-mm-dd hh:mm"]) {
    assert.ok(L.isDateFormat(f), f);
  }
  for (const f of ["G/通用格式", "General", "0.00", "0%", "@", "hh:mm", '"day"0', null, ""]) {
    assert.ok(!L.isDateFormat(f), String(f));
  }
});

test("text the host would re-interpret gets the text prefix, as xlwings_io does", () => {
  assert.equal(L.cellForWrite("20260101", false), "'20260101");
  assert.equal(L.cellForWrite("=SUM(A1)", false), "'=SUM(A1)");
  assert.equal(L.cellForWrite("TRUE", false), "'TRUE");
  assert.equal(L.cellForWrite("2026-09-07", false), "'2026-09-07");
  assert.equal(L.cellForWrite("2026-09-07", true), 46272);
  assert.equal(L.cellForWrite("张三", false), "张三");
  assert.equal(L.cellForWrite(3.5, false), 3.5);
  assert.equal(L.cellForWrite(null, true), null);
  // what the fake stores for each: the value the CLI writes
  assert.deepEqual(entry("'20260101"), { v: "20260101", prefix: true });
  assert.deepEqual(entry("20260101"), { v: 20260101 });
});

test("Value2 of a used range away from A1 is anchored at A1 and trimmed", () => {
  const g = L.gridFromValue2([[1, "a"], [undefined, ""]], 3, 2);
  assert.deepEqual(g, [[null, null, null], [null, null, null], [null, 1, "a"], [null, undefined, ""]]);
  assert.deepEqual(L.requestGrid(g, () => false), [[null, null, null], [null, null, null], [null, 1, "a"]]);
  assert.deepEqual(L.gridFromValue2(7, 1, 1), [[7]]);
});

test("option cells of 设置 become the command line's options", () => {
  const week = L.ACTIONS.find((a) => a.command === "week");
  const passbook = L.ACTIONS.find((a) => a.command === "passbook");
  const grid = [["项目", "值", "说明"], ["班级", "初一", null], ["计算周", "2026-09-07", null],
    ["全部存折", "是", null], ["存折账户", "  ", null]];
  assert.deepEqual(L.optionsFromSettings(week, grid), { week: "2026-09-07" });
  assert.deepEqual(L.optionsFromSettings(passbook, grid), { all: "是" });
  assert.deepEqual(L.optionsFromSettings(week, [["项目", "值"]]), {});
  assert.deepEqual(L.optionsFromSettings(week, null), {});
});

test("reading: real dates go as ISO strings, numbers stay numbers, empties are null", () => {
  const app = new FakeApplication();
  const wb = app.openDump("t.xlsx", { sheets: [{ name: "日志", cells: [
    [2, 2, "日期"], [2, 3, "分值"], [2, 4, "学号"],
    [3, 2, 46272], [3, 3, 2], [3, 4, "20260101"],
    [4, 2, 46273.25], [4, 3, -1],
    [5, 2, "2026/9/9"], [5, 3, 46274],
  ], formats: [[3, 2, "yyyy-mm-dd"], [4, 2, "yyyy-mm-dd hh:mm"]] }] });
  const grid = W.readSheet(wb.Sheets.Item("日志"));
  assert.deepEqual(grid, [
    [null, null, null, null],
    [null, "日期", "分值", "学号"],
    [null, "2026-09-07", 2, "20260101"],
    [null, "2026-09-08T06:00:00", -1, null],
    [null, "2026/9/9", 46274, null],
  ]);
});

test("reading a long column whose formats change reads NumberFormat per block, not per cell", () => {
  const cells = [[1, 1, "日期"], [1, 2, "分值"]], formats = [];
  for (let r = 2; r <= 3001; r++) {
    cells.push([r, 1, 46000 + r], [r, 2, r % 5]);
    if (r <= 1200) formats.push([r, 1, "yyyy-mm-dd"]);
  }
  const app = new FakeApplication();
  const wb = app.openDump("t.xlsx", { sheets: [{ name: "日志", cells, formats }] });
  const grid = W.readSheet(wb.Sheets.Item("日志"));
  assert.equal(grid[1][0], L.serialToIso(46002));
  assert.equal(grid[1199][0], L.serialToIso(47200));
  assert.equal(grid[1200][0], 47201);          // General from row 1201 on: a number, not a date
  assert.equal(grid[3000][1], 3001 % 5);
  assert.ok(app.formatReads < 60, `NumberFormat read ${app.formatReads} times`);
});

test("a host whose ranges lack NumberFormat still reads: dates go as serial numbers", () => {
  const app = new FakeApplication();
  const wb = app.openDump("t.xlsx", { sheets: [{ name: "日志", cells: [[1, 1, "日期"], [2, 1, 46272]],
    formats: [[2, 1, "yyyy-mm-dd"]] }] });
  const { FakeRange } = require("./fake_wps.js");
  const desc = Object.getOwnPropertyDescriptor(FakeRange.prototype, "NumberFormat");
  Object.defineProperty(FakeRange.prototype, "NumberFormat", { get() { throw new Error("not supported"); }, configurable: true });
  try {
    assert.deepEqual(W.readSheet(wb.Sheets.Item("日志")), [["日期"], [46272]]);
  } finally {
    Object.defineProperty(FakeRange.prototype, "NumberFormat", desc);
  }
});

test("writing: one Value2 per sheet, replaced whole in place, formats, print setup, no dialogs", () => {
  const app = new FakeApplication();
  const wb = app.openDump("t.xlsx", { sheets: [
    { name: "设置", cells: [[1, 1, "项目"]] },
    { name: "周汇总", cells: [[1, 1, "旧"], [30, 9, "旧数据"]] },
    { name: "名册", cells: [[1, 1, "学号"]] },
  ] });
  const out = {
    name: "周汇总",
    rows: [["周开始", "学号", "得分", "是否"], ["2026-09-07", "20260101", 3.5, "是"], ["2026-09-07", "20260102", null, "否"]],
    format: {
      version: 1,
      columns: [{ header: "周开始", width: 11, number_format: "yyyy-mm-dd" }, { header: "学号", width: 10 },
        { header: "得分", width: 6, number_format: "0.0" }, { header: "是否", width: 4 }],
      header_row: { row: 1, bold: true, fill: "D9E1F2" },
      freeze: { rows: 1, columns: 0 },
      autofilter: "A1:D3",
      page: { paper: "A4", orientation: "landscape", fit_to_pages_wide: 1, fit_to_pages_tall: 0,
        print_title_rows: "1:1", header: { center: "初一 周汇总" }, footer: { center: "第 &P 页，共 &N 页" },
        margins_inch: { left: 0.5 } },
      charts: [{ type: "column", title: "得分", stacked: false, categories: { header: "学号", range: "B2:B3", number_format: "m/d" },
        series: [{ header: "得分", range: "C2:C3", as: "bar", colour: "4472C4", dash: false, goal: false }],
        targets: [{ label: "目标", value: 3, colour: "C00000", dash: true }], data_labels: { number_format: "0.0" },
        value_axis: { number_format: "0.0", min: 0, max: 5 },
        legend: "bottom", anchor: { first_row: 5, last_row: 27, last_col: 9 }, page_break_after_row: 5 }],
    },
  };
  const plan = L.planSheet(out);
  const warnings = W.writeAll(app, wb, [plan], "周汇总");
  assert.deepEqual(warnings, []);
  assert.deepEqual(wb.sheetNamesForTest(), ["设置", "周汇总", "名册"]);
  const ws = wb.Sheets.Item("周汇总");
  assert.equal(ws.value2Writes, 1);
  assert.deepEqual(ws.grid(), [["周开始", "学号", "得分", "是否"], [46272, "20260101", 3.5, "是"], [46272, "20260102", null, "否"]]);
  assert.equal(ws.formatAt(2, 1), "yyyy-mm-dd");
  assert.equal(ws.formatAt(3, 3), "0.0");
  assert.equal(ws.Range("A1:D1").Font.Bold, true);
  assert.equal(ws.Range("A1").Interior.Color, 0xF2E1D9);
  assert.equal(ws.Range("A1").ColumnWidth, 11);
  assert.equal(ws.PageSetup.Orientation, 2);
  assert.equal(ws.PageSetup.PaperSize, 9);
  assert.equal(ws.PageSetup.PrintTitleRows, "$1:$1");
  assert.equal(ws.PageSetup.CenterHeader, "初一 周汇总");
  assert.equal(ws.PageSetup.CenterFooter, "第 &P 页，共 &N 页");
  assert.equal(ws.PageSetup.LeftMargin, 36);
  assert.equal(ws.PageSetup.FitToPagesWide, 1);
  assert.equal(ws.PageSetup.FitToPagesTall, false);
  assert.deepEqual(ws.frozen, { rows: 1, columns: 0 });
  assert.equal(ws.autoFilter, "$A$1:$D$3");
  assert.equal(ws.charts.length, 1);
  const chart = ws.charts[0].chart;
  assert.equal(chart.ChartTitle.Text, "得分");
  assert.deepEqual(chart._series.map((s) => s.Name), ["得分", "目标"]);
  assert.equal(chart._series[0].Values.Address, "$C$2:$C$3");
  assert.deepEqual(chart._series[1].Values, [3, 3]);
  assert.equal(chart._series[1].ChartType, 4);
  assert.equal(chart._series[1].Format.Line.DashStyle, 4);
  assert.equal(chart._series[1].Format.Line.ForeColor.RGB, 0x0000C0);
  assert.equal(chart._series[0].Format.Fill.ForeColor.RGB, 0xC47244);
  assert.equal(chart._series[0].HasDataLabels, true);
  assert.equal(chart._series[0].DataLabels().NumberFormat, "0.0");
  assert.equal(chart.Axes(1).TickLabels.NumberFormat, "m/d");
  assert.equal(chart.Axes(2).MinimumScale, 0);
  assert.equal(chart.Axes(2).MaximumScale, 5);
  assert.equal(chart.Legend.Position, -4107);
  assert.deepEqual(ws.pageBreaks, [6]);
  assert.equal(app.ActiveSheet.Name, "周汇总");
  assert.deepEqual(app.dialogs, []);
  assert.equal(app.DisplayAlerts, true);
});

test("a new output sheet goes after the last sheet", () => {
  const app = new FakeApplication();
  const wb = app.openDump("t.xlsx", { sheets: [{ name: "设置", cells: [] }, { name: "名册", cells: [] }] });
  W.writeAll(app, wb, [L.planSheet({ name: "校验", rows: [["工作表", "行"]] })], "校验");
  assert.deepEqual(wb.sheetNamesForTest(), ["设置", "名册", "校验"]);
});

async function press(app, command, fetchImpl, config) {
  const alerts = [];
  const r = await addin.runButton(command, { app, fetch: fetchImpl, alert: (t) => alerts.push(t),
    config: config || { serviceUrl: "http://127.0.0.1:1", token: "t" } });
  return { r, alerts };
}

test("service not reachable: one Chinese message saying how to start it, workbook untouched", async () => {
  const app = new FakeApplication();
  const wb = app.openDump("t.xlsx", { sheets: [{ name: "设置", cells: [[1, 1, "项目"], [1, 2, "值"]] }, { name: "名册", cells: [[1, 1, "学号"]] }] });
  const { r, alerts } = await press(app, "week", async () => { throw new TypeError("fetch failed"); });
  assert.equal(r.ok, false);
  assert.equal(alerts.length, 1);
  assert.match(alerts[0], /无法连接积分服务/);
  assert.match(alerts[0], /jifen serve/);
  assert.match(alerts[0], /--install-autostart/);
  assert.deepEqual(wb.sheetNamesForTest(), ["设置", "名册"]);
});

test("a connection dropped by the service (stale keep-alive) is retried once", async () => {
  const app = new FakeApplication();
  const wb = app.openDump("t.xlsx", { sheets: [{ name: "名册", cells: [[1, 1, "学号"]] }] });
  let calls = 0;
  const fetchImpl = async () => {
    calls += 1;
    if (calls === 1) throw new TypeError("fetch failed", { cause: new Error("other side closed") });
    return { status: 200, json: async () => ({ exit_code: 0, summary: ["好"], problems: [],
      outputs: [{ name: "校验", rows: [["工作表"]], format: {} }] }) };
  };
  const { r, alerts } = await press(app, "check", fetchImpl);
  assert.equal(calls, 2);
  assert.equal(r.ok, true);
  assert.deepEqual(alerts, ["好"]);
  assert.ok(wb.sheetNamesForTest().includes("校验"));
});

test("wrong workbook, missing token and HTTP errors give Chinese messages", async () => {
  const app = new FakeApplication();
  app.openDump("t.xlsx", { sheets: [{ name: "Sheet1", cells: [] }] });
  let { alerts } = await press(app, "week", async () => { throw new Error("must not be called"); });
  assert.match(alerts[0], /没有“本周汇总”所需的工作表/);
  const app2 = new FakeApplication();
  app2.openDump("t.xlsx", { sheets: [{ name: "名册", cells: [] }] });
  ({ alerts } = await press(app2, "week", async () => { throw new Error("x"); }, { serviceUrl: "http://127.0.0.1:1", token: "" }));
  assert.match(alerts[0], /jifen install-wps/);
  const answer = (status, body) => async () => ({ status, json: async () => body });
  ({ alerts } = await press(app2, "week", answer(401, { message: "令牌不对" })));
  assert.match(alerts[0], /令牌/);
  ({ alerts } = await press(app2, "week", answer(400, { message: "参数“week”的值无法识别" })));
  assert.equal(alerts[0], "参数“week”的值无法识别");
});

test("a successful answer is written back, the first result activated, the summary shown", async () => {
  const app = new FakeApplication();
  const wb = app.openDump("t.xlsx", { sheets: [
    { name: "设置", cells: [[1, 1, "项目"], [1, 2, "值"], [2, 1, "计算周"], [2, 2, 46272]], formats: [[2, 2, "yyyy-mm-dd"]] },
    { name: "名册", cells: [[1, 1, "学号"], [2, 1, "20260101"]] }] });
  let seen;
  const fetchImpl = async (url, init) => {
    seen = { url, init, body: JSON.parse(init.body) };
    return { status: 200, json: async () => ({ exit_code: 0, summary: ["已生成周汇总。"], problems: [], outputs: [
      { name: "校验", rows: [["工作表", "行", "列", "值", "问题", "级别"]], format: {} },
      { name: "周汇总", rows: [["学号"], ["20260101"]], format: {} }] }) };
  };
  const { r, alerts } = await press(app, "week", fetchImpl, { serviceUrl: "http://127.0.0.1:39800/", token: "tok" });
  assert.equal(r.ok, true);
  assert.equal(seen.url, "http://127.0.0.1:39800/v1/run/week");
  assert.equal(seen.init.headers["X-Jifen-Token"], "tok");
  assert.deepEqual(seen.body.options, { week: "2026-09-07" });
  assert.deepEqual(Object.keys(seen.body.sheets), ["设置", "名册"]);
  assert.deepEqual(seen.body.sheets["名册"], [["学号"], ["20260101"]]);
  assert.equal(seen.body.workbook, wb.FullName);
  assert.deepEqual(alerts, ["已生成周汇总。"]);
  assert.deepEqual(wb.sheetNamesForTest(), ["设置", "名册", "校验", "周汇总"]);
  assert.equal(app.ActiveSheet.Name, "周汇总");
  assert.deepEqual(wb.Sheets.Item("周汇总").grid(), [["学号"], ["20260101"]]);
});

test("OnGetEnabled follows the active workbook; OnAction resolves after the run", async () => {
  const app = new FakeApplication();
  app.openDump("v.xlsx", { sheets: [{ name: "农户名册", cells: [] }, { name: "评议记录", cells: [] }] });
  globalThis.Application = app;
  try {
    assert.equal(globalThis.OnAddinLoad({ Invalidate() {} }), true);
    assert.equal(globalThis.OnGetEnabled({ Id: "btnQuarter" }), true);
    assert.equal(globalThis.OnGetEnabled({ Id: "btnWeek" }), false);
    assert.equal(globalThis.OnGetEnabled({ Id: "nope" }), false);
    assert.equal(globalThis.GetImage({ Id: "btnQuarter" }), "images/jifen.svg");
    assert.ok(app._listeners.length > 0);
  } finally {
    delete globalThis.Application;
  }
});
