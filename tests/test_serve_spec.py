"""The render spec (book/render_spec.py) says what the file door's writer does (issue #17):
widths, number formats, header fill, frozen header, A4 page setup, print titles, page header
and the charts — checked against the workbook `jifen` wrote."""
from __future__ import annotations

import re
import shutil
import zipfile

import openpyxl

from jifen_xl.app import find_action
from jifen_xl.book import render_spec as rs
from jifen_xl.book.reader import WorkbookReader


def _outputs(path, command, opts=None):
    with WorkbookReader(path) as reader:
        action = find_action(command, reader.sheet_names)
        sheets = {n: reader.sheet(n, e) for n, e in action.sheets_to_read().items()}
    return action.compute(sheets, opts or {}).outputs


def _chart_xml(path, sheet_name):
    """The chart parts drawn on ``sheet_name`` (through its drawing)."""
    with zipfile.ZipFile(path) as zf:
        wb = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(r'<sheet [^>]*name="%s"[^>]*r:id="([^"]+)"' % re.escape(sheet_name), wb).group(1)
        target = re.search(r'Id="%s"[^>]*Target="([^"]+)"' % rid, rels) or \
            re.search(r'Target="([^"]+)"[^>]*Id="%s"' % rid, rels)
        part = "xl/" + target.group(1).lstrip("/").removeprefix("xl/")
        srels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        if srels not in zf.namelist():
            return []
        drawing = re.search(r'Target="\.\./drawings/([^"]+)"', zf.read(srels).decode())
        if not drawing:
            return []
        drels = zf.read(f"xl/drawings/_rels/{drawing.group(1)}.rels").decode()
        return [zf.read("xl/charts/" + c).decode() for c in re.findall(r'Target="\.\./charts/([^"]+)"', drels)]


def test_spec_matches_what_the_file_door_wrote(demo_dir, tmp_path):
    import io
    from contextlib import redirect_stdout

    from jifen_xl.runner import run_action

    charted = 0
    for book, command in [("积分台账-示例.xlsx", "ledger"), ("班级积分-示例.xlsx", "month"),
                          ("乡村积分-示例.xlsx", "year")]:
        path = tmp_path / book
        shutil.copy(demo_dir / book, path)
        outputs = _outputs(path, command)
        with WorkbookReader(path) as reader:
            action = find_action(command, reader.sheet_names)
        with redirect_stdout(io.StringIO()):
            run_action(action, path, {})
        wb = openpyxl.load_workbook(path)
        for out in outputs:
            spec = rs.sheet_format(out)
            ws = wb[out.name]
            for i, col in enumerate(spec["columns"]):
                letter = openpyxl.utils.get_column_letter(i + 1)
                assert abs(ws.column_dimensions[letter].width - col["width"]) < 1e-6, (out.name, letter)
                if col["number_format"] and ws.max_row > 1:
                    cells = [ws.cell(r, i + 1) for r in range(2, ws.max_row + 1) if ws.cell(r, i + 1).value is not None
                             and not isinstance(ws.cell(r, i + 1).value, str)]
                    assert all(c.number_format == col["number_format"] for c in cells), (out.name, letter)
            assert ws.freeze_panes == "A2" and spec["freeze"] == {"rows": 1, "columns": 0}
            head = ws.cell(1, 1)
            assert head.font.b is True and head.fill.fgColor.rgb.endswith(spec["header_row"]["fill"])
            page = spec["page"]
            assert ws.page_setup.paperSize in (9, "9") and page["paper"] == "A4"
            assert ws.page_setup.orientation == page["orientation"]
            assert ws.print_title_rows == "$1:$1" and page["print_title_rows"] == "1:1"
            if page["header"]["center"]:
                assert ws.oddHeader.center.text == page["header"]["center"]
            assert ws.auto_filter.ref == spec["autofilter"]
            charts = _chart_xml(path, out.name)
            assert len(charts) == len(spec["charts"]), out.name
            for xml, chart in zip(charts, spec["charts"]):
                charted += 1
                kind = {"column": '<c:barDir val="col"/>', "bar": '<c:barDir val="bar"/>', "line": "<c:lineChart>"}
                assert kind[chart["type"]] in xml
                assert chart["title"] in xml
                for s in chart["series"]:
                    col, rows = s["range"].rstrip("0123456789").split(":")[0], s["range"]
                    first, last = rows.split(":")
                    c0 = "".join(ch for ch in first if ch.isalpha())
                    ref = f"!${c0}${first[len(c0):]}:${c0}${last[len(c0):]}"
                    assert ref in xml, (out.name, s["header"], ref)
                for t in chart["targets"]:
                    assert t["colour"] in xml
                for s in chart["series"]:
                    assert f'<a:srgbClr val="{s["colour"]}"/>' in xml
                axis = chart["value_axis"]
                if axis["max"] is not None:
                    assert f'<c:max val="{rs._charts._num(axis["max"])}"/>' in xml
                if axis["min"] is not None:
                    assert f'<c:min val="{rs._charts._num(axis["min"])}"/>' in xml
                assert ("<c:dLbls>" in xml) == bool(chart["data_labels"])
    assert charted >= 3


def test_cells_travel_as_the_file_door_stores_them():
    from datetime import date, datetime
    from decimal import Decimal
    assert rs.json_cell(True) == "是" and rs.json_cell(False) == "否"
    assert rs.json_cell(date(2026, 9, 7)) == "2026-09-07"
    assert rs.json_cell(datetime(2026, 9, 7, 8, 30)) == "2026-09-07T08:30:00"
    assert rs.json_cell(datetime(2026, 9, 7)) == "2026-09-07"
    assert rs.json_cell(Decimal("2.50")) == 2.5 and rs.json_cell(Decimal("3")) == 3
    assert rs.json_cell(float("nan")) is None and rs.json_cell("") is None
    assert rs.json_cell("a\x01b") == "ab" and rs.json_cell("20260101") == "20260101"
