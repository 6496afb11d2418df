import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

ARTIFACTS = Path(__file__).parent / "artifacts"   # PNG pages a person can look at (gitignored)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory):
    """One `jifen demo` run (workbooks and demo/报表 PDFs) shared by every test that only
    reads it."""
    import contextlib
    import io

    from jifen_xl.demo import run_demo

    folder = tmp_path_factory.mktemp("demo")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert run_demo(folder) == 0
    # what `jifen demo` printed, for the tests that read it (tests/test_documents_cli.py)
    (folder.parent / (folder.name + "-stdout.txt")).write_text(out.getvalue(), encoding="utf-8")
    return folder


@pytest.fixture(params=["compute", "file", "xlwings", "service"])
def door(request, monkeypatch):
    """Each workbook door in turn (tests/doors.py): the behaviour suites run once per door.
    A new door is one more name here and one class in doors.py."""
    from doors import DOORS

    if request.param == "xlwings":
        from test_macros import use_remote_engine
        use_remote_engine(monkeypatch)
    return DOORS[request.param]
