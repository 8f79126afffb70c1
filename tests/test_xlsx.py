"""The XLSX output: the official layout per sheet, the 指标导入 sheet, determinism, round trip."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from decimal import Decimal

import openpyxl.writer.excel
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from conftest import TEST_BOOKS, book_file
from dumps import normal
from tablegen.build import build
from tablegen.errors import Report
from tablegen.imports import import_files
from tablegen.kinds import targets
from tablegen.kinds.targets import IMPORT_HEADER, split_value, table_rows
from tablegen.load.books import load_book_strict
from tablegen.load.layouts import shipped
from tablegen.render.xlsx import line_count, workbook

# Every distinct 指标值 of the two seed books, split as the budget system imports it.
EXPECTED = [
    ('天津市知识产权专项资金', '定性', '天津市知识产权专项资金', '—'),
    ('1个', '＝', '1', '个'),
    ('<1分钟', '<', '1', '分钟'),
    ('<8小时', '<', '8', '小时'),
    ('≥98%', '≥', '98', '%'),
    ('≥100人', '≥', '100', '人'),
    ('提升整个知识产权工作效率', '定性', '提升整个知识产权工作效率', '—'),
    ('≤40万元', '≤', '40', '万元'),
    ('≥10年', '≥', '10', '年'),
    ('不涉及', '定性', '不涉及', '—'),
    ('≥200人次', '≥', '200', '人次'),
    ('培训合格', '定性', '培训合格', '—'),
    ('年度计划内完成', '定性', '年度计划内完成', '—'),
    ('按资金使用标准完成', '定性', '按资金使用标准完成', '—'),
    ('≤20万元', '≤', '20', '万元'),
    ('向辖区企业、公民提供专利行政保护服务', '定性', '向辖区企业、公民提供专利行政保护服务', '—'),
    ('≥90', '≥', '90', '—'),
    ('≥30百分比', '≥', '30', '百分比'),
    ('≥15百分比', '≥', '15', '百分比'),
    ('≥50个', '≥', '50', '个'),
    ('≥1百分比', '≥', '1', '百分比'),
    ('≥60百分比', '≥', '60', '百分比'),
    ('≤4990万元', '≤', '4990', '万元'),
    ('及时兑现', '定性', '及时兑现', '—'),
    ('≥250个', '≥', '250', '个'),
    ('≥70百分比', '≥', '70', '百分比'),
    ('≥20万字', '≥', '20', '万字'),
    ('≥1个', '≥', '1', '个'),
    ('≥1次', '≥', '1', '次'),
    ('≥2次', '≥', '2', '次'),
    ('≥90%', '≥', '90', '%'),
    ('≤3年', '≤', '3', '年'),
    ('≤21万元', '≤', '21', '万元'),
    ('4期', '＝', '4', '期'),
    ('≥85%', '≥', '85', '%'),
    ('≥10件', '≥', '10', '件'),
    ('≤50件', '≤', '50', '件'),
    ('≤100件', '≤', '100', '件'),
    ('≥4件', '≥', '4', '件'),
    ('≥5件', '≥', '5', '件'),
    ('100%', '＝', '100', '%'),
    ('≤1091万元', '≤', '1091', '万元'),
    ('≤50万元', '≤', '50', '万元'),
    ('≤480万元', '≤', '480', '万元'),
    ('≤220万元', '≤', '220', '万元'),
    ('≤180万元', '≤', '180', '万元'),
    ('有效提升试点企业知识产权综合实力', '定性', '有效提升试点企业知识产权综合实力', '—'),
    ('有所提升', '定性', '有所提升', '—'),
    (' 地理标志产品牌影响力得到扩大', '定性', '地理标志产品牌影响力得到扩大', '—'),
    ('≥1500人', '≥', '1500', '人'),
    ('≤1年', '≤', '1', '年'),
    ('≤60万元', '≤', '60', '万元'),
    ('数量逐年增加', '定性', '数量逐年增加', '—'),
    ('≥80百分比', '≥', '80', '百分比'),
    ('≥80%', '≥', '80', '%'),
    ('≤10分钟', '≤', '10', '分钟'),
    ('≤52万元', '≤', '52', '万元'),
    ('有效保障', '定性', '有效保障', '—'),
    ('≥3000平米', '≥', '3000', '平米'),
    ('≥6人', '≥', '6', '人'),
    ('2024年12月31日前', '定性', '2024年12月31日前', '—'),
    ('≤231.5万元', '≤', '231.5', '万元'),
    ('≤68.5万元', '≤', '68.5', '万元'),
    ('≥95%', '≥', '95', '%'),
    ('≥2人', '≥', '2', '人'),
    ('≤100万元', '≤', '100', '万元'),
    ('保障', '定性', '保障', '—'),
    ('≥20个', '≥', '20', '个'),
    ('≥100个', '≥', '100', '个'),
    ('≥25个', '≥', '25', '个'),
    ('≥10人', '≥', '10', '人'),
    ('≥2份', '≥', '2', '份'),
    ('≤7天', '≤', '7', '天'),
    ('1年', '＝', '1', '年'),
    ('≤221万元', '≤', '221', '万元'),
    ('有效提升', '定性', '有效提升', '—'),
    ('持续提升', '定性', '持续提升', '—'),
    ('≥12家', '≥', '12', '家'),
    ('≥2家', '≥', '2', '家'),
    ('≥500个', '≥', '500', '个'),
    ('4个', '＝', '4', '个'),
    ('≥2000件', '≥', '2000', '件'),
    ('≥1000件', '≥', '1000', '件'),
    ('≥20笔', '≥', '20', '笔'),
    ('≥3000件', '≥', '3000', '件'),
    ('2026年11月底前', '定性', '2026年11月底前', '—'),
    ('≤1万元', '≤', '1', '万元'),
    ('≤5万元', '≤', '5', '万元'),
    ('≤15万元', '≤', '15', '万元'),
    ('≤10万元', '≤', '10', '万元'),
    ('明显提升', '定性', '明显提升', '—'),
    ('≥1份', '≥', '1', '份'),
    ('2026年6月前', '定性', '2026年6月前', '—'),
    ('≥2台', '≥', '2', '台'),
    ('≤12232.2元', '≤', '12232.2', '元'),
    ('不断提高', '定性', '不断提高', '—'),
]


@pytest.fixture
def built(seed_build):
    """Both seed books, built once for the session (conftest.seed_build)."""
    return seed_build


def test_the_expected_table_covers_every_seed_value():
    values = {i.value for key in ("tianjin-ipa-2024", "binhai-ipa-2026")
              for p in load_book_strict(TEST_BOOKS / key).projects for _, _, i in p.rows()}
    assert values == {v for v, *_ in EXPECTED}


@pytest.mark.parametrize("value, sign, number, unit", EXPECTED)
def test_split_value(value, sign, number, unit):
    s = split_value(value)
    assert (s.sign, s.number, s.unit) == (sign, number, unit)


def test_the_issue_examples():
    assert tuple(vars(split_value("≥98%")).values()) == ("≥", "98", "%")
    assert tuple(vars(split_value("≤40万元")).values()) == ("≤", "40", "万元")
    assert tuple(vars(split_value("有效提升")).values()) == ("定性", "有效提升", "—")
    assert tuple(vars(split_value("＞5")).values()) == (">", "5", "—")


@pytest.mark.parametrize("value, split", [
    ("≥1,000件", ("≥", "1000", "件")),
    ("≥ 95 %", ("≥", "95", "%")),
    ("=3个", ("＝", "3", "个")),
    ("≤0.5万元/年", ("≤", "0.5", "万元/年")),
    ("10-20人", ("定性", "10-20人", "—")),  # a range is no single number
    ("2025年6月30日前", ("定性", "2025年6月30日前", "—")),
    ("1,00件", ("定性", "1,00件", "—")),
])
def test_values_beyond_the_seeds(value, split):
    assert tuple(vars(split_value(value)).values()) == split


@pytest.mark.parametrize("key", ["tianjin-ipa-2024", "binhai-ipa-2026"])
def test_import_sheet_has_one_row_per_indicator(built, key):
    book = load_book_strict(TEST_BOOKS / key)
    wb = load_workbook(book_file(built, key, "xlsx"))
    ws = wb["指标导入"]
    rows = [tuple("" if c is None else c for c in r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == IMPORT_HEADER
    expected = []
    for _, _, p in book.numbered():
        for l1, l2, ind in p.rows():
            s = split_value(ind.value)
            expected.append((p.name, l1.name, l2.name, ind.name, ind.shown_description, s.sign,
                             s.number, s.unit))
    assert rows[1:] == expected


# The sheet's ten columns are the union of the budget table's and the grid's column edges.
HEAD_MERGES = {"A1:J1", "A2:H2", "I2:J2", "B3:J3", "A4:A5", "C4:D4", "E4:F4", "H4:I4", "B5:J5",
               "B6:J6"}


def grid_merges(row: int) -> set[str]:
    """三级, 描述 and 指标值 of a grid row, each over the sheet columns of its width."""
    return {f"D{row}:E{row}", f"F{row}:H{row}", f"I{row}:J{row}"}


def level1_merges(ws) -> set[str]:
    return {str(m) for m in ws.merged_cells.ranges if m.min_col == m.max_col == 1 and m.min_row >= 8}


def sheet_rows(ws):
    """Cell texts row by row from row 2, as a reader sees them: a cell a merge covers from the
    left is no cell; an amount as its 0.00 format shows it; a row ends at its last filled cell."""
    covered = {(r, c) for m in ws.merged_cells.ranges for r in range(m.min_row, m.max_row + 1)
               for c in range(m.min_col + 1, m.max_col + 1)}
    rows = []
    for row in ws.iter_rows(min_row=2):
        cells = []
        for cell in row:
            if (cell.row, cell.column) in covered:
                continue
            value = cell.value
            cells.append("" if value is None else
                         f"{value:.2f}" if isinstance(value, int | float) else str(value))
        while cells and cells[-1] == "":
            cells.pop()
        rows.append(cells)
    return rows


@pytest.mark.parametrize("key", ["tianjin-ipa-2024", "binhai-ipa-2026"])
def test_every_cell_and_merge_of_every_table_sheet(built, key):
    book = load_book_strict(TEST_BOOKS / key)
    wb = load_workbook(book_file(built, key, "xlsx"))
    sheets = [ws for ws in wb.worksheets if ws.title != "指标导入"]
    assert len(sheets) == len(book.projects)
    for ws, (n, agency, project) in zip(sheets, book.numbered(), strict=True):
        assert ws["A1"].value == book.heading(n, project)
        expected = table_rows(book, n, agency, project)
        for row in expected:  # a sheet row ends at its last filled cell
            while row and row[-1] == "":
                row.pop()
        # A 一级 group that a printed page cuts repeats its label after the cut (normal()
        # reads both alike).
        assert normal(sheet_rows(ws)) == normal(expected)
        merged = {str(m) for m in ws.merged_cells.ranges}
        assert HEAD_MERGES <= merged
        last = 7 + len(list(project.rows()))
        expected_merges = set().union(*(grid_merges(r) for r in range(7, last + 1)))
        expected_merges |= {f"B{r}:C{r}" for r in range(7, last + 1)}
        assert merged - HEAD_MERGES - level1_merges(ws) == expected_merges
        # 一级 merged down its rows (merge: level1) up to where a printed page starts.
        breaks = {b.id + 1 for b in ws.row_breaks.brk}
        want, row = set(), 8
        for l1 in project.indicators:
            n1 = sum(len(l2.indicators) for l2 in l1.groups)
            for a, b in pieces(row, n1, breaks):
                assert ws[f"A{a}"].value == l1.name
                if b > a and book.merge != "none":
                    want.add(f"A{a}:A{b}")
            row += n1
        assert level1_merges(ws) == want
        assert book.merge != "none" or level1_merges(ws) == set()
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws["D8"].border.left.style == "thin"
        assert ws.max_row == last
        assert all(ws.cell(r, 10).border.right.style == "thin" for r in range(3, last + 1))


def test_column_widths_follow_the_layout(built):
    ws = load_workbook(book_file(built, "binhai-ipa-2026", "xlsx")).worksheets[0]
    widths = [ws.column_dimensions[get_column_letter(c)].width for c in range(1, 11)]
    px = [w * 7 + 5 for w in widths]
    # The indicator grid's columns, in thousandths of the table, as in the PDF and the DOCX.
    grid = [px[0], px[1] + px[2], px[3] + px[4], sum(px[5:8]), px[8] + px[9]]
    assert [round(1000 * w / sum(px)) for w in grid] == [c.width for c in shipped().columns]
    assert 585 <= sum(px) <= 595  # A4's printable width at 96 px an inch: printed at ~100 %


def test_amounts_are_numbers_with_two_decimals(built):
    book = load_book_strict(TEST_BOOKS / "tianjin-ipa-2024")
    wb = load_workbook(book_file(built, "tianjin-ipa-2024", "xlsx"))
    sheets = [ws for ws in wb.worksheets if ws.title != "指标导入"]
    for ws, project in zip(sheets, book.projects, strict=True):
        budget = project.budget
        for ref, amount in (("C4", budget.total), ("G4", budget.fiscal), ("J4", budget.other)):
            cell = ws[ref]
            if amount is None:
                assert cell.value is None
            else:
                assert (cell.data_type, cell.number_format) == ("n", "0.00")
                assert Decimal(str(cell.value)) == amount


def test_rows_are_as_high_as_their_wrapped_text(built):
    book = load_book_strict(TEST_BOOKS / "binhai-ipa-2026")
    ws = load_workbook(book_file(built, "binhai-ipa-2026", "xlsx")).worksheets[0]
    goals = "\n".join(f"{i}.{g}" for i, g in enumerate(book.projects[0].goals, 1))
    # B:J is 860 thousandths of 590 px, less the margins: 35.9 characters of 14 px a line.
    lines = line_count(goals, (590 * 0.86 - 6) / 14)
    assert lines == 10
    assert ws.row_dimensions[6].height == round(lines * 10.5 * 1.45 + 6, 1)
    assert ws.row_dimensions[8].height == round(2 * 10.5 * 1.45 + 6, 1)  # 三级 on two lines
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0


REAL_DATETIME = datetime.datetime


class _LaterClock(datetime.datetime):
    """openpyxl's save() reads the clock: a second build an hour later must not differ."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        return REAL_DATETIME.now(tz) + datetime.timedelta(hours=1, seconds=7)


def test_two_builds_are_byte_identical(built, tmp_path, monkeypatch):
    monkeypatch.setattr(openpyxl.writer.excel.datetime, "datetime", _LaterClock)
    build([TEST_BOOKS], tmp_path, ["xlsx"], quiet=True)
    for key in ("tianjin-ipa-2024", "binhai-ipa-2026"):
        assert book_file(tmp_path, key, "xlsx").read_bytes() == \
            book_file(built, key, "xlsx").read_bytes()


def test_the_only_dates_are_the_budget_year(built):
    path = book_file(built, "binhai-ipa-2026", "xlsx")
    with zipfile.ZipFile(path) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert re.findall(r"<dcterms:(created|modified)[^>]*>([^<]*)<", core) == [
        ("created", "2026-01-01T00:00:00Z"), ("modified", "2026-01-01T00:00:00Z")]
    props = load_workbook(path).properties
    assert (props.creator, props.title) == ("天津市滨海新区知识产权局",
                                            "天津市滨海新区知识产权局2026年项目支出绩效目标表")


def test_the_workbook_imports_back(built, tmp_path):
    key = "binhai-ipa-2026"
    report = Report()
    import_files([book_file(built, key, "xlsx")], tmp_path / key, report)
    assert report.findings == []
    original, again = load_book_strict(TEST_BOOKS / key), load_book_strict(tmp_path / key)
    assert original.projects == again.projects
    assert (again.title, again.year, again.money_unit) == (original.title, original.year,
                                                           original.money_unit)


def pieces(first: int, n: int, breaks: set[int]) -> list[tuple[int, int]]:
    """Rows first … first+n-1 cut where a printed page starts: (top, bottom) of each piece."""
    cuts = [r for r in range(first + 1, first + n) if r in breaks]
    return [(a, b - 1) for a, b in zip([first, *cuts], [*cuts, first + n], strict=True)]


@pytest.mark.parametrize("merge", ["level1+level2", "none"])
def test_merges_follow_the_books_setting(merge):
    book = load_book_strict(TEST_BOOKS / "binhai-ipa-2026")
    book.merge = merge
    ws = load_workbook(io.BytesIO(workbook(targets.document(book)))).worksheets[0]
    breaks = {b.id + 1 for b in ws.row_breaks.brk}
    assert breaks  # the first table prints on three pages
    project = book.projects[0]
    expected, row = set(), 8
    for l1 in project.indicators:
        n1 = sum(len(l2.indicators) for l2 in l1.groups)
        if merge != "none":
            expected |= {f"A{a}:A{b}" for a, b in pieces(row, n1, breaks) if b > a}
        for l2 in l1.groups:
            n2 = len(l2.indicators)
            if merge == "level1+level2":
                expected |= {f"B{a}:C{b}" for a, b in pieces(row, n2, breaks)}
            else:
                expected |= {f"B{r}:C{r}" for r in range(row, row + n2)}
            row += n2
    got = {str(m) for m in ws.merged_cells.ranges if m.min_row >= 8 and m.min_col <= 2}
    assert got == expected
    assert merge == "none" or any(m.startswith("B") and m[1:m.index(":")] != m[m.index(":") + 2:]
                                  for m in expected)
