"""The village buttons: 校验数据, 计算本季度, 年度评星 (WORKBOOKS.md "Commands")."""
from __future__ import annotations

from ...app import Action, Result, finish, register
from ...core.periods import quarter_cn
from ...core.problems import ERROR, Problem
from . import model as vg

INPUTS = vg.EXPECTED_HEADERS
FINAL_HELP = "只计“已确认”的记录，生成正式结果（默认：全部记录已确认或已驳回时自动为正式，否则为预公示）"


def check(sheets, opts) -> Result:
    data = vg.load(sheets)
    n = len(data.entries)
    return finish(data.problems, lambda: ([], [
        f"校验完成：{len(data.participants)} 户参与评议（共 {len(data.households)} 户），"
        f"{len(data.panels)} 个评议小组，{n} 条评议记录。"]))


def _no_period(data: vg.VillageData, what: str) -> list[Problem]:
    return [Problem(vg.RECORDS, None, "日期", "",
                    f"评议记录中没有日期，设置中也没有“年度”，无法确定{what}；请用参数指定", ERROR)]


def quarter(sheets, opts) -> Result:
    data = vg.load(sheets)
    period = vg.resolve_quarter(data, opts.get("quarter"))
    problems = data.problems + ([] if period else _no_period(data, "季度"))

    def make():
        outs = vg.quarter_outputs(data, period, bool(opts.get("final")))
        outs += vg.group_outputs(outs[0], period.label)      # issue #9: charts by group
        pending = sum(1 for r in outs[1].rows if r[7])
        version = "预公示" if "预公示" in outs[0].title else "正式"
        lines = [f"已生成{quarter_cn(period.label)}汇总和公示（{version}，{len(outs[0].rows)} 户）。"]
        if pending:
            lines.append(f"有 {pending} 户存在未处理的异议，见公示表“待复核”列。")
        return outs, lines
    return finish(problems, make)


def year(sheets, opts) -> Result:
    data = vg.load(sheets)
    period = vg.resolve_year(data, opts.get("year"))
    problems = data.problems + ([] if period else _no_period(data, "年度"))

    def make():
        outs = vg.year_outputs(data, period, bool(opts.get("final")))
        outs += vg.group_outputs(outs[0], period.label)      # issue #9: charts by group
        version = "预公示" if "预公示" in outs[0].title else "正式"
        lines = [f"已生成{quarter_cn(period.label)}汇总、星级评定和公示（{version}，{len(outs[0].rows)} 户）："]
        counts = {s: sum(1 for r in outs[1].rows if r[5] == s) for s in vg.STARS}
        lines.append("  " + "，".join(f"{s} {n} 户" for s, n in counts.items()))
        pending = sum(1 for r in outs[0].rows if r[-1])
        if pending:
            lines.append(f"有 {pending} 户存在未处理的异议，暂不评星，见“待复核”列。")
        return outs, lines
    return finish(problems, make)


register(Action("check", "校验数据", "village", INPUTS, check))
register(Action("quarter", "计算本季度", "village", INPUTS, quarter,
                params=(("quarter", "quarter", "季度，如 2026Q3（默认：评议记录最后日期所在季度）"),
                        ("final", "flag", FINAL_HELP))))
register(Action("year", "年度评星", "village", INPUTS, year,
                params=(("year", "year", "年度，如 2026（默认：设置中的年度，或评议记录最后日期所在年）"),
                        ("final", "flag", FINAL_HELP))))
