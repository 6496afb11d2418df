"""The Windows install of 积分助手 (issue #25), without Windows.

* 安装.bat is read as cmd.exe reads it: GBK bytes, CRLF lines, ``%VAR%`` expanded line by
  line from the ``set "VAR=…"`` lines before it (``%~dp0``: the bundle folder, here one
  with a space and Chinese characters), arguments split at spaces outside double quotes.
  The shortcut + PATH step, the xlwings step and the docs copy must be there with each path
  one argument; their arguments must parse with winsetup's own parser.
* winsetup's PATH step against a fake ``HKCU\\Environment`` (the registry layer), its
  shortcut step's PowerShell script and environment, the jifen.cmd launcher.
* bundle.py's check of the Python installer the builder supplies.
The .bat itself, PowerShell and the registry are not run here (no Windows); the folder's
size is checked by `make bundle-check` (tests/test_bundle.py, needs PyPI).
"""
from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest

from jifen_xl import winsetup
from test_bundle import bundle_module

HERE = "D:\\U盘 安装\\jifen-xl\\"          # %~dp0: where the clerk runs the bundle from


def cmd_lines(text: str, here: str = HERE) -> list[str]:
    """The command lines of a batch file after cmd's %VAR% expansion (labels and rem left out)."""
    env: dict[str, str] = {}
    out = []
    for raw in text.split("\r\n"):
        line = raw.strip()
        if not line or line.lower().startswith(("rem ", "::")) or line.lower() == "@echo off":
            continue

        def expand(m):
            return env.get(m[1].upper(), m[0])
        line = line.replace("%~dp0", here)            # the batch file's own folder (a parameter)
        line = re.sub(r"(?<!%)%([A-Za-z_][A-Za-z0-9_]*)%(?!%)", expand, line)
        m = re.fullmatch(r'set "([A-Za-z_]+)=(.*)"', line)
        if m:
            env[m[1].upper()] = m[2]
        out.append(line)
    return out


def split_args(line: str) -> list[str]:
    """cmd's split: spaces outside double quotes end an argument; quotes are removed."""
    assert line.count('"') % 2 == 0, f"unbalanced quotes: {line}"
    return [t.replace('"', "") for t in re.findall(r'(?:[^\s"]|"[^"]*")+', line)]


@pytest.fixture(scope="module")
def bat() -> str:
    raw = bundle_module().bat_text("0.1.0", "3.11", ["pywin32"])
    assert raw.count(b"\r\n") > 50 and b"\n" not in raw.replace(b"\r\n", b"")
    return raw.decode("gbk")


def winsetup_args(line: str):
    """(the program before ``-m jifen_xl.winsetup``, winsetup's parsed arguments)."""
    args = split_args(line)
    i = args.index("jifen_xl.winsetup")
    assert args[i - 1] == "-m"
    return args[:i - 1], winsetup.build_parser().parse_args(args[i + 1:])


def test_the_shortcut_and_path_step_as_cmd_reads_it(bat):
    lines = cmd_lines(bat)
    step = [line for line in lines if "jifen_xl.winsetup" in line and "--shortcut" in line]
    assert len(step) == 1
    head, args = winsetup_args(step[0])
    assert head == [r"C:\jifen\venv\Scripts\python.exe"]
    assert args.jifen == r"C:\jifen\venv\Scripts\jifen.exe"
    assert str(args.bin).replace("/", "\\") == r"C:\jifen\bin"
    assert args.shortcut and args.interpreter is None
    # the xlwings step is still there, on its own line
    interp = [line for line in lines if "jifen_xl.winsetup" in line and "--interpreter" in line]
    assert len(interp) == 1 and winsetup_args(interp[0])[1].interpreter == r"C:\jifen\venv\Scripts\pythonw.exe"
    assert not any(re.search(r"\bsetx\b", line, re.I) for line in lines)     # setx cuts PATH at 1024


def test_the_docs_are_copied_with_each_path_one_argument(bat):
    lines = cmd_lines(bat)
    copy, = [line for line in lines if "xcopy" in line.lower()]
    args = split_args(copy.split(" xcopy ", 1)[1] if " xcopy " in copy else copy)
    assert args[:2] == [HERE + "docs", r"C:\jifen\docs"]
    assert {"/E", "/I"} <= set(args)
    assert copy.lower().startswith(f'if exist "{HERE.lower()}docs"')
    pip = next(line for line in lines if "pip install" in line)
    assert split_args(pip)[split_args(pip).index("--find-links") + 1] == HERE + "wheels"


def test_every_goto_has_its_label_and_no_python_org_download(bat):
    labels = {line.strip()[1:].lower() for line in bat.split("\r\n") if re.match(r"\s*:[a-z_]+\s*$", line)}
    gotos = {m.lower() for m in re.findall(r"goto :([A-Za-z_]+)", bat)}
    assert gotos - {"eof"} <= labels
    assert "python.org" not in bat
    assert "积分助手" in bat


# ---------------------------------------------------------------------------- PATH

class FakeEnvironment:
    """``HKCU\\Environment`` as winreg would show it: name → (value, type)."""

    def __init__(self, values=None):
        self.values = dict(values or {})
        self.writes = 0

    def get(self, name):
        return self.values.get(name)

    def set(self, name, value, kind):
        self.values[name] = (value, kind)
        self.writes += 1


def test_path_is_created_when_the_user_has_none():
    env = FakeEnvironment()
    assert winsetup.add_to_path(r"C:\jifen\bin", env) == winsetup.WRITTEN
    assert env.values["Path"] == (r"C:\jifen\bin", winsetup.REG_EXPAND_SZ)


def test_a_long_path_is_kept_whole_and_its_type_kept():
    long = ";".join(rf"C:\Program Files\Tool{i}\bin" for i in range(120))      # about 3,300 characters
    assert len(long) > 2048
    env = FakeEnvironment({"Path": (long + ";", winsetup.REG_SZ)})
    assert winsetup.add_to_path(r"C:\jifen\bin", env) == winsetup.WRITTEN
    value, kind = env.values["Path"]
    assert value == long + r";C:\jifen\bin" and kind == winsetup.REG_SZ


def test_an_expandable_path_stays_expandable_and_nothing_is_added_twice():
    env = FakeEnvironment({"Path": (r"%USERPROFILE%\AppData\Local\Microsoft\WindowsApps", winsetup.REG_EXPAND_SZ)})
    winsetup.add_to_path(r"C:\jifen\bin", env)
    assert env.values["Path"][1] == winsetup.REG_EXPAND_SZ
    for again in (r"C:\jifen\bin", "c:\\JIFEN\\bin\\", '"C:\\jifen\\bin"'):
        assert winsetup.add_to_path(again, env) == winsetup.ALREADY
    assert env.writes == 1


def test_the_launcher_runs_the_installed_jifen(tmp_path):
    path = winsetup.write_launcher(tmp_path / "bin", r"C:\jifen\venv\Scripts\jifen.exe")
    assert path.read_bytes() == b'@"C:\\jifen\\venv\\Scripts\\jifen.exe" %*\r\n'
    with pytest.raises(ValueError):
        winsetup.write_launcher(tmp_path / "bin", r"C:\用户\jifen.exe")


# ---------------------------------------------------------------------------- shortcuts

def test_the_shortcut_script_writes_desktop_and_start_menu_links_with_ui_arguments():
    argv, extra = winsetup.shortcut_command(r"C:\jifen\venv\Scripts\jifen.exe")
    assert argv[0] == "powershell.exe" and "-NoProfile" in argv and argv[-2] == "-EncodedCommand"
    script = base64.b64decode(argv[-1]).decode("utf-16-le")
    assert "CreateShortcut" in script and "GetFolderPath('Desktop')" in script and "GetFolderPath('Programs')" in script
    assert "$link.Arguments = 'ui --folder \"' + $documents" in script
    assert extra["JIFEN_SHORTCUT_NAME"] == "积分助手"
    assert extra["JIFEN_SHORTCUT_TARGET"] == r"C:\jifen\venv\Scripts\jifen.exe"
    for value in extra.values():                  # values travel in the environment, not in the script
        assert value not in script


def test_main_runs_both_steps_and_reports_a_failed_one(monkeypatch, tmp_path, capsys):
    env = FakeEnvironment()
    calls = []
    monkeypatch.setattr(winsetup, "UserEnvironment", lambda: env)
    monkeypatch.setattr(winsetup, "announce_environment_change", lambda: calls.append("broadcast"))

    class Done:
        returncode, stdout, stderr = 0, "C:\\Users\\张三\\Desktop\\积分助手.lnk\r\nC:\\x\\Programs\\积分助手.lnk\r\n", ""
    monkeypatch.setattr(winsetup.subprocess, "run", lambda argv, **kw: calls.append(kw["env"]["JIFEN_SHORTCUT_TARGET"]) or Done)
    exe = r"C:\jifen\venv\Scripts\jifen.exe"
    assert winsetup.main(["--jifen", exe, "--bin", str(tmp_path / "bin"), "--shortcut"]) == 0
    assert env.values["Path"][0] == str(tmp_path / "bin") and calls == ["broadcast", exe]
    out = capsys.readouterr().out
    assert "PATH" in out and "积分助手.lnk" in out
    Done.returncode, Done.stderr = 1, "COM error"
    assert winsetup.main(["--jifen", exe, "--shortcut"]) == 3
    assert "没能创建" in capsys.readouterr().err


# ---------------------------------------------------------------------------- the Python installer

def test_the_python_installer_is_checked_against_its_hash(tmp_path, monkeypatch):
    bundle = bundle_module()
    fake = tmp_path / "python-3.11.9-amd64.exe"
    fake.write_bytes(b"not python")
    with pytest.raises(SystemExit, match="SHA-256"):
        bundle.check_python_installer(fake, "3.11")          # the real 3.11.9 hash: refused
    digest = hashlib.sha256(b"not python").hexdigest()
    monkeypatch.setitem(bundle.KNOWN_INSTALLERS, fake.name, {"sha256": digest, "md5": hashlib.md5(b"not python").hexdigest()})
    assert bundle.check_python_installer(fake, "3.11")["sha256"] == digest
    with pytest.raises(SystemExit, match="--python-version 3.11"):
        bundle.check_python_installer(fake, "3.12")
    other = tmp_path / "python-3.11.8-amd64.exe"
    other.write_bytes(b"x")
    with pytest.raises(SystemExit, match="--python-installer-sha256"):
        bundle.check_python_installer(other, "3.11")
    assert bundle.check_python_installer(other, "3.11", hashlib.sha256(b"x").hexdigest())["bytes"] == 1
    with pytest.raises(SystemExit, match="python-X.Y.Z-amd64.exe"):
        bundle.check_python_installer(tmp_path / "setup.exe", "3.11")
    for name, known in bundle.KNOWN_INSTALLERS.items():
        assert re.fullmatch(r"[0-9a-f]{64}", known["sha256"]) and re.fullmatch(r"[0-9a-f]{32}", known["md5"]), name
