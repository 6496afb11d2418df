"""`make bench` — `jifen print` typeset with Typst, on the demo workbooks.

Targets (2 cores): a 500-household 公示 ≤ 1 s, 50 parent slips ≤ 1 s, 30 passbooks ≤ 1 s.
Each paper is timed two ways, median of ``--repeat`` runs:

* **in-process**: ``papers.render`` (compute from the input sheets + typeset), the fonts
  already scanned — what the local service and the page pay per click;
* **command**: ``jifen print FILE NAME -o …`` in a fresh process (Python start, imports,
  font scan included) — what a clerk at the command line waits.

and set against ``jifen week`` on the class workbook in the same run (the ratio says how
print compares with an ordinary command on this machine, whatever its load).
``--demo BASELINE_JIFEN`` also times ``jifen demo`` with this checkout and with another
installation's ``jifen`` (e.g. a checkout from before Typst printing, which printed through
LibreOffice). Output: a Markdown table on stdout and in bench/out/print.md. Not run by the tests.

Usage: python bench/print_bench.py [--repeat N] [--demo /path/to/other/jifen]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
sys.path.insert(0, str(REPO))
JIFEN = str(Path(sys.executable).with_name("jifen"))


def clean_env() -> dict:
    """The environment for another program: no virtual environment's PATH or variables."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"      # leave the other installation untouched
    venv = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv)
    return env


def timed(cmd: list[str], repeat: int, env=None) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def in_process(path: Path, names: list[str], repeat: int) -> tuple[float, int]:
    from jifen_xl.papers import render

    render(path, names)                      # warm: fonts scanned, modules imported
    times, size = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        done = render(path, names)
        times.append(time.perf_counter() - t)
        size = len(done.pdf or b"")
        assert not done.refused, done.refused
    return statistics.median(times), size


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--demo", help="another installation's jifen to time `jifen demo` against")
    args = ap.parse_args()
    from jifen_xl.demo import run_demo

    OUT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="jifen-print-bench-"))
    with contextlib.redirect_stdout(io.StringIO()):
        t0 = time.perf_counter()
        run_demo(tmp / "demo")
        demo_ours_inproc = time.perf_counter() - t0
    school, village, ledger = (tmp / "demo" / f"{k}-示例.xlsx" for k in ("班级积分", "乡村积分", "积分台账"))
    from jifen_xl.papers.sources import Resolver, SheetBook
    book = SheetBook.open(ledger)
    paper = Resolver(book).paper("存折")
    book.close()
    from jifen_xl.papers.layouts import passbook_groups
    aids = [aid for sh in paper.sheets for aid, _c, _r in passbook_groups(sh)][:30]
    cases = [
        ("公示（498 户，季度）", village, ["公示-2026Q3"]),
        ("家长通知单（49 份）", school, ["家长通知单"]),
        (f"存折（{len(aids)} 个账户）", ledger, [f"存折-{a}" for a in aids]),
        ("积分卡（498 户）", village, ["积分卡"]),
    ]
    week = timed([JIFEN, "week", str(shutil.copy(school, tmp / "week.xlsx"))], args.repeat)
    rows = []
    for label, path, names in cases:
        inproc, size = in_process(path, names, args.repeat)
        cmd = timed([JIFEN, "print", str(path), *names, "-o", str(tmp / "x.pdf")], args.repeat)
        rows.append((label, inproc, cmd, cmd / week, size))
    lines = [f"# jifen print (Typst) — {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
             f"median of {args.repeat}", "",
             f"`jifen week` on the 49-pupil class workbook (same run): {week:.2f} s", "",
             "| paper | in-process | `jifen print` (new process) | ÷ `jifen week` | PDF |",
             "|---|---|---|---|---|"]
    for label, inproc, cmd, ratio, size in rows:
        lines.append(f"| {label} | {inproc:.2f} s | {cmd:.2f} s | {ratio:.2f} | {size // 1024} KB |")
    if args.demo:
        ours = timed([JIFEN, "demo", str(tmp / "d1")], 1)
        theirs = timed([args.demo, "demo", str(tmp / "d2")], 1, env=clean_env())
        lines += ["", f"`jifen demo`: this checkout {ours:.1f} s; `{args.demo}` {theirs:.1f} s "
                      f"({theirs / ours:.1f} × as long)"]
    else:
        lines += ["", f"`jifen demo` in-process (this checkout): {demo_ours_inproc:.1f} s"]
    report = "\n".join(lines) + "\n"
    print(report)
    (OUT / "print.md").write_text(report, encoding="utf-8")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
