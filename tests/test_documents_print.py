"""What people receive (issue #16), rendered by LibreOffice and read page by page (pdftotext):
page numbers restart for each document inside one PDF, parent slips carry each entry's note
and say 并列 when a rank is shared, the semester 家长通知书, and the ledger's 公示栏,
奖分通知单 and 分类排名 (SPEC S-10, S-11, C-4, L-3, L-2).

Workbooks are typed from WORKBOOKS.md (tests/contract.py, tests/test_ledger.py). Hand-made
facts used below:
* the contract class (September 2026) plus one row: 1003 Q16 +4.5 "组织板报获校一等". Then
  1003 = 80 + 1 (T11 全班) − 0.5 (W11 宿舍:302) + 4.5 = 85 (X07 reversed by 冲正 counts 0)
  and 1005 (cadre, base 85) = 85 + 1 − 0.5×2 = 85: a tie, both rank 1 of four (C-4).
* the ledger town of test_ledger: 12 claims entered 通过 → 12 奖分通知单, three a page → 4
  pages; one more claim posted for notice (公示日期, no 审核) with a phone number in its
  时间地点事由 and a photo as evidence, neither of which may appear on the 公示栏.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from contract import scenario_class, write_xlsx
from jifen_xl.cli import main

pytestmark = [
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing"),
]


def pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def page_text(pdf: Path, page: int) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True).stdout
    return "".join(out.split())


def page_numbers(pdf: Path) -> list[tuple[int, int]]:
    """(第 x 页, 共 n 页) printed on each page, in order."""
    out = []
    for p in range(1, pages(pdf) + 1):
        m = re.findall(r"第(\d+)页，共(\d+)页", page_text(pdf, p))
        assert len(m) == 1, (p, m)
        out.append((int(m[0][0]), int(m[0][1])))
    return out


def documents(numbers: list[tuple[int, int]]) -> list[int]:
    """Page counts of the documents a PDF holds, from its page numbers; asserts that each
    document counts 1…N with the same N on every page."""
    docs, i = [], 0
    while i < len(numbers):
        n = numbers[i][1]
        assert numbers[i:i + n] == [(k, n) for k in range(1, n + 1)], numbers[i:i + n]
        docs.append(n)
        i += n
    return docs


@pytest.fixture(scope="module")
def school(tmp_path_factory):
    data = scenario_class()
    data["日志"].insert(-2, [date(2026, 9, 18), 1003, None, "Q16", None, 1, 4.5, "班主任", "组织板报获校一等", 13, None])
    book = write_xlsx(tmp_path_factory.mktemp("school") / "班级.xlsx", data)
    assert main(["month", str(book), "--month", "2026-09"]) == 0
    assert main(["awards", str(book)]) == 0
    pdf = book.with_name("文书.pdf")
    assert main(["print", str(book), "家长通知单", "月报", "家长通知书", "-o", str(pdf)]) == 0
    return book, pdf


def test_page_numbers_restart_for_each_document_in_one_pdf(school):
    _, pdf = school
    # 4 slips (2 pages), the 月报 table (1 page), 4 letters (2 pages): three documents
    assert documents(page_numbers(pdf)) == [2, 1, 2]


def test_parent_slip_shows_the_note_of_a_discretionary_entry_and_shared_ranks_S10_C4(school):
    _, pdf = school
    slips = page_text(pdf, 1) + page_text(pdf, 2)
    one = slips[slips.index("学号：1003"):]
    one = one[:one.index("家长签名")]
    assert "王五" in one and "9/18视情况加减分（组织板报获校一等）+4.5" in one
    assert "第1名（并列，与另1人同分，全班4人）" in one
    five = slips[slips.index("学号：1005"):]
    assert "第1名（并列，与另1人同分，全班4人）" in five[:five.index("家长签名")]
    # 1001 and 1002 both 79 → both third (1224 ranking), both say so
    for sid in ("1001", "1002"):
        part = slips[slips.index(f"学号：{sid}"):]
        assert "第3名（并列，与另1人同分，全班4人）" in part[:part.index("家长签名")]
    assert "2026年9月" in slips and "2026-09" not in slips.replace("数据截至2026-09", "")


def test_semester_parent_letter_one_per_pupil_S11(school):
    _, pdf = school
    letters = page_text(pdf, 4) + page_text(pdf, 5)
    assert letters.count("学号：") == 4 and letters.count("班主任评语") == 4
    assert "2026—2027学年第一学期" in letters
    for sid, name in (("1001", "张三"), ("1002", "李四"), ("1003", "王五"), ("1005", "钱七")):
        assert f"学号：{sid}" in letters and f"姓名：{name}" in letters
    wang = letters[letters.index("学号：1003"):]
    wang = wang[:wang.index("班主任评语")]
    assert "王五" in wang and "85" in wang and "学期总分" in wang and "一等奖" in wang
    assert "第1名（并列，与另1人同分，全班4人）" in wang
    # the log stops on 9/18, the semester on 9/30: the letter says its results are provisional (C-8)
    assert "家长通知书（暂定）" in letters and "学期尚未结束" in letters
    # privacy: each page carries two pupils
    assert page_text(pdf, 4).count("学号：") == 2


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    from test_ledger import CLAIM_HEADER, claim, scenario

    data = scenario()
    row = claim(16, "A02", "R02", date(2026, 10, 3), upto=3, result=None)
    row[CLAIM_HEADER.index("时间地点事由")] = "10月1日村口，电话13912345678"
    row[CLAIM_HEADER.index("证据")] = "现场照片.jpg"
    data["申报"].append(row)
    book = write_xlsx(tmp_path_factory.mktemp("ledger") / "台账.xlsx", data)
    assert main(["ledger", str(book)]) == 0
    assert main(["passbook", str(book), "--all"]) == 0
    pdf = book.with_name("台账文书.pdf")
    assert main(["print", str(book), "公示栏", "奖分通知单", "分类排名", "存折-村民", "-o", str(pdf)]) == 0
    return book, pdf


def test_ledger_papers_number_each_document_and_each_passbook(ledger):
    _, pdf = ledger
    # 公示栏 of 东村 (1 page), 12 奖分通知单 (4 pages), 分类排名 (1 page), four 村民 passbooks
    assert documents(page_numbers(pdf)) == [1, 4, 1, 1, 1, 1, 1]
    for p, (aid, name) in zip(range(7, 11), (("A01", "张三"), ("A02", "李四"), ("A06", "钱七"), ("A07", "孙八"))):
        t = page_text(pdf, p)
        assert "行为银行存折" in t and aid in t and name in t
        assert all(other not in t for other in ("张三", "李四", "钱七", "孙八") if other != name)


def test_notice_board_lists_claims_in_notice_without_phone_or_evidence_L3(ledger):
    _, pdf = ledger
    board = page_text(pdf, 1)
    assert "曾集镇东村积分申报公示" in board
    assert "16A02李四村民义务清扫3" in board and "2026年10月3日" in board and "异议" in board
    for private in ("13912345678", "电话", "照片", "微信", "村口"):
        assert private not in board
    # decided or entered claims are not on the board
    assert "张三" not in board and "赵六" not in board


def test_award_slip_per_entered_claim_L3(ledger):
    _, pdf = ledger
    slips = "".join(page_text(pdf, p) for p in range(2, 6))
    assert slips.count("奖分通知单") == 12
    assert "账户：赵六（党员，账户号A04）" in slips and "获市级表彰" in slips and "奖励积分10分" in slips
    assert "已于2026年5月20日录入积分台账" in slips
    assert "虚假" not in slips and "驳回" not in slips


def test_category_ranking_with_shared_ranks_L2_C4(ledger):
    _, pdf = ledger
    t = page_text(pdf, 6)
    # 村建设 村民: A01, A02, A06 each 3 → all rank 1 (competition ranking); 家庭 A03 6 → 1
    for aid, name in (("A01", "张三"), ("A02", "李四"), ("A06", "钱七")):
        assert f"村建设村民1{aid}{name}" in t
    assert "村建设家庭1A03王家" in t
    assert "奖励惩罚党员1A04赵六" in t


def test_slip_month_filter(ledger, tmp_path):
    book, _ = ledger
    pdf = tmp_path / "三月.pdf"
    assert main(["print", str(book), "奖分通知单-2026-03", "-o", str(pdf)]) == 0
    text = "".join(page_text(pdf, p) for p in range(1, pages(pdf) + 1))
    # entered in March: claims 2, 5, 8, 13 (see test_ledger's scenario)
    assert text.count("奖分通知单") == 4 and pages(pdf) == 2
    assert all(f"申报编号：{n}" in text for n in (2, 5, 8, 13))


def test_rank_text_says_tied_only_when_shared_C4():
    from jifen_xl.papers.slips import rank_text

    tied = {"1": 1, "2": 2}
    assert rank_text(1, tied, 3) == "第 1 名（全班 3 人）"
    assert rank_text(2.0, tied, 3) == "第 2 名（并列，与另 1 人同分，全班 3 人）"
    assert rank_text(None, tied, 3) == ""


def test_printed_week_and_month_columns_read_as_periods(school, tmp_path):
    """周开始 and 月份 cells stay machine-readable in the workbook; on paper they read
    第3周（9月14日—20日） and 2026年9月 (weeks counted from 学期开始 2026-09-01, Monday weeks)."""
    book, _ = school
    assert main(["week", str(book), "--week", "2026-09-14"]) == 0
    pdf = tmp_path / "周.pdf"
    assert main(["print", str(book), "周汇总", "上自习名单", "家长约谈", "-o", str(pdf)]) == 0
    text = "".join(page_text(pdf, p) for p in range(1, pages(pdf) + 1))
    assert "第3周（9月14日—20日）" in text and "2026-09-14" not in text
    assert "迟到2次（本周1次，另有上周超出限额顺延的1次）" in text      # 李四, S-7
