"""Schemes: school, village and ledger expressed as data read from `设置`/`规则`, plus the
period computations that turn the engine's entries into output sheets.

``SCHEMES`` is the one list every consumer loops over (the `jifen` command, the xlwings
buttons, the template and .xlsm builders, print, demo, roll-up). Each scheme is a package
``schemes/<name>/`` declaring one ``SCHEME`` value (base.py: ``Scheme``); adding a scheme is
one new package and one line here (docs/adding-a-scheme.md).
"""
from __future__ import annotations

from .base import Scheme
from .ledger import SCHEME as LEDGER
from .school import SCHEME as SCHOOL
from .village import SCHEME as VILLAGE

SCHEMES: tuple[Scheme, ...] = (SCHOOL, VILLAGE, LEDGER)


def all_charts() -> dict:
    """Every scheme's charts by output sheet name (or ``prefix-``), for `jifen print`."""
    return {name: fn for s in SCHEMES for name, fn in s.charts.items()}

