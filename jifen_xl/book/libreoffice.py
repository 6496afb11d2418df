"""LibreOffice headless as a real spreadsheet client: convert workbooks to PDF or CSV.

The one driver of `soffice` in the code: the LibreOffice door (lo_extension.py) finds it
here, and the tests prove with it that templates and outputs open, recalculate and print.
`jifen print` does not use it (papers/ typesets with Typst). Each run uses a
private user profile so parallel runs do not collide.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..core.problems import InputError
from .childenv import clean_env

INSTALL_HINT = ("没有找到 LibreOffice（soffice）。请先安装：Debian/Ubuntu 运行 "
                "`sudo apt-get install libreoffice-calc-nogui fonts-noto-cjk`，"
                "Windows 请从 libreoffice.org 下载安装 LibreOffice（装在默认位置即可，不必改 PATH）。")

CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    if os.name == "nt":
        return windows_soffice()
    for p in ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
              "/Applications/LibreOffice.app/Contents/MacOS/soffice"):
        if os.path.exists(p):
            return p
    return None


#: Registry keys LibreOffice's Windows installer writes: (key, value name, value is the program folder?).
WINDOWS_REGISTRY = (
    (r"SOFTWARE\LibreOffice\UNO\InstallPath", "", True),
    (r"SOFTWARE\WOW6432Node\LibreOffice\UNO\InstallPath", "", True),
    (r"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\soffice.exe", "", False),
)


def _registry_values() -> list[tuple[str, bool]]:
    """(value, is_folder) for each WINDOWS_REGISTRY key present, HKLM then HKCU."""
    import winreg

    found = []
    for hive in (winreg.HKEY_LOCAL_MACHINE, winreg.HKEY_CURRENT_USER):
        for key, name, is_folder in WINDOWS_REGISTRY:
            try:
                with winreg.OpenKey(hive, key) as handle:
                    value, _kind = winreg.QueryValueEx(handle, name)
            except OSError:
                continue
            if isinstance(value, str) and value.strip():
                found.append((value.strip().strip('"'), is_folder))
    return found


def windows_soffice(environ=None, exists=os.path.isfile, registry=_registry_values) -> str | None:
    """soffice.exe where LibreOffice's Windows installer puts it, which is not on PATH:
    the folders the registry names, then ``LibreOffice\\program`` under each Program Files."""
    import ntpath

    environ = os.environ if environ is None else environ
    candidates = []
    try:
        entries = registry()
    except (ImportError, OSError):     # no winreg (not Windows) or no access
        entries = []
    for value, is_folder in entries:
        candidates.append(ntpath.join(value, "soffice.exe") if is_folder else value)
    roots = [environ.get(k) for k in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)")]
    for root in [*roots, r"C:\Program Files", r"C:\Program Files (x86)"]:
        if root:
            candidates.append(ntpath.join(root, "LibreOffice", "program", "soffice.exe"))
    return next((c for c in candidates if exists(c)), None)


def _run(sources: list[Path], fmt: str, outdir: Path, timeout: float) -> tuple[subprocess.CompletedProcess, list[Path]]:
    """One `soffice --headless --convert-to fmt` over ``sources``; (process, files written in outdir)."""
    exe = soffice()
    if exe is None:
        raise InputError(INSTALL_HINT)
    outdir.mkdir(parents=True, exist_ok=True)
    before = {p: p.stat().st_mtime_ns for p in outdir.iterdir()}
    with tempfile.TemporaryDirectory(prefix="jifen-lo-") as profile:
        # as_uri(): file:///C:/... on Windows (f"file://{profile}" is not a URL there)
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", fmt, "--outdir", str(outdir), *map(str, sources)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env=clean_env({"HOME": profile}))
    # new files, or files of the same name written again (xlsx and xlsm share a stem)
    made = sorted(p for p in outdir.iterdir() if before.get(p) != p.stat().st_mtime_ns)
    return proc, made


def _failure(proc: subprocess.CompletedProcess) -> RuntimeError:
    return RuntimeError(f"LibreOffice 转换失败（{proc.returncode}）：{proc.stderr.strip() or proc.stdout.strip()}")


def convert(src: Path, fmt: str, outdir: Path, timeout: float = 180) -> list[Path]:
    """Convert one file; return the files it produced (CSV of every sheet: several)."""
    proc, made = _run([src], fmt, outdir, timeout)
    if proc.returncode != 0 or not made:
        raise _failure(proc)
    return made
