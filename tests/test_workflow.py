"""The pull-request workflow and the pre-commit hooks are valid and run the right commands."""

from __future__ import annotations

import yaml

from conftest import ROOT


def test_the_workflow_runs_every_step_on_pull_requests():
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "tablegen.yml").read_text(encoding="utf-8"))
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
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    order = [runs.index(r) for r in (".venv/bin/tablegen fmt --check",
                                     ".venv/bin/tablegen check --format github",
                                     ".venv/bin/tablegen build -q")]
    assert order == sorted(order)


def test_pre_commit_hooks():
    cfg = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {h["id"]: h for repo in cfg["repos"] for h in repo["hooks"]}
    assert hooks["tablegen-fmt"]["entry"] == ".venv/bin/tablegen fmt"
    assert hooks["tablegen-check"]["entry"] == ".venv/bin/tablegen check targets"
    assert all(h["language"] == "system" and h["files"] == r"^targets/.*\.ya?ml$"
               for h in hooks.values())
