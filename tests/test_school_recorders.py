"""记录人 and 负责人 (SPEC S-14, issue #26 item 2), hand-computed on tests/school_book.py.

日志 (September 2026), Excel rows, 记录人 against the rule's 负责人 (名册 职务):
  2  X02 (值日班长)        张三 (班长、值日班长)            holds it
  3  X02 (值日班长)        1001 (张三's 学号)              holds it
  4  X02 (值日班长)        李四 (no 职务)                  提示, still counts
  5  X07 (学习委员)        赵六 (学习委员、语文课代表)      holds it
  6  X21 (课代表)          赵六 — 语文课代表 holds 课代表    holds it
  7  Q16 (班主任)          班主任 — the role's own name     holds it
  8  Q16 (班主任)          张三                            提示
  9  W11 (卫生委员、值日班长) 张三                          holds one of them
 10  T11 (no 负责人)       李四                            nothing to check
 11  X02                  (blank)                         nothing to check
 12  冲正 of row 8         张三                            a correction: not counted below
Rows per 记录人 in 2026-09: 张三 2, 3, 8, 9 → 4 (学号 folded into the name); 李四 4, 10 → 2;
赵六 5, 6 → 2; 班主任 1 (not on 名册: only in the command's summary); 王五 0.
"""
from __future__ import annotations

from datetime import date

from contract import raw_sheets
from school_book import book, log_row
from jifen_xl.core.periods import month
from jifen_xl.core.problems import NOTICE
from jifen_xl.schemes.school import actions
from jifen_xl.schemes.school import model as sc
from jifen_xl.schemes.school.checks import holds_role

d = date


def _log():
    rows = [log_row(d(2026, 9, 7), 1002, "X02", recorder="张三"),
            log_row(d(2026, 9, 7), 1003, "X02", recorder="1001"),
            log_row(d(2026, 9, 8), 1003, "X02", recorder="李四"),
            log_row(d(2026, 9, 8), 1002, "X07", recorder="赵六"),
            log_row(d(2026, 9, 8), 1003, "X21", recorder="赵六"),
            log_row(d(2026, 9, 9), 1002, "Q16", value=2, recorder="班主任", note="帮助同学"),
            log_row(d(2026, 9, 9), 1003, "Q16", value=-1, recorder="张三", note="顶撞同学"),
            log_row(d(2026, 9, 9), 1002, "W11", recorder="张三"),
            log_row(d(2026, 9, 9), 1002, "T11", recorder="李四"),
            log_row(d(2026, 9, 10), 1003, "X02", recorder=None)]
    rows = [r + [i + 1, None] for i, r in enumerate(rows)]          # 编号 1…10
    rows.append([d(2026, 9, 12), None, None, None, None, None, None, "张三", "记错了", 11, 7])
    return rows


def load():
    return sc.load(raw_sheets(book(_log())))


def test_a_recorder_without_the_role_is_a_notice_and_the_row_still_counts():
    data = load()
    notes = [p for p in data.problems if p.column == "记录人"]
    assert [(p.sheet, p.row, p.value, p.level) for p in notes] == [
        ("日志", 4, "李四", NOTICE), ("日志", 8, "张三", NOTICE)]
    assert "上课迟到" in notes[0].message and "值日班长" in notes[0].message
    assert "班主任" in notes[1].message
    assert 4 in set(data.entries["row"])          # counted all the same
    assert all(p.level == NOTICE for p in data.problems)


def test_month_report_counts_rows_per_recorder():
    data = load()
    monthly, _ = sc.month_outputs(data, month(2026, 9))
    i = monthly.columns.index("记录条数")
    assert monthly.columns[:9] == ["月份", "学号", "姓名", "加分", "减分", "净分", "累计总分", "名次", "家长评语"]
    assert monthly.columns[-1] == "明细" and i == 9
    assert {r[1]: r[i] for r in monthly.rows} == {"1001": 4, "1002": 2, "1003": 0, "1004": 2}


def test_month_command_lists_every_recorder():
    res = actions.month(raw_sheets(book(_log())), {"month": (2026, 9)})
    assert res.summary[0].endswith("；本月各记录人登记条数：张三 4、李四 2、赵六 2、班主任 1。")


def test_a_post_holds_a_role_by_name_or_with_a_prefix_that_is_not_itself_a_role():
    roles = {"值日班长", "班长", "课代表", "宿舍长"}
    assert holds_role("语文课代表", "课代表", roles)
    assert holds_role("301宿舍长", "宿舍长", roles)
    assert holds_role("班长", "班长", roles)
    assert not holds_role("值日班长", "班长", roles)       # another role, not the monitor
    assert not holds_role("学习委员", "班长", roles)
