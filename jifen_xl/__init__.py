"""jifen-xl: points-based management (积分制管理) for the workbooks clerks already use.

Layout:
- ``jifen_xl.core``  pure scoring engine (no Excel import): periods, points, limits, ranks.
- ``jifen_xl.book``  the workbook layer: reading input sheets, writing output sheets, templates.
- ``jifen_xl.schemes`` school, village and ledger as data plus the computations that use it.
- ``jifen_xl.cli``   the ``jifen`` command; ``macros.py`` / ``udfs.py`` are the Excel doors.
"""

__version__ = "0.1.0"
