"""A project's grade (审核结果 优/良/中/差) from its findings.

Each review point starts at its 分值 (review/review.yaml `points`, 100 in all); each finding
takes its rule's `deduct` off its point, which stops at 0; the score is what the points keep,
and the bands (`bands`) name the grade. A project without findings scores 100 and is 优.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import rules
from ..errors import Finding
from .data import Grading


@dataclass(frozen=True)
class Grade:
    """One project's review: its points, score and grade, and the findings they come from."""

    book: str  # the book's folder name
    number: int  # the table's number in its book
    name: str
    file: str  # the project file as shown
    points: dict[str, int]  # review point → what it keeps
    score: int
    grade: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.number}.{self.name}"


def score(findings: list[Finding], grading: Grading) -> tuple[dict[str, int], int, str]:
    """(points kept, score, grade) of a project's findings."""
    lost = dict.fromkeys(grading.points, 0)
    for f in findings:
        rule = rules.rule(f.rule)
        if rule.point in lost:
            lost[rule.point] += rule.deduct
    kept = {p: max(0, full - lost[p]) for p, full in grading.points.items()}
    total = sum(kept.values())
    return kept, total, grading.grade_of(total)


def below(grade: str, threshold: str, grading: Grading) -> bool:
    """Whether a grade is worse than the threshold (`差` is below `中`)."""
    order = grading.grades
    return order.index(grade) > order.index(threshold)
