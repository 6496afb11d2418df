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

from .schemes import SCHEMES
from .schemes.base import (Action, Result, Scheme, check_sheet, finish, parse_param,  # noqa: F401
                           sorted_problems)

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
    """The scheme whose workbook has these sheets (each scheme's ``detect``, by ``detect_rank``)."""
    names = set(sheet_names)
    for s in sorted(SCHEMES, key=lambda s: s.detect_rank):
        if s.detect(names):
            return s.name
    return None


def load_actions() -> dict[tuple[str, str], Action]:
    """Every action of every scheme (kept for callers of the former import-time registry)."""
    return ACTIONS
