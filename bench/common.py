"""Shared by the benchmarks: generate a book of N projects as YAML, like the seed tables."""

from __future__ import annotations

import resource
import time
from pathlib import Path

LEVELS = [
    ("产出指标", "数量指标"), ("产出指标", "数量指标"), ("产出指标", "数量指标"),
    ("产出指标", "质量指标"), ("产出指标", "质量指标"), ("产出指标", "时效指标"),
    ("产出指标", "成本指标"), ("产出指标", "成本指标"),
    ("效益指标", "社会效益指标"), ("效益指标", "社会效益指标"), ("效益指标", "经济效益指标"),
    ("效益指标", "可持续影响指标"), ("效益指标", "生态效益指标"),
    ("满意度指标", "服务对象满意度指标"), ("满意度指标", "服务对象满意度指标"),
    ("满意度指标", "服务对象满意度指标"),
]


def project_yaml(i: int) -> str:
    lines = [
        f"name: 2024年知识产权促进与保护项目第{i}号",
        "budget:",
        "  total: 1091.00",
        "  fiscal: 1091.00",
        "  other:",
        "usage: 引导企事业单位规范知识产权管理，提升知识产权风险防范能力，全面提升我市知识产权综合实力。",
        "goals:",
        "  - 本项目将对知识产权保护、高质量知识产权创造、知识产权运营体系、知识产权公共服务等方面给予支持。",
        "  - 通过采购物业服务，保障知识产权保护中心日常运行。",
        "indicators:",
    ]
    last1 = last2 = None
    for n, (l1, l2) in enumerate(LEVELS, 1):
        if l1 != last1:
            lines.append(f"  {l1}:")
            last2 = None
        if l2 != last2:
            lines.append(f"    {l2}:")
        last1, last2 = l1, l2
        lines.append(f"      - name: 知识产权保护项目补助数量{n}")
        lines.append(f"        description: 对知识产权保护项目给予补助的数量第{n}项")
        lines.append("        value: ≥10件" if "满意度" not in l1 else "        value: ≥85%")
    return "\n".join(lines) + "\n"


def make_book(folder: Path, n: int, agencies: int = 1) -> Path:
    """A book folder with n projects spread over `agencies` agencies."""
    folder.mkdir(parents=True, exist_ok=True)
    per = -(-n // agencies)
    out = ["title: 基准测试书", "year: 2024", "money_unit: 万元", "agencies:"]
    for a in range(agencies):
        out += [f'  - code: "{610101 + a}"', f"    name: 基准测试单位{a + 1}", "    projects:"]
        for i in range(a * per + 1, min(n, (a + 1) * per) + 1):
            (folder / f"p{i:04d}.yaml").write_text(project_yaml(i), encoding="utf-8")
            out.append(f"      - p{i:04d}.yaml")
    (folder / "book.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")
    return folder


def timed(fn, repeat: int = 1):
    """Best wall time of `repeat` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024
