"""Messy and hostile input (issue #8): never a traceback, never a changed input sheet,
never a hang — either results with notices or a clear 校验 / command-line error."""
from __future__ import annotations

import math
import time
import zipfile
from datetime import date, datetime, time as dtime, timedelta

import pytest
import python_calamine as pc
from hypothesis import HealthCheck, given, settings, strategies as st

from contract import raw_sheets, scenario_class, write_xlsx
from jifen_xl.cli import main
from jifen_xl.core.problems import ERROR
from jifen_xl.core.periods import week_of, month
from jifen_xl.schemes.school import model as sc

NASTY = [None, "", " ", "\u3000", "=1+1", "+SUM(A1)", "-2", "@cmd", "１００１", "1001 ", "1e308",
         1e308, -0.0, math.inf, float("nan"), True, False, date(1900, 1, 1), date(2026, 9, 8),
         datetime(2026, 9, 8, 23, 59), dtime(8, 30), timedelta(days=2), "宿舍:", "小组:", "全班 ",
         "宿舍：302", "2026年9月8日", "2026.9.8", "9月8日", "X02", "x02", "－1", "0、5", "√", "×",
         "是", "否", "Y", "N", "10%", "一百", "a" * 300, "\x00\x07", "1001\n", 1001, 1001.0, 1001.5,
         -5, 0, 3, 2.5, 10 ** 15]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["设置", "名册", "规则", "日志"]), st.integers(0, 20),
                          st.integers(0, 11), st.sampled_from(NASTY)), min_size=1, max_size=12))
def test_random_nasty_cells_never_raise(edits):
    book = scenario_class()
    for sheet, r, c, v in edits:
        rows = book[sheet]
        r = 1 + r % (len(rows) - 1 + 2)
        while r >= len(rows):
            rows.append([None] * len(rows[0]))
        c = c % len(rows[0])
        rows[r][c] = v
    data = sc.load(raw_sheets(book))
    for p in data.problems:
        assert p.sheet and p.message and p.level in ("错误", "拒绝", "提示")
    if not any(p.level == ERROR for p in data.problems):
        sc.week_outputs(data, sc.resolve_week(data, None))
        sc.month_outputs(data, sc.resolve_month(data, None))
        sc.award_outputs(data)


def _input_parts(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")}


def test_formula_like_text_is_written_as_text(tmp_path):
    book = scenario_class()
    book["名册"][2][1] = "=HYPERLINK(\"http://x\",\"点我\")"
    book["日志"][6][2] = None      # the row naming 李四 by 姓名 would disagree with the new name
    path = write_xlsx(tmp_path / "f.xlsx", book)
    assert main(["week", str(path), "--week", "2026-09-07"]) == 0
    with zipfile.ZipFile(path) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert b"<f>" not in xml
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("周汇总").to_python()
    assert any(r[2] == "=HYPERLINK(\"http://x\",\"点我\")" for r in rows)


def test_merged_date_cells_and_hidden_rows_in_the_log(tmp_path):
    import openpyxl

    path = write_xlsx(tmp_path / "m.xlsx", scenario_class())
    wb = openpyxl.load_workbook(path)
    ws = wb["日志"]
    # rows 2-3 share the date 2026-09-07: merge A2:A3 (the value stays in A2 only)
    ws["A3"] = None
    ws.merge_cells("A2:A3")
    ws.row_dimensions[4].hidden = True
    wb.save(path)
    before = _input_parts(path)
    assert main(["week", str(path), "--week", "2026-09-07"]) == 0
    rows = {r[1]: r for r in pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("周汇总").to_python()[1:]}
    assert rows["1001"][4] == 7      # hidden rows count; the merged date applies to both rows
    check = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("校验").to_python()
    assert any("合并单元格" in str(r[4]) and r[5] == "提示" for r in check[1:])
    after = _input_parts(path)
    assert all(after[k] == v for k, v in before.items() if k in after)


def test_a_million_formatted_empty_rows_is_quick(tmp_path):
    import xlsxwriter

    path = tmp_path / "big.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    fmt = wb.add_format({"bg_color": "#FFFFCC"})
    data = scenario_class()
    for name, rows in data.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, date):
                    ws.write_datetime(r, c, datetime(v.year, v.month, v.day), wb.add_format({"num_format": "yyyy-mm-dd"}))
                elif v is not None:
                    ws.write(r, c, v)
        if name == "日志":
            for r in range(len(rows), 1_048_576):
                ws.set_row(r, None, fmt)
    wb.close()
    t0 = time.perf_counter()
    assert main(["week", str(path), "--week", "2026-09-07"]) == 0
    assert time.perf_counter() - t0 < 30


@pytest.mark.parametrize("payload, fragment", [
    (b"", "空"),
    (b"PK\x03\x04garbage", "工作簿"),
    ("学号,姓名\n1001,张三\n".encode(), "不是"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 600, "密码"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1200, ".xls"),
])
def test_unusable_files_exit_2_with_a_chinese_reason(tmp_path, capsys, payload, fragment):
    path = tmp_path / "坏.xlsx"
    path.write_bytes(payload)
    t0 = time.perf_counter()
    assert main(["week", str(path)]) == 2
    assert time.perf_counter() - t0 < 3
    assert fragment in capsys.readouterr().err
    assert path.read_bytes() == payload


def test_entity_bomb_is_refused_in_milliseconds(tmp_path, capsys):
    path = write_xlsx(tmp_path / "bomb.xlsx", scenario_class())
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i else "")) * 10}">' for i in range(1, 10))
            + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    src = path.read_bytes()
    out = tmp_path / "bomb2.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = bomb.encode()
            zout.writestr(item, data)
    t0 = time.perf_counter()
    assert main(["check", str(out)]) == 2
    assert time.perf_counter() - t0 < 1
    assert "不安全" in capsys.readouterr().err
    assert path.read_bytes() == src


def test_missing_sheets_and_columns_are_check_errors(tmp_path):
    book = scenario_class()
    del book["规则"]
    book["日志"][0][3] = "规则代码"          # the 代码 header renamed
    path = write_xlsx(tmp_path / "缺.xlsx", book)
    assert main(["check", str(path)]) == 1
    check = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("校验").to_python()[1:]
    assert ("规则", "缺少工作表") in {(r[0], r[4][:5]) for r in check}
    assert any(r[0] == "日志" and r[2] == "代码" and "缺少列" in r[4] for r in check)
