"""What the village buttons compute: 校验数据, 计算本季度, 年度评星 (WORKBOOKS.md "Commands";
declared in the package's __init__.py)."""
from __future__ import annotations

from ..base import Result, finish, outside_span
from ...core.periods import quarter_cn
from ...core.problems import ERROR, NOTICE, Problem
from . import checks, compute, model as vg, render


def check(sheets, opts) -> Result:
    """Every input check, and for each notice recorded in `公示记录` what keeps its period
    预公示 by the data (C-8: rows after it began; V-11: the year's meeting) as 提示."""
    data = checks.load(sheets)
    n = len(data.entries)
    noticed = list(data.problems)
    for label, rec in data.notices.items():
        period = vg.period_of_label(label)
        noticed += compute.late_changes(data, period, rec) + compute.meeting_problems(period, rec)
    return finish(noticed, lambda: ([], [
        f"校验完成：{len(data.participants)} 户参与评议（共 {len(data.households)} 户），"
        f"{len(data.panels)} 个评议小组，{n} 条评议记录。"]))


def _no_period(data: vg.VillageData, what: str) -> list[Problem]:
    return [Problem(vg.RECORDS, None, "日期", "",
                    f"评议记录中没有日期，设置中也没有“年度”，无法确定{what}；请用参数指定", ERROR)]


def _year_span(data: vg.VillageData):
    """设置 年度 as a period, when the clerk set one (the year a command may compute)."""
    y = data.settings.get("年度")
    return compute.resolve_year(data, int(y)) if y else None


def _state(data: vg.VillageData, period, opts) -> tuple[compute.Finality | None, list[Problem]]:
    """C-8: final or 预公示; a refused --final is a located 错误 (outputs untouched)."""
    if period is None:
        return None, []
    state = compute.finality(data, period, bool(opts.get("final")))
    problems = list(state.problems)
    left = compute.unconfirmed(data, period) if state.final else 0
    if left:
        problems.append(Problem(vg.RECORDS, None, "状态", "",
                                f"正式结果只计“已确认”的记录：还有 {left} 条初评或公示中的记录未计入；"
                                "公示无异议的请改为“已确认”后重新计算", NOTICE))
    return state, problems


def _next_step(period, state: compute.Finality) -> str:
    """The workflow's next step for the clerk (说明: evaluate → compute → post → objections →
    final → report)."""
    if state.final:
        return ("正式结果已生成；上报镇里后在“公示记录”填写上报日期。" if state.notice.reported is None
                else f"已于 {state.notice.reported.isoformat()} 上报。")
    meeting = ("召开党员、村民代表会议（包村领导参加）公开审议，在“公示记录”登记审议日期等；再"
               if state.meeting_missing else "")
    if state.notice is None:
        return f"下一步：{meeting}打印“公示-{period.label}”张贴，在“公示记录”登记期次 {period.label} 和公示开始日期。"
    if state.changed_rows:
        return (f"公示开始后有 {len(state.changed_rows)} 行改动（见“校验”表），需要重新公示：{meeting}重新打印"
                f"“公示-{period.label}”张贴，在“公示记录”为 {period.label} 新增一行，登记新的公示开始日期。")
    if state.meeting_missing:
        return f"下一步：{meeting}重新计算。"
    return (f"公示期 {state.notice.start.isoformat()} 至 {state.notice.end.isoformat()}；期满无异议、记录都已确认后"
            "重新计算即为正式结果（也可用 --final 或设置“正式结果”填“是”）。")


def quarter(sheets, opts) -> Result:
    data = checks.load(sheets)
    period = compute.resolve_quarter(data, opts.get("quarter"))
    state, refused = _state(data, period, opts)
    problems = data.problems + refused + ([] if period else _no_period(data, "季度")) \
        + outside_span(period, _year_span(data), "季度", "设置的年度", "计算季度")

    def make():
        res = compute.quarter_result(data, period, state)
        outs = render.render_quarter(data, res)
        outs += render.group_outputs(outs[0], period.label)      # charts by group
        pending = len(res.pending)
        lines = [f"已生成{quarter_cn(period.label)}汇总和公示（{res.version}，{len(res.standings)} 户）。"]
        if pending:
            lines.append(f"有 {pending} 户存在未处理的异议，见公示表“待复核”列。")
        lines.append(_next_step(period, state))
        return outs, lines
    return finish(problems, make)


def year(sheets, opts) -> Result:
    data = checks.load(sheets)
    period = compute.resolve_year(data, opts.get("year"))
    state, refused = _state(data, period, opts)
    problems = data.problems + refused + ([] if period else _no_period(data, "年度")) \
        + outside_span(period, _year_span(data), "年度", "设置的年度", "计算年度")

    def make():
        res = compute.year_result(data, period, state)
        outs = render.render_year(data, res)
        outs += render.group_outputs(outs[0], period.label)      # charts by group
        counts = {s: sum(1 for h in res.standings if h.star == s) for s in vg.STARS}
        n = len(res.standings)
        if res.final:
            lines = [f"已生成{quarter_cn(period.label)}汇总、星级评定和公示（正式，{n} 户）："]
        else:
            lines = [f"已生成{quarter_cn(period.label)}汇总和公示（预公示，{n} 户）；"
                     "星级评定、奖牌和信用户名单在正式结果后生成。预评星级："]
        lines.append("  " + "，".join(f"{s} {n} 户" for s, n in counts.items()))
        pending = len(res.pending)
        if pending:
            lines.append(f"有 {pending} 户存在未处理的异议，暂不评星，见“待复核”列。")
        lines.append(_next_step(period, state))
        return outs, lines
    return finish(problems, make)

