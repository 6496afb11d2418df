"""One writer at a time (issue #14): an exclusive lock on a workbook from read to write.

Two `jifen` runs on one workbook (a button pressed twice, the command line next to the
local service) would each read the old file and the second save would silently drop the
first one's output. Every run that writes a workbook holds ``workbook_lock(target)`` from
before it reads until its save is renamed into place.

The lock is ``filelock``'s (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows): the OS
releases it when the process dies, so a killed run never leaves the workbook locked. The
lock file is a hidden, empty ``.~jifen-lock-<hash of the name>`` next to the workbook, removed
when the run ends (a killed run leaves it behind, harmless and reused), so runs on other
machines sharing the folder see it too; where that folder cannot be written, it is in the
temp folder (then only runs on this machine are excluded).

The command line refuses at once (exit 2, ``BUSY_MESSAGE``); doors that answer a person who
just pressed a button (the Excel door, the local service) pass ``timeout=DOOR_WAIT`` to
wait briefly for the other run to finish instead.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ..core.problems import InputError

BUSY_MESSAGE = "另一个计算正在写这个工作簿，请稍后再试"
LOCK_PREFIX = ".~jifen-lock-"   # hidden; like our temp files, but never ending in .xlsx
DOOR_WAIT = 15.0          # seconds the Excel door and the local service wait for another run


class WorkbookLocked(InputError):
    """Another `jifen` run holds the workbook (exit code 2)."""

    def __init__(self, path: Path):
        super().__init__(f"{BUSY_MESSAGE}（{Path(path).name}）。")
        self.path = Path(path)


def lock_file(path: Path) -> Path:
    """Where the lock of workbook ``path`` lives (see the module docstring)."""
    path = Path(os.path.abspath(path))
    if os.access(path.parent, os.W_OK | os.X_OK):
        # short whatever the workbook's name, and never matching "*.xls*"
        return path.with_name(f"{LOCK_PREFIX}{hashlib.sha256(os.fsencode(path.name)).hexdigest()[:16]}")
    digest = hashlib.sha256(os.fsencode(path)).hexdigest()[:32]
    folder = Path(tempfile.gettempdir()) / "jifen-locks"
    folder.mkdir(exist_ok=True)
    return folder / f"{LOCK_PREFIX}{digest}"


@contextmanager
def workbook_lock(path: Path | str, timeout: float = 0.0) -> Iterator[Path]:
    """Hold the exclusive lock of the workbook ``path`` for the ``with`` block.

    ``timeout`` 0 (the command line) raises :class:`WorkbookLocked` at once when another run
    holds it; a positive ``timeout`` waits that many seconds first (the doors, ``DOOR_WAIT``)."""
    key = (str(lock_file(Path(path))), threading.get_ident())
    if key in _HELD:                 # this thread holds it already (the CLI, then the writer)
        _HELD[key] += 1
        try:
            yield Path(path)
        finally:
            _HELD[key] -= 1
        return
    lock = FileLock(key[0], timeout=timeout, is_singleton=False)
    try:
        lock.acquire(timeout=timeout, poll_interval=0.05)
    except Timeout:
        raise WorkbookLocked(Path(path)) from None
    _HELD[key] = 1
    try:
        yield Path(path)
    finally:
        del _HELD[key]
        # Remove the lock file while still holding it: a run waiting on this inode sees it
        # unlinked when it gets the lock and opens the new one (filelock checks st_nlink),
        # so no empty file stays next to the workbook. (Windows: filelock removes it itself.)
        try:
            os.unlink(key[0])
        except OSError:
            pass
        lock.release()


def held(path: Path | str) -> bool:
    """Does this thread hold the lock of ``path``?"""
    return (str(lock_file(Path(path))), threading.get_ident()) in _HELD


_HELD: dict[tuple[str, int], int] = {}
