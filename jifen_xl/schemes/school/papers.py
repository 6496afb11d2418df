"""Data behind the school's printed papers (`jifen print`; layouts in jifen_xl/papers/):
typed rows computed from the input sheets, no layout."""
from __future__ import annotations

from datetime import date, timedelta

from ...core import engine
from ...core.points import from_cents
from ...core.problems import ERROR, InputError
from ...core.ranking import RANK, award_keys, competition_rank
from .compute import semester_awards
from .read import load
from .schema import AWARDS

PARENT_LETTER = "家长通知书"


def semester_rows(sheets: dict) -> tuple[dict, list[dict], bool]:
    """(settings, one dict per active pupil in roster order: 学号, 姓名, 总分, 名次, 奖项,
    provisional?) — the semester totals and ranks of S-11 for every pupil, the award from the
    award list's tiers (特等 marks of the saved `学期奖励` kept)."""
    data = load(sheets)
    if any(p.level == ERROR for p in data.problems):
        raise InputError("工作簿有错误，请先运行“校验数据”（jifen check）并改正后再打印家长通知书。")
    subs = data.active
    sids = [s.sid for s in subs]
    end = data.semester.end if data.semester else (data.latest or date.today())
    start = data.semester.start if data.semester else None
    tot = engine.period_totals(data.entries, sids, start, end)
    nets = dict(zip(tot.index, tot["net"].tolist()))
    totals = [s.base + int(nets[s.sid]) for s in subs]
    keys = award_keys(totals, list(tot["ded"]), list(tot["add"]), data.settings["并列处理"])
    ranks = competition_rank(keys)
    awards = semester_awards(data, sheets.get(AWARDS))
    tier = {a.sid: a.tier for a in awards.awards}
    provisional = not awards.final or (data.latest is not None and data.semester is not None
                                       and data.latest < data.semester.end - timedelta(days=7))
    rows = [{"学号": s.sid, "姓名": s.name, "总分": from_cents(t), RANK: r, "奖项": tier.get(s.sid, "")}
            for s, t, r in zip(subs, totals, ranks)]
    settings = dict(data.settings)
    settings["_学期"] = data.semester
    return settings, rows, provisional


PAPERS = {PARENT_LETTER: semester_rows}
