"""What the school buttons compute: 校验数据, 本周汇总, 月报, 学期奖励, 今日总结 (WORKBOOKS.md
"Commands"; declared in the package's __init__.py)."""
from __future__ import annotations

from ..base import Result, finish, outside_span
from ...core.periods import month_cn
from ...core.points import from_cents
from ...core.table import RawSheet
from . import compute, day as day_report, render
from .data import SchoolData
from .read import load
from .schema import AWARDS


def _load(sheets: dict[str, RawSheet]) -> SchoolData:
    return load(sheets)


def check(sheets, opts) -> Result:
    data = _load(sheets)
    n = len(data.entries)
    return finish(data.problems, lambda: ([], [f"校验完成：{len(data.subjects)} 名学生，{n} 条计分记录。"]))


def week(sheets, opts) -> Result:
    data = _load(sheets)
    w = compute.resolve_week(data, opts.get("week"))
    problems = data.problems + outside_span(w, data.semester, "周", "本学期", "计算周")

    def make():
        outs = render.week_outputs(data, w)
        n = len(outs[1].rows)
        return outs, [f"已生成{render.week_label(data, w)}周汇总（{len(outs[0].rows)} 人），周日上自习 {n} 人。"]
    return finish(problems, make)


def month(sheets, opts) -> Result:
    data = _load(sheets)
    m = compute.resolve_month(data, opts.get("month"))
    problems = data.problems + outside_span(m, data.semester, "月份", "本学期", "计算月份")

    def make():
        outs = render.month_outputs(data, m) + render.trend_outputs(data, m.end)   # 周趋势 + charts
        line = f"已生成 {month_cn(m)} 月报（{len(outs[0].rows)} 人），家长约谈 {len(outs[1].rows)} 人"
        counts = compute.recorder_counts(data, m)       # S-14: who recorded how much
        if counts:
            line += "；本月各记录人登记条数：" + "、".join(f"{k} {v}" for k, v in counts.items())
        return outs, [line + "。"]
    return finish(problems, make)


def awards(sheets, opts) -> Result:
    data = _load(sheets)
    asked = bool(opts.get("final"))         # close the semester by hand (C-8): refused before 学期结束

    def make():
        res = compute.semester_awards(data, sheets.get(AWARDS), asked)
        lines = ["已生成学期奖励名单：" if res.final else f"已生成学期奖励名单（暂定：{res.why}；期末前不能打印奖状）："]
        for a in res.awards:
            lines.append(f"  {a.rank:>3}  {a.sid}  {a.name}  {from_cents(a.total)}  {a.tier}")
        return render.render_awards(data, res), lines
    return finish(data.problems + compute.closing_refused(data, asked), make)


def day(sheets, opts) -> Result:
    """S-16: the morning report of one day (default: the latest log date)."""
    data = _load(sheets)
    return finish(data.problems, lambda: day_report.day_outputs(data, day_report.resolve_day(data, opts.get("date"))))

