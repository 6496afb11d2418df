"""`make bench`: whole-command wall time and peak memory at scale.

Generates (bench/gen.py) a school workbook of 20,000 and one of 200,000 `日志` rows (3,000
students) and a village of 2,000 households with 50,000 `评议记录` rows, then for each
command runs ``jifen <command> FILE`` in a fresh process on a fresh copy, three times, and
reports next to it, measured in the same run:

* the **floor**: a process that only does the unavoidable work — python-calamine reads the
  sheets the command reads (``to_python``) and the package writer copies the zip adding one
  sheet of the size of the command's main output;
* an **openpyxl round trip**: ``load_workbook`` + ``save`` of the same file.

Peak memory is the child's max RSS (``os.wait4``). Targets, on the 200,000-row
workbook: command ≤ 2.5 × floor, ≥ 10 × faster than openpyxl, peak ≤ 500 MB.
Output: a Markdown table on stdout and in bench/out/results.md. Not run by the tests.

Usage: python bench/run.py [--repeat N] [--reuse] [--quick]
  --reuse   keep workbooks already generated in bench/out
  --quick   20k school and the village only (no 200k workbook)
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import gen  # noqa: E402  (bench/gen.py)

PY = sys.executable
BIN = Path(PY).parent
JIFEN = [str(BIN / "jifen")] if (BIN / "jifen").exists() else [PY, "-m", "jifen_xl.cli"]
MB = 1024 * 1024
TARGET_FLOOR_RATIO = 2.5
TARGET_OPENPYXL_FACTOR = 10
TARGET_PEAK_MB = 500

FLOOR_CHILD = r"""
import sys
from pathlib import Path
from datetime import date
import python_calamine as pc
from jifen_xl.book.sheets import OutputSheet
from jifen_xl.book.ooxml import write_outputs
path, rows = Path(sys.argv[1]), int(sys.argv[2])
names = sys.argv[3:]
book = pc.CalamineWorkbook.from_path(str(path))
cells = [book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in names if n in book.sheet_names]
book.close()
out = [[date(2026, 9, 7), f"2026{i:04d}", f"学生{i}", 12, 3.5, 8.5, 96.5] for i in range(rows)]
write_outputs(path, [OutputSheet("基准", ["周开始", "学号", "姓名", "加分", "减分", "净分", "累计总分"], out,
                                 title="floor")], backup=False)
"""

OPENPYXL_CHILD = r"""
import sys
import openpyxl
src, dst = sys.argv[1], sys.argv[2]
wb = openpyxl.load_workbook(src, keep_vba=src.endswith(".xlsm"))
wb.save(dst)
"""


def run_child(cmd: list[str], cwd: Path) -> tuple[float, int, int, str]:
    """(wall seconds, peak RSS bytes, exit code, output tail) of one child process."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return wall, rss, proc.returncode, out.decode("utf-8", "replace")[-600:]


def measure(make_cmd, src: Path, work: Path, repeat: int) -> dict:
    """Median wall and max peak of ``repeat`` runs, each on a fresh copy of ``src``."""
    walls, peaks = [], []
    for i in range(repeat):
        copy = work / f"run{i}{src.suffix}"
        shutil.copyfile(src, copy)
        wall, rss, code, out = run_child(make_cmd(copy), work)
        if code != 0:
            raise SystemExit(f"failed ({code}): {' '.join(map(str, make_cmd(copy)))}\n{out}")
        walls.append(wall)
        peaks.append(rss)
        copy.unlink()
    shutil.rmtree(work / "jifen备份", ignore_errors=True)
    return {"wall": statistics.median(walls), "peak": max(peaks), "walls": walls}


def sheets_read(command: str, path: Path) -> list[str]:
    from jifen_xl.app import find_action
    from jifen_xl.book.reader import workbook_sheet_names

    action = find_action(command, workbook_sheet_names(path))
    if action is None:
        return []
    return list(action.sheets_to_read())


def fmt_s(x: float) -> str:
    return f"{x:.2f} s"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    work = OUT / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()

    books = [("school-20k.xlsx", "学校 20,000 行日志", lambda p: gen.school(p, 20_000), ["week", "month", "awards"], 3000)]
    if not args.quick:
        books.append(("school-200k.xlsx", "学校 200,000 行日志", lambda p: gen.school(p, 200_000),
                      ["week", "month", "awards"], 3000))
    books.append(("village-2000.xlsx", "乡村 2,000 户 / 50,000 条记录", lambda p: gen.village(p, 2000, 50_000),
                  ["quarter"], 2000))

    rows_md = []
    checks = []
    started = time.perf_counter()
    for fname, label, build, commands, out_rows in books:
        path = OUT / fname
        if not (args.reuse and path.exists()):
            t = time.perf_counter()
            build(path)
            print(f"generated {fname} ({path.stat().st_size / MB:.1f} MB) in {time.perf_counter() - t:.1f} s",
                  file=sys.stderr)
        available = [c for c in commands if sheets_read(c, path)]
        missing = [c for c in commands if c not in available]
        for c in missing:
            print(f"skipped `jifen {c}` on {fname}: the command is not available in this checkout",
                  file=sys.stderr)
            rows_md.append(f"| {label} | `{c}` | (not available) | | | | | | |")
        if not available:
            continue
        opx = measure(lambda p: [PY, "-c", OPENPYXL_CHILD, str(p), str(work / ("opx" + p.suffix))],
                      path, work, args.repeat)
        print(f"{fname}: openpyxl load+save {fmt_s(opx['wall'])}", file=sys.stderr)
        for c in available:
            names = sheets_read(c, path)
            floor = measure(lambda p: [PY, "-c", FLOOR_CHILD, str(p), str(out_rows), *names], path, work,
                            args.repeat)
            cmd = measure(lambda p: [*JIFEN, c, str(p)], path, work, args.repeat)
            ratio = cmd["wall"] / floor["wall"]
            faster = opx["wall"] / cmd["wall"]
            print(f"{fname}: jifen {c} {fmt_s(cmd['wall'])} (runs {', '.join(f'{w:.2f}' for w in cmd['walls'])}), "
                  f"floor {fmt_s(floor['wall'])}, peak {cmd['peak'] / MB:.0f} MB", file=sys.stderr)
            rows_md.append(
                f"| {label} | `{c}` | {fmt_s(cmd['wall'])} | {cmd['peak'] / MB:.0f} MB | {fmt_s(floor['wall'])} "
                f"({floor['peak'] / MB:.0f} MB) | {ratio:.2f} × | {fmt_s(opx['wall'])} ({opx['peak'] / MB:.0f} MB) "
                f"| {faster:.1f} × | {path.stat().st_size / MB:.1f} MB |")
            if fname == "school-200k.xlsx" or fname.startswith("village"):
                checks.append((f"{label} `{c}`", ratio, faster, cmd["peak"] / MB))

    shutil.rmtree(work, ignore_errors=True)
    lines = [
        "# jifen-xl whole-command benchmark",
        "",
        f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs; "
        f"median of {args.repeat} runs, each a fresh process on a fresh copy; peak = max RSS "
        f"(1 MB = 2^20 bytes). Total {time.perf_counter() - started:.0f} s.",
        "",
        "| workbook | command | wall | peak | floor (peak) | ÷ floor | openpyxl load+save (peak) | × faster | file |",
        "|---|---|---|---|---|---|---|---|---|",
        *rows_md,
        "",
        "floor = python-calamine `to_python` of the sheets the command reads + the package writer "
        "adding one sheet of the command's output size (a process of its own, like the command).",
        "",
        f"Targets (issue #7; 200,000-row workbook; the village shown for reference): "
        f"≤ {TARGET_FLOOR_RATIO} × floor, ≥ {TARGET_OPENPYXL_FACTOR} × faster than openpyxl, "
        f"peak ≤ {TARGET_PEAK_MB} MB.",
        "",
    ]
    ok_all = True
    for name, ratio, faster, peak in checks:
        ok = ratio <= TARGET_FLOOR_RATIO and faster >= TARGET_OPENPYXL_FACTOR and peak <= TARGET_PEAK_MB
        if "200,000" in name:
            ok_all &= ok
        lines.append(f"- {name}: {ratio:.2f} × floor, {faster:.1f} × faster than openpyxl, {peak:.0f} MB — "
                     f"{'met' if ok else 'NOT met'}")
    text = "\n".join(lines) + "\n"
    (OUT / "results.md").write_text(text, encoding="utf-8")
    print(text)
    if not ok_all:
        print("Some targets are not met (see above).", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
