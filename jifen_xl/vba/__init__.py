"""The workbook's VBA side: button Subs and the ``vbaProject.bin`` built from them.

``JifenButtons.bas`` holds one Sub per button; each calls its Python companion
in ``jifen_xl.macros`` through xlwings' ``RunPython``. ``project`` builds the
VBA project from that source (plus xlwings' own VBA module, read from the
installed xlwings) and wires buttons into XlsxWriter workbooks.
"""

from jifen_xl.vba.project import (
    BUTTON_MODULE,
    BUTTONS,
    BUTTONS_BY_SUB,
    Button,
    add_buttons_and_vba,
    build_demo_xlsm,
    build_vba_project,
    buttons_source,
    jifen_vba_project,
    xlwings_modules,
)

__all__ = [
    "BUTTON_MODULE",
    "BUTTONS",
    "BUTTONS_BY_SUB",
    "Button",
    "add_buttons_and_vba",
    "build_demo_xlsm",
    "build_vba_project",
    "buttons_source",
    "jifen_vba_project",
    "xlwings_modules",
]
