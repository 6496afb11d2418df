"""Macro-enabled templates (`班级积分.xlsm`, `乡村积分.xlsm`, `积分台账.xlsm`), built on Linux.

Each .xlsm is the scheme's .xlsx template (the same ``TemplateSheet`` specs) plus:

* the VBA project of ``jifen_xl/vba`` (JifenButtons + xlwings' standalone module), with
  codeNames ThisWorkbook / Sheet1… as ``write_template`` sets them;
* one Form button per action the scheme registers, on the `说明` sheet, in column B next
  to the guide; each runs the Sub ``<Sub>`` of ``JifenButtons`` (bound as ``[0]!<Sub>``, Excel's
  form) → ``RunPython`` → ``jifen_xl.macros``;
* in `设置`, the labelled cells the buttons read (each option's ``Param.label``), empty;
* an ``xlwings.conf`` sheet (key in column A, value in column B, from A1 down to the first
  blank row, as xlwings' VBA ``GetConfigFromSheet`` reads it) naming ``jifen_xl.udfs`` as
  the UDF module. Interpreter and PYTHONPATH are deliberately absent: a key present with
  an empty value would override the user's xlwings settings with "".

The .xlsx templates stay for WPS, LibreOffice and the command line. Only Excel on Windows
can show that the buttons run; see docs/excel-install.md.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from .vba.project import jifen_vba_project
from .app import scheme_named
from .book.template_spec import TemplateSheet, write_template
from .schemes import SCHEMES, catalog

CONF_SHEET = "xlwings.conf"
BUTTON_SHEET = "说明"
UDF_MODULE = "jifen_xl.udfs"

#: scheme → (template sheets builder, .xlsm file name), from SCHEMES
XLSM_SCHEMES: dict[str, tuple[object, str]] = {s.name: (s.template_sheets, s.xlsm_file) for s in SCHEMES}

CONF_NOTES = [
    "说明：第 1 行是 xlwings 的设置，A 列是设置项、B 列是值，从 A1 往下连续填写，遇到空行即停止。",
    "“UDF Modules”告诉 xlwings 从 jifen_xl.udfs 导入工作表函数（JIFEN_POINTS、JIFEN_RANK 等）。",
    "Python 解释器（Interpreter_Win）和 PYTHONPATH 故意不在这里填写：不填时使用 xlwings 加载项里的设置。",
    "如需为本工作簿单独指定，请紧接第 1 行填写（中间不能空行），例如 A2 填 Interpreter_Win，B2 填 C:\\Python312\\pythonw.exe。",
]

BUTTON_GUIDE = ("按钮（仅限 Microsoft Excel，需先按 docs/excel-install.md 安装 Python、jifen-xl 和 xlwings）："
                "右侧各按钮与 jifen 命令完全相同；计算哪一周、哪个月等，在“设置”表的“计算周”“计算月份”等行填写，"
                "空白表示按最新记录自动选择。WPS 和 LibreOffice 请使用 .xlsx 模板和 jifen 命令。")


def scheme_buttons(scheme: str) -> list[tuple[str, str]]:
    """(Sub, caption) for every action of this scheme, in its declared order; the Subs are
    those `make generate` writes into JifenButtons.bas (catalog.sub_name)."""
    return [(catalog.sub_name(a.name), a.button) for a in scheme_named(scheme).actions]


def _labelled_cells(scheme: str) -> list[list]:
    """The scheme's options' labelled cells in 设置 (empty value, the option's note)."""
    return [[p.label, None, p.note] for p in catalog.setting_params(scheme_named(scheme))]


def xlsm_sheets(scheme: str) -> list[TemplateSheet]:
    """The scheme's template sheets, with the button guide, labelled cells and xlwings.conf."""
    build_sheets, _ = XLSM_SCHEMES[scheme]
    sheets = [dataclasses.replace(s) for s in build_sheets()]
    for i, spec in enumerate(sheets):
        if spec.name == BUTTON_SHEET:
            sheets[i] = dataclasses.replace(spec, rows=list(spec.rows) + [[BUTTON_GUIDE]])
        elif spec.name == "设置":
            width = len(spec.columns)
            extra = [row[:width] + [None] * (width - len(row[:width])) for row in _labelled_cells(scheme)]
            sheets[i] = dataclasses.replace(spec, rows=list(spec.rows) + extra)
    conf = TemplateSheet(CONF_SHEET, ["UDF Modules", UDF_MODULE],
                         [[None]] + [[note] for note in CONF_NOTES],
                         widths={"UDF Modules": 24, UDF_MODULE: 24}, title="xlwings 设置")
    return sheets + [conf]


def build_xlsm(path: Path, scheme: str) -> Path:
    """Write the macro-enabled template of ``scheme`` to ``path`` (deterministic bytes)."""
    sheets = xlsm_sheets(scheme)
    if not any(s.name == BUTTON_SHEET for s in sheets):
        raise ValueError(f"the {scheme} template has no {BUTTON_SHEET} sheet for its buttons")
    project = jifen_vba_project(sheet_codenames=[f"Sheet{i + 1}" for i in range(len(sheets))])
    buttons = [(f"B{2 + 2 * i}", caption, sub)
               for i, (sub, caption) in enumerate(scheme_buttons(scheme))]
    return write_template(Path(path), sheets, vba_project=project, buttons=buttons, button_sheet=BUTTON_SHEET)


def available_schemes() -> list[str]:
    """Every scheme of SCHEMES (each has a template)."""
    return list(XLSM_SCHEMES)


def build_all_xlsm(folder: Path) -> list[Path]:
    return [build_xlsm(Path(folder) / XLSM_SCHEMES[s][1], s) for s in available_schemes()]
