"""`jifen print`: print-ready PDFs of output sheets, rendered by LibreOffice (issue #9).

The user's workbook is only *read* (calamine, after the safety check). For each sheet asked
for, a dedicated print workbook is built in a temporary folder and LibreOffice converts it
to PDF (A4, header row repeated, page numbers, Chinese fonts from the system):

* ``家长通知单`` — monthly parent slips from `月报` (SPEC S-10): one student per half A4
  page, that student's entries of the month (`明细`), additions, deductions, net, running
  total and rank, and a box for the parent's comment and signature. A slip names one
  child only.
* ``奖状`` — certificates, one per landscape page: the semester award list `学期奖励`
  (S-11) in a class workbook, the 三星级及以上文明户 of the latest `星级评定-<Y>` (V-10) in a
  village workbook (``奖状-<Y>`` picks a year).
* ``公示-<Q|Y>`` — the village notice board (V-8): title, notice dates, where to object,
  then 组/户号/户主/totals/名次/星级 and a blank 异议 column — never phone numbers or notes.
* ``存折-…`` — passbooks (L-8): one account per page (a page break before each account).
* any other output sheet — the sheet as it is (with its native charts, redrawn from the
  cells through the package writer), e.g. `月报`, `周趋势`, `学期奖励`, `示范村指标`.

Dates in the PDFs come from the data (数据截至, 公示 dates), never from the clock (C-5).
"""
from __future__ import annotations

import math
import re
import tempfile
from datetime import date, datetime
from pathlib import Path

from .book import libreoffice as lo
from .core.periods import month_cn, quarter_cn
from .core.problems import InputError
from .core.ranking import RANK
from .printbase import (  # the print layer's shared building blocks
    SourceSheet,
    Source,
    _blank,
    load_source,
    _num,
    _cn_date,
    _iso,
    _as_of,
    _width,
    _semester_label,
    PrintBook,
    Documents,
    join_pdfs,
    _plain_layout,
    _tie_counts,
    rank_text,
)

PRINT_DIR = "报表"
SLIPS = "家长通知单"
CERTS = "奖状"
SPECIAL = (SLIPS, CERTS)


def _group_layout(book: PrintBook, src: Source, name: str) -> int:
    """`分组统计-<Q|Y>` derived at print time from `年度汇总`/`季度汇总` (V-4, V-7), charts included."""
    from .book.sheets import OutputSheet
    from .schemes import all_print_derived

    table = next(src.sheets[n] for n in _group_sources(name) if n in src.sheets)
    rows = [r for r in table.rows if not _blank(r[table.columns.index("组")])]
    out = all_print_derived()[GROUPS](OutputSheet(table.name, table.columns, rows, title=table.title),
                           name[len(GROUPS):])[0]
    book.wb.add_worksheet(out.name)
    book.used.add(out.name.casefold())
    book.plain.append(out)
    return len(out.rows)


# ---- parent slips (S-10) -----------------------------------------------------------------------

SLIP_COLS = [11, 15, 11, 15, 11, 15]
SLIP_HEIGHT = 372            # points per slip: two slips fit one A4 page with 1.2 cm margins
SLIP_FIXED = [30, 20, 22, 22, 18, 0, 72, 26, 20]   # row heights; index 5 = entries box
SLIP_ENTRY_MIN = 40


def _entry_lines(detail: str) -> list[str]:
    return [p.strip() for p in re.split(r"[；;]\s*", detail or "") if p.strip()]


def _fit_entries(lines: list[str], height: float, width_chars: float) -> tuple[str, int]:
    """Text and font size so the month's entries fill the box without being cut."""
    for size in (10, 9, 8, 7):
        per_line = max(int(width_chars * 10 / size), 10)     # half-width units per line
        capacity = int(height / (size * 1.35))
        needed = sum(max(1, math.ceil(_width(t) / per_line)) for t in lines)
        if needed <= capacity:
            return "\n".join(lines), size
        joined = "；".join(lines)
        if math.ceil(_width(joined) / per_line) <= capacity:
            return joined, size
    size = 7
    per_line = int(width_chars * 10 / size)
    capacity = int(height / (size * 1.35))
    kept: list[str] = []
    for i, t in enumerate(lines):
        trial = "；".join(kept + [t]) + f"……另有 {len(lines) - i - 1} 条，详见班级月报"
        if math.ceil(_width(trial) / per_line) > capacity:
            break
        kept.append(t)
    rest = len(lines) - len(kept)
    return "；".join(kept) + (f"……另有 {rest} 条，详见班级月报" if rest else ""), size


def slips_layout(book: PrintBook, src: Source) -> int:
    """One 家长通知单 per half A4 page from `月报` (S-10); privacy: one child per slip."""
    if "月报" not in src.sheets:
        raise InputError("工作簿中没有“月报”工作表，请先运行“月报”（jifen month）再打印家长通知单。")
    sh = src.sheets["月报"]
    recs = [r for r in sh.records() if not _blank(r.get("学号"))]
    klass = str(src.settings.get("班级") or "")
    as_of = _as_of(sh.title)
    n_total = len(recs)
    tied = _tie_counts(r.get(RANK) for r in recs)
    ws = book.slip_sheet(SLIPS, SLIP_COLS)
    f = book.fmt
    title_f = f(bold=True, font_size=16, align="center")
    info_f = f(font_size=10)
    info_r = f(font_size=9, align="right", font_color="#555555")
    lab_f = f(font_size=10, border=1, align="center", bg_color="#EEF2F8")
    val_f = f(font_size=11, border=1, align="center", bold=True)
    sec_f = f(font_size=10, bold=True)
    box_f = f(font_size=10, border=1, valign="top", text_wrap=True)
    sign_f = f(font_size=10)
    cut_f = f(font_size=8, align="center", font_color="#888888")
    width_chars = sum(SLIP_COLS) - 2
    entries_h = SLIP_HEIGHT - sum(SLIP_FIXED)
    row = 0
    breaks = []
    for k, r in enumerate(recs):
        month = str(r.get("月份") or "")
        mlabel = month_cn(month)
        hs = SLIP_FIXED
        ws.set_row(row, hs[0])
        ws.merge_range(row, 0, row, 5, f"{klass}　{mlabel}　学生积分家长通知单", title_f)
        ws.set_row(row + 1, hs[1])
        ws.merge_range(row + 1, 0, row + 1, 3, f"学号：{r.get('学号')}　　姓名：{r.get('姓名')}", info_f)
        ws.merge_range(row + 1, 4, row + 1, 5, f"数据截至 {as_of}" if as_of else "", info_r)
        ws.set_row(row + 2, hs[2])
        for j, (lab, key) in enumerate((("本月加分", "加分"), ("本月减分", "减分"), ("本月净分", "净分"))):
            ws.write(row + 2, 2 * j, lab, lab_f)
            ws.write(row + 2, 2 * j + 1, _num(r.get(key)), val_f)
        ws.set_row(row + 3, hs[3])
        ws.write(row + 3, 0, "累计总分", lab_f)
        ws.write(row + 3, 1, _num(r.get("累计总分")), val_f)
        ws.write(row + 3, 2, "班级名次", lab_f)
        ws.merge_range(row + 3, 3, row + 3, 5, rank_text(r.get(RANK), tied, n_total), val_f)
        ws.set_row(row + 4, hs[4])
        ws.merge_range(row + 4, 0, row + 4, 5, "本月记录（日期 事项 分值）：", sec_f)
        lines = _entry_lines(str(r.get("明细") or ""))
        text, size = _fit_entries(lines or ["本月没有加减分记录。"], entries_h - 6, width_chars)
        ws.set_row(row + 5, entries_h)
        ws.merge_range(row + 5, 0, row + 5, 5, text, f(font_size=size, border=1, valign="top", text_wrap=True))
        ws.set_row(row + 6, hs[6])
        ws.merge_range(row + 6, 0, row + 6, 5, "家长评语：", box_f)
        ws.set_row(row + 7, hs[7])
        ws.merge_range(row + 7, 0, row + 7, 5,
                       "家长签名：________________　　　　日期：______年____月____日", sign_f)
        ws.set_row(row + 8, hs[8])
        if k % 2 == 0:
            ws.merge_range(row + 8, 0, row + 8, 5, "✂ - - - - - - - - - - - - - - - 沿此线剪开 - - - - - - - - - - - - - - -", cut_f)
        row += len(hs)
        if k % 2 == 1 and k + 1 < len(recs):
            breaks.append(row)
    ws.set_h_pagebreaks(breaks)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, max(row - 1, 0), 5)
    return len(recs)


# ---- certificates (S-11, V-10) -----------------------------------------------------------------

def _certificate(book: PrintBook, ws, top: int, head: str, salute: str, body: str, award: str,
                 signer: str, when: str) -> int:
    f = book.fmt
    rows = [(40, ""), (80, "title"), (30, ""), (44, "salute"), (110, "body"), (70, "award"),
            (40, ""), (34, "signer"), (34, "when"), (20, "")]
    r = top
    for h, kind in rows:
        ws.set_row(r, h)
        if kind == "title":
            ws.merge_range(r, 1, r, 8, head, f(bold=True, font_size=48, align="center", font_color="#C00000"))
        elif kind == "salute":
            ws.merge_range(r, 1, r, 8, salute, f(font_size=22, bold=True))
        elif kind == "body":
            ws.merge_range(r, 1, r, 8, body, f(font_size=20, text_wrap=True, valign="top"))
        elif kind == "award":
            ws.merge_range(r, 1, r, 8, award, f(font_size=36, bold=True, align="center", font_color="#C00000"))
        elif kind == "signer":
            ws.merge_range(r, 1, r, 8, signer, f(font_size=18, align="right"))
        elif kind == "when":
            ws.merge_range(r, 1, r, 8, when, f(font_size=18, align="right"))
        r += 1
    return r


def _cert_sheet(book: PrintBook, name: str):
    ws = book.sheet(name)
    ws.set_landscape()
    ws.set_margins(left=0.6, right=0.6, top=0.6, bottom=0.5)
    ws.set_header("")
    ws.set_footer("")
    ws.hide_gridlines(2)
    ws.set_column(0, 0, 4)
    ws.set_column(1, 8, 14)
    ws.set_column(9, 9, 4)
    ws.fit_to_pages(1, 0)
    return ws


def certificates_layout(book: PrintBook, src: Source, which: str | None = None) -> int:
    """School: one certificate per `学期奖励` row (S-11). Village: 三星级及以上文明户 of
    `星级评定-<Y>` (V-10; ``which`` = Y, default the latest year)."""
    if "学期奖励" in src.sheets and which is None:
        sh = src.sheets["学期奖励"]
        klass = str(src.settings.get("班级") or "")
        sem = _semester_label(src.settings)
        when = _cn_date(_as_of(sh.title))
        ws = _cert_sheet(book, CERTS)
        top, breaks, n = 0, [], 0
        for r in sh.records():
            if _blank(r.get("姓名")) or _blank(r.get("奖项")):
                continue
            if n:
                breaks.append(top)
            body = (f"　　在{sem}班级积分制管理评比中，你以学期总分 {_num(r.get('总分'))} 分、"
                    f"全班第 {_num(r.get('名次'))} 名的优异表现，荣获")
            top = _certificate(book, ws, top, "奖　　状", f"{r.get('姓名')} 同学：", body,
                               str(r.get("奖项")), f"{klass}　班主任：__________", when)
            n += 1
        ws.set_h_pagebreaks(breaks)
        ws.print_area(0, 0, max(top - 1, 0), 9)
        return n
    stars = sorted((n for n in src.sheets if n.startswith("星级评定-")), reverse=True)
    if which:
        stars = [f"星级评定-{which}"] if f"星级评定-{which}" in src.sheets else []
    if not stars:
        raise InputError("工作簿中没有“学期奖励”或“星级评定-年度”工作表，请先运行“学期奖励”（jifen awards）"
                         "或“年度评星”（jifen year）再打印奖状；星级评定只在正式结果（公示期满无异议）后生成（SPEC C-8）。")
    sh = src.sheets[stars[0]]
    year = stars[0].split("-", 1)[1]
    village = str(src.settings.get("村名") or "")
    year_table = src.sheets.get(f"年度汇总-{year}")
    when = _cn_date(_as_of(sh.title) or _as_of(year_table.title if year_table else ""))
    ws = _cert_sheet(book, f"{CERTS}-{year}")
    top, breaks, n = 0, [], 0
    for r in sh.records():
        star = str(r.get("星级") or "")
        if star not in ("五星", "四星", "三星"):
            continue
        if n:
            breaks.append(top)
        medal = str(r.get("奖牌") or f"{star}级文明户")
        body = (f"　　在{village}{year}年度乡村治理积分制评星定级中，你户年度总分 {_num(r.get('年度总分'))} 分，"
                f"位列第 {_num(r.get('名次'))} 名，被评为")
        top = _certificate(book, ws, top, "荣 誉 证 书", f"{r.get('户主')} 户（{r.get('组') or ''}）：", body,
                           medal, f"{village}村民委员会", when)
        n += 1
    ws.set_h_pagebreaks(breaks)
    ws.print_area(0, 0, max(top - 1, 0), 9)
    return n


# ---- village notice board (V-8) ----------------------------------------------------------------

NOTICE_PRIVATE = ("电话", "手机", "联系方式", "备注", "证明材料", "身份证")


def notice_layout(book: PrintBook, sh: SourceSheet, settings: dict) -> int:
    """`公示-<Q|Y>` for the notice board: title, dates, where to object, the table (V-8).

    Shows what the source requires — group, household, head, totals, rank, star, open
    objections — and a blank 异议 column; columns that could carry private data are left out.
    """
    keep = [c for c in sh.columns if c not in ("公示开始", "公示结束")
            and not any(p in c for p in NOTICE_PRIVATE)]
    idx = [sh.columns.index(c) for c in keep]
    recs = sh.records()
    start = next((r.get("公示开始") for r in recs if not _blank(r.get("公示开始"))), None)
    end = next((r.get("公示结束") for r in recs if not _blank(r.get("公示结束"))), None)
    village = str(settings.get("村名") or "")
    period = sh.name.split("-", 1)[1] if "-" in sh.name else ""
    m = re.fullmatch(r"(\d{4})Q([1-4])", period)
    plabel = quarter_cn(period) if (m or period) else ""
    version = "（预公示）" if "预公示" in sh.title else ""
    contact = str(settings.get("异议联系人") or "").strip()
    phone = str(settings.get("异议电话") or settings.get("联系电话") or "").strip()
    where = "村评议小组或村民委员会"
    if contact:
        where += f"（联系人：{contact}" + (f"，电话：{phone}）" if phone else "）")
    intro = (f"　　根据乡村治理积分制实施方案，现将本村{plabel}各农户积分评议结果予以公示{version}。"
             f"公示期自 {_cn_date(start)} 至 {_cn_date(end)}。对评议结果有异议的，请在公示期内向{where}"
             "实名提出，并在“异议”栏登记；公示期满无异议的结果即为最终结果。")
    ws = book.sheet(sh.name)
    ws.set_landscape()
    ws.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.6)
    ws.set_header(f"&C{village}{plabel}积分公示".replace("&C&C", "&C"))
    ws.set_footer(f"&L公示期 {_iso(start)} 至 {_iso(end)}&R第 &P 页，共 &N 页")
    f = book.fmt
    widths = []
    for c, i in zip(keep, idx):
        w = max([_width(c)] + [_width(_num(r[i]) if not isinstance(r[i], (date, datetime)) else _iso(r[i]))
                               for r in sh.rows[:2000] if i < len(r)])
        widths.append(34 if c == "异议" else min(max(w + 3, 8), 30))
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    last = len(keep) - 1
    ws.set_row(0, 40)
    ws.merge_range(0, 0, 0, last, f"{village}{plabel}农户积分公示{version}",
                   f(bold=True, font_size=20, align="center"))
    ws.set_row(1, 58)
    ws.merge_range(1, 0, 1, last, intro, f(font_size=11, text_wrap=True, valign="top"))
    hdr = f(bold=True, border=1, align="center", bg_color="#D9E1F2", font_size=11)
    cell = f(border=1, align="center", font_size=11)
    for j, c in enumerate(keep):
        ws.write(2, j, c, hdr)
    for k, r in enumerate(sh.rows):
        ws.set_row(3 + k, 20)
        for j, i in enumerate(idx):
            v = r[i] if i < len(r) else None
            ws.write(3 + k, j, _iso(v) if isinstance(v, (date, datetime)) else _num(v), cell)
    n = len(sh.rows)
    ws.set_row(3 + n, 30)
    ws.merge_range(3 + n, 0, 3 + n, last,
                   f"{village}村民委员会　　　　公示日期：{_cn_date(start)}",
                   f(font_size=12, align="right"))
    ws.repeat_rows(2)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, 3 + n, last)
    return n


# ---- passbooks (L-8) ---------------------------------------------------------------------------

PASSBOOK_COLS = ["日期", "摘要", "积分", "累计积分", "可用余额"]


def passbook_groups(sh: SourceSheet) -> list[tuple[str, str, list[list]]]:
    """(account, caption, rows) per account of a `存折-…` sheet (one account, or several
    separated by caption rows with an `账户号` column)."""
    groups: list[tuple[str, str, list[list]]] = []
    aid_col = sh.col("账户号")
    for r in sh.records():
        aid = str(r.get("账户号") or "") if aid_col is not None else ""
        if not groups or (aid_col is not None and groups[-1][0] != aid):
            groups.append((aid, "", []))
        if _blank(r.get("日期")) and _blank(r.get("积分")):
            caption = str(r.get("摘要") or "")
            groups[-1] = (groups[-1][0], caption, groups[-1][2])
            continue
        groups[-1][2].append([r.get(c) for c in PASSBOOK_COLS])
    if aid_col is None and groups and not groups[0][1]:
        m = re.search(r"行为银行存折\s*(.*)$", sh.title or "")
        groups[0] = (groups[0][0], m.group(1).strip() if m else sh.name, groups[0][2])
    return groups


def passbook_layout(docs: Documents, sh: SourceSheet, settings: dict) -> int:
    """`存折-…`: each account's passbook is its own document — chronological entries,
    redemptions, balance (L-8), its pages numbered 第 1 页，共 N 页 of that passbook."""
    groups = passbook_groups(sh)
    for aid, caption, rows in groups:
        _one_passbook(docs.new(), sh.name if not aid else f"存折-{aid}", caption or aid, rows, settings)
    return len(groups)


def _one_passbook(book: PrintBook, name: str, caption: str, rows: list[list], settings: dict) -> None:
    town = str(settings.get("镇名") or "")
    ws = book.sheet(name)
    ws.set_portrait()
    ws.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.6)
    ws.set_header(f"&C{town} 行为银行存折　{caption}".replace("&", "&&").replace("&&C", "&C", 1)[:250])
    ws.set_footer("&C第 &P 页，共 &N 页")
    for j, w in enumerate((12, 52, 9, 10, 10)):
        ws.set_column(j, j, w)
    f = book.fmt
    title_f = f(bold=True, font_size=18, align="center")
    cap_f = f(font_size=11, bold=True)
    hdr = f(bold=True, border=1, align="center", bg_color="#D9E1F2")
    txt = f(border=1, text_wrap=True, font_size=10)
    num = f(border=1, align="right", font_size=10)
    ctr = f(border=1, align="center", font_size=10)
    ws.set_row(0, 32)
    ws.merge_range(0, 0, 0, 4, "行为银行存折", title_f)
    ws.set_row(1, 22)
    ws.merge_range(1, 0, 1, 4, caption, cap_f)
    for j, c in enumerate(PASSBOOK_COLS):
        ws.write(2, j, c, hdr)
    row = 3
    for r in rows:
        text = str(r[1] or "")
        lines = max(1, math.ceil(_width(text) / 60))
        ws.set_row(row, 16 * lines + 2)
        ws.write(row, 0, _iso(r[0]), ctr)
        ws.write(row, 1, text, txt)
        for j in (2, 3, 4):
            ws.write(row, j, _num(r[j]), num)
        row += 1
    if not rows:
        ws.merge_range(row, 0, row, 4, "（暂无记录）", ctr)
        row += 1
    ws.repeat_rows(2)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, max(row - 1, 0), 4)


# --------------------------------------------------------------------------- the print command

def needed_sheets(names: list[str], requested: list[str]) -> list[str]:
    """Sheets to read for the layouts asked for."""
    from . import documents as extra

    out = []
    for r in requested:
        if extra.layout_for(r) is not None:
            continue                       # they read the workbook's input sheets themselves
        if r == SLIPS:
            out.append("月报")
        elif r == CERTS or r.startswith(CERTS + "-"):
            out += [n for n in names if n == "学期奖励" or n.startswith(("星级评定-", "年度汇总-"))]
        elif r.startswith(GROUPS) and r not in names:
            out += [n for n in _group_sources(r) if n in names][:1]
        else:
            out.append(r)
    return out


GROUPS = "分组统计-"


def _group_sources(name: str) -> list[str]:
    label = name[len(GROUPS):]
    return [f"年度汇总-{label}", f"季度汇总-{label}"]


def check_requested(names: list[str], requested: list[str]) -> None:
    from . import documents as extra

    missing = [r for r in requested if r not in SPECIAL and not extra.known(r, names) and not r.startswith(CERTS + "-") and r not in names
               and not (r.startswith(GROUPS) and any(n in names for n in _group_sources(r)))]
    if missing:
        why = ("星级评定只在正式结果（公示期满无异议）后生成。"
               if any(m.startswith("星级评定-") for m in missing) else "")
        raise InputError(f"工作簿中没有工作表：{'、'.join(missing)}。{why}可打印的有：{'、'.join(printable(names))}。")


def printable(names: list[str]) -> list[str]:
    """What `jifen print` can print for a workbook with these sheets (shown in messages)."""
    from .schemes import SCHEMES

    inputs = {"说明"} | {name for s in SCHEMES for name in s.inputs}
    out = [n for n in names if n not in inputs]
    out += [GROUPS + n.split("-", 1)[1] for n in names if n.startswith(("年度汇总-", "季度汇总-"))
            and GROUPS + n.split("-", 1)[1] not in names]
    if "月报" in names:
        out.append(SLIPS)
    if "学期奖励" in names or any(n.startswith("星级评定-") for n in names):
        out.append(CERTS)
    from . import documents as extra
    return out + extra.available(names)


def refuse_provisional(src: Source, requested: list[str]) -> None:
    """C-8: the award list and certificates only from a final result — a 暂定 `学期奖励`
    (S-11) or a 预公示 `星级评定` (V-8) is refused with the reason its computation gave."""
    for r in requested:
        names = []
        if r in ("学期奖励", CERTS) and "学期奖励" in src.sheets:
            names.append("学期奖励")
        if r.startswith("星级评定-") or (r.startswith(CERTS) and "学期奖励" not in src.sheets):
            names += [n for n in src.sheets if n.startswith("星级评定-")
                      and (r in (CERTS, n) or r == f"{CERTS}-{n.split('-', 1)[1]}")]
        for n in names:
            sh = src.sheets[n]
            states = sh.col("状态")
            provisional = "暂定" in sh.title or "预公示" in sh.title or (
                states is not None and any(row[states] == "暂定" for row in sh.rows if states < len(row)))
            if provisional:
                m = re.search(r"【暂定：(.*?)[，,]期末前", sh.title or "")
                why = m.group(1) if m else "结果还不是正式结果"
                what = "奖状" if r.startswith(CERTS) else n
                raise InputError(f"“{n}”是暂定结果（{why}），不能打印{what}："
                                 + ("日志记到学期结束后重新运行“学期奖励”（jifen awards）再打印。" if n == "学期奖励" else
                                    "公示期满无异议、生成正式结果后再打印。"))


def build_documents(src: Source, requested: list[str], docs: Documents) -> dict[str, int]:
    """Print workbooks for ``requested`` layouts, one per document; return {layout: items}."""
    from . import documents as extra

    refuse_provisional(src, requested)

    counts: dict[str, int] = {}
    for r in requested:
        if r == SLIPS:
            counts[r] = slips_layout(docs.new(), src)
        elif r == CERTS or r.startswith(CERTS + "-"):
            counts[r] = certificates_layout(docs.new(), src, r.split("-", 1)[1] if "-" in r else None)
        elif extra.layout_for(r) is not None:
            counts[r] = extra.layout_for(r)(docs, src, r)
        elif r.startswith("公示-"):
            counts[r] = notice_layout(docs.new(), src.sheets[r], src.settings)
        elif r.startswith("存折-"):
            counts[r] = passbook_layout(docs, src.sheets[r], src.settings)
        elif r.startswith(GROUPS) and r not in src.sheets:
            counts[r] = _group_layout(docs.new(), src, r)
        else:
            counts[r] = _plain_layout(docs.new(), src.sheets[r], src.settings)
    return counts


def build_print_book(src: Source, requested: list[str], target: Path) -> dict[str, int]:
    """Every layout of ``requested`` as print workbooks next to ``target`` (one per document)."""
    docs = Documents(Path(target).parent, Path(target).stem)
    counts = build_documents(src, requested, docs)
    docs.close()
    return counts


def default_pdf(path: Path, requested: list[str]) -> Path:
    label = "、".join(requested) if len(requested) <= 3 else f"{requested[0]}等{len(requested)}项"
    return path.with_name(f"{path.stem}-{label}.pdf")


def print_jobs(jobs: list[tuple[Path, list[str], Path]]) -> list[tuple[Path, dict[str, int]]]:
    """Render several (workbook, layouts, pdf) jobs with one LibreOffice run; each document
    is converted on its own (its own page numbers) and each job's documents joined in order."""
    if lo.soffice() is None:
        raise InputError(lo.INSTALL_HINT)
    from .book.reader import workbook_sheet_names

    results = []
    with tempfile.TemporaryDirectory(prefix="jifen-print-") as tmp:
        tmpdir = Path(tmp)
        per_job: list[list[Path]] = []
        for k, (path, requested, pdf) in enumerate(jobs):
            names = workbook_sheet_names(path)
            check_requested(names, requested)
            src = load_source(path, needed_sheets(names, requested))
            docs = Documents(tmpdir, f"job{k + 1:03d}")
            counts = build_documents(src, requested, docs)
            per_job.append(docs.close())
            results.append((pdf, counts))
        every = [b for books in per_job for b in books]
        made = lo.convert_many(every, "pdf", tmpdir / "pdf", timeout=max(600.0, 60.0 + 15.0 * len(every)))
        i = 0
        for (pdf, _), books in zip(results, per_job):
            join_pdfs(made[i:i + len(books)], pdf)
            i += len(books)
    return results


def print_sheets(path: Path, requested: list[str], out: Path | None = None) -> tuple[Path, dict[str, int]]:
    """`jifen print FILE SHEET… [-o out.pdf]`: one PDF with every layout asked for."""
    path = Path(path)
    pdf = Path(out) if out is not None else default_pdf(path, requested)
    if pdf.suffix.lower() != ".pdf":
        pdf = pdf.with_name(pdf.name + ".pdf")
    (made, counts), = print_jobs([(path, requested, pdf)])
    return made, counts


def run_print(path: Path, requested: list[str], out: Path | None = None) -> int:
    """The CLI door: prints a summary; InputError (missing LibreOffice …) → caller exits 2."""
    pdf, counts = print_sheets(path, requested, out)
    parts = []
    for name, n in counts.items():
        unit = {"家长通知单": "份", "奖状": "张"}.get(name.split("-")[0], "行")
        if name.startswith("存折-"):
            unit = "个账户"
        parts.append(f"{name} {n} {unit}")
    print(f"已生成 {pdf}：{'，'.join(parts)}")
    return 0


# --------------------------------------------------------------------------- demo

def demo_reports(folder: Path) -> list[Path]:
    """`jifen demo`: every print layout of the sample workbooks into ``<folder>/报表/*.pdf``."""
    from .book.reader import workbook_sheet_names

    from . import documents as extra
    from .schemes import SCHEMES

    folder = Path(folder)
    jobs = []
    layouts_of = [(s.label, job.layouts, job.label) for s in SCHEMES for job in s.print_jobs]
    for prefix, wanted, label in layouts_of:
        for path in sorted(folder.glob(f"{prefix}*.xls[xm]")):
            names = workbook_sheet_names(path)
            layouts = []
            for w in wanted:
                if w == GROUPS + "*":           # derived from each 季度汇总/年度汇总
                    layouts += [GROUPS + n.split("-", 1)[1] for n in names
                                if n.startswith(("季度汇总-", "年度汇总-"))]
                elif w.endswith("*"):
                    layouts += [n for n in names if n.startswith(w[:-1])]
                elif extra.known(w, names):
                    layouts.append(w)
                elif w in SPECIAL or w in names:
                    if w == CERTS and "学期奖励" not in names and not any(n.startswith("星级评定-") for n in names):
                        continue
                    if w == SLIPS and "月报" not in names:
                        continue
                    layouts.append(w)
            if layouts:
                jobs.append((path, layouts, folder / PRINT_DIR / f"{path.stem}-{label}.pdf"))
    if not jobs:
        return []
    if lo.soffice() is None:
        print(lo.INSTALL_HINT)
        return []
    done = print_jobs(jobs)
    print(f"jifen print：{len(done)} 个 PDF（{'、'.join(pdf.stem.split('-', 2)[-1] for pdf, _ in done)}）")
    return [pdf for pdf, _ in done]
