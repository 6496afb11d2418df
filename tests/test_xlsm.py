"""The macro-enabled templates (jifen_xl/xlsm.py), read back by independent readers.

olevba and LibreOffice must find the exact VBA source of our module; every button must be
bound to a Sub that exists and whose RunPython string names a function in jifen_xl.macros;
openpyxl and LibreOffice must open the file; the xlwings.conf sheet must read as xlwings'
VBA reads it. None of this proves Excel runs the buttons — only Excel on Windows can.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest

from jifen_xl import macros
from jifen_xl.book.childenv import clean_env
from jifen_xl import xlsm
from jifen_xl.app import scheme_named
from jifen_xl.schemes import catalog
from jifen_xl.vba import BUTTON_MODULE, buttons_source, xlwings_modules
from jifen_xl.vba.project import run_python_calls, subs_in
from test_vba import code_lines, macros_of

REPO = Path(__file__).resolve().parents[1]
SCHEMES = xlsm.available_schemes()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("xlsm")
    return {s: xlsm.build_xlsm(folder / xlsm.XLSM_SCHEMES[s][1], s) for s in SCHEMES}


def bound_macros(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as package:
        drawings = sorted(n for n in package.namelist() if re.fullmatch(r"xl/drawings/vmlDrawing\d+\.vml", n))
        return [m for n in drawings for m in re.findall(r"<x:FmlaMacro>(.*?)</x:FmlaMacro>", package.read(n).decode())]


def test_school_and_village_templates_exist():
    assert {"school", "village"} <= set(SCHEMES)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_olevba_reads_back_the_exact_module_source(built, scheme):
    modules = macros_of(built[scheme].name, built[scheme].read_bytes())
    assert modules[BUTTON_MODULE] == buttons_source()
    assert modules["xlwings"] == xlwings_modules()[0]["xlwings"]
    n = len(xlsm.xlsm_sheets(scheme))
    assert list(modules)[: n + 1] == ["ThisWorkbook"] + [f"Sheet{i + 1}" for i in range(n)]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_button_runs_an_existing_sub_that_calls_an_existing_macro(built, scheme):
    """One button per declared action, bound to a Sub the embedded module defines, whose
    RunPython runs that action's command through macros.run_caller."""
    actions = scheme_named(scheme).actions
    bound = bound_macros(built[scheme])
    subs = [m.removeprefix("[0]!") for m in bound]
    assert all(re.fullmatch(r"\[0\]!Jifen[A-Za-z0-9]+", m) for m in bound)   # Excel's form: [0]!Sub
    assert subs == [catalog.sub_name(a.name) for a in actions]
    source = macros_of(built[scheme].name, built[scheme].read_bytes())[BUTTON_MODULE]
    calls = dict(zip(subs_in(source), run_python_calls(source)))
    for sub, action in zip(subs, actions):
        assert calls[sub] == f"import jifen_xl.macros as m; m.run_caller('{action.name}')"
    assert callable(macros.run_caller)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_opens_in_openpyxl_with_codenames_conf_sheet_and_labelled_cells(built, scheme):
    book = openpyxl.load_workbook(built[scheme], keep_vba=True)
    try:
        names = [s.name for s in xlsm.xlsm_sheets(scheme)]
        assert book.sheetnames == names and names[-1] == "xlwings.conf"
        assert book.code_name == "ThisWorkbook"
        assert [ws.sheet_properties.codeName for ws in book.worksheets] == [f"Sheet{i + 1}" for i in range(len(names))]
        conf = book["xlwings.conf"]
        # GetConfigFromSheet: A1 down to the last contiguous key (A2 empty → only row 1)
        assert (conf["A1"].value, conf["B1"].value, conf["A2"].value) == ("UDF Modules", "jifen_xl.udfs", None)
        keys = [row[0].value for row in book["设置"].iter_rows(min_row=2)]
        labels = [p.label for p in catalog.setting_params(scheme_named(scheme))]
        assert keys[len(keys) - len(labels):] == labels
    finally:
        book.close()


def test_deterministic_and_committed_files_are_current(built, tmp_path):
    for scheme, path in built.items():
        again = xlsm.build_xlsm(tmp_path / path.name, scheme)
        assert again.read_bytes() == path.read_bytes()
        committed = REPO / "workbook_templates" / path.name
        if committed.exists():
            assert committed.read_bytes() == path.read_bytes(), f"run `make templates`: {committed.name} is stale"


def test_buttons_on_the_template_agree_with_the_command_line(built, tmp_path, monkeypatch):
    """The empty class template: 校验数据 through the remote engine = `jifen check` on the .xlsm."""
    from test_macros import assert_doors_agree, use_remote_engine

    use_remote_engine(monkeypatch)
    case = tmp_path / built["school"].name
    shutil.copy(built["school"], case)
    replay, code = assert_doors_agree(case, "check", macros.SCRIPTS["check"])
    assert replay.order[-1] == "校验" and replay.order[-2] == "xlwings.conf"


def test_libreoffice_imports_module_and_buttons_and_exports_pdf(built, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = (tmp_path / "lo-profile").as_uri()
    files = [str(p) for p in built.values()]
    for kind in ("ods", "pdf"):
        done = subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", kind,
                               "--outdir", str(tmp_path / kind), *files],
                              capture_output=True, text=True, timeout=600, check=False, env=clean_env())
        for scheme, path in built.items():
            assert (tmp_path / kind / f"{path.stem}.{kind}").exists(), f"{kind} {scheme}: {done.stdout} {done.stderr}"
    for scheme, path in built.items():
        with zipfile.ZipFile(tmp_path / "ods" / f"{path.stem}.ods") as package:
            found = [n for n in package.namelist() if re.fullmatch(rf"Basic/[^/]+/{BUTTON_MODULE}\.xml", n)]
            assert found, scheme
            library = found[0].split("/")[1]
            text = ET.fromstring(package.read(found[0])).text or ""
            content = package.read("content.xml").decode()
        assert text.rstrip("\n").split("\n")[2:] == code_lines(buttons_source())
        bound = re.findall(r'script:event-name="form:performaction" xlink:href="vnd\.sun\.star\.script:'
                           r'([^"?]+)\?language=Basic', content)
        # LibreOffice resolves Excel's bare [0]!Sub to the one module that declares it
        assert bound == [f"{library}.{BUTTON_MODULE}.{m.removeprefix('[0]!')}" for m in bound_macros(path)]
        assert (tmp_path / "pdf" / f"{path.stem}.pdf").stat().st_size > 1000
