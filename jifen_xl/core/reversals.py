"""Corrections are entries (冲正, SPEC C-9): a row naming another row's 编号 in
its `冲正` column cancels that row's entries. Both rows stay in the sheet and show in the
outputs; together they count zero in every period. Shared by every scheme with a numbered
sheet.

C-9: the named row is cancelled *whatever its problems* — an unknown code, a bad date, a
duplicate — so a clerk never has to edit a wrong row in place: its errors become one 提示
(``soften_reversed``). Default periods follow the latest ordinary entry, never a 冲正 row's
date nor a cancelled row's (``ordinary_rows``)."""
from __future__ import annotations

import pandas as pd

from .checks import UniqueBy
from .problems import NOTICE, Problem


def match_reversals(recs: list[dict], sheet: str,
                    same_columns: tuple[str, ...]) -> tuple[dict[int, int], list[Problem]]:
    """The valid reversals as {reversed row: reversing row}, and the problems: duplicate
    编号, a reversal of a missing row, of a reversal, or of a row already reversed, and a
    reversal whose ``same_columns`` (when filled) disagree with the row it names."""
    problems: list[Problem] = []
    numbered: dict[str, dict] = {}
    numbers = UniqueBy(sheet, "编号")
    for r in recs:
        n = r.get("编号")
        if not n:
            continue
        if repeat := numbers.first(n, r["_row"]):
            problems.append(repeat)
            continue
        numbered[n] = r
    reversed_by: dict[str, int] = {}
    pairs: dict[int, int] = {}
    for r in recs:
        target = r.get("冲正")
        if not target:
            continue
        orig = numbered.get(target)
        why = None
        if orig is None:
            why = "冲正", "要冲正的编号不存在"
        elif orig.get("冲正"):
            why = "冲正", "不能冲正一条冲正记录"
        elif target in reversed_by:
            why = "冲正", f"这条记录已在第{reversed_by[target]}行冲正过"
        else:
            for col in same_columns:
                if r.get(col) and orig.get(col) and r[col] != orig[col]:
                    why = col, f"冲正行的{col}与被冲正的第{orig['_row']}行不一致"
                    break
        if why:
            col, message = why
            problems.append(Problem(sheet, r["_row"], col, r[col] if col != "冲正" else target, message))
            continue
        reversed_by[target] = r["_row"]
        pairs[orig["_row"]] = r["_row"]
    return pairs, problems


def cancel_rows(entries: pd.DataFrame, sheet: str, pairs: dict[int, int]) -> None:
    """Mark the entries of the reversed rows cancelled (in place), noting who reversed them."""
    if not pairs:
        return
    mask = (entries["sheet"] == sheet) & entries["row"].isin(list(pairs))
    if mask.any():    # one vectorised update; a reversed row may have made no entries
        entries.loc[mask, "cancelled"] = True
        entries.loc[mask, "note"] = (entries.loc[mask, "note"].astype(str)
                                     + entries.loc[mask, "row"].map(
                                         lambda n: f"（已被第{pairs[int(n)]}行冲正）").astype(str))


def apply_reversals(entries: pd.DataFrame, recs: list[dict], sheet: str,
                    same_columns: tuple[str, ...]) -> list[Problem]:
    """``match_reversals`` then ``cancel_rows``; returns the problems."""
    pairs, problems = match_reversals(recs, sheet, same_columns)
    cancel_rows(entries, sheet, pairs)
    return problems


def soften_reversed(problems: list[Problem], sheet: str, pairs: dict[int, int]) -> list[Problem]:
    """C-9: the problems of a reversed row become one 提示 at that row (its first problem's
    place in the list); every other problem is kept as it is."""
    if not pairs:
        return problems
    found: dict[int, list[Problem]] = {}
    for p in problems:
        if p.sheet == sheet and p.row in pairs:
            found.setdefault(p.row, []).append(p)
    if not found:
        return problems
    out: list[Problem] = []
    for p in problems:
        if p.sheet != sheet or p.row not in found:
            out.append(p)
            continue
        ps = found.pop(p.row, None)
        if ps is None:
            continue     # already merged
        what = "；".join(f"{q.column + '：' if q.column else ''}{q.message}" for q in ps)
        out.append(Problem(sheet, p.row, ps[0].column, ps[0].value,
                           f"这一行已被第{pairs[p.row]}行冲正，不计分，无需再修改（原有问题：{what}）", NOTICE))
    return out


def ordinary_rows(rows, reversal_refs, pairs: dict[int, int]) -> list[bool]:
    """C-9: which rows are ordinary entries for default periods — neither a 冲正 row
    (a filled ``reversal_refs`` value) nor a row a valid 冲正 cancelled."""
    return [not rev and row not in pairs for row, rev in zip(rows, reversal_refs)]
