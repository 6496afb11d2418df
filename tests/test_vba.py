"""The VBA project built from source: read back with olevba, openpyxl and LibreOffice.

Real Excel is not available in CI: these tests show that independent readers
find the exact module text and the button bindings, not that Excel runs them.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from importlib import resources
from pathlib import Path

import pytest

from jifen_xl.vba import (
    BUTTON_MODULE,
    BUTTONS,
    add_buttons_and_vba,
    build_demo_xlsm,
    build_vba_project,
    buttons_source,
    jifen_vba_project,
    xlwings_modules,
)
from jifen_xl.vba.project import FRESH_VBA_PROJECT_STREAM, run_python_calls, subs_in

olefile = pytest.importorskip("olefile")
olevba = pytest.importorskip("oletools.olevba")

DEMO_SUBS = ["JifenCheck", "JifenWeek", "JifenMonth"]


def macros_of(name: str, data: bytes) -> dict[str, str]:
    """Module name -> source, as olevba reads them from a .bin or an .xlsm."""
    parser = olevba.VBA_Parser(name, data=data)
    try:
        return {Path(vba_name).stem: code for _, _, vba_name, code in parser.extract_macros()}
    finally:
        parser.close()


def code_lines(source: str) -> list[str]:
    """The source without its ``Attribute`` lines, line by line."""
    return [line for line in source.splitlines() if not line.startswith("Attribute ")]


@pytest.fixture(scope="module")
def project_bin() -> bytes:
    return jifen_vba_project(sheet_codenames=["Sheet1", "Sheet2"])


@pytest.fixture(scope="module")
def demo_xlsm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_xlsm(tmp_path_factory.mktemp("demo") / "demo.xlsm")


# ---------------------------------------------------------------------------
# The committed source
# ---------------------------------------------------------------------------

def test_button_module_is_ascii_with_one_sub_per_button() -> None:
    raw = resources.files("jifen_xl.vba").joinpath("JifenButtons.bas").read_bytes()
    raw.decode("ascii")  # Chinese stays on the Python side
    source = buttons_source()
    assert source.startswith(f'Attribute VB_Name = "{BUTTON_MODULE}"\r\n')
    assert subs_in(source) == [button.sub for button in BUTTONS]
    assert run_python_calls(source) == [button.import_string for button in BUTTONS]
    assert {button.caller for button in BUTTONS} == {
        "check_data_caller", "week_summary_caller", "month_report_caller", "semester_awards_caller",
        "compute_quarter_caller", "annual_stars_caller", "exams_caller", "ledger_caller", "passbook_caller"}


def test_xlwings_module_comes_from_the_installed_package() -> None:
    import xlwings

    standard, classes = xlwings_modules()
    installed = (resources.files("xlwings") / "xlwings.bas").read_bytes().decode("cp1252")
    assert standard["xlwings"].replace("\r\n", "\n") == installed.replace("\r\n", "\n")
    assert f"'Version: {xlwings.__version__}\r\n" in standard["xlwings"]
    assert "Public Function RunPython(" in standard["xlwings"]
    assert set(classes) == {"Dictionary"}


def test_class_module_stored_as_xlwings_standalone_quickstart_stores_it() -> None:
    """Our Dictionary header equals the one in xlwings' own Excel-saved standalone workbook."""
    standalone = resources.files("xlwings") / "quickstart_standalone.xlsm"
    theirs = macros_of("quickstart_standalone.xlsm", standalone.read_bytes())["Dictionary"]
    ours = xlwings_modules()[1]["Dictionary"]
    attributes = [line for line in ours.splitlines() if line.startswith("Attribute ")]
    assert attributes == [line for line in theirs.splitlines() if line.startswith("Attribute ")]
    assert not ours.startswith("VERSION")


# ---------------------------------------------------------------------------
# vbaProject.bin
# ---------------------------------------------------------------------------

def test_olevba_reads_back_the_exact_source(project_bin: bytes) -> None:
    modules = macros_of("vbaProject.bin", project_bin)
    assert list(modules) == ["ThisWorkbook", "Sheet1", "Sheet2", BUTTON_MODULE, "xlwings", "Dictionary"]
    standard, classes = xlwings_modules()
    assert modules[BUTTON_MODULE] == buttons_source()
    assert modules["xlwings"] == standard["xlwings"]
    assert modules["Dictionary"] == classes["Dictionary"]
    for document in ("ThisWorkbook", "Sheet1", "Sheet2"):
        assert f'Attribute VB_Name = "{document}"' in modules[document]
        assert "Attribute VB_Base = " in modules[document]
        assert code_lines(modules[document]) == []


def test_project_streams_ask_office_to_compile_from_source(project_bin: bytes) -> None:
    from pyopenvba.vba import decompress, parse_dir_stream

    ole = olefile.OleFileIO(project_bin)
    try:
        assert ole.openstream("VBA/_VBA_PROJECT").read() == FRESH_VBA_PROJECT_STREAM
        assert not [path for path in ole.listdir() if path[-1].startswith("__SRP_")]
        info, modules = parse_dir_stream(decompress(ole.openstream("VBA/dir").read()))
        project = ole.openstream("PROJECT").read().decode("cp1252")
    finally:
        ole.close()
    assert info.code_page == 1252
    assert info.lcid == 0x409
    assert [(module.name, module.text_offset) for module in modules] == [
        ("ThisWorkbook", 0), ("Sheet1", 0), ("Sheet2", 0), (BUTTON_MODULE, 0), ("xlwings", 0), ("Dictionary", 0)]
    for line in ("Document=ThisWorkbook/&H00000000", "Document=Sheet1/&H00000000",
                 "Document=Sheet2/&H00000000", f"Module={BUTTON_MODULE}", "Module=xlwings",
                 "Class=Dictionary"):
        assert line + "\r\n" in project


def test_deterministic(project_bin: bytes, demo_xlsm: Path, tmp_path: Path) -> None:
    assert jifen_vba_project(sheet_codenames=["Sheet1", "Sheet2"]) == project_bin
    assert build_demo_xlsm(tmp_path / "again.xlsm").read_bytes() == demo_xlsm.read_bytes()
    small = {"Tools": "Sub Hello()\n    MsgBox \"hi\"\nEnd Sub\n"}
    assert build_vba_project(small, sheet_codenames=["Log"]) == build_vba_project(small, sheet_codenames=["Log"])


def test_codenames_and_modules_as_given() -> None:
    binary = build_vba_project({"Tools": "Sub Hello()\n    MsgBox \"hi\"\nEnd Sub"},
                               workbook_codename="Book", sheet_codenames=["Log", "Summary"])
    modules = macros_of("vbaProject.bin", binary)
    assert list(modules) == ["Book", "Log", "Summary", "Tools"]
    assert modules["Tools"] == 'Attribute VB_Name = "Tools"\r\nSub Hello()\r\n    MsgBox "hi"\r\nEnd Sub\r\n'


@pytest.mark.parametrize(("modules", "codenames", "message"), [
    ({"Tools": 'Sub Hello()\n    MsgBox "你好"\nEnd Sub\n'}, ["Sheet1"], "code page 1252"),
    ({"Tools": 'Attribute VB_Name = "Other"\nSub Hello()\nEnd Sub\n'}, ["Sheet1"], "VB_Name"),
    ({"积分": "Sub Hello()\nEnd Sub\n"}, ["Sheet1"], "not a valid VBA module name"),
    ({"Sheet1": "Sub Hello()\nEnd Sub\n"}, ["Sheet1"], "used twice"),
    ({"Tools": "Sub Hello()\nEnd Sub\n"}, [], "at least one sheet"),
])
def test_rejects_what_vba_cannot_hold(modules: dict[str, str], codenames: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_vba_project(modules, sheet_codenames=codenames)


# ---------------------------------------------------------------------------
# The .xlsm written with XlsxWriter
# ---------------------------------------------------------------------------

def test_xlsm_carries_the_project(demo_xlsm: Path, project_bin: bytes) -> None:
    with zipfile.ZipFile(demo_xlsm) as package:
        assert package.read("xl/vbaProject.bin") == project_bin
        types = package.read("[Content_Types].xml").decode()
        workbook = package.read("xl/workbook.xml").decode()
        sheets = [package.read(f"xl/worksheets/sheet{n}.xml").decode() for n in (1, 2)]
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert "application/vnd.ms-office.vbaProject" in types
    assert re.search(r'<workbookPr\b[^>]*codeName="ThisWorkbook"', workbook)
    for number, sheet in enumerate(sheets, start=1):
        assert re.search(rf'<sheetPr\b[^>]*codeName="Sheet{number}"', sheet)
    modules = macros_of(demo_xlsm.name, demo_xlsm.read_bytes())
    assert modules[BUTTON_MODULE] == buttons_source()
    assert modules["xlwings"] == xlwings_modules()[0]["xlwings"]


def test_every_button_names_a_sub_in_our_module(demo_xlsm: Path) -> None:
    with zipfile.ZipFile(demo_xlsm) as package:
        drawings = [name for name in package.namelist() if re.fullmatch(r"xl/drawings/vmlDrawing\d+\.vml", name)]
        macros = [macro for name in drawings
                  for macro in re.findall(r"<x:FmlaMacro>(.*?)</x:FmlaMacro>", package.read(name).decode())]
    # Excel's own form (XlsxWriter's Excel-made button07.xlsm: [0]!say_hello): the bare Sub name
    assert macros == [f"[0]!{sub}" for sub in DEMO_SUBS]
    subs = set(subs_in(buttons_source()))
    for macro in macros:
        assert macro.removeprefix("[0]!") in subs


def test_xlsm_opens_in_openpyxl(demo_xlsm: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(demo_xlsm, keep_vba=True)
    try:
        assert book.sheetnames == ["积分录入", "汇总"]
        assert book.vba_archive is not None
        assert book.code_name == "ThisWorkbook"
        assert [sheet.sheet_properties.codeName for sheet in book.worksheets] == ["Sheet1", "Sheet2"]
        assert book["积分录入"]["D2"].value == "张三"
    finally:
        book.close()


def test_add_buttons_refuses_unknown_subs_and_xlsx(tmp_path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "a.xlsm"))
    sheet = book.add_worksheet()
    with pytest.raises(ValueError, match="no Sub 'JifenNope'"):
        add_buttons_and_vba(book, sheet, [("JifenNope", "x")])
    book.close()
    book = xlsxwriter.Workbook(str(tmp_path / "a.xlsx"))
    sheet = book.add_worksheet()
    with pytest.raises(ValueError, match=r"\.xlsm"):
        add_buttons_and_vba(book, sheet, [("JifenWeek", "本周汇总")])
    book.close()


def test_add_buttons_in_memory_workbook() -> None:
    import xlsxwriter

    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    first = book.add_worksheet("一")
    book.add_worksheet("二").set_vba_name("Summary")
    add_buttons_and_vba(book, first, [(button.sub, button.caption) for button in BUTTONS])
    book.close()
    modules = macros_of("book.xlsm", output.getvalue())
    assert list(modules)[:3] == ["ThisWorkbook", "Sheet1", "Summary"]


# ---------------------------------------------------------------------------
# LibreOffice, when installed
# ---------------------------------------------------------------------------

def test_libreoffice_imports_modules_and_button_bindings(demo_xlsm: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; cannot check its VBA import")
    profile = (tmp_path / "lo-profile").as_uri()
    out = tmp_path / "ods"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "ods",
         "--outdir", str(out), str(demo_xlsm)],
        capture_output=True, text=True, timeout=300, check=False)
    ods = out / "demo.ods"
    assert ods.exists(), f"soffice did not convert: {result.stdout} {result.stderr}"
    with zipfile.ZipFile(ods) as package:
        names = package.namelist()
        found = [name for name in names if re.fullmatch(rf"Basic/[^/]+/{BUTTON_MODULE}\.xml", name)]
        assert found, f"no {BUTTON_MODULE} module in LibreOffice's Basic libraries: {names}"
        library = found[0].split("/")[1]
        text = ET.fromstring(package.read(found[0])).text or ""
        xlwings_text = ET.fromstring(package.read(f"Basic/{library}/xlwings.xml")).text or ""
        content = package.read("content.xml").decode()
    # LibreOffice prefixes two lines of its own, drops the Attribute lines and
    # ends the text with blank lines; every code line is there as written.
    assert text.split("\n")[:2] == ["Rem Attribute VBA_ModuleType=VBAModule", "Option VBASupport 1"]
    assert text.rstrip("\n").split("\n")[2:] == code_lines(buttons_source())
    assert "Public Function RunPython(PythonCommand As String)" in xlwings_text
    bound = re.findall(r'script:event-name="form:performaction" xlink:href="vnd\.sun\.star\.script:'
                       r'([^"?]+)\?language=Basic', content)
    assert bound == [f"{library}.{BUTTON_MODULE}.{sub}" for sub in DEMO_SUBS]
