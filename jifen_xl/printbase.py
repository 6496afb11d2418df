"""Building blocks of `jifen print` shared by reports.py and documents.py: output sheets read
back from the workbook (`SourceSheet`, `Source`), one print workbook per document
(`PrintBook`, `Documents`), the plain table layout and the small text helpers (points,
dates, widths, shared ranks). Kept apart so that the documents and the report dispatcher both
import it and not each other."""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from .book.ooxml import read_header_titles
from .core.periods import month_cn, semester_cn
from .core.table import settings_cells

_AS_OF_RE = re.compile(r"数据截至\s*(\d{4}-\d{2}-\d{2})")


# --------------------------------------------------------------------------- reading

@dataclass
class SourceSheet:
    """An output sheet read back from the user's workbook."""
    name: str
    columns: list[str]
    rows: list[list]
    title: str = ""

    def col(self, header: str) -> int | None:
        return self.columns.index(header) if header in self.columns else None

    def records(self) -> list[dict]:
        return [{h: (r[i] if i < len(r) else None) for i, h in enumerate(self.columns)} for r in self.rows]


@dataclass
class Source:
    """What the print layouts may read: sheet names, settings and output sheets."""
    path: Path
    names: list[str]
    settings: dict[str, object] = field(default_factory=dict)
    sheets: dict[str, SourceSheet] = field(default_factory=dict)

    def sheet(self, name: str) -> SourceSheet:
        return self.sheets[name]


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def load_source(path: Path, wanted: list[str]) -> Source:
    """Read settings and the sheets ``wanted`` (plus those the special layouts need)."""
    from .book.reader import WorkbookReader
    from .core import normalize as nz

    with WorkbookReader(path) as reader:
        names = list(reader.sheet_names)
        src = Source(Path(path), names)
        if "设置" in names:
            raw = reader.sheet("设置", ["项目", "值"])
            src.settings = {key: value for key, (value, _row) in settings_cells(raw).items()}
        titles = read_header_titles(path)
        for name in wanted:
            if name not in names or name in src.sheets:
                continue
            cells = reader._book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            header = [nz.clean_text(v)[0] if not _blank(v) else "" for v in (cells[0] if cells else [])]
            while header and header[-1] == "":
                header.pop()
            rows = [list(r[:len(header)]) + [None] * max(0, len(header) - len(r)) for r in cells[1:]]
            rows = [[None if (isinstance(v, str) and v == "") else v for v in r] for r in rows]
            while rows and all(_blank(v) for v in rows[-1]):
                rows.pop()
            src.sheets[name] = SourceSheet(name, header, rows, titles.get(name, ""))
    return src


# --------------------------------------------------------------------------- formatting helpers

def _num(v) -> str:
    """A points value as a clerk writes it: 132, 121.5, −2."""
    if _blank(v):
        return ""
    if isinstance(v, (int, float)):
        f = float(v)
        return str(int(f)) if f.is_integer() else f"{f:.2f}".rstrip("0").rstrip(".")
    return str(v)


def _cn_date(d) -> str:
    if isinstance(d, (date, datetime)):
        return f"{d.year}年{d.month}月{d.day}日"
    if isinstance(d, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", d):
        y, m, dd = d.split("-")
        return f"{int(y)}年{int(m)}月{int(dd)}日"
    return "　　年　　月　　日"


def _iso(d) -> str:
    return d.isoformat()[:10] if isinstance(d, (date, datetime)) else ("" if _blank(d) else str(d))


def _as_of(title: str) -> str | None:
    m = _AS_OF_RE.search(title or "")
    return m.group(1) if m else None


def _width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)


def _semester_label(settings: dict) -> str:
    """2026—2027学年第一学期 from 学期开始 (autumn term) or the calendar year of spring."""
    start = settings.get("学期开始")
    if isinstance(start, str):
        try:
            start = date.fromisoformat(start.strip()[:10])
        except ValueError:
            start = None
    return semester_cn(start if isinstance(start, (date, datetime)) else None)


# --------------------------------------------------------------------------- print workbook

class PrintBook:
    """One XlsxWriter workbook holding every page asked for, in the order asked.

    Plain sheets are left as empty placeholders here and filled afterwards by the package
    writer (so they print exactly as written by the computation, native charts included).
    """

    def __init__(self, path: Path):
        import xlsxwriter

        self.path = path
        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
        self.plain: list = []        # OutputSheets to write into placeholders
        self._fmt_cache: dict = {}
        self.used: set[str] = set()

    def fmt(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self._fmt_cache:
            base = {"font_name": "Noto Sans CJK SC", "valign": "vcenter"}
            base.update(props)
            self._fmt_cache[key] = self.wb.add_format(base)
        return self._fmt_cache[key]

    def sheet(self, name: str):
        name = self.unique(name)
        ws = self.wb.add_worksheet(name)
        ws.set_paper(9)
        return ws

    def slip_sheet(self, name: str, widths, side: float = 0.5, top: float = 0.45):
        """A portrait sheet of cut-apart slips (家长通知单/书, 奖分通知单): no page header, a small
        right-aligned "第 x 页，共 N 页" footer, no gridlines, the given column widths."""
        ws = self.sheet(name)
        ws.set_portrait()
        ws.set_margins(left=side, right=side, top=top, bottom=top)
        ws.set_header("")
        ws.set_footer("&R&8第 &P 页，共 &N 页", {"margin": 0.15})
        ws.hide_gridlines(2)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        return ws

    def unique(self, name: str) -> str:
        name = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
        base, n = name, 2
        while name.casefold() in self.used:
            suffix = f"({n})"
            name = base[:31 - len(suffix)] + suffix
            n += 1
        self.used.add(name.casefold())
        return name

    def close(self) -> None:
        self.wb.close()
        if self.plain:
            from .book.ooxml import write_outputs
            write_outputs(self.path, self.plain, backup=False)


class Documents:
    """Every printed document — a notice, one account's passbook, a slip set, a table — in
    its own print workbook (issue #16): LibreOffice then numbers each one's pages
    "第 1 页，共 N 页" of that document alone, and the PDFs are joined in order afterwards."""

    def __init__(self, folder: Path, prefix: str):
        self.folder = Path(folder)
        self.prefix = prefix
        self.books: list[PrintBook] = []

    def new(self) -> PrintBook:
        book = PrintBook(self.folder / f"{self.prefix}-{len(self.books) + 1:04d}.xlsx")
        self.books.append(book)
        return book

    def close(self) -> list[Path]:
        for book in self.books:
            book.close()
        return [book.path for book in self.books]


def join_pdfs(parts: list[Path], target: Path) -> Path:
    """One PDF from the documents' PDFs, in order (pure Python: pypdf)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(str(part))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    with open(tmp, "wb") as fh:
        writer.write(fh)
    writer.close()
    os.replace(tmp, target)
    return target


def _plain_layout(book: PrintBook, sh: SourceSheet, settings: dict | None = None) -> int:
    """Any output sheet as it is. A sheet with registered charts goes through the package
    writer (charts redrawn from the cells, one per page); any other becomes a bordered table
    whose long text wraps (so a 明细 column never widens the page into illegibility)."""
    from .book.charts import charts_for
    from .book.sheets import OutputSheet
    from .schemes import all_charts

    if not charts_for(sh.name, sh.columns, all_charts()):
        return _table_layout(book, sh, settings)
    name = book.unique(sh.name)
    book.wb.add_worksheet(name)
    out = OutputSheet(name, sh.columns, sh.rows, title=sh.title,
                      landscape=len(sh.columns) > 6, charts=charts_for(sh.name, sh.columns, all_charts()))
    fmts = {}
    for c in sh.columns:
        if "占比" in c or "比例" in c:
            fmts[c] = "0.0%"
    out.number_formats = fmts
    if "明细" in sh.columns:          # long free text: keep it readable rather than cut
        w = out.column_widths()
        w[sh.columns.index("明细")] = min(w[sh.columns.index("明细")], 90)
        out.widths = w
    book.plain.append(out)
    return len(sh.rows)


TEXT_WRAP_AT = 40           # columns wider than this (in half-width characters) wrap


def _week_namer(settings: dict | None):
    """fn(date) -> 第3周（9月14日—20日）, weeks counted from 学期开始 (issue #16); None
    when the workbook has no semester start."""
    from .core import normalize as nz
    from .core.periods import week_cn, week_of

    settings = settings or {}
    try:
        start, _ = nz.to_date(settings.get("学期开始"))
        first_wd, _ = nz.to_weekday(settings.get("周起始") or "周一")
    except (ValueError, TypeError):
        return None
    if start is None:
        return None
    return lambda d: week_cn(week_of(d, first_wd), start, first_wd)


def _cell_text(header: str, v, week=None) -> str:
    if header == "月份" and isinstance(v, str):
        return month_cn(v)                       # 2026年10月, not 2026-10 (issue #16)
    if header == "周开始" and week is not None and isinstance(v, (date, datetime)):
        return week(v.date() if isinstance(v, datetime) else v)
    if isinstance(v, (date, datetime)):
        return _iso(v)
    if isinstance(v, float) and ("占比" in header or "比例" in header) and abs(v) <= 10:
        return f"{v * 100:.1f}%"
    return _num(v)


def _table_layout(book: PrintBook, sh: SourceSheet, settings: dict | None = None) -> int:
    """A bordered table: header row repeated, title in the page header, A4, fit to width."""
    week = _week_namer(settings) if "周开始" in sh.columns else None
    texts = [[_cell_text(c, r[i] if i < len(r) else None, week) for i, c in enumerate(sh.columns)]
             for r in sh.rows]
    widths = []
    for i, c in enumerate(sh.columns):
        w = max([_width(c)] + [_width(t[i]) for t in texts[:2000]])
        widths.append(min(max(w + 2, 6), 70 if c == "明细" else TEXT_WRAP_AT))
    ws = book.sheet(sh.name)
    if sum(widths) > 95:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    title = (sh.title or sh.name).replace("&", "&&")
    ws.set_header("&C" + title[:240])
    ws.set_footer("&C第 &P 页，共 &N 页")
    f = book.fmt
    hdr = f(bold=True, border=1, align="center", bg_color="#D9E1F2", font_size=10, text_wrap=True)
    num = f(border=1, align="right", font_size=10)
    txt = f(border=1, font_size=10, text_wrap=True)
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    for j, c in enumerate(sh.columns):
        ws.write(0, j, c, hdr)
    for k, t in enumerate(texts):
        lines = max([1] + [math.ceil(_width(x) / max(widths[j] - 1, 1)) for j, x in enumerate(t)])
        ws.set_row(k + 1, 14 * lines + 3)
        for j, x in enumerate(t):
            v = sh.rows[k][j] if j < len(sh.rows[k]) else None
            ws.write_string(k + 1, j, x, num if isinstance(v, (int, float)) and not isinstance(v, bool) else txt)
    ws.repeat_rows(0)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, max(len(texts), 1), max(len(sh.columns) - 1, 0))
    return len(sh.rows)


def _tie_counts(ranks) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in ranks:
        if not _blank(v):
            out[_num(v)] = out.get(_num(v), 0) + 1
    return out


def rank_text(value, tied: dict[str, int], n_total: int, whole: str = "全班") -> str:
    """第 3 名（与另 1 人并列，全班 49 人）: a shared rank says so (C-4)."""
    rank = _num(value)
    if not rank:
        return ""
    others = tied.get(rank, 1) - 1
    tie = f"并列，与另 {others} 人同分，" if others > 0 else ""
    return f"第 {rank} 名（{tie}{whole} {n_total} 人）"
