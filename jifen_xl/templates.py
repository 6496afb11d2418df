"""Template builders (`jifen new class|village|ledger`), one per scheme of SCHEMES; run as a
module to refresh the committed files in workbook_templates/ (`make templates`):

    python -m jifen_xl.templates workbook_templates
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

from .book.template_spec import write_template
from .core.problems import InputError
from .schemes import SCHEMES


def _build(scheme, path: Path) -> Path:
    return write_template(path, scheme.template_sheets())


TEMPLATES: dict[str, Callable[[Path], Path]] = {s.template_kind: partial(_build, s) for s in SCHEMES}
# file name of each template in workbook_templates/
TEMPLATE_FILES: dict[str, str] = {s.template_kind: s.template_file for s in SCHEMES}


#: template kind -> scheme of its macro-enabled variant (xlsm.py)
XLSM_KINDS: dict[str, str] = {s.template_kind: s.name for s in SCHEMES}


def build_template(kind: str, path: Path) -> Path:
    """`jifen new KIND -o PATH`: the .xlsx template, or with a .xlsm name the macro-enabled
    one (VBA project and buttons, for Excel). Other suffixes are refused (exit 2)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsm":
        from .xlsm import available_schemes, build_xlsm   # xlwings' VBA, only when asked for

        scheme = XLSM_KINDS.get(kind)
        if scheme not in available_schemes():
            raise InputError(f"“{kind}”模板没有带按钮的 .xlsm 版本，请改用 .xlsx 文件名。")
        return build_xlsm(path, scheme)
    if suffix != ".xlsx":
        raise InputError(f"模板文件名“{path.name}”须以 .xlsx（WPS、LibreOffice 和命令行使用）"
                         "或 .xlsm（Excel 按钮版，含宏）结尾。")
    return TEMPLATES[kind](path)


EXISTS_MESSAGE = "文件已存在，不会覆盖"


def new_workbook(kind: str, path: Path, force: bool = False) -> Path:
    """`jifen new KIND -o PATH [--force]`: a fresh template at ``path``. An existing file is
    the user's work: refused (``InputError``, exit 2) unless ``force``, and then it is first
    backed up to ``jifen备份/`` and replaced atomically, like every other write.
    Holds the workbook's lock, so a run computing into the file cannot be overwritten."""
    import os
    import shutil
    import tempfile

    from .book.lock import workbook_lock
    from .book.ooxml.safesave import check_busy, check_writable, replace_atomically, target_mode

    path = Path(path)
    if path.is_dir():
        raise InputError(f"“{path}”是一个文件夹，请在 -o 后写上要生成的工作簿文件名。")
    if not force and os.path.lexists(path):        # a link, even a dangling one, is a name in use
        raise InputError(_exists_message(path))
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    with tempfile.TemporaryDirectory(prefix="jifen-new-") as tmp:
        built = build_template(kind, Path(tmp) / f"template{path.suffix.lower()}")
        path.parent.mkdir(parents=True, exist_ok=True)
        check_busy(path)
        check_writable(path)
        with workbook_lock(path):
            if not force and os.path.lexists(path):
                raise InputError(_exists_message(path))
            with open(built, "rb") as src:
                replace_atomically(path, lambda fp: shutil.copyfileobj(src, fp), target_mode(path))
    return path


def _exists_message(path: Path) -> str:
    return (f"{EXISTS_MESSAGE}：“{path}”。如果确实要用空白模板替换它，请加 --force"
            f"（原文件会先备份到同一文件夹的“jifen备份”里）；或者换一个文件名。")


def build_all(folder: Path) -> list[Path]:
    from .xlsm import build_all_xlsm   # the macro-enabled variants for Excel

    folder.mkdir(parents=True, exist_ok=True)
    return [TEMPLATES[k](folder / name) for k, name in TEMPLATE_FILES.items()] + build_all_xlsm(folder)


if __name__ == "__main__":
    for p in build_all(Path(sys.argv[1] if len(sys.argv) > 1 else "workbook_templates")):
        print(p)
