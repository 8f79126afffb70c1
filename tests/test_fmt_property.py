"""fmt keeps every comment and invents none, for random project files (hypothesis)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tablegen.commands.fmt import format_text
from tablegen.errors import Report
from tablegen.load.loader import parse
from tablegen.source.yamlout import scalar

# Texts full of what looks like a comment or a key: `#`, ` #`, `: `, quotes, line breaks.
TEXT = st.text(alphabet="甲乙丙 #:'\"-a1\n", min_size=1, max_size=12).filter(
    lambda t: t.strip() and t == t.strip() and "\n\n" not in t)
COMMENT = st.text(alphabet="注释甲 #:'\"a", min_size=1, max_size=8).map(str.strip).filter(bool)
LEVELS = [("产出指标", "数量指标"), ("产出指标", "质量指标"), ("效益指标", "社会效益指标"),
          ("满意度指标", "服务对象满意度指标")]


@st.composite
def project_file(draw):  # type: ignore[no-untyped-def]
    """A project file's text with unique comments in random legal places, and those comments."""
    comments: list[str] = []

    def comment() -> str:
        text = f"{len(comments)}{draw(COMMENT)}"
        comments.append(text)
        return text

    def value(text: str, indent: int) -> str:
        how = draw(st.sampled_from(["canonical", "block", "json"]))
        if how == "json":
            return json.dumps(text, ensure_ascii=False)
        return scalar(text, indent if how == "block" else None)

    lines: list[str] = []

    def line(indent: int, code: str) -> None:
        if draw(st.booleans()):
            lines.append(" " * indent + "# " + comment())
        if "\n" not in code and draw(st.booleans()):
            code += "  # " + comment()
        elif "\n" in code and draw(st.booleans()):  # beside a block header: `key: |-  # …`
            head, rest = code.split("\n", 1)
            code = f"{head}  # {comment()}\n{rest}"
        lines.append(" " * indent + code)

    line(0, f"name: {value(draw(TEXT), 0)}")
    line(0, "budget:")
    line(2, "total: 10.00")
    line(2, "fiscal: 10.00")
    line(0, f"usage: {value(draw(TEXT), 0)}")
    line(0, "goals:")
    for goal in draw(st.lists(TEXT, min_size=1, max_size=3)):
        line(2, f"- {value(goal, 2)}")
    line(0, "indicators:")
    last = None
    for l1, l2 in LEVELS:
        if l1 != last:
            line(2, f"{l1}:")
            last = l1
        line(4, f"{l2}:")
        for _ in range(draw(st.integers(1, 2))):
            line(6, f"- name: {value(draw(TEXT), 8)}")
            if draw(st.booleans()):
                line(8, f"description: {value(draw(TEXT), 8)}")
            line(8, f"value: {value(draw(TEXT), 8)}")
    if draw(st.booleans()):
        lines.append("# " + comment())
    return "\n".join(lines) + "\n", comments


def comments_in(text: str) -> list[str]:
    found: list = []
    assert parse(text, "p.yaml", Report(), found) is not None
    return sorted(c.strip() for _, c in found if not c.strip().startswith("yaml-language-server"))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project_file())
def test_fmt_keeps_exactly_the_comments_and_is_idempotent(case):
    text, written = case
    assert comments_in(text) == sorted(written)  # the generator wrote what it says
    out, report = format_text(text, "p.yaml", False)
    assert out is not None, report.format("text")
    assert comments_in(out) == sorted(written)
    again, _ = format_text(out, "p.yaml", False)
    assert again == out
