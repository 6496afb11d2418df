"""Run one action on a workbook file: the file door shared by `jifen <command>` (cli.py) and
`jifen demo` (demo.py). Reads the action's sheets with calamine, computes, writes the outputs
with the package writer (atomic, with a backup) and prints the summary and problems."""
from __future__ import annotations

import os
from pathlib import Path

from .core.problems import InputError
from .schemes.base import Action, sorted_problems

MAX_PRINTED = 40


def apply_action(action: Action, path: Path, opts: dict, out: Path | None = None, lock_timeout: float = 0.0):
    """Read, compute, write: (Result, the workbook written). Prints nothing.

    The workbook is locked from read to write: with another run writing it,
    ``WorkbookLocked`` (exit 2) at once, or after ``lock_timeout`` seconds (doors that answer
    a button press pass ``book.lock.DOOR_WAIT``)."""
    from .book.lock import workbook_lock
    from .book.reader import WorkbookReader
    from .book.ooxml import write_outputs

    with workbook_lock(out if out is not None else path, timeout=lock_timeout):
        before = _stamp(path)
        with WorkbookReader(path) as reader:
            sheets = reader.sheets(action.sheets_to_read())
        result = action.compute(sheets, opts)
        if _stamp(path) != before:
            raise InputError(f"“{path.name}”在计算期间被其他程序修改或替换了，结果没有写入；请关闭其他程序后重新运行。")
        target = write_outputs(path, result.outputs, out=out)
    return result, target


def _stamp(path: Path) -> tuple:
    st = os.stat(path)
    return st.st_ino, st.st_size, st.st_mtime_ns


def run_action(action: Action, path: Path, opts: dict, out: Path | None = None) -> int:
    result, target = apply_action(action, path, opts, out)
    for line in result.summary:
        print(line)
    print_problems(result.problems)
    names = "、".join(o.name for o in result.outputs)
    print(f"已写入 {target}：{names}")
    return result.exit_code


def print_problems(problems) -> None:
    shown = sorted_problems(problems)
    for p in shown[:MAX_PRINTED]:
        print(str(p))
    if len(shown) > MAX_PRINTED:
        print(f"……另有 {len(shown) - MAX_PRINTED} 条，见“校验”工作表。")
