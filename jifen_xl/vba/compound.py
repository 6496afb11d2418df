"""The last word on a ``vbaProject.bin``: settle what [MS-CFB] and [MS-OVBA] demand of it.

pyOpenVBA writes the compound file; three details of its output break a MUST of the
specifications, and this module puts them right without touching anything else:

* [MS-CFB] 2.6.4: sibling entries form a red-black tree, and two consecutive nodes MUST NOT
  both be red. The library keeps the template's colours and marks new entries red, which
  leaves red entries with red children. Every used entry is marked black here; the spec
  names that as the simplest valid implementation ("in which case the tree is simply a
  binary tree"). The sibling order itself is already the spec's (checked in tests).
* [MS-CFB] 2.6.1/2.6.3: a storage entry's starting sector and stream size MUST be zero
  (the library writes ENDOFCHAIN), and an unused entry MUST be all zeroes except the three
  sibling/child pointers (the library writes FREESECT as its starting sector).
* [MS-OVBA] 2.3.4.2: the ``dir`` stream ends with Terminator ``0x0010`` and a 4-byte
  Reserved; the library writes a 4-byte size before that Reserved, four bytes too many.

Only directory entry fields and the ``dir`` stream's last four bytes change; sector layout,
stream contents and names stay as written. Pure functions over bytes, deterministic.
"""
from __future__ import annotations

import struct

SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
HEADER_SIZE = 512
ENTRY_SIZE = 128
NOSTREAM = 0xFFFFFFFF
MAXREGSECT = 0xFFFFFFFA
BLACK = 1
STORAGE, STREAM, ROOT = 1, 2, 5

#: How pyOpenVBA ends the dir stream: Terminator, a 4-byte size it should not have, Reserved.
_LONG_DIR_END = b"\x10\x00" + b"\x00" * 8
#: [MS-OVBA] 2.3.4.2: Terminator (0x0010) then Reserved (0x00000000).
DIR_END = b"\x10\x00" + b"\x00" * 4


def _sector_size(data: bytes) -> int:
    if data[:8] != SIGNATURE:
        raise ValueError("not a compound file (bad signature)")
    return 1 << struct.unpack_from("<H", data, 30)[0]


def _fat(data: bytes, sector: int) -> list[int]:
    """The FAT, from the header's DIFAT array and any DIFAT sectors ([MS-CFB] 2.5)."""
    fat_sectors, difat_start, difat_count = (struct.unpack_from("<I", data, 44)[0],
                                             *struct.unpack_from("<II", data, 68))
    locations = list(struct.unpack_from("<109I", data, 76))
    per = sector // 4 - 1
    at = difat_start
    for _ in range(difat_count):
        if at >= MAXREGSECT:
            break
        base = HEADER_SIZE + at * sector
        locations += struct.unpack_from(f"<{per}I", data, base)
        at = struct.unpack_from("<I", data, base + per * 4)[0]
    fat: list[int] = []
    for where in locations[:fat_sectors]:
        fat += struct.unpack_from(f"<{sector // 4}I", data, HEADER_SIZE + where * sector)
    return fat


def directory_offsets(data: bytes) -> list[int]:
    """File offsets of every directory entry, following the directory sector chain."""
    sector = _sector_size(data)
    fat = _fat(data, sector)
    at = struct.unpack_from("<I", data, 48)[0]
    offsets: list[int] = []
    seen: set[int] = set()
    while at < MAXREGSECT:
        if at in seen or at >= len(fat):
            raise ValueError("broken directory sector chain")
        seen.add(at)
        base = HEADER_SIZE + at * sector
        offsets += range(base, base + sector, ENTRY_SIZE)
        at = fat[at]
    return offsets


def settle_directory(data: bytes) -> bytes:
    """``data`` with every used directory entry black, storage entries' sector and size zero,
    and unused entries all zero but for NOSTREAM pointers ([MS-CFB] 2.6)."""
    out = bytearray(data)
    for offset in directory_offsets(data):
        kind = out[offset + 66]
        if kind == 0:
            out[offset:offset + ENTRY_SIZE] = bytes(ENTRY_SIZE)
            struct.pack_into("<III", out, offset + 68, NOSTREAM, NOSTREAM, NOSTREAM)
            continue
        out[offset + 67] = BLACK
        if kind == STORAGE:
            struct.pack_into("<III", out, offset + 116, 0, 0, 0)
    return bytes(out)


def exact_dir_end(decompressed: bytes) -> bytes:
    """A decompressed ``dir`` stream ending exactly as [MS-OVBA] 2.3.4.2 says."""
    if decompressed.endswith(_LONG_DIR_END):
        return decompressed[:-len(_LONG_DIR_END)] + DIR_END
    if not decompressed.endswith(DIR_END):
        raise ValueError("the dir stream does not end with its Terminator record")
    return decompressed
