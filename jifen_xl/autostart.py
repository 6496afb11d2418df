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


class AutostartError(Exception):
    """The entry cannot be written for this Python path (a Chinese message)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def desktop_exec_arg(arg: str) -> str:
    """One argument of a Desktop Entry ``Exec`` key, per the Desktop Entry Specification:
    quoted, with double quote, backquote, dollar and backslash escaped by a backslash inside
    the quotes, percent doubled (field codes), then the escapes of a string value (backslash,
    newline, tab, carriage return) applied on top, so a newline in the path can never start
    a second key."""
    quoted = '"' + "".join("\\" + ch if ch in '"`$\\' else ch for ch in arg) + '"'
    quoted = quoted.replace("%", "%%")
    return (quoted.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
            .replace("\r", "\\r"))


def cmd_arg(arg: str) -> str:
    """One argument of a line in a ``.cmd`` file: quoted (``&`` ``^`` ``|`` ``<`` ``>`` are plain
    inside quotes) with ``%`` doubled (cmd expands %…% even inside quotes). A quote or a line
    break cannot be in a Windows path and cannot be quoted for cmd.exe: refused."""
    if any(ch in arg for ch in ('"', "\r", "\n", "\0")):
        raise AutostartError(f"Python 的路径“{arg!r}”含有引号或换行，无法写入启动命令；"
                             "请把 Python 安装到普通的文件夹后再试。")
    return '"' + arg.replace("%", "%%") + '"'


def entry(windows: bool, port: int, python: str | None = None) -> tuple[Path, str]:
    """(file, content) of the autostart entry for this system."""
    python = python or _python(windows)
    args = f"-m jifen_xl.cli serve --port {int(port)}"
    if windows:
        # UTF-8 lines (a user folder named in Chinese) read as UTF-8 after chcp 65001;
        # no delayed expansion, so "!" in a path is plain too.
        text = ("@echo off\r\n"
                "chcp 65001 >nul\r\n"
                "setlocal DisableDelayedExpansion\r\n"
                "rem 登录时启动积分服务（jifen serve），供 WPS / LibreOffice 中的积分按钮使用。\r\n"
                f'start "" /min {cmd_arg(python)} {args}\r\n')
        return startup_folder(True) / f"{ENTRY}.cmd", text
    text = ("[Desktop Entry]\n"
            "Type=Application\n"
            "Name=积分服务\n"
            "Comment=为 WPS / LibreOffice 中的积分按钮提供计算（jifen serve）\n"
            f"Exec={desktop_exec_arg(python)} {args}\n"
            "Terminal=false\n"
            "NoDisplay=true\n"
            "X-GNOME-Autostart-enabled=true\n")
    return startup_folder(False) / f"{ENTRY}.desktop", text


def install(port: int, windows: bool | None = None) -> Path:
    windows = os.name == "nt" if windows is None else windows
    path, text = entry(windows, port)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:      # a path of undecodable bytes (surrogate escapes)
        raise AutostartError("Python 的路径含有无法识别的字符，无法写入启动项；"
                             "请把 Python 安装到普通的文件夹后再试。") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def remove(windows: bool | None = None) -> Path | None:
    windows = os.name == "nt" if windows is None else windows
    path, _ = entry(windows, 0)
    if path.exists():
        path.unlink()
        return path
    return None
