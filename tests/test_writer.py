"""Zip-level writer: byte preservation, values, in-place replacement, determinism, safety."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import warnings
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from jifen_xl.book.ooxml import (BACKUP_DIR, WorkbookBusy, WorkbookNotWritable,
                                 read_sheet_xml_names, write_outputs)
from jifen_xl.book.childenv import clean_env
from jifen_xl.book.ooxml import safesave, xmltext
from jifen_xl.book.sheets import OutputSheet
from jifen_xl.core.problems import InputError

sys.path.insert(0, str(Path(__file__).parent))
from fixtures_rich import (add_calc_chain, build_openpyxl_workbook, build_rich_workbook,  # noqa: E402
                           find_xlsxwriter_vba_bin, make_prefixed_absolute)

REPO = Path(__file__).resolve().parents[1]
PATCHED = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml",
           "docProps/app.xml"}    # issue #23: lists the sheets added


# ----------------------------------------------------------------------------- helpers

def summary_sheet(n: int = 3000, tag: str = "") -> OutputSheet:
    start = date(2026, 9, 7)
    rows = []
    for i in range(n):
        rows.append([start + timedelta(days=7 * (i % 18)), f"2026{i % 50:03d}", f"学生{i}号{tag}",
                     Decimal("85.5") if i % 2 else Decimal("1E+1"), i % 7, Decimal("-3.25"),
                     "=SUM(A1)" if i == 0 else f"第{i}行 迟到 3次", i % 3 == 0])
    return OutputSheet("周汇总", ["周开始", "学号", "姓名", "加分", "减分", "净分", "备注", "干部"],
                       rows, title="高一(3)班 第1周 & 计算于 2026-09-13",
                       number_formats={"净分": "0.00"})


def small_sheet(name: str = "上自习名单", extra: str = "") -> OutputSheet:
    return OutputSheet(name, ["周开始", "学号", "姓名", "原因"],
                       [[date(2026, 9, 7), "2026001", "张三", "迟到 3次" + extra],
                        [datetime(2026, 9, 8, 7, 45), "2026002", "李四'", None]],
                       title="高一(3)班", landscape=True)


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def infos(path: Path) -> dict[str, zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: i for i in z.infolist()}


@pytest.fixture
def rich(tmp_path: Path) -> Path:
    return build_rich_workbook(tmp_path / "班级积分.xlsx")


# ----------------------------------------------------------------------------- preservation & values

def test_untouched_members_are_byte_identical(rich: Path):
    before = members(rich)
    before_info = infos(rich)
    write_outputs(rich, [summary_sheet(), small_sheet()])
    after = members(rich)
    after_info = infos(rich)
    new = set(after) - set(before)
    assert new == {"xl/worksheets/sheet3.xml", "xl/worksheets/sheet4.xml"}
    assert set(before) - set(after) == set()
    for name, data in before.items():
        if name in PATCHED:
            continue
        assert after[name] == data, name
        # raw copy: same compressed size, CRC and timestamp as the source member
        assert (after_info[name].compress_size, after_info[name].CRC, after_info[name].date_time) == \
            (before_info[name].compress_size, before_info[name].CRC, before_info[name].date_time)
    # same member order; new parts at the end
    assert list(after)[:len(before)] == list(before)
    assert "xl/sharedStrings.xml" not in PATCHED and after["xl/sharedStrings.xml"] == before["xl/sharedStrings.xml"]
    # docProps/app.xml lists the new sheets too (issue #23), the rest of it as it was
    app, old = after["docProps/app.xml"].decode(), before["docProps/app.xml"].decode()
    sheets = "".join(f"<vt:lpstr>{n}</vt:lpstr>" for n in ["日志", "设置"])
    added = "".join(f"<vt:lpstr>{n}</vt:lpstr>" for n in ["周汇总", "上自习名单"])
    assert sheets in old and sheets + added in app
    assert "<vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>4</vt:i4>" in app
    assert app.split(added)[1] == old.split(sheets)[1]        # the named ranges and the rest as they were


def test_values_read_back_with_openpyxl_and_calamine(rich: Path):
    write_outputs(rich, [summary_sheet(), small_sheet()])
    wb = openpyxl.load_workbook(rich)
    assert wb.sheetnames == ["日志", "设置", "周汇总", "上自习名单"]
    ws = wb["周汇总"]
    assert [c.value for c in ws[1]] == ["周开始", "学号", "姓名", "加分", "减分", "净分", "备注", "干部"]
    assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb == "FFD9E1F2"
    row2 = [c.value for c in ws[2]]
    assert row2 == [datetime(2026, 9, 7), "2026000", "学生0号", 10, 0, -3.25, "=SUM(A1)", "是"]
    assert ws["G2"].data_type == "s"                    # text, not a formula
    assert ws["A2"].number_format == "yyyy-mm-dd" and ws["F2"].number_format == "0.00"
    assert ws["D3"].value == 85.5 and ws["H3"].value == "否"
    assert ws.max_row == 3001 and ws.freeze_panes == "A2"
    assert ws.print_title_rows == "$1:$1"
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.oddHeader.center.text == "高一(3)班 第1周 && 计算于 2026-09-13"
    assert "&P" in ws.oddFooter.center.text
    assert ws.column_dimensions["C"].width >= 10
    s2 = wb["上自习名单"]
    assert s2.page_setup.orientation == "landscape"
    assert s2["A3"].value == datetime(2026, 9, 8, 7, 45) and s2["C3"].value == "李四'"
    assert s2["D3"].value is None
    wb.close()

    cal = CalamineWorkbook.from_path(str(rich))
    rows = cal.get_sheet_by_name("周汇总").to_python()
    assert rows[1][:4] == [date(2026, 9, 7), "2026000", "学生0号", 10.0]
    assert rows[2][3] == 85.5 and rows[1][6] == "=SUM(A1)"
    assert len(rows) == 3001
    raw = members(rich)["xl/worksheets/sheet3.xml"].decode()
    assert "<f>" not in raw and "<f " not in raw
    assert "E-" not in raw and "E+" not in raw and "e+" not in raw   # Decimals without exponent


def test_decimal_and_float_text():
    from jifen_xl.book.ooxml.sheetxml import num_text as _num_text
    assert _num_text(Decimal("85.50")) == "85.5"
    assert _num_text(Decimal("1E+3")) == "1000"
    assert _num_text(Decimal("-0.00")) == "0"
    assert _num_text(Decimal("0.1")) == "0.1"
    assert _num_text(0.1 + 0.2) == repr(0.1 + 0.2)
    assert _num_text(12.0) == "12"
    assert _num_text(float("nan")) is None
    with pytest.raises(ValueError):
        _num_text(float("inf"))


def test_strings_are_text_escaped_and_cleaned(tmp_path: Path):
    src = build_openpyxl_workbook(tmp_path / "op.xlsx")
    vals = ["=SUM(A1)", "+1", "-1", "@x", "<a&b>\"'", " lead", "tab\tx", "ctl\x01x", "lone\ud800",
            "_x0041_", "cr\r\nlf", "x" * 40000]
    write_outputs(src, [OutputSheet("T", ["值"], [[v] for v in vals])])
    got = [r[0] for r in CalamineWorkbook.from_path(str(src)).get_sheet_by_name("T").to_python()[1:]]
    expected = ["=SUM(A1)", "+1", "-1", "@x", "<a&b>\"'", " lead", "tab\tx", "ctlx", "lone",
                "_x0041_", "cr\nlf", "x" * 32767]
    assert got == expected
    ws = openpyxl.load_workbook(src)["T"]
    assert all(c.data_type == "s" for c in ws["A"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(max_size=30), min_size=1, max_size=15))
def test_any_text_round_trips_through_calamine(tmp_path: Path, texts: list[str]):
    src = tmp_path / "h.xlsx"
    if not src.exists():
        build_openpyxl_workbook(src)
    write_outputs(src, [OutputSheet("H", ["v"], [[t] for t in texts])], backup=False)
    got = CalamineWorkbook.from_path(str(src)).get_sheet_by_name("H").to_python()[1:]
    cleaned = [xmltext.ILLEGAL_XML_RE.sub("", t.replace("\r\n", "\n").replace("\r", "\n"))
               for t in texts]
    # blank strings are written as no cell; calamine may drop trailing empty rows
    assert [r[0] for r in got] == cleaned[:len(got)]
    assert all(c == "" for c in cleaned[len(got):])


def test_date1904_workbook(tmp_path: Path):
    src = build_openpyxl_workbook(tmp_path / "d.xlsx")
    wb = openpyxl.load_workbook(src)
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    wb.save(src)
    write_outputs(src, [small_sheet()])
    assert openpyxl.load_workbook(src)["上自习名单"]["A2"].value == datetime(2026, 9, 7)


# ----------------------------------------------------------------------------- replace in place

def test_rerun_replaces_in_place_and_keeps_everything_else(rich: Path):
    write_outputs(rich, [summary_sheet(), small_sheet()])
    first = members(rich)
    wbx1 = first["xl/workbook.xml"].decode()
    write_outputs(rich, [summary_sheet(200, tag="v2"), small_sheet(extra="!")])
    second = members(rich)
    assert set(first) == set(second)
    wbx2 = second["xl/workbook.xml"].decode()
    sheets1 = re.findall(r"<sheet [^>]*/>", wbx1)
    assert sheets1 == re.findall(r"<sheet [^>]*/>", wbx2)     # position, sheetId, r:id unchanged
    assert second["xl/_rels/workbook.xml.rels"] == first["xl/_rels/workbook.xml.rels"]
    assert second["[Content_Types].xml"] == first["[Content_Types].xml"]
    assert second["xl/styles.xml"] == first["xl/styles.xml"]     # styles reused, not appended
    wb = openpyxl.load_workbook(rich)
    assert wb.sheetnames == ["日志", "设置", "周汇总", "上自习名单"]
    assert wb["周汇总"].max_row == 201 and wb["周汇总"]["C2"].value == "学生0号v2"
    assert wb["日志"].data_validations.dataValidation[0].formula1 == '"A1,A2,B1"'
    assert wb["日志"].freeze_panes == "A2"
    assert "班级名单" in wb.defined_names
    assert "基础分" in wb["设置"].defined_names
    assert wb["周汇总"].print_title_rows == "$1:$1"
    wb.close()
    assert any(n.startswith("xl/charts/") for n in second)
    assert "xl/comments1.xml" in second
    # our Print_Titles names were replaced, not duplicated
    assert wbx2.count("_xlnm.Print_Titles") == 2


def test_local_defined_name_still_points_at_its_sheet(rich: Path):
    wbx = members(rich)["xl/workbook.xml"].decode()
    assert re.search(r'name="基础分" localSheetId="1"', wbx)
    write_outputs(rich, [summary_sheet(10), small_sheet()])
    wb = openpyxl.load_workbook(rich)
    assert wb.sheetnames[1] == "设置"
    assert wb["设置"].defined_names["基础分"].attr_text == "设置!$B$3"
    titles = {ws.title: ws.print_title_rows for ws in wb.worksheets}
    assert titles == {"日志": None, "设置": None, "周汇总": "$1:$1", "上自习名单": "$1:$1"}


def test_replacing_old_output_drops_its_rels_and_orphans_and_calcchain(tmp_path: Path):
    src = build_rich_workbook(tmp_path / "old.xlsx", old_output=True)
    add_calc_chain(src, [("B6", 2), ("D2", 3)])        # 设置!B6 (sheetId 2), 周汇总!D2 (sheetId 3)
    before = members(src)
    assert "xl/worksheets/_rels/sheet3.xml.rels" in before
    write_outputs(src, [summary_sheet(20)])
    after = members(src)
    gone = set(before) - set(after)
    assert "xl/worksheets/_rels/sheet3.xml.rels" in gone
    assert "xl/calcChain.xml" in gone
    assert "xl/charts/chart2.xml" in gone and "xl/drawings/drawing2.xml" in gone
    assert "xl/comments2.xml" in gone and "xl/drawings/vmlDrawing2.vml" in gone
    # what the other sheets use stays
    for keep in ("xl/charts/chart1.xml", "xl/drawings/drawing1.xml", "xl/comments1.xml",
                 "xl/drawings/vmlDrawing1.vml", "xl/worksheets/_rels/sheet1.xml.rels"):
        assert after[keep] == before[keep]
    ct = after["[Content_Types].xml"].decode()
    assert "calcChain" not in ct and "chart2" not in ct and "comments2" not in ct
    assert "calcChain" not in after["xl/_rels/workbook.xml.rels"].decode()
    wb = openpyxl.load_workbook(src)
    assert wb.sheetnames == ["日志", "设置", "周汇总"]
    assert wb["周汇总"]["A1"].value == "周开始"
    assert wb["日志"]["B1"].comment is not None


def test_calcchain_kept_when_replaced_sheet_has_no_formulas(tmp_path: Path):
    src = build_rich_workbook(tmp_path / "c.xlsx")
    write_outputs(src, [summary_sheet(5)])               # 周汇总 gets sheetId 3
    add_calc_chain(src, [("B6", 2), ("B7", 2)])
    chain = members(src)["xl/calcChain.xml"]
    write_outputs(src, [summary_sheet(6)])
    assert members(src)["xl/calcChain.xml"] == chain
    # ... and dropped when the replaced sheet is named through the inherited `i`
    add_calc_chain(src, [("B6", 3), ("B7", 3)])
    write_outputs(src, [summary_sheet(7)])
    assert "xl/calcChain.xml" not in members(src)


def test_refuses_to_replace_a_chartsheet(tmp_path: Path):
    import xlsxwriter
    p = tmp_path / "cs.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("数据")
    ws.write_column(0, 0, [1, 2, 3])
    cs = wb.add_chartsheet("周汇总")
    ch = wb.add_chart({"type": "line"})
    ch.add_series({"values": "=数据!$A$1:$A$3"})
    cs.set_chart(ch)
    wb.close()
    data = p.read_bytes()
    with pytest.raises(InputError, match="图表工作表"):
        write_outputs(p, [summary_sheet(3)])
    assert p.read_bytes() == data


# ----------------------------------------------------------------------------- determinism

def test_same_write_twice_gives_identical_bytes(rich: Path, tmp_path: Path):
    sheets = [summary_sheet(), small_sheet()]
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_outputs(rich, sheets, out=a)
    write_outputs(rich, sheets, out=b)
    assert a.read_bytes() == b.read_bytes()
    # writing the same sheets into the output of a previous run changes nothing
    write_outputs(a, sheets)
    assert a.read_bytes() == b.read_bytes()
    for i in infos(a).values():
        if i.filename in PATCHED or i.filename.startswith("xl/worksheets/sheet3"):
            assert i.date_time == (1980, 1, 1, 0, 0, 0)


# ----------------------------------------------------------------------------- source variants

def test_openpyxl_source(tmp_path: Path):
    src = build_openpyxl_workbook(tmp_path / "op.xlsx")
    write_outputs(src, [summary_sheet(50), small_sheet()])
    wb = openpyxl.load_workbook(src)
    assert wb.sheetnames == ["名册", "设置", "周汇总", "上自习名单"]
    assert wb["设置"].defined_names["基础分"].attr_text == "设置!$B$2"
    assert wb["周汇总"]["D3"].value == 85.5


def test_prefixed_namespace_and_absolute_targets(tmp_path: Path):
    src = build_openpyxl_workbook(tmp_path / "px.xlsx")
    make_prefixed_absolute(src)
    wbx = members(src)["xl/workbook.xml"].decode()
    assert "<x:sheets>" in wbx and 'Target="/xl/worksheets/sheet1.xml"' in \
        members(src)["xl/_rels/workbook.xml.rels"].decode()
    write_outputs(src, [summary_sheet(20), small_sheet()])
    out = members(src)
    wbx = out["xl/workbook.xml"].decode()
    assert '<x:sheet name="周汇总"' in wbx and "<x:definedName name=\"_xlnm.Print_Titles\"" in wbx
    assert "<sheet " not in wbx
    assert "<x:numFmt " in out["xl/styles.xml"].decode()
    wb = openpyxl.load_workbook(src)
    assert wb.sheetnames == ["名册", "设置", "周汇总", "上自习名单"]
    assert wb["周汇总"]["A1"].font.b
    assert CalamineWorkbook.from_path(str(src)).get_sheet_by_name("上自习名单").to_python()[1][1] == "2026001"
    # replace in place through the absolute target too
    first = src.read_bytes()
    write_outputs(src, [summary_sheet(20), small_sheet()])
    assert src.read_bytes() == first


SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_source_and_libreoffice_opens_result(tmp_path: Path):
    op = build_openpyxl_workbook(tmp_path / "op.xlsx")
    env = clean_env({"HOME": str(tmp_path / "home")})

    def convert(src: Path, outdir: Path) -> Path:
        outdir.mkdir()
        subprocess.run([SOFFICE, "--headless", "--convert-to", "xlsx", "--outdir", str(outdir), str(src)],
                       check=True, capture_output=True, env=env, timeout=120)
        return outdir / src.name
    lo = convert(op, tmp_path / "lo")
    write_outputs(lo, [summary_sheet(30), small_sheet()])
    assert openpyxl.load_workbook(lo).sheetnames == ["名册", "设置", "周汇总", "上自习名单"]
    again = convert(lo, tmp_path / "lo2")                # LibreOffice reads our output back
    assert read_sheet_xml_names(again) == ["名册", "设置", "周汇总", "上自习名单"]
    rows = CalamineWorkbook.from_path(str(again)).get_sheet_by_name("周汇总").to_python()
    assert rows[1][:3] == [date(2026, 9, 7), "2026000", "学生0号"] and rows[1][6] == "=SUM(A1)"


def test_xlsm_placeholder_vba_keeps_content_type_and_project_bytes(tmp_path: Path):
    """An .xlsm package with *placeholder* vbaProject.bin bytes (not a real VBA project:
    proves only that the macro content type, the project part and the button survive)."""
    src = build_rich_workbook(tmp_path / "宏.xlsm", vba=b"placeholder, not a VBA project" * 10)
    before = members(src)
    assert "macroEnabled.main+xml" in before["[Content_Types].xml"].decode()
    write_outputs(src, [summary_sheet(30)])
    after = members(src)
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    assert "macroEnabled.main+xml" in after["[Content_Types].xml"].decode()
    vml = [n for n in before if n.endswith(".vml")]
    assert vml and all(after[n] == before[n] for n in vml)     # the button's VML
    assert openpyxl.load_workbook(src, keep_vba=True).sheetnames[-1] == "周汇总"
    with pytest.raises(InputError, match="xlsm"):
        write_outputs(src, [summary_sheet(3)], out=tmp_path / "no-macros.xlsx")


def _real_vba_project() -> bytes | None:
    """A real vbaProject.bin: from the installed XlsxWriter package if it ships one, else
    from our own builder (jifen_xl.vba.project) when it is available and works."""
    shipped = find_xlsxwriter_vba_bin()
    if shipped is not None:
        return shipped.read_bytes()
    try:
        from jifen_xl.vba.project import jifen_vba_project
        return jifen_vba_project(sheet_codenames=["Sheet1", "Sheet2"])
    except Exception:
        return None


def test_xlsm_with_real_vba_project_and_button(tmp_path: Path):
    vba = _real_vba_project()
    if vba is None:
        pytest.skip("no vbaProject.bin inside the installed XlsxWriter package and our own "
                    "builder (jifen_xl.vba.project) is unavailable; placeholder case covered above")
    src = build_rich_workbook(tmp_path / "宏.xlsm", vba=vba)
    before = members(src)
    write_outputs(src, [summary_sheet(30)])
    after = members(src)
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    for n, data in before.items():
        if n not in PATCHED:
            assert after[n] == data, n
    assert 'codeName="Sheet2"' in after["xl/worksheets/sheet2.xml"].decode()
    assert "macroEnabled.main+xml" in after["[Content_Types].xml"].decode()
    wb = openpyxl.load_workbook(src, keep_vba=True)
    assert wb.sheetnames == ["日志", "设置", "周汇总"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # oletools' own deprecation noise
        try:
            from oletools.olevba import VBA_Parser
        except ImportError:
            return
        parser = VBA_Parser(str(src))
        try:
            assert parser.detect_vba_macros()
        finally:
            parser.close()


def test_read_sheet_xml_names(rich: Path, tmp_path: Path):
    assert read_sheet_xml_names(rich) == ["日志", "设置"]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputError):
        read_sheet_xml_names(bad)
    with pytest.raises(InputError):
        write_outputs(bad, [small_sheet()])


def test_entity_bomb_is_refused(tmp_path: Path):
    from fixtures_rich import rewrite_zip
    src = build_openpyxl_workbook(tmp_path / "bomb.xlsx")
    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>'
            '<sheet name="&b;" sheetId="1" r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"/></sheets></workbook>').encode()
    rewrite_zip(src, lambda n, d: bomb if n == "xl/workbook.xml" else d)
    data = src.read_bytes()
    with pytest.raises(InputError):
        write_outputs(src, [small_sheet()])
    assert src.read_bytes() == data


def test_invalid_sheet_names_rejected(rich: Path):
    for bad in ["a/b", "x" * 32, "", "'q", "History"]:
        with pytest.raises(ValueError):
            write_outputs(rich, [small_sheet(bad)])
    with pytest.raises(ValueError):
        write_outputs(rich, [small_sheet("甲"), small_sheet("甲")])


def test_header_only_sheet_and_no_sheets(rich: Path):
    write_outputs(rich, [OutputSheet("空表", ["学号", "姓名"], [])])
    ws = openpyxl.load_workbook(rich)["空表"]
    assert [c.value for c in ws[1]] == ["学号", "姓名"] and ws.max_row == 1
    write_outputs(rich, [])
    assert read_sheet_xml_names(rich) == ["日志", "设置", "空表"]


def test_sheet_name_with_apostrophe_is_quoted(rich: Path):
    write_outputs(rich, [small_sheet("张三's 表")])
    wbx = members(rich)["xl/workbook.xml"].decode()
    assert "'张三''s 表'!$1:$1" in wbx
    assert openpyxl.load_workbook(rich)["张三's 表"].print_title_rows == "$1:$1"


# ----------------------------------------------------------------------------- atomic save & safety

def test_backups_created_and_pruned(rich: Path):
    versions = []
    for k in range(7):
        versions.append(rich.read_bytes())
        write_outputs(rich, [small_sheet(extra=str(k))], keep_backups=3)
    folder = rich.parent / BACKUP_DIR
    files = sorted(folder.iterdir())
    assert len(files) == 3
    pat = re.compile(r"班级积分-\d{8}-\d{6}(-\d+)?\.xlsx")
    assert all(pat.fullmatch(f.name) for f in files)
    kept = {f.read_bytes() for f in files}
    assert kept == set(versions[-3:])          # the newest three previous versions


def test_no_backup_when_disabled_or_writing_new_out(rich: Path, tmp_path: Path):
    write_outputs(rich, [small_sheet()], backup=False)
    write_outputs(rich, [small_sheet()], out=tmp_path / "new.xlsx")
    assert not (rich.parent / BACKUP_DIR).exists()


@pytest.mark.parametrize("owner", ["~$班级积分.xlsx", "~$积分.xlsx", ".~lock.班级积分.xlsx#"])
def test_owner_file_means_busy(rich: Path, owner: str):
    (rich.parent / owner).write_bytes(b"\x05owner")
    data = rich.read_bytes()
    with pytest.raises(WorkbookBusy) as e:
        write_outputs(rich, [small_sheet()])
    assert owner in e.value.message and "关闭" in e.value.message
    assert rich.read_bytes() == data
    assert not list(rich.parent.glob(".~jifen-*"))


def test_read_only_file_is_not_writable(rich: Path):
    """A file without write bits is refused (checked from st_mode, so also as root)."""
    data = rich.read_bytes()
    os.chmod(rich, 0o444)
    try:
        with pytest.raises(WorkbookNotWritable) as e:
            write_outputs(rich, [small_sheet()])
        assert "只读" in e.value.message
    finally:
        os.chmod(rich, 0o644)
    assert rich.read_bytes() == data


def test_unwritable_folder_simulated(rich: Path, monkeypatch):
    """Root ignores directory permissions, so the folder check is exercised by
    making os.access report the folder unwritable (what it returns for a normal user)."""
    real = os.access
    monkeypatch.setattr(safesave.os, "access",
                        lambda p, mode, *a, **k: False if Path(p) == rich.parent else real(p, mode, *a, **k))
    with pytest.raises(WorkbookNotWritable) as e:
        write_outputs(rich, [small_sheet()])
    assert "权限" in e.value.message


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True,
                    reason="root bypasses directory permissions")
def test_unwritable_folder_real(rich: Path):
    os.chmod(rich.parent, 0o555)
    try:
        with pytest.raises(WorkbookNotWritable):
            write_outputs(rich, [small_sheet()])
    finally:
        os.chmod(rich.parent, 0o755)


def test_mode_kept_and_new_file_gets_umask_mode(rich: Path, tmp_path: Path):
    os.chmod(rich, 0o640)
    write_outputs(rich, [small_sheet()])
    assert rich.stat().st_mode & 0o777 == 0o640
    old = os.umask(0o027)
    try:
        out = write_outputs(rich, [small_sheet()], out=tmp_path / "新.xlsx")
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o640


def test_exception_mid_write_removes_temp_and_keeps_original(rich: Path, monkeypatch):
    data = rich.read_bytes()

    def boom(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(safesave.os, "fsync", boom)
    with pytest.raises(safesave.DiskFull):      # issue #14: a full disk is exit 2, "磁盘空间不足"
        write_outputs(rich, [summary_sheet(100)])
    assert rich.read_bytes() == data
    assert not list(rich.parent.glob(".~jifen-*"))
    assert not (rich.parent / BACKUP_DIR).exists()


KILL_SCRIPT = textwrap.dedent("""
    import os, shutil, sys, time
    from datetime import date
    from decimal import Decimal
    from pathlib import Path
    from jifen_xl.book import ooxml as writer
    from jifen_xl.book.sheets import OutputSheet

    path, phase = Path(sys.argv[1]), sys.argv[2]
    rows = [[date(2026, 9, 1), f"2026{i % 50:03d}", f"学生{i}号 迟到 3次", Decimal("85.5"), i]
            for i in range(int(sys.argv[3]))]
    sheet = OutputSheet("周汇总", ["日期", "学号", "姓名", "分", "序号"], rows, title="kill test")

    def mark(text):
        print(text, flush=True)
        time.sleep(60)

    real_fsync, real_copy, real_replace = os.fsync, shutil.copy2, os.replace
    if phase == "fsync":
        def fsync(fd):
            mark("AT fsync")
        os.fsync = fsync
    elif phase == "backup":
        def copy2(a, b):
            real_copy(a, b)
            mark("AT backup")
        shutil.copy2 = copy2
    elif phase == "replace":
        def replace(a, b):
            mark("AT replace")
        os.replace = replace
    elif phase == "after":
        def replace(a, b):
            real_replace(a, b)
            mark("AT after")
        os.replace = replace
    print("READY", flush=True)
    writer.write_outputs(path, [sheet])
    print("DONE", flush=True)
""")


def _run_and_kill(script: Path, target: Path, phase: str, rows: int, delay: float | None) -> bool:
    """Start a writer process, SIGKILL it at ``phase`` (or ``delay`` s after READY).
    Returns True when the process was still running when killed."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, str(script), str(target), phase, str(rows)],
                            stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert proc.stdout.readline().strip() == "READY"
        if delay is None:
            assert proc.stdout.readline().strip() == f"AT {phase}"
        else:
            time.sleep(delay)
        alive = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        return alive
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def _names(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return wb.sheetnames
    finally:
        wb.close()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_mid_write_leaves_original_intact(rich: Path, tmp_path: Path):
    script = tmp_path / "killme.py"
    script.write_text(KILL_SCRIPT, encoding="utf-8")
    original = rich.read_bytes()
    mid_write = 0
    for phase, delay in [("timed", 0.02), ("timed", 0.15), ("timed", 0.4),
                         ("fsync", None), ("backup", None), ("replace", None)]:
        alive = _run_and_kill(script, rich, phase, 30_000, delay)
        if rich.read_bytes() == original:
            assert _names(rich) == ["日志", "设置"]
            mid_write += alive
            continue
        # A timed kill may land after the rename: then it is the complete new workbook.
        assert phase == "timed", phase
        assert _names(rich) == ["日志", "设置", "周汇总"]
        rich.write_bytes(original)
        # that run kept a backup of the original; an identical version is never copied twice
        # (issue #14), so without removing it the "backup" phase below would rename, not copy
        shutil.rmtree(rich.parent / BACKUP_DIR, ignore_errors=True)
    assert mid_write >= 4
    # killed right after the rename: the file is the complete new workbook
    assert _run_and_kill(script, rich, "after", 1000, None)
    wb = openpyxl.load_workbook(rich, read_only=True)
    assert wb.sheetnames == ["日志", "设置", "周汇总"]
    assert sum(1 for _ in wb["周汇总"].iter_rows()) == 1001
    wb.close()
    # leftovers are only hidden temp files of ours, and a later run succeeds
    assert all(f.name.startswith(".~jifen-") for f in rich.parent.iterdir()
               if f.is_file() and f.name not in (rich.name, script.name))
    write_outputs(rich, [small_sheet()])
    assert read_sheet_xml_names(rich)[-1] == "上自习名单"
