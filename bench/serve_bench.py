"""`make bench`: the speed a clerk feels when pressing a button.

On the demo class (49 students, a semester of logs, dorm inspections and exams):

* **cold** — ``jifen week FILE`` in a fresh process (imports + read + compute + write), as a
  button that starts the command line would cost;
* **warm** — the same week through a running ``jifen serve`` (POST /v1/run/week with the
  sheets as JSON), sequential requests: median and p95;
* **load** — 8 clients x 20 requests of that week at once (loopback): p50 / p95 and the
  service's peak memory;
* **click-to-written** — the 本周汇总 button in a headless LibreOffice with the extension
  installed in a temporary profile (read the sheets through UNO, post, write back with the
  render spec): the ``executeDispatch`` time per press.

Output: a Markdown table on stdout and in bench/out/serve.md. Not run by the tests.
Usage: python bench/serve_bench.py [--repeat N] [--no-office]
"""
from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import redirect_stdout
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from serve_helpers import Server, request_sheets  # noqa: E402

PY = sys.executable
CLASS = "班级积分-示例.xlsx"


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def cold(book: Path, work: Path, repeat: int) -> list[float]:
    times = []
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for i in range(repeat):
        copy = work / f"cold-{i}.xlsx"
        shutil.copy(book, copy)
        t0 = time.perf_counter()
        subprocess.run([PY, "-m", "jifen_xl.cli", "week", str(copy)], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return times


def warm(server: Server, body: dict, repeat: int) -> list[float]:
    import httpx

    times = []
    with httpx.Client(base_url=server.base, headers={"X-Jifen-Token": server.token}, timeout=300) as c:
        c.post("/v1/run/week", json=body).raise_for_status()          # first request: warm-up
        for _ in range(repeat):
            t0 = time.perf_counter()
            c.post("/v1/run/week", json=body).raise_for_status()
            times.append(time.perf_counter() - t0)
    return times


def load(server: Server, body: dict, clients: int = 8, requests: int = 20) -> tuple[list[float], int]:
    import httpx

    times, errors = [], []
    lock = threading.Lock()

    def client(n):
        with httpx.Client(base_url=server.base, headers={"X-Jifen-Token": server.token}, timeout=600) as c:
            for _ in range(requests):
                t0 = time.perf_counter()
                r = c.post("/v1/run/week", json={**body, "workbook": f"c{n}"})
                with lock:
                    times.append(time.perf_counter() - t0)
                    if r.status_code != 200:
                        errors.append(r.status_code)
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"load: {len(errors)} errors {errors[:5]}")
    return times, server.rss_kb("VmHWM")


def office(book: Path, work: Path, server: Server, repeat: int) -> list[float] | None:
    from jifen_xl import lo_extension
    from jifen_xl.book import libreoffice as lo

    python = lo_extension.uno_python() if lo.soffice() else None
    if python is None:
        return None
    profile, home = work / "profile", work / "home"
    home.mkdir(exist_ok=True)
    env = {**server.env, "HOME": str(home)}
    subprocess.run([PY, "-m", "jifen_xl.cli", "install-libreoffice", "--dir", str(profile), "--port",
                    str(server.port)], check=True, env=env, stdout=subprocess.DEVNULL)
    pressed = work / "pressed.xlsx"
    shutil.copy(book, pressed)
    job = work / "job.json"
    job.write_text(json.dumps({"profile": str(profile), "captions": {"week": "本周汇总"},
                               "jobs": [{"book": str(pressed),
                                         "presses": [["week", str(work / f"lo-{i}.xlsx")]
                                                     for i in range(repeat + 1)]}]},
                              ensure_ascii=False), encoding="utf-8")
    run = subprocess.run([python, str(REPO / "tests" / "lo_driver.py"), str(job)], check=True,
                         capture_output=True, text=True,
                         env={**env, "JIFEN_LO_QUIET": "1", "JIFEN_SOFFICE": lo.soffice()})
    presses = json.loads(run.stdout.strip().splitlines()[-1])["presses"]
    return [p["seconds"] for p in presses[1:]]                      # the first press warms LibreOffice


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--no-office", action="store_true")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jifen-serve-bench-") as tmp:
        work = Path(tmp)
        from jifen_xl.demo import run_demo
        with redirect_stdout(io.StringIO()):
            run_demo(work / "demo")
        book = work / "demo" / CLASS
        sheets = request_sheets(book)
        body = {"sheets": {k: v for k, v in sheets.items()
                           if k in ("设置", "名册", "规则", "日志", "宿舍检查", "宿舍评分", "考试")}}
        cold_t = cold(book, work, max(3, args.repeat // 3))
        server = Server(work / "config").wait()
        try:
            warm_t = warm(server, body, args.repeat * 2)
            load_t, peak_kb = load(server, body)
            lo_t = None if args.no_office else office(book, work, server, max(3, args.repeat // 2))
        finally:
            server.stop()
    rows = [
        ("cold `jifen week` (fresh process)", statistics.median(cold_t), pct(cold_t, 0.95), len(cold_t)),
        ("warm service, POST /v1/run/week", statistics.median(warm_t), pct(warm_t, 0.95), len(warm_t)),
        ("8 clients x 20 requests (each request)", statistics.median(load_t), pct(load_t, 0.95), len(load_t)),
    ]
    if lo_t:
        rows.append(("LibreOffice 本周汇总 click-to-written", statistics.median(lo_t), pct(lo_t, 0.95), len(lo_t)))
    lines = ["| class of 49, one week | median s | p95 s | n |", "|---|---|---|---|"]
    lines += [f"| {name} | {med:.3f} | {p95:.3f} | {n} |" for name, med, p95, n in rows]
    lines.append("")
    lines.append(f"warm / cold: {statistics.median(warm_t) / statistics.median(cold_t):.2f}; "
                 f"service peak RSS under load: {peak_kb / 1024:.0f} MB; cores: {os.cpu_count()}")
    text = "\n".join(lines)
    print(text)
    (OUT / "serve.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
