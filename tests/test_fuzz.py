"""Property test (hypothesis): `check` on arbitrary project files — random nesting, blank lines,
Unicode line separators, surrogate escapes, long names, repeated many times — never raises,
always prints, and takes time linear in the file's size (the README's bound)."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile import BOOK, VALID
from tablegen.books import load_paths

# Time allowed for one file: generous for a busy 2-core machine, far below what a quadratic
# step costs at these sizes (20k blank lines once took 24 s).
FIXED_S, PER_BYTE_S = 2.0, 60e-6

FRAGMENTS = [
    "\n", "\n\n\n", "   \n", "\u2028", "\u2029", "\x85", "\t", "# 注释\n", "- ", "? ", ": ",
    "[", "]", "{", "}", ",", "'", '"', "\\", "|\n", ">\n", ">=", "&a ", "*a ", "!!str ", "---\n",
    '"a\\ud800b"', '"\\udfff"', '"\\0"', "~", "null", "-0.00", "+5", "４０", "1e9", "0x1F",
    "name: ", "budget:\n  total: ", "indicators:\n  产出指标:\n    数量指标:\n      - name: ",
    "  value: ", "goals:\n  - ", "𠀀", "𪚥", "中文", "a" * 300, "名" * 200,
]

pieces = st.lists(st.one_of(st.sampled_from(FRAGMENTS),
                            st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
                                    max_size=20)), max_size=40)


def nested(depth: int) -> str:
    return "name: " + "[" * depth + "]" * (depth // 2) + "\n"


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(head=pieces, body=pieces, repeat=st.integers(1, 1500), depth=st.integers(0, 400),
       base=st.booleans())
def test_check_never_raises_and_runs_in_linear_time(tmp_path_factory, head, body, repeat, depth,
                                                    base):
    folder = tmp_path_factory.mktemp("fuzz")
    text = (VALID if base else "") + "".join(head) + "".join(body) * repeat + nested(depth)
    data = text.encode("utf-8", "surrogatepass")[: 1024 * 1024]
    (folder / "book.yaml").write_text(BOOK, encoding="utf-8")
    (folder / "p.yaml").write_bytes(data)
    start = time.perf_counter()
    report = load_paths([folder]).report
    for fmt in ("text", "json", "github"):
        out = report.format(fmt)
        out.encode("utf-8")  # prints on a strict UTF-8 terminal
        if fmt == "text":
            assert all(line.count(": ") >= 2 for line in out.splitlines()), out[:500]
    elapsed = time.perf_counter() - start
    assert elapsed < FIXED_S + PER_BYTE_S * len(data), (len(data), elapsed)
    assert all(f.pos.line >= 1 and f.pos.col >= 1 for f in report.findings)
