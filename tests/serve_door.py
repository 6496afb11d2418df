"""The local service as a workbook door for behaviour tests (issue #17; s13b's tests/doors.py
interface: ``door.run(path, command, **options) -> DoorRun``).

The workbook's sheets are posted as a client posts them (every sheet, dates as ISO text) to
an in-process ``jifen serve`` app; options go in ``options`` as a clerk types them. Output
cells come back as JSON; ISO strings in the columns the render spec formats as dates become
dates again, so the grids compare with the file door's calamine read-back.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from serve_helpers import request_sheets

TOKEN = "door-token"


@dataclass
class ServiceRun:
    code: int
    sheets: dict[str, list[list]] = field(default_factory=dict)

    def rows(self, sheet: str) -> list[list]:
        return self.sheets[sheet][1:]


def _dated(rows: list[list], fmt: dict) -> list[list]:
    cols = {i for i, c in enumerate(fmt.get("columns") or []) if (c.get("number_format") or "").startswith("yyyy-mm-dd")}
    out = [list(rows[0])] if rows else []
    for row in rows[1:]:
        new = []
        for i, v in enumerate(row):
            if i in cols and isinstance(v, str):
                try:
                    v = date.fromisoformat(v) if len(v) == 10 else datetime.fromisoformat(v)
                except ValueError:
                    pass
            new.append(v)
        out.append(new)
    return out


class ServiceDoor:
    name = "service"

    def __init__(self):
        self._client = None

    @property
    def client(self):
        if self._client is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                from starlette.testclient import TestClient
            from jifen_xl.serve import create_app
            self._client = TestClient(create_app(TOKEN, 39800), base_url="http://127.0.0.1:39800")
        return self._client

    def run(self, path: Path, command: str, **options) -> ServiceRun:
        try:
            from doors import DoorRun, grid
        except ImportError:
            from serve_helpers import grid
            DoorRun = ServiceRun
        body = {"sheets": request_sheets(path),
                "options": {k: v for k, v in options.items() if v not in (None, False, "")}}
        r = self.client.post(f"/v1/run/{command}", json=body, headers={"X-Jifen-Token": TOKEN})
        assert r.status_code == 200, r.text
        answer = r.json()
        return DoorRun(answer["exit_code"], {o["name"]: grid(_dated(o["rows"], o["format"]))
                                             for o in answer["outputs"]})
