"""`tablegen diff`: what a change does to the tables, not to the YAML.

Both sides are read through git itself (`git ls-tree`, `git cat-file`): no checkout is needed.
The working tree stands for the head when no head revision is given.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath

from .books import BOOK_FILE, load_paths
from .errors import Report, TablegenError, UsageError
from .loader import parse
from .model import Agency, Book, Project, format_amount
from .validate import check_book_node, check_project_node, known_frame

TARGETS = "targets"


@dataclass
class Change:
    """One line of a project's changes: what, where, old and new."""

    kind: str  # 预算 | 资金用途 | 绩效目标 | 新增指标 | 删除指标 | 修改指标 | 项目名称 | 位置
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


def git(root: Path, *args: str, data: bytes | None = None) -> bytes:
    try:
        return subprocess.run(["git", *args], cwd=root, input=data, capture_output=True,
                              check=True).stdout
    except FileNotFoundError as exc:
        raise UsageError("找不到 git 命令") from exc
    except subprocess.CalledProcessError as exc:
        why = exc.stderr.decode(errors="replace").strip()
        raise UsageError(f"git {' '.join(args)} 失败：{why}") from exc


def default_base(root: Path) -> str:
    """The merge-base of HEAD with the main branch (main, master, or their origin copies)."""
    for branch in ("origin/main", "main", "origin/master", "master"):
        try:
            return git(root, "merge-base", "HEAD", branch).decode().strip()
        except UsageError:
            continue
    raise UsageError("找不到主分支（main/master），请指定基准版本：tablegen diff BASE")


def read_revision(root: Path, rev: str) -> dict[str, bytes]:
    """Every file under targets/ at a revision, by path."""
    # -z: names as they are (without it git quotes every non-ASCII name).
    names = git(root, "ls-tree", "-r", "-z", "--name-only", rev, "--", TARGETS).decode().split("\0")
    names = [n for n in names if n.endswith((".yaml", ".yml"))]
    if not names:
        return {}
    out = git(root, "cat-file", "--batch", data="".join(f"{rev}:{n}\n" for n in names).encode())
    files: dict[str, bytes] = {}
    pos = 0
    for name in names:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        files[name] = out[header_end + 1:header_end + 1 + size]
        pos = header_end + 1 + size + 1
    return files


def books_at(root: Path, rev: str | None, report: Report) -> dict[str, Book]:
    """The books of a revision (None: the working tree), by folder name."""
    if rev is None:
        catalog = load_paths([root / TARGETS])
        report.extend(catalog.report)
        return {b.key: b for b in catalog.books}
    files = read_revision(root, rev)
    books = {}
    for path in sorted(p for p in files if PurePosixPath(p).name == BOOK_FILE):
        folder = PurePosixPath(path).parent
        shown = f"{rev[:8]}:{path}"
        node = parse(files[path].decode("utf-8-sig"), shown, report)
        if node is None:
            continue
        book, listed = check_book_node(node, folder.name, report)
        if book is None:
            continue
        for agency, entries in zip(book.agencies, listed, strict=True):
            for file, _ in entries:
                text = files.get(str(folder / file))
                if text is None:
                    continue
                pnode = parse(text.decode("utf-8-sig"), f"{rev[:8]}:{folder / file}", report)
                project = check_project_node(pnode, file, known_frame(book.frame), report) \
                    if pnode is not None else None
                if project is not None:
                    agency.projects.append(project)
        books[folder.name] = book
    return books


def _placed(book: Book) -> dict[str, tuple[int, Agency, Project]]:
    return {p.file: (n, a, p) for n, a, p in book.numbered()}


def _amount(value: Decimal | None) -> str:
    return format_amount(value) or "（空）"


def _delta(old: Decimal | None, new: Decimal | None) -> str:
    d = (new or Decimal(0)) - (old or Decimal(0))
    return f"{'+' if d > 0 else ''}{format_amount(d)}"


def _rows(project: Project) -> list[tuple[str, str, str, str, str]]:
    return [(l1.name, l2.name, i.name, i.shown_description, i.value) for l1, l2, i in project.rows()]


def project_changes(old: Project, new: Project) -> list[Change]:
    """Budget, usage, goals and indicator rows that differ."""
    out = []
    labels = {"total": "预算数", "fiscal": "财政资金", "other": "其他资金"}
    for key, label in labels.items():
        a, b = getattr(old.budget, key), getattr(new.budget, key)
        if a != b:
            out.append(Change("预算", label, _amount(a), f"{_amount(b)}（{_delta(a, b)}）"))
    if old.usage != new.usage:
        out.append(Change("资金用途", "资金用途", old.usage, new.usage))
    if old.goals != new.goals:
        for i in range(max(len(old.goals), len(new.goals))):
            a = old.goals[i] if i < len(old.goals) else ""
            b = new.goals[i] if i < len(new.goals) else ""
            if a != b:
                out.append(Change("绩效目标", f"第 {i + 1} 条", a, b))
    before, after = _rows(old), _rows(new)
    old_keys = {r[:3]: r for r in before}
    new_keys = {r[:3]: r for r in after}
    for r in before:
        if r[:3] not in new_keys:
            out.append(Change("删除指标", " / ".join(r[:3]), r[4], ""))
    for r in after:
        if r[:3] not in old_keys:
            out.append(Change("新增指标", " / ".join(r[:3]), "", r[4]))
        else:
            o = old_keys[r[:3]]
            if o[3] != r[3]:
                out.append(Change("修改指标", " / ".join(r[:3]) + " · 绩效指标描述", o[3], r[3]))
            if o[4] != r[4]:
                out.append(Change("修改指标", " / ".join(r[:3]) + " · 指标值", o[4], r[4]))
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
                ProjectDiff(status, p.name, p.file) for p in book.projects]))
            continue
        bd = BookDiff(key, b.title, "修改")
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
            changes += project_changes(p1, p2)
            if changes:
                bd.projects.append(ProjectDiff("修改", p2.name, new_file, changes))
        for f, (_, _, p) in pb.items():
            if f not in pairs.values():
                bd.projects.append(ProjectDiff("新增", p.name, f))
        for f, (_, _, p) in pa.items():
            if f not in pairs:
                bd.projects.append(ProjectDiff("删除", p.name, f))
        if bd.projects or a.title != b.title:
            out.append(bd)
    return out


def diff(root: Path, base: str | None = None,
         head: str | None = None) -> tuple[list[BookDiff], Report]:
    """The table-level differences between two revisions (head None: the working tree)."""
    report = Report()
    base_rev = base or default_base(root)
    old = books_at(root, base_rev, report)
    new = books_at(root, head, report)
    if report.errors:
        raise TablegenError("有文件无法读取，无法比较：\n" + report.format("text"))
    return diff_books(old, new), report


def as_text(diffs: list[BookDiff]) -> str:
    if not diffs:
        return "表格没有变化。"
    lines = []
    for bd in diffs:
        lines.append(f"书 {bd.key}（{bd.title}）{'' if bd.status == '修改' else '：' + bd.status}")
        for pd in bd.projects:
            lines.append(f"  {pd.status}项目：{pd.name}（{pd.file}）")
            for c in pd.changes:
                if c.old and c.new:
                    lines.append(f"    {c.kind} {c.where}：{c.old} → {c.new}")
                else:
                    lines.append(f"    {c.kind} {c.where}：{c.old or c.new}")
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>") or " "


def as_markdown(diffs: list[BookDiff]) -> str:
    if not diffs:
        return "表格没有变化。"
    lines = []
    for bd in diffs:
        lines.append(f"### {bd.title}（`{bd.key}`）{'' if bd.status == '修改' else '：' + bd.status}")
        lines.append("")
        for pd in bd.projects:
            lines.append(f"**{pd.status}项目：{_md(pd.name)}**（`{pd.file}`）")
            lines.append("")
            if pd.changes:
                lines += ["| 变动 | 位置 | 原值 | 新值 |", "| --- | --- | --- | --- |"]
                lines += [f"| {c.kind} | {_md(c.where)} | {_md(c.old)} | {_md(c.new)} |"
                          for c in pd.changes]
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"
