"""The one reader of an indicator value: every form real tables write, read the same way."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tablegen.model.values import parse, unit_base

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
