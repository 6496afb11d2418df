"""Issue #23 case 19: what a clerk reads is Chinese, and what the file says about itself is
true. Operating-system errors ("Read-only file system") and the reader's own errors ("Cfb
error") reach the clerk in Chinese; `docProps/app.xml` lists the workbook's real sheets after
the writer adds some."""
from __future__ import annotations

import errno
import re
import zipfile

import pytest

from contract import scenario_class, write_xlsx
from jifen_xl.book.ooxml import appprops, safesave
from jifen_xl.book.reader import calamine_reason
from jifen_xl.cli import main
from jifen_xl.core.oserror import os_reason

ENGLISH = re.compile(r"[A-Za-z]{4,}")


def english_words(text: str) -> list[str]:
    """English words in a message, except the names the clerk typed or our command's own."""
    return [w for w in ENGLISH.findall(text) if w not in ("Excel", "jifen", "xlsx", "xlsm", "force",
                                                           "DEBUG", "JIFEN", "LibreOffice", "Office")]


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES, errno.EIO, errno.ENOSPC, errno.EBUSY, errno.ELOOP])
def test_os_errors_are_chinese(code):
    reason = os_reason(OSError(code, "Some English text"))
    assert reason and not english_words(reason)


def test_a_read_only_folder_is_said_in_chinese(tmp_path, capsys, monkeypatch):
    path = write_xlsx(tmp_path / "班级.xlsx", scenario_class())
    before = path.read_bytes()

    def read_only(*a, **k):
        raise OSError(errno.EROFS, "Read-only file system")
    monkeypatch.setattr(safesave.tempfile, "mkstemp", read_only)
    assert main(["week", str(path), "--week", "2026-09-07"]) == 2
    err = capsys.readouterr().err
    assert "只读" in err and not english_words(err.replace(str(tmp_path), "")), err
    assert path.read_bytes() == before


def test_an_os_error_anywhere_is_exit_2_in_chinese(tmp_path, capsys, monkeypatch):
    path = write_xlsx(tmp_path / "班级.xlsx", scenario_class())
    from jifen_xl import runner

    def broken(*a, **k):
        raise OSError(errno.EIO, "Input/output error", str(path))
    monkeypatch.setattr(runner, "_stamp", broken)
    assert main(["week", str(path), "--week", "2026-09-07"]) == 2
    err = capsys.readouterr().err
    assert "磁盘读写出错" in err and not english_words(err.replace(str(path), "")), err


@pytest.mark.parametrize("raised", [Exception("Cfb error: invalid sector"), Exception("Xml error: bad tag"),
                                    Exception("Zip error: invalid Zip archive"), Exception("whatever")])
def test_reader_errors_are_chinese(raised):
    reason = calamine_reason(raised)
    assert reason and not english_words(reason)


# ---- docProps/app.xml -------------------------------------------------------------------------

def app_titles(path) -> tuple[list[tuple[str, int]], list[str]]:
    text = zipfile.ZipFile(path).read("docProps/app.xml").decode()
    pairs = re.search(r"<HeadingPairs>(.*?)</HeadingPairs>", text, re.S)[1]
    names = re.findall(r"<vt:lpstr>([^<]*)</vt:lpstr>", pairs)
    counts = [int(n) for n in re.findall(r"<vt:i4>(\d+)</vt:i4>", pairs)]
    titles = re.search(r"<TitlesOfParts>(.*?)</TitlesOfParts>", text, re.S)[1]
    size = int(re.search(r'size="(\d+)"', titles)[1])
    listed = re.findall(r"<vt:lpstr>([^<]*)</vt:lpstr>", titles)
    assert size == len(listed) == sum(counts)
    return list(zip(names, counts)), listed


def workbook_sheets(path) -> list[str]:
    import python_calamine as pc
    return pc.CalamineWorkbook.from_path(str(path)).sheet_names


def test_app_xml_lists_the_sheets_the_writer_added(tmp_path):
    path = tmp_path / "班级.xlsx"
    assert main(["new", "class", "-o", str(path)]) == 0
    for cmd in (["check"], ["week", "--week", "2026-09-07"], ["month", "--month", "2026-09"]):
        main([cmd[0], str(path), *cmd[1:]])
        groups, listed = app_titles(path)
        sheets = workbook_sheets(path)
        assert groups[0][1] == len(sheets) and listed[:len(sheets)] == sheets
    assert {"校验", "周汇总", "月报"} <= set(listed)
    again = path.read_bytes()
    main(["month", str(path), "--month", "2026-09"])
    assert path.read_bytes() == again                 # recomputing gives the same bytes


def test_app_xml_of_another_shape_is_left_alone():
    odd = "<Properties><TitlesOfParts><vt:vector size=\"1\"><vt:lpstr>A</vt:lpstr></vt:vector></TitlesOfParts></Properties>"
    assert appprops._patched(odd, ["A"], ["A", "B"]) is None
    xml = ('<Properties xmlns:vt="v"><HeadingPairs><vt:vector size="4" baseType="variant">'
           '<vt:variant><vt:lpstr>工作表</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant>'
           '<vt:variant><vt:lpstr>图表</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant>'
           '</vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="2" baseType="lpstr">'
           '<vt:lpstr>日志</vt:lpstr><vt:lpstr>趋势图</vt:lpstr></vt:vector></TitlesOfParts></Properties>')
    out = appprops._patched(xml, ["日志", "趋势图"], ["日志", "趋势图", "A&B"])
    assert "<vt:i4>2</vt:i4>" in out and 'size="3"' in out
    assert out.index("A&amp;B") < out.index("趋势图</vt:lpstr></vt:vector></TitlesOfParts>")
