/*
 * 积分 WPS 加载项 — the ribbon callbacks named in ribbon.xml and the button glue.
 *
 * WPS calls the global functions OnAddinLoad(ribbonUI), OnAction(control),
 * OnGetEnabled(control) and GetImage(control) (the wpsjs template's callback names;
 * control.Id is the button id). A button press:
 *   1. reads the input sheets of the active workbook (adapter, Range.Value2),
 *   2. posts them with the 设置 option cells to `jifen serve` (X-Jifen-Token),
 *   3. writes the returned sheets back (adapter), activates the first result and shows the
 *      summary or the errors in an alert.
 * When the service cannot be reached the clerk gets one Chinese message saying how to start
 * it: the add-in never starts programs itself (WPS 12 removed wps.OAAssist.ShellExecute,
 * WPS-Zotero issue #34).
 *
 * runButton(command, env) takes its host pieces from `env` (app, config, fetch, alert) so that
 * tests drive it with a fake object model; in WPS they default to the page's globals.
 */
(function (root, factory) {
  var isNode = typeof module === "object" && module.exports;
  var deps = isNode
    ? { L: require("./logic.js"), W: require("./wps_adapter.js"), C: require("./config.js") }
    : { L: root.JifenLogic, W: root.JifenWps, C: root.JIFEN_CONFIG };
  var api = factory(deps.L, deps.W, deps.C, root);
  if (isNode) module.exports = api;
  root.JifenAddin = api;
  // the callbacks ribbon.xml names must be globals of the page
  root.OnAddinLoad = api.OnAddinLoad;
  root.OnAction = api.OnAction;
  root.OnGetEnabled = api.OnGetEnabled;
  root.GetImage = api.GetImage;
})(typeof globalThis !== "undefined" ? globalThis : this, function (L, W, CONFIG, root) {
  "use strict";

  var state = { ribbonUI: null, busy: false };

  function hostApp() {
    if (root.Application) return root.Application;
    if (root.wps && root.wps.Application) return root.wps.Application;
    return null;
  }

  function hostAlert(text) {
    if (typeof root.alert === "function") root.alert(text);
    else if (root.console) root.console.log(text);
  }

  function defaultEnv(env) {
    env = env || {};
    return {
      app: env.app || hostApp(),
      config: env.config || root.JIFEN_CONFIG || CONFIG || { serviceUrl: L.DEFAULT_URL, token: "" },
      fetch: env.fetch || (root.fetch ? root.fetch.bind(root) : null),
      alert: env.alert || hostAlert
    };
  }

  function activeSheetNames(app) {
    var wb = app && app.ActiveWorkbook;
    return wb ? W.sheetNames(wb) : [];
  }

  /**
   * Run the button of `command` on the active workbook. Resolves to a report object
   * {ok, message, answer, warnings} (the clerk sees `message` in the alert).
   */
  async function runButton(command, env) {
    var e = defaultEnv(env);
    function done(ok, message, extra) {
      e.alert(message);
      var r = { ok: ok, message: message };
      Object.keys(extra || {}).forEach(function (k) { r[k] = extra[k]; });
      return r;
    }
    var wb = e.app && e.app.ActiveWorkbook;
    if (!wb) return done(false, "请先打开一个积分工作簿。");
    var names = W.sheetNames(wb);
    var action = L.findAction(command, names);
    if (!action) return done(false, L.wrongWorkbookMessage(command));
    if (!e.config.token) {
      return done(false, "加载项缺少积分服务的令牌。请在命令行运行 jifen install-wps 重新安装加载项，然后重启 WPS。");
    }
    var sheets;
    try {
      sheets = W.readSheets(wb, L.sheetsToRead(action, names));
    } catch (err) {
      return done(false, "读取工作表时出错（" + (err && err.message ? err.message : err) + "），请把工作簿发给维护人员。");
    }
    var options = L.optionsFromSettings(action, sheets[L.SETTINGS_SHEET]);
    var wbId = null;
    try { wbId = wb.FullName; } catch (err) { /* unsaved or host without FullName */ }
    var req = L.buildRequest(e.config, command, sheets, options, wbId);
    var resp, body, lastError = null, attempt;
    // a kept-alive connection the service has just closed fails at once: the request is
    // a pure computation, so it is sent once more before the clerk is told
    for (attempt = 0; attempt < 2 && !resp; attempt++) {
      try {
        resp = await e.fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
      } catch (err) {
        lastError = err;
      }
    }
    if (!resp) {
      return done(false, L.unreachableMessage(e.config), { error: String(lastError && (lastError.cause || lastError)) });
    }
    try { body = await resp.json(); } catch (err) { body = null; }
    if (resp.status !== 200 || !body || !Array.isArray(body.outputs)) {
      return done(false, L.httpErrorMessage(resp.status, body), { status: resp.status, answer: body });
    }
    var plans = body.outputs.map(L.planSheet);
    var warnings;
    try {
      warnings = W.writeAll(e.app, wb, plans, L.firstSheet(body));
    } catch (err) {
      return done(false, "写入结果时出错（" + (err && err.message ? err.message : err) + "）。", { answer: body });
    }
    if (warnings.length && root.console) root.console.warn("积分加载项：部分格式未能设置", warnings);
    return done(body.exit_code === 0, L.summaryText(body),
      { answer: body, warnings: warnings, attempts: attempt, error: lastError ? String(lastError.cause || lastError) : null });
  }

  // ---- ribbon callbacks ----

  function OnAddinLoad(ribbonUI) {
    state.ribbonUI = ribbonUI;
    var app = hostApp();
    if (app && typeof app === "object" && app.ribbonUI === undefined) {
      try { app.ribbonUI = ribbonUI; } catch (e) { /* read-only in some hosts */ }
    }
    // grey/un-grey the buttons whenever another workbook becomes active
    try {
      if (app && app.ApiEvent && app.ApiEvent.AddApiEventListener) {
        ["WindowActivate", "WorkbookActivate", "WorkbookOpen", "NewWorkbook", "SheetActivate"].forEach(function (ev) {
          app.ApiEvent.AddApiEventListener(ev, refreshRibbon);
        });
      }
    } catch (e) { /* older WPS: buttons refresh when the tab is shown */ }
    return true;
  }

  function refreshRibbon() {
    if (state.ribbonUI && state.ribbonUI.Invalidate) state.ribbonUI.Invalidate();
  }

  function OnGetEnabled(control) {
    var b = L.buttonById(control && control.Id);
    if (!b) return false;
    try { return L.isEnabled(b.command, activeSheetNames(hostApp())); } catch (e) { return false; }
  }

  function OnAction(control) {
    var b = L.buttonById(control && control.Id);
    if (!b) return true;
    if (state.busy) { hostAlert("上一个按钮还在计算，请稍候。"); return true; }
    state.busy = true;
    var p = runButton(b.command).then(function (r) { state.busy = false; return r; },
      function (err) {
        state.busy = false;
        hostAlert("计算时发生意外错误（" + (err && err.message ? err.message : err) + "），请把工作簿发给维护人员。");
      });
    // WPS ignores the return value; tests and harnesses may await the promise
    return p;
  }

  function GetImage(control) {
    return "images/jifen.svg";
  }

  /** Reachability check used by the page itself (index.html status line, tests). */
  async function checkService(env) {
    var e = defaultEnv(env);
    try {
      var r = await e.fetch(L.healthUrl(e.config));
      var body = await r.json();
      return { ok: r.status === 200 && body && body.ok === true, status: r.status, body: body };
    } catch (err) {
      return { ok: false, message: L.unreachableMessage(e.config) };
    }
  }

  // the page itself (hidden in WPS; visible when opened in a browser for diagnosis) says
  // whether the service answers
  if (root.document && root.document.addEventListener) {
    root.document.addEventListener("DOMContentLoaded", function () {
      var el = root.document.getElementById("jifen-status");
      if (!el) return;
      checkService().then(function (r) {
        el.textContent = r.ok ? "积分服务已连接（" + (r.body && r.body.version ? "版本 " + r.body.version : "") + "）。"
          : (r.message || "积分服务没有正常应答。");
        el.setAttribute("data-ok", r.ok ? "1" : "0");
      });
    });
  }

  return {
    runButton: runButton,
    checkService: checkService,
    OnAddinLoad: OnAddinLoad,
    OnAction: OnAction,
    OnGetEnabled: OnGetEnabled,
    GetImage: GetImage
  };
});
