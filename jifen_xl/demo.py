"""`jifen demo`: realistic sample workbooks from a fixed seed, every computation run on them.

Each scheme's ``Scheme.demo`` (schemes/<name>/demo.py): fn(folder) -> list of (workbook
path, [(command, options), …]). The demo writes the workbooks, then runs the commands through
the same file door as `jifen` (runner.py), prints the schemes' demo PDFs (papers/,
``Scheme.print_jobs``) and says where the results are.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from .app import find_action, sorted_problems
from .book.reader import workbook_sheet_names
from .core.problems import ERROR
from .papers import demo_reports
from .runner import apply_action
from .schemes import SCHEMES
from .schemes.sample import GIVEN, SURNAMES, chinese_names  # noqa: F401

DemoBuilder = Callable[[Path], list[tuple[Path, list[tuple[str, dict]]]]]
DEMOS: list[DemoBuilder] = [s.demo for s in SCHEMES]


DEMO_PROBLEMS_SHOWN = 2      # per workbook; the rest are in its 校验 sheet
DEMO_SUMMARY_LINES = 4       # per command


def run_demo(folder: Path) -> int:
    """Build every demo workbook, run its commands and print a short account (about
    40 lines) — each command's summary, each workbook's problems once (capped), the
    printed PDFs — ending with where to look."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    worst = 0
    t0 = time.perf_counter()
    books = []
    for builder in DEMOS:
        for path, commands in builder(folder):
            books.append(path)
            print(f"{path.name}：")
            names = workbook_sheet_names(path)
            seen: dict[str, object] = {}
            for command, opts in commands:
                action = find_action(command, names)
                result, _ = apply_action(action, path, opts)
                worst = max(worst, result.exit_code)
                lines = [ln for ln in result.summary if not ln.startswith("另有 ")]
                if len(lines) > DEMO_SUMMARY_LINES:
                    lines = lines[:DEMO_SUMMARY_LINES - 1] + [f"……另有 {len(lines) - DEMO_SUMMARY_LINES + 1} 行"]
                first, *rest = lines or [""]
                print(f"  jifen {command}：{first}")
                for ln in rest:
                    print(f"    {ln.strip()}")
                for p in result.problems:
                    seen.setdefault(str(p), p)
            _print_problems(sorted_problems(list(seen.values())), ERROR)
    demo_reports(folder)          # demo/报表/*.pdf
    names = "、".join(b.name for b in books)
    print(f"完成（用时 {time.perf_counter() - t0:.0f} 秒）。请看 {folder.resolve()}：")
    print(f"  工作簿 {names}（输出表在各工作簿里，问题在“校验”表）；")
    print(f"  打印件在 {(folder / '报表').resolve()}。")
    return worst


def _print_problems(problems: list, error: str) -> None:
    """A workbook's problems once: how many of each level, the first few, then how many more."""
    if not problems:
        return
    counts: dict[str, int] = {}
    for p in problems:
        counts[p.level] = counts.get(p.level, 0) + 1
    print("  “校验”表：" + "，".join(f"{level} {n} 条" for level, n in counts.items()))
    for p in problems[:DEMO_PROBLEMS_SHOWN]:
        print(f"    {p}")
    if len(problems) > DEMO_PROBLEMS_SHOWN:
        print(f"    ……另有 {len(problems) - DEMO_PROBLEMS_SHOWN} 条")
