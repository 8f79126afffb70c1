"""Table layouts (版式): what a 项目支出绩效目标表 prints, as data.

A layout says which rows stand above the indicator grid (labels and the project's fields, how
many columns and rows each cell covers), which columns the grid has, their labels and widths,
and a few printing choices (the line above the table, thousands separators, empty 二级 rows).
One YAML file per layout: the shipped ones in `default_templates/targets/layouts/`, a
repository's own in `templates/targets/layouts/` (read and checked by `load/layouts.py`). The
kind `kinds/targets.py` draws every format from a layout; nothing in the code knows a province.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_LAYOUT = "tianjin"

# What a cell above the grid may print, with its Chinese name (for messages and the guide).
HEAD_FIELDS: dict[str, str] = {
    "name": "项目名称",
    "department": "主管部门",
    "agency": "实施单位（单位名称）",
    "code": "单位编码",
    "total": "预算数",
    "fiscal": "财政资金",
    "other": "其他资金",
    "usage": "资金用途",
    "goals": "年度绩效目标",
    "period_goals": "实施期绩效目标",
    "period": "项目实施期",
    "contact": "填表人（单位的 contact）",
    "phone": "联系电话（单位的 phone）",
}
AMOUNT_FIELDS = ("total", "fiscal", "other")
PARAGRAPH_FIELDS = ("goals", "period_goals")  # printed one paragraph per goal

# What a column of the grid may print. `values` stands for one column per recipient (the
# project's `recipients`), a `key` column for an indicator text the layout declares.
GRID_FIELDS: dict[str, str] = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "description": "绩效指标描述（缺省与三级指标相同）",
    "value": "指标值（年度）",
    "period_value": "实施期指标值",
    "sign": "计算符号（指标值的 ≥、≤、＝ 等，定性指标印作“定性”）",
    "number": "指标值中的数（定性指标印出全文）",
    "unit": "计量单位",
    "weight": "权重",
    "values": "各地区（接收方）的指标值，每个一列",
}
ALIGNS = ("center", "left")
# What a band (a first column with one label over the whole grid) covers, with its Chinese
# description (for the guide).
BAND_OVER: dict[str, str] = {
    "all": "贯通指标表的表头行和全部指标行（默认）；表头因此不在续页上重复，续页上重印这一列的标签",
    "rows": "只贯通全部指标行，表头行中这一格留空；表头照常在续页上重复",
}
GOAL_NUMBERS = ("always", "several", "never")  # `1.` before every goal, only when several, never


@dataclass(frozen=True)
class HeadCell:
    """One cell above (or below) the grid: a fixed label (in pieces that each stay on one line), a
    field, or a fixed text printed as content (`fixed`; "" an empty cell to fill in by hand)."""

    label: tuple[str, ...] = ()
    field: str = ""
    fixed: str | None = None
    span: int = 1  # columns of the head's widths
    rows: int = 1
    align: str = "center"

    @property
    def text(self) -> str:
        return "".join(self.label)


@dataclass(frozen=True)
class HeadRow:
    """A row above the grid; with `when`, printed only for a project whose field is not empty."""

    cells: tuple[HeadCell, ...]
    when: str = ""


@dataclass(frozen=True)
class Column:
    """A column of the indicator grid: what it prints, its header and its relative width."""

    field: str  # a key of GRID_FIELDS, or "key"
    label: str
    width: int
    key: str = ""  # for field "key": the indicator key it prints (`standard` → 绩效标准)


@dataclass(frozen=True)
class Band:
    """A first column of the grid holding one label over all its rows (本年度绩效指标), in
    pieces that each begin a line (本年度 / 绩效指标)."""

    label: tuple[str, ...]
    width: int
    over: str = "all"  # BAND_OVER

    @property
    def text(self) -> str:
        return "".join(self.label)

    @property
    def shown(self) -> str:
        return "\n".join(self.label)


@dataclass(frozen=True)
class Layout:
    """One table layout, as its file declares it."""

    name: str
    title: str
    head_widths: tuple[int, ...]
    head: tuple[HeadRow, ...]
    columns: tuple[Column, ...]
    agency: str = "{code}{name}"  # the line above the table; {code} and {name} of the agency
    unit: str = "单位：{money_unit}"
    empty_level2: bool = False  # a 二级 without indicators prints as a row with empty cells
    thousands: bool = False  # amounts with thousands separators: 3,309,840.00
    numbers: str = "always"  # GOAL_NUMBERS
    band: Band | None = None  # a column before 一级 with one label over the grid
    foot_widths: tuple[int, ...] = ()
    foot: tuple[HeadRow, ...] = ()  # rows below the grid (财政部门审核意见), as the head's
    below: str = ""  # the line under the table: 填表人：{contact}　联系电话：{phone}

    @property
    def keys(self) -> tuple[str, ...]:
        """The indicator keys this layout declares (its `key` columns)."""
        return tuple(c.key for c in self.columns if c.field == "key")

    def has(self, field: str) -> bool:
        """Whether the grid prints this field, or a cell above it does."""
        return any(c.field == field for c in self.columns) or any(
            c.field == field for row in (*self.head, *self.foot) for c in row.cells) or (
            f"{{{field}}}" in self.below)
