"""`tablegen diff`: two revisions of a temporary repo, the exact changes a reviewer sees."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import TEST_BOOKS
from tablegen.commands.diff import as_markdown, as_text, diff

BOOK = "binhai-ipa-2026"
P1 = "2026年滨海新区知识产权运营促进保护发展工作经费.yaml"
P2 = "2026年关于推动信创产业提升知识产权创造质量和运用效益的重点举措研究项目.yaml"
P3 = "中央2025年安可替代专项-津财行政指[2025]69号.yaml"


def git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    shutil.copytree(TEST_BOOKS / BOOK, tmp_path / "targets" / BOOK)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "a")
    return tmp_path


def edit(repo, name, old, new):
    path = repo / "targets" / BOOK / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def commit(repo):
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qam", "b")


def test_amount_change(repo):
    edit(repo, P3, "  total: 12232.20\n  fiscal: 12232.20", "  total: 13000.00\n  fiscal: 13000.00")
    diffs, _ = diff(repo, "HEAD")
    assert as_text(diffs).splitlines() == [
        "书 binhai-ipa-2026（天津市滨海新区知识产权局2026年项目支出绩效目标表）",
        f"  修改项目：中央2025年安可替代专项-津财行政指[2025]69号（{P3}）",
        "    预算 预算数（元）：12232.20 → 13000.00（+767.80）",
        "    预算 财政资金（元）：12232.20 → 13000.00（+767.80）",
    ]


def test_added_and_removed_indicators_and_a_changed_goal(repo):
    edit(repo, P3, "      - name: 相关产品采购完成时限\n        value: 2026年11月底前\n",
         "      - name: 设备到货时限\n        value: 2026年10月底前\n")
    edit(repo, P3, "  - 通过不断深化安可替代工作", "  - 通过持续深化安可替代工作")
    commit(repo)
    diffs, _ = diff(repo, "HEAD~1", "HEAD")
    assert as_text(diffs).splitlines()[1:] == [
        f"  修改项目：中央2025年安可替代专项-津财行政指[2025]69号（{P3}）",
        "    绩效目标 第 1 条：通过不断深化安可替代工作，保障单位信息系统安全水平，减少潜在安全风险。"
        " → 通过持续深化安可替代工作，保障单位信息系统安全水平，减少潜在安全风险。",
        "    删除指标 产出指标 / 时效指标 / 相关产品采购完成时限：2026年11月底前",
        "    新增指标 产出指标 / 时效指标 / 设备到货时限：2026年10月底前",
    ]


def test_changed_value_and_a_reordered_project(repo):
    edit(repo, P1, "        value: ≥12家", "        value: ≥15家")
    edit(repo, "book.yaml", f"      - {P1}\n      - {P2}\n", f"      - {P2}\n      - {P1}\n")
    diffs, _ = diff(repo, "HEAD")
    assert as_text(diffs).splitlines()[1:] == [
        f"  修改项目：2026年滨海新区知识产权运营促进保护发展工作经费（{P1}）",
        "    位置 表序：1（610101） → 2（610101）",
        "    修改指标 产出指标 / 数量指标 / 支撑服务知识产权保护工作站 · 指标值：≥12家 → ≥15家",
        "  修改项目：2026年关于推动信创产业提升知识产权创造质量和运用效益的重点举措研究项目"
        f"（自有资金）（其他收入资金）（{P2}）",
        "    位置 表序：2（610101） → 1（610101）",
    ]


def test_renamed_project(repo):
    edit(repo, P3, "name: 中央2025年安可替代专项-津财行政指[2025]69号",
         "name: 中央2025年安可替代专项")
    diffs, _ = diff(repo, "HEAD")
    assert as_text(diffs).splitlines()[1:] == [
        f"  修改项目：中央2025年安可替代专项（{P3}）",
        "    项目名称 项目名称：中央2025年安可替代专项-津财行政指[2025]69号 → 中央2025年安可替代专项",
    ]


def test_renamed_file_keeps_its_project(repo):
    git(repo, "mv", f"targets/{BOOK}/{P3}", f"targets/{BOOK}/安可替代.yaml")
    edit(repo, "book.yaml", f"      - {P3}", "      - 安可替代.yaml")
    diffs, _ = diff(repo, "HEAD")
    assert as_text(diffs).splitlines()[1:] == [
        "  修改项目：中央2025年安可替代专项-津财行政指[2025]69号（安可替代.yaml）",
        f"    位置 文件：{P3} → 安可替代.yaml",
    ]


def test_added_and_removed_projects_and_markdown(repo):
    edit(repo, "book.yaml", f"      - {P2}\n", "")
    diffs, _ = diff(repo, "HEAD")
    assert as_text(diffs).splitlines()[1:] == [
        "  删除项目：2026年关于推动信创产业提升知识产权创造质量和运用效益的重点举措研究项目"
        f"（自有资金）（其他收入资金）（{P2}）"]
    edit(repo, P1, "  total: 1020000.00\n  fiscal: 1020000.00",
         "  total: 1000000.00\n  fiscal: 1000000.00")
    diffs, _ = diff(repo, "HEAD")
    md = as_markdown(diffs)
    assert md.startswith("### 天津市滨海新区知识产权局2026年项目支出绩效目标表（`binhai-ipa-2026`）\n\n"
                         f"**修改项目：2026年滨海新区知识产权运营促进保护发展工作经费**（`{P1}`）\n\n"
                         "| 变动 | 位置 | 原值 | 新值 |\n| --- | --- | --- | --- |\n"
                         "| 预算 | 预算数（元） | 1020000.00 | 1000000.00（-20000.00） |\n")


def test_the_default_base_is_the_merge_base_with_main(repo, run):
    git(repo, "checkout", "-qb", "feature")
    edit(repo, P1, "        value: ≥12家", "        value: ≥13家")
    commit(repo)
    edit(repo, P1, "        value: ≥13家", "        value: ≥14家")
    code, out, _ = run("diff", cwd=repo)
    assert code == 0
    assert out.splitlines()[-1] == (
        "    修改指标 产出指标 / 数量指标 / 支撑服务知识产权保护工作站 · 指标值：≥12家 → ≥14家")
    code, out, _ = run("diff", "main", "feature", "--format", "markdown", cwd=repo)
    assert "| 修改指标 | 产出指标 / 数量指标 / 支撑服务知识产权保护工作站 · 指标值 | ≥12家 | ≥13家 |" in out


def test_no_change(repo, run):
    assert run("diff", "HEAD", cwd=repo)[1] == "表格没有变化。\n"


def test_a_renamed_indicator_is_one_changed_row(repo):
    edit(repo, P3, "      - name: 相关产品采购完成时限\n", "      - name: 产品采购完成时限\n")
    edit(repo, P3, "      - name: 设备购置成本\n        value: ≤12232.2元\n",
         "      - name: 设备购置费用\n        value: ≤12000元\n")
    diffs, _ = diff(repo, "HEAD")
    assert as_text(diffs).splitlines()[2:] == [
        # Name and value both changed: nothing is left to say it is the same row.
        "    删除指标 产出指标 / 成本指标 / 设备购置成本：≤12232.2元",
        "    修改指标 产出指标 / 时效指标 / 相关产品采购完成时限 · 三级指标："
        "相关产品采购完成时限 → 产品采购完成时限",
        "    新增指标 产出指标 / 成本指标 / 设备购置费用：≤12000元",
    ]


def test_an_inserted_goal_does_not_change_the_later_ones(repo):
    edit(repo, P3, "goals:\n", "goals:\n  - 新的第一条目标。\n")
    diffs, _ = diff(repo, "HEAD")
    assert as_text(diffs).splitlines()[2:] == ["    绩效目标 第 1 条：新的第一条目标。"]
    commit(repo)
    edit(repo, P3, "  - 通过不断深化安可替代工作，保障单位信息系统安全水平，减少潜在安全风险。\n", "")
    diffs, _ = diff(repo, "HEAD")
    assert as_text(diffs).splitlines()[2:] == [
        "    绩效目标 原第 2 条：通过不断深化安可替代工作，保障单位信息系统安全水平，减少潜在安全风险。"]


def test_book_settings_and_agencies(repo):
    edit(repo, "book.yaml", "money_unit: 元", "money_unit: 万元")
    edit(repo, "book.yaml", "agencies:\n", "agencies:\n  - code: \"610203\"\n    name: 新单位\n"
         "    projects:\n")
    diffs, _ = diff(repo, "HEAD")
    assert as_text(diffs).splitlines() == [
        "书 binhai-ipa-2026（天津市滨海新区知识产权局2026年项目支出绩效目标表）",
        "  书 金额单位：元 → 万元",
        "  新增单位 610203：新单位",
    ]
    assert as_markdown(diffs).splitlines()[2:5] == [
        "| 变动 | 位置 | 原值 | 新值 |", "| --- | --- | --- | --- |", "| 书 | 金额单位 | 元 | 万元 |"]


def test_an_agencys_contact_and_phone_are_changes_of_its_tables(repo):
    # What a layout prints of the agency (填表人, 联系电话 under the 湘潭 table) is a change.
    edit(repo, "book.yaml", "    name: 天津市滨海新区知识产权局\n",
         "    name: 天津市滨海新区知识产权局\n    contact: 宋云花\n    phone: \"16607326331\"\n")
    diffs, _ = diff(repo, "HEAD")
    assert as_text(diffs).splitlines()[1:] == [
        "  单位信息 天津市滨海新区知识产权局 · 填表人：宋云花",
        "  单位信息 天津市滨海新区知识产权局 · 联系电话：16607326331",
    ]


def test_a_budget_that_does_not_add_up_still_shows_its_change(repo):
    # check reports budget-sum; the reviewer still sees what the change did.
    edit(repo, P3, "  total: 12232.20\n", "  total: 12000.00\n")
    diffs, _ = diff(repo, "HEAD")
    assert as_text(diffs).splitlines()[2:] == ["    预算 预算数（元）：12232.20 → 12000.00（-232.20）"]


def test_a_file_that_cannot_be_read_stops_the_diff(repo, run):
    edit(repo, P3, "name: ", "name: [")
    code, out, err = run("diff", "HEAD", cwd=repo)
    assert (code, out) == (1, "")
    # The unreadable file and its error, first and only: no other book's warnings before it.
    lines = err.splitlines()
    assert lines[0] == "错误：有文件无法读取，无法比较："
    assert len(lines) == 2 and lines[1].startswith(f"targets/{BOOK}/{P3}:2:7: error[yaml-syntax]: ")


def test_an_added_project_is_shown_whole(repo):
    src = repo / "targets" / BOOK / P3
    (repo / "targets" / BOOK / "new.yaml").write_text(
        src.read_text(encoding="utf-8").replace("name: 中央2025年安可替代专项", "name: 新的专项"),
        encoding="utf-8")
    edit(repo, "book.yaml", f"      - {P3}\n", f"      - {P3}\n      - new.yaml\n")
    diffs, _ = diff(repo, "HEAD")
    lines = as_text(diffs).splitlines()
    assert lines[1] == "  新增项目：新的专项-津财行政指[2025]69号（new.yaml）"
    assert lines[2:4] == ["    预算 预算数（元）：12232.20", "    预算 财政资金（元）：12232.20"]
    body = "\n".join(lines)
    assert "    资金用途 资金用途：" in body and "    绩效目标 第 1 条：" in body
    rows = [line for line in lines if line.startswith("    新增指标 ")]
    from tablegen.load.books import load_book_strict
    project = next(p for p in load_book_strict(repo / "targets" / BOOK).projects
                   if p.file == "new.yaml")
    assert len(rows) == len(list(project.rows())) > 0


def test_a_project_moved_to_another_agency(repo):
    edit(repo, "book.yaml", f"      - {P3}\n", "")
    text = (repo / "targets" / BOOK / "book.yaml").read_text(encoding="utf-8")
    (repo / "targets" / BOOK / "book.yaml").write_text(
        text + f'  - code: "610203"\n    name: 新单位\n    projects:\n      - {P3}\n', encoding="utf-8")
    diffs, _ = diff(repo, "HEAD")
    assert as_text(diffs).splitlines()[1:] == [
        "  新增单位 610203：新单位",
        f"  修改项目：中央2025年安可替代专项-津财行政指[2025]69号（{P3}）",
        "    位置 表序：3（610101） → 3（610203）",
    ]


def test_a_committed_file_name_with_a_line_break(repo, run):
    # Once an internal error (IndexError): `git cat-file` was asked for `rev:path` lines.
    odd = "安可\n替代.yaml"
    git(repo, "mv", f"targets/{BOOK}/{P3}", f"targets/{BOOK}/{odd}")
    edit(repo, "book.yaml", f"      - {P3}", '      - "安可\\n替代.yaml"')
    (repo / "targets" / BOOK / "草稿\n.yaml").write_text("x: 1\n", encoding="utf-8")
    git(repo, "add", ".")
    commit(repo)
    edit(repo, odd, "  total: 12232.20\n  fiscal: 12232.20", "  total: 13000.00\n  fiscal: 13000.00")
    commit(repo)
    expected = [
        "书 binhai-ipa-2026（天津市滨海新区知识产权局2026年项目支出绩效目标表）",
        "  修改项目：中央2025年安可替代专项-津财行政指[2025]69号（安可\\n替代.yaml）",
        "    预算 预算数（元）：12232.20 → 13000.00（+767.80）",
        "    预算 财政资金（元）：12232.20 → 13000.00（+767.80）",
    ]
    diffs, _ = diff(repo, "HEAD~1", "HEAD")
    assert as_text(diffs).splitlines() == expected
    code, out, err = run("diff", "HEAD~1", cwd=repo)
    assert (code, out.splitlines(), err) == (0, expected, "")
    diffs, _ = diff(repo, "HEAD~2", "HEAD~1")
    assert as_text(diffs).splitlines() == [
        expected[0], "  修改项目：中央2025年安可替代专项-津财行政指[2025]69号（安可\\n替代.yaml）",
        f"    位置 文件：{P3} → 安可\\n替代.yaml"]
    # diff reads through git and writes nothing.
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True)
    assert status.stdout == b""
