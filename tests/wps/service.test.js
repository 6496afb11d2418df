// The WPS add-in end to end without WPS: the fake object model holds each demo workbook, every
// button is pressed through the add-in (runButton, as OnAction does) against a real
// `jifen serve` on loopback, and afterwards the fake workbook must hold, cell for cell and
// sheet by sheet, what `jifen <command>` writes into a copy of the same workbook.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const H = require("./helpers.js");
const { FakeApplication, GENERAL } = require("./fake_wps.js");
const L = require(path.join(H.ADDIN, "js", "logic.js"));
const addin = require(path.join(H.ADDIN, "js", "ribbon.js"));

const skip = H.serviceAvailable() ? false : "jifen serve (issue #17) is not in this tree";

function trimmed(grid) { return L.trimGrid(grid.map((r) => r.map((v) => (v === undefined ? null : v)))); }

function gridOfDump(sheet) {
  const grid = [];
  for (const [r, c, v] of sheet.cells) {
    while (grid.length < r) grid.push([]);
    const row = grid[r - 1];
    while (row.length < c) row.push(null);
    row[c - 1] = v;
  }
  const width = Math.max(0, ...grid.map((r) => r.length));
  grid.forEach((r) => { while (r.length < width) r.push(null); });
  return trimmed(grid);
}

function sameCell(a, b) {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  return a === b;
}

/** Differences between the fake workbook and the CLI's workbook (names, order, every cell, date formats). */
function compare(wb, cliDump) {
  const diffs = [];
  const fakeNames = wb.sheetNamesForTest();
  const cliNames = cliDump.sheets.map((s) => s.name);
  if (JSON.stringify(fakeNames) !== JSON.stringify(cliNames)) diffs.push(`sheets: ${fakeNames} != ${cliNames}`);
  for (const sheet of cliDump.sheets) {
    if (!fakeNames.includes(sheet.name)) continue;
    const ws = wb.Sheets.Item(sheet.name);
    const want = gridOfDump(sheet), got = trimmed(ws.grid());
    const rows = Math.max(want.length, got.length);
    for (let r = 0; r < rows && diffs.length < 40; r++) {
      const wr = want[r] || [], gr = got[r] || [];
      for (let c = 0; c < Math.max(wr.length, gr.length); c++) {
        const w = c < wr.length ? wr[c] : null, g = c < gr.length ? gr[c] : null;
        if (!sameCell(w, g)) diffs.push(`${sheet.name}!${L.colLetter(c + 1)}${r + 1}: fake ${JSON.stringify(g)} != cli ${JSON.stringify(w)}`);
      }
    }
    // a cell the CLI shows as a date is a date in WPS too, and no other cell is
    const cliDates = new Set(sheet.formats.filter(([, , f]) => L.isDateFormat(f)).map(([r, c]) => `${r},${c}`));
    for (const [r, c, v] of sheet.cells) {
      if (typeof v !== "number") continue;
      const fakeIsDate = L.isDateFormat(ws.formatAt(r, c));
      if (fakeIsDate !== cliDates.has(`${r},${c}`) && diffs.length < 40) {
        diffs.push(`${sheet.name}!${L.colLetter(c)}${r}: date format fake ${ws.formatAt(r, c)} vs cli ${cliDates.has(`${r},${c}`)}`);
      }
    }
  }
  return diffs;
}

/** Put the step's option cells (计算季度 2026Q3, 全部存折 是 …) below 设置's rows; returns an undo. */
function setOptionCells(wb, cells) {
  if (!cells.length) return () => {};
  const ws = wb.Sheets.Item("设置");
  const start = ws.UsedRange.Row + ws.UsedRange.Rows.Count;
  cells.forEach(([label, text], i) => {
    ws._cell(start + i, 1, true).v = label;
    ws._cell(start + i, 2, true).v = text;
  });
  return () => cells.forEach((_, i) => {
    ws._cells.delete((start + i) * 100000 + 1);
    ws._cells.delete((start + i) * 100000 + 2);
  });
}

test("every demo workbook and button: the fake workbook equals what `jifen <command>` writes", { skip }, async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-wps-"));
  const service = await H.startService();
  t.after(async () => { await service.stop(); fs.rmSync(tmp, { recursive: true, force: true }); });
  const demos = H.xlsxTool("demos", path.join(tmp, "demo"));
  assert.ok(demos.length >= 3, "one demo workbook per scheme");
  const pressed = new Set();
  for (const demo of demos) {
    const name = path.basename(demo.path);
    const copy = path.join(tmp, "cli-" + name);
    fs.copyFileSync(demo.path, copy);
    const app = new FakeApplication();
    const wb = app.openDump(name, H.xlsxTool("dump", demo.path));
    // every button the workbook's kind enables, in the demo's order, on one workbook (outputs
    // of earlier buttons are replaced in place by later ones, as a clerk's workbook sees)
    const steps = demo.steps.slice();
    for (const b of L.BUTTONS) {
      if (L.isEnabled(b.command, wb.sheetNamesForTest()) && !steps.some((s) => s.command === b.command)) {
        steps.push({ command: b.command, flags: [], cells: [] });
      }
    }
    for (const step of steps) {
      await t.test(`${name}: ${step.command} ${step.flags.join(" ")}`, async (st) => {
        const undo = setOptionCells(wb, step.cells);
        const alerts = [];
        const t0 = performance.now();
        const report = await addin.runButton(step.command, {
          app, alert: (m) => alerts.push(m), config: { serviceUrl: service.url, token: service.token },
        });
        const pressMs = performance.now() - t0;
        undo();
        assert.equal(alerts.length, 1, "one message for the clerk");
        assert.ok(report.answer, `service answered: ${report.message} ${report.error || ""}\n${service.log().slice(-2000)}`);
        assert.deepEqual(report.warnings, [], "every render-spec member applied");
        assert.deepEqual(app.dialogs, [], "no confirmation dialog");
        for (const out of report.answer.outputs) {
          assert.equal(wb.Sheets.Item(out.name).value2Writes, 1, `one Value2 assignment for ${out.name}`);
        }
        assert.equal(app.ActiveSheet.Name, L.firstSheet(report.answer));
        const t1 = performance.now();
        const cli = H.py(["-m", "jifen_xl.cli", step.command, copy, ...step.flags]);
        if (report.attempts > 1) st.diagnostic(`request sent twice: first attempt failed with ${report.error}`);
        st.diagnostic(`button through the add-in ${pressMs.toFixed(0)} ms; cold jifen ${step.command} ${(performance.now() - t1).toFixed(0)} ms`);
        assert.ok(cli.status === 0 || cli.status === 1, `jifen ${step.command}: ${cli.stderr}`);
        assert.equal(report.answer.exit_code, cli.status);
        const diffs = compare(wb, H.xlsxTool("dump", copy));
        assert.deepEqual(diffs, []);
        pressed.add(step.command);
      });
    }
  }
  assert.deepEqual([...pressed].sort(), L.BUTTONS.map((b) => b.command).sort(), "every button pressed");
});

test("the add-in's own handler OnAction drives a run with the installed token", { skip }, async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-wps-inst-"));
  const service = await H.startService();
  t.after(async () => { await service.stop(); fs.rmSync(tmp, { recursive: true, force: true }); });
  // install into a private jsaddons folder, with the service's token folder
  const r = H.py(["-m", "jifen_xl.cli", "install-wps", "--dir", path.join(tmp, "jsaddons"), "--no-autostart",
    "--port", String(service.port)], { env: { XDG_CONFIG_HOME: service.config, APPDATA: service.config } });
  assert.equal(r.status, 0, r.stderr);
  const installed = fs.readdirSync(path.join(tmp, "jsaddons")).find((n) => n.startsWith("jifen_"));
  const dir = path.join(tmp, "jsaddons", installed, "js");
  const cfg = require(path.join(dir, "config.js"));
  assert.equal(cfg.token, service.token);
  assert.equal(cfg.serviceUrl, service.url);
  // load the INSTALLED copy as WPS would and press 校验数据 through OnAction
  const demos = H.xlsxTool("demos", path.join(tmp, "demo"));
  const ledger = demos.find((d) => d.path.endsWith("积分台账-示例.xlsx"));
  const app = new FakeApplication();
  const wb = app.openDump("积分台账-示例.xlsx", H.xlsxTool("dump", ledger.path));
  const alerts = [];
  globalThis.Application = app;
  globalThis.alert = (m) => alerts.push(m);
  try {
    const inst = require(path.join(dir, "ribbon.js"));
    assert.equal(globalThis.OnGetEnabled({ Id: "btnLedger" }), true);
    assert.equal(globalThis.OnGetEnabled({ Id: "btnWeek" }), false);
    const report = await globalThis.OnAction({ Id: "btnCheck" });
    assert.equal(typeof inst.runButton, "function");
    assert.ok(report && report.answer, report && report.message);
    assert.equal(alerts.length, 1);
    assert.ok(wb.sheetNamesForTest().includes("校验"));
  } finally {
    delete globalThis.Application;
    delete globalThis.alert;
  }
});

test("a wrong token is refused with a Chinese message and nothing is written", { skip }, async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-wps-tok-"));
  const service = await H.startService();
  t.after(async () => { await service.stop(); fs.rmSync(tmp, { recursive: true, force: true }); });
  const demos = H.xlsxTool("demos", path.join(tmp, "demo"));
  const village = demos.find((d) => d.path.endsWith("乡村积分-示例.xlsx"));
  const app = new FakeApplication();
  const wb = app.openDump("乡村积分-示例.xlsx", H.xlsxTool("dump", village.path));
  const before = wb.sheetNamesForTest();
  const alerts = [];
  const report = await addin.runButton("quarter", { app, alert: (m) => alerts.push(m),
    config: { serviceUrl: service.url, token: "wrong-" + service.token } });
  assert.equal(report.status, 401);
  assert.match(alerts[0], /令牌/);
  assert.deepEqual(wb.sheetNamesForTest(), before);
});
