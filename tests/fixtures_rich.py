"""Builders for realistic source workbooks used by the writer tests.

Everything is generated locally (XlsxWriter, openpyxl, zipfile); nothing is downloaded.
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

import xlsxwriter

LOG_HEADERS = ["日期", "对象", "姓名", "代码", "事项", "次数", "分值", "记录人", "备注"]
NAMES = ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十"]


def find_xlsxwriter_vba_bin() -> Path | None:
    """A vbaProject.bin shipped *inside* the installed XlsxWriter package, if any."""
    root = Path(xlsxwriter.__file__).parent
    for p in sorted(root.rglob("*.bin")):
        if "vba" in p.name.lower():
            return p
    return None


def build_rich_workbook(path: Path, *, vba: bytes | None = None, old_output: bool = False,
                        rows: int = 30) -> Path:
    """An input workbook as a teacher might have it.

    Sheets: ``日志`` (data, a drop-down data validation, frozen header, a comment),
    ``设置`` (key/value pairs, a formula, a native chart, a sheet-local defined name),
    a global defined name; with ``old_output`` also a ``周汇总`` sheet as a previous
    version might have looked (a formula, a comment and a chart of its own);
    with ``vba`` (bytes of a vbaProject.bin) an .xlsm with a button on ``设置``.
    """
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
    bold = wb.add_format({"bold": True})
    dfmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    log = wb.add_worksheet("日志")
    log.write_row(0, 0, LOG_HEADERS, bold)
    start = date(2026, 9, 1)
    for i in range(rows):
        log.write_datetime(i + 1, 0, start + timedelta(days=i % 20), dfmt)
        log.write_string(i + 1, 1, f"2026{i % 8 + 1:03d}")
        log.write_string(i + 1, 2, NAMES[i % 8])
        log.write_string(i + 1, 3, ["A1", "A2", "B1"][i % 3])
        log.write_string(i + 1, 4, ["迟到", "作业优秀", "打扫卫生"][i % 3])
        log.write_number(i + 1, 5, 1)
        log.write_number(i + 1, 6, [-1, 2, 1.5][i % 3])
        log.write_string(i + 1, 7, "班长")
    log.data_validation(1, 3, 500, 3, {"validate": "list", "source": ["A1", "A2", "B1"]})
    log.freeze_panes(1, 0)
    log.write_comment("B1", "学号，或 宿舍:名 / 小组:名 / 全班")
    log.set_column(0, 0, 12)

    setup = wb.add_worksheet("设置")
    setup.write_row(0, 0, ["项目", "值"], bold)
    for r, (k, v) in enumerate([("班级", "高一(3)班"), ("基础分", 100), ("班干部倍数", 2)], start=1):
        setup.write(r, 0, k)
        setup.write(r, 1, v)
    setup.write_formula("B6", "=SUM(日志!G2:G31)", None, 12.5)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "分值", "categories": f"=日志!$C$2:$C${rows + 1}",
                      "values": f"=日志!$G$2:$G${rows + 1}"})
    setup.insert_chart("D2", chart)
    wb.define_name("班级名单", f"=日志!$C$2:$C${rows + 1}")
    wb.define_name("设置!基础分", "=设置!$B$3")
    if vba is not None:
        wb.add_vba_project(io.BytesIO(vba), is_stream=True)
        wb.set_vba_name("ThisWorkbook")
        setup.set_vba_name("Sheet2")
        log.set_vba_name("Sheet1")
        setup.insert_button("D20", {"macro": "RunCompute", "caption": "计算积分", "width": 100})

    if old_output:
        old = wb.add_worksheet("周汇总")
        old.write_row(0, 0, ["周开始", "学号", "姓名"])
        old.write_row(1, 0, ["旧", "旧", "旧"])
        old.write_formula("D2", "=1+1", None, 2)
        old.write_comment("A1", "old comment")
        c2 = wb.add_chart({"type": "line"})
        c2.add_series({"values": "=周汇总!$D$2:$D$2"})
        old.insert_chart("F2", c2)

    wb.close()
    return path


def add_calc_chain(path: Path, entries: list[tuple[str, int]]) -> None:
    """Add xl/calcChain.xml (cell ref, sheetId) with its relationship and content type,
    as Excel would after a save. ``i`` is written only when it changes (Excel does too)."""
    cells = []
    last = None
    for ref, sid in entries:
        cells.append(f'<c r="{ref}" i="{sid}"/>' if sid != last else f'<c r="{ref}"/>')
        last = sid
    chain = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             + "".join(cells) + "</calcChain>").encode()

    def patch(name: str, data: bytes) -> bytes | None:
        if name == "xl/calcChain.xml":
            return None                      # replaced below
        if name in ("[Content_Types].xml", "xl/_rels/workbook.xml.rels"):
            data = re.sub(rb'<(Override|Relationship)[^>]*calcChain[^>]*/>', b"", data)
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType='
                                b'"application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>')
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", b'<Relationship Id="rId900" Type="http://schemas.'
                                b'openxmlformats.org/officeDocument/2006/relationships/calcChain" '
                                b'Target="calcChain.xml"/></Relationships>')
        return data
    rewrite_zip(path, patch, add={"xl/calcChain.xml": chain})


def rewrite_zip(path: Path, patch, add: dict[str, bytes] | None = None) -> None:
    """Rewrite every member through ``patch(name, data)`` (None drops it), then append ``add``."""
    with zipfile.ZipFile(path) as zin:
        items = [(i, zin.read(i)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            new = patch(info.filename, data)
            if new is not None:
                zout.writestr(info, new)
        for name, data in (add or {}).items():
            zout.writestr(name, data)


def _prefix_tags(xml: str, prefix: str) -> str:
    """Bind the main namespace to ``prefix`` instead of the default namespace."""
    xml = xml.replace('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                      f'xmlns:{prefix}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"', 1)
    return re.sub(r"<(/?)(?![?!])([A-Za-z][\w.]*)(?=[\s/>])", rf"<\1{prefix}:\2", xml)


def make_prefixed_absolute(path: Path) -> None:
    """Turn a workbook into the shape some generators write: ``<x:workbook>``/``<x:styleSheet>``
    with a namespace prefix, and absolute part names (``/xl/worksheets/sheet1.xml``) in rels."""
    def patch(name: str, data: bytes) -> bytes:
        if name in ("xl/workbook.xml", "xl/styles.xml"):
            return _prefix_tags(data.decode(), "x").encode()
        if name == "xl/_rels/workbook.xml.rels":
            return re.sub(rb'Target="(?!/)([^"]+)"', rb'Target="/xl/\1"', data)
        if name == "_rels/.rels":
            return re.sub(rb'Target="(?!/)([^"]+)"', rb'Target="/\1"', data)
        return data
    rewrite_zip(path, patch)


def build_openpyxl_workbook(path: Path) -> Path:
    import openpyxl
    from openpyxl.workbook.defined_name import DefinedName
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名册"
    ws.append(["学号", "姓名", "职务"])
    for i in range(10):
        ws.append([f"2026{i:03d}", NAMES[i % 8], "班长" if i == 0 else None])
    s2 = wb.create_sheet("设置")
    s2.append(["项目", "值"])
    s2.append(["基础分", 100])
    s2.defined_names["基础分"] = DefinedName("基础分", attr_text="设置!$B$2")
    wb.defined_names["名单"] = DefinedName("名单", attr_text="名册!$B$2:$B$11")
    wb.save(path)
    return path


def build_big_log(path: Path, rows: int, constant_memory: bool = True) -> Path:
    """A log workbook with ``rows`` rows × 8 columns of Chinese text, numbers and dates."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    dfmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("日志")
    ws.write_row(0, 0, LOG_HEADERS[:8])
    start = date(2026, 9, 1)
    items = ["迟到", "作业优秀", "打扫卫生", "上课讲话", "帮助同学"]
    for i in range(rows):
        r = i + 1
        ws.write_datetime(r, 0, start + timedelta(days=i % 120), dfmt)
        ws.write_string(r, 1, f"2026{i % 50:03d}")
        ws.write_string(r, 2, NAMES[i % 8])
        ws.write_string(r, 3, f"C{i % 30}")
        ws.write_string(r, 4, items[i % 5])
        ws.write_number(r, 5, 1 + i % 3)
        ws.write_number(r, 6, (i % 7) - 3)
        ws.write_string(r, 7, "值日班长")
    ws.freeze_panes(1, 0)
    wb.close()
    return path
