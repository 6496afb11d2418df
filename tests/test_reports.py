"""Print-ready PDFs (issue #9): every print layout of the demo data rendered by LibreOffice,
checked through its text (pdftotext) and page count; first pages kept as PNG artefacts.

The expected names, totals and dates are read from the demo workbooks' own output sheets
(the data the layouts must reproduce); the layouts' rules are SPEC S-10 (parent slips: one
child each, the month's entries, total, rank, comment box), S-11 (award certificates),
V-8 (notice with dates and where to object, no private columns), V-10 (三星及以上文明户
certificates), L-8 (passbook per account), L-9 and S-12 (charts print whole, one per page).
"""
from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import python_calamine as pc

from conftest import ARTIFACTS

pytestmark = [
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing"),
]



@pytest.fixture
def demo(demo_dir):
    return demo_dir


def pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def text(pdf: Path, page: int | None = None, layout: bool = True) -> str:
    cmd = ["pdftotext"] + (["-layout"] if layout else [])
    if page is not None:
        cmd += ["-f", str(page), "-l", str(page)]
    return subprocess.run(cmd + [str(pdf), "-"], capture_output=True, text=True).stdout


def sheet(book: Path, name: str) -> list[dict]:
    rows = pc.CalamineWorkbook.from_path(str(book)).get_sheet_by_name(name).to_python()
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def num(v) -> str:
    f = float(v)
    return str(int(f)) if f.is_integer() else str(f)


def squash(s: str) -> str:
    return "".join(s.split())


EXPECTED = ["乡村积分-示例-公示.pdf", "乡村积分-示例-分组统计.pdf", "乡村积分-示例-文明户奖状.pdf", "乡村积分-示例-星级评定.pdf",
            "班级积分-示例-奖状.pdf", "班级积分-示例-家长通知单.pdf", "班级积分-示例-月报与周趋势.pdf",
            "班级积分-示例-家长通知书.pdf", "积分台账-示例-公示栏与奖分通知单.pdf",     # issue #16
            "积分台账-示例-存折.pdf", "积分台账-示例-示范村指标与积分排名.pdf",
            "班级积分-示例-积分卡.pdf", "乡村积分-示例-积分卡.pdf", "积分台账-示例-积分卡.pdf"]     # issue #24


def test_demo_prints_every_layout_without_hash_marks(demo):
    pdfs = sorted(p.name for p in (demo / "报表").glob("*.pdf"))
    assert pdfs == sorted(EXPECTED)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name in EXPECTED:
        pdf = demo / "报表" / name
        assert "###" not in text(pdf, layout=True), name
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "2", str(pdf),
                            str(ARTIFACTS / ("报表-" + pdf.stem))], check=True)


def test_parent_slips_one_child_per_half_page_S10(demo):
    book = demo / "班级积分-示例.xlsx"
    report = sheet(book, "月报")
    pdf = demo / "报表" / "班级积分-示例-家长通知单.pdf"
    assert pages(pdf) == math.ceil(len(report) / 2) == 25          # 49 students, two per page
    for k in (0, 1, 2, 47, 48):
        r = report[k]
        page = squash(text(pdf, k // 2 + 1))
        assert f"学号：{r['学号']}姓名：{r['姓名']}" in page
        assert f"累计总分{num(r['累计总分'])}" in page
        assert f"第{num(r['名次'])}名（" in page and "全班49人）" in page     # 并列 when shared (#16)
        first_entry = r["明细"].split("；")[0] if r["明细"] else "本月没有加减分记录"
        assert squash(first_entry) in page
        assert "家长评语" in page and "家长签名" in page and "数据截至2027-01-22" in page
    # privacy: a page carries exactly its two slips — no other child's 学号
    page1 = squash(text(pdf, 1))
    assert page1.count("学号：") == 2
    assert all(r["学号"] not in page1 for r in report[2:])
    # hand check of the first slip (林佑若, January 2027): +6 −2 = 4, running total 114, rank 18
    assert squash("本月加分 6 本月减分 2 本月净分 4") in page1 and "第18名" in page1


def test_award_certificates_one_per_page_S11(demo):
    awards = sheet(demo / "班级积分-示例.xlsx", "学期奖励")
    pdf = demo / "报表" / "班级积分-示例-奖状.pdf"
    assert pages(pdf) == len(awards) == 15
    for k, r in enumerate(awards):
        page = squash(text(pdf, k + 1))
        assert f"{r['姓名']}同学" in page and r["奖项"] in page
        assert f"学期总分{num(r['总分'])}分、全班第{num(r['名次'])}名" in page
        assert "2026—2027学年第一学期" in page and "2027年1月22日" in page
    assert "尹诺浩同学" in squash(text(pdf, 1)) and "171.5" in text(pdf, 1)


def test_civilised_household_certificates_three_stars_and_up_V10(demo):
    stars = [r for r in sheet(demo / "乡村积分-示例.xlsx", "星级评定-2026") if r["星级"] in ("五星", "四星", "三星")]
    pdf = demo / "报表" / "乡村积分-示例-文明户奖状.pdf"
    assert pages(pdf) == len(stars) == 167
    for k in (0, 1, len(stars) - 1):
        r = stars[k]
        page = squash(text(pdf, k + 1))
        assert f"{r['户主']}户（{r['组']}）" in page
        assert f"年度总分{num(r['年度总分'])}分" in page and r["奖牌"] in page
        assert "龙雨庄村村民委员会" in page and "2026年12月" in page


def test_notice_board_dates_objections_and_no_private_columns_V8(demo):
    book = demo / "乡村积分-示例.xlsx"
    pdf = demo / "报表" / "乡村积分-示例-公示.pdf"
    whole = squash(text(pdf))
    q3 = sheet(book, "公示-2026Q3")
    start, end = q3[0]["公示开始"], q3[0]["公示结束"]
    assert f"公示期自{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日" in whole
    assert "龙雨庄村2026年第三季度农户积分公示" in whole
    # the demo's year is finished: every notice recorded in 公示记录 and reported (C-8)
    assert "龙雨庄村2026年第四季度农户积分公示" in whole and "龙雨庄村2026年度农户积分公示" in whole
    assert "预公示" not in whole
    assert "异议" in whole and "实名提出" in whole
    for private in ("电话", "手机", "备注", "证明材料", "人口"):
        assert private not in whole
    # every household of the quarter, in group order, with its total and rank
    layout = text(pdf, layout=True)
    lines = [ln.split() for ln in layout.splitlines()]
    found: dict = {}
    for ln in lines:          # the first notice in the PDF is the quarter's
        if len(ln) >= 7 and ln[0].endswith("组"):
            found.setdefault((ln[1], ln[2]), ln)
    for r in q3[:25] + q3[-5:]:
        ln = found[(r["户号"], r["户主"])]
        assert num(r["累计总分"]) in ln and num(r["名次"]) in ln
    # the header row is repeated on every page
    n = pages(pdf)     # three notices; scaled to the width of 16 columns (V-8) a page holds ~40 rows
    assert n >= 3 * math.ceil(len(q3) / 45)
    assert all("户主" in text(pdf, p) for p in (1, 2, n))


def test_passbooks_one_account_per_page_L8(demo):
    book = demo / "积分台账-示例.xlsx"
    pdf = demo / "报表" / "积分台账-示例-存折.pdf"
    names = [n for n in pc.CalamineWorkbook.from_path(str(book)).sheet_names if n.startswith("存折-")]
    accounts = []
    for name in names:
        rows = sheet(book, name)
        for r in rows:
            if r["日期"] == "" and r["积分"] == "":
                accounts.append((r["摘要"], []))
            else:
                accounts[-1][1].append(r)
    n = pages(pdf)
    assert n >= len(accounts) == 56
    whole = squash(text(pdf))
    for caption, rows in accounts:
        assert squash(caption) in whole
    caption, rows = accounts[0]
    page = squash(text(pdf, 1))
    assert squash(caption) in page and "行为银行存折" in page
    last = rows[-1]
    assert f"{last['日期'].isoformat()}" in page and squash(str(last["摘要"])) in page


def word_tops(pdf: Path, word: str) -> list[tuple[int, float]]:
    """(page, top y in points) of every occurrence of ``word`` (pdftotext -bbox)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    found, page = [], 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        elif f">{word}</word>" in line:
            found.append((page, float(re.search(r'yMin="([\d.]+)"', line).group(1))))
    return found


def test_charts_print_whole_one_per_page_S12_L9(demo):
    pdf = demo / "报表" / "班级积分-示例-月报与周趋势.pdf"
    n = pages(pdf)
    weeks = [f"第{k}周（" for k in range(1, len(sheet(demo / "班级积分-示例.xlsx", "周趋势")) + 1)]
    # each chart is drawn whole on one page (issue #24: Typst shapes): its title and every
    # week's bar label on that page
    for title in ("每周全班加分、减分与净分", "每周减分（按类别）"):
        on = [p for p in range(1, n + 1) if title in squash(text(pdf, p))]
        assert len(on) == 1, (title, on)
        assert all(w in squash(text(pdf, on[0])) for w in weeks), title      # 第3周（9月14日—20日）
    first = squash(text(pdf, 1))
    assert "林佑若" in first and "月报" in first
    # 分组统计 of Q3, Q4 and the year, each a table with its charts (V-4, V-7)
    groups = demo / "报表" / "乡村积分-示例-分组统计.pdf"
    assert pages(groups) == 3
    last = squash(text(groups, 3))
    assert "各组星级户数" in last and "五星" in last
    assert "一组" in squash(text(groups, 1)) and "平均总分" in squash(text(groups, 1))
    ind = demo / "报表" / "积分台账-示例-示范村指标与积分排名.pdf"
    t = squash(text(ind))
    # 曾巷村 35 of 320 residents redeemed (the demo's 农家乐餐券 added one: L-10) → 10.9%
    assert "各村兑换人数占比与30%目标" in t and "曾巷村" in t and "10.9%" in t and "目标占比" in t


def test_print_command_leaves_the_workbook_alone_and_needs_no_office_suite(demo, tmp_path, monkeypatch, capsys):
    """Issue #24: printing never starts LibreOffice (PATH without it); an unknown name is
    refused and listed while the rest prints (issue #23 item 15, exit 1)."""
    from jifen_xl.cli import main

    monkeypatch.setenv("PATH", "/nonexistent")
    book = demo / "班级积分-示例.xlsx"
    before = book.read_bytes()
    out = tmp_path / "单.pdf"
    assert main(["print", str(book), "家长通知单", "学期奖励", "-o", str(out)]) == 0
    assert book.read_bytes() == before
    assert "家长通知单 49 份" in capsys.readouterr().out
    monkeypatch.undo()
    assert pages(out) == 25 + 1
    assert main(["print", str(book), "没有这张表", "月报", "-o", str(out)]) == 1
    o, err = capsys.readouterr()
    assert "未打印“没有这张表”" in err and "月报 49 行" in o
