"""`tablegen rollover`: next year's book from the seed books, the old one untouched."""

from __future__ import annotations

import pytest

from hostile import BOOK, VALID, make_book
from linear import assert_linear
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
        "2025年天津市志-知识产权局志（1985-2020）编修.yaml: name：未顺延的年份 1985（往年）、2020（往年），"
        "请复核是否仍适用：“2025年天津市志-知识产权局志（1985-2020）编修”",
        "2025年天津市志-知识产权局志（1985-2020）编修.yaml: usage：未顺延的年份 1985（书名）、2020（书名），"
        "请复核是否仍适用：“完成《天津市志-知识产权局志（1985-2020）》编修、校对、评审”",
        "2025年天津市志-知识产权局志（1985-2020）编修.yaml: goals[1]：未顺延的年份 1985（书名）、"
        "2020（书名），请复核是否仍适用：“完成《天津市志-知识产权局志（1985-2020）》初稿、组织评审和校对”",
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
        "未顺延的年份 2025（文号），请复核是否仍适用",
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


@pytest.mark.parametrize(("text", "new", "reasons"), [
    # Quantities: a number followed by a measure word is no year, whatever its digits.
    ("2030人次", "2030人次", []),
    ("服务企业2050家", "服务企业2050家", []),
    ("2024.5万元", "2024.5万元", []),
    # Titles in 《》 and document numbers in any bracket stay, listed.
    ("《知识产权强国建设纲要（2021—2035年）》", "《知识产权强国建设纲要（2021—2035年）》",
     ["未顺延的年份 2021（书名）、2035（书名），请复核是否仍适用"]),
    ("《天津市2024年知识产权资助办法》", "《天津市2024年知识产权资助办法》",
     ["未顺延的年份 2024（书名），请复核是否仍适用"]),
    ("津财预（2024）12号", "津财预（2024）12号", ["未顺延的年份 2024（文号），请复核是否仍适用"]),
    ("国知发〔2024〕3号", "国知发〔2024〕3号", ["未顺延的年份 2024（文号），请复核是否仍适用"]),
    # A period moves whole or not at all; a year beyond the plan is a long-range goal.
    ("纲要（2021—2035年）", "纲要（2021—2035年）",
     ["未顺延的年份 2021（往年）、2035（远期），请复核是否仍适用"]),
    ("2023-2030年行动", "2023-2030年行动",
     ["未顺延的年份 2023（期间的另一端未顺延）、2030（远期），请复核是否仍适用"]),
    ("2024年1月至2025年6月", "2025年1月至2026年6月", []),
    # No impossible date: 2月29日 of a year that has none becomes 2月28日, listed.
    ("2024年2月29日前", "2025年2月28日前",
     ["新的年份没有2月29日，已改为2月28日（2024年2月29日→2025年2月28日），请复核"]),
    ("2024-02-29", "2025-02-28",
     ["新的年份没有2月29日，已改为2月28日（2024-02-29→2025-02-28），请复核"]),
    # A bare number in a text: not evidently a year; kept and listed.
    ("2024天津论坛", "2024天津论坛", ["未顺延的年份 2024（不能确定是年份），请复核是否仍适用"]),
])
def test_only_dates_and_periods_of_the_plan_move(text, new, reasons):
    assert _Shifter(2024, 1).shift(text) == (new, reasons)


def test_in_a_name_the_plans_year_moves_without_年():
    shift = _Shifter(2024, 1).shift
    assert shift("非财政拨款——2024共建保护中心项目", name=True) == (
        "非财政拨款——2025共建保护中心项目", [])
    assert shift("tianjin-ipa-2024", name=True) == ("tianjin-ipa-2025", [])
    assert shift("服务2030家企业", name=True) == (
        "服务2030家企业", ["未顺延的年份 2030（数量），请复核是否仍适用"])
    assert shift("2028年2月29日", name=True) == ("2028年2月29日", [
        "未顺延的年份 2028（远期），请复核是否仍适用"])
    assert _Shifter(2024, 4).shift("2024年2月29日") == ("2028年2月29日", [])  # a leap year


def test_a_book_of_numbers_that_are_not_dates_rolls_over_and_lists_them(tmp_path):
    # Once: 2030人次 → 2031人次, （2021—2035年） → （2021—2036年）, 津财预（2024）12号 →
    # （2025）12号, 2024年2月29日前 → 2025年2月29日前, and the new book passed check.
    project = VALID.replace("usage: 用于测试",
                            "usage: 依据《天津市2024年知识产权资助办法》和津财预（2024）12号")
    project = project.replace("  - 完成测试",
                              "  - 服务企业2050家，落实《知识产权强国建设纲要（2021—2035年）》")
    project = project.replace("        value: ≥1次", "        value: ≥2030人次\n"
                              "      - name: 完成时间\n        value: 2024年2月29日前")
    folder = make_book(tmp_path / "b-2024", project)
    result = rollover(folder, 2025)
    assert result.folder == tmp_path / "b-2025"
    new = load_book_strict(result.folder).projects[0]
    assert new.usage == "依据《天津市2024年知识产权资助办法》和津财预（2024）12号"
    assert new.goals == ["服务企业2050家，落实《知识产权强国建设纲要（2021—2035年）》"]
    assert [i.value for _, _, i in new.rows()] == ["≥2030人次", "2025年2月28日前", "≥90%"]
    assert [item.line() for item in result.review] == [
        "p.yaml: usage：未顺延的年份 2024（书名）、2024（文号），请复核是否仍适用："
        "“依据《天津市2024年知识产权资助办法》和津财预（2024）12号”",
        "p.yaml: goals[1]：未顺延的年份 2021（书名）、2035（书名），请复核是否仍适用："
        "“服务企业2050家，落实《知识产权强国建设纲要（2021—2035年）》”",
        "p.yaml: indicators.产出指标.数量指标[2].value：新的年份没有2月29日，已改为2月28日"
        "（2024年2月29日→2025年2月28日），请复核：“2025年2月28日前”"]


def test_rollover_refuses_a_year_check_would_refuse_before_reading_anything(tmp_path, run):
    folder = make_book(tmp_path / "b", VALID, BOOK.replace("year: 2024", "year: 2099"))
    with pytest.raises(UsageError) as info:
        rollover(folder, 2100)
    assert str(info.value) == "新年度应在 2000 至 2099 之间，实际为 2100"
    assert run("rollover", "b", "--year", "2100", cwd=tmp_path)[0] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]


def test_rollover_never_writes_into_the_old_book(tmp_path, run):
    folder = make_book(tmp_path / "tianjin-2024")
    before = _snapshot(folder)
    # `rollover .` inside the book once wrote `-2025/` into it; now the folder has its name.
    code, out, err = run("rollover", ".", "--year", "2025", cwd=folder)
    assert code == 0, err
    assert (tmp_path / "tianjin-2025" / "book.yaml").is_file()
    assert _snapshot(folder) == before
    code, _, err = run("rollover", ".", "--year", "2026", "--out", "next")
    assert code == 2
    assert "新书文件夹 next 在原书 . 之内：rollover 不改动原书；请用 --out 指定原书以外的文件夹" in err
    assert _snapshot(folder) == before


def test_shifting_costs_linear_time():
    shift = _Shifter(2024, 1).shift
    # Many years in one text (each once looked at everything before it), and long gaps.
    assert_linear(lambda n: shift("2024年12月31日前，津财预（2024）12号，《2024年办法》；" * n), 2000)
    assert_linear(lambda n: shift("2024" + " " * n + "-" + " " * n + "2025"), 20_000)
