"""Refuse hostile or unusable files before any reader touches them (exit code 2).

Only the zip's end records, its central directory and the first 64 KiB of each XML part
are read, so the check answers in milliseconds whatever the file declares: nothing is
decompressed beyond those heads and the file is never written.

Limits, measured: 1,048,576 formatted empty rows (XlsxWriter ``set_row``) make a 42 MB
sheet compressing 16:1; a 200,000-row, 8-column log sheet is 54 MB at 10:1, and the same
rows with identical cells 66 MB at 18:1; zeros compress about 1000:1. The whole check
takes about 1 ms on a workbook holding both sheets.
"""
from __future__ import annotations

import mmap
import os
import re
import stat
import struct
import zipfile
from pathlib import Path

from jifen_xl.core.problems import InputError
from jifen_xl.core.oserror import os_reason

MAX_MEMBERS = 10_000
MAX_TOTAL = 1 << 30             # 1 GiB declared uncompressed, all members
MAX_MEMBER = 512 << 20          # 512 MiB declared uncompressed, one member
MAX_RATIO = 200                 # uncompressed / compressed ...
RATIO_FLOOR = 10 << 20          # ... for members larger than 10 MiB
MAX_CENTRAL_DIR = 16 << 20      # 10,000 entries with long names fit in well under this
HEAD = 64 << 10                 # bytes of each XML part scanned for DTDs

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EOCD_MAGIC = b"PK\x05\x06"
ZIP64_LOCATOR_MAGIC = b"PK\x06\x07"
ZIP64_EOCD_MAGIC = b"PK\x06\x06"

XML_SUFFIXES = (".xml", ".rels", ".vml")

MSG_NOT_WORKBOOK = "不是 Excel 工作簿（.xlsx/.xlsm），请在 Excel 或 WPS 中另存为 .xlsx 后再试。"
MSG_ENCRYPTED = "工作簿设置了打开密码，请在 Excel 中取消密码后另存为 .xlsx 再试。"
MSG_XLS = "这是旧版 .xls 文件，请在 Excel 或 WPS 中另存为 .xlsx。"
MSG_UNSAFE_XML = "工作簿含有不安全的 XML 实体定义（可能是恶意文件），已拒绝打开。"


NAME_MAX = 255          # bytes in one file or folder name (ext4, APFS; NTFS: 255 UTF-16 units)
PATH_MAX = 4095         # bytes in a whole path (Linux)


def check_path_length(path: Path | str) -> None:
    """``InputError`` for a file or folder name, or a whole path, longer than the system
    allows (such names used to end in an internal error)."""
    path = Path(path)
    for part in path.parts:
        n = len(os.fsencode(part))
        if n > NAME_MAX:
            raise InputError(f"文件名或文件夹名太长（{n} 字节，系统上限 {NAME_MAX} 字节）：“{part[:20]}…”。"
                             f"请改个短一些的名字后再试。")
    n = len(os.fsencode(os.path.abspath(path)))
    if n > PATH_MAX:
        raise InputError(f"路径太长（{n} 字节，系统上限 {PATH_MAX} 字节）。请把工作簿放到层级较浅的文件夹后再试。")


class NotRegularFile(OSError):
    """A named pipe, device or socket under a workbook's name: opening it for reading could
    wait forever for a writer, so it is never read."""


MSG_NOT_REGULAR = "不是普通文件（可能是命名管道、设备或套接字），不能当作工作簿读取"


def open_regular(path: Path | str):
    """``open(path, "rb")`` for a regular file only (symlinks to one are fine), else
    ``NotRegularFile``. Opened without blocking, so a named pipe never hangs the open."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(0, MSG_NOT_REGULAR, str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def check_workbook_file(path: Path) -> None:
    """Raise ``InputError`` (Chinese message) unless ``path`` looks like a safe .xlsx/.xlsm."""
    path = Path(path)
    check_path_length(path)
    name = path.name or str(path)
    if not path.exists():
        raise InputError(f"找不到文件“{path}”。")
    if path.is_dir():
        raise InputError(f"“{path}”是一个文件夹，不是 Excel 工作簿。")
    try:
        with open_regular(path) as f:
            magic = f.read(8)
            if magic.startswith(ZIP_MAGIC):
                _check_zip_end(f, name)
                f.seek(0)
                _check_zip(f, name)
            elif magic == OLE_MAGIC:
                raise InputError(MSG_ENCRYPTED if _ole_is_encrypted(f) else MSG_XLS)
            elif not magic:
                raise InputError(f"文件“{name}”是空的，{MSG_NOT_WORKBOOK}")
            else:
                raise InputError(f"文件“{name}”{MSG_NOT_WORKBOOK}")
    except PermissionError:
        raise InputError(f"无法读取文件“{path}”：没有权限。") from None
    except NotRegularFile:
        raise InputError(f"“{path}”{MSG_NOT_REGULAR}。") from None
    except OSError as e:
        raise InputError(f"无法读取文件“{path}”：{os_reason(e)}。") from None


# --- OLE2 compound files ------------------------------------------------------------------

def _ole_is_encrypted(f) -> bool:
    """An encrypted .xlsx is an OLE2 file holding ``EncryptionInfo`` and ``EncryptedPackage``
    streams; an old .xls holds a ``Workbook`` stream instead."""
    try:
        import olefile  # optional: parses the directory properly when installed
    except ImportError:
        olefile = None
    if olefile is not None:
        try:
            f.seek(0)
            with olefile.OleFileIO(f) as ole:
                return ole.exists("EncryptionInfo")
        except Exception:           # malformed directory: fall back to the byte search
            pass
    # Directory entry names are stored as UTF-16LE, so a byte search finds the stream name.
    f.seek(0)
    with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        return m.find("EncryptionInfo".encode("utf-16-le")) != -1


# --- zip container ------------------------------------------------------------------------

def _bomb(name: str, detail: str) -> InputError:
    return InputError(f"工作簿“{name}”{detail}，可能是恶意的“压缩炸弹”文件，已拒绝打开。")


def _check_zip_end(f, name: str) -> None:
    """Read the entry count from the end-of-central-directory record (zip64 aware) before
    ``zipfile`` parses millions of entries."""
    size = f.seek(0, 2)
    tail_len = min(size, 22 + 0xFFFF)
    f.seek(size - tail_len)
    tail = f.read(tail_len)
    at = tail.rfind(EOCD_MAGIC)
    if at < 0 or len(tail) - at < 22:
        raise InputError(f"文件“{name}”已损坏（不是完整的 zip 压缩包），{MSG_NOT_WORKBOOK}")
    entries, cd_size = struct.unpack_from("<HI", tail, at + 10)
    loc = at - 20
    if loc >= 0 and tail[loc:loc + 4] == ZIP64_LOCATOR_MAGIC:
        (eocd64_at,) = struct.unpack_from("<Q", tail, loc + 8)
        f.seek(eocd64_at)
        rec = f.read(56)
        if len(rec) == 56 and rec[:4] == ZIP64_EOCD_MAGIC:
            entries, cd_size = struct.unpack_from("<QQ", rec, 32)
    if entries > MAX_MEMBERS:
        raise _bomb(name, f"包含 {entries} 个部件（上限 {MAX_MEMBERS}）")
    if cd_size > MAX_CENTRAL_DIR:
        raise _bomb(name, "的目录区异常庞大")


def _check_zip(f, name: str) -> None:
    try:
        zf = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise InputError(f"文件“{name}”已损坏，{MSG_NOT_WORKBOOK}") from None
    with zf:
        infos = zf.infolist()
        _check_sizes(infos, name)
        names = {i.filename for i in infos}
        _check_is_workbook(zf, names, name)
        for info in infos:
            _check_xml_head(zf, info)


def _check_sizes(infos: list[zipfile.ZipInfo], name: str) -> None:
    if len(infos) > MAX_MEMBERS:
        raise _bomb(name, f"包含 {len(infos)} 个部件（上限 {MAX_MEMBERS}）")
    total = 0
    for i in infos:
        total += i.file_size
        if i.file_size > MAX_MEMBER:
            raise _bomb(name, f"中的“{i.filename}”解压后有 {_gib(i.file_size)}")
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            ratio = i.file_size // max(i.compress_size, 1)
            raise _bomb(name, f"中的“{i.filename}”压缩比高达 {ratio}:1")
    if total > MAX_TOTAL:
        raise _bomb(name, f"解压后共有 {_gib(total)}")


def _gib(n: int) -> str:
    return f"{n / (1 << 30):.1f} GB" if n >= 1 << 30 else f"{n / (1 << 20):.0f} MB"


def _check_is_workbook(zf: zipfile.ZipFile, names: set[str], name: str) -> None:
    if "xl/workbook.bin" in names:
        raise InputError(f"“{name}”是 .xlsb 二进制工作簿，请在 Excel 中另存为 .xlsx。")
    if "mimetype" in names and "content.xml" in names:
        raise InputError(f"“{name}”是 OpenDocument（.ods）表格，请在 WPS 或 Excel 中另存为 .xlsx。")
    if "[Content_Types].xml" not in names or _workbook_part(zf, names) is None:
        raise InputError(f"文件“{name}”{MSG_NOT_WORKBOOK}")


def _workbook_part(zf: zipfile.ZipFile, names: set[str]) -> str | None:
    """``xl/workbook.xml``, or wherever ``_rels/.rels`` says the office document is."""
    if "xl/workbook.xml" in names:
        return "xl/workbook.xml"
    if "_rels/.rels" not in names:
        return None
    head = _read_head(zf, zf.getinfo("_rels/.rels")).decode("utf-8", "replace")
    for rel in re.findall(r"<Relationship\b[^>]*>", head):
        if rel.find("/officeDocument\"") >= 0:
            m = re.search(r'Target="/?([^"]+)"', rel)
            if m and m[1].endswith(".xml") and m[1] in names:
                return m[1]
    return None


# --- XML heads ----------------------------------------------------------------------------

# What may precede the root element: XML declaration / processing instructions, comments,
# whitespace and a DOCTYPE without an internal subset.
_PROLOG_TOKEN = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->|<!doctype[^\[>]*>", re.S)
_ROOT_START = re.compile(r"<[^\s!?/<>]")


def _read_head(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with zf.open(info) as member:
        return member.read(HEAD)


def _decode_head(head: bytes) -> str:
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return head.decode("utf-16", "ignore")
    if head[:2] in (b"<\x00", b"\x00<"):
        return head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", "ignore")
    return head.decode("utf-8", "ignore")


def _check_xml_head(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """DTDs are how entity bombs and external entities get in: refuse any DOCTYPE in an XML
    part, any ENTITY anywhere else that looks like XML, and a prolog too long to see past."""
    if info.is_dir():
        return
    is_xml = info.filename.lower().endswith(XML_SUFFIXES)
    try:
        head = _read_head(zf, info)
    except (RuntimeError, NotImplementedError):       # encrypted or exotic zip entry
        if is_xml:
            raise InputError(f"工作簿中的“{info.filename}”无法读取，{MSG_NOT_WORKBOOK}") from None
        return
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        raise InputError(f"工作簿已损坏（“{info.filename}”无法解压），请用 Excel 打开修复后另存。") from None
    text = _decode_head(head).lower()
    if not is_xml and not text.lstrip("\ufeff \t\r\n").startswith("<"):
        return                                          # images, vbaProject.bin, …
    if "<!entity" in text or (is_xml and ("<!doctype" in text or "\x00" in text)):
        raise InputError(MSG_UNSAFE_XML)
    if len(head) >= info.file_size:
        return                                          # the whole part was scanned
    body, pos = text.lstrip("\ufeff"), 0
    while m := _PROLOG_TOKEN.match(body, pos):
        pos = m.end()
    if not _ROOT_START.match(body, pos):
        raise InputError(MSG_UNSAFE_XML)               # prolog runs past the scanned head
