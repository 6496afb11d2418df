"""Schemes: school, village and ledger expressed as data read from `设置`/`规则`, plus the
period computations that turn the engine's entries into output sheets.

``SCHEMES`` is the one list every consumer loops over (the `jifen` command and its help, the
xlwings buttons, the VBA Subs, the WPS ribbon, the LibreOffice toolbar, the service, the
template and .xlsm builders, print, demo, roll-up). Each scheme is a package
``schemes/<name>/`` whose ``__init__.py`` declares one ``SCHEME`` value (base.py:
``Scheme``); adding a scheme is one new package and one line here, then `make generate`
(docs/adding-a-scheme.md). Importing this module reads only the declarations (no pandas);
the declarations are checked for clashes here (catalog.check).
"""
from __future__ import annotations

from . import catalog
from .base import Scheme
from .ledger import SCHEME as LEDGER
from .school import SCHEME as SCHOOL
from .village import SCHEME as VILLAGE

SCHEMES: tuple[Scheme, ...] = (SCHOOL, VILLAGE, LEDGER)

catalog.check(SCHEMES)


def all_charts() -> dict:
    """Every scheme's charts by output sheet name (or ``prefix-``), for `jifen print`."""
    return {name: fn for s in SCHEMES for name, fn in s.charts.items()}

