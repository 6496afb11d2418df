"""Looking at PDFs in tests (issue #24): as text (pdftotext), fonts (pdffonts), page sizes
(pdfinfo), pictures (pdftoppm, grey PGM) and QR codes (zbarimg); and small grey PNG golden
images written and read with zlib alone (no imaging library needed)."""
from __future__ import annotations

import re
import struct
import subprocess
import zlib
from pathlib import Path


def run(*cmd) -> str:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=True).stdout


def pages(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", pdf), re.M).group(1))


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    out = run("pdfinfo", "-f", 1, "-l", pages(pdf), pdf)
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out)]


def text(pdf: Path, page: int | None = None, layout: bool = True) -> str:
    cmd = ["pdftotext"] + (["-layout"] if layout else [])
    if page is not None:
        cmd += ["-f", page, "-l", page]
    return run(*cmd, pdf, "-")


def squash(s: str) -> str:
    return "".join(s.split())


def fonts(pdf: Path) -> list[dict]:
    """pdffonts rows: name, type, embedded, subset."""
    rows = []
    for line in run("pdffonts", pdf).splitlines()[2:]:
        parts = line.split()
        if len(parts) >= 7:
            rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4]})
    return rows


def words(pdf: Path) -> list[tuple[int, float, float, float, float, float, float, str]]:
    """(page, page width, page height, xMin, yMin, xMax, yMax, word) of every word."""
    out = run("pdftotext", "-bbox", pdf, "-")
    found, page, size = [], 0, (0.0, 0.0)
    for line in out.splitlines():
        m = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', line)
        if m:
            page += 1
            size = (float(m.group(1)), float(m.group(2)))
            continue
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            found.append((page, *size, *(float(m.group(i)) for i in range(1, 5)), m.group(5)))
    return found


def qr_codes(pdf: Path, page: int, tmp: Path, dpi: int = 150) -> list[str]:
    """The 积分卡 QR codes zbarimg reads on one page, as text."""
    stem = tmp / f"qr-{page}"
    run("pdftoppm", "-r", dpi, "-f", page, "-l", page, "-singlefile", "-png", pdf, stem)
    out = subprocess.run(["zbarimg", "-q", "--raw", f"{stem}.png"], capture_output=True).stdout.decode("utf-8")
    # --raw writes the symbols' bytes one after the other: each of ours starts with its marker
    return [c.strip() for c in re.split(r"(?=积分卡)", out) if c.strip()]

# --------------------------------------------------------------------------- grey images

def grey_page(pdf: Path, page: int, tmp: Path, dpi: int = 30) -> tuple[int, int, bytes]:
    """(width, height, pixels) of one page rendered grey (pdftoppm -gray, binary PGM)."""
    stem = tmp / f"grey-{page}"
    run("pdftoppm", "-r", dpi, "-f", page, "-l", page, "-singlefile", "-gray", pdf, stem)
    data = Path(f"{stem}.pgm").read_bytes()
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, data[m.end():m.end() + w * h]


def write_png(path: Path, w: int, h: int, pixels: bytes) -> None:
    """8-bit grey PNG, every row unfiltered (deterministic bytes)."""
    raw = b"".join(b"\x00" + pixels[y * w:(y + 1) * w] for y in range(h))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    path.write_bytes(png)


def read_png(path: Path) -> tuple[int, int, bytes]:
    """Read back a PNG written by ``write_png`` (grey, unfiltered rows)."""
    data = path.read_bytes()
    pos, w, h, idat = 8, 0, 0, b""
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    return w, h, b"".join(raw[y * (w + 1) + 1:(y + 1) * (w + 1)] for y in range(h))


def difference(a: tuple[int, int, bytes], b: tuple[int, int, bytes]) -> float:
    """Share of pixels that differ by more than a quarter of the grey range (0…1); a page
    of another size differs wholly. Font hinting moves edges by a pixel, not whole glyphs."""
    if a[:2] != b[:2]:
        return 1.0
    far = sum(1 for p, q in zip(a[2], b[2]) if abs(p - q) > 64)
    return far / max(len(a[2]), 1)
