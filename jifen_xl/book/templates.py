"""Template builders (`jifen new class|village|ledger`); run as a module to refresh the
committed files in workbook_templates/ (`make templates`)."""
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from .template_spec import write_template


def _class(path: Path) -> Path:
    from ..schemes.school import template as school_template
    return write_template(path, school_template.sheets())


TEMPLATES: dict[str, Callable[[Path], Path]] = {"class": _class}
# file name of each template in workbook_templates/
TEMPLATE_FILES: dict[str, str] = {"class": "班级积分.xlsx"}


def _register_more() -> None:
    """Scheme modules that ship templates add themselves here."""
    for mod in ("village.template", "ledger.template"):
        try:
            m = __import__(f"jifen_xl.schemes.{mod}", fromlist=["register"])
        except ModuleNotFoundError:
            continue
        m.register(TEMPLATES, TEMPLATE_FILES)


_register_more()


def build_all(folder: Path) -> list[Path]:
    from .xlsm import build_all_xlsm   # the macro-enabled variants for Excel (issue #4)

    folder.mkdir(parents=True, exist_ok=True)
    return [TEMPLATES[k](folder / name) for k, name in TEMPLATE_FILES.items()] + build_all_xlsm(folder)


if __name__ == "__main__":
    for p in build_all(Path(sys.argv[1] if len(sys.argv) > 1 else "workbook_templates")):
        print(p)
