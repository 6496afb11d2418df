"""`jifen install-wps` and the WPS add-in's static files (issue #18).

The add-in's behaviour is tested by node (tests/wps/*.test.js, run by `make test`); here:
the committed js/actions.js matches the registered Actions, ribbon.xml is well formed and
names callbacks ribbon.js defines, and the installer lays out and registers the add-in,
puts the user's token into the installed copy only, and uninstalls cleanly.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest

from jifen_xl import __version__, wps_install
from jifen_xl.schemes import SCHEMES, catalog

ADDIN = wps_install.ADDIN_SRC
NS = "{http://schemas.microsoft.com/office/2006/01/customui}"
COMMANDS = catalog.commands(SCHEMES)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A private HOME / config folder, so no test touches the real profile or token."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("APPDATA", str(tmp_path / "appdata"))
    return tmp_path


def test_committed_actions_js_matches_the_actions():
    committed = (ADDIN / "js" / "actions.js").read_text(encoding="utf-8")
    assert committed == wps_install.actions_js(), "regenerate with: make generate"


def test_actions_table_covers_every_button_and_scheme():
    text = wps_install.actions_js()
    data = json.loads(text[text.index("var data = ") + len("var data = "):text.index(";\n  if (typeof module")])
    assert [(b["command"], b["label"]) for b in data["BUTTONS"]] == [(c.name, c.button) for c in COMMANDS]
    from jifen_xl.app import ACTIONS
    assert {(a["command"], a["scheme"]) for a in data["ACTIONS"]} == set(ACTIONS)
    assert data["DETECT"] == [{"scheme": s.name, "identify": list(s.identify), "shared": list(s.shared)}
                              for s in SCHEMES]
    week = next(a for a in data["ACTIONS"] if a["command"] == "week")
    assert "日志" in week["sheets"] and "设置" in week["sheets"]
    assert week["params"] == [{"name": "week", "kind": "date", "label": "计算周"}]


def test_ribbon_is_well_formed_and_names_defined_callbacks():
    root = ET.parse(ADDIN / "ribbon.xml").getroot()
    assert root.tag == NS + "customUI"
    tab = root.find(f"{NS}ribbon/{NS}tabs/{NS}tab")
    assert tab.get("label") == "积分"
    buttons = tab.findall(f".//{NS}button")
    assert [b.get("label") for b in buttons] == [c.button for c in COMMANDS]
    assert [b.get("id") for b in buttons] == [catalog.control_id(c.name) for c in COMMANDS]
    callbacks = {root.get("onLoad")} | {b.get(k) for b in buttons for k in ("onAction", "getEnabled", "getImage")}
    js = (ADDIN / "js" / "ribbon.js").read_text(encoding="utf-8")
    for name in callbacks:
        assert re.search(rf"root\.{name} = api\.{name};", js), name
        assert re.search(rf"function {name}\(", js), name
    html = (ADDIN / "index.html").read_text(encoding="utf-8")
    for src in re.findall(r'<script src="([^"]+)"', html):
        assert (ADDIN / src).is_file(), src


def test_repository_copy_holds_no_token():
    text = (ADDIN / "js" / "config.js").read_text(encoding="utf-8")
    assert '"token": ""' in text


def _entries(path: Path, tag: str) -> list[dict]:
    return [e.attrib for e in ET.parse(path).getroot().iter(tag)]


def test_install_lays_out_registers_and_carries_the_token(home):
    target = home / "jsaddons"
    target.mkdir()
    (target / "publish.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<jsplugins>\n'
        '  <jsplugin name="other" type="wps" url="http://127.0.0.1:3889/" version="1.0"/>\n</jsplugins>\n',
        encoding="utf-8")
    lines = wps_install.install(target, autostart=False)
    assert "已安装" in lines[0]
    dest = target / f"jifen_{__version__}"
    for rel in ("ribbon.xml", "index.html", "js/logic.js", "js/wps_adapter.js", "js/ribbon.js", "js/actions.js",
                "images/jifen.svg"):
        assert (dest / rel).is_file(), rel
    token = wps_install.service_token()
    assert len(token) >= 32
    config = (dest / "js" / "config.js").read_text(encoding="utf-8")
    assert json.dumps(token) in config and "http://127.0.0.1:39800" in config
    assert (dest / "js" / "config.js").stat().st_mode & 0o077 == 0
    # the repository copy stays token-free
    assert token not in (ADDIN / "js" / "config.js").read_text(encoding="utf-8")

    pub = _entries(target / "publish.xml", "jsplugin")
    assert [e["name"] for e in pub] == ["jifen", "other"]
    ours = pub[0]
    assert ours["type"] == "et" and ours["version"] == __version__
    assert ours["url"] == dest.resolve().as_uri() + "/"
    js = _entries(target / "jsplugins.xml", "jsplugin")
    assert [e["name"] for e in js] == ["jifen"] and js[0]["type"] == "et"
    sites = _entries(target / "authwebsite.xml", "website")
    assert sites == [{"origin": "null", "name": "jifen", "status": "enable"}]

    # installing again replaces, never duplicates
    wps_install.install(target, autostart=False)
    assert [e["name"] for e in _entries(target / "publish.xml", "jsplugin")] == ["jifen", "other"]
    assert len(_entries(target / "jsplugins.xml", "jsplugin")) == 1

    out = wps_install.uninstall(target)
    assert "已卸载" in out[0]
    assert not dest.exists()
    assert [e["name"] for e in _entries(target / "publish.xml", "jsplugin")] == ["other"]
    assert _entries(target / "jsplugins.xml", "jsplugin") == []
    assert _entries(target / "authwebsite.xml", "website") == []
    assert "没有找到" in wps_install.uninstall(target)[0]


def test_install_turns_on_the_service_autostart(home):
    target = home / "jsaddons"
    lines = wps_install.install(target)
    try:
        from jifen_xl import autostart
    except ImportError:   # before issue #17's autostart landed: a clear instruction instead
        assert "jifen serve --install-autostart" in lines[-1]
        return
    path, _ = autostart.entry(False, wps_install.DEFAULT_PORT)
    assert path.is_file() and str(path).startswith(str(home))
    assert "开机" in lines[-1]


def test_cli_install_wps(home):
    target = home / "jsaddons"
    env_python = [sys.executable, "-m", "jifen_xl.cli"]
    import os
    env = dict(os.environ)
    r = subprocess.run(env_python + ["install-wps", "--dir", str(target), "--no-autostart", "--port", "39811"],
                       capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parent.parent)
    assert r.returncode == 0, r.stderr
    assert "已安装 WPS 加载项" in r.stdout
    config = (target / f"jifen_{__version__}" / "js" / "config.js").read_text(encoding="utf-8")
    assert "http://127.0.0.1:39811" in config
    r = subprocess.run(env_python + ["install-wps", "--dir", str(target), "--uninstall"],
                       capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parent.parent)
    assert r.returncode == 0 and "已卸载" in r.stdout
    assert not (target / f"jifen_{__version__}").exists()
