"""Glue between the plan and ``book/charts.py``: drawing and chart parts for sheets with charts.

``charts.py`` generates the XML text of charts, drawings and rels; here the part names
(smallest free ``drawingN``/``chartN``) and relationships are decided.
"""
from __future__ import annotations

import posixpath

from .. import charts as _charts
from .package import Package, rels_part_of


def plan_charts(pkg: Package, ref_names: dict[str, str], new_overrides: list,
                date1904: bool) -> dict[str, str]:
    """Add drawing/chart parts (+ rels) for sheets with charts; return member -> sheet tail.

    A replaced sheet's old rels part was dropped (with its now-unreachable drawing and
    charts) before this runs, so its rels part is written afresh here.
    """
    tails: dict[str, str] = {}
    for member, s in pkg.sheet_parts.items():
        if not s.charts:
            continue
        nrows = len(s.rows)
        resolved = [r for c in s.charts if (r := _charts.resolve(c, list(s.columns), nrows)) is not None]
        if not resolved:
            continue
        base = posixpath.dirname(posixpath.dirname(member))       # the workbook folder ("xl")
        drawing = pkg.free_part(posixpath.join(base, "drawings", "drawing%d.xml"))
        pkg.new_parts[drawing] = b""
        chart_parts = []
        for r in resolved:
            part = pkg.free_part(posixpath.join(base, "charts", "chart%d.xml"))
            pkg.new_parts[part] = _charts.chart_xml(ref_names[member], list(s.columns), s.rows, r, date1904)
            chart_parts.append(part)
        places, breaks = _charts.placements(len(resolved), nrows, s.column_widths(), s.landscape)
        pkg.new_parts[drawing] = _charts.drawing_xml(places)
        pkg.new_parts[rels_part_of(drawing)] = _charts.rels_xml(
            [(f"rId{i + 1}", _charts.RT_CHART, posixpath.relpath(p, posixpath.dirname(drawing)))
             for i, p in enumerate(chart_parts)])
        sheet_rels = rels_part_of(member)
        pkg.new_parts[sheet_rels] = _charts.rels_xml(
            [("rId1", _charts.RT_DRAWING, posixpath.relpath(drawing, posixpath.dirname(member)))])
        new_overrides.append((drawing, _charts.CT_DRAWING))
        new_overrides.extend((p, _charts.CT_CHART) for p in chart_parts)
        tails[member] = _charts.sheet_tail_xml(breaks, "rId1")
    return tails
