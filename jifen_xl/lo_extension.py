"""The LibreOffice door: build the 积分 Calc extension (.oxt) and install it.

The extension is built by code from the committed sources in ``jifen_xl/libreoffice_ext/``:
``description.xml``, ``META-INF/manifest.xml`` and the Python module ``python/jifen_calc.py``
(standard library + uno: it only talks to `jifen serve`). Generated here from the scheme
declarations each time the extension is built, so a button exists for every workbook
command and nowhere else and no committed copy can go stale: ``Addons.xcu`` (the 积分
toolbar and menu), ``CalcWindowState.xcu`` (the toolbar's name, shown docked) and the
button functions appended to the shipped ``jifen_calc.py`` (``button_block``).

Installing goes through the UNO ExtensionManager (``libreoffice_ext/tools/uno_install.py``),
run by a Python that can import uno: ``unopkg`` refuses per-user installs as root.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from . import __version__
from .book.childenv import clean_env
from .core.oserror import os_reason

SOURCES = Path(__file__).parent / "libreoffice_ext"
OXT_NAME = "jifen.oxt"          # part of every button URL: never rename
IDENTIFIER = "org.jifen-xl.calc"
MODULE = "jifen_calc.py"
TOOLBAR = "org.jifen-xl.calc.toolbar"
MENU = "org.jifen-xl.calc.menu"
CONTEXT = "com.sun.star.sheet.SpreadsheetDocument"
_ZIP_DATE = (2026, 1, 1, 0, 0, 0)


def buttons() -> list[tuple[str, str, str]]:
    """(command, caption, script URL) for every declared command, in SCHEMES order."""
    from .schemes import SCHEMES, catalog

    return [(c.name, catalog.toolbar_caption(c, SCHEMES), script_url(catalog.script_function(c.name)))
            for c in catalog.commands(SCHEMES)]


def button_block() -> str:
    """The end of the shipped ``jifen_calc.py``: one button function per declared command."""
    from .schemes import SCHEMES, catalog

    names = [(catalog.script_function(c.name), c.name, c.button) for c in catalog.commands(SCHEMES)]
    lines = ["", "", "# ---- written by jifen_xl/lo_extension.py from the scheme declarations when the extension",
             "# ---- is built (`jifen install-libreoffice`): one function per button", ""]
    lines += [f"{fn} = _button({command!r})   # {caption}" for fn, command, caption in names]
    lines += ["", "g_exportedScripts = (" + ", ".join(fn for fn, _, _ in names) + ",)", ""]
    return "\n".join(lines)


def module_text() -> str:
    """``python/jifen_calc.py`` as shipped: the committed source plus ``button_block()``."""
    return (SOURCES / "python" / MODULE).read_text(encoding="utf-8").rstrip("\n") + "\n" + button_block()


def script_url(function: str) -> str:
    return (f"vnd.sun.star.script:{OXT_NAME}|python|{MODULE}${function}"
            "?language=Python&location=user:uno_packages")


def _prop(name: str, value: str, localized: bool = False) -> str:
    if localized:
        return (f'<prop oor:name="{name}" oor:type="xs:string"><value xml:lang="zh-CN">{escape(value)}</value>'
                f'<value xml:lang="en-US">{escape(value)}</value></prop>')
    return f'<prop oor:name="{name}" oor:type="xs:string"><value>{escape(value)}</value></prop>'


def addons_xcu() -> str:
    items = "".join(
        f'<node oor:name="m{i:02d}" oor:op="replace">{_prop("URL", url)}{_prop("Title", caption, True)}'
        f'{_prop("Target", "_self")}{_prop("Context", CONTEXT)}</node>'
        for i, (_, caption, url) in enumerate(buttons(), start=1))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:component-data xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" oor:name="Addons" oor:package="org.openoffice.Office">'
            '<node oor:name="AddonUI">'
            f'<node oor:name="OfficeToolBar"><node oor:name="{TOOLBAR}" oor:op="replace">{items}</node></node>'
            f'<node oor:name="OfficeMenuBar"><node oor:name="{MENU}" oor:op="replace">'
            f'{_prop("Title", "积分", True)}{_prop("Context", CONTEXT)}'
            f'<node oor:name="Submenu">{items}</node></node></node>'
            '</node></oor:component-data>\n')


def window_state_xcu() -> str:
    """The toolbar's name (积分) and a docked, visible start in Calc."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:component-data xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" oor:name="CalcWindowState" oor:package="org.openoffice.Office.UI">'
            '<node oor:name="UIElements"><node oor:name="States">'
            f'<node oor:name="private:resource/toolbar/addon_{TOOLBAR}" oor:op="replace">'
            '<prop oor:name="UIName" oor:type="xs:string"><value xml:lang="zh-CN">积分</value>'
            '<value xml:lang="en-US">积分</value></prop>'
            '<prop oor:name="Docked" oor:type="xs:boolean"><value>true</value></prop>'
            '<prop oor:name="Visible" oor:type="xs:boolean"><value>true</value></prop>'
            '</node></node></node></oor:component-data>\n')


def manifest_xml() -> str:
    text = (SOURCES / "META-INF" / "manifest.xml").read_text(encoding="utf-8")
    entry = ('  <manifest:file-entry manifest:media-type="application/vnd.sun.star.configuration-data" '
             'manifest:full-path="CalcWindowState.xcu"/>\n')
    return text.replace("</manifest:manifest>", entry + "</manifest:manifest>")


def oxt_parts() -> dict[str, bytes]:
    return {
        "META-INF/manifest.xml": manifest_xml().encode("utf-8"),
        "description.xml": (SOURCES / "description.xml").read_text(encoding="utf-8")
        .replace("@VERSION@", __version__).encode("utf-8"),
        "Addons.xcu": addons_xcu().encode("utf-8"),
        "CalcWindowState.xcu": window_state_xcu().encode("utf-8"),
        f"python/{MODULE}": module_text().encode("utf-8"),
    }


def build_oxt(folder: Path) -> Path:
    """Write ``jifen.oxt`` into ``folder`` (byte-identical for identical sources)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / OXT_NAME
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in oxt_parts().items():
            info = zipfile.ZipInfo(name, _ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return path


# --------------------------------------------------------------------------- installing

def default_profile() -> Path:
    """LibreOffice's own per-user profile (the folder that holds ``user/``)."""
    if os.name == "nt":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / "LibreOffice" / "4"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "LibreOffice" / "4"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "libreoffice" / "4"


def uno_python() -> str | None:
    """A Python that can ``import uno``: $JIFEN_UNO_PYTHON, LibreOffice's own, or the system's."""
    from .book.libreoffice import soffice

    candidates = [os.environ.get("JIFEN_UNO_PYTHON")]
    office = soffice()
    if office:
        program = Path(os.path.realpath(office)).parent
        candidates += [str(program / "python.exe"), str(program / "python"),
                       str(program.parent / "Resources" / "python")]
    candidates += [sys.executable, "/usr/bin/python3", shutil.which("python3")]
    for cand in candidates:
        if cand and os.path.exists(cand):
            try:
                ok = subprocess.run([cand, "-c", "import uno"], capture_output=True, timeout=60,
                                    env=clean_env()).returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                ok = False
            if ok:
                return cand
    return None


def write_client_config(port: int) -> Path:
    """client.json in the jifen config folder: the service port and how to start it."""
    from .serve import config_dir, ensure_token

    ensure_token()
    path = config_dir() / "client.json"
    data = {"port": port,
            "serve_command": [sys.executable, "-m", "jifen_xl.cli", "serve", "--port", str(port)]}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _last_line(text: str) -> str:
    """The message of a failure without its traceback: the last non-empty line."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1][-400:] if lines else ""


def install(profile: Path | None = None, uninstall: bool = False, port: int | None = None) -> int:
    """`jifen install-libreoffice`: 0 done, 2 LibreOffice or its Python missing / failed.

    Every failure is a Chinese message and exit 2, never a traceback."""
    what = "卸载" if uninstall else "安装"
    try:
        return _install(profile, uninstall, port)
    except subprocess.TimeoutExpired:
        print(f"LibreOffice 扩展{what}超时（10 分钟内没有完成）：请关闭所有 LibreOffice 窗口后再试。", file=sys.stderr)
    except OSError as exc:
        where = f"“{exc.filename}”" if getattr(exc, "filename", None) else ""
        print(f"LibreOffice 扩展{what}失败：无法访问{where}（{os_reason(exc)}）。"
              "请检查文件夹是否存在、是否有写入权限，或用 --dir 指定另一个配置目录。", file=sys.stderr)
    return 2


def _install(profile: Path | None, uninstall: bool, port: int | None) -> int:
    from .book.libreoffice import INSTALL_HINT, soffice
    from .serve import DEFAULT_PORT

    office = soffice()
    if office is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    python = uno_python()
    if python is None:
        print("没有找到能使用 LibreOffice 接口（uno）的 Python：Debian/Ubuntu 请运行 "
              "`sudo apt-get install python3-uno libreoffice-script-provider-python`；"
              "Windows 上 LibreOffice 自带的 python.exe 会被自动使用。", file=sys.stderr)
        return 2
    profile = Path(profile) if profile else default_profile()
    profile.mkdir(parents=True, exist_ok=True)
    if not uninstall:
        write_client_config(port or DEFAULT_PORT)
    with tempfile.TemporaryDirectory(prefix="jifen-oxt-") as tmp:
        oxt = build_oxt(Path(tmp))
        # LibreOffice's Python and the soffice it starts must not see our venv (childenv.py)
        env = clean_env({"JIFEN_SOFFICE": os.environ.get("JIFEN_SOFFICE") or office})
        proc = subprocess.run([python, str(SOURCES / "tools" / "uno_install.py"), str(profile), str(oxt),
                               "remove" if uninstall else "add"],
                              capture_output=True, text=True, timeout=600, env=env)
    state = proc.stdout.strip().splitlines()[-1:] or [""]
    if proc.returncode != 0 or state[0] != ("absent" if uninstall else "installed"):
        detail = _last_line(proc.stderr) or _last_line(proc.stdout) or f"退出码 {proc.returncode}"
        print(f"LibreOffice 扩展{'卸载' if uninstall else '安装'}失败：{detail}", file=sys.stderr)
        return 2
    if uninstall:
        print(f"已从 LibreOffice 配置 {profile} 卸载“积分”工具栏。")
    else:
        print(f"已在 LibreOffice 配置 {profile} 安装“积分”工具栏（重新打开 LibreOffice Calc 后可见）。\n"
              "按钮需要积分服务：运行 `jifen serve`，或 `jifen serve --install-autostart` 让它登录时自动启动；"
              "服务没有运行时，按钮会自动启动它。")
    return 0
