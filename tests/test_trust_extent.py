"""Issue #23, cases 2 and 8: the reader looks at the cells that hold values, and input beyond
the stated limits (book/limits.py) is refused up front with exit 2 and a Chinese message.

One stray value far from A1 (XFD1048576, ZZ200000) in 日志 or 设置 used to make the reader
build the whole rectangle from A1 (550 GB: abort; 58 s and 6.8 GB); a roll-up failed as a
whole town for one such village. A cell that is only formatted is no value and is ignored."""
from __future__ import annotations

import zipfile

import openpyxl
import pytest
import python_calamine as pc
from openpyxl.styles import Font

from contract import scenario_class, write_xlsx
from jifen_xl.book import limits, reader
from jifen_xl.book.reader import Extent, WorkbookReader, sheet_extent, sheet_parts
from jifen_xl.cli import main
from village_fixtures import scenario_village


def with_cell(path, sheet: str, ref: str, value="误填"):
    """``path`` with one more cell (``value`` None: only formatted, no value)."""
    wb = openpyxl.load_workbook(path)
    cell = wb[sheet][ref]
    if value is None:
        cell.font = Font(bold=True)
    else:
        cell.value = value
    wb.save(path)
    return path


def names(path) -> list[str]:
    return pc.CalamineWorkbook.from_path(str(path)).sheet_names


@pytest.mark.parametrize("sheet", ["日志", "设置"])
@pytest.mark.parametrize("ref", ["XFD1048576", "ZZ200000", "A1048576", "XFD300000"])
def test_a_far_stray_value_is_refused_with_its_address(tmp_path, capsys, sheet, ref):
    path = with_cell(write_xlsx(tmp_path / "班级.xlsx", scenario_class()), sheet, ref)
    before = path.read_bytes()
    assert main(["week", str(path), "--week", "2026-09-07"]) == 2
    err = capsys.readouterr().err
    assert f"工作表“{sheet}”" in err and ref in err and "上限" in err and "删除" in err
    assert path.read_bytes() == before


def test_a_far_stray_value_in_a_village_is_refused(tmp_path, capsys):
    path = with_cell(write_xlsx(tmp_path / "村.xlsx", scenario_village()), "设置", "XFD1048576")
    assert main(["quarter", str(path)]) == 2
    assert "XFD1048576" in capsys.readouterr().err


@pytest.mark.parametrize("ref", ["XFD1048576", "AB40"])
def test_a_far_cell_that_is_only_formatted_is_ignored(tmp_path, ref):
    path = with_cell(write_xlsx(tmp_path / "班级.xlsx", scenario_class()), "日志", ref, value=None)
    assert main(["week", str(path), "--week", "2026-09-07"]) == 0
    assert "周汇总" in names(path)


def test_a_stray_value_within_the_limits_is_read_and_outside_the_header_ignored(tmp_path):
    path = with_cell(write_xlsx(tmp_path / "班级.xlsx", scenario_class()), "日志", "AZ5000")
    assert main(["week", str(path), "--week", "2026-09-07"]) == 0
    assert "周汇总" in names(path)


def test_the_row_limit_is_exact(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS_PER_SHEET", 3_000)
    ok = with_cell(write_xlsx(tmp_path / "甲.xlsx", scenario_class()), "设置", "A3000")
    assert main(["check", str(ok)]) in (0, 1)
    over = with_cell(write_xlsx(tmp_path / "乙.xlsx", scenario_class()), "设置", "A3001")
    assert main(["check", str(over)]) == 2
    assert "3,000 行" in capsys.readouterr().err


def test_the_cells_of_all_sheets_read_together_are_limited(tmp_path, capsys, monkeypatch):
    path = write_xlsx(tmp_path / "班级.xlsx", scenario_class())
    with WorkbookReader(path) as r:
        cells = {n: r.extent(n).cells for n in r.sheet_names}
    monkeypatch.setattr(limits, "MAX_CELLS_PER_WORKBOOK", sum(cells.values()) - 1)
    assert main(["week", str(path), "--week", "2026-09-07"]) == 2
    err = capsys.readouterr().err
    assert "单元格" in err and "上限" in err
    assert "周汇总" not in names(path)


def test_rollup_lists_the_stray_village_and_counts_the_others(tmp_path, capsys):
    town = tmp_path / "镇"
    town.mkdir()
    for name in ("一号村", "二号村", "三号村"):
        book = scenario_village()
        for row in book["设置"]:
            if row[0] == "村名":
                row[1] = name
        write_xlsx(town / f"{name}.xlsx", book)
    with_cell(town / "二号村.xlsx", "评议记录", "XFD1048576")
    code = main(["rollup", str(town), "-o", str(tmp_path / "镇汇总.xlsx")])
    out = capsys.readouterr().out
    assert code == 0 and "二号村.xlsx" in out and "XFD1048576" in out
    rows = pc.CalamineWorkbook.from_path(str(tmp_path / "镇汇总.xlsx")).get_sheet_by_name("村庄汇总").to_python()
    assert [r[0] for r in rows[1:]] == ["一号村", "三号村"]


# ---- the extent scan itself --------------------------------------------------------------------

SHEET = ('<?xml version="1.0" encoding="UTF-8"?>\n<{p}worksheet xmlns{colon}="http://schemas.openxmlformats.org/'
         'spreadsheetml/2006/main"><{p}sheetData>{rows}</{p}sheetData></{p}worksheet>')


def sheet_xml(cells: list[tuple[int, str, str | None]], prefix: str = "", attrs_first: bool = False) -> bytes:
    """Rows of ``(row, column letters, value or None for a formatted empty cell)``."""
    p = f"{prefix}:" if prefix else ""
    by_row: dict[int, list] = {}
    for r, c, v in cells:
        by_row.setdefault(r, []).append((c, v))
    out = []
    for r in sorted(by_row):
        cs = []
        for c, v in by_row[r]:
            head = f'<{p}c s="1" r="{c}{r}"' if attrs_first else f'<{p}c r="{c}{r}" s="1"'
            cs.append(f"{head}/>" if v is None else f'{head} t="inlineStr"><{p}is><{p}t>{v}</{p}t></{p}is></{p}c>')
        out.append(f'<{p}row r="{r}">{"".join(cs)}</{p}row>')
    return SHEET.format(p=p, colon=f":{prefix}" if prefix else "", rows="".join(out)).encode()


def extent_of(tmp_path, xml: bytes) -> Extent:
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", xml)
    with zipfile.ZipFile(path) as zf:
        return sheet_extent(zf, "xl/worksheets/sheet1.xml")


BODY = [(r, c, f"值{r}{c}") for r in range(1, 400) for c in "ABCDEFGHIJK"]


@pytest.mark.parametrize("prefix", ["", "x"])
@pytest.mark.parametrize("attrs_first", [False, True])
@pytest.mark.parametrize("chunk", [64, 1000, 4 << 20])
def test_extent_is_the_farthest_value_whatever_the_chunks(tmp_path, monkeypatch, prefix, attrs_first, chunk):
    monkeypatch.setattr(reader, "EXTENT_CHUNK", chunk)
    cells = BODY + [(400, "AB", "远处"), (401, "C", "最后"), (402, "XFD", None), (1048576, "XFD", None)]
    ext = extent_of(tmp_path, sheet_xml(cells, prefix, attrs_first))
    assert (ext.rows, ext.cols, ext.last, ext.widest) == (401, 28, "C401", "AB400")
    assert not ext.formulas


def test_extent_of_the_stray_cells_is_found_at_once(tmp_path):
    ext = extent_of(tmp_path, sheet_xml(BODY + [(1048576, "XFD", "x")]))
    assert (ext.rows, ext.cols, ext.last) == (1048576, 16384, "XFD1048576") and ext.over()
    ext = extent_of(tmp_path, sheet_xml(BODY + [(200000, "ZZ", "x")]))
    assert ext.cols == 702 and ext.cells == 702 * 200000 and ext.over()


def test_extent_matches_what_calamine_builds(tmp_path):
    path = with_cell(write_xlsx(tmp_path / "班级.xlsx", scenario_class()), "日志", "R77")
    with zipfile.ZipFile(path) as zf:
        parts = sheet_parts(zf)
        ext = {n: sheet_extent(zf, p) for n, p in parts.items()}
    book = pc.CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        sh = book.get_sheet_by_name(name)
        assert (ext[name].rows, ext[name].cols) == (sh.end[0] + 1, sh.end[1] + 1), name


# ---- the Excel door: Excel's used range is checked before any value is read ---------------------

class _Used:
    def __init__(self, row, column):
        self.last_cell = type("Cell", (), {"row": row, "column": column})()


class _Sheet:
    def __init__(self, name, row, column, grid=None):
        self.name, self.used_range, self.grid = name, _Used(row, column), grid

    def range(self, *a):
        if self.grid is None:
            raise AssertionError("read a sheet beyond the limits")
        grid = self.grid

        class R:
            def options(self, **kw):
                return type("V", (), {"value": grid})()
        return R()


def test_the_excel_door_refuses_a_far_used_range_before_reading():
    from jifen_xl.book import xlwings_io as xio
    from jifen_xl.core.problems import InputError

    book = type("Book", (), {"sheets": [_Sheet("设置", 3, 2, [["项目", "值"], ["班级", "一班"], [None, None]]),
                                        _Sheet("日志", 1048576, 16384)]})()
    with pytest.raises(InputError) as e:
        xio.read_sheets(book, {"设置": ["项目", "值"], "日志": ["日期"]})
    assert "XFD1048576" in e.value.message and "“日志”" in e.value.message
    got = xio.read_sheets(book, {"设置": ["项目", "值"]})
    assert got["设置"].rows == [["班级", "一班"]]
