"""`jifen demo`: a team of 30 volunteers and a year of service records from a fixed seed."""
from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from ..sample import chinese_names
from . import template

FILE_NAME = "志愿服务积分-示例.xlsx"


def volunteer_demo(folder: Path, seed: int = 2026) -> list[tuple[Path, list[tuple[str, dict]]]]:
    from ...book.template_spec import write_template

    rng = random.Random(seed)
    sheets = template.sheets()
    by = {s.name: s for s in sheets}
    names = chinese_names(rng, 30)
    by["名册"].rows = [[f"Z{i + 1:03d}", n, rng.choice(("党员服务队", "青年服务队", "巾帼服务队")),
                        "否" if i == 29 else "是"] for i, n in enumerate(names)]
    codes = [r[0] for r in template.RULE_CATALOGUE]
    seen, records = set(), []
    while len(records) < 300:
        i = rng.randrange(29)
        day = date(2026, 1, 3) + timedelta(days=rng.randrange(350))
        code = rng.choice(codes)
        if (i, day, code) in seen:
            continue
        seen.add((i, day, code))
        records.append([day, f"Z{i + 1:03d}", names[i], code, rng.choice((1, 1.5, 2, 2.5, 3, 4)), ""])
    by["记录"].rows = sorted(records, key=lambda r: (r[0], r[1]))
    path = Path(folder) / FILE_NAME
    write_template(path, sheets)
    return [(path, [("check", {}), ("volunteer", {})])]
