"""How much input one run takes: the limits, in one place for every door.

The file door (``reader.py``) checks them from the sheet XML before python-calamine builds
a sheet, whose grid spans A1 to the farthest cell holding a value (32 bytes a cell: one
stray value at XFD1048576 asked for 550 GB); the local service checks the same numbers on
a request's sheets. Input beyond them is refused up front (exit 2) with a Chinese message.

Measured (2-core machine): `jifen week` on a 200,000-row, 11-column 日志 (the bench
workbook) peaks at 370 MB and takes about 13 s under load; a read costs about 150 bytes a
cell including the grid. So 250,000 rows keeps that command under the 500 MB target with
room for the other sheets, and a sheet's grid of 4,000,000 cells is 250,000 rows of 16
columns (日志 has 11, 申报 17 of which the last few are often empty).
"""
from __future__ import annotations

MAX_ROWS_PER_SHEET = 250_000          # Excel row of the last cell holding a value
MAX_CELLS_PER_SHEET = 4_000_000       # rows × columns up to the farthest cell holding a value
MAX_CELLS_PER_WORKBOOK = 6_000_000    # the same, added over the sheets one command reads


def number(n: int) -> str:
    """``250,000`` for messages."""
    return f"{n:,}"
