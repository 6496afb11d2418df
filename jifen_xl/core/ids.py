"""Ids as people type them: match a typed 学号 / 户号 / 账户号 / 代码 to the one
the roster or rule table holds, and suggest when nothing matches.

- exact: the id as typed (after ``normalize.to_id``: full-width folded, trimmed);
- Excel's lost zeros: a digits-only id equal as a number to exactly one digits-only roster
  id (``1001`` ↔ ``01001``) is accepted with a 提示;
- case: an id equal ignoring case to exactly one roster id (``x04`` ↔ ``X04``) is accepted
  with a 提示;
- ``代码 事项`` (what the template's code drop-down shows): the leading code, when the rest
  is that rule's 事项, is the code, with no note — it is how the drop-down fills the cell;
- otherwise nothing matches, and ``hint`` offers "是不是 …？" when the text is a roster name
  or one edit away from an id.

Pure: no workbook, no pandas. Each distinct typed value is resolved once (memoised).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from .problems import NOTICE, Problem

_MAX_HINTS = 3


def _digits(s: str) -> bool:
    return s.isascii() and s.isdigit()


def one_edit(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by one inserted, deleted or changed character (or one swap of
    two neighbours, the commonest slip)."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


class IdMatcher:
    """Resolves typed ids against ``ids``. ``names`` (id → name) lets a name typed where the
    id belongs be recognised; ``items`` (code → 事项) allows ``代码 事项`` cells."""

    def __init__(self, ids: Iterable[str], *, what: str = "学号", names: Mapping[str, str] | None = None,
                 items: Mapping[str, str] | None = None):
        self.ids = set(i for i in ids if i)
        self.what = what
        self.names = dict(names or {})
        self.items = dict(items or {})
        self._num: dict[int, list[str]] = {}
        self._fold: dict[str, list[str]] = {}
        for i in self.ids:
            if _digits(i):
                self._num.setdefault(int(i), []).append(i)
            self._fold.setdefault(i.casefold(), []).append(i)
        self._by_name: dict[str, list[str]] = {}
        for i, n in self.names.items():
            if n:
                self._by_name.setdefault(n, []).append(i)
        self._memo: dict[str, tuple[str | None, str | None]] = {}

    def resolve(self, typed: str) -> tuple[str | None, str | None]:
        """(roster id, 提示 text or None) — or (None, None) when nothing matches."""
        if typed in self.ids:
            return typed, None
        hit = self._memo.get(typed)
        if hit is None:
            hit = self._memo[typed] = self._resolve(typed)
        return hit

    def _resolve(self, typed: str) -> tuple[str | None, str | None]:
        t = typed.strip()
        if not t:
            return None, None
        if _digits(t):
            same = self._num.get(int(t), [])
            if len(same) == 1:
                return same[0], (f"{self.what}“{t}”按{self._source()}中的“{same[0]}”计"
                                 "（Excel 会去掉数字开头的 0；请把这一列设为文本格式后按名册填写）")
        same = self._fold.get(t.casefold(), [])
        if len(same) == 1:
            return same[0], f"{self.what}“{t}”按“{same[0]}”计（大小写不同）"
        if self.items:
            head, sep, rest = t.partition(" ")
            if sep:
                code, note = self.resolve(head)
                if code is not None and rest.strip() == self.items.get(code, "").strip():
                    return code, note
        return None, None

    def _source(self) -> str:
        return "规则表" if self.items else "名册"

    def hint(self, typed: str) -> str:
        """"，是不是 01001（张三）？" — or "" when nothing is close."""
        t = (typed or "").strip()
        if not t:
            return ""
        found = list(self._by_name.get(t, []))
        if not found and self.items and " " in t:       # `代码 事项` whose parts disagree
            head, _, rest = t.partition(" ")
            code = self.resolve(head)[0]
            found = ([code] if code else []) + sorted(c for c, i in self.items.items()
                                                      if i == rest.strip() and c != code)
        if not found:
            head = t.partition(" ")[0] if self.items else t
            fold = head.casefold()
            found = sorted(i for i in self.ids if one_edit(fold, i.casefold()))
        if not found:
            return ""
        shown = [f"{i}（{self.names[i]}）" if self.names.get(i) else (
            f"{i}（{self.items[i]}）" if self.items.get(i) else i) for i in found[:_MAX_HINTS]]
        return "，是不是 " + " 或 ".join(shown) + (" 等" if len(found) > _MAX_HINTS else "") + "？"


def match_column(values: list, matcher: IdMatcher, sheet: str, column: str, rows: list[int],
                 skip=None) -> list[Problem]:
    """Replace, in place, each value of ``values`` that matches a roster id only after
    normalisation (``IdMatcher.resolve``) by that id, with one 提示 per cell. Values that
    match exactly, blanks, ``skip(value)`` ones and unknown ids are left as they are (the
    scheme's own check reports unknown ones, with ``matcher.hint``)."""
    ids = matcher.ids
    odd = {v for v in set(values) if v and v not in ids and not (skip and skip(v))}
    if not odd:
        return []
    found = {v: matcher.resolve(v) for v in odd}
    found = {v: h for v, h in found.items() if h[0] is not None}
    if not found:
        return []
    problems = []
    for k, v in enumerate(values):
        hit = found.get(v) if v else None
        if hit is not None:
            values[k] = hit[0]
            if hit[1]:
                problems.append(Problem(sheet, rows[k], column, v, hit[1], NOTICE))
    return problems


def match_records(recs: list[dict], matcher: IdMatcher, sheet: str, column: str, skip=None) -> list[Problem]:
    """``match_column`` over one column of ``parse_table`` records."""
    values = [r.get(column) for r in recs]
    problems = match_column(values, matcher, sheet, column, [r["_row"] for r in recs], skip)
    if problems or any(v is not r.get(column) for v, r in zip(values, recs)):
        for v, r in zip(values, recs):
            r[column] = v
    return problems
