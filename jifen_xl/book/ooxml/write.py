"""`write_outputs`: output sheets into the user's own workbook, without losing a byte of it."""
from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

from ...core.problems import InputError
from ..lock import workbook_lock
from ..sheets import OutputSheet
from .package import Package
from .plan import plan
from .safesave import (check_busy, check_writable, remove_stale_temps, replace_atomically,
                       target_mode)
from .xmltext import ILLEGAL_XML_RE, Unpatchable
from .zipwrite import write_package

_INVALID_NAME_RE = re.compile(r"[\[\]:*?/\\]")


def validate_names(sheets: list[OutputSheet]) -> None:
    """ValueError for a sheet name Excel refuses, or one given twice (a bug in the caller)."""
    seen = set()
    for s in sheets:
        n = s.name
        if not n or len(n) > 31 or _INVALID_NAME_RE.search(n) or n[0] == "'" or n[-1] == "'" \
                or n.casefold() == "history" or ILLEGAL_XML_RE.search(n):
            raise ValueError(f"invalid Excel sheet name: {n!r}")
        if n.casefold() in seen:
            raise ValueError(f"sheet name given twice: {n!r}")
        seen.add(n.casefold())


def _macro_mismatch(pkg: Package, target: Path) -> bool:
    ct_member = pkg.member("[Content_Types].xml")
    if ct_member is None:
        return False
    macro = b"macroEnabled" in pkg.zf.read(ct_member)
    suffix = target.suffix.lower()
    return (suffix == ".xlsx" and macro) or (suffix == ".xlsm" and not macro)


def write_outputs(path: Path, sheets: list[OutputSheet], out: Path | None = None,
                  backup: bool = True, keep_backups: int = 5) -> Path:
    """Write output sheets into the workbook at ``path`` (or into a copy at ``out``).

    Returns the path written. Existing sheets with the same names are replaced in place,
    others are appended; nothing else in the package changes (see the package docstring).

    The save is atomic and recoverable (``safesave.py``): a temp file next to the target,
    fsynced, then moved over it; with ``backup=True`` an existing target is first copied
    to ``jifen备份/<stem>-YYYYmmdd-HHMMSS<suffix>`` and only the newest ``keep_backups``
    copies are kept.

    Raises :class:`WorkbookBusy` when an Excel/WPS owner file ``~$name`` (also with the
    first one or two characters of the name dropped, as Excel does for long names) or a
    LibreOffice lock ``.~lock.name#`` sits next to the source or the target;
    :class:`WorkbookNotWritable` when the target or its folder cannot be written (a file
    without write bits counts as read-only even for root); ``InputError`` when the source
    is not a usable workbook; ``ValueError`` for invalid sheet names or cell values (a bug
    in the caller).
    """
    path = Path(path)
    validate_names(sheets)
    target = Path(out) if out is not None else path
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    if not path.is_file():
        raise InputError(f"找不到工作簿“{path}”。")
    check_busy(path)
    if target != path:
        check_busy(target)
    check_writable(target)
    with workbook_lock(target):      # one writer at a time (reentrant for the CLI's lock)
        return _write_locked(path, target, sheets, backup, keep_backups)


def _write_locked(path: Path, target: Path, sheets: list[OutputSheet], backup: bool, keep_backups: int) -> Path:
    mode = target_mode(target)
    remove_stale_temps(target.parent, target.suffix, target)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise InputError(f"无法读取“{path.name}”：不是有效的 Excel 工作簿（.xlsx/.xlsm）。") from e
    with zf:
        pkg = Package(zf)
        if _macro_mismatch(pkg, target):
            raise InputError(f"“{path.name}”与“{target.name}”的类型不一致：含宏的工作簿只能保存为 .xlsm，"
                             f"不含宏的只能保存为 .xlsx。")
        try:
            plan(pkg, sheets)
        except Unpatchable as e:
            raise InputError(f"“{path.name}”的内部结构不常见，为避免损坏工作簿，本程序没有写入。"
                             f"请在 Excel 中另存一份后再运行。") from e
        replace_atomically(target, lambda fp: write_package(pkg, path, fp), mode, backup, keep_backups)
    return target
