"""The service's bounded work per request, measured on a live `jifen serve`.

* **within** — a 200,000-row 日志 (bench/gen.py school workbook, ~23 MB of JSON) posted to
  /v1/run/week: answer time and the service's peak memory (VmHWM);
* **over** — the same 日志 grown to about 60 MB of JSON (~540,000 rows, under the 64 MB
  body limit; the reported case): the time to the 413 and the service's peak memory.

Each case runs on a fresh service, so each peak is that request's. Linux only (/proc).
Usage: python bench/serve_limits_bench.py [--rows 200000]. Output: a Markdown table on
stdout and in bench/out/serve_limits.md. Not run by the tests.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

import gen  # noqa: E402
from serve_helpers import Server, request_sheets  # noqa: E402


def post(body: bytes, work: Path) -> tuple[int, float, int, int, str]:
    """(status, seconds, peak MB before, peak MB after, message) on a fresh service."""
    import httpx

    server = Server(work / f"cfg-{time.monotonic_ns()}").wait()
    try:
        headers = {"X-Jifen-Token": server.token, "Content-Type": "application/json"}
        httpx.get(server.base + "/v1/commands", headers=headers, timeout=60)       # warm
        before = server.rss_kb()
        t0 = time.perf_counter()
        resp = httpx.post(server.base + "/v1/run/week", content=body, headers=headers, timeout=1800)
        seconds = time.perf_counter() - t0
        after = server.rss_kb()
        message = resp.json().get("message", "") if resp.status_code != 200 else \
            f"exit_code {resp.json()['exit_code']}"
        return resp.status_code, seconds, before // 1024, after // 1024, message
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="jifen-limits-bench-") as tmp:
        work = Path(tmp)
        book = gen.school(work / "school.xlsx", args.rows)
        sheets = request_sheets(book)
        within = json.dumps({"sheets": sheets}, ensure_ascii=False).encode()
        head, rows = sheets["日志"][0], sheets["日志"][1:]
        n = int(len(rows) * 60e6 / len(within))
        sheets["日志"] = [head] + [rows[i % len(rows)] for i in range(n)]
        over = json.dumps({"sheets": sheets}, ensure_ascii=False).encode()
        lines = ["| request | body | status | seconds | service peak MB (idle → after) | answer |",
                 "|---|---|---|---|---|---|"]
        for label, body, count in (("within", within, len(rows)), ("over", over, n)):
            status, seconds, before, after, message = post(body, work)
            lines.append(f"| {label}: 日志 {count:,} rows | {len(body) / 1e6:.1f} MB | {status} | {seconds:.1f} | "
                         f"{before} → {after} | {message[:60]} |")
    text = "\n".join(lines)
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "serve_limits.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
