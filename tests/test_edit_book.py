"""book.yaml edited in place (import, new): comments kept, the result read back before writing."""

from __future__ import annotations

import pytest

from tablegen.errors import Report
from tablegen.model.book import Agency
from tablegen.source.edit_book import add_projects, read_listing

HEAD = "# 书的说明\ntitle: 测试书  # 标题\nyear: 2024\nmoney_unit: 万元\nagencies:\n"
AGENCY = Agency("001", "单位一")


@pytest.mark.parametrize("projects, listed", [
    ("    projects: ~\n", []),  # once: a list that p.yaml dropped out of
    ("    projects:\n      -   p.yaml\n", ["p.yaml"]),
    ('    projects:\n      - "很长的\n        名字.yaml"  # 两行\n', ["很长的 名字.yaml"]),
    ("    projects: [p.yaml, q.yaml]\n", ["p.yaml", "q.yaml"]),
])
def test_new_files_join_the_listing_as_it_reads(projects, listed):
    text = HEAD + '  - code: "001"\n    name: 单位一\n' + projects + "frame: classic\n"
    report = Report()
    new = add_projects(text, "book.yaml", "b", [(AGENCY, "new.yaml")], report)
    assert report.findings == []
    assert new is not None
    again = read_listing(new, "book.yaml", "b", Report())
    assert again is not None and again.files == [[*listed, "new.yaml"]]
    assert new.startswith("# 书的说明\ntitle: 测试书  # 标题\n")
    assert new.endswith("frame: classic\n")


def test_a_new_agency_goes_into_the_list_even_when_it_is_not_the_last_key():
    text = HEAD + '  - code: "001"\n    name: 单位一\n    projects:\n      - p.yaml\nframe: classic\n'
    report = Report()
    new = add_projects(text, "book.yaml", "b", [(Agency("012", "单位二"), "a.yaml"),
                                                (Agency("012", "单位二"), "b.yaml")], report)
    assert report.findings == []
    assert new == (HEAD + '  - code: "001"\n    name: 单位一\n    projects:\n      - p.yaml\n'
                   '  - code: "012"\n    name: 单位二\n    projects:\n      - a.yaml\n'
                   "      - b.yaml\nframe: classic\n")


def test_a_book_yaml_with_errors_is_refused():
    report = Report()
    assert add_projects("title: x\nagencies: [\n", "book.yaml", "b", [(AGENCY, "n.yaml")],
                        report) is None
    assert [f.rule for f in report.errors] == ["import-book", "yaml-syntax"]


def test_new_after_a_null_listing_keeps_the_book_valid(tmp_path, run):
    book = tmp_path / "b"
    book.mkdir()
    (book / "book.yaml").write_text(HEAD + '  - code: "001"\n    name: 单位一\n    projects: ~\n'
                                    "frame: classic\nmerge: level1\n", encoding="utf-8")
    assert run("new", str(book), "新项目")[0] == 0
    listing = read_listing((book / "book.yaml").read_text(encoding="utf-8"), "book.yaml", "b",
                           Report())
    assert listing is not None and listing.files == [["新项目.yaml"]]
    assert run("check", str(book))[1].count("error[") == 0


def test_new_into_a_broken_book_yaml_is_a_finding_and_writes_nothing(tmp_path, run):
    book = tmp_path / "b"
    book.mkdir()
    text = HEAD + '  - code: "001"\n    name: "单位一\n    projects:\nframe: classic\n'
    (book / "book.yaml").write_text(text, encoding="utf-8")
    code, out, err = run("new", str(book), "新项目")
    assert code == 1
    assert "Traceback" not in out + err
    assert f"{book / 'book.yaml'}:7:11: error[yaml-syntax]: YAML 语法错误：引号未闭合" in out
    assert sorted(p.name for p in book.iterdir()) == ["book.yaml"]
    assert (book / "book.yaml").read_text(encoding="utf-8") == text
