"""The one place that edits a book.yaml in place (`import` into a book, `new`): a YAML round trip
that keeps comments and layout, checked by reading the result back before anything is written.

An edit that would read back differently from what was meant is refused, never guessed at.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RoundTripError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from .. import rules
from ..errors import Pos, Report
from ..load.loader import parse
from ..load.validate import check_book_node
from ..model.book import Agency


@dataclass
class Listing:
    """What book.yaml lists: each agency and its project files, in order."""

    agencies: list[Agency]
    files: list[list[str]]


def read_listing(text: str, shown: str, key: str, report: Report) -> Listing | None:
    """The agencies and files book.yaml lists, or None (with its errors) when it has any."""
    found = Report()
    root = parse(text, shown, found)
    book, listed = check_book_node(root, key, found) if root is not None else (None, [])
    if root is None or book is None or found.errors:
        report.findings += found.errors
        return None
    return Listing(list(book.agencies), [[f for f, _ in files] for files in listed])


def _yaml() -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.width = 1 << 20  # never fold a long line
    y.indent(mapping=2, sequence=4, offset=2)  # the canonical form (`agencies:\n  - code: …`)
    return y


def add_projects(text: str, shown: str, key: str, additions: list[tuple[Agency, str]],
                 report: Report) -> str | None:
    """book.yaml's text with each file listed under its agency, an agency the book lacks appended
    (with its name); None, with an error saying why, when that cannot be done safely."""
    listing = read_listing(text, shown, key, report)
    if listing is None:
        report.add(Pos(shown), rules.IMPORT_BOOK,
                   "book.yaml 有错误，未修改；请先按 tablegen check 的提示修正")
        return None
    try:
        data = _yaml().load(text)
    except RoundTripError as exc:  # pragma: no cover - the file has just parsed cleanly
        report.add(Pos(shown), rules.IMPORT_BOOK, f"无法改写 book.yaml：{exc}")
        return None
    agencies = data.get("agencies") if isinstance(data, CommentedMap) else None
    if not isinstance(agencies, CommentedSeq) or len(agencies) != len(listing.agencies):
        report.add(Pos(shown), rules.IMPORT_BOOK, "book.yaml 没有可追加的 agencies 列表")
        return None
    codes = [a.code for a in listing.agencies]
    expected = [list(files) for files in listing.files]
    for agency, file in additions:
        if agency.code in codes:
            i = codes.index(agency.code)
            projects = agencies[i].get("projects")
            if projects is None:
                agencies[i]["projects"] = CommentedSeq([file])
            elif isinstance(projects, CommentedSeq):
                projects.append(file)
            else:
                report.add(Pos(shown), rules.IMPORT_BOOK,
                             f"无法把项目追加到单位 {agency.code}：它的 projects 不是列表")
                return None
        else:
            codes.append(agency.code)
            expected.append([])
            listing.agencies.append(agency)
            agencies.append(CommentedMap([("code", DoubleQuotedScalarString(agency.code)),
                                          ("name", agency.name),
                                          ("projects", CommentedSeq([file]))]))
            i = len(codes) - 1
        expected[i].append(file)
    out = io.StringIO()
    _yaml().dump(data, out)
    new = out.getvalue()
    again = read_listing(new, shown, key, Report())
    if again is None or again.files != expected or [(a.code, a.name) for a in again.agencies] != [
            (a.code, a.name) for a in listing.agencies] or not _same_settings(text, new, shown, key):
        report.add(Pos(shown), rules.IMPORT_BOOK,
                     "无法安全地改写 book.yaml（改写后读出的内容与预期不同），未写入任何文件；"
                     "请手动把新的项目文件加入 agencies")
        return None
    return new


def set_overall(text: str, shown: str, key: str, code: str, file: str,
                report: Report) -> str | None:
    """book.yaml's text with `overall: <file>` under the agency `code` (after its name); None,
    with an error saying why, when that cannot be done safely."""
    listing = read_listing(text, shown, key, report)
    codes = [a.code for a in listing.agencies] if listing is not None else []
    if listing is None or code not in codes:
        report.add(Pos(shown), rules.IMPORT_BOOK,
                   "book.yaml 有错误，未修改；请先按 tablegen check 的提示修正" if listing is None
                   else f"book.yaml 中没有编码为 {code} 的单位")
        return None
    data = _yaml().load(text)
    agency = data["agencies"][codes.index(code)]
    keys = list(agency)
    agency.insert(keys.index("name") + 1 if "name" in keys else len(keys), "overall", file)
    out = io.StringIO()
    _yaml().dump(data, out)
    new = out.getvalue()
    found = Report()
    root = parse(new, shown, found)
    book = check_book_node(root, key, found)[0] if root is not None else None
    again = read_listing(new, shown, key, Report())
    if (book is None or again is None or again.files != listing.files
            or [a.overall_file for a in book.agencies]
            != [file if a.code == code else a.overall_file for a in listing.agencies]
            or not _same_settings(text, new, shown, key)):
        report.add(Pos(shown), rules.IMPORT_BOOK,
                   "无法安全地改写 book.yaml（改写后读出的内容与预期不同），未写入任何文件；"
                   f"请手动在单位 {code} 下加上 overall: {file}")
        return None
    return new


def _same_settings(old: str, new: str, shown: str, key: str) -> bool:
    """Whether title, year, unit, frame and merge read the same before and after."""
    def settings(text: str) -> tuple[object, ...] | None:
        root = parse(text, shown, Report())
        book = check_book_node(root, key, Report())[0] if root is not None else None
        if book is None:
            return None
        return (book.title, book.year, book.money_unit, book.frame, book.merge, book.department,
                book.scoring, book.scoring_rules, book.overall_layout)

    return settings(old) == settings(new) is not None

