"""County roll-up benchmark: `.venv/bin/python bench/rollup_bench.py [--villages 300]`.

Generates a county of village workbooks (乡村积分, WORKBOOKS.md headers typed here) with
XlsxWriter ``constant_memory`` on two processes, then measures through the real command:

1. first roll-up, cache empty (`jifen rollup DIR -o 镇汇总.xlsx`): wall time and the peak
   resident memory of the whole process tree (parent + workers, sampled from /proc);
2. a second roll-up after one workbook changed (only that one is re-exported);
3. exactness: for a few villages, `jifen year` on a copy; the sums of its `年度汇总` columns
   must equal the roll-up's row for that village.

Targets: first ≤ 60 s and ≤ 1 GB on 2 cores, second ≤ 5 s. ``--records`` is per workbook
(default 40, the issue's "500 households and about 40 records each"); ``--records 20000``
is the heavy reading (40 per household). Not part of the tests.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JIFEN = [sys.executable, "-m", "jifen_xl.cli"]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红玲芬燕春菊凤洁梅琳云莲雪荣"
VILLAGE_NAMES = "东西南北上下前后大小新老高低长"
VILLAGE_SUFFIX = "河山岗湾桥庄集营寨塘坪沟坝林店"
GROUPS = ["一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组", "九组", "十组"]
RULES = [  # 代码, 类别, 事项, 分值, 最低, 最高, 周期
    ("E01", "环境整治", "庭院整洁", 2, None, None, "日常"),
    ("E02", "环境整治", "乱堆乱放", -2, None, None, "日常"),
    ("W01", "文明新风", "好人好事", 3, 1, 5, "日常"),
    ("W02", "文明新风", "参与赌博", -5, None, None, "日常"),
    ("D01", "党的建设", "参加党组织活动", 2, None, None, "年度"),
    ("M01", "民生保障", "投工投劳", 1, None, None, "年度"),
    ("F01", "遵纪守法", "违法被处理", -5, -10, -3, "年度"),
]
STATUSES = ["已确认"] * 85 + ["公示中"] * 5 + ["有异议"] * 3 + ["已驳回"] * 2 + ["初评"] * 5


def village_name(i: int) -> str:
    a, b = divmod(i, len(VILLAGE_SUFFIX))
    c, a = divmod(a, len(VILLAGE_NAMES))
    return f"{VILLAGE_NAMES[a]}{VILLAGE_SUFFIX[b]}{'' if c == 0 else c + 1}村"


def make_village(path: str, index: int, households: int, records: int, change: int = 0) -> str:
    """One valid village workbook: groups of ≤ 100 households, one 5-member panel per group
    reviewing the next group (V-5), ``records`` 评议记录 rows over 2026 with V-6 statuses."""
    import xlsxwriter

    rng = random.Random(index * 7919 + change)
    wb = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False,
                                    "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"created": datetime(2026, 1, 1)})
    datef = wb.add_format({"num_format": "yyyy-mm-dd"})

    def sheet(name, header, rows):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, header)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, date):
                    ws.write_datetime(r, c, datetime(v.year, v.month, v.day), datef)
                elif isinstance(v, str):
                    ws.write_string(r, c, v)
                else:
                    ws.write_number(r, c, v)

    name = village_name(index)
    sheet("设置", ["项目", "值"], [["村名", name], ["年度", 2026], ["党的建设基础分", 20], ["民生保障基础分", 20],
                                 ["环境整治基础分", 40], ["文明新风基础分", 40], ["遵纪守法基础分", 20],
                                 ["五星比例", "10%"], ["四星比例", "20%"], ["三星比例", "30%"], ["公示天数", 3],
                                 ["每组户数上限", 100], ["评议小组最少人数", 5]])
    ngroups = -(-households // 100)
    roster, group_of = [], {}
    for h in range(households):
        hid = f"{index:03d}{h + 1:04d}"
        g = GROUPS[h * ngroups // households]
        group_of[hid] = g
        head = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        roster.append([hid, head, g, rng.randint(1, 6), "否" if rng.random() < 0.02 else "是"])
    sheet("农户名册", ["户号", "户主", "组", "人口", "参与"], roster)
    panels = []
    for gi in range(ngroups):
        for m in range(5):
            panels.append([f"第{gi + 1}评议组", rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                           "村两委" if m == 0 else "村民代表", GROUPS[gi]])
    sheet("评议小组", ["小组", "成员", "身份", "所在组"], panels)
    sheet("规则", ["代码", "类别", "事项", "分值", "最低分值", "最高分值", "周期"], [list(r) for r in RULES])
    participants = [r[0] for r in roster if r[4] == "是"]
    rows, seen = [], set()
    start = date(2026, 1, 5)
    while len(rows) < records:
        hid = rng.choice(participants)
        rule = rng.choice(RULES)
        when = start + timedelta(days=rng.randint(0, 350))
        gi = GROUPS.index(group_of[hid])
        panel = f"第{(gi - 1) % ngroups + 1}评议组" if ngroups > 1 else None
        key = (when, hid, rule[0], panel)
        if key in seen or panel is None:
            continue
        seen.add(key)
        value = rng.randint(rule[4], rule[5]) if rule[4] is not None else None
        rows.append([len(rows) + 1, when, hid, rule[0], value, panel, rng.choice(STATUSES), "评议", None, None])
    sheet("评议记录", ["编号", "日期", "户号", "代码", "分值", "评议小组", "状态", "来源", "证明材料", "备注"], rows)
    wb.close()
    return path


def generate(folder: Path, n: int, households: int, records: int) -> float:
    t = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    paths = [str(folder / f"{i + 1:03d}-{village_name(i)}.xlsx") for i in range(n)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(make_village, paths, range(n), [households] * n, [records] * n, chunksize=8))
    return time.perf_counter() - t


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fp:
                for line in fp:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fp:
                    todo += [int(c) for c in fp.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def measured(args: list) -> tuple[float, int, subprocess.CompletedProcess]:
    t = time.perf_counter()
    proc = subprocess.Popen([*JIFEN, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)
    peak = [0]

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(proc.pid))
            time.sleep(0.05)

    th = threading.Thread(target=sample)
    th.start()
    out, err = proc.communicate()
    th.join()
    return time.perf_counter() - t, peak[0], subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def read_book(path: Path) -> dict[str, list[list]]:
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names}


def check_exact(folder: Path, report: Path, picks: list[Path], tmp: Path) -> list[str]:
    rows = read_book(report)["村庄汇总"]
    head = rows[0]
    mine = {r[head.index("工作簿")]: dict(zip(head, r)) for r in rows[1:]}
    out = []
    for p in picks:
        copy = tmp / p.name
        shutil.copy(p, copy)
        subprocess.run([*JIFEN, "year", str(copy)], capture_output=True, check=True, cwd=ROOT)
        table = next(v for k, v in read_book(copy).items() if k.startswith("年度汇总-"))
        th = table[0]
        m = mine[p.relative_to(folder).as_posix()]
        for c, ours in [("党的建设", "党的建设"), ("民生保障", "民生保障"), ("环境整治", "环境整治"),
                        ("文明新风", "文明新风"), ("遵纪守法", "遵纪守法"), ("年度总分", "年度总分合计")]:
            own = sum(Decimal(str(r[th.index(c)])) for r in table[1:])
            if own != Decimal(str(m[ours])):
                raise SystemExit(f"MISMATCH {p.name} {c}: year {own} vs rollup {m[ours]}")
        stars = {s: sum(r[th.index("星级")] == s for r in table[1:]) for s in ("五星", "四星", "三星")}
        if any(stars[s] != m[s] for s in stars) or len(table) - 1 != m["参与户数"]:
            raise SystemExit(f"MISMATCH {p.name} stars/households")
        out.append(f"{m['村名']}: {len(table) - 1} 户, 年度总分合计 {m['年度总分合计']} = jifen year ✓")
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--villages", type=int, default=300)
    ap.add_argument("--households", type=int, default=500)
    ap.add_argument("--records", type=int, default=40, help="评议记录 rows per workbook")
    ap.add_argument("--dir", type=Path, default=ROOT / "bench" / "out" / "county")
    ap.add_argument("--regen", action="store_true")
    a = ap.parse_args()
    folder = a.dir / f"{a.villages}x{a.households}x{a.records}"
    if a.regen and folder.exists():
        shutil.rmtree(folder)
    have = sorted(folder.glob("*.xlsx")) if folder.exists() else []
    if len([p for p in have if p.name != "镇汇总.xlsx"]) != a.villages:
        print(f"generating {a.villages} villages × {a.households} households × {a.records} records …", flush=True)
        print(f"  generated in {generate(folder, a.villages, a.households, a.records):.1f} s")
    report = folder / "镇汇总.xlsx"
    shutil.rmtree(folder / ".jifen-rollup", ignore_errors=True)
    size = sum(p.stat().st_size for p in folder.glob("*.xlsx") if p != report)
    print(f"county: {a.villages} workbooks, {size / 1e6:.1f} MB; cores: {os.cpu_count()}")

    t1, m1, p1 = measured(["rollup", folder, "-o", report])
    if p1.returncode != 0:
        print(p1.stdout, p1.stderr)
        return 1
    print(f"first roll-up (cache empty):        {t1:6.2f} s, peak RSS (process tree) {m1 / 2**20:6.0f} MB")

    changed = sorted(p for p in folder.glob("*.xlsx") if p != report)[a.villages // 2]
    make_village(str(changed), a.villages // 2, a.households, a.records, change=int(time.time()))  # new bytes
    t2, m2, p2 = measured(["rollup", folder, "-o", report])
    print(f"second roll-up, 1 workbook changed: {t2:6.2f} s, peak RSS (process tree) {m2 / 2**20:6.0f} MB")
    print("  " + p2.stdout.splitlines()[0])
    t3, m3, _ = measured(["rollup", folder, "-o", report])
    print(f"third roll-up, nothing changed:     {t3:6.2f} s, peak RSS (process tree) {m3 / 2**20:6.0f} MB")

    tmp = folder.parent / "year-copies"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    picks = [sorted(p for p in folder.glob("*.xlsx") if p != report)[i] for i in (0, a.villages // 2, a.villages - 1)]
    for line in check_exact(folder, report, picks, tmp):
        print("  " + line)
    shutil.rmtree(tmp, ignore_errors=True)
    ok = t1 <= 60 and m1 <= 2**30 and t2 <= 5
    print("targets (≤ 60 s, ≤ 1 GB, ≤ 5 s):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
