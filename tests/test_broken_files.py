"""Fifty different broken files: every one reported in one run, no traceback, nothing built."""

from __future__ import annotations

from conftest import FIXTURES
from tablegen.books import load_paths

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
