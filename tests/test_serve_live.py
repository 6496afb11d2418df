"""A real `jifen serve` process on a free loopback port (issue #17): the same security rules
over a socket, and a bounded load of 8 clients x 20 class weeks."""
from __future__ import annotations

import socket
import statistics
import threading
import time

import httpx
import pytest

from serve_helpers import Server, request_sheets

CLIENTS, REQUESTS = 8, 20


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("config")).wait()
    yield srv
    srv.stop()


def _raw(server: Server, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(request)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


def test_listens_on_loopback_only(server):
    addr = ("127.0.0.1", server.port)
    with socket.create_connection(addr, timeout=5):
        pass
    import subprocess
    listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True).stdout \
        if __import__("shutil").which("ss") else ""
    for line in listening.splitlines():
        if f":{server.port} " in line + " ":
            assert "127.0.0.1:" in line, line


def test_token_host_and_size_over_a_socket(server):
    base = server.base
    assert httpx.get(base + "/v1/health").json()["ok"] is True
    assert httpx.post(base + "/v1/run/week", json={}).status_code == 401
    assert httpx.post(base + "/v1/run/week", json={}, headers={"X-Jifen-Token": "nope"}).status_code == 401
    r = httpx.get(base + "/v1/health", headers={"Host": "attacker.example"})
    assert r.status_code == 403 and "Host" in r.json()["message"]
    # A declared 70 MB body is refused before any of it is sent.
    head = (f"POST /v1/run/week HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"X-Jifen-Token: {server.token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {70 * 1024 * 1024}\r\nConnection: close\r\n\r\n").encode()
    answer = _raw(server, head)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert "64 MB".encode() in answer and b"Traceback" not in answer
    r = httpx.post(base + "/v1/run/week", content=b'{"sheets": ', headers={"X-Jifen-Token": server.token})
    assert r.status_code == 400 and r.json()["message"]


def test_eight_clients_twenty_weeks_each(server, demo_dir):
    """Bounded load (loopback): no error, identical outputs, bounded memory. The timings are
    printed for the notes (bench/serve_bench.py reports them), never asserted."""
    sheets = request_sheets(demo_dir / "班级积分-示例.xlsx")
    body = {"sheets": {k: v for k, v in sheets.items() if k in ("设置", "名册", "规则", "日志", "宿舍检查",
                                                                  "宿舍评分", "考试")}}
    headers = {"X-Jifen-Token": server.token}
    first = httpx.post(server.base + "/v1/run/week", json=body, headers=headers, timeout=120)
    assert first.status_code == 200
    reference = first.json()
    times, errors, outputs = [], [], []
    lock = threading.Lock()

    def client(n):
        with httpx.Client(base_url=server.base, headers=headers, timeout=300) as c:
            for i in range(REQUESTS):
                t0 = time.perf_counter()
                try:
                    r = c.post("/v1/run/week", json={**body, "workbook": f"client-{n}"})
                    ok = r.status_code == 200
                    data = r.json() if ok else None
                except httpx.HTTPError as exc:
                    ok, data = False, repr(exc)
                with lock:
                    times.append(time.perf_counter() - t0)
                    if not ok:
                        errors.append(data)
                    elif data != reference:
                        outputs.append(i)
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    assert not errors
    assert not outputs, "a concurrent run answered differently from the single run"
    assert len(times) == CLIENTS * REQUESTS
    peak_mb = server.rss_kb("VmHWM") / 1024
    assert peak_mb < 1500, f"service peak memory {peak_mb:.0f} MB"
    q = statistics.quantiles(times, n=20)
    print(f"\n{CLIENTS}x{REQUESTS} class weeks: p50 {statistics.median(times):.3f} s, "
          f"p95 {q[18]:.3f} s, peak RSS {peak_mb:.0f} MB")


def test_a_second_service_on_the_same_port_says_so(server):
    import subprocess
    import sys
    run = subprocess.run([sys.executable, "-m", "jifen_xl.cli", "serve", "--port", str(server.port)],
                         env=server.env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "已被占用" in run.stderr and "Traceback" not in run.stderr
