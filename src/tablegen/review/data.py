"""What the review reads besides the tables: its shipped data and the agency's own settings.

Shipped with tablegen (package data, read once): `review.yaml` (the grade's points and bands,
the words the rules look for), `typos.yaml` (the typo dictionary) and `common.yaml` (the common
indicators). The agency's `review.yaml`, in its repository's root folder, adds typos and sets
the grade below which `tablegen review` fails:

    fail_below: 中        # a project graded 差 fails the run (优 | 良 | 中 | 差; absent: never)
    typos:
      知识产权局志编修: 知识产权局志编纂
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .. import rules
from ..errors import Pos, Report, display_path
from ..load.loader import Node, load

SETTINGS_FILE = "review.yaml"


@dataclass(frozen=True)
class Grading:
    """How a project's findings become its grade."""

    points: dict[str, int]  # review point → its 分值 (they add up to 100)
    bands: tuple[tuple[str, int], ...]  # (grade, lowest score), best first

    @property
    def grades(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.bands)

    def grade_of(self, score: int) -> str:
        return next((name for name, low in self.bands if score >= low), self.bands[-1][0])


@dataclass(frozen=True)
class Shipped:
    """The review's own data (review/review.yaml)."""

    grading: Grading
    cost_required_from: int
    template_copies: int
    template_share: Decimal
    history_gap: Decimal
    formal: tuple[str, ...]
    recipients: tuple[str, ...]
    generic: frozenset[str]
    placeholders: tuple[str, ...]


@dataclass(frozen=True)
class Common:
    """One indicator of the shipped common library."""

    kind: str
    level1: str
    level2: str
    name: str
    value: str
    explanation: str = ""


@dataclass
class Settings:
    """What one review run uses: the shipped data and the agency's additions."""

    typos: dict[str, str] = field(default_factory=dict)  # wrong → right, shipped and agency's
    fail_below: str | None = None  # a grade; None: the review never fails
    file: str = ""  # the agency's settings file as shown, "" when there is none

    @property
    def shipped(self) -> Shipped:
        return shipped()


def _read(name: str) -> Any:
    text = resources.files("tablegen.review").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def shipped() -> Shipped:
    """review/review.yaml, read once."""
    data = _read("review.yaml")
    return Shipped(
        grading=Grading({k: int(v) for k, v in data["points"].items()},
                        tuple((b[0], int(b[1])) for b in data["bands"])),
        cost_required_from=int(data["cost_required_from"]),
        template_copies=int(data["template_copies"]),
        template_share=Decimal(str(data["template_share"])),
        history_gap=Decimal(str(data["history_gap"])),
        formal=tuple(data["formal"]),
        recipients=tuple(data["recipients"]),
        generic=frozenset(data["generic"]),
        placeholders=tuple(data["placeholders"]),
    )


@cache
def shipped_typos() -> dict[str, str]:
    """review/typos.yaml: wrong → right."""
    return {str(k): str(v) for k, v in _read("typos.yaml").items()}


@cache
def common_indicators() -> tuple[Common, ...]:
    """review/common.yaml, in file order."""
    return tuple(Common(e["kind"], e["level1"], e["level2"], e["name"], str(e["value"]),
                        e.get("explanation", "")) for e in _read("common.yaml"))


def load_settings(path: Path | None, report: Report) -> Settings:
    """The settings of a run: the agency's file (`path`, else review.yaml in the working folder
    when there is one) over the shipped data. Every problem of the file is a finding."""
    settings = Settings(typos=dict(shipped_typos()))
    explicit = path is not None
    path = path if path is not None else Path(SETTINGS_FILE)
    if not explicit and not path.is_file():
        return settings
    shown = display_path(path)
    settings.file = shown
    if explicit and not path.exists():
        report.add(Pos(shown), rules.PATH_MISSING, "审核设置文件不存在")
        return settings
    # The default file is read as a book's files are: a link out of the working folder is refused.
    root = load(path, shown, report, None if explicit else Path.cwd())
    if root is None or root.is_null:
        return settings
    if root.kind != "map":
        report.add(root.pos, rules.REVIEW_SETTINGS,
                   f"审核设置应为映射（fail_below: 中、typos: …），实际为{root.describe()}")
        return settings
    grades = shipped().grading.grades
    for key, value in root.pairs:
        if key.text == "fail_below":
            if value.kind != "scalar" or value.text not in grades:
                report.add(value.pos, rules.REVIEW_SETTINGS,
                           f"fail_below：应为 {' | '.join(grades)} 之一，实际为{value.describe()}")
            else:
                settings.fail_below = value.text
        elif key.text == "typos":
            _typos(value, settings, report)
        else:
            report.add(key.pos, rules.REVIEW_SETTINGS,
                       f"未知的键“{key.text}”；可用的键：fail_below、typos")
    return settings


def _typos(node: Node, settings: Settings, report: Report) -> None:
    if node.is_null:
        return
    if node.kind != "map":
        report.add(node.pos, rules.REVIEW_SETTINGS,
                   f"typos：应为“错误写法: 正确写法”的映射，实际为{node.describe()}")
        return
    for key, value in node.pairs:
        wrong, right = key.text.strip(), value.text.strip() if value.kind == "scalar" else ""
        if key.kind != "scalar" or not wrong or not right or wrong == right:
            report.add(key.pos, rules.REVIEW_SETTINGS,
                       f"typos：“{key.text}”应写成“错误写法: 正确写法”，两边都不为空且不相同")
            continue
        settings.typos[wrong] = right
