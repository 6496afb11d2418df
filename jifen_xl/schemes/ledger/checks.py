"""Ledger reading and checks (SPEC L-1…L-7, C-2, C-6): `load` parses every sheet, validates
claims (``CLAIM_CHECKS``), transfers (``TRANSFER_CHECKS``) and redemption rows
(``REDEMPTION_CHECKS``), then takes the redemptions in date order (``compute``)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ...core.engine import EntryBuilder, Rule
from ...core.checks import UniqueBy, run_row_checks
from ...core.ids import IdMatcher, match_records
from ...core.points import fmt, to_cents
from ...core.problems import NOTICE, REFUSED, Problem
from ...core.table import RawSheet, parse_settings, parse_table
from .model import (
    ACCOUNTS, ACCOUNT_COLS, ALL_TYPES, CATALOGUE, CATALOGUE_COLS, CATEGORIES, CHANNELS, CLAIMS,
    CLAIM_COLS, FALSE, MODES, PASSED, PENALTY_CATEGORY, REDEMPTIONS, REDEMPTION_COLS, REQUIRED_SHEETS,
    RESULTS, RULES, RULE_COLS, SETTINGS, SETTING_SCHEMA, STATUS_CLOSED, STATUS_OPEN, STEPS, TRANSFERS,
    TRANSFER_COLS, TYPES, VILLAGES, VILLAGE_COLS, Account, Item, LedgerData, LedgerRule, Transfer,
    Village
)
from .compute import process_redemptions


# ---- reading ---------------------------------------------------------------------------------

def load(sheets: dict[str, RawSheet | None]) -> LedgerData:
    """Parse and validate every input sheet, then compute entries, transfers and redemptions."""
    problems: list[Problem] = []
    for name in REQUIRED_SHEETS:
        if sheets.get(name) is None:
            problems.append(Problem(name, None, "", "", f"缺少工作表“{name}”，请使用积分台账模板"))
    settings, probs = parse_settings(sheets.get(SETTINGS), SETTING_SCHEMA)
    problems += probs
    villages, probs = read_villages(sheets.get(VILLAGES))
    problems += probs
    accounts, probs = read_accounts(sheets.get(ACCOUNTS), villages)
    problems += probs
    rules, probs = read_rules(sheets.get(RULES))
    problems += probs
    items, probs = read_catalogue(sheets.get(CATALOGUE), villages)
    problems += probs
    data = LedgerData(settings, villages, accounts, rules, EntryBuilder().frame(), problems, items)
    dates: list[date] = []
    builder = EntryBuilder()
    problems += claim_entries(data, sheets.get(CLAIMS), builder, dates)
    data.entries = builder.frame()
    problems += read_transfers(data, sheets.get(TRANSFERS), dates)
    red_recs, probs = read_redemption_records(data, sheets.get(REDEMPTIONS), dates)
    problems += probs
    data.latest = max(dates) if dates else None
    problems += process_redemptions(data, red_recs)
    return data


def matcher(data: LedgerData, what: str) -> IdMatcher:
    """The ``IdMatcher`` of 账户号, 代码 or 商品, built on first use."""
    if what not in data.matchers:
        if what == "账户号":
            data.matchers[what] = IdMatcher(data.accounts, what=what,
                                            names={a: acc.name for a, acc in data.accounts.items()})
        elif what == "代码":
            data.matchers[what] = IdMatcher(data.rules, what=what,
                                            items={c: r.rule.item for c, r in data.rules.items()})
        else:
            data.matchers[what] = IdMatcher(data.item_names, what=what)
    return data.matchers[what]


def match_ids(data: LedgerData, recs: list[dict], sheet: str, codes: bool = False) -> list[Problem]:
    """账户号 (and 代码) as people type them: lost leading zeros, other case, `代码 事项`."""
    out = match_records(recs, matcher(data, "账户号"), sheet, "账户号")
    if codes:
        out += match_records(recs, matcher(data, "代码"), sheet, "代码")
    return out


def hint(data: LedgerData, what: str, typed: str) -> str:
    """"，是不是 …？" for a 账户号, 代码 or 商品 not found; for a 商品 also the catalogue's names
    holding what was typed or held by it (``大米`` for ``大米5斤``)."""
    found = matcher(data, what).hint(typed)
    t = (typed or "").strip()
    if found or what != "商品" or len(t) < 2:
        return found
    near = sorted(i for i in data.item_names if t in i or i in t)
    return f"，是不是 {' 或 '.join(near[:3])}{' 等' if len(near) > 3 else ''}？" if near else ""


def read_villages(raw: RawSheet | None) -> tuple[dict[str, Village], list[Problem]]:
    if raw is None:
        return {}, []
    recs, problems = parse_table(raw, VILLAGE_COLS)
    out: dict[str, Village] = {}
    names = UniqueBy(raw.name, "村名")
    for r in recs:
        name = r["村名"]
        if not name or r["常住人口"] is None:
            continue
        if repeat := names.first(name, r["_row"]):
            problems.append(repeat)
            continue
        out[name] = Village(name, r["常住人口"], r["_row"])
    return out, problems


def read_accounts(raw: RawSheet | None, villages: dict[str, Village]
                  ) -> tuple[dict[str, Account], list[Problem]]:
    if raw is None:
        return {}, []
    recs, problems = parse_table(raw, ACCOUNT_COLS)
    out: dict[str, Account] = {}
    ids = UniqueBy(raw.name, "账户号")      # the first valid row of an account wins
    for r in recs:
        aid, row = r["账户号"], r["_row"]
        if not aid:
            continue
        if repeat := ids.repeat(aid, row):
            problems.append(repeat)
            continue
        bad = False
        if r["类型"] and r["类型"] not in TYPES:
            problems.append(Problem(raw.name, row, "类型", r["类型"], "类型只能填写：" + "、".join(TYPES)))
            bad = True
        status = r["状态"] or STATUS_OPEN
        if status not in (STATUS_OPEN, STATUS_CLOSED):
            problems.append(Problem(raw.name, row, "状态", status, "状态只能填写：正常、注销"))
            bad = True
        if r["所属村"] and r["所属村"] not in villages:
            problems.append(Problem(raw.name, row, "所属村", r["所属村"], "“村庄”表中没有这个村"))
            bad = True
        if r["人口"] == 0:
            problems.append(Problem(raw.name, row, "人口", 0, "人口至少为 1"))
            bad = True
        if bad or not r["类型"] or not r["所属村"] or "_bad" in r:
            continue
        out[aid] = Account(aid, r["类型"], r["名称"] or "", r["所属村"], r["人口"] or 1,
                           status == STATUS_CLOSED, row)
        ids.keep(aid, row)
    return out, problems


def read_rules(raw: RawSheet | None) -> tuple[dict[str, LedgerRule], list[Problem]]:
    """L-2: every rule has one of the four categories and applies to some account types."""
    if raw is None:
        return {}, []
    recs, problems = parse_table(raw, RULE_COLS)
    out: dict[str, LedgerRule] = {}
    codes = UniqueBy(raw.name, "代码")      # the first valid row of a code wins
    for r in recs:
        code, row = r["代码"], r["_row"]
        if not code:
            continue
        if repeat := codes.repeat(code, row):
            problems.append(repeat)
            continue
        types = tuple(r["适用类型"] or [ALL_TYPES])
        wrong = [t for t in types if t not in TYPES and t != ALL_TYPES]
        if wrong:
            problems.append(Problem(raw.name, row, "适用类型", "、".join(wrong),
                                    "适用类型只能填写：" + "、".join(TYPES) + "（多个用“、”分隔），或“全部”"))
            continue
        if r["类别"] and r["类别"] not in CATEGORIES:
            problems.append(Problem(raw.name, row, "类别", r["类别"], "类别只能填写：" + "、".join(CATEGORIES)))
            continue
        if not r["类别"] or "_bad" in r:
            continue
        pts, low, high = (to_cents(r[k]) if r[k] is not None else None for k in ("分值", "最低分值", "最高分值"))
        if low is not None and high is not None and low > high:
            problems.append(Problem(raw.name, row, "最低分值", r["最低分值"], "最低分值大于最高分值"))
            continue
        out[code] = LedgerRule(Rule(code, r["类别"], r["事项"] or "", pts, low, high, row=row), types)
        codes.keep(code, row)
    return out, problems


def read_catalogue(raw: RawSheet | None, villages: dict[str, Village]
                   ) -> tuple[dict[tuple[str, str], Item], list[Problem]]:
    """`兑换目录` (L-6, L-10): one row per product and village (村名 empty: every village,
    each keeping its own stock); a village's own row of a product takes precedence."""
    if raw is None:
        return {}, []
    recs, problems = parse_table(raw, CATALOGUE_COLS)
    out: dict[tuple[str, str], Item] = {}
    items = UniqueBy(raw.name, "商品")      # the first valid row of an item (in a village) wins
    for r in recs:
        name, row, village = r["商品"], r["_row"], r["村名"] or ""
        if not name or r["所需积分"] is None or r["价值元"] is None:
            continue
        if (name, village) in items:
            where = f"“{village}”的这个商品" if village else "每个村都有的这个商品"
            problems.append(Problem(raw.name, row, "商品", name,
                                    f"商品重复（第{items.rows[(name, village)]}行已有{where}）"))
            continue
        if village and village not in villages:
            problems.append(Problem(raw.name, row, "村名", village,
                                    "“村庄”表中没有这个村（村名为空表示每个村都有这个商品）"))
            continue
        if r["所需积分"] <= 0:
            problems.append(Problem(raw.name, row, "所需积分", r["所需积分"], "所需积分必须大于 0"))
            continue
        if r["价值元"] < 0:
            problems.append(Problem(raw.name, row, "价值元", r["价值元"], "价值元不能是负数"))
            continue
        out[(name, village)] = Item(name, to_cents(r["所需积分"]), to_cents(r["价值元"]), r["库存"], row, village)
        items.keep((name, village), row)
    return out, problems


# ---- claims: the six-step workflow (L-3) and false claims (L-4) -----------------------------

def check_workflow(r: dict) -> list[Problem]:
    """L-3: steps in order, none skipped, each dated step with its actor, 初审 with the
    time, place and cause (evidence optional), 通过 only after 录入.

    Returns problems for one parsed `申报` record (sheet row ``r["_row"]``)."""
    row, problems = r["_row"], []
    bad = r.get("_bad", set())
    prev: tuple[str, date] | None = None
    filled = [r.get(col) is not None for col, _, _ in STEPS]
    for i, (col, actor, step) in enumerate(STEPS):
        d = r.get(col)
        if d is None:
            if col not in bad and any(filled[i + 1:]):
                later = next(STEPS[j][2] for j in range(i + 1, len(STEPS)) if filled[j])
                problems.append(Problem(CLAIMS, row, col, "",
                                        f"“{step}”一步没有日期，但后面的“{later}”已有日期：不能跳过步骤"))
            continue
        if prev is not None and d < prev[1]:
            problems.append(Problem(CLAIMS, row, col, d,
                                    f"{step}日期早于前一步“{prev[0]}”的日期 {prev[1].isoformat()}"))
        prev = (step, d)
        if actor and not r.get(actor):
            problems.append(Problem(CLAIMS, row, actor, "", f"{step}已有日期，请填写{actor}"))
        if col == "初审日期" and not r.get("时间地点事由"):
            problems.append(Problem(CLAIMS, row, "时间地点事由", "",
                                    "网格员初审须摸清行为发生的时间、地点、事由：请填写“时间地点事由”（证据有条件的再收集）"))
    result = r.get("结果")
    if result == PASSED and r.get("录入日期") is None and "录入日期" not in bad:
        problems.append(Problem(CLAIMS, row, "结果", result,
                                "结果为“通过”须先录入：请填写录入日期和录入人（只有录入后才计分）"))
    return problems


def false_claim_points(claimed: int) -> int:
    """L-4: a false claim costs twice the claimed points as a deduction.

    Decision: only a claim of an addition is penalised (−2 × points); a claim of a
    deduction (or 0) found false counts nothing — the account did not claim a gain."""
    return -2 * claimed if claimed > 0 else 0


@dataclass
class ClaimRow:
    """One parsed `申报` record and what it names: its account and rule (None when blank or
    unknown), and the points each counts once check_points has found them."""
    rec: dict
    acc: Account | None = None
    lrule: LedgerRule | None = None
    each: int | None = None

    @property
    def row(self) -> int:
        return self.rec["_row"]


@dataclass
class ClaimContext:
    data: LedgerData
    numbers: UniqueBy = field(default_factory=lambda: UniqueBy(CLAIMS, "编号"))


def check_number_unique(c: ClaimRow, ctx: ClaimContext) -> Problem | None:
    """C-6: a 编号 is given once (the repeat is reported; it does not stop the claim)."""
    n = c.rec.get("编号")
    return ctx.numbers.first(n, c.row) if n else None


def _choice(c: ClaimRow, col: str, choices: tuple[str, ...], tail: str = "") -> Problem | None:
    v = c.rec.get(col)
    if v and v not in choices:
        return Problem(CLAIMS, c.row, col, v, f"{col}只能填写：" + "、".join(choices) + tail)
    return None


def check_mode(c: ClaimRow, ctx: ClaimContext) -> Problem | None:
    """L-3: 申报方式 is 本人 or 代报."""
    return _choice(c, "申报方式", MODES)


def check_channel(c: ClaimRow, ctx: ClaimContext) -> Problem | None:
    """L-3: 渠道 is one of the channels (qq in any case reads as QQ)."""
    v = c.rec.get("渠道")
    if v and v.upper() == "QQ":
        c.rec["渠道"] = "QQ"
    return _choice(c, "渠道", CHANNELS)


def check_result(c: ClaimRow, ctx: ClaimContext) -> Problem | None:
    """L-3, L-4: 结果 is 通过, 不通过 or 虚假 — blank while the claim is in progress."""
    return _choice(c, "结果", RESULTS, "；办理中请留空")


def check_claim_date(c: ClaimRow, ctx: ClaimContext) -> Problem | None:
    """L-3: a claim starts with its 申报日期 (a later step's date is reported by check_workflow)."""
    r = c.rec
    if r.get("申报日期") is None and "申报日期" not in r.get("_bad", set()) and not any(
            r.get(col) is not None for col, _, _ in STEPS[1:]):
        return Problem(CLAIMS, c.row, "申报日期", "", "“申报日期”不能为空")
    return None


def check_steps(c: ClaimRow, ctx: ClaimContext) -> list[Problem]:
    """L-3: the six steps in order (check_workflow: the one check that may find several
    problems in a row, one per step)."""
    return check_workflow(c.rec)


def check_account_known(c: ClaimRow, ctx: ClaimContext) -> Problem | None:
    """L-1: the 账户号 is on `账户`."""
    aid = c.rec["账户号"]
    if aid and c.acc is None:
        return Problem(CLAIMS, c.row, "账户号", aid, "“账户”表中没有这个账户号" + hint(ctx.data, "账户号", aid))
    return None


def check_code_known(c: ClaimRow, ctx: ClaimContext) -> Problem | None:
    """L-2: the 代码 is on `规则`."""
    code = c.rec["代码"]
    if code and c.lrule is None:
        return Problem(CLAIMS, c.row, "代码", code, "“规则”表中没有这个代码" + hint(ctx.data, "代码", code))
    return None


def check_account_open(c: ClaimRow, ctx: ClaimContext) -> Problem | None:
    """L-1: a closed account takes no new claim (finished ones stay)."""
    if c.acc is not None and c.acc.closed and not c.rec.get("结果"):
        return Problem(CLAIMS, c.row, "账户号", c.rec["账户号"], "账户已注销，不能再办理新的申报（已办结的记录保留）")
    return None


def check_points(c: ClaimRow, ctx: ClaimContext) -> Problem | None:
    """L-1, L-2, C-2: the rule applies to the account's type; an explicit 分值 replaces the
    rule's within its range and sign; a case-by-case rule needs one once decided."""
    acc, lrule, r = c.acc, c.lrule, c.rec
    if acc is None or lrule is None:
        return None
    rule = lrule.rule
    if not lrule.applies_to(acc.kind):
        return Problem(CLAIMS, c.row, "代码", r["代码"],
                       f"规则“{rule.item}”不适用于{acc.kind}账户（适用：{'、'.join(lrule.types)}）")
    if r["分值"] is not None:
        c.each = to_cents(r["分值"])
        why = rule.check_explicit(c.each)
        return Problem(CLAIMS, c.row, "分值", r["分值"], why) if why else None
    result = r.get("结果") if r.get("结果") in RESULTS else None
    if rule.points is None and result in (PASSED, FALSE):
        return Problem(CLAIMS, c.row, "分值", "", f"“{rule.item}”的分值视情况而定，请填写分值")
    c.each = rule.points
    return None


ClaimCheck = Callable[[ClaimRow, ClaimContext], "Problem | list[Problem] | None"]
# In order; every check runs on every row (a claim's problems are all reported). A row with
# a problem from any check but those in NOT_STOPPING becomes no entry.
CLAIM_CHECKS: list[ClaimCheck] = [
    check_number_unique, check_mode, check_channel, check_result, check_claim_date, check_steps,
    check_account_known, check_code_known, check_account_open, check_points,
]
NOT_STOPPING = (check_number_unique,)


def claim_entries(data: LedgerData, raw: RawSheet | None, builder: EntryBuilder,
                  dates: list[date]) -> list[Problem]:
    """Validate `申报` (CLAIM_CHECKS) and add an entry per counted claim (通过, dated 录入日期,
    L-3) and per false claim (虚假, a −2× deduction under 奖励惩罚, dated at the last step
    reached, L-4)."""
    if raw is None:
        return []
    recs, problems = parse_table(raw, CLAIM_COLS)
    problems += match_ids(data, recs, CLAIMS, codes=True)
    ctx = ClaimContext(data)
    for r in recs:
        row, bad = r["_row"], r.get("_bad", set())
        aid, code = r["账户号"], r["代码"]
        c = ClaimRow(r, data.accounts.get(aid) if aid else None, data.rules.get(code) if code else None)
        dates += [r[col] for col, _, _ in STEPS if r.get(col) is not None]
        stopped = False
        for check in CLAIM_CHECKS:
            found = check(c, ctx)
            if not found:
                continue
            if isinstance(found, Problem):
                problems.append(found)
            else:
                problems += found
            if check not in NOT_STOPPING:
                stopped = True
        acc, lrule, each = c.acc, c.lrule, c.each
        if stopped or bad or acc is None or lrule is None or each is None:
            continue
        result = r.get("结果") if r.get("结果") in RESULTS else None
        subject = acc.subject()
        ref = r.get("编号") or ""
        if result == PASSED:
            builder.add(sheet=CLAIMS, row=row, date=r["录入日期"], subject=subject, rule=lrule.rule,
                        each=each, status=PASSED, ref=ref)
        elif result == FALSE:
            penalty = false_claim_points(each)
            if penalty == 0:
                problems.append(Problem(CLAIMS, row, "结果", result,
                                        "减分事项被认定为虚假：不计分，也不加倍扣分", NOTICE))
                continue
            last = [r[col] for col, _, _ in STEPS if r.get(col) is not None][-1]
            builder.add(sheet=CLAIMS, row=row, date=last, subject=subject, rule=lrule.rule,
                        each=penalty, status=FALSE, ref=ref, category=PENALTY_CATEGORY,
                        item=f"虚假申报加倍扣分：{lrule.rule.item}", note=f"申报 {fmt(each)} 分")
        elif result is None and r.get("录入日期") is not None:
            problems.append(Problem(CLAIMS, row, "结果", "", "已录入但“结果”为空，暂不计分；核实后填“通过”",
                                    NOTICE))
    return problems


# ---- transfers (L-7) -------------------------------------------------------------------------

def check_transfer_account_known(r: dict, data: LedgerData) -> Problem | None:
    """L-7: the 账户号 of a transfer is on `账户`."""
    aid = r["账户号"]
    if data.accounts.get(aid) is None:
        return Problem(TRANSFERS, r["_row"], "账户号", aid, "“账户”表中没有这个账户号" + hint(data, "账户号", aid))
    return None


def check_transfer_account_open(r: dict, data: LedgerData) -> Problem | None:
    """L-1, L-7: a closed account is not transferred."""
    if data.accounts[r["账户号"]].closed:
        return Problem(TRANSFERS, r["_row"], "账户号", r["账户号"], "账户已注销，不能转移")
    return None


def check_transfer_origin(r: dict, data: LedgerData) -> Problem | None:
    """L-7: 原村 is the account's village on the transfer's date (earlier transfers applied)."""
    now = data.village_on(r["账户号"], r["日期"])
    if r["原村"] != now:
        return Problem(TRANSFERS, r["_row"], "原村", r["原村"],
                       f"原村与该账户当时的所属村“{now}”不一致（“账户”表的所属村填开户时的村，"
                       "迁移只在“转移”表登记）")
    return None


def check_transfer_moves(r: dict, data: LedgerData) -> Problem | None:
    """L-7: a transfer changes the village."""
    if r["新村"] == r["原村"]:
        return Problem(TRANSFERS, r["_row"], "新村", r["新村"], "新村与原村相同")
    return None


def check_transfer_in_town(r: dict, data: LedgerData) -> Problem | None:
    """L-7: points move only within the town — a 新村 not in `村庄` is refused (拒绝)."""
    if r["新村"] not in data.villages:
        return Problem(TRANSFERS, r["_row"], "新村", r["新村"],
                       f"不予转移：“{r['新村']}”不在本镇“村庄”表中，积分只能在本镇范围内转移接续", REFUSED)
    return None


TransferCheck = Callable[[dict, LedgerData], "Problem | None"]
# In order (core.checks.run_row_checks); a transfer stops at its first problem, and after an
# 错误 the checks of TRANSFER_AFTER_ERROR still run (every problem of a row at once).
TRANSFER_CHECKS: list[TransferCheck] = [
    check_transfer_account_known, check_transfer_account_open, check_transfer_origin, check_transfer_moves,
    check_transfer_in_town,
]
TRANSFER_AFTER_ERROR: dict[TransferCheck, Callable[[dict, LedgerData], bool]] = {
    check_transfer_account_open: lambda r, data: data.accounts.get(r["账户号"]) is not None,
    check_transfer_origin: lambda r, data: data.accounts.get(r["账户号"]) is not None,
    check_transfer_moves: lambda r, data: True,
}


def read_transfers(data: LedgerData, raw: RawSheet | None, dates: list[date]) -> list[Problem]:
    """L-7: a transfer moves an account to another village of the same town from its date,
    points and history intact. 原村 must be the account's village on that date (错误); a
    新村 outside the town (not in `村庄`) is refused (拒绝). Transfers are taken in date
    order (TRANSFER_CHECKS), so each sees the earlier ones."""
    if raw is None:
        return []
    recs, problems = parse_table(raw, TRANSFER_COLS)
    problems += match_ids(data, recs, TRANSFERS)
    recs = [r for r in recs if r["日期"] is not None and "_bad" not in r]
    dates += [r["日期"] for r in recs]
    for r in sorted(recs, key=lambda r: (r["日期"], r["_row"])):
        if not r["账户号"] or not r["原村"] or not r["新村"]:
            continue
        found, stopped = run_row_checks(TRANSFER_CHECKS, (r, data), stops=lambda check, p: True,
                                        after_error=TRANSFER_AFTER_ERROR)
        problems += found
        if not stopped:
            data.transfers.append(Transfer(r["_row"], r["日期"], r["账户号"], r["原村"], r["新村"]))
    return problems


# ---- redemptions (L-5, L-6) ------------------------------------------------------------------

def check_redemption_account_known(r: dict, data: LedgerData) -> Problem | None:
    """L-5: the 账户号 of a redemption is on `账户`."""
    if data.accounts.get(r["账户号"]) is None:
        return Problem(REDEMPTIONS, r["_row"], "账户号", r["账户号"],
                       "“账户”表中没有这个账户号" + hint(data, "账户号", r["账户号"]))
    return None


def check_redemption_item_known(r: dict, data: LedgerData) -> Problem | None:
    """L-6: the 商品 is in `兑换目录`."""
    if not data.offered_in(r["商品"]):
        return Problem(REDEMPTIONS, r["_row"], "商品", r["商品"],
                       "“兑换目录”中没有这个商品" + hint(data, "商品", r["商品"]))
    return None


def check_redemption_item_offered(r: dict, data: LedgerData) -> Problem | None:
    """L-10: each village runs its own exchange — the product is on the shelf of the village
    the account belongs to on the redemption's date (L-7)."""
    acc = data.accounts.get(r["账户号"])
    if acc is None or not data.offered_in(r["商品"]):
        return None
    village = data.village_on(acc.aid, r["日期"])
    if data.item_for(r["商品"], village) is not None:
        return None
    return Problem(REDEMPTIONS, r["_row"], "商品", r["商品"],
                   f"{village}的兑换目录没有这个商品（只有 {'、'.join(data.offered_in(r['商品']))} 提供；"
                   f"该账户 {r['日期'].isoformat()} 属于{village}）")


def check_redemption_quantity(r: dict, data: LedgerData) -> Problem | None:
    """L-5: at least one piece is redeemed (a blank 数量 means 1)."""
    if r["数量"] == 0:
        return Problem(REDEMPTIONS, r["_row"], "数量", 0, "数量至少为 1")
    return None


RedemptionCheck = Callable[[dict, LedgerData], "Problem | None"]
# In order; every check runs (all of a row's problems are reported); a row with one is left out.
REDEMPTION_CHECKS: list[RedemptionCheck] = [
    check_redemption_account_known, check_redemption_item_known, check_redemption_item_offered,
    check_redemption_quantity,
]


def read_redemption_records(data: LedgerData, raw: RawSheet | None, dates: list[date]
                            ) -> tuple[list[dict], list[Problem]]:
    if raw is None:
        return [], []
    recs, problems = parse_table(raw, REDEMPTION_COLS)
    problems += match_ids(data, recs, REDEMPTIONS)
    good = []
    for r in recs:
        if "_bad" in r or not r["日期"] or not r["账户号"] or not r["商品"]:
            continue
        dates.append(r["日期"])
        found = [p for p in (check(r, data) for check in REDEMPTION_CHECKS) if p is not None]
        problems += found
        if not found:
            good.append(r)
    return good, problems


