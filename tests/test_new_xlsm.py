"""`jifen new KIND -o X.xlsm` writes the macro-enabled template with its buttons (issue #19).

Before, the .xlsx template was written under the .xlsm name: no VBA project, a content type
Excel refuses for that extension. The VBA project itself is checked in test_vba_spec.py.
"""
from __future__ import annotations

import re
import zipfile

import pytest

from jifen_xl import xlsm
from jifen_xl.cli import main

KINDS = {"class": "school", "village": "village", "ledger": "ledger"}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_new_xlsm_is_the_macro_enabled_template(kind, tmp_path, capsys):
    out = tmp_path / "子目录" / f"新 {kind}.xlsm"
    assert main(["new", kind, "-o", str(out)]) == 0
    assert "已生成模板" in capsys.readouterr().out
    reference = xlsm.build_xlsm(tmp_path / f"ref-{kind}.xlsm", KINDS[kind])
    assert out.read_bytes() == reference.read_bytes()
    with zipfile.ZipFile(out) as package:
        names = package.namelist()
        types = package.read("[Content_Types].xml").decode()
        vml = b"".join(package.read(n) for n in names if n.startswith("xl/drawings/vmlDrawing")).decode()
    assert "xl/vbaProject.bin" in names
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert "application/vnd.ms-office.vbaProject" in types
    buttons = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    assert buttons and buttons[0] == "JifenCheck"


def test_new_xlsx_has_no_macros(tmp_path):
    out = tmp_path / "班级.xlsx"
    assert main(["new", "class", "-o", str(out)]) == 0
    with zipfile.ZipFile(out) as package:
        assert "xl/vbaProject.bin" not in package.namelist()
        assert "macroEnabled" not in package.read("[Content_Types].xml").decode()


@pytest.mark.parametrize("name", ["班级.xls", "班级", "班级.csv"])
def test_other_suffixes_are_refused_in_chinese(name, tmp_path, capsys):
    assert main(["new", "class", "-o", str(tmp_path / name)]) == 2
    assert ".xlsm" in capsys.readouterr().err
    assert not (tmp_path / name).exists()


def test_a_command_on_the_new_xlsm_keeps_its_buttons(tmp_path):
    out = tmp_path / "班级积分.xlsm"
    assert main(["new", "class", "-o", str(out)]) == 0
    with zipfile.ZipFile(out) as package:
        before = package.read("xl/vbaProject.bin")
    assert main(["check", str(out)]) in (0, 1)
    with zipfile.ZipFile(out) as package:
        assert package.read("xl/vbaProject.bin") == before
        assert "校验" in package.read("xl/workbook.xml").decode()
