"""Papers the source names that `jifen print` had not printed yet (issue #16).

* ``家长通知书`` — the semester letter to parents (S-10, S-11): one per pupil, half an A4
  page each — semester total, rank in class (并列 said when shared), the award if any, a
  box for the head teacher's comment and a line for the parent's signature.
* ``公示栏`` — the ledger's claims under public notice (L-3 step 3): per village, account,
  item, points, dates of claim and notice, and a blank 异议 column; never the channel,
  phone numbers, the 时间地点事由 text or the evidence.
* ``奖分通知单`` — one slip per claim entered (L-3 step 6, 结果 通过 with a 录入日期),
  three to a page with cut lines.
* ``分类排名`` — the ledger ranking within each category (L-2) per account type (L-1),
  competition ranking (C-4).

Each layout receives the :class:`printbase.Documents` of the print job and adds one print
workbook per document, so page numbers restart for each document.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from .core.problems import InputError
from .core.ranking import RANK

PARENT_LETTER = "家长通知书"
NOTICE_BOARD = "公示栏"
AWARD_SLIPS = "奖分通知单"
CATEGORY_RANKING = "分类排名"


# --------------------------------------------------------------------------- reading

def _paper(path: Path, command: str, paper: str):
    """The rows behind ``paper``, computed by the workbook's scheme from the input sheets
    ``command`` reads (Scheme.papers), exactly as the command would read them."""
    from .app import find_action, scheme_named
    from .book.reader import WorkbookReader, workbook_sheet_names

    action = find_action(command, workbook_sheet_names(path))
    scheme = scheme_named(action.scheme) if action is not None else None
    if scheme is None or paper not in scheme.papers:
        raise InputError(f"“{Path(path).name}”不是这类工作簿，无法打印{paper}。")
    with WorkbookReader(path) as reader:
        sheets = reader.sheets(action.sheets_to_read())
    return scheme.papers[paper](sheets)


def _cn(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "　　年　　月　　日"


# --------------------------------------------------------------------------- 家长通知书 (S-10, S-11)

LETTER_COLS = [11, 15, 11, 15, 11, 15]
LETTER_ROWS = [30, 22, 24, 24, 22, 120, 26, 44, 20]     # sums to 332 pt: two per A4 page


def parent_letters(docs, src, request: str = "") -> int:
    """One 家长通知书 per pupil, two to a page with a cut line (S-10, S-11)."""
    from .core.periods import semester_cn
    from .printbase import _num, rank_text, _tie_counts

    settings, rows, provisional = _paper(src.path, "awards", PARENT_LETTER)
    klass = str(settings.get("班级") or src.settings.get("班级") or "")
    sem = settings.get("_学期")
    label = semester_cn(sem.start if sem else None)
    book = docs.new()
    ws = book.slip_sheet(PARENT_LETTER, LETTER_COLS)
    f = book.fmt
    title_f = f(bold=True, font_size=16, align="center")
    info_f = f(font_size=10)
    lab_f = f(font_size=10, border=1, align="center", bg_color="#EEF2F8")
    val_f = f(font_size=11, border=1, align="center", bold=True)
    box_f = f(font_size=10, border=1, valign="top", text_wrap=True)
    sign_f = f(font_size=10)
    note_f = f(font_size=9, font_color="#555555", text_wrap=True)
    cut_f = f(font_size=8, align="center", font_color="#888888")
    tied = _tie_counts(r[RANK] for r in rows)
    row, breaks = 0, []
    for k, r in enumerate(rows):
        h = LETTER_ROWS
        mark = "（暂定）" if provisional else ""
        ws.set_row(row, h[0])
        ws.merge_range(row, 0, row, 5, f"{klass}　{label}　家长通知书{mark}", title_f)
        ws.set_row(row + 1, h[1])
        ws.merge_range(row + 1, 0, row + 1, 5, f"学号：{r['学号']}　　姓名：{r['姓名']}", info_f)
        ws.set_row(row + 2, h[2])
        ws.write(row + 2, 0, "学期总分", lab_f)
        ws.write(row + 2, 1, _num(r["总分"]), val_f)
        ws.write(row + 2, 2, "班级名次", lab_f)
        ws.merge_range(row + 2, 3, row + 2, 5, rank_text(r[RANK], tied, len(rows)), val_f)
        ws.set_row(row + 3, h[3])
        ws.write(row + 3, 0, "期末奖励", lab_f)
        ws.merge_range(row + 3, 1, row + 3, 5, r["奖项"] or "—", val_f)
        ws.set_row(row + 4, h[4])
        ws.merge_range(row + 4, 0, row + 4, 5,
                       "学期总分 = 基础分 + 本学期全部加分 − 全部减分（含集体加减分）。"
                       + ("学期尚未结束，名次和奖励为暂定。" if provisional else ""), note_f)
        ws.set_row(row + 5, h[5])
        ws.merge_range(row + 5, 0, row + 5, 5, "班主任评语：", box_f)
        ws.set_row(row + 6, h[6])
        ws.merge_range(row + 6, 0, row + 6, 5, "班主任签名：______________　　　　日期：______年____月____日", sign_f)
        ws.set_row(row + 7, h[7])
        ws.merge_range(row + 7, 0, row + 7, 5,
                       "家长意见：________________________________________　家长签名：____________", sign_f)
        ws.set_row(row + 8, h[8])
        if k % 2 == 0:
            ws.merge_range(row + 8, 0, row + 8, 5,
                           "✂ - - - - - - - - - - - - - - - 沿此线剪开 - - - - - - - - - - - - - - -", cut_f)
        row += len(h)
        if k % 2 == 1 and k + 1 < len(rows):
            breaks.append(row)
    ws.set_h_pagebreaks(breaks)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, max(row - 1, 0), 5)
    return len(rows)


# --------------------------------------------------------------------------- ledger papers (L-3)

def notice_board(docs, src, request: str = "") -> int:
    """`公示栏`: one notice per village of the claims in notice (L-3 step 3)."""
    from .printbase import _num, _width

    settings, by_village = _paper(src.path, "ledger", NOTICE_BOARD)
    town = str(settings.get("镇名") or "")
    n = 0
    cols = ["编号", "账户号", "名称", "类型", "事项", "分值", "申报日期", "公示日期", "异议"]
    if not by_village:
        by_village = {"": []}
    for village, rows in sorted(by_village.items()):
        book = docs.new()
        ws = book.sheet(f"{NOTICE_BOARD}-{village}" if village else NOTICE_BOARD)
        ws.set_landscape()
        ws.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.6)
        ws.set_header(f"&C{town}{village} 积分申报公示栏")
        ws.set_footer("&C第 &P 页，共 &N 页")
        f = book.fmt
        texts = [[_num(v) if not isinstance(v, date) else _cn(v) for v in r] + [""] for r in rows]
        widths = []
        for j, c in enumerate(cols):
            w = max([_width(c)] + [_width(t[j]) for t in texts])
            widths.append(30 if c == "异议" else min(max(w + 3, 8), 44))
        for j, w in enumerate(widths):
            ws.set_column(j, j, w)
        last = len(cols) - 1
        ws.set_row(0, 40)
        ws.merge_range(0, 0, 0, last, f"{town}{village}积分申报公示", f(bold=True, font_size=20, align="center"))
        ws.set_row(1, 44)
        ws.merge_range(1, 0, 1, last,
                       "　　以下积分申报已经网格员初审，现予公示。对申报事项有异议的，请在公示期内向村民委员会"
                       "或网格员实名反映，并在“异议”栏登记；公示无异议的，经干部审核后录入积分。",
                       f(font_size=11, text_wrap=True, valign="top"))
        hdr = f(bold=True, border=1, align="center", bg_color="#D9E1F2", font_size=11)
        cell = f(border=1, align="center", font_size=11, text_wrap=True)
        for j, c in enumerate(cols):
            ws.write(2, j, c, hdr)
        for k, t in enumerate(texts):
            ws.set_row(3 + k, 22)
            for j, x in enumerate(t):
                ws.write_string(3 + k, j, x, cell)
        if not texts:
            ws.merge_range(3, 0, 3, last, "（目前没有公示中的申报）", cell)
        end = 3 + max(len(texts), 1)
        ws.set_row(end, 30)
        ws.merge_range(end, 0, end, last, f"{village or town}村民委员会", f(font_size=12, align="right"))
        ws.repeat_rows(2)
        ws.fit_to_pages(1, 0)
        ws.print_area(0, 0, end, last)
        n += len(rows)
    return n


def _iso_prefix(when: str) -> str:
    """2026-12 / 2026-12-5 / 2026年12月 → an ISO prefix (2026-12, 2026-12-05)."""
    import re

    nums = [int(x) for x in re.findall(r"\d+", when)]
    if len(nums) >= 3:
        return f"{nums[0]:04d}-{nums[1]:02d}-{nums[2]:02d}"
    if len(nums) == 2:
        return f"{nums[0]:04d}-{nums[1]:02d}"
    if len(nums) == 1:
        return f"{nums[0]:04d}"
    raise InputError(f"“{AWARD_SLIPS}-{when}”：请写成 奖分通知单-2026-12（按录入月份）或 奖分通知单-2026-12-05。")


SLIP_ROWS = [34, 22, 70, 24, 22, 24]      # 196 pt + cut row: three slips per A4 page


def award_slips(docs, src, request: str = AWARD_SLIPS) -> int:
    """`奖分通知单`: one slip per entered claim, three to a page with cut lines (L-3 step 6);
    `奖分通知单-2026-12` (or `-2026-12-05`) only the claims entered in that month (day)."""
    from .printbase import _num

    settings, claims = _paper(src.path, "ledger", AWARD_SLIPS)
    when = request[len(AWARD_SLIPS) + 1:] if request.startswith(AWARD_SLIPS + "-") else ""
    if when:
        claims = [c for c in claims if c["录入日期"].isoformat().startswith(_iso_prefix(when))]
    town = str(settings.get("镇名") or "")
    book = docs.new()
    ws = book.slip_sheet(AWARD_SLIPS, (14, 20, 14, 20, 14, 16), side=0.6, top=0.5)
    f = book.fmt
    title_f = f(bold=True, font_size=16, align="center")
    info_f = f(font_size=11)
    body_f = f(font_size=11, text_wrap=True, valign="top", border=1)
    sign_f = f(font_size=11, align="right")
    cut_f = f(font_size=8, align="center", font_color="#888888")
    row, breaks = 0, []
    for k, c in enumerate(claims):
        pts = c["分值"]
        try:
            positive = float(pts) >= 0
        except (TypeError, ValueError):
            positive = True
        verb = "奖励积分" if positive else "扣减积分"
        shown = _num(pts if positive else -float(pts))
        ws.set_row(row, SLIP_ROWS[0])
        ws.merge_range(row, 0, row, 5, f"{town}{c['村']} 积分{'奖分' if positive else '扣分'}通知单", title_f)
        ws.set_row(row + 1, SLIP_ROWS[1])
        ws.merge_range(row + 1, 0, row + 1, 3, f"账户：{c['名称']}（{c['类型']}，账户号 {c['账户号']}）", info_f)
        ws.merge_range(row + 1, 4, row + 1, 5, f"申报编号：{c['编号']}", info_f)
        ws.set_row(row + 2, SLIP_ROWS[2])
        body = (f"　　你（户）于{_cn(c['申报日期'])}申报的“{c['事项']}”（{c['类别']}类），经网格员初审、"
                f"{'于' + _cn(c['公示日期']) + '起' if c['公示日期'] else ''}公示无异议、干部审核，"
                f"已于{_cn(c['录入日期'])}录入积分台账，{verb} {shown} 分，记入行为银行存折。")
        ws.merge_range(row + 2, 0, row + 2, 5, body, body_f)
        ws.set_row(row + 3, SLIP_ROWS[3])
        ws.merge_range(row + 3, 0, row + 3, 5, f"录入人：{c['录入人'] or '________'}　　　{town}{c['村']}村民委员会", sign_f)
        ws.set_row(row + 4, SLIP_ROWS[4])
        ws.merge_range(row + 4, 0, row + 4, 5, _cn(c["录入日期"]), sign_f)
        ws.set_row(row + 5, SLIP_ROWS[5])
        if k % 3 != 2:
            ws.merge_range(row + 5, 0, row + 5, 5,
                           "✂ - - - - - - - - - - - - - - - 沿此线剪开 - - - - - - - - - - - - - - -", cut_f)
        row += len(SLIP_ROWS)
        if k % 3 == 2 and k + 1 < len(claims):
            breaks.append(row)
    if not claims:
        ws.merge_range(0, 0, 0, 5, "（没有已录入的申报）", info_f)
        row = 1
    ws.set_h_pagebreaks(breaks)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, max(row - 1, 0), 5)
    return len(claims)


CATEGORY_COLS = ["类别", "类型", RANK, "账户号", "名称", "所属村", "本类积分"]


def category_ranking(docs, src, request: str = "") -> int:
    """`分类排名`: the ranking per category and account type, as one printed table."""
    from .printbase import SourceSheet, _table_layout

    settings, rows, as_of = _paper(src.path, "ledger", CATEGORY_RANKING)
    town = str(settings.get("镇名") or "")
    title = f"{town}　积分分类排名（各类别内按账户类型排名，只列本类有积分的账户" + (f"；数据截至 {as_of}）" if as_of else "）")
    return _table_layout(docs.new(), SourceSheet(CATEGORY_RANKING, CATEGORY_COLS, rows, title))


# --------------------------------------------------------------------------- registry

LAYOUTS: dict[str, Callable] = {
    PARENT_LETTER: parent_letters,
    NOTICE_BOARD: notice_board,
    AWARD_SLIPS: award_slips,
    CATEGORY_RANKING: category_ranking,
}

# which workbook a layout belongs to: a sheet its workbook always has
KIND_SHEET = {PARENT_LETTER: "日志", NOTICE_BOARD: "申报", AWARD_SLIPS: "申报", CATEGORY_RANKING: "申报"}


def available(names: list[str]) -> list[str]:
    return [k for k, sheet in KIND_SHEET.items() if sheet in names]


def _base(request: str) -> str:
    """`奖分通知单-2026-12` → `奖分通知单` (a 录入 month or day after the name)."""
    return request.split("-", 1)[0]


def layout_for(request: str) -> Callable | None:
    base = _base(request)
    if base not in LAYOUTS or (base != request and base != AWARD_SLIPS):
        return None
    return LAYOUTS[base]


def known(request: str, names: list[str]) -> bool:
    """A layout of this module that this workbook can print."""
    return layout_for(request) is not None and KIND_SHEET[_base(request)] in names
