"""Start `jifen serve` when the clerk logs in, so nobody ever starts it by hand.

* Windows: a ``jifen-serve.cmd`` in the user's Startup folder
  (``%APPDATA%\\Microsoft\\Windows\\Start Menu\\Programs\\Startup``) that starts the
  service with ``pythonw.exe`` (no console window stays open);
* Linux desktops (UOS, Kylin, GNOME, KDE …): an XDG autostart entry
  ``$XDG_CONFIG_HOME/autostart/jifen-serve.desktop`` (default ``~/.config/autostart``).

Only files in the user's own folders are written; nothing needs administrator rights.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ENTRY = "jifen-serve"


def _python(windows: bool) -> str:
    exe = Path(sys.executable)
    if windows:
        quiet = exe.with_name("pythonw.exe")
        if quiet.exists():
            return str(quiet)
    return str(exe)


def startup_folder(windows: bool) -> Path:
    if windows:
        appdata = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(appdata) / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart"


def entry(windows: bool, port: int, python: str | None = None) -> tuple[Path, str]:
    """(file, content) of the autostart entry for this system."""
    python = python or _python(windows)
    args = f"-m jifen_xl.cli serve --port {int(port)}"
    if windows:
        text = ("@echo off\r\n"
                "rem 登录时启动积分服务（jifen serve），供 WPS / LibreOffice 中的积分按钮使用。\r\n"
                f'start "" /min "{python}" {args}\r\n')
        return startup_folder(True) / f"{ENTRY}.cmd", text
    text = ("[Desktop Entry]\n"
            "Type=Application\n"
            "Name=积分服务\n"
            "Comment=为 WPS / LibreOffice 中的积分按钮提供计算（jifen serve）\n"
            f'Exec="{python}" {args}\n'
            "Terminal=false\n"
            "NoDisplay=true\n"
            "X-GNOME-Autostart-enabled=true\n")
    return startup_folder(False) / f"{ENTRY}.desktop", text


def install(port: int, windows: bool | None = None) -> Path:
    windows = os.name == "nt" if windows is None else windows
    path, text = entry(windows, port)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    return path


def remove(windows: bool | None = None) -> Path | None:
    windows = os.name == "nt" if windows is None else windows
    path, _ = entry(windows, 0)
    if path.exists():
        path.unlink()
        return path
    return None
