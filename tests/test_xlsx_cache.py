"""The XLSX sheets through the build cache: after an edit only the edited table's sheet (and the
指标导入 rows it is on) is drawn; the workbook is joined from the parts, cached or fresh, with the
bytes of a cold build."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import shutil
import zipfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import FIXTURES
from tablegen.build import build
from tablegen.cache import FOLDER, Cache
from tablegen.document import Cell, Document, Group, Sheet, listing_cells
from tablegen.render.xlsx import draw, workbook
from tablegen.render.xlsx_join import join

TITLE = "缓存测试.xlsx"


@pytest.fixture
def book(tmp_path):
    """A copy of the three-table fixture book."""
    return Path(shutil.copytree(FIXTURES / "cache", tmp_path / "cache"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def built(book: Path, out: Path, caplog, **options) -> tuple[bytes, list[str]]:
    """The book's workbook built into `out`, and the XLSX engine's log lines."""
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="tablegen"):
        build([book], out, ["xlsx"], quiet=True, **options)
    return (out / "cache" / TITLE).read_bytes(), [m for m in caplog.messages
                                                  if m.startswith("XLSX")]


def cold(book: Path, out: Path) -> bytes:
    build([book], out, ["xlsx"], quiet=True, use_cache=False)
    assert not (out / FOLDER).exists()
    return (out / "cache" / TITLE).read_bytes()


def test_an_edit_of_one_project_draws_its_sheet_alone(book, tmp_path, caplog):
    out = tmp_path / "out"
    _, lines = built(book, out, caplog)
    # the listing: its header and a block of rows a project
    assert lines == ["XLSX cache：指标导入 的行分 4 段，4 段新生成",
                     "XLSX cache：工作表 4 张新生成，0 张取自缓存"]
    edit(book / "b.yaml", "用于测试乙", "用于测试乙，改过")  # the usage: not in 指标导入
    data, lines = built(book, out, caplog)
    assert lines == ["XLSX cache：指标导入 的行分 4 段，0 段新生成",
                     "XLSX cache：工作表 1 张新生成，3 张取自缓存"]
    ws = load_workbook(io.BytesIO(data)).worksheets[1]
    assert "用于测试乙，改过" in [c.value for row in ws.iter_rows() for c in row]
    assert data == cold(book, tmp_path / "cold")


def test_a_value_edit_draws_its_sheet_and_its_projects_listing_rows(book, tmp_path, caplog):
    out = tmp_path / "out"
    built(book, out, caplog)
    edit(book / "b.yaml", "≥1个", "≥2个")
    data, lines = built(book, out, caplog)
    assert lines == ["XLSX cache：指标导入 的行分 4 段，1 段新生成",
                     "XLSX cache：工作表 2 张新生成，2 张取自缓存"]
    ws = load_workbook(io.BytesIO(data))["指标导入"]
    assert [c.value for c in ws[4]] == ["乙项目", "产出指标", "数量指标", "乙数量", "乙数量", "≥", "2",
                                       "个"]
    assert data == cold(book, tmp_path / "cold")


def entries(out: Path, kind: str) -> list[Path]:
    return sorted(p for p in (out / FOLDER / kind).rglob("*") if p.is_file())


def test_a_corrupt_or_missing_sheet_entry_is_drawn_again(book, tmp_path, caplog):
    out = tmp_path / "out"
    good, _ = built(book, out, caplog)
    # Each entry is the SHA-256 of its body, then the body: a part's JSON line, then its XML.
    titles = {p: json.loads(p.read_bytes()[32:].partition(b"\n")[0])["title"]
              for p in entries(out, "sheet")}
    # three tables, the listing's header and its three projects' rows
    assert sorted(titles.values()) == ["01-甲项目", "02-乙项目", "03-丙项目", *["指标导入"] * 4]
    sheets = {title: p for p, title in titles.items()}
    data = sheets["01-甲项目"].read_bytes()
    sheets["01-甲项目"].write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # fails its checksum
    body = '{"title": "02-乙项目"}'.encode()  # passes its checksum, but is no part
    sheets["02-乙项目"].write_bytes(hashlib.sha256(body).digest() + body)
    sheets["03-丙项目"].unlink()
    shutil.rmtree(out / FOLDER / "output")  # else the whole workbook comes from the cache
    (out / "cache" / TITLE).unlink()
    data, lines = built(book, out, caplog)
    assert any(m.startswith("缓存条目损坏，已忽略并重建") for m in caplog.messages)
    assert lines[-1] == "XLSX cache：工作表 3 张新生成，1 张取自缓存"
    assert data == good


def test_tables_alike_but_for_their_names_share_their_styles(book, tmp_path):
    a = (book / "a.yaml").read_text(encoding="utf-8")
    (book / "c.yaml").write_text(a.replace("甲项目", "丙项目", 1), encoding="utf-8")
    build([book], tmp_path / "out", ["xlsx"], quiet=True)
    path = tmp_path / "out" / "cache" / TITLE
    assert load_workbook(path).sheetnames == ["01-甲项目", "02-乙项目", "03-丙项目", "指标导入"]
    with zipfile.ZipFile(path) as z:
        first, third = (z.read(f"xl/worksheets/sheet{i}.xml").decode() for i in (1, 3))
        styles = z.read("xl/styles.xml").decode()
    assert first != third  # each its own heading and name
    assert re.findall(r' s="\d+"', first) == re.findall(r' s="\d+"', third)
    xfs = re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", styles.split("<cellXfs")[1].split(
        "</cellXfs>")[0])
    assert len(xfs) == len(set(xfs))


@dataclass(frozen=True)
class Plain:
    """A table of a test document: a name over a figure."""

    name: str
    figure: Decimal


class PlainDoc(Document):
    """A document of plain tables, each a boxed sheet named after the table."""

    def __init__(self, tables: list[Plain]):
        super().__init__(kind="test", template="t", key="k", title="表测试", subtitle="",
                         author="测试", timestamp=datetime(2024, 1, 1, tzinfo=UTC),
                         groups=[Group("", list(tables))], files={"xlsx": "k/表测试.xlsx"})

    def sheet(self, table: Plain) -> Sheet:
        cells = [Cell(1, (1, 2), table.name, style="title", size=14.0),
                 Cell(2, (1, 1), "金额", style="label"),
                 Cell(2, (2, 2), table.figure, number_format="#,##0.000")]
        return Sheet(title=table.name, widths=[10.0, 12.0], cells=cells, boxes=[(2, 2)])


def test_identical_tables_get_distinct_names_and_share_their_part_and_styles(tmp_path, caplog):
    a, b = Plain("甲表", Decimal("1.5")), Plain("乙表", Decimal("2"))
    with caplog.at_level(logging.INFO, logger="tablegen"):
        data = workbook(PlainDoc([a, b, a]), store=Cache(tmp_path / "c"))
    assert "XLSX k：工作表 2 张新生成，1 张取自缓存" in caplog.messages
    assert load_workbook(io.BytesIO(data)).sheetnames == ["甲表", "乙表", "甲表~2"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.read("xl/worksheets/sheet1.xml") == z.read("xl/worksheets/sheet3.xml")
        alone = workbook(PlainDoc([a]))
        with zipfile.ZipFile(io.BytesIO(alone)) as one:
            assert z.read("xl/styles.xml") == one.read("xl/styles.xml")  # 乙表's are 甲表's
    assert data == workbook(PlainDoc([a, b, a]))


# -- a listing's rows in runs ---------------------------------------------------------------

def listing(n: int, inserted: int | None = None) -> Sheet:
    """A 指标导入-like listing of n items under a header; one more item at `inserted`."""
    items = [(f"项目{i // 16}的第{i}项指标", i) for i in range(n)]
    if inserted is not None:
        items.insert(inserted, ("新加的一项", n))
    cells = [Cell(1, (c, c), text, style="none", align="none")
             for c, text in enumerate(("名称", "说明", "数"), 1)]
    for r, (text, i) in enumerate(items, 2):
        cells += [Cell(r, (1, 1), text, style="none", align="wrap"),
                  Cell(r, (2, 2), text * (i % 3 + 1), style="none", align="wrap"),
                  Cell(r, (3, 3), str(Decimal(i) / 4), style="none", align="wrap")]
    return Sheet(title="清单", widths=[20.0, 12.0, 8.0], cells=cells, boxes=[], listing=True,
                 print_titles="1:1", orientation="landscape", freeze="A2")


class ListingDoc(Document):
    """A document of no tables and one listing."""

    def __init__(self, sheet: Sheet):
        super().__init__(kind="test", template="t", key="k", title="清单测试", subtitle="",
                         author="测试", timestamp=datetime(2024, 1, 1, tzinfo=UTC), groups=[],
                         files={"xlsx": "k/清单测试.xlsx"})
        self.listing = sheet

    def extra_sheets(self) -> list[Sheet]:
        return [self.listing]


def pieces(caplog) -> tuple[int, int]:
    (line,) = [m for m in caplog.messages if "的行分" in m]
    found = re.fullmatch(r"XLSX k：清单 的行分 (\d+) 段，(\d+) 段新生成", line)
    assert found is not None
    return int(found.group(1)), int(found.group(2))


def test_a_listing_in_runs_is_the_listing_drawn_whole(tmp_path, caplog):
    sheet = listing(400)
    with caplog.at_level(logging.DEBUG, logger="tablegen"):
        data = workbook(ListingDoc(sheet), store=Cache(tmp_path / "c"))
    total, drawn = pieces(caplog)
    assert total == drawn > 6  # the header and runs of about 32 rows
    assert data == join([draw(sheet)], ListingDoc(sheet))


@pytest.mark.parametrize("change", ["value", "inserted"])
def test_an_edit_of_a_listing_draws_only_the_runs_around_it(tmp_path, caplog, change):
    store = Cache(tmp_path / "c")
    workbook(ListingDoc(listing(400)), store=store)
    store.finish()
    if change == "value":
        sheet = listing(400)
        at = 3 + (201 - 2) * 3 + 1  # row 201's second cell, after the header's three
        assert sheet.cells[at].row == 201 and sheet.cells[at].columns == (2, 2)
        sheet.cells[at] = Cell(201, (2, 2), "改过", style="none", align="wrap")
    else:
        sheet = listing(400, inserted=200)  # every later row moves down one
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="tablegen"):
        data = workbook(ListingDoc(sheet), store=Cache(tmp_path / "c"))
    total, drawn = pieces(caplog)
    assert total > 6
    assert 1 <= drawn <= 2  # the run holding the edit, and the next when the edit ends a run
    assert data == workbook(ListingDoc(sheet))


def test_after_an_edit_the_workbooks_own_files_come_from_the_cache(book, tmp_path, caplog,
                                                                   monkeypatch):
    """workbook.xml, styles.xml and the rest depend on the sheets' names, print titles and
    styles, not on their cells: a value edit joins the sheets into the kept files; one that
    does not read back is written again, with the same bytes."""
    from tablegen.render import xlsx_join

    out = tmp_path / "out"
    good, _ = built(book, out, caplog)
    written: list[int] = []
    wrapper = xlsx_join._wrapper
    monkeypatch.setattr(xlsx_join, "_wrapper",
                        lambda sheets, *a: (written.append(len(sheets)), wrapper(sheets, *a))[1])
    edit(book / "b.yaml", "≥1个", "≥2个")
    data, _ = built(book, out, caplog)
    assert written == []
    assert data == cold(book, tmp_path / "cold")
    written.clear()
    (kept,) = entries(out, "xlsx-workbook")
    body = b"\0" * 8
    kept.write_bytes(hashlib.sha256(body).digest() + body)  # passes its checksum, reads back as nothing
    shutil.rmtree(out / FOLDER / "output")
    (out / "cache" / TITLE).unlink()
    assert built(book, out, caplog)[0] == data
    assert written == [4]
    assert xlsx_join._unpack_wrapper(xlsx_join._pack_wrapper(["a", "b"], [b"1", None]), 1) == (
        ["a", "b"], [b"1", None])
    assert xlsx_join._unpack_wrapper(xlsx_join._pack_wrapper(["a", "b"], [b"1", None]), 2) is None


# -- a listing's rows in blocks -----------------------------------------------------------

def blocked(sizes: list[int], changed: int | None = None) -> Sheet:
    """A 指标导入-like listing of blocks of items (one block a table), the rows of block
    `changed` with another last text."""
    items = tuple(tuple((f"项目{b}", f"项目{b}的第{i}项指标" * (i % 3 + 1),
                         "改过" if b == changed else str(Decimal(i) / 4)) for i in range(n))
                  for b, n in enumerate(sizes))
    cells = [Cell(1, (c, c), text, style="none", align="none")
             for c, text in enumerate(("名称", "说明", "数"), 1)]
    return Sheet(title="清单", widths=[20.0, 12.0, 8.0], cells=cells, boxes=[], listing=True,
                 print_titles="1:1", orientation="landscape", freeze="A2", items=items)


def test_a_listing_in_blocks_is_the_listing_drawn_whole(tmp_path, caplog):
    sheet = blocked([16, 0, 3, 40])
    whole = replace(sheet, cells=listing_cells(sheet), items=())
    assert [c.row for c in whole.cells][-1] == 1 + 16 + 3 + 40
    with caplog.at_level(logging.DEBUG, logger="tablegen"):
        data = workbook(ListingDoc(sheet), store=Cache(tmp_path / "c"))
    assert pieces(caplog) == (4, 4)  # the header and three blocks (the empty one is none)
    assert data == join([draw(whole)], ListingDoc(whole))


@pytest.mark.parametrize("change", ["value", "block before"])
def test_an_edit_of_a_listing_in_blocks_draws_only_the_changed_block(tmp_path, caplog, change):
    store = Cache(tmp_path / "c")
    workbook(ListingDoc(blocked([16, 3, 40])), store=store)
    store.finish()
    # A block's texts changed; or a new block before the others, which all move down.
    sheet = blocked([16, 3, 40], changed=1)
    if change == "block before":
        before = blocked([16, 3, 40])
        sheet = replace(before, items=((("新", "新的一项", "1"),) * 5, *before.items))
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="tablegen"):
        data = workbook(ListingDoc(sheet), store=Cache(tmp_path / "c"))
    assert pieces(caplog) == ((4, 1) if change == "value" else (5, 1))
    assert data == workbook(ListingDoc(sheet))
    whole = replace(sheet, cells=listing_cells(sheet), items=())
    assert data == join([draw(whole)], ListingDoc(whole))
