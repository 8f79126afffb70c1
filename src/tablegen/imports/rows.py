"""Rows of cell texts → the model, through the layout the table is printed in: one mapping for
every source format and every layout.

Every reader (`read_dump`, `read_docx`, `read_xlsx`) produces `Section`s — a heading and rows of
cell texts, a vertically merged continuation cell empty — and `rows_to_project` maps each: it
finds the layout whose indicator grid header the table has (`load/layouts.py`: the book's, the
repository's, tablegen's), reads the line above the table and the rows above the grid by the
layout's labels, and every grid column by what the layout prints in it. What the table shows is
kept: codes with a hyphen, empty 二级 rows, 实施期 values, separate sign/unit/weight columns, the
written order of the rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from .. import rules
from ..errors import Pos, Report
from ..load.layouts import names, read_layout, shipped
from ..model.book import MAX_DECIMALS, MONEY_UNITS, Agency, Budget, Indicator, Level1, Level2, Project
from ..model.layouts import AMOUNT_FIELDS, PARAGRAPH_FIELDS, HeadCell, HeadRow, Layout
from ..model.values import QUALITATIVE
from ..templates import DEFAULT_TEMPLATES

GOAL_NUMBER = re.compile(r"^\s*\d+\s*[.．、]\s*")
AGENCY = re.compile(r"^\s*(\d+)\s*(.*?)\s*$")
UNIT = re.compile(r"^\s*单位\s*[:：]\s*(\S+)\s*$")
HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"]


def squash(label: str) -> str:
    """A label without layout spaces (`其中：财政    资金` → `其中：财政资金`)."""
    return re.sub(r"\s+", "", label)


@dataclass
class Section:
    """One table of a source: its heading and its rows of cell texts."""

    heading: str
    line: int
    rows: list[list[str]] = field(default_factory=list)
    label: str = ""  # how messages name it: 表“…”（第 2 张表）, 工作表“…”
    numbers: list[int] | None = None  # each row's number as its reader sees it
    ragged: bool = False  # a row may end before its last empty cells (a spreadsheet's)


@dataclass
class GridRow:
    """One row of an indicator grid: its cells and how messages name it."""

    cells: list[str]
    name: str  # 表“…”（第 2 张表）第 9 行, 工作表“表1”第 8 行, 指标表第 3 行


@dataclass
class Imported:
    """One project read from a source, with where it came from and what to note."""

    agency: Agency
    money_unit: str
    merge: str
    project: Project
    comments: dict[str, str] = field(default_factory=dict)
    source: Pos = field(default_factory=lambda: Pos(""))  # the table it came from
    label: str = ""  # how messages name that table
    layout: Layout | None = None  # the layout it is printed in (None: the default)
    decimals: int = 2  # the most decimals an amount of it has


AMOUNT = re.compile(r"^\d+(\.\d+)?$")
UNIT_CELL = re.compile(r"单位\s*[:：]\s*\S+\s*$")  # a cell that gives the money unit


def candidates(first: Layout | None = None) -> list[Layout]:
    """The layouts a table may be printed in: `first` (the book's), the default, then every
    other layout of tablegen and of the repository (`templates/targets/layouts/`), by name."""
    out: list[Layout] = [first] if first is not None else []
    default = shipped()
    if all(x.name != default.name for x in out):
        out.append(default)
    for name, path in names(None).items():
        if any(x.name == name for x in out):
            continue
        if path.is_relative_to(DEFAULT_TEMPLATES):
            out.append(shipped(name))
        else:  # the repository's: a broken one is for `check` to report
            layout = read_layout(path, name, Report())
            if layout is not None:
                out.append(layout)
    return out


def _body(template: str, places: dict[str, str]) -> str:
    """A line printed from `template` as a regular expression (`：` and `:` alike, spaces
    optional), each placeholder as `places` says."""
    out = []
    for part in re.split(r"(\{\w+\})", template):
        if part in places:
            out.append(places[part])
        else:
            for ch in part:
                out.append(r"\s*[:：]\s*" if ch in ":：" else r"\s*" if ch.isspace() else re.escape(ch))
    return "".join(out)


def _pattern(template: str, places: dict[str, str]) -> re.Pattern[str]:
    return re.compile(r"^\s*" + _body(template, places) + r"\s*$")


def agency_pattern(layout: Layout) -> re.Pattern[str]:
    """The line above a table as the layout prints it: its code (with what follows it up to the
    name, both absent without a code), name and department."""
    template = layout.agency
    places = {"{name}": r"(?P<name>.+?)", "{department}": r"(?P<department>.+?)"}
    m = re.search(r"\{code\}([^{}]*)", template)
    if m is not None:
        sep = m.group(1)
        code = r"(?P<code>[0-9]+)" if not sep.strip() else rf"(?P<code>[^\s{re.escape(sep)}]+)"
        places["{_code}"] = f"(?:{code}{_body(sep, {})}\\s*)?"
        template = template[:m.start()] + "{_code}" + template[m.end():]
    return _pattern(template, places)


def unit_pattern(layout: Layout) -> re.Pattern[str]:
    return _pattern(layout.unit, {"{money_unit}": r"(?P<unit>\S+?)"})


def grid_header(layout: Layout, row: list[str]) -> list[str] | None:
    """The recipients of a grid header row printed by the layout (one column each), or None
    when the row is not the layout's header."""
    if layout.band is not None:  # the band's cell: its label over the header, or empty
        if not row or squash(row[0]) != (squash(layout.band.text) if layout.band.over == "all"
                                         else ""):
            return None
        row = row[1:]
    cells = [squash(c) for c in row]
    while cells and not cells[-1]:
        cells.pop()
    labels = [squash(c.label) for c in layout.columns]
    if "values" not in [c.field for c in layout.columns]:
        return [] if cells == labels else None
    k = [c.field for c in layout.columns].index("values")
    before, after = labels[:k], labels[k + 1:]
    if len(cells) < len(before) + len(after) or cells[:k] != before or \
            cells[len(cells) - len(after):] != after:
        return None
    return [c for c in row[k:len(row) - len(after) if after else None]][:len(cells) - len(before)
                                                                          - len(after)]


def _labels(layout: Layout, unit: str) -> set[str]:
    return {squash(_unit(c.text, unit)) for r in layout.head for c in r.cells if not c.field}


def _unit(text: str, unit: str) -> str:
    return text.replace("{money_unit}", unit)


def money_unit(rows: list[list[str]]) -> tuple[int, str] | None:
    """The row that gives the money unit (`单位：万元`, `金额单位：元`) and the unit as written."""
    for i, row in enumerate(rows):
        for cell in reversed(row):
            if UNIT_CELL.search(cell):
                return i, re.sub(r"^.*[:：]\s*", "", cell.strip())
    return None


def is_target(rows: list[list[str]], layouts: list[Layout] | None = None) -> bool:
    """Whether rows are a 项目支出绩效目标表: a line with the money unit, and the label some
    layout prints first above its grid (项目名称, 项目支出名称…)."""
    found = money_unit(rows)
    if found is None:
        return False
    cells = {squash(c) for r in rows for c in r}
    for layout in layouts or candidates():
        first = next((c for c in layout.head[0].cells if not c.field), None)
        if first is not None and squash(_unit(first.text, found[1])) in cells:
            return True
    return False


def name_cell(rows: list[list[str]], layouts: list[Layout] | None = None) -> str:
    """A target table's 项目名称 as its rows show it (for naming the table in messages)."""
    for layout in layouts or candidates():
        for row in layout.head:
            for i, cell in enumerate(row.cells):
                if cell.field == "name" and i > 0 and not row.cells[i - 1].field:
                    label = squash(row.cells[i - 1].text)
                    for r in rows:
                        for k, c in enumerate(r[:-1]):
                            if squash(c) == label and squash(r[k + 1]):
                                return squash(r[k + 1])
    return ""


def _grid_rows(section: Section, kept: list[int], start: int) -> list[GridRow]:
    """The rows after the grid's header, each named as the section's reader counts rows."""
    out = []
    for n, index in enumerate(kept[start:], 1):
        if section.numbers is not None:
            name = f"{section.label}第 {section.numbers[index]} 行"
        else:
            name = f"{section.label}：指标表第 {n} 行" if section.label else f"指标表第 {n} 行"
        out.append(GridRow(section.rows[index], name))
    return out


def _choose(rows: list[list[str]], layouts: list[Layout], unit: str
            ) -> tuple[Layout, int, list[str]] | None:
    """The layout whose grid header the rows have and the most of whose labels above the grid
    they show (the first of those), with the header's index and the recipients it names."""
    cells = {squash(c) for r in rows for c in r}
    best: tuple[int, int, Layout, int, list[str]] | None = None
    for order, layout in enumerate(layouts):
        for i, row in enumerate(rows):
            recipients = grid_header(layout, row)
            if recipients is None:
                continue
            score = len(_labels(layout, unit) & cells)
            if best is None or score > best[0]:
                best = (score, order, layout, i, recipients)
            break
    return None if best is None else (best[2], best[3], best[4])


@dataclass
class Head:
    """What the rows above a grid say, by field, with the label each field printed under."""

    values: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)  # fields whose cell the row lacks


def read_head(rows: list[list[str]], layout: Layout, unit: str, section: Section,
              where: Pos, report: Report) -> Head:
    """The fields of the rows above the grid: each source row is the layout row whose labels it
    shows (a row without labels, the next such layout row); a field is the cell after its label
    in that row, or the cell at its place when no label stands before it."""
    head = Head()
    named = f"{section.label}：" if section.label else ""
    by_labels: list[tuple[HeadRow, list[HeadCell], set[str]]] = []
    for row in layout.head:
        labels = {squash(_unit(c.text, unit)) for c in row.cells if not c.field}
        by_labels.append((row, list(row.cells), labels))
    used: set[int] = set()
    for source in rows:
        cells = [squash(c) for c in source]
        shown = {c for c in cells if c}
        match = max((k for k in range(len(by_labels)) if k not in used and by_labels[k][2]
                     and by_labels[k][2] & shown), default=None,
                    key=lambda k: len(by_labels[k][2] & shown))
        if match is None:
            match = next((k for k in range(len(by_labels)) if k not in used
                          and not by_labels[k][2]), None)
        if match is None:
            report.add(where, rules.IMPORT_CELLS,
                       f"{named}第 {rows.index(source) + 1} 行不在版式 {layout.name} 的表头中，已忽略："
                       f"{source}")
            continue
        used.add(match)
        row, layout_cells, _ = by_labels[match]
        covered = _covered_before(layout, match)
        for i, cell in enumerate(layout_cells):
            if not cell.field:
                continue
            before = layout_cells[i - 1] if i > 0 else None
            if before is not None and not before.field:
                label = squash(_unit(before.text, unit))
                head.labels[cell.field] = _unit(before.text, unit)
                at = next((k for k, c in enumerate(cells) if c == label), None)
                if at is None or at + 1 >= len(source):
                    head.missing.add(cell.field)
                    continue
                head.values[cell.field] = source[at + 1]
            else:
                at = covered[i] if i < len(covered) else i
                if at < len(source):
                    head.values[cell.field] = source[at]
    return head


def below_pattern(layout: Layout) -> re.Pattern[str]:
    """The line under the table as the layout's `below` prints it, its fields as groups."""
    return _pattern(layout.below, {f"{{{k}}}": rf"(?P<{k}>.*?)"
                                   for k in ("code", "name", "department", "contact", "phone")})


def foot_start(rows: list[list[str]], start: int, layout: Layout, unit: str) -> int:
    """Where the rows below the grid begin (a row whose first cell is a label of the layout's
    `foot`, or its line under the table): the grid's rows end there."""
    labels = {squash(_unit(r.cells[0].text, unit)) for r in layout.foot
              if r.cells and not r.cells[0].field and r.cells[0].fixed is None}
    below = below_pattern(layout) if layout.below else None
    for i in range(start, len(rows)):
        cells = [c for c in rows[i] if c.strip()]
        if cells and squash(cells[0]) in labels:
            return i
        if below is not None and len(cells) == 1 and below.match(cells[0]):
            return i
    return len(rows)


def read_foot(rows: list[list[str]], layout: Layout, unit: str, section: Section, where: Pos,
              report: Report, head: Head) -> None:
    """The fields of the rows below the grid and of the line under the table, into `head`."""
    below = below_pattern(layout) if layout.below else None
    table: list[list[str]] = []
    for row in rows:
        cells = [c for c in row if c.strip()]
        m = below.match(cells[0]) if below is not None and len(cells) == 1 else None
        if m is not None:
            for key in ("contact", "phone"):
                if m.groupdict().get(key):
                    head.values.setdefault(key, m.group(key).strip())
        else:
            table.append(row)
    if table and layout.foot:
        foot = read_head(table, replace(layout, head=layout.foot, head_widths=layout.foot_widths),
                         unit, section, where, report)
        for key, value in foot.values.items():
            head.values.setdefault(key, value)
    elif table:
        named = f"{section.label}：" if section.label else ""
        for row in table:
            report.add(where, rules.IMPORT_CELLS,
                       f"{named}指标表之后的一行不在版式 {layout.name} 中，已忽略：{row}")


def _covered_before(layout: Layout, index: int) -> list[int]:
    """For each cell of a layout row, its place among the row's cells as a reader sees them (a
    cell covered by one above is one empty cell before it, however many columns it covers)."""
    below: dict[int, tuple[int, int]] = {}  # column → (rows it still covers, its span)
    places: list[int] = []
    for r, row in enumerate(layout.head[:index + 1]):
        column = place = 0
        places = []
        cells = iter(row.cells)
        width = len(layout.head_widths)
        while column < width:
            if column in below:
                column += below[column][1]
                place += 1
                continue
            cell = next(cells, None)
            if cell is None:
                break
            places.append(place)
            if cell.rows > 1 and r < index:
                below[column] = (cell.rows, cell.span)
            place += 1
            column += cell.span
        below = {c: (n - 1, span) for c, (n, span) in below.items() if n - 1 > 0}
    return places


def read_amounts(head: Head, layout: Layout, pos: Pos, named: str,
                 report: Report) -> tuple[Budget | None, int]:
    """The amounts above the grid (with thousands separators read), or None with an error
    naming each bad cell: a text that is no amount, a missing 预算数; and the most decimals."""
    amounts: dict[str, Decimal | None] = {}
    ok = True
    places = 0
    printed = {c.field for r in layout.head for c in r.cells}
    for key in AMOUNT_FIELDS:
        if key not in printed:
            amounts[key] = None
            continue
        label = head.labels.get(key, {"total": "预算数", "fiscal": "财政资金", "other": "其他资金"}[key])
        raw = head.values.get(key)
        text = (raw or "").strip().replace(",", "").replace("，", "")
        if not text:
            amounts[key] = None
            if key == "total":
                what = "单元格为空" if key not in head.missing and raw is not None else "单元格不存在"
                report.add(pos, rules.IMPORT_AMOUNT, f"{named}“{label}”{what}；请在源文件中填写金额")
                ok = False
            continue
        if not AMOUNT.match(text):
            report.add(pos, rules.IMPORT_AMOUNT,
                       f"{named}“{label}”单元格应为金额（如 40.00），实际为“{raw}”")
            ok = False
            continue
        value = Decimal(text)
        exponent = value.as_tuple().exponent
        own = -exponent if isinstance(exponent, int) else 0
        if own > MAX_DECIMALS:
            report.add(pos, rules.IMPORT_AMOUNT,
                       f"{named}“{label}”为 {text}，超过 {MAX_DECIMALS} 位小数；请在源文件中修正"
                       "（不会自动舍入）")
            ok = False
            continue
        places = max(places, own)
        amounts[key] = value
    if not ok:
        return None, places
    total = amounts["total"]
    if total is None:  # a layout without 预算数: the sum of what it prints
        total = (amounts["fiscal"] or Decimal(0)) + (amounts["other"] or Decimal(0))
    return Budget(total, amounts["fiscal"], amounts["other"]), places


def read_budget(cells: dict[str, str], pos: Pos, named: str, report: Report) -> Budget | None:
    """The three amounts of the default layout's budget row by their labels (see read_amounts)."""
    head = Head({k: cells[label] for label, k in BUDGET_CELLS if label in cells},
                {k: label for label, k in BUDGET_CELLS})
    head.missing = {k for label, k in BUDGET_CELLS if label not in cells}
    return read_amounts(head, shipped(), pos, named, report)[0]


BUDGET_CELLS = (("预算数", "total"), ("其中：财政资金", "fiscal"), ("其他资金", "other"))


def rows_to_project(section: Section, where: str, report: Report,
                    layouts: list[Layout] | None = None) -> Imported | None:
    """Map one section's rows onto the model through the layout they are printed in."""
    kept = [i for i, r in enumerate(section.rows) if any(c.strip() for c in r)]
    rows = [section.rows[i] for i in kept]
    pos = Pos(where, section.line)
    named = f"{section.label}：" if section.label else ""
    layouts = layouts or candidates()
    if not is_target(rows, layouts):
        report.add(pos, rules.IMPORT_SKIPPED, f"{named}这不是项目支出绩效目标表，已跳过")
        return None
    line_at, unit = money_unit(rows) or (0, "")
    chosen = _choose(rows, layouts, unit)
    if chosen is None:
        report.add(pos, rules.IMPORT_GRID, f"{named}找不到指标表的表头（一级指标 | 二级指标 | …）")
        return None
    layout, header_at, recipients = chosen
    if unit not in MONEY_UNITS:
        report.add(pos, rules.IMPORT_UNIT, f"{named}无法识别的金额单位“{unit}”（可用：元、千元、万元）")
        return None
    line = rows[line_at]
    unit_text = next(c for c in reversed(line) if UNIT_CELL.search(c))
    end = foot_start(rows, header_at + 1, layout, unit)
    head = read_head(rows[line_at + 1:header_at], layout, unit, section, pos, report)
    read_foot(rows[end:], layout, unit, section, pos, report, head)
    agency = _agency(line[0] if line and line[0] != unit_text else "", layout, head)
    budget, places = read_amounts(head, layout, pos, named, report)
    if budget is None:
        return None
    text = {k: head.values.get(k, "") for k in ("name", "usage", "period")}
    goals = {k: _goals(head.values.get(k, ""), layout) for k in PARAGRAPH_FIELDS}
    grid = _grid_rows(section, kept[:end], header_at + 1)
    if layout.band is not None:
        grid = [_without_band(row, layout.band.text, pos, report) for row in grid]
    indicators, order, merge = grid_to_indicators(grid, pos, report, layout, recipients,
                                                  section.ragged)
    project = Project(name=text["name"], budget=budget, usage=text["usage"], goals=goals["goals"],
                      indicators=indicators, period=text["period"] or None,
                      period_goals=goals["period_goals"], recipients=recipients, order=order)
    comments: dict[str, str] = {}
    expected_tail = f"{project.name}绩效目标表"
    if not section.heading.strip():
        comments[""] = "源文件中此表的标题为空；标题按项目名称生成。"
    elif not section.heading.endswith(expected_tail):
        comments[""] = f"源文件中此表的标题为：{section.heading}"
    repair(project, comments)
    return Imported(agency, unit, merge, project, comments, pos, section.label,
                    layout=None if layout.name == shipped().name else layout, decimals=places)


def _without_band(row: GridRow, label: str, pos: Pos, report: Report) -> GridRow:
    """A grid row without the band's cell (its label where a page cut repeats it, else empty;
    anything else there is said, not read as an indicator's)."""
    if row.cells and squash(row.cells[0]) not in ("", squash(label)):
        report.add(pos, rules.IMPORT_CELLS,
                   f"{row.name}第 1 列应为贯通各行的“{label}”，实际为“{row.cells[0]}”，已忽略")
    return GridRow(row.cells[1:], row.name)


def _agency(text: str, layout: Layout, head: Head) -> Agency:
    """The agency from the line above the table (and the 实施单位, 单位编码 and 主管部门 cells)."""
    m = agency_pattern(layout).match(text) if text else None
    found = m.groupdict() if m else {}
    code = head.values.get("code") or found.get("code") or ""
    name = head.values.get("agency") or found.get("name") or text.strip()
    department = head.values.get("department") or found.get("department") or None
    contact = (head.values.get("contact") or "").strip() or None
    phone = (head.values.get("phone") or "").strip() or None
    return Agency(code.strip(), name.strip(), department=department, contact=contact, phone=phone)


def _goals(cell: str, layout: Layout) -> list[str]:
    if not cell.strip():
        return []
    if layout.numbers == "never":
        return [line for line in cell.strip("\n").split("\n") if line.strip()]
    return split_goals(cell)


def split_goals(cell: str) -> list[str]:
    """Goals numbered `1.` `2.` inside one cell, one per line or run together, without numbers."""
    text = cell.strip("\n")
    parts = re.split(r"\n|(?<=[。；;])\s*(?=\d+\s*[.．、])", text)
    goals = [GOAL_NUMBER.sub("", p, count=1) for p in parts if p.strip()]
    return goals


# The model's fields a grid column fills, for messages: 第 3 列（三级指标）.
def _content(layout: Layout, recipients: list[str]) -> list[tuple[str, str, str]]:
    """(field, key or recipient, header) of each grid column after 一级 and 二级."""
    out = []
    for c in layout.columns[2:]:
        if c.field == "values":
            out += [("values", who, who) for who in recipients]
        else:
            out.append((c.field, c.key, c.label))
    return out


def grid_to_indicators(rows: list[GridRow], pos: Pos, report: Report,
                       layout: Layout | None = None, recipients: list[str] | None = None,
                       ragged: bool = False,
                       ) -> tuple[list[Level1], list[tuple[int, int, int | None]] | None, str]:
    """Indicator rows (merged cells empty) into groups, in the order they are printed (kept in
    `order` when a group comes back after another: a 效益 row between two 产出 rows); also
    which merge style the source used."""
    layout = layout or shipped()
    recipients = recipients or []
    columns = _content(layout, recipients)
    width = 2 + len(columns)
    header = [squash(c.label) for c in layout.columns[:2]] + [squash(h) for _, _, h in columns]
    out: list[Level1] = []
    printed: list[tuple[int, int, int | None]] = []
    merged1 = merged2 = False
    last1 = last2 = ""
    told: set[tuple[str, str]] = set()
    for row in rows:
        r = row.cells
        if len(r) > width and any(c.strip() for c in r[width:]):
            report.add(pos, rules.IMPORT_CELLS,
                       f"{row.name}多出 {len(r) - width} 个单元格，已忽略：{r[width:]}")
        r = (r + [""] * width)[:width]
        if not any(c.strip() for c in r):
            continue
        if [squash(c) for c in r] == header:
            continue  # a grid split by a page break repeats its header
        l1, l2 = squash(r[0]), squash(r[1])  # a label may print on two lines (生态环境成本/指标)
        content = r[2:]
        empty_row = not any(c.strip() for c in content)
        if 0 < len(row.cells) < width and not ragged and not (empty_row and layout.empty_level2):
            report.add(pos, rules.IMPORT_CELLS,
                       f"{row.name}只有 {len(row.cells)} 个单元格，缺少的按空白处理：{row.cells}")
        if not l1.strip():
            merged1 = merged1 or bool(printed)
            l1 = last1
        if not l2.strip() and l1 == last1 and printed:
            merged2 = True
            l2 = last2
        a = next((k for k, g in enumerate(out) if g.name == l1), None)
        if a is None:
            a = len(out)
            out.append(Level1(l1))
        elif a != printed[-1][0] and (l1, "") not in told:
            told.add((l1, ""))
            report.add(pos, rules.IMPORT_ORDER,
                       f"{row.name}：一级指标“{l1}”不连续出现，已按原表的顺序保留"
                       "（indicators 写成按行排列的列表）")
        level1 = out[a]
        b = next((k for k, g in enumerate(level1.groups) if g.name == l2), None)
        if b is None:
            b = len(level1.groups)
            level1.groups.append(Level2(l2))
        elif printed and printed[-1][:2] != (a, b) and (l1, l2) not in told:
            told.add((l1, l2))
            report.add(pos, rules.IMPORT_ORDER,
                       f"{row.name}：二级指标“{l2}”不连续出现，已按原表的顺序保留"
                       "（indicators 写成按行排列的列表）")
        last1, last2 = l1, l2
        level2 = level1.groups[b]
        if empty_row and layout.empty_level2:
            printed.append((a, b, None))
            continue
        indicator = _indicator(content, columns, row, pos, report)
        printed.append((a, b, len(level2.indicators)))
        level2.indicators.append(indicator)
    merge = "level1+level2" if merged2 else "level1" if merged1 else "none"
    grouped = [(a, b, c) for a, g in enumerate(out) for b, l2g in enumerate(g.groups)
               for c in (range(len(l2g.indicators)) if l2g.indicators else [None])]
    return out, (None if printed == grouped else printed), merge


def _indicator(content: list[str], columns: list[tuple[str, str, str]], row: GridRow, pos: Pos,
               report: Report) -> Indicator:
    """One indicator from the cells after 一级 and 二级, each read as its column says."""
    cells: dict[str, str] = {}
    ind = Indicator(name="", value="")
    sign = number = unit = None
    for (fld, key, header), text in zip(columns, content, strict=True):
        if fld == "values":
            if text.strip():
                ind.values[key] = text
        elif fld == "key":
            if text.strip():
                ind.extra[key] = text
        elif fld == "sign":
            sign = text.strip()
        elif fld == "number":
            number = text.strip()
        elif fld == "unit":
            unit = text.strip()
        elif fld == "weight":
            w = text.strip()
            if w:
                try:
                    ind.weight = Decimal(w)
                except InvalidOperation:
                    report.add(pos, rules.IMPORT_CELLS,
                               f"{row.name}“{header}”应为数字，实际为“{text}”，已忽略")
        else:
            cells[fld] = text
    ind.name = cells.get("name", "")
    description = cells.get("description")
    ind.description = None if description is None or description == ind.name else description
    if "value" in cells:
        ind.value = cells["value"]
    elif number is not None:
        ind.value = number if sign == QUALITATIVE else f"{sign or ''}{number}{unit or ''}"
    if "period_value" in cells:
        ind.period_value = cells["period_value"] or None
    empty = [f"第 {i + 3} 列（{header}）" for i, ((fld, _, header), text) in
             enumerate(zip(columns, content, strict=True))
             if fld in ("name", "value", "number") and not text.strip()]
    if empty:
        report.add(pos, rules.IMPORT_CELLS, f"{row.name}{'、'.join(empty)}为空："
                   f"{[*row.cells[:2], *content] if len(row.cells) >= 2 else row.cells}")
    return ind


def repair(project: Project, comments: dict[str, str]) -> None:
    """Mend `？` damage where the project's own text shows what was meant."""
    context = "\n".join([project.name, project.usage, *project.goals])
    for l1 in project.indicators:
        for l2 in l1.groups:
            for i, ind in enumerate(l2.indicators, 1):
                fixed = {k: _mend(getattr(ind, k), context) for k in ("name", "description")}
                notes = [f"{k} 源文件为“{getattr(ind, k)}”" for k, v in fixed.items()
                         if v != getattr(ind, k)]
                if notes:
                    ind.name = fixed["name"] or ind.name
                    if ind.description is not None:
                        ind.description = fixed["description"]
                    note = "；".join(notes) + "（“？”为编码损坏，按项目名称修复）"
                    comments[f"{l1.name}.{l2.name}[{i}]"] = note


def _mend(text: str | None, context: str) -> str | None:
    if not text or "？" not in text:
        return text

    def fix(m: re.Match[str]) -> str:
        before, after = m.group(1), m.group(2)
        found = re.search(re.escape(before) + r"(.)" + re.escape(after), context)
        return before + found.group(1) + after if found else m.group(0)

    return re.sub(r"(\w{2,})？(\w{2,})", fix, text)


@dataclass
class BookInfo:
    """What a source says about its book besides the tables (all optional)."""

    title: str | None = None
    author: str | None = None
    year: int | None = None
