"""``xl/styles.xml``: the few styles our sheets need, *appended*, never renumbered.

A bold font, a header fill, custom ``<numFmt>`` s and ``<xf>`` s are appended to the
user's styles (existing entries are never renumbered or altered; entries written by a
previous run are found again by exact text and reused, so a re-run adds nothing).
Inserted elements reuse the prefix the document already binds to the main namespace.
"""
from __future__ import annotations

import re
from datetime import datetime, time

from ..sheets import OutputSheet
from .package import NS_MAIN
from .sheetxml import StyleIds, plain
from .xmltext import (ATTRS_LAZY, Span, Unpatchable, elements, esc_attr, find_section,
                      insert_child, local, parse_attrs, parse_safe, prefix_of, root_start_tag,
                      set_count)

HEADER_FILL_RGB = "FFD9E1F2"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

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


class Styles:
    """Appends the few styles we need to styles.xml, reusing identical existing entries."""

    def __init__(self, text: str):
        self.text = text
        root = root_start_tag(text)
        self.p = prefix_of(root.group(1))
        self.root_qname = root.group(1)

    def _section(self, name: str) -> Span:
        span = find_section(self.text, self.p + name)
        if span is not None:
            return span
        # Insert an empty (or default) section at its schema position.
        default = _SECTION_DEFAULT.get(name, "")
        default = re.sub(r"<(/?)(?=[a-zA-Z])", r"<\1" + self.p, default) if self.p else default
        count = len(elements(default, self.p + _SECTION_CHILD[name])) if name in _SECTION_CHILD else 0
        xml = f'<{self.p}{name} count="{count}">{default}</{self.p}{name}>'
        pos = None
        for later in _STYLE_SECTIONS[_STYLE_SECTIONS.index(name) + 1:]:
            s = find_section(self.text, self.p + later)
            if s is not None:
                pos = s.start
                break
        if pos is None:
            root = find_section(self.text, self.root_qname)
            if root.self_closing:
                self.text = (self.text[:root.start] + f"<{self.root_qname}{root.attrs.rstrip()}>"
                             f"</{self.root_qname}>" + self.text[root.end:])
                root = find_section(self.text, self.root_qname)
            pos = root.inner_end
        self.text = self.text[:pos] + xml + self.text[pos:]
        return find_section(self.text, self.p + name)

    def _children(self, section: str) -> tuple[Span, list[re.Match]]:
        span = self._section(section)
        kids = elements(self.text, self.p + _SECTION_CHILD[section], span.inner_start, span.inner_end)
        return span, kids

    def _ensure(self, section: str, xml: str) -> int:
        """Index of a child equal to ``xml`` (appending it if absent)."""
        span, kids = self._children(section)
        for i, k in enumerate(kids):
            if k.group(0) == xml:
                return i
        self.text = insert_child(self.text, span, self.p + section, xml)
        span = self._section(section)
        self.text = set_count(self.text, span, self.p + section, len(kids) + 1)
        return len(kids)

    def numfmt(self, code: str) -> int:
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        span, kids = self._children("numFmts")
        used = []
        for k in kids:
            a = parse_attrs(k.group(1))
            try:
                fid = int(a.get("numFmtId", "0"))
            except ValueError:
                continue
            used.append(fid)
            if a.get("formatCode") == code:
                return fid
        fid = max([163] + used) + 1
        self.text = insert_child(self.text, span, self.p + "numFmts",
                                 f'<{self.p}numFmt numFmtId="{fid}" formatCode="{esc_attr(code)}"/>')
        span = self._section("numFmts")
        self.text = set_count(self.text, span, self.p + "numFmts", len(kids) + 1)
        return fid

    def bold_font(self) -> int:
        span, kids = self._children("fonts")
        base = kids[0].group(0) if kids else f'<{self.p}font/>'
        q = self.p + "font"
        # Drop any <b val="0"/> style element, then add a plain <b/> (CT_Font is an
        # unordered choice, so its position does not matter).
        base = re.sub(r"<" + re.escape(self.p) + r"b(?=[\s/>])" + ATTRS_LAZY + r"/>", "", base)
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


def check_styles_counts(text: str, data: bytes) -> None:
    """Refuse styles.xml whose sections the text search would not find as the parser does."""
    root = parse_safe(data, "styles.xml")
    p = prefix_of(root_start_tag(text).group(1))
    for sec, child in _SECTION_CHILD.items():
        el = next((e for e in root if local(e.tag) == sec), None)
        span = find_section(text, p + sec)
        if (el is None) != (span is None):
            raise Unpatchable(f"styles.xml: <{sec}> not found where expected")
        if el is not None:
            n_truth = sum(1 for e in el if local(e.tag) == child)
            n_text = len(elements(text, p + child, span.inner_start, span.inner_end))
            if n_truth != n_text:
                raise Unpatchable(f"styles.xml: <{sec}> children not found where expected")


def add_sheet_styles(styles: Styles, sheets: list[OutputSheet]) -> StyleIds:
    """Find or append the header, date, date-time and number-format styles of ``sheets``."""
    need_datetime = any(isinstance(plain(v), datetime) and plain(v).time() != time()
                        for s in sheets for r in s.rows for v in r if isinstance(v, datetime))
    header = styles.xf(font=styles.bold_font(), fill=styles.header_fill())
    date_xf = styles.xf(numfmt=styles.numfmt(DATE_FORMAT))
    datetime_xf = styles.xf(numfmt=styles.numfmt(DATETIME_FORMAT)) if need_datetime else date_xf
    by_format = {}
    for s in sheets:
        for code in s.number_formats.values():
            if code and code not in by_format:
                by_format[code] = styles.xf(numfmt=styles.numfmt(code))
    return StyleIds(header, date_xf, datetime_xf, by_format)
