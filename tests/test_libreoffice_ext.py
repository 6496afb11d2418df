"""The LibreOffice door proven end to end (issue #17): a real `jifen serve` on a free loopback
port, a headless LibreOffice with a fresh profile, the extension installed with
`jifen install-libreoffice --dir`, every toolbar button of every demo workbook pressed as a
click does (tests/lo_driver.py), the document saved, and every output sheet compared cell for
cell with what `jifen <command>` writes into a copy of the same workbook."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from contextlib import redirect_stdout
from datetime import date
from pathlib import Path

import pytest

from jifen_xl import lo_extension
from jifen_xl.book import libreoffice as lo
from jifen_xl.schemes import SCHEMES, catalog
from serve_helpers import Server, workbook_grid

HERE = Path(__file__).parent
UNO_PYTHON = lo_extension.uno_python() if lo.soffice() else None
needs_office = pytest.mark.skipif(lo.soffice() is None or UNO_PYTHON is None,
                                  reason="LibreOffice with python3-uno is not installed")

COMMANDS = catalog.commands(SCHEMES)
BUTTONS = [c.button for c in COMMANDS]
# every button of every scheme, pressed on its `jifen demo` workbook (<label>-示例.xlsx)
PRESSES = {f"{s.label}-示例.xlsx": [a.name for a in s.actions] for s in SCHEMES}
# Option cells a clerk fills in 设置 (read by the button as the Excel door reads them).
OPTION_CELLS = {
    "班级积分-示例.xlsx": [("计算周", date(2026, 9, 9))],
    "积分台账-示例.xlsx": [("全部存折", "是")],
}


def test_extension_is_built_from_the_sources_with_a_button_per_command(tmp_path, monkeypatch):
    oxt = lo_extension.build_oxt(tmp_path)
    assert oxt.name == "jifen.oxt"
    again = lo_extension.build_oxt(tmp_path / "again")
    assert oxt.read_bytes() == again.read_bytes(), "the .oxt is not reproducible"
    with zipfile.ZipFile(oxt) as zf:
        names = set(zf.namelist())
        assert {"META-INF/manifest.xml", "description.xml", "Addons.xcu", "CalcWindowState.xcu",
                "python/jifen_calc.py"} <= names
        manifest = zf.read("META-INF/manifest.xml").decode()
        assert 'media-type="application/vnd.sun.star.framework-script" manifest:full-path="python"' in manifest
        addons = zf.read("Addons.xcu").decode()
        module = zf.read("python/jifen_calc.py").decode()
    for caption in BUTTONS:
        assert f">{caption}<" in addons
    assert addons.count("com.sun.star.sheet.SpreadsheetDocument") >= len(COMMANDS)
    for c in COMMANDS:
        fn = catalog.script_function(c.name)
        assert f"jifen.oxt|python|jifen_calc.py${fn}?language=Python&amp;location=user:uno_packages" in addons
        assert f"\n{fn} = _button({c.name!r})" in module
    # the shipped module defines every button function (run as LibreOffice's script provider does)
    import types
    uno = types.ModuleType("uno")
    uno.createUnoStruct = lambda *args: None
    table = types.ModuleType("com.sun.star.table")
    table.CellRangeAddress = object
    for name in ("com", "com.sun", "com.sun.star"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "uno", uno)
    monkeypatch.setitem(sys.modules, "com.sun.star.table", table)
    space: dict = {}
    exec(compile(module, "jifen_calc.py", "exec"), space)
    assert [f.__name__ for f in space["g_exportedScripts"]] == [catalog.script_function(c.name) for c in COMMANDS]
    # standard library + uno only: LibreOffice's own Python has no third-party packages
    import ast
    imported = set()
    for node in ast.walk(ast.parse(module)):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "json", "os", "subprocess", "time", "urllib", "datetime", "uno", "com"}


def _add_option_cells(path: Path, cells) -> None:
    import openpyxl
    wb = openpyxl.load_workbook(path)
    ws = wb["设置"]
    for key, value in cells:
        ws.append([key, value])
        if isinstance(value, date):
            ws.cell(ws.max_row, 2).number_format = "yyyy-mm-dd"
    wb.save(path)


def _cli_copy(src: Path, command: str, folder: Path) -> tuple[Path, list[str]]:
    """`jifen <command>` on a copy, with the options the 设置 cells hold (as the buttons read
    them); the copy and the names of the sheets the command wrote."""
    from jifen_xl.app import find_action
    from jifen_xl.book.reader import WorkbookReader
    from jifen_xl.runner import run_action
    from jifen_xl.macros import SETTINGS_SHEET, options_from_settings

    copy = folder / f"cli-{command}-{src.name}"
    shutil.copy(src, copy)
    with WorkbookReader(copy) as reader:
        action = find_action(command, reader.sheet_names)
        sheets = {n: reader.sheet(n, e) for n, e in action.sheets_to_read().items()}
        settings = reader.sheet(SETTINGS_SHEET, ["项目", "值"])
    opts, problems = options_from_settings(action, settings)
    assert not problems
    names = [o.name for o in action.compute(sheets, opts).outputs]
    with redirect_stdout(io.StringIO()):
        run_action(action, copy, opts)
    return copy, names


@needs_office
def test_every_toolbar_button_writes_what_the_command_line_writes(demo_dir, tmp_path):
    config, home, profile = tmp_path / "config", tmp_path / "home", tmp_path / "profile"
    home.mkdir()
    server = Server(config).wait()
    try:
        env = {**server.env, "HOME": str(home)}
        inst = subprocess.run([sys.executable, "-m", "jifen_xl.cli", "install-libreoffice", "--dir", str(profile),
                               "--port", str(server.port)], env=env, capture_output=True, text=True, timeout=600)
        assert inst.returncode == 0, inst.stderr
        assert json.loads((config / "jifen" / "client.json").read_text())["port"] == server.port

        jobs, expected = [], []
        for book, commands in PRESSES.items():
            src = tmp_path / book
            shutil.copy(demo_dir / book, src)
            if book in OPTION_CELLS:
                _add_option_cells(src, OPTION_CELLS[book])
            presses = []
            for command in commands:
                saved = tmp_path / f"lo-{command}-{book}"
                presses.append([command, str(saved)])
                expected.append((book, command, saved, *_cli_copy(src, command, tmp_path)))
            pressed = tmp_path / f"pressed-{book}"
            shutil.copy(src, pressed)
            jobs.append({"book": str(pressed), "presses": presses})
        captions = {c.name: c.button for c in COMMANDS}
        job = tmp_path / "job.json"
        job.write_text(json.dumps({"profile": str(profile), "jobs": jobs, "captions": captions},
                                  ensure_ascii=False), encoding="utf-8")
        log = tmp_path / "messages.jsonl"
        run = subprocess.run([UNO_PYTHON, str(HERE / "lo_driver.py"), str(job)], capture_output=True, text=True,
                             timeout=1200, env={**env, "JIFEN_LO_QUIET": "1", "JIFEN_LO_LOG": str(log),
                                                "JIFEN_SOFFICE": lo.soffice()})
        assert run.returncode == 0, run.stderr[-2000:]
        report = json.loads(run.stdout.strip().splitlines()[-1])
    finally:
        server.stop()

    assert report["toolbar"] == {b: "com.sun.star.sheet.SpreadsheetDocument" for b in BUTTONS}
    assert report["menu"] == {"积分": BUTTONS}
    messages = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert len(messages) == len(expected)
    for m in messages:
        assert not m["error"], m["message"]
        assert "格式未能" not in m["message"], m["message"]
    for book, command, saved, cli_copy, names in expected:
        assert saved.exists(), f"{book} {command}: nothing saved"
        for name in names:
            assert workbook_grid(saved, name) == workbook_grid(cli_copy, name), \
                f"{book} {command}: sheet {name} differs between the LibreOffice button and `jifen {command}`"
    # the option cells were honoured: 计算周 2026-09-09 → the week of 2026-09-07; every passbook type
    week = workbook_grid(tmp_path / "lo-week-班级积分-示例.xlsx", "周汇总")
    assert week[1][0] == "2026-09-07"
    assert any(n.startswith("存折-") for e in expected if e[1] == "passbook" for n in e[4])
    timings = {f"{Path(p['book']).name}:{p['command']}": round(p["seconds"], 2) for p in report["presses"]}
    print("\nclick-to-written (s):", timings)


@needs_office
def test_install_and_uninstall_into_a_profile(tmp_path):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "HOME": str(tmp_path)}
    profile = tmp_path / "profile"
    run = lambda *a: subprocess.run([sys.executable, "-m", "jifen_xl.cli", "install-libreoffice",  # noqa: E731
                                     "--dir", str(profile), *a], env=env, capture_output=True, text=True,
                                    timeout=600)
    first = run()
    assert first.returncode == 0, first.stderr
    assert "积分" in first.stdout
    assert list((profile / "user" / "uno_packages" / "cache" / "uno_packages").rglob("jifen.oxt"))
    gone = run("--uninstall")
    # exit 0 only when the ExtensionManager no longer lists the extension (LibreOffice deletes
    # the cached copy lazily, on its next start)
    assert gone.returncode == 0, gone.stderr
    assert "卸载" in gone.stdout
