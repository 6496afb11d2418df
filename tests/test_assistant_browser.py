"""积分助手 in a real browser (issue #25): Debian's chromium driven by Playwright.

`jifen ui --no-browser --folder DIR --port P` runs as a separate process, as a clerk's
shortcut starts it; the test logs in through the printed one-time URL and works the page
through what a person sees: the workbook's file name, the buttons' captions (role=button).
Every button of every scheme is pressed on the workbook file, and the file is compared cell
for cell with `jifen <command>` run on a copy taken just before, with the option values the
page showed. Refusals are checked from the browser too: no session, a page of another
origin on the same machine (same *site*, so the SameSite cookie is sent: the Origin check
must refuse), and ``../`` paths. Screenshots at 1366×768 and 1920×1080 go to
tests/artifacts/ (gitignored; docs/images/ holds copies) and are checked for size and text.
"""
from __future__ import annotations

import contextlib
import http.server
import io
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ARTIFACTS
from doors import _read_all

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
try:
    from playwright.sync_api import sync_playwright
except ImportError:          # the test extra not installed
    sync_playwright = None

pytestmark = pytest.mark.skipif(
    sync_playwright is None or not Path(CHROMIUM).exists(),
    reason=("Python playwright is not installed (pip install -e '.[test]')" if sync_playwright is None
            else f"no Chromium at {CHROMIUM} (apt-get install chromium)"))

FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
SIZES = [(1366, 768), (1920, 1080)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """One workbook of each scheme (their demo data: a class of 50, a village, a ledger)."""
    from jifen_xl.schemes import SCHEMES

    folder = tmp_path_factory.mktemp("ui") / "积分 工作簿"
    folder.mkdir()
    made = {}
    for scheme in SCHEMES:
        (path, _), = scheme.demo(folder)
        made[scheme.name] = path
    (folder.parent / "secret.xlsx").write_bytes(made["school"].read_bytes())
    return folder, made


@pytest.fixture(scope="module")
def service(books, tmp_path_factory):
    folder, _ = books
    config = tmp_path_factory.mktemp("config")
    port = free_port()
    env = {**os.environ, "XDG_CONFIG_HOME": str(config), "APPDATA": str(config), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "jifen_xl.cli", "ui", "--no-browser", "--folder", str(folder),
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                            text=True, encoding="utf-8")
    url, seen = None, []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and url is None:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if "/ui/login?code=" in line:
            url = line.strip()
    if url is None:
        proc.kill()
        pytest.fail("jifen ui printed no login URL:\n" + "".join(seen))
    threading.Thread(target=proc.stdout.read, daemon=True).start()     # keep the pipe drained
    yield {"url": url, "port": port, "base": f"http://127.0.0.1:{port}", "config": config, "folder": folder}
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def page(browser, service):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.goto(service["url"])
    page.wait_for_selector("body[data-ready]")
    page.problems = problems
    yield page
    context.close()


def cli(path: Path, command: str, options: dict) -> int:
    from jifen_xl.cli import main

    args = [command, str(path)]
    for name, value in options.items():
        args += [f"--{name}"] if value is True else [f"--{name}", value]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(args)


def shown_options(page) -> dict:
    """The option fields as the page shows them (what a press sends)."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('[data-option]')]
        .map((i) => [i.dataset.option, i.type === 'checkbox' ? i.checked : i.value.trim()]))""")


def test_login_lands_on_the_list_of_workbooks_of_every_kind(page, books, service):
    _, made = books
    assert page.url.endswith("/ui/")
    for scheme, path in made.items():
        item = page.locator(".book-item", has_text=path.name)
        assert item.count() >= 1
        label = {"school": "班级积分", "village": "乡村积分", "ledger": "积分台账"}[scheme]
        assert label in item.first.inner_text()
    cookie, = [c for c in page.context.cookies() if c["name"] == f"jifen_session_{service['port']}"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"


def test_every_button_of_every_scheme_equals_the_command_line(page, books, tmp_path):
    from jifen_xl.serve import commands_json

    _, made = books
    timings = []
    for scheme, path in made.items():
        page.get_by_text(path.name, exact=True).first.click()
        page.wait_for_selector(f"#book-name:text-is('{path.name}')")
        captions = [c["button"] for c in commands_json() if c["scheme"] == scheme]
        assert page.locator("button.action").all_inner_texts() == captions
        for command in [c for c in commands_json() if c["scheme"] == scheme]:
            options = {k: v for k, v in shown_options(page).items()
                       if v and k in {o["name"] for o in command["options"]}}
            twin = tmp_path / f"{scheme}-{command['command']}" / path.name
            twin.parent.mkdir()
            shutil.copy(path, twin)
            presses = int(page.evaluate("document.body.dataset.presses || 0"))
            page.get_by_role("button", name=command["button"], exact=True).click()
            page.wait_for_selector(f"body[data-presses='{presses + 1}']")
            assert page.evaluate("document.body.dataset.lastPressMs"), page.inner_text("#result")
            timings.append((scheme, command["command"], float(page.evaluate("document.body.dataset.lastPressMs"))))
            code = cli(twin, command["command"], options)
            written = _read_all(path)
            assert written == _read_all(twin), (scheme, command["command"])
            # what the page shows: the summary, the 校验 rows as a table
            assert page.locator("#summary .summary").count() >= 1
            checks = written["校验"][1:]
            rows = page.locator("#problems tbody tr")
            assert rows.count() == len(checks), (scheme, command["command"])
            if checks:
                first = rows.first.locator("td").all_inner_texts()
                assert first[0] == checks[0][0] and first[4] == checks[0][4] and first[5] == checks[0][5]
            assert code in (0, 1)
    (ARTIFACTS).mkdir(exist_ok=True)
    (ARTIFACTS / "assistant-press-ms.txt").write_text(
        "\n".join(f"{s}\t{c}\t{ms:.1f}" for s, c, ms in timings) + "\n", encoding="utf-8")
    assert page.problems == []


def test_screenshots_at_two_sizes_show_the_page(page, books):
    _, made = books
    page.get_by_text(made["school"].name, exact=True).first.click()
    page.wait_for_selector(f"#book-name:text-is('{made['school'].name}')")
    page.get_by_role("button", name="本周汇总", exact=True).click()
    page.wait_for_selector("#result:not([hidden]) .summary")
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.mouse.move(0, 0)
        shot = ARTIFACTS / f"assistant-{width}x{height}.png"
        page.screenshot(path=str(shot))
        raw = shot.read_bytes()
        assert raw[:8] == b"\x89PNG\r\n\x1a\n" and len(raw) > 20_000
        assert struct.unpack(">II", raw[16:24]) == (width, height)
        for text in ("积分助手", made["school"].name, "本周汇总", "月报", "校验数据", "已生成第"):
            assert page.get_by_text(text).first.is_visible(), (text, width)
        assert page.get_by_role("button", name="本周汇总", exact=True).bounding_box()["height"] >= 44
    page.set_viewport_size({"width": 1366, "height": 768})


def test_a_workbook_open_in_excel_gets_the_close_it_first_message(page, books):
    _, made = books
    target = made["ledger"]
    owner = target.with_name("~$" + target.name)
    owner.write_bytes(b"owner")
    before = target.read_bytes()
    try:
        page.get_by_text(target.name, exact=True).first.click()
        page.wait_for_selector(f"#book-name:text-is('{target.name}')")
        n = int(page.evaluate("document.body.dataset.presses || 0"))
        page.get_by_role("button", name="计算积分", exact=True).click()
        page.wait_for_selector(f"body[data-presses='{n + 1}']")
        shown = page.inner_text("#summary")
        assert "请先关闭" in shown and target.name in shown
        assert page.inner_text("#status") == ""          # said once, in the result area
        assert target.read_bytes() == before
    finally:
        owner.unlink()


def test_no_session_is_refused(browser, service):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(service["base"] + "/ui/")
        page.wait_for_selector("body[data-ready]")
        assert page.locator("#login").is_visible()
        assert "请先登录" in page.inner_text("#login")
        status = page.evaluate("fetch('/ui/api/state').then((r) => r.status)")
        assert status == 401
        used = page.goto(service["url"])          # the one-time URL was consumed by the first login
        assert used.status == 403 and "已经用过或已过期" in page.inner_text("body")
    finally:
        context.close()


def test_another_origin_on_this_machine_is_refused(page, service, books, tmp_path):
    """A page served from another loopback port is the same *site*: the SameSite=Strict
    cookie goes along, so only the Origin check stands between it and the workbook."""
    _, made = books
    target = made["school"]
    before = target.read_bytes()
    evil = tmp_path / "evil"
    evil.mkdir()
    (evil / "index.html").write_text(
        "<!doctype html><meta charset=utf-8><title>other</title><script>"
        f"window.result = fetch('{service['base']}/ui/api/run', {{method: 'POST', credentials: 'include', "
        f"mode: 'no-cors', headers: {{'Content-Type': 'text/plain'}}, "
        f"body: JSON.stringify({{path: {str(target)!r}, command: 'check'}})}}).then(() => 'sent', (e) => 'failed');"
        "</script>", encoding="utf-8")
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(evil), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        statuses = []
        page.on("response", lambda r: statuses.append(r.status) if "/ui/api/run" in r.url else None)
        other = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        page.goto(other)
        page.evaluate("window.result")
        page.wait_for_timeout(300)
        assert statuses == [403]
        assert target.read_bytes() == before
    finally:
        server.shutdown()
        server.server_close()
        page.goto(service["base"] + "/ui/")
        page.wait_for_selector("body[data-ready]")


def test_dot_dot_paths_are_refused(page, service, books):
    folder, _ = books
    for given in (str(folder / ".." / "secret.xlsx"), "../secret.xlsx"):
        answer = page.evaluate("""async (p) => { const r = await fetch('/ui/api/workbook?path=' + encodeURIComponent(p));
            return [r.status, (await r.json()).message]; }""", given)
        assert answer[0] == 403 and "只能打开所选文件夹中的工作簿" in answer[1]
        shown = page.goto(service["base"] + "/ui/api/download?path=" + given.replace("/", "%2F"))
        assert shown.status == 403
    page.goto(service["base"] + "/ui/")
    page.wait_for_selector("body[data-ready]")


def test_a_second_jifen_ui_reuses_the_running_service(service, tmp_path):
    """Same user (same token), same port: no second service, a new one-time URL; another
    user's token gets exit 2 with the advice to choose another port."""
    other = tmp_path / "另一个文件夹"
    other.mkdir()
    env = {**os.environ, "XDG_CONFIG_HOME": str(service["config"]), "APPDATA": str(service["config"])}
    done = subprocess.run([sys.executable, "-m", "jifen_xl.cli", "ui", "--no-browser", "--folder", str(other),
                           "--port", str(service["port"])], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "沿用" in done.stdout and "/ui/login?code=" in done.stdout and service["url"] not in done.stdout
    env["XDG_CONFIG_HOME"] = env["APPDATA"] = str(tmp_path / "someone-else")
    done = subprocess.run([sys.executable, "-m", "jifen_xl.cli", "ui", "--no-browser", "--port", str(service["port"])],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and "换一个端口" in done.stderr


def test_the_town_rollup_of_the_folder(page, service, books):
    """镇汇总 on the same page: `jifen rollup` of the chosen folder (needs the rollup extra,
    installed by `make install`; without it the page shows how to install it)."""
    folder, _ = books
    button = page.get_by_role("button", name=f"汇总“{folder.name}”文件夹", exact=True)
    button.click()
    page.wait_for_selector("#rollup-result:has-text('已写入')", timeout=120_000)
    assert "共找到" in page.inner_text("#rollup-result")
    from doors import _read_all
    sheets = _read_all(folder / "镇汇总.xlsx")
    assert {"村庄汇总", "示范村指标", "工作簿清单"} <= set(sheets)
