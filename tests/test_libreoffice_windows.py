"""`jifen print` on Windows finds soffice.exe where LibreOffice's installer puts it (issue #19).

The installer does not add LibreOffice to PATH; it writes the program folder into the
registry (``SOFTWARE\\LibreOffice\\UNO\\InstallPath``, also under WOW6432Node for 32-bit
LibreOffice on 64-bit Windows, and an ``App Paths\\soffice.exe`` entry) and installs under
Program Files. The lookup is tested here with a fake registry and file system; winreg itself
exists only on Windows.
"""
from __future__ import annotations

from jifen_xl.book import libreoffice as lo

ENV = {"ProgramFiles": r"C:\Program Files", "ProgramFiles(x86)": r"C:\Program Files (x86)",
       "ProgramW6432": r"C:\Program Files"}


def test_registry_install_folder_comes_first():
    found = lo.windows_soffice(ENV, exists={r"D:\Apps\LibreOffice\program\soffice.exe",
                                            r"C:\Program Files\LibreOffice\program\soffice.exe"}.__contains__,
                               registry=lambda: [(r"D:\Apps\LibreOffice\program", True)])
    assert found == r"D:\Apps\LibreOffice\program\soffice.exe"


def test_app_paths_entry_is_the_exe_itself():
    exe = r"E:\LO\program\soffice.exe"
    assert lo.windows_soffice(ENV, exists={exe}.__contains__, registry=lambda: [(exe, False)]) == exe


def test_program_files_without_registry_64_then_32_bit():
    x86 = r"C:\Program Files (x86)\LibreOffice\program\soffice.exe"
    assert lo.windows_soffice(ENV, exists={x86}.__contains__, registry=lambda: []) == x86
    x64 = r"C:\Program Files\LibreOffice\program\soffice.exe"
    assert lo.windows_soffice(ENV, exists={x64, x86}.__contains__, registry=lambda: []) == x64


def test_stale_registry_entry_falls_through_and_nothing_found_is_none():
    x64 = r"C:\Program Files\LibreOffice\program\soffice.exe"
    stale = lambda: [(r"D:\Old\LibreOffice\program", True)]   # noqa: E731
    assert lo.windows_soffice(ENV, exists={x64}.__contains__, registry=stale) == x64
    assert lo.windows_soffice({}, exists=lambda p: False, registry=stale) is None


def test_without_winreg_the_registry_is_skipped():
    def no_winreg():
        raise ImportError("winreg")
    x64 = r"C:\Program Files\LibreOffice\program\soffice.exe"
    assert lo.windows_soffice({}, exists={x64}.__contains__, registry=no_winreg) == x64


def test_soffice_uses_the_windows_lookup_when_not_on_path(monkeypatch):
    monkeypatch.setattr(lo.shutil, "which", lambda name: None)
    monkeypatch.setattr(lo.os, "name", "nt")
    monkeypatch.setattr(lo, "windows_soffice", lambda: r"C:\Program Files\LibreOffice\program\soffice.exe")
    assert lo.soffice() == r"C:\Program Files\LibreOffice\program\soffice.exe"
