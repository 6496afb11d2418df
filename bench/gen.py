"""Workbook generators for `make bench`: large, valid, realistic inputs.

* ``school(path, log_rows)``: a 班级积分 workbook for a whole school year group of
  ``STUDENTS`` students (so the weekly / monthly / award outputs are 3,000 rows), a
  30-rule catalogue, and ``log_rows`` `日志` rows over the autumn semester — each with 编号,
  a few collective rows (宿舍 / 小组), explicit 分值 on ranged rules and some 冲正 rows.
* ``village(path, households, records)``: a 乡村积分 workbook of ``households`` households in
  groups of 100 (V-5), one five-member panel per group reviewing the next group crosswise,
  and ``records`` `评议记录` rows over 2026 with the V-6 statuses.

Headers are typed here from WORKBOOKS.md (not imported from our schema code), the data is
deterministic (a seeded generator) and valid, so the commands compute outputs rather than
stop at `校验`. Written with XlsxWriter ``constant_memory`` so generating 200,000 rows
stays small.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import xlsxwriter

STUDENTS = 3000
SEMESTER_START = date(2026, 9, 1)
SEMESTER_END = date(2027, 1, 31)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝丽阳"

# 代码, 类别, 事项, 分值, 最低, 最高, 班干部加倍, 限额组, 周限额, 顺延
SCHOOL_RULES = [
    ("X01", "学习", "作业未交", -1, None, None, "否", "作业", 2, "是"),
    ("X02", "学习", "作业迟交", -0.5, None, None, "否", "作业", 2, "是"),
    ("X03", "学习", "上课讲话", -1, None, None, "否", "", None, None),
    ("X04", "学习", "作业优秀", 1, None, None, "否", "", None, None),
    ("X05", "学习", "课堂回答问题", 0.5, None, None, "否", "", None, None),
    ("X06", "学习", "考试作弊", -5, None, None, "否", "", None, None),
    ("X07", "学习", "学习竞赛获奖", 3, 1, 5, "否", "", None, None),
    ("X08", "学习", "上课睡觉", -1, None, None, "否", "", None, None),
    ("W01", "卫生劳动", "教室卫生不合格", -1, None, None, "是", "卫生不合格", 2, "是"),
    ("W02", "卫生劳动", "值日不认真", -1, None, None, "否", "", None, None),
    ("W03", "卫生劳动", "主动打扫卫生", 1, None, None, "否", "", None, None),
    ("W04", "卫生劳动", "乱扔垃圾", -1, None, None, "是", "", None, None),
    ("W05", "卫生劳动", "参加义务劳动", 2, 1, 3, "否", "", None, None),
    ("T01", "文体", "运动会获奖", 3, 1, 5, "否", "", None, None),
    ("T02", "文体", "做操不认真", -0.5, None, None, "是", "", None, None),
    ("T03", "文体", "旷操", -2, None, None, "是", "旷操旷课", 1, "否"),
    ("T04", "文体", "文艺演出", 2, None, None, "否", "", None, None),
    ("Q01", "其他", "迟到", -1, None, None, "是", "迟到", 2, "是"),
    ("Q02", "其他", "早退", -1, None, None, "是", "迟到", 2, "是"),
    ("Q03", "其他", "旷课一节", -5, None, None, "是", "旷操旷课", 1, "否"),
    ("Q04", "其他", "好人好事", 2, 1, 5, "否", "", None, None),
    ("Q05", "其他", "帮助同学", 1, None, None, "否", "", None, None),
    ("Q06", "其他", "打架", -5, -10, -3, "是", "", None, None),
    ("Q07", "其他", "顶撞老师", -3, None, None, "是", "", None, None),
    ("Q08", "其他", "损坏公物", -2, -5, -1, "是", "", None, None),
    ("Q09", "其他", "拾金不昧", 2, None, None, "否", "", None, None),
    ("Q10", "其他", "带手机进教室", -2, None, None, "是", "", None, None),
    ("Q11", "其他", "仪容仪表不合格", -0.5, None, None, "是", "", None, None),
    ("Q12", "其他", "无故不上自习会", -3, None, None, "是", "", None, None),
    ("Q13", "其他", "为班级争光", 3, None, None, "否", "", None, None),
]
# Relative weights: lateness, talk and homework are the daily bread of a duty monitor.
RULE_WEIGHTS = [6, 4, 8, 6, 8, 0.2, 0.5, 3, 2, 2, 4, 3, 1, 0.5, 3, 0.5, 1, 8, 2, 0.5, 2, 5,
                0.3, 0.5, 0.5, 1, 1, 2, 0.5, 1]

ROSTER_HEADER = ["学号", "姓名", "职务", "宿舍", "小组", "在籍"]
RULE_HEADER = ["代码", "类别", "事项", "分值", "最低分值", "最高分值", "班干部加倍", "限额组", "周限额",
               "顺延", "负责人", "备注"]
LOG_HEADER = ["日期", "对象", "姓名", "代码", "事项", "次数", "分值", "记录人", "备注", "编号", "冲正"]
POSTS = ["班长", "副班长", "学习委员", "劳动委员", "体育委员", "文艺委员", "组长", "课代表", "宿舍长"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _school_days(start: date, end: date) -> list[date]:
    out, d = [], start
    while d <= end:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


def school(path: Path, log_rows: int, seed: int = 7) -> Path:
    """A valid school workbook with ``log_rows`` log rows (see module docstring)."""
    rng = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.set_properties({"created": __import__("datetime").datetime(2026, 1, 1)})
    bold = wb.add_format({"bold": True})
    dfmt = wb.add_format({"num_format": "yyyy-mm-dd"})

    ws = wb.add_worksheet("设置")
    ws.write_row(0, 0, ["项目", "值"], bold)
    settings = [("班级", "高一年级（压力测试）"), ("学期开始", SEMESTER_START), ("学期结束", SEMESTER_END),
                ("基础分", 80), ("班干部基础分", 85), ("班干部倍数", 2), ("周起始", "周一"),
                ("奖励人数", 15), ("一等人数", 3), ("二等人数", 5), ("三等人数", 7),
                ("并列处理", "并列"), ("约谈后几名", 3), ("约谈月扣分", 10)]
    for r, (k, v) in enumerate(settings, start=1):
        ws.write_string(r, 0, k)
        if isinstance(v, date):
            ws.write_datetime(r, 1, v, dfmt)
        else:
            ws.write(r, 1, v)

    students = []
    ws = wb.add_worksheet("名册")
    ws.write_row(0, 0, ROSTER_HEADER, bold)
    for i in range(STUDENTS):
        sid = f"2026{i + 1:04d}"
        name = _name(rng)
        post = rng.choice(POSTS) if rng.random() < 0.1 else ""
        dorm, group = f"{100 + i // 8}", f"{1 + i // 10}"
        active = "否" if rng.random() < 0.003 else "是"
        students.append((sid, name, dorm, group, active == "是"))
        ws.write_row(i + 1, 0, [sid, name, post, dorm, group, active])

    ws = wb.add_worksheet("规则")
    ws.write_row(0, 0, RULE_HEADER, bold)
    for r, rule in enumerate(SCHOOL_RULES, start=1):
        for c, v in enumerate(rule):
            if v is not None:
                ws.write(r, c, v)

    ws = wb.add_worksheet("日志")
    ws.write_row(0, 0, LOG_HEADER, bold)
    ws.freeze_panes(1, 0)
    days = _school_days(SEMESTER_START, SEMESTER_END)
    active = [s for s in students if s[4]]
    recorders = ["值日班长", "学习委员", "劳动委员", "体育委员", "班主任"]
    reversals = max(1, log_rows // 2000)
    plain = log_rows - reversals
    # Rows are spread over the semester in date order; each (date, student) pair is used at
    # most once per code so no row duplicates another (C-6).
    per_day = -(-plain // len(days))
    used: set[tuple] = set()
    r = 0
    logged: list[int] = []
    for n in range(plain):
        day = days[min(n // per_day, len(days) - 1)]
        kind = rng.random()
        while True:
            rule_i = rng.choices(range(len(SCHOOL_RULES)), RULE_WEIGHTS)[0]
            code, _cat, item, pts, low, high = SCHOOL_RULES[rule_i][:6]
            if kind < 0.002:
                target, name = f"宿舍:{rng.choice(active)[2]}", ""
            elif kind < 0.003:
                target, name = f"小组:{rng.choice(active)[3]}", ""
            else:
                s = rng.choice(active)
                target, name = s[0], s[1]
            if (day, target, code) not in used:
                used.add((day, target, code))
                break
        r += 1
        ws.write_datetime(r, 0, day, dfmt)
        ws.write_string(r, 1, target)
        if name:
            ws.write_string(r, 2, name)
        ws.write_string(r, 3, code)
        ws.write_string(r, 4, item)
        ws.write_number(r, 5, 1 if rng.random() < 0.9 else 2)
        if low is not None and rng.random() < 0.5:
            ws.write_number(r, 6, rng.choice([low, pts, high]))
        ws.write_string(r, 7, rng.choice(recorders))
        if rng.random() < 0.05:
            ws.write_string(r, 8, rng.choice(["第一节课", "午休", "晚自习", "家长反映", "补记"]))
        ws.write_number(r, 9, r)
        logged.append(r)
    # 冲正 rows at the end, each reversing a distinct earlier row (C-9).
    for n, orig in enumerate(sorted(rng.sample(logged, reversals))):
        r += 1
        ws.write_datetime(r, 0, days[-1], dfmt)
        ws.write_string(r, 7, "班主任")
        ws.write_string(r, 8, f"第{orig + 1}行登记错误")
        ws.write_number(r, 9, r)
        ws.write_number(r, 10, orig)
    wb.close()
    return path


# ---- village -------------------------------------------------------------------------------

VILLAGE_RULES = [
    ("E01", "环境整治", "庭院整洁", 2, None, None, "日常"),
    ("E02", "环境整治", "乱堆乱放", -2, None, None, "日常"),
    ("E03", "环境整治", "门前三包落实", 1, None, None, "日常"),
    ("E04", "环境整治", "垃圾未分类", -1, None, None, "日常"),
    ("E05", "环境整治", "参与村庄清洁行动", 2, 1, 3, "日常"),
    ("W01", "文明新风", "好人好事", 3, 1, 5, "日常"),
    ("W02", "文明新风", "参与赌博", -5, None, None, "日常"),
    ("W03", "文明新风", "孝老爱亲", 2, None, None, "日常"),
    ("W04", "文明新风", "大操大办", -3, None, None, "日常"),
    ("W05", "文明新风", "志愿服务", 1, None, None, "日常"),
    ("D01", "党的建设", "参加党组织活动", 2, None, None, "年度"),
    ("D02", "党的建设", "参加村民会议", 1, None, None, "年度"),
    ("M01", "民生保障", "投工投劳", 1, None, None, "年度"),
    ("M02", "民生保障", "按时缴纳医保", 1, None, None, "年度"),
    ("F01", "遵纪守法", "违法被处理", -5, -10, -3, "年度"),
    ("F02", "遵纪守法", "调解邻里纠纷", 2, None, None, "年度"),
]
VILLAGE_WEIGHTS = [10, 4, 8, 4, 3, 3, 0.5, 4, 1, 6, 2, 3, 2, 3, 0.2, 1]


def village(path: Path, households: int = 2000, records: int = 50_000, seed: int = 11) -> Path:
    """A valid village workbook (see module docstring)."""
    rng = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.set_properties({"created": __import__("datetime").datetime(2026, 1, 1)})
    bold = wb.add_format({"bold": True})
    dfmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    groups = [f"{g + 1}组" for g in range(-(-households // 100))]

    ws = wb.add_worksheet("设置")
    ws.write_row(0, 0, ["项目", "值"], bold)
    settings = [("村名", "压力测试村"), ("年度", 2026), ("党的建设基础分", 20), ("民生保障基础分", 20),
                ("环境整治基础分", 40), ("文明新风基础分", 40), ("遵纪守法基础分", 20),
                ("五星比例", "10%"), ("四星比例", "20%"), ("三星比例", "30%"), ("公示天数", 3),
                ("每组户数上限", 100), ("评议小组最少人数", 5)]
    for r, (k, v) in enumerate(settings, start=1):
        ws.write_row(r, 0, [k, v])

    ws = wb.add_worksheet("农户名册")
    ws.write_row(0, 0, ["户号", "户主", "组", "人口", "参与"], bold)
    homes = []
    for i in range(households):
        hid, g = f"H{i + 1:05d}", groups[i // 100]
        part = "否" if rng.random() < 0.01 else "是"
        homes.append((hid, g, part == "是"))
        ws.write_row(i + 1, 0, [hid, _name(rng), g, rng.randint(1, 7), part])

    ws = wb.add_worksheet("评议小组")
    ws.write_row(0, 0, ["小组", "成员", "身份", "所在组"], bold)
    r = 0
    for g in groups:
        for m in range(5):
            r += 1
            ws.write_row(r, 0, [f"{g}评议组", _name(rng), "村两委" if m == 0 else "村民代表", g])

    ws = wb.add_worksheet("规则")
    ws.write_row(0, 0, ["代码", "类别", "事项", "分值", "最低分值", "最高分值", "周期"], bold)
    for r, rule in enumerate(VILLAGE_RULES, start=1):
        for c, v in enumerate(rule):
            if v is not None:
                ws.write(r, c, v)

    ws = wb.add_worksheet("评议记录")
    ws.write_row(0, 0, ["日期", "户号", "代码", "分值", "评议小组", "状态", "来源", "证明材料", "备注",
                        "编号", "冲正"], bold)
    ws.freeze_panes(1, 0)
    first, last = date(2026, 1, 5), date(2026, 9, 25)
    span = (last - first).days
    part = [h for h in homes if h[2]]
    used: set[tuple] = set()
    for n in range(records):
        d = first + timedelta(days=n * span // records)
        while True:
            hid, g, _ = rng.choice(part)
            code, _cat, _item, pts, low, high, _per = VILLAGE_RULES[
                rng.choices(range(len(VILLAGE_RULES)), VILLAGE_WEIGHTS)[0]]
            if (d, hid, code) not in used:
                used.add((d, hid, code))
                break
        panel = f"{groups[(groups.index(g) + 1) % len(groups)]}评议组"
        age = (last - d).days
        status = "已确认" if age > 30 else rng.choice(["已确认", "已确认", "公示中", "初评"])
        if rng.random() < 0.003:
            status = "已驳回"
        source = "申报" if rng.random() < 0.05 else "评议"
        row = n + 1
        ws.write_datetime(row, 0, d, dfmt)
        ws.write_string(row, 1, hid)
        ws.write_string(row, 2, code)
        if low is not None and rng.random() < 0.5:
            ws.write_number(row, 3, rng.choice([low, pts, high]))
        ws.write_string(row, 4, panel)
        ws.write_string(row, 5, status)
        ws.write_string(row, 6, source)
        if source == "申报":
            ws.write_string(row, 7, "照片、村委会证明")
        ws.write_number(row, 9, row)
    wb.close()
    return path


if __name__ == "__main__":   # python bench/gen.py OUTDIR — write the three bench workbooks
    import sys

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/out")
    out.mkdir(parents=True, exist_ok=True)
    for rows in (20_000, 200_000):
        print(school(out / f"school-{rows // 1000}k.xlsx", rows))
    print(village(out / "village-2000.xlsx"))
