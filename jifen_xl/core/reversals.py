"""Corrections are entries (冲正, issue #8): a row naming another row's 编号 in its `冲正`
column cancels that row's entries. Both rows stay in the sheet and show in the outputs;
together they count zero in every period. Shared by every scheme with a numbered sheet."""
from __future__ import annotations

import pandas as pd

from .problems import Problem


def apply_reversals(entries: pd.DataFrame, recs: list[dict], sheet: str,
                    same_columns: tuple[str, ...]) -> list[Problem]:
    """Mark the reversed rows' entries cancelled (in place) and return the problems:
    duplicate 编号, a reversal of a missing row, of a reversal, or of a row already
    reversed, and a reversal whose ``same_columns`` (when filled) disagree with the row."""
    problems: list[Problem] = []
    numbered: dict[str, dict] = {}
    for r in recs:
        n = r.get("编号")
        if not n:
            continue
        if n in numbered:
            problems.append(Problem(sheet, r["_row"], "编号", n, f"编号重复（第{numbered[n]['_row']}行已有）"))
            continue
        numbered[n] = r
    reversed_by: dict[str, int] = {}
    cancel: dict[int, str] = {}     # original row -> note suffix
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
        cancel[orig["_row"]] = f"（已被第{r['_row']}行冲正）"
    if cancel:   # one vectorised update; an original row may have made no entries
        mask = (entries["sheet"] == sheet) & entries["row"].isin(list(cancel))
        if mask.any():
            entries.loc[mask, "cancelled"] = True
            entries.loc[mask, "note"] = (entries.loc[mask, "note"].astype(str)
                                         + entries.loc[mask, "row"].map(lambda n: cancel[int(n)]).astype(str))
    return problems
