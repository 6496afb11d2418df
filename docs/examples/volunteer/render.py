"""The output sheet `志愿积分排名`, replaced whole on every run."""
from __future__ import annotations

from ...book.sheets import OutputSheet
from ...core.points import from_cents
from .compute import Standing
from .read import VolunteerData
from .schema import RANKING, RANKING_COLS


def ranking_sheet(data: VolunteerData, rows: list[Standing]) -> OutputSheet:
    org = data.settings["组织名称"]
    as_of = f"（数据截至 {data.latest.isoformat()}）" if data.latest else ""
    return OutputSheet(RANKING, RANKING_COLS,
                       [[s.rank, s.vid, s.name, s.team, s.services, _number(s.hours), from_cents(s.cents)]
                        for s in rows],
                       title=f"{org}志愿服务积分排名{as_of}")


def _number(d):
    return int(d) if d == d.to_integral_value() else d.normalize()
