"""Starting the clerk's own programs: the default browser and the program that opens a
workbook (Excel, WPS or LibreOffice, whichever the OS associates with .xlsx).

A program we start gets a clean environment (STYLE: no venv PATH entries, VIRTUAL_ENV,
PYTHONHOME, PYTHONPATH): a browser or spreadsheet started from inside our venv must not
pick up its Python. ``webbrowser`` and ``os.startfile`` cannot be given an environment, so
they run in a small helper process that has the clean one (``sys.executable -c …``); on
Linux and macOS ``xdg-open`` / ``open`` is started directly with it.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DROPPED = ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONEXECUTABLE",
           "CONDA_PREFIX", "__PYVENV_LAUNCHER__")


def clean_env(environ: dict[str, str] | None = None, prefixes: tuple[str, ...] | None = None) -> dict[str, str]:
    """``environ`` without Python's variables and without PATH entries inside our venv."""
    environ = dict(os.environ if environ is None else environ)
    if prefixes is None:
        found = [environ.get("VIRTUAL_ENV", "")] + ([sys.prefix] if sys.prefix != sys.base_prefix else [])
        prefixes = tuple(os.path.normcase(os.path.realpath(p)) for p in found if p)
    for key in DROPPED:
        environ.pop(key, None)
    path = environ.get("PATH")
    if path is not None:
        kept = []
        for entry in path.split(os.pathsep):
            real = os.path.normcase(os.path.realpath(entry)) if entry else ""
            if real and any(real == p or real.startswith(p + os.sep) for p in prefixes if p):
                continue
            kept.append(entry)
        environ["PATH"] = os.pathsep.join(kept)
    return environ


def _helper(code: str, argument: str) -> list[str]:
    exe = sys.executable
    if os.name == "nt":      # no console window for the helper
        windowed = Path(exe).with_name("pythonw.exe")
        exe = str(windowed) if windowed.exists() else exe
    return [exe, "-I", "-c", code, argument]


def _spawn(cmd: list[str]) -> None:
    kw: dict = {"env": clean_env(), "stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL,
                "stderr": subprocess.DEVNULL, "close_fds": True}
    if os.name == "nt":
        kw["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0) | getattr(subprocess, "DETACHED_PROCESS", 0)
    else:
        kw["start_new_session"] = True
    subprocess.Popen(cmd, **kw)   # noqa: S603 - fixed argv, no shell


def open_browser(url: str) -> None:
    """The default browser at ``url`` (``webbrowser`` in a helper with the clean environment)."""
    _spawn(_helper("import sys, webbrowser; webbrowser.open(sys.argv[1])", url))


def open_file(path: Path) -> None:
    """Ask the OS to open ``path`` with its associated program; OSError if there is none."""
    if os.name == "nt":
        _spawn(_helper("import os, sys; os.startfile(sys.argv[1])", str(path)))
        return
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    from shutil import which

    found = which(opener, path=clean_env().get("PATH"))
    if found is None:
        raise OSError(f"没有找到 {opener}，无法用关联的程序打开工作簿；请用“下载”链接或在文件夹中双击打开。")
    _spawn([found, str(path)])
