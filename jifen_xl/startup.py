"""A light start for the `jifen` process: pyarrow and duckdb only for roll-ups.

pyarrow and duckdb are the optional extra ``jifen-xl[rollup]``; only `jifen export` and
`jifen rollup` use them (jifen_xl/rollup). pandas 3, however, imports pyarrow whenever it
is installed, at ``import pandas``, and then backs its ``str`` dtype with it. So for every
other command the `jifen` process imports pandas with pyarrow and duckdb hidden: start-up
does not pay for them, and the computation runs on pandas' own string storage - the same
code path as on a PC where the extra is not installed (the Windows bundle), whatever is
installed here. The hiding lasts only while pandas is imported.

Only the process entry (``cli.main()`` without arguments) does this, once the arguments are
parsed (`--help` and usage errors never import pandas at all: the parser is built from the
declarations alone); code that imports jifen_xl as a library, and the tests calling
``main([...])`` in-process, are left alone.
"""
from __future__ import annotations

import sys
import types
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

#: What the roll-up extra brings; nothing else in jifen_xl imports these.
ROLLUP_MODULES = ("pyarrow", "duckdb")
#: The commands that need them.
ROLLUP_COMMANDS = ("export", "rollup")


class _Absent(types.ModuleType):
    """Stands in for a module that must look uninstalled: any attribute raises ImportError.

    ``import NAME`` finds it in ``sys.modules`` without searching the disk (so nothing is
    loaded and ``-X importtime`` lists no attempt); the first use of it - pandas reads
    ``pyarrow.__version__`` - raises the ImportError an absent package would.
    """

    def __getattr__(self, attr: str):
        raise ImportError(f"{self.__name__} is not used by this command (startup.py)", name=self.__name__)


@contextmanager
def hidden(names: Sequence[str] = ROLLUP_MODULES) -> Iterator[None]:
    """Within the block the named modules (not yet imported) behave as if not installed."""
    placed = {name: _Absent(name) for name in names if name not in sys.modules}
    sys.modules.update(placed)
    try:
        yield
    finally:
        for name, stand_in in placed.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


def command_of(args: Sequence[str]) -> str | None:
    """The subcommand in a `jifen` argument list (its first word that is not an option)."""
    return next((a for a in args if not a.startswith("-")), None)


def light_start(args: Sequence[str]) -> None:
    """Import pandas without pyarrow/duckdb unless the command is a roll-up (see module doc)."""
    if command_of(args) in ROLLUP_COMMANDS or "pandas" in sys.modules:
        return
    with hidden():
        try:
            import pandas  # noqa: F401
        except ImportError:   # no pandas at all: the command reports it where it is needed
            pass
