"""`tablegen rollover`: next year's book from this year's, written as a new book folder.

Only what is evidently a date or a period of the plan moves forward: a year followed by 年, by a
month (`2024.07`, `2024-07`) or ending a period (`2023-2024`), and the year in the title, the
folder, file and project names. Quantities (`2030人次`), titles in 《》 and document numbers
(`津财预（2024）12号`) stay; so do years before last year and beyond the plan (`2035年`), listed
for review with every other change tablegen is not sure of. A moved 2月29日 that the new year
does not have becomes 2月28日, listed too. Execution and monitoring data are dropped; each
indicator's last 实际完成值 stays as a comment (the 历史标准), and targets beaten by 30 % or more
are listed.
"""

from __future__ import annotations

import calendar
import copy
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..errors import Report, UsageError, display_path
from ..load.books import BOOK_FILE, load_book_strict
from ..load.loader import Node, parse
from ..load.validate import FIRST_YEAR, LAST_YEAR
from ..model.book import Agency, Book, Indicator, Level1, Level2, Overall, Project
from ..model.overall import score_overall
from ..model.scoring import BEATEN, measure, score_project
from ..source.comments import attach, book_paths, overall_paths, project_paths
from ..source.yamlout import dump_book, dump_overall, dump_project
from ..writer import write_all

# A year standing alone: not part of a longer number, a decimal or a bound (`≥2000件`).
YEAR = re.compile(r"(?<![\d.．≥≤<>=＝])((?:19|20)\d{2})(?!\d)")
# What makes a year a date: 年 after it, or a month (`2024.07`, `2024-7`, `2024/12`).
YEAR_WORD = re.compile(r"\s*年")
MONTH = re.compile(r"\s*[.．/\-－]\s*(?:0?[1-9]|1[0-2])(?!\d)")
# Between the two years of a period: `2021—2035`, `2023.07-2024.01`, `2024年1月至2025年6月`
# (a short stretch: only that much is ever matched, so a long gap costs nothing).
PERIOD = re.compile(r"(?:[.．/\-－]\d{1,2}){0,2}(?:年(?:\d{1,2}月(?:\d{1,2}日)?)?)?[-－—–~～至到]")
PERIOD_MAX = 12
# A number followed by a unit or a measure word is a quantity (`2030人次`, `2050家`), whatever its
# digits; words that merely start like one (天津, 元旦, 项目, 台账) are not.
QUANTITY = re.compile(
    r"(?:[.．]\d+)?\s*(?:[%％‰]|人|家|件|个|项(?!目)|次|场|篇|份|册|条|户|名(?!单|称)|位|元(?!旦)|"
    r"万|千|百|亿|余|多|米|平方米|吨|辆|台(?!账)|套|座|张|页|批|例|小时|分钟|天(?!津)|周(?!年)|"
    r"课时|学时|GB|TB|kg|km)")
# A document number's year: `[2025]`, `〔2025〕`, `【2025】`, or `（2024）12号` in round brackets.
SQUARE = re.compile(r"\s*[\]〕】]")
ROUND = re.compile(r"\s*[）)]\s*第?\s*\d+\s*号")
# 2月29日 after a year, in any of the ways a date is written.
LEAP_DAY = re.compile(r"\s*年\s*0?2\s*月\s*(?P<day>29)(?!\d)|\s*(?P<sep>[.．/\-－])\s*0?2\s*(?P=sep)\s*"
                      r"(?P<day2>29)(?!\d)")
KEPT = {"past": "往年", "document": "文号", "title": "书名", "far": "远期", "unsure": "不能确定是年份",
        "period": "期间的另一端未顺延", "quantity": "数量"}


@dataclass(frozen=True)
class ReviewItem:
    """A text (or a target) the author should look at in the new book."""

    file: str  # the new book's file, relative to its folder
    where: str  # key path, as check messages name it
    text: str
    reason: str

    def line(self) -> str:
        return f"{self.file}: {self.where}：{self.reason}：“{self.text}”"


@dataclass
class Rollover:
    """What a rollover wrote and what it asks the author to review."""

    folder: Path
    written: list[Path] = field(default_factory=list)
    review: list[ReviewItem] = field(default_factory=list)


@dataclass
class _Year:
    """One year-like number of a text and what it is."""

    match: re.Match[str]
    kind: str  # date | quantity | document | title | unsure
    period_start: bool = False  # the next year ends a period that this one begins
    keep: str = ""  # why it stays (a key of KEPT), "" when it moves

    @property
    def value(self) -> int:
        return int(self.match.group(1))


@dataclass
class _Shifter:
    """Moves the years of one book's texts forward and notes what it left or guessed."""

    year: int  # the old book's year
    delta: int

    def shift(self, text: str, *, name: bool = False) -> tuple[str, list[str]]:
        """The text with its dates moved forward, and the reasons to review it (if any).

        In a name (title, folder, file, project), a year that is neither a quantity, a title's
        nor a document number's is the plan's year even without 年 (`非财政拨款——2024共建…`).
        """
        years, depth, at = [], 0, 0  # depth: how many 《 are open where a year stands
        for m in YEAR.finditer(text):
            depth += text.count("《", at, m.start()) - text.count("》", at, m.start())
            at = m.start()
            years.append(_Year(m, "title" if depth > 0 else _kind(text, m)))
        for a, b in zip(years, years[1:], strict=False):
            between = text[a.match.end():b.match.start()]
            if len(between) <= PERIOD_MAX and PERIOD.fullmatch("".join(between.split())) and not (
                    {a.kind, b.kind} & {"quantity", "document", "title"}):
                a.kind = b.kind = "date"
                a.period_start = True
        for y in years:
            kind = "date" if y.kind == "unsure" and name else y.kind
            if kind in ("document", "title", "unsure"):
                y.keep = kind
            elif kind == "date" and y.value < self.year - 1:
                y.keep = "past"
            elif kind == "date" and y.value > self.year + 3:
                y.keep = "far"
            elif kind == "quantity":
                y.keep = "quantity"  # listed only in a name, where a quantity is unusual
        for a, b in zip(years, years[1:], strict=False):  # a period moves whole or not at all
            if a.period_start and bool(a.keep) != bool(b.keep):
                a.keep, b.keep = a.keep or "period", b.keep or "period"
        kept, last, leap = [], [], []
        out, at = [], 0
        for y in years:
            start, end = y.match.span(1)
            out.append(text[at:start])
            at = end
            if y.keep:
                out.append(y.match.group(1))
                if y.keep != "quantity" or name:
                    kept.append(f"{y.value}（{KEPT[y.keep]}）")
                continue
            new = y.value + self.delta
            out.append(str(new))
            if y.value == self.year - 1:
                last.append(f"{y.value}→{new}")
            day = LEAP_DAY.match(text, end)
            if day and not calendar.isleap(new):
                group = "day" if day.group("day") else "day2"
                between = text[end:day.start(group)]
                out.append(between + "28")
                at = day.end(group)
                unit = "日" if text.startswith("日", at) else ""
                leap.append(f"{text[start:at]}{unit}→{new}{between}28{unit}")
        out.append(text[at:])
        reasons = []
        if kept:
            reasons.append(f"未顺延的年份 {'、'.join(kept)}，请复核是否仍适用")
        if last:
            reasons.append(f"上年年份已顺延（{'、'.join(last)}），请复核")
        if leap:
            reasons.append(f"新的年份没有2月29日，已改为2月28日（{'、'.join(leap)}），请复核")
        return "".join(out), reasons


def shifted(text: str, year: int, to_year: int, *, name: bool = False) -> str:
    """A text of `year`'s plan with its dates moved to `to_year`, as rollover moves them
    (`tablegen new` starts from an earlier year's project)."""
    return _Shifter(year, to_year - year).shift(text, name=name)[0] if to_year > year else text


def _kind(text: str, m: re.Match[str]) -> str:
    """What a year-like number outside 《》 is, from what stands next to it (periods are found
    afterwards)."""
    start, end = m.span(1)
    before = start
    while before > 0 and text[before - 1].isspace():
        before -= 1
    opening = text[before - 1] if before else ""
    if opening and (opening in "[〔【" and SQUARE.match(text, end)
                    or opening in "（(" and ROUND.match(text, end)):
        return "document"
    if YEAR_WORD.match(text, end):
        return "date"
    if QUANTITY.match(text, end):  # `2024.5万元` before `2024.5` could be read as May
        return "quantity"
    if MONTH.match(text, end):
        return "date"
    return "unsure"


def rollover(folder: Path, year: int, out: Path | None = None) -> Rollover:
    """Write next year's book (`year`) from the book in `folder` into a new folder."""
    if not FIRST_YEAR <= year <= LAST_YEAR:  # check would refuse the book it wrote
        raise UsageError(f"新年度应在 {FIRST_YEAR} 至 {LAST_YEAR} 之间，实际为 {year}")
    folder = Path(os.path.abspath(folder))  # `.` has a name: the folder's own
    book = load_book_strict(folder)
    delta = year - book.year
    if delta <= 0:
        raise UsageError(f"新年度 {year} 应晚于本书的预算年度 {book.year}")
    shifter = _Shifter(book.year, delta)
    dest = out or folder.parent / _new_folder_name(folder.name, shifter, year)
    if _inside(dest, folder):
        raise UsageError(f"新书文件夹 {display_path(dest)} 在原书 {display_path(folder)} 之内："
                         "rollover 不改动原书；请用 --out 指定原书以外的文件夹")
    if dest.exists():
        raise UsageError(f"目标文件夹已存在：{dest}（rollover 只写新文件夹，不覆盖）")
    result = Rollover(dest)
    files: dict[str, bytes] = {}
    names: list[list[str]] = []
    new_book = copy.copy(book)
    new_book.year = year
    new_book.title = _shifted(shifter, book.title, BOOK_FILE, "title", result, name=True)
    new_book.agencies = []
    for agency in book.agencies:
        names.append([])
        renamed = {}
        for project in agency.projects:
            file = _file_name(shifter, project.file)
            renamed[project.file] = file
            names[-1].append(file)
            text = _project_text(book, project, shifter, file, result)
            files[file] = text.encode("utf-8")
        new_agency = copy.copy(agency)
        if agency.overall is not None:
            new_agency.overall_file = _file_name(shifter, agency.overall.file)
            files[new_agency.overall_file] = _overall_text(
                book, agency, agency.overall, shifter, new_agency.overall_file, renamed,
                result).encode("utf-8")
        new_book.agencies.append(new_agency)
    old = (folder / BOOK_FILE).read_text(encoding="utf-8")
    notes = attach(old, book_paths(_tree(old)))
    files[BOOK_FILE] = dump_book(new_book, names, notes).encode("utf-8")
    result.written = write_all(dest, files, quiet=True)
    return result


def _tree(text: str) -> Node:
    root = parse(text, "", Report())
    assert root is not None  # the book has just been loaded without errors
    return root


def _inside(path: Path, folder: Path) -> bool:
    """Whether a path is the folder or lies in it, as written or with links followed."""
    try:
        real = path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a link loop: not a place to write either
        return True
    return Path(os.path.abspath(path)).is_relative_to(folder) or real


def _new_folder_name(name: str, shifter: _Shifter, year: int) -> str:
    new, _ = shifter.shift(name, name=True)
    return new if new != name else f"{name}-{year}"


def _file_name(shifter: _Shifter, file: str) -> str:
    path = Path(file)
    return str(path.with_name(shifter.shift(path.stem, name=True)[0] + path.suffix))


def _shifted(shifter: _Shifter, text: str, file: str, where: str, result: Rollover, *,
             name: bool = False) -> str:
    new, reasons = shifter.shift(text, name=name)
    for reason in reasons:
        result.review.append(ReviewItem(file, where, new, reason))
    return new


def _project_text(book: Book, project: Project, shifter: _Shifter, file: str,
                  result: Rollover) -> str:
    """The new project file: texts shifted, execution and monitoring dropped, last actuals as
    comments."""
    assert book.root is not None
    old = (book.root / project.file).read_text(encoding="utf-8")
    notes = _without_execution(attach(old, project_paths(_tree(old))))
    score = score_project(project, book)
    beaten = {id(r.indicator): r.beaten for r in score.rows} if score else {}
    new = copy.deepcopy(project)
    new.execution = None
    new.monitoring = []
    new.name = _shifted(shifter, project.name, file, "name", result, name=True)
    new.usage = _shifted(shifter, project.usage, file, "usage", result)
    new.goals = [_shifted(shifter, g, file, f"goals[{i}]", result)
                 for i, g in enumerate(project.goals, 1)]
    for l1, l2, i, old_ind, ind in _pairs(project, new):
        _indicator(book, shifter, file, f"{l1.name}.{l2.name}[{i}]", old_ind, ind,
                   beaten.get(id(old_ind)), notes, result)
    return dump_project(new, notes, book.decimals)


def _without_execution(notes: dict[str, str]) -> dict[str, str]:
    """The comments of a file but those about execution and monitoring data, which go with
    them."""
    return {key: text for key, text in notes.items() if not (
        key.startswith(("execution", "monitoring")) or key.rsplit(".", 1)[-1] in (
            "actual", "grade", "score", "score_reason", "deviation"))}


def _indicator(book: Book, shifter: _Shifter, file: str, item: str, old_ind: Indicator,
               ind: Indicator, far: Decimal | None, notes: dict[str, str],
               result: Rollover) -> None:
    """One indicator moved to the new year: texts shifted, its 自评 keys dropped and its last
    实际完成值 kept as a comment above its value (and a target beaten by 30 % listed)."""
    where = f"indicators.{item}"
    ind.name = _shifted(shifter, ind.name, file, f"{where}.name", result)
    if ind.description is not None:
        ind.description = _shifted(shifter, ind.description, file, f"{where}.description",
                                   result)
    ind.value = _shifted(shifter, ind.value, file, f"{where}.value", result)
    if old_ind.actual is not None:
        hint = f"历史标准：{book.year}年实际完成值 {old_ind.actual}"
        notes[f"{item}.value"] = "\n".join(filter(None, [notes.get(f"{item}.value"), hint]))
        if far is not None and far >= BEATEN and measure(old_ind.value) is not None:
            result.review.append(ReviewItem(
                file, f"{where}.value", ind.value,
                f"{book.year}年实际完成 {old_ind.actual}，超出指标值 30% 以上，请考虑调整指标值"))
    ind.actual = ind.grade = ind.deviation = None
    ind.score = ind.score_reason = None


def _overall_text(book: Book, agency: Agency, overall: Overall, shifter: _Shifter, file: str,
                  renamed: dict[str, str], result: Rollover) -> str:
    """The agency's new 部门整体 file: texts shifted, its tasks naming the projects' new files,
    execution dropped, last actuals as comments (as for a project)."""
    assert book.root is not None
    old = (book.root / overall.file).read_text(encoding="utf-8")
    notes = _without_execution(attach(old, overall_paths(_tree(old))))
    score = score_overall(agency, book)
    beaten = {id(r.indicator): r.beaten for r in score.rows} if score else {}
    new = copy.deepcopy(overall)
    new.execution = None
    new.functions = _shifted(shifter, overall.functions, file, "functions", result)
    for i, task in enumerate(new.tasks, 1):
        task.name = _shifted(shifter, task.name, file, f"tasks[{i}].name", result)
        task.content = _shifted(shifter, task.content, file, f"tasks[{i}].content", result)
        task.projects = [renamed.get(f, f) for f in task.projects]
    new.goals = [_shifted(shifter, g, file, f"goals[{i}]", result)
                 for i, g in enumerate(overall.goals, 1)]
    olds = iter([ind for _, _, ind in overall.rows()])
    for l1 in new.indicators:
        for l2 in l1.groups:
            for i, ind in enumerate(l2.indicators, 1):
                old_ind = next(olds)
                _indicator(book, shifter, file, f"{l1.name}.{l2.name}[{i}]", old_ind, ind,
                           beaten.get(id(old_ind)), notes, result)
    return dump_overall(new, notes)


def _pairs(old: Project, new: Project
           ) -> Iterator[tuple[Level1, Level2, int, Indicator, Indicator]]:
    """(一级, 二级, row number in the 二级, old indicator, new indicator), in order."""
    olds = iter([ind for _, _, ind in old.rows()])
    for l1 in new.indicators:
        for l2 in l1.groups:
            for i, ind in enumerate(l2.indicators, 1):
                yield l1, l2, i, next(olds), ind
