"""Finding books on disk, loading every file, and validating it all in one pass."""

from __future__ import annotations

import pickle
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .. import rules
from ..cache import Cache, digest, versions
from ..errors import Pos, Report, display_path, shown_name
from ..model.book import DECIMALS, Agency, Book, Project
from ..model.frames import Frame
from ..model.layouts import Layout
from .layouts import Shelf
from .loader import Node, load, parse, read_text, remember
from .overall import check_overall_node, check_overall_rules
from .validate import (
    check_book_node,
    check_project_node,
    check_project_rules,
    frame_of,
    known_frame,
    visible,
)

BOOK_FILE = "book.yaml"
_PROBE = Book(key="", title="", year=0)  # stands in for a missing or broken book.yaml
YAML_SUFFIXES = (".yaml", ".yml")
MAX_NAME = 255  # bytes in one file name component (Linux, macOS, Windows)


@dataclass
class Catalog:
    """What a run found: the valid books and every finding of every file."""

    books: list[Book] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    files: int = 0
    store: Cache = field(default_factory=lambda: Cache(None))  # checks kept between runs


def _book_dirs(path: Path) -> list[Path]:
    if path.is_file():
        return [path.parent] if path.name == BOOK_FILE or (path.parent / BOOK_FILE).exists() else []
    if (path / BOOK_FILE).exists():
        return [path]
    return sorted({p.parent for p in path.rglob(BOOK_FILE)})


def load_paths(paths: list[Path], store: Cache | None = None) -> Catalog:
    """Load and validate every book (and stray project file) under the given paths; each
    project file's check kept in `store` (the build cache) by what it is made of."""
    catalog = Catalog(store=store or Cache(None))
    done: set[Path] = set()
    for path in paths:
        if not path.exists():
            report_missing(path, catalog.report)
            continue
        dirs = _book_dirs(path)
        for d in dirs:
            if d.resolve() in done:
                continue
            done.add(d.resolve())
            book = load_book(d, catalog)
            if book is not None:
                catalog.books.append(book)
        if not dirs:
            loose = [path] if path.is_file() else sorted(
                p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
            for f in loose:
                load_loose_project(f, catalog, path if path.is_dir() else None)
    return catalog


def report_missing(path: Path, report: Report) -> None:
    """A path given on the command line that is not there; for targets/, where to run instead."""
    why = "路径不存在"
    if not path.is_absolute() and path.parts[:1] == ("targets",) and not Path("targets").exists():
        why += ("：当前文件夹中没有 targets/。请在表格仓库的根文件夹（有 targets/ 和 Makefile 的那一层）"
                "运行，或给出书文件夹的路径")
    report.add(Pos(display_path(path)), rules.PATH_MISSING, why)


def load_loose_project(path: Path, catalog: Catalog, folder: Path | None = None,
                       frame_name: str | None = None, decimals: int = DECIMALS) -> Project | None:
    """A project file outside any (readable) book, inside `folder` when found there."""
    shown = display_path(path)
    catalog.files += 1
    root = load(path, shown, catalog.report, folder)
    if root is None:
        return None
    frame = known_frame(frame_name)
    project = check_project_node(root, path.name, frame, catalog.report, decimals=decimals)
    if project is not None:
        # the frame read from a broken book.yaml also picks the 自评 scheme (legacy → legacy)
        probe = Book(key="", title="", year=0, frame=frame.name)
        check_project_rules(project, probe, catalog.report, year_rules=False)
    return project


def load_book(folder: Path, catalog: Catalog) -> Book | None:
    """One book folder: book.yaml, every listed project, and the book-wide rules."""
    report = catalog.report
    errors_before = len(report.errors)
    shown = display_path(folder / BOOK_FILE)
    catalog.files += 1
    text = read_text(folder / BOOK_FILE, shown, report, folder)
    root = parse(text, shown, report) if text is not None else None
    if root is None:
        # book.yaml cannot be read: its projects are still checked, each on its own, so that
        # their findings (an amount with 3 decimals) are not hidden behind the book's error.
        m = re.search(r"^frame:[ \t]*([\w-]+)", text or "", re.M)
        for path in _yaml_files(folder):
            load_loose_project(path, catalog, folder, m.group(1) if m else None,
                               _decimals_hint(text))
        return None
    shelf = Shelf(folder)
    book, listed = check_book_node(root, folder.name, report, shelf)
    frame = frame_of(book, shelf.frames(report))
    seen: dict[str, Pos] = {}
    names: dict[str, Project] = {}
    for a, files in enumerate(listed):
        for file, pos in files:
            target = (folder / file)
            if file in seen:
                report.add(pos, rules.PROJECT_DUPLICATE,
                             f"项目文件“{file}”被重复列出（第 {seen[file].line} 行已列出）")
                continue
            seen[file] = pos
            why = _missing(folder, file)
            if why:
                report.add(pos, rules.PROJECT_MISSING, f"列出的项目文件{why}：{shown_name(file)}")
                continue
            project_shown = display_path(target)
            catalog.files += 1
            ptext = read_text(target, project_shown, report, folder)
            if ptext is None:
                continue
            project = checked_project(ptext, project_shown, file, frame, report,
                                      book.layout if book else None,
                                      book.decimals if book else _decimals_hint(text),
                                      catalog.store)
            if project is None:
                continue
            check_project_rules(project, book or _PROBE, report, year_rules=book is not None)
            if book is None:
                continue
            shown_as = visible(project.name)  # `测试\u200b项目` prints as `测试项目`
            if shown_as in names:
                other = names[shown_as]
                report.add(project.where.get("name", Pos(project_shown)), rules.NAME_DUPLICATE,
                             f"name：项目名称“{project.name}”与 {other.file} 重复")
            else:
                names[shown_as] = project
            book.agencies[a].projects.append(project)
    overall_files = _load_overall(folder, book, root, seen, [len(files) for files in listed],
                                  catalog, frame)
    listed_paths = {_resolved(folder / f) for f in [*seen, *overall_files]}
    for path in _yaml_files(folder):
        if _resolved(path) not in listed_paths:
            report.add(Pos(display_path(path)), rules.UNLISTED_FILE,
                           "此 YAML 文件未被 book.yaml 的任何单位列出，不会进入文档")
    if book is None or len(report.errors) > errors_before:
        return None
    book.root = folder
    return book


# Each project file's project and findings as last checked in this process, by the file's shown
# name, with the key of what they are made of (the file's name and text, its name in book.yaml,
# the book's frame, layout and places); the project pickled as it left the check, so that each
# read gets objects of its own whatever the build did with the last ones. `tablegen serve` reads
# every file again after each save, and one file has changed.
_CHECKED: dict[str, tuple[str, bytes]] = {}  # shown name → (key, pickled project and findings)


def checked_project(text: str, shown: str, file: str, frame: Frame, report: Report,
                    layout: Layout | None, decimals: int, store: Cache) -> Project | None:
    """A project file's text parsed and checked (`check_project_node`), its findings added to
    `report`; None when it is too broken to use. Kept in this process and in `store` (the
    build cache: a build after an edit checks only the edited file)."""
    key = digest(versions(), sys.version, "checked", shown, text, file, repr(frame),
                 repr(layout), str(decimals))
    stored = store.get("checked", key)  # read also on a hit here: the build keeps what it read
    mine = _CHECKED.get(shown)
    data = mine[1] if mine is not None and mine[0] == key else stored
    if data is not None:
        try:
            project, findings = pickle.loads(data)  # made below, by this code
        except Exception:  # noqa: BLE001 - an entry that does not read back is made again
            data = None
        else:
            if stored is None:
                store.put("checked", key, data)
            remember(_CHECKED, shown, (key, data))
            report.findings += findings
            return project  # type: ignore[no-any-return]
    found = Report()
    root = parse(text, shown, found)
    project = (check_project_node(root, file, frame, found, layout=layout, decimals=decimals)
               if root is not None else None)
    data = pickle.dumps((project, found.findings), pickle.HIGHEST_PROTOCOL)
    store.put("checked", key, data)
    remember(_CHECKED, shown, (key, data))
    report.findings += found.findings
    return project


def _decimals_hint(text: str | None) -> int:
    """The places a broken book.yaml declares for its amounts (its projects are still checked)."""
    m = re.search(r"^decimals:[ \t]*([0-6])[ \t]*(?:#.*)?$", text or "", re.M)
    return int(m.group(1)) if m else DECIMALS


def _load_overall(folder: Path, book: Book | None, book_root: Node, projects: dict[str, Pos],
                  counts: list[int], catalog: Catalog, frame: Frame) -> list[str]:
    """Each agency's 部门整体 file (book.yaml's `overall:`), checked against its projects once
    these are loaded (all of them: a project file with errors would make every sum differ);
    the files listed, for the unlisted-file check. With an error in book.yaml the files it
    names are still checked, each on its own, as its project files are."""
    report = catalog.report
    shown = Pos(display_path(folder / BOOK_FILE))
    named: list[tuple[Agency | None, str, str, Pos, int]]
    if book is not None:
        named = [(a, a.code, a.overall_file, a.overall_pos or shown, n)
                 for a, n in zip(book.agencies, counts, strict=True)]
    else:
        named = [(None, code, file, pos, 0) for code, file, pos in _overall_named(book_root)]
    seen: dict[str, str] = {}
    for agency, code, file, pos, count in named:
        if not file:
            continue
        why = _missing(folder, file)
        if file in projects:
            why = f"同时被列为项目文件（第 {projects[file].line} 行）"
        elif file in seen:
            why = f"已是单位 {seen[file]} 的整体文件"
        if why:
            report.add(pos, rules.OVERALL_FILE, f"部门整体文件{why}：{shown_name(file)}")
            continue
        seen[file] = code
        catalog.files += 1
        root = load(folder / file, display_path(folder / file), report, folder)
        if root is None:
            continue
        overall = check_overall_node(root, file, frame, report)
        if agency is not None and book is not None:
            agency.overall = overall
            if len(agency.projects) == count:
                check_overall_rules(agency, book, report)
    return list(seen)


def _overall_named(root: Node) -> list[tuple[str, str, Pos]]:
    """(agency code, file, position) of each `agencies[].overall` text in book.yaml's nodes,
    for a book.yaml that fails elsewhere (check_book_node has reported why)."""
    agencies = next((v for k, v in root.pairs if k.text == "agencies"), None)
    out = []
    for item in agencies.items if agencies is not None and agencies.kind == "seq" else []:
        keys = {k.text: v for k, v in item.pairs} if item.kind == "map" else {}
        node = keys.get("overall")
        if node is not None and node.kind == "scalar" and not node.is_null and node.text:
            code = keys.get("code")
            out.append((code.text if code is not None and code.kind == "scalar" else "",
                        node.text, node.pos))
    return out


def _resolved(path: Path) -> Path | None:
    """The path with links followed, or None when that fails (a loop, a NUL in the name)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return None


def _missing(folder: Path, file: str) -> str:
    """Why a listed project file cannot be read ("" when it can be tried)."""
    if "\0" in file:
        return "名称含有空字符"
    if any(len(part.encode("utf-8", "surrogateescape")) > MAX_NAME for part in Path(file).parts):
        return f"名称过长（超过 {MAX_NAME} 字节）"
    target = _resolved(folder / file)
    if target is None:
        return "无法解析（符号链接形成了循环）"
    if not target.is_relative_to(folder.resolve()):
        return "不在本书文件夹内"
    return "" if target.exists() else "不存在"


def _yaml_files(folder: Path) -> list[Path]:
    """The project-like files of a book folder: YAML files other than book.yaml and templates."""
    return [path for path in sorted(folder.rglob("*"))
            if path.suffix in YAML_SUFFIXES and path.name != BOOK_FILE
            and (path.is_file() or path.is_symlink())  # a looping or broken link is named too
            and "templates" not in path.relative_to(folder).parts]


def book_context(folder: Path) -> Book | None:
    """The settings of the book in `folder` (its frame, layout, decimals) as a project of it is
    checked with, whatever else its files hold; None without a readable book.yaml."""
    report = Report()
    text = read_text(folder / BOOK_FILE, "", report, folder) if (folder / BOOK_FILE).is_file() else None
    root = parse(text, "", report) if text is not None else None
    if root is None:
        return None
    return check_book_node(root, folder.name, report, Shelf(folder))[0]


def load_book_strict(folder: Path) -> Book:
    """A valid book or InvalidData with every finding (for tests and library callers)."""
    from ..errors import InvalidData

    catalog = Catalog()
    book = load_book(folder, catalog)
    if book is None:
        raise InvalidData(catalog.report)
    return book
