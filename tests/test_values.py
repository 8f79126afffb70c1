"""The one reader of an indicator value: every form real tables write, read the same way."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tablegen.model.values import BARE, SIGNED, actual_in, parse, unit_base

D = Decimal
CASES = [
    # text, sign, number, upper, unit as written, sign words
    ("≥98%", "≥", D("98"), None, "%", ""),
    (">=98%", "≥", D("98"), None, "%", ""),
    ("≧90%", "≥", D("90"), None, "%", ""),
    ("＞＝90%", "≥", D("90"), None, "%", ""),
    ("≥1,000人", "≥", D("1000"), None, "人", ""),
    ("≥ 98 %", "≥", D("98"), None, "%", ""),
    ("90%以上", "≥", D("90"), None, "%", "以上"),
    ("95%以上", "≥", D("95"), None, "%", "以上"),
    ("100人及以上", "≥", D("100"), None, "人", "及以上"),
    ("≥98%以上", "≥", D("98"), None, "%", ""),
    ("不低于95%", "≥", D("95"), None, "%", "不低于"),
    ("不少于20家", "≥", D("20"), None, "家", "不少于"),
    ("至少3次", "≥", D("3"), None, "次", "至少"),
    ("达到90%", "≥", D("90"), None, "%", "达到"),
    ("大于5个", ">", D("5"), None, "个", "大于"),
    ("＞5", ">", D("5"), None, "", ""),
    ("≤40万元", "≤", D("40"), None, "万元", ""),
    ("<=40万元", "≤", D("40"), None, "万元", ""),
    ("≦30天", "≤", D("30"), None, "天", ""),
    ("不超过10万元", "≤", D("10"), None, "万元", "不超过"),
    ("不高于5%", "≤", D("5"), None, "%", "不高于"),
    ("最多2次", "≤", D("2"), None, "次", "最多"),
    ("30天以内", "≤", D("30"), None, "天", "以内"),
    ("3个工作日内", "≤", D("3"), None, "个工作日", "内"),
    ("10%以下", "≤", D("10"), None, "%", "以下"),
    ("＜1分钟", "<", D("1"), None, "分钟", ""),
    ("<8小时", "<", D("8"), None, "小时", ""),
    ("低于3%", "<", D("3"), None, "%", "低于"),
    ("＝100%", "＝", D("100"), None, "%", ""),
    ("1个", "", D("1"), None, "个", ""),
    ("100%", "", D("100"), None, "%", ""),
    ("2100", "", D("2100"), None, "", ""),
    ("3500公斤", "", D("3500"), None, "公斤", ""),
    ("１００％", "", D("100"), None, "％", ""),
    ("≥15百分比", "≥", D("15"), None, "百分比", ""),
    ("≥100百分比", "≥", D("100"), None, "百分比", ""),  # 棠溪镇 2022
    ("=8个", "＝", D("8"), None, "个", ""),  # 棠溪镇 2022, an ASCII =
    ("85%", "", D("85"), None, "%", ""),  # unsigned: the scheme reads it
    ("90%", "", D("90"), None, "%", ""),  # 天长市 2022
    ("＞90%", ">", D("90"), None, "%", ""),
    ("不低于90%", "≥", D("90"), None, "%", "不低于"),
    ("不少于3500公斤", "≥", D("3500"), None, "公斤", "不少于"),
    ("不高于30天", "≤", D("30"), None, "天", "不高于"),
    ("30天以内", "≤", D("30"), None, "天", "以内"),
    ("≥266米", "≥", D("266"), None, "米", ""),  # 中江县 2022, as a target and as an actual
    ("≤12232.2元", "≤", D("12232.2"), None, "元", ""),
    ("90%-95%", "~", D("90"), D("95"), "%", ""),
    ("90～95%", "~", D("90"), D("95"), "%", ""),
    ("80%至90%", "~", D("80"), D("90"), "%", ""),
]
QUALITATIVE = ["有效提升", "2024年12月31日前", "2026年6月前", "2025年底前", "≥90%以下", "5天以内完成",
               "1:30", "-5%", "以内", "", "达成", "95%-90%", "≥1.5e3个", "1" * 60]


@pytest.mark.parametrize("text,sign,number,upper,unit,words", CASES)
def test_every_written_form_reads_as_a_quantity(text, sign, number, upper, unit, words):
    v = parse(text)
    assert (v.sign, v.number, v.upper, v.unit, v.words) == (sign, number, upper, unit, words)
    assert v.quantitative
    assert v.text == text


@pytest.mark.parametrize("text", QUALITATIVE)
def test_anything_else_is_qualitative(text):
    v = parse(text)
    assert not v.quantitative
    assert (v.sign, v.number, v.unit) == (None, None, "")


# An actual as officers write it, read against its target (the number in the target's unit).
ACTUALS = [
    # target, actual, number, how it was read
    ("≥98%", "97.5%", D("97.5"), ""),
    ("95%以上", "96%", D("96"), ""),
    ("≥98%", "96.5％", D("96.5"), ""),
    ("≤40万元", "382000元", D("38.2"), ""),  # converted
    ("≥50个", "50", D("50"), BARE),  # 棠溪镇 2022: a bare number takes the target's unit
    ("≤90万元", "90", D("90"), BARE),
    ("≤202.6万元", "132.9", D("132.9"), BARE),
    ("=8个", "8", D("8"), BARE),
    ("≥100百分比", "100", D("100"), BARE),
    ("≤1%", "0.5", D("0.5"), BARE),  # a percentage under 1 of a target under 1
    ("≥266米", "≥266米", D("266"), SIGNED),  # 中江县 2022: the actual repeats the sign
    ("90%", "100%", D("100"), ""),
    ("2100", "2150", D("2150"), ""),
    ("≥98%", "0.98", None, ""),  # 98 % or 0.98 %? not guessed
    ("≥5个", "5人", None, ""),  # another unit
    ("≥5个", "完成", None, ""),  # a word: the scheme decides (Value.done)
]


@pytest.mark.parametrize("target,actual,number,how", ACTUALS)
def test_every_written_actual_reads_against_its_target(target, actual, number, how):
    assert actual_in(parse(target), parse(actual)) == (number, how)


@pytest.mark.parametrize("text", ["完成", "已完成", "全部完成", "已按时完成", "按期完成", "达成预期指标",
                                  "完成年度目标", "已达标", "已实现"])
def test_words_of_completion_say_the_target_was_reached(text):
    assert parse(text).done and not parse(text).quantitative


@pytest.mark.parametrize("text", ["未完成", "基本完成", "部分完成", "有效保障", "95%", "完成率95%"])
def test_other_words_and_numbers_do_not(text):
    assert not parse(text).done


def test_units_convert_through_their_multiplier():
    assert unit_base("万元") == (D(10000), "元")
    assert unit_base("亿元") == (D(10) ** 8, "元")
    assert unit_base("％") == (D(1), "%")
    assert unit_base("百分比") == (D(1), "%")
    assert unit_base("万人次") == (D(10000), "人次")
    assert unit_base("千克") == (D(1), "千克")
    target, actual = parse("≤40万元"), parse("380000元")
    assert actual.comparable(target)
    assert actual.in_unit_of(target) == D(38)
    assert parse("96%").comparable(parse("95%以上"))
    assert not parse("5个").comparable(parse("≥5人"))


def test_scoring_and_the_xlsx_import_sheet_read_every_seed_value_alike():
    from conftest import TEST_BOOKS
    from tablegen.kinds.targets import split_value
    from tablegen.load.books import load_book_strict
    from tablegen.model.scoring import measure

    values = {ind.value for key in ("tianjin-ipa-2024", "binhai-ipa-2026")
              for p in load_book_strict(TEST_BOOKS / key).projects for _, _, ind in p.rows()}
    assert len(values) > 80
    for value in sorted(values):
        scored, split = measure(value), split_value(value)
        if scored is None:
            assert split.sign == "定性", value
        else:
            assert (split.sign, split.number, split.unit) == (
                scored.sign or "＝", format(scored.number, "f"), scored.unit or "—"), value
