"""The two table parsers of core/table.py agree (issue #13): ``parse_table`` (row-wise, one
dict per record) and ``parse_columns`` (column-wise, for the 200,000-row log) give the same
records, the same rejected cells and the same problems for any sheet, including hostile
cells, missing and blank columns and required values left empty."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings, strategies as st

from jifen_xl.core.table import Col, RawSheet, parse_columns, parse_table

COLS = [
    Col("编号", "id"),
    Col("日期", "date", required=True),
    Col("学号", "id", required=True),
    Col("代码", "text"),
    Col("次数", "count", default=1),
    Col("分值", "decimal"),
    Col("在籍", "bool", default=True),
    Col("职务", "multi"),
    Col("比例", "ratio"),
    Col("周起始", "weekday"),
    Col("必有列", "text", optional_column=False),
]

CELLS = st.sampled_from([
    None, "", "  ", "abc", " 王 小明 ", "ＡＢＣ１２３", "=1+1", "1", "2.5", "-3", "1,000", "１２",
    "是", "否", "Y", "n", "2026-09-07", "2026/9/7", "2026年9月7日", "9-7", "周一", "星期三", "30%", "0.3",
    "班长、学习委员", "班长,宿舍长", 0, 1, 2, -1, 3.0, 2.5, 1e20, float("nan"), True, False,
    Decimal("1.50"), date(2026, 9, 7), datetime(2026, 9, 7, 8, 30), 20260101, 20260101.0,
])


def as_records(columns) -> list[dict]:
    out = []
    for k, row in enumerate(columns.rows):
        rec = {h: vals[k] for h, vals in columns.values.items()}
        rec["_row"] = row
        if columns.bad.get(k):
            rec["_bad"] = set(columns.bad[k])
        out.append(rec)
    return out


def _key(p):
    return (p.sheet, p.row or 0, p.column, repr(p.value), p.message, p.level)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=st.lists(st.sampled_from([c.header for c in COLS] + ["备注", ""]), min_size=1, max_size=12,
                       unique=True),
       body=st.lists(st.lists(CELLS, min_size=12, max_size=12), max_size=8))
def test_row_and_column_parsers_agree(header, body):
    raw = RawSheet("日志", header, [r[:len(header)] for r in body], list(range(2, len(body) + 2)))
    recs, problems = parse_table(raw, COLS)
    columns, col_problems = parse_columns(raw, COLS)
    got = as_records(columns)
    assert [{k: v for k, v in r.items() if k != "_bad"} for r in got] == \
        [{k: v for k, v in r.items() if k != "_bad"} for r in recs]
    assert [r.get("_bad", set()) for r in got] == [set(r.get("_bad", ())) for r in recs]
    assert sorted(map(_key, col_problems)) == sorted(map(_key, problems))


def test_they_agree_on_a_plain_log():
    raw = RawSheet("日志", ["日期", "学号", "代码", "次数"],
                   [[date(2026, 9, 7), "20260101", "X01", 2], [None, None, None, None],
                    ["不是日期", 20260102.0, "X02", None]], [2, 3, 4])
    recs, problems = parse_table(raw, COLS)
    columns, col_problems = parse_columns(raw, COLS)
    assert len(recs) == 2 and recs[0]["次数"] == 2 and recs[1]["次数"] == 1
    assert as_records(columns) == recs
    assert sorted(map(_key, col_problems)) == sorted(map(_key, problems))
    assert any(p.row == 4 and p.column == "日期" for p in problems)
