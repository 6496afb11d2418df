"""`jifen print`: print-ready A4 PDFs typeset directly with Typst — no office suite.

The user's workbook is only read. Each name asked (a paper such as 家长通知单, 奖状, 存折,
积分卡, 公示栏 …, or any output sheet such as 周汇总, 公示-2026Q3) is computed from the
input sheets by the scheme's own actions (sources.py: typed results, never output sheets read
back) and laid out as one or more documents (layouts.py, slips.py, charts.py) whose pages
are numbered "第 N 页，共 M 页" of that document alone; all go into one PDF (typeset.py).

A name that cannot be printed now — 奖状 of a 暂定 award list, a 预公示 year's 文明户奖状, an
unknown name, a workbook with input errors — is *refused* with its reason; the others still
print (C-8). Dates come from the data (数据截至, 公示 dates, 上报日期), never
from the clock (C-5).

One function serves every door: ``render_pdf(path_or_book, names) -> (pdf_bytes, refused)``
(the command line, the local service's ``POST /v1/print``, the local page).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..book.sheets import OutputSheet
from .sources import Paper, Refused, Resolver, SheetBook
from .typeset import Document, compile_pdf

PRINT_DIR = "报表"
UNITS = {"slips": "份", "certificates": "张", "passbook": "个账户", "cards": "张", "家长通知书": "份",
         "奖分通知单": "份"}


@dataclass
class Printed:
    """What one print job made: the PDF (None when nothing could be printed), the names
    refused with their reasons, and per printed name how many rows/slips/accounts."""

    pdf: bytes | None
    refused: list[tuple[str, str]] = field(default_factory=list)
    counts: dict[str, tuple[int, str]] = field(default_factory=dict)


def layout_documents(paper: Paper, files: dict[str, bytes]) -> tuple[list[Document], int]:
    """The documents of one paper, and how many items it holds."""
    from . import layouts as lay
    from . import slips

    s, settings = paper.sheets, paper.settings
    kind = paper.layout
    if kind == "notice":
        return [lay.notice_document(s[0], settings)], len(s[0].rows)
    if kind == "passbook":
        docs = lay.passbook_documents(s, settings, paper.suffix)
        if not docs:
            raise Refused(paper.name, f"没有账户“{paper.suffix}”")
        return docs, len(docs)
    if kind == "certificates":
        doc, n = lay.certificates_document(s[0], settings)
        return [doc], n
    if kind == "slips":
        doc, n = slips.parent_slips(s[0], settings)
        return [doc], n
    if kind == "cards":
        doc, n = slips.score_cards(s[0], settings, paper.card, files)
        return [doc], n
    if kind == "家长通知书":
        doc, n = slips.parent_letters(paper.rows, settings)
        return [doc], n
    if kind == "公示栏":
        return slips.notice_board(paper.rows, settings)
    if kind == "奖分通知单":
        doc, n = slips.award_slips(paper.rows, settings, paper.suffix)
        return [doc], n
    if kind == "分类排名":
        doc, n = slips.category_ranking(paper.rows, settings)
        return [doc], n
    return [lay.table_document(sh, settings) for sh in s], sum(len(sh.rows) for sh in s)


def render(source, names: list[str], resolver: Resolver | None = None) -> Printed:
    """Every name of ``names`` for the workbook ``source`` (a path, or a ``SheetBook`` of
    posted sheets): one PDF of the printable ones, the refused ones with reasons. A
    ``resolver`` of the same workbook reuses the results it has computed (several PDFs)."""
    book = None
    if resolver is None:
        book = SheetBook.open(source)
    try:
        resolver = resolver or Resolver(book)
        docs: list[Document] = []
        files: dict[str, bytes] = {}
        out = Printed(None)
        for name in names:
            try:
                paper = resolver.paper(name)
                made, n = layout_documents(paper, files)
            except Refused as exc:
                out.refused.append((name, exc.reason))
                continue
            docs += made
            out.counts[name] = (n, UNITS.get(paper.layout, "行"))
    finally:
        if book is not None:
            book.close()
    if docs:
        out.pdf = compile_pdf(docs, files)
    return out


def render_pdf(source, names: list[str]) -> tuple[bytes | None, list[tuple[str, str]]]:
    """The print function every door calls: (PDF bytes or None, [(name, reason refused)])."""
    done = render(source, names)
    return done.pdf, done.refused


def printable(names: list[str]) -> list[str]:
    """What `jifen print` can print for a workbook with these sheets (shown on the page and in
    messages): the scheme's papers, then its output sheets present (not inputs, not 校验)."""
    from ..app import detect_scheme, scheme_named
    from ..core.problems import CHECK_SHEET

    scheme = scheme_named(detect_scheme(names) or "")
    if scheme is None:
        return []
    inputs = {"说明", CHECK_SHEET} | set(scheme.inputs)
    for a in scheme.actions:
        inputs |= set(a.sheets)
    outputs = [n for n in names if n not in inputs]
    return list(scheme.paper_sources) + list(scheme.papers) + outputs


def render_sheets(sheets: list[OutputSheet]) -> bytes:
    """Output sheets already computed (the roll-up report) as tables, one document each."""
    from .layouts import table_document

    return compile_pdf([table_document(s) for s in sheets] or [Document().add("（没有数据）")])


def write_pdf(data: bytes, target: Path) -> Path:
    """Atomic: a half-written PDF never replaces a good one."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return target


def default_pdf(path: Path, requested: list[str]) -> Path:
    label = "、".join(requested) if len(requested) <= 3 else f"{requested[0]}等{len(requested)}项"
    return path.with_name(f"{path.stem}-{label}.pdf")


def print_sheets(path: Path, requested: list[str], out: Path | None = None) -> tuple[Path | None, Printed]:
    """`jifen print FILE NAME… [-o out.pdf]`: one PDF with every printable name asked for."""
    path = Path(path)
    pdf = Path(out) if out is not None else default_pdf(path, requested)
    if pdf.suffix.lower() != ".pdf":
        pdf = pdf.with_name(pdf.name + ".pdf")
    done = render(path, requested)
    if done.pdf is None:
        return None, done
    return write_pdf(done.pdf, pdf), done


def run_print(path: Path, requested: list[str], out: Path | None = None) -> int:
    """The CLI door: a summary line; the refused names on stderr (exit 1 when any)."""
    import sys

    pdf, done = print_sheets(path, requested, out)
    if pdf is not None:
        parts = [f"{name} {n} {unit}" for name, (n, unit) in done.counts.items()]
        print(f"已生成 {pdf}：{'，'.join(parts)}")
    for name, reason in done.refused:
        print(f"未打印“{name}”：{reason}。", file=sys.stderr)
    if done.refused:
        print("以上未打印；其余已打印。" if pdf is not None else "没有生成 PDF。", file=sys.stderr)
        return 1
    return 0


# --------------------------------------------------------------------------- demo

def demo_jobs(folder: Path) -> list[tuple[Path, list[str], Path]]:
    """(workbook, names, pdf) for each scheme's ``print_jobs`` on its demo workbooks."""
    from ..book.reader import workbook_sheet_names
    from ..schemes import SCHEMES

    jobs = []
    for scheme in SCHEMES:
        for job in scheme.print_jobs:
            for path in sorted(Path(folder).glob(f"{scheme.label}*.xls[xm]")):
                names = workbook_sheet_names(path)
                wanted = []
                for w in job.layouts:
                    wanted += [n for n in names if n.startswith(w[:-1])] if w.endswith("*") else [w]
                if wanted:
                    jobs.append((path, wanted, Path(folder) / PRINT_DIR / f"{path.stem}-{job.label}.pdf"))
    return jobs


def demo_reports(folder: Path) -> list[Path]:
    """`jifen demo`: every print job of the sample workbooks into ``<folder>/报表/*.pdf``."""
    from ..core.problems import InputError

    made = []
    books: dict[Path, SheetBook] = {}
    resolvers: dict[Path, Resolver] = {}
    try:
        for path, wanted, pdf in demo_jobs(folder):
            if path not in resolvers:        # one read and one computation per workbook and command
                books[path] = SheetBook.open(path)
                resolvers[path] = Resolver(books[path])
            done = render(path, wanted, resolvers[path])
            if done.pdf is not None:
                made.append(write_pdf(done.pdf, pdf))
    except InputError as exc:           # no Chinese font: say what to install, print nothing
        print(exc.message)
        return made
    finally:
        for book in books.values():
            book.close()
    if made:
        print(f"jifen print：{len(made)} 个 PDF（{'、'.join(p.stem.split('-', 2)[-1] for p in made)}）")
    return made
