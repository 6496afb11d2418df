"""`jifen demo`: realistic sample workbooks from a fixed seed, every computation run on them.

Each scheme contributes a builder in ``DEMOS``: fn(folder) -> list of (workbook path,
[(command, options), …]). The demo writes the workbooks, then runs the commands through the
same file door as `jifen`, and prints where the results are.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍鹏辉宇浩然子涵欣怡梓轩思远雨萱一诺佳怡俊熙博文嘉怡诗涵晨曦浩宇梦琪天佑若汐书瑶"


def chinese_names(rng: random.Random, n: int) -> list[str]:
    seen, out = set(), []
    while len(out) < n:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


DemoBuilder = Callable[[Path], list[tuple[Path, list[tuple[str, dict]]]]]
DEMOS: list[DemoBuilder] = []
# steps run once every demo workbook is computed, e.g. the PDFs of demo/报表 (reports.py)
DEMO_AFTER: list[Callable[[Path], object]] = []


def school_demo(folder: Path, seed: int = 2026) -> list[tuple[Path, list[tuple[str, dict]]]]:
    """A class of 50 (cadres, 8 dorms, 6 groups) with a semester of duty-monitor log entries."""
    from .book.template_spec import write_template
    from .schemes.school import template as school_template

    rng = random.Random(seed)
    start, end = date(2026, 9, 1), date(2027, 1, 22)
    names = chinese_names(rng, 50)
    posts = ["班长", "副班长", "学习委员", "卫生委员", "体育委员", "文艺委员", "安全委员", "宣传委员",
             "语文课代表", "数学课代表", "英语课代表", "物理课代表"]
    roster = []
    for i, name in enumerate(names):
        sid = str(20260101 + i)
        post = posts[i] if i < len(posts) else ("组长" if i % 8 == 0 else "")
        dorm_no = 301 + (i // 7) if i < 25 else 401 + ((i - 25) // 7)   # boys 30x, girls 40x
        if i % 7 == 0 and not post:
            post = "宿舍长"
        elif i % 7 == 0:
            post += "、宿舍长"
        active = "否" if i == 49 else "是"
        roster.append([sid, name, post, str(dorm_no), str(i % 6 + 1), active])
    # habits: a few students are often late or miss homework
    often_late = {roster[i][0] for i in rng.sample(range(49), 6)}
    careless = {roster[i][0] for i in rng.sample(range(49), 6)}
    weights_neg = [("X02", 6), ("X04", 5), ("X07", 6), ("X01", 3), ("X13", 3), ("T02", 3), ("T03", 3),
                   ("T04", 2), ("W01", 1), ("W08", 2), ("W11", 2), ("X05", 2), ("T05", 1), ("X08", 1), ("Q08", 1)]
    weights_pos = [("X21", 6), ("W14", 3), ("Q13", 3), ("Q15", 1), ("T07", 1), ("X14", 1), ("T11", 1)]
    recorders = [r[1] for r in roster if r[2]][:8]
    log = []
    n = 1
    d = start
    active_ids = [r[0] for r in roster if r[5] == "是"]
    while d <= end:
        if d.weekday() < 5 and not (date(2026, 10, 1) <= d <= date(2026, 10, 7)):
            recorder = recorders[d.toordinal() % len(recorders)]
            today: dict[tuple[str, str], list] = {}
            for _ in range(rng.randint(2, 6)):
                sid = rng.choice(active_ids)
                if sid in often_late and rng.random() < 0.5:
                    code = rng.choice(["X02", "T02", "T03"])
                elif sid in careless and rng.random() < 0.5:
                    code = "X07"
                elif rng.random() < 0.7:
                    code = rng.choices([c for c, _ in weights_neg], [w for _, w in weights_neg])[0]
                else:
                    code = rng.choices([c for c, _ in weights_pos], [w for _, w in weights_pos])[0]
                if (sid, code) in today:
                    today[(sid, code)][6] += 1
                    continue
                today[(sid, code)] = [n, d, sid, "", code, "", 1, None, recorder, "", None]
                log.append(today[(sid, code)])
                n += 1
            if d.weekday() == 4 and rng.random() < 0.3:
                log.append([n, d, f"小组:{rng.randint(1, 6)}", "", "W14", "", 1, None, recorder, "大扫除", None])
                n += 1
            if d.weekday() == 0 and rng.random() < 0.15:
                log.append([n, d, f"宿舍:{rng.choice(['301', '302', '402'])}", "", "W11", "", 1, None, recorder, "内务检查", None])
                n += 1
        d += timedelta(days=1)
    # whole class: a sports meeting and a New Year's evening
    log.append([n, date(2026, 10, 23), "全班", "", "T11", "", 1, None, recorders[0], "秋季运动会", None]); n += 1
    log.append([n, date(2026, 12, 31), "全班", "", "T18", "", 1, None, recorders[0], "元旦晚会", None]); n += 1
    # a discretionary value and a correction (冲正) of a wrong entry
    log.append([n, date(2026, 11, 12), active_ids[3], "", "Q16", "", 1, 2, recorders[1], "主动帮助同学补课", None]); n += 1
    wrong = n
    log.append([n, date(2026, 11, 13), active_ids[5], "", "X02", "", 1, None, recorders[2], "", None]); n += 1
    log.append([n, date(2026, 11, 14), active_ids[5], "", "", "", None, None, recorders[2], "13日迟到记错人", wrong]); n += 1
    sheets = school_template.sheets()
    by = {s.name: s for s in sheets}
    by["名册"].rows = roster
    by["日志"].rows = log
    by["日志"].prefill_numbers = 0
    for extra in SCHOOL_DEMO_EXTRAS:
        extra(by, roster, rng, start, end)
    path = write_template(folder / "班级积分-示例.xlsx", sheets)
    return [(path, [("check", {}), ("week", {}), ("month", {}), ("awards", {})] + SCHOOL_DEMO_COMMANDS)]


# dorm inspections and exams extend the class demo: fn(sheets_by_name, roster, rng, start, end)
SCHOOL_DEMO_EXTRAS: list[Callable] = []
SCHOOL_DEMO_COMMANDS: list[tuple[str, dict]] = []
DEMOS.append(school_demo)


DEMO_PROBLEMS_SHOWN = 2      # per workbook; the rest are in its 校验 sheet
DEMO_SUMMARY_LINES = 4       # per command


def run_demo(folder: Path) -> int:
    """Build every demo workbook, run its commands and print a short account (issue #16:
    about 40 lines) — each command's summary, each workbook's problems once (capped), the
    printed PDFs — ending with where to look."""
    from .app import find_action, sorted_problems
    from .book.reader import workbook_sheet_names
    from .cli import apply_action
    from .core.problems import ERROR

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    worst = 0
    t0 = time.perf_counter()
    books = []
    for builder in DEMOS:
        for path, commands in builder(folder):
            books.append(path)
            print(f"{path.name}：")
            names = workbook_sheet_names(path)
            seen: dict[str, object] = {}
            for command, opts in commands:
                action = find_action(command, names)
                result, _ = apply_action(action, path, opts)
                worst = max(worst, result.exit_code)
                lines = [ln for ln in result.summary if not ln.startswith("另有 ")]
                if len(lines) > DEMO_SUMMARY_LINES:
                    lines = lines[:DEMO_SUMMARY_LINES - 1] + [f"……另有 {len(lines) - DEMO_SUMMARY_LINES + 1} 行"]
                first, *rest = lines or [""]
                print(f"  jifen {command}：{first}")
                for ln in rest:
                    print(f"    {ln.strip()}")
                for p in result.problems:
                    seen.setdefault(str(p), p)
            _print_problems(sorted_problems(list(seen.values())), ERROR)
    for step in DEMO_AFTER:
        step(folder)
    names = "、".join(b.name for b in books)
    print(f"完成（用时 {time.perf_counter() - t0:.0f} 秒）。请看 {folder.resolve()}：")
    print(f"  工作簿 {names}（输出表在各工作簿里，问题在“校验”表）；")
    print(f"  打印件在 {(folder / '报表').resolve()}。")
    return worst


def _print_problems(problems: list, error: str) -> None:
    """A workbook's problems once: how many of each level, the first few, then how many more."""
    if not problems:
        return
    counts: dict[str, int] = {}
    for p in problems:
        counts[p.level] = counts.get(p.level, 0) + 1
    print("  “校验”表：" + "，".join(f"{level} {n} 条" for level, n in counts.items()))
    for p in problems[:DEMO_PROBLEMS_SHOWN]:
        print(f"    {p}")
    if len(problems) > DEMO_PROBLEMS_SHOWN:
        print(f"    ……另有 {len(problems) - DEMO_PROBLEMS_SHOWN} 条")


from .schemes.village import demo as village_demo  # noqa: E402,F401
from .schemes.ledger import demo as ledger_demo  # noqa: E402,F401
from .schemes.school import demo as dorms_demo  # noqa: E402,F401  (dorm inspections and exams for the class demo)
from . import reports  # noqa: E402,F401  (demo/报表/*.pdf, issue #9)
