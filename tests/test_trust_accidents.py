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

WEEKS = ["2026-09-01", "2026-09-07", "2026-09-14", "2026-09-21", "2026-09-28"]
# six runs that each leave a new version of the workbook (the semester is September)
RUNS = [["week", "--week", w] for w in WEEKS] + [["month", "--month", "2026-09"]]


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
    for cmd, opt, value in RUNS:                         # six runs of B, each a new version
        assert main([cmd, str(b), opt, value]) == 0
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
    for cmd, opt, value in RUNS:
        assert main([cmd, str(lower), opt, value]) == 0
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


# ---- case 6: a period outside the semester or the year is an 错误 --------------------------

def check_errors(path) -> list[list]:
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("校验").to_python()
    return [r for r in rows[1:] if r[5] == "错误"]


def sheet_rows(path, name) -> list[list]:
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


@pytest.mark.parametrize("cmd,bad,output", [
    (["week", "--week"], "2025-09-07", "周汇总"),          # a wrong year
    (["week", "--week"], "2027-03-01", "周汇总"),          # after 学期结束
    (["month", "--month"], "2025-09", "月报"),
    (["month", "--month"], "2026-08", "月报"),            # the month before 学期开始
])
def test_a_period_outside_the_semester_is_an_error(tmp_path, capsys, cmd, bad, output):
    path = write_xlsx(tmp_path / "班级.xlsx", scenario_class())
    good = "2026-09-07" if cmd[0] == "week" else "2026-09"
    assert main([cmd[0], str(path), cmd[1], good]) == 0
    before = sheet_rows(path, output)
    assert main([cmd[0], str(path), cmd[1], bad]) == 1
    errs = check_errors(path)
    assert errs and errs[0][0] == "设置" and "不在本学期" in errs[0][4], errs
    assert sheet_rows(path, output) == before                # the last good result stays
    assert "不在本学期" in capsys.readouterr().out


def test_a_week_overlapping_the_semester_start_is_fine(tmp_path):
    path = write_xlsx(tmp_path / "班级.xlsx", scenario_class())
    assert main(["week", str(path), "--week", "2026-08-31"]) == 0     # Mon 08-31 … Sun 09-06


def test_a_village_period_outside_its_year_is_an_error(tmp_path, capsys):
    from village_fixtures import scenario_village

    path = write_xlsx(tmp_path / "村.xlsx", scenario_village())
    year = next(r[1] for r in scenario_village()["设置"] if r[0] == "年度")
    assert main(["quarter", str(path), "--quarter", f"{year}Q3"]) == 0
    before = [n for n in pc.CalamineWorkbook.from_path(str(path)).sheet_names]
    assert main(["quarter", str(path), "--quarter", f"{year - 1}Q3"]) == 1
    assert main(["year", str(path), "--year", str(year + 1)]) == 1
    errs = check_errors(path)
    assert errs and "不在设置的年度" in errs[0][4]
    assert pc.CalamineWorkbook.from_path(str(path)).sheet_names == before
