"""The package writer's shape (issue #13): imports that point down, and the cheap package
readers the print module uses (errors surfaced, not swallowed). Module and function sizes are
checked for the whole package in tests/test_sizes.py."""
from __future__ import annotations

import ast
import sys
import zipfile
from pathlib import Path

import pytest

from jifen_xl.book.ooxml import read_header_titles, read_sheet_xml_names, write_outputs
from jifen_xl.book.ooxml.package import title_from_header
from jifen_xl.book.ooxml.sheetxml import header_text
from jifen_xl.book.sheets import OutputSheet
from jifen_xl.core.problems import InputError

sys.path.insert(0, str(Path(__file__).parent))
from fixtures_rich import build_rich_workbook, make_prefixed_absolute  # noqa: E402

OOXML = Path(__file__).resolve().parents[1] / "jifen_xl" / "book" / "ooxml"
# What the writer package may import from jifen_xl: the book layer's pure parts and core.
ALLOWED = ("jifen_xl.core", "jifen_xl.book.sheets", "jifen_xl.book.charts", "jifen_xl.book.ooxml",
           "jifen_xl.book.lock")   # issue #14: the writer takes the workbook lock (reentrant)


def _modules() -> list[Path]:
    found = sorted(OOXML.glob("*.py"))
    assert len(found) >= 8
    return found


def _absolute(module: str, level: int, package: str) -> str:
    if level == 0:
        return module
    parts = package.split(".")[: len(package.split(".")) - level + 1]
    return ".".join(parts + ([module] if module else []))


def test_imports_point_down():
    for f in _modules():
        package = "jifen_xl.book.ooxml"
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                name = _absolute(node.module or "", node.level, package)
                if node.level == 0 and not name.startswith("jifen_xl"):
                    continue
                if name == "jifen_xl.book" or name == "jifen_xl.book.ooxml":
                    names = [f"{name}.{a.name}" for a in node.names]
                else:
                    names = [name]
                for n in names:
                    assert n.startswith(ALLOWED), f"{f.name} imports {n}"
            elif isinstance(node, ast.Import):
                for a in node.names:
                    assert not a.name.startswith("jifen_xl") or a.name.startswith(ALLOWED), f.name


@pytest.mark.parametrize("title", ["三年级(2)班 周汇总 数据截至 2026-09-30", "A&B <c> \"d\" 'e'", "&&&", "x&"])
def test_header_titles_read_back_what_was_written(tmp_path: Path, title: str):
    src = build_rich_workbook(tmp_path / "a.xlsx")
    write_outputs(src, [OutputSheet("周汇总", ["周", "分"], [["第1周", 3]], title=title),
                        OutputSheet("无标题", ["a"], [[1]])], backup=False)
    titles = read_header_titles(src)
    assert titles == {"周汇总": title_from_header(header_text(title))}
    if not title.endswith("&"):
        assert titles["周汇总"] == title.strip()


def test_header_titles_follow_the_package_relationships(tmp_path: Path):
    # <x:workbook> with absolute targets: found through _rels/.rels, not a fixed path
    src = build_rich_workbook(tmp_path / "p.xlsx", old_output=True)
    make_prefixed_absolute(src)
    write_outputs(src, [OutputSheet("周汇总", ["周"], [["第1周"]], title="前缀")], backup=False)
    assert read_header_titles(src) == {"周汇总": "前缀"}
    assert read_sheet_xml_names(src) == ["日志", "设置", "周汇总"]


def test_header_titles_surface_a_broken_package(tmp_path: Path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="不是有效的 Excel 工作簿"):
        read_header_titles(bad)
    src = build_rich_workbook(tmp_path / "dtd.xlsx")
    with zipfile.ZipFile(src) as z:
        items = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(src, "w") as z:
        for info, data in items:
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + data.split(b"?>", 1)[1]
            z.writestr(info, data)
    with pytest.raises(InputError, match="workbook.xml.rels"):
        read_header_titles(src)
