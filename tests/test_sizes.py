"""Sizes a reader can hold, everywhere in jifen_xl (issue #22 item 6): no module over 900
lines, no function over 120 (measured with ast: a function's lines run from its `def` to its
last statement, nested functions counted inside their parent too)."""
from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "jifen_xl"
MAX_MODULE_LINES = 900
MAX_FUNCTION_LINES = 120


def _sources() -> list[Path]:
    found = sorted(PKG.rglob("*.py"))
    assert len(found) > 50 and PKG / "rollup" / "aggregate.py" in found
    return found


def test_no_module_over_900_lines():
    big = {f.relative_to(PKG).as_posix(): n for f in _sources()
           if (n := len(f.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not big, f"modules over {MAX_MODULE_LINES} lines: {big}"


def test_no_function_over_120_lines():
    big = {}
    for f in _sources():
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"), filename=str(f))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = node.end_lineno - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    big[f"{f.relative_to(PKG).as_posix()}:{node.lineno} {node.name}"] = size
    assert not big, f"functions over {MAX_FUNCTION_LINES} lines: {big}"
