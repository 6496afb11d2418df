// The installed add-in page in headless Chromium (Debian's chromium driven by playwright-core):
// it loads from file:// (origin "null", as WPS loads an offline jsaddon) without errors, defines
// the ribbon callbacks, and reaches a real `jifen serve` through CORS — GET /v1/health and a
// button's POST /v1/run with the X-Jifen-Token header (preflighted) — writing into the fake
// object model injected into the page.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { pathToFileURL } = require("node:url");

const H = require("./helpers.js");

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
let chromium = null;
try { ({ chromium } = require("playwright-core")); } catch (e) { /* reported by skip below */ }
const skip = !chromium ? "playwright-core is not installed (npm ci)"
  : !fs.existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM} (apt-get install chromium)`
    : !H.serviceAvailable() ? "jifen serve (issue #17) is not in this tree" : false;

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync"];

test("the add-in page loads from file:// without errors and reaches the service through CORS", { skip }, async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-wps-browser-"));
  const service = await H.startService();
  let browser = null;
  t.after(async () => {
    if (browser) await browser.close();
    await service.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  const jsaddons = path.join(tmp, "jsaddons");
  const inst = H.py(["-m", "jifen_xl.cli", "install-wps", "--dir", jsaddons, "--no-autostart", "--port", String(service.port)],
    { env: { XDG_CONFIG_HOME: service.config, APPDATA: service.config } });
  assert.equal(inst.status, 0, inst.stderr);
  const folder = fs.readdirSync(jsaddons).find((n) => n.startsWith("jifen_"));
  const page_url = pathToFileURL(path.join(jsaddons, folder, "index.html")).href;

  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("requestfailed", (r) => problems.push(`requestfailed: ${r.url()} ${r.failure() && r.failure().errorText}`));
  const origins = [];
  page.on("request", (r) => {
    if (r.url().startsWith(service.url)) origins.push(r.allHeaders().then((h) => `${r.method()} ${h.origin}`));
  });

  const resp = await page.goto(page_url, { waitUntil: "load" });
  assert.ok(resp === null || resp.ok(), "page loaded");
  const loaded = await page.evaluate(() => ({
    callbacks: ["OnAddinLoad", "OnAction", "OnGetEnabled", "GetImage"].map((n) => typeof window[n]),
    buttons: window.JifenLogic.BUTTONS.length,
    token: window.JIFEN_CONFIG.token,
    protocol: window.location.protocol,
  }));
  assert.deepEqual(loaded.callbacks, ["function", "function", "function", "function"]);
  // one button per declared command: as many as the installed ribbon.xml (both generated from the declarations)
  const ribbon = fs.readFileSync(path.join(jsaddons, folder, "ribbon.xml"), "utf8");
  assert.equal(loaded.buttons, (ribbon.match(/<button /g) || []).length);
  assert.ok(loaded.buttons > 0);
  assert.equal(loaded.token, service.token);
  assert.equal(loaded.protocol, "file:");   // an opaque origin: requests carry "Origin: null"

  await page.waitForSelector("#jifen-status[data-ok]");
  assert.match(await page.textContent("#jifen-status"), /积分服务已连接/);
  const health = await page.evaluate(() => window.JifenAddin.checkService());
  assert.equal(health.ok, true, JSON.stringify(health));

  // press 校验数据 inside the page on a small village workbook held by the fake object model
  const fakeSource = fs.readFileSync(path.join(__dirname, "fake_wps.js"), "utf8");
  await page.addScriptTag({ content: `(function(){ var module = { exports: {} }; ${fakeSource}\n window.FakeWps = module.exports; })();` });
  const dump = { sheets: [
    { name: "设置", cells: [[1, 1, "项目"], [1, 2, "值"], [2, 1, "村名"], [2, 2, "试点村"], [3, 1, "年度"], [3, 2, 2026]], formats: [] },
    { name: "农户名册", cells: [[1, 1, "户号"], [1, 2, "户主"]], formats: [] },
    { name: "评议记录", cells: [[1, 1, "日期"], [1, 2, "户号"], [2, 1, 46272], [2, 2, "H999"]], formats: [[2, 1, "yyyy-mm-dd"]] },
  ] };
  const run = await page.evaluate(async (d) => {
    const app = new window.FakeWps.FakeApplication();
    const wb = app.openDump("乡村积分.xlsx", d);
    const alerts = [];
    const r = await window.JifenAddin.runButton("check", { app, alert: (m) => alerts.push(m) });
    return { ok: r.ok, status: r.status, hasAnswer: !!r.answer, alerts, sheets: wb.sheetNamesForTest(),
      check: wb.Sheets.Item("校验").grid()[0] };
  }, dump);
  assert.equal(run.hasAnswer, true, JSON.stringify(run));
  assert.equal(run.alerts.length, 1);
  assert.ok(run.sheets.includes("校验"), JSON.stringify(run.sheets));
  assert.deepEqual(run.check, ["工作表", "行", "列", "值", "问题", "级别"]);
  const sent = await Promise.all(origins);
  assert.ok(sent.includes("GET null") && sent.includes("POST null"), JSON.stringify(sent));
  assert.deepEqual(problems, []);
});
