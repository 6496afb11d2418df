"""积分助手 speed as a clerk feels it, measured in the browser.

`jifen ui --no-browser` runs as its own process on the demo class (50 students, a semester of
logs, dorm inspections and exams); Debian's chromium (Playwright) logs in through the
one-time URL and:

* **page load** — reloads ``/ui/`` and reads the Navigation Timing entry (``loadEventEnd``)
  and the time until the workbook list is shown (``body[data-ready]``, the page's own fetch
  of ``/ui/api/state`` included);
* **press** — selects the workbook by its file name and presses buttons by caption; the page
  measures ``performance.now()`` around its ``fetch`` of ``/ui/api/run`` (read, compute,
  backup, atomic save on the file) and the render; the first press is the cold one, the
  rest are warm.

Targets: a warm press ≤ 0.5 s, the page loaded ≤ 1 s. Output: a Markdown table on stdout and
in bench/out/ui.md. Not run by the tests.
Usage: python bench/ui_bench.py [--repeat N] [--chromium /usr/bin/chromium]
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(folder: Path, config: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "XDG_CONFIG_HOME": str(config), "APPDATA": str(config), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "jifen_xl.cli", "ui", "--no-browser", "--folder", str(folder),
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            encoding="utf-8", env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if "/ui/login?code=" in line:
            return proc, line.strip()
        if not line:
            break
    proc.kill()
    raise SystemExit("jifen ui printed no login URL")


def stats(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return f"{statistics.median(values):.0f} | {p95:.0f} | {values[-1]:.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="warm presses per button and page loads")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from jifen_xl.schemes import SCHEMES

    rows = []
    with tempfile.TemporaryDirectory(prefix="jifen-ui-bench-") as tmp:
        folder = Path(tmp) / "班级"
        folder.mkdir()
        school = next(s for s in SCHEMES if s.name == "school")
        (book, _), = school.demo(folder)
        proc, url = start(folder, Path(tmp) / "config")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium, headless=True,
                                            args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page(viewport={"width": 1366, "height": 768})
                page.goto(url)
                page.wait_for_selector("body[data-ready]")
                loads, ready = [], []
                for _ in range(args.repeat):
                    page.reload()
                    page.wait_for_selector("body[data-ready]")
                    loads.append(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
                    ready.append(page.evaluate("performance.now()"))
                rows.append(("page load (loadEventEnd)", stats(loads)))
                rows.append(("page load to workbook list shown", stats(ready)))
                page.get_by_text(book.name, exact=True).first.click()
                page.wait_for_selector(f"#book-name:text-is('{book.name}')")
                for caption in ("本周汇总", "月报", "校验数据"):
                    times = []
                    for i in range(args.repeat + 1):
                        n = int(page.evaluate("document.body.dataset.presses || 0"))
                        page.get_by_role("button", name=caption, exact=True).click()
                        page.wait_for_selector(f"body[data-presses='{n + 1}']")
                        ms = page.evaluate("document.body.dataset.lastPressMs")
                        if not ms:
                            raise SystemExit(f"{caption}: {page.inner_text('#result')}")
                        if i == 0 and caption == "本周汇总":
                            rows.append(("press 本周汇总, first (cold)", f"{float(ms):.0f} | – | –"))
                        elif i > 0:
                            times.append(float(ms))
                    rows.append((f"press {caption}, warm (n={len(times)})", stats(times)))
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    table = ["| what (class of 50, ms in the browser) | median | p95 | max |", "|---|---|---|---|"]
    table += [f"| {what} | {numbers} |" for what, numbers in rows]
    text = "\n".join(table) + "\n"
    print(text)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "ui.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
