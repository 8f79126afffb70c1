"""The shared table layout: file numbers, column widths, the cover title's lines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tablegen.document import HEADING_CHARS, Span, heading_lines, split_spans, text_width, title_lines
from tablegen.kinds.targets import (
    GridRow,
    file_number,
    project_path,
    sheet_edges,
    sheet_span,
)
from tablegen.load.layouts import shipped
from tablegen.model.book import Agency, Book, Budget, Project


def _book(count: int) -> Book:
    projects = [Project(f"项目{i}", Budget(Decimal(1)), "用途", ["目标"], [], file=f"p{i}.yaml")
                for i in range(1, count + 1)]
    return Book("b", "书", 2026, agencies=[Agency("1", "甲", projects[:5]), Agency("2", "乙", projects[5:])])


def test_file_numbers_are_padded_to_the_width_of_the_table_count():
    assert [file_number(_book(9), n) for n in (1, 9)] == ["01", "09"]
    assert [file_number(_book(99), n) for n in (1, 99)] == ["01", "99"]
    big = _book(120)
    assert [file_number(big, n) for n in (1, 99, 100, 120)] == ["001", "099", "100", "120"]
    names = [project_path(big, n, p, "pdf") for n, _, p in big.numbered()]
    assert names[98:100] == ["b/projects/099-p99.pdf", "b/projects/100-p100.pdf"]
    assert names == sorted(names)


@pytest.mark.parametrize("title, lines", [
    ("天津市滨海新区知识产权局2026年项目支出绩效目标表",
     ["天津市滨海新区知识产权局", "2026年项目支出绩效目标表"]),
    ("天津市知识产权局2024年项目支出绩效目标表", ["天津市知识产权局", "2024年项目支出绩效目标表"]),
    ("天津市知识产权保护中心关于某某某某某某项目支出绩效目标表",
     ["天津市知识产权保护中心关于某某某某某某", "项目支出绩效目标表"]),
    ("某" * 30, ["某" * 15, "某" * 15]),
    ("短标题", ["短标题"]),
])
def test_cover_titles_break_at_a_natural_point(title, lines):
    assert title_lines(title) == lines


@pytest.mark.parametrize("heading, lines", [
    # The seed headings that used to end `…绩效目` / `标表` or with a lone `表`.
    ("1.2026年滨海新区知识产权运营促进保护发展工作经费绩效目标表",
     ["1.2026年滨海新区知识产权运营促进", "保护发展工作经费绩效目标表"]),
    ("3.2023年服务业发展资金（专利转化专项计划）-中央专款绩效目标表",
     ["3.2023年服务业发展资金", "（专利转化专项计划）-中央专款绩效目标表"]),  # a bracket stays whole
    ("4.2024年天津市志-知识产权局志（1985-2020）编修绩效目标表",
     ["4.2024年天津市志-知识产权局志", "（1985-2020）编修绩效目标表"]),
    ("3.中央2025年安可替代专项-津财行政指[2025]69号绩效目标表",
     ["3.中央2025年安可替代专项-", "津财行政指[2025]69号绩效目标表"]),
    ("2.2026年关于推动信创产业提升知识产权创造质量和运用效益的重点举措研究项目（自有资金）（其他收入资金）"
     "绩效目标表", ["2.2026年关于推动信创产业提升知识产权", "创造质量和运用效益的重点举措研究项目",
                    "（自有资金）（其他收入资金）绩效目标表"]),
    ("10.2024年天津市知识产权保护与服务绩效目标表", ["10.2024年天津市知识产权保护与服务绩效目标表"]),
    ("5." + "某" * 40 + "绩效目标表", ["5." + "某" * 22, "某" * 18 + "绩效目标表"]),  # no word: balanced
])
def test_long_headings_break_in_balanced_lines_at_natural_points(heading, lines):
    assert heading_lines(heading) == lines
    assert all(text_width(line) <= HEADING_CHARS for line in lines)


def test_split_spans_repeats_labels_where_a_page_starts():
    rows = [GridRow(Span("产出指标", 3), Span("数量指标", 2), "a", "a", "1"),
            GridRow(Span("产出指标", 0), Span("数量指标", 0), "b", "b", "2"),
            GridRow(Span("产出指标", 0), Span("质量指标", 1), "c", "c", "3"),
            GridRow(Span("效益指标", 1), Span("社会效益指标", 1), "d", "d", "4")]
    split = split_spans(rows, {1})
    assert [(r.level1.text, r.level1.rows, r.level2.text, r.level2.rows) for r in split] == [
        ("产出指标", 1, "数量指标", 1), ("产出指标", 2, "数量指标", 1), ("产出指标", 0, "质量指标", 1),
        ("效益指标", 1, "社会效益指标", 1)]
    assert split_spans(rows, set()) == rows


def test_sheet_columns_are_the_union_of_both_tables_edges():
    head = shipped().head_widths
    grid = tuple(c.width for c in shipped().columns)
    cuts = sheet_edges(head, grid)
    assert cuts == [0, 140, 235, 330, 387, 535, 577, 729, 760, 849, 1000]
    assert [sheet_span(grid, i, cuts) for i in range(5)] == [(1, 1), (2, 3), (4, 5), (6, 8), (9, 10)]
    assert sum(head) == sum(grid) == 1000
