"""`tablegen diff`: what a change does to the tables, not to the YAML.

Both sides are read through git itself (`git ls-tree`, `git cat-file`): no checkout is needed.
The working tree stands for the head when no head revision is given.
"""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from pathlib import Path, PurePosixPath

from .books import BOOK_FILE
from .errors import Report, TablegenError, UsageError, shown_name
from .fmt import HARMLESS
from .loader import decode, parse, read_bytes
from .model import Agency, Book, Project, format_amount
from .scoring import score_changes
from .validate import check_book_node, check_project_node, known_frame

TARGETS = "targets"


@dataclass
class Change:
    """One line of a project's changes: what, where, old and new."""

    kind: str  # 预算 | 资金用途 | 绩效目标 | 新增/删除/修改指标 | 项目名称 | 位置 | 书 | 单位
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


class GitMissing(UsageError):
    """git is not installed."""


def git(root: Path, *args: str, data: bytes | None = None) -> bytes:
    """git's output; a failure says in Chinese what failed (git's own English stays out: the
    failures a user meets are checked first, by repository_root and verify)."""
    try:
        return subprocess.run(["git", *args], cwd=root, input=data, capture_output=True,
                              check=True).stdout
    except FileNotFoundError as exc:
        raise GitMissing("找不到 git 命令：tablegen diff 通过 git 读取各个版本，请先安装 git") from exc
    except subprocess.CalledProcessError as exc:
        raise UsageError(f"git {' '.join(args)} 失败（退出码 {exc.returncode}）") from exc


def repository_root(folder: Path) -> Path:
    """The top folder of the git repository the folder is in."""
    try:
        return Path(git(folder, "rev-parse", "--show-toplevel").decode().strip())
    except GitMissing:
        raise
    except UsageError:
        raise UsageError("当前文件夹不在 git 仓库中：tablegen diff 比较 git 中的两个版本，"
                         "请在表格仓库中运行（新仓库请先 git init 并提交一次）") from None


def verify(root: Path, rev: str) -> None:
    """A revision git knows (a branch, a tag, a commit), or a clear message naming it."""
    try:
        git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    except GitMissing:
        raise
    except UsageError:
        raise UsageError(f"找不到版本“{shown_name(rev)}”：请给出分支名、标签或提交号"
                         "（如 main、origin/main、HEAD~1）") from None


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
    # -z: names as they are, NUL-separated (without it git quotes every non-ASCII name, and a
    # name may hold a line break). The contents are asked for by object id, one per line: a
    # `rev:path` line would break on such a name.
    entries = git(root, "ls-tree", "-r", "-z", rev, "--", TARGETS).decode(
        "utf-8", "surrogateescape").split("\0")
    names: list[tuple[str, str]] = []
    for entry in entries:
        meta, tab, name = entry.partition("\t")
        fields = meta.split()
        if tab and len(fields) == 3 and fields[1] == "blob" and name.endswith((".yaml", ".yml")):
            names.append((name, fields[2]))
    if not names:
        return {}
    out = git(root, "cat-file", "--batch", data="".join(f"{oid}\n" for _, oid in names).encode())
    files: dict[str, bytes] = {}
    pos = 0
    for name, _ in names:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        files[name] = out[header_end + 1:header_end + 1 + size]
        pos = header_end + 1 + size + 1
    return files


def read_worktree(root: Path, report: Report) -> dict[str, bytes]:
    """Every YAML file under targets/ in the working tree, by path as git names it.

    Read as check reads them: regular files whose links stay inside their book's folder.
    """
    folder = root / TARGETS
    files = {}
    for p in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if p.suffix in (".yaml", ".yml") and p.is_file():
            name = p.relative_to(root).as_posix()
            data = read_bytes(p, name, report, _book_folder(p, folder))
            if data is not None:
                files[name] = data
    return files


def _book_folder(path: Path, targets: Path) -> Path:
    """The nearest folder above path with a book.yaml (else targets/ itself)."""
    for parent in path.parents:
        if parent == targets or (parent / BOOK_FILE).is_file():
            return parent
    return targets


def books_at(root: Path, rev: str | None, report: Report) -> dict[str, Book]:
    """The books of a revision (None: the working tree), by folder name.

    Both sides go through the same reader, so a book with an error check reports but the model
    still holds (a budget that does not add up) is compared rather than dropped.
    """
    files = read_worktree(root, report) if rev is None else read_revision(root, rev)
    prefix = "" if rev is None else f"{rev[:8]}:"
    books = {}
    for path in sorted(p for p in files if PurePosixPath(p).name == BOOK_FILE):
        folder = PurePosixPath(path).parent
        text = decode(files[path], prefix + path, report)
        node = parse(text, prefix + path, report) if text is not None else None
        if node is None:
            continue
        book, listed = check_book_node(node, folder.name, report)
        if book is None:
            continue
        for agency, entries in zip(book.agencies, listed, strict=True):
            for file, _ in entries:
                data = files.get(str(folder / file))
                shown = f"{prefix}{folder / file}"
                ptext = decode(data, shown, report) if data is not None else None
                if ptext is None:
                    continue
                pnode = parse(ptext, shown, report)
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
                              ("department", "部门"))
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


def diff(root: Path, base: str | None = None,
         head: str | None = None) -> tuple[list[BookDiff], Report]:
    """The table-level differences between two revisions (head None: the working tree)."""
    report = Report()
    for rev in (base, head):
        if rev is not None:
            verify(root, rev)
    base_rev = base or default_base(root)
    old = books_at(root, base_rev, report)
    new = books_at(root, head, report)
    # An error the model still holds every character of (a budget that does not add up…) is
    # check's business; the reviewer still wants to see the change that made it.
    blocking = [f for f in report.errors if f.rule not in HARMLESS]
    if blocking:
        # Only what stops the comparison: other books' warnings would bury it.
        raise TablegenError("有文件无法读取，无法比较：\n" + Report(blocking).format("text"))
    return diff_books(old, new), report


def as_text(diffs: list[BookDiff]) -> str:
    if not diffs:
        return "表格没有变化。"
    lines = []
    for bd in diffs:
        lines.append(f"书 {bd.key}（{bd.title}）{'' if bd.status == '修改' else '：' + bd.status}")
        lines += [f"  {_change_text(c)}" for c in bd.changes]
        for pd in bd.projects:
            lines.append(f"  {pd.status}项目：{pd.name}（{pd.file}）")
            lines += [f"    {_change_text(c)}" for c in pd.changes]
    # One line per change even when the data holds a line break: a line of data never starts
    # a line of the log (`::error …` would be a GitHub workflow command).
    return "\n".join(shown_name(line) for line in lines)


def _change_text(c: Change) -> str:
    if c.old and c.new:
        return f"{c.kind} {c.where}：{c.old} → {c.new}"
    if c.kind == "单位":  # an agency added or removed
        return f"{'新增' if c.new else '删除'}单位 {c.where}：{c.old or c.new}"
    return f"{c.kind} {c.where}：{c.old or c.new}"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#!])")


def _md(text: str) -> str:
    """Data as Markdown text in a table cell: no HTML, link, image or emphasis survives."""
    text = _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))
    return text.replace("\r\n", "\n").replace("\n", "<br>") or " "


def _code(text: str) -> str:
    """Data as a Markdown code span, however many backticks it holds."""
    text = " ".join(text.split("\n"))
    fence = "`" * (max((len(m) for m in re.findall("`+", text)), default=0) + 1)
    pad = " " if fence != "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def as_markdown(diffs: list[BookDiff]) -> str:
    if not diffs:
        return "表格没有变化。"
    lines = []
    for bd in diffs:
        status = "" if bd.status == "修改" else "：" + bd.status
        lines.append(f"### {_md(bd.title)}（{_code(bd.key)}）{status}")
        lines.append("")
        if bd.changes:
            lines += ["| 变动 | 位置 | 原值 | 新值 |", "| --- | --- | --- | --- |"]
            lines += [f"| {c.kind} | {_md(c.where)} | {_md(c.old)} | {_md(c.new)} |"
                      for c in bd.changes]
            lines.append("")
        for pd in bd.projects:
            lines.append(f"**{pd.status}项目：{_md(pd.name)}**（{_code(pd.file)}）")
            lines.append("")
            if pd.changes:
                lines += ["| 变动 | 位置 | 原值 | 新值 |", "| --- | --- | --- | --- |"]
                lines += [f"| {c.kind} | {_md(c.where)} | {_md(c.old)} | {_md(c.new)} |"
                          for c in pd.changes]
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"
