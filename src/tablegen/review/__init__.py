"""`tablegen review`: the finance bureau's target review, done before submission.

Every valid book's projects are reviewed for 完整性、相关性、适当性、可行性 and 规范性 (the rules
of `tablegen.rules` that have a review point), each finding with file:line:col and what a
reviewer would say, and each project graded 优/良/中/差 (`grade.py`). The agency's earlier
tables (`history.py`: the books beside, git history) show what last year achieved; they also
make the indicator index (`index.py`) that suggests indicators where an officer types.

The steps, one module each: `data` (shipped data, the agency's review.yaml), `source` (where
each text stands), `text` (words), the rules by review point (`completeness`, `relevance`,
`appropriateness`, `feasibility`, `conformity`), `grade`, `output` (terminal, JSON, GitHub,
Markdown).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..cache import Cache, digest, versions
from ..errors import Finding, InvalidData, Pos, Report, display_path
from ..load.books import BOOK_FILE, load_paths
from ..load.loader import read_text
from ..model.book import Book, Project
from ..model.frames import frames
from . import appropriateness, completeness, conformity, feasibility, relevance
from .context import Subject
from .data import Settings, load_settings
from .grade import Grade, below, score
from .history import Reference, Version, gather
from .source import read_source
from .text import terms, without_years


@dataclass
class Review:
    """What a review found: each project's grade, every finding, and what it could not read."""

    grades: list[Grade] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    notes: list[str] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    skipped: Report = field(default_factory=Report)  # check's errors of the books not reviewed

    def failed(self, threshold: str | None = None) -> list[Grade]:
        """The projects graded below the threshold (the settings' `fail_below` when None)."""
        limit = threshold or self.settings.fail_below
        if limit is None:
            return []
        grading = self.settings.shipped.grading
        return [g for g in self.grades if below(g.grade, limit, grading)]

    def counts(self) -> Counter[str]:
        return Counter(g.grade for g in self.grades)


def review(paths: list[Path], *, settings_file: Path | None = None,
           history: bool = True) -> Review:
    """Review every valid book under the paths; InvalidData when the settings file is wrong."""
    report = Report()
    settings = load_settings(settings_file, report)
    if report.errors:
        raise InvalidData(report)
    catalog = load_paths(paths)
    books = [b for b in catalog.books
             if not (b.root and any(f.inside(b.root) for f in catalog.report.errors))]
    result = review_books(books, settings, gather(books, history=history))
    result.skipped = Report([f for f in catalog.report.errors])
    return result


def review_books(books: list[Book], settings: Settings, reference: Reference,
                 store: Cache | None = None) -> Review:
    """The review of these books, compared with the reference's versions; each project's
    findings kept in `store` (the build cache) by what they are made of (`_checked`)."""
    result = Review(settings=settings, notes=list(reference.notes))
    store = store or Cache(None)
    earlier = Earlier(reference.versions)
    for book in books:
        root = book.root or Path(book.key)
        subjects = [Subject(book, p, display_path(root / p.file),
                            partial(read_source, root / p.file, display_path(root / p.file), root),
                            settings, earlier.of(book, p))
                    for p in book.projects]
        domain = _domain(subjects, settings)
        for s in subjects:
            s.domain = domain
            _checked(s, root / s.project.file, root, store, result.report)
        appropriateness.template_copy(subjects, result.report)
        book_file = root / BOOK_FILE
        conformity.words(read_source(book_file, display_path(book_file), root), settings.typos,
                         result.report)
    by_file: dict[str, list[Finding]] = {}
    for f in result.report.sorted():
        by_file.setdefault(f.pos.path, []).append(f)
    grading = settings.shipped.grading
    for book in books:
        root = book.root or Path(book.key)
        for number, _, p in book.numbered():
            shown = display_path(root / p.file)
            found = by_file.get(shown, [])
            kept, total, grade = score(found, grading)
            result.grades.append(Grade(root.name, number, p.name, shown, kept, total, grade, found))
    return result


def _checked(s: Subject, path: Path, root: Path, store: Cache, report: Report) -> None:
    """One project reviewed by every point, its findings added to `report`. Kept under all a
    point reads: the file's text (positions come from it), the project, the settings, the
    book's year, money unit and frame, last year's versions, the book's domain words, and the
    code (with the shipped review data). The file is read, not parsed, when they are kept."""
    text = read_text(path, s.shown, Report(), root)
    key = None if text is None else digest(
        versions(), "review", s.shown, text, repr(s.project), repr(s.settings), str(s.book.year),
        s.book.money_unit, repr({**frames(), **s.book.frames}.get(s.book.frame)),
        repr(s.previous), "\n".join(sorted(s.domain)))
    kept = store.get_json("review", key) if key is not None else None
    if isinstance(kept, list):
        try:
            found = [Finding(Pos(str(path_), int(line), int(col)), str(severity), str(rule),
                             str(message))
                     for path_, line, col, severity, rule, message in kept]
        except (TypeError, ValueError):
            found = None
        if found is not None:
            report.findings += found
            return
    mine = Report()
    for point in (completeness, relevance, appropriateness, feasibility, conformity):
        point.check(s, mine)
    if key is not None:
        store.put_json("review", key, [[f.pos.path, f.pos.line, f.pos.col, f.severity, f.rule,
                                        f.message] for f in mine.findings])
    report.findings += mine.findings


class Earlier:
    """The versions that carry 自评 data, found by year and by name or file name with the years
    left out: each project's last year's versions at once, not by a walk of every version (a
    5,000-table book walked 25 million pairs)."""

    def __init__(self, versions: list[Version]):
        self.by_name: dict[tuple[int, str], list[tuple[int, Version]]] = {}
        self.by_stem: dict[tuple[int, str], list[tuple[int, Version]]] = {}
        for i, v in enumerate(versions):
            if v.project.execution is None:
                continue
            self.by_name.setdefault((v.year, without_years(v.project.name)), []).append((i, v))
            self.by_stem.setdefault((v.year, without_years(Path(v.project.file).stem)),
                                    []).append((i, v))

    def of(self, book: Book, project: Project) -> list[Version]:
        """Last year's versions of a project that carry 自评 data: same name, or same file
        name, once the years are left out; newest first, then in the versions' order."""
        year = book.year - 1
        found = dict(self.by_name.get((year, without_years(project.name)), []))
        found.update(self.by_stem.get((year, without_years(Path(project.file).stem)), []))
        return [v for _, v in sorted(found.items(), key=lambda item: (item[1].age, item[0]))]


def _domain(subjects: list[Subject], settings: Settings) -> frozenset[str]:
    """The words in more than half of a book's projects (at least 3 of them)."""
    if len(subjects) < 3:
        return frozenset()
    df: Counter[str] = Counter()
    for s in subjects:
        p = s.project
        text = " ".join([p.name, p.usage, *p.goals,
                         *(f"{i.name} {i.description or ''} {i.value}" for _, _, i in p.rows())])
        df.update(terms(text, settings.shipped.generic))
    return frozenset(t for t, n in df.items() if n * 2 > len(subjects))
