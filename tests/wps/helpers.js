// Shared helpers of the WPS add-in's node tests: the Python side (jifen CLI, xlsx dumps) and a
// real `jifen serve` on loopback with a private token folder.
"use strict";
const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");

const REPO = path.resolve(__dirname, "..", "..");
const ADDIN = path.join(REPO, "jifen_xl", "wps_addin");

function python() {
  if (process.env.JIFEN_PYTHON) return process.env.JIFEN_PYTHON;
  const venv = path.join(REPO, ".venv", "bin", "python");
  return fs.existsSync(venv) ? venv : "python3";
}

function pyEnv(extra) {
  return { ...process.env, PYTHONPATH: process.env.PYTHONPATH || REPO, XLWINGS_LICENSE_KEY: "noncommercial", ...extra };
}

/** Run python with args; returns {status, stdout, stderr}. */
function py(args, opts = {}) {
  const r = spawnSync(python(), args, { cwd: REPO, env: pyEnv(opts.env), encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  if (r.error) throw r.error;
  return r;
}

function serviceAvailable() {
  const r = py(["-c", "import jifen_xl.serve"]);
  return r.status === 0;
}

function xlsxTool(verb, arg) {
  const r = py([path.join(__dirname, "xlsx_tool.py"), verb, arg]);
  if (r.status !== 0) throw new Error(`xlsx_tool ${verb} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

/** Start `jifen serve` on a free loopback port with a temporary config folder (token). */
async function startService() {
  const port = await freePort();
  const config = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-wps-cfg-"));
  const child = spawn(python(), ["-m", "jifen_xl.cli", "serve", "--port", String(port)], {
    cwd: REPO, env: pyEnv({ XDG_CONFIG_HOME: config, APPDATA: config }), stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout.on("data", (d) => { log += d; });
  child.stderr.on("data", (d) => { log += d; });
  const url = `http://127.0.0.1:${port}`;
  // bounded wait for start-up (imports take a few seconds on a busy machine)
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`jifen serve exited: ${log}`);
    try {
      const r = await fetch(`${url}/v1/health`);
      if (r.status === 200) break;
    } catch (e) { /* not yet listening */ }
    await new Promise((res) => setTimeout(res, 200));
  }
  const tokenFile = path.join(config, "jifen", "token");
  const token = fs.readFileSync(tokenFile, "utf8").trim();
  return {
    port, url, token, config, child,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((res) => child.once("exit", res));
      }
      fs.rmSync(config, { recursive: true, force: true });
    },
  };
}

module.exports = { REPO, ADDIN, python, py, pyEnv, serviceAvailable, xlsxTool, startService, freePort };
