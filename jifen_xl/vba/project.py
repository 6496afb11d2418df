"""Build the workbook's VBA project (``vbaProject.bin``) from source text, without Excel.

The buttons in a jifen-xl workbook are Form Control buttons whose macros are
VBA Subs in the ``JifenButtons`` module (``JifenButtons.bas`` beside this
file). Each Sub calls xlwings' ``RunPython``, which lives in xlwings' own VBA
module; that module is embedded from the *installed* xlwings package, as
``xlwings quickstart --standalone`` does, so the workbook does not need the
xlwings add-in.

The project itself is written by pyOpenVBA (pure Python, MIT): it starts from
the empty project Excel itself wrote, gives it the document modules of our
workbook (``ThisWorkbook`` and one per sheet, named by the codeNames the
workbook writer sets) and adds our modules. Two things are then settled here:

* every module is stored as source only, at MODULEOFFSET 0 (no compiled
  p-code from the template is kept);
* the ``_VBA_PROJECT`` stream is reduced to ``CC 61 FF FF 00 00 00``
  ([MS-OVBA] 2.3.4.1: version 0xFFFF on write), so Office compiles the
  project from source when it opens the file;
* the compound file's directory and the ``dir`` stream's end are settled to
  the letter of [MS-CFB] and [MS-OVBA] (``compound.py``: every directory entry
  black, storage and unused entries as the spec fixes them).

The output is deterministic: the same input gives the same bytes.

What is verified here: olevba and pyOpenVBA read the exact module text back,
and LibreOffice imports it into its Basic libraries. Only Excel on Windows can
show that the workbook opens without repair and that the buttons run.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

#: Code page the module text is stored in (PROJECTCODEPAGE of the project).
CODE_PAGE = "cp1252"
#: The whole ``_VBA_PROJECT`` stream: no performance cache, Office recompiles from source.
FRESH_VBA_PROJECT_STREAM = b"\xcc\x61\xff\xff\x00\x00\x00"
#: Name of our button module.
BUTTON_MODULE = "JifenButtons"

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}\Z")
_VB_NAME = re.compile(r'^Attribute VB_Name = "([^"]*)"', re.MULTILINE)
_SUB = re.compile(r"^[ \t]*(?:(?:Public|Private|Friend)[ \t]+)?(?:Static[ \t]+)?Sub[ \t]+(\w+)[ \t]*\(",
                  re.MULTILINE | re.IGNORECASE)
_PROCEDURE = re.compile(r"^[ \t]*(?:(?:Public|Private|Friend)[ \t]+)?(?:Static[ \t]+)?"
                        r"(?:Sub|Function|Property[ \t]+(?:Get|Let|Set))[ \t]+(\w+)", re.MULTILINE | re.IGNORECASE)
_RUN_PYTHON = re.compile(r'^[ \t]*RunPython[ \t]+"([^"]*)"', re.MULTILINE)


# ---------------------------------------------------------------------------
# Module sources
# ---------------------------------------------------------------------------

def normalize_source(text: str, *, name: str = "<module>") -> str:
    """``text`` with CRLF line ends and a final line end, as VBA stores a module.

    Raises ``ValueError`` when the text cannot be stored in code page 1252.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    text = text.replace("\n", "\r\n")
    try:
        text.encode(CODE_PAGE)
    except UnicodeEncodeError as error:
        bad = text[error.start:error.end]
        raise ValueError(
            f"VBA module {name!r} contains {bad!r}, which code page 1252 cannot store; "
            "keep VBA source ASCII and put Chinese text on the Python side") from None
    return text


def subs_in(source: str) -> list[str]:
    """The names of the Subs declared in a VBA module's source."""
    return _SUB.findall(source)


def run_python_calls(source: str) -> list[str]:
    """The string literals passed to ``RunPython`` in a module's source, in order."""
    return _RUN_PYTHON.findall(source)


def buttons_source() -> str:
    """The source of the ``JifenButtons`` module, as committed (CRLF line ends). `make generate`
    writes it from the declared actions (jifen_xl/generate.py): one Sub per command."""
    raw = resources.files(__package__).joinpath(f"{BUTTON_MODULE}.bas").read_bytes()
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise ValueError(f"{BUTTON_MODULE}.bas must be ASCII-only") from None
    return normalize_source(text, name=BUTTON_MODULE)


def _xlwings_file(*parts: str) -> str:
    raw = resources.files("xlwings").joinpath(*parts).read_bytes()
    # VBA exports are in the ANSI code page, cp1252 for the files xlwings ships.
    return raw.decode(CODE_PAGE)


def xlwings_modules() -> tuple[dict[str, str], dict[str, str]]:
    """xlwings' standalone VBA code, read from the installed xlwings package.

    Returns ``(standard_modules, class_modules)``: the ``xlwings`` module
    (which holds ``RunPython``) and the ``Dictionary`` class it uses on macOS,
    the two modules ``xlwings quickstart --standalone`` embeds.

    Raises ``RuntimeError`` if the module's version line does not match the
    installed xlwings: its DLL declarations name that version.
    """
    import xlwings

    bas = normalize_source(_xlwings_file("xlwings.bas"), name="xlwings")
    found = re.search(r"^'Version: (\S+)", bas, re.MULTILINE)
    if found is None or found.group(1) != xlwings.__version__:
        raise RuntimeError(
            f"xlwings.bas in the installed xlwings {xlwings.__version__} says version "
            f"{found.group(1) if found else 'unknown'}")
    dictionary = normalize_source(_xlwings_file("addin", "Dictionary.cls"), name="Dictionary")
    return {"xlwings": bas}, {"Dictionary": class_stored_form(dictionary)}


#: The class-module attributes Excel stores after ``VB_Exposed``, when an export lacks them.
_CLASS_DEFAULTS = ("Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = False")
#: ``VB_Base`` of a class module.
CLASS_BASE = 'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"'


def class_stored_form(source: str) -> str:
    """A class module as the VBA editor exports it (``.cls``), in the form Excel stores it.

    The ``VERSION 1.0 CLASS`` / ``BEGIN`` ... ``END`` preamble goes, ``VB_Base``
    follows ``VB_Name``, and ``VB_TemplateDerived`` / ``VB_Customizable``
    follow ``VB_Exposed``, as in the projects Excel saves.
    """
    lines = normalize_source(source).split("\r\n")[:-1]
    if lines and lines[0].startswith("VERSION ") and "END" in lines:
        lines = lines[lines.index("END") + 1:]
    if lines and lines[0].startswith("Attribute VB_Name") and not any(
            line.startswith("Attribute VB_Base") for line in lines):
        lines.insert(1, CLASS_BASE)
    exposed = next((at for at, line in enumerate(lines) if line.startswith("Attribute VB_Exposed")), None)
    if exposed is not None:
        present = {line.split("=")[0].strip() for line in lines}
        missing = [line for line in _CLASS_DEFAULTS if line.split("=")[0].strip() not in present]
        lines[exposed + 1:exposed + 1] = missing
    return "\r\n".join(lines) + "\r\n"


# ---------------------------------------------------------------------------
# The project
# ---------------------------------------------------------------------------

def _check_names(names: Iterable[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if not _IDENTIFIER.match(name):
            raise ValueError(f"{name!r} is not a valid VBA module name (ASCII letter first, "
                             "then letters, digits or _, at most 31 characters)")
        if name.casefold() in seen:
            raise ValueError(f"VBA module name {name!r} is used twice")
        seen.add(name.casefold())


def _prepared(modules: Mapping[str, str]) -> dict[str, str]:
    prepared: dict[str, str] = {}
    for name, text in modules.items():
        text = normalize_source(text, name=name)
        declared = _VB_NAME.search(text)
        if declared is not None and declared.group(1) != name:
            raise ValueError(f"module {name!r} declares Attribute VB_Name = {declared.group(1)!r}")
        prepared[name] = text
    return prepared


def build_vba_project(
    modules: Mapping[str, str],
    *,
    workbook_codename: str = "ThisWorkbook",
    sheet_codenames: Sequence[str],
    class_modules: Mapping[str, str] | None = None,
) -> bytes:
    """Return a ``vbaProject.bin`` holding ``modules`` and the workbook's document modules.

    ``modules`` maps standard module names to their source (a leading
    ``Attribute VB_Name`` line is optional; one is written if missing).
    ``class_modules`` maps class module names to source, either as the VBA
    editor exports a ``.cls`` file or as stored. The document modules are
    ``workbook_codename`` and one per entry of ``sheet_codenames``, in sheet
    order; they must equal the codeNames in the workbook
    (XlsxWriter's ``workbook.set_vba_name()`` / ``worksheet.set_vba_name()``).

    Module text must fit code page 1252; keep it ASCII.
    """
    from pyopenvba import ExcelFile, VBAModuleKind
    from pyopenvba.cfb import CFB
    from pyopenvba.vba import compress, decompress

    from .compound import exact_dir_end, settle_directory

    import xlsxwriter

    sheet_codenames = list(sheet_codenames)
    if not sheet_codenames:
        raise ValueError("a workbook has at least one sheet: give its codeName")
    standard = _prepared(modules)
    classes = _prepared(class_modules or {})
    documents = [workbook_codename, *sheet_codenames]
    _check_names([*documents, *standard, *classes])

    with tempfile.TemporaryDirectory(prefix="jifen-vba-") as scratch:
        # pyOpenVBA gives a workbook its first project as Excel does, with the
        # document modules named by the codeNames the workbook carries.
        empty = Path(scratch, "empty.xlsm")
        book = xlsxwriter.Workbook(str(empty))
        book.set_vba_name(workbook_codename)
        for place, codename in enumerate(sheet_codenames, start=1):
            book.add_worksheet(f"S{place}").set_vba_name(codename)
        book.close()

        built = Path(scratch, "built.xlsm")
        with ExcelFile(empty) as excel:
            project = excel.add_vba_project()
            made = project.module_names()
            if [name.casefold() for name in made] != [name.casefold() for name in documents]:
                raise RuntimeError(f"pyOpenVBA made document modules {made}, expected {documents}")
            for module in project.modules:
                # Rewritten from source: drops the template's compiled code (MODULEOFFSET 0).
                module.body = module.body
            for name, text in standard.items():
                project.add_module(name, text, kind=VBAModuleKind.standard)
            for name, text in classes.items():
                project.add_module(name, text, kind=VBAModuleKind.other)
            excel.save(built)
        with zipfile.ZipFile(built) as package:
            raw = package.read("xl/vbaProject.bin")

    cfb = CFB.from_bytes(raw)
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", FRESH_VBA_PROJECT_STREAM)
    directory = exact_dir_end(decompress(cfb.get_stream_in_storage("VBA", "dir")))
    cfb.write_stream_in_storage("VBA", "dir", compress(directory))
    return settle_directory(cfb.to_bytes())


def procedures_in(source: str) -> list[str]:
    """The names of the Subs, Functions and Properties declared in a module's source."""
    return _PROCEDURE.findall(source)


def jifen_vba_project(*, workbook_codename: str = "ThisWorkbook", sheet_codenames: Sequence[str]) -> bytes:
    """The project every jifen-xl workbook carries: JifenButtons plus xlwings' standalone modules.

    Buttons name their Sub unqualified (``[0]!JifenWeek``), as Excel does; that is only
    unambiguous while no other module declares a procedure of the same name.
    """
    xlwings_standard, xlwings_classes = xlwings_modules()
    ours = {name.casefold() for name in subs_in(buttons_source())}
    for module, text in {**xlwings_standard, **xlwings_classes}.items():
        clash = sorted(ours & {name.casefold() for name in procedures_in(text)})
        if clash:
            raise RuntimeError(f"{module} also declares {clash}: button macros would be ambiguous")
    return build_vba_project(
        {BUTTON_MODULE: buttons_source(), **xlwings_standard},
        workbook_codename=workbook_codename,
        sheet_codenames=sheet_codenames,
        class_modules=xlwings_classes,
    )


# ---------------------------------------------------------------------------
# XlsxWriter
# ---------------------------------------------------------------------------

def add_buttons_and_vba(
    workbook: Any,
    worksheet: Any,
    buttons: Sequence[tuple[str, str]],
    *,
    anchor_cell: str = "A1",
    width: int = 110,
    height: int = 30,
    gap: int = 8,
) -> bytes:
    """Give an XlsxWriter ``workbook`` our VBA project and put ``buttons`` on ``worksheet``.

    ``buttons`` are ``(sub, caption)`` pairs, e.g. ``("JifenWeek", "本周汇总")``;
    each Sub must exist in ``JifenButtons``. The buttons are stacked downwards
    from ``anchor_cell``, ``width`` x ``height`` pixels, ``gap`` pixels apart.

    Call this once, after every sheet has been added: the project holds one
    document module per sheet, matched by codeName. Sheets without a codeName
    get Excel's default (``Sheet<n>``, by position). The workbook must be
    saved as ``.xlsm``. Returns the ``vbaProject.bin`` bytes that were added.
    """
    if getattr(workbook, "vba_project", None):
        raise ValueError("the workbook already has a VBA project")
    filename = getattr(workbook, "filename", None)
    if isinstance(filename, (str, Path)) and not str(filename).lower().endswith(".xlsm"):
        raise ValueError(f"a workbook with macros must be saved as .xlsm, not {filename!r}")
    sheets = workbook.worksheets()
    if worksheet not in sheets:
        raise ValueError("worksheet does not belong to workbook")
    if any(getattr(sheet, "is_chartsheet", False) for sheet in sheets):
        raise ValueError("chart sheets are not supported in a jifen-xl VBA project")

    source = buttons_source()
    known = set(subs_in(source))
    for sub, _caption in buttons:
        if sub not in known:
            raise ValueError(f"no Sub {sub!r} in {BUTTON_MODULE}.bas")

    if workbook.vba_codename is None:
        workbook.set_vba_name()
    for sheet in sheets:
        if sheet.vba_codename is None:
            sheet.set_vba_name()
    binary = jifen_vba_project(
        workbook_codename=workbook.vba_codename,
        sheet_codenames=[sheet.vba_codename for sheet in sheets],
    )
    workbook.add_vba_project(io.BytesIO(binary), is_stream=True)

    for place, (sub, caption) in enumerate(buttons):
        worksheet.insert_button(anchor_cell, {
            "macro": sub,   # Excel's form: [0]!Sub (Sub names are unique in the project)
            "caption": caption,
            "width": width,
            "height": height,
            "y_offset": place * (height + gap),
        })
    return binary


def build_demo_xlsm(path: str | Path) -> Path:
    """Write a small demo workbook: two sheets, three buttons on the first."""
    import xlsxwriter

    path = Path(path)
    workbook = xlsxwriter.Workbook(str(path))
    # A fixed creation date keeps the file the same from one build to the next.
    workbook.set_properties({"title": "jifen-xl demo", "created": datetime(2026, 1, 1)})
    bold = workbook.add_format({"bold": True})
    entry = workbook.add_worksheet("积分录入")
    summary = workbook.add_worksheet("汇总")
    entry.write_row("C1", ["日期", "姓名", "规则", "分值"], bold)
    entry.write_row("C2", ["2026-03-02", "张三", "A01", 2])
    entry.set_column("A:A", 18)
    summary.write_row("A1", ["姓名", "本周积分"], bold)
    add_buttons_and_vba(workbook, entry, [(sub, sub.removeprefix("Jifen")) for sub in subs_in(buttons_source())[:3]],
                        anchor_cell="A2")
    workbook.close()
    return path
