"""Every vbaProject.bin we build, held to the letter of [MS-CFB] and [MS-OVBA] (issue #19).

The compound file is parsed here with a small reader of its own (header, FAT, directory
sectors) and cross-checked with olefile; the ``dir`` stream is decompressed with oletools
(not with pyOpenVBA, which wrote it) and tokenised record by record.

Facts compared against (read from Excel-made files: XlsxWriter's test files
``button07.xlsm``, ``macro01.xlsm``, ``vbaProject05.bin``, and xlwings'
``quickstart_standalone.xlsm``; none of them is committed here):

* Directory colours: Excel mixes red (0) and black (1) entries - 8 of the 13 used entries
  are red in button07's and macro01's projects, 8 of 17 in vbaProject05.bin - but no red
  entry there has a red child, and every sibling tree is in [MS-CFB] order (the checks
  below pass on all of them). xlwings' standalone quickstart marks every entry black.
  [MS-CFB] 2.6.4: "The simplest implementation of the preceding invariants would be to
  mark every node as black, in which case the tree is simply a binary tree" - what we do.
  Before issue #19 our projects had 2-8 red entries under red parents (pyOpenVBA keeps the
  template's colours and marks new entries red).
* Excel's ``Root Entry`` is red (the spec: its colour "is irrelevant"); ours is black.
* Excel writes the ``VBA`` storage with starting sector 0 and size 0 ([MS-CFB] 2.6.3 MUST);
  its unused directory entries are zero except three NOSTREAM pointers ([MS-CFB] 2.6.3).
* ``_VBA_PROJECT`` starts ``CC 61`` then a version (Excel 2010: ``0x0097``, ``0x0085``)
  followed by its performance cache; [MS-OVBA] 2.3.4.1 says Version MUST be 0xFFFF and
  the cache MUST NOT be present on write: ``CC 61 FF FF 00 xx xx`` (7 bytes) - as in
  xlwings' standalone quickstart (``CC 61 FF FF 00 01 00``) and ours.
* ``dir`` record ids in Excel's files, in order: 01 02 14 03 04 05 40 06 3D 07 08 09 0C 3C,
  references (16 3E 0D)*, 0F 13, per module 19 47 1A 32 1C 48 31 1E 2C 21|22 2B, then
  10 and a 4-byte Reserved, ending the stream. xlwings' quickstart adds PROJECTCOMPATVERSION
  (4A after 01) and an MSForms control reference (16 3E 33 2F 16 3E 30).
* Each document module (MODULETYPE 0x22, ``Document=Name/&H00000000`` in PROJECT) carries
  ``VB_Base`` 0{00020819-...} (workbook) or 0{00020820-...} (sheet), and its name is the
  ``codeName`` of the workbook or of exactly one sheet.
* Buttons: Excel writes ``<x:FmlaMacro>[0]!say_hello</x:FmlaMacro>`` (button07.xlsm) - the
  bare Sub name.

Nothing here shows that Excel opens the file; see docs/excel-install.md.
"""
from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import pytest

from jifen_xl import xlsm
from jifen_xl.cli import main
from jifen_xl.vba import BUTTON_MODULE, build_demo_xlsm, buttons_source, jifen_vba_project, xlwings_modules
from jifen_xl.vba.project import procedures_in, subs_in

olefile = pytest.importorskip("olefile")
olevba = pytest.importorskip("oletools.olevba")

REPO = Path(__file__).resolve().parents[1]
NOSTREAM = 0xFFFFFFFF
RED, BLACK = 0, 1
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
SHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"


# ---------------------------------------------------------------------------
# A small, independent reader of the compound file's header and directory
# ---------------------------------------------------------------------------

def header_fields(data: bytes) -> dict:
    (sig, clsid, minor, major, order, shift, mini_shift, reserved, dir_sectors, fat_sectors,
     dir_start, transaction, cutoff, minifat_start, minifat_count, difat_start,
     difat_count) = struct.unpack_from("<8s16sHHHHH6sIIIIIIIII", data, 0)
    return dict(sig=sig, clsid=clsid, minor=minor, major=major, order=order, shift=shift,
                mini_shift=mini_shift, reserved=reserved, dir_sectors=dir_sectors,
                fat_sectors=fat_sectors, dir_start=dir_start, transaction=transaction,
                cutoff=cutoff, difat_start=difat_start, difat_count=difat_count)


def directory(data: bytes) -> list[dict]:
    h = header_fields(data)
    size = 1 << h["shift"]
    difat = struct.unpack_from("<109I", data, 76)[:h["fat_sectors"]]
    assert h["difat_count"] == 0, "test reader handles files under 7 MB only"
    fat = [n for s in difat for n in struct.unpack_from(f"<{size // 4}I", data, 512 + s * size)]
    chain, at = [], h["dir_start"]
    while at < 0xFFFFFFFA:
        assert at not in chain, "directory chain loops"
        chain.append(at)
        at = fat[at]
    raw = b"".join(data[512 + s * size:512 + (s + 1) * size] for s in chain)
    entries = []
    for i in range(len(raw) // 128):
        e = raw[i * 128:(i + 1) * 128]
        name_len = struct.unpack_from("<H", e, 64)[0]
        left, right, child = struct.unpack_from("<III", e, 68)
        created, modified = struct.unpack_from("<QQ", e, 100)
        start, size_low, size_high = struct.unpack_from("<III", e, 116)
        entries.append(dict(
            index=i, raw=e, name_len=name_len,
            name=e[:max(0, name_len - 2)].decode("utf-16-le"), type=e[66], color=e[67],
            left=left, right=right, child=child, clsid=e[80:96], state=struct.unpack_from("<I", e, 96)[0],
            created=created, modified=modified, start=start, size=size_low | size_high << 32))
    return entries


def spec_key(name: str) -> tuple[int, list[int]]:
    """[MS-CFB] 2.6.4 order: shorter names first, then UTF-16 code points upper-cased one by one."""
    units = name.encode("utf-16-le")
    points = [int.from_bytes(units[i:i + 2], "little") for i in range(0, len(units), 2)]
    upper = [ord(chr(p).upper()) if len(chr(p).upper()) == 1 and not 0xD800 <= p <= 0xDFFF else p
             for p in points]
    return len(points), upper


def tree_problems(entries: list[dict]) -> list[str]:
    """Every breach of [MS-CFB] 2.6 in the directory; [] when there is none."""
    problems: list[str] = []
    seen: set[int] = set()

    def walk(node: int, low, high, parent_red: bool, where: str, siblings: list[str]) -> None:
        if node == NOSTREAM:
            return
        if node >= len(entries) or node in seen:
            problems.append(f"{where}: entry {node} missing or reached twice")
            return
        seen.add(node)
        e = entries[node]
        if e["type"] not in (1, 2):
            problems.append(f"{where}: sibling {node} has type {e['type']}")
        key = spec_key(e["name"])
        if (low is not None and not low < key) or (high is not None and not key < high):
            problems.append(f"{where}: {e['name']!r} out of order")
        red = e["color"] == RED
        if e["color"] not in (RED, BLACK):
            problems.append(f"{e['name']!r}: colour {e['color']}")
        if red and parent_red:
            problems.append(f"{where}: red {e['name']!r} under a red parent")
        siblings.append(e["name"].upper())
        walk(e["left"], low, key, red, where, siblings)
        walk(e["right"], key, high, red, where, siblings)
        if e["type"] == 1:
            storage(e)

    def storage(e: dict) -> None:
        names: list[str] = []
        # The top of each sibling tree has no sibling parent: it may be black or red.
        walk(e["child"], None, None, False, e["name"], names)
        if len(names) != len(set(names)):
            problems.append(f"{e['name']!r}: sibling names not unique")

    root = entries[0]
    if root["type"] != 5 or root["name"] != "Root Entry":
        problems.append("entry 0 is not the Root Entry")
    if root["left"] != NOSTREAM or root["right"] != NOSTREAM:
        problems.append("the Root Entry has siblings")
    seen.add(0)
    storage(root)
    for e in entries:
        if e["type"] == 0:
            continue
        if e["index"] not in seen:
            problems.append(f"{e['name']!r} is not reachable from the Root Entry")
    return problems


def entry_problems(entries: list[dict]) -> list[str]:
    problems = []
    for e in entries:
        if e["type"] == 0:
            blank = bytearray(128)
            struct.pack_into("<III", blank, 68, NOSTREAM, NOSTREAM, NOSTREAM)
            if e["raw"] != bytes(blank):
                problems.append(f"unused entry {e['index']} is not all zero but NOSTREAM pointers")
            continue
        if e["name_len"] != 2 * (len(e["name"]) + 1) or e["name_len"] > 64:
            problems.append(f"{e['name']!r}: name length {e['name_len']}")
        if set(e["name"]) & set("/\\:!"):
            problems.append(f"{e['name']!r}: illegal character in name")
        if e["type"] == 2:
            if e["created"] or e["modified"] or e["child"] != NOSTREAM or any(e["clsid"]):
                problems.append(f"stream {e['name']!r}: times, CLSID and child must be empty")
        if e["type"] == 1 and (e["start"] or e["size"]):
            problems.append(f"storage {e['name']!r}: starting sector/size not zero")
        if e["type"] == 5 and e["created"]:
            problems.append("Root Entry: creation time must be zero")
    return problems


# ---------------------------------------------------------------------------
# The dir stream, record by record
# ---------------------------------------------------------------------------

def dir_records(compressed: bytes) -> list[tuple[int, bytes]]:
    raw = bytes(olevba.decompress_stream(bytearray(compressed)))
    records, at = [], 0
    while at < len(raw):
        assert at + 6 <= len(raw), f"the dir stream ends inside a record header at {at}"
        rid, size = struct.unpack_from("<HI", raw, at)
        if rid == 0x0009:          # PROJECTVERSION: Reserved says 4, the record holds 4 + 2 bytes
            size = 6
        records.append((rid, raw[at + 6:at + 6 + size]))
        at += 6 + size
    assert at == len(raw), "the dir stream has bytes after its last record"
    return records


_INFO = r"01 (4A )?02 14 03 04 05 40 06 3D 07 08 09 0C 3C "
_REFERENCE = r"(16 3E )?(33 )?(2F (16 3E )?30 |0D |0E )"
_MODULE = r"19 (47 )?1A 32 1C 48 31 1E 2C (21|22) (25 )?(28 )?2B "
DIR_GRAMMAR = re.compile(rf"{_INFO}({_REFERENCE})*0F 13 ({_MODULE})*10 ")


def dir_facts(records: list[tuple[int, bytes]]) -> dict:
    text = "".join(f"{rid:02X} " for rid, _ in records)
    assert DIR_GRAMMAR.fullmatch(text), text
    value = {rid: data for rid, data in records if rid in (0x01, 0x02, 0x14, 0x03, 0x04, 0x0F)}
    modules, current = [], None
    for rid, data in records:
        if rid == 0x19:
            current = {"name": data.decode("cp1252")}
        elif rid == 0x1A:
            current["stream"] = data.decode("cp1252")
        elif rid == 0x31:
            current["offset"] = struct.unpack("<I", data)[0]
        elif rid in (0x21, 0x22):
            assert data == b"", "MODULETYPE Reserved must be 0"
            current["procedural"] = rid == 0x21
        elif rid == 0x2B:
            modules.append(current)
    assert records[-1] == (0x10, b"")
    return {
        "syskind": struct.unpack("<I", value[0x01])[0],
        "lcid": struct.unpack("<I", value[0x02])[0],
        "lcid_invoke": struct.unpack("<I", value[0x14])[0],
        "code_page": struct.unpack("<H", value[0x03])[0],
        "name": value[0x04],
        "count": struct.unpack("<H", value[0x0F])[0],
        "modules": modules,
    }


# ---------------------------------------------------------------------------
# Every built project
# ---------------------------------------------------------------------------

def _package_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("vba-spec")
    files = {f"template:{s}": xlsm.build_xlsm(folder / xlsm.XLSM_SCHEMES[s][1], s)
             for s in xlsm.available_schemes()}
    files["demo"] = build_demo_xlsm(folder / "demo.xlsm")
    for kind in ("class", "village", "ledger"):           # what a clerk gets from `jifen new`
        assert main(["new", kind, "-o", str(folder / f"new-{kind}.xlsm")]) == 0
        files[f"jifen new {kind}"] = folder / f"new-{kind}.xlsm"
    for committed in sorted((REPO / "workbook_templates").glob("*.xlsm")):
        files[f"committed:{committed.name}"] = committed
    return files


def all_projects(built: dict[str, Path]) -> dict[str, bytes]:
    projects = {name: _package_parts(path)["xl/vbaProject.bin"] for name, path in built.items()}
    projects["bare:Sheet1"] = jifen_vba_project(sheet_codenames=["Sheet1"])
    projects["bare:named"] = jifen_vba_project(workbook_codename="Book", sheet_codenames=["Log", "Summary", "Z9"])
    return projects


def test_every_project_is_a_valid_compound_file_to_the_letter(built):
    for name, data in all_projects(built).items():
        h = header_fields(data)
        assert h["sig"] == bytes.fromhex("D0CF11E0A1B11AE1"), name
        assert (h["clsid"], h["minor"], h["major"], h["order"]) == (bytes(16), 0x3E, 3, 0xFFFE), name
        assert (h["shift"], h["mini_shift"], h["reserved"]) == (9, 6, bytes(6)), name
        assert (h["dir_sectors"], h["transaction"], h["cutoff"]) == (0, 0, 4096), name
        assert len(data) % 512 == 0, name
        entries = directory(data)
        assert tree_problems(entries) == [], name
        assert entry_problems(entries) == [], name
        # All black: no red entry at all, so certainly no red entry with a red child.
        assert {e["color"] for e in entries if e["type"]} == {BLACK}, name
        # olefile (an independent reader) sees the same directory.
        ole = olefile.OleFileIO(data)
        try:
            theirs = {(d.name, d.color, d.sid_left, d.sid_right, d.sid_child)
                      for d in ole.direntries if d is not None}
        finally:
            ole.close()
        ours = {(e["name"], e["color"], e["left"], e["right"], e["child"]) for e in entries if e["type"]}
        assert theirs == ours, name


def test_tree_checker_catches_red_under_red_and_disorder(built):
    """The checker itself: a red child of a red node, or a swapped pair, is reported."""
    data = bytearray(all_projects(built)["bare:Sheet1"])
    entries = directory(bytes(data))
    vba = next(e for e in entries if e["name"] == "VBA")
    top = entries[vba["child"]]
    child = entries[top["left"] if top["left"] != NOSTREAM else top["right"]]
    for e in (top, child):
        e["color"] = RED
    assert any("red" in p for p in tree_problems(entries))
    entries = directory(bytes(data))
    top = entries[vba["child"]]
    top["left"], top["right"] = top["right"], top["left"]
    assert any("out of order" in p for p in tree_problems(entries))


def test_vba_project_stream_and_dir_records(built):
    for name, data in all_projects(built).items():
        ole = olefile.OleFileIO(data)
        try:
            head = ole.openstream("VBA/_VBA_PROJECT").read()
            facts = dir_facts(dir_records(ole.openstream("VBA/dir").read()))
            vba_streams = {path[1] for path in ole.listdir() if path[0] == "VBA"}
            project = ole.openstream("PROJECT").read().decode("cp1252")
            stored = {m["name"]: ole.openstream(f"VBA/{m['stream']}").read() for m in facts["modules"]}
        finally:
            ole.close()
        # [MS-OVBA] 2.3.4.1: Reserved1 0x61CC, Version 0xFFFF on write, Reserved2 0x00,
        # Reserved3 (2 bytes), and no PerformanceCache on write.
        assert len(head) == 7 and head[:2] == b"\xcc\x61" and head[2:4] == b"\xff\xff" and head[4] == 0, name
        assert facts["syskind"] in (0, 1, 2, 3), name
        assert facts["lcid"] == facts["lcid_invoke"] == 0x409, name
        assert facts["code_page"] == 1252, name
        assert 1 <= len(facts["name"]) <= 128, name
        assert facts["count"] == len(facts["modules"]), name
        # Module streams: one per module, no others but _VBA_PROJECT and dir (no __SRP_ cache).
        assert vba_streams == {m["stream"] for m in facts["modules"]} | {"_VBA_PROJECT", "dir"}, name
        for m in facts["modules"]:
            assert m["offset"] == 0, f"{name}: {m['name']} keeps compiled code"
            source = bytes(olevba.decompress_stream(bytearray(stored[m["name"]][m["offset"]:]))).decode("cp1252")
            assert source.startswith(f'Attribute VB_Name = "{m["name"]}"\r\n'), name
            kind = "Module" if m["procedural"] else ("Document" if "Document=" + m["name"] + "/" in project
                                                     else "Class")
            line = f"{kind}={m['name']}" + ("/&H00000000" if kind == "Document" else "")
            assert line + "\r\n" in project, f"{name}: PROJECT lacks {line}"


def document_modules(data: bytes) -> dict[str, str]:
    """Document module name -> its VB_Base, read from dir, module text and PROJECT."""
    ole = olefile.OleFileIO(data)
    try:
        facts = dir_facts(dir_records(ole.openstream("VBA/dir").read()))
        project = ole.openstream("PROJECT").read().decode("cp1252")
        out = {}
        for m in facts["modules"]:
            if f"Document={m['name']}/&H00000000\r\n" not in project:
                continue
            assert not m["procedural"]
            text = bytes(olevba.decompress_stream(bytearray(ole.openstream(f"VBA/{m['stream']}").read()))).decode()
            base = re.search(r'^Attribute VB_Base = "([^"]*)"', text, re.M)
            out[m["name"]] = base.group(1) if base else ""
    finally:
        ole.close()
    documents = re.findall(r"^Document=([^/\r\n]+)/", project, re.M)
    assert len(documents) == len(set(documents)) == len(out)
    return out


def test_codenames_and_document_modules_one_to_one(built):
    for name, path in built.items():
        parts = _package_parts(path)
        workbook = parts["xl/workbook.xml"].decode()
        book_code = re.search(r'<workbookPr\b[^>]*codeName="([^"]+)"', workbook).group(1)
        rels = parts["xl/_rels/workbook.xml.rels"].decode()
        sheet_files = re.findall(r'Target="(?:/xl/)?(worksheets/sheet\d+\.xml)"', rels)
        sheet_codes = [re.search(r'<sheetPr\b[^>]*codeName="([^"]+)"', parts[f"xl/{f}"].decode()).group(1)
                       for f in sheet_files]
        assert len(sheet_codes) == len(re.findall(r"<sheet ", workbook)), name
        documents = document_modules(parts["xl/vbaProject.bin"])
        assert len(sheet_codes) == len(set(sheet_codes)), name
        assert sorted(documents) == sorted([book_code, *sheet_codes]), name
        assert documents[book_code] == WORKBOOK_BASE, name
        assert all(documents[code] == SHEET_BASE for code in sheet_codes), name


def test_buttons_name_a_bare_sub_that_only_our_module_declares(built):
    ours = subs_in(buttons_source())
    standard, classes = xlwings_modules()
    elsewhere = {p.casefold() for text in {**standard, **classes}.values() for p in procedures_in(text)}
    assert not {s.casefold() for s in ours} & elsewhere
    for name, path in built.items():
        parts = _package_parts(path)
        macros = [m for part, body in sorted(parts.items()) if re.fullmatch(r"xl/drawings/vmlDrawing\d+\.vml", part)
                  for m in re.findall(r"<x:FmlaMacro>(.*?)</x:FmlaMacro>", body.decode())]
        assert macros, name
        for macro in macros:
            assert re.fullmatch(r"\[0\]!([A-Za-z]\w*)", macro), f"{name}: {macro} is not Excel's [0]!Sub form"
            assert macro.removeprefix("[0]!") in ours, name


def test_olevba_still_reads_every_module_exactly(built):
    for name, data in all_projects(built).items():
        parser = olevba.VBA_Parser("vbaProject.bin", data=data)
        try:
            modules = {Path(vba_name).stem: code for _, _, vba_name, code in parser.extract_macros()}
        finally:
            parser.close()
        assert modules[BUTTON_MODULE] == buttons_source(), name
        assert modules["xlwings"] == xlwings_modules()[0]["xlwings"], name


def test_settling_changes_only_directory_fields_and_the_dir_end():
    """compound.py on pyOpenVBA's raw output: same streams, same bytes in them but dir's last four."""
    from jifen_xl.vba.compound import DIR_END, exact_dir_end, settle_directory

    data = jifen_vba_project(sheet_codenames=["Sheet1"])
    assert settle_directory(data) == data                     # idempotent
    reddened = bytearray(data)
    entries = directory(data)
    for e in entries:
        if e["type"]:
            offset = data.index(e["raw"])
            reddened[offset + 67] = RED
    assert settle_directory(bytes(reddened)) == data
    long_end = b"\x2b\x00" + bytes(4) + b"\x10\x00" + bytes(8)
    assert exact_dir_end(long_end) == b"\x2b\x00" + bytes(4) + DIR_END
    assert exact_dir_end(exact_dir_end(long_end)) == exact_dir_end(long_end)
    with pytest.raises(ValueError):
        exact_dir_end(b"\x2b\x00" + bytes(4))
