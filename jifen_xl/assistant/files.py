"""The folders 积分助手 may touch, the workbooks in them and the recent ones.

Only files inside the chosen folders are served (STYLE.md: Jupyter Server serves only the
user's root directory): every path a request names is resolved to its real path (symlinks
and ``..`` followed) and must lie inside the real path of a chosen folder, or be exactly a
workbook the clerk ran a button on before (the recent list, kept in the user's
configuration folder beside the service token). Anything else is refused with a Chinese
message before the file is opened.

The kind of a workbook (班级积分, 乡村积分, 积分台账) is ``app.detect_scheme`` on its sheet
names, read from ``xl/workbook.xml`` only (no cell is parsed), cached by size and time.
"""
from __future__ import annotations

import json
import os
import threading
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
MAX_LISTED = 300          # workbooks listed per folder (a 文档 folder can be large)
MAX_DEPTH = 2             # subfolder levels searched below a chosen folder
MAX_RECENT = 12
SKIPPED_DIRS = {"jifen备份", "报表", "node_modules", "__pycache__"}


class Refused(Exception):
    """A path outside the chosen folders, or not a workbook: status + Chinese message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _real(path: str | Path) -> Path:
    return Path(os.path.realpath(path))


def _inside(path: Path, folder: Path) -> bool:
    try:       # normcase: Windows compares C:\Users and c:\users alike
        return os.path.normcase(os.path.commonpath([str(path), str(folder)])) == os.path.normcase(str(folder))
    except ValueError:       # another drive on Windows
        return False


def is_listed_name(name: str) -> bool:
    """A workbook the list shows: .xlsx/.xlsm, not Office's ``~$`` owner file, not hidden."""
    return name.lower().endswith(WORKBOOK_SUFFIXES) and not name.startswith(("~$", ".", ".~"))


@dataclass
class Book:
    path: Path
    kind: str | None            # scheme name, None when not one of ours
    label: str                  # what the clerk calls it
    modified: float

    def as_json(self, root: Path | None) -> dict:
        rel = self.path.relative_to(root) if root is not None and _inside(self.path, root) else None
        return {"path": str(self.path), "name": self.path.name,
                "folder": str(rel.parent) if rel is not None and str(rel.parent) != "." else "",
                "kind": self.kind, "label": self.label,
                "modified": datetime.fromtimestamp(self.modified).strftime("%Y-%m-%d %H:%M")}


def sheet_names(path: Path) -> list[str]:
    """Sheet names from ``xl/workbook.xml`` alone (cheap: no cell is read)."""
    from ..book.reader import sheet_parts

    with zipfile.ZipFile(path) as zf:
        return list(sheet_parts(zf))


class Folders:
    """The chosen folders, the recent workbooks, and the kind of each workbook."""

    def __init__(self, folders: list[Path] = (), recent_file: Path | None = None):
        self._lock = threading.Lock()
        self.roots: list[Path] = []
        self._kinds: dict[Path, tuple[tuple, str | None]] = {}
        self.recent_file = recent_file
        for f in folders:
            self.add(f)

    # ---- the chosen folders
    def add(self, folder: str | Path) -> Path:
        real = _real(folder)
        if not real.is_dir():
            raise Refused(404, f"找不到文件夹“{folder}”。")
        with self._lock:
            if real not in self.roots:
                self.roots.append(real)
        return real

    def root_of(self, path: Path) -> Path | None:
        return next((r for r in self.roots if _inside(path, r)), None)

    # ---- resolving what a request names
    def workbook(self, given: str | None) -> Path:
        """The real path of a workbook inside a chosen folder (or a recent one), else Refused."""
        if not given or not isinstance(given, str) or "\0" in given:
            raise Refused(400, "请求中缺少工作簿路径。")
        raw = Path(given)
        if not raw.is_absolute():
            if not self.roots:
                raise Refused(403, "还没有选择文件夹。")
            raw = self.roots[0] / raw
        real = _real(raw)
        if self.root_of(real) is None and real not in self.recent():
            raise Refused(403, f"拒绝访问“{given}”：积分助手只能打开所选文件夹中的工作簿。")
        if not real.name.lower().endswith(WORKBOOK_SUFFIXES):
            raise Refused(403, f"“{real.name}”不是 Excel 工作簿（.xlsx / .xlsm）。")
        if not real.is_file():
            raise Refused(404, f"找不到工作簿“{real.name}”。")
        return real

    def folder(self, given: str | None) -> Path:
        """A chosen folder or a folder inside one, else Refused."""
        if not given or not isinstance(given, str) or "\0" in given:
            raise Refused(400, "请求中缺少文件夹。")
        real = _real(given)
        if self.root_of(real) is None:
            raise Refused(403, f"拒绝访问“{given}”：只能汇总所选的文件夹。")
        if not real.is_dir():
            raise Refused(404, f"找不到文件夹“{given}”。")
        return real

    # ---- listing
    def kind(self, path: Path) -> str | None:
        from ..app import detect_scheme

        try:
            st = path.stat()
        except OSError:
            return None
        stamp = (st.st_size, st.st_mtime_ns)
        cached = self._kinds.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            scheme = detect_scheme(sheet_names(path))
        except (OSError, zipfile.BadZipFile, KeyError, ValueError):
            scheme = None
        self._kinds[path] = (stamp, scheme)
        return scheme

    def book(self, path: Path) -> Book:
        from ..app import scheme_named

        kind = self.kind(path)
        scheme = scheme_named(kind) if kind else None
        try:
            modified = path.stat().st_mtime
        except OSError:
            modified = 0.0
        return Book(path, kind, scheme.label if scheme else "其他工作簿", modified)

    def listing(self, root: Path) -> list[Book]:
        found: list[Path] = []

        def walk(folder: Path, depth: int) -> None:
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:
                return
            for entry in entries:
                if len(found) >= MAX_LISTED:
                    return
                if entry.name.startswith((".", "~$")):
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if depth < MAX_DEPTH and entry.name not in SKIPPED_DIRS:
                            walk(Path(entry.path), depth + 1)
                    elif entry.is_file() and is_listed_name(entry.name):
                        real = _real(entry.path)
                        if _inside(real, root):          # a link out of the folder is not listed
                            found.append(real)
                except OSError:
                    continue

        walk(root, 0)
        books = [self.book(p) for p in found]
        books.sort(key=lambda b: (b.kind is None, -b.modified, b.path.name))
        return books

    # ---- the recent workbooks (the user's configuration folder)
    def recent(self) -> list[Path]:
        if self.recent_file is None:
            return []
        try:
            items = json.loads(self.recent_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [Path(p) for p in items if isinstance(p, str)][:MAX_RECENT]

    def remember(self, path: Path) -> None:
        if self.recent_file is None:
            return
        with self._lock:
            items = [str(path)] + [str(p) for p in self.recent() if p != path]
            self.recent_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.recent_file.with_name(self.recent_file.name + ".tmp")
            tmp.write_text(json.dumps(items[:MAX_RECENT], ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.recent_file)
