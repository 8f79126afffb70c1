"""`tablegen fmt`: one canonical form, comments kept, idempotent, never lossy."""

from __future__ import annotations

import shutil

import pytest

from conftest import FIXTURES, ROOT, TARGETS
from tablegen.fmt import format_text

FMT = FIXTURES / "fmt"


@pytest.mark.parametrize("path", sorted(TARGETS.rglob("*.yaml")), ids=lambda p: p.name)
def test_every_target_file_is_already_canonical(path):
    text = path.read_text(encoding="utf-8")
    out, report = format_text(text, path.name, path.name == "book.yaml")
    assert report.errors == []
    assert out == text


def test_fmt_check_on_targets_passes(run):
    code, out, _ = run("fmt", "--check", "targets", cwd=ROOT)
    assert (code, out) == (0, "")


@pytest.mark.parametrize("name", ["messy", "book"])
def test_messy_files_become_canonical_and_keep_their_comments(tmp_path, run, name):
    shutil.copytree(FMT, tmp_path / "b")
    code, out, _ = run("fmt", "--check", "b", cwd=tmp_path)
    assert code == 1
    assert out.splitlines() == ["需要格式化：b/book.yaml", "需要格式化：b/messy.yaml"]
    assert run("fmt", "b", cwd=tmp_path)[0] == 0
    got = (tmp_path / "b" / f"{name}.yaml").read_text(encoding="utf-8")
    assert got == (FIXTURES / "fmt-expected" / f"{name}.yaml").read_text(encoding="utf-8")
    # A second run changes nothing.
    assert run("fmt", "--check", "b", cwd=tmp_path)[:2] == (0, "")


def test_a_file_the_model_cannot_hold_exactly_is_left_alone(tmp_path, run):
    f = tmp_path / "p.yaml"
    text = (FIXTURES / "rules" / "amount-precision.yaml").read_text(encoding="utf-8")
    f.write_text(text, encoding="utf-8")
    code, out, _ = run("fmt", "p.yaml", cwd=tmp_path)
    assert code == 1
    assert out.splitlines()[-1] == (
        "p.yaml:3:10: error[fmt-skipped]: 文件有错误，未格式化；请先按 tablegen check 的提示修正")
    assert f.read_text(encoding="utf-8") == text


def test_unknown_keys_block_formatting(tmp_path):
    text = (FIXTURES / "rules" / "unknown-key.yaml").read_text(encoding="utf-8")
    out, report = format_text(text, "p.yaml", False)
    assert out is None
    assert "unknown-key" in {f.rule for f in report.errors}
