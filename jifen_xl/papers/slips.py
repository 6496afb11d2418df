"""Papers handed to one person each, several to an A4 page with cut lines:

* ``家长通知单`` — the monthly parent slip from `月报` (S-10): two per page, one child each;
* ``家长通知书`` — the semester letter to parents (S-10, S-11): two per page;
* ``奖分通知单`` — one slip per entered claim (L-3 step 6): three per page;
* ``积分卡`` — a card per household, pupil or account: name, id, this period's total and
  rank, and a QR code (segno) carrying the same as plain text: eight per page;
and the ledger's ``公示栏`` (L-3 step 3) and ``分类排名`` (L-2), one document per village.

Every slip is a fixed-height block that cannot run into the next one (text is fitted or
summed up); pages are numbered per document.
"""
from __future__ import annotations

from datetime import date

from ..book.sheets import OutputSheet
from ..core.periods import month_cn, semester_cn
from ..core.ranking import RANK
from .layouts import (blank, cn_date, column_widths, entries_text, heading, iso, num, page_header,
                      state_mark, table, table_document)
from .typeset import FANG, HEI, Document, fonts, lit

SLIP_MARGIN = "(x: 1.5cm, top: 1.2cm, bottom: 1.4cm)"


def tie_counts(ranks) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in ranks:
        if not blank(v):
            out[num(v)] = out.get(num(v), 0) + 1
    return out


def rank_text(value, tied: dict[str, int], n_total: int, whole: str = "全班") -> str:
    """第 3 名（并列，与另 1 人同分，全班 49 人）: a shared rank says so (C-4)."""
    rank = num(value)
    if not rank:
        return ""
    others = tied.get(rank, 1) - 1
    tie = f"并列，与另 {others} 人同分，" if others > 0 else ""
    return f"第 {rank} 名（{tie}{whole} {n_total} 人）"


def _grid(cells: list[tuple[str, str]]) -> str:
    """A row of label/value boxes (本月加分 6 | 本月减分 2 …)."""
    cols = ", ".join("auto, 1fr" for _ in cells)
    body = ", ".join(f"table.cell(fill: luma(235), align: center, {lit(a)}), "
                     f"table.cell(align: center, text(weight: \"bold\", size: 11pt, {lit(b)}))" for a, b in cells)
    return f"#table(columns: ({cols}), inset: 5pt, stroke: 0.5pt + luma(90), {body})"


def _slips(blocks: list[str], per_page: int, height: str) -> list[str]:
    """Blocks of fixed height, ``per_page`` to a page, cut lines between them."""
    out = []
    for k, b in enumerate(blocks):
        out.append(f"#block(height: {height}, width: 100%, clip: true, breakable: false)[\n{b}\n]")
        if k % per_page != per_page - 1 and k + 1 < len(blocks):
            out.append("#cut")
        elif k + 1 < len(blocks):
            out.append("#pagebreak()")
    return out


# --------------------------------------------------------------------------- 家长通知单 (S-10)

def parent_slips(sheet: OutputSheet, settings: dict) -> tuple[Document, int]:
    """One 家长通知单 per pupil from `月报`, two per page (S-10); privacy: one child per slip."""
    recs = [dict(zip(sheet.columns, r)) for r in sheet.rows if not blank(r[sheet.columns.index("学号")])]
    klass = str(settings.get("班级") or "")
    tied = tie_counts(r.get(RANK) for r in recs)
    stamp = f"数据截至 {iso(sheet.as_of)}" if sheet.as_of else ""
    blocks = []
    for r in recs:
        lines = [p.strip() for p in str(r.get("明细") or "").replace(";", "；").split("；") if p.strip()]
        text, size = entries_text(lines or ["本月没有加减分记录。"], 118, 490)
        who = f"学号：{r.get('学号')}　　姓名："
        blocks.append("\n".join([
            heading(f"{klass}　{month_cn(str(r.get('月份') or sheet.period))}　学生积分家长通知单", 15),
            f"#grid(columns: (1fr, auto), text(size: 10.5pt, {lit(who)} + box({lit(r.get('姓名'))})),"
            f" text(size: 8.5pt, fill: luma(80), {lit(stamp)}))",
            "#v(2pt)",
            _grid([("本月加分", num(r.get("加分"))), ("本月减分", num(r.get("减分"))), ("本月净分", num(r.get("净分")))]),
            "#v(-4pt)",
            _grid([("累计总分", num(r.get("累计总分"))), ("班级名次", rank_text(r.get(RANK), tied, len(recs)))]),
            "#text(size: 10pt, weight: \"bold\", \"本月记录（日期 事项 分值）：\")",
            f"#block(width: 100%, height: 128pt, stroke: 0.5pt + luma(90), inset: 5pt, clip: true, "
            f"text(size: {size}pt, {lit(text)}))",
            "#block(width: 100%, height: 46pt, stroke: 0.5pt + luma(90), inset: 5pt, text(size: 10pt, \"家长评语：\"))",
            "#v(4pt)",
            "#text(size: 10pt, \"家长签名：________________　　　　日期：______年____月____日\")",
        ]))
    doc = Document(margin=SLIP_MARGIN)
    doc.add(*_slips(blocks, 2, "12.9cm") or ["#align(center, \"（月报中没有学生）\")"])
    return doc, len(recs)


# --------------------------------------------------------------------------- 家长通知书 (S-10, S-11)

def parent_letters(rows_result, settings: dict) -> tuple[Document, int]:
    """One 家长通知书 per pupil, two to a page (S-10, S-11); 暂定 while the semester runs."""
    paper_settings, rows, provisional = rows_result
    klass = str(paper_settings.get("班级") or settings.get("班级") or "")
    sem = paper_settings.get("_学期")
    label = semester_cn(sem.start if sem else None)
    tied = tie_counts(r[RANK] for r in rows)
    mark = "（暂定）" if provisional else ""
    blocks = []
    for r in rows:
        note = ("学期总分 = 基础分 + 本学期全部加分 − 全部减分（含集体加减分）。"
                + ("学期尚未结束，名次和奖励为暂定。" if provisional else ""))
        who = f"学号：{r['学号']}　　姓名："
        blocks.append("\n".join([
            heading(f"{klass}　{label}　家长通知书{mark}", 15),
            f"#text(size: 10.5pt, {lit(who)} + box({lit(r['姓名'])}))",
            "#v(2pt)",
            _grid([("学期总分", num(r["总分"])), ("班级名次", rank_text(r[RANK], tied, len(rows)))]),
            "#v(-4pt)",
            _grid([("期末奖励", r["奖项"] or "—")]),
            f"#text(size: 8.5pt, fill: luma(80), {lit(note)})",
            "#block(width: 100%, height: 120pt, stroke: 0.5pt + luma(90), inset: 5pt, text(size: 10pt, \"班主任评语：\"))",
            "#v(4pt)",
            "#text(size: 10pt, \"班主任签名：______________　　　　日期：______年____月____日\")",
            "#v(6pt)",
            "#text(size: 10pt, \"家长意见：________________________________________　家长签名：____________\")",
        ]))
    doc = Document(margin=SLIP_MARGIN, header=page_header("家长通知书（暂定）") if provisional else "")
    doc.add(*_slips(blocks, 2, "12.9cm") or ["#align(center, \"（没有学生）\")"])
    return doc, len(rows)


# --------------------------------------------------------------------------- ledger papers (L-3)

NOTICE_BOARD_COLS = ["编号", "账户号", "名称", "类型", "事项", "分值", "申报日期", "公示日期", "异议"]


def notice_board(rows_result, settings: dict) -> tuple[list[Document], int]:
    """`公示栏`: one notice per village of the claims in notice (L-3 step 3)."""
    paper_settings, by_village = rows_result
    town = str(paper_settings.get("镇名") or "")
    docs, n = [], 0
    for village, rows in sorted((by_village or {"": []}).items()):
        texts = [[cn_date(v) if isinstance(v, date) else num(v) for v in r] + [""] for r in rows]
        widths = [14 if c == "异议" else w for c, w in zip(NOTICE_BOARD_COLS, column_widths(NOTICE_BOARD_COLS, texts, 30))]
        title = f"{town}{village}积分申报公示"
        doc = Document(flipped=True, header=page_header(title))
        doc.add(heading(title, 20), "#v(0.5em)",
                f"#par(first-line-indent: (amount: 2em, all: true), text(font: {fonts(FANG)}, size: 12pt, "
                f"{lit('以下积分申报已经网格员初审，现予公示。对申报事项有异议的，请在公示期内向村民委员会或网格员实名反映，并在“异议”栏登记；公示无异议的，经干部审核后录入积分。')}))",
                "#v(0.4em)")
        if texts:
            doc.add(table(NOTICE_BOARD_COLS, texts, [c == "分值" for c in NOTICE_BOARD_COLS], widths, size=10.5))
        else:
            doc.add("#align(center, \"（目前没有公示中的申报）\")")
        doc.add("#v(1em)", f"#align(right, text(size: 12pt, {lit(f'{village or town}村民委员会')}))")
        docs.append(doc)
        n += len(rows)
    return docs, n


def _iso_prefix(when: str) -> str | None:
    """2026-12 / 2026-12-5 / 2026年12月 → an ISO prefix (2026-12, 2026-12-05); None: unreadable."""
    import re

    nums = [int(x) for x in re.findall(r"\d+", when)]
    if len(nums) >= 3:
        return f"{nums[0]:04d}-{nums[1]:02d}-{nums[2]:02d}"
    if len(nums) == 2:
        return f"{nums[0]:04d}-{nums[1]:02d}"
    if len(nums) == 1:
        return f"{nums[0]:04d}"
    return None


def award_slips(rows_result, settings: dict, when: str = "") -> tuple[Document, int]:
    """`奖分通知单`: one slip per entered claim, three to a page (L-3 step 6);
    `奖分通知单-2026-12` (or `-2026-12-05`) only the claims entered in that month (day)."""
    from .sources import Refused

    paper_settings, claims = rows_result
    if when:
        prefix = _iso_prefix(when)
        if prefix is None:
            raise Refused("", "请写成 奖分通知单-2026-12（按录入月份）或 奖分通知单-2026-12-05")
        claims = [c for c in claims if c["录入日期"].isoformat().startswith(prefix)]
    town = str(paper_settings.get("镇名") or "")
    blocks = []
    for c in claims:
        try:
            positive = float(c["分值"]) >= 0
        except (TypeError, ValueError):
            positive = True
        verb = "奖励积分" if positive else "扣减积分"
        shown = num(c["分值"] if positive else -float(c["分值"]))
        notice = f"于{cn_date(c['公示日期'])}起" if c["公示日期"] else ""
        body = (f"你（户）于{cn_date(c['申报日期'])}申报的“{c['事项']}”（{c['类别']}类），经网格员初审、"
                f"{notice}公示无异议、干部审核，已于{cn_date(c['录入日期'])}录入积分台账，{verb} {shown} 分，"
                "记入行为银行存折。")
        account = f"（{c['类型']}，账户号 {c['账户号']}）"
        claim_no = f"申报编号：{c['编号']}"
        signer = f"录入人：{c['录入人'] or '________'}　　　{town}{c['村']}村民委员会"
        blocks.append("\n".join([
            heading(f"{town}{c['村']} 积分{'奖分' if positive else '扣分'}通知单", 15),
            f"#grid(columns: (1fr, auto), text(size: 10.5pt, {lit('账户：')} + box({lit(c['名称'])}) + "
            f"{lit(account)}), text(size: 10.5pt, {lit(claim_no)}))",
            f"#block(width: 100%, stroke: 0.5pt + luma(90), inset: 6pt, par(first-line-indent: (amount: 2em, all: true), "
            f"text(font: {fonts(FANG)}, size: 11.5pt, {lit(body)})))",
            f"#align(right, text(size: 10.5pt, {lit(signer)}))",
            f"#align(right, text(size: 10.5pt, {lit(cn_date(c['录入日期']))}))",
        ]))
    doc = Document(margin=SLIP_MARGIN)
    doc.add(*_slips(blocks, 3, "8.35cm") or ["#align(center, \"（没有已录入的申报）\")"])
    return doc, len(claims)


CATEGORY_COLS = ["类别", "类型", RANK, "账户号", "名称", "所属村", "本类积分"]


def category_ranking(rows_result, settings: dict) -> tuple[Document, int]:
    """`分类排名`: the ranking per category and account type (L-2, C-4), one table."""
    paper_settings, rows, as_of = rows_result
    town = str(paper_settings.get("镇名") or "")
    title = f"{town}　积分分类排名（各类别内按账户类型排名，只列本类有积分的账户" + (f"；数据截至 {as_of}）" if as_of else "）")
    return table_document(OutputSheet("分类排名", CATEGORY_COLS, rows, title=title)), len(rows)


# --------------------------------------------------------------------------- 积分卡

def card_text(sheet: OutputSheet, r: dict, card: tuple[str, str, str, str], settings: dict) -> str:
    """What the QR code carries: plain text a phone's camera shows offline."""
    id_col, name_col, total_col, rank_col = card
    where = str(settings.get("班级") or settings.get("村名") or settings.get("镇名") or "")
    lines = [f"积分卡 {where}".strip(), f"{id_col}：{r.get(id_col)}", f"姓名：{r.get(name_col)}",
             f"{total_col}：{num(r.get(total_col))}", f"{RANK}：{num(r.get(rank_col))}"]
    if sheet.period:
        lines.append(f"期间：{sheet.period}")
    if sheet.provisional:
        lines.append(f"状态：{sheet.status}")
    return "\n".join(lines)


def qr_svg(text: str) -> bytes:
    import io

    import segno

    buf = io.BytesIO()
    # a fixed mask and no error-level boost: ~3x faster (segno tries all eight masks otherwise);
    # any mask decodes the same, level M tolerates a crease or a smudge on the card
    segno.make(text, error="m", micro=False, mask=0, boost_error=False).save(
        buf, kind="svg", scale=4, border=2, xmldecl=False, svgns=True)
    return buf.getvalue()


def score_cards(sheet: OutputSheet, settings: dict, card: tuple[str, str, str, str],
                files: dict[str, bytes]) -> tuple[Document, int]:
    """`积分卡`: a card per household / pupil / account, eight to a page with cut lines."""
    id_col, name_col, total_col, rank_col = card
    recs = [dict(zip(sheet.columns, r)) for r in sheet.rows]
    recs = [r for r in recs if not blank(r.get(id_col))]
    where = str(settings.get("班级") or settings.get("村名") or settings.get("镇名") or "")
    stamp = f"数据截至 {iso(sheet.as_of)}" if sheet.as_of else ""
    cells = []
    for k, r in enumerate(recs):
        name = f"qr{len(files) + 1}.svg"
        files[name] = qr_svg(card_text(sheet, r, card, settings))
        info = (f"stack(spacing: 5pt, text(font: {fonts(HEI)}, size: 10pt, weight: \"bold\", {lit(f'{where} 积分卡{state_mark(sheet)}')}),"
                f" text(size: 15pt, weight: \"bold\", box({lit(r.get(name_col))})),"
                f" text(size: 9pt, {lit(f'{id_col}：{r.get(id_col)}')}),"
                f" text(size: 10pt, {lit(f'{total_col}：{num(r.get(total_col))}')}),"
                f" text(size: 10pt, {lit(f'{RANK}：第 {num(r.get(rank_col))} 名')}),"
                f" text(size: 7.5pt, fill: luma(90), {lit(f'{sheet.period}　{stamp}'.strip())}))")
        cells.append(f"rect(width: 100%, height: 6.2cm, stroke: (dash: \"dashed\", paint: luma(120), thickness: 0.6pt), "
                     f"inset: 8pt, grid(columns: (1fr, 3.2cm), column-gutter: 6pt, align: horizon, {info}, "
                     f"image({lit(name)}, width: 3.2cm)))")
    doc = Document(margin="(x: 1.2cm, top: 1.2cm, bottom: 1.5cm)",
                   header=page_header(f"{where} 积分卡{state_mark(sheet)}"))
    if cells:
        doc.add("#grid(columns: (1fr, 1fr), column-gutter: 0pt, row-gutter: 0pt,\n" + ",\n".join(cells) + ")")
    else:
        doc.add("#align(center, \"（没有可制卡的名单）\")")
    return doc, len(recs)
