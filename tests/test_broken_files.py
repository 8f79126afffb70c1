"""Fifty different broken files: every one reported in one run, no traceback, nothing built;
and every editing and review command on each of them."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import FIXTURES
from hostile import make_book
from tablegen.load.books import load_paths

VALID = (FIXTURES / "rules" / "valid.yaml").read_text(encoding="utf-8")

# (what is broken, old text, new text) applied to the valid fixture.
MUTATIONS = [
    ("tab indentation", "  total: 10.00", "\ttotal: 10.00"),
    ("unclosed quote", "name: 测试项目", "name: '测试项目"),
    ("unclosed bracket", "  - 完成测试", "  - [完成测试"),
    ("two documents", "usage: 用于测试", "usage: 用于测试\n---\nname: 另一个"),
    ("stray colon", "usage: 用于测试", "usage: 用于: 测试: x: y\n  z"),
    ("python tag", "name: 测试项目", "name: !!python/name:os.system"),
    ("custom tag", "usage: 用于测试", "usage: !secret 用于测试"),
    ("alias", "usage: 用于测试", "usage: &u 用于测试\nextra: *u"),
    ("misspelt key", "usage:", "usgae:"),
    ("misspelt budget key", "  fiscal:", "  fisacl:"),
    ("misspelt indicator key", "        value: ≥1次", "        valeu: ≥1次"),
    ("missing name", "name: 测试项目\n", ""),
    ("missing budget", "budget:\n  total: 10.00\n  fiscal: 10.00\n  other:\n", ""),
    ("missing total", "  total: 10.00\n", ""),
    ("missing goals", "goals:\n  - 完成测试\n", ""),
    ("budget is a list", "budget:\n  total: 10.00\n  fiscal: 10.00\n  other:",
     "budget:\n  - 10.00"),
    ("goals is a mapping", "goals:\n  - 完成测试", "goals:\n  a: 完成测试"),
    ("indicators is a list", "indicators:\n  产出指标:", "indicators:\n  - 产出指标:"),
    ("indicator is text", "      - name: 测试次数\n        value: ≥1次", "      - 测试次数"),
    ("level2 is text", "    数量指标:\n      - name: 测试次数\n        value: ≥1次",
     "    数量指标: 测试次数"),
    ("name is a list", "name: 测试项目", "name:\n  - 测试项目"),
    ("duplicate top key", "usage: 用于测试", "usage: 用于测试\nusage: 再次"),
    ("duplicate level1", "  满意度指标:", "  产出指标:\n    质量指标:\n      - name: a\n"
     "        value: b\n  满意度指标:"),
    ("amount with words", "  total: 10.00", "  total: 十万"),
    ("amount with comma", "  total: 10.00", "  total: 1,000.00"),
    ("negative fiscal", "  fiscal: 10.00\n  other:", "  fiscal: -10.00\n  other: 20.00"),
    ("three decimals", "  fiscal: 10.00\n  other:", "  fiscal: 9.999\n  other: 0.001"),
    ("sum mismatch", "  other:", "  other: 1.00"),
    ("amount is a mapping", "  total: 10.00", "  total:\n    a: 1"),
    ("unknown level1", "  产出指标:", "  产出:"),
    ("unknown level2", "    数量指标:", "    数量:"),
    ("level2 under wrong level1", "    服务对象满意度指标:", "    社会效益指标:"),
    ("empty level1", "  产出指标:\n    数量指标:\n      - name: 测试次数\n        value: ≥1次",
     "  产出指标:"),
    ("empty level2", "    数量指标:\n      - name: 测试次数\n        value: ≥1次",
     "    数量指标: []"),
    ("no indicators", "indicators:\n  产出指标:", "indicators: {}\nx:\n  产出指标:"),
    ("empty name", "name: 测试项目", "name: ''"),
    ("empty value", "        value: ≥1次", "        value:"),
    ("empty goal", "  - 完成测试", "  - ''"),
    ("empty goals list", "goals:\n  - 完成测试", "goals: []"),
    ("empty indicator name", "      - name: 测试次数", "      - name: ' '"),
    ("cost cap over budget", "    数量指标:\n      - name: 测试次数\n        value: ≥1次",
     "    成本指标:\n      - name: 总成本\n        value: ≤11万元"),
    ("cost cap in 元 over budget", "    数量指标:\n      - name: 测试次数\n        value: ≥1次",
     "    成本指标:\n      - name: 总成本\n        value: <100000.01元"),
    ("satisfaction over 100", "        value: ≥90%", "        value: ≥190%"),
    ("rate over 100", "      - name: 测试次数\n        value: ≥1次",
     "      - name: 完成率\n        value: 120%"),
    ("rate over 100 in words", "      - name: 测试次数\n        value: ≥1次",
     "      - name: 合格率\n        value: ≥101百分比"),
    ("control character", "usage: 用于测试", 'usage: "用于\\x07测试"'),
    ("NUL character", "usage: 用于测试", 'usage: "用于\\0测试"'),
    ("raw control character", "usage: 用于测试", "usage: 用于\x01测试"),
    ("not a mapping at all", VALID, "- 这是一个列表\n- 而不是项目\n"),
    ("scalar document", VALID, "只有一行文字\n"),
]


def test_fifty_broken_files_each_give_a_finding(tmp_path, run):
    assert len(MUTATIONS) == 50
    assert len({m[0] for m in MUTATIONS}) == 50
    broken = tmp_path / "broken"
    broken.mkdir()
    for i, (what, old, new) in enumerate(MUTATIONS, 1):
        assert old in VALID, what
        text = VALID.replace(old, new, 1)
        assert text != VALID, what
        (broken / f"{i:02d}.yaml").write_text(text, encoding="utf-8")
    out_dir = tmp_path / "build"
    code, out, err = run("build", str(broken), "--out", str(out_dir), cwd=tmp_path)
    assert code == 1
    assert "Traceback" not in out + err
    assert not out_dir.exists()
    report = load_paths([broken]).report
    errored = {f.pos.path.rsplit("/", 1)[-1] for f in report.errors}
    missing = [f"{i:02d} {m[0]}" for i, m in enumerate(MUTATIONS, 1)
               if f"{i:02d}.yaml" not in errored]
    assert missing == []
    for line in out.splitlines():
        assert line.startswith("broken/"), line


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                   cwd=repo, check=True, capture_output=True)


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and not {".git", ".tablegen-cache"} & set(p.relative_to(folder).parts)}


def test_every_editing_and_review_command_on_each_broken_file(tmp_path, run):
    # fmt, new, rollover, diff, build and review on a book whose project is broken in each of the fifty
    # ways: a finding or a clear refusal, never a traceback; nothing written but what succeeded.
    repo = tmp_path / "repo"
    book = make_book(repo / "targets" / "b")
    assert run("fmt", "targets/b", cwd=repo)[0] == 0
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "a")
    formatted = 0
    for what, old, new in MUTATIONS:
        (book / "p.yaml").write_text(VALID.replace(old, new, 1), encoding="utf-8")
        clean = files(repo)
        for args in (("new", "targets/b", "新项目"), ("rollover", "targets/b", "--year", "2025"),
                     ("build", "targets/b", "--format", "docx,html,xlsx", "--out", "out"),
                     ("fmt", "--check", "targets/b"), ("review", "targets/b")):
            code, out, err = run(*args, cwd=repo)
            assert (code, "Traceback" in out + err) == (1, False), (what, args, out + err)
            assert "targets/b/p.yaml" in out + err, (what, args)
            assert files(repo) == clean, (what, args)
        code, out, err = run("diff", "HEAD", cwd=repo)
        assert code in (0, 1) and "Traceback" not in out + err, (what, out + err)
        assert code == 0 or "targets/b/p.yaml:" in err.splitlines()[1], (what, err)
        assert files(repo) == clean, (what, "diff")
        code, out, err = run("fmt", "targets/b", cwd=repo)
        assert code in (0, 1) and "Traceback" not in out + err, (what, out + err)
        if code == 1:  # not formatted: left exactly as it was
            assert "targets/b/p.yaml:" in out + err and files(repo) == clean, what
        else:  # a data error fmt can carry over (a sum, a rate): formatted, and stable
            formatted += 1
            after = files(repo)
            assert set(after) == set(clean), what
            assert run("fmt", "targets/b", cwd=repo)[0] == 0 and files(repo) == after, what
    assert formatted == 12
