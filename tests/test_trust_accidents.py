"""Issue #23: what a clerk does by accident never costs data.

Case 1: `jifen new` on an existing workbook is refused (exit 2) unless `--force`, which backs
it up first. Case 5: two long names sharing their first ~229 bytes keep their own backups.
Case 12: a link planted where a lock file goes does not stop a run (exit 0, the link's
target untouched)."""
from __future__ import annotations

import os

import pytest
import python_calamine as pc

from contract import scenario_class, write_xlsx
from jifen_xl.book import lock
from jifen_xl.book.ooxml import safesave
from jifen_xl.cli import main

WEEKS = ["2026-09-01", "2026-09-07", "2026-09-14", "2026-09-21", "2026-09-28", "2026-10-05"]


def backups(folder, stem_start: str = "") -> list:
    b = folder / safesave.BACKUP_DIR
    if not b.is_dir():
        return []
    return sorted(p for p in b.iterdir() if not p.name.startswith(".") and p.name.startswith(stem_start))


def sheet_names(path) -> list[str]:
    return pc.CalamineWorkbook.from_path(str(path)).sheet_names


# ---- case 1: `jifen new` never overwrites a workbook silently --------------------------------

@pytest.mark.parametrize("kind,suffix", [("class", ".xlsx"), ("village", ".xlsx"), ("ledger", ".xlsx"),
                                         ("class", ".xlsm")])
def test_new_refuses_an_existing_workbook(tmp_path, capsys, kind, suffix):
    path = write_xlsx(tmp_path / "高一3班.xlsx", scenario_class())
    assert main(["week", str(path), "--week", WEEKS[1]]) == 0
    path = path.rename(path.with_suffix(suffix))
    filled = path.read_bytes()
    n = len(backups(tmp_path))
    assert main(["new", kind, "-o", str(path)]) == 2
    err = capsys.readouterr().err
    assert "文件已存在，不会覆盖" in err and "--force" in err
    assert path.read_bytes() == filled
    assert len(backups(tmp_path)) == n


def test_new_refuses_any_existing_file_even_one_that_is_not_a_workbook(tmp_path, capsys):
    path = tmp_path / "名单.xlsx"
    path.write_text("不是工作簿")
    assert main(["new", "class", "-o", str(path)]) == 2
    assert "文件已存在" in capsys.readouterr().err
    assert path.read_text() == "不是工作簿"
    link = tmp_path / "链接.xlsx"
    link.symlink_to(tmp_path / "不存在.xlsx")            # a dangling link is a name in use too
    assert main(["new", "class", "-o", str(link)]) == 2
    assert not (tmp_path / "不存在.xlsx").exists()


def test_new_force_backs_the_old_workbook_up_first(tmp_path, capsys):
    path = write_xlsx(tmp_path / "高一3班.xlsx", scenario_class())
    assert main(["week", str(path), "--week", WEEKS[1]]) == 0
    filled = path.read_bytes()
    before = {b.read_bytes() for b in backups(tmp_path)}
    assert main(["new", "class", "-o", str(path), "--force"]) == 0
    assert "已生成模板" in capsys.readouterr().out
    kept = {b.read_bytes() for b in backups(tmp_path)}
    assert filled in kept and filled not in before
    assert path.read_bytes() != filled and "日志" in sheet_names(path) and "周汇总" not in sheet_names(path)
    # a fresh name needs no --force and makes no backup
    n = len(backups(tmp_path))
    assert main(["new", "class", "-o", str(tmp_path / "高一4班.xlsx")]) == 0
    assert len(backups(tmp_path)) == n


def test_new_force_refuses_a_workbook_open_in_excel(tmp_path, capsys):
    path = write_xlsx(tmp_path / "高一3班.xlsx", scenario_class())
    filled = path.read_bytes()
    (tmp_path / "~$高一3班.xlsx").write_bytes(b"owner")
    assert main(["new", "class", "-o", str(path), "--force"]) == 2
    assert "请先关闭" in capsys.readouterr().err
    assert path.read_bytes() == filled


# ---- case 5: backups of long names sharing their beginning ------------------------------------

def test_long_names_sharing_their_beginning_keep_their_own_backups(tmp_path):
    common = "高一年级三班积分" * 9 + "一二三四五"           # 231 bytes in common
    a = write_xlsx(tmp_path / f"{common}甲.xlsx", scenario_class())
    b = write_xlsx(tmp_path / f"{common}乙.xlsx", scenario_class())
    for w in WEEKS[:3]:
        assert main(["week", str(a), "--week", w]) == 0
    a_backups = backups(tmp_path)
    assert len(a_backups) == 3
    kept_a = {p.name: p.read_bytes() for p in a_backups}
    for w in WEEKS:                                      # six runs of B, each a new version
        assert main(["week", str(b), "--week", w]) == 0
    for name, data in kept_a.items():
        assert (tmp_path / safesave.BACKUP_DIR / name).read_bytes() == data
    b_backups = [p for p in backups(tmp_path) if p.name not in kept_a]
    assert len(b_backups) == 5                           # B's newest five, pruned among themselves
    assert all(len(os.fsencode(p.name)) <= 255 for p in backups(tmp_path))
    assert safesave.backup_stem(a) != safesave.backup_stem(b)


def test_short_names_keep_their_backup_names(tmp_path):
    """Names that fit are unchanged (backups made before keep being pruned with new ones)."""
    assert safesave.backup_stem(tmp_path / "高一3班.xlsx") == "高一3班"
    assert safesave.backup_stem(tmp_path / "A.xlsx") != safesave.backup_stem(tmp_path / "a.xlsx")


def test_pruning_leaves_a_workbook_whose_name_differs_only_in_case(tmp_path):
    if (tmp_path / "A.xlsx").exists() or os.path.normcase("A") != "A":
        pytest.skip("a case-insensitive file system")
    upper = write_xlsx(tmp_path / "A.xlsx", scenario_class())
    lower = write_xlsx(tmp_path / "a.xlsx", scenario_class())
    if upper.samefile(lower):
        pytest.skip("a case-insensitive file system")
    assert main(["week", str(upper), "--week", WEEKS[0]]) == 0
    kept = backups(tmp_path, "A-")
    assert len(kept) == 1
    for w in WEEKS:
        assert main(["week", str(lower), "--week", w]) == 0
    assert backups(tmp_path, "A-") == kept


# ---- case 12: lock files never follow a planted link ------------------------------------------

def test_a_link_planted_at_the_lock_file_does_not_stop_a_run(tmp_path, capsys):
    path = write_xlsx(tmp_path / "班级.xlsx", scenario_class())
    victim = tmp_path / "别人的文件.txt"
    victim.write_text("原样")
    planted = lock.lock_file(path)
    planted.symlink_to(victim)
    assert main(["week", str(path), "--week", WEEKS[1]]) == 0
    assert "周汇总" in sheet_names(path)
    assert victim.read_text() == "原样"
    assert planted.is_symlink()                       # not ours to remove; it is left alone
    dangling = lock.lock_file(tmp_path / "二班.xlsx")
    dangling.symlink_to(tmp_path / "不存在" / "x")
    other = write_xlsx(tmp_path / "二班.xlsx", scenario_class())
    assert main(["check", str(other)]) == 0
    assert not (tmp_path / "不存在").exists()


def test_the_fallback_lock_folder_is_private_to_the_user(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    (tmp_path / "run").mkdir(mode=0o700)
    where = lock.private_lock_file(tmp_path / "班级.xlsx")
    assert where.parent == tmp_path / "run" / "jifen-locks"
    assert os.stat(where.parent).st_mode & 0o077 == 0
    # a link in place of the folder is refused with a Chinese message, never followed
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run2"))
    (tmp_path / "run2").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "run2" / "jifen-locks").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(lock.InputError) as e:
        lock.user_lock_folder()
    assert "链接" in e.value.message


def test_two_runs_that_both_fall_back_still_exclude_each_other(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    (tmp_path / "run").mkdir(mode=0o700)
    path = write_xlsx(tmp_path / "班级.xlsx", scenario_class())
    lock.lock_file(path).symlink_to(tmp_path / "x")
    with lock.workbook_lock(path):
        import threading
        result = []

        def other():
            try:
                with lock.workbook_lock(path):
                    result.append("got it")
            except lock.WorkbookLocked:
                result.append("busy")
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert result == ["busy"]
