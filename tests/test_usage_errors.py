"""Usage errors are exit 2 and Chinese; ports are checked; the autostart entries quote the
Python path for the program that reads them (issue #23 case 14)."""
from __future__ import annotations

import argparse
import ast
import inspect
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from jifen_xl import autostart
from jifen_xl.cli import main as cli_main
from jifen_xl.cli_help import PLURAL, WORDS

ENGLISH = ("usage:", "error:", "the following arguments are required", "invalid choice",
           "unrecognized arguments", "expected one argument", "invalid int value", "Traceback",
           "internal", "ambiguous option")


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("argv", [
    [], ["bogus"], ["new"], ["new", "foo", "-o", "x.xlsx"], ["new", "class"], ["week"], ["week", "a.xlsx", "--zz"],
    ["week", "a.xlsx", "extra"], ["week", "a.xlsx", "--week"], ["print"], ["rollup"], ["--zz"],
    ["serve", "--port", "70000"], ["serve", "--port", "-1"], ["serve", "--port", "abc"], ["serve", "--port", ""],
    ["serve", "--port", "65536"], ["install-libreoffice", "--port", "99999"], ["install-wps", "--bogus"],
    ["passbook", "a.xlsx", "--all=3"], ["ui", "--port", "70000"],
])
def test_usage_errors_are_exit_2_and_chinese(argv, capsys):
    try:
        code = cli_main(argv)
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    if argv:                                   # `jifen` alone prints the help (Chinese) on stdout
        assert _chinese(err), err
        for phrase in ENGLISH:
            assert phrase not in err, err


def test_port_zero_is_refused_where_the_port_must_be_known(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert cli_main(["serve", "--port", "0", "--install-autostart"]) == 2
    assert cli_main(["install-libreoffice", "--port", "0"]) == 2
    assert cli_main(["ui", "--port", "0", "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert err.count("不能是 0") == 3
    assert not (tmp_path / "autostart").exists() and not (tmp_path / "jifen" / "client.json").exists()


# Messages argparse raises while a program *builds* its parser (a bug of ours, never a user's).
BUILD_ERRORS = {
    "'required' is an invalid argument for positionals", ".__call__() not defined",
    "cannot have multiple subparser arguments", "conflicting option string: %s",
    "conflicting subparser alias: %s", "conflicting subparser: %s", "dest= is required for options like %r",
    "invalid conflict_resolution value: %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "mutually exclusive arguments must be optional", "%r is not callable",
    "cannot merge actions - two groups are named %r", "argument '%(argument_name)s' is deprecated",
}


def test_every_message_argparse_can_show_a_user_is_translated():
    """Read from this Python's own argparse, so a newer Python's new words fail here first."""
    tree = ast.parse(inspect.getsource(argparse))
    found = {n.args[0].value for n in ast.walk(tree)
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("_", "ngettext")
             and n.args and isinstance(n.args[0], ast.Constant) and isinstance(n.args[0].value, str)}
    missing = sorted(m for m in found if m not in WORDS and m not in PLURAL and m not in BUILD_ERRORS)
    assert not missing, missing


# --------------------------------------------------------------------------- serve --port 0

def test_serve_on_port_zero_answers_on_the_port_it_picked(tmp_path):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "APPDATA": str(tmp_path),
           "PYTHONPATH": str(Path(__file__).parents[1])}
    proc = subprocess.Popen([sys.executable, "-m", "jifen_xl.cli", "serve", "--port", "0"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        port = int(re.search(r"127\.0\.0\.1:(\d+)/", line).group(1))
        assert 0 < port < 65536
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(base + "/v1/health", timeout=5)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert health.status_code == 200 and health.json()["ok"] is True
        token = (tmp_path / "jifen" / "token").read_text().strip()
        commands = httpx.get(base + "/v1/commands", headers={"X-Jifen-Token": token}, timeout=30)
        assert commands.status_code == 200, commands.text
        page = httpx.get(base + "/ui/", timeout=30, follow_redirects=False)       # 积分助手 on the same port
        assert page.status_code != 403, page.text
        assert httpx.get(base + "/v1/health", headers={"Host": "127.0.0.1:0"}, timeout=5).status_code == 403
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()


def test_serve_on_a_taken_port_is_a_chinese_refusal(tmp_path, capsys, monkeypatch):
    import socket

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        assert cli_main(["serve", "--port", str(taken.getsockname()[1])]) == 2
    assert "已被占用" in capsys.readouterr().err


# --------------------------------------------------------------------------- .desktop quoting

def _unescape_string(value: str) -> str:
    """Desktop Entry spec, "Possible value types": \\s \\n \\t \\r \\\\ in a string value."""
    out, i = [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            out.append({"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}.get(value[i + 1], "\\" + value[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _split_exec(value: str) -> list[str]:
    """Desktop Entry spec, "The Exec key": quoted arguments, backslash before " ` $ \\ inside
    quotes, %% a literal percent; any other field code is an error here."""
    value = _unescape_string(value)
    args, cur, i, quoted, has = [], [], 0, False, False
    while i < len(value):
        ch = value[i]
        if quoted:
            if ch == "\\":
                assert value[i + 1] in '"`$\\', f"bad escape in {value!r}"
                cur.append(value[i + 1])
                i += 2
                continue
            if ch == '"':
                quoted = False
            else:
                assert ch not in "`$", f"unescaped {ch!r} in {value!r}"
                cur.append(ch)
        elif ch == '"':
            quoted, has = True, True
        elif ch == " ":
            if cur or has:
                args.append("".join(cur))
            cur, has = [], False
        else:
            cur.append(ch)
        i += 1
    assert not quoted
    if cur or has:
        args.append("".join(cur))
    for n, a in enumerate(args):
        assert re.fullmatch(r"(?:[^%]|%%)*", a), f"field code in {a!r}"
        args[n] = a.replace("%%", "%")
    return args


NASTY = ["/home/张三/my venv/bin/python3", '/opt/a"b/python', "/opt/50%/python", "/opt/%f/python",
         "/opt/$HOME/`id`/python", "/opt/back\\slash/python", "/opt/new\nExec=evil/python", "/opt/tab\there/py",
         "/opt/semi;colon & amp|pipe/py", "/opt/'single'/py", "/opt/\\n/py"]


@pytest.mark.parametrize("python", NASTY)
def test_desktop_entry_exec_round_trips_any_path(python, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    path, text = autostart.entry(False, 39800, python=python)
    lines = text.split("\n")
    keys = [line.split("=", 1)[0] for line in lines if "=" in line]
    assert keys == ["Type", "Name", "Comment", "Exec", "Terminal", "NoDisplay", "X-GNOME-Autostart-enabled"]
    exec_value = next(line for line in lines if line.startswith("Exec="))[len("Exec="):]
    assert _split_exec(exec_value) == [python, "-m", "jifen_xl.cli", "serve", "--port", "39800"]


def test_desktop_entry_installed_through_the_cli_is_one_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr(autostart, "_python", lambda windows: "/opt/x\nExec=rm -rf ~/python3")
    assert cli_main(["serve", "--install-autostart", "--port", "39812"]) == 0
    text = (tmp_path / "autostart" / "jifen-serve.desktop").read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.startswith("Exec")] == \
        ['Exec="/opt/x\\nExec=rm -rf ~/python3" -m jifen_xl.cli serve --port 39812']


# --------------------------------------------------------------------------- .cmd quoting

def _cmd_start_program(line: str) -> str:
    """The program `start "" /min "<program>" …` runs, as cmd.exe reads a batch line with
    delayed expansion off: %% → %, then the first quoted token after /min (inside quotes
    & ^ | < > are plain characters)."""
    expanded = re.sub(r"%%", "%", line)
    assert re.fullmatch(r'(?:[^%]|%%)*', line), "a lone % would be expanded by cmd.exe"
    m = re.fullmatch(r'start "" /min "([^"]*)" -m jifen_xl\.cli serve --port \d+', expanded)
    assert m, line
    return m.group(1)


@pytest.mark.parametrize("python", [r"C:\Program Files\Python311\pythonw.exe", r"C:\Users\张三\AppData\py\pythonw.exe",
                                    r"C:\50%\pythonw.exe", r"C:\%PATH%\pythonw.exe", r"C:\a^b\pythonw.exe",
                                    r"C:\R&D\pythonw.exe", r"C:\wow!\pythonw.exe", r"C:\x (y)\pythonw.exe"])
def test_windows_cmd_runs_exactly_the_python_path(python, tmp_path, monkeypatch):
    monkeypatch.setenv("APPDATA", str(tmp_path))
    _path, text = autostart.entry(True, 39800, python=python)
    lines = text.split("\r\n")
    assert lines[0] == "@echo off" and "chcp 65001 >nul" in lines and "setlocal DisableDelayedExpansion" in lines
    start = next(line for line in lines if line.startswith("start "))
    assert _cmd_start_program(start) == python


def test_windows_cmd_refuses_a_path_it_cannot_quote(tmp_path, monkeypatch):
    monkeypatch.setenv("APPDATA", str(tmp_path))
    monkeypatch.setattr(autostart, "_python", lambda windows: 'C:\\a"b\\pythonw.exe')
    with pytest.raises(autostart.AutostartError) as refused:
        autostart.install(39800, windows=True)
    assert "引号" in refused.value.message
    assert not list(tmp_path.rglob("*.cmd"))


def test_an_undecodable_python_path_is_refused_in_chinese(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr(autostart, "_python", lambda windows: "/opt/\udcff/python3")
    assert cli_main(["serve", "--install-autostart"]) == 2
    assert "无法识别的字符" in capsys.readouterr().err
    assert not (tmp_path / "autostart" / "jifen-serve.desktop").exists()
