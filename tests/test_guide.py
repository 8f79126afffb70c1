"""The user guide (docs/, mkdocs.yml): it builds in strict mode, and every command and every rule
has its page; the rules registry holds every rule the guide and the README name."""

from __future__ import annotations

import argparse
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from tablegen.cli import COMMANDS, parser
from tablegen.cli_text import chinese
from tablegen.rules import ERROR, RULES, WARNING

RULE_ID = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"
# Where a page or the README names a rule: a finding (`error[budget-sum]`), a link to its page, or
# a row of a rules table (`| `budget-sum` | error | …`).
NAMED_IN_FINDING = re.compile(rf"\b(?:error|warning)\[({RULE_ID})\]")
NAMED_IN_LINK = re.compile(rf"reference/rules/(?!index\.md)({RULE_ID})\.md")
TABLE_ROW = re.compile(rf"^\| `({RULE_ID})`(?: / `({RULE_ID})`)? \| (error|warning) \|", re.MULTILINE)


def text_of(page: Path) -> str:
    """A built page's text, tags removed and entities read."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("guide") / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"),
         "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "WARNING" not in done.stderr, done.stderr[-3000:]
    return out


@pytest.mark.slow
def test_the_guide_builds_in_strict_mode_with_every_chapter(site):
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    chapters = ["index", "install", "init", "new", "edit", "check", "serve", "build", "import", "diff",
                "rollover", "monitoring", "selfeval", "overall", "formats/docx", "formats/pdf",
                "formats/html", "formats/xlsx",
                "engineering/cache", "engineering/atomic", "engineering/fonts",
                "engineering/benchmarks", "engineering/security"]
    assert {f"{c}.html" for c in chapters} <= pages
    edit = text_of(site / "edit.html")
    assert "money_unit" in edit and "金额单位" in edit  # the tables of keys, made from schema.py
    assert "<!-- tablegen:fields" not in (site / "edit.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_every_command_has_its_page_with_its_help(site):
    commands = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert sorted(commands) == sorted(COMMANDS)  # the parser's commands, each dispatched by the CLI
    index = text_of(site / "reference" / "commands" / "index.html")
    for name, sub in commands.items():
        page = site / "reference" / "commands" / f"{name}.html"
        assert page.is_file(), name
        with chinese():
            usage = sub.format_usage().split("\n")[0]
        assert usage.startswith(f"用法：tablegen {name}")
        assert usage.split(" [")[0] in text_of(page), name
        assert f"tablegen {name}" in index


@pytest.mark.slow
def test_every_rule_has_its_page_with_its_title_and_severity(site):
    index = text_of(site / "reference" / "rules" / "index.html")
    for rule in RULES:
        page = site / "reference" / "rules" / f"{rule.id}.html"
        assert page.is_file(), rule.id
        text = text_of(page)
        assert f"{rule.id}：{rule.title}" in text
        assert f"严重程度：{'错误' if rule.severity == ERROR else '警告'}（{rule.severity}）" in text
        assert rule.id in index


def test_the_rules_registry_is_well_formed():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert re.fullmatch(RULE_ID, rule.id), rule.id
        assert rule.severity in (ERROR, WARNING), rule.id
        assert rule.title and rule.description.endswith("。"), rule.id
    assert [r.id for r in RULES if r.fixable] == ["unquoted-sign"]


def test_the_rules_registry_holds_every_rule_the_guide_and_the_readme_name():
    sources = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    named: dict[str, str] = {}
    severities: dict[str, str] = {}
    for path in sources:
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT).as_posix()
        for pattern in (NAMED_IN_FINDING, NAMED_IN_LINK):
            for m in pattern.finditer(text):
                named.setdefault(m.group(1), where)
        for m in TABLE_ROW.finditer(text):
            for rule_id in filter(None, m.group(1, 2)):
                named.setdefault(rule_id, where)
                severities[rule_id] = m.group(3)
    by_id = {r.id: r for r in RULES}
    assert len(named) >= 20  # the guide names rules all over; a broken pattern would find none
    missing = {rule_id: where for rule_id, where in named.items() if rule_id not in by_id}
    assert missing == {}
    wrong = {i: s for i, s in severities.items() if by_id[i].severity != s}
    assert wrong == {}


def test_the_readmes_first_screen_shows_what_tablegen_is_a_picture_the_two_commands_and_the_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = readme.split("\n## ")[0]  # what comes before the developers' section
    assert len(first.splitlines()) <= 30
    picture = re.search(r'<img src="(docs/img/[^"]+)"|!\[[^\]]*\]\((docs/img/[^)]+)\)', first)
    assert picture is not None and (ROOT / (picture.group(1) or picture.group(2))).is_file()
    assert "项目支出绩效目标表" in first
    assert "tablegen init" in first and "make docs" in first
    assert "make guide" in first and "](docs/index.md)" in first
