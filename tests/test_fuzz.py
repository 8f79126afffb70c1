"""Property test (hypothesis): `check` and `fmt --check` on arbitrary project files — random
nesting, blank lines, Unicode line separators, surrogate escapes, long names, a part repeated
many times — never raise, always print, and take time linear in the file's size (the README's
bound), shown by the same file with its repeated part GROWTH times as often (tests/linear.py)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hostile import BOOK, VALID
from linear import GROWTH, assert_linear
from tablegen.commands.fmt import fmt
from tablegen.load.books import load_paths

FRAGMENTS = [
    "\n", "\n\n\n", "   \n", "\u2028", "\u2029", "\x85", "\t", "# 注释\n", "- ", "? ", ": ",
    "[", "]", "{", "}", ",", "'", '"', "\\", "|\n", ">\n", ">=", "&a ", "*a ", "!!str ", "---\n",
    '"a\\ud800b"', '"\\udfff"', '"\\0"', "~", "null", "-0.00", "+5", "４０", "1e9", "0x1F",
    "name: ", "budget:\n  total: ", "indicators:\n  产出指标:\n    数量指标:\n      - name: ",
    "  value: ", "goals:\n  - ", "𠀀", "𪚥", "中文", "a" * 300, "名" * 200,
]
SMALL_BYTES = 4096  # the repeated part fills about this much in the smaller of the two runs

pieces = st.lists(st.one_of(st.sampled_from(FRAGMENTS),
                            st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
                                    max_size=20)), max_size=40)


def nested(depth: int) -> str:
    """Brackets nested `depth` deep, half of them closed (none at 0: the file may be valid)."""
    return "name: " + "[" * depth + "]" * (depth // 2) + "\n" if depth else ""


def check_and_fmt(folder: Path) -> None:
    """What `check` and `fmt --check` do with the folder, asserting that all of it prints."""
    report = load_paths([folder]).report
    for fmt_name in ("text", "json", "github"):
        out = report.format(fmt_name)
        out.encode("utf-8")  # prints on a strict UTF-8 terminal
        if fmt_name == "text":
            assert all(line.count(": ") >= 2 for line in out.splitlines()), out[:500]
    assert all(f.pos.line >= 1 and f.pos.col >= 1 for f in report.findings)
    result = fmt([folder / "p.yaml"], check=True)
    result.report.format("text").encode("utf-8")
    "".join(result.diffs).encode("utf-8")


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(head=pieces, body=pieces, depth=st.integers(0, 400), base=st.booleans())
# Inputs that once took quadratic time or worse (issue 15): blank lines after a value, comments
# (fmt --check), 一级 keys, deep brackets, line separators inside quotes.
@example(head=["name: x"], body=["\n"], depth=0, base=False)
@example(head=[], body=["# 注释\n"], depth=0, base=True)
@example(head=["indicators:\n"], body=["  产出指标:\n"], depth=0, base=False)
@example(head=["usage: "], body=['"a\u2028b"\n', "x: 1\n"], depth=350, base=False)
def test_check_and_fmt_never_raise_and_run_in_linear_time(tmp_path_factory, head, body, depth,
                                                          base):
    folders = {}

    def write(repeat: int) -> Path:
        folder = tmp_path_factory.mktemp("fuzz")
        text = (VALID if base else "") + "".join(head) + "".join(body) * repeat + nested(depth)
        (folder / "book.yaml").write_text(BOOK, encoding="utf-8")
        (folder / "p.yaml").write_bytes(text.encode("utf-8", "surrogatepass")[: 1024 * 1024])
        return folder

    unit = len("".join(body).encode("utf-8", "surrogatepass"))
    n = max(1, SMALL_BYTES // max(1, unit))
    for repeat in (n, GROWTH * n):
        folders[repeat] = write(repeat)
    if unit:  # runs both sizes (a traceback at either fails the test) and compares their times
        assert_linear(lambda repeat: check_and_fmt(folders[repeat]), n)
    else:
        check_and_fmt(folders[n])
