"""The roll-up cache's code key: a hash of the source files the export runs.

A cached Parquet set is valid only for the code that wrote it: a fixed bug or
a changed rule must never leave stale results in the cache. The files are found, not listed
by hand: starting from ``rollup/export.py`` every ``import`` and ``from … import`` inside
``jifen_xl`` is followed with ``ast`` — lazy imports inside functions included, and the
``__init__.py`` of every package on the way, which Python runs on import — and the modules a
scheme's declaration names by ``Ref`` (``ref("export:export")``, ``"pkg.module:attr"``), which
are imported on first use (schemes/base.py). A new scheme, a new helper in
``schemes/base.py`` or a new core module is part of the key as soon as the export can reach
it. Modules outside ``jifen_xl`` (pandas, pyarrow …) are not followed: their version
is the installation's, not ours.
"""
from __future__ import annotations

import ast
import hashlib
import re
from functools import lru_cache
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent          # the jifen_xl package folder
ROOTS = ("jifen_xl.rollup.export",)                     # what writes a cached set


def module_file(name: str, pkg: Path = PKG) -> Path | None:
    """The source file of module ``name`` (``jifen_xl.a.b``) under ``pkg``, or None."""
    parts = name.split(".")
    if parts[0] != pkg.name:
        return None
    base = pkg.joinpath(*parts[1:])
    for f in (base.with_suffix(".py"), base / "__init__.py"):
        if f.is_file():
            return f
    return None


# An import statement's text: one line (a backslash continues it) or a parenthesised list.
# Parsing only these snippets with ``ast`` is ~10x faster than parsing whole modules; a snippet
# that does not parse (a docstring line starting with "import") sends the file to the full parse.
_STATEMENT = re.compile(rb"^[ \t]*(?:from[ \t]+[\w.]+[ \t]+import[ \t]*\([^)]*\)|(?:from|import)[ \t](?:[^\n]*\\\n)*[^\n]*)",
                        re.M)


def _import_nodes(source: bytes, path: Path) -> list[ast.stmt]:
    try:
        return [node for m in _STATEMENT.finditer(source)
                for node in ast.parse(m.group().strip()).body]
    except SyntaxError:
        return [n for n in ast.walk(ast.parse(source, filename=str(path)))
                if isinstance(n, (ast.Import, ast.ImportFrom))]


# A ``Ref`` spec in a string: "module:attr" (relative to the package, ``refs(__name__)``) or
# "package.module:attr".
_REF = re.compile(rb"""["']([A-Za-z_][\w.]*):[A-Za-z_]\w*["']""")


def _imported_names(name: str, path: Path) -> set[str]:
    """Every module name ``name`` may import, as written (resolved, not yet checked)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    source = path.read_bytes()
    out: set[str] = set()
    for m in _REF.finditer(source):          # modules named by Ref, imported on first use
        spec = m.group(1).decode()
        out.update((spec, f"{package}.{spec}"))
    for node in _import_nodes(source, path):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)    # `from . import model`
    return out


def _with_parents(name: str) -> list[str]:
    """``a.b.c`` -> ``a``, ``a.b``, ``a.b.c``: importing a module runs its packages first."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def imported_sources(roots: tuple[str, ...] = ROOTS, pkg: Path = PKG) -> list[Path]:
    """The source files of ``roots`` and of every module of ``pkg`` they import, directly or
    not, sorted by path."""
    seen: dict[str, Path] = {}
    todo = [m for r in roots for m in _with_parents(r)]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = module_file(name, pkg)
        if path is None:             # a name imported from a module, or outside the package
            continue
        seen[name] = path
        for target in _imported_names(name, path):
            todo.extend(m for m in _with_parents(target) if m not in seen)
    return sorted(set(seen.values()))


def fingerprint(roots: tuple[str, ...] = ROOTS, pkg: Path = PKG) -> str:
    """sha256 (12 hex) of the source files ``imported_sources`` finds (path and bytes of each)."""
    h = hashlib.sha256()
    for f in imported_sources(roots, pkg):
        h.update(f.relative_to(pkg).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:12]


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The key of the code this process runs (computed once: the modules are already loaded)."""
    return fingerprint()
