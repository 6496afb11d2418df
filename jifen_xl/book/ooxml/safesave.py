"""Safe save of a workbook file: busy and write checks, backups, atomic replacement.

Nothing here knows about OOXML: :func:`replace_atomically` takes a function that writes
the new bytes to an open file. The new file is written to a hidden temp file
``.~jifen-<name hash>-XXXX<suffix>`` in the target's folder (same filesystem, so
``os.replace`` is atomic), flushed and fsynced, given the mode, owner and group of the file
it replaces (or ``0o666 & ~umask`` for a new file), and only then moved over the target;
the folder is fsynced afterwards where the OS allows. A process killed at any moment leaves
either the old or the new complete file, never a mix.

Trust under real use:

* **No change, no write.** When the new bytes equal the target's, nothing is replaced and no
  backup is made.
* **Backups** go to ``jifen备份/<stem>-YYYYmmdd-HHMMSS<suffix>`` next to the target (a stem
  too long for that name is cut and gets ``~<hash of the full name>``, so two long names
  sharing their beginning never share, nor prune, each other's backups), each
  written to a temp file in that folder and renamed (never a truncated backup), removed on
  failure, with the workbook's owner, group, mode and time. A version already kept is not
  copied again: that backup is renamed to the new time instead, so identical backups are
  never kept twice and the newest ``keep_backups`` distinct versions survive. The folder is
  created with the workbook folder's permissions and group.
* **A full disk** (ENOSPC, EDQUOT) is :class:`DiskFull` — exit 2, "磁盘空间不足" — with the
  workbook untouched and no partial file left.
* **Stale temp files**: the caller holds the workbook's lock (``book/lock.py``), so any temp
  file carrying this workbook's name hash is a leftover of a killed run and is removed at
  once; other ``.~jifen-*`` files once an hour old.
"""
from __future__ import annotations

import errno
import filecmp
import hashlib
import os
import re
import shutil
import stat
import tempfile
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Callable
from ...core.oserror import os_reason

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


class DiskFull(WorkbookNotWritable):
    """No space left on the device (or quota exceeded): nothing was changed."""


NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
NAME_MAX = 255            # bytes in one file name (ext4, NTFS in UTF-16 units, APFS)


def _discard(path: Path) -> None:
    """Remove a file of ours if it is still there; a failure leaves it for the next run's clean-up."""
    try:
        path.unlink()
    except OSError:
        pass


def disk_error(e: OSError, target: Path, what: str) -> WorkbookNotWritable:
    """The user's message for an OSError met while saving ``target`` (``what``: the step)."""
    if e.errno in NO_SPACE:
        return DiskFull(f"磁盘空间不足，无法{what}；“{target.name}”没有改动。请清理磁盘空间后再试。")
    if e.errno == errno.ENAMETOOLONG:
        return WorkbookNotWritable(f"文件名或路径太长，无法{what}；“{target.name}”没有改动。"
                                   f"请把工作簿改个短一些的名字，或放到层级较浅的文件夹后再试。")
    return WorkbookNotWritable(f"无法{what}（{os_reason(e)}）；“{target.name}”没有改动。")


def temp_prefix(target: Path) -> str:
    """Temp files for ``target`` start with this: short whatever the name's length, and
    distinct per workbook, so a run holding the lock knows which leftovers are its own."""
    digest = hashlib.sha256(os.fsencode(Path(target).name)).hexdigest()[:10]
    return f"{TEMP_PREFIX}{digest}-"


def keep_owner(path: Path, mode: int, like: os.stat_result | None) -> None:
    """Give ``path`` the permission bits ``mode`` and, as far as this user may, the owner and
    group of ``like`` (the file it replaces), so another user's run leaves the owner access."""
    os.chmod(path, mode)
    if like is None or not hasattr(os, "chown"):
        return
    st = path.stat()
    if (st.st_uid, st.st_gid) == (like.st_uid, like.st_gid):
        return
    try:
        os.chown(path, like.st_uid, like.st_gid)
    except OSError:
        try:
            os.chown(path, -1, like.st_gid)       # a member of the group may still set it
        except OSError:
            pass
    os.chmod(path, mode)                          # chown may clear setgid bits


def _owner_files(path: Path) -> list[Path]:
    n = path.name
    cands = [path.with_name("~$" + n)]
    if len(n) > 2:
        cands += [path.with_name("~$" + n[1:]), path.with_name("~$" + n[2:])]
    return cands


def _exists(p: Path) -> bool:
    """``p.exists()``, False for a name too long to exist (a lock name of a long workbook name)."""
    try:
        return p.exists()
    except OSError:
        return False


def check_busy(path: Path) -> None:
    """WorkbookBusy when an Excel/WPS owner file ``~$name`` (also with the first one or two
    characters of the name dropped, as Excel does for long names) or a LibreOffice lock
    ``.~lock.name#`` sits next to ``path``."""
    if not path.exists():
        return
    for owner in _owner_files(path):
        if _exists(owner) and owner != path:
            raise WorkbookBusy(f"工作簿正在 Excel 或 WPS 中打开（发现 {owner.name}），请先关闭再运行。"
                               f"如果确定没有打开，可删除该文件后重试。")
    lock = path.with_name(f".~lock.{path.name}#")
    if _exists(lock):
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
_STAMP = "-YYYYmmdd-HHMMSS-999"
_HASH_TAIL = "~0123456789"          # "~" and 10 hex digits of the full name's hash


def _backup_pattern(stem: str, suffix: str) -> re.Pattern:
    """Backups of one workbook: its exact stem (case matters: ``A.xlsx`` and ``a.xlsx`` are two
    workbooks where the file system tells them apart), any case of the suffix."""
    key = (stem, suffix)
    if key not in _BACKUP_RE_CACHE:
        _BACKUP_RE_CACHE[key] = re.compile(
            re.escape(stem) + r"-(\d{8}-\d{6})(?:-(\d+))?(?i:" + re.escape(suffix) + r")\Z")
    return _BACKUP_RE_CACHE[key]


def backup_stem(target: Path) -> str:
    """The target's stem, or when a backup name would not fit NAME_MAX, the stem cut (whole
    characters) plus ``~`` and a hash of the full name: unique per workbook."""
    stem, room = target.stem, NAME_MAX - len(os.fsencode(_STAMP + target.suffix))
    if len(os.fsencode(stem)) <= room:
        return stem
    room -= len(_HASH_TAIL)
    while len(os.fsencode(stem)) > room:
        stem = stem[:-1]
    return f"{stem}~{hashlib.sha256(os.fsencode(target.name)).hexdigest()[:len(_HASH_TAIL) - 1]}"


def backup_folder(target: Path) -> Path:
    """``jifen备份`` next to ``target``; a new one gets the permission bits and group of the
    workbook's folder (a group-shared folder stays shared)."""
    folder = target.parent / BACKUP_DIR
    if folder.is_dir():
        return folder
    folder.mkdir(exist_ok=True)
    parent = target.parent.stat()
    try:
        if hasattr(os, "chown") and folder.stat().st_gid != parent.st_gid:
            os.chown(folder, -1, parent.st_gid)
        os.chmod(folder, stat.S_IMODE(parent.st_mode))
    except OSError:
        pass
    return folder


def _copy_file(src: Path, dst_fd: int, dst: Path) -> None:
    """Bytes, mode and times of ``src`` into the temp file ``dst`` (open as ``dst_fd``), fsynced."""
    os.close(dst_fd)
    shutil.copy2(src, dst)
    with open(dst, "rb+") as f:
        os.fsync(f.fileno())


def backup(target: Path, keep: int) -> Path:
    """Keep the current ``target`` in ``jifen备份/`` (module docstring); the newest ``keep``
    distinct versions stay. Raises OSError (the caller says what it means)."""
    folder = backup_folder(target)
    stem = backup_stem(target)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    pat = _backup_pattern(stem, target.suffix)

    def existing() -> list[tuple[tuple[str, int], Path]]:
        found = []
        for f in folder.iterdir():
            m = pat.match(f.name)
            if m and f.is_file():
                found.append(((m.group(1), int(m.group(2) or 1)), f))
        return found
    # Within one second the counter keeps growing (-2, -3, ...) even after pruning,
    # so names sort in the order the backups were made.
    found = existing()
    n = max([k[1] for k, _ in found if k[0] == stamp] + [0]) + 1
    dest = folder / (f"{stem}-{stamp}{target.suffix}" if n == 1 else f"{stem}-{stamp}-{n}{target.suffix}")
    while dest.exists():     # a file we do not recognise as a backup (case, type)
        n += 1
        dest = folder / f"{stem}-{stamp}-{n}{target.suffix}"
    st = target.stat()
    same = next((f for _, f in sorted(found, reverse=True)
                 if f.stat().st_size == st.st_size and filecmp.cmp(f, target, shallow=False)), None)
    if same is not None:
        os.rename(same, dest)           # this version is kept already: it becomes the newest
    else:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=temp_prefix(target), suffix=target.suffix)
        tmp = Path(tmp_name)
        try:
            _copy_file(target, fd, tmp)
            keep_owner(tmp, stat.S_IMODE(st.st_mode), st)
            os.rename(tmp, dest)        # dest is a new name: rename is atomic everywhere
        except BaseException:
            _discard(tmp)
            raise
    found = existing()
    found.sort()
    for _, f in found[:max(0, len(found) - keep)]:
        _discard(f)
    _fsync_dir(folder)
    return dest


def remove_stale_temps(folder: Path, suffix: str, target: Path | None = None) -> None:
    """Remove our hidden temp files left by killed runs: those of ``target`` (whose lock the
    caller holds) at once, in its folder and in its backup folder; any other once an hour old."""
    now = datetime.now().timestamp()
    own = temp_prefix(target) if target is not None else None
    places = [folder] + ([folder / BACKUP_DIR] if own else [])
    for place in places:
        try:
            for f in place.glob(TEMP_PREFIX + "*" + suffix):
                try:
                    if (own and f.name.startswith(own)) or now - f.stat().st_mtime > STALE_TEMP_SECONDS:
                        f.unlink()
                except OSError:
                    pass
        except OSError:
            pass


def same_bytes(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_size == b.stat().st_size and filecmp.cmp(a, b, shallow=False)
    except OSError:
        return False


def replace_atomically(target: Path, write: Callable[[BinaryIO], None], mode: int,
                       keep_backup: bool = True, keep_backups: int = 5) -> bool:
    """Write a new ``target`` through ``write(fp)`` into a temp file, then move it over.

    Returns False when the new bytes equal the target's (nothing replaced, no backup). The
    temp file is removed on any failure (including KeyboardInterrupt), leaving the target as
    it was; a full disk raises :class:`DiskFull`; after the move the folder is fsynced.
    """
    like = target.stat() if target.exists() else None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=temp_prefix(target), suffix=target.suffix)
    except OSError as e:
        if e.errno in NO_SPACE or e.errno == errno.ENAMETOOLONG:
            raise disk_error(e, target, "保存") from e
        raise WorkbookNotWritable(f"无法在文件夹“{target.parent}”中保存文件（{os_reason(e)}）。") from e
    tmp = Path(tmp_name)
    try:
        try:
            with os.fdopen(fd, "w+b") as fp:
                write(fp)
                fp.flush()
                os.fsync(fp.fileno())
        except OSError as e:
            raise disk_error(e, target, "写入新的工作簿") from e
        if like is not None and same_bytes(tmp, target):
            tmp.unlink()
            return False
        keep_owner(tmp, mode, like)
        if keep_backup and keep_backups > 0 and like is not None:
            try:
                backup(target, keep_backups)
            except OSError as e:
                raise disk_error(e, target, f"在“{BACKUP_DIR}”文件夹中保存备份") from e
        try:
            os.replace(tmp, target)
        except PermissionError as e:
            raise WorkbookNotWritable(f"无法替换“{target.name}”（{os_reason(e)}）：文件可能被其他程序占用。") from e
        except OSError as e:
            raise disk_error(e, target, "替换工作簿") from e
    except BaseException:
        _discard(tmp)
        raise
    _fsync_dir(target.parent)
    return True
