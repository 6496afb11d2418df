// 积分助手: the page. Plain JS, no library, no build step; every text node is set with
// textContent (file names and cell values are never parsed as HTML).
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const state = { book: null, view: null, busy: false };

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k.startsWith("data-")) node.setAttribute(k, v);
      else node[k] = v;
    }
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  async function api(path, body) {
    const init = body === undefined ? {} : {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    };
    let answer;
    try {
      answer = await fetch(path, init);
    } catch (e) {
      throw new Error("无法连接积分助手：请确认它的窗口没有关闭，然后刷新本页。");
    }
    let data = {};
    try { data = await answer.json(); } catch (e) { /* not JSON */ }
    if (answer.status === 401) { showLogin(); }
    if (!answer.ok) {
      const err = new Error(data.message || `请求失败（${answer.status}）`);
      err.status = answer.status;
      throw err;
    }
    return data;
  }

  function status(text, kind) {
    const s = $("status");
    s.textContent = text || "";
    s.className = kind || "";
  }

  function showLogin() {
    $("login").hidden = false;
    $("app").hidden = true;
  }

  // ------------------------------------------------------------------ the list of workbooks
  function bookItem(b) {
    const li = el("li");
    const button = el("button", { type: "button", class: "book-item", "data-path": b.path });
    button.append(el("span", { class: "name" }, b.name));
    button.append(el("span", { class: "kind" + (b.kind ? "" : " other") }, b.label));
    const where = [b.folder, b.modified].filter(Boolean).join(" · ");
    if (where) button.append(el("span", { class: "where" }, where));
    button.addEventListener("click", () => select(b.path));
    li.append(button);
    return li;
  }

  function renderState(data) {
    const box = $("folders");
    box.replaceChildren();
    for (const f of data.folders) {
      const section = el("section", { class: "folder" });
      section.append(el("h2", { title: f.path }, "文件夹：" + f.name));
      const list = el("ul", { class: "book-list" });
      if (!f.workbooks.length) list.append(el("li", { class: "hint" }, "这个文件夹里没有 .xlsx / .xlsm 工作簿。"));
      f.workbooks.forEach((b) => list.append(bookItem(b)));
      section.append(list);
      box.append(section);
    }
    $("recent").replaceChildren(...data.recent.map(bookItem));
    $("recent-box").hidden = !data.recent.length;
    const roll = $("rollup-folders");
    roll.replaceChildren();
    if (data.rollup.available) {
      for (const f of data.folders) {
        const b = el("button", { type: "button", class: "secondary" }, "汇总“" + f.name + "”文件夹");
        b.addEventListener("click", () => rollup(f.path));
        roll.append(b);
      }
    } else {
      roll.append(el("p", { class: "hint pre" }, data.rollup.message));
    }
    $("rollup-box").hidden = !data.folders.length;
    markSelected();
  }

  function markSelected() {
    document.querySelectorAll(".book-item").forEach((b) => {
      b.setAttribute("aria-current", b.dataset.path === state.book ? "true" : "false");
    });
  }

  async function loadState() {
    const data = await api("/ui/api/state");
    $("login").hidden = true;
    $("app").hidden = false;
    renderState(data);
    return data;
  }

  // ------------------------------------------------------------------ one workbook
  async function select(path) {
    state.book = path;
    markSelected();
    status("正在读取工作簿……");
    try {
      const view = await api("/ui/api/workbook?path=" + encodeURIComponent(path));
      state.view = view;
      renderBook(view);
      status("");
    } catch (e) {
      status(e.message, "error");
    }
  }

  function renderBook(view) {
    $("empty").hidden = true;
    $("book").hidden = false;
    $("book-name").textContent = view.name;
    $("book-kind").textContent = view.label;
    $("download-book").href = "/ui/api/download?path=" + encodeURIComponent(view.path);
    $("book-message").textContent = view.message || "";
    const fields = $("option-fields");
    fields.replaceChildren();
    const seen = new Set();
    for (const b of view.buttons) {
      for (const o of b.options) {
        if (seen.has(o.name)) continue;
        seen.add(o.name);
        const id = "opt-" + o.name;
        const row = el("div", { class: "field" });
        const label = el("label", { htmlFor: id }, o.label || o.name);
        let input;
        if (o.kind === "flag") {
          input = el("input", { type: "checkbox", id, checked: ["是", "true", "1", "TRUE"].includes(o.value) });
          row.classList.add("flag");
        } else {
          input = el("input", { type: "text", id, value: o.value || "", placeholder: placeholder(o.kind) });
        }
        input.dataset.option = o.name;
        row.append(label, input);
        if (o.help) row.append(el("span", { class: "hint" }, o.help));
        fields.append(row);
      }
    }
    $("options").hidden = !seen.size;
    const buttons = $("buttons");
    buttons.replaceChildren();
    for (const b of view.buttons) {
      const button = el("button", { type: "button", class: "action", "data-command": b.command, title: b.help || "" },
        b.caption);
      button.addEventListener("click", () => press(b));
      buttons.append(button);
    }
    $("result").hidden = true;
    renderPapers(view.papers);
  }

  function placeholder(kind) {
    // the default itself is the option's own help, shown beside the field (计算周: a week, 总结日期: a day)
    return { date: "例如 2026-09-07（空：用默认）", month: "例如 2026-09（空：用默认）",
      quarter: "例如 2026Q3（空：用默认）", year: "例如 2026（空：用默认）" }[kind] || "（空：用默认）";
  }

  function optionsFor(button) {
    const out = {};
    for (const o of button.options) {
      const input = document.querySelector(`[data-option="${o.name}"]`);
      if (!input) continue;
      if (o.kind === "flag") { if (input.checked) out[o.name] = true; }
      else if (input.value.trim()) out[o.name] = input.value.trim();
    }
    return out;
  }

  async function press(button) {
    if (state.busy) return;
    state.busy = true;
    document.querySelectorAll(".action").forEach((b) => { b.disabled = true; });
    status("正在计算“" + button.caption + "”……");
    const t0 = performance.now();
    try {
      const r = await api("/ui/api/run", { path: state.view.path, command: button.command, options: optionsFor(button) });
      const ms = performance.now() - t0;
      document.body.dataset.lastPressMs = ms.toFixed(1);
      renderResult(button, r, ms);
      status("");
    } catch (e) {
      document.body.dataset.lastPressMs = "";
      renderFailure(button, e);
      status("");            // the reason is shown once, in the result area
    } finally {
      state.busy = false;
      document.querySelectorAll(".action").forEach((b) => { b.disabled = false; });
      document.body.dataset.presses = String(Number(document.body.dataset.presses || 0) + 1);
    }
  }

  function renderResult(button, r, ms) {
    const box = $("summary");
    box.replaceChildren(...r.summary.map((line) => el("p", { class: r.exit_code ? "summary error" : "summary" }, line)));
    box.append(el("p", { class: "written" }, "已写入：" + r.outputs.join("、")));
    $("timing").textContent = `“${button.caption}”用时 ${(ms / 1000).toFixed(2)} 秒`;
    const body = $("problems").tBodies[0];
    body.replaceChildren();
    for (const p of r.problems) {
      const tr = el("tr", { class: p["级别"] === "错误" ? "level-error" : "" });
      for (const k of ["工作表", "行", "列", "值", "问题", "级别"]) tr.append(el("td", {}, p[k] === null ? "" : p[k]));
      body.append(tr);
    }
    $("problem-count").textContent = r.problems.length;
    $("problems-box").hidden = !r.problems.length;
    $("result").hidden = false;
    renderPapers(r.papers);
    loadState().catch(() => {});
  }

  function renderFailure(button, e) {
    $("summary").replaceChildren(el("p", { class: "summary error" }, e.message));
    $("timing").textContent = "";
    $("problems-box").hidden = true;
    $("result").hidden = false;
  }

  function renderPapers(papers) {
    const list = $("papers");
    list.replaceChildren();
    for (const name of papers || []) {
      const a = el("a", { target: "_blank", rel: "noopener" }, name);
      a.href = "/ui/api/paper?path=" + encodeURIComponent(state.view.path) + "&paper=" + encodeURIComponent(name);
      const li = el("li");
      li.append(a);
      list.append(li);
    }
    $("papers-box").hidden = !(papers && papers.length);
  }

  async function openBook() {
    try {
      const r = await api("/ui/api/open", { path: state.view.path });
      status(r.message);
    } catch (e) {
      status(e.message, "error");
    }
  }

  async function rollup(folder) {
    const out = $("rollup-result");
    out.textContent = "正在汇总……";
    try {
      const r = await api("/ui/api/rollup", { folder });
      out.textContent = r.summary.join("\n") + "\n已写入：" + r.written;
      out.className = "pre";
      await loadState();
    } catch (e) {
      out.textContent = e.message;
      out.className = "pre error";
    }
  }

  async function start() {
    $("open-book").addEventListener("click", openBook);
    try {
      await loadState();
    } catch (e) {
      if (e.status !== 401) status(e.message, "error");
      document.body.dataset.ready = "1";
      return;
    }
    const m = /^#open=(.+)$/.exec(window.location.hash);
    if (m) {
      history.replaceState(null, "", "/ui/");
      await select(decodeURIComponent(m[1]));
    }
    document.body.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", start);
})();
