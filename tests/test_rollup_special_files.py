"""A roll-up reads only regular files and gives each file a time limit (issue #23 case 10): a
named pipe, a device or a socket under a workbook's name is listed as skipped with the
reason, like any unreadable file, and a file whose export never ends is given up."""
from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from jifen_xl.cli import main
from jifen_xl.rollup import aggregate as agg
from jifen_xl.rollup import export as ex
from test_trust_rollup import listed, run_rollup, summary_villages, town, village_book, write_xlsx  # noqa: F401

posix = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")


@posix
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_named_pipe_called_a_workbook_is_skipped_not_waited_for(town, capsys, jobs):
    os.mkfifo(town / "村.xlsx")
    (town / "零.xlsx").symlink_to("/dev/zero")
    code, out = run_rollup(town, capsys, "--jobs", jobs)
    assert code == 0
    assert "村.xlsx：不是普通文件" in out and "零.xlsx：不是普通文件" in out and "已跳过" in out
    assert summary_villages(town / "镇汇总.xlsx") == ["一号村", "二号村"]
    assert listed(town / "镇汇总.xlsx")["村.xlsx"] == ex.UNREADABLE


@posix
def test_a_socket_and_a_pipe_only_folder_is_a_chinese_refusal(tmp_path, capsys):
    os.mkfifo(tmp_path / "村.xlsx")
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(tmp_path / "s.xlsx"))
        code = main(["rollup", str(tmp_path), "-o", str(tmp_path / "镇汇总.xlsx")])
    assert code == 2
    err = capsys.readouterr().err
    assert "没有能读取的工作簿" in err and "不是普通文件" in err


@posix
def test_a_single_command_on_a_named_pipe_refuses_at_once(tmp_path, capsys):
    os.mkfifo(tmp_path / "高一3班.xlsx")
    assert main(["week", str(tmp_path / "高一3班.xlsx")]) == 2
    assert "不是普通文件" in capsys.readouterr().err


def test_a_file_whose_export_never_ends_is_skipped_with_the_reason(town, capsys, monkeypatch):
    write_xlsx(town / "网络盘.xlsx", village_book("三号村"))
    real = ex.extract

    def stalls(path, **kw):
        if Path(path).name == "网络盘.xlsx":
            time.sleep(600)
        return real(path, **kw)
    monkeypatch.setattr(ex, "extract", stalls)
    monkeypatch.setattr(agg, "SECONDS_PER_FILE", 3)
    code, out = run_rollup(town, capsys, "--jobs", "1")        # the others wait behind it
    assert code == 0
    assert "网络盘.xlsx：读取超过 3 秒仍未完成" in out
    assert summary_villages(town / "镇汇总.xlsx") == ["一号村", "二号村"]
    assert listed(town / "镇汇总.xlsx")["网络盘.xlsx"] == ex.UNREADABLE
