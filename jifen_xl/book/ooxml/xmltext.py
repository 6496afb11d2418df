"""Targeted editing of XML *text*: find elements and attributes, escape, insert children.

The parts we patch are first parsed with ``defusedxml`` (:func:`parse_safe`: no DTDs, no
entity bombs), which gives the authoritative content to cross-check against; the text is
then edited at positions found by the attribute-aware regular expressions here.
Re-serialising with ElementTree would rename namespace prefixes (``ns0:``) and drop
``mc:Ignorable`` content, which Excel rejects.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from defusedxml import ElementTree as SafeET

from ...core.problems import InputError

# Attribute list that tolerates '>' inside quoted values.
ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
ATTRS_LAZY = ATTRS + "?"     # stops before a self-closing "/>"
_ATTR_RE = re.compile(r"""([^\s=/>]+)\s*=\s*("([^"]*)"|'([^']*)')""")
_ENTITY_RE = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
# Characters XML 1.0 forbids (and lone surrogates, which cannot be encoded as UTF-8).
ILLEGAL_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class Unpatchable(Exception):
    """The XML has a shape our targeted patching cannot handle safely."""


def unescape(s: str) -> str:
    def rep(m: re.Match) -> str:
        e = m.group(1)
        if e[0] == "#":
            return chr(int(e[2:], 16) if e[1] in "xX" else int(e[1:]))
        return _ENTITIES[e]
    return _ENTITY_RE.sub(rep, s)


def esc_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def esc_attr(s: str) -> str:
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
            .replace("\t", "&#9;"))


def parse_attrs(attr_text: str) -> dict[str, str]:
    """Attributes of a start tag as {qualified name: unescaped value}."""
    out = {}
    for m in _ATTR_RE.finditer(attr_text):
        raw = m.group(3) if m.group(3) is not None else m.group(4)
        out[m.group(1)] = unescape(raw)
    return out


def prefix_of(qname: str) -> str:
    return qname.split(":", 1)[0] + ":" if ":" in qname else ""


_ROOT_TAG_RE = re.compile(r"<([A-Za-z_][\w.\-]*(?::[\w.\-]+)?)(" + ATTRS + r")>", re.S)


def root_start_tag(text: str) -> re.Match:
    """The root element's start tag (skipping the XML declaration, comments, PIs)."""
    pos = 0
    while True:
        found = _ROOT_TAG_RE.search(text, pos)
        if found is None:
            raise Unpatchable("no root element")
        before = text[pos:found.start()]
        # Ignore anything inside a comment that started before this match.
        if "<!--" in before and "-->" not in before[before.rindex("<!--"):]:
            pos = text.index("-->", found.start()) + 3
            continue
        return found


def root_prefix(text: str) -> str:
    """The namespace prefix ('' or 'x:') of the document's root element."""
    return prefix_of(root_start_tag(text).group(1))


def ns_prefix(root_attrs: dict[str, str], namespace: str) -> str | None:
    """The prefix ('' for the default namespace, 'x:' otherwise) bound to ``namespace``."""
    if root_attrs.get("xmlns") == namespace:
        return ""
    for k, v in root_attrs.items():
        if k.startswith("xmlns:") and v == namespace:
            return k[6:] + ":"
    return None


def elements(text: str, qname: str, start: int = 0, end: int | None = None) -> list[re.Match]:
    """All elements ``qname`` (self-closing or with content, not nested in themselves)."""
    q = re.escape(qname)
    pat = re.compile(r"<" + q + r"(?=[\s/>])(" + ATTRS_LAZY + r")(?:/>|>(.*?)</" + q + r"\s*>)", re.S)
    return list(pat.finditer(text, start, len(text) if end is None else end))


@dataclass
class Span:
    """An element's location: [start, end) whole element, [inner_start, inner_end) content."""
    start: int
    end: int
    inner_start: int
    inner_end: int
    attrs: str
    self_closing: bool


def find_section(text: str, qname: str) -> Span | None:
    """The first element ``qname`` in ``text``, or None."""
    q = re.escape(qname)
    m = re.compile(r"<" + q + r"(?=[\s/>])(" + ATTRS_LAZY + r")(/?)>", re.S).search(text)
    if m is None:
        return None
    if m.group(2) == "/":
        return Span(m.start(), m.end(), m.end(), m.end(), m.group(1), True)
    c = re.compile(r"</" + q + r"\s*>").search(text, m.end())
    if c is None:
        raise Unpatchable(f"unclosed <{qname}>")
    return Span(m.start(), c.end(), m.end(), c.start(), m.group(1), False)


def insert_child(text: str, span: Span, qname: str, xml: str) -> str:
    """Append ``xml`` as the last child of the section at ``span``."""
    if span.self_closing:
        attrs = span.attrs.rstrip()
        return text[:span.start] + f"<{qname}{attrs}>{xml}</{qname}>" + text[span.end:]
    return text[:span.inner_end] + xml + text[span.inner_end:]


def append_to_section(text: str, qname: str, xml: str) -> str:
    """Append ``xml`` as the last child of the first element ``qname``."""
    return insert_child(text, find_section(text, qname), qname, xml)


def set_count(text: str, span: Span, qname: str, count: int) -> str:
    """Update the ``count`` attribute of a section start tag if it has one."""
    head_end = span.inner_start if not span.self_closing else span.end
    head = text[span.start:head_end]
    new_head, n = re.subn(r"""(\scount\s*=\s*)(["'])\d*\2""", rf'\g<1>"{count}"', head, count=1)
    if n == 0:
        return text
    return text[:span.start] + new_head + text[head_end:]


def decode(data: bytes) -> tuple[str, str]:
    """Text of a part and the encoding to write it back with (a BOM is kept)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    return data.decode("utf-8"), "utf-8"


def encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding)


def parse_safe(data: bytes, what: str):
    """Parse with defusedxml: refuses DTDs, entity expansion and external references."""
    try:
        return SafeET.fromstring(data)
    except Exception as e:  # defusedxml's errors and ParseError
        raise InputError(f"工作簿内部文件 {what} 已损坏或包含不安全的内容（{type(e).__name__}），无法写入。") from e


def local(tag: str) -> str:
    """An ElementTree tag without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1]
