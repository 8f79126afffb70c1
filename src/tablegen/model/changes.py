"""What changed between two versions of a book, as a reviewer reads it: the budget, the goals,
each indicator row, the projects added, removed, renamed or moved, and the 自评 scores.

`tablegen diff` (commands/diff.py) reads two revisions through git and prints these changes;
`tablegen import --update` shows the changes an edited DOCX would make in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher

from .book import Agency, Book, Project, format_amount
from .monitoring import round_changes
from .scoring import score_changes


@dataclass
class Change:
    """One line of a project's changes: what, where, old and new."""

    kind: str  # 预算 | 资金用途 | 绩效目标 | 新增/删除/修改指标 | 项目名称 | 位置 | 书 | 单位 | 监控
    where: str
    old: str = ""
    new: str = ""


@dataclass
class ProjectDiff:
    """The changes of one project (status: 新增, 删除 or 修改)."""

    status: str
    name: str
    file: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class BookDiff:
    key: str
    title: str
    status: str  # 新增 | 删除 | 修改
    projects: list[ProjectDiff] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # the book's settings and agencies


def _placed(book: Book) -> dict[str, tuple[int, Agency, Project]]:
    return {p.file: (n, a, p) for n, a, p in book.numbered()}


def _amount(value: Decimal | None) -> str:
    return format_amount(value) or "（空）"


def _delta(old: Decimal | None, new: Decimal | None) -> str:
    d = (new or Decimal(0)) - (old or Decimal(0))
    return f"{'+' if d > 0 else ''}{format_amount(d)}"


Row = tuple[str, str, str, str | None, str]  # 一级, 二级, 三级, 描述 as written, 指标值


def _rows(project: Project) -> dict[tuple[str, str, str, int], Row]:
    """Indicator rows by 一级/二级/三级 (and occurrence, should a name repeat in its group)."""
    out: dict[tuple[str, str, str, int], Row] = {}
    for l1, l2, i in project.rows():
        n = sum(1 for k in out if k[:3] == (l1.name, l2.name, i.name))
        out[(l1.name, l2.name, i.name, n)] = (l1.name, l2.name, i.name, i.description, i.value)
    return out


def _where(row: Row) -> str:
    return " / ".join(row[:3])


def _goal_changes(old: list[str], new: list[str]) -> list[Change]:
    """Goals aligned as a sequence: an inserted goal does not show every later one as changed."""
    out = []
    for op, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            a = old[i1 + k] if i1 + k < i2 else ""
            b = new[j1 + k] if j1 + k < j2 else ""
            place = f"第 {j1 + k + 1} 条" if b else f"原第 {i1 + k + 1} 条"
            out.append(Change("绩效目标", place, a, b))
    return out


def _row_changes(a: Row, b: Row) -> list[Change]:
    out = []
    where = _where(a)
    if a[2] != b[2]:
        out.append(Change("修改指标", f"{where} · 三级指标", a[2], b[2]))
    if a[3] != b[3]:
        out.append(Change("修改指标", f"{where} · 绩效指标描述", a[3] or a[2], b[3] or b[2]))
    if a[4] != b[4]:
        out.append(Change("修改指标", f"{where} · 指标值", a[4], b[4]))
    return out


def project_changes(old: Project, new: Project, unit: str = "") -> list[Change]:
    """Budget (in the book's money unit), usage, goals and indicator rows that differ."""
    out = []
    labels = {"total": "预算数", "fiscal": "财政资金", "other": "其他资金"}
    for key, label in labels.items():
        a, b = getattr(old.budget, key), getattr(new.budget, key)
        if a != b:
            where = f"{label}（{unit}）" if unit else label
            out.append(Change("预算", where, _amount(a), f"{_amount(b)}（{_delta(a, b)}）"))
    if old.usage != new.usage:
        out.append(Change("资金用途", "资金用途", old.usage, new.usage))
    out += _goal_changes(old.goals, new.goals)
    before, after = _rows(old), _rows(new)
    removed = [k for k in before if k not in after]
    added = [k for k in after if k not in before]
    # A row gone and a row come in the same group that keep their value or their written
    # description are one row whose 三级指标 was renamed.
    renamed: dict[tuple[str, str, str, int], tuple[str, str, str, int]] = {}
    for k in removed:
        a = before[k]
        match = next((j for j in added if j[:2] == k[:2] and j not in renamed.values()
                      and (after[j][4] == a[4] or (a[3] is not None and after[j][3] == a[3]))),
                     None)
        if match is not None:
            renamed[k] = match
    for k in removed:
        if k not in renamed:
            out.append(Change("删除指标", _where(before[k]), before[k][4], ""))
    for k, row in after.items():
        if k in before:
            out += _row_changes(before[k], row)
        elif k in renamed.values():
            old_key = next(o for o, n in renamed.items() if n == k)
            out += _row_changes(before[old_key], row)
        else:
            out.append(Change("新增指标", _where(row), "", row[4]))
    return out


def whole_project(project: Project, unit: str = "") -> list[Change]:
    """An added project as the reviewer reads it: budget, usage, goals and every indicator row."""
    out = []
    for key, label in (("total", "预算数"), ("fiscal", "财政资金"), ("other", "其他资金")):
        value = getattr(project.budget, key)
        if value is not None:
            out.append(Change("预算", f"{label}（{unit}）" if unit else label, "", _amount(value)))
    if project.usage:
        out.append(Change("资金用途", "资金用途", "", project.usage))
    out += [Change("绩效目标", f"第 {i} 条", "", goal) for i, goal in enumerate(project.goals, 1)]
    for row in _rows(project).values():
        where = _where(row) if row[3] in (None, row[2]) else f"{_where(row)}（{row[3]}）"
        out.append(Change("新增指标", where, "", row[4]))
    return out


def book_changes(old: Book, new: Book) -> list[Change]:
    """The book's own settings and its agencies' names."""
    out = [Change("书", label, str(getattr(old, key) or ""), str(getattr(new, key) or ""))
           for key, label in (("title", "标题"), ("year", "年度"), ("money_unit", "金额单位"),
                              ("frame", "指标框架"), ("merge", "合并方式"),
                              ("department", "部门"), ("pace", "监控预警方案"))
           if getattr(old, key) != getattr(new, key)]
    names = {a.code: a.name for a in old.agencies}
    for agency in new.agencies:
        if agency.code not in names:
            out.append(Change("单位", agency.code, "", agency.name))
        elif names[agency.code] != agency.name:
            out.append(Change("单位", agency.code, names[agency.code], agency.name))
    codes = {a.code for a in new.agencies}
    out += [Change("单位", a.code, a.name, "") for a in old.agencies if a.code not in codes]
    return out


def diff_books(old: dict[str, Book], new: dict[str, Book]) -> list[BookDiff]:
    """Per book, every project added, removed, renamed, moved or changed."""
    out = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a is None or b is None:
            book = b or a
            assert book is not None
            status = "新增" if a is None else "删除"
            out.append(BookDiff(key, book.title, status, [
                ProjectDiff(status, p.name, p.file,
                            whole_project(p, book.money_unit) if a is None else [])
                for p in book.projects]))
            continue
        bd = BookDiff(key, b.title, "修改", changes=book_changes(a, b))
        pa, pb = _placed(a), _placed(b)
        # A project whose file was renamed is matched by its name.
        by_name = {p.name: f for f, (_, _, p) in pa.items() if f not in pb}
        pairs = {f: f for f in pa if f in pb}
        for f, (_, _, p) in pb.items():
            if f not in pa and p.name in by_name:
                pairs[by_name.pop(p.name)] = f
        common_old = [f for f in pa if f in pairs]
        common_new = [f for f in pb if f in pairs.values()]
        order_new = {f: i for i, f in enumerate(common_new)}
        for old_file in common_old:
            new_file = pairs[old_file]
            (n1, ag1, p1), (n2, ag2, p2) = pa[old_file], pb[new_file]
            changes = []
            if p1.name != p2.name:
                changes.append(Change("项目名称", "项目名称", p1.name, p2.name))
            if old_file != new_file:
                changes.append(Change("位置", "文件", old_file, new_file))
            if ag1.code != ag2.code or common_old.index(old_file) != order_new[new_file]:
                changes.append(Change("位置", "表序", f"{n1}（{ag1.code}）", f"{n2}（{ag2.code}）"))
            changes += project_changes(p1, p2, b.money_unit)
            changes += [Change(*c) for c in round_changes(p1.monitoring, p2.monitoring,
                                                          b.money_unit)]
            changes += [Change(*c) for c in score_changes(p1, a, p2, b)]
            if changes:
                bd.projects.append(ProjectDiff("修改", p2.name, new_file, changes))
        for f, (_, _, p) in pb.items():
            if f not in pairs.values():
                bd.projects.append(ProjectDiff("新增", p.name, f, whole_project(p, b.money_unit)))
        for f, (_, _, p) in pa.items():
            if f not in pairs:
                bd.projects.append(ProjectDiff("删除", p.name, f))
        if bd.projects or bd.changes:
            out.append(bd)
    return out


