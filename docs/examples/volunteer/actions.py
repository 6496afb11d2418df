"""What the buttons compute: 校验数据 (`jifen check`) and 计算志愿积分 (`jifen volunteer`); each
compute ends in ``finish`` so that with any 错误 only `校验` is written (C-6)."""
from __future__ import annotations

from ..base import Result, finish
from ...core.points import fmt
from . import compute, render
from .read import load


def check(sheets, opts) -> Result:
    data = load(sheets)
    return finish(data.problems, lambda: ([], [f"校验完成：{len(data.volunteers)} 名志愿者，"
                                               f"{len(data.records)} 条服务记录。"]))


def ranking(sheets, opts) -> Result:
    data = load(sheets)

    def make():
        rows = compute.standings(data)
        lines = [f"已生成志愿积分排名（{len(rows)} 人）。"]
        lines += [f"  {s.rank:>3}  {s.vid}  {s.name}  {fmt(s.cents)}" for s in rows[:3]]
        return [render.ranking_sheet(data, rows)], lines
    return finish(data.problems, make)
