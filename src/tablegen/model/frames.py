"""Indicator frameworks, kept as data in `frames.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

# 二级指标 whose rows are cost caps (`≤N万元` compared with the project's budget).
COST_LEVEL2 = {"成本指标", "经济成本指标"}


@dataclass(frozen=True)
class Frame:
    """One framework: ordered 一级 names, each with its ordered 二级 names."""

    name: str
    title: str
    levels: dict[str, tuple[str, ...]]
    files: str = "project"  # what it frames: "project" files or an agency's "overall" file

    def level2_of(self, level1: str) -> tuple[str, ...]:
        return self.levels.get(level1, ())


@cache
def frames() -> dict[str, Frame]:
    """Every known frame by name, in file order."""
    text = resources.files("tablegen.model").joinpath("frames.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {
        name: Frame(name, spec["title"], {k: tuple(v) for k, v in spec["levels"].items()},
                    spec.get("files", "project"))
        for name, spec in data.items()
    }
