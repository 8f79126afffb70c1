"""What the readers of layout files share: a project table's (load/layouts.py) and a 部门整体
table's (load/overall_layouts.py)."""

from __future__ import annotations

from .. import rules
from ..errors import Pos
from .validate import Checker


class FileReader:
    """The checks of a layout file (a project table's, or a 部门整体 table's), each finding
    naming the layout; `ok` turns False at the first."""

    WHAT = "版式"

    def __init__(self, c: Checker, name: str):
        self.c = c
        self.name = name
        self.ok = True

    def bad(self, pos: Pos, where: str, message: str) -> None:
        self.ok = False
        at = f" 的 {where}" if where else ""
        self.c.report.add(pos, rules.LAYOUT, f"{self.WHAT} {self.name}{at}：{message}")
