"""LibreOffice and its Python are started with a clean environment (issue #23 case 13): no
virtual environment's folder on PATH, no VIRTUAL_ENV, no PYTHON* variable; and
`jifen install-libreoffice` run from an activated venv installs, and fails only in Chinese."""
from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from jifen_xl import lo_extension
from jifen_xl.book import libreoffice as lo
from jifen_xl.book.childenv import clean_env

SEP = os.pathsep
DIRTY = {"PYTHONHOME": "/opt/other", "PYTHONPATH": "/opt/other/lib", "PYTHONSTARTUP": "/x/start.py",
         "PYTHONEXECUTABLE": "/x/python", "PYTHONNOUSERSITE": "1", "VIRTUAL_ENV_PROMPT": "(v)"}


def _fake_venv(root: Path) -> Path:
    (root / "bin").mkdir(parents=True)
    (root / "pyvenv.cfg").write_text("home = /usr/bin\n")
    return root


def test_clean_env_drops_every_venv_and_python_variable(tmp_path):
    active = _fake_venv(tmp_path / "active venv")
    other = _fake_venv(tmp_path / "other")
    path = SEP.join([str(active / "bin"), str(active / "bin") + "/", "/usr/local/bin",
                     str(other / "bin"), "", "/usr/bin", f"{active}/tools"])
    env = clean_env({"HOME": "/p"}, {"PATH": path, "VIRTUAL_ENV": str(active), "LANG": "zh_CN.UTF-8",
                                     "JIFEN_SOFFICE": "/usr/bin/soffice", **DIRTY})
    assert env["PATH"].split(SEP) == ["/usr/local/bin", "/usr/bin"]
    assert not any(k.startswith("PYTHON") or k.startswith("VIRTUAL_ENV") for k in env)
    assert env["LANG"] == "zh_CN.UTF-8" and env["JIFEN_SOFFICE"] == "/usr/bin/soffice" and env["HOME"] == "/p"


def test_clean_env_on_windows_spelling_and_without_venv():
    env = clean_env(environ={"Path": "C:\\Windows", "pythonpath": "C:\\x"})
    assert env == {"Path": "C:\\Windows"}
    assert clean_env(environ={}) == {}


def test_our_own_venv_is_taken_off_path_even_when_not_activated(monkeypatch):
    monkeypatch.setattr(sys, "prefix", "/somewhere/venv")
    monkeypatch.setattr(sys, "base_prefix", "/usr")
    env = clean_env(environ={"PATH": SEP.join(["/somewhere/venv/bin", "/usr/bin"])})
    assert env["PATH"] == "/usr/bin"


def _activated(monkeypatch, tmp_path) -> Path:
    fake = _fake_venv(tmp_path / "venv")
    monkeypatch.setenv("VIRTUAL_ENV", str(fake))
    monkeypatch.setenv("PATH", SEP.join([str(fake / "bin"), os.environ.get("PATH", "")]))
    for k, v in DIRTY.items():
        monkeypatch.setenv(k, v)
    return fake


def _assert_clean(env: dict, fake: Path) -> None:
    assert env is not None
    assert "VIRTUAL_ENV" not in env and not any(k.startswith("PYTHON") for k in env)
    assert str(fake) not in env["PATH"]


def test_print_starts_soffice_with_a_clean_environment(monkeypatch, tmp_path):
    fake = _activated(monkeypatch, tmp_path)
    seen = {}

    def run(cmd, **kw):
        seen.update(kw["env"])
        return subprocess.CompletedProcess(cmd, 1, "", "stopped")
    monkeypatch.setattr(lo, "soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(lo.subprocess, "run", run)
    with pytest.raises(RuntimeError):
        lo.convert(tmp_path / "a.xlsx", "pdf", tmp_path / "out")
    _assert_clean(seen, fake)
    assert seen["HOME"] != os.environ.get("HOME")      # the private profile


def test_installer_starts_libreoffices_python_with_a_clean_environment(monkeypatch, tmp_path):
    fake = _activated(monkeypatch, tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    calls = []

    def run(cmd, **kw):
        calls.append(kw.get("env"))
        return subprocess.CompletedProcess(cmd, 0, "installed\n" if len(cmd) > 3 else "", "")
    monkeypatch.setattr(lo, "soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(lo_extension.subprocess, "run", run)
    monkeypatch.setenv("JIFEN_UNO_PYTHON", sys.executable)      # the first candidate probed
    assert lo_extension.install(tmp_path / "profile") == 0
    assert len(calls) >= 2            # the `import uno` probe, then the installer
    for env in calls:
        _assert_clean(env, fake)
    assert calls[-1]["JIFEN_SOFFICE"] == "/usr/bin/soffice"


def _jifen(args, env, timeout=600):
    return subprocess.run([sys.executable, "-m", "jifen_xl.cli", "install-libreoffice", *args], env=env,
                          capture_output=True, text=True, timeout=timeout)


def _no_traceback(run) -> None:
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr and "File \"" not in run.stderr
    assert "LibreOffice" in run.stderr and any("\u4e00" <= ch <= "\u9fff" for ch in run.stderr)


def test_install_failures_are_chinese_and_exit_2(tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("x")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "HOME": str(tmp_path)}
    _no_traceback(_jifen(["--dir", str(blocker / "profile")], env))
    if lo.soffice() is not None and lo_extension.uno_python() is not None:
        # LibreOffice that fails to start
        _no_traceback(_jifen(["--dir", str(tmp_path / "p")], {**env, "JIFEN_SOFFICE": "/bin/false"}))


needs_office = pytest.mark.skipif(lo.soffice() is None or lo_extension.uno_python() is None,
                                  reason="LibreOffice with python3-uno is not installed")


@needs_office
def test_install_libreoffice_from_an_activated_venv(tmp_path):
    """The case as a clerk meets it: `source venv/bin/activate; jifen install-libreoffice`."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    env = {**os.environ, "PATH": SEP.join([str(bindir), os.environ.get("PATH", "")]),
           "VIRTUAL_ENV": str(env_dir), "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "HOME": str(tmp_path)}
    profile = tmp_path / "profile"
    done = _jifen(["--dir", str(profile)], env)
    assert done.returncode == 0, done.stderr
    assert list((profile / "user" / "uno_packages" / "cache" / "uno_packages").rglob("jifen.oxt"))
    gone = _jifen(["--dir", str(profile), "--uninstall"], env)
    assert gone.returncode == 0, gone.stderr
