"""The layouts and frames a book names: found in the template chain, read and checked here.

A book says `layout: hunan-xiangtan` and `frame: sichuan-2020`; each name is a YAML file,
`targets/layouts/<name>.yaml` or `targets/frames/<name>.yaml`, looked for as templates are: in
the book's own `templates/`, the folder of `--templates` or $TABLEGEN_TEMPLATES, the
repository's `templates/`, then the ones tablegen ships. A file is checked like every other
data file (each problem a finding at its line and column), and its content, not its name, is
what the book holds, so a changed layout rebuilds the tables that use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .. import rules
from ..errors import Pos, RenderError, Report, display_path
from ..model.frames import Frame, frames
from ..model.layouts import (
    ALIGNS,
    BAND_OVER,
    DEFAULT_LAYOUT,
    GOAL_NUMBERS,
    GRID_FIELDS,
    HEAD_FIELDS,
    Band,
    Column,
    HeadCell,
    HeadRow,
    Layout,
)
from ..model.overall_layouts import Layout as OverallLayout
from ..model.overall_layouts import layouts as overall_layouts
from ..model.schema import INDICATOR, PROJECT, ROW_LEVELS
from ..templates import DEFAULT_TEMPLATES, chain_for, inside
from .layout_files import FileReader
from .loader import Node, load
from .overall_layouts import FOLDER as OVERALL_LAYOUTS
from .overall_layouts import read_overall_layout
from .validate import Checker, check_frame_node, suggest

LAYOUTS = "targets/layouts"
FRAMES = "targets/frames"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
MAX_COLUMNS = 30  # of the head or the grid: an A4 page holds no more
KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# Placeholders of the line above the table and of the unit line.
AGENCY_PLACES = ("{code}", "{name}", "{department}")
UNIT_PLACES = ("{money_unit}",)
BELOW_PLACES = ("{code}", "{name}", "{department}", "{contact}", "{phone}")
# What a row may be conditioned on: a field a project may leave empty.
OPTIONAL_FIELDS = ("department", "code", "fiscal", "other", "usage", "period_goals", "period",
                   "contact", "phone")
_LAYOUT_KEYS = ("title", "agency", "unit", "numbers", "empty_level2", "thousands", "head", "grid",
                "foot", "below")
_TAKEN = {f.key for f in INDICATOR} | {f.key for f in ROW_LEVELS} | {f.key for f in PROJECT}


def _dirs(book_root: Path | None) -> tuple[Path, ...]:
    try:
        return chain_for(book_root).dirs
    except RenderError:  # the book's templates/ links outside it: the build says so
        return chain_for(None).dirs


def _find(dirs: tuple[Path, ...], sub: str, name: str) -> tuple[Path, Path] | None:
    """The first (folder, file) of the chain holding `<sub>/<name>.yaml`."""
    for d in dirs:
        path = d / sub / f"{name}.yaml"
        if path.is_file() or path.is_symlink():
            return d, path
    return None


def names(book_root: Path | None, sub: str = LAYOUTS) -> dict[str, Path]:
    """Every layout (or frame) name the chain offers, the first folder's file for each."""
    out: dict[str, Path] = {}
    for d in _dirs(book_root):
        folder = d / sub
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                if NAME.match(path.stem):
                    out.setdefault(path.stem, path)
    return dict(sorted(out.items()))


@dataclass
class Shelf:
    """The layouts and frames of one book's repository (BookData for `check_book_node`)."""

    book_root: Path | None
    _frames: dict[str, Frame] | None = field(default=None, repr=False)

    def frames(self, report: Report) -> dict[str, Frame]:
        """tablegen's frames and the repository's `targets/frames/*.yaml`, by name."""
        if self._frames is None:
            found = dict(frames())
            for name, path in names(self.book_root, FRAMES).items():
                if name in found:
                    continue
                frame = read_frame(path, name, report)
                if frame is not None:
                    found[name] = frame
            self._frames = found
        return self._frames

    def layout(self, node: Node, report: Report) -> Layout | None:
        """The layout a book's `layout:` names, or None with a finding."""
        name = node.text.strip() if node.kind == "scalar" else ""
        if node.kind != "scalar" or not NAME.match(name):
            report.add(node.pos, rules.LAYOUT,
                       f"layout：版式名称应为字母、数字、- 或 _（版式文件名，不含 .yaml），实际为"
                       f"{node.describe()}")
            return None
        found = _find(_dirs(self.book_root), LAYOUTS, name)
        if found is None:
            offered = "、".join(names(self.book_root)) or "（无）"
            report.add(node.pos, rules.LAYOUT,
                       f"layout：找不到版式“{name}”（templates/{LAYOUTS}/{name}.yaml）；"
                       f"可用的版式：{offered}")
            return None
        folder, path = found
        if folder == DEFAULT_TEMPLATES:
            return shipped(name)
        if not inside(path, folder):
            report.add(Pos(display_path(path)), rules.FILE_OUTSIDE,
                       "版式文件是指向模板文件夹以外的链接，拒绝读取")
            return None
        return read_layout(path, name, report)

    def overall_layout(self, node: Node, report: Report) -> OverallLayout | None:
        """The 部门整体 tables' layout a book's `overall_layout:` names: the repository's
        `overall/layouts/<name>.yaml` in the template chain, else a shipped one; None with a
        finding."""
        name = node.text.strip() if node.kind == "scalar" else ""
        found = _find(_dirs(self.book_root), OVERALL_LAYOUTS, name) if NAME.match(name) else None
        if found is None:
            shipped_ones = overall_layouts()
            if name in shipped_ones:
                return shipped_ones[name]
            offered = [*shipped_ones, *(n for n, p in names(self.book_root, OVERALL_LAYOUTS).items()
                                        if n not in shipped_ones and p.is_file())]
            hint = suggest(name, offered) if node.kind == "scalar" else ""
            report.add(node.pos, rules.INVALID_CHOICE,
                       f"overall_layout：部门整体表版式应为 {' | '.join(offered)} 之一（内置的，或仓库 "
                       f"templates/{OVERALL_LAYOUTS}/ 中的文件名，不含 .yaml），实际为"
                       f"{node.describe()}{hint}")
            return None
        folder, path = found
        if not inside(path, folder):
            report.add(Pos(display_path(path)), rules.FILE_OUTSIDE,
                       "部门整体表版式文件是指向模板文件夹以外的链接，拒绝读取")
            return None
        return read_overall_layout(path, name, report)


@cache
def shipped(name: str = DEFAULT_LAYOUT) -> Layout:
    """A layout tablegen ships (a broken one is tablegen's bug, not the user's)."""
    report = Report()
    layout = read_layout(DEFAULT_TEMPLATES / LAYOUTS / f"{name}.yaml", name, report)
    if layout is None or report.errors:  # pragma: no cover - the suite reads every shipped one
        raise AssertionError(f"shipped layout {name}: {[f.text() for f in report.errors]}")
    return layout


def layout_of(layout: Layout | None) -> Layout:
    """A book's layout: its own, else the default."""
    return layout if layout is not None else shipped()


def read_frame(path: Path, name: str, report: Report) -> Frame | None:
    """A repository's frame file: `title:` and `levels:` (一级 → list of 二级)."""
    shown = display_path(path)
    root = load(path, shown, report, path.parent)
    if root is None:
        return None
    return check_frame_node(Checker(report), root, name, f"框架 {name}")


def read_layout(path: Path, name: str, report: Report) -> Layout | None:
    """One layout file, checked; None when it cannot be used (every problem reported)."""
    shown = display_path(path)
    root = load(path, shown, report, path.parent)
    if root is None:
        return None
    return LayoutReader(Checker(report), name).read(root)


class LayoutReader(FileReader):
    """The checks of a project table's layout file."""

    def read(self, root: Node) -> Layout | None:
        c = self.c
        before = len(c.report.errors)
        if root.kind != "map":
            self.bad(root.pos, "", f"应为映射（title、head、grid 等），实际为{root.describe()}")
            return None
        found = c.keys(root, "", known=list(_LAYOUT_KEYS))
        title = c.text(found.get("title"), "title", "版式名称", required=True)
        for key in ("title", "head", "grid"):
            if key not in found:
                self.bad(root.pos, "", f"缺少“{key}”")
        agency = self.template(found.get("agency"), "agency", AGENCY_PLACES, "{code}{name}")
        unit = self.template(found.get("unit"), "unit", UNIT_PLACES, "单位：{money_unit}")
        numbers = self.word(found.get("numbers"), "numbers", GOAL_NUMBERS, "always")
        empty = self.flag(found.get("empty_level2"), "empty_level2")
        thousands = self.flag(found.get("thousands"), "thousands")
        below = self.template(found.get("below"), "below", BELOW_PLACES, "")
        head = self.head(found["head"]) if "head" in found else None
        foot = self.head(found["foot"], "foot") if "foot" in found else ((), ())
        grid = self.grid(found["grid"]) if "grid" in found else None
        band, columns = grid if grid is not None else (None, None)
        if (not self.ok or len(c.report.errors) > before or title is None or head is None
                or columns is None or foot is None):
            return None
        widths, rows = head
        return Layout(name=self.name, title=title, head_widths=widths, head=rows, columns=columns,
                      agency=agency, unit=unit, empty_level2=empty, thousands=thousands,
                      numbers=numbers, band=band, foot_widths=foot[0], foot=foot[1],
                      below=below)

    def template(self, node: Node | None, key: str, places: tuple[str, ...], default: str) -> str:
        if node is None:
            return default
        text = self.c.text(node, key, key, required=True) or default
        rest = text
        for place in places:
            rest = rest.replace(place, "")
        if "{" in rest or "}" in rest:
            self.bad(node.pos, key, f"“{text}”中只能用 {'、'.join(places)}")
        return text

    def word(self, node: Node | None, key: str, options: tuple[str, ...], default: str) -> str:
        if node is None:
            return default
        if node.kind != "scalar" or node.text not in options:
            self.bad(node.pos, key, f"应为 {' | '.join(options)} 之一，实际为{node.describe()}")
            return default
        return node.text

    def flag(self, node: Node | None, key: str) -> bool:
        if node is None:
            return False
        if node.kind != "scalar" or node.text not in ("true", "false"):
            self.bad(node.pos, key, f"应为 true 或 false，实际为{node.describe()}")
            return False
        return node.text == "true"

    def number(self, node: Node, where: str, least: int = 1) -> int | None:
        if node.kind != "scalar" or not re.fullmatch(r"[0-9]{1,4}", node.text) or \
                int(node.text) < least:
            self.bad(node.pos, where, f"应为不小于 {least} 的整数，实际为{node.describe()}")
            return None
        return int(node.text)

    def head(self, node: Node, part: str = "head"
             ) -> tuple[tuple[int, ...], tuple[HeadRow, ...]] | None:
        """`head:` (or `foot:`) with `widths:` (relative) and `rows:`, every row filling the
        widths."""
        if node.kind != "map":
            self.bad(node.pos, part, f"应为映射（widths、rows），实际为{node.describe()}")
            return None
        found = self.c.keys(node, part, known=["widths", "rows"])
        if "widths" not in found or "rows" not in found:
            self.bad(node.pos, part, "需要 widths（各列的相对宽度）和 rows（各行的单元格）")
            return None
        wn = found["widths"]
        widths = [self.number(n, f"{part}.widths") for n in wn.items] if wn.kind == "seq" else []
        if wn.kind != "seq" or not widths or len(widths) > MAX_COLUMNS:
            self.bad(wn.pos, f"{part}.widths",
                     f"应为 1 至 {MAX_COLUMNS} 个相对宽度的列表，如 [140, 95, 152]")
            return None
        if any(w is None for w in widths):
            return None
        rn = found["rows"]
        if rn.kind != "seq" or not rn.items:
            self.bad(rn.pos, f"{part}.rows", "应为行的列表，每行是单元格的列表")
            return None
        rows = [self.head_row(item, f"{part}.rows[{i}]") for i, item in enumerate(rn.items, 1)]
        if any(r is None for r in rows):
            return None
        placed = [r for r in rows if r is not None]
        self.fill(placed, [w for w in widths if w is not None], rn, part)
        return tuple(w for w in widths if w is not None), tuple(placed)

    def head_row(self, node: Node, where: str) -> HeadRow | None:
        when = ""
        cells_node = node
        if node.kind == "map":
            found = self.c.keys(node, where, known=["cells", "when"])
            if "cells" not in found:
                self.bad(node.pos, where, "缺少 cells（本行的单元格）")
                return None
            cells_node = found["cells"]
            if "when" in found:
                when = self.word(found["when"], f"{where}.when", OPTIONAL_FIELDS, "")
        if cells_node.kind != "seq" or not cells_node.items:
            self.bad(cells_node.pos, where, "应为单元格的列表：文字写标签，{field: …} 写项目的内容")
            return None
        cells = [self.head_cell(item, f"{where}[{i}]") for i, item in enumerate(cells_node.items, 1)]
        if any(c is None for c in cells):
            return None
        row = HeadRow(tuple(c for c in cells if c is not None), when)
        if when and any(c.rows > 1 for c in row.cells):
            self.bad(node.pos, where, "有 when 的行中不能有跨行的单元格")
        return row

    def head_cell(self, node: Node, where: str) -> HeadCell | None:
        if node.kind == "scalar" and not node.is_null and node.text.strip():
            return HeadCell(label=(node.text,))
        if node.kind != "map":
            self.bad(node.pos, where, f"应为标签文字或映射（label、field 或 text，span、rows、align），"
                                      f"实际为{node.describe()}")
            return None
        found = self.c.keys(node, where, known=["label", "field", "text", "span", "rows", "align"])
        if sum(k in found for k in ("label", "field", "text")) != 1:
            self.bad(node.pos, where, "应有 label（标签文字）、field（项目的内容）或 text（固定的内容，"
                                      "可为空）之一")
            return None
        fixed: str | None = None
        if "text" in found:
            tn = found["text"]
            if tn.kind != "scalar":
                self.bad(tn.pos, f"{where}.text", f"应为文字（可为空），实际为{tn.describe()}")
                return None
            fixed = "" if tn.is_null else tn.text
        label: tuple[str, ...] = ()
        fld = ""
        if "label" in found:
            ln = found["label"]
            pieces = ln.items if ln.kind == "seq" else [ln]
            texts = [self.c.text(p, f"{where}.label", "标签", required=True) for p in pieces]
            if not pieces or any(not t for t in texts):
                self.bad(ln.pos, f"{where}.label", "应为文字，或几段文字的列表（每段印在一行内）")
                return None
            label = tuple(t for t in texts if t)
            rest = "".join(label).replace("{money_unit}", "")
            if "{" in rest or "}" in rest:
                self.bad(ln.pos, f"{where}.label", f"“{''.join(label)}”中只能用 {{money_unit}}（金额单位）")
                return None
        elif "field" in found:
            fld = self.word(found["field"], f"{where}.field", tuple(HEAD_FIELDS), "")
            if not fld:
                return None
        span = self.number(found["span"], f"{where}.span") if "span" in found else 1
        rows = self.number(found["rows"], f"{where}.rows") if "rows" in found else 1
        align = self.word(found.get("align"), f"{where}.align", ALIGNS, "center")
        if span is None or rows is None:
            return None
        return HeadCell(label=label, field=fld, fixed=fixed, span=span, rows=rows, align=align)

    def fill(self, rows: list[HeadRow], widths: list[int], node: Node, part: str = "head"
             ) -> None:
        """Every row's cells, with the cells reaching down from rows above, fill the widths."""
        covered: dict[int, int] = {}  # column → rows it stays covered below this one
        for i, (row, item) in enumerate(zip(rows, node.items, strict=True), 1):
            taken = {col for col, left in covered.items() if left > 0}
            col = 0
            for cell in row.cells:
                while col in taken:
                    col += 1
                for k in range(col, col + cell.span):
                    if k in taken:
                        self.bad(item.pos, f"{part}.rows[{i}]", "单元格与上面跨行的单元格重叠")
                        return
                    if cell.rows > 1:
                        covered[k] = cell.rows
                col += cell.span
            while col in taken:
                col += 1
            if col != len(widths) or any(k >= len(widths) for k in taken):
                self.bad(item.pos, f"{part}.rows[{i}]",
                         f"单元格共占 {col} 列，应与 widths 的 {len(widths)} 列相同")
                return
            covered = {k: left - 1 for k, left in covered.items() if left - 1 > 0}
        if covered:
            self.bad(node.pos, f"{part}.rows", "有单元格跨出了最后一行（rows 太大）")

    def band(self, node: Node, where: str) -> Band | None:
        """`{band: 本年度绩效指标, width: 60, over: all}`: the grid's first column, one label."""
        found = self.c.keys(node, where, known=["band", "width", "over"])
        ln = found["band"]
        pieces = ln.items if ln.kind == "seq" else [ln]
        texts = [self.c.text(p, f"{where}.band", "标签", required=True) for p in pieces]
        if not pieces or any(not t for t in texts):
            self.bad(ln.pos, f"{where}.band", "应为文字，或几段文字的列表（每段另起一行）")
        width = self.number(found["width"], f"{where}.width") if "width" in found else None
        if "width" not in found:
            self.bad(node.pos, where, "需要 width（相对宽度）")
        over = self.word(found.get("over"), f"{where}.over", tuple(BAND_OVER), "all")
        if not pieces or any(not t for t in texts) or width is None:
            return None
        return Band(tuple(t for t in texts if t), width, over)

    def grid(self, node: Node) -> tuple[Band | None, tuple[Column, ...]] | None:
        """`grid:` the columns, 一级 and 二级 first (after a band), each field at most once."""
        band: Band | None = None
        items = list(node.items) if node.kind == "seq" else []
        for i, item in enumerate(items, 1):
            if item.kind == "map" and any(k.text == "band" for k, _ in item.pairs):
                if i == 1:
                    band = self.band(item, "grid[1]")
                else:
                    self.bad(item.pos, f"grid[{i}]", "band（贯通各行的标签列）只能是第一列")
        if band is not None:
            items = items[1:]
        if node.kind != "seq" or not 3 <= len(items) <= MAX_COLUMNS:
            self.bad(node.pos, "grid",
                     f"应为 3 至 {MAX_COLUMNS} 列的列表（一级指标、二级指标和至少一列内容）")
            return None
        columns: list[Column] = []
        for i, item in enumerate(items, 2 if band is not None else 1):
            where = f"grid[{i}]"
            if item.kind == "map" and any(k.text == "band" for k, _ in item.pairs):
                continue  # told above
            if item.kind != "map":
                self.bad(item.pos, where, f"应为映射（field 或 key、label、width），实际为"
                                          f"{item.describe()}")
                continue
            found = self.c.keys(item, where, known=["field", "key", "label", "width"])
            label = self.c.text(found.get("label"), f"{where}.label", "列标题", required=True)
            width = self.number(found["width"], f"{where}.width") if "width" in found else None
            if label is None or "width" not in found:
                self.bad(item.pos, where, "需要 label（列标题）和 width（相对宽度）")
                continue
            if ("field" in found) == ("key" in found):
                self.bad(item.pos, where, "应有 field（指标的内容）或 key（本版式的一列文字）之一")
                continue
            if "key" in found:
                kn = found["key"]
                key = kn.text if kn.kind == "scalar" else ""
                if not KEY.match(key) or key in _TAKEN:
                    self.bad(kn.pos, f"{where}.key", f"应为小写英文字母开头的键名，且不与已有的键重名"
                                                     f"，实际为{kn.describe()}")
                    continue
                column = Column("key", label, width or 1, key)
            else:
                fld = self.word(found["field"], f"{where}.field", tuple(GRID_FIELDS), "")
                if not fld:
                    continue
                column = Column(fld, label, width or 1)
            if any((c.field, c.key) == (column.field, column.key) for c in columns):
                self.bad(item.pos, where, f"“{column.key or column.field}”已有一列")
                continue
            columns.append(column)
        if [c.field for c in columns[:2]] != ["level1", "level2"] or any(
                c.field in ("level1", "level2") for c in columns[2:]):
            self.bad(node.pos, "grid", "前两列应为 field: level1（一级指标）和 field: level2（二级指标）"
                                       "（有 band 时在它之后）")
            return None
        return band, tuple(columns)
