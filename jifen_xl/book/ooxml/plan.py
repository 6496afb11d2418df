"""The plan: which parts of the package change, and how, to write the output sheets.

:func:`plan` runs the phases below, in this order, over one :class:`Plan`; each fills
``pkg.patched`` / ``pkg.removed`` / ``pkg.new_parts``. The order is part of the output
(relationship ids are allocated and new members appended as the phases run), so a new
phase goes where its effect on ids and member order is intended.

1. ``_read_workbook``: ``_rels/.rels`` -> the workbook part; its ``<sheet>`` entries
   (cross-checked with the parser), namespace prefixes, ``date1904``.
2. ``_read_workbook_rels`` / ``_read_content_types``.
3. ``_plan_styles``: find or append our styles (``styles.py``); add a styles part if none.
4. ``_place_sheets``: a sheet whose name already exists (case-insensitively, as Excel
   compares names) is **replaced in place** - its ``<sheet>`` element (position, sheetId,
   r:id, state) and part name stay, only the part's bytes change, and its own ``.rels``
   part is dropped (the new content references none of it). Other sheets become new parts
   ``<workbook dir>/worksheets/sheetN.xml`` (smallest free N). An existing chartsheet or
   dialogsheet with the same name is refused.
5. ``_plan_calc_chain``: ``calcChain.xml`` is left byte-identical unless a replaced sheet
   appears in it (``i`` = sheetId, with the attribute's inheritance rule); then it is
   removed with its relationship and override, and Excel rebuilds it silently.
6. ``_patch_workbook_rels``, then ``_drop_orphans``: parts that became unreachable from the
   package root (a replaced sheet's drawings, comments, VML, tables, printer settings, and
   charts/images used by nothing else) are removed with their content-type overrides.
   Nothing that was unreachable before is touched.
7. charts (``drawings.plan_charts``), ``_patch_content_types``, ``_patch_workbook_xml``
   (new ``<sheet>`` s; our ``_xlnm.Print_Titles`` / ``_xlnm._FilterDatabase`` names are
   replaced in ``<definedNames>``), and last ``_render_sheets`` (``sheetxml.py``).

8. ``docProps/app.xml``: new sheets' names are appended to its worksheet group
   (``appprops.py``; a part of another shape is left alone).
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from ...core.problems import InputError
from ..sheets import OutputSheet
from .appprops import patch_app_props
from .drawings import plan_charts
from .package import (CT_STYLES, CT_WORKSHEET, NS_R, NS_STRICT_MAIN, RT_CALC_CHAIN, RT_OFFICE_DOCUMENT,
                      RT_STRICT_OFFICE_DOCUMENT, RT_STYLES, RT_WORKSHEET, Package, Rel, parse_rels,
                      reachable, rels_part_of, resolve)
from .sheetxml import StyleIds, col_letter, quote_sheet, render_sheet_xml
from .styles import MINIMAL_STYLES, Styles, add_sheet_styles, check_styles_counts
from .xmltext import (Unpatchable, append_to_section, decode, elements, encode, esc_attr, esc_text,
                      find_section, insert_child, local, ns_prefix, parse_attrs, parse_safe,
                      prefix_of, root_prefix, root_start_tag)

_NOT_A_WORKBOOK = "工作簿中找不到主工作簿部件，不是有效的 Excel 工作簿。"
_OUR_NAMES = ("_xlnm.Print_Titles", "_xlnm._FilterDatabase")


@dataclass
class SheetEntry:
    """A ``<sheet>`` of workbook.xml."""
    name: str
    sheet_id: int
    rid: str


@dataclass
class Plan:
    """Everything the phases read and decide; one per write."""
    pkg: Package
    sheets: list[OutputSheet]
    # workbook.xml
    wb_member: str = ""
    wb_dir: str = ""
    wb_text: str = ""
    wb_enc: str = "utf-8"
    p: str = ""                     # prefix of the main namespace ("" or "x:")
    rp: str = "r:"                  # prefix of the relationships namespace on new <sheet>s
    r_decl: str = ""                # its declaration when the root has none
    existing: list[SheetEntry] = field(default_factory=list)
    date1904: bool = False
    # workbook rels
    wb_rels_member: str = ""
    wr_text: str = ""
    wr_enc: str = "utf-8"
    wb_rels: list[Rel] = field(default_factory=list)
    rels_prefix: str = ""
    used_ids: set[str] = field(default_factory=set)
    last_rid: int = 0
    # content types
    ct_member: str = ""
    ct_text: str = ""
    ct_enc: str = "utf-8"
    ct_prefix: str = ""
    # decisions
    new_rels: list[tuple[str, str, str]] = field(default_factory=list)      # (id, type, target)
    new_overrides: list[tuple[str, str]] = field(default_factory=list)      # (part, content type)
    style_ids: StyleIds | None = None
    sheet_xml_inserts: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)              # names of the new sheets, in order
    local_names: dict[int, str] = field(default_factory=dict)   # sheet index -> name used in references
    replaced_ids: set[int] = field(default_factory=set)
    replaced_rels_members: list[str] = field(default_factory=list)
    ref_names: dict[str, str] = field(default_factory=dict)     # sheet member -> its name in workbook.xml
    removed_rel_ids: set[str] = field(default_factory=set)
    new_wr_text: str = ""
    chart_tails: dict[str, str] = field(default_factory=dict)

    def alloc_rid(self) -> str:
        """A fresh ``rIdN`` for the workbook rels."""
        while True:
            self.last_rid += 1
            rid = f"rId{self.last_rid}"
            if rid not in self.used_ids:
                self.used_ids.add(rid)
                return rid

    def read(self, member: str) -> tuple[bytes, str, str]:
        """(bytes, text, encoding) of a source member (decoded before any parsing)."""
        data = self.pkg.zf.read(member)
        text, enc = decode(data)
        return data, text, enc


def plan(pkg: Package, sheets: list[OutputSheet]) -> Plan:
    """Fill pkg.patched / removed / new_parts for writing ``sheets``."""
    pl = Plan(pkg, sheets)
    _read_workbook(pl)
    _read_workbook_rels(pl)
    _read_content_types(pl)
    _plan_styles(pl)
    _place_sheets(pl)
    _plan_calc_chain(pl)
    _patch_workbook_rels(pl)
    _drop_orphans(pl)
    pl.chart_tails = plan_charts(pkg, pl.ref_names, pl.new_overrides, pl.date1904)
    _patch_content_types(pl)
    _patch_workbook_xml(pl)
    patch_app_props(pl.pkg, [e.name for e in pl.existing], pl.added)
    _render_sheets(pl)
    return pl


# --------------------------------------------------------------------------- reading

def _workbook_member(pkg: Package) -> str:
    root_rels_member = pkg.member("_rels/.rels")
    if root_rels_member is None:
        raise InputError("工作簿缺少 _rels/.rels，不是有效的 Excel 工作簿。")
    rt, _ = decode(pkg.zf.read(root_rels_member))
    office = [r for r in parse_rels(rt, pkg.zf.read(root_rels_member), "_rels/.rels")
              if r.type in (RT_OFFICE_DOCUMENT, RT_STRICT_OFFICE_DOCUMENT)]
    if not office:
        raise InputError(_NOT_A_WORKBOOK)
    wb_member = pkg.member(resolve("", office[0].target))
    if wb_member is None:
        raise InputError(_NOT_A_WORKBOOK)
    return wb_member


def _sheet_rid(a: dict[str, str], root_attrs: dict[str, str]) -> str | None:
    """The r:id of a ``<sheet>`` (the r namespace bound on the root or on the element)."""
    rid = next((v for k, v in a.items() if k.endswith(":id") and ns_prefix(root_attrs, NS_R) == prefix_of(k)), None)
    if rid is None:   # r namespace declared on the element itself
        decl = {k: v for k, v in a.items() if k.startswith("xmlns:")}
        rid = next((v for k, v in a.items() if k.endswith(":id") and
                    decl.get("xmlns:" + k.split(":")[0]) == NS_R), None)
    return rid


def _read_workbook(pl: Plan) -> None:
    pl.wb_member = _workbook_member(pl.pkg)
    pl.wb_dir = posixpath.dirname(pl.wb_member)
    wb_data = pl.pkg.zf.read(pl.wb_member)
    wb_root = parse_safe(wb_data, pl.wb_member)
    if wb_root.tag.startswith("{" + NS_STRICT_MAIN):
        raise InputError("不支持 Strict Open XML 格式的工作簿，请在 Excel 中另存为“Excel 工作簿(.xlsx)”后再运行。")
    pl.wb_text, pl.wb_enc = decode(wb_data)
    root_tag = root_start_tag(pl.wb_text)
    root_attrs = parse_attrs(root_tag.group(2))
    pl.p = prefix_of(root_tag.group(1))
    rp = ns_prefix(root_attrs, NS_R)
    if rp is None or rp == "":
        rp = "r:" if "xmlns:r" not in root_attrs else "jr:"
        pl.r_decl = f' xmlns:{rp[:-1]}="{NS_R}"'
    pl.rp = rp

    # Authoritative sheet list from the parser.
    truth = [(s.get("name"), s.get("sheetId"), s.get(f"{{{NS_R}}}id"))
             for el in wb_root if local(el.tag) == "sheets" for s in el if local(s.tag) == "sheet"]
    sheets_span = find_section(pl.wb_text, pl.p + "sheets")
    if sheets_span is None:
        raise Unpatchable("workbook.xml: <sheets> not found")
    for m in elements(pl.wb_text, pl.p + "sheet", sheets_span.inner_start, sheets_span.inner_end):
        a = parse_attrs(m.group(1))
        pl.existing.append(SheetEntry(a.get("name", ""), int(a.get("sheetId", "0")), _sheet_rid(a, root_attrs) or ""))
    if [(e.name, str(e.sheet_id), e.rid) for e in pl.existing] != [(t[0], t[1], t[2]) for t in truth]:
        raise Unpatchable("workbook.xml: sheets not found where expected")
    pl.date1904 = any(local(el.tag) == "workbookPr" and el.get("date1904") in ("1", "true")
                      for el in wb_root)


def _read_workbook_rels(pl: Plan) -> None:
    member = pl.pkg.member(rels_part_of(pl.wb_member))
    if member is None:
        raise InputError("工作簿的内部结构不完整（缺少工作表之间的关系部件），不是有效的 Excel 工作簿。")
    pl.wb_rels_member = member
    data, pl.wr_text, pl.wr_enc = pl.read(member)
    pl.wb_rels = parse_rels(pl.wr_text, data, member)
    pl.rels_prefix = root_prefix(pl.wr_text)
    pl.used_ids = {r.id for r in pl.wb_rels}
    pl.last_rid = max([int(m.group(1)) for r in pl.wb_rels if (m := re.fullmatch(r"rId(\d+)", r.id))] + [0])


def _read_content_types(pl: Plan) -> None:
    member = pl.pkg.member("[Content_Types].xml")
    if member is None:
        raise InputError("工作簿缺少 [Content_Types].xml，不是有效的 Excel 工作簿。")
    pl.ct_member = member
    data = pl.pkg.zf.read(member)
    parse_safe(data, "[Content_Types].xml")
    pl.ct_text, pl.ct_enc = decode(data)
    pl.ct_prefix = root_prefix(pl.ct_text)


# --------------------------------------------------------------------------- decisions

def _plan_styles(pl: Plan) -> None:
    pkg = pl.pkg
    style_rel = next((r for r in pl.wb_rels if r.type == RT_STYLES and not r.external), None)
    styles_member = pkg.member(resolve(pl.wb_member, style_rel.target)) if style_rel else None
    if styles_member is not None:
        st_data, st_text, st_enc = pl.read(styles_member)
        check_styles_counts(st_text, st_data)
    else:
        styles_member = posixpath.join(pl.wb_dir, "styles.xml")
        if pkg.member(styles_member) is not None:
            raise Unpatchable("styles.xml exists but is not related to the workbook")
        st_text, st_enc, st_data = MINIMAL_STYLES, "utf-8", b""
        pl.new_rels.append((pl.alloc_rid(), RT_STYLES,
                            posixpath.relpath(styles_member, pl.wb_dir) if pl.wb_dir else styles_member))
        pl.new_overrides.append((styles_member, CT_STYLES))
    styles = Styles(st_text)
    pl.style_ids = add_sheet_styles(styles, pl.sheets)
    if styles.text != st_text or not st_data:
        if st_data:
            pkg.patched[styles_member] = encode(styles.text, st_enc)
        else:
            pkg.new_parts[styles_member] = styles.text.encode("utf-8")


def _place_sheets(pl: Plan) -> None:
    """Map each sheet to the existing sheet it replaces, or to a new part."""
    by_name = {e.name.casefold(): (i, e) for i, e in enumerate(pl.existing)}
    rels_by_id = {r.id: r for r in pl.wb_rels}
    next_sheet_id = max([e.sheet_id for e in pl.existing] + [0]) + 1
    new_index = len(pl.existing)
    for s in pl.sheets:
        hit = by_name.get(s.name.casefold())
        if hit is not None:
            _replace_sheet(pl, s, hit[0], hit[1], rels_by_id.get(hit[1].rid))
        else:
            _add_sheet(pl, s, new_index, next_sheet_id)
            next_sheet_id += 1
            new_index += 1


def _replace_sheet(pl: Plan, s: OutputSheet, idx: int, entry: SheetEntry, rel: Rel | None) -> None:
    pkg = pl.pkg
    if rel is None or rel.external:
        raise Unpatchable(f"sheet {entry.name!r} has no relationship")
    if rel.type != RT_WORKSHEET:
        raise InputError(f"工作簿中已有名为“{entry.name}”的图表工作表或对话框工作表，"
                         "无法写入结果。请把它改名或删除后再运行。")
    member = pkg.member(resolve(pl.wb_member, rel.target))
    if member is None:
        raise InputError(f"工作表“{entry.name}”的内容部件缺失，工作簿已损坏。")
    pkg.sheet_parts[member] = s
    pl.ref_names[member] = entry.name
    own_rels = pkg.member(rels_part_of(member))
    if own_rels is not None:
        pl.replaced_rels_members.append(own_rels)
    pl.replaced_ids.add(entry.sheet_id)
    pl.local_names[idx] = entry.name


def _add_sheet(pl: Plan, s: OutputSheet, index: int, sheet_id: int) -> None:
    pkg = pl.pkg
    k = 1
    while True:
        part = posixpath.join(pl.wb_dir, "worksheets", f"sheet{k}.xml")
        if not pkg.exists(part) and pkg.member(rels_part_of(part)) is None:
            break
        k += 1
    rid = pl.alloc_rid()
    pkg.new_parts[part] = b""
    pkg.sheet_parts[part] = s
    pl.ref_names[part] = s.name
    target = posixpath.relpath(part, pl.wb_dir) if pl.wb_dir else part
    pl.new_rels.append((rid, RT_WORKSHEET, target))
    pl.new_overrides.append((part, CT_WORKSHEET))
    pl.sheet_xml_inserts.append(
        f'<{pl.p}sheet name="{esc_attr(s.name)}" sheetId="{sheet_id}" {pl.rp}id="{rid}"{pl.r_decl}/>')
    pl.local_names[index] = s.name
    pl.added.append(s.name)


def _plan_calc_chain(pl: Plan) -> None:
    """Drop calcChain.xml when a replaced sheet has entries in it."""
    calc_rel = next((r for r in pl.wb_rels if r.type == RT_CALC_CHAIN and not r.external), None)
    if calc_rel is None or not pl.replaced_ids:
        return
    calc_member = pl.pkg.member(resolve(pl.wb_member, calc_rel.target))
    if calc_member is None:
        pl.removed_rel_ids.add(calc_rel.id)
        return
    croot = parse_safe(pl.pkg.zf.read(calc_member), calc_member)
    current = None
    for c in croot:
        if local(c.tag) != "c":
            continue
        if c.get("i") is not None:
            current = int(c.get("i"))
        if current in pl.replaced_ids:
            pl.pkg.removed.add(calc_member)
            pl.removed_rel_ids.add(calc_rel.id)
            return


# --------------------------------------------------------------------------- patching

def _patch_workbook_rels(pl: Plan) -> None:
    text = pl.wr_text
    for r in sorted((r for r in pl.wb_rels if r.id in pl.removed_rel_ids), key=lambda r: -r.start):
        text = text[:r.start] + text[r.end:]
    if pl.new_rels:
        q = pl.rels_prefix
        text = append_to_section(text, q + "Relationships", "".join(
            f'<{q}Relationship Id="{rid}" Type="{t}" Target="{esc_attr(tg)}"/>'
            for rid, t, tg in pl.new_rels))
    if text != pl.wr_text:
        pl.pkg.patched[pl.wb_rels_member] = encode(text, pl.wr_enc)
    pl.new_wr_text = text


def _drop_orphans(pl: Plan) -> None:
    """Replaced sheets' own rels, and parts only they (or calcChain) reached."""
    if not (pl.replaced_rels_members or pl.removed_rel_ids):
        return
    pkg = pl.pkg
    rels_override: dict[str, str | None] = {pl.wb_rels_member: pl.new_wr_text}
    for m in pl.replaced_rels_members:
        rels_override[m] = None
    before = reachable(pkg, {})
    after = reachable(pkg, rels_override)
    orphans = before - after - set(pkg.sheet_parts)
    for o in orphans:
        pkg.removed.add(o)
        orels = pkg.member(rels_part_of(o))
        if orels is not None:
            pkg.removed.add(orels)
    pkg.removed.update(pl.replaced_rels_members)


def _patch_content_types(pl: Plan) -> None:
    ct_text, q = pl.ct_text, pl.ct_prefix
    new_text = ct_text
    removed_lower = {"/" + m.lower() for m in pl.pkg.removed}
    kept = []
    for m in reversed(elements(ct_text, q + "Override")):
        pn = parse_attrs(m.group(1)).get("PartName", "")
        if pn.lower() in removed_lower or unquote(pn).lower() in removed_lower:
            new_text = new_text[:m.start()] + new_text[m.end():]
        else:
            kept.append(m)
    have = {unquote(parse_attrs(m.group(1)).get("PartName", "")).lower() for m in kept}
    add = "".join(f'<{q}Override PartName="/{esc_attr(part)}" ContentType="{ct}"/>'
                  for part, ct in pl.new_overrides if "/" + part.lower() not in have)
    if add:
        new_text = append_to_section(new_text, q + "Types", add)
    if new_text != ct_text:
        pl.pkg.patched[pl.ct_member] = encode(new_text, pl.ct_enc)


def _patch_workbook_xml(pl: Plan) -> None:
    """New ``<sheet>`` s, then our defined names."""
    text = pl.wb_text
    if pl.sheet_xml_inserts:
        text = append_to_section(text, pl.p + "sheets", "".join(pl.sheet_xml_inserts))
    text = _patch_defined_names(text, pl.p, pl.sheets, pl.local_names)
    if text != pl.wb_text:
        pl.pkg.patched[pl.wb_member] = encode(text, pl.wb_enc)


def _our_names(p: str, sheets: list[OutputSheet], local_names: dict[int, str]) -> tuple[list[str], set[int]]:
    """Our print titles and auto-filter names for ``sheets``, and the sheet indices they concern."""
    by_name = {n.casefold(): i for i, n in local_names.items()}
    ours: list[str] = []
    our_idx: set[int] = set()
    for s in sheets:
        idx = by_name[s.name.casefold()]
        our_idx.add(idx)
        ref = quote_sheet(local_names[idx])
        ours.append(f'<{p}definedName name="_xlnm.Print_Titles" localSheetId="{idx}">'
                    f"{esc_text(ref)}!$1:$1</{p}definedName>")
        ncols = max([len(s.columns)] + [len(r) for r in s.rows])
        if ncols:
            last = f"${col_letter(ncols - 1)}${len(s.rows) + 1}"
            ours.append(f'<{p}definedName name="_xlnm._FilterDatabase" localSheetId="{idx}" hidden="1">'
                        f"{esc_text(ref)}!$A$1:{last}</{p}definedName>")
    return ours, our_idx


def _patch_defined_names(text: str, p: str, sheets: list[OutputSheet], local_names: dict[int, str]) -> str:
    ours, our_idx = _our_names(p, sheets, local_names)
    span = find_section(text, p + "definedNames")
    if span is None and not ours:
        return text
    if span is None:
        # Schema position: after sheets, functionGroups, externalReferences.
        pos = None
        for prev in ("externalReferences", "functionGroups", "sheets"):
            s = find_section(text, p + prev)
            if s is not None:
                pos = s.end
                break
        return text[:pos] + f"<{p}definedNames>{''.join(ours)}</{p}definedNames>" + text[pos:]
    # Remove our previous names for these sheets, then append the fresh ones.
    for m in reversed(elements(text, p + "definedName", span.inner_start, span.inner_end)):
        a = parse_attrs(m.group(1))
        if a.get("name") in _OUR_NAMES and a.get("localSheetId", "").isdigit() \
                and int(a["localSheetId"]) in our_idx:
            text = text[:m.start()] + text[m.end():]
    return insert_child(text, find_section(text, p + "definedNames"), p + "definedNames", "".join(ours))


def _render_sheets(pl: Plan) -> None:
    pkg = pl.pkg
    for member, s in pkg.sheet_parts.items():
        body = "".join(render_sheet_xml(s, pl.style_ids, pl.date1904,
                                        pl.chart_tails.get(member, ""))).encode("utf-8")
        if member in pkg.new_parts:
            pkg.new_parts[member] = body
        else:
            pkg.patched[member] = body
