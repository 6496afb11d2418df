"""The service bounds the work of one request (issue #23 case 9): a 60 MB request under the
64 MB body limit used 1.86 GB and ran past 300 s. Now the body is split into undecoded rows
first; a sheet or request beyond book/limits.py is refused (413, Chinese) before its cells
are built, and sheets the command does not read are never decoded."""
from __future__ import annotations

import json
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from jifen_xl import serve
from jifen_xl.book import limits
from serve_helpers import Server, request_sheets

TOKEN = "test-token"
AUTH = {serve.TOKEN_HEADER: TOKEN, "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def client():
    with TestClient(serve.create_app(TOKEN, 39800), base_url="http://127.0.0.1:39800") as c:
        yield c


@pytest.fixture(scope="module")
def school(demo_dir):
    return request_sheets(demo_dir / "班级积分-示例.xlsx")


def _post(client, command: str, sheets: dict, **more):
    body = json.dumps({"sheets": sheets, **more}, ensure_ascii=False).encode()
    return client.post(f"/v1/run/{command}", content=body, headers=AUTH)


def _refused(resp, *words: str) -> str:
    assert resp.status_code == 413, resp.text[:300]
    message = resp.json()["message"]
    assert "上限" in message and "没有计算" in message
    for w in words:
        assert w in message, message
    return message


def _log_rows(school: dict, n: int) -> list[list]:
    """日志 with ``n`` data rows (the demo's rows repeated)."""
    head, rows = school["日志"][0], school["日志"][1:]
    return [head] + [rows[i % len(rows)] for i in range(n)]


def test_a_sheet_over_the_row_limit_is_refused_before_its_cells_are_read(client, school):
    sheets = dict(school, 日志=_log_rows(school, limits.MAX_ROWS_PER_SHEET))   # + header = one too many
    _refused(_post(client, "week", sheets), "日志", limits.number(limits.MAX_ROWS_PER_SHEET))


def test_a_sheet_over_the_cell_limit_is_refused(client, school):
    rows = limits.MAX_CELLS_PER_SHEET // 40 + 1
    log = [school["日志"][0]] + [[None]] * (rows - 2) + [[1] * 40]        # one stray cell far right
    _refused(_post(client, "week", dict(school, 日志=log)), "日志", "第 40 列")


def test_sheets_together_over_the_request_limit_are_refused(client, school):
    rows, width = limits.MAX_ROWS_PER_SHEET - 1, limits.MAX_CELLS_PER_SHEET // limits.MAX_ROWS_PER_SHEET
    assert 2 * rows * width > limits.MAX_CELLS_PER_WORKBOOK        # each sheet within its own limits
    big = lambda head: [head] + [[None]] * (rows - 2) + [[1] * width]       # noqa: E731
    sheets = dict(school, 日志=big(school["日志"][0]), 宿舍检查=big(school["宿舍检查"][0]))
    _refused(_post(client, "week", sheets), "共有", limits.number(limits.MAX_CELLS_PER_WORKBOOK))


def test_sheets_the_command_does_not_read_are_not_counted(client, school):
    sheets = dict(school, 草稿=[["x"]] * (limits.MAX_ROWS_PER_SHEET + 10))
    resp = _post(client, "week", sheets)
    assert resp.status_code == 200, resp.text[:300]
    assert resp.json()["exit_code"] == 0


def test_limits_hold_for_a_caller_in_process_too(school):
    sheets = dict(school, 日志=_log_rows(school, limits.MAX_ROWS_PER_SHEET))
    with pytest.raises(serve.ServiceError) as refused:
        serve.run_command("week", {"sheets": sheets})
    assert refused.value.status == 413


@pytest.mark.parametrize("body, words", [
    (b'{"sheets": {"\xe6\x97\xa5\xe5\xbf\x97": [["\xff"]]}}', "不是有效的 JSON"),
    (b'{"sheets": {}, "options": {"week": "\xff"}}', "不是有效的 JSON"),
    (b'{"sheets": [1]}', "缺少 sheets"),
    (b'[1, 2]', "JSON 对象"),
    (b'{"sheets": {"a": 1}} x', "不是有效的 JSON"),
])
def test_malformed_bodies_are_400_in_chinese(client, body, words):
    resp = client.post("/v1/run/week", content=body, headers=AUTH)
    assert resp.status_code == 400, resp.text
    assert words in resp.json()["message"]


def test_a_cell_that_is_not_a_value_is_located(client, school):
    log = [list(r) for r in school["日志"][:5]]
    log[3][2] = {"x": 1}
    resp = _post(client, "week", dict(school, 日志=log))
    assert resp.status_code == 400
    assert resp.json()["message"] == "工作表“日志”第 4 行第 3 列的值不是数字、文字、是/否或空值。"


def test_a_null_sheet_is_a_missing_sheet(client, school):
    resp = _post(client, "week", dict(school, 考试=None))
    assert resp.status_code == 200, resp.text[:300]


def test_the_60_mb_request_is_refused_by_a_live_service_which_keeps_answering(tmp_path, school):
    """The case as reported: a body just under 64 MB (a 日志 of some 550,000 rows)."""
    import httpx

    target, n = 60 * 1024 * 1024, limits.MAX_ROWS_PER_SHEET
    while True:
        body = json.dumps({"sheets": dict(school, 日志=_log_rows(school, n))}, ensure_ascii=False).encode()
        if len(body) > target * 0.95:
            break
        n = int(n * target / len(body))
    assert len(body) < serve.MAX_BODY
    server = Server(tmp_path / "cfg").wait()
    try:
        headers = {serve.TOKEN_HEADER: server.token, "Content-Type": "application/json"}
        resp = httpx.post(server.base + "/v1/run/week", content=body, headers=headers, timeout=300)
        _refused(resp, "日志")
        assert httpx.get(server.base + "/v1/health", timeout=10).status_code == 200
        ok = httpx.post(server.base + "/v1/run/week", json={"sheets": school}, headers=headers, timeout=300)
        assert ok.status_code == 200 and ok.json()["exit_code"] == 0
    finally:
        server.stop()
