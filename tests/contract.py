"""Build workbooks from WORKBOOKS.md alone (headers typed here, not imported from our code),
so tests check the contract rather than our template builder."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from jifen_xl.core.table import RawSheet


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Each sheet is a list of rows, the first being the header row."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"     # typed text, not a formula
    wb.save(path)
    return path


def raw_sheets(sheets: dict[str, list[list]]) -> dict[str, RawSheet]:
    """The same data as in-memory RawSheets (what calamine would give: blanks as None)."""
    out = {}
    for name, rows in sheets.items():
        header = [str(h) for h in rows[0]]
        body = [list(r) + [None] * (len(header) - len(r)) for r in rows[1:]]
        out[name] = RawSheet(name, header, body, list(range(2, len(body) + 2)))
    return out


SCHOOL_SETTINGS_HEADER = ["项目", "值"]
ROSTER_HEADER = ["学号", "姓名", "职务", "宿舍", "小组", "在籍"]
RULES_HEADER = ["代码", "类别", "事项", "分值", "最低分值", "最高分值", "班干部加倍", "限额组", "周限额", "顺延", "负责人", "备注"]
LOG_HEADER = ["日期", "对象", "姓名", "代码", "事项", "次数", "分值", "记录人", "备注", "编号", "冲正"]


def scenario_class() -> dict[str, list[list]]:
    """The hand-computed week of issue #2 (see tests/test_school.py for the arithmetic)."""
    d = date
    return {
        "设置": [list(SCHOOL_SETTINGS_HEADER),
                 ["班级", "测试班"], ["学期开始", d(2026, 9, 1)], ["学期结束", d(2026, 9, 30)],
                 ["基础分", 80], ["班干部基础分", 85], ["班干部倍数", 2], ["周起始", "周一"],
                 ["奖励人数", 3], ["一等人数", 1], ["二等人数", 1], ["三等人数", 1],
                 ["并列处理", "并列"], ["约谈后几名", 2], ["约谈月扣分", 5]],
        "名册": [list(ROSTER_HEADER),
                 [1001, "张三", "班长", "301", "1", "是"],
                 [1002, "李四", None, "301", "1", "是"],
                 [1003, "王五", None, "302", "2", "是"],
                 [1004, "赵六", None, "302", "2", "否"],
                 [1005, "钱七", "学习委员、语文课代表", "302", "2", "是"]],
        "规则": [list(RULES_HEADER),
                 ["X02", "学习", "上课迟到", -1, None, None, "否", "迟到", 2, "是", "值日班长", None],
                 ["X07", "学习", "不交作业", -1, None, None, "否", "作业", 2, "是", "学习委员", None],
                 ["W01", "卫生劳动", "值日生忘记值日", -2, None, None, "否", None, None, None, None, None],
                 ["T01", "文体", "旷操", -2, None, None, "是", "旷操旷课", 1, "是", None, None],
                 ["T11", "文体", "参加运动会", 1, None, None, "是", None, None, None, None, None],
                 ["W11", "卫生劳动", "桌面乱", -0.5, None, None, "是", None, None, None, None, None],
                 ["Q16", "其他", "视情况加减分", None, -5, 5, "是", None, None, None, None, None]],
        "日志": [list(LOG_HEADER),
                 [d(2026, 9, 7), 1001, "张三", "X02", "上课迟到", None, None, "周一班长", None, 1, None],
                 [d(2026, 9, 7), 1001, None, "W01", None, 1, None, "周一班长", None, 2, None],
                 [d(2026, 9, 8), 1001, None, "T01", None, 1, None, "周二班长", None, 3, None],
                 [d(2026, 9, 9), "全班", None, "T11", None, 1, None, "体委", "运动会", 4, None],
                 [d(2026, 9, 10), "宿舍:302", None, "W11", None, 1, None, "卫生委员", None, 5, None],
                 [d(2026, 9, 8), 1002, "李四", "X02", None, 3, None, "周二班长", None, 6, None],
                 [d(2026, 9, 15), 1002, None, "X02", None, 1, None, "周二班长", None, 7, None],
                 [d(2026, 9, 16), 1002, None, "Q16", None, 1, 2, "班主任", "帮助同学", 8, None],
                 [d(2026, 9, 11), 1003, None, "X07", None, 1, None, "学习委员", None, 9, None],
                 [d(2026, 9, 12), None, None, None, None, None, None, "学习委员", "记错了", 10, 9],
                 [None, None, None, None, None, None, None, None, None, 11, None],
                 [None, None, None, None, None, None, None, None, None, 12, None]],
    }
