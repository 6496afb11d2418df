"""Write output sheets into the user's own workbook without losing a byte of it.

Design (issue "Write-back that never loses a byte of the user's workbook"):

* **Zip level, never openpyxl load/save.** The source package is opened with ``zipfile``;
  every member is copied *raw* (original compressed bytes, original ZipInfo: name, order,
  date, attributes) except the parts we must patch:

  - ``xl/workbook.xml`` (or wherever ``_rels/.rels`` points): a ``<sheet/>`` is inserted
    before ``</sheets>`` for each new sheet and our ``_xlnm.Print_Titles`` /
    ``_xlnm._FilterDatabase`` names are replaced in ``<definedNames>``;
  - ``xl/_rels/workbook.xml.rels``: one ``<Relationship/>`` per new sheet;
  - ``[Content_Types].xml``: one ``<Override/>`` per new sheet part;
  - ``xl/styles.xml``: a bold font, a header fill, custom ``<numFmt>`` s and ``<xf>`` s are
    *appended* (existing entries are never renumbered or altered; entries written by a
    previous run are found again by exact text and reused, so a re-run adds nothing).

  Patching is *targeted text editing*: the XML is first parsed with ``defusedxml`` (which
  refuses DTDs and entity bombs, and gives the authoritative list of sheets/relationships
  to cross-check against), then the text is edited at positions found by
  attribute-aware regular expressions. Re-serialising with ElementTree would rename
  namespace prefixes (``ns0:``) and drop ``mc:Ignorable`` content, which Excel rejects.
  Inserted elements reuse the prefix the document already binds to the main namespace,
  so ``<x:workbook>`` sources get ``<x:sheet>``.

* **New sheets** are new parts ``<workbook dir>/worksheets/sheetN.xml`` (smallest free N)
  with inline strings only, so ``sharedStrings.xml`` is never touched. A sheet whose name
  already exists (case-insensitively, as Excel compares names) is **replaced in place**:
  its ``<sheet>`` element (position, sheetId, r:id, state) and part name stay as they are,
  only the part's bytes change. Its own ``.rels`` part is dropped (the new content
  references none of it, and comments are linked by relationship type alone, so keeping
  it would attach stale comments to our cells); parts that thereby become unreachable
  from the package root (its drawings, comments, VML, tables, printer settings, and
  charts/images used by nothing else) are removed together with their content-type
  overrides. Nothing that was unreachable before is touched. An existing chartsheet or
  dialogsheet with the same name is refused.

* **calcChain**: left byte-identical unless a replaced sheet appears in it (its ``i`` =
  sheetId, with the attribute's inheritance rule applied); then ``calcChain.xml``, its
  relationship and content-type override are removed and Excel rebuilds the chain
  silently (openpyxl never writes one either). Rewriting the chain entry by entry would
  also work but buys nothing.

* **docProps/app.xml** is left alone: its ``TitlesOfParts`` list may then miss new sheet
  names, which Excel, WPS and LibreOffice ignore on open and rewrite on their next save.

* **Determinism** (SPEC C-5): patched/new parts get ZipInfo date 1980-01-01 00:00:00,
  ZIP_DEFLATED at zlib's default level, create_system 0 and no external attributes;
  copied members keep their own ZipInfo and compressed bytes. Writing the same sheets
  into the output of a previous run therefore reproduces that file byte for byte.

* **Atomic save**: see :func:`write_outputs`.
"""
from __future__ import annotations

import math
import os
import posixpath
import re
import shutil
import stat
import struct
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote

from defusedxml import ElementTree as SafeET

from jifen_xl.book import charts as _charts
from jifen_xl.book.sheets import OutputSheet
from jifen_xl.core.problems import InputError

__all__ = [
    "write_outputs",
    "read_sheet_xml_names",
    "WorkbookBusy",
    "WorkbookNotWritable",
    "BACKUP_DIR",
]

BACKUP_DIR = "jifen备份"
TEMP_PREFIX = ".~jifen-"
STALE_TEMP_SECONDS = 3600

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
RT_OFFICE_DOCUMENT = NS_R + "/officeDocument"
RT_WORKSHEET = NS_R + "/worksheet"
RT_STYLES = NS_R + "/styles"
RT_CALC_CHAIN = NS_R + "/calcChain"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
MAX_ROWS = 1_048_576
MAX_COLS = 16_384
MAX_CELL_CHARS = 32_767
MAX_HEADER_CHARS = 255

HEADER_FILL_RGB = "FFD9E1F2"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


class WorkbookBusy(Exception):
    """The workbook is open in Excel, WPS or LibreOffice (an owner/lock file exists)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class WorkbookNotWritable(Exception):
    """The workbook file or its folder cannot be written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------- XML text helpers

# Attribute list that tolerates '>' inside quoted values.
_ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_ATTRS_LAZY = _ATTRS + "?"     # stops before a self-closing "/>"
_ATTR_RE = re.compile(r"""([^\s=/>]+)\s*=\s*("([^"]*)"|'([^']*)')""")
_ENTITY_RE = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
# Characters XML 1.0 forbids (and lone surrogates, which cannot be encoded as UTF-8).
_ILLEGAL_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Excel reads _xHHHH_ in cell text as an escaped character; escape a literal one.
_EXCEL_ESCAPE_RE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def _unescape(s: str) -> str:
    def rep(m: re.Match) -> str:
        e = m.group(1)
        if e[0] == "#":
            return chr(int(e[2:], 16) if e[1] in "xX" else int(e[1:]))
        return _ENTITIES[e]
    return _ENTITY_RE.sub(rep, s)


def _esc_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _esc_attr(s: str) -> str:
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
            .replace("\t", "&#9;"))


def _attrs(attr_text: str) -> dict[str, str]:
    """Attributes of a start tag as {qualified name: unescaped value}."""
    out = {}
    for m in _ATTR_RE.finditer(attr_text):
        raw = m.group(3) if m.group(3) is not None else m.group(4)
        out[m.group(1)] = _unescape(raw)
    return out


def _prefix_of(qname: str) -> str:
    return qname.split(":", 1)[0] + ":" if ":" in qname else ""


def _root_start_tag(text: str) -> re.Match:
    """The root element's start tag (skipping the XML declaration, comments, PIs)."""
    m = re.compile(r"<([A-Za-z_][\w.\-]*(?::[\w.\-]+)?)(" + _ATTRS + r")>", re.S)
    pos = 0
    while True:
        found = m.search(text, pos)
        if found is None:
            raise _Unpatchable("no root element")
        before = text[pos:found.start()]
        # Ignore anything inside a comment that started before this match.
        if "<!--" in before and "-->" not in before[before.rindex("<!--"):]:
            pos = text.index("-->", found.start()) + 3
            continue
        return found


def _ns_prefix(root_attrs: dict[str, str], namespace: str) -> str | None:
    """The prefix ('' for the default namespace, 'x:' otherwise) bound to ``namespace``."""
    if root_attrs.get("xmlns") == namespace:
        return ""
    for k, v in root_attrs.items():
        if k.startswith("xmlns:") and v == namespace:
            return k[6:] + ":"
    return None


def _elements(text: str, qname: str, start: int = 0, end: int | None = None) -> list[re.Match]:
    """All elements ``qname`` (self-closing or with content, not nested in themselves)."""
    q = re.escape(qname)
    pat = re.compile(r"<" + q + r"(?=[\s/>])(" + _ATTRS_LAZY + r")(?:/>|>(.*?)</" + q + r"\s*>)", re.S)
    return list(pat.finditer(text, start, len(text) if end is None else end))


@dataclass
class _Span:
    """An element's location: [start, end) whole element, [inner_start, inner_end) content."""
    start: int
    end: int
    inner_start: int
    inner_end: int
    attrs: str
    self_closing: bool


def _find_section(text: str, qname: str) -> _Span | None:
    q = re.escape(qname)
    m = re.compile(r"<" + q + r"(?=[\s/>])(" + _ATTRS_LAZY + r")(/?)>", re.S).search(text)
    if m is None:
        return None
    if m.group(2) == "/":
        return _Span(m.start(), m.end(), m.end(), m.end(), m.group(1), True)
    c = re.compile(r"</" + q + r"\s*>").search(text, m.end())
    if c is None:
        raise _Unpatchable(f"unclosed <{qname}>")
    return _Span(m.start(), c.end(), m.end(), c.start(), m.group(1), False)


def _insert_child(text: str, span: _Span, qname: str, xml: str) -> str:
    """Append ``xml`` as the last child of the section at ``span``."""
    if span.self_closing:
        attrs = span.attrs.rstrip()
        return text[:span.start] + f"<{qname}{attrs}>{xml}</{qname}>" + text[span.end:]
    return text[:span.inner_end] + xml + text[span.inner_end:]


def _set_count(text: str, span: _Span, qname: str, count: int) -> str:
    """Update the ``count`` attribute of a section start tag if it has one."""
    head_end = span.inner_start if not span.self_closing else span.end
    head = text[span.start:head_end]
    new_head, n = re.subn(r"""(\scount\s*=\s*)(["'])\d*\2""", rf'\g<1>"{count}"', head, count=1)
    if n == 0:
        return text
    return text[:span.start] + new_head + text[head_end:]


class _Unpatchable(Exception):
    """The XML has a shape our targeted patching cannot handle safely."""


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    return data.decode("utf-8"), "utf-8"


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding)


def _parse_safe(data: bytes, what: str):
    """Parse with defusedxml: refuses DTDs, entity expansion and external references."""
    try:
        return SafeET.fromstring(data)
    except Exception as e:  # defusedxml's errors and ParseError
        raise InputError(f"工作簿内部文件 {what} 已损坏或包含不安全的内容（{type(e).__name__}），无法写入。") from e


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# --------------------------------------------------------------------------- package model

@dataclass
class _Rel:
    id: str
    type: str
    target: str
    external: bool
    start: int
    end: int


def _rels_part_of(part: str) -> str:
    d, b = posixpath.split(part)
    return posixpath.join(d, "_rels", b + ".rels")


def _parse_rels(text: str, data: bytes, name: str) -> list[_Rel]:
    root = _parse_safe(data, name)
    truth = [(el.get("Id"), el.get("Type"), el.get("Target"), el.get("TargetMode"))
             for el in root if _local(el.tag) == "Relationship"]
    rels = []
    root_tag = _root_start_tag(text)
    prefix = _prefix_of(root_tag.group(1))
    for m in _elements(text, prefix + "Relationship"):
        a = _attrs(m.group(1))
        rels.append(_Rel(a.get("Id", ""), a.get("Type", ""), a.get("Target", ""),
                         a.get("TargetMode", "") == "External", m.start(), m.end()))
    if [(r.id, r.type, r.target) for r in rels] != [(t[0], t[1], t[2]) for t in truth]:
        raise _Unpatchable(f"{name}: relationships not found where expected")
    return rels


class _Package:
    """Read-only view of the source zip plus the edits we plan to make."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        self.infos = zf.infolist()
        self.names = [i.filename for i in self.infos]
        self.by_lower = {}
        for n in self.names:
            self.by_lower.setdefault(n.lower(), n)
        self.patched: dict[str, bytes] = {}     # member -> new bytes (existing member)
        self.removed: set[str] = set()           # members dropped
        self.new_parts: dict[str, bytes] = {}   # brand-new members, appended in order
        self.sheet_parts: dict[str, OutputSheet] = {}  # member -> sheet (new or replaced)

    def member(self, part: str) -> str | None:
        part = part.lstrip("/")
        found = self.by_lower.get(part.lower())
        if found is None:
            found = self.by_lower.get(unquote(part).lower())
        return found

    def read(self, member: str) -> bytes:
        if member in self.patched:
            return self.patched[member]
        if member in self.new_parts:
            return self.new_parts[member]
        return self.zf.read(member)

    def exists(self, part: str) -> bool:
        m = self.member(part)
        if m is not None and m not in self.removed:
            return True
        return part.lstrip("/").lower() in {k.lower() for k in self.new_parts}


def _resolve(source_part: str, target: str) -> str:
    target = target.split("#", 1)[0]
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def _reachable(pkg: _Package, rels_text: dict[str, str | None]) -> set[str]:
    """Members reachable from the package root through relationships.

    ``rels_text`` overrides rels parts: member -> text, or None for a removed rels part.
    """
    seen: set[str] = set()
    todo = [""]
    while todo:
        part = todo.pop()
        rels_name = "_rels/.rels" if part == "" else _rels_part_of(part)
        member = pkg.member(rels_name)
        if member is None:
            continue
        if member in rels_text:
            text = rels_text[member]
            if text is None:
                continue
        else:
            text, _ = _decode(pkg.zf.read(member))
        for m in _elements(text, _prefix_of(_root_start_tag(text).group(1)) + "Relationship"):
            a = _attrs(m.group(1))
            if a.get("TargetMode") == "External":
                continue
            target = pkg.member(_resolve(part, a.get("Target", "")))
            if target is not None and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


# --------------------------------------------------------------------------- cell rendering

_COL_CACHE: list[str] = []


def _col_letter(i: int) -> str:
    """0-based column index -> Excel letters."""
    while len(_COL_CACHE) <= i:
        n = len(_COL_CACHE) + 1
        s = ""
        while n:
            n, r = divmod(n - 1, 26)
            s = chr(65 + r) + s
        _COL_CACHE.append(s)
    return _COL_CACHE[i]


def _clean_text(s: str) -> str:
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = _ILLEGAL_XML_RE.sub("", s)
    if len(s) > MAX_CELL_CHARS:
        s = s[:MAX_CELL_CHARS]
    return _EXCEL_ESCAPE_RE.sub(r"_x005F_\1", s)


def _inline(ref: str, s: str, style: int) -> str:
    s = _clean_text(s)
    st = f' s="{style}"' if style else ""
    sp = ' xml:space="preserve"' if s[:1].isspace() or s[-1:].isspace() else ""
    return f'<c r="{ref}"{st} t="inlineStr"><is><t{sp}>{_esc_text(s)}</t></is></c>'


def _num_text(v) -> str | None:
    """Numeric cell text, or None for a missing value (NaN)."""
    if isinstance(v, Decimal):
        if v.is_nan():
            return None
        if v.is_infinite():
            raise ValueError(f"cannot write an infinite number to a cell: {v!r}")
        t = format(v.normalize(), "f")
        return "0" if t in ("-0", "0") else t
    if isinstance(v, int):
        return str(v)
    f = float(v)
    if math.isnan(f):
        return None
    if math.isinf(f):
        raise ValueError(f"cannot write an infinite number to a cell: {v!r}")
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    return repr(f)


_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)


def _serial(v: date | datetime, date1904: bool) -> str | None:
    """Excel serial number text for a date/datetime, None if Excel cannot show it."""
    dt = v if isinstance(v, datetime) else datetime.combine(v, time())
    if dt.tzinfo is not None:
        dt = dt.replace(tzinfo=None)
    if date1904:
        if dt < _EPOCH_1904:
            return None
        delta = dt - _EPOCH_1904
    else:
        if dt < datetime(1900, 1, 1):
            return None
        delta = dt - _EPOCH_1900
        if dt < datetime(1900, 3, 1):   # Excel's phantom 1900-02-29
            delta -= timedelta(days=1)
    days = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return _num_text(days)


@dataclass
class _StyleIds:
    header: int
    date: int
    datetime: int
    by_format: dict[str, int]


def _plain(v):
    """Turn numpy / pandas scalars into plain Python values without importing them."""
    if type(v) in (str, int, float, bool, Decimal, date, datetime) or v is None:
        return v
    if hasattr(v, "item") and not isinstance(v, (str, date)):
        try:
            v = v.item()
        except (TypeError, ValueError):
            pass
    if isinstance(v, datetime):
        try:
            if v != v:   # pandas NaT
                return None
        except TypeError:
            pass
        if hasattr(v, "to_pydatetime"):
            v = v.to_pydatetime()
    return v


def _cell(ref: str, v, fmt_style: int, styles: _StyleIds, date1904: bool) -> str:
    v = _plain(v)
    if v is None:
        return ""
    if isinstance(v, str):
        return "" if v == "" else _inline(ref, v, 0)
    if isinstance(v, bool):
        return _inline(ref, "是" if v else "否", 0)
    if isinstance(v, (datetime, date)):
        serial = _serial(v, date1904)
        if serial is None:
            return _inline(ref, v.isoformat(), 0)
        has_time = isinstance(v, datetime) and v.time() != time()
        style = fmt_style or (styles.datetime if has_time else styles.date)
        return f'<c r="{ref}" s="{style}"><v>{serial}</v></c>'
    if isinstance(v, (int, float, Decimal)):
        t = _num_text(v)
        if t is None:
            return ""
        st = f' s="{fmt_style}"' if fmt_style else ""
        return f'<c r="{ref}"{st}><v>{t}</v></c>'
    return _inline(ref, str(v), 0)


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _header_text(title: str) -> str:
    """Page-header code for the centred title: '&' doubled, within Excel's 255 chars."""
    t = _ILLEGAL_XML_RE.sub("", title).replace("\r", " ").replace("\n", " ").replace("&", "&&")
    t = t[:MAX_HEADER_CHARS - 2]
    if t.endswith("&") and not t.endswith("&&"):
        t = t[:-1]
    return "&C" + t


def _fmt_width(w: float) -> str:
    w = float(w)
    return str(int(w)) if w.is_integer() else repr(round(w, 4))


def render_sheet_xml(sheet: OutputSheet, styles: _StyleIds, date1904: bool = False,
                     chart_tail: str = "") -> Iterator[str]:
    """The worksheet part for ``sheet`` as a stream of XML text chunks.

    ``chart_tail`` is the ``<rowBreaks>``/``<drawing>`` markup of its charts (charts.py).
    """
    ncols = len(sheet.columns)
    nrows = len(sheet.rows)
    for r in sheet.rows:
        ncols = max(ncols, len(r))
    if ncols > MAX_COLS or nrows + 1 > MAX_ROWS:
        raise ValueError(f"sheet {sheet.name!r} is too large for Excel ({nrows + 1} rows, {ncols} columns)")
    last = f"{_col_letter(ncols - 1)}{nrows + 1}" if ncols else "A1"
    dim = "A1" if last == "A1" else f"A1:{last}"
    yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">'
           '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
           f'<dimension ref="{dim}"/>'
           '<sheetViews><sheetView workbookViewId="0">'
           '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
           '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
           '</sheetView></sheetViews>')
    widths = sheet.column_widths()
    if widths:
        yield "<cols>" + "".join(
            f'<col min="{i + 1}" max="{i + 1}" width="{_fmt_width(w)}" customWidth="1"/>'
            for i, w in enumerate(widths)) + "</cols>"
    fmt_styles = [styles.by_format.get(sheet.number_formats.get(c, ""), 0) for c in sheet.columns]
    fmt_styles += [0] * (ncols - len(fmt_styles))
    letters = [_col_letter(i) for i in range(ncols)]
    yield '<sheetData><row r="1">'
    yield "".join(_inline(f"{letters[i]}1", str(h), styles.header) for i, h in enumerate(sheet.columns))
    yield "</row>"
    buf = []
    for n, row in enumerate(sheet.rows, start=2):
        cells = "".join(_cell(f"{letters[i]}{n}", v, fmt_styles[i], styles, date1904)
                        for i, v in enumerate(row))
        buf.append(f'<row r="{n}">{cells}</row>' if cells else "")
        if len(buf) >= 2000:
            yield "".join(buf)
            buf = []
    yield "".join(buf)
    yield "</sheetData>"
    if ncols:
        yield f'<autoFilter ref="{dim}"/>'
    yield ('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
           f'<pageSetup paperSize="9" orientation="{"landscape" if sheet.landscape else "portrait"}"'
           ' fitToWidth="1" fitToHeight="0"/><headerFooter>')
    if sheet.title:
        yield f"<oddHeader>{_esc_text(_header_text(sheet.title))}</oddHeader>"
    yield "<oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter>"
    yield chart_tail + "</worksheet>"


# --------------------------------------------------------------------------- styles.xml

_STYLE_SECTIONS = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs",
                   "cellStyles", "dxfs", "tableStyles", "colors", "extLst"]
_SECTION_CHILD = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border",
                  "cellStyleXfs": "xf", "cellXfs": "xf"}
_SECTION_DEFAULT = {
    "fonts": '<font><sz val="11"/><name val="Calibri"/></font>',
    "fills": '<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>',
    "borders": "<border><left/><right/><top/><bottom/><diagonal/></border>",
    "cellStyleXfs": '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>',
    "cellXfs": '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
}
MINIMAL_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{NS_MAIN}"></styleSheet>')

# Built-in number formats that need no <numFmt>.
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4,
                    "0%": 9, "0.00%": 10, "@": 49}


class _Styles:
    """Appends the few styles we need to styles.xml, reusing identical existing entries."""

    def __init__(self, text: str):
        self.text = text
        root = _root_start_tag(text)
        self.p = _prefix_of(root.group(1))
        self.root_qname = root.group(1)

    def _section(self, name: str) -> _Span:
        span = _find_section(self.text, self.p + name)
        if span is not None:
            return span
        # Insert an empty (or default) section at its schema position.
        default = _SECTION_DEFAULT.get(name, "")
        default = re.sub(r"<(/?)(?=[a-zA-Z])", r"<\1" + self.p, default) if self.p else default
        count = len(_elements(default, self.p + _SECTION_CHILD[name])) if name in _SECTION_CHILD else 0
        xml = f'<{self.p}{name} count="{count}">{default}</{self.p}{name}>'
        pos = None
        for later in _STYLE_SECTIONS[_STYLE_SECTIONS.index(name) + 1:]:
            s = _find_section(self.text, self.p + later)
            if s is not None:
                pos = s.start
                break
        if pos is None:
            root = _find_section(self.text, self.root_qname)
            if root.self_closing:
                self.text = (self.text[:root.start] + f"<{self.root_qname}{root.attrs.rstrip()}>"
                             f"</{self.root_qname}>" + self.text[root.end:])
                root = _find_section(self.text, self.root_qname)
            pos = root.inner_end
        self.text = self.text[:pos] + xml + self.text[pos:]
        return _find_section(self.text, self.p + name)

    def _children(self, section: str) -> tuple[_Span, list[re.Match]]:
        span = self._section(section)
        kids = _elements(self.text, self.p + _SECTION_CHILD[section], span.inner_start, span.inner_end)
        return span, kids

    def _ensure(self, section: str, xml: str) -> int:
        """Index of a child equal to ``xml`` (appending it if absent)."""
        span, kids = self._children(section)
        for i, k in enumerate(kids):
            if k.group(0) == xml:
                return i
        self.text = _insert_child(self.text, span, self.p + section, xml)
        span = self._section(section)
        self.text = _set_count(self.text, span, self.p + section, len(kids) + 1)
        return len(kids)

    def numfmt(self, code: str) -> int:
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        span, kids = self._children("numFmts")
        used = []
        for k in kids:
            a = _attrs(k.group(1))
            try:
                fid = int(a.get("numFmtId", "0"))
            except ValueError:
                continue
            used.append(fid)
            if a.get("formatCode") == code:
                return fid
        fid = max([163] + used) + 1
        self.text = _insert_child(self.text, span, self.p + "numFmts",
                                  f'<{self.p}numFmt numFmtId="{fid}" formatCode="{_esc_attr(code)}"/>')
        span = self._section("numFmts")
        self.text = _set_count(self.text, span, self.p + "numFmts", len(kids) + 1)
        return fid

    def bold_font(self) -> int:
        span, kids = self._children("fonts")
        base = kids[0].group(0) if kids else f'<{self.p}font/>'
        q = self.p + "font"
        # Drop any <b val="0"/> style element, then add a plain <b/> (CT_Font is an
        # unordered choice, so its position does not matter).
        base = re.sub(r"<" + re.escape(self.p) + r"b(?=[\s/>])" + _ATTRS_LAZY + r"/>", "", base)
        if base.endswith("/>"):
            bold = base[:-2].rstrip() + f"><{self.p}b/></{q}>"
        else:
            head_end = base.index(">") + 1
            bold = base[:head_end] + f"<{self.p}b/>" + base[head_end:]
        return self._ensure("fonts", bold)

    def header_fill(self) -> int:
        p = self.p
        return self._ensure("fills", f'<{p}fill><{p}patternFill patternType="solid">'
                                     f'<{p}fgColor rgb="{HEADER_FILL_RGB}"/><{p}bgColor indexed="64"/>'
                                     f'</{p}patternFill></{p}fill>')

    def xf(self, numfmt: int = 0, font: int = 0, fill: int = 0) -> int:
        self._section("borders")
        self._section("cellStyleXfs")
        extra = ""
        if numfmt:
            extra += ' applyNumberFormat="1"'
        if font:
            extra += ' applyFont="1"'
        if fill:
            extra += ' applyFill="1"'
        return self._ensure("cellXfs", f'<{self.p}xf numFmtId="{numfmt}" fontId="{font}" fillId="{fill}"'
                                       f' borderId="0" xfId="0"{extra}/>')


def _check_styles_counts(text: str, data: bytes) -> None:
    root = _parse_safe(data, "styles.xml")
    p = _prefix_of(_root_start_tag(text).group(1))
    for sec, child in _SECTION_CHILD.items():
        el = next((e for e in root if _local(e.tag) == sec), None)
        span = _find_section(text, p + sec)
        if (el is None) != (span is None):
            raise _Unpatchable(f"styles.xml: <{sec}> not found where expected")
        if el is not None:
            n_truth = sum(1 for e in el if _local(e.tag) == child)
            n_text = len(_elements(text, p + child, span.inner_start, span.inner_end))
            if n_truth != n_text:
                raise _Unpatchable(f"styles.xml: <{sec}> children not found where expected")


# --------------------------------------------------------------------------- planning

@dataclass
class _SheetEntry:
    name: str
    sheet_id: int
    rid: str


_INVALID_NAME_RE = re.compile(r"[\[\]:*?/\\]")


def _validate_names(sheets: list[OutputSheet]) -> None:
    seen = set()
    for s in sheets:
        n = s.name
        if not n or len(n) > 31 or _INVALID_NAME_RE.search(n) or n[0] == "'" or n[-1] == "'" \
                or n.casefold() == "history" or _ILLEGAL_XML_RE.search(n):
            raise ValueError(f"invalid Excel sheet name: {n!r}")
        if n.casefold() in seen:
            raise ValueError(f"sheet name given twice: {n!r}")
        seen.add(n.casefold())


def _plan(pkg: _Package, sheets: list[OutputSheet]) -> None:
    """Fill pkg.patched / removed / new_parts for writing ``sheets``."""
    # Root rels -> workbook part.
    root_rels_member = pkg.member("_rels/.rels")
    if root_rels_member is None:
        raise InputError("工作簿缺少 _rels/.rels，不是有效的 Excel 工作簿。")
    rt, _ = _decode(pkg.zf.read(root_rels_member))
    office = [r for r in _parse_rels(rt, pkg.zf.read(root_rels_member), "_rels/.rels")
              if r.type in (RT_OFFICE_DOCUMENT, "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument")]
    if not office:
        raise InputError("工作簿中找不到主工作簿部件，不是有效的 Excel 工作簿。")
    wb_part = _resolve("", office[0].target)
    wb_member = pkg.member(wb_part)
    if wb_member is None:
        raise InputError("工作簿中找不到主工作簿部件，不是有效的 Excel 工作簿。")
    wb_dir = posixpath.dirname(wb_member)

    wb_data = pkg.zf.read(wb_member)
    wb_root = _parse_safe(wb_data, wb_member)
    if wb_root.tag.startswith("{" + NS_STRICT_MAIN):
        raise InputError("不支持 Strict Open XML 格式的工作簿，请在 Excel 中另存为“Excel 工作簿(.xlsx)”后再运行。")
    wb_text, wb_enc = _decode(wb_data)
    root_tag = _root_start_tag(wb_text)
    root_attrs = _attrs(root_tag.group(2))
    p = _prefix_of(root_tag.group(1))
    rp = _ns_prefix(root_attrs, NS_R)
    r_decl = ""
    if rp is None or rp == "":
        rp = "r:" if "xmlns:r" not in root_attrs else "jr:"
        r_decl = f' xmlns:{rp[:-1]}="{NS_R}"'

    # Authoritative sheet list from the parser.
    truth = []
    for el in wb_root:
        if _local(el.tag) == "sheets":
            for s in el:
                if _local(s.tag) == "sheet":
                    truth.append((s.get("name"), s.get("sheetId"), s.get(f"{{{NS_R}}}id")))
    sheets_span = _find_section(wb_text, p + "sheets")
    if sheets_span is None:
        raise _Unpatchable("workbook.xml: <sheets> not found")
    existing: list[_SheetEntry] = []
    for m in _elements(wb_text, p + "sheet", sheets_span.inner_start, sheets_span.inner_end):
        a = _attrs(m.group(1))
        rid = next((v for k, v in a.items() if k.endswith(":id") and _ns_prefix(root_attrs, NS_R) == _prefix_of(k)), None)
        if rid is None:   # r namespace declared on the element itself
            decl = {k: v for k, v in a.items() if k.startswith("xmlns:")}
            rid = next((v for k, v in a.items() if k.endswith(":id") and
                        decl.get("xmlns:" + k.split(":")[0]) == NS_R), None)
        existing.append(_SheetEntry(a.get("name", ""), int(a.get("sheetId", "0")), rid or ""))
    if [(e.name, str(e.sheet_id), e.rid) for e in existing] != [(t[0], t[1], t[2]) for t in truth]:
        raise _Unpatchable("workbook.xml: sheets not found where expected")
    date1904 = any(_local(el.tag) == "workbookPr" and el.get("date1904") in ("1", "true")
                   for el in wb_root)

    # Workbook rels.
    wb_rels_member = pkg.member(_rels_part_of(wb_member))
    if wb_rels_member is None:
        raise InputError("工作簿缺少 workbook.xml.rels，不是有效的 Excel 工作簿。")
    wr_data = pkg.zf.read(wb_rels_member)
    wr_text, wr_enc = _decode(wr_data)
    wb_rels = _parse_rels(wr_text, wr_data, wb_rels_member)
    rels_by_id = {r.id: r for r in wb_rels}
    rels_prefix = _prefix_of(_root_start_tag(wr_text).group(1))
    used_ids = {r.id for r in wb_rels}
    rid_counter = [max([int(m.group(1)) for r in wb_rels if (m := re.fullmatch(r"rId(\d+)", r.id))] + [0])]

    def alloc_rid() -> str:
        while True:
            rid_counter[0] += 1
            rid = f"rId{rid_counter[0]}"
            if rid not in used_ids:
                used_ids.add(rid)
                return rid

    # Content types.
    ct_member = pkg.member("[Content_Types].xml")
    if ct_member is None:
        raise InputError("工作簿缺少 [Content_Types].xml，不是有效的 Excel 工作簿。")
    ct_data = pkg.zf.read(ct_member)
    _parse_safe(ct_data, "[Content_Types].xml")
    ct_text, ct_enc = _decode(ct_data)
    ct_prefix = _prefix_of(_root_start_tag(ct_text).group(1))

    # Styles.
    style_rel = next((r for r in wb_rels if r.type == RT_STYLES and not r.external), None)
    styles_member = pkg.member(_resolve(wb_member, style_rel.target)) if style_rel else None
    new_rels: list[str] = []
    new_overrides: list[str] = []
    if styles_member is not None:
        st_data = pkg.zf.read(styles_member)
        st_text, st_enc = _decode(st_data)
        _check_styles_counts(st_text, st_data)
    else:
        styles_member = posixpath.join(wb_dir, "styles.xml")
        if pkg.member(styles_member) is not None:
            raise _Unpatchable("styles.xml exists but is not related to the workbook")
        st_text, st_enc, st_data = MINIMAL_STYLES, "utf-8", b""
        new_rels.append((alloc_rid(), RT_STYLES, posixpath.relpath(styles_member, wb_dir) if wb_dir else styles_member))
        new_overrides.append((styles_member, CT_STYLES))

    styles = _Styles(st_text)
    need_datetime = any(isinstance(_plain(v), datetime) and _plain(v).time() != time()
                        for s in sheets for r in s.rows for v in r if isinstance(v, datetime))
    header = styles.xf(font=styles.bold_font(), fill=styles.header_fill())
    date_xf = styles.xf(numfmt=styles.numfmt(DATE_FORMAT))
    datetime_xf = styles.xf(numfmt=styles.numfmt(DATETIME_FORMAT)) if need_datetime else date_xf
    by_format = {}
    for s in sheets:
        for code in s.number_formats.values():
            if code and code not in by_format:
                by_format[code] = styles.xf(numfmt=styles.numfmt(code))
    style_ids = _StyleIds(header, date_xf, datetime_xf, by_format)
    if styles.text != st_text or not st_data:
        if st_data:
            pkg.patched[styles_member] = _encode(styles.text, st_enc)
        else:
            pkg.new_parts[styles_member] = styles.text.encode("utf-8")

    # Map sheets to existing entries or new ones.
    by_name = {e.name.casefold(): (i, e) for i, e in enumerate(existing)}
    next_sheet_id = max([e.sheet_id for e in existing] + [0]) + 1
    sheet_xml_inserts = []
    local_names: dict[int, str] = {}    # sheet index -> name used in references
    replaced_ids: set[int] = set()
    replaced_rels_members: list[str] = []
    ref_names: dict[str, str] = {}      # sheet member -> its name in workbook.xml
    new_index = len(existing)
    for s in sheets:
        hit = by_name.get(s.name.casefold())
        if hit is not None:
            idx, entry = hit
            rel = rels_by_id.get(entry.rid)
            if rel is None or rel.external:
                raise _Unpatchable(f"sheet {entry.name!r} has no relationship")
            if rel.type != RT_WORKSHEET:
                raise InputError(f"工作簿中已有名为“{entry.name}”的图表工作表或对话框工作表，"
                                 "无法写入结果。请把它改名或删除后再运行。")
            member = pkg.member(_resolve(wb_member, rel.target))
            if member is None:
                raise InputError(f"工作表“{entry.name}”的内容部件缺失，工作簿已损坏。")
            pkg.sheet_parts[member] = s
            ref_names[member] = entry.name
            own_rels = pkg.member(_rels_part_of(member))
            if own_rels is not None:
                replaced_rels_members.append(own_rels)
            replaced_ids.add(entry.sheet_id)
            local_names[idx] = entry.name
        else:
            k = 1
            while True:
                part = posixpath.join(wb_dir, "worksheets", f"sheet{k}.xml")
                if not pkg.exists(part) and pkg.member(_rels_part_of(part)) is None:
                    break
                k += 1
            rid = alloc_rid()
            pkg.new_parts[part] = b""
            pkg.sheet_parts[part] = s
            ref_names[part] = s.name
            target = posixpath.relpath(part, wb_dir) if wb_dir else part
            new_rels.append((rid, RT_WORKSHEET, target))
            new_overrides.append((part, CT_WORKSHEET))
            sheet_xml_inserts.append(
                f'<{p}sheet name="{_esc_attr(s.name)}" sheetId="{next_sheet_id}" {rp}id="{rid}"{r_decl}/>')
            next_sheet_id += 1
            local_names[new_index] = s.name
            new_index += 1

    # calcChain: drop it when a replaced sheet has entries in it.
    removed_rel_ids: set[str] = set()
    calc_rel = next((r for r in wb_rels if r.type == RT_CALC_CHAIN and not r.external), None)
    if calc_rel is not None and replaced_ids:
        calc_member = pkg.member(_resolve(wb_member, calc_rel.target))
        if calc_member is not None:
            croot = _parse_safe(pkg.zf.read(calc_member), calc_member)
            current = None
            hit = False
            for c in croot:
                if _local(c.tag) != "c":
                    continue
                if c.get("i") is not None:
                    current = int(c.get("i"))
                if current in replaced_ids:
                    hit = True
                    break
            if hit:
                pkg.removed.add(calc_member)
                removed_rel_ids.add(calc_rel.id)
        else:
            removed_rel_ids.add(calc_rel.id)

    # ---- patch workbook rels
    new_wr_text = wr_text
    for r in sorted((r for r in wb_rels if r.id in removed_rel_ids), key=lambda r: -r.start):
        new_wr_text = new_wr_text[:r.start] + new_wr_text[r.end:]
    if new_rels:
        span = _find_section(new_wr_text, rels_prefix + "Relationships")
        new_wr_text = _insert_child(new_wr_text, span, rels_prefix + "Relationships", "".join(
            f'<{rels_prefix}Relationship Id="{rid}" Type="{t}" Target="{_esc_attr(tg)}"/>'
            for rid, t, tg in new_rels))
    if new_wr_text != wr_text:
        pkg.patched[wb_rels_member] = _encode(new_wr_text, wr_enc)

    # ---- garbage: replaced sheets' own rels, and parts only they (or calcChain) reached
    rels_override: dict[str, str | None] = {wb_rels_member: new_wr_text}
    for m in replaced_rels_members:
        rels_override[m] = None
    if replaced_rels_members or removed_rel_ids:
        before = _reachable(pkg, {})
        after = _reachable(pkg, rels_override)
        orphans = before - after - set(pkg.sheet_parts)
        for o in orphans:
            pkg.removed.add(o)
            orels = pkg.member(_rels_part_of(o))
            if orels is not None:
                pkg.removed.add(orels)
        pkg.removed.update(replaced_rels_members)

    # ---- charts: drawing + chart parts for sheets that carry ChartSpecs
    chart_tails = _plan_charts(pkg, ref_names, new_overrides, date1904)

    # ---- patch content types
    new_ct_text = ct_text
    removed_lower = {"/" + m.lower() for m in pkg.removed}
    overrides = _elements(ct_text, ct_prefix + "Override")
    kept = []
    for m in reversed(overrides):
        pn = _attrs(m.group(1)).get("PartName", "")
        if pn.lower() in removed_lower or unquote(pn).lower() in removed_lower:
            new_ct_text = new_ct_text[:m.start()] + new_ct_text[m.end():]
        else:
            kept.append(m)
    have = {unquote(_attrs(m.group(1)).get("PartName", "")).lower() for m in kept}
    add = "".join(f'<{ct_prefix}Override PartName="/{_esc_attr(part)}" ContentType="{ct}"/>'
                  for part, ct in new_overrides if "/" + part.lower() not in have)
    if add:
        span = _find_section(new_ct_text, ct_prefix + "Types")
        new_ct_text = _insert_child(new_ct_text, span, ct_prefix + "Types", add)
    if new_ct_text != ct_text:
        pkg.patched[ct_member] = _encode(new_ct_text, ct_enc)

    # ---- patch workbook.xml: new <sheet>s, then our defined names
    text = wb_text
    if sheet_xml_inserts:
        span = _find_section(text, p + "sheets")
        text = _insert_child(text, span, p + "sheets", "".join(sheet_xml_inserts))
    text = _patch_defined_names(text, p, sheets, local_names, existing)
    if text != wb_text:
        pkg.patched[wb_member] = _encode(text, wb_enc)

    # ---- render sheet parts
    for member, s in pkg.sheet_parts.items():
        body = "".join(render_sheet_xml(s, style_ids, date1904, chart_tails.get(member, ""))).encode("utf-8")
        if member in pkg.new_parts:
            pkg.new_parts[member] = body
        else:
            pkg.patched[member] = body


def _free_part(pkg: _Package, pattern: str) -> str:
    """Smallest ``pattern % n`` not in the package after this run's removals.

    Parts removed as orphans of a replaced sheet are free again, so writing the same
    charts into the output of a previous run reuses the same names (C-5).
    """
    taken = {n.lower() for n in pkg.names if n not in pkg.removed} | {n.lower() for n in pkg.new_parts}
    n = 1
    while (pattern % n).lower() in taken:
        n += 1
    return pattern % n


def _plan_charts(pkg: _Package, ref_names: dict[str, str], new_overrides: list,
                 date1904: bool) -> dict[str, str]:
    """Add drawing/chart parts (+ rels) for sheets with charts; return member -> sheet tail.

    A replaced sheet's old rels part was dropped (with its now-unreachable drawing and
    charts) before this runs, so its rels part is written afresh here.
    """
    tails: dict[str, str] = {}
    for member, s in pkg.sheet_parts.items():
        if not s.charts:
            continue
        nrows = len(s.rows)
        resolved = [r for c in s.charts if (r := _charts.resolve(c, list(s.columns), nrows)) is not None]
        if not resolved:
            continue
        base = posixpath.dirname(posixpath.dirname(member))       # the workbook folder ("xl")
        drawing = _free_part(pkg, posixpath.join(base, "drawings", "drawing%d.xml"))
        pkg.new_parts[drawing] = b""
        chart_parts = []
        for r in resolved:
            part = _free_part(pkg, posixpath.join(base, "charts", "chart%d.xml"))
            pkg.new_parts[part] = _charts.chart_xml(ref_names[member], list(s.columns), s.rows, r, date1904)
            chart_parts.append(part)
        places, breaks = _charts.placements(len(resolved), nrows, s.column_widths())
        pkg.new_parts[drawing] = _charts.drawing_xml(places)
        pkg.new_parts[_rels_part_of(drawing)] = _charts.rels_xml(
            [(f"rId{i + 1}", _charts.RT_CHART, posixpath.relpath(p, posixpath.dirname(drawing)))
             for i, p in enumerate(chart_parts)])
        sheet_rels = _rels_part_of(member)
        pkg.new_parts[sheet_rels] = _charts.rels_xml(
            [("rId1", _charts.RT_DRAWING, posixpath.relpath(drawing, posixpath.dirname(member)))])
        new_overrides.append((drawing, _charts.CT_DRAWING))
        new_overrides.extend((p, _charts.CT_CHART) for p in chart_parts)
        tails[member] = _charts.sheet_tail_xml(breaks, "rId1")
    return tails


_OUR_NAMES = ("_xlnm.Print_Titles", "_xlnm._FilterDatabase")


def _patch_defined_names(text: str, p: str, sheets: list[OutputSheet],
                         local_names: dict[int, str], existing: list[_SheetEntry]) -> str:
    by_name = {n.casefold(): i for i, n in local_names.items()}
    ours: list[str] = []
    our_idx: set[int] = set()
    for s in sheets:
        idx = by_name[s.name.casefold()]
        our_idx.add(idx)
        ref = _quote_sheet(local_names[idx])
        ours.append(f'<{p}definedName name="_xlnm.Print_Titles" localSheetId="{idx}">'
                    f"{_esc_text(ref)}!$1:$1</{p}definedName>")
        ncols = max([len(s.columns)] + [len(r) for r in s.rows])
        if ncols:
            last = f"${_col_letter(ncols - 1)}${len(s.rows) + 1}"
            ours.append(f'<{p}definedName name="_xlnm._FilterDatabase" localSheetId="{idx}" hidden="1">'
                        f"{_esc_text(ref)}!$A$1:{last}</{p}definedName>")
    span = _find_section(text, p + "definedNames")
    if span is None and not ours:
        return text
    if span is None:
        # Schema position: after sheets, functionGroups, externalReferences.
        pos = None
        for prev in ("externalReferences", "functionGroups", "sheets"):
            s = _find_section(text, p + prev)
            if s is not None:
                pos = s.end
                break
        text = text[:pos] + f"<{p}definedNames>{''.join(ours)}</{p}definedNames>" + text[pos:]
        return text
    # Remove our previous names for these sheets, then append the fresh ones.
    for m in reversed(_elements(text, p + "definedName", span.inner_start, span.inner_end)):
        a = _attrs(m.group(1))
        if a.get("name") in _OUR_NAMES and a.get("localSheetId", "").isdigit() \
                and int(a["localSheetId"]) in our_idx:
            text = text[:m.start()] + text[m.end():]
    span = _find_section(text, p + "definedNames")
    return _insert_child(text, span, p + "definedNames", "".join(ours))


# --------------------------------------------------------------------------- zip writing

def _strip_zip64_extra(extra: bytes) -> bytes:
    out = b""
    i = 0
    while i + 4 <= len(extra):
        hid, size = struct.unpack("<HH", extra[i:i + 4])
        if hid != 1:
            out += extra[i:i + 4 + size]
        i += 4 + size
    return out


def _fixed_info(name: str) -> zipfile.ZipInfo:
    zi = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
    zi.compress_type = zipfile.ZIP_DEFLATED
    zi.create_system = 0
    zi.external_attr = 0
    return zi


# Raw copying appends to ZipFile's own bookkeeping (filelist, NameToInfo, start_dir,
# _didModify), stable since Python 3.6; fall back to recompressing if they ever go away.
_RAW_COPY = hasattr(zipfile.ZipInfo, "FileHeader") and hasattr(zipfile.ZipFile, "_write_end_record")


def _copy_raw(src_fp, info: zipfile.ZipInfo, zout: zipfile.ZipFile) -> None:
    """Copy a member's compressed bytes and metadata unchanged (no recompression)."""
    src_fp.seek(info.header_offset)
    head = src_fp.read(30)
    if head[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    n, m = struct.unpack("<HH", head[26:30])
    src_fp.seek(info.header_offset + 30 + n + m)
    zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    for attr in ("compress_type", "comment", "create_system", "create_version", "extract_version",
                 "reserved", "volume", "internal_attr", "external_attr", "CRC",
                 "compress_size", "file_size"):
        setattr(zi, attr, getattr(info, attr))
    zi.flag_bits = info.flag_bits & ~0x08      # sizes are known: no data descriptor
    zi.extra = _strip_zip64_extra(info.extra)
    zip64 = zi.file_size > zipfile.ZIP64_LIMIT or zi.compress_size > zipfile.ZIP64_LIMIT
    fp = zout.fp
    zi.header_offset = fp.tell()
    fp.write(zi.FileHeader(zip64))
    remaining = info.compress_size
    while remaining:
        chunk = src_fp.read(min(remaining, 1 << 20))
        if not chunk:
            raise zipfile.BadZipFile(f"truncated member {info.filename}")
        fp.write(chunk)
        remaining -= len(chunk)
    zout.filelist.append(zi)
    zout.NameToInfo[zi.filename] = zi
    zout.start_dir = fp.tell()
    zout._didModify = True


def _write_package(pkg: _Package, src_path: Path, fp) -> None:
    with open(src_path, "rb") as src_fp, \
            zipfile.ZipFile(fp, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        zout.comment = pkg.zf.comment
        raw_ok = _RAW_COPY and hasattr(zout, "start_dir") and hasattr(zout, "_didModify")
        for info in pkg.infos:
            name = info.filename
            if name in pkg.removed:
                continue
            if name in pkg.patched:
                zout.writestr(_fixed_info(name), pkg.patched[name])
            elif raw_ok and info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) \
                    and not info.flag_bits & 0x01:
                _copy_raw(src_fp, info, zout)
            else:
                zi = _fixed_info(name)
                zi.date_time = info.date_time
                zout.writestr(zi, pkg.zf.read(info))
        for name, data in pkg.new_parts.items():
            zout.writestr(_fixed_info(name), data)


# --------------------------------------------------------------------------- public API

def read_sheet_xml_names(path: Path) -> list[str]:
    """Sheet names in workbook order, read from workbook.xml only (cheap: no cell data)."""
    try:
        with zipfile.ZipFile(path) as zf:
            pkg = _Package(zf)
            rels_m = pkg.member("_rels/.rels")
            wb = "xl/workbook.xml"
            if rels_m is not None:
                for el in _parse_safe(zf.read(rels_m), "_rels/.rels"):
                    if (el.get("Type") or "").endswith("/officeDocument"):
                        wb = _resolve("", el.get("Target", ""))
                        break
            wb_m = pkg.member(wb)
            if wb_m is None:
                raise InputError(f"“{Path(path).name}”中找不到工作簿部件，不是有效的 Excel 工作簿。")
            root = _parse_safe(zf.read(wb_m), wb_m)
    except (zipfile.BadZipFile, OSError) as e:
        raise InputError(f"无法读取“{Path(path).name}”：不是有效的 Excel 工作簿（.xlsx/.xlsm）。") from e
    return [s.get("name") for el in root if _local(el.tag) == "sheets"
            for s in el if _local(s.tag) == "sheet"]


def _owner_files(path: Path) -> list[Path]:
    n = path.name
    cands = [path.with_name("~$" + n)]
    if len(n) > 2:
        cands += [path.with_name("~$" + n[1:]), path.with_name("~$" + n[2:])]
    return cands


def _check_busy(path: Path) -> None:
    if not path.exists():
        return
    for owner in _owner_files(path):
        if owner.exists() and owner != path:
            raise WorkbookBusy(f"工作簿正在 Excel 或 WPS 中打开（发现 {owner.name}），请先关闭再运行。"
                               f"如果确定没有打开，可删除该文件后重试。")
    lock = path.with_name(f".~lock.{path.name}#")
    if lock.exists():
        raise WorkbookBusy(f"工作簿正在 LibreOffice 中打开（发现 {lock.name}），请先关闭再运行。"
                           f"如果确定没有打开，可删除该文件后重试。")


def _check_writable(target: Path) -> None:
    folder = target.parent
    if not folder.is_dir():
        raise WorkbookNotWritable(f"文件夹“{folder}”不存在，无法保存。")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WorkbookNotWritable(f"没有权限在文件夹“{folder}”中保存文件。"
                                  f"请把工作簿复制到可写的文件夹（例如“文档”）后再运行。")
    if target.exists():
        st = target.stat()
        # A file without any write bit is read-only on purpose (Windows read-only
        # attribute, chmod a-w), even for root, for whom os.access always says yes.
        if not os.access(target, os.W_OK) or not st.st_mode & 0o222:
            raise WorkbookNotWritable(f"“{target.name}”是只读文件，无法写入结果。"
                                      f"请取消只读属性，或用 --out 另存一份。")


def _current_umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


def _fsync_dir(folder: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_BACKUP_RE_CACHE: dict[tuple[str, str], re.Pattern] = {}


def _backup_pattern(stem: str, suffix: str) -> re.Pattern:
    key = (stem, suffix)
    if key not in _BACKUP_RE_CACHE:
        _BACKUP_RE_CACHE[key] = re.compile(
            re.escape(stem) + r"-(\d{8}-\d{6})(?:-(\d+))?" + re.escape(suffix) + r"\Z", re.I)
    return _BACKUP_RE_CACHE[key]


def _backup(target: Path, keep: int) -> Path:
    folder = target.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    pat = _backup_pattern(target.stem, target.suffix)

    def existing() -> list[tuple[tuple[str, int], Path]]:
        found = []
        for f in folder.iterdir():
            m = pat.match(f.name)
            if m and f.is_file():
                found.append(((m.group(1), int(m.group(2) or 1)), f))
        return found
    # Within one second the counter keeps growing (-2, -3, ...) even after pruning,
    # so names sort in the order the backups were made.
    n = max([k[1] for k, _ in existing() if k[0] == stamp] + [0]) + 1
    dest = folder / (f"{target.stem}-{stamp}{target.suffix}" if n == 1
                     else f"{target.stem}-{stamp}-{n}{target.suffix}")
    while dest.exists():     # a file we do not recognise as a backup (case, type)
        n += 1
        dest = folder / f"{target.stem}-{stamp}-{n}{target.suffix}"
    shutil.copy2(target, dest)
    found = existing()
    found.sort()
    for _, f in found[:max(0, len(found) - keep)]:
        try:
            f.unlink()
        except OSError:
            pass
    return dest


def _remove_stale_temps(folder: Path, suffix: str) -> None:
    now = datetime.now().timestamp()
    try:
        for f in folder.glob(TEMP_PREFIX + "*" + suffix):
            try:
                if now - f.stat().st_mtime > STALE_TEMP_SECONDS:
                    f.unlink()
            except OSError:
                pass
    except OSError:
        pass


def _macro_mismatch(pkg: _Package, target: Path) -> bool:
    ct_member = pkg.member("[Content_Types].xml")
    if ct_member is None:
        return False
    macro = b"macroEnabled" in pkg.zf.read(ct_member)
    suffix = target.suffix.lower()
    return (suffix == ".xlsx" and macro) or (suffix == ".xlsm" and not macro)


def write_outputs(path: Path, sheets: list[OutputSheet], out: Path | None = None,
                  backup: bool = True, keep_backups: int = 5) -> Path:
    """Write output sheets into the workbook at ``path`` (or into a copy at ``out``).

    Returns the path written. Existing sheets with the same names are replaced in place,
    others are appended; nothing else in the package changes (see the module docstring).

    The save is atomic and recoverable: the new package is written to
    ``.~jifen-XXXX<suffix>`` in the target's folder (same filesystem, so ``os.replace`` is
    atomic), flushed and fsynced, given the mode of the file it replaces (or
    ``0o666 & ~umask`` for a new file), and only then moved over the target; the folder is
    fsynced afterwards where the OS allows. Before an existing target is replaced it is
    copied (``backup=True``) to ``jifen备份/<stem>-YYYYmmdd-HHMMSS<suffix>`` next to it and
    only the newest ``keep_backups`` such copies are kept. A process killed at any moment
    leaves either the old or the new complete file, never a mix; an interrupted run can
    only leave a hidden ``.~jifen-*`` temp file, removed by a later run once an hour old.

    Raises :class:`WorkbookBusy` when an Excel/WPS owner file ``~$name`` (also with the
    first one or two characters of the name dropped, as Excel does for long names) or a
    LibreOffice lock ``.~lock.name#`` sits next to the source or the target;
    :class:`WorkbookNotWritable` when the target or its folder cannot be written (a file
    without write bits counts as read-only even for root); ``InputError`` when the source
    is not a usable workbook; ``ValueError`` for invalid sheet names or cell values (a bug
    in the caller).
    """
    path = Path(path)
    _validate_names(sheets)
    target = Path(out) if out is not None else path
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    if not path.is_file():
        raise InputError(f"找不到工作簿“{path}”。")
    _check_busy(path)
    if target != path:
        _check_busy(target)
    _check_writable(target)
    if target.exists():
        mode = stat.S_IMODE(target.stat().st_mode)
    else:
        mode = 0o666 & ~_current_umask()

    _remove_stale_temps(target.parent, target.suffix)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise InputError(f"无法读取“{path.name}”：不是有效的 Excel 工作簿（.xlsx/.xlsm）。") from e
    with zf:
        pkg = _Package(zf)
        if _macro_mismatch(pkg, target):
            raise InputError(f"“{path.name}”与“{target.name}”的类型不一致：含宏的工作簿只能保存为 .xlsm，"
                             f"不含宏的只能保存为 .xlsx。")
        try:
            _plan(pkg, sheets)
        except _Unpatchable as e:
            raise InputError(f"“{path.name}”的内部结构不常见，为避免损坏工作簿，本程序没有写入（{e}）。"
                             f"请在 Excel 中另存一份后再运行。") from e
        try:
            fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX, suffix=target.suffix)
        except OSError as e:
            raise WorkbookNotWritable(f"没有权限在文件夹“{target.parent}”中保存文件（{e.strerror}）。") from e
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "w+b") as fp:
                _write_package(pkg, path, fp)
                fp.flush()
                os.fsync(fp.fileno())
            os.chmod(tmp, mode)
            if backup and keep_backups > 0 and target.exists():
                try:
                    _backup(target, keep_backups)
                except OSError as e:
                    raise WorkbookNotWritable(
                        f"无法在“{BACKUP_DIR}”文件夹中保存备份（{e.strerror}），没有写入工作簿。") from e
            try:
                os.replace(tmp, target)
            except PermissionError as e:
                raise WorkbookNotWritable(f"无法替换“{target.name}”（{e.strerror}）：文件可能被其他程序占用。") from e
        except BaseException:
            try:
                tmp.unlink()
            except OSError:
                pass
            raise
    _fsync_dir(target.parent)
    return target
