"""Indicator suggestions where an officer types: the JSON Schema's completions after `make docs`,
`tablegen new` from the nearest earlier project, the index itself."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import TEST_BOOKS, need_program
from tablegen.commands.init import SKELETON
from tablegen.load.books import load_book_strict
from tablegen.model.book import Project
from tablegen.review.history import Version
from tablegen.review.index import build_index, nearest


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo,
                   check=True, capture_output=True)


def make_docs(run, repo: Path) -> None:
    """The agency repository's `make docs`, as its Makefile (from `tablegen init`) says it."""
    makefile = (SKELETON / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^docs:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe is not None
    commands = [line.strip().removeprefix("$(BIN)/tablegen ").split() for line in
                recipe.group(1).splitlines()]
    assert commands == [["schema", "-q"], ["build", "targets"]]
    for args in commands:
        code, _, err = run(*args, cwd=repo)
        assert code == 0, err


@pytest.fixture
def agency(tmp_path):
    """An agency repository with its 2024 book and one indicator only git history remembers."""
    need_program("git")
    repo = tmp_path / "agency"
    book = repo / "targets" / "tianjin-2024"
    shutil.copytree(TEST_BOOKS / "tianjin-ipa-2024", book)
    project = book / "2024年保护中心信息化运维经费.yaml"
    text = project.read_text(encoding="utf-8")
    extra = "      - name: 门户网站安全扫描次数\n        value: ≥1次\n"
    assert extra in text
    project.write_text(text.replace(extra, extra + "      - name: 网站巡检次数\n        value: ≥12次\n"),
                       encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "2024 with 网站巡检次数")
    project.write_text(text, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "网站巡检次数 dropped")
    return repo


def test_after_make_docs_the_schema_offers_the_repos_own_indicators_for_a_level2(agency, run):
    make_docs(run, agency)
    schema = json.loads((agency / "build" / "schema" / "project.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    level1 = schema["properties"]["indicators"]["properties"]["产出指标"]
    assert list(level1["properties"]) == ["数量指标", "质量指标", "时效指标", "成本指标"]
    items = level1["properties"]["数量指标"]["items"]
    names = items["properties"]["name"]["examples"]
    # The agency's own first (this year's and git history's), then the common library.
    own = names[:names.index("购置设备数量")]
    assert {"门户网站安全扫描次数", "网站巡检次数", "等保测评系统数",
            "专利代理师资格考试报名人数"} <= set(own)
    assert "网站巡检次数" not in (agency / "targets" / "tianjin-2024" /
                             "2024年保护中心信息化运维经费.yaml").read_text(encoding="utf-8")
    assert names[len(own):][:3] == ["购置设备数量", "组织培训班次", "培训参加人数"]
    assert {"≥1次", "≥12次", "1个"} <= set(items["properties"]["value"]["examples"])
    snippet = next(s for s in items["defaultSnippets"] if s["label"] == "等保测评系统数")
    assert snippet == {"label": "等保测评系统数",
                       "description": "本单位 2024 年的 1 个项目用过；常用值 1个；符号 ＝；单位 个",
                       "body": {"name": "等保测评系统数", "value": "1个"}}
    # 满意度 under its own 一级, the common ones with their 指标解释 where a source gives one.
    satisfaction = schema["properties"]["indicators"]["properties"]["满意度指标"]["properties"]
    assert "服务企业满意度" in satisfaction["服务对象满意度指标"]["items"]["properties"]["name"]["examples"]
    cost = level1["properties"]["成本指标"]["items"]["defaultSnippets"]
    assert next(s for s in cost if s["label"] == "成本节约率")["description"] == (
        "共性指标（通用）：实际发生成本低于预算成本的比例，反映成本控制的成效（来源：率）")
    # cost-first's 经济成本指标 offers the same cost indicators.
    economic = schema["properties"]["indicators"]["properties"]["成本指标"]["properties"]["经济成本指标"]
    assert "人均培训成本" in economic["items"]["properties"]["name"]["examples"]
    # Every file of the repository still satisfies its schema.
    validator = jsonschema.Draft202012Validator(schema)
    for path in (agency / "targets" / "tianjin-2024").glob("2*.yaml"):
        assert list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))) == []


def test_new_prefills_from_the_nearest_earlier_project(agency, run):
    assert run("new-book", "tianjin-2025", "--title", "天津市知识产权局2025年项目支出绩效目标表",
               "--year", "2025", "--agency", "610203", "天津市知识产权保护中心", cwd=agency)[0] == 0
    code, _, err = run("new", "tianjin-2025", "2025年保护中心运行维护费")
    assert code == 0, err
    assert ("已按 targets/tianjin-2024/2024年保护中心运行维护费.yaml 预填"
            "（2024 年的项目“2024年保护中心运行维护费”）"
            in err)
    path = agency / "targets" / "tianjin-2025" / "2025年保护中心运行维护费.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[:8] == [
        "# yaml-language-server: $schema=../../build/schema/project.schema.json",
        "# 由 tablegen new 按 targets/tianjin-2024/2024年保护中心运行维护费.yaml（2024年）预填："
        "请逐项核对绩效目标、"
        "指标和指标值，并填写预算数",
        "name: 2025年保护中心运行维护费",
        "budget:",
        "  total: 0.00",
        "  fiscal: 0.00",
        "  other:",
        "usage: 用于保护中心运行的办公场地房租、物业等费用。",
    ]
    new = load_book_strict(agency / "targets" / "tianjin-2025").projects[0]
    old = load_book_strict(agency / "targets" / "tianjin-2024").projects[7]
    assert old.name == "2024年保护中心运行维护费"
    assert [(l1.name, l2.name, i.name) for l1, l2, i in new.rows()] == [
        (l1.name, l2.name, i.name) for l1, l2, i in old.rows()]
    # Dates move to the new year, as rollover moves them; each value says what it was.
    assert [i.value for _, _, i in new.rows()][4:6] == ["2025年12月31日前", "2025年12月31日前"]
    assert "        # 2024年指标值 2024年12月31日前" in lines
    assert new.goals == old.goals and new.execution is None
    # A name like none of the earlier ones starts from the frame's skeleton; so does --blank.
    assert run("new", "tianjin-2025", "2025年档案数字化")[0] == 0
    assert "请填写绩效目标" in (path.parent / "2025年档案数字化.yaml").read_text(encoding="utf-8")
    code, _, err = run("new", "tianjin-2025", "2025年保护中心信息化运维经费", "--blank")
    assert code == 0 and "预填" not in err
    assert "请填写三级指标" in (path.parent / "2025年保护中心信息化运维经费.yaml").read_text(encoding="utf-8")


def version(name: str, year: int, age: int = 0, rows: tuple[tuple[str, str], ...] = ()) -> Version:
    from decimal import Decimal

    from tablegen.model.book import Budget, Indicator, Level1, Level2

    indicators = [Level1("产出指标", [Level2("数量指标", [Indicator(n, v) for n, v in rows])])]
    project = Project(name, Budget(Decimal(1)), "", ["目标"], indicators, file=f"{name}.yaml")
    return Version(year, f"b{year}", "万元", project, f"targets/b{year}/{name}.yaml", age)


def test_nearest_is_the_latest_earlier_year_then_the_newest_version():
    versions = [version("2023年局机关信息化运维", 2023), version("2024年局机关信息化运维", 2024, 3),
                version("2024年局机关信息化运维", 2024, 1), version("2025年局机关信息化运维", 2025),
                version("2024年专利代理师资格考试", 2024)]
    found = nearest(versions, "2025年局机关信息化运维", 2025)
    assert found is not None and (found.year, found.age) == (2024, 1)  # never this year's own
    assert nearest(versions, "2025年天津市志编修", 2025) is None


def test_the_index_counts_projects_not_versions():
    rows = (("培训人次", "≥200人次"),)
    index = build_index([version("2024年培训", 2024, 0, rows), version("2024年培训", 2024, 2, rows),
                         version("2023年培训", 2023, 0, (("培训人次", "≥150人次"),))], common=False)
    [entry] = index.entries.values()
    assert (entry.level1, entry.level2, entry.name) == ("产出指标", "数量指标", "培训人次")
    assert entry.projects == {(2024, "2024年培训"), (2023, "2023年培训")}
    assert entry.top_values() == ["≥150人次", "≥200人次"]
    assert (entry.sign, entry.unit, entry.years) == ("≥", "人次", [2023, 2024])
    assert entry.summary() == ("本单位 2023、2024 年的 2 个项目用过；常用值 ≥150人次、≥200人次；"
                               "符号 ≥；单位 人次")
