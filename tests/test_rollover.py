"""`tablegen rollover`: next year's book from the seed books, the old one untouched."""

from __future__ import annotations

import pytest

from tablegen.commands.rollover import _Shifter, rollover
from tablegen.errors import UsageError
from tablegen.load.books import load_book_strict, load_paths
from test_selfeval import seed_book


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize(("key", "year", "new_key"), [
    ("tianjin-ipa-2024", 2025, "tianjin-ipa-2025"), ("binhai-ipa-2026", 2027, "binhai-ipa-2027")])
def test_rollover_of_each_seed_book_checks_clean_and_leaves_the_old_alone(tmp_path, key, year,
                                                                          new_key):
    old = seed_book(tmp_path, key, evaluated=False)
    before = _snapshot(old)
    result = rollover(old, year)
    assert result.folder == tmp_path / new_key
    assert _snapshot(old) == before
    old_report, new_report = load_paths([old]).report, load_paths([result.folder]).report
    assert new_report.errors == []
    assert sorted(f.rule for f in new_report.warnings) == sorted(f.rule for f in old_report.warnings)
    new = load_book_strict(result.folder)
    assert new.year == year
    assert [len(a.projects) for a in new.agencies] == [
        len(a.projects) for a in load_book_strict(old).agencies]


def test_the_2024_book_rolls_its_dates_and_lists_past_events(tmp_path):
    result = rollover(seed_book(tmp_path, evaluated=False), 2025)
    book = load_book_strict(result.folder)
    assert book.title == "天津市知识产权局2025年项目支出绩效目标表"
    rent = next(p for p in book.projects if p.name == "2025年保护中心运行维护费")
    assert rent.file == "2025年保护中心运行维护费.yaml"
    assert [i.value for _, l2, i in rent.rows() if l2.name == "时效指标"] == [
        "2025年12月31日前", "2025年12月31日前"]
    assert [item.line() for item in result.review] == [
        "2024年服务业发展资金（专利转化专项计划）-中央专款.yaml: name：上年年份已顺延（2023→2024），请复核："
        "“2024年服务业发展资金（专利转化专项计划）-中央专款”",
        "2025年天津市志-知识产权局志（1985-2020）编修.yaml: name：含往年或文号年份 1985、2020，未改动，"
        "请复核是否仍适用：“2025年天津市志-知识产权局志（1985-2020）编修”",
        "2025年天津市志-知识产权局志（1985-2020）编修.yaml: usage：含往年或文号年份 1985、2020，未改动，"
        "请复核是否仍适用：“完成《天津市志-知识产权局志（1985-2020）》编修、校对、评审”",
        "2025年天津市志-知识产权局志（1985-2020）编修.yaml: goals[1]：含往年或文号年份 1985、2020，未改动，"
        "请复核是否仍适用：“完成《天津市志-知识产权局志（1985-2020）》初稿、组织评审和校对”",
    ]


def test_the_2026_book_keeps_document_numbers(tmp_path):
    result = rollover(seed_book(tmp_path, "binhai-ipa-2026", evaluated=False), 2027)
    book = load_book_strict(result.folder)
    assert [p.name for p in book.projects] == [
        "2027年滨海新区知识产权运营促进保护发展工作经费",
        "2027年关于推动信创产业提升知识产权创造质量和运用效益的重点举措研究项目（自有资金）（其他收入资金）",
        "中央2026年安可替代专项-津财行政指[2025]69号"]
    assert [i.value for p in book.projects for _, l2, i in p.rows() if l2.name == "时效指标"
            and "年" in i.value and "月" in i.value] == ["2027年11月底前", "2027年6月前", "2027年11月底前"]
    assert [item.reason for item in result.review] == [
        "含往年或文号年份 2025（文号），未改动，请复核是否仍适用",
        "上年年份已顺延（2025→2026），请复核"]


def test_ranges_and_quantities():
    shift = _Shifter(2024, 1).shift
    assert shift("2023.07-2024.01") == ("2024.07-2025.01", ["上年年份已顺延（2023→2024），请复核"])
    assert shift("≥2000件") == ("≥2000件", [])
    assert shift("2024年12月31日前") == ("2025年12月31日前", [])


def test_execution_data_is_dropped_and_the_last_actual_kept_as_a_hint(tmp_path):
    result = rollover(seed_book(tmp_path), 2025)
    text = (result.folder / "2025年专利代理师资格考试.yaml").read_text(encoding="utf-8")
    assert "execution" not in text and "actual" not in text and "deviation" not in text
    assert "        # 历史标准：2024年实际完成值 2100人\n        value: ≥1500人\n" in text
    beaten = [i.line() for i in result.review if "超出指标值" in i.reason]
    assert beaten == [
        "2025年局机关信息化运维.yaml: indicators.产出指标.质量指标[2].value：2024年实际完成 150人，"
        "超出指标值 30% 以上，请考虑调整指标值：“≥100人”",
        "2025年专利代理师资格考试.yaml: indicators.产出指标.数量指标[1].value：2024年实际完成 2100人，"
        "超出指标值 30% 以上，请考虑调整指标值：“≥1500人”",
        "2025年保护中心运行维护费.yaml: indicators.产出指标.数量指标[3].value：2024年实际完成 8人，"
        "超出指标值 30% 以上，请考虑调整指标值：“≥6人”",
    ]
    assert load_paths([result.folder]).report.errors == []


def test_rollover_refuses_an_existing_folder_and_a_past_year(tmp_path, run):
    folder = seed_book(tmp_path, evaluated=False)
    (tmp_path / "tianjin-ipa-2025").mkdir()
    with pytest.raises(UsageError):
        rollover(folder, 2025)
    with pytest.raises(UsageError):
        rollover(folder, 2024)
    code, out, err = run("rollover", str(folder), "--year", "2026", cwd=tmp_path)
    assert code == 0
    assert out.startswith("请复核以下 4 处：\n")
    assert (tmp_path / "tianjin-ipa-2026" / "book.yaml").is_file()
