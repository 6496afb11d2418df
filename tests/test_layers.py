"""Layers point down and nothing imports in a circle (issue #13).

The import graph of ``jifen_xl`` is built from the source with ``ast``: every ``import`` and
``from … import`` anywhere in a module, lazy imports inside functions included and the computing
code a declaration names by ``Ref`` (only ``if TYPE_CHECKING:`` blocks are left out: they
never run). A package's implicit import of
its parent package is not an edge.

Layers, bottom to top (a module may import its own layer and the ones below):

    core      jifen_xl.core.*                       pure engine
    book      jifen_xl.book.*, jifen_xl.vba.*       workbook files, VBA project
    schemes   jifen_xl.schemes.*                    base.py (Action, Scheme), SCHEMES, one package per scheme
    actions   jifen_xl.app, jifen_xl.runner         find an action, run it on a file
    print     jifen_xl.papers                       `jifen print` (Typst PDF layouts)
    rollup    jifen_xl.rollup.*                     `jifen export` / `jifen rollup`
    demo      jifen_xl.demo                         `jifen demo`
    doors     cli, macros, udfs, templates, xlsm    what users and builders run; any other
              module of jifen_xl (wps_install, serve …) is a door too
"""
from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "jifen_xl"

LAYERS = [
    ("core", ("jifen_xl.core",)),
    ("book", ("jifen_xl.book", "jifen_xl.vba")),
    ("schemes", ("jifen_xl.schemes",)),
    ("actions", ("jifen_xl.app", "jifen_xl.runner")),
    ("print", ("jifen_xl.papers",)),
    ("rollup", ("jifen_xl.rollup",)),
    ("demo", ("jifen_xl.demo",)),
    ("doors", ("jifen_xl.cli", "jifen_xl.macros", "jifen_xl.udfs", "jifen_xl.templates", "jifen_xl.xlsm",
               "jifen_xl")),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skip.update(id(n) for n in ast.walk(child))
    return skip


UNRESOLVED: list[str] = []   # imports of jifen_xl modules that do not exist


def _guarded_nodes(tree: ast.AST) -> set[int]:
    """Imports inside ``try: … except ImportError`` (optional modules: may not exist)."""
    guarded = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
                h.type is not None and any(n in ast.unparse(h.type) for n in ("ImportError", "ModuleNotFoundError"))
                for h in node.handlers):
            for child in node.body:
                guarded.update(id(n) for n in ast.walk(child))
    return guarded


def _lazy_reference(node: ast.AST) -> str | None:
    """The module a ``Ref("package.module:attr")``, ``LazyMap(...)`` or ``ref("module:attr")``
    call names (schemes/base.py), or None."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in ("Ref", "LazyMap", "ref") and node.args):
        return None
    arg = node.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and ":" in arg.value:
        return arg.value.partition(":")[0]
    return None


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of jifen_xl that ``name`` imports (lazy imports included)."""
    tree = ast.parse(path.read_text("utf-8"))
    skip = _type_checking_nodes(tree)
    optional = _guarded_nodes(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif (spec := _lazy_reference(node)) is not None:
            # a declaration's Ref("pkg.mod:attr") / ref("mod:attr") (refs(__name__)): an import on first use
            targets = [spec if spec.startswith("jifen_xl") else f"{package}.{spec}"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in known else mod for a in node.names]
        else:
            continue
        for t in targets:
            if t.startswith("jifen_xl") and t not in known and id(node) not in optional:
                UNRESOLVED.append(f"{name}: {t}")
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t.startswith("jifen_xl") and t != name:
                out.add(t)
    return out


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    g = {}
    for name, path in mods.items():
        # the implicit import of a parent package is not an edge
        g[name] = {t for t in imports_of(name, path, known) if not name.startswith(t + ".")}
    return g


def layer_of(module: str) -> int:
    best, rank = -1, None
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best:
                best, rank = len(p), i
    return len(LAYERS) - 1 if rank is None else rank   # anything else (serve.py, …) is a door


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(g.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_the_graph_sees_lazy_imports():
    g = graph()
    assert "jifen_xl.book.reader" in g["jifen_xl.runner"]          # imported inside run_action
    assert "jifen_xl.schemes" in g["jifen_xl.app"]
    assert "jifen_xl.schemes.school.schema" in g["jifen_xl.schemes.school"]


def test_every_import_resolves():
    UNRESOLVED.clear()
    graph()
    assert UNRESOLVED == []


# Nothing known to fix: kept as lists so that an exception would have to be written down here.
KNOWN_CYCLES: list[list[str]] = []
KNOWN_NAMING: list[str] = []


def test_no_import_cycles():
    assert cycles(graph()) == KNOWN_CYCLES


def test_layers_point_down():
    upward = [f"{a} ({LAYERS[layer_of(a)][0]}) imports {b} ({LAYERS[layer_of(b)][0]})"
              for a, targets in graph().items() for b in sorted(targets) if layer_of(b) > layer_of(a)]
    assert upward == []


# every package under jifen_xl/schemes/ is one scheme
SCHEME_PACKAGES = tuple(sorted(f"jifen_xl.schemes.{d.name}" for d in (PKG / "schemes").iterdir()
                               if (d / "__init__.py").exists()))


def _scheme_of(module: str) -> str | None:
    return next((p for p in SCHEME_PACKAGES if module == p or module.startswith(p + ".")), None)


def test_only_the_registry_names_a_particular_scheme():
    """Outside its own package a scheme is reached through ``SCHEMES`` only: the registry
    (jifen_xl/schemes/__init__.py) is the one module that imports a scheme package; no scheme
    imports another."""
    assert len(SCHEME_PACKAGES) >= 3
    naming = sorted({a for a, targets in graph().items() for b in targets
                     if _scheme_of(b) and _scheme_of(a) != _scheme_of(b)})
    assert naming == sorted(["jifen_xl.schemes", *KNOWN_NAMING])


def test_every_scheme_package_is_in_schemes():
    from jifen_xl.schemes import SCHEMES

    assert sorted(f"jifen_xl.schemes.{s.name}" for s in SCHEMES) == list(SCHEME_PACKAGES)


def test_core_imports_only_core_and_book_nothing_above():
    g = graph()
    for name, targets in g.items():
        if name.startswith("jifen_xl.core"):
            assert all(t.startswith("jifen_xl.core") for t in targets), (name, targets)
        if name.startswith("jifen_xl.book"):
            assert all(t.startswith(("jifen_xl.core", "jifen_xl.book")) for t in targets), (name, targets)


def test_a_scheme_imported_alone_is_whole():
    """Nothing registers at import: importing the school package alone (in a fresh
    interpreter) gives its derived sources (dorms, exams), their sheets and every action."""
    import subprocess
    import sys

    from jifen_xl.schemes.school import SCHEME

    code = ("import sys; import jifen_xl.schemes.school as s; "
            "assert {'宿舍检查', '宿舍评分', '考试'} <= set(s.SCHEME.inputs); "     # loads the schema
            "[a.compute.resolve() for a in s.SCHEME.actions]; "                 # and the computing code
            "m = sys.modules['jifen_xl.schemes.school.read']; "
            "assert [f.__module__ for f in m.DERIVED_SOURCES] == "
            "['jifen_xl.schemes.school.dorms', 'jifen_xl.schemes.school.exams']; "
            "print(','.join(a.name for a in s.SCHEME.actions))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=PKG.parent, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ",".join(a.name for a in SCHEME.actions)
