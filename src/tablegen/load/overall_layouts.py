"""A repository's layouts of the 部门整体 tables: `templates/overall/layouts/<name>.yaml`, read and
checked here.

A province whose 部门整体支出绩效目标表 prints other blocks, in another order or with other
words (its 自评表 too) writes one file in its repository's `templates/overall/layouts/` (or in
the book's own `templates/`, the folder of `--templates`: the template chain, as
`load/layouts.py` finds the project tables' layouts) and names it in book.yaml's
`overall_layout:`. The file says only what differs from a layout tablegen ships (`base:`, the
default one when it names none):

    title: 某市部门整体支出绩效目标表（先列年度总体目标）
    base: tasks
    blocks: [functions, goals, tasks, indicators]
    labels: {tasks: 年度重点工作任务}
    evaluation: {funds: 部门（单位）资金情况（{unit}）}

Every problem is a finding at its line and column (rule `layout`, an unknown key `unknown-key`);
a file that has one is not used.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import Report, display_path
from ..model.overall_layouts import BLOCKS, EVALUATION_PLACES, PLACES, Layout, default, layouts
from .layout_files import FileReader
from .loader import Node, load
from .validate import Checker, suggest

FOLDER = "overall/layouts"  # in each folder of the template chain
_KEYS = ("title", "base", "blocks", "labels", "evaluation")


def read_overall_layout(path: Path, name: str, report: Report) -> Layout | None:
    """One layout file, checked; None when it cannot be used (every problem reported)."""
    root = load(path, display_path(path), report, path.parent)
    if root is None:
        return None
    return OverallLayoutReader(Checker(report), name).read(root)


class OverallLayoutReader(FileReader):
    """The checks of a 部门整体 layout file."""

    WHAT = "部门整体表版式"

    def read(self, root: Node) -> Layout | None:
        c = self.c
        before = len(c.report.errors)
        if root.kind != "map":
            self.bad(root.pos, "", f"应为映射（title、base、blocks、labels、evaluation），实际为"
                                   f"{root.describe()}")
            return None
        found = c.keys(root, "", known=list(_KEYS))
        title = c.text(found.get("title"), "title", "版式名称", required=True)
        if "title" not in found:
            self.bad(root.pos, "", "缺少“title”（版式名称：哪里的表、有什么不同）")
        base = self.base(found.get("base"))
        blocks = self.blocks(found["blocks"]) if "blocks" in found else base.blocks
        labels = self.labels(found.get("labels"), "labels", base.labels, PLACES)
        evaluation = self.labels(found.get("evaluation"), "evaluation", base.evaluation,
                                 EVALUATION_PLACES)
        if not self.ok or len(c.report.errors) > before or not title or blocks is None:
            return None
        return Layout(self.name, title, blocks, labels, evaluation)

    def base(self, node: Node | None) -> Layout:
        """The shipped layout whose blocks and labels this one changes (the default one)."""
        shipped = layouts()
        if node is None:
            return default()
        if node.kind != "scalar" or node.text not in shipped:
            hint = suggest(node.text, tuple(shipped)) if node.kind == "scalar" else ""
            self.bad(node.pos, "base", f"应为 tablegen 内置的版式 {' | '.join(shipped)} 之一，"
                                       f"实际为{node.describe()}{hint}")
            return default()
        return shipped[node.text]

    def blocks(self, node: Node) -> tuple[str, ...] | None:
        """`blocks:` the parts the target table prints, in order, each at most once."""
        if node.kind != "seq" or not node.items:
            self.bad(node.pos, "blocks", f"应为要印出的部分的列表（按顺序），如 [tasks, goals, "
                                         f"indicators]；可用的部分：{'、'.join(BLOCKS)}")
            return None
        out: list[str] = []
        for i, item in enumerate(node.items, 1):
            text = item.text if item.kind == "scalar" else ""
            if text not in BLOCKS:
                hint = suggest(text, BLOCKS) if item.kind == "scalar" else ""
                self.bad(item.pos, f"blocks[{i}]", f"应为 {' | '.join(BLOCKS)} 之一，实际为"
                                                   f"{item.describe()}{hint}")
            elif text in out:
                self.bad(item.pos, f"blocks[{i}]", f"“{text}”已在第 {out.index(text) + 1} 项，"
                                                   "每个部分只能印一次")
            else:
                out.append(text)
        if len(out) != len(node.items):
            return None
        if out[-1] != "indicators":
            # every table ends with its indicators, a table of their own whose header row each
            # page repeats (the engines draw them after the blocks above)
            self.bad(node.pos, "blocks", "最后一个部分应为 indicators（年度绩效指标）：绩效目标表以指标"
                                         "结束，指标表的表头在每页重复")
            return None
        return tuple(out)

    def labels(self, node: Node | None, key: str, base: dict[str, str],
               places: tuple[str, ...]) -> dict[str, str]:
        """`labels:` or `evaluation:`: the words that differ from the base's, by label key."""
        out = dict(base)
        if node is None:
            return out
        if node.kind != "map":
            self.bad(node.pos, key, f"应为映射（标签的键: 印出的文字），如 name: 单位名称；实际为"
                                    f"{node.describe()}")
            return out
        for name, value in self.c.keys(node, key, known=list(base)).items():
            where = f"{key}.{name}"
            text = self.c.text(value, where, "标签", required=True)
            if not text:
                self.ok = False
                continue
            rest = text
            for place in places:
                rest = rest.replace(place, "")
            if "{" in rest or "}" in rest:
                self.bad(value.pos, where, f"“{text}”中只能用 {'、'.join(places)}")
                continue
            out[name] = text
        return out
