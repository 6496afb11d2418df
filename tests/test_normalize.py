"""Normalisation with a trace: values a clerk types (WORKBOOKS.md), SPEC C-3 and C-6."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jifen_xl.core.normalize import (
    clean_text, split_multi, to_bool, to_count, to_date, to_decimal, to_id, to_month,
    to_quarter, to_ratio, to_weekday,
)


# --- clean_text / to_id ----------------------------------------------------------------

@pytest.mark.parametrize("raw, expected, noted", [
    ("张三", "张三", False),
    ("", "", False),
    (None, "", False),
    (1001.0, "1001", False),
    (1001, "1001", False),
    (3.5, "3.5", False),
    (" 张三 ", "张三", True),
    ("张\u3000三", "张 三", True),
    ("张  三", "张 三", True),
    ("张\u00a0三", "张 三", True),
    ("\u200b张三\ufeff", "张三", True),
    ("ＡＢＣ１２３", "ABC123", True),
    ("迟到，早退：（两次）", "迟到，早退：（两次）", False),   # Chinese punctuation kept
    ("班长、学习委员", "班长、学习委员", False),
    ("第一行\n第二行", "第一行\n第二行", False),
    ("第一行 \r\n 第二行", "第一行\n第二行", True),
    (date(2026, 9, 1), "2026-09-01", False),
    (datetime(2026, 9, 1), "2026-09-01", False),
    (datetime(2026, 9, 1, 8, 30), "2026-09-01 08:30:00", False),
    (True, "TRUE", False),
])
def test_clean_text(raw, expected, noted):
    value, note = clean_text(raw)
    assert value == expected
    assert (note is not None) == noted


def test_clean_text_notes_are_specific():
    assert clean_text("１００１")[1] == "全角数字已转换为半角"
    assert clean_text("ＡＢ")[1] == "全角字符已转换为半角"
    assert clean_text(" x ")[1] == "去除了首尾空格"


def test_to_id_number_cell_is_normal_and_matches_text():
    assert to_id(1001.0) == ("1001", None)
    assert to_id("1001") == ("1001", None)
    assert to_id("１００１") == ("1001", "全角数字已转换为半角")
    assert to_id(" A01 ")[0] == "A01"
    assert to_id("a01")[0] == "a01"                      # case kept
    assert to_id("宿舍：301")[0] == "宿舍:301"          # ids convert every full-width char


@pytest.mark.parametrize("raw", [True, date(2026, 3, 1), time(3, 1), 1.1010519900307e17])
def test_to_id_rejects_values_that_cannot_be_ids(raw):
    with pytest.raises(ValueError):
        to_id(raw)


# --- to_decimal (SPEC C-3) ----------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    (3, "3"), (3.0, "3"), (-0.5, "-0.5"), (0.1 + 0.2, "0.3"), (1.1 * 3, "3.3"),
    (Decimal("2.50"), "2.5"), (1e6, "1000000"),
])
def test_to_decimal_numbers_are_clean(raw, expected):
    value, note = to_decimal(raw)
    assert value == Decimal(expected) and str(value) == expected
    assert note is None


@pytest.mark.parametrize("raw, expected", [
    ("3", "3"), (" 3 ", "3"), ("３", "3"), ("-0.5", "-0.5"), ("\u22121", "-1"),
    ("－1", "-1"), ("―5", "-5"), ("+2", "2"), ("1,000", "1000"), ("1，000", "1000"),
    ("0、5", "0.5"), ("-0、5", "-0.5"), ("+0、5分", "0.5"), ("3分", "3"), ("０．５", "0.5"),
    ("-0", "0"), (".5", "0.5"),
])
def test_to_decimal_text_is_converted_with_note(raw, expected):
    value, note = to_decimal(raw)
    assert value == Decimal(expected)
    assert "文本格式的数字已转换为数值" in note


def test_to_decimal_notes_name_what_was_done():
    assert "“、”已识别为小数点" in to_decimal("0、5")[1]
    assert "千位分隔符" in to_decimal("1,000")[1]
    assert "全角" in to_decimal("３")[1]


@pytest.mark.parametrize("raw, message", [
    ("abc", "不是数字"), ("1,5", "不是数字"), ("1.2.3", "不是数字"), ("--1", "不是数字"),
    (True, "是/否"), (date(2026, 9, 1), "日期"), (float("nan"), "数字"), ("1e20", "太大"),
    ("", "不能为空"), (None, "不能为空"), ("  ", "不能为空"),
])
def test_to_decimal_rejects(raw, message):
    with pytest.raises(ValueError, match=message):
        to_decimal(raw)


def test_to_decimal_allow_blank():
    assert to_decimal("", allow_blank=True) == (None, None)
    assert to_decimal(None, allow_blank=True) == (None, None)
    assert to_decimal(" \u3000", allow_blank=True) == (None, None)


# --- to_count (SPEC C-2) --------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected, noted", [
    ("", 1, False), (None, 1, False), (2.0, 2, False), (0.0, 0, False), (3, 3, False),
    ("2", 2, True), ("2次", 2, True), ("２ 次", 2, True),
])
def test_to_count(raw, expected, noted):
    value, note = to_count(raw)
    assert value == expected and type(value) is int
    assert (note is not None) == noted


@pytest.mark.parametrize("raw, message", [
    (-1.0, "负数"), ("-2次", "负数"), (1.5, "整数"), ("1、5", "整数"), ("两次", "不是数字"),
    (True, "是/否"),
])
def test_to_count_rejects(raw, message):
    with pytest.raises(ValueError, match=message):
        to_count(raw)


# --- to_date ------------------------------------------------------------------------------

SEPT_1 = date(2026, 9, 1)


@pytest.mark.parametrize("raw", [
    "2026-09-01", "2026/9/1", "2026.9.1", "2026年9月1日", "2026年9月1号", "2026-9-1",
    "20260901", "２０２６－０９－０１", "２０２６年９月１日", " 2026-09-01 ", "2026-09-01 08:30",
    "2026-09-01T08:30:00",
])
def test_to_date_text(raw):
    value, note = to_date(raw)
    assert value == SEPT_1
    assert note == "文本日期已识别为 2026-09-01"


def test_to_date_real_dates_have_no_note():
    assert to_date(SEPT_1) == (SEPT_1, None)
    assert to_date(datetime(2026, 9, 1, 14, 5)) == (SEPT_1, None)
    assert to_date("") == (None, None)
    assert to_date(None) == (None, None)


def test_to_date_excel_serial():
    assert to_date(46266.0) == (SEPT_1, "日期序号 46266 已识别为 2026-09-01")
    assert to_date(46266) [0] == SEPT_1
    assert to_date(46266.75)[0] == SEPT_1                # time of day dropped
    assert to_date(20260901.0)[0] == SEPT_1


@pytest.mark.parametrize("raw, message", [
    ("9月1日", "年份"), ("9/1", "年份"), ("2026-02-30", "日期不存在"), ("2026-13-01", "日期不存在"),
    ("明天", "无法识别"), (True, "是/否"), (time(8, 0), "只有时间"), (timedelta(hours=1), "只有时间"),
    (5.0, "不是日期"), (123456789.0, "不是日期"), ("1066-10-14", "年份"),
])
def test_to_date_rejects(raw, message):
    with pytest.raises(ValueError, match=message):
        to_date(raw)


# --- to_bool ------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["是", "Y", "y", "YES", "yes", "√", "✓", "✔", "TRUE", "1", 1.0, True, "Ｙ"])
def test_to_bool_true(raw):
    assert to_bool(raw)[0] is True


@pytest.mark.parametrize("raw", ["否", "N", "n", "NO", "×", "✗", "FALSE", "false", "0", 0.0, False])
def test_to_bool_false(raw):
    assert to_bool(raw)[0] is False


def test_to_bool_notes_and_blank():
    assert to_bool("是") == (True, None)
    assert to_bool("否") == (False, None)
    assert to_bool(True) == (True, None)
    assert to_bool("√") == (True, "“√”已识别为“是”")
    assert to_bool("") == (None, None)
    assert to_bool("", default=False) == (False, None)
    assert to_bool(None, default=True) == (True, None)


@pytest.mark.parametrize("raw", ["对", "错", "x", "2", 2.0, "是的", date(2026, 1, 1)])
def test_to_bool_rejects_and_lists_accepted_forms(raw):
    with pytest.raises(ValueError, match="是 或 否.*Y/N"):
        to_bool(raw)


# --- to_ratio -----------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["10%", "0.1", "10", 0.1, 10.0, 10, "１０％", " 10 % ", "10.0%"])
def test_to_ratio_ten_per_cent(raw):
    assert to_ratio(raw)[0] == Decimal("0.1")


def test_to_ratio_notes():
    assert to_ratio(0.1) == (Decimal("0.1"), None)
    assert "百分数" in to_ratio(10.0)[1]
    assert "百分数" in to_ratio("10%")[1]
    assert to_ratio(1.0)[0] == Decimal(1)
    assert to_ratio(100.0)[0] == Decimal(1)
    assert to_ratio("12.5%")[0] == Decimal("0.125")
    assert to_ratio(0.0)[0] == 0


@pytest.mark.parametrize("raw", ["150", 100.5, -0.1, "-5%", "101%", "", "很多", True])
def test_to_ratio_rejects(raw):
    with pytest.raises(ValueError):
        to_ratio(raw)


# --- weekday, month, quarter, split_multi ----------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("周一", 0), ("周日", 6), ("周天", 6), ("星期三", 2), ("星期日", 6), ("星期天", 6),
    ("礼拜五", 4), ("Monday", 0), ("mon", 0), ("SUN", 6), ("Sat.", 5), (" 周二 ", 1),
])
def test_to_weekday(raw, expected):
    assert to_weekday(raw)[0] == expected


def test_to_weekday_canonical_has_no_note():
    assert to_weekday("周一") == (0, None)
    assert to_weekday("星期一") == (0, "“星期一”已识别为“周一”")


@pytest.mark.parametrize("raw", ["周八", "一", "1", 1.0, "", "Funday", "下周一"])
def test_to_weekday_rejects(raw):
    with pytest.raises(ValueError, match="周一 到 周日"):
        to_weekday(raw)


@pytest.mark.parametrize("raw", ["2026-09", "2026年9月", "2026/9", "2026.09", "2026 年 09 月",
                                 "２０２６－０９", "202609", date(2026, 9, 1), datetime(2026, 9, 15),
                                 46266.0, 202609.0])
def test_to_month(raw):
    assert to_month(raw)[0] == (2026, 9)


def test_to_month_notes():
    assert to_month("2026-09") == ((2026, 9), None)
    assert to_month("2026年9月") == ((2026, 9), "已识别为月份 2026-09")


@pytest.mark.parametrize("raw", ["2026-13", "2026-00", "9月", "", None, "2026-09-01", "下个月"])
def test_to_month_rejects(raw):
    with pytest.raises(ValueError):
        to_month(raw)


@pytest.mark.parametrize("raw", ["2026Q3", "2026q3", "2026-Q3", "2026 Q3", "2026年第三季度",
                                 "2026年第3季度", "2026年三季度", "２０２６Ｑ３"])
def test_to_quarter(raw):
    assert to_quarter(raw)[0] == (2026, 3)


def test_to_quarter_notes_and_rejects():
    assert to_quarter("2026Q3") == ((2026, 3), None)
    assert to_quarter("2026年第三季度")[1] == "已识别为季度 2026Q3"
    for bad in ["2026Q5", "2026Q0", "Q3", "2026年第五季度", "", 2026.0]:
        with pytest.raises(ValueError):
            to_quarter(bad)


@pytest.mark.parametrize("raw, expected", [
    ("班长、学习委员", ["班长", "学习委员"]),
    ("班长,学习委员，组长", ["班长", "学习委员", "组长"]),
    ("班长; 学习委员；组长 / 课代表", ["班长", "学习委员", "组长", "课代表"]),
    ("张三  李四\u3000王五", ["张三", "李四", "王五"]),
    ("、班长、、", ["班长"]),
    ("", []), (None, []), (1001.0, ["1001"]),
])
def test_split_multi(raw, expected):
    assert split_multi(raw) == expected


# --- properties --------------------------------------------------------------------------

# Text drawn from the alphabets clerks actually produce, including the troublesome ones.
_ALPHABET = st.sampled_from(
    list("abcXYZ019 \t\n\r") + list("张三班长、，：（）。") + list("１２ＡＢ％－．\u3000")
    + list("\u00a0\u2007\u202f\u200b\ufeff\u2003")
)
clerk_text = st.text(_ALPHABET, max_size=30) | st.text(max_size=30)


@given(clerk_text)
def test_clean_text_is_idempotent(s):
    once, _ = clean_text(s)
    assert clean_text(once) == (once, None)


@given(clerk_text)
def test_to_id_is_idempotent(s):
    once, _ = to_id(s)
    assert to_id(once) == (once, None)


@given(clerk_text)
def test_clean_text_note_iff_changed(s):
    value, note = clean_text(s)
    assert (note is None) == (value == s)


decimals = st.decimals(min_value=Decimal("-999999999"), max_value=Decimal("999999999"),
                       places=6, allow_nan=False, allow_infinity=False)


@given(decimals)
def test_to_decimal_round_trips_str(d):
    value, note = to_decimal(str(d))
    assert value == d
    again, again_note = to_decimal(value)                # a clean Decimal stays as it is
    assert again == value and again_note is None


@given(st.decimals(min_value=-10000, max_value=10000, places=1))
def test_to_decimal_strips_float_noise_for_one_decimal_points(d):
    # SPEC C-3: points carry one decimal; Excel hands them over as binary floats.
    assert to_decimal(float(d))[0] == d
    assert to_decimal(float(d) * 3 / 3)[0] == d


@given(st.dates(min_value=date(1955, 1, 1), max_value=date(2100, 12, 31)))
def test_to_date_accepts_its_own_output_and_every_text_form(d):
    assert to_date(d) == (d, None)
    for text in (d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日",
                 d.strftime("%Y%m%d"), f"{d.year}.{d.month}.{d.day}"):
        assert to_date(text)[0] == d
    serial = (d - date(1899, 12, 30)).days
    assert to_date(float(serial))[0] == d


@given(st.integers(0, 100))
def test_to_ratio_percent_forms_agree(n):
    pct = to_ratio(f"{n}%")[0]
    assert pct == Decimal(n) / 100
    if n > 1:
        assert to_ratio(float(n))[0] == pct


@settings(max_examples=200)
@given(st.one_of(st.text(max_size=20), st.floats(), st.integers(), st.booleans(), st.none(),
                 st.dates(), st.datetimes(), st.times(), st.timedeltas()))
def test_parsers_only_raise_value_error(v):
    # Whatever a cell holds, a parser either answers or raises ValueError with a message.
    for parse in (clean_text, to_id, to_decimal, to_count, to_date, to_bool, to_ratio,
                  to_weekday, split_multi, to_month, to_quarter):
        try:
            parse(v)
        except ValueError as e:
            assert str(e)
