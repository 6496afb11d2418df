"""LibreOffice headless as a real spreadsheet client: convert workbooks to PDF or CSV.

The one driver of `soffice` in the code: used by `jifen print` (several print workbooks
in one run, which saves LibreOffice's start-up) and by the tests that prove templates and
outputs open, recalculate and print. Each run uses a private user profile so parallel
runs do not collide.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..core.problems import InputError

INSTALL_HINT = ("没有找到 LibreOffice（soffice）。请先安装：Debian/Ubuntu 运行 "
                "`sudo apt-get install libreoffice-calc-nogui fonts-noto-cjk`，"
                "Windows 请安装 LibreOffice 并把 program 目录加入 PATH。")

CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for p in ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
              "/Applications/LibreOffice.app/Contents/MacOS/soffice"):
        if os.path.exists(p):
            return p
    return None


def _run(sources: list[Path], fmt: str, outdir: Path, timeout: float) -> tuple[subprocess.CompletedProcess, list[Path]]:
    """One `soffice --headless --convert-to fmt` over ``sources``; (process, files written in outdir)."""
    exe = soffice()
    if exe is None:
        raise InputError(INSTALL_HINT)
    outdir.mkdir(parents=True, exist_ok=True)
    before = {p: p.stat().st_mtime_ns for p in outdir.iterdir()}
    with tempfile.TemporaryDirectory(prefix="jifen-lo-") as profile:
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", fmt, "--outdir", str(outdir), *map(str, sources)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "HOME": profile})
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


def convert_many(sources: list[Path], fmt: str, outdir: Path, timeout: float = 600) -> list[Path]:
    """Convert several files in one run; return ``outdir/<stem>.<ext>`` for each, in order.

    Sources must have distinct stems (one output each, e.g. ``pdf``).
    """
    proc, made = _run(sources, fmt, outdir, timeout)
    ext = fmt.split(":", 1)[0]
    wanted = [outdir / f"{s.stem}.{ext}" for s in sources]
    if any(w not in made for w in wanted):
        raise _failure(proc)
    return wanted
