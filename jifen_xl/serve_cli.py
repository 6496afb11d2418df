"""Command-line entries of the local service door: `jifen serve`, `jifen install-libreoffice`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

COMMANDS = ("serve", "install-libreoffice")


def add_parsers(sub) -> None:
    from .serve import DEFAULT_PORT, LOOPBACK, port_number

    p = sub.add_parser("serve", help="在本机运行积分服务，供 WPS / LibreOffice 中的积分按钮使用")
    p.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                   help=f"端口（默认 {DEFAULT_PORT}；0 = 临时选一个空闲端口，按钮找不到它，只供测试）")
    p.add_argument("--host", default=LOOPBACK, help=argparse.SUPPRESS)
    p.add_argument("--print-token", action="store_true", help="显示访问令牌后退出（首次使用时生成）")
    p.add_argument("--install-autostart", action="store_true", help="登录时自动启动服务")
    p.add_argument("--remove-autostart", action="store_true", help="取消登录时自动启动")

    p = sub.add_parser("install-libreoffice", help="在 LibreOffice Calc 中安装“积分”工具栏和菜单")
    p.add_argument("--dir", type=Path, default=None, help="LibreOffice 配置目录（默认：当前用户的配置）")
    p.add_argument("--uninstall", action="store_true", help="卸载")
    p.add_argument("--port", type=port_number, default=DEFAULT_PORT, help=f"积分服务端口（默认 {DEFAULT_PORT}）")


def run(args) -> int:
    from . import autostart
    from .serve import MAX_PORT, ensure_token, serve, token_path

    fixed = (not args.uninstall) if args.command == "install-libreoffice" else args.install_autostart
    if args.port == 0 and fixed:
        # the buttons and the autostart entry need the port the service will listen on
        print(f"jifen {args.command}：错误：这里需要固定的端口（1–{MAX_PORT}，默认 39800），不能是 0。",
              file=sys.stderr)
        return 2
    if args.command == "install-libreoffice":
        from .lo_extension import install
        return install(args.dir, args.uninstall, args.port)
    if args.print_token:
        token = ensure_token()
        print(token)
        print(f"（令牌文件：{token_path()}）", file=sys.stderr)
        return 0
    if args.install_autostart:
        ensure_token()
        path = autostart.install(args.port)
        print(f"已设置登录时自动启动积分服务：{path}")
        return 0
    if args.remove_autostart:
        path = autostart.remove()
        print(f"已取消自动启动：{path}" if path else "没有找到自动启动项，无需取消。")
        return 0
    from .assistant import page_for_service       # 积分助手's page on the same port
    return serve(args.port, args.host, wrap=page_for_service)
