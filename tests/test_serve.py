"""`jifen serve` (issue #17): the contract of WORKBOOKS.md "The local service" — same cells as
the command line, and the security rules (token, Host, CORS, body limit, loopback only)."""
from __future__ import annotations

import io
import json
import os
import shutil
import stat
import threading
from contextlib import redirect_stdout
from pathlib import Path

import warnings

import pytest

with warnings.catch_warnings():      # starlette 1.x suggests httpx2 for its TestClient
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from jifen_xl import serve
from jifen_xl.app import find_action
from jifen_xl.cli import main as cli_main
from jifen_xl.runner import run_action
from serve_helpers import grid, request_sheets, workbook_grid

TOKEN = "test-token"
PORT = 39800
BASE = f"http://127.0.0.1:{PORT}"
AUTH = {serve.TOKEN_HEADER: TOKEN}

# Every workbook command of the demo workbooks, with options as `jifen demo` runs them.
DEMO_COMMANDS = {
    "班级积分-示例.xlsx": [("check", {}), ("week", {}), ("month", {}), ("awards", {}), ("exams", {})],
    "乡村积分-示例.xlsx": [("check", {}), ("quarter", {}), ("year", {})],
    "积分台账-示例.xlsx": [("check", {}), ("ledger", {}), ("passbook", {"all": True})],
}
CLI_OPTS = {"all": True}


@pytest.fixture(scope="module")
def client():
    with TestClient(serve.create_app(TOKEN, PORT), base_url=BASE) as c:
        yield c


def _no_traceback(resp):
    body = resp.json()
    assert isinstance(body.get("message"), str) and body["message"]
    assert "Traceback" not in resp.text and 'File "' not in resp.text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body   # a Chinese message
    return body["message"]


def cli_outputs(path: Path, command: str, opts: dict, tmp: Path) -> Path:
    """A copy of ``path`` after `jifen <command>` wrote into it (the file door)."""
    copy = tmp / f"{command}-{path.name}"
    shutil.copy(path, copy)
    from jifen_xl.book.reader import workbook_sheet_names
    action = find_action(command, workbook_sheet_names(copy))
    with redirect_stdout(io.StringIO()):
        run_action(action, copy, opts)
    return copy


def assert_same_cells(body: dict, copy: Path) -> None:
    names = [o["name"] for o in body["outputs"]]
    assert names[0] == "校验"
    for out in body["outputs"]:
        assert out["rows"], out["name"]
        assert grid(out["rows"]) == workbook_grid(copy, out["name"]), \
            f"{copy.name} {out['name']}: the service's cells differ from `jifen`'s"


# --------------------------------------------------------------------------- contract

def test_health_needs_no_token(client):
    r = client.get("/v1/health")
    assert r.status_code == 200
    from jifen_xl import __version__
    assert r.json() == {"ok": True, "version": __version__}


def test_every_demo_command_gives_the_cells_the_command_line_writes(client, demo_dir, tmp_path):
    for book, commands in DEMO_COMMANDS.items():
        path = demo_dir / book
        sheets = request_sheets(path)
        for command, opts in commands:
            r = client.post(f"/v1/run/{command}", json={"sheets": sheets, "options": opts}, headers=AUTH)
            assert r.status_code == 200, r.text
            body = r.json()
            assert set(body) == {"exit_code", "summary", "problems", "outputs"}
            assert body["exit_code"] == 0 and body["summary"]
            for out in body["outputs"]:
                assert set(out) == {"name", "rows", "format"}
                json.dumps(out["format"])
            assert_same_cells(body, cli_outputs(path, command, opts, tmp_path))


def test_dates_as_excel_serials_in_date_columns_give_the_same_cells(client, demo_dir, tmp_path):
    """A client that sends date cells as serial numbers (WPS' Value2) gets the same outputs."""
    from datetime import date
    path = demo_dir / "班级积分-示例.xlsx"
    sheets = request_sheets(path)
    serial = lambda iso: (date.fromisoformat(iso) - date(1899, 12, 30)).days  # noqa: E731
    converted = 0
    for name in ("日志", "宿舍检查", "考试"):
        col = sheets[name][0].index("日期")
        for row in sheets[name][1:]:
            if isinstance(row[col], str) and len(row[col]) == 10:
                row[col] = serial(row[col])
                converted += 1
    for row in sheets["设置"]:
        if row and row[0] in ("学期开始", "学期结束") and isinstance(row[1], str):
            row[1] = serial(row[1])
            converted += 1
    assert converted > 100
    r = client.post("/v1/run/week", json={"sheets": sheets}, headers=AUTH)
    assert r.status_code == 200, r.text
    assert_same_cells(r.json(), cli_outputs(path, "week", {}, tmp_path))


def test_input_errors_give_exit_code_1_and_only_check(client):
    from contract import scenario_class
    sheets = {name: [[v.isoformat() if hasattr(v, "isoformat") else v for v in row] for row in rows]
              for name, rows in scenario_class().items()}
    sheets["日志"].append(["2026-09-08", "9999", None, "X02", None, 1, None, None, None])
    r = client.post("/v1/run/week", json={"sheets": sheets}, headers=AUTH)
    assert r.status_code == 200
    body = r.json()
    assert body["exit_code"] == 1
    assert [o["name"] for o in body["outputs"]] == ["校验"]
    errors = [p for p in body["problems"] if p["级别"] == "错误"]
    assert errors and errors[0]["工作表"] == "日志" and errors[0]["列"] == "对象"
    assert set(errors[0]) == {"工作表", "行", "列", "值", "问题", "级别"}


def test_options_use_the_command_line_names(client, demo_dir, tmp_path):
    path = demo_dir / "班级积分-示例.xlsx"
    sheets = request_sheets(path)
    r = client.post("/v1/run/week", json={"sheets": sheets, "options": {"week": "2026-09-09"}}, headers=AUTH)
    assert r.status_code == 200
    week = r.json()["outputs"][1]
    assert week["name"] == "周汇总" and week["rows"][1][0] == "2026-09-07"
    assert_same_cells(r.json(), cli_outputs(path, "week", {"week": __import__("datetime").date(2026, 9, 9)},
                                            tmp_path))
    r = client.post("/v1/run/week", json={"sheets": sheets, "options": {"weak": "2026-09-09"}}, headers=AUTH)
    assert r.status_code == 400 and "weak" in _no_traceback(r)
    r = client.post("/v1/run/week", json={"sheets": sheets, "options": {"week": "九月"}}, headers=AUTH)
    assert r.status_code == 400 and "week" in _no_traceback(r)


def test_commands_lists_sheets_and_option_labels(client):
    assert client.get("/v1/commands").status_code == 401
    cmds = client.get("/v1/commands", headers=AUTH).json()["commands"]
    by = {(c["command"], c["scheme"]): c for c in cmds}
    assert by[("week", "school")]["button"] == "本周汇总"
    assert {"名册", "日志", "设置"} <= set(by[("week", "school")]["sheets"])
    assert by[("week", "school")]["options"][0]["label"] == "计算周"
    assert "学期奖励" in by[("awards", "school")]["sheets"]
    from jifen_xl.schemes import SCHEMES
    assert [(c["command"], c["scheme"], c["button"]) for c in cmds] == [
        (a.name, s.name, a.button) for s in SCHEMES for a in s.actions]


# --------------------------------------------------------------------------- security

def test_missing_or_wrong_token_is_401(client):
    body = {"sheets": {"名册": [["学号"]]}}
    for headers in ({}, {serve.TOKEN_HEADER: "wrong"}, {serve.TOKEN_HEADER: ""},
                    {serve.TOKEN_HEADER: TOKEN + "x"}):
        r = client.post("/v1/run/week", json=body, headers=headers)
        assert r.status_code == 401
        _no_traceback(r)


def test_foreign_host_is_403(client):
    for host in ("evil.example:39800", "127.0.0.1:8080", "localhost", "127.0.0.1", "0.0.0.0:39800",
                 "127.0.0.1.evil.example:39800"):
        r = client.get("/v1/health", headers={"Host": host})
        assert r.status_code == 403, host
        _no_traceback(r)
        r = client.post("/v1/run/week", json={}, headers={**AUTH, "Host": host})
        assert r.status_code == 403, host
    assert client.get("/v1/health", headers={"Host": f"localhost:{PORT}"}).status_code == 200


def test_cors_allows_only_our_clients(client):
    pre = {"Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": f"{serve.TOKEN_HEADER}, content-type"}
    ok = client.options("/v1/run/week", headers={"Origin": "null", **pre})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "null"
    bad = client.options("/v1/run/week", headers={"Origin": "https://evil.example", **pre})
    assert bad.headers.get("access-control-allow-origin") != "https://evil.example"
    r = client.get("/v1/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    for resp in (ok, bad, r):
        assert resp.headers.get("access-control-allow-origin") != "*"


def test_malformed_bodies_are_400_with_a_message(client):
    cases = [b"{not json", b"\xff\xfe", b"[1, 2]", b'"text"', b"{}", b'{"sheets": []}',
             b'{"sheets": {"\xe5\x90\x8d\xe5\x86\x8c": "x"}}',
             b'{"sheets": {"\xe5\x90\x8d\xe5\x86\x8c": [[{"a": 1}]]}}',
             b'{"sheets": {"\xe5\x90\x8d\xe5\x86\x8c": [[NaN]]}}',
             b'{"sheets": {"Sheet1": [["a"]]}}',
             b'{"sheets": {"\xe5\x90\x8d\xe5\x86\x8c": [["a"]]}, "options": [1]}',
             b"[" * 100000]
    for raw in cases:
        r = client.post("/v1/run/week", content=raw, headers={**AUTH, "Content-Type": "application/json"})
        assert r.status_code == 400, (raw[:40], r.status_code, r.text[:200])
        _no_traceback(r)


def test_unknown_command_or_path_is_404(client):
    r = client.post("/v1/run/format-disk", json={"sheets": {"名册": [["学号"]]}}, headers=AUTH)
    assert r.status_code == 404 and "format-disk" in _no_traceback(r)
    for path in ("/v1/files", "/v1/run", "/", "/v1/run/week/../../etc/passwd"):
        r = client.get(path, headers=AUTH)
        assert r.status_code in (404, 405)
        _no_traceback(r)
    r = client.get("/v1/run/week", headers=AUTH)
    assert r.status_code == 405
    _no_traceback(r)


def test_body_over_64_mb_is_413(client):
    r = client.post("/v1/run/week", content=b" " * (serve.MAX_BODY + 1),
                    headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 413
    _no_traceback(r)


def test_streamed_body_without_length_is_cut_at_the_limit(client, monkeypatch):
    monkeypatch.setattr(serve, "MAX_BODY", 1000)

    def chunks():
        for _ in range(50):
            yield b" " * 100
    r = client.post("/v1/run/week", content=chunks(), headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 413
    _no_traceback(r)


def test_internal_errors_are_500_without_traceback(monkeypatch):
    def boom(command, payload):
        raise ZeroDivisionError("secret internals")
    monkeypatch.setattr(serve, "run_command", boom)
    with TestClient(serve.create_app(TOKEN, PORT), base_url=BASE, raise_server_exceptions=False) as quiet:
        r = quiet.post("/v1/run/week", json={"sheets": {"名册": [["学号"]]}}, headers=AUTH)
    assert r.status_code == 500
    assert "secret internals" not in r.text
    _no_traceback(r)


def test_non_loopback_bind_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    for host in ("0.0.0.0", "::", "192.168.1.5", "localhost"):
        assert cli_main(["serve", "--host", host, "--port", "39999"]) == 2
        assert "127.0.0.1" in capsys.readouterr().err


def test_token_is_created_once_and_private(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert cli_main(["serve", "--print-token"]) == 0
    token = capsys.readouterr().out.strip()
    path = tmp_path / "cfg" / "jifen" / "token"
    assert path.read_text().strip() == token and len(token) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cli_main(["serve", "--print-token"]) == 0
    assert capsys.readouterr().out.strip() == token
    os.chmod(path, 0o644)                         # loosened by hand: tightened again
    assert serve.ensure_token() == token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_token_path_follows_the_platform_convention(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert serve.token_path() == tmp_path / ".config" / "jifen" / "token"


def test_runs_on_one_workbook_wait_for_each_other(monkeypatch, client):
    started, log = threading.Event(), []
    release = threading.Event()

    def slow(command, payload):
        log.append(("start", payload["workbook"]))
        if payload["workbook"] == "A" and not started.is_set():
            started.set()
            release.wait(20)
        log.append(("end", payload["workbook"]))
        return {"exit_code": 0, "summary": [], "problems": [], "outputs": []}
    monkeypatch.setattr(serve, "run_command", slow)

    def post(wb):
        client.post("/v1/run/week", json={"workbook": wb, "sheets": {}}, headers=AUTH)
    first = threading.Thread(target=post, args=("A",))
    first.start()
    assert started.wait(20)
    second = threading.Thread(target=post, args=("A",))
    other = threading.Thread(target=post, args=("B",))
    second.start()
    other.start()
    other.join(20)                                # another workbook is not held up
    assert ("end", "B") in log
    assert log.count(("start", "A")) == 1         # the same workbook waits
    release.set()
    first.join(20)
    second.join(20)
    a = [e for e in log if e[1] == "A"]
    assert a == [("start", "A"), ("end", "A"), ("start", "A"), ("end", "A")]


def test_workbook_key_without_an_id_depends_on_the_workbook():
    one = {"sheets": {"设置": [["项目", "值"], ["班级", "一班"]], "名册": []}}
    two = {"sheets": {"设置": [["项目", "值"], ["班级", "二班"]], "名册": []}}
    assert serve.workbook_key(one) == serve.workbook_key(json.loads(json.dumps(one)))
    assert serve.workbook_key(one) != serve.workbook_key(two)
    assert serve.workbook_key({**one, "workbook": "x"}) == serve.workbook_key({**two, "workbook": "x"})


# --------------------------------------------------------------------------- autostart

def test_autostart_on_linux_is_an_xdg_entry(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert cli_main(["serve", "--install-autostart", "--port", "39811"]) == 0
    entry = tmp_path / "autostart" / "jifen-serve.desktop"
    text = entry.read_text(encoding="utf-8")
    assert text.startswith("[Desktop Entry]\n") and "Type=Application" in text
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert "-m jifen_xl.cli serve --port 39811" in exec_line
    assert (tmp_path / "jifen" / "token").exists()
    assert cli_main(["serve", "--remove-autostart"]) == 0
    assert not entry.exists()
    assert cli_main(["serve", "--remove-autostart"]) == 0
    assert "无需取消" in capsys.readouterr().out


def test_autostart_on_windows_is_a_startup_folder_command(tmp_path, monkeypatch):
    from jifen_xl import autostart
    monkeypatch.setenv("APPDATA", str(tmp_path))
    path, text = autostart.entry(True, 39800, python=r"C:\Program Files\jifen\pythonw.exe")
    assert path == tmp_path / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup" / "jifen-serve.cmd"
    assert text.splitlines()[0] == "@echo off"
    assert '"C:\\Program Files\\jifen\\pythonw.exe" -m jifen_xl.cli serve --port 39800' in text
    assert text.count("\r\n") == len(text.splitlines())        # CRLF line ends for cmd.exe
    written = autostart.install(39800, windows=True)
    assert written.read_bytes().decode("utf-8").startswith("@echo off\r\n")
    assert autostart.remove(windows=True) == written and not written.exists()


def test_settings_options_read_the_option_cells_as_the_buttons_do(client, demo_dir):
    sheets = request_sheets(demo_dir / "班级积分-示例.xlsx")
    sheets["设置"].append(["计算周", "2026-09-09"])
    plain = client.post("/v1/run/week", json={"sheets": sheets}, headers=AUTH).json()
    assert plain["outputs"][1]["rows"][1][0] != "2026-09-07"       # the command line's default week
    cells = client.post("/v1/run/week", json={"sheets": sheets, "settings_options": True}, headers=AUTH).json()
    assert cells["outputs"][1]["rows"][1][0] == "2026-09-07"
    explicit = client.post("/v1/run/week", json={"sheets": sheets, "settings_options": True,
                                                 "options": {"week": "2026-09-16"}}, headers=AUTH).json()
    assert explicit["outputs"][1]["rows"][1][0] == "2026-09-14"      # explicit options win
    sheets["设置"][-1] = ["计算周", "九月某天"]
    bad = client.post("/v1/run/week", json={"sheets": sheets, "settings_options": True}, headers=AUTH).json()
    assert bad["exit_code"] == 1 and [o["name"] for o in bad["outputs"]] == ["校验"]
    assert bad["problems"][0]["工作表"] == "设置" and "计算周" in bad["problems"][0]["问题"]
