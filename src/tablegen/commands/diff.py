"""`tablegen diff`: what a change does to the tables, not to the YAML.

Both sides are read through git itself (`git ls-tree`, `git cat-file`): no checkout is needed.
The working tree stands for the head when no head revision is given.
"""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path, PurePosixPath

from .. import rules
from ..errors import Report, TablegenError, UsageError, shown_name
from ..load.books import BOOK_FILE
from ..load.layouts import Shelf
from ..load.loader import decode, parse, read_bytes
from ..load.overall import check_overall_node
from ..load.validate import check_book_node, check_project_node, frame_of
from ..model.book import Book, Overall
from ..model.changes import BookDiff, Change, diff_books
from ..model.frames import Frame

TARGETS = "targets"


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
        shelf = Shelf(root / folder)
        book, listed = check_book_node(node, folder.name, report, shelf)
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
                project = check_project_node(
                    pnode, file, frame_of(book, shelf.frames(report)), report,
                    layout=book.layout, decimals=book.decimals) if pnode is not None else None
                if project is not None:
                    agency.projects.append(project)
            agency.overall = _overall(files, folder, agency.overall_file, prefix,
                                      frame_of(book, shelf.frames(report)), report)
        books[folder.name] = book
    return books


def _overall(files: dict[str, bytes], folder: PurePosixPath, file: str, prefix: str,
             frame: Frame, report: Report) -> Overall | None:
    """An agency's 部门整体 file at the revision, None when it has none (or it cannot be read)."""
    data = files.get(str(folder / file)) if file else None
    if data is None:
        return None
    shown = f"{prefix}{folder / file}"
    text = decode(data, shown, report)
    node = parse(text, shown, report) if text is not None else None
    return check_overall_node(node, file, frame, report) if node is not None else None


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
    blocking = [f for f in report.errors if not rules.rule(f.rule).readable]
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
            lines.append(f"  {pd.status}{pd.what}：{pd.name}（{pd.file}）")
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
            lines.append(f"**{pd.status}{pd.what}：{_md(pd.name)}**（{_code(pd.file)}）")
            lines.append("")
            if pd.changes:
                lines += ["| 变动 | 位置 | 原值 | 新值 |", "| --- | --- | --- | --- |"]
                lines += [f"| {c.kind} | {_md(c.where)} | {_md(c.old)} | {_md(c.new)} |"
                          for c in pd.changes]
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"
