"""Rankings and tiers (SPEC C-4, S-10, S-11, V-7).

Competition ranking ("1224"): tied keys share the best rank. Keys are tuples so that a
tie-break (fewer deductions, then more additions) is just a longer key.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from decimal import Decimal

# the header of every output column that holds a competition rank (C-4), in every scheme
RANK = "名次"

TIE_SHARE = "并列"
TIE_FEWER_DEDUCTIONS = "少扣分优先"


def competition_rank(keys: Sequence[Hashable], descending: bool = True) -> list[int]:
    """Rank of each key: 1 + the number of keys strictly better. Keys must be comparable."""
    order = sorted(range(len(keys)), key=lambda i: keys[i], reverse=descending)
    ranks = [0] * len(keys)
    prev = object()
    current = 0
    for pos, i in enumerate(order):
        if keys[i] != prev:
            current = pos + 1
            prev = keys[i]
        ranks[i] = current
    return ranks


def award_keys(totals: Sequence[int], deductions: Sequence[int], additions: Sequence[int],
               tie_rule: str) -> list[tuple]:
    """Sort keys (higher is better) for award lists under the `并列处理` setting."""
    if tie_rule == TIE_FEWER_DEDUCTIONS:
        return [(t, -d, a) for t, d, a in zip(totals, deductions, additions)]
    return [(t,) for t in totals]


def tier_for_rank(rank: int, tiers: Sequence[tuple[str, int]]) -> str:
    """Tier by shared rank with cumulative sizes: with 一等 1, 二等 1 ranks 1,2,2 → 一,二,二."""
    bound = 0
    for name, size in tiers:
        bound += size
        if rank <= bound:
            return name
    return ""


def bottom_mask(totals: Sequence[int], n: int) -> list[bool]:
    """The bottom n counted from the bottom with ties included (C-4 "bottom three")."""
    ranks = competition_rank(totals, descending=False)
    return [r <= n for r in ranks]


def star_for(rank: int, n: int, total: int, base: int,
             cuts: Sequence[tuple[str, Decimal]]) -> str:
    """SPEC V-7: the first tier whose share r/N is within its cut, only at or above base."""
    if n <= 0 or total < base:
        return ""
    share = Decimal(rank) / Decimal(n)
    for name, cut in cuts:
        if share <= cut:
            return name
    return ""
