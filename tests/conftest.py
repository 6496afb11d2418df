import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

ARTIFACTS = Path(__file__).parent / "artifacts"   # PNG pages a person can look at (gitignored)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory):
    """One `jifen demo` run (workbooks and demo/报表 PDFs) shared by every test that only
    reads it."""
    from jifen_xl.demo import run_demo

    folder = tmp_path_factory.mktemp("demo")
    assert run_demo(folder) == 0
    return folder
