"""Reading the volunteer workbook: `设置`, `名册`, `规则`, `记录` → ``VolunteerData`` (the
roster, the counted records, every problem located). Pure: it sees RawSheets, never a file."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ...core.checks import UniqueBy
from ...core.problems import Problem
from ...core.table import RawSheet, parse_settings, parse_table
from .checks import RECORD_CHECKS, TABLE_CHECKS, Context, Record, Volunteer
from .schema import RECORD_COLS, RECORDS, ROSTER, ROSTER_COLS, RULE_COLS, RULES, SETTING_SCHEMA, SETTINGS


@dataclass
class VolunteerData:
    settings: dict
    volunteers: dict[str, Volunteer]
    records: list[Record]           # the counted ones, each with its rule's rate
    problems: list[Problem]
    latest: date | None             # the last counted record's date ("数据截至")


def load(sheets: dict[str, RawSheet]) -> VolunteerData:
    problems = [Problem(name, None, "", "", f"缺少工作表“{name}”，请使用志愿服务积分模板")
                for name in (ROSTER, RULES, RECORDS) if sheets.get(name) is None]
    settings, found = parse_settings(sheets.get(SETTINGS), SETTING_SCHEMA)
    problems += found
    volunteers, found = _roster(sheets.get(ROSTER))
    problems += found
    rules, found = _rules(sheets.get(RULES))
    problems += found
    ctx = Context(volunteers, rules, settings["统计开始"], settings["统计截止"])
    records, found = _records(sheets.get(RECORDS), ctx)
    problems += found
    for table_check in TABLE_CHECKS:
        problems += table_check(records, ctx)
    latest = max((r.date for r in records), default=None)
    return VolunteerData(settings, volunteers, records, problems, latest)


def _roster(raw: RawSheet | None) -> tuple[dict[str, Volunteer], list[Problem]]:
    if raw is None:
        return {}, []
    recs, problems = parse_table(raw, ROSTER_COLS)
    ids = UniqueBy(raw.name, "编号")
    volunteers = {}
    for r in recs:
        if not r["编号"] or not r["姓名"]:
            continue
        if repeat := ids.first(r["编号"], r["_row"]):
            problems.append(repeat)
            continue
        volunteers[r["编号"]] = Volunteer(r["编号"], r["姓名"], r["服务队"], r["在册"] is not False)
    return volunteers, problems


def _rules(raw: RawSheet | None) -> tuple[dict, list[Problem]]:
    if raw is None:
        return {}, []
    recs, problems = parse_table(raw, RULE_COLS)
    codes = UniqueBy(raw.name, "代码")
    rules = {}
    for r in recs:
        if not r["代码"] or r["每小时积分"] is None:
            continue
        if repeat := codes.first(r["代码"], r["_row"]):
            problems.append(repeat)
            continue
        rules[r["代码"]] = (r["服务项目"], r["每小时积分"])
    return rules, problems


def _records(raw: RawSheet | None, ctx: Context) -> tuple[list[Record], list[Problem]]:
    if raw is None:
        return [], []
    recs, problems = parse_table(raw, RECORD_COLS)
    kept = []
    for rec in recs:
        r = Record(rec["_row"], rec["日期"], rec["编号"], rec["姓名"], rec["代码"], rec["小时"],
                   set(rec.get("_bad", ())))
        if r.bad or None in (r.date, r.vid, r.code, r.hours):
            continue                  # the parser has reported it
        problem = next((p for p in (check(r, ctx) for check in RECORD_CHECKS) if p is not None), None)
        if problem is None:
            kept.append(r)
        else:
            problems.append(problem)
    return kept, problems
