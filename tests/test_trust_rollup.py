"""Issue #14, cases 7 and 8: a roll-up never stops for one file, and exports without
--with-names carry no personal name anywhere (problems.parquet and the cache included).

Decision on duplicate 村名 (two different files, same 村名): neither is counted — the report
cannot tell which file the village meant — and both are listed on the command line, in
`校验` and in `工作簿清单`."""
from __future__ import annotations

import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import python_calamine as pc

from contract import write_xlsx as _write_xlsx
from jifen_xl.cli import main
from jifen_xl.rollup import aggregate as agg
from jifen_xl.rollup import export as ex
from village_fixtures import HEADS, scenario_village


def write_xlsx(path: Path, book: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return _write_xlsx(path, book)


def village_book(name: str) -> dict:
    book = scenario_village()
    for row in book["设置"]:
        if row[0] == "村名":
            row[1] = name
    return book


def read_book(path: Path) -> dict[str, list[list]]:
    wb = pc.CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names}


@pytest.fixture
def town(tmp_path) -> Path:
    folder = tmp_path / "镇"
    write_xlsx(folder / "一号村.xlsx", village_book("一号村"))
    write_xlsx(folder / "二号村.xlsx", village_book("二号村"))
    return folder


def summary_villages(path: Path) -> list[str]:
    rows = read_book(path)["村庄汇总"]
    return [r[0] for r in rows[1:]]


def listed(path: Path) -> dict[str, str]:
    rows = read_book(path)["工作簿清单"]
    return {r[0]: r[4] for r in rows[1:]}


def check_paths(path: Path) -> set[str]:
    rows = read_book(path)["校验"]
    return {r[6] for r in rows[1:]}


def run_rollup(folder: Path, capsys, *more) -> tuple[int, str]:
    code = main(["rollup", str(folder), "-o", str(folder / "镇汇总.xlsx"), *more])
    return code, capsys.readouterr().out


def test_dangling_symlink_is_listed_and_the_rest_counted(town, capsys):
    (town / "断链.xlsx").symlink_to(town / "不存在.xlsx")
    code, out = run_rollup(town, capsys)
    assert code == 0
    assert "断链.xlsx" in out and "不存在" in out
    report = town / "镇汇总.xlsx"
    assert summary_villages(report) == ["一号村", "二号村"]
    assert listed(report)["断链.xlsx"] == ex.UNREADABLE
    assert "断链.xlsx" in check_paths(report)


def test_symlink_loop_is_listed(town, capsys):
    (town / "甲.xlsx").symlink_to(town / "乙.xlsx")
    (town / "乙.xlsx").symlink_to(town / "甲.xlsx")
    code, out = run_rollup(town, capsys)
    assert code == 0 and "甲.xlsx" in out and "乙.xlsx" in out and "循环" in out
    assert summary_villages(town / "镇汇总.xlsx") == ["一号村", "二号村"]


def test_unreadable_file_is_listed(town, capsys, monkeypatch):
    """Root reads any file whatever its mode, so the refusal is simulated where needed."""
    bad = write_xlsx(town / "无权限.xlsx", village_book("三号村"))
    bad.chmod(0)
    if os.geteuid() == 0:
        real = ex.file_sha256

        def refuse(path):
            if Path(path).name == bad.name:
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)
        monkeypatch.setattr(ex, "file_sha256", refuse)
    code, out = run_rollup(town, capsys)
    bad.chmod(0o644)
    assert code == 0 and "无权限.xlsx" in out and "没有读取权限" in out
    assert summary_villages(town / "镇汇总.xlsx") == ["一号村", "二号村"]
    assert listed(town / "镇汇总.xlsx")["无权限.xlsx"] == ex.UNREADABLE


def test_locked_or_crashing_file_is_listed(town, capsys, monkeypatch):
    """A file that hashes but then cannot be opened (Windows: locked by another program) or
    trips an internal error while exporting: listed, the others still counted."""
    write_xlsx(town / "锁定.xlsx", village_book("三号村"))
    real = ex.extract

    def locked(path, **kw):
        if Path(path).name == "锁定.xlsx":
            raise PermissionError(13, "文件被锁定", str(path))
        return real(path, **kw)
    monkeypatch.setattr(ex, "extract", locked)
    code, out = run_rollup(town, capsys, "--jobs", "1")
    assert code == 0 and "锁定.xlsx" in out
    assert summary_villages(town / "镇汇总.xlsx") == ["一号村", "二号村"]
    assert listed(town / "镇汇总.xlsx")["锁定.xlsx"] == ex.UNREADABLE


def test_duplicate_village_name_counts_neither(town, capsys):
    book = village_book("一号村")
    book["农户名册"][1][3] = 5          # different bytes, same 村名
    write_xlsx(town / "片区" / "一号村-新.xlsx", book)
    code, out = run_rollup(town, capsys)
    assert code == 0
    assert "一号村.xlsx" in out and "片区/一号村-新.xlsx" in out and "重复" in out
    report = town / "镇汇总.xlsx"
    assert summary_villages(report) == ["二号村"]
    ranking = read_book(report)["村庄排名"]
    assert [r[1] for r in ranking[1:]] == ["二号村"]
    assert listed(report)["一号村.xlsx"] == agg.DUPLICATE_NAME
    assert listed(report)["片区/一号村-新.xlsx"] == agg.DUPLICATE_NAME
    assert {"一号村.xlsx", "片区/一号村-新.xlsx"} <= check_paths(report)


def leaky_village() -> dict:
    """Problems that quote names: a duplicate 户号 row (its 户主 in the row), a record whose
    户号 is a head's name (hint names the household), a 户主 typed into 户号."""
    book = village_book("漏名村")
    roster = book["农户名册"]
    roster.append([roster[1][0], "重名人甲", "一组", 3, "是"])
    book["评议记录"][1][1] = HEADS["H02"]
    return book


def all_strings(folder: Path) -> set[str]:
    out = set()
    for f in folder.rglob("*.parquet"):
        for row in pq.read_table(f).to_pylist():
            out.update(str(v) for v in row.values() if v is not None)
    return out


def test_export_without_names_masks_problem_values(tmp_path):
    path = write_xlsx(tmp_path / "漏名村.xlsx", leaky_village())
    res = ex.export_workbook(path, tmp_path / "plain")
    assert any(HEADS["H02"] in p.message or p.value == HEADS["H02"] for p in res.problems)  # the leak exists
    people = set(HEADS.values()) | {"重名人甲"}
    strings = all_strings(tmp_path / "plain")
    assert not [s for s in strings if any(p in s for p in people)]
    probs = pq.read_table(tmp_path / "plain" / "problems.parquet").to_pylist()
    errors = [p for p in probs if p["level"] == "错误"]
    assert errors and all(p["value"] in ("", ex.MASK) for p in probs)
    assert {(p["sheet"], p["column"]) for p in errors} >= {("农户名册", "户号"), ("评议记录", "户号")}
    assert all(p["row"] for p in errors)
    # with names the values are kept
    ex.export_workbook(path, tmp_path / "named", with_names=True)
    assert any(HEADS["H02"] in s for s in all_strings(tmp_path / "named"))


def test_rollup_cache_and_report_carry_no_names(town, capsys):
    write_xlsx(town / "漏名村.xlsx", leaky_village())
    code, _ = run_rollup(town, capsys)
    assert code == 0
    people = set(HEADS.values()) | {"重名人甲"}
    assert not [s for s in all_strings(town / agg.CACHE_DIR) if any(p in s for p in people)]
    cells = {str(v) for rows in read_book(town / "镇汇总.xlsx").values() for r in rows for v in r}
    assert not [c for c in cells if any(p in c for p in people)]
