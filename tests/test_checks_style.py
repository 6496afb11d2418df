"""Issue #13 item 5, one validation style: every scheme validates its record rows with an
ordered list of small named checks, each returning one located ``Problem`` (or None), run in
one place — village ``RECORD_CHECKS``, school ``LOG_CHECKS``, ledger ``CLAIM_CHECKS``.

Each check is exercised alone here on one bad row; the behaviour of the whole lists is
covered by the scheme tests and the byte-identity digests."""
from __future__ import annotations

from datetime import date

import test_ledger
from contract import raw_sheets, scenario_class
from jifen_xl.core.problems import ERROR, NOTICE, REFUSED, Problem
from jifen_xl.schemes.base import sorted_problems
from jifen_xl.schemes.ledger import checks as lchecks, model as lg
from jifen_xl.schemes.school import model as sc
from jifen_xl.schemes.village import checks as vchecks


def test_each_scheme_exposes_its_ordered_checks():
    for checks in (vchecks.RECORD_CHECKS, sc.LOG_CHECKS, lchecks.CLAIM_CHECKS):
        assert len(checks) >= 8 and len(set(checks)) == len(checks)
        for check in checks:
            assert callable(check) and check.__name__.startswith("check_") and check.__doc__
    assert sc.LOG_CHECKS[:3] == [sc.check_in_semester, sc.check_target_present, sc.check_code_present]
    assert sc.LOG_CHECKS[-3:] == [sc.check_duplicate, sc.check_recorder_role, sc.check_excused_by_leave]
    assert vchecks.RECORD_CHECKS[-1] is vchecks.check_duplicate
    assert lchecks.CLAIM_CHECKS[0] is lchecks.check_number_unique and lchecks.CLAIM_CHECKS[-1] is lchecks.check_points
    for checks in (lchecks.TRANSFER_CHECKS, lchecks.REDEMPTION_CHECKS):
        assert checks and all(check.__name__.startswith("check_") and check.__doc__ for check in checks)


# ---- school `日志` ------------------------------------------------------------------------------

def _school():
    data = sc.load(raw_sheets(scenario_class()))
    return data, sc.LogContext(data)


def _log(row=9, d=date(2026, 9, 7), target="1001", who=None, code="X02", item=None, count=1,
         value=None, recorder="班长", remark=None, ref=None):
    return sc.LogRow(row, d, target, who, code, item, count, value, recorder, remark, ref)


def _resolved(r, ctx):
    """Run the checks that resolve rule and target, as the runner does before later checks."""
    for check in (sc.check_code_known, sc.check_student_known, sc.check_collective_members):
        assert check(r, ctx) is None
    return r


def test_school_checks_alone_return_located_problems():
    data, ctx = _school()
    assert sc.check_in_semester(_log(d=date(2026, 10, 8)), ctx) == Problem(
        "日志", 9, "日期", date(2026, 10, 8), "日期不在本学期内（2026-09-01～2026-09-30）", ERROR)
    assert sc.check_in_semester(_log(), ctx) is None
    assert sc.check_target_present(_log(target=None), ctx).column == "对象"
    assert sc.check_code_present(_log(code=None), ctx) == Problem("日志", 9, "代码", "", "“代码”不能为空", ERROR)
    unknown = sc.check_code_known(_log(code="Z99"), ctx)
    assert (unknown.row, unknown.column, unknown.value, unknown.level) == (9, "代码", "Z99", ERROR)
    assert unknown.message.startswith("规则表中没有这个代码")
    r = _log(item="不交作业")
    assert sc.check_code_known(r, ctx) is None
    assert sc.check_item_matches(r, ctx) == Problem(
        "日志", 9, "事项", "不交作业", "事项与规则表不一致（代码 X02 是“上课迟到”）", ERROR)
    missing = sc.check_student_known(_log(target="9999"), ctx)
    assert (missing.column, missing.value) == ("对象", "9999")
    assert missing.message.startswith("名册中没有这个学号")
    r = _log(who="李四")
    assert sc.check_student_known(r, ctx) is None
    assert sc.check_name_matches(r, ctx) == Problem(
        "日志", 9, "姓名", "李四", "姓名与名册不一致（学号 1001 是“张三”）", ERROR)
    r = _log(target="1004")
    assert sc.check_student_known(r, ctx) is None
    assert sc.check_student_active(r, ctx) == Problem("日志", 9, "对象", "1004", "赵六已不在籍，这条记录不计入", NOTICE)
    r = _log(target="宿舍:999")
    assert sc.check_student_known(r, ctx) is None
    assert sc.check_collective_members(r, ctx) == Problem(
        "日志", 9, "对象", "宿舍:999", "名册中没有宿舍“999”的在籍学生", ERROR)
    r = _resolved(_log(code="Q16"), ctx)
    assert sc.check_explicit_value(r, ctx) == Problem(
        "日志", 9, "分值", "", "“视情况加减分”的分值视情况而定，请填写分值", ERROR)
    r = _resolved(_log(code="Q16", value=9), ctx)
    bad_value = sc.check_explicit_value(r, ctx)
    assert (bad_value.column, bad_value.value, bad_value.level) == ("分值", 9, ERROR)
    assert sc.check_duplicate(_log(row=9), ctx) is None
    assert sc.check_duplicate(_log(row=12), ctx) == Problem(
        "日志", 12, "", "", "与第9行重复（同一日期、对象、代码、记录人和备注）；同一事项多次请填“次数”", ERROR)


# ---- ledger `申报` -------------------------------------------------------------------------------

def _ledger():
    data = test_ledger.load()
    return data, lchecks.ClaimContext(data)


def _claim(data, row=20, **changes):
    values = test_ledger.claim(99, "A01", "R01", date(2026, 3, 10))
    rec = dict(zip(test_ledger.CLAIM_HEADER, values))
    rec.update(changes)
    rec["_row"] = row
    aid, code = rec["账户号"], rec["代码"]
    return lchecks.ClaimRow(rec, data.accounts.get(aid) if aid else None, data.rules.get(code) if code else None)


def test_ledger_checks_alone_return_located_problems():
    data, ctx = _ledger()
    for check in lchecks.CLAIM_CHECKS:      # a good claim passes every check
        assert not check(_claim(data), ctx)
    assert lchecks.check_number_unique(_claim(data, row=21, 编号=99), ctx) == Problem(
        "申报", 21, "编号", 99, "编号重复（第20行已有）", ERROR)
    assert lchecks.check_mode(_claim(data, 申报方式="别人"), ctx) == Problem(
        "申报", 20, "申报方式", "别人", "申报方式只能填写：本人、代报", ERROR)
    c = _claim(data, 渠道="qq")
    assert lchecks.check_channel(c, ctx) is None and c.rec["渠道"] == "QQ"
    assert lchecks.check_channel(_claim(data, 渠道="邮件"), ctx).column == "渠道"
    assert lchecks.check_result(_claim(data, 结果="好"), ctx).message.endswith("；办理中请留空")
    blank = {col: None for col, _, _ in lg.STEPS}
    assert lchecks.check_claim_date(_claim(data, **blank), ctx) == Problem(
        "申报", 20, "申报日期", "", "“申报日期”不能为空", ERROR)
    steps = lchecks.check_steps(_claim(data, 初审人=None), ctx)
    assert [(p.row, p.column) for p in steps] == [(20, "初审人")]
    unknown = lchecks.check_account_known(_claim(data, 账户号="Z9"), ctx)
    assert (unknown.sheet, unknown.row, unknown.column, unknown.value) == ("申报", 20, "账户号", "Z9")
    unknown = lchecks.check_code_known(_claim(data, 代码="R99"), ctx)
    assert (unknown.sheet, unknown.row, unknown.column, unknown.value) == ("申报", 20, "代码", "R99")
    closed = lchecks.check_account_open(_claim(data, 账户号="A07", 结果=None), ctx)
    assert (closed.column, closed.value) == ("账户号", "A07")
    wrong_type = lchecks.check_points(_claim(data, 账户号="A05", 代码="R02"), ctx)
    assert (wrong_type.column, wrong_type.value) == ("代码", "R02")
    assert "不适用于单位账户" in wrong_type.message
    c = _claim(data, 代码="R03")
    assert lchecks.check_points(c, ctx) == Problem("申报", 20, "分值", "", "“调解纠纷”的分值视情况而定，请填写分值", ERROR)
    c = _claim(data, 代码="R03", 分值=6)
    assert lchecks.check_points(c, ctx) is None and c.each == 600


def test_ledger_transfer_and_redemption_checks_alone():
    data = test_ledger.load()

    def transfer(**changes):
        r = {"_row": 5, "日期": date(2026, 3, 1), "账户号": "A01", "原村": "东村", "新村": "西村"}
        return {**r, **changes}

    for check in lchecks.TRANSFER_CHECKS:
        assert check(transfer(), data) is None
    unknown = lchecks.check_transfer_account_known(transfer(账户号="Z9"), data)
    assert (unknown.sheet, unknown.row, unknown.column, unknown.value) == ("转移", 5, "账户号", "Z9")
    assert lchecks.check_transfer_account_open(transfer(账户号="A07"), data) == Problem(
        "转移", 5, "账户号", "A07", "账户已注销，不能转移", ERROR)
    origin = lchecks.check_transfer_origin(transfer(原村="西村"), data)
    assert (origin.column, origin.value, origin.level) == ("原村", "西村", ERROR)
    assert "东村" in origin.message
    assert lchecks.check_transfer_moves(transfer(新村="东村"), data) == Problem(
        "转移", 5, "新村", "东村", "新村与原村相同", ERROR)
    away = lchecks.check_transfer_in_town(transfer(新村="李庄"), data)
    assert (away.column, away.value, away.level) == ("新村", "李庄", REFUSED)

    def redemption(**changes):
        r = {"_row": 7, "日期": date(2026, 4, 1), "账户号": "A01", "商品": "毛巾", "数量": 1}
        return {**r, **changes}

    for check in lchecks.REDEMPTION_CHECKS:
        assert check(redemption(), data) is None
    unknown = lchecks.check_redemption_account_known(redemption(账户号="Z9"), data)
    assert (unknown.sheet, unknown.row, unknown.column, unknown.value) == ("兑换记录", 7, "账户号", "Z9")
    assert lchecks.check_redemption_item_known(redemption(商品="冰箱"), data) == Problem(
        "兑换记录", 7, "商品", "冰箱", "“兑换目录”中没有这个商品", ERROR)
    assert lchecks.check_redemption_quantity(redemption(数量=0), data) == Problem(
        "兑换记录", 7, "数量", 0, "数量至少为 1", ERROR)


# ---- sheet-wide checks (TABLE_CHECKS) --------------------------------------------------------

def test_table_checks_are_listed_and_each_runs_alone():
    """School TABLE_CHECKS run once on the built table; village TABLE_CHECKS run as soon as the
    sheet they check is read. Each is a named, documented check returning located problems."""
    from village_fixtures import scenario_village

    for check in [*sc.TABLE_CHECKS, *(c for cs in vchecks.TABLE_CHECKS.values() for c in cs)]:
        assert check.__name__.startswith("check_") and check.__doc__
    assert list(vchecks.TABLE_CHECKS) == ["设置", "农户名册", "评议小组"]    # the order load reads them
    data = vchecks.load(raw_sheets(scenario_village()))
    assert all(vchecks.table_checks(data, sheet) == [] for sheet in vchecks.TABLE_CHECKS)
    data.settings.update({"五星比例": 0.3, "每组户数上限": 9, "评议小组最少人数": 99})
    assert vchecks.check_star_cuts(data) == [Problem(
        "设置", None, "值", "0.3/0.2/0.3", "五星比例、四星比例、三星比例应依次不减（如 10%、20%、30%）", ERROR)]
    over = vchecks.check_group_sizes(data)
    assert [(p.sheet, p.column, p.value) for p in over] == [("农户名册", "组", "一组"), ("农户名册", "组", "二组")]
    assert over[0].row == [h for h in data.households if h.group == "一组" and h.participating][9].row
    assert "超过每组户数上限 9 户" in over[0].message
    small = vchecks.check_panel_sizes(data)
    assert [(p.sheet, p.column) for p in small] == [("评议小组", "小组")] * len(data.panels)
    assert all("至少需要 99 人" in p.message for p in small)


def test_village_sheet_checks_keep_their_place_in_the_check_sheet():
    """A roster over the group limit and an error on a sheet read later (规则): 校验 lists the
    roster's problems first, as the sheets are read (C-6 order: level, then sheet, then row)."""
    from village_fixtures import scenario_village

    book = scenario_village()
    for row in book["设置"]:
        if row[0] == "每组户数上限":
            row[1] = 9
    book["规则"][1][3] = "两分"                          # 分值 not a number: 错误
    result = vchecks.load(raw_sheets(book))
    shown = [(p.sheet, p.column) for p in sorted_problems(result.problems) if p.level == ERROR]
    assert shown[:3] == [("农户名册", "组"), ("农户名册", "组"), ("规则", "分值")]
