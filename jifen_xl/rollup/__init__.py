"""Town and county roll-up: one workbook → Parquet, many workbooks → one report.

* ``export.py`` — the normalised, validated data and the results of one village or ledger
  workbook as Parquet tables with a versioned schema (``SCHEMA_VERSION``; docs/rollup.md).
  The results are taken from the very functions `jifen year` and `jifen ledger` use, so the
  roll-up cannot disagree with a village's own workbook.
* ``aggregate.py`` — finds every village and ledger workbook under a folder, exports the
  ones whose content hash changed (incremental cache), and aggregates all of them with
  DuckDB into the town report (`镇汇总.xlsx`). Names stay out unless asked for.
* ``cli_hooks.py`` — the `jifen export` and `jifen rollup` subcommands.

pyarrow and duckdb come with the optional extra ``jifen-xl[rollup]``; nothing outside this
package imports them, and importing the package itself does not (`jifen --help` builds
its parser from ``cli_hooks``).
"""


def __getattr__(name: str):
    if name == "SCHEMA_VERSION":
        from .export import SCHEMA_VERSION
        return SCHEMA_VERSION
    raise AttributeError(name)
