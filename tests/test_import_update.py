"""`tablegen import --update`: a project edited in Word brought back into its book, shown first as
`tablegen diff` shows it, written on request with the file's comments kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docx import Document

from hostile import tree
from tablegen.commands.init import SKELETON
from tablegen.load.books import load_book_strict
from test_import_docx import build_docx
from test_selfeval import seed_book

P = "2025年信息化运维"
COMMENTED = f"""\
# yaml-language-server: $schema=../../build/schema/project.schema.json
# 维护合同：津知〔2025〕3号
name: {P}
budget:
  # 按合同价
  total: 40.00
  fiscal: 40.00
  other:
usage: 用于信息化硬件维保、系统运维、网络安全、通信线路租赁等
goals:
  - 保证信息化系统正常运转
indicators:
  产出指标:
    数量指标:
      # 门户、OA、档案、视频会议、邮件
      - name: 运维系统数
        value: 5个
"""


def example(tmp_path: Path) -> Path:
    """`tablegen init`'s example book, its project file carrying comments; and its built DOCX
    with the amount and one value edited as an officer would in Word."""
    book = tmp_path / "example"
    shutil.copytree(SKELETON / "targets" / "example", book)
    path = book / f"{P}.yaml"
    text = path.read_text(encoding="utf-8")
    head = text[:text.index("    质量指标:")]
    path.write_text(COMMENTED + text[len(head):], encoding="utf-8")
    assert load_book_strict(book).projects[0].budget.total == 40
    build_docx(load_book_strict(book), tmp_path)
    edit(tmp_path / "example.docx", {"40.00": "45.00", "5个": "6个"})
    return book


def edit(docx: Path, replace: dict[str, str]) -> None:
    doc = Document(str(docx))
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    for r in p.runs:
                        r.text = replace.get(r.text, r.text)
    doc.save(str(docx))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


DIFF = [
    "书 example（示例单位2025年项目支出绩效目标表）",
    f"  修改项目：{P}（{P}.yaml）",
    "    预算 预算数（万元）：40.00 → 45.00（+5.00）",
    "    预算 财政资金（万元）：40.00 → 45.00（+5.00）",
    "    修改指标 产出指标 / 数量指标 / 运维系统数 · 指标值：5个 → 6个",
]


def test_without_update_nothing_is_written_and_the_way_to_update_is_said(tmp_path, run, caplog):
    # Once: every project skipped (`import-exists`), yet `写入 targets/example/book.yaml`.
    caplog.set_level("INFO", logger="tablegen")
    book = example(tmp_path)
    caplog.clear()  # the build that made example.docx
    before = snapshot(tmp_path)
    code, out, err = run("import", "example.docx", "--into", "example", cwd=tmp_path)
    assert (code, out) == (0, "")
    assert err.splitlines() == [
        f"example/book.yaml:1:1: warning[import-exists]: 书中已有项目“{P}”，未重复导入；"
        "要用源文件中的内容更新它，请加 --update 查看改动",
        "未写入任何文件：书中已有源文件中的全部项目；要用源文件更新这些项目，请加 --update 查看改动"]
    assert snapshot(tmp_path) == before
    assert book.is_dir() and caplog.messages == []


def test_update_shows_the_change_as_diff_does_and_writes_nothing(tmp_path, run):
    example(tmp_path)
    before = snapshot(tmp_path)
    code, out, err = run("import", "example.docx", "--into", "example", "--update", cwd=tmp_path)
    assert (code, out.splitlines()) == (0, DIFF)
    assert err == "以上是源文件带来的改动，未写入任何文件；确认无误后加 --apply 写入（保留文件中的注释）\n"
    assert snapshot(tmp_path) == before


def test_update_apply_writes_the_change_with_the_comments_kept(tmp_path, run, caplog):
    caplog.set_level("INFO", logger="tablegen")
    book = example(tmp_path)
    caplog.clear()  # the build that made example.docx
    before = snapshot(tmp_path)
    code, out, err = run("import", "example.docx", "--into", "example", "--update", "--apply",
                         cwd=tmp_path)
    assert (code, out.splitlines(), err) == (0, DIFF, "")
    assert caplog.messages == [f"写入 example/{P}.yaml"]
    after = snapshot(tmp_path)
    assert {k for k in after if after[k] != before.get(k)} == {f"example/{P}.yaml"}
    text = (book / f"{P}.yaml").read_text(encoding="utf-8")
    assert text.startswith(COMMENTED.replace("40.00", "45.00").replace("value: 5个", "value: 6个"))
    assert run("check", "example", cwd=tmp_path)[0] == 0
    # The book now says what the DOCX says.
    assert run("import", "example.docx", "--into", "example", "--update", cwd=tmp_path)[1] == \
        "表格没有变化。\n"


def test_a_renamed_table_updates_the_project_at_its_place(tmp_path, run):
    example(tmp_path)
    edit(tmp_path / "example.docx", {P: "2025年信息化运维（含等保测评）"})
    code, out, _ = run("import", "example.docx", "--into", "example", "--update", cwd=tmp_path)
    assert code == 0
    assert out.splitlines()[1:3] == [
        f"  修改项目：2025年信息化运维（含等保测评）（{P}.yaml）",
        f"    项目名称 项目名称：{P} → 2025年信息化运维（含等保测评）"]


@pytest.mark.parametrize("key", ["tianjin-ipa-2024", "binhai-ipa-2026"])
def test_a_book_updated_from_its_own_docx_does_not_change(tmp_path, run, key):
    folder = seed_book(tmp_path, key, evaluated=key == "tianjin-ipa-2024")
    build_docx(load_book_strict(folder), tmp_path)
    before = snapshot(folder)
    code, out, err = run("import", f"{key}.docx", "--into", key, "--update", "--apply",
                         cwd=tmp_path)
    assert (code, out, err) == (0, "表格没有变化。\n", "")
    assert snapshot(folder) == before


def test_self_evaluation_data_stays(tmp_path, run):
    # A DOCX holds targets only: the 实际完成值, 分值, deviations and execution block stay.
    folder = seed_book(tmp_path)
    build_docx(load_book_strict(folder), tmp_path)
    edit(tmp_path / "tianjin-ipa-2024.docx", {"≥98%": "≥99%"})
    name = "2024年局机关信息化运维.yaml"
    old = (folder / name).read_text(encoding="utf-8")
    code, out, err = run("import", "tianjin-ipa-2024.docx", "--into", "tianjin-ipa-2024", "--update",
                         "--apply", cwd=tmp_path)
    assert code == 0, out + err
    assert out.splitlines()[1:] == [
        f"  修改项目：2024年局机关信息化运维（{name}）",
        "    修改指标 产出指标 / 质量指标 / 系统正常运转率 · 指标值：≥98% → ≥99%",
        "    修改指标 满意度指标 / 服务对象满意度指标 / 服务企业满意度 · 指标值：≥98% → ≥99%"]
    assert "actual: 97.5%" in old and "execution:" in old
    assert (folder / name).read_text(encoding="utf-8") == old.replace("value: ≥98%", "value: ≥99%")


def test_a_table_in_another_money_unit_is_refused(tmp_path, run):
    example(tmp_path)
    edit(tmp_path / "example.docx", {"单位：万元": "单位：元"})
    before = tree(tmp_path)
    code, out, err = run("import", "example.docx", "--into", "example", "--update", cwd=tmp_path)
    assert (code, out) == (1, f"example.docx:1:1: error[import-unit]: 表“{P}”（第 1 张表）：金额单位是元，"
                              "而这本书用万元；请在源文件中把金额换算为万元后再导入（不会自动换算）\n")
    assert tree(tmp_path) == before


def test_apply_needs_update(tmp_path, run):
    code, _, err = run("import", "x.docx", "--into", "example", "--apply", cwd=tmp_path)
    assert (code, err) == (2, "错误：--apply 只能与 --update 一起使用：tablegen import 源文件 --into 书 "
                              "--update --apply\n")


def test_self_evaluation_data_of_a_deleted_indicator_is_named(tmp_path, run):
    folder = seed_book(tmp_path)
    build_docx(load_book_strict(folder), tmp_path)
    doc = Document(str(tmp_path / "tianjin-ipa-2024.docx"))
    grid = next(t for t in doc.tables if t.cell(0, 0).text == "一级指标"
                and any(c.text == "系统支持同时在线人数" for c in t.columns[2].cells))
    row = next(r for r in grid.rows if r.cells[2].text == "系统支持同时在线人数")
    grid._tbl.remove(row._tr)
    doc.save(str(tmp_path / "tianjin-ipa-2024.docx"))
    code, out, err = run("import", "tianjin-ipa-2024.docx", "--into", "tianjin-ipa-2024", "--update",
                         cwd=tmp_path)
    assert code == 0
    assert "    删除指标 产出指标 / 质量指标 / 系统支持同时在线人数：≥100人" in out.splitlines()
    assert err.splitlines()[0] == (
        "tianjin-ipa-2024.docx:1:1: warning[import-update]: 表“2024年局机关信息化运维”（第 1 张表）："
        "源文件中没有指标“产出指标 / 质量指标 / 系统支持同时在线人数”，它在 2024年局机关信息化运维.yaml "
        "中的自评数据（实际完成值等）随之删除")


def test_two_tables_updating_one_project_are_refused(tmp_path, run):
    example(tmp_path)
    shutil.copy(tmp_path / "example.docx", tmp_path / "again.docx")
    before = tree(tmp_path)
    code, out, err = run("import", "example.docx", "again.docx", "--into", "example", "--update",
                         "--apply", cwd=tmp_path)
    assert code == 1
    assert "error[import-twice]" in out and f"都更新项目“{P}”" in out
    assert tree(tmp_path) == before
