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
    # ("代码", "事项"): a hidden last column `下拉显示` holding "代码 事项" for each row, the
    # source of the code drop-downs elsewhere (the list shows what a code means)
    code_list: tuple[str, str] | None = None


# Id columns are formatted as text, so that Excel keeps 01001 as typed.
ID_HEADERS = ("学号", "户号", "账户号", "对象", "代码")
CODE_LIST_HEADER = "下拉显示"
CODE_LIST_ROWS = 500
CODE_MESSAGE = "可从下拉列表选择“代码 事项”，也可以只填代码"


def _letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def code_list_source(sheet: TemplateSheet) -> str:
    """The range of ``sheet``'s `下拉显示` column, for a ``Validation`` source."""
    col = _letter(len(sheet.columns))
    return f"={sheet.name}!${col}$2:${col}${CODE_LIST_ROWS + 1}"


def code_validation(rules: TemplateSheet, column: str = "代码") -> Validation:
    """The drop-down of a code column: `代码 事项` from the rule sheet; a bare code may be typed."""
    return Validation(column, code_list_source(rules), strict=False, message=CODE_MESSAGE)


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
    idf = wb.add_format({"num_format": "@"})
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
            fmt = datef if h in spec.date_columns else (idf if h in ID_HEADERS else None)
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
        if spec.code_list:
            _write_code_list(ws, spec, head)
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


def _write_code_list(ws, spec: TemplateSheet, head) -> None:
    """The hidden `下拉显示` column: ``=IF(A2="","",A2&" "&D2)`` with its result stored for the
    shipped rows (so a file never holds a formula without a value)."""
    code, item = spec.code_list
    ci, ii, c = spec.columns.index(code), spec.columns.index(item), len(spec.columns)
    ws.set_column(c, c, 24, None, {"hidden": True})
    ws.write_string(0, c, CODE_LIST_HEADER, head)
    a, b = _letter(ci), _letter(ii)
    for r in range(1, CODE_LIST_ROWS + 1):
        row = spec.rows[r - 1] if r - 1 < len(spec.rows) else []
        cv = row[ci] if ci < len(row) and row[ci] not in (None, "") else ""
        iv = row[ii] if ii < len(row) and row[ii] not in (None, "") else ""
        value = f"{cv} {iv}" if cv != "" else ""
        ws.write_formula(r, c, f'=IF({a}{r + 1}="","",{a}{r + 1}&" "&{b}{r + 1})', None, value)
