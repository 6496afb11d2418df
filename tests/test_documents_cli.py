"""What a clerk reads on the screen and in the chart parts (issue #16): `jifen --help` and
every subcommand's help in Chinese with a description and an example, a `jifen demo` that
fits on one screen and says where to look, and the demo's charts (value axes from 0, the
30% target of L-9 drawn from cells and reached by the axis)."""
from __future__ import annotations

import re
import zipfile

import pytest

from jifen_xl.schemes import SCHEMES, catalog

from jifen_xl.cli import build_parser, main

ARGPARSE_ENGLISH = ("usage:", "positional arguments", "options:", "optional arguments",
                    "show this help message", "error:", "invalid choice", "required")


def help_text(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--help"])
    assert exc.value.code == 0
    return capsys.readouterr().out


def subcommands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return list(sub.choices)


def test_top_level_help_is_chinese_with_every_command(capsys):
    text = help_text(capsys)
    assert text.startswith("用法：jifen")
    assert not any(w in text for w in ARGPARSE_ENGLISH)
    assert "显示本帮助并退出" in text and "选项" in text
    lines = text.splitlines()
    for name in subcommands():
        # "    name   description", or a long name alone with its description on the next line
        i = next(i for i, ln in enumerate(lines) if ln.strip().split(" ")[0] == name)
        desc = lines[i].strip()[len(name):] or lines[i + 1]
        assert re.search(r"[\u4e00-\u9fff]", desc), (name, desc)     # a Chinese one-line description


@pytest.mark.parametrize("name", ["new", "demo", "print", "export", "rollup"]
                         + [c.name for c in catalog.commands(SCHEMES)])
def test_every_subcommand_help_has_a_description_and_an_example(capsys, name):
    assert name in subcommands()
    text = help_text(capsys, name)
    assert text.startswith(f"用法：jifen {name}")
    assert not any(w in text for w in ARGPARSE_ENGLISH), text
    lines = text.splitlines()
    assert re.search(r"[\u4e00-\u9fff]", lines[2]), lines[:3]      # description under the usage
    assert "示例：" in text and f"  jifen {name}" in text.split("示例：")[1]


def test_other_subcommands_help_has_no_argparse_english(capsys):
    for name in subcommands():
        text = help_text(capsys, name)
        assert not any(w in text for w in ARGPARSE_ENGLISH), (name, text)


def test_new_explains_the_three_kinds(capsys):
    text = help_text(capsys, "new")
    for kind, what in (("class", "班级积分"), ("village", "乡村积分"), ("ledger", "积分台账")):
        assert f"{kind} = {what}" in text


def test_usage_errors_are_chinese(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["new", "school", "-o", "x.xlsx"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "错误" in err and "无效的选项" in err and "class" in err
    assert not any(w in err for w in ARGPARSE_ENGLISH)
    with pytest.raises(SystemExit):
        main(["week"])
    err = capsys.readouterr().err
    assert "缺少必填的参数：工作簿" in err


@pytest.fixture
def demo_output(demo_dir) -> list[str]:
    return (demo_dir.parent / (demo_dir.name + "-stdout.txt")).read_text(encoding="utf-8").splitlines()


def test_demo_output_is_short_each_problem_list_once_and_ends_with_where_to_look(demo_output, demo_dir):
    # short: about a dozen lines per scheme's demo (41 for the three schemes it was written for,
    # the school's 今日总结 included)
    assert len(demo_output) <= 41 + 13 * (len(SCHEMES) - 3), "\n".join(demo_output)
    text = "\n".join(demo_output)
    # the ledger's 64 refusals: listed once, capped, with how many more
    assert text.count("[拒绝] 兑换记录 第3行") == 1
    m = re.search(r"……另有 (\d+) 条", text.split("积分台账")[1])
    assert m and int(m.group(1)) > 0
    # L-10: every village has its own shelf (two bottles of oil each), 曾巷村 its own 农家乐餐券
    assert "兑换成功 68 笔，拒绝 64 笔" in text and "（拒绝" not in text
    assert "报表" in demo_output[-1] and str(demo_dir.resolve()) in "\n".join(demo_output[-3:])
    # periods as people say them
    assert re.search(r"第\d+周（\d+月\d+日—\d+日）", text) and "2027年1月" in text
    assert "～" not in text


def chart_parts(book) -> dict[str, str]:
    with zipfile.ZipFile(book) as zf:
        return {n: zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")}


def test_demo_bar_charts_start_at_zero_and_the_target_is_drawn_from_cells(demo_dir):
    charts = chart_parts(demo_dir / "积分台账-示例.xlsx")
    (xml,) = [x for x in charts.values() if "兑换人数占比" in x]
    assert '<c:min val="0"/>' in xml
    top = float(re.search(r'<c:max val="([\d.]+)"/>', xml).group(1))
    assert top > 0.3                                           # the axis reaches above the 30% target
    assert "<c:numLit>" not in xml and "示范村指标'!$J$2:$J$4" in xml   # the 目标占比 cells
    assert "<c:dPt>" not in xml                               # legend colour = bar colour
    assert xml.count('<a:srgbClr val="4472C4"/>') >= 1 and 'val="C00000"' in xml
    village = chart_parts(demo_dir / "乡村积分-示例.xlsx")
    bars = [x for x in village.values() if "<c:barChart>" in x]
    assert bars and all('<c:min val="0"/>' in x for x in bars)
