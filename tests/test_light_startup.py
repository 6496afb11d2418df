"""Light start-up (issue #19): pyarrow and duckdb only for `jifen export` / `jifen rollup`.

They are the optional extra ``jifen-xl[rollup]``. Each check runs a fresh process the way
a clerk starts it (``python -m jifen_xl.cli``, i.e. ``main()`` without arguments) and
looks at ``sys.modules`` at exit and at ``-X importtime``'s trace. pandas 3 tries
``import pyarrow`` whenever it is imported; in the `jifen` process that import finds a
stand-in that reports the package as absent (startup.py), so the trace lists neither
``pyarrow`` nor any of its modules (only pandas' own ``pandas.compat.pyarrow``).
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jifen_xl.schemes.school.demo import school_demo

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("pyarrow", "duckdb", "openpyxl")

#: Runs the `jifen` entry point like the console script, then reports what was imported.
PROBE = """
import runpy, sys
sys.argv = ["jifen", *sys.argv[1:]]
try:
    runpy.run_module("jifen_xl.cli", run_name="__main__")
except SystemExit as exit:
    code = exit.code
print("MODULES", sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in %r}), "EXIT", code)
""" % (HEAVY,)


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
                XLWINGS_LICENSE_KEY="noncommercial")


def probe(*args: str) -> tuple[list[str], int, str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          env=_env(), timeout=300, check=False)
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("MODULES "))
    modules = ast.literal_eval(line.split(" EXIT ")[0].removeprefix("MODULES "))
    return modules, int(line.split(" EXIT ")[1]), done.stdout + done.stderr


def traced(*args: str) -> list[str]:
    """Module names ``-X importtime`` lists for `python -m jifen_xl.cli ARGS`."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "jifen_xl.cli", *args],
                          capture_output=True, text=True, env=_env(), timeout=300, check=False)
    return [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
            if line.startswith("import time:") and "|" in line]


@pytest.fixture(scope="module")
def class_of_50(tmp_path_factory) -> Path:
    (path, _commands), = school_demo(tmp_path_factory.mktemp("class50"))
    return path


def test_help_imports_no_rollup_module():
    modules, code, _ = probe("--help")
    assert code == 0 and modules == []
    names = traced("--help")
    assert "jifen_xl.schemes.catalog" in names          # the trace did build the parser
    assert not [n for n in names if n.split(".")[0] in HEAVY]


def test_help_and_the_parser_need_only_the_declarations():
    """`jifen --help`, `jifen <command> --help` and a usage error build the parser from the
    declarations alone: no pandas, no numpy, no scheme computing module (README, "Light start")."""
    from jifen_xl.schemes import SCHEMES, catalog

    computing = ("pandas", "numpy", "python_calamine", "xlwings")
    probe_ = ("import runpy, sys\nsys.argv = ['jifen', *sys.argv[1:]]\n"
              "try:\n    runpy.run_module('jifen_xl.cli', run_name='__main__')\nexcept SystemExit as e:\n    code = e.code\n"
              "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in %r"
              " or (m.startswith('jifen_xl.schemes.') and m.count('.') >= 3)))" % (computing,))
    commands = [c.name for c in catalog.commands(SCHEMES)]
    for args in (["--help"], ["new", "--help"], *([c, "--help"] for c in commands), [commands[0]]):
        done = subprocess.run([sys.executable, "-c", probe_, *args], capture_output=True, text=True,
                              env=_env(), timeout=300, check=False)
        line = next(ln for ln in done.stdout.splitlines() if ln.startswith("LOADED "))
        assert ast.literal_eval(line.removeprefix("LOADED ")) == [], (args, line)
        assert "用法" in done.stdout + done.stderr, args


def test_week_on_a_class_of_50_imports_no_rollup_module(class_of_50, tmp_path):
    out = tmp_path / "week.xlsx"
    modules, code, output = probe("week", str(class_of_50), "--out", str(out))
    assert code == 0, output
    assert modules == []
    assert "周汇总" in output and out.exists()
    names = traced("week", str(class_of_50), "--out", str(tmp_path / "week2.xlsx"))
    assert any(n.startswith("jifen_xl.schemes") for n in names)
    assert not [n for n in names if n.split(".")[0] in HEAVY]


def test_export_still_loads_them(tmp_path):
    pytest.importorskip("pyarrow")
    pytest.importorskip("duckdb")
    modules, _code, output = probe("export", str(tmp_path / "none.xlsx"), "--parquet", str(tmp_path / "pq"))
    assert "pyarrow" in modules, output      # imported before the missing file is reported


def test_export_without_the_extra_says_how_to_install_it(tmp_path):
    """A PC without ``jifen-xl[rollup]``: exit 2 and a Chinese message, no traceback."""
    script = ("import sys; sys.modules['pyarrow'] = None; sys.modules['duckdb'] = None\n"
              "from jifen_xl.cli import main; sys.exit(main(sys.argv[1:]))")
    for command in (["export", str(tmp_path / "a.xlsx"), "--parquet", str(tmp_path / "pq")],
                    ["rollup", str(tmp_path)]):
        done = subprocess.run([sys.executable, "-c", script, *command], capture_output=True, text=True,
                              env=_env(), timeout=300, check=False)
        assert done.returncode == 2, done.stderr
        assert "jifen-xl[rollup]" in done.stderr and "可选组件" in done.stderr
        assert "Traceback" not in done.stderr


def test_buttons_and_udfs_work_without_the_extra():
    """The Windows bundle installs no pyarrow/duckdb: macros and UDFs import and compute."""
    script = ("import sys; sys.modules['pyarrow'] = None; sys.modules['duckdb'] = None\n"
              "import jifen_xl.macros, jifen_xl.udfs\n"
              "print(jifen_xl.udfs.JIFEN_RANK([[10], [20], [20], [5]]))\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] == 'openpyxl'))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=_env(), timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[[3], [1], [1], [4]]", "[]"]


def test_only_the_rollup_modules_import_pyarrow_or_duckdb():
    """Static guard: outside rollup/export.py and rollup/aggregate.py no module names them."""
    allowed = {REPO / "jifen_xl" / "rollup" / "export.py", REPO / "jifen_xl" / "rollup" / "aggregate.py"}
    offenders = []
    for path in (REPO / "jifen_xl").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            for name in names:
                top = name.split(".")[0]
                if top in ("pyarrow", "duckdb") and path not in allowed:
                    offenders.append(f"{path.relative_to(REPO)}: {name}")
                if top == "openpyxl":
                    offenders.append(f"{path.relative_to(REPO)}: openpyxl is a test-only dependency")
    assert offenders == []
