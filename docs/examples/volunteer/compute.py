"""積分 per volunteer (C-3: exact, in integer hundredths) and the competition ranking (C-4:
ties share the best rank). Pure: data in, typed results out."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ...core.points import mul_cents, to_cents
from ...core.ranking import competition_rank
from .read import VolunteerData


@dataclass
class Standing:
    rank: int
    vid: str
    name: str
    team: str
    services: int          # counted records
    hours: Decimal
    cents: int             # 积分 × 100


def standings(data: VolunteerData) -> list[Standing]:
    """Every volunteer 在册 (also those with no record yet), best first; ties by 编号."""
    per: dict[str, list] = {vid: [0, Decimal(0), 0] for vid, v in data.volunteers.items() if v.active}
    for r in data.records:
        total = per[r.vid]
        total[0] += 1
        total[1] += r.hours
        total[2] += mul_cents(to_cents(r.rate), r.hours)     # 小时 × 每小时积分
    vids = list(per)
    ranks = competition_rank([per[v][2] for v in vids])
    out = [Standing(rank, v, data.volunteers[v].name, data.volunteers[v].team, *per[v])
           for rank, v in zip(ranks, vids)]
    return sorted(out, key=lambda s: (s.rank, s.vid))
