"""Exact points (SPEC C-3): values are held as integer hundredths ("cents").

Source values have one decimal place (0.5 steps occur); a multiplier such as 1.5 can make
two, so hundredths keep every product exact while sums stay plain integer arithmetic.
"""
from __future__ import annotations

from decimal import Decimal, ROUND_HALF_UP

SCALE = 100


def to_cents(value: Decimal | int | str) -> int:
    d = Decimal(value) * SCALE
    if d != d.to_integral_value():
        raise ValueError(f"分值最多两位小数：{value}")
    return int(d)


def mul_cents(cents: int, factor: Decimal) -> int:
    """cents × factor, exact when the product has at most two decimals, else rounded half up."""
    return int((Decimal(cents) * factor).to_integral_value(rounding=ROUND_HALF_UP))


def from_cents(cents: int) -> int | Decimal:
    """The value to show in a cell: an int when whole, else an exact Decimal (85.5)."""
    cents = int(cents)
    if cents % SCALE == 0:
        return cents // SCALE
    return (Decimal(cents) / SCALE).normalize()


def fmt(cents: int, signed: bool = False) -> str:
    v = from_cents(cents)
    s = format(v, "f") if isinstance(v, Decimal) else str(v)
    if signed and cents > 0:
        s = "+" + s
    return s
