"""A real spreadsheet client in CI (issue #8): LibreOffice opens every template and every
output of `jifen demo`, exports every sheet, and prints them to PDF without `###`."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import python_calamine as pc

from conftest import ARTIFACTS
from jifen_xl.book import libreoffice as lo

pytestmark = pytest.mark.skipif(lo.soffice() is None, reason="LibreOffice (soffice) is not installed")

ROOT = Path(__file__).parents[1]


def workbooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.xls[xm]") if not p.name.startswith("~$"))


def _sheet_names(path: Path) -> list[str]:
    return list(pc.CalamineWorkbook.from_path(str(path)).sheet_names)


def _check_every_sheet_exports(path: Path, out: Path) -> None:
    csvs = lo.convert(path, lo.CSV_ALL_SHEETS, out)
    exported = {p.stem[len(path.stem) + 1:] for p in csvs}
    missing = [n for n in _sheet_names(path) if n not in exported]
    assert not missing, f"LibreOffice did not export {missing} of {path.name}"


def _check_pdf(path: Path, out: Path) -> str:
    (pdf,) = lo.convert(path, "pdf", out)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "###" not in text, f"{path.name}: a column prints as ### in LibreOffice"
    return text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
def test_templates_open_export_and_print(tmp_path):
    for path in workbooks(ROOT / "workbook_templates"):
        _check_every_sheet_exports(path, tmp_path / path.name)
        text = _check_pdf(path, tmp_path / (path.name + "-pdf"))
        assert "说明" in text or "使用说明" in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
def test_demo_outputs_open_export_and_print(demo_dir, tmp_path):
    books = workbooks(demo_dir)
    assert books, "jifen demo produced no workbook"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for path in books:
        _check_every_sheet_exports(path, tmp_path / path.name)
        text = _check_pdf(path, tmp_path / (path.name + "-pdf"))
        for name in _sheet_names(path):
            if name in ("周汇总", "季度汇总", "积分排名"):
                assert "累计" in text
        pdf = next((tmp_path / (path.name + "-pdf")).glob("*.pdf"))
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(pdf),
                            str(ARTIFACTS / path.stem)], check=True)
