"""The pull-request workflow and the pre-commit hooks are valid and run the right commands,
this repository's and the ones `tablegen init` writes into an agency's repository."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from conftest import ROOT, TEST_BOOKS
from tablegen.commands.init import SKELETON


@pytest.mark.parametrize("workflow", [ROOT / ".github" / "workflows" / "tablegen.yml",
                                      SKELETON / "github" / "workflows" / "tablegen.yml"],
                         ids=["repository", "init"])
def test_the_workflow_runs_every_step_on_pull_requests(workflow):
    wf = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    # PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as "on".
    assert wf[True] == {"pull_request": None}
    steps = wf["jobs"]["tables"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert ".venv/bin/tablegen fmt --check" in runs
    assert ".venv/bin/tablegen check --format github" in runs
    assert ".venv/bin/tablegen build -q" in runs
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "build/"
    summary = next(r for r in runs if "tablegen diff" in r)
    assert "--format markdown" in summary and '>> "$GITHUB_STEP_SUMMARY"' in summary
    check = next(s for s in steps if s.get("run") == ".venv/bin/tablegen check --format github")
    assert check["if"] == "${{ !cancelled() }}"  # annotations even when fmt --check failed
    assert next(s for s in steps if "tablegen diff" in s.get("run", ""))["if"] == "always()"
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    order = [runs.index(r) for r in (".venv/bin/tablegen fmt --check",
                                     ".venv/bin/tablegen check --format github",
                                     ".venv/bin/tablegen review --format github",
                                     ".venv/bin/tablegen build -q")]
    assert order == sorted(order)
    # The target review annotates the lines; it fails the check only when the repository's
    # review.yaml sets fail_below (the workflow itself sets no threshold), and its grades go to
    # the summary whatever happened before.
    review = next(s for s in steps if s.get("run") == ".venv/bin/tablegen review --format github")
    assert review["if"] == "${{ !cancelled() }}"
    assert not any("--fail-below" in r for r in runs)
    summary = next(s for s in steps if "review --format markdown" in s.get("run", ""))
    assert summary["if"] == "always()" and '>> "$GITHUB_STEP_SUMMARY"' in summary["run"]


@pytest.mark.parametrize("workflow", [ROOT / ".github" / "workflows" / "tablegen.yml",
                                      SKELETON / "github" / "workflows" / "tablegen.yml"],
                         ids=["repository", "init"])
def test_the_workflow_installs_what_the_docx_contents_need_before_it_builds(workflow):
    steps = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]["tables"]["steps"]
    runs = [s.get("run", "") for s in steps]
    text = "\n".join(runs)
    if "sudo bash .ci/system-packages" in runs:  # the repository's workflow runs its script
        text += (ROOT / ".ci" / "system-packages").read_text(encoding="utf-8")
    packages = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", text))
    # LibreOffice lays the DOCX out for the 目录's true page numbers; Liberation fonts set its
    # digits as wide as Word does; a CJK font and pango for the PDF.
    assert {"libreoffice-writer-nogui", "fonts-liberation", "fonts-noto-cjk", "libpango-1.0-0"} <= packages
    installed = next(i for i, s in enumerate(steps) if "apt-get" in s.get("run", "") or
                     "system-packages" in s.get("run", ""))
    assert installed < runs.index("make setup") < runs.index(".venv/bin/tablegen build -q")


def test_an_agencys_workflow_installs_tablegen_from_its_repository_only():
    text = (SKELETON / "github" / "workflows" / "tablegen.yml").read_text(encoding="utf-8")
    # `make setup` installs the wheel in tools/; nothing asks an index for `tablegen` by name.
    assert "pip" not in text and "make setup" in text
    makefile = (SKELETON / "Makefile").read_text(encoding="utf-8")
    assert re.findall(r"^setup:.*\n\t(.*)", makefile, re.M) == ["@$(PYTHON) tools/install.py"]


@pytest.mark.parametrize("config", [ROOT / ".pre-commit-config.yaml",
                                    SKELETON / "pre-commit-config.yaml"], ids=["repository", "init"])
def test_pre_commit_hooks(config):
    cfg = yaml.safe_load(config.read_text(encoding="utf-8"))
    hooks = {h["id"]: h for repo in cfg["repos"] for h in repo["hooks"]}
    assert hooks["tablegen-fmt"]["entry"] == ".venv/bin/tablegen fmt"
    assert hooks["tablegen-check"]["entry"] == ".venv/bin/tablegen check targets"
    assert all(h["language"] == "system" and h["files"] == r"^targets/.*\.ya?ml$"
               for h in hooks.values())


# GitHub's workflow command: `::error file=…,line=…,col=…,title=…::message`, where a property
# value escapes % \r \n : , and the message escapes % \r \n.
ANNOTATION = re.compile(r"^::(error|warning|notice) file=([^,:]+),line=(\d+),col=(\d+),"
                        r"title=([^,:]+)::([^\r\n]*)$")


def unescape(value: str) -> str:
    for code, ch in (("%2C", ","), ("%3A", ":"), ("%0A", "\n"), ("%0D", "\r"), ("%25", "%")):
        value = value.replace(code, ch)
    return value


def test_check_in_the_workflow_annotates_repo_relative_lines(tmp_path, run):
    # As in CI: `tablegen check --format github` from the repository's root, default targets/.
    book = tmp_path / "targets" / "b"
    shutil.copytree(TEST_BOOKS / "binhai-ipa-2026", book)
    old = "中央2025年安可替代专项-津财行政指[2025]69号.yaml"
    text = (book / old).read_text(encoding="utf-8").replace("  total: 12232.20", "  total: 12000.00")
    (book / old).unlink()
    (book / "安可,替代:1%.yaml").write_text(text, encoding="utf-8")
    listing = (book / "book.yaml").read_text(encoding="utf-8")
    (book / "book.yaml").write_text(listing.replace(f"      - {old}", "      - '安可,替代:1%.yaml'"),
                                    encoding="utf-8")
    code, out, _ = run("check", "--format", "github", cwd=tmp_path)
    assert code == 1
    assert out.splitlines() == [
        "::error file=targets/b/安可%2C替代%3A1%25.yaml,line=4,col=10,title=budget-sum::"
        "budget.total：预算数 12000.00 不等于 财政资金 12232.20 + 其他资金 0 = 12232.20",
        "::error file=targets/b/安可%2C替代%3A1%25.yaml,line=23,col=16,title=cost-cap::"
        "indicators.产出指标.成本指标[1].value：成本指标“≤12232.2元”超过项目预算数 12000.00元",
    ]
    for line in out.splitlines():
        m = ANNOTATION.match(line)
        assert m is not None, line
        path = tmp_path / unescape(m.group(2))
        # The annotated line holds the key the message names.
        key = unescape(m.group(6)).split("：")[0].split(".")[-1].split("[")[0]
        assert path.read_text(encoding="utf-8").splitlines()[int(m.group(3)) - 1].strip() \
            .startswith(f"{key}:")
