"""Array worksheet functions (UDFs) for what a clerk wants live in the sheet.

Each function takes whole columns (one call per range, not per cell) and returns a column
of the same height; empty input rows give empty output cells. They are thin wrappers over
the core functions the commands use, so a live cell and a computed sheet cannot disagree:

* ``JIFEN_POINTS``  — an entry's points for that student: rule/explicit value × count ×
  the cadre multiplier unless the rule is exempt (SPEC C-2, S-2; engine.multiplier_for /
  engine.entry_points, exact hundredths).
* ``JIFEN_RANK``    — competition rank "1224" of totals (SPEC C-4).
* ``JIFEN_AWARD``   — semester award tier by shared rank (SPEC S-11).
* ``JIFEN_STAR``    — village star rating by r/N and the base (SPEC V-7).
* ``JIFEN_WEEK``    — the first day of the week a date belongs to (SPEC S-8).

Classic Excel on Windows imports them through the xlwings add-in ("Import Functions",
`UDF Modules` = ``jifen_xl.udfs`` in the workbook's ``xlwings.conf`` sheet); xlwings
Server / Lite register the same functions as Office.js custom functions.
"""
from __future__ import annotations

from decimal import Decimal

import xlwings as xw

from .core import engine, normalize as nz
from .core.periods import week_of
from .core.points import from_cents, to_cents
from .core.ranking import competition_rank, star_for, tier_for_rank

_BLANK = ""


def _column(values) -> list:
    """A 2-D range (or a scalar) flattened to one column of cells."""
    if not isinstance(values, list):
        return [values]
    cells = []
    for row in values:
        cells.extend(row if isinstance(row, list) else [row])
    return cells


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _cell_at(values: list, i: int):
    """Broadcast a one-cell argument over every row."""
    return values[0] if len(values) == 1 else (values[i] if i < len(values) else None)


def _as_column(cells: list) -> list[list]:
    return [[c] for c in cells] or [[_BLANK]]


def _number(v):
    """Decimal → float for Excel; ints stay ints."""
    return float(v) if isinstance(v, Decimal) else v


def _cents(v) -> int:
    return to_cents(nz.to_decimal(v)[0])


@xw.func
@xw.arg("each", ndim=2, doc="每次分值（规则分值或填写的分值）")
@xw.arg("count", ndim=2, doc="次数，空白为 1")
@xw.arg("cadre", ndim=2, doc="是否班干部：是/否")
@xw.arg("cadre_double", ndim=2, doc="规则的“班干部加倍”：是/否")
@xw.arg("multiplier", doc="班干部倍数，默认 2")
@xw.ret(expand="table")
def JIFEN_POINTS(each, count, cadre, cadre_double, multiplier=2):
    """该条记录对这位同学实际计入的分值（次数、班干部加倍及其例外，SPEC C-2、S-2）。"""
    each, count, cadre, double = (_column(a) for a in (each, count, cadre, cadre_double))
    mult = nz.to_decimal(multiplier if not _blank(multiplier) else 2)[0]
    out = []
    for i, value in enumerate(each):
        if _blank(value):
            out.append(_BLANK)
            continue
        try:
            cents = _cents(value)
            n = _cell_at(count, i)
            times = 1 if _blank(n) else nz.to_count(n)[0]
            is_cadre = bool(nz.to_bool(_cell_at(cadre, i))[0])
            doubles = bool(nz.to_bool(_cell_at(double, i))[0])
        except ValueError as exc:
            out.append(f"#无法识别：{exc}")
            continue
        m = engine.multiplier_for(cents, is_cadre, doubles, mult)
        out.append(_number(from_cents(engine.entry_points(cents, times, m))))
    return _as_column(out)


def _totals(totals) -> tuple[list, list[int], list[int]]:
    """(cells, indexes of non-empty rows, their cents)."""
    cells = _column(totals)
    idx, cents = [], []
    for i, v in enumerate(cells):
        if not _blank(v):
            idx.append(i)
            cents.append(_cents(v))
    return cells, idx, cents


@xw.func
@xw.arg("totals", ndim=2, doc="总分一列；空白行不参加排名")
@xw.ret(expand="table")
def JIFEN_RANK(totals):
    """名次（同分同名次，下一名跳过，如 1、2、2、4；SPEC C-4）。"""
    cells, idx, cents = _totals(totals)
    out: list = [_BLANK] * len(cells)
    for i, rank in zip(idx, competition_rank(cents)):
        out[i] = rank
    return _as_column(out)


@xw.func
@xw.arg("totals", ndim=2, doc="学期总分一列")
@xw.arg("first", doc="一等人数，默认 3")
@xw.arg("second", doc="二等人数，默认 5")
@xw.arg("third", doc="三等人数，默认 7")
@xw.ret(expand="table")
def JIFEN_AWARD(totals, first=3, second=5, third=7):
    """期末奖项：按并列名次分一等奖、二等奖、三等奖（SPEC S-11、C-4）。"""
    cells, idx, cents = _totals(totals)
    sizes = [nz.to_count(v)[0] if not _blank(v) else d for v, d in ((first, 3), (second, 5), (third, 7))]
    tiers = list(zip(("一等奖", "二等奖", "三等奖"), sizes))
    out: list = [_BLANK] * len(cells)
    for i, rank in zip(idx, competition_rank(cents)):
        out[i] = tier_for_rank(rank, tiers)
    return _as_column(out)


@xw.func
@xw.arg("totals", ndim=2, doc="参与农户的年度总分一列")
@xw.arg("base", doc="基础分合计，默认 140")
@xw.arg("five", doc="五星比例，默认 10%")
@xw.arg("four", doc="四星比例，默认 20%")
@xw.arg("three", doc="三星比例，默认 30%")
@xw.ret(expand="table")
def JIFEN_STAR(totals, base=140, five="10%", four="20%", three="30%"):
    """星级：名次/参与户数 ≤10% 五星、≤20% 四星、≤30% 三星，且总分不低于基础分（SPEC V-7）。"""
    cells, idx, cents = _totals(totals)
    floor = _cents(base if not _blank(base) else 140)
    cuts = [(name, nz.to_ratio(v if not _blank(v) else d)[0])
            for name, v, d in (("五星", five, "10%"), ("四星", four, "20%"), ("三星", three, "30%"))]
    out: list = [_BLANK] * len(cells)
    for i, total, rank in zip(idx, cents, competition_rank(cents)):
        out[i] = star_for(rank, len(cents), total, floor, cuts)
    return _as_column(out)


@xw.func
@xw.arg("dates", ndim=2, doc="日期一列（真日期、日期序号或 2026-09-01 这样的文字）")
@xw.arg("first_weekday", doc="周起始，默认 周一")
@xw.ret(expand="table")
def JIFEN_WEEK(dates, first_weekday="周一"):
    """日期所在周的第一天（周起始按“设置”，默认周一；SPEC S-8）。"""
    start = nz.to_weekday(first_weekday if not _blank(first_weekday) else "周一")[0]
    out = []
    for v in _column(dates):
        if _blank(v):
            out.append(_BLANK)
            continue
        try:
            out.append(week_of(nz.to_date(v)[0], start).start)
        except ValueError as exc:
            out.append(f"#无法识别：{exc}")
    return _as_column(out)
