"""The typesetter behind `jifen print`: Typst (the ``typst`` wheel, in-process) with the
system's Chinese fonts — no office suite.

A print job is a list of *documents* (a notice, one passbook, a set of slips …). Each
document is one Typst ``page(...)[…]`` block: its pages are numbered "第 N 页，共 M 页" of
that document alone — the page counter restarts at its first page and M is the page
counter at its end marker (``<docend>``). All documents of a job compile into one PDF.

Only Typst's built-in functions are used (its online package registry is never reached).
Every piece of user text enters the source as a Typst string literal (``lit``), never as
markup, so nothing a clerk types can change the layout.
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..core.problems import InputError

# Font families by role, first found wins (Windows names first, then Linux/macOS ones).
SONG = ("SimSun", "NSimSun", "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "STSong",
        "AR PL UMing CN", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Droid Sans Fallback")
HEI = ("SimHei", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "STHeiti",
       "WenQuanYi Zen Hei") + SONG
FANG = ("FangSong", "FangSong_GB2312", "STFangsong") + SONG
KAI = ("KaiTi", "KaiTi_GB2312", "STKaiti", "AR PL UKai CN") + SONG

#: any of these families means Chinese text can be set (no box instead of a character)
CJK_FAMILIES = {f.casefold() for f in SONG + HEI + FANG + KAI}

FONT_HINT = ("没有找到中文字体，无法生成 PDF（否则汉字会印成方框）。请安装中文字体后重试："
             "Debian/Ubuntu 运行 `sudo apt-get install fonts-noto-cjk`；Windows 一般自带宋体、黑体"
             "（C:\\Windows\\Fonts 中的 simsun.ttc、simhei.ttf），若缺少请在“设置 → 字体”中安装中文字体；"
             "也可以把字体文件所在的文件夹写进环境变量 JIFEN_FONTS。")


def font_dirs() -> list[str]:
    """Folders to look for fonts in: JIFEN_FONTS first, then the system's font folders."""
    dirs = [d for d in os.environ.get("JIFEN_FONTS", "").split(os.pathsep) if d]
    home = Path.home()
    if os.name == "nt":
        windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot") or r"C:\Windows"
        dirs += [os.path.join(windir, "Fonts")]
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(os.path.join(local, "Microsoft", "Windows", "Fonts"))
    elif sys.platform == "darwin":
        dirs += ["/System/Library/Fonts", "/Library/Fonts", str(home / "Library" / "Fonts")]
    else:
        dirs += ["/usr/share/fonts", "/usr/local/share/fonts", str(home / ".local" / "share" / "fonts"),
                 str(home / ".fonts")]
    return [d for d in dirs if os.path.isdir(d)]


_COMPILER: dict[tuple, object] = {}


def _compiler():
    """One Typst compiler per process and font folders (fonts are scanned once); refuses
    (InputError, exit 2) when no Chinese font is found."""
    import typst

    dirs = tuple(font_dirs())
    if dirs not in _COMPILER:
        families = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                               font_paths=list(dirs)).families()
        if not any(f.casefold() in CJK_FAMILIES for f in families):
            raise InputError(FONT_HINT)
        _COMPILER[dirs] = typst.Compiler(font_paths=list(dirs), ignore_system_fonts=True)
    return _COMPILER[dirs]


# --------------------------------------------------------------------------- Typst source text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def lit(value) -> str:
    """A Python value as a Typst string literal (user text never becomes markup)."""
    s = _CONTROL.sub("", "" if value is None else str(value))
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "") + '"'


def fonts(families: tuple[str, ...]) -> str:
    return "(" + ", ".join(lit(f) for f in families) + ")"


PREAMBLE = """
#let docfoot(lhs: none) = context {
  let ends = query(<docend>).filter(e => e.location().page() >= here().page())
  let total = if ends.len() > 0 { counter(page).at(ends.first().location()).first() } else { counter(page).final().first() }
  set text(size: 8.5pt)
  grid(columns: (1fr, auto, 1fr), align(left, lhs), [第 #counter(page).get().first() 页，共 #total 页], [])
}
#let cut = block(width: 100%, above: 0.8em, below: 0.8em, grid(columns: (1fr, auto, 1fr), align: horizon,
  line(length: 100%, stroke: (dash: "dashed", paint: luma(120), thickness: 0.6pt)),
  text(size: 8pt, fill: luma(110))[ ✂ 沿此线剪开 ],
  line(length: 100%, stroke: (dash: "dashed", paint: luma(120), thickness: 0.6pt))))
#let nobreak(s) = box(s)
"""


@dataclass
class Document:
    """One printed document: its pages numbered on their own."""

    body: list[str] = field(default_factory=list)     # Typst markup/code lines
    flipped: bool = False                             # landscape
    header: str = ""                                  # Typst content expression or ""
    footer_left: str = ""                             # plain text at the footer's left
    margin: str = "(x: 1.6cm, top: 1.6cm, bottom: 1.6cm)"
    numbered: bool = True

    def add(self, *lines: str) -> "Document":
        self.body.extend(lines)
        return self

    def source(self) -> str:
        footer = f"docfoot(lhs: {lit(self.footer_left)})" if self.numbered else "none"
        header = self.header or "none"
        return (f"#page(paper: \"a4\", flipped: {'true' if self.flipped else 'false'}, margin: {self.margin},"
                f" header: {header}, footer: {footer})[\n#counter(page).update(1)\n"
                + "\n".join(self.body) + "\n#metadata(\"end\") <docend>\n]\n")


def job_source(documents: list[Document], base_size: float = 10.5) -> str:
    head = (f"#set text(font: {fonts(SONG)}, lang: \"zh\", region: \"cn\", size: {base_size}pt)\n"
            "#set par(leading: 0.6em)\n#set table(inset: (x: 4pt, y: 3.5pt))\n")
    return head + PREAMBLE + "".join(d.source() for d in documents)


def compile_pdf(documents: list[Document], files: dict[str, bytes] | None = None) -> bytes:
    """One PDF of every document, in order (fixed timestamp: the same input gives the same bytes)."""
    import datetime

    compiler = _compiler()
    main = job_source(documents).encode("utf-8")
    src = {"main.typ": main, **(files or {})}
    stamp = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    return compiler.compile(input=src, format="pdf", timestamp=stamp, pdf_tags=False)
