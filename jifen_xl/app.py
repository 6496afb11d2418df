"""Actions: what each button / `jifen` command does, independent of the door.

An action names the input sheets it reads and computes output sheets from them. The file
door (cli.py) reads those sheets with calamine and writes with the package writer; the
xlwings door (macros.py) reads them from the open Book and writes through xlwings. Both call
``Action.compute`` — the same pure code — so the two doors cannot disagree.

The actions are those of ``jifen_xl.schemes.SCHEMES`` (each scheme declares its own in its
package); this module only finds them. ``Action``, ``Result`` and ``finish`` live in
``schemes/base.py`` and are re-exported here for the doors.
"""
from __future__ import annotations

from .schemes import SCHEMES, catalog
from .schemes.base import (Action, LazyMap, Ref, Result, Scheme, check_sheet, finish,  # noqa: F401
                           parse_param, sorted_problems)

# (command, scheme) -> action, in SCHEMES order (the order of `jifen --help`)
ACTIONS: dict[tuple[str, str], Action] = {(a.name, s.name): a for s in SCHEMES for a in s.actions}


def scheme_named(name: str) -> Scheme | None:
    return next((s for s in SCHEMES if s.name == name), None)


def find_action(command: str, sheet_names: list[str]) -> Action | None:
    """The action for `command`; when several schemes have it (check), the workbook decides."""
    candidates = [a for (name, _), a in ACTIONS.items() if name == command]
    scheme = detect_scheme(sheet_names)
    if len(candidates) == 1 and scheme is None:
        return candidates[0]      # let the action report the missing sheets
    for a in candidates:
        if a.scheme == scheme:
            return a
    return None


def detect_scheme(sheet_names: list[str]) -> str | None:
    """The scheme whose workbook has these sheets (``Scheme.identify``; catalog.detect); the
    WPS add-in decides from the same table (wps_addin/js/actions.js)."""
    return catalog.detect(SCHEMES, sheet_names)


def load_computing() -> None:
    """Import every scheme's computing code now (what the declarations name by ``Ref``): the
    service warms up with it before the first click; the command line never needs it all."""
    for s in SCHEMES:
        named = [s.inputs, s.template_sheets, s.demo, s.export, s.papers, *s.charts.values(),
                 *(a.compute for a in s.actions), *(a.sheets for a in s.actions)]
        for value in named:
            ref = value.ref if isinstance(value, LazyMap) else value
            if isinstance(ref, Ref):
                ref.resolve()
