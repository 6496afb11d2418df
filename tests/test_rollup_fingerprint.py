"""The roll-up cache's code key comes from what the export imports (issue #22 item 6).

``rollup/fingerprint.py`` follows the imports of ``rollup/export.py`` through ``jifen_xl``; a
cached Parquet set is reused only while every one of those files is unchanged. Checked here:
editing a module the export reaches (``schemes/base.py`` was missing from the old hand-made
list) changes the key, a new module it reaches (by import or by a declaration's ``ref``)
changes the key, a module it never reaches (the print layer) does not, and every
``jifen_xl`` module a real export run loads is one the walk found.
"""
from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jifen_xl.rollup import fingerprint as fp
from test_rollup import ledger_scenario, village_book, write_xlsx

PKG = fp.PKG


@pytest.fixture
def pkg(tmp_path) -> Path:
    """A copy of the jifen_xl sources to edit."""
    copy = tmp_path / "jifen_xl"
    shutil.copytree(PKG, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _rel(paths: list[Path], root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in paths}


def test_the_copy_has_the_same_key_and_files(pkg):
    assert fp.fingerprint(pkg=pkg) == fp.fingerprint() == fp.code_fingerprint()
    assert _rel(fp.imported_sources(pkg=pkg), pkg) == _rel(fp.imported_sources(), PKG)


@pytest.mark.parametrize("module", ["schemes/base.py", "core/table.py", "book/reader.py", "app.py",
                                    "rollup/export.py", "schemes/__init__.py", "core/__init__.py"])
def test_changing_a_module_the_export_imports_changes_the_key(pkg, module):
    before = fp.fingerprint(pkg=pkg)
    f = pkg / module
    f.write_bytes(f.read_bytes() + b"\n# changed\n")
    assert fp.fingerprint(pkg=pkg) != before


def test_each_scheme_package_is_part_of_the_key(pkg):
    """Detection runs every scheme's declaration, the export a village's and a ledger's code."""
    found = _rel(fp.imported_sources(pkg=pkg), pkg)
    for scheme in sorted(p.parent.name for p in (pkg / "schemes").glob("*/__init__.py")):
        assert f"schemes/{scheme}/__init__.py" in found
    for scheme in ("village", "ledger"):
        assert {p for p in found if p.startswith(f"schemes/{scheme}/")} == \
            {f"schemes/{scheme}/{p.name}" for p in (pkg / "schemes" / scheme).glob("*.py")}


def test_a_new_module_imported_lazily_changes_the_key(pkg):
    before = fp.fingerprint(pkg=pkg)
    (pkg / "core" / "extra_rule.py").write_text("LIMIT = 5\n", encoding="utf-8")
    assert fp.fingerprint(pkg=pkg) == before        # not imported yet: not part of the export
    base = pkg / "schemes" / "base.py"
    base.write_text(base.read_text(encoding="utf-8") + "\n\ndef _limit():\n    from ..core.extra_rule import LIMIT\n"
                    "    return LIMIT\n", encoding="utf-8")
    changed = fp.fingerprint(pkg=pkg)
    assert changed != before and "core/extra_rule.py" in _rel(fp.imported_sources(pkg=pkg), pkg)
    (pkg / "core" / "extra_rule.py").write_text("LIMIT = 6\n", encoding="utf-8")
    assert fp.fingerprint(pkg=pkg) != changed


def test_a_module_a_declaration_names_by_ref_is_part_of_the_key(pkg):
    """Scheme declarations name their computing code by ``ref("module:attr")`` (imported on
    first use, never by an import statement): those modules are followed too."""
    (pkg / "schemes" / "village" / "extra_rule.py").write_text("LIMIT = 5\n", encoding="utf-8")
    before = fp.fingerprint(pkg=pkg)
    init = pkg / "schemes" / "village" / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8") + '\n_EXTRA = ref("extra_rule:LIMIT")\n', encoding="utf-8")
    assert "schemes/village/extra_rule.py" in _rel(fp.imported_sources(pkg=pkg), pkg)
    changed = fp.fingerprint(pkg=pkg)
    (pkg / "schemes" / "village" / "extra_rule.py").write_text("LIMIT = 6\n", encoding="utf-8")
    assert before != changed != fp.fingerprint(pkg=pkg)


def test_a_module_the_export_never_imports_is_not_part_of_the_key(pkg):
    found = _rel(fp.imported_sources(pkg=pkg), pkg)
    assert "papers/layouts.py" not in found and "cli.py" not in found and "rollup/aggregate.py" not in found
    before = fp.fingerprint(pkg=pkg)
    f = pkg / "papers" / "layouts.py"
    f.write_bytes(f.read_bytes() + b"\n# changed\n")
    assert fp.fingerprint(pkg=pkg) == before


def test_every_module_a_real_export_loads_was_found(tmp_path):
    """Run the roll-up's worker on a village, a ledger and a broken workbook in a fresh
    process; every jifen_xl module it loaded is among the files the walk found."""
    books = [write_xlsx(tmp_path / "村.xlsx", village_book("测试村")),
             write_xlsx(tmp_path / "台账.xlsx", ledger_scenario()),
             write_xlsx(tmp_path / "坏.xlsx", village_book("坏村", 每组户数上限=5))]
    code = ("import json, sys\nfrom jifen_xl.rollup import export as ex\n"
            "for i, p in enumerate(sys.argv[2:]):\n"
            "    ex.export_to_cache(p, f'{i:064d}', sys.argv[1], False, None)\n"
            "print(json.dumps(sorted(m.__file__ for n, m in sys.modules.items()\n"
            "                        if n.startswith('jifen_xl') and getattr(m, '__file__', None))))")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "cache"), *map(str, books)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    loaded = {Path(f).resolve() for f in json.loads(done.stdout)}
    assert all((tmp_path / "cache" / f"{i:064d}" / "results.parquet").is_file() for i in range(3))
    found = set(fp.imported_sources())
    assert PKG / "rollup" / "export.py" in loaded and PKG / "schemes" / "base.py" in loaded
    assert loaded <= found, sorted(str(p.relative_to(PKG)) for p in loaded - found)


def test_the_fast_import_scan_agrees_with_a_full_parse():
    """fingerprint.py parses only the import statements; for every module of the package it
    finds the same imports as parsing the whole file (or falls back to that)."""
    for f in sorted(PKG.rglob("*.py")):
        source = f.read_bytes()
        full = sorted(ast.dump(n) for n in ast.walk(ast.parse(source))
                      if isinstance(n, (ast.Import, ast.ImportFrom)))
        assert sorted(ast.dump(n) for n in fp._import_nodes(source, f)) == full, f
