"""The source zip as an OPC package: members, relationships, part navigation.

:class:`Package` is a read-only view of the source zip plus the edits the plan makes
(``patched``, ``removed``, ``new_parts``); ``zipwrite.write_package`` turns it into the
new file. Members are found case-insensitively and with %-escapes undone, as Excel does.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ...core.problems import InputError
from ..sheets import OutputSheet
from .xmltext import (Unpatchable, decode, elements, local, parse_attrs, parse_safe, root_prefix,
                      unescape)

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
RT_OFFICE_DOCUMENT = NS_R + "/officeDocument"
RT_STRICT_OFFICE_DOCUMENT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
RT_WORKSHEET = NS_R + "/worksheet"
RT_STYLES = NS_R + "/styles"
RT_CALC_CHAIN = NS_R + "/calcChain"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"


@dataclass
class Rel:
    """One ``<Relationship>``, with its location in the rels part's text."""
    id: str
    type: str
    target: str
    external: bool
    start: int
    end: int


def rels_part_of(part: str) -> str:
    """The relationships part of ``part`` (``xl/_rels/workbook.xml.rels`` for ``xl/workbook.xml``)."""
    d, b = posixpath.split(part)
    return posixpath.join(d, "_rels", b + ".rels")


def parse_rels(text: str, data: bytes, name: str) -> list[Rel]:
    """The relationships of a rels part, located in ``text`` and checked against the parser."""
    root = parse_safe(data, name)
    truth = [(el.get("Id"), el.get("Type"), el.get("Target"), el.get("TargetMode"))
             for el in root if local(el.tag) == "Relationship"]
    rels = []
    for m in elements(text, root_prefix(text) + "Relationship"):
        a = parse_attrs(m.group(1))
        rels.append(Rel(a.get("Id", ""), a.get("Type", ""), a.get("Target", ""),
                        a.get("TargetMode", "") == "External", m.start(), m.end()))
    if [(r.id, r.type, r.target) for r in rels] != [(t[0], t[1], t[2]) for t in truth]:
        raise Unpatchable(f"{name}: relationships not found where expected")
    return rels


def resolve(source_part: str, target: str) -> str:
    """The part a relationship of ``source_part`` with ``target`` points to."""
    target = target.split("#", 1)[0]
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


class Package:
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

    def free_part(self, pattern: str) -> str:
        """Smallest ``pattern % n`` not in the package after this run's removals.

        Parts removed as orphans of a replaced sheet are free again, so writing the same
        charts into the output of a previous run reuses the same names (C-5).
        """
        taken = ({n.lower() for n in self.names if n not in self.removed}
                 | {n.lower() for n in self.new_parts})
        n = 1
        while (pattern % n).lower() in taken:
            n += 1
        return pattern % n


def reachable(pkg: Package, rels_text: dict[str, str | None]) -> set[str]:
    """Members reachable from the package root through relationships.

    ``rels_text`` overrides rels parts: member -> text, or None for a removed rels part.
    """
    seen: set[str] = set()
    todo = [""]
    while todo:
        part = todo.pop()
        rels_name = "_rels/.rels" if part == "" else rels_part_of(part)
        member = pkg.member(rels_name)
        if member is None:
            continue
        if member in rels_text:
            text = rels_text[member]
            if text is None:
                continue
        else:
            text, _ = decode(pkg.zf.read(member))
        for m in elements(text, root_prefix(text) + "Relationship"):
            a = parse_attrs(m.group(1))
            if a.get("TargetMode") == "External":
                continue
            target = pkg.member(resolve(part, a.get("Target", "")))
            if target is not None and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


# --------------------------------------------------------------------------- cheap reading

def _open_workbook_part(path: Path) -> tuple[zipfile.ZipFile, Package, str]:
    """(open zip, package, workbook member) of the workbook at ``path``; InputError if unusable."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise InputError(f"无法读取“{Path(path).name}”：不是有效的 Excel 工作簿（.xlsx/.xlsm）。") from e
    try:
        pkg = Package(zf)
        rels_m = pkg.member("_rels/.rels")
        wb = "xl/workbook.xml"
        if rels_m is not None:
            for el in parse_safe(zf.read(rels_m), "_rels/.rels"):
                if (el.get("Type") or "").endswith("/officeDocument"):
                    wb = resolve("", el.get("Target", ""))
                    break
        wb_m = pkg.member(wb)
        if wb_m is None:
            raise InputError(f"“{Path(path).name}”中找不到工作簿部件，不是有效的 Excel 工作簿。")
    except BaseException:
        zf.close()
        raise
    return zf, pkg, wb_m


def read_sheet_xml_names(path: Path) -> list[str]:
    """Sheet names in workbook order, read from workbook.xml only (cheap: no cell data)."""
    try:
        zf, _, wb_m = _open_workbook_part(path)
        with zf:
            root = parse_safe(zf.read(wb_m), wb_m)
    except (zipfile.BadZipFile, OSError) as e:
        raise InputError(f"无法读取“{Path(path).name}”：不是有效的 Excel 工作簿（.xlsx/.xlsm）。") from e
    return [s.get("name") for el in root if local(el.tag) == "sheets"
            for s in el if local(s.tag) == "sheet"]


_ODD_HEADER_RE = re.compile(rb"<(?:\w+:)?oddHeader>(.*?)</(?:\w+:)?oddHeader>", re.S)


def title_from_header(code: str) -> str:
    """The text of a page-header code (``&C标题``): section codes dropped, ``&&`` undone."""
    return re.sub(r"&[LCR]", "", code).replace("&&", "&").strip()


def read_header_titles(path: Path) -> dict[str, str]:
    """{sheet name: printed page-header title} for the worksheets that have one.

    The inverse of the ``title`` the writer puts into ``<oddHeader>`` (sheetxml.header_text).
    Raises InputError when the package cannot be read (never returns a silent partial answer).
    """
    out: dict[str, str] = {}
    try:
        zf, pkg, wb_m = _open_workbook_part(path)
        with zf:
            wb_root = parse_safe(zf.read(wb_m), wb_m)
            rels_m = pkg.member(rels_part_of(wb_m))
            targets = {}
            if rels_m is not None:
                targets = {el.get("Id"): el.get("Target", "") for el in parse_safe(zf.read(rels_m), rels_m)
                           if el.get("TargetMode") != "External"}
            for el in wb_root.iter():
                if local(el.tag) != "sheet":
                    continue
                target = targets.get(el.get(f"{{{NS_R}}}id"))
                member = pkg.member(resolve(wb_m, target)) if target else None
                if member is None:
                    continue
                m = _ODD_HEADER_RE.search(zf.read(member))
                if m:
                    out[el.get("name")] = title_from_header(unescape(m.group(1).decode("utf-8", "replace")))
    except (zipfile.BadZipFile, OSError) as e:
        raise InputError(f"无法读取“{Path(path).name}”：不是有效的 Excel 工作簿（.xlsx/.xlsm）。") from e
    return out
