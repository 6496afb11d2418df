"""Write output sheets into the user's own workbook without losing a byte of it.

**Zip level, never openpyxl load/save.** The source package is opened with ``zipfile``;
every member is copied *raw* (original compressed bytes, original ZipInfo: name, order,
date, attributes) except the parts we must patch - ``xl/workbook.xml`` (wherever
``_rels/.rels`` points), its rels, ``[Content_Types].xml``, ``xl/styles.xml`` - and the
sheets we write. Where each step lives:

* ``write.py``     - :func:`write_outputs`, the entry point: checks, plan, safe save.
* ``plan.py``      - the plan: phase functions over one ``Plan`` deciding every patched,
  removed and new part (replaced sheets, calcChain, orphans, defined names).
* ``sheetxml.py``  - one ``OutputSheet`` as worksheet XML (cells, widths, page set-up).
* ``styles.py``    - our styles appended to ``styles.xml``.
* ``drawings.py``  - drawing/chart parts for sheets with charts (XML from ``book/charts.py``).
* ``package.py``   - the zip as an OPC package (members, rels), cheap readers
  (:func:`read_sheet_xml_names`, :func:`read_header_titles`).
* ``zipwrite.py``  - writing the planned package (raw copies, deterministic new parts).
* ``safesave.py``  - busy/writable checks, backups, atomic replacement.
* ``xmltext.py``   - targeted editing of XML text, safe parsing.
"""
from .package import read_header_titles, read_sheet_xml_names
from .safesave import BACKUP_DIR, WorkbookBusy, WorkbookNotWritable
from .write import write_outputs

__all__ = [
    "write_outputs",
    "read_sheet_xml_names",
    "read_header_titles",
    "WorkbookBusy",
    "WorkbookNotWritable",
    "BACKUP_DIR",
]
