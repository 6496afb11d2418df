"""`jifen ui [FILE] [--folder DIR]… [--port P] [--no-browser]`: open 积分助手.

If a service of this user already answers on the port (it accepts our token: ``POST
/ui/api/launch``), it is reused: it is told the folders and asked for a new one-time login
URL. Otherwise the service is started here, in the foreground, with the page (the console
window shows the URL; closing it stops the service). Either way the URL is printed and,
unless ``--no-browser``, the default browser opens it.

``FILE`` is a workbook to show first: dropping a workbook on the 积分助手 shortcut runs
``jifen ui FILE`` (its folder becomes one of the chosen folders).
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

COMMAND = "ui"


def add_parser(sub) -> None:
    from ..serve import DEFAULT_PORT, port_number

    p = sub.add_parser(COMMAND, help="打开积分助手：在浏览器中选择工作簿、点按钮计算（不需要宏或加载项）")
    p.add_argument("file", nargs="?", type=Path, default=None,
                   help="先打开这个工作簿（把工作簿拖到“积分助手”图标上即是如此）")
    p.add_argument("--folder", type=Path, action="append", default=None, metavar="DIR",
                   help="列出这个文件夹中的工作簿（可写多次；默认：当前文件夹）")
    p.add_argument("--port", type=port_number, default=DEFAULT_PORT, help=f"端口（默认 {DEFAULT_PORT}）")
    p.add_argument("--no-browser", action="store_true", help="不打开浏览器，只显示登录链接")


def recent_file() -> Path:
    from ..serve import config_dir
    return config_dir() / "recent.json"


def _ask_running(port: int, token: str, folders: list[Path], file: Path | None) -> tuple[str, str | None]:
    """("reuse", url) | ("free", None) | ("foreign", message): who answers on the port."""
    from ..serve import LOOPBACK, TOKEN_HEADER

    payload = json.dumps({"folders": [str(f) for f in folders], "open": str(file) if file else None}).encode()
    request = urllib.request.Request(f"http://{LOOPBACK}:{port}/ui/api/launch", data=payload, method="POST",
                                     headers={TOKEN_HEADER: token, "Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))     # never via a proxy
    try:
        with opener.open(request, timeout=10) as answer:
            return "reuse", json.loads(answer.read().decode("utf-8"))["url"]
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read().decode("utf-8")).get("message", "")
        except ValueError:
            message = ""
        if exc.code == 404 and not message.startswith("找不到"):
            return "foreign", (f"端口 {port} 上运行的积分服务版本较旧，没有积分助手：请先关闭它（或重新登录电脑），"
                               f"再运行 jifen ui；也可以换一个端口：jifen ui --port 端口号。")
        if exc.code == 401:
            return "foreign", f"端口 {port} 被另一个用户的积分服务占用，请换一个端口：jifen ui --port 端口号。"
        return "foreign", message or f"积分服务拒绝了请求（{exc.code}）。"
    except (urllib.error.URLError, OSError, ValueError, KeyError):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((LOOPBACK, port))
            except OSError:
                return "foreign", f"端口 {port} 已被其他程序占用，请换一个端口：jifen ui --port 端口号。"
        return "free", None


def _announce(url: str, browser: bool) -> None:
    print("积分助手的登录链接（只能使用一次）：", flush=True)
    print(f"    {url}", flush=True)
    if browser:
        from .desktop import open_browser
        try:
            open_browser(url)
            print("已在浏览器中打开。如果没有打开，请把上面的链接复制到浏览器地址栏。", flush=True)
        except OSError as exc:
            print(f"无法打开浏览器（{exc}），请把上面的链接复制到浏览器地址栏。", flush=True)


def _when_listening(port: int, then) -> None:
    """Call ``then()`` from a thread once the port accepts connections (≤ 30 s)."""
    from ..serve import LOOPBACK

    def wait():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((LOOPBACK, port), timeout=1):
                    then()
                    return
            except OSError:
                time.sleep(0.1)
    threading.Thread(target=wait, name="jifen-ui-open", daemon=True).start()


def own_console() -> bool:
    """On Windows, is this console window ours alone (started from the shortcut, not from a
    命令提示符 the clerk typed in)? Then a message must wait for a key, or the window
    closes before it can be read."""
    if os.name != "nt":
        return False
    import ctypes

    ids = (ctypes.c_uint * 4)()
    try:
        return ctypes.windll.kernel32.GetConsoleProcessList(ids, 4) == 1
    except (AttributeError, OSError):
        return False


def run(args: argparse.Namespace) -> int:
    """`jifen ui`; a refusal stays on screen when the shortcut opened the console."""
    from ..core.problems import InputError

    try:
        code = _run(args)
    except InputError as exc:
        if not own_console():
            raise
        print(exc.message, file=sys.stderr)
        code = 2
    if code and own_console():
        input("按回车键关闭本窗口……")
    return code


def _run(args: argparse.Namespace) -> int:
    from ..core.problems import InputError
    from ..serve import ensure_token, serve
    from . import Assistant, with_assistant
    from .files import Refused, is_listed_name

    file = args.file.resolve() if args.file is not None else None
    if file is not None and (not file.is_file() or not is_listed_name(file.name)):
        raise InputError(f"“{args.file}”不是 Excel 工作簿（.xlsx / .xlsm），无法在积分助手中打开。")
    folders = [f.resolve() for f in (args.folder or [])]
    if not folders:
        folders = [file.parent] if file is not None else [Path.cwd()]
    for f in folders:
        if not f.is_dir():
            raise InputError(f"找不到文件夹“{f}”。")
    if args.port == 0:      # the login link names the port before the service starts
        print("jifen ui：错误：这里需要固定的端口（1–65535，默认 39800），不能是 0。", file=sys.stderr)
        return 2
    token = ensure_token()
    status, answer = _ask_running(args.port, token, folders, file)
    if status == "reuse":
        print(f"积分助手已在运行（端口 {args.port}），沿用它。", flush=True)
        _announce(answer, not args.no_browser)
        return 0
    if status == "foreign":
        print(answer, file=sys.stderr)
        return 2
    try:
        assistant = Assistant(token, args.port, folders + ([file.parent] if file else []), recent_file())
    except Refused as exc:
        raise InputError(exc.message) from None
    url = assistant.login_url(str(file) if file else None)

    def ready():
        _announce(url, not args.no_browser)
        print("关闭本窗口（或按 Ctrl+C）即停止积分助手。", flush=True)
    _when_listening(args.port, ready)
    return serve(args.port, wrap=lambda api, _port: with_assistant(api, assistant))
