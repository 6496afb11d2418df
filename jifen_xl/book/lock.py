"""One writer at a time: an exclusive lock on a workbook from read to write.

Two `jifen` runs on one workbook (a button pressed twice, the command line next to the
local service) would each read the old file and the second save would silently drop the
first one's output. Every run that writes a workbook holds ``workbook_lock(target)`` from
before it reads until its save is renamed into place.

The lock is ``filelock``'s (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows): the OS
releases it when the process dies, so a killed run never leaves the workbook locked. The
lock file is a hidden, empty ``.~jifen-lock-<hash of the name>`` next to the workbook, removed
when the run ends (a killed run leaves it behind, harmless and reused), so runs on other
machines sharing the folder see it too. Where that folder cannot be written, or the lock
file there cannot be opened (a symlink planted under its name: filelock opens with
``O_NOFOLLOW``), it is in a folder of this user's own (never a shared temp folder
under a predictable name): ``$XDG_RUNTIME_DIR/jifen-locks``, else
``~/.cache/jifen/locks`` (``%LOCALAPPDATA%\\jifen\\locks``), created private (0700) and used
only when it is a real folder owned by this user; then only runs on this machine are excluded.

The command line refuses at once (exit 2, ``BUSY_MESSAGE``); doors that answer a person who
just pressed a button (the Excel door, the local service) pass ``timeout=DOOR_WAIT`` to
wait briefly for the other run to finish instead.
"""
from __future__ import annotations

import errno
import hashlib
import os
import stat
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ..core.problems import InputError
from ..core.oserror import os_reason

BUSY_MESSAGE = "另一个计算正在写这个工作簿，请稍后再试"
LOCK_PREFIX = ".~jifen-lock-"   # hidden; like our temp files, but never ending in .xlsx
DOOR_WAIT = 15.0          # seconds the Excel door and the local service wait for another run


class WorkbookLocked(InputError):
    """Another `jifen` run holds the workbook (exit code 2)."""

    def __init__(self, path: Path):
        super().__init__(f"{BUSY_MESSAGE}（{Path(path).name}）。")
        self.path = Path(path)


MSG_NO_LOCK_FOLDER = ("无法创建锁文件：工作簿所在的文件夹不能写，本用户的文件夹“{folder}”也不能用（{why}）。"
                      "请把工作簿复制到可写的文件夹（例如“文档”）后再运行。")


def lock_file(path: Path) -> Path:
    """Where the lock of workbook ``path`` lives (see the module docstring)."""
    path = Path(os.path.abspath(path))
    if os.access(path.parent, os.W_OK | os.X_OK):
        # short whatever the workbook's name, and never matching "*.xls*"
        return path.with_name(f"{LOCK_PREFIX}{hashlib.sha256(os.fsencode(path.name)).hexdigest()[:16]}")
    return private_lock_file(path)


def private_lock_file(path: Path) -> Path:
    """The lock of ``path`` in this user's own lock folder (the module docstring)."""
    digest = hashlib.sha256(os.fsencode(os.path.abspath(path))).hexdigest()[:32]
    return user_lock_folder() / f"{LOCK_PREFIX}{digest}"


def user_lock_folder() -> Path:
    """This user's private lock folder, created 0700; ``InputError`` (exit 2) when it exists
    but is not a real folder of this user's (a link, another user's) or cannot be made."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "jifen"
    elif os.environ.get("XDG_RUNTIME_DIR") and os.path.isabs(os.environ["XDG_RUNTIME_DIR"]):
        base = Path(os.environ["XDG_RUNTIME_DIR"])
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "jifen"
    folder = base / ("locks" if base.name == "jifen" else "jifen-locks")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(folder)
    except OSError as e:
        raise InputError(MSG_NO_LOCK_FOLDER.format(folder=folder, why=os_reason(e))) from None
    if not stat.S_ISDIR(st.st_mode):
        raise InputError(MSG_NO_LOCK_FOLDER.format(folder=folder, why="它不是文件夹，而是链接或文件"))
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        raise InputError(MSG_NO_LOCK_FOLDER.format(folder=folder, why="它属于另一个用户"))
    return folder


def _acquire(path: Path, timeout: float) -> tuple[FileLock, str]:
    """The acquired lock of ``path`` and its file: beside the workbook, or this user's own
    folder when the file beside it cannot be opened (a planted link: ELOOP; no permission)."""
    where = str(lock_file(path))
    for attempt in (0, 1):
        lock = FileLock(where, timeout=timeout, is_singleton=False)
        try:
            lock.acquire(timeout=timeout, poll_interval=0.05)
            return lock, where
        except Timeout:
            raise WorkbookLocked(path) from None
        except OSError as e:
            private = str(private_lock_file(path))
            if attempt or where == private:
                raise InputError(MSG_NO_LOCK_FOLDER.format(
                    folder=Path(private).parent, why=os_reason(e))) from None
            if e.errno not in (errno.ELOOP, errno.EACCES, errno.EPERM, errno.EROFS, errno.EISDIR,
                               errno.ENXIO, errno.EINVAL):
                raise
            where = private
    raise AssertionError("unreachable")


@contextmanager
def workbook_lock(path: Path | str, timeout: float = 0.0) -> Iterator[Path]:
    """Hold the exclusive lock of the workbook ``path`` for the ``with`` block.

    ``timeout`` 0 (the command line) raises :class:`WorkbookLocked` at once when another run
    holds it; a positive ``timeout`` waits that many seconds first (the doors, ``DOOR_WAIT``)."""
    key = (os.path.abspath(path), threading.get_ident())
    if key in _HELD:                 # this thread holds it already (the CLI, then the writer)
        _HELD[key] += 1
        try:
            yield Path(path)
        finally:
            _HELD[key] -= 1
        return
    lock, where = _acquire(Path(path), timeout)
    _HELD[key] = 1
    try:
        yield Path(path)
    finally:
        del _HELD[key]
        # Remove the lock file while still holding it: a run waiting on this inode sees it
        # unlinked when it gets the lock and opens the new one (filelock checks st_nlink),
        # so no empty file stays next to the workbook. (Windows: filelock removes it itself.)
        try:
            os.unlink(where)
        except OSError:
            pass
        lock.release()


def held(path: Path | str) -> bool:
    """Does this thread hold the lock of ``path``?"""
    return (os.path.abspath(path), threading.get_ident()) in _HELD


_HELD: dict[tuple[str, int], int] = {}
