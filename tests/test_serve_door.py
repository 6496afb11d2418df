"""The local service as a door (issue #17): the same sheets as the file door on the contract
scenario, with options as a clerk types them."""
from __future__ import annotations

import io
import shutil
from contextlib import redirect_stdout

from contract import scenario_class, write_xlsx
from serve_door import ServiceDoor
from serve_helpers import grid, workbook_grid


def test_service_door_gives_the_file_doors_sheets(tmp_path):
    from jifen_xl.cli import main
    book = write_xlsx(tmp_path / "班级.xlsx", scenario_class())
    door = ServiceDoor()
    for command, options in [("check", {}), ("week", {"week": "2026-09-09"}), ("month", {"month": "2026-09"}),
                             ("awards", {})]:
        run = door.run(book, command, **options)
        copy = tmp_path / f"file-{command}.xlsx"
        shutil.copy(book, copy)
        args = [command, str(copy)] + [a for k, v in options.items() for a in (f"--{k}", v)]
        with redirect_stdout(io.StringIO()):
            code = main(args)
        assert run.code == code
        assert run.sheets, command
        for name, rows in run.sheets.items():
            assert grid(rows) == workbook_grid(copy, name), (command, name)
