"""Issue #14, cases 5, 6 and 9: disk faults, backups, owners and long names.

A full disk is exit 2 "磁盘空间不足" with the workbook untouched and no partial file left;
every backup is a whole workbook; a run that would not change the workbook's bytes writes no
backup, and identical backups are never kept twice (so `week` then `check` ×6 keeps the
version from before `week`); stale temp files of killed runs go on the next run; owner,
group and mode are kept; `jifen备份` takes the workbook folder's permissions; over-long
names are exit 2 with a Chinese message.

The disk-full cases run on a small tmpfs (root can mount one; skipped with the reason where
it can't) and, everywhere, with OSError(ENOSPC) injected at the write."""
from __future__ import annotations

import errno
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
import python_calamine as pc

from contract import scenario_class, write_xlsx
from jifen_xl.book.ooxml import safesave
from jifen_xl.cli import main

WEEKS = ["2026-09-01", "2026-09-07", "2026-09-14", "2026-09-21", "2026-09-28"]


def backups(folder: Path) -> list[Path]:
    b = folder / safesave.BACKUP_DIR
    return sorted(p for p in b.iterdir() if not p.name.startswith(".")) if b.is_dir() else []


def leftovers(folder: Path) -> list[Path]:
    """Temp files of ours anywhere under ``folder``."""
    return [p for p in folder.rglob(".~jifen*") if not p.name.startswith(".~jifen-lock-")]


def opens(path: Path) -> bool:
    try:
        return "日志" in pc.CalamineWorkbook.from_path(str(path)).sheet_names
    except Exception:
        return False


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs, or a skip saying why there is none."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root (CI has it)")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def fill(folder: Path, leave: int = 0) -> Path:
    """Fill the filesystem of ``folder`` until at most ``leave`` bytes are free."""
    filler = folder / f"filler-{uuid.uuid4().hex}"
    with open(filler, "wb") as f:
        chunk = b"\0" * 4096
        while True:
            st = os.statvfs(folder)
            if st.f_bavail * st.f_frsize <= leave + 4096:
                break
            try:
                f.write(chunk)
                f.flush()
            except OSError:
                break
    return filler


def test_full_disk_keeps_every_backup_whole(small_disk, capsys):
    """5 good runs, 5 disk-full runs, 1 good run: every kept backup opens, nothing partial."""
    folder = small_disk / "班级"
    folder.mkdir()
    path = write_xlsx(folder / "班级.xlsx", scenario_class())
    for w in WEEKS:
        assert main(["week", str(path), "--week", w]) == 0
    good = path.read_bytes()
    for w in reversed(WEEKS):
        filler = fill(small_disk)
        code = main(["week", str(path), "--week", w])
        err = capsys.readouterr().err
        filler.unlink()
        assert code == 2 and "磁盘空间不足" in err, err
        assert path.read_bytes() == good
        assert not leftovers(small_disk)
    assert main(["week", str(path), "--week", WEEKS[0]]) == 0
    kept = backups(folder)
    assert kept and all(opens(b) for b in kept)
    assert not leftovers(small_disk)


def test_disk_full_while_writing_the_backup(small_disk, capsys):
    """Room for the new workbook but not for its backup: exit 2, no truncated backup."""
    folder = small_disk / "班级"
    folder.mkdir()
    path = write_xlsx(folder / "班级.xlsx", scenario_class())
    assert main(["week", str(path), "--week", WEEKS[0]]) == 0
    before = path.read_bytes()
    n = len(backups(folder))
    # enough for one more file of this size (the temp), not for two (temp + backup)
    filler = fill(small_disk, leave=len(before) + len(before) // 2)
    code = main(["week", str(path), "--week", WEEKS[1]])
    err = capsys.readouterr().err
    filler.unlink()
    assert code in (0, 2)
    if code == 2:
        assert "磁盘空间不足" in err and path.read_bytes() == before
    assert all(opens(b) for b in backups(folder))
    assert len(backups(folder)) in (n, n + 1)
    assert not leftovers(small_disk)


def _enospc_on(monkeypatch, where: str):
    """Make fsync fail with ENOSPC for files whose path contains ``where``."""
    real = os.fsync

    def fsync(fd):
        try:
            name = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            name = ""
        if where in name:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd)
    monkeypatch.setattr(os, "fsync", fsync)


@pytest.mark.parametrize("where", [".~jifen", safesave.BACKUP_DIR])
def test_enospc_is_exit_2_and_leaves_nothing(tmp_path, capsys, monkeypatch, where):
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to tell which file is being written")
    path = write_xlsx(tmp_path / "班级.xlsx", scenario_class())
    assert main(["week", str(path), "--week", WEEKS[0]]) == 0
    before, n = path.read_bytes(), len(backups(tmp_path))
    _enospc_on(monkeypatch, where)
    assert main(["week", str(path), "--week", WEEKS[1]]) == 2
    assert "磁盘空间不足" in capsys.readouterr().err
    assert path.read_bytes() == before
    assert len(backups(tmp_path)) == n and all(opens(b) for b in backups(tmp_path))
    assert not leftovers(tmp_path)


def test_week_then_checks_keep_the_version_before_week(tmp_path):
    path = write_xlsx(tmp_path / "班级.xlsx", scenario_class())
    original = path.read_bytes()
    assert main(["week", str(path), "--week", WEEKS[1]]) == 0
    after_week = path.read_bytes()
    for _ in range(6):
        assert main(["check", str(path)]) in (0, 1)
    kept = [b.read_bytes() for b in backups(tmp_path)]
    assert original in kept
    assert len(kept) == len(set(kept))                     # never the same bytes twice
    # a run that changes nothing writes no backup at all
    n = len(kept)
    snapshot = path.read_bytes()
    assert main(["check", str(path)]) in (0, 1)
    assert path.read_bytes() == snapshot and len(backups(tmp_path)) == n
    assert after_week in kept or path.read_bytes() == after_week or len(kept) >= 2


def test_identical_versions_are_not_backed_up_twice(tmp_path):
    path = write_xlsx(tmp_path / "班级.xlsx", scenario_class())
    for w in [WEEKS[0], WEEKS[1], WEEKS[0], WEEKS[1], WEEKS[0]]:
        assert main(["week", str(path), "--week", w]) == 0
    kept = [b.read_bytes() for b in backups(tmp_path)]
    assert len(kept) == len(set(kept)) == 3                # the original and the two weeks


def test_stale_temp_files_of_killed_runs_are_removed_on_the_next_run(tmp_path):
    path = write_xlsx(tmp_path / "班级.xlsx", scenario_class())
    # what a run killed mid-save leaves: a temp of this workbook (fresh), one in the backup
    # folder, and an hour-old one of some other workbook
    own = tmp_path / (safesave.temp_prefix(path) + "abcd1234.xlsx")
    own.write_bytes(b"PK partial")
    (tmp_path / safesave.BACKUP_DIR).mkdir()
    own_b = tmp_path / safesave.BACKUP_DIR / (safesave.temp_prefix(path) + "efgh5678.xlsx")
    own_b.write_bytes(b"PK partial")
    other = tmp_path / ".~jifen-zzzz9999.xlsx"
    other.write_bytes(b"PK partial")
    old = os.stat(other).st_mtime - 2 * safesave.STALE_TEMP_SECONDS
    os.utime(other, (old, old))
    fresh_other = tmp_path / (safesave.temp_prefix(tmp_path / "别的.xlsx") + "x.xlsx")
    fresh_other.write_bytes(b"PK in use")
    assert main(["week", str(path), "--week", WEEKS[0]]) == 0
    assert not own.exists() and not own_b.exists() and not other.exists()
    assert fresh_other.exists()          # another workbook's run may still be writing it


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_owner_group_and_mode_are_kept(tmp_path):
    path = write_xlsx(tmp_path / "班级.xlsx", scenario_class())
    os.chown(path, 1234, 2345)
    os.chmod(path, 0o640)
    assert main(["week", str(path), "--week", WEEKS[0]]) == 0
    st = os.stat(path)
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (1234, 2345, 0o640)
    b = backups(tmp_path)[0]
    bst = os.stat(b)
    assert (bst.st_uid, bst.st_gid, bst.st_mode & 0o7777) == (1234, 2345, 0o640)


def test_backup_folder_takes_the_workbook_folders_permissions(tmp_path):
    folder = tmp_path / "共享"
    folder.mkdir()
    os.chmod(folder, 0o2770)
    if os.geteuid() == 0:
        os.chown(folder, 0, 2345)
    path = write_xlsx(folder / "班级.xlsx", scenario_class())
    assert main(["week", str(path), "--week", WEEKS[0]]) == 0
    st = os.stat(folder / safesave.BACKUP_DIR)
    assert st.st_mode & 0o7777 == 0o2770
    assert st.st_gid == os.stat(folder).st_gid


def test_long_file_names(tmp_path, capsys):
    """A name of 250 bytes works (its backup name is shortened); one over the system's limit
    is exit 2 with a Chinese message, never an internal error."""
    stem = "班" * 81                                   # 243 bytes + ".xlsx" = 248
    path = write_xlsx(tmp_path / f"{stem}.xlsx", scenario_class())
    assert main(["week", str(path), "--week", WEEKS[0]]) == 0
    assert main(["week", str(path), "--week", WEEKS[1]]) == 0
    assert backups(tmp_path) and all(opens(b) for b in backups(tmp_path))
    too_long = tmp_path / ("班" * 90 + ".xlsx")
    assert main(["week", str(too_long)]) == 2
    assert "太长" in capsys.readouterr().err
    deep = tmp_path.joinpath(*(["很长的文件夹名" * 10] * 30)) / "班级.xlsx"
    assert main(["check", str(deep)]) == 2
    assert "太长" in capsys.readouterr().err
    assert main(["week", str(path), "--week", WEEKS[0], "--out", str(tmp_path / ("结果" * 60 + ".xlsx"))]) == 2
    assert "太长" in capsys.readouterr().err
