"""Hostile text in the XLSX: every text cell is a literal string, never a formula."""

from __future__ import annotations

import zipfile

from openpyxl import load_workbook

from hostile import VALID, make_book, tree
from tablegen.build import build
from tablegen.kinds.targets import sheet_edges, sheet_span
from tablegen.load.layouts import shipped

FORMULAS = {
    "name": '=HYPERLINK("http://127.0.0.1:9/x","点击")',
    "usage": "@SUM(1,1)",
    "goal": "-1+2",
    "value": "=1+1",
    "description": "+WEBSERVICE(\"http://127.0.0.1:9/\")",
}


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    project = (VALID.replace("name: 测试项目", f"name: '{FORMULAS['name']}'")
               .replace("usage: 用于测试", f"usage: '{FORMULAS['usage']}'")
               .replace("  - 完成测试", f"  - '{FORMULAS['goal']}'")
               .replace("        value: ≥1次",
                        f"        value: '{FORMULAS['value']}'\n"
                        f"        description: '{FORMULAS['description']}'"))
    book = make_book(tmp_path / "b", project)
    out = tmp_path / "out"
    build([book], out, ["xlsx"], quiet=True)
    path = out / "b" / "测试书.xlsx"
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 2
        for name in sheets:
            assert "<f>" not in z.read(name).decode()
    wb = load_workbook(path)
    table, imported = wb.worksheets
    assert table["B3"].value == FORMULAS["name"]
    assert table["B5"].value == FORMULAS["usage"]
    assert table["B6"].value == "1." + FORMULAS["goal"]
    head = shipped().head_widths
    widths = tuple(c.width for c in shipped().columns)
    cuts = sheet_edges(head, widths)
    grid = [table.cell(8, sheet_span(widths, i, cuts)[0]).value for i in (2, 3, 4)]
    assert grid == ["测试次数", FORMULAS["description"], FORMULAS["value"]]
    # Every text is a literal string; the amounts alone are numbers.
    assert all(c.data_type == "s" for row in table.iter_rows() for c in row
               if c.value and c.number_format != "0.00")
    assert [c.value for c in imported[2]] == [
        FORMULAS["name"], "产出指标", "数量指标", "测试次数", FORMULAS["description"], "定性",
        FORMULAS["value"], "—"]
    assert all(c.data_type == "s" for row in imported.iter_rows() for c in row)
    assert tree(out) == {"b", "b/测试书.xlsx"}
