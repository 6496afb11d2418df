"""Hostile files are refused before any reader touches them (WORKBOOKS.md: exit code 2)."""
from __future__ import annotations

import hashlib
import os
import statistics
import struct
import time
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

import pytest
import xlsxwriter

from jifen_xl.book.safety import MSG_ENCRYPTED, MSG_UNSAFE_XML, MSG_XLS, check_workbook_file
from jifen_xl.core.problems import InputError

SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
XML_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


# --- builders -----------------------------------------------------------------------------

def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def make_workbook(path: Path, strings: int = 3) -> Path:
    """A small but real workbook written by XlsxWriter: text, numbers, a date, an image."""
    import io
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("日志")
    ws.write_row(0, 0, ["日期", "对象", "代码", "次数"])
    ws.write_row(1, 0, ["2026-09-01", "1001", "A01", 1])
    names = wb.add_worksheet("名册")
    for i in range(strings):
        names.write(i, 0, f"学生{i:03d}")
    ws.insert_image("F2", "dot.png", {"image_data": io.BytesIO(tiny_png())})
    wb.close()
    return path


def rezip(src: Path, dst: Path, replace: dict[str, bytes | Iterable[bytes]] | None = None,
          drop: Iterable[str] = ()) -> Path:
    """Copy ``src`` to ``dst`` with some members replaced (bytes or streamed chunks),
    added or dropped."""
    replace = dict(replace or {})
    drop = set(drop)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop or info.filename in replace:
                continue
            zout.writestr(info, zin.read(info))
        for name, data in replace.items():
            if isinstance(data, bytes):
                zout.writestr(name, data)
            else:
                with zout.open(name, "w", force_zip64=True) as w:
                    for chunk in data:
                        w.write(chunk)
    return dst


def declare_sizes(path: Path, sizes: dict[str, int]) -> None:
    """Patch the uncompressed sizes the central directory declares (what a bomb lies about
    or honestly announces) without writing gigabytes."""
    data = bytearray(path.read_bytes())
    eocd = data.rfind(b"PK\x05\x06")
    entries, _, cd_at = struct.unpack_from("<HII", data, eocd + 10)
    pos = cd_at
    for _ in range(entries):
        assert data[pos:pos + 4] == b"PK\x01\x02"
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        name = data[pos + 46:pos + 46 + name_len].decode()
        if name in sizes:
            struct.pack_into("<I", data, pos + 24, sizes[name])
        pos += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))


def sheet_xml(rows: bytes = b"") -> bytes:
    return XML_DECL + b"<worksheet " + MAIN_NS + b"><sheetData>" + rows + b"</sheetData></worksheet>"


def billion_laughs(root: bytes = b"worksheet") -> bytes:
    ents = [b'<!ENTITY lol "lol">'] + [
        b'<!ENTITY lol%d "%s">' % (i, b"".join(b"&lol%s;" % (str(i - 1).encode() if i > 1 else b"")
                                             for _ in range(10)))
        for i in range(1, 10)
    ]
    return (b'<?xml version="1.0"?>\n<!DOCTYPE ' + root + b" [\n" + b"\n".join(ents) + b"\n]>\n<"
            + root + b" " + MAIN_NS + b"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&lol9;"
            b"</t></is></c></row></sheetData></" + root + b">")


def big_sheet_rows(n: int = 200_000) -> Iterable[bytes]:
    """A log sheet as a clerk's file has it: a date, ids, shared strings and points."""
    yield XML_DECL + b"<worksheet " + MAIN_NS + b"><sheetData>"
    cell = (b'<row r="%d"><c r="A%d"><v>46266</v></c><c r="B%d" t="s"><v>%d</v></c>'
            b'<c r="C%d" t="s"><v>%d</v></c><c r="D%d"><v>1</v></c><c r="E%d"><v>-0.5</v></c>'
            b'<c r="F%d" t="s"><v>%d</v></c><c r="G%d" t="s"><v>0</v></c><c r="H%d" t="s"><v>1</v></c></row>')
    for start in range(1, n + 1, 5000):
        yield b"".join(cell % (r, r, r, r % 50, r, r % 40, r, r, r, r % 30, r, r)
                       for r in range(start, min(start + 5000, n + 1)))
    yield b"</sheetData></worksheet>"


def million_formatted_rows() -> Iterable[bytes]:
    """Every row of the sheet formatted and empty: silly but legitimate (and compresses 16:1)."""
    yield XML_DECL + b"<worksheet " + MAIN_NS + b"><sheetData>"
    for start in range(1, 1_048_577, 8192):
        yield b"".join(b'<row r="%d" s="1" customFormat="1"/>' % r for r in range(start, start + 8192))
    yield b"</sheetData></worksheet>"


def fake_ole(*stream_names: str) -> bytes:
    """Not a valid compound file: the OLE2 signature, a header-sized pad and directory-entry
    names in UTF-16LE, enough for the byte-search path (olefile is not a dependency)."""
    out = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    for name in ("Root Entry", *stream_names):
        out += name.encode("utf-16-le").ljust(64, b"\x00") + bytes(64)
    return bytes(out)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return make_workbook(tmp_path / "good.xlsx")


def refused(path: Path, match: str) -> InputError:
    """Assert the file is refused quickly, with the message, and left byte-for-byte as it was."""
    before = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        check_workbook_file(path)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
    assert match in info.value.message
    if before is not None:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    return info.value


# --- legitimate files pass -----------------------------------------------------------------

def test_real_workbook_passes(good: Path):
    check_workbook_file(good)
    check_workbook_file(str(good))              # a str path is fine too


def test_xlsm_with_vba_and_svg_with_standard_doctype_pass(good: Path, tmp_path: Path):
    svg = (b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
           b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg/>')
    path = rezip(good, tmp_path / "macro.xlsm", {
        "xl/vbaProject.bin": fake_ole("VBA", "PROJECT"),
        "xl/media/image2.svg": svg,
    })
    check_workbook_file(path)


def test_workbook_found_through_rels_passes(tmp_path: Path):
    # Some writers name the workbook part differently; _rels/.rels says where it is.
    src = make_workbook(tmp_path / "src.xlsx")
    with zipfile.ZipFile(src) as z:
        rels = z.read("_rels/.rels").replace(b"xl/workbook.xml", b"xl/book.xml")
        book = z.read("xl/workbook.xml")
    path = rezip(src, tmp_path / "renamed.xlsx", {"_rels/.rels": rels, "xl/book.xml": book},
                 drop=["xl/workbook.xml"])
    check_workbook_file(path)


@pytest.fixture(scope="module")
def big_workbook(tmp_path_factory) -> Path:
    """200,000 log rows (about 56 MB of sheet XML) plus a sheet of 1,048,576 formatted
    empty rows (42 MB, 16:1)."""
    d = tmp_path_factory.mktemp("big")
    src = make_workbook(d / "src.xlsx", strings=50)
    return rezip(src, d / "big.xlsx", {
        SHEET: big_sheet_rows(),
        "xl/worksheets/sheet2.xml": million_formatted_rows(),
    })


def test_big_legit_workbook_passes_within_50_ms(big_workbook: Path):
    with zipfile.ZipFile(big_workbook) as z:
        sizes = {i.filename: (i.file_size, i.compress_size) for i in z.infolist()}
    assert sizes[SHEET][0] > 50e6 and sizes["xl/worksheets/sheet2.xml"][0] > 40e6
    timings = []
    for _ in range(7):
        start = time.perf_counter()
        check_workbook_file(big_workbook)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.050, timings


def test_big_legit_workbook_is_a_real_workbook(big_workbook: Path):
    from python_calamine import CalamineWorkbook
    wb = CalamineWorkbook.from_path(str(big_workbook))
    assert wb.sheet_names == ["日志", "名册"]
    assert wb.get_sheet_by_name("名册").to_python() == []      # formatted but empty
    rows = wb.get_sheet_by_name("日志").to_python()
    assert len(rows) == 200_000 and rows[0][0] == 46266 and isinstance(rows[0][1], str)


# --- not a workbook at all ---------------------------------------------------------------

def test_missing_file(tmp_path: Path):
    refused(tmp_path / "没有.xlsx", "找不到文件")


def test_directory(tmp_path: Path):
    refused(tmp_path, "文件夹")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can read a file whatever its mode")
def test_unreadable_file(good: Path):
    good.chmod(0)
    try:
        refused(good, "没有权限")
    finally:
        good.chmod(0o644)


def test_empty_file(tmp_path: Path):
    p = tmp_path / "空.xlsx"
    p.write_bytes(b"")
    refused(p, "是空的")


def test_random_bytes(tmp_path: Path):
    p = tmp_path / "random.xlsx"
    p.write_bytes(os.urandom(4096))
    refused(p, "不是 Excel 工作簿（.xlsx/.xlsm）")


def test_csv_renamed_xlsx(tmp_path: Path):
    p = tmp_path / "日志.xlsx"
    p.write_text("日期,对象,代码\n2026-09-01,1001,A01\n", encoding="utf-8-sig")
    refused(p, "不是 Excel 工作簿（.xlsx/.xlsm）")


def test_fake_ole_header_with_utf16_encryptioninfo_name_is_a_password_protected_xlsx(tmp_path: Path):
    p = tmp_path / "加密.xlsx"
    p.write_bytes(fake_ole("EncryptionInfo", "EncryptedPackage"))
    assert refused(p, "打开密码").message == MSG_ENCRYPTED


def test_fake_ole_header_without_encryptioninfo_is_an_old_xls(tmp_path: Path):
    p = tmp_path / "旧版.xlsx"
    p.write_bytes(fake_ole("Workbook", "\x05SummaryInformation"))
    assert refused(p, ".xls").message == MSG_XLS


def test_zip_that_is_not_a_workbook(good: Path, tmp_path: Path):
    refused(rezip(good, tmp_path / "a.xlsx", drop=["xl/workbook.xml"]), "不是 Excel 工作簿")
    refused(rezip(good, tmp_path / "b.xlsx", drop=["[Content_Types].xml"]), "不是 Excel 工作簿")
    docx = tmp_path / "报告.xlsx"
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", XML_DECL + b"<Types/>")
        z.writestr("word/document.xml", XML_DECL + b"<document/>")
    refused(docx, "不是 Excel 工作簿")


def test_xlsb_and_ods_get_their_own_advice(good: Path, tmp_path: Path):
    refused(rezip(good, tmp_path / "a.xlsx", {"xl/workbook.bin": b"\x83\x01\x00"},
                  drop=["xl/workbook.xml"]), ".xlsb")
    ods = tmp_path / "b.xlsx"
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", XML_DECL + b"<office:document-content/>")
    refused(ods, ".ods")


def test_truncated_zip(good: Path, tmp_path: Path):
    p = tmp_path / "cut.xlsx"
    p.write_bytes(good.read_bytes()[:-200])
    refused(p, "损坏")


# --- zip bombs -----------------------------------------------------------------------------

def test_member_declaring_2_gib_is_refused(good: Path, tmp_path: Path):
    p = rezip(good, tmp_path / "bomb.xlsx", {"xl/worksheets/sheet2.xml": sheet_xml()})
    declare_sizes(p, {"xl/worksheets/sheet2.xml": 2 << 30})
    refused(p, "压缩炸弹")


def test_members_declaring_more_than_1_gib_in_total_are_refused(good: Path, tmp_path: Path):
    # Each member compresses under 200:1 so only the total is wrong.
    parts = {f"xl/worksheets/sheet{i}.xml": os.urandom(2_200_000) for i in (3, 4, 5)}
    p = rezip(good, tmp_path / "bomb.xlsx", parts)
    declare_sizes(p, dict.fromkeys(parts, 400 << 20))   # each under 512 MiB, 1.2 GiB in all
    assert "共有 1.2 GB" in refused(p, "压缩炸弹").message


def test_real_highly_compressed_member_is_refused(good: Path, tmp_path: Path):
    # 40 MiB of zeros really compressed (about 1000:1), streamed in chunks with zip64 on.
    zeros = (bytes(1 << 20) for _ in range(40))
    p = rezip(good, tmp_path / "bomb.xlsx", {"xl/worksheets/sheet2.xml": zeros})
    with zipfile.ZipFile(p) as z:
        info = z.getinfo("xl/worksheets/sheet2.xml")
    assert info.file_size // info.compress_size > 500
    assert "压缩比" in refused(p, "压缩炸弹").message


def test_too_many_members(good: Path, tmp_path: Path):
    p = rezip(good, tmp_path / "many.xlsx", {f"xl/x/{i}.bin": b"" for i in range(10_001)})
    refused(p, "个部件（上限 10000）")


def test_zip64_archive_with_70000_members_is_refused_before_parsing_them(tmp_path: Path):
    p = tmp_path / "many64.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        for i in range(70_000):
            z.writestr(f"x/{i}", b"")
    with open(p, "rb") as f:
        f.seek(-22, 2)
        assert struct.unpack("<H", f.read(22)[10:12])[0] == 0xFFFF   # count only in zip64 record
    refused(p, "70000 个部件")


# --- XML entity bombs and external entities --------------------------------------------------

def test_billion_laughs_in_sheet(good: Path, tmp_path: Path):
    assert refused(rezip(good, tmp_path / "lol.xlsx", {SHEET: billion_laughs()}), "不安全").message \
        == MSG_UNSAFE_XML


def test_billion_laughs_in_shared_strings(good: Path, tmp_path: Path):
    sst = billion_laughs(b"sst").replace(b"<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is>",
                                         b"<si>").replace(b"</is></c></row></sheetData>", b"</si>")
    refused(rezip(good, tmp_path / "lol.xlsx", {"xl/sharedStrings.xml": sst}), "不安全")


def test_external_entity_file_etc_passwd(good: Path, tmp_path: Path):
    xxe = (b'<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
           b"<worksheet " + MAIN_NS + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;'
           b"</t></is></c></row></sheetData></worksheet>")
    refused(rezip(good, tmp_path / "xxe.xlsx", {SHEET: xxe}), "不安全")


@pytest.mark.parametrize("member", ["_rels/.rels", "xl/workbook.xml", "docProps/core.xml",
                                    "xl/drawings/vmlDrawing1.vml"])
def test_doctype_in_any_xml_part(good: Path, tmp_path: Path, member: str):
    evil = b'<?xml version="1.0"?>\n<!doctype x SYSTEM "http://example.invalid/x.dtd"><x/>'
    refused(rezip(good, tmp_path / "evil.xlsx", {member: evil}), "不安全")


def test_utf16_encoded_bomb(good: Path, tmp_path: Path):
    bomb = billion_laughs().replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>')
    refused(rezip(good, tmp_path / "u16.xlsx", {SHEET: b"\xff\xfe" + bomb.decode().encode("utf-16-le")}),
            "不安全")
    refused(rezip(good, tmp_path / "u16b.xlsx", {SHEET: bomb.decode().encode("utf-16-le")}), "不安全")


@pytest.mark.parametrize("padding", [b"<!--" + b"x" * 70_000 + b"-->", b" " * 70_000,
                                     b"<?pi " + b"y" * 70_000 + b"?>"])
def test_doctype_hidden_after_64_kib_of_prolog(good: Path, tmp_path: Path, padding: bytes):
    bomb = billion_laughs()
    decl_end = bomb.index(b"?>") + 2
    hidden = bomb[:decl_end] + padding + bomb[decl_end:]
    assert hidden.index(b"<!DOCTYPE") > 65536
    refused(rezip(good, tmp_path / "hidden.xlsx", {SHEET: hidden}), "不安全")


def test_entity_in_a_part_without_xml_suffix(good: Path, tmp_path: Path):
    # The workbook's rels may point a sheet at any part name; an XML-looking part is scanned.
    p = rezip(good, tmp_path / "dat.xlsx", {"xl/worksheets/sheet9.dat": billion_laughs()})
    refused(p, "不安全")


def test_ten_to_the_ninth_bomb_answers_in_milliseconds(good: Path, tmp_path: Path):
    p = rezip(good, tmp_path / "lol.xlsx", {SHEET: billion_laughs()})
    start = time.perf_counter()
    with pytest.raises(InputError):
        check_workbook_file(p)
    assert time.perf_counter() - start < 0.05
