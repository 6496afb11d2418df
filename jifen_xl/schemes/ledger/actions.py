"""What the community-ledger buttons compute: 校验数据, 计算积分, 打印存折 (WORKBOOKS.md
"Commands"; declared in the package's __init__.py)."""
from __future__ import annotations

from ..base import Result, finish
from ...core.problems import NOTICE, Problem
from ...core.table import RawSheet
from . import checks, model as lg, render


def check(sheets: dict[str, RawSheet | None], opts: dict) -> Result:
    data = checks.load(sheets)
    return finish(data.problems, lambda: ([], ["校验完成：" + render.summary_lines(data)[0]]))


def ledger(sheets: dict[str, RawSheet | None], opts: dict) -> Result:
    """L-1…L-9: ranking per account type and the 示范村指标 of the 年度."""
    data = checks.load(sheets)

    def make():
        outs = [render.ranking_output(data), render.indicator_output(data)]
        lines = render.summary_lines(data)
        for r in outs[1].rows:
            share = f"{r[3] * 100:.1f}%" if r[3] is not None else "—"
            lines.append(f"  {r[0]}：兑换人数 {r[2]}/{r[1]}（{share}，{'达标' if r[4] == '是' else '未达标'}），"
                         f"奖励支出 {r[7]}/{r[8]} 元")
        return outs, lines
    return finish(data.problems, make)


def passbook(sheets: dict[str, RawSheet | None], opts: dict) -> Result:
    """L-8: `--account A` writes `存折-A`; `--all` (also the default when no account is
    given) writes one sheet per account type."""
    data = checks.load(sheets)
    aid = (opts.get("account") or "").strip()
    problems = list(data.problems)
    if aid:
        found, note = checks.matcher(data, "账户号").resolve(aid)   # z001, 1001 for 01001: as in the sheets
        if found is not None and note:
            problems.append(Problem(lg.ACCOUNTS, None, "账户号", aid, f"--account {note}", NOTICE))
        aid = found or aid
        if aid not in data.accounts:
            problems.append(Problem(lg.ACCOUNTS, None, "账户号", aid, "“账户”表中没有这个账户号，无法打印存折"
                                    + checks.hint(data, "账户号", aid)))
        elif (why := render.bad_sheet_name(render.passbook_sheet_name(aid))):
            problems.append(Problem(lg.ACCOUNTS, data.accounts[aid].row, "账户号", aid, f"无法生成存折工作表：{why}"))

    def make():
        outs = []
        if aid:
            outs.append(render.passbook_output(data, aid))
        if opts.get("all") or not aid:
            outs += render.passbook_by_type(data)
        return outs, [f"已生成存折：{'、'.join(o.name for o in outs)}"]
    return finish(problems, make)

