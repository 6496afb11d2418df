"""Writing the planned package: untouched members copied raw, the rest deterministic.

Copied members keep their own ZipInfo (name, order, date, attributes) and compressed
bytes. Patched and new parts get ZipInfo date 1980-01-01 00:00:00, ZIP_DEFLATED at zlib's
default level, create_system 0 and no external attributes (SPEC C-5), so writing the same
sheets into the output of a previous run reproduces that file byte for byte.
"""
from __future__ import annotations

import contextlib
import struct
import zipfile
from pathlib import Path

from .package import Package

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)


def _strip_zip64_extra(extra: bytes) -> bytes:
    out = b""
    i = 0
    while i + 4 <= len(extra):
        hid, size = struct.unpack("<HH", extra[i:i + 4])
        if hid != 1:
            out += extra[i:i + 4 + size]
        i += 4 + size
    return out


def fixed_info(name: str) -> zipfile.ZipInfo:
    """The ZipInfo of a part we write: fixed date, deflated, no OS attributes."""
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


def write_package(pkg: Package, src_path: Path, fp) -> None:
    """Write the package planned in ``pkg`` (source zip at ``src_path``) to the open file ``fp``.

    Unchanged members are copied from the handle ``pkg.zf`` already has open, never from
    ``src_path`` opened again: a file replaced in between (another program saving it)
    would mix one file's directory with another's bytes."""
    src_fp = getattr(pkg.zf, "fp", None)
    with (contextlib.nullcontext(src_fp) if src_fp is not None else open(src_path, "rb")) as src_fp, \
            zipfile.ZipFile(fp, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        zout.comment = pkg.zf.comment
        raw_ok = _RAW_COPY and hasattr(zout, "start_dir") and hasattr(zout, "_didModify")
        for info in pkg.infos:
            name = info.filename
            if name in pkg.removed:
                continue
            if name in pkg.patched:
                zout.writestr(fixed_info(name), pkg.patched[name])
            elif raw_ok and info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) \
                    and not info.flag_bits & 0x01:
                _copy_raw(src_fp, info, zout)
            else:
                zi = fixed_info(name)
                zi.date_time = info.date_time
                zout.writestr(zi, pkg.zf.read(info))
        for name, data in pkg.new_parts.items():
            zout.writestr(fixed_info(name), data)
