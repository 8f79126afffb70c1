"""The layouts of the 部门整体 tables, kept as data: which blocks a target table prints, in which
order, and every label's words (the 自评表's too). tablegen ships `overall_layouts.yaml`; a
repository adds its own as `templates/overall/layouts/<name>.yaml` (read and checked by
`load/overall_layouts.py`), and book.yaml's `overall_layout:` names one."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

# The blocks a target layout may print, and what each needs from the agency's data.
BLOCKS = ("functions", "tasks", "income", "expense", "goals", "indicators")


@dataclass(frozen=True)
class Layout:
    """One layout of the 部门（单位）整体支出绩效目标表."""

    name: str
    title: str  # what it is, in the schema and the guide
    blocks: tuple[str, ...]
    labels: dict[str, str]
    evaluation: dict[str, str]  # the 部门整体支出绩效自评表's labels


# What a label may hold besides text: filled in by `fill`.
PLACES = ("{agency}", "{year}", "{unit}")
EVALUATION_PLACES = (*PLACES, "{grade}")


def _data() -> Any:
    text = resources.files("tablegen.model").joinpath("overall_layouts.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def layouts() -> dict[str, Layout]:
    """Every target layout by name, in file order (the first is the default)."""
    out = {}
    for name, spec in _data()["targets"].items():
        blocks = tuple(str(b) for b in spec["blocks"])
        unknown = [b for b in blocks if b not in BLOCKS]
        if unknown:  # package data: a test builds every layout
            raise ValueError(f"overall_layouts.yaml: {name} has unknown blocks {unknown}")
        labels = {str(k): str(v) for k, v in spec["labels"].items()}
        out[name] = Layout(name, str(spec["title"]), blocks, labels, dict(evaluation_labels()))
    return out


def default() -> Layout:
    """The layout of a book that names none: overall_layouts.yaml's first."""
    return next(iter(layouts().values()))


def chosen(name: str | None, own: Layout | None) -> Layout:
    """A book's layout: the repository's it names, else the shipped one of that name, else the
    default."""
    if own is not None:
        return own
    return layouts().get(name or "", default())


@cache
def evaluation_labels() -> dict[str, str]:
    """The labels of the 部门整体支出绩效自评表."""
    labels = _data()["evaluation"]["labels"]
    return {str(k): str(v) for k, v in labels.items()}


def fill(label: str, **values: str) -> str:
    """A label with its {agency}, {year}, {unit} or {grade} filled in (other braces stay)."""
    for key, value in values.items():
        label = label.replace("{" + key + "}", value)
    return label
