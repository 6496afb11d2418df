"""Native charts in output sheets (issue #9): the weekly trend of the class (S-8, S-12) and
the redemption share per village against the 30% line (L-9), written by the package writer.

Hand-computed `周趋势` of the contract class (tests/contract.py, semester 2026-09-01…30,
weeks Monday–Sunday, active students 1001 1002 1003 1005; 1004 has left):
  week 2026-09-07: additions 全班 T11 +1 × 4 = 4; deductions 1001 1+2+4 = 7, 1002 3,
      1003 0.5 (宿舍:302 W11; X07 reversed by 冲正 counts 0), 1005 0.5×2 = 1 → 11.5;
      net −7.5; by category 学习 1+3 = 4, 卫生劳动 2+0.5+1 = 3.5, 文体 4 (旷操 ×2), 其他 0
  week 2026-09-14: 1002 X02 −1, Q16 +2 → additions 2, deductions 1, net 1, 学习 1
  weeks 08-31, 09-21, 09-28: nothing → zeros
"""
from __future__ import annotations

import re
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from contract import raw_sheets, scenario_class, write_xlsx
from jifen_xl.book import charts as ch
from jifen_xl.book import libreoffice as lo
from jifen_xl.book.sheets import OutputSheet
from jifen_xl.book.ooxml import write_outputs
from jifen_xl.schemes import all_charts
from jifen_xl.schemes.school import model as sc

TREND_HEADER = ["周开始", "加分合计", "减分合计", "净分合计", "学习减分", "卫生劳动减分", "文体减分", "其他减分"]


def trend_sheet() -> OutputSheet:
    data = sc.load(raw_sheets(scenario_class()))
    (sheet,) = sc.trend_outputs(data, date(2026, 9, 30))
    return sheet


def user_book(tmp_path: Path) -> Path:
    """A class workbook typed from WORKBOOKS.md (inputs only)."""
    return write_xlsx(tmp_path / "班级.xlsx", scenario_class())


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_weekly_trend_values_S8_S12():
    sheet = trend_sheet()
    assert sheet.name == "周趋势"
    assert sheet.columns == TREND_HEADER
    assert sheet.rows == [
        [date(2026, 8, 31), 0, 0, 0, 0, 0, 0, 0],
        [date(2026, 9, 7), 4, Decimal("11.5"), Decimal("-7.5"), 4, Decimal("3.5"), 4, 0],
        [date(2026, 9, 14), 2, 1, 1, 1, 0, 0, 0],
        [date(2026, 9, 21), 0, 0, 0, 0, 0, 0, 0],
        [date(2026, 9, 28), 0, 0, 0, 0, 0, 0, 0],
    ]
    assert "测试班" in sheet.title and "数据截至 2026-09-16" in sheet.title
    assert [c.title for c in sheet.charts] == ["每周全班加分、减分与净分", "每周减分（按类别）"]
    assert sheet.charts[1].series == ["学习减分", "卫生劳动减分", "文体减分", "其他减分"]
    assert sheet.charts[1].stacked


def test_chart_xml_points_at_the_right_cells_with_cached_values():
    sheet = trend_sheet()
    res = ch.resolve(sheet.charts[0], sheet.columns, len(sheet.rows))
    xml = ch.chart_xml(sheet.name, sheet.columns, sheet.rows, res).decode()
    assert re.findall(r"<c:f>(.*?)</c:f>", xml) == [
        "'周趋势'!$B$1", "'周趋势'!$A$2:$A$6", "'周趋势'!$B$2:$B$6",
        "'周趋势'!$C$1", "'周趋势'!$A$2:$A$6", "'周趋势'!$C$2:$C$6",
        "'周趋势'!$D$1", "'周趋势'!$A$2:$A$6", "'周趋势'!$D$2:$D$6",
    ]
    # the 减分合计 cache holds 0, 11.5, 1, 0, 0; the week categories are date serials
    caches = re.findall(r"<c:numCache><c:formatCode>General</c:formatCode>(.*?)</c:numCache>", xml)
    assert re.findall(r"<c:v>(.*?)</c:v>", caches[1]) == ["0", "11.5", "1", "0", "0"]
    assert "<c:v>46272</c:v>" in xml                         # 2026-09-07 as an Excel serial
    assert "<c:barChart>" in xml and "<c:lineChart>" in xml   # net drawn as a line over bars
    stacked = ch.chart_xml(sheet.name, sheet.columns, sheet.rows,
                           ch.resolve(sheet.charts[1], sheet.columns, len(sheet.rows))).decode()
    assert '<c:grouping val="stacked"/>' in stacked and "'周趋势'!$G$2:$G$6" in stacked


def test_specs_naming_missing_columns_or_no_rows_draw_nothing():
    spec = ch.ChartSpec("x", "周开始", ["没有这列"])
    assert ch.resolve(spec, TREND_HEADER, 5) is None
    assert ch.resolve(ch.ChartSpec("x", "周开始", ["加分合计"]), TREND_HEADER, 0) is None
    with pytest.raises(ValueError):
        ch.ChartSpec("x", "a", ["b"], kind="pie")


def test_charts_below_the_data_never_split_a_short_table_shares_its_page():
    """Issue #16: a 5-row table and its first chart on one page; the second chart does not
    fit below them and starts a new page (a break after the blank row before it)."""
    places, breaks = ch.placements(2, 5, [11, 10, 10])
    # data in Excel rows 1..6; the first chart from row 8 (0-based 7) on the same page
    assert [(p.row_from, p.row_to) for p in places] == [(7, 7 + ch.CHART_ROWS),
                                                        (8 + ch.CHART_ROWS, 8 + 2 * ch.CHART_ROWS)]
    assert breaks == [7 + ch.CHART_ROWS + 1]
    assert places[0].col_to >= 3                     # at least as wide as the data
    # a table longer than a page: every chart starts its own page
    places, breaks = ch.placements(2, 120, [11, 10, 10])
    assert breaks == [122, 122 + ch.CHART_ROWS + 1]
    assert all(p.row_from >= b for p, b in zip(places, breaks))
    # a table that fills most of its page: the chart goes to the next page
    n = ch.rows_per_page(80, False) - 10
    _, breaks = ch.placements(1, n, [40, 40])
    assert breaks == [n + 2]
    # a little too tall to fit under its table: the chart shrinks (never below MIN_CHART_ROWS)
    n = ch.rows_per_page(80, False) - ch.CHART_ROWS - 1
    places, breaks = ch.placements(1, n, [40, 40])
    assert breaks == [] and ch.MIN_CHART_ROWS <= places[0].row_to - places[0].row_from < ch.CHART_ROWS


def test_writer_adds_chart_parts_and_leaves_the_users_parts_alone(tmp_path):
    src = user_book(tmp_path)
    before = members(src)
    out = write_outputs(src, [trend_sheet()], out=tmp_path / "out.xlsx")
    after = members(out)
    # every part of the user's workbook except the three the writer patches is byte-identical
    patched = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}
    assert all(after[n] == b for n, b in before.items() if n not in patched)
    new = sorted(set(after) - set(before))
    assert new == ["xl/charts/chart1.xml", "xl/charts/chart2.xml", "xl/drawings/_rels/drawing1.xml.rels",
                   "xl/drawings/drawing1.xml", "xl/worksheets/_rels/sheet5.xml.rels", "xl/worksheets/sheet5.xml"]
    sheet_xml = after["xl/worksheets/sheet5.xml"].decode()
    assert sheet_xml.endswith('<drawing r:id="rId1"/></worksheet>')
    assert '<rowBreaks count="1" manualBreakCount="1"><brk id="30"' in sheet_xml   # table + chart 1, then chart 2
    assert b"../drawings/drawing1.xml" in after["xl/worksheets/_rels/sheet5.xml.rels"]
    rels = after["xl/drawings/_rels/drawing1.xml.rels"].decode()
    assert 'Id="rId1"' in rels and "../charts/chart1.xml" in rels and "../charts/chart2.xml" in rels
    ct = after["[Content_Types].xml"].decode()
    assert 'PartName="/xl/charts/chart1.xml" ContentType="application/vnd.openxmlformats-officedocument.drawingml.chart+xml"' in ct
    assert 'PartName="/xl/drawings/drawing1.xml" ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"' in ct
    # openpyxl (a third reader) sees both charts anchored on 周趋势
    ws = openpyxl.load_workbook(out)["周趋势"]
    assert len(ws._charts) == 2
    assert ws["A3"].value.date() == date(2026, 9, 7) and ws["C3"].value == 11.5


def test_rewriting_reuses_the_chart_parts_byte_for_byte_C5(tmp_path):
    src = user_book(tmp_path)
    one = write_outputs(src, [trend_sheet()], out=tmp_path / "one.xlsx")
    two = write_outputs(one, [trend_sheet()], out=tmp_path / "two.xlsx")
    assert one.read_bytes() == two.read_bytes()
    # a sheet without charts replacing one with charts takes its drawing and charts along
    plain = OutputSheet("周趋势", ["周开始"], [[date(2026, 9, 7)]])
    three = write_outputs(two, [plain], out=tmp_path / "three.xlsx")
    names = set(members(three))
    assert not any(n.startswith(("xl/charts/", "xl/drawings/drawing")) for n in names)
    assert b"drawingml.chart" not in members(three)["[Content_Types].xml"]


def test_indicator_chart_draws_the_30_percent_target_from_cells_L9():
    """Issue #16: the target is a line series over the 目标占比 cells (LibreOffice ignores
    literal-valued series), bars have one colour the legend shows, the axis runs 0 … above
    the highest of target and values."""
    from jifen_xl.schemes.ledger import model as lg, render as lrender

    cols = lg.INDICATOR_COLS
    rows = [["东村", 10, 6, Decimal("0.6"), "是", 3, 4, 18, 20, Decimal("0.3")],
            ["西村", 100, 2, Decimal("0.02"), "否", 2, 3, 45, 200, Decimal("0.3")]]
    (spec,) = lrender.indicator_charts(cols)
    xml = ch.chart_xml("示范村指标", cols, rows, ch.resolve(spec, cols, 2)).decode()
    assert "'示范村指标'!$D$2:$D$3" in xml and "'示范村指标'!$A$2:$A$3" in xml
    assert "'示范村指标'!$J$2:$J$3" in xml and "<c:numLit>" not in xml     # target from cells
    assert "<c:dPt>" not in xml                      # no per-bar colours the legend can't show
    assert '<c:min val="0"/>' in xml and '<c:max val="0.7"/>' in xml
    assert '<c:numFmt formatCode="0%"' in xml
@pytest.mark.skipif(lo.soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_charts_survive_a_libreoffice_round_trip(tmp_path):
    out = write_outputs(user_book(tmp_path), [trend_sheet()], out=tmp_path / "out.xlsx")
    (again,) = lo.convert(out, "xlsx", tmp_path / "lo")
    parts = members(again)
    charts = sorted(n for n in parts if n.startswith("xl/charts/chart"))
    assert len(charts) == 2
    refs = set()
    for n in charts:      # LibreOffice writes the sheet name unquoted: 周趋势!$B$2:$B$6
        refs |= {r.replace("'", "") for r in re.findall(r"<c:f>(.*?)</c:f>", parts[n].decode())}
    assert {"周趋势!$A$2:$A$6", "周趋势!$B$2:$B$6", "周趋势!$C$2:$C$6", "周趋势!$D$2:$D$6",
            "周趋势!$E$2:$E$6", "周趋势!$H$2:$H$6"} <= refs
    assert any("stacked" in parts[n].decode() for n in charts)


def test_village_groups_exact_averages_and_star_counts_V4_V7():
    """分组统计 from a 年度汇总 table: 一组 140 + 151.5 + 160 = 451.5 / 3 = 150.5;
    二组 139 alone; stars counted per group; charts point at 平均总分 and the star columns."""
    from jifen_xl.schemes.village import render as vrender

    cols = ["户号", "户主", "组", "党的建设", "民生保障", "环境整治", "文明新风", "遵纪守法", "年度总分", "名次", "星级", "待复核"]
    table = OutputSheet("年度汇总-2026", cols, [
        ["H1", "甲", "一组", 20, 20, 40, 40, 20, 140, 3, "三星", ""],
        ["H2", "乙", "一组", 20, 20, 40, Decimal("51.5"), 20, Decimal("151.5"), 2, "四星", ""],
        ["H3", "丙", "一组", 20, 20, 40, 60, 20, 160, 1, "五星", ""],
        ["H4", "丁", "二组", 20, 20, 39, 40, 20, 139, 4, "", ""],
    ], title="某村　2026年度农户积分汇总（正式，数据截至 2026-12-20）")
    (g,) = vrender.group_outputs(table, "2026")
    assert g.name == "分组统计-2026"
    assert g.columns == ["组", "户数", "平均总分", "最高分", "最低分", "五星", "四星", "三星"]
    assert g.rows == [["一组", 3, Decimal("150.5"), 160, 140, 1, 1, 1],
                      ["二组", 1, 139, 139, 139, 0, 0, 0]]
    assert g.title == "某村　2026年度分组统计（正式，数据截至 2026-12-20）"
    stars = ch.chart_xml(g.name, g.columns, g.rows, ch.resolve(g.charts[1], g.columns, 2)).decode()
    assert "'分组统计-2026'!$F$2:$F$3" in stars and "'分组统计-2026'!$H$2:$H$3" in stars
    assert ch.charts_for("分组统计-2026Q3", g.columns[:5], all_charts())[0].series == ["平均总分"]
