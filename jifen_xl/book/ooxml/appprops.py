"""``docProps/app.xml``: the sheet names a file browser or Office's 属性 dialog shows.

Its ``TitlesOfParts`` lists the worksheets, grouped as ``HeadingPairs`` says (a group name
and a count: ``Worksheets``/``工作表`` 7, ``Named Ranges`` 2 …). When the writer adds
sheets, their names are appended to the worksheet group (new sheets are appended to the
workbook too) and both counts are raised (an 18-sheet workbook still listed the
template's 7). A part of another shape is left as it was: Excel, WPS and LibreOffice
ignore it on open and rewrite it on their next save.
"""
from __future__ import annotations

import re
from html import unescape

from .package import Package
from .xmltext import decode, encode, esc_text

APP_PART = "docProps/app.xml"
WORKSHEET_GROUPS = ("worksheets", "工作表", "sheets")

_PAIRS = re.compile(r"(<(?:\w+:)?HeadingPairs>\s*<(\w+:)?vector\b[^>]*>)(.*?)(</(?:\w+:)?vector>\s*</(?:\w+:)?HeadingPairs>)", re.S)
_TITLES = re.compile(r"(<(?:\w+:)?TitlesOfParts>\s*<(?:\w+:)?vector\b[^>]*>)(.*?)(</(?:\w+:)?vector>\s*</(?:\w+:)?TitlesOfParts>)", re.S)
_VARIANT = re.compile(r"<(?:\w+:)?variant>\s*<(?:\w+:)?(lpstr|i4)>([^<]*)</(?:\w+:)?(?:lpstr|i4)>\s*</(?:\w+:)?variant>")
_LPSTR = re.compile(r"<((?:\w+:)?)lpstr>([^<]*)</(?:\w+:)?lpstr>")
_SIZE = re.compile(r'\bsize="\d+"')


def patch_app_props(pkg: Package, existing: list[str], added: list[str]) -> None:
    """List the workbook's worksheets (``existing`` then ``added``, workbook order) in the
    worksheet group of ``docProps/app.xml``."""
    member = pkg.member(APP_PART)
    if member is None or member in pkg.removed:
        return
    try:
        text, enc = decode(pkg.read(member))
    except UnicodeDecodeError:
        return
    new = _patched(text, existing, existing + added)
    if new is not None and new != text:
        pkg.patched[member] = encode(new, enc)


def _patched(text: str, existing: list[str], sheets: list[str]) -> str | None:
    pairs_m, titles_m = _PAIRS.search(text), _TITLES.search(text)
    if pairs_m is None or titles_m is None or pairs_m.end() > titles_m.start():
        return None
    variants = _VARIANT.findall(pairs_m[3])
    if len(variants) % 2 or any(k != ("lpstr", "i4")[i % 2] for i, (k, _) in enumerate(variants)):
        return None
    groups = [(unescape(variants[i][1]), int(variants[i + 1][1])) for i in range(0, len(variants), 2)]
    titles = _LPSTR.findall(titles_m[2])
    if sum(n for _, n in groups) != len(titles):
        return None
    g = _worksheet_group(groups, titles, existing)
    if g is None:
        return None
    start = sum(n for _, n in groups[:g])
    end = start + groups[g][1]
    others = {unescape(t).casefold() for _, t in titles[:start] + titles[end:]}   # chart sheets …
    names = [n for n in sheets if n.casefold() not in others]
    if [unescape(t) for _, t in titles[start:end]] == names:
        return None
    vt = titles[start][0] if end > start else (titles[0][0] if titles else "vt:")
    new_titles = titles[:start] + [(vt, esc_text(n)) for n in names] + titles[end:]
    body = "".join(f"<{p}lpstr>{t}</{p}lpstr>" for p, t in new_titles)
    out = (text[:titles_m.start(1)] + _SIZE.sub(f'size="{len(new_titles)}"', titles_m[1]) + body
           + text[titles_m.end(2):])
    # the group's count: its i4 variant in HeadingPairs (before TitlesOfParts in the part)
    counts = list(re.finditer(r"<(?:\w+:)?i4>(\d+)</(?:\w+:)?i4>", pairs_m[3]))
    c = counts[g]
    at = pairs_m.start(3)
    return out[:at + c.start(1)] + str(len(names)) + out[at + c.end(1):]


def _worksheet_group(groups: list[tuple[str, int]], titles: list[tuple[str, str]], existing: list[str]) -> int | None:
    """Index of the worksheet group: by its name, else the first whose titles are all sheets."""
    for i, (name, _) in enumerate(groups):
        if name.strip().casefold() in WORKSHEET_GROUPS:
            return i
    sheets = {e.casefold() for e in existing}
    at = 0
    for i, (_, n) in enumerate(groups):
        if n and all(unescape(t).casefold() in sheets for _, t in titles[at:at + n]):
            return i
        at += n
    return None
