"""Printed forms of output sheets, as Typst documents (typeset.py):

* ``table`` — any output sheet: a bordered table, header row repeated on every page,
  numbers right-aligned, long text wrapped inside its column; its charts drawn as bar
  charts from the same rows (Typst shapes);
* ``notice`` — the village 公示 (V-8) in the plain official style: title, body with the
  公示期 and where to object (异议联系人/电话 from 设置), the table with a blank 异议 column
  (no phone numbers or notes of households), signature and date lines;
* ``passbook`` — the ledger's 存折 (L-8): one account per document;
* ``certificates`` — 奖状 (S-11) and 文明户奖状 (V-10): one framed landscape page each.

Every paper carries the state its result has (``OutputSheet.status``): a 暂定 or 预公示
sheet says so in the header of every page.
"""
from __future__ import annotations

import math

from ..book.sheets import OutputSheet
from ..core.periods import quarter_cn
from .charts import chart_markup
from .text import (blank, cell_text, cn_date, heading, is_number, iso, num, page_header,  # noqa: F401
                   state_mark, week_namer, width)
from .typeset import FANG, HEI, KAI, Document, fonts, lit

NOTICE_PRIVATE = ("电话", "手机", "联系方式", "备注", "证明材料", "身份证")
RED = 'rgb("#B00000")'


# --------------------------------------------------------------------------- tables

def column_widths(columns: list[str], texts: list[list[str]], cap: int = 40) -> list[int]:
    """Relative column widths in half-width characters (+2 for the cell's padding): wide
    enough for every value unbroken (up to ``cap``), a long header may wrap onto two lines."""
    out = []
    for j, c in enumerate(columns):
        values = max([0] + [width(t[j]) for t in texts[:2000]])
        head = width(c)
        w = max(values, head if head <= 6 else max(6, -(-head // 2) + 1))
        out.append(min(max(w, 4), 70 if c == "明细" else cap) + 2)
    return out


def table(columns: list[str], texts: list[list[str]], numeric: list[bool], widths: list[int],
          size: float = 9, fill_header: str = 'luma(225)', extra: str = "") -> str:
    """A Typst table: header repeated on each page, numbers right-aligned, text wrapped."""
    cols = ", ".join(f"{max(w, 3)}fr" for w in widths) + ("," if len(widths) == 1 else "")
    aligns = ", ".join("right" if n else "left" for n in numeric) + ("," if len(numeric) == 1 else "")
    head = ", ".join(f"table.cell(align: center, text(weight: \"bold\", {lit(c)}))" for c in columns)
    body = ",\n".join(", ".join(lit(x) for x in row) for row in texts)
    return (f"#text(size: {size}pt, table(columns: ({cols}), align: (x, _) => ({aligns}).at(x) + horizon, fill: (_, y) => "
            f"if y == 0 {{ {fill_header} }}, stroke: 0.5pt + luma(90), {extra}\n"
            f"table.header({head}),\n{body}{',' if body else ''}))")


def table_document(sheet: OutputSheet, settings: dict | None = None, title: str = "") -> Document:
    """Any output sheet as a table (its charts after it), its title on top and in the header."""
    week = week_namer(settings) if "周开始" in sheet.columns else None
    fmts = sheet.number_formats or {}
    texts = [[cell_text(c, r[i] if i < len(r) else None, week, fmts.get(c, "")) for i, c in enumerate(sheet.columns)]
             for r in sheet.rows]
    numeric = []
    for i, _c in enumerate(sheet.columns):
        vals = [r[i] for r in sheet.rows if i < len(r) and not blank(r[i])]
        numeric.append(bool(vals) and all(is_number(v) for v in vals))
    widths = column_widths(sheet.columns, texts)
    title = title or sheet.title or sheet.name
    mark = state_mark(sheet)
    doc = Document(flipped=sum(widths) > 100, header=page_header(title + mark))
    doc.add(heading(sheet.name + mark, 15), "#v(0.3em)",
            f"#align(center, text(size: 9pt, {lit(title)}))", "#v(0.4em)")
    if sheet.rows:
        doc.add(table(sheet.columns, texts, numeric, widths, size=8.5 if len(sheet.columns) > 8 else 9))
    else:
        doc.add("#align(center, text(size: 10pt, \"（本表没有数据）\"))")
    for spec in sheet.charts:
        doc.add(chart_markup(spec, sheet, week))
    return doc


# --------------------------------------------------------------------------- 公示 (V-8)

def notice_document(sheet: OutputSheet, settings: dict) -> Document:
    """`公示-<Q|Y>` for the notice board (V-8): title, body with the 公示期 and the objection
    channel, the table (group, household, head, scores, total, rank, star, open objections,
    a blank 异议 column — never phone numbers or notes), signature and date."""
    keep = [c for c in sheet.columns if c not in ("公示开始", "公示结束")
            and not any(p in c for p in NOTICE_PRIVATE)]
    idx = [sheet.columns.index(c) for c in keep]
    start, end = sheet.notice
    village = str(settings.get("村名") or "")
    plabel = quarter_cn(sheet.period)
    version = f"（{sheet.status}）" if sheet.provisional else ""
    contact = str(settings.get("异议联系人") or "").strip()
    phone = str(settings.get("异议电话") or settings.get("联系电话") or "").strip()
    where = "村评议小组或村民委员会"
    if contact:
        where += f"（联系人：{contact}" + (f"，电话：{phone}）" if phone else "）")
    intro = (f"根据乡村治理积分制实施方案，现将本村{plabel}各农户积分评议结果予以公示{version}。"
             f"公示期自{cn_date(start)}至{cn_date(end)}。对评议结果有异议的，请在公示期内向{where}"
             "实名提出，并在“异议”栏登记；公示期满无异议的结果即为最终结果。")
    texts = [[cell_text(c, r[i] if i < len(r) else None) for c, i in zip(keep, idx)] for r in sheet.rows]
    numeric = [c not in ("组", "户号", "户主", "星级", "待复核", "异议") for c in keep]
    widths = [14 if c == "异议" else w for c, w in zip(keep, column_widths(keep, texts, cap=16))]
    title = f"{village}{plabel}农户积分公示{version}"
    doc = Document(flipped=True, header=page_header(title),
                   footer_left=f"公示期 {iso(start) or '____'} 至 {iso(end) or '____'}",
                   margin="(x: 1.5cm, top: 1.5cm, bottom: 1.5cm)")
    doc.add(heading(title, 20), "#v(0.6em)",
            f"#par(first-line-indent: (amount: 2em, all: true), leading: 0.8em, text(font: {fonts(FANG)}, size: 12pt, {lit(intro)}))",
            "#v(0.5em)")
    doc.add(table(keep, texts, numeric, widths, size=9.5, extra="inset: (x: 3pt, y: 2.6pt),"))
    doc.add("#v(1.2em)", "#block(breakable: false, align(right, text(size: 12pt)["
            f"#{lit(f'{village}村民委员会（盖章）')} \\ #v(0.4em) #{lit('公示日期：' + cn_date(start))}]))")
    return doc


# --------------------------------------------------------------------------- 存折 (L-8)

PASSBOOK_COLS = ["日期", "摘要", "积分", "累计积分", "可用余额"]


def passbook_groups(sheet: OutputSheet) -> list[tuple[str, str, list[list]]]:
    """(account, caption, rows) per account of a `存折-…` sheet: one account, or several each
    starting with a caption row (账户号 with no 日期 and no 积分)."""
    groups: list[tuple[str, str, list[list]]] = []
    cols = sheet.columns
    aid_col = cols.index("账户号") if "账户号" in cols else None
    at = {c: cols.index(c) for c in PASSBOOK_COLS if c in cols}
    for r in sheet.rows:
        aid = str(r[aid_col] or "") if aid_col is not None else ""
        if not groups or (aid_col is not None and groups[-1][0] != aid):
            groups.append((aid, "", []))
        vals = [r[at[c]] if c in at else None for c in PASSBOOK_COLS]
        if blank(vals[0]) and blank(vals[2]):
            groups[-1] = (groups[-1][0], str(vals[1] or ""), groups[-1][2])
            continue
        groups[-1][2].append(vals)
    if aid_col is None:
        groups = groups or [("", "", [])]
        groups[0] = (groups[0][0], groups[0][1] or sheet.name, groups[0][2])
    return groups


def passbook_document(aid: str, caption: str, rows: list[list], settings: dict, sheet: OutputSheet) -> Document:
    town = str(settings.get("镇名") or "")
    stamp = f"（数据截至 {iso(sheet.as_of)}）" if sheet.as_of else ""
    doc = Document(header=page_header(f"{town} 行为银行存折　{caption}"))
    doc.add(heading(f"{town}行为银行存折", 18), "#v(0.3em)",
            f"#align(center, text(size: 11pt, weight: \"bold\", {lit(caption)}))",
            f"#align(center, text(size: 9pt, {lit(stamp)}))", "#v(0.4em)")
    texts = [[iso(r[0]), str(r[1] or ""), num(r[2]), num(r[3]), num(r[4])] for r in rows]
    if not texts:
        texts = [["", "（暂无记录）", "", "", ""]]
    doc.add(table(PASSBOOK_COLS, texts, [False, False, True, True, True], [10, 52, 8, 9, 9], size=9.5))
    return doc


def passbook_documents(sheets: list[OutputSheet], settings: dict, which: str = "") -> list[Document]:
    """Each account its own document (its pages numbered alone); ``which``: an 账户号 or an
    account type (the sheet `存折-<type>`), empty for every account."""
    docs = []
    key = which.strip().casefold()
    for sheet in sheets:
        kind = sheet.name.split("-", 1)[1] if "-" in sheet.name else ""
        for aid, caption, rows in passbook_groups(sheet):
            if key and key not in (aid.casefold(), kind.casefold()):
                continue
            docs.append(passbook_document(aid, caption or aid, rows, settings, sheet))
    return docs


# --------------------------------------------------------------------------- 奖状 (S-11, V-10)

def certificate(head: str, salute: str, body: list[str | tuple[str]], award: str, signer: str, when: str) -> str:
    """One framed landscape certificate page. ``body``: text, and ``(phrase,)`` for a phrase
    kept on one line (学期总分 171.5 分, 被评为): Chinese line breaking may split anywhere else."""
    body_markup = " + ".join(f"box({lit(part[0])})" if isinstance(part, tuple) else lit(part) for part in body)
    k = fonts(KAI)
    return (
        "#block(width: 100%, height: 100%, stroke: 3pt + " + RED + ", inset: 6pt,"
        " block(width: 100%, height: 100%, stroke: 0.8pt + " + RED + ", inset: (x: 2.2cm, y: 1.2cm))["
        f"\n#v(0.6cm)\n#align(center, text(font: {fonts(HEI)}, size: 54pt, weight: \"bold\", fill: {RED}, {lit(head)}))"
        f"\n#v(0.9cm)\n#text(font: {k}, size: 22pt, weight: \"bold\", {lit(salute)})"
        f"\n#v(0.3cm)\n#par(first-line-indent: (amount: 2em, all: true), leading: 1em, text(font: {k}, size: 21pt, {body_markup}))"
        f"\n#v(0.5cm)\n#align(center, text(font: {k}, size: 38pt, weight: \"bold\", fill: {RED}, box({lit(award)})))"
        f"\n#v(1fr)\n#align(right, text(font: {k}, size: 18pt, {lit(signer)}))"
        f"\n#v(0.3cm)\n#align(right, text(font: {k}, size: 18pt, {lit(when)}))\n#v(0.3cm)\n])"
    )


def certificates_document(sheet: OutputSheet, settings: dict) -> tuple[Document, int]:
    """School `学期奖励` → 奖状 (S-11); village `星级评定-<Y>` → 文明户奖状 (V-10), dated with the
    sheet's ``issued`` (上报日期 or 公示结束, whichever is later) or a blank date line."""
    pages = []
    recs = [dict(zip(sheet.columns, r)) for r in sheet.rows]
    if "星级" in sheet.columns:
        village = str(settings.get("村名") or "")
        for r in recs:
            star = str(r.get("星级") or "")
            if star not in ("五星", "四星", "三星"):
                continue
            body = [f"在{village}{sheet.period}年度乡村治理积分制评星定级中，你户", (f"年度总分 {num(r.get('年度总分'))} 分",),
                    "，", (f"位列第 {num(r.get('名次'))} 名",), "，", ("被评为",)]
            pages.append(certificate("荣誉证书", f"{r.get('户主')} 户（{r.get('组') or ''}）：", body,
                                     str(r.get("奖牌") or f"{star}级文明户"), f"{village}村民委员会",
                                     cn_date(sheet.issued)))
    else:
        klass = str(settings.get("班级") or "")
        for r in recs:
            if blank(r.get("姓名")) or blank(r.get("奖项")):
                continue
            body = [f"在{sheet.period}班级积分制管理评比中，你以", (f"学期总分 {num(r.get('总分'))} 分",), "、",
                    (f"全班第 {num(r.get('名次'))} 名",), "的优异表现，", ("荣获",)]
            pages.append(certificate("奖　　状", f"{r.get('姓名')} 同学：", body, str(r.get("奖项")),
                                     f"{klass}　班主任：__________", cn_date(sheet.as_of)))
    doc = Document(flipped=True, numbered=False, margin="(x: 1.2cm, y: 1.2cm)")
    doc.add(*("\n#pagebreak()\n".join(pages),) if pages else ("#align(center, \"（没有获奖名单）\")",))
    return doc, len(pages)


def entries_text(lines: list[str], height_pt: float, width_pt: float) -> tuple[str, float]:
    """The month's entries and a font size so they fill their box without being cut; what
    does not fit at the smallest size is summed up (……另有 N 条，详见班级月报)."""
    for size in (10, 9, 8, 7):
        per_line = max(int(width_pt / size * 2), 10)        # half-width units per line
        capacity = int(height_pt / (size * 1.45))
        needed = sum(max(1, math.ceil(width(t) / per_line)) for t in lines)
        if needed <= capacity:
            return "\n".join(lines), size
        joined = "；".join(lines)
        if math.ceil(width(joined) / per_line) <= capacity:
            return joined, size
    size = 7
    per_line = int(width_pt / size * 2)
    capacity = int(height_pt / (size * 1.45))
    kept: list[str] = []
    for i, t in enumerate(lines):
        trial = "；".join(kept + [t]) + f"……另有 {len(lines) - i - 1} 条，详见班级月报"
        if math.ceil(width(trial) / per_line) > capacity:
            break
        kept.append(t)
    rest = len(lines) - len(kept)
    return "；".join(kept) + (f"……另有 {rest} 条，详见班级月报" if rest else ""), size
