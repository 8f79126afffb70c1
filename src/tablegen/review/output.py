"""A review as a terminal reads it, as JSON, as GitHub annotations and as Markdown."""

from __future__ import annotations

import json
import re
import unicodedata

from .. import rules
from ..errors import Finding, shown_name
from . import Review

FORMATS = ("text", "json", "github", "markdown")


def point_of(f: Finding) -> str:
    return rules.rule(f.rule).point


def line(f: Finding) -> str:
    """A finding on one line, as check prints one, its review point first in the message."""
    return f"{f.pos}: {f.severity}[{f.rule}]: 【{point_of(f)}】{f.message}"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def table(review: Review) -> str:
    """The grades, one line per project: score, grade and what each review point kept."""
    points = list(review.settings.shipped.grading.points.items())
    head = ["项目", "得分", "等级", *(p for p, _ in points)]
    rows = [[f"{g.book} {g.heading}", str(g.score), g.grade,
             *(f"{g.points[p]}/{full}" for p, full in points)] for g in review.grades]
    widths = [max(_width(r[i]) for r in [head, *rows]) for i in range(len(head))]
    widths[0] = min(widths[0], 48)
    out = []
    for r in [head, *rows]:
        first = r[0] if _width(r[0]) <= widths[0] else _cut(r[0], widths[0])
        out.append("  ".join(_pad(c, w) for c, w in zip([first, *r[1:]], widths, strict=True)).rstrip())
    return "\n".join(shown_name(x) for x in out)


def _cut(text: str, width: int) -> str:
    out, used = "", 0
    for ch in text:
        w = _width(ch)
        if used + w > width - 1:
            break
        out += ch
        used += w
    return out + "…"


def summary(review: Review) -> str:
    counts = review.counts()
    grades = "，".join(f"{g} {counts[g]}" for g in review.settings.shipped.grading.grades)
    return (f"审核了 {len(review.grades)} 个项目（{grades}），"
            f"{len(review.report.sorted())} 条审核意见")


def as_text(review: Review) -> str:
    parts = [line(f) for f in review.report.sorted()]
    if review.grades:
        parts += ["", table(review)]
    parts += [f"注意：{n}" for n in review.notes]
    return "\n".join(parts).lstrip("\n")


def as_json(review: Review) -> str:
    data = {
        "projects": [{"book": g.book, "number": g.number, "name": g.name, "path": g.file,
                      "score": g.score, "grade": g.grade, "points": g.points,
                      "findings": len(g.findings)} for g in review.grades],
        "findings": [{**f.as_dict(), "point": point_of(f)} for f in review.report.sorted()],
        "notes": review.notes,
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def _esc(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _esc(s).replace(":", "%3A").replace(",", "%2C")


def as_github(review: Review) -> str:
    """Workflow commands: each finding on its line of the pull request, each grade a notice on
    its file's first line."""
    out = []
    for f in review.report.sorted():
        out.append(f"::{f.severity} file={_prop(f.pos.path)},line={f.pos.line},col={f.pos.col},"
                   f"title={_prop(f'{point_of(f)} {f.rule}')}::{_esc(f.message)}")
    for g in review.grades:
        kept = "，".join(f"{p} {n}" for p, n in g.points.items())
        out.append(f"::notice file={_prop(g.file)},line=1,title={_prop(f'审核等级 {g.grade}')}::"
                   f"{_esc(f'{g.heading}：{g.score} 分，{g.grade}（{kept}）；{len(g.findings)} 条审核意见')}")
    return "\n".join(out)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#!<>])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def as_markdown(review: Review) -> str:
    """The grades and the findings for a pull request's summary."""
    points = list(review.settings.shipped.grading.points)
    lines = ["### 绩效目标审核", "", summary(review), "",
             "| 项目 | 得分 | 等级 | " + " | ".join(points) + " |",
             "| --- | --- | --- | " + " | ".join("---" for _ in points) + " |"]
    lines += [f"| {_md(g.book)} {_md(g.heading)} | {g.score} | {g.grade} | "
              + " | ".join(str(g.points[p]) for p in points) + " |" for g in review.grades]
    findings = review.report.sorted()
    if findings:
        lines += ["", "| 位置 | 要点 | 规则 | 意见 |", "| --- | --- | --- | --- |"]
        lines += [f"| {_md(str(f.pos))} | {point_of(f)} | {f.rule} | {_md(f.message)} |"
                  for f in findings]
    lines += [f"> 注意：{_md(n)}" for n in review.notes]
    return "\n".join(lines) + "\n"


def render(review: Review, fmt: str) -> str:
    return {"text": as_text, "json": as_json, "github": as_github,
            "markdown": as_markdown}[fmt](review)
