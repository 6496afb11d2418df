"""The worksheet functions (udfs.py): as plain functions, and through xlwings' server call
path (the Office.js custom-function protocol xlwings Server and Lite use), which needs
``XLWINGS_ON_SERVER=true`` at import time and therefore runs in a child process.
Classic Windows UDFs (COM) cannot run here. Rules: SPEC C-2, C-4, S-2, S-8, S-11, V-7.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import date, datetime

from jifen_xl import udfs


def col(*values) -> list[list]:
    return [[v] for v in values]


def test_points_cadre_doubling_and_exemptions():
    """S-2: cadre deductions ×2 unless exempt; additions never doubled; count × value (C-2)."""
    got = udfs.JIFEN_POINTS(
        col(-2, -0.5, 1, None, -3, -1, "-1.5"),
        col(1, 2, None, None, 1, 3, 1),
        col("是", "是", "是", None, "否", "是", "Y"),
        col("是", "否", "是", None, "是", "是", "是"))
    # -2×2 ; -0.5×2 exempt → -1 ; +1 not doubled ; blank ; non-cadre -3 ; -1×3×2 = -6 ; -1.5×2 = -3
    assert got == col(-4, -1, 1, "", -3, -6, -3)


def test_points_multiplier_setting_and_scalar_broadcast():
    assert udfs.JIFEN_POINTS(col(-1, -0.5), 2, "是", "是", 1.5) == col(-3, -1.5)
    assert udfs.JIFEN_POINTS(col(-0.5), None, "是", "是", None) == col(-1)


def test_points_bad_cell_is_a_message_in_that_cell_only():
    got = udfs.JIFEN_POINTS(col(-1, "abc"), col(1, 1), col("否", "否"), col("否", "否"))
    assert got[0] == [-1] and got[1][0].startswith("#无法识别")


def test_rank_is_competition_ranking_with_blanks_left_out():
    """C-4: 1224; an empty row neither ranks nor counts."""
    assert udfs.JIFEN_RANK(col(80, 85.5, None, 80, 70, "")) == col(2, 1, "", 2, 4, "")


def test_award_tiers_by_shared_rank():
    """S-11 / C-4: with 一等 1 and 二等 1, ranks 1, 2, 2 give one 一等 and two 二等."""
    got = udfs.JIFEN_AWARD(col(90, 85, 85, 70, None), 1, 1, 1)
    assert got == col("一等奖", "二等奖", "二等奖", "", "")
    assert udfs.JIFEN_AWARD(col(90, 85, 85, 70)) == col("一等奖", "一等奖", "一等奖", "二等奖")


def test_star_needs_share_and_base():
    """V-7: r/N ≤ 10% 五星, ≤ 20% 四星, ≤ 30% 三星; below the base 140 → no star."""
    totals = col(150, 139, 145, 141, 142, 143, 144, 146, 147, 148, None)
    got = udfs.JIFEN_STAR(totals)
    assert got == col("五星", "", "", "", "", "", "", "", "三星", "四星", "")
    # the top household below the base gets nothing, not a lower star
    assert udfs.JIFEN_STAR(col(139, 138), 140, "50%", "80%", "100%") == col("", "")
    assert udfs.JIFEN_STAR(col(160, 150), 140, "50%") == col("五星", "")       # 2/2 > 20%
    assert udfs.JIFEN_STAR(col(160, 150), 140, "50%", "100%") == col("五星", "四星")


def test_week_start_from_real_dates_serials_and_text():
    """S-8: Monday weeks by default; Excel serial 46272 is 2026-09-07."""
    got = udfs.JIFEN_WEEK(col(datetime(2026, 9, 9, 8, 30), 46272, "2026年9月1日", None, date(2026, 9, 13)))
    assert got == col(date(2026, 9, 7), date(2026, 9, 7), date(2026, 8, 31), "", date(2026, 9, 7))
    assert udfs.JIFEN_WEEK(col(date(2026, 9, 9)), "周日") == col(date(2026, 9, 6))
    assert udfs.JIFEN_WEEK(col("明天"))[0][0].startswith("#无法识别")


SERVER_SCRIPT = textwrap.dedent("""
    import asyncio, json, sys
    import xlwings as xw
    from xlwings import server
    from jifen_xl import udfs

    meta = {f["name"]: f for f in server.custom_functions_meta(udfs)["functions"]}

    def call(name, *args):
        data = {"func_name": name, "args": list(args), "version": xw.__version__,
                "client": "Office.js", "runtime": "1.4", "culture_info_name": "zh-CN",
                "date_format": "yyyy-mm-dd", "caller_address": "Sheet1!A1"}
        return asyncio.run(server.custom_functions_call(data, udfs))

    out = {
        "on_server": xw.on_server if hasattr(xw, "on_server") else None,
        "meta": {name: {"params": [[p["name"], p["dimensionality"], bool(p.get("optional"))]
                                   for p in f["parameters"]],
                        "result": f["result"]["dimensionality"]} for name, f in meta.items()},
        # Office.js sends date cells as serial numbers and empty cells as null / ""
        "week": call("JIFEN_WEEK", [[46272], [None], ["2026-09-01"], [""]], None),
        "points": call("JIFEN_POINTS", [[-2], [-0.5], [None]], [[1], [2], [None]],
                       [["是"], ["是"], [None]], [["是"], ["否"], [None]], None),
        "rank": call("JIFEN_RANK", [[80], [85.5], [None], [80]]),
        "award": call("JIFEN_AWARD", [[90], [85], [85], [70]], [[1]], [[1]], None),
        "star": call("JIFEN_STAR", [[150], [139]], None, [["50%"]], None, None),
    }
    json.dump(out, sys.stdout, ensure_ascii=False)
""")


def test_server_call_path_converts_dates_and_empties():
    """xlwings' own custom-function call (xlwings Server / Lite), run in a child process."""
    env = dict(os.environ, XLWINGS_ON_SERVER="true", XLWINGS_LICENSE_KEY="noncommercial")
    done = subprocess.run([sys.executable, "-c", SERVER_SCRIPT], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert set(out["meta"]) == {"JIFEN_POINTS", "JIFEN_RANK", "JIFEN_AWARD", "JIFEN_STAR", "JIFEN_WEEK"}
    # one call per range: every data argument and every result is a 2-D matrix
    assert out["meta"]["JIFEN_RANK"] == {"params": [["totals", "matrix", False]], "result": "matrix"}
    assert out["meta"]["JIFEN_POINTS"]["params"][-1] == ["multiplier", "matrix", True]
    date_cell = {"type": "FormattedNumber", "basicValue": 46272.0, "numberFormat": "yyyy-mm-dd"}
    assert out["week"] == [[date_cell], [""], [dict(date_cell, basicValue=46265.0)], [""]]
    assert out["points"] == [[-4], [-1], [""]]
    assert out["rank"] == [[2], [1], [""], [2]]
    assert out["award"] == [["一等奖"], ["二等奖"], ["二等奖"], ["三等奖"]]   # 三等 default 7
    assert out["star"] == [["五星"], [""]]
