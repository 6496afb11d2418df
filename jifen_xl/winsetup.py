"""The offline bundle's Windows set-up steps, run by 安装.bat.

1. ``--interpreter``: point xlwings at the installed Python (below).
2. ``--bin DIR --jifen EXE``: ``DIR\\jifen.cmd`` runs ``EXE``, and DIR is appended to the user's
   PATH (``HKCU\\Environment``, value ``Path``) through the registry — never ``setx``, which
   cuts the value at 1024 characters. The value keeps its type (REG_EXPAND_SZ when it holds
   ``%VAR%`` entries) and every entry it had; an entry already there is not added twice.
   Only DIR goes on PATH, not the venv's Scripts folder (its python.exe would then shadow
   the clerk's own ``python``). Open windows learn of it through WM_SETTINGCHANGE.
3. ``--shortcut``: a 积分助手 shortcut on the desktop and in the Start menu that runs
   ``EXE ui --folder <文档> --folder <桌面>``; a workbook dropped on it is appended by
   Windows as one more argument, so the page opens on it. Written by PowerShell's
   ``WScript.Shell`` COM object (no pywin32 needed); the values reach the script through
   environment variables, never through quoting.

Point xlwings at the installed Python:

The workbook buttons run xlwings' ``RunPython``, which starts the interpreter named by
``INTERPRETER_WIN`` in xlwings' configuration: first the workbook's ``xlwings.conf``
sheet, then an ``xlwings.conf`` file beside the workbook, then the user file
``%USERPROFILE%\\.xlwings\\xlwings.conf`` (xlwings.bas ``GetConfig``). The installer writes
the user file, so buttons work without PATH and without the xlwings add-in.

That file belongs to the user: it is written only when it does not exist yet or when it
carries our marker line (we wrote it before). Any other file is left untouched and the
lines to add are printed instead. The format is what VBA's ``Write #`` produces and both
``GetConfigFromFile`` (VBA) and ``xlwings.utils.read_user_config`` read:
``"KEY","value"`` per line, CRLF, in the ANSI code page - so only ASCII is written.

Usage: ``python -m jifen_xl.winsetup --interpreter C:\\jifen\\venv\\Scripts\\pythonw.exe``
Exit codes: 0 written (or already right), 3 left alone (someone else's file), 2 bad input.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

MARKER_KEY = "JIFEN_XL_INSTALLER"
MARKER_VALUE = "written by the jifen-xl installer; delete this line to manage the file yourself"
INTERPRETER_KEY = "INTERPRETER_WIN"
WRITTEN, ALREADY, LEFT_ALONE = "written", "already", "left-alone"


def user_config_path(environ: dict[str, str] | None = None) -> Path:
    """``%USERPROFILE%\\.xlwings\\xlwings.conf`` as xlwings' VBA computes it."""
    environ = os.environ if environ is None else environ
    profile = environ.get("USERPROFILE") or str(Path.home())
    return Path(profile) / ".xlwings" / "xlwings.conf"


def parse(text: str) -> list[tuple[str, str]]:
    """``"KEY","value"`` lines as (key, value); other lines are kept out."""
    pairs = []
    for line in text.splitlines():
        values = re.findall(r'"([^"]*)"', line)
        if len(values) >= 2:
            pairs.append((values[0], values[1]))
    return pairs


def render(pairs: list[tuple[str, str]]) -> bytes:
    return "".join(f'"{key}","{value}"\r\n' for key, value in pairs).encode("ascii")


def configure(config: Path, interpreter: str) -> str:
    """Write ``INTERPRETER_WIN`` into ``config`` unless the file is someone else's.

    Returns WRITTEN, ALREADY (nothing to change) or LEFT_ALONE (exists without our marker).
    """
    if not interpreter.isascii() or '"' in interpreter:
        raise ValueError(f"interpreter path must be plain ASCII without quotes: {interpreter!r}")
    if config.exists():
        text = config.read_bytes().decode("ascii", errors="replace")
        pairs = parse(text)
        if not any(key.upper() == MARKER_KEY for key, _ in pairs):
            return LEFT_ALONE
        kept = [(k, v) for k, v in pairs if k.upper() not in (MARKER_KEY, INTERPRETER_KEY)]
    else:
        kept = []
    wanted = render([(MARKER_KEY, MARKER_VALUE), (INTERPRETER_KEY, interpreter), *kept])
    if config.exists() and config.read_bytes() == wanted:
        return ALREADY
    config.parent.mkdir(parents=True, exist_ok=True)
    temporary = config.with_name(config.name + ".jifen-tmp")
    temporary.write_bytes(wanted)
    os.replace(temporary, config)
    return WRITTEN


# ---------------------------------------------------------------------------- PATH

REG_SZ, REG_EXPAND_SZ = 1, 2          # winreg's value types
ENV_KEY = "Environment"
PATH_VALUE = "Path"


class UserEnvironment:
    """``HKEY_CURRENT_USER\\Environment`` through winreg (Windows only); tests use a fake
    with the same two methods."""

    def get(self, name: str) -> tuple[str, int] | None:
        import winreg
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, ENV_KEY) as key:
                value, kind = winreg.QueryValueEx(key, name)
        except FileNotFoundError:
            return None
        return str(value), kind

    def set(self, name: str, value: str, kind: int) -> None:
        import winreg
        with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, ENV_KEY, 0, winreg.KEY_SET_VALUE) as key:
            winreg.SetValueEx(key, name, 0, kind, value)


def _same_dir(a: str, b: str) -> bool:
    def norm(p: str) -> str:
        return p.strip().strip('"').rstrip("\\/").replace("/", "\\").lower()
    return bool(a.strip()) and norm(a) == norm(b)


def add_to_path(folder: str, env) -> str:
    """Append ``folder`` to the user's Path value in ``env``; WRITTEN or ALREADY."""
    current = env.get(PATH_VALUE)
    value, kind = current if current is not None else ("", REG_EXPAND_SZ)
    entries = [e for e in value.split(";")]
    if any(_same_dir(e, folder) for e in entries):
        return ALREADY
    kept = value.rstrip(";")
    new = f"{kept};{folder}" if kept else folder
    if kind not in (REG_SZ, REG_EXPAND_SZ):
        kind = REG_EXPAND_SZ
    if "%" in new:
        kind = REG_EXPAND_SZ
    env.set(PATH_VALUE, new, kind)
    return WRITTEN


def announce_environment_change() -> None:
    """WM_SETTINGCHANGE "Environment" to every window, so Explorer starts new consoles
    with the new Path (what setx does too)."""
    import ctypes
    from ctypes import wintypes

    result = wintypes.DWORD()
    ctypes.windll.user32.SendMessageTimeoutW(0xFFFF, 0x001A, 0, "Environment", 0x0002, 5000, ctypes.byref(result))


def write_launcher(folder: Path, exe: str) -> Path:
    """``folder\\jifen.cmd``: runs ``exe`` with the arguments given (ASCII paths only)."""
    if not exe.isascii() or '"' in exe:
        raise ValueError(f"program path must be plain ASCII without quotes: {exe!r}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "jifen.cmd"
    path.write_bytes(f'@"{exe}" %*\r\n'.encode("ascii"))
    return path


# ---------------------------------------------------------------------------- shortcuts

SHORTCUT_NAME = "积分助手"
SHORTCUT_SCRIPT = r"""
$ErrorActionPreference = 'Stop'
$shell = New-Object -ComObject WScript.Shell
$desktop = [Environment]::GetFolderPath('Desktop')
$documents = [Environment]::GetFolderPath('MyDocuments')
$programs = [Environment]::GetFolderPath('Programs')
foreach ($dir in @($desktop, $programs)) {
  $link = $shell.CreateShortcut((Join-Path $dir ($env:JIFEN_SHORTCUT_NAME + '.lnk')))
  $link.TargetPath = $env:JIFEN_SHORTCUT_TARGET
  $link.Arguments = 'ui --folder "' + $documents + '" --folder "' + $desktop + '"'
  $link.WorkingDirectory = $documents
  $link.Description = $env:JIFEN_SHORTCUT_HELP
  $link.IconLocation = $env:JIFEN_SHORTCUT_TARGET + ',0'
  $link.Save()
  Write-Output (Join-Path $dir ($env:JIFEN_SHORTCUT_NAME + '.lnk'))
}
"""


def shortcut_command(exe: str) -> tuple[list[str], dict[str, str]]:
    """(argv, extra environment) of the PowerShell run that writes both shortcuts."""
    import base64

    encoded = base64.b64encode(SHORTCUT_SCRIPT.encode("utf-16-le")).decode("ascii")
    argv = ["powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass",
            "-EncodedCommand", encoded]
    extra = {"JIFEN_SHORTCUT_NAME": SHORTCUT_NAME, "JIFEN_SHORTCUT_TARGET": exe,
             "JIFEN_SHORTCUT_HELP": "积分助手：在浏览器中选择工作簿、点按钮计算。把工作簿拖到这个图标上即可打开它。"}
    return argv, extra


def make_shortcuts(exe: str, run=None) -> list[str]:
    """Write the desktop and Start-menu shortcuts; the paths written."""
    argv, extra = shortcut_command(exe)
    run = run or subprocess.run
    done = run(argv, env={**os.environ, **extra}, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise OSError((done.stderr or done.stdout or "PowerShell failed").strip())
    return [line.strip() for line in done.stdout.splitlines() if line.strip()]


def _desktop_steps(args) -> int:
    code = 0
    if args.bin:
        try:
            write_launcher(args.bin, args.jifen)
            outcome = add_to_path(str(args.bin), UserEnvironment())
            announce_environment_change()
            print(f"已把 {args.bin} 加入当前用户的 PATH" + ("（已经在 PATH 中）" if outcome == ALREADY else "")
                  + "：新打开的命令提示符窗口中可以直接运行 jifen。")
        except (OSError, ValueError) as exc:
            print(f"没能把 jifen 加入 PATH（{exc}）；可以双击桌面上的“积分助手”使用。", file=sys.stderr)
            code = 3
    if args.shortcut:
        try:
            made = make_shortcuts(args.jifen)
            print("已创建“积分助手”快捷方式：" + "、".join(made))
        except (OSError, ValueError) as exc:
            print(f"没能创建“积分助手”快捷方式（{exc}）。可以手动运行：{args.jifen} ui", file=sys.stderr)
            code = 3
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m jifen_xl.winsetup",
                                     description="安装程序的设置步骤：xlwings 配置、PATH、“积分助手”快捷方式")
    parser.add_argument("--interpreter", default=None, help="pythonw.exe 的完整路径（只能是英文路径）")
    parser.add_argument("--config", type=Path, default=None, help="配置文件（默认 %%USERPROFILE%%\\.xlwings\\xlwings.conf）")
    parser.add_argument("--jifen", default=None, help="jifen.exe 的完整路径（--bin、--shortcut 需要）")
    parser.add_argument("--bin", type=Path, default=None, help="放 jifen.cmd 并加入 PATH 的文件夹")
    parser.add_argument("--shortcut", action="store_true", help="在桌面和开始菜单创建“积分助手”快捷方式")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if (args.bin or args.shortcut) and not args.jifen:
        parser.error("--bin 和 --shortcut 需要 --jifen")
    if args.interpreter is None:
        return _desktop_steps(args)
    code = _desktop_steps(args) if (args.bin or args.shortcut) else 0
    config = args.config or user_config_path()
    try:
        outcome = configure(config, args.interpreter)
    except ValueError:
        print(f"Python 路径“{args.interpreter}”含有中文或特殊字符，请把 Python 安装到英文路径（如 C:\\jifen）。",
              file=sys.stderr)
        return 2
    if outcome == LEFT_ALONE:
        print(f"已有 xlwings 配置文件 {config}，它不是本安装程序写的，所以没有改动。\n"
              f"如需让按钮使用刚安装的 Python，请用记事本打开它，加入（或修改为）这一行：\n"
              f'    "{INTERPRETER_KEY}","{args.interpreter}"')
        return 3
    print(f"xlwings 配置：{config} 中 {INTERPRETER_KEY} = {args.interpreter}"
          + ("（无需改动）" if outcome == ALREADY else ""))
    return code


if __name__ == "__main__":
    sys.exit(main())
