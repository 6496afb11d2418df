"""Run inside a copy of the repository that has a new scheme (tests/test_adding_a_scheme.py):
prints, as JSON, what the doors offer for scheme ``argv[1]`` — which jifen_xl was imported,
the detection of every committed template, the service's `/v1/commands`, the .xlsm's buttons
and the Subs its VBA project defines (read back by olevba), the LibreOffice extension's parts,
the exit codes of the demo's commands.

    PYTHONPATH=<copy>:<copy>/tests python tests/scheme_probe.py volunteer
"""
from __future__ import annotations

import json
import re
import sys
import tempfile
import zipfile
from pathlib import Path

import jifen_xl
from jifen_xl.app import detect_scheme
from jifen_xl.book.reader import workbook_sheet_names
from jifen_xl.schemes import SCHEMES

REPO = Path(jifen_xl.__file__).resolve().parents[1]
SUB = re.compile(r"^\s*(?:Public\s+|Private\s+)?Sub\s+(\w+)\s*\(", re.M | re.I)
RUN_PYTHON = re.compile(r'RunPython\s+"([^"]*)"', re.I)


def _bound_macros(path: Path) -> list[str]:
    """The macro each Form button of the .xlsm runs (legacy VML drawings, `[0]!Sub`)."""
    with zipfile.ZipFile(path) as package:
        drawings = sorted(n for n in package.namelist() if re.fullmatch(r"xl/drawings/vmlDrawing\d+\.vml", n))
        return [m for n in drawings for m in re.findall(r"<x:FmlaMacro>(.*?)</x:FmlaMacro>", package.read(n).decode())]


def _vba(path: Path) -> dict[str, dict[str, str]]:
    """Module -> {Sub: the RunPython string of its body}, as olevba reads the project."""
    from oletools import olevba

    parser = olevba.VBA_Parser(path.name, data=path.read_bytes())
    try:
        out = {}
        for _, _, name, code in parser.extract_macros():
            parts = SUB.split(code)     # [before, sub1, body1, sub2, body2 …]
            out[Path(name).stem] = {sub: " ".join(RUN_PYTHON.findall(body))
                                    for sub, body in zip(parts[1::2], parts[2::2])}
        return out
    finally:
        parser.close()


def _service_commands() -> object:
    import warnings

    from serve_door import TOKEN, ServiceDoor

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        response = ServiceDoor().client.get("/v1/commands", headers={"X-Jifen-Token": TOKEN})
    return {"status": response.status_code, "body": response.json()}


def _oxt() -> dict[str, str]:
    from jifen_xl import lo_extension

    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(lo_extension.build_oxt(Path(tmp))) as oxt:
            return {n: oxt.read(n).decode("utf-8") for n in oxt.namelist()
                    if n.endswith((".py", ".xcu"))}


def _demo(scheme) -> list[list]:
    """The scheme's demo workbook(s) and the exit code of each command `jifen demo` runs on them."""
    import contextlib
    import io

    from jifen_xl.cli import main as jifen

    out = []
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
        for path, commands in scheme.demo(Path(tmp)):
            for command, options in commands:
                args = [command, str(path)] + [a for k, v in options.items()
                                                for a in ([f"--{k}"] if v is True else [f"--{k}", str(v)])]
                out.append([Path(path).name, command, jifen(args)])
    return out


def main(name: str) -> dict:
    scheme = next(s for s in SCHEMES if s.name == name)
    templates = REPO / "workbook_templates"
    xlsm = templates / scheme.xlsm_file
    return {
        "jifen_xl": str(Path(jifen_xl.__file__).resolve()),
        "schemes": [s.name for s in SCHEMES],
        "actions": [[a.name, a.button] for a in scheme.actions],
        "detected": {s.name: detect_scheme(workbook_sheet_names(templates / s.template_file)) for s in SCHEMES},
        "template_sheets": workbook_sheet_names(templates / scheme.template_file),
        "xlsm_sheets": workbook_sheet_names(xlsm),
        "bound": _bound_macros(xlsm),
        "vba": _vba(xlsm),
        "service": _service_commands(),
        "oxt": _oxt(),
        "demo": _demo(scheme),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), ensure_ascii=False, default=str))
