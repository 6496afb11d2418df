"""Helpers for the local-service tests: a workbook as the JSON a client posts, and a
workbook's output sheets as comparable cells."""
from __future__ import annotations

import math
from datetime import date, datetime, time
from pathlib import Path

import python_calamine as pc


def _json_value(v):
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time() else v.isoformat(timespec="seconds")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, time):
        return v.isoformat()
    if v == "":
        return None
    return v


def request_sheets(path: Path) -> dict[str, list[list]]:
    """Every sheet of the workbook as a client sends it: rows from A1, dates as ISO text."""
    book = pc.CalamineWorkbook.from_path(str(path))
    try:
        return {name: [[_json_value(v) for v in row]
                       for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)]
                for name in book.sheet_names}
    finally:
        book.close()


def comparable(v):
    """A cell value reduced so that the file door's and the service's cells compare equal."""
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        f = float(v)
        return None if math.isnan(f) else round(f, 9)
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time() else v.isoformat(timespec="seconds")
    if isinstance(v, date):
        return v.isoformat()
    return v


def grid(rows: list[list]) -> list[list]:
    """Rows without trailing empty cells or rows, every cell :func:`comparable`."""
    out = []
    for row in rows:
        r = [comparable(v) for v in row]
        while r and r[-1] is None:
            r.pop()
        out.append(r)
    while out and not out[-1]:
        out.pop()
    return out


def workbook_grid(path: Path, sheet: str) -> list[list]:
    book = pc.CalamineWorkbook.from_path(str(path))
    try:
        return grid(book.get_sheet_by_name(sheet).to_python(skip_empty_area=False))
    finally:
        book.close()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A real `jifen serve` subprocess on a free loopback port with its own config folder."""

    def __init__(self, config_home: Path, port: int | None = None):
        import os
        import subprocess
        import sys

        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "XDG_CONFIG_HOME": str(config_home), "APPDATA": str(config_home)}
        root = Path(__file__).parents[1]
        self.env["PYTHONPATH"] = os.pathsep.join([str(root)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
        self.proc = subprocess.Popen([sys.executable, "-m", "jifen_xl.cli", "serve", "--port", str(self.port)],
                                     env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.token = None

    def wait(self, timeout: float = 60) -> "Server":
        import time

        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jifen serve exited: {self.proc.stderr.read()}")
            try:
                if httpx.get(self.base + "/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("jifen serve did not answer in time")
        token_file = Path(self.env["XDG_CONFIG_HOME"]) / "jifen" / "token"
        self.token = token_file.read_text().strip()
        return self

    def rss_kb(self, field: str = "VmHWM") -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()
