"""Declarative template sheets, written with XlsxWriter (templates.py).

A template is a list of ``TemplateSheet``: headers, rows, widths, drop-downs, notes. The
.xlsx templates and the macro-enabled .xlsm variants come from the same specs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

FIXED_CREATED = datetime(2026, 1, 1, 0, 0, 0)   # reproducible files (no wall-clock time)


@dataclass
class Validation:
    column: str              # header of the column that gets the drop-down
    source: str | list[str]  # a range formula ("=名册!$A$2:$A$1000") or a literal list
    strict: bool = True      # False: warn but allow other values (e.g. 宿舍:301 in 对象)
    message: str = ""


@dataclass
class TemplateSheet:
    name: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    widths: dict[str, float] = field(default_factory=dict)
    validations: list[Validation] = field(default_factory=list)
    date_columns: tuple[str, ...] = ()
    header_notes: dict[str, str] = field(default_factory=dict)   # header cell comments
    prefill_numbers: int = 0           # pre-number the 编号 column this many rows
    text_sheet: bool = False           # 说明: one wide column of paragraphs
    landscape: bool = False
    title: str = ""
    valid_rows: int = 2000             # rows covered by drop-downs / date format


TEXT_WIDTH = 72


def _lines(text: str) -> int:
    """Printed lines of a paragraph in a TEXT_WIDTH column (CJK characters count double)."""
    width = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
    return max(1, -(-width // (TEXT_WIDTH - 4)))


def write_template(path: Path, sheets: list[TemplateSheet], *, vba_project: bytes | None = None,
                   buttons: list[tuple[str, str, str]] | None = None, button_sheet: str | None = None,
                   vba_names: bool = False) -> Path:
    """Write the workbook. With ``vba_project`` the file is an .xlsm: codenames are set
    (ThisWorkbook, Sheet1…) and ``buttons`` (cell, caption, macro) go on ``button_sheet``."""
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True, "strings_to_formulas": False,
                                         "strings_to_numbers": False, "strings_to_urls": False})
    wb.set_properties({"title": sheets[0].title or path.stem, "author": "jifen-xl",
                       "created": FIXED_CREATED, "company": ""})
    wb.set_calc_mode("auto")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center",
                          "valign": "vcenter", "text_wrap": True})
    datef = wb.add_format({"num_format": "yyyy-mm-dd"})
    textf = wb.add_format({"text_wrap": True, "valign": "top"})
    titlef = wb.add_format({"bold": True, "font_size": 14})
    if vba_project is not None:
        wb.set_vba_name("ThisWorkbook")
    for i, spec in enumerate(sheets):
        ws = wb.add_worksheet(spec.name)
        if vba_project is not None or vba_names:
            ws.set_vba_name(f"Sheet{i + 1}")
        ws.set_paper(9)
        ws.set_landscape() if spec.landscape else ws.set_portrait()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        if spec.title:
            ws.set_header("&C" + spec.title.replace("&", "&&"))
        ws.set_footer("&C第 &P 页，共 &N 页")
        if spec.text_sheet:
            ws.set_column(0, 0, TEXT_WIDTH, textf)
            for r, row in enumerate(spec.rows):
                text = row[0] if row else ""
                ws.write_string(r, 0, text, titlef if r == 0 else textf)
                # explicit heights: not every client re-flows wrapped text on open
                ws.set_row(r, 24 if r == 0 else 16 * _lines(text) + 4)
            if buttons and button_sheet == spec.name:
                for cell, caption, macro in buttons:
                    ws.insert_button(cell, {"macro": macro, "caption": caption, "width": 128, "height": 32})
            continue
        ws.freeze_panes(1, 0)
        ws.repeat_rows(0)
        for c, h in enumerate(spec.columns):
            w = spec.widths.get(h, max(10, 2 * len(h) + 4))
            fmt = datef if h in spec.date_columns else None
            ws.set_column(c, c, w, fmt)
            ws.write_string(0, c, h, head)
            if h in spec.header_notes:
                ws.write_comment(0, c, spec.header_notes[h], {"x_scale": 2, "y_scale": 1.5})
        for r, row in enumerate(spec.rows, start=1):
            for c, v in enumerate(row):
                if v is None or v == "":
                    continue
                if isinstance(v, (date, datetime)):
                    ws.write_datetime(r, c, v, datef)
                elif isinstance(v, str):
                    ws.write_string(r, c, v)
                else:
                    ws.write_number(r, c, float(v))
        if spec.prefill_numbers and "编号" in spec.columns:
            c = spec.columns.index("编号")
            for r in range(1, spec.prefill_numbers + 1):
                ws.write_number(r, c, r)
        for v in spec.validations:
            c = spec.columns.index(v.column)
            opts = {"validate": "list", "source": v.source,
                    "error_type": "stop" if v.strict else "information",
                    "error_title": "请从下拉列表选择", "error_message": v.message or "不在列表中"}
            if v.message:
                opts["input_message"] = v.message[:250]
            ws.data_validation(1, c, spec.valid_rows, c, opts)
        if buttons and button_sheet == spec.name:
            for cell, caption, macro in buttons:
                ws.insert_button(cell, {"macro": macro, "caption": caption, "width": 128, "height": 32})
    if vba_project is not None:
        import io

        wb.add_vba_project(io.BytesIO(vba_project), is_stream=True)
    wb.close()
    return path
