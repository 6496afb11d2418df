"""Safe save of a workbook file: busy and write checks, backups, atomic replacement.

Nothing here knows about OOXML: :func:`replace_atomically` takes a function that writes
the new bytes to an open file. The new file is written to ``.~jifen-XXXX<suffix>`` in the
target's folder (same filesystem, so ``os.replace`` is atomic), flushed and fsynced,
given the mode of the file it replaces (or ``0o666 & ~umask`` for a new file), and only
then moved over the target; the folder is fsynced afterwards where the OS allows. Before
an existing target is replaced it is copied to ``jifen备份/<stem>-YYYYmmdd-HHMMSS<suffix>``
next to it and only the newest ``keep_backups`` such copies are kept. A process killed at
any moment leaves either the old or the new complete file, never a mix; an interrupted
run can only leave a hidden ``.~jifen-*`` temp file, removed by a later run once an hour old.
"""
from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Callable

BACKUP_DIR = "jifen备份"
TEMP_PREFIX = ".~jifen-"
STALE_TEMP_SECONDS = 3600


class WorkbookBusy(Exception):
    """The workbook is open in Excel, WPS or LibreOffice (an owner/lock file exists)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class WorkbookNotWritable(Exception):
    """The workbook file or its folder cannot be written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _owner_files(path: Path) -> list[Path]:
    n = path.name
    cands = [path.with_name("~$" + n)]
    if len(n) > 2:
        cands += [path.with_name("~$" + n[1:]), path.with_name("~$" + n[2:])]
    return cands


def check_busy(path: Path) -> None:
    """WorkbookBusy when an Excel/WPS owner file ``~$name`` (also with the first one or two
    characters of the name dropped, as Excel does for long names) or a LibreOffice lock
    ``.~lock.name#`` sits next to ``path``."""
    if not path.exists():
        return
    for owner in _owner_files(path):
        if owner.exists() and owner != path:
            raise WorkbookBusy(f"工作簿正在 Excel 或 WPS 中打开（发现 {owner.name}），请先关闭再运行。"
                               f"如果确定没有打开，可删除该文件后重试。")
    lock = path.with_name(f".~lock.{path.name}#")
    if lock.exists():
        raise WorkbookBusy(f"工作簿正在 LibreOffice 中打开（发现 {lock.name}），请先关闭再运行。"
                           f"如果确定没有打开，可删除该文件后重试。")


def check_writable(target: Path) -> None:
    """WorkbookNotWritable when ``target`` or its folder cannot be written (a file without
    write bits counts as read-only even for root)."""
    folder = target.parent
    if not folder.is_dir():
        raise WorkbookNotWritable(f"文件夹“{folder}”不存在，无法保存。")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WorkbookNotWritable(f"没有权限在文件夹“{folder}”中保存文件。"
                                  f"请把工作簿复制到可写的文件夹（例如“文档”）后再运行。")
    if target.exists():
        st = target.stat()
        # A file without any write bit is read-only on purpose (Windows read-only
        # attribute, chmod a-w), even for root, for whom os.access always says yes.
        if not os.access(target, os.W_OK) or not st.st_mode & 0o222:
            raise WorkbookNotWritable(f"“{target.name}”是只读文件，无法写入结果。"
                                      f"请取消只读属性，或用 --out 另存一份。")


def _current_umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


def target_mode(target: Path) -> int:
    """The permission bits the new file gets: those of the file it replaces, else the umask's."""
    if target.exists():
        return stat.S_IMODE(target.stat().st_mode)
    return 0o666 & ~_current_umask()


def _fsync_dir(folder: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_BACKUP_RE_CACHE: dict[tuple[str, str], re.Pattern] = {}


def _backup_pattern(stem: str, suffix: str) -> re.Pattern:
    key = (stem, suffix)
    if key not in _BACKUP_RE_CACHE:
        _BACKUP_RE_CACHE[key] = re.compile(
            re.escape(stem) + r"-(\d{8}-\d{6})(?:-(\d+))?" + re.escape(suffix) + r"\Z", re.I)
    return _BACKUP_RE_CACHE[key]


def backup(target: Path, keep: int) -> Path:
    """Copy ``target`` into ``jifen备份/`` next to it; keep the newest ``keep`` copies."""
    folder = target.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    pat = _backup_pattern(target.stem, target.suffix)

    def existing() -> list[tuple[tuple[str, int], Path]]:
        found = []
        for f in folder.iterdir():
            m = pat.match(f.name)
            if m and f.is_file():
                found.append(((m.group(1), int(m.group(2) or 1)), f))
        return found
    # Within one second the counter keeps growing (-2, -3, ...) even after pruning,
    # so names sort in the order the backups were made.
    n = max([k[1] for k, _ in existing() if k[0] == stamp] + [0]) + 1
    dest = folder / (f"{target.stem}-{stamp}{target.suffix}" if n == 1
                     else f"{target.stem}-{stamp}-{n}{target.suffix}")
    while dest.exists():     # a file we do not recognise as a backup (case, type)
        n += 1
        dest = folder / f"{target.stem}-{stamp}-{n}{target.suffix}"
    shutil.copy2(target, dest)
    found = existing()
    found.sort()
    for _, f in found[:max(0, len(found) - keep)]:
        try:
            f.unlink()
        except OSError:
            pass
    return dest


def remove_stale_temps(folder: Path, suffix: str) -> None:
    """Remove our hidden temp files older than an hour (left by killed runs)."""
    now = datetime.now().timestamp()
    try:
        for f in folder.glob(TEMP_PREFIX + "*" + suffix):
            try:
                if now - f.stat().st_mtime > STALE_TEMP_SECONDS:
                    f.unlink()
            except OSError:
                pass
    except OSError:
        pass


def replace_atomically(target: Path, write: Callable[[BinaryIO], None], mode: int,
                       keep_backup: bool = True, keep_backups: int = 5) -> None:
    """Write a new ``target`` through ``write(fp)`` into a temp file, then move it over.

    The temp file is removed on any failure (including KeyboardInterrupt), leaving the
    target as it was; after the move the folder is fsynced where the OS allows.
    """
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX, suffix=target.suffix)
    except OSError as e:
        raise WorkbookNotWritable(f"没有权限在文件夹“{target.parent}”中保存文件（{e.strerror}）。") from e
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w+b") as fp:
            write(fp)
            fp.flush()
            os.fsync(fp.fileno())
        os.chmod(tmp, mode)
        if keep_backup and keep_backups > 0 and target.exists():
            try:
                backup(target, keep_backups)
            except OSError as e:
                raise WorkbookNotWritable(
                    f"无法在“{BACKUP_DIR}”文件夹中保存备份（{e.strerror}），没有写入工作簿。") from e
        try:
            os.replace(tmp, target)
        except PermissionError as e:
            raise WorkbookNotWritable(f"无法替换“{target.name}”（{e.strerror}）：文件可能被其他程序占用。") from e
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    _fsync_dir(target.parent)
