"""`jifen print` without an office suite (issue #24): the PDFs typeset with Typst, looked at
as text, fonts, page sizes, pictures and QR codes; the service's `POST /v1/print`; the
refusals of issue #23 item 15 and the certificate date of item 17.

Golden pages (tests/golden/*.png, grey, 30 dpi) are compared with a tolerance so that font
hinting does not fail them; regenerate with ``JIFEN_WRITE_GOLDEN=1 pytest tests/test_print_typst.py``
after an intended layout change.
"""
from __future__ import annotations

import json
import os
import shutil
import warnings
from datetime import date
from pathlib import Path

import pytest

from pdfcheck import (difference, fonts, grey_page, page_sizes, pages, qr_codes, read_png, squash, text,
                      words, write_png)

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
                                reason="poppler-utils (pdftotext, pdftoppm) is not installed")

GOLDEN = Path(__file__).parent / "golden"
A4 = (595.3, 841.9)


def _demo_pdf(demo_dir, name: str) -> Path:
    return demo_dir / "报表" / name


def _sheet(book: Path, name: str) -> list[dict]:
    import python_calamine as pc

    rows = pc.CalamineWorkbook.from_path(str(book)).get_sheet_by_name(name).to_python()
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _num(v) -> str:
    f = float(v)
    return str(int(f)) if f.is_integer() else str(f)


# --------------------------------------------------------------------------- every demo paper

def test_every_page_is_a4_with_embedded_subset_cjk_fonts_and_nothing_outside_the_page(demo_dir):
    for pdf in sorted((demo_dir / "报表").glob("*.pdf")):
        for w, h in page_sizes(pdf):
            assert sorted((round(w, 1), round(h, 1))) == sorted(A4), pdf.name
        found = fonts(pdf)
        assert found and all(f["emb"] == "yes" and f["sub"] == "yes" for f in found), (pdf.name, found)
        assert any("CJK" in f["name"] or "Sim" in f["name"] for f in found), (pdf.name, found)
        for page, pw, ph, x0, y0, x1, y1, word in words(pdf):
            assert 0 <= x0 and x1 <= pw + 0.5 and 0 <= y0 and y1 <= ph + 0.5, (pdf.name, page, word)
        assert "\ufffd" not in text(pdf)           # no character without a glyph


def test_every_household_name_and_total_of_the_notice_is_printed(demo_dir):
    book = demo_dir / "乡村积分-示例.xlsx"
    pdf = _demo_pdf(demo_dir, "乡村积分-示例-公示.pdf")
    lines = [ln.split() for ln in text(pdf).splitlines()]
    rows: dict = {}
    for ln in lines:                 # the quarter's notice comes first, then Q4's and the year's
        if len(ln) > 8 and ln[0].endswith("组"):
            rows.setdefault((ln[1], ln[2]), ln)
    notice = _sheet(book, "公示-2026Q3")
    for r in notice:
        ln = rows[(r["户号"], r["户主"])]
        assert _num(r["累计总分"]) in ln and _num(r["名次"]) in ln
    # numbers are right-aligned: the totals of a page end at one x position
    ends = {round(x1) for page, _w, _h, _x0, _y0, x1, _y1, word in words(pdf)
            if page == 1 and word in {_num(r["累计总分"]) for r in notice[:20]}}
    assert len(ends) <= 3, ends          # the 累计总分 column (a total may also be a category score)


def test_certificate_phrase_is_never_split_across_lines(demo_dir):
    pdf = _demo_pdf(demo_dir, "乡村积分-示例-文明户奖状.pdf")
    for p in (1, 2, 3):
        assert "被评为" in text(pdf, p), p
    pdf = _demo_pdf(demo_dir, "班级积分-示例-奖状.pdf")
    assert "荣获" in text(pdf, 1)


def test_passbooks_one_account_per_document(demo_dir):
    pdf = _demo_pdf(demo_dir, "积分台账-示例-存折.pdf")
    firsts = [p for p in range(1, pages(pdf) + 1) if "第1页，共" in squash(text(pdf, p))]
    assert len(firsts) == 56          # every account a document of its own, numbered from 1


# --------------------------------------------------------------------------- 积分卡

@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg (zbar-tools) is not installed")
def test_score_cards_carry_id_total_and_rank_in_their_qr_codes(demo_dir, tmp_path):
    book = demo_dir / "积分台账-示例.xlsx"
    pdf = _demo_pdf(demo_dir, "积分台账-示例-积分卡.pdf")
    ranking = {r["账户号"]: r for r in _sheet(book, "积分排名")}
    codes = qr_codes(pdf, 1, tmp_path)
    assert len(codes) == 8, codes
    for code in codes:
        fields = dict(line.split("：", 1) for line in code.splitlines() if "：" in line)
        r = ranking[fields["账户号"]]
        assert fields["姓名"] == r["名称"] and fields["累计积分"] == _num(r["累计积分"])
        assert fields["名次"] == _num(r["名次"])
        assert fields["账户号"] in text(pdf, 1) and r["名称"] in text(pdf, 1)


def test_score_cards_of_a_class_follow_the_month_report(demo_dir):
    book = demo_dir / "班级积分-示例.xlsx"
    pdf = _demo_pdf(demo_dir, "班级积分-示例-积分卡.pdf")
    whole = squash(text(pdf))
    for r in _sheet(book, "月报"):
        assert squash(str(r["姓名"])) in whole and f"学号：{r['学号']}" in whole
    assert pages(pdf) == -(-49 // 8)


# --------------------------------------------------------------------------- golden pages

GOLDEN_PAGES = {
    "notice": ("乡村积分-示例-公示.pdf", 1),
    "certificate": ("班级积分-示例-奖状.pdf", 1),
    "slip": ("班级积分-示例-家长通知单.pdf", 1),
    "card": ("班级积分-示例-积分卡.pdf", 1),
}


@pytest.mark.parametrize("kind", sorted(GOLDEN_PAGES))
def test_golden_pages_look_the_same(demo_dir, tmp_path, kind):
    name, page = GOLDEN_PAGES[kind]
    got = grey_page(_demo_pdf(demo_dir, name), page, tmp_path)
    target = GOLDEN / f"{kind}.png"
    if os.environ.get("JIFEN_WRITE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        write_png(target, *got)
    share = difference(read_png(target), got)
    assert share < 0.02, f"{kind}: {share:.1%} of the page differs from tests/golden/{kind}.png"


def test_golden_comparison_sees_a_changed_layout(demo_dir, tmp_path):
    """The tolerance is not so loose that another page passes."""
    got = grey_page(_demo_pdf(demo_dir, "班级积分-示例-家长通知单.pdf"), 2, tmp_path)
    assert difference(read_png(GOLDEN / "slip.png"), got) > 0.002
    cert = grey_page(_demo_pdf(demo_dir, "班级积分-示例-奖状.pdf"), 1, tmp_path)
    assert difference(read_png(GOLDEN / "slip.png"), cert) == 1.0      # landscape vs portrait


# --------------------------------------------------------------------------- fonts missing

def test_no_chinese_font_is_a_clear_error_exit_2(demo_dir, tmp_path, monkeypatch, capsys):
    from jifen_xl.cli import main
    from jifen_xl.papers import typeset

    empty = tmp_path / "fonts"
    empty.mkdir()
    monkeypatch.setattr(typeset, "font_dirs", lambda: [str(empty)])
    out = tmp_path / "x.pdf"
    assert main(["print", str(demo_dir / "班级积分-示例.xlsx"), "家长通知单", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "没有找到中文字体" in err and "fonts-noto-cjk" in err and "simsun.ttc" in err
    assert not out.exists()


# --------------------------------------------------------------------------- the service door

@pytest.fixture(scope="module")
def client():
    from jifen_xl import serve

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    with TestClient(serve.create_app("tok", 39800), base_url="http://127.0.0.1:39800") as c:
        yield c


def test_service_print_returns_the_same_pdf_text_as_the_command_line(client, demo_dir, tmp_path):
    from serve_helpers import request_sheets

    from jifen_xl.papers import render_pdf

    book = demo_dir / "班级积分-示例.xlsx"
    body = {"sheets": request_sheets(book), "papers": ["家长通知单", "奖状", "没有这张表"]}
    r = client.post("/v1/print", json=body, headers={"X-Jifen-Token": "tok"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    refused = json.loads(r.headers["X-Jifen-Refused"])
    assert [x["name"] for x in refused] == ["没有这张表"] and refused[0]["reason"]
    (tmp_path / "svc.pdf").write_bytes(r.content)
    local, why = render_pdf(book, ["家长通知单", "奖状", "没有这张表"])
    (tmp_path / "cli.pdf").write_bytes(local)
    assert why == [(x["name"], x["reason"]) for x in refused]
    assert text(tmp_path / "svc.pdf") == text(tmp_path / "cli.pdf")


def test_service_print_refusals_and_errors(client, demo_dir):
    from serve_helpers import request_sheets

    sheets = request_sheets(demo_dir / "班级积分-示例.xlsx")
    assert client.post("/v1/print", json={"sheets": sheets, "papers": ["奖状"]}).status_code == 401
    r = client.post("/v1/print", json={"sheets": sheets, "papers": "奖状"}, headers={"X-Jifen-Token": "tok"})
    assert r.status_code == 400 and "papers" in r.json()["message"]
    r = client.post("/v1/print", json={"sheets": sheets, "papers": ["没有这张表"]}, headers={"X-Jifen-Token": "tok"})
    assert r.status_code == 422 and r.json()["refused"][0]["name"] == "没有这张表"


# --------------------------------------------------------------------------- issue #23 item 17

@pytest.mark.parametrize("reported, shown", [("2027-01-12", "2027年1月12日"), (None, "2027年1月7日")])
def test_certificates_carry_the_report_or_notice_end_date_never_the_data_end(tmp_path, monkeypatch, capsys,
                                                                           reported, shown):
    """The later of 上报日期 and 公示结束 of the year's notice in 公示记录 (公示 2027-01-05 for 3
    days: ends 01-07); the records end in 2026."""
    from contract import write_xlsx
    from village_fixtures import TODAY, scenario_village, unreport

    from jifen_xl.cli import main

    monkeypatch.setenv("JIFEN_TODAY", TODAY)
    book = scenario_village()
    if reported is None:
        unreport(book, "2026")
    path = write_xlsx(tmp_path / "村.xlsx", book)
    pdf = tmp_path / "奖状.pdf"
    assert main(["print", str(path), "奖状-2026", "-o", str(pdf)]) == 0, capsys.readouterr().err
    for p in range(1, pages(pdf) + 1):
        page = squash(text(pdf, p))
        assert shown in page and "2026年12月" not in page
