"""积分助手 in process (issue #25): the login, the refusals, and a press equal to the CLI.

The page's routes are driven through Starlette's TestClient on the service app with the
page in front (``with_assistant``), as `jifen ui` builds it. The browser itself is in
tests/test_assistant_browser.py.
"""
from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import pytest

from contract import scenario_class, write_xlsx
from doors import FileDoor, _read_all

from jifen_xl.assistant import Assistant, with_assistant
from jifen_xl.assistant import auth, desktop
from jifen_xl.serve import create_app

PORT = 39811
BASE = f"http://127.0.0.1:{PORT}"
ORIGIN = {"Origin": BASE}
TOKEN = "service-token"


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "各班 工作簿"
    root.mkdir()
    write_xlsx(root / "高一3班.xlsx", scenario_class())
    (root / "sub").mkdir()
    write_xlsx(root / "sub" / "空白.xlsx", {"Sheet1": [["a"]]})
    (tmp_path / "secret.xlsx").write_bytes((root / "高一3班.xlsx").read_bytes())
    return root


@pytest.fixture
def made(folder, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    assistant = Assistant(TOKEN, PORT, [folder], tmp_path / "config" / "recent.json")
    client = TestClient(with_assistant(create_app(TOKEN, PORT), assistant), base_url=BASE)
    return assistant, client


def login(assistant, client):
    url = assistant.login_url()
    answer = client.get(url.removeprefix(BASE), follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer


# ---------------------------------------------------------------------------- logging in

def test_the_login_url_is_used_once_and_sets_a_strict_httponly_cookie(made):
    assistant, client = made
    url = assistant.login_url()
    assert url.startswith(f"http://127.0.0.1:{PORT}/ui/login?code=")
    answer = client.get(url.removeprefix(BASE), follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/"
    cookie = answer.headers["set-cookie"]
    parts = [p.strip() for p in cookie.split(";")]
    assert parts[0].startswith(f"{auth.SESSION_COOKIE}_{PORT}=") and len(parts[0]) > 40
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= set(parts)
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert client.get("/ui/api/state").status_code == 200
    # the same code again, from a browser without the session: refused (consumed)
    client.cookies.clear()
    again = client.get(url.removeprefix(BASE), follow_redirects=False)
    assert again.status_code == 403 and "已经用过或已过期" in again.text
    assert client.get("/ui/api/state").status_code == 401


def test_a_code_expires(monkeypatch):
    now = [1000.0]
    logins = auth.Logins(clock=lambda: now[0])
    code = logins.mint()
    now[0] += auth.CODE_TTL + 1
    assert logins.consume(code) is None
    assert logins.consume("made-up") is None and logins.consume(None) is None


def test_no_session_is_refused_with_a_chinese_message(made, folder):
    _, client = made
    for path in ("/ui/api/state", f"/ui/api/workbook?path={folder / '高一3班.xlsx'}",
                 f"/ui/api/download?path={folder / '高一3班.xlsx'}"):
        answer = client.get(path)
        assert answer.status_code == 401 and "jifen ui" in answer.json()["message"]
    answer = client.post("/ui/api/run", json={"path": str(folder / "高一3班.xlsx"), "command": "check"}, headers=ORIGIN)
    assert answer.status_code == 401
    assert not client.cookies
    client.cookies.set(f"{auth.SESSION_COOKIE}_{PORT}", "guessed")
    assert client.get("/ui/api/state").status_code == 401


def test_the_service_token_is_accepted_instead_of_the_cookie(made):
    _, client = made
    assert client.get("/ui/api/state", headers={auth.TOKEN_HEADER: TOKEN}).status_code == 200
    assert client.get("/ui/api/state", headers={auth.TOKEN_HEADER: "wrong"}).status_code == 401


def test_another_origin_or_host_is_refused_even_with_the_session(made, folder):
    assistant, client = made
    login(assistant, client)
    book = str(folder / "高一3班.xlsx")
    before = (folder / "高一3班.xlsx").read_bytes()
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"}, {"Origin": f"http://127.0.0.1:{PORT + 1}"},
                    {"Origin": BASE, "Sec-Fetch-Site": "same-site"}, {}):
        answer = client.post("/ui/api/run", json={"path": book, "command": "check"}, headers=headers)
        assert answer.status_code == 403, headers
        assert "拒绝访问" in answer.json()["message"]
    assert client.get("/ui/api/state", headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.get("/ui/api/state", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.get("/ui/api/state", headers={"Host": f"evil.example:{PORT}"}).status_code == 403
    assert client.get("/ui/", headers={"Host": "attacker.test"}).status_code == 403
    assert (folder / "高一3班.xlsx").read_bytes() == before


def test_no_cors_headers_for_the_page(made):
    assistant, client = made
    login(assistant, client)
    answer = client.options("/ui/api/run", headers={"Origin": "null", "Access-Control-Request-Method": "POST"})
    assert not any(k.lower().startswith("access-control-") for k in answer.headers)
    answer = client.get("/ui/api/state", headers={"Origin": BASE})
    assert answer.status_code == 200
    assert not any(k.lower().startswith("access-control-") for k in answer.headers)
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


def test_the_page_and_its_files_are_served_and_name_no_other_host(made):
    _, client = made
    page = client.get("/ui/")
    assert page.status_code == 200 and "积分助手" in page.text
    assert client.get("/", follow_redirects=False).headers["location"] == "/ui/"
    for name in ("app.js", "style.css"):
        text = client.get(f"/ui/static/{name}").text
        assert "http://" not in text and "https://" not in text     # works offline: no CDN
    assert "https://" not in page.text


# ---------------------------------------------------------------------------- files

def test_paths_outside_the_chosen_folder_are_refused(made, folder, tmp_path):
    assistant, client = made
    login(assistant, client)
    os.symlink(tmp_path / "secret.xlsx", folder / "link.xlsx")
    os.symlink(tmp_path, folder / "up")
    refused = [str(folder / ".." / "secret.xlsx"), "../secret.xlsx", str(tmp_path / "secret.xlsx"),
               str(folder / "link.xlsx"), str(folder / "up" / "secret.xlsx"), "/etc/passwd"]
    for given in refused:
        for route in ("workbook", "download"):
            answer = client.get(f"/ui/api/{route}", params={"path": given})
            assert answer.status_code == 403, (route, given)
            assert "只能打开所选文件夹中的工作簿" in answer.json()["message"]
        answer = client.post("/ui/api/run", json={"path": given, "command": "check"}, headers=ORIGIN)
        assert answer.status_code == 403
    (folder / "notes.txt").write_text("x")
    answer = client.get("/ui/api/download", params={"path": str(folder / "notes.txt")})
    assert answer.status_code == 403 and "不是 Excel 工作簿" in answer.json()["message"]
    answer = client.get("/ui/api/workbook", params={"path": str(folder / "无此文件.xlsx")})
    assert answer.status_code == 404 and "找不到" in answer.json()["message"]
    names = [b["name"] for f in client.get("/ui/api/state").json()["folders"] for b in f["workbooks"]]
    assert "link.xlsx" not in names and "secret.xlsx" not in names


def test_the_listing_detects_the_kind_from_sheet_names(made, folder):
    assistant, client = made
    login(assistant, client)
    state = client.get("/ui/api/state").json()
    books = {b["name"]: b for b in state["folders"][0]["workbooks"]}
    assert books["高一3班.xlsx"]["kind"] == "school" and books["高一3班.xlsx"]["label"] == "班级积分"
    assert books["空白.xlsx"]["kind"] is None and books["空白.xlsx"]["folder"] == "sub"
    assert state["recent"] == []


def test_the_workbook_view_has_the_schemes_buttons_and_the_settings_values(made, folder):
    from jifen_xl.serve import commands_json

    assistant, client = made
    login(assistant, client)
    book = folder / "高一3班.xlsx"
    import openpyxl
    wb = openpyxl.load_workbook(book)
    wb["设置"].append(["计算周", "2026-09-09"])
    wb.save(book)
    view = client.get("/ui/api/workbook", params={"path": str(book)}).json()
    declared = [c["button"] for c in commands_json() if c["scheme"] == "school"]
    assert [b["caption"] for b in view["buttons"]] == declared
    from jifen_xl.app import ACTIONS
    assert [b["help"] for b in view["buttons"]] == [ACTIONS[(b["command"], "school")].help for b in view["buttons"]]
    assert all(b["help"] for b in view["buttons"])
    week = next(b for b in view["buttons"] if b["command"] == "week")
    assert week["options"][0]["label"] == "计算周" and week["options"][0]["value"] == "2026-09-09"


# ---------------------------------------------------------------------------- pressing a button

def test_a_press_writes_the_file_exactly_as_the_command_line(made, folder, tmp_path):
    assistant, client = made
    login(assistant, client)
    book = folder / "高一3班.xlsx"
    twin = tmp_path / "twin" / book.name
    twin.parent.mkdir()
    shutil.copy(book, twin)
    answer = client.post("/ui/api/run", json={"path": str(book), "command": "week", "options": {"week": "2026-09-09"}},
                         headers=ORIGIN)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    cli = FileDoor().run(twin, "week", week="2026-09-09")
    assert data["exit_code"] == cli.code == 0
    assert _read_all(book) == cli.sheets
    assert data["outputs"] == ["校验", "周汇总", "上自习名单"]
    checks = cli.sheets["校验"]
    assert [[p[k] for k in checks[0]] for p in data["problems"]] == [
        [v if v is not None else None for v in r] + [None] * (len(checks[0]) - len(r)) for r in checks[1:]]
    assert "周汇总" in data["papers"]
    assert (folder / "jifen备份").is_dir()                       # the CLI's backup
    recent = client.get("/ui/api/state").json()["recent"]
    assert [r["path"] for r in recent] == [str(book.resolve())]


def test_input_errors_come_back_as_problems(made, folder):
    assistant, client = made
    login(assistant, client)
    book = folder / "高一3班.xlsx"
    import openpyxl
    wb = openpyxl.load_workbook(book)
    wb["日志"].append([None, 9999, None, "ZZZ"])
    wb.save(book)
    data = client.post("/ui/api/run", json={"path": str(book), "command": "week"}, headers=ORIGIN).json()
    assert data["exit_code"] == 1 and data["outputs"] == ["校验"]
    errors = [p for p in data["problems"] if p["级别"] == "错误"]
    assert errors and all(p["工作表"] == "日志" for p in errors)
    assert {p["行"] for p in errors} == {14}
    assert all(set(p) == {"工作表", "行", "列", "值", "问题", "级别"} for p in data["problems"])


def test_a_workbook_open_in_excel_gets_the_close_it_first_message(made, folder):
    assistant, client = made
    login(assistant, client)
    book = folder / "高一3班.xlsx"
    before = book.read_bytes()
    (folder / "~$高一3班.xlsx").write_bytes(b"owner")
    answer = client.post("/ui/api/run", json={"path": str(book), "command": "check"}, headers=ORIGIN)
    assert answer.status_code == 409
    assert "请先关闭" in answer.json()["message"]
    assert book.read_bytes() == before


def test_a_bad_option_and_an_unknown_command_are_refused(made, folder):
    assistant, client = made
    login(assistant, client)
    book = str(folder / "高一3班.xlsx")
    answer = client.post("/ui/api/run", json={"path": book, "command": "week", "options": {"week": "下周"}}, headers=ORIGIN)
    assert answer.status_code == 400 and "week" in answer.json()["message"]
    answer = client.post("/ui/api/run", json={"path": book, "command": "quarter"}, headers=ORIGIN)
    assert answer.status_code == 400 and "所需的工作表" in answer.json()["message"]


def test_open_asks_the_os_with_a_clean_environment(made, folder, monkeypatch):
    assistant, client = made
    login(assistant, client)
    started = []
    monkeypatch.setattr(desktop.subprocess, "Popen", lambda cmd, **kw: started.append((cmd, kw)))
    monkeypatch.setattr("shutil.which", lambda name, path=None: "/usr/bin/" + name)
    monkeypatch.setenv("VIRTUAL_ENV", "/some/venv")
    monkeypatch.setenv("PYTHONPATH", "/x")
    monkeypatch.setenv("PATH", os.pathsep.join(["/some/venv/bin", "/usr/bin"]))
    answer = client.post("/ui/api/open", json={"path": str(folder / "高一3班.xlsx")}, headers=ORIGIN)
    assert answer.status_code == 200, answer.text
    (cmd, kw), = started
    assert cmd[-1] == str((folder / "高一3班.xlsx").resolve())
    env = kw["env"]
    assert "VIRTUAL_ENV" not in env and "PYTHONPATH" not in env and env["PATH"] == "/usr/bin"


def test_clean_env_drops_the_venv_and_python_variables():
    env = desktop.clean_env({"PATH": os.pathsep.join(["/v/bin", "/usr/local/bin", "", "/usr/bin"]),
                             "VIRTUAL_ENV": "/v", "PYTHONHOME": "/h", "HOME": "/home/a"}, prefixes=("/v",))
    assert env == {"PATH": os.pathsep.join(["/usr/local/bin", "", "/usr/bin"]), "HOME": "/home/a"}


def test_launch_gives_a_login_url_only_to_the_token_holder(made, folder, tmp_path):
    assistant, client = made
    other = tmp_path / "其他"
    other.mkdir()
    write_xlsx(other / "龙潭村.xlsx", {"Sheet1": [["a"]]})
    body = {"folders": [str(other)], "open": str(other / "龙潭村.xlsx")}
    login(assistant, client)
    assert client.post("/ui/api/launch", json=body, headers=ORIGIN).status_code == 403     # a session is not enough
    client.cookies.clear()
    answer = client.post("/ui/api/launch", json=body, headers={auth.TOKEN_HEADER: TOKEN})
    assert answer.status_code == 200
    url = answer.json()["url"]
    landed = client.get(url.removeprefix(BASE), follow_redirects=False)
    assert landed.headers["location"].startswith("/ui/#open=")
    assert other.resolve() in assistant.folders.roots


def test_rollup_without_the_extra_says_how_to_install(made, folder, monkeypatch):
    import importlib

    assistant, client = made
    login(assistant, client)
    real = importlib.import_module

    def missing(name, *a, **k):
        if name in ("pyarrow", "duckdb"):
            raise ImportError(name)
        return real(name, *a, **k)
    monkeypatch.setattr(importlib, "import_module", missing)
    answer = client.post("/ui/api/rollup", json={"folder": str(folder)}, headers=ORIGIN)
    assert answer.status_code == 400 and 'pip install "jifen-xl[rollup]"' in answer.json()["message"]
    answer = client.post("/ui/api/rollup", json={"folder": str(folder.parent)}, headers=ORIGIN)
    assert answer.status_code == 403


def test_the_docs_page_shows_the_screenshots_it_names():
    import re
    import struct

    docs = Path(__file__).resolve().parents[1] / "docs"
    text = (docs / "积分助手.md").read_text(encoding="utf-8")
    images = re.findall(r"\]\((images/[^)]+\.png)\)", text)
    assert len(images) == 2
    for rel in images:
        raw = (docs / rel).read_bytes()
        width, height = (int(n) for n in re.search(r"(\d+)x(\d+)", rel).groups())
        assert raw[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", raw[16:24]) == (width, height)
        assert len(raw) < 200_000


def test_a_paper_link_returns_the_pdf_of_jifen_print(made, folder):
    assistant, client = made
    login(assistant, client)
    book = str(folder / "高一3班.xlsx")
    assert client.post("/ui/api/run", json={"path": book, "command": "week", "options": {"week": "2026-09-09"}},
                       headers=ORIGIN).status_code == 200
    papers = client.get("/ui/api/workbook", params={"path": book}).json()["papers"]
    assert "周汇总" in papers
    answer = client.get("/ui/api/paper", params={"path": book, "paper": "周汇总"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    refused = client.get("/ui/api/paper", params={"path": book, "paper": "无此表"})
    assert refused.status_code == 400 and "无此表" in refused.text and "<html" in refused.text


def test_a_refusal_waits_for_a_key_when_the_shortcut_opened_the_console(tmp_path, monkeypatch, capsys):
    import argparse

    from jifen_xl.assistant import launch

    asked = []
    monkeypatch.setattr(launch, "own_console", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": asked.append(prompt) or "")
    (tmp_path / "旧表.xls").write_bytes(b"old")
    args = argparse.Namespace(file=tmp_path / "旧表.xls", folder=None, port=PORT, no_browser=True)
    assert launch.run(args) == 2
    assert "不是 Excel 工作簿" in capsys.readouterr().err and asked == ["按回车键关闭本窗口……"]
