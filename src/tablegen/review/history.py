"""The agency's earlier tables: every version of every project the repository has held.

Three places hold them: the books under review, the other books beside them (`targets/2024/`
next to `targets/2025/`), and git history (a book edited in place, or removed after its year).
Each is read as `check` reads it; a version that does not read is skipped, never guessed at.
Git is read through git itself (`rev-list`, `ls-tree`, `cat-file`), newest commits first, at most
HISTORY_COMMITS of them; what one run read is kept for the next while HEAD stays (`serve`).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath

from ..errors import Report, display_path
from ..load.books import BOOK_FILE, load_paths
from ..load.loader import MAX_BYTES, decode, parse
from ..load.validate import check_book_node, check_project_node, frame_of
from ..model.book import Book, Project

HISTORY_COMMITS = 200  # how far back git history is read


@dataclass(frozen=True)
class Version:
    """A project as it stood in a book of some year: on disk, or at a commit."""

    year: int
    book: str  # the book's folder name
    money_unit: str
    project: Project
    origin: str  # where it was read: `targets/2024/x.yaml`, `a1b2c3d4:targets/2024/x.yaml`
    age: int = 0  # 0 on disk; n for the n-th newest commit that held it

    @property
    def label(self) -> str:
        return f"{self.origin}，{self.year}年"


@dataclass
class Reference:
    """Every version the review compares with, and what it could not read."""

    versions: list[Version] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def gather(books: list[Book], *, history: bool = True) -> Reference:
    """The versions of the books themselves, of the books beside them, and of git history."""
    ref = Reference([v for b in books for v in versions_of(b)])
    roots = {b.root.resolve() for b in books if b.root is not None}
    parents = sorted({r.parent for r in roots})
    beside = sorted({d for parent in parents for d in _book_folders(parent)} - roots)
    if beside:
        for other in load_paths(beside).books:
            ref.versions.extend(versions_of(other))
    if history:
        for parent in parents:
            found, note = in_git(parent)
            ref.versions.extend(found)
            if note:
                ref.notes.append(note)
    return ref


def _book_folders(parent: Path) -> list[Path]:
    """The book folders right under `parent` (not deeper: the parent may be any folder)."""
    try:
        return [d.resolve() for d in sorted(parent.iterdir())
                if not d.name.startswith(".") and (d / BOOK_FILE).is_file()]
    except OSError:
        return []


def versions_of(book: Book) -> list[Version]:
    root = book.root or Path(book.key)
    return [Version(book.year, root.name, book.money_unit, p, display_path(root / p.file))
            for p in book.projects]


_CACHE: dict[tuple[str, str, str], list[Version]] = {}


def _git(cwd: Path, *args: str, data: bytes | None = None) -> bytes | None:
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True,
                              check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


@cache
def _has_git() -> bool:
    try:
        subprocess.run(["git", "--version"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return True


def in_git(folder: Path) -> tuple[list[Version], str]:
    """Every version git history holds of the books under `folder` (none outside a repository),
    and a note when git could not be asked."""
    if not folder.is_dir():
        return [], ""
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None:
        if not _has_git():
            return [], "未找到 git 命令，没有读取 git 历史中的往年表格"
        return [], ""  # not a repository: nothing to read, nothing to say
    root = Path(top.decode("utf-8", "surrogateescape").strip())
    head = _git(root, "rev-parse", "--verify", "--quiet", "HEAD")
    if head is None:  # a repository without a commit yet
        return [], ""
    try:
        rel = folder.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return [], ""
    key = (str(root), rel, head.decode().strip())
    if key not in _CACHE:
        _CACHE[key] = _read_history(root, rel)
    return _CACHE[key], ""


def _read_history(root: Path, rel: str) -> list[Version]:
    listed = _git(root, "rev-list", f"--max-count={HISTORY_COMMITS}", "HEAD", "--", rel)
    commits = listed.decode().split() if listed else []
    trees: list[tuple[str, dict[str, str]]] = []  # (commit, path → blob) of YAML files
    for commit in commits:
        tree = _git(root, "ls-tree", "-r", "-z", "--long", "--full-tree", commit, "--", rel)
        files: dict[str, str] = {}
        for entry in (tree or b"").decode("utf-8", "surrogateescape").split("\0"):
            info, tab, name = entry.partition("\t")
            fields = info.split()
            # A regular file (not a link: its blob is the link's target), no larger than check
            # reads one.
            if (tab and len(fields) == 4 and fields[0] in ("100644", "100755")
                    and fields[1] == "blob" and fields[3].isdigit() and int(fields[3]) <= MAX_BYTES
                    and name.endswith((".yaml", ".yml"))):
                files[name] = fields[2]
        trees.append((commit, files))
    book_blobs = {oid for _, files in trees for p, oid in files.items()
                  if PurePosixPath(p).name == BOOK_FILE}
    blobs = _blobs(root, book_blobs)
    metas = {oid: _book_meta(data, oid) for oid, data in blobs.items()}
    # (project blob, year) → (age, commit, book, path): the newest commit that held it that year
    wanted: dict[tuple[str, int], tuple[int, str, Book, str]] = {}
    for age, (commit, files) in enumerate(trees, 1):
        for path, oid in files.items():
            meta = metas.get(oid) if PurePosixPath(path).name == BOOK_FILE else None
            if meta is None:
                continue
            held, names = meta
            folder = PurePosixPath(path).parent
            for name in names:
                blob = files.get(str(folder / name))
                if blob is not None:
                    wanted.setdefault((blob, held.year), (age, commit, held, str(folder / name)))
    contents = _blobs(root, {blob for blob, _ in wanted})
    found: list[Version] = []
    for (blob, _), (age, commit, held, path) in wanted.items():
        project = _project(contents.get(blob), path, held)
        if project is not None:
            found.append(Version(held.year, PurePosixPath(path).parent.name, held.money_unit,
                                 project, f"{commit[:8]}:{path}", age))
    return sorted(found, key=lambda v: (v.age, v.origin))


def _blobs(root: Path, oids: set[str]) -> dict[str, bytes]:
    """Blob contents by id, in one `git cat-file --batch`."""
    order = sorted(oids)
    if not order:
        return {}
    out = _git(root, "cat-file", "--batch", data="".join(f"{o}\n" for o in order).encode())
    if out is None:
        return {}
    found, pos = {}, 0
    for oid in order:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) < 3 or header[1] != b"blob":
            pos = end + 1
            continue
        size = int(header[2])
        found[oid] = out[end + 1:end + 1 + size]
        pos = end + 1 + size + 1
    return found


def _book_meta(data: bytes, oid: str) -> tuple[Book, list[str]] | None:
    report = Report()
    text = decode(data, oid, report)
    node = parse(text, oid, report) if text is not None else None
    if node is None:
        return None
    book, listed = check_book_node(node, "", report)
    if book is None:
        return None
    return book, [file for files in listed for file, _ in files]


def _project(data: bytes | None, path: str, book: Book) -> Project | None:
    if data is None:
        return None
    report = Report()
    text = decode(data, path, report)
    node = parse(text, path, report) if text is not None else None
    if node is None:
        return None
    return check_project_node(node, PurePosixPath(path).name, frame_of(book), report,
                              layout=book.layout, decimals=book.decimals)
