"""What changed between two versions of a book, as a reviewer reads it: the budget, the goals,
each indicator row, the projects added, removed, renamed or moved, and the 自评 scores.

`tablegen diff` (commands/diff.py) reads two revisions through git and prints these changes;
`tablegen import --update` shows the changes an edited DOCX would make in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher

from .book import Agency, Book, Budget, Indicator, Overall, Project, format_amount
from .monitoring import round_changes
from .overall import amounts, as_project, scoring_book, task_amounts
from .scoring import score_changes


@dataclass
class Change:
    """One line of a project's changes: what, where, old and new."""

    kind: str  # 预算 | 资金用途 | 绩效目标 | 新增/删除/修改指标 | 项目名称 | 位置 | 书 | 单位 | 单位信息
    # | 监控
    where: str
    old: str = ""
    new: str = ""


@dataclass
class ProjectDiff:
    """The changes of one project, or of an agency's 部门整体 (status: 新增, 删除 or 修改)."""

    status: str
    name: str
    file: str
    changes: list[Change] = field(default_factory=list)
    what: str = "项目"  # 项目 | 部门整体


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


def _indicators(project: Project) -> dict[tuple[str, str, str, int], Indicator]:
    """The indicators under the keys of `_rows`."""
    out: dict[tuple[str, str, str, int], Indicator] = {}
    for l1, l2, i in project.rows():
        n = sum(1 for k in out if k[:3] == (l1.name, l2.name, i.name))
        out[(l1.name, l2.name, i.name, n)] = i
    return out


def _column_changes(a: Indicator, b: Indicator, where: str,
                    labels: dict[str, str]) -> list[Change]:
    """What a layout's other columns print that changed: 实施期指标值, a value per recipient,
    the layout's own columns (备注, 绩效标准…)."""
    out = []
    if a.period_value != b.period_value:
        out.append(Change("修改指标", f"{where} · 实施期指标值", a.period_value or "",
                          b.period_value or ""))
    for who in dict.fromkeys([*a.values, *b.values]):
        if a.values.get(who) != b.values.get(who):
            out.append(Change("修改指标", f"{where} · {who}", a.values.get(who, ""),
                              b.values.get(who, "")))
    for key in dict.fromkeys([*a.extra, *b.extra]):
        if a.extra.get(key) != b.extra.get(key):
            out.append(Change("修改指标", f"{where} · {labels.get(key, key)}",
                              a.extra.get(key, ""), b.extra.get(key, "")))
    return out


def _where(row: Row) -> str:
    return " / ".join(row[:3])


def _goal_changes(old: list[str], new: list[str], kind: str = "绩效目标") -> list[Change]:
    """Goals aligned as a sequence: an inserted goal does not show every later one as changed."""
    out = []
    for op, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            a = old[i1 + k] if i1 + k < i2 else ""
            b = new[j1 + k] if j1 + k < j2 else ""
            place = f"第 {j1 + k + 1} 条" if b else f"原第 {i1 + k + 1} 条"
            out.append(Change(kind, place, a, b))
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


def project_changes(old: Project, new: Project, unit: str = "",
                    columns: dict[str, str] | None = None) -> list[Change]:
    """Budget (in the book's money unit), usage, goals and indicator rows that differ; `columns`:
    the headers of the layout's own columns, by key (`standard` → 绩效标准)."""
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
    if old.period != new.period:
        out.append(Change("项目实施期", "项目实施期", old.period or "", new.period or ""))
    out += _goal_changes(old.period_goals, new.period_goals, "实施期绩效目标")
    if old.recipients != new.recipients:
        out.append(Change("接收方", "接收方", "、".join(old.recipients), "、".join(new.recipients)))
    before, after = _rows(old), _rows(new)
    inds_before, inds_after = _indicators(old), _indicators(new)
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
            out += _column_changes(inds_before[k], inds_after[k], _where(row), columns or {})
        elif k in renamed.values():
            old_key = next(o for o, n in renamed.items() if n == k)
            out += _row_changes(before[old_key], row)
            out += _column_changes(inds_before[old_key], inds_after[k], _where(row),
                                   columns or {})
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


def column_labels(book: Book) -> dict[str, str]:
    """The headers of the book's layout's own columns, by key."""
    if book.layout is None:
        return {}
    return {c.key: c.label for c in book.layout.columns if c.key}


def book_changes(old: Book, new: Book) -> list[Change]:
    """The book's own settings and its agencies' names."""
    out = [Change("书", label, str(getattr(old, key) or ""), str(getattr(new, key) or ""))
           for key, label in (("title", "标题"), ("year", "年度"), ("money_unit", "金额单位"),
                              ("frame", "指标框架"), ("merge", "合并方式"),
                              ("department", "部门"), ("decimals", "金额小数位数"),
                              ("overall_layout", "部门整体表版式"), ("pace", "监控预警方案"))
           if getattr(old, key) != getattr(new, key)]
    layouts = [b.layout.name if b.layout else "" for b in (old, new)]
    if layouts[0] != layouts[1]:
        out.append(Change("书", "版式", *layouts))
    # An agency is known by its code, or by its name when it has none.
    names = {a.code or a.name: a.name for a in old.agencies}
    before = {a.code or a.name: a for a in old.agencies}
    for agency in new.agencies:
        key = agency.code or agency.name
        if key not in names:
            out.append(Change("单位", agency.code, "", agency.name))
            continue
        if names[key] != agency.name:
            out.append(Change("单位", agency.code, names[key], agency.name))
        # What the tables print of the agency besides its name (主管部门, 填表人, 联系电话).
        for attr, label in (("department", "主管部门"), ("contact", "填表人"), ("phone", "联系电话")):
            was, now = getattr(before[key], attr) or "", getattr(agency, attr) or ""
            if was != now:
                out.append(Change("单位信息", f"{agency.name} · {label}", was, now))
    keys = {a.code or a.name for a in new.agencies}
    out += [Change("单位", a.code, a.name, "") for a in old.agencies if (a.code or a.name) not in keys]
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
                for p in book.projects] + overall_diffs(a, b)))
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
            changes += project_changes(p1, p2, b.money_unit, column_labels(b))
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
        bd.projects += overall_diffs(a, b)
        if bd.projects or bd.changes:
            out.append(bd)
    return out




# -- an agency's 部门整体 -------------------------------------------------------------------

def overall_diffs(old: Book | None, new: Book | None) -> list[ProjectDiff]:
    """Each agency's 部门整体 added, removed or changed (agencies matched by code)."""
    before = {a.code: a for a in old.agencies if a.overall} if old else {}
    after = {a.code: a for a in new.agencies if a.overall} if new else {}
    out = []
    for code in [*after, *(c for c in before if c not in after)]:
        a, b = before.get(code), after.get(code)
        if a is not None and b is not None:
            assert old is not None and new is not None
            changes = overall_changes(a, old, b, new)
            if changes:
                assert b.overall is not None
                out.append(ProjectDiff("修改", b.name, b.overall.file, changes, "部门整体"))
        elif b is not None:
            assert new is not None and b.overall is not None
            empty = Agency(b.code, b.name, overall=Overall(Decimal(0), [], []))
            out.append(ProjectDiff("新增", b.name, b.overall.file,
                                   overall_changes(empty, new, b, new), "部门整体"))
        elif a is not None and a.overall is not None:
            out.append(ProjectDiff("删除", a.name, a.overall.file, what="部门整体"))
    return out


def overall_changes(a: Agency, old_book: Book, b: Agency, new_book: Book) -> list[Change]:
    """An agency's 整体 as a reviewer reads its changes: the money (derived sums included),
    职能, 收入构成, tasks, goals, indicator rows and the 自评."""
    x, y = a.overall, b.overall
    assert x is not None and y is not None
    unit = new_book.money_unit
    out = []
    ma, mb = amounts(a, x), amounts(b, y)
    for label, p, q in (("基本支出", ma.basic, mb.basic), ("项目支出", ma.projects, mb.projects),
                        ("年度资金总额", ma.total, mb.total)):
        if p != q:
            was = _amount(p) if a.projects or x.basic else ""  # "": an agency's first 整体
            out.append(Change("资金", f"{label}（{unit}）", was,
                              f"{_amount(q)}（{_delta(p, q)}）" if was else _amount(q)))
    if x.functions != y.functions:
        out.append(Change("职能概述", "部门职能概述", x.functions, y.functions))
    out += _named_changes("收入构成", {i.name: format_amount(i.amount) for i in x.income},
                          {i.name: format_amount(i.amount) for i in y.income})
    out += _named_changes("年度主要任务", _tasks(a, x), _tasks(b, y))
    views = []
    for agency, overall in ((a, x), (b, y)):
        view = as_project(agency, overall)
        view.budget = Budget(Decimal(0))  # the money is told above, in its own words
        views.append(view)
    out += project_changes(views[0], views[1])
    for label, spent_a, spent_b in (("基本支出", ma.basic_spent, mb.basic_spent),
                                    ("项目支出", ma.projects_spent, mb.projects_spent)):
        if spent_a != spent_b:
            out.append(Change("执行", f"{label}全年执行数（{unit}）", format_amount(spent_a),
                              format_amount(spent_b)))
    scored = score_changes(as_project(a, x), scoring_book(old_book, x),
                           as_project(b, y), scoring_book(new_book, y))
    out += [Change(*c) for c in scored if c[0] != "执行"]  # told above, per part
    return out


def _tasks(agency: Agency, overall: Overall) -> dict[str, str]:
    """Each task by name: its content and amounts as printed."""
    out = {}
    for task in overall.tasks:
        total, fiscal, other = task_amounts(task, agency)
        money = " / ".join(format_amount(v) or "—" for v in (total, fiscal, other))
        out[task.name] = f"{task.content}（{money}）" if task.content else money
    return out


def _named_changes(kind: str, old: dict[str, str], new: dict[str, str]) -> list[Change]:
    out = [Change(kind, name, old.get(name, ""), text) for name, text in new.items()
           if old.get(name) != text]
    return out + [Change(kind, name, text, "") for name, text in old.items() if name not in new]
