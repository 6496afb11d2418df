"""The offline Windows bundle (`make bundle-windows`, windows/bundle.py) and its installer (issue #19).

Always run: the xlwings configuration written by the installer (jifen_xl/winsetup.py), the
installer's text, and the dependency-closure check with Windows markers.

Need PyPI and a few minutes, so they run only with JIFEN_BUNDLE_TESTS=1 (`make
bundle-check`; not part of `make test`/CI, to keep CI time bounded):
* the folder built for win_amd64 / CPython 3.11 resolves with `pip install --dry-run
  --no-index` for that platform, pywin32 included;
* the same folder built for this machine (`--host`) installs into a fresh venv, offline,
  and runs `jifen demo` in a folder whose path has spaces and Chinese characters.
What cannot be run here: the .bat itself on Windows, the python.org installer, Excel.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from jifen_xl import winsetup

REPO = Path(__file__).resolve().parents[1]
NETWORK = pytest.mark.skipif(os.environ.get("JIFEN_BUNDLE_TESTS") != "1",
                             reason="needs PyPI and minutes: run `make bundle-check` (JIFEN_BUNDLE_TESTS=1)")
INTERPRETER = r"C:\jifen\venv\Scripts\pythonw.exe"


def bundle_module():
    spec = importlib.util.spec_from_file_location("jifen_bundle", REPO / "windows" / "bundle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------
# xlwings' user configuration
# ---------------------------------------------------------------------------

def test_config_written_when_absent_and_read_back_by_xlwings(tmp_path, monkeypatch):
    import xlwings
    from xlwings import utils

    config = winsetup.user_config_path({"USERPROFILE": str(tmp_path / "张三")})
    assert config == tmp_path / "张三" / ".xlwings" / "xlwings.conf"
    assert winsetup.configure(config, INTERPRETER) == winsetup.WRITTEN
    raw = config.read_bytes()
    raw.decode("ascii")
    assert raw.count(b"\r\n") == 2 and b"\n" not in raw.replace(b"\r\n", b"")
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(config))
    assert utils.read_user_config()["interpreter_win"] == INTERPRETER
    assert winsetup.configure(config, INTERPRETER) == winsetup.ALREADY
    assert config.read_bytes() == raw


def test_config_we_wrote_is_updated_keeping_the_users_other_keys(tmp_path):
    config = tmp_path / "xlwings.conf"
    winsetup.configure(config, r"C:\old\pythonw.exe")
    config.write_bytes(config.read_bytes() + b'"LICENSE_KEY","noncommercial"\r\n')
    assert winsetup.configure(config, INTERPRETER) == winsetup.WRITTEN
    pairs = dict(winsetup.parse(config.read_text()))
    assert pairs["INTERPRETER_WIN"] == INTERPRETER and pairs["LICENSE_KEY"] == "noncommercial"
    assert winsetup.MARKER_KEY in pairs


def test_a_config_we_did_not_write_is_never_touched(tmp_path, capsys):
    config = tmp_path / ".xlwings" / "xlwings.conf"
    config.parent.mkdir()
    theirs = b'"INTERPRETER_WIN","D:\\Anaconda\\pythonw.exe"\r\n"CONDA ENV","base"\r\n'
    config.write_bytes(theirs)
    assert winsetup.configure(config, INTERPRETER) == winsetup.LEFT_ALONE
    assert winsetup.main(["--interpreter", INTERPRETER, "--config", str(config)]) == 3
    assert config.read_bytes() == theirs
    out = capsys.readouterr().out
    assert "没有改动" in out and f'"INTERPRETER_WIN","{INTERPRETER}"' in out


def test_a_chinese_interpreter_path_is_refused(tmp_path, capsys):
    code = winsetup.main(["--interpreter", r"C:\Users\张三\python\pythonw.exe", "--config", str(tmp_path / "c")])
    assert code == 2 and "英文路径" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


# ---------------------------------------------------------------------------
# The installer's text
# ---------------------------------------------------------------------------

def test_installer_text_for_cmd_on_chinese_windows():
    bundle = bundle_module()
    raw = bundle.bat_text("0.1.0", "3.11", ["pywin32"])
    text = raw.decode("gbk")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert "@" not in text.replace("@echo", "")
    lines = text.split("\r\n")
    assert lines[0] == "@echo off"
    assert 'cd /d "%~dp0"' in lines
    assert r'set "TARGET=C:\jifen"' in lines
    install = next(line for line in lines if "pip install" in line)
    assert "--no-index" in install and '--find-links "%HERE%wheels"' in install and install.endswith("jifen-xl pywin32")
    assert any("-m jifen_xl.winsetup --interpreter" in line and r"Scripts\pythonw.exe" in line for line in lines)
    assert any("python-3.11*-amd64.exe" in line for line in lines)      # uses the installer when present
    assert any("py -3.11-64" in line for line in lines)                  # or an existing 64-bit 3.11
    for line in lines:                                                   # commands are ASCII
        head = line.split("echo ", 1)[0] if "echo " in line else line.split("rem ", 1)[0]
        assert head.isascii(), line


def _fake_wheel(folder: Path, name: str, version: str, requires: list[str], tag: str = "py3-none-any") -> None:
    dist = f"{name.replace('-', '_')}-{version}"
    meta = "Metadata-Version: 2.1\nName: %s\nVersion: %s\n%s\n" % (
        name, version, "".join(f"Requires-Dist: {r}\n" for r in requires))
    with zipfile.ZipFile(folder / f"{dist}-{tag}.whl", "w") as wheel:
        wheel.writestr(f"{dist}.dist-info/METADATA", meta)


def test_closure_check_evaluates_markers_for_windows(tmp_path):
    bundle = bundle_module()
    _fake_wheel(tmp_path, "app", "1.0", ["xlwings==0.37.8", 'duckdb; extra == "rollup"'])
    _fake_wheel(tmp_path, "xlwings", "0.37.8",
                ['pywin32>=224; platform_system == "Windows"', 'appscript; platform_system == "Darwin"'],
                tag="cp311-cp311-win_amd64")
    windows = bundle.windows_environment("3.11")
    tags = bundle.target_tags("3.11", "win_amd64")
    problems, missing = bundle.closure_problems(tmp_path, ["app==1.0"], windows, tags)
    assert problems == [] and missing == ['pywin32>=224; platform_system == "Windows"']
    linux = {**windows, "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"}
    assert bundle.closure_problems(tmp_path, ["app==1.0"], linux, tags) == ([], [])
    assert bundle.closure_problems(tmp_path, ["app[rollup]==1.0"], linux, tags)[1] == ['duckdb; extra == "rollup"']
    _fake_wheel(tmp_path, "pywin32", "312", [], tag="cp311-cp311-win32")       # 32-bit: wrong platform
    problems, _ = bundle.closure_problems(tmp_path, ["app==1.0"], windows, tags)
    assert problems == ["pywin32-312-cp311-cp311-win32.whl does not fit the target"]


# ---------------------------------------------------------------------------
# With PyPI: build the folders and prove what can be proven here
# ---------------------------------------------------------------------------

@NETWORK
def test_windows_bundle_resolves_offline_for_win_amd64_cp311(tmp_path):
    out = tmp_path / "bundle"
    subprocess.run([sys.executable, str(REPO / "windows" / "bundle.py"), "--out", str(out), "--no-python-installer"], check=True,
                   timeout=1800)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = [w["file"] for w in manifest["wheels"]]
    assert any(f.startswith("pywin32-") and f.endswith("-cp311-cp311-win_amd64.whl") for f in files)
    assert any(f.startswith("xlwings-0.37.8-") for f in files)
    assert not any(f.startswith(("pyarrow-", "duckdb-", "openpyxl-")) for f in files)
    assert all(f.endswith(("-win_amd64.whl", "-none-any.whl", "-abi3-win_amd64.whl")) for f in files), files
    assert {"jifen-xl", "pywin32", "xlwings", "pandas", "tzdata"} <= {n.lower() for n in manifest["resolved"]}
    assert (out / "安装.bat").read_bytes() == (out / "install.bat").read_bytes()
    assert {p.name for p in (out / "模板").iterdir()} >= {"班级积分.xlsm", "乡村积分.xlsm", "积分台账.xlsm"}
    bundle = bundle_module()
    # issue #25: the docs the installer points to are inside. Size: the folder as built here
    # stays within the 70 MB budget; python.org's 3.11.9 installer (26.2 MB, added by the
    # builder) takes it over: 67.1 + 26.2 MB measured on 2026-12-07 with typst 0.15.2 (29.6 MB),
    # reported in the issue rather than hidden here.
    assert (out / "docs" / "积分助手.md").is_file() and (out / "docs" / "excel-install.md").is_file()
    assert bundle.folder_bytes(out) <= bundle.BUDGET_BYTES
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--target", str(tmp_path / "t"),
         "--platform", "win_amd64", "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
         "--only-binary=:all:", "--no-index", "--find-links", str(out / "wheels"), "jifen-xl", "pywin32"],
        capture_output=True, text=True, env=bundle.offline_env(), timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Would install" in done.stdout and "pywin32-" in done.stdout


@NETWORK
def test_host_bundle_installs_offline_and_runs_demo_from_a_chinese_path_with_spaces(tmp_path):
    out = tmp_path / "bundle"
    subprocess.run([sys.executable, str(REPO / "windows" / "bundle.py"), "--host", "--out", str(out)],
                   check=True, timeout=1800)
    venv = tmp_path / "fresh venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    # a PC with only the bundle: no pip configuration, and not this repository on the path
    env = {k: v for k, v in bundle_module().offline_env().items() if k != "PYTHONPATH"}
    subprocess.run([str(python), "-m", "pip", "install", "--no-index", "--find-links", str(out / "wheels"),
                    "jifen-xl"], check=True, env=env, timeout=900)
    place = tmp_path / "积分 文件夹" / "高一 3班"
    place.mkdir(parents=True)
    env |= {"XLWINGS_LICENSE_KEY": "noncommercial"}
    done = subprocess.run([str(venv / "bin" / "jifen"), "demo", "示例 工作簿"], cwd=place, env=env,
                          capture_output=True, text=True, timeout=1800, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (place / "示例 工作簿" / "班级积分-示例.xlsx").exists()
    probe = subprocess.run([str(python), "-c", "import jifen_xl, sys; print(jifen_xl.__file__)"],
                           cwd=place, env=env, capture_output=True, text=True, check=True)
    assert str(venv) in probe.stdout                     # the installed copy ran, not the repository


def test_install_docs_cover_what_a_clerk_meets():
    """docs/excel-install.md (Chinese, for a non-programmer) keeps the steps issue #19 asks for."""
    text = (REPO / "docs" / "excel-install.md").read_text(encoding="utf-8")
    bundle_at = text.index("离线安装包")
    assert bundle_at < text.index("联网安装")                       # the bundle route comes first
    for needed in ("安装.bat", r"C:\jifen", "宏设置", "信任对 VBA 工程对象模型的访问", "解除锁定",
                   "Defender", "360", "火绒", "中文", "#1934", "#2187", "cd /d", "Windows 7", "32 位",
                   "验收清单", "没有在真实", "python-3.11", "xlwings.conf"):
        assert needed in text, needed
