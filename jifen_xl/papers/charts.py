"""Bar charts of an output sheet's ``ChartSpec`` drawn with Typst's built-in shapes (issue
#24: no chart package). Every chart becomes horizontal bars — one row per category, one bar
per series (stacked series share one bar), the value written at each bar — so long category
names and negative values read plainly. Line series (``lines``, ``goals``) are drawn as
bars too, hatched grey; constant ``targets`` are written under the title. Rows come from
the sheet itself, never from a picture of it.
"""
from __future__ import annotations

from ..book.sheets import OutputSheet
from .text import cell_text
from .typeset import lit

COLORS = ("#4472C4", "#ED7D31", "#70AD47", "#FFC000", "#5B9BD5", "#A5A5A5", "#9E480E", "#264478")
MAX_ROWS = 60


def _value(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return 0.0


def _label(v, percent: bool) -> str:
    f = _value(v)
    if percent:
        return f"{f * 100:.1f}%"
    return str(int(f)) if f.is_integer() else f"{f:.2f}".rstrip("0").rstrip(".")


def chart_markup(spec, sheet: OutputSheet, week=None) -> str:
    """One chart as Typst markup (a block that is not split across pages)."""
    cols = sheet.columns
    series = [s for s in spec.series + spec.lines + spec.goals if s in cols]
    if spec.categories not in cols or not series:
        return ""
    ci = cols.index(spec.categories)
    rows = sheet.rows[(spec.first_row or 1) - 1: spec.last_row or None][:MAX_ROWS]
    if not rows:
        return ""
    bars = [s for s in series if s in spec.series]
    extra = [s for s in series if s not in spec.series]
    stacked = spec.stacked and len(bars) > 1

    def total(r, names):
        return sum(abs(_value(r[cols.index(s)])) for s in names)

    peak = max([total(r, bars) if stacked else max(abs(_value(r[cols.index(s)])) for s in bars) for r in rows]
               + [abs(_value(r[cols.index(s)])) for r in rows for s in extra] + [1e-9])
    legend = "  ".join(
        f"#box(rect(width: 8pt, height: 8pt, fill: rgb({lit(COLORS[i % len(COLORS)])})))#h(2pt)#{lit(s)}"
        if s in bars else f"#box(rect(width: 8pt, height: 8pt, fill: luma(170)))#h(2pt)#{lit(s)}"
        for i, s in enumerate(series))
    cells = []
    for r in rows:
        label = cell_text(spec.categories, r[ci], week)
        parts = []
        if stacked:
            segs = "".join(
                f"#box(rect(width: {abs(_value(r[cols.index(s)])) / peak * 100:.2f}%, height: 9pt, "
                f"fill: rgb({lit(COLORS[bars.index(s) % len(COLORS)])}), stroke: none))"
                for s in bars if _value(r[cols.index(s)]))
            parts.append(f"box(width: 88%, [{segs}]) + h(3pt) + text(size: 7pt, "
                         f"{lit(_label(total(r, bars), spec.percent))})")
        else:
            for s in bars:
                v = _value(r[cols.index(s)])
                color = COLORS[bars.index(s) % len(COLORS)]
                parts.append(f"box(rect(width: {abs(v) / peak * 88:.2f}%, height: 8pt, fill: rgb({lit(color)}), "
                             f"stroke: none)) + h(3pt) + text(size: 7pt, {lit(_label(v, spec.percent))})")
        for s in extra:
            v = _value(r[cols.index(s)])
            parts.append(f"box(rect(width: {abs(v) / peak * 88:.2f}%, height: 5pt, fill: luma(170), stroke: none))"
                         f" + h(3pt) + text(size: 7pt, fill: luma(90), {lit(_label(v, spec.percent))})")
        cells.append(f"text(size: 8pt, {lit(label)}), stack(spacing: 1.5pt, {', '.join(parts)})")
    targets = "；".join(f"{name}：{_label(v, spec.percent)}" for name, v in spec.targets)
    note = f"#align(center, text(size: 8pt, {lit(targets)}))" if targets else ""
    ytitle = f"（单位：{spec.y_title}）" if spec.y_title else ""
    return (f"#block(breakable: false, above: 1.4em)[\n"
            f"#align(center, text(weight: \"bold\", size: 11pt, {lit(spec.title + ytitle)}))\n{note}\n"
            f"#align(center, text(size: 8pt)[{legend}])\n#v(0.3em)\n"
            f"#grid(columns: (auto, 1fr), column-gutter: 6pt, row-gutter: 4pt, align: (right + horizon, left + horizon),\n"
            + ",\n".join(cells) + ")\n]")
