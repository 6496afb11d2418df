"""Byte-identity of outputs (issue #13): canonical digests of what our commands write.

For a set of workbooks (the three `jifen demo` workbooks, and the `make bench` workbooks
from bench/gen.py) this records, after every command has run on the file through the file
door (`jifen <command> FILE`, in process):

* ``<workbook>|<sheet>``: SHA-256 of the sheet's cells as python-calamine reads them
  (type and value of every cell, row by row) - says *which* sheet changed;
* ``<workbook>|xlsx``: SHA-256 of the written file's bytes (the package writer is
  deterministic, SPEC C-5).

The committed digests (tests/output_digests.json) were produced by the code before the
issue #13 restructuring; tests/test_byte_identity.py recomputes and compares them.

When an output change is INTENTIONAL (a new column, a fixed rule), regenerate and say so in
the commit message:

    python tests/identity.py --write            # demos + 20k school + village bench books
    python tests/identity.py --write --big      # also the 200,000-row school book (slow)

`python tests/identity.py --check --big` (``make identity``) proves the 200k case.
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import sys
from datetime import date, datetime, time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DIGESTS = Path(__file__).with_name("output_digests.json")

# bench workbooks: (file name, builder(path), commands run in this order)
BENCH_BOOKS = {
    "school-20k.xlsx": (lambda gen, p: gen.school(p, 20_000), ["check", "week", "month", "awards"]),
    "village-2000.xlsx": (lambda gen, p: gen.village(p, 2000, 50_000), ["check", "quarter", "year"]),
}
BIG_BOOKS = {
    "school-200k.xlsx": (lambda gen, p: gen.school(p, 200_000), ["check", "week", "month", "awards"]),
}


def _cell(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return f"n:{int(v)}"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"n:{v!r}"
    if isinstance(v, (date, datetime, time)):
        return f"d:{v.isoformat()}"
    return f"{type(v).__name__}:{v}"


def workbook_digests(path: Path) -> dict[str, str]:
    """{'<file>|<sheet>': cells digest, …, '<file>|xlsx': bytes digest}."""
    import python_calamine as pc

    out = {}
    book = pc.CalamineWorkbook.from_path(str(path))
    try:
        for name in book.sheet_names:
            h = hashlib.sha256()
            for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False):
                h.update(("\t".join(_cell(v) for v in row) + "\n").encode("utf-8"))
            out[f"{path.name}|{name}"] = h.hexdigest()
    finally:
        book.close()
    out[f"{path.name}|xlsx"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def demo_digests(folder: Path) -> dict[str, str]:
    """Digests of every workbook a finished `jifen demo` left in ``folder``."""
    out = {}
    for path in sorted(folder.glob("*.xls*")):
        out.update({f"demo/{k}": v for k, v in workbook_digests(path).items()})
    return out


def run_commands(path: Path, commands: list[str]) -> None:
    from jifen_xl.cli import main

    for command in commands:
        with contextlib.redirect_stdout(io.StringIO()):
            code = main([command, str(path)])
        if code not in (0, 1):
            raise RuntimeError(f"jifen {command} {path.name} exited {code}")


def bench_digests(folder: Path, books: dict) -> dict[str, str]:
    sys.path.insert(0, str(REPO / "bench"))
    import gen  # bench/gen.py

    out = {}
    for fname, (build, commands) in books.items():
        path = folder / fname
        build(gen, path)
        run_commands(path, commands)
        out.update({f"bench/{k}": v for k, v in workbook_digests(path).items()})
    return out


def compute(folder: Path, big: bool) -> dict[str, str]:
    from jifen_xl.cli import main

    demo = folder / "demo"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["demo", str(demo)]) == 0
    out = demo_digests(demo)
    out.update(bench_digests(folder, BENCH_BOOKS))
    if big:
        out.update(bench_digests(folder, BIG_BOOKS))
    return out


def compare(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """Human-readable differences (empty when identical), naming workbook and sheet."""
    diffs = []
    for key in sorted(set(expected) | set(actual)):
        if key not in actual:
            diffs.append(f"missing now: {key}")
        elif key not in expected:
            diffs.append(f"new output: {key}")
        elif expected[key] != actual[key]:
            diffs.append(f"changed: {key}")
    return diffs


def main() -> int:
    import tempfile

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="record the digests (intentional output change)")
    ap.add_argument("--check", action="store_true", help="compare with the committed digests")
    ap.add_argument("--big", action="store_true", help="include the 200,000-row school workbook")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory() as tmp:
        actual = compute(Path(tmp), args.big)
    expected = json.loads(DIGESTS.read_text("utf-8")) if DIGESTS.exists() else {}
    if args.write:
        if not args.big:   # keep a recorded 200k digest unless it is recomputed
            actual.update({k: v for k, v in expected.items() if k.startswith("bench/school-200k")})
        DIGESTS.write_text(json.dumps(dict(sorted(actual.items())), indent=1, ensure_ascii=False) + "\n", "utf-8")
        print(f"wrote {len(actual)} digests to {DIGESTS.name}")
        return 0
    if not args.big:
        expected = {k: v for k, v in expected.items() if not k.startswith("bench/school-200k")}
    diffs = compare(expected, actual)
    for d in diffs:
        print(d)
    print("identical" if not diffs else f"{len(diffs)} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
