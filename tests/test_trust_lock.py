"""Issue #14, case 4: one writer at a time. `jifen week` and `jifen month` started together on
one workbook: no lost result, no crash — either both outputs are there, or the second run
exits 2 with "另一个计算正在写这个工作簿，请稍后再试" and the workbook holds the first's output."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import python_calamine as pc

from contract import scenario_class, write_xlsx
from jifen_xl.book.lock import (BUSY_MESSAGE, DOOR_WAIT, WorkbookLocked, lock_file, user_lock_folder,
                                workbook_lock)
from jifen_xl.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAIRS = 6


def sheet_names(path: Path) -> list[str]:
    return pc.CalamineWorkbook.from_path(str(path)).sheet_names


def test_a_second_run_is_refused_while_the_workbook_is_locked(tmp_path, capsys):
    path = write_xlsx(tmp_path / "班级.xlsx", scenario_class())
    before = path.read_bytes()
    held, done = threading.Event(), threading.Event()

    def other_run():                       # another run (another thread) holds the workbook
        with workbook_lock(path):
            held.set()
            done.wait(60)
    t = threading.Thread(target=other_run)
    t.start()
    held.wait()
    try:
        assert main(["week", str(path), "--week", "2026-09-09"]) == 2
    finally:
        done.set()
        t.join()
    assert BUSY_MESSAGE in capsys.readouterr().err
    assert path.read_bytes() == before
    assert main(["week", str(path), "--week", "2026-09-09"]) == 0      # released: runs again


def test_doors_wait_briefly_instead_of_failing(tmp_path):
    path = write_xlsx(tmp_path / "班级.xlsx", scenario_class())
    held = threading.Event()

    def hold():
        with workbook_lock(path):
            held.set()
            time.sleep(0.5)
    t = threading.Thread(target=hold)
    t.start()
    held.wait()
    with pytest.raises(WorkbookLocked):
        with workbook_lock(path, timeout=0):
            pass
    with workbook_lock(path, timeout=DOOR_WAIT):       # waits for the holder, then gets it
        assert not t.is_alive()
    t.join()


def test_lock_file_is_hidden_beside_the_workbook_or_in_the_users_folder(tmp_path):
    path = tmp_path / "班级.xlsx"
    lf = lock_file(path)
    assert lf.parent == tmp_path and lf.name.startswith(".~jifen-lock-") and ".xls" not in lf.name
    assert lock_file(tmp_path / ("长" * 120 + ".xlsx")).name.__len__() < 64
    ro = tmp_path / "只读"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        if os.geteuid() != 0:      # root may write anywhere: only a real user sees the fallback
            assert lock_file(ro / "a.xlsx").parent == user_lock_folder()     # this user's own
    finally:
        ro.chmod(0o755)


def _start(cmd: str, path: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "jifen_xl.cli", cmd, str(path)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_concurrent_week_and_month_lose_nothing(tmp_path):
    outputs = {"week": {"周汇总", "上自习名单"}, "month": {"月报", "家长约谈"}}
    refused = 0
    for i in range(PAIRS):
        path = write_xlsx(tmp_path / f"班级{i}.xlsx", scenario_class())
        procs = {cmd: _start(cmd, path) for cmd in (("week", "month") if i % 2 == 0 else ("month", "week"))}
        done = {cmd: (p.wait(timeout=300), *p.communicate()) for cmd, p in procs.items()}
        codes = {cmd: d[0] for cmd, d in done.items()}
        assert all(c in (0, 2) for c in codes.values()), done          # never a crash (exit 3)
        assert list(codes.values()).count(0) >= 1, done
        names = set(sheet_names(path))
        for cmd, (code, out, err) in done.items():
            if code == 0:
                assert outputs[cmd] <= names, (cmd, names)              # nobody's result lost
            else:
                refused += 1
                assert BUSY_MESSAGE in err, err
                assert not outputs[cmd] & names
    assert refused <= PAIRS


def test_the_lock_is_reentrant_in_one_thread(tmp_path):
    from jifen_xl.book.lock import held

    path = tmp_path / "班级.xlsx"
    with workbook_lock(path):
        with workbook_lock(path):           # the writer inside the command's lock
            assert held(path)
        assert held(path)
    assert not held(path)


def test_apply_action_waits_for_the_lock_when_asked(tmp_path):
    """What a door does: wait up to DOOR_WAIT for another run instead of failing."""
    from jifen_xl.app import find_action
    from jifen_xl.runner import apply_action

    path = write_xlsx(tmp_path / "班级.xlsx", scenario_class())
    held = threading.Event()

    def hold():
        with workbook_lock(path):
            held.set()
            time.sleep(0.5)
    t = threading.Thread(target=hold)
    t.start()
    held.wait()
    action = find_action("week", sheet_names(path))
    result, target = apply_action(action, path, {}, lock_timeout=DOOR_WAIT)
    t.join()
    assert result.exit_code == 0 and "周汇总" in sheet_names(target)
