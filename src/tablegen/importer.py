"""Import existing tables into YAML: the official layout, read as rows of cell texts.

Every source format (the plain-text dump of an official DOCX here; DOCX and XLSX readers
produce the same rows) goes through `rows_to_project`, so all importers share one mapping.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .errors import Pos, Report
from .model import MONEY_UNITS, Agency, Book, Budget, Indicator, Level1, Level2, Project
from .yamlout import dump_book, dump_project

BOOKMARK = re.compile(r"^\s*\[bookmark: ([^\]]*)\](.*)$")
GOAL_NUMBER = re.compile(r"^\s*\d+\s*[.．、]\s*")
AGENCY = re.compile(r"^\s*(\d+)\s*(.*?)\s*$")
UNIT = re.compile(r"^\s*单位\s*[:：]\s*(\S+)\s*$")
HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"]
BAD_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def squash(label: str) -> str:
    """A label without layout spaces (`其中：财政    资金` → `其中：财政资金`)."""
    return re.sub(r"\s+", "", label)


@dataclass
class Section:
    """One table of a source: its heading and its rows of cell texts."""

    heading: str
    line: int
    rows: list[list[str]] = field(default_factory=list)
    label: str = ""  # how messages name it: 第 3 个表格, 工作表“…”


@dataclass
class Imported:
    """One project read from a source, with where it came from and what to note."""

    agency: Agency
    money_unit: str
    merge: str
    project: Project
    comments: dict[str, str] = field(default_factory=dict)


def parse_dump(text: str) -> list[Section]:
    """Split a plain-text DOCX dump into headed sections of table rows.

    A `[bookmark: …]` line (or an empty heading paragraph) starts a section; a line starting
    with a tab is a cell; a blank line ends a row; any other line continues the cell above.
    """
    sections: list[Section] = []
    row: list[str] | None = None

    def end_row() -> None:
        nonlocal row
        if row and sections:
            sections[-1].rows.append(row)
        row = None

    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        m = BOOKMARK.match(line)
        if m:
            end_row()
            sections.append(Section(m.group(2), number))
            continue
        if line and not line.startswith("\t") and line.lstrip(" ").startswith("\t"):
            # An empty heading paragraph runs straight into the next table's first cell.
            end_row()
            sections.append(Section("", number))
            line = line.lstrip(" ")
        if line.startswith("\t"):
            if row is None:
                row = []
            row.append(line[1:])
        elif line.strip() == "":
            end_row()
        elif row:
            row[-1] += "\n" + line
        elif sections:
            sections[-1].heading += line
    end_row()
    return sections


def _amount(text: str) -> Decimal | None:
    text = text.strip().replace(",", "")
    return Decimal(text) if text else None


def rows_to_project(section: Section, where: str, report: Report) -> Imported | None:
    """Map one section's rows (official layout) onto the model."""
    rows = [r for r in section.rows if any(c.strip() for c in r)]
    pos = Pos(where, section.line)
    named = f"{section.label}：" if section.label else ""
    labels = {squash(r[0]): r for r in rows if r}
    agency_row = next((r for r in rows if len(r) >= 1 and AGENCY.match(r[0]) and
                       any(UNIT.search(c) for c in r)), None)
    if agency_row is None or "项目名称" not in labels or "预算规模及资金用途" not in labels:
        report.warning(pos, "import-skipped", f"{named}这不是项目支出绩效目标表，已跳过")
        return None
    m = AGENCY.match(agency_row[0])
    unit_m = next(filter(None, (UNIT.search(c) for c in reversed(agency_row))), None)
    if m is None or unit_m is None:  # pragma: no cover - agency_row was chosen by both patterns
        return None
    agency = Agency(m.group(1), m.group(2))
    unit = unit_m.group(1)
    if unit not in MONEY_UNITS:
        report.error(pos, "import-unit", f"{named}无法识别的金额单位“{unit}”（可用：元、千元、万元）")
        return None
    name = labels["项目名称"][1]
    budget_row = [squash(c) if i % 2 == 1 else c for i, c in enumerate(labels["预算规模及资金用途"])]
    cells = dict(zip(budget_row[1::2], budget_row[2::2], strict=False))
    budget = Budget(_amount(cells.get("预算数", "")) or Decimal(0),
                    _amount(cells.get("其中：财政资金", "")), _amount(cells.get("其他资金", "")))
    index = rows.index(labels["预算规模及资金用途"])
    usage_row = rows[index + 1] if index + 1 < len(rows) else []
    usage = usage_row[-1] if len(usage_row) >= 2 and squash(usage_row[0]) == "" else ""
    goals_cell = labels.get("绩效目标", ["", ""])[1]
    goals = split_goals(goals_cell)
    header_at = next((i for i, r in enumerate(rows) if [squash(c) for c in r[:5]] == HEADER), None)
    if header_at is None:
        report.error(pos, "import-grid", f"{named}找不到指标表的表头（一级指标 | 二级指标 | …）")
        return None
    indicators, merge = grid_to_indicators(rows[header_at + 1:], where, section.line, report, named)
    project = Project(name=name, budget=budget, usage=usage, goals=goals, indicators=indicators)
    comments: dict[str, str] = {}
    expected_tail = f"{name}绩效目标表"
    if not section.heading.strip():
        comments[""] = "源文件中此表的标题为空；标题按项目名称生成。"
    elif not section.heading.endswith(expected_tail):
        comments[""] = f"源文件中此表的标题为：{section.heading}"
    repair(project, comments)
    return Imported(agency, unit, merge, project, comments)


def split_goals(cell: str) -> list[str]:
    """Goals numbered `1.` `2.` inside one cell, one per line or run together, without numbers."""
    text = cell.strip("\n")
    parts = re.split(r"\n|(?<=[。；;])\s*(?=\d+\s*[.．、])", text)
    goals = [GOAL_NUMBER.sub("", p, count=1) for p in parts if p.strip()]
    return goals


def grid_to_indicators(rows: list[list[str]], where: str, line: int,
                       report: Report, named: str = "") -> tuple[list[Level1], str]:
    """Indicator rows (merged cells empty) into groups; also which merge style the source used."""
    out: list[Level1] = []
    merged1 = merged2 = False
    for number, r in enumerate(rows, 1):
        if len(r) > 5 and any(c.strip() for c in r[5:]):
            report.warning(Pos(where, line), "import-cells",
                           f"{named}指标表第 {number} 行多出 {len(r) - 5} 个单元格，已忽略：{r[5:]}")
        if 0 < len(r) < 5 and any(c.strip() for c in r):
            report.warning(Pos(where, line), "import-cells",
                           f"{named}指标表第 {number} 行只有 {len(r)} 个单元格，缺少的按空白处理：{r}")
        r = (r + [""] * 5)[:5]
        l1, l2, name, desc, value = r
        l1, l2 = squash(l1), squash(l2)  # a label may print on two lines (生态环境成本/指标)
        if not any(c.strip() for c in r):
            continue
        if [squash(c) for c in r] != HEADER and (not name.strip() or not value.strip()):
            report.warning(Pos(where, line), "import-cells",
                           f"{named}指标表第 {number} 行缺少三级指标或指标值：{r}")
        if [squash(c) for c in r] == HEADER:
            continue  # a grid split by a page break repeats its header
        if not l1.strip():
            merged1 = merged1 or bool(out)
            l1 = out[-1].name if out else ""
        if not l2.strip():
            if out and out[-1].name == l1 and out[-1].groups:
                merged2 = True
                l2 = out[-1].groups[-1].name
        if not out or out[-1].name != l1:
            if any(g.name == l1 for g in out):
                report.warning(Pos(where, line), "import-order",
                               f"一级指标“{l1}”不连续出现，已并入前面的同名分组")
                target = next(g for g in out if g.name == l1)
                out.remove(target)
                out.append(target)
            else:
                out.append(Level1(l1))
        level1 = out[-1]
        if not level1.groups or level1.groups[-1].name != l2:
            existing = next((g for g in level1.groups if g.name == l2), None)
            if existing is not None:
                report.warning(Pos(where, line), "import-order",
                               f"二级指标“{l2}”不连续出现，已并入前面的同名分组")
                level1.groups.remove(existing)
                level1.groups.append(existing)
            else:
                level1.groups.append(Level2(l2))
        level1.groups[-1].indicators.append(
            Indicator(name=name, value=value, description=None if desc == name else desc))
    merge = "level1+level2" if merged2 else "level1" if merged1 else "none"
    return out, merge


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


def file_stem(name: str, taken: set[str]) -> str:
    """A file name from a project name: no characters Windows refuses, unique in the book."""
    stem = BAD_NAME.sub("_", name).strip(" .")[:40] or "project"
    base, n = stem, 2
    while stem in taken:
        stem, n = f"{base}-{n}", n + 1
    taken.add(stem)
    return stem


def detect_frame(imported: list[Imported]) -> str:
    """The first frame that admits every 一级/二级 pair found (classic when none does)."""
    from .frames import frames

    pairs = {(l1.name, l2.name) for it in imported for l1 in it.project.indicators
             for l2 in l1.groups}
    for name, frame in frames().items():
        if all(l2 in frame.level2_of(l1) for l1, l2 in pairs):
            return name
    return "classic"


def detect_merge(imported: list[Imported]) -> str:
    """The strongest merging any table shows (a table whose groups have one row shows none)."""
    found = {it.merge for it in imported}
    for merge in ("level1+level2", "level1"):
        if merge in found:
            return merge
    return "none"


@dataclass
class BookInfo:
    """What a source says about its book besides the tables (all optional)."""

    title: str | None = None
    author: str | None = None
    year: int | None = None


def book_files(into: Path, imported: list[Imported], info: BookInfo | None = None,
               taken: set[str] | None = None) -> dict[Path, str]:
    """book.yaml and one file per project, in the canonical YAML form."""
    info = info or BookInfo()
    years = Counter(int(y) for it in imported for y in re.findall(r"(20\d\d)年", it.project.name))
    year = info.year or (years.most_common(1)[0][0] if years else 2000)
    agencies: list[Agency] = []
    files: list[list[str]] = []
    out = project_files(into, imported, taken if taken is not None else set())
    for it in imported:
        if not agencies or agencies[-1].code != it.agency.code or agencies[-1].name != it.agency.name:
            agencies.append(Agency(it.agency.code, it.agency.name))
            files.append([])
        files[-1].append(it.project.file)
    book = Book(
        key=into.name,
        title=info.title or f"{agencies[0].name}{year}年项目支出绩效目标表",
        year=year,
        money_unit=imported[0].money_unit,
        frame=detect_frame(imported),
        merge=detect_merge(imported),
        department=info.author if info.author and info.author != agencies[0].name else None,
        agencies=agencies,
    )
    out[into / "book.yaml"] = dump_book(book, files)
    return out


def project_files(into: Path, imported: list[Imported], taken: set[str]) -> dict[Path, str]:
    """One canonical YAML file per imported project, named after it, unique in the folder."""
    out: dict[Path, str] = {}
    for it in imported:
        stem = file_stem(it.project.name, taken)
        it.project.file = f"{stem}.yaml"
        out[into / f"{stem}.yaml"] = dump_project(it.project, it.comments)
    return out
