"""The file door end to end (issue #2): a workbook built from WORKBOOKS.md alone through
`jifen week/month/awards/check`, read back cell by cell; exit codes; input untouched."""
from __future__ import annotations

import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import python_calamine as pc

from contract import scenario_class, write_xlsx
from jifen_xl.cli import main


def read_sheet(path: Path, name: str) -> list[list]:
    book = pc.CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(name).to_python()


def sheet_parts(path: Path) -> dict[str, bytes]:
    """Zip parts of every sheet, by sheet name (via workbook.xml + rels)."""
    import re

    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        targets = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
        targets |= {k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)}
        out = {}
        for name, rid in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="(rId\d+)"', wb):
            t = targets[rid].lstrip("/")
            out[name] = z.read(t if t.startswith("xl/") else "xl/" + t)
        return out


@pytest.fixture
def book(tmp_path):
    return write_xlsx(tmp_path / "班级.xlsx", scenario_class())


def test_week_writes_summary_and_self_study(book, capsys):
    assert main(["week", str(book), "--week", "2026-09-09"]) == 0
    rows = read_sheet(book, "周汇总")
    assert rows[0][:7] == ["周开始", "学号", "姓名", "加分", "减分", "净分", "累计总分"]
    got = {r[1]: r[2:7] for r in rows[1:]}
    assert got == {"1001": ["张三", 1, 7, -6, 79], "1002": ["李四", 1, 3, -2, 78],
                   "1003": ["王五", 1, 0.5, 0.5, 80.5], "1005": ["钱七", 1, 1, 0, 85]}
    assert all(r[0] == date(2026, 9, 7) for r in rows[1:])
    study = read_sheet(book, "上自习名单")
    assert study[0] == ["周开始", "学号", "姓名", "原因"]
    assert {r[1]: r[3] for r in study[1:]} == {"1001": "旷操旷课 1次", "1002": "迟到 3次"}
    out = capsys.readouterr().out
    assert "周汇总" in out and "上自习" in out


def test_default_week_is_the_latest_logged(book):
    assert main(["week", str(book)]) == 0
    study = read_sheet(book, "上自习名单")
    assert [r[1:] for r in study[1:]] == [["1002", "李四", "迟到 2次（本周 1 次，另有上周超出限额顺延的 1 次）"]]


def test_month_and_awards(book):
    assert main(["month", str(book), "--month", "2026-09"]) == 0
    rep = {r[1]: r for r in read_sheet(book, "月报")[1:]}
    assert rep["1002"][3:8] == [3, 4, -1, 79, 3]
    assert read_sheet(book, "家长约谈")[1:] == [["2026-09", "1001", "张三", 79, 7]]
    assert main(["awards", str(book)]) == 0
    aw = read_sheet(book, "学期奖励")
    assert aw[0][:5] == ["名次", "学号", "姓名", "总分", "奖项"]
    assert [r[:5] for r in aw[1:]] == [[1, "1005", "钱七", 85, "一等奖"], [2, "1003", "王五", 80.5, "二等奖"],
                                        [3, "1001", "张三", 79, "三等奖"], [3, "1002", "李四", 79, "三等奖"]]


def test_input_sheets_are_never_changed(book):
    before = sheet_parts(book)
    for cmd in (["check"], ["week"], ["month"], ["awards"]):
        assert main([cmd[0], str(book)]) == 0
    after = sheet_parts(book)
    for name in ("设置", "名册", "规则", "日志"):
        assert after[name] == before[name], name


def test_recompute_gives_the_same_bytes_C5(book):
    assert main(["week", str(book)]) == 0
    first = book.read_bytes()
    assert main(["week", str(book)]) == 0
    assert book.read_bytes() == first
    names = pc.CalamineWorkbook.from_path(str(book)).sheet_names
    assert names.count("周汇总") == 1


def test_errors_exit_1_and_only_check_sheet_is_written_C6(tmp_path, capsys):
    data = scenario_class()
    data["日志"].append([date(2026, 9, 7), 9999, None, "X02", None, None, None, "x", None, 13, None])
    data["日志"].append([date(2026, 9, 7), 1001, None, "X02", None, "两次", None, "y", None, 14, None])
    book = write_xlsx(tmp_path / "错.xlsx", data)
    assert main(["week", str(book)]) == 1
    names = pc.CalamineWorkbook.from_path(str(book)).sheet_names
    assert "校验" in names and "周汇总" not in names
    check = read_sheet(book, "校验")
    assert check[0] == ["工作表", "行", "列", "值", "问题", "级别"]
    errors = [r for r in check[1:] if r[5] == "错误"]
    assert [(r[0], r[1], r[2], r[3]) for r in errors] == [("日志", 14, "对象", "9999"), ("日志", 15, "次数", "两次")]
    out = capsys.readouterr().out
    assert "第14行" in out and "【对象】" in out


def test_out_option_leaves_original_alone(book, tmp_path):
    before = book.read_bytes()
    out = tmp_path / "结果.xlsx"
    assert main(["awards", str(book), "--out", str(out)]) == 0
    assert book.read_bytes() == before
    assert "学期奖励" in pc.CalamineWorkbook.from_path(str(out)).sheet_names


def test_exit_2_for_files_that_are_not_workbooks(tmp_path, capsys):
    bad = tmp_path / "x.xlsx"
    bad.write_text("学号,姓名\n1001,张三\n", encoding="utf-8")
    assert main(["week", str(bad)]) == 2
    assert "不是" in capsys.readouterr().err
    assert main(["week", str(tmp_path / "missing.xlsx")]) == 2


def test_exit_2_for_bad_parameters(book):
    assert main(["week", str(book), "--week", "下周"]) == 2


def test_check_on_a_clean_book_exits_0(book):
    assert main(["check", str(book)]) == 0
    assert [r[5] for r in read_sheet(book, "校验")[1:] if r[5] == "错误"] == []


def test_new_class_template_matches_committed_file(tmp_path):
    from jifen_xl.templates import TEMPLATE_FILES, TEMPLATES

    committed = Path(__file__).parents[1] / "workbook_templates"
    for kind, filename in TEMPLATE_FILES.items():
        fresh = tmp_path / filename
        assert main(["new", kind, "-o", str(fresh)]) == 0
        assert (committed / filename).exists(), f"run `make templates` to add {filename}"
        assert fresh.read_bytes() == (committed / filename).read_bytes(), \
            f"{filename} differs from the generator: run `make templates` and review the diff"


def test_class_template_is_usable_as_is(tmp_path):
    path = tmp_path / "班级积分.xlsx"
    assert main(["new", "class", "-o", str(path)]) == 0
    # an empty template validates cleanly and computes empty outputs
    assert main(["check", str(path)]) == 0
    rules = read_sheet(path, "规则")
    assert len(rules) > 60 and rules[0][:4] == ["代码", "类别", "事项", "分值"]
