"""`tablegen check` of 1,000 project files: libyaml's parser against the pure-Python one; and
`tablegen fmt --check` of a file with 25.7k comments against one with half as many (linear: ~2).

The pure-Python parser is what `check` used for every file before (and still uses for any file
libyaml refuses, so that every finding stays exact). Both run here, side by side, on the same
generated book; the target is a ratio of at most 0.5.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from common import make_book, timed

from tablegen.build import check
from tablegen.commands.fmt import fmt
from tablegen.load import loader

N = 1000


def commented(path: Path, rows: int) -> Path:
    """A project file with `rows` indicator rows, each with a comment above and one beside."""
    lines = ["name: x", "budget:", "  total: 1.00", "  fiscal: 1.00", "  other:", "usage: u",
             "goals:", "  - g", "indicators:", "  产出指标:", "    数量指标:"]
    for i in range(rows):
        lines += [f"      # 说明 {i}", f"      - name: n{i}  # 注 {i}",
                  f"        value: {i}个"]
    lines += ["  满意度指标:", "    服务对象满意度指标:", "      - name: s", "        value: ≥90%"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        book = make_book(Path(tmp) / "book", N, agencies=4)
        fast, report = timed(lambda: check([book]), repeat=3)
        assert report.findings == [], report.format("text")
        was, loader.LIBYAML = loader.LIBYAML, False
        try:
            slow, report = timed(lambda: check([book]), repeat=3)
        finally:
            loader.LIBYAML = was
        assert report.findings == [], report.format("text")
    print(f"check of {N} project files: pure-Python parser {slow:.2f} s, "
          f"libyaml parser {fast:.2f} s, ratio {fast / slow:.2f} (target ≤ 0.50)")
    with tempfile.TemporaryDirectory() as tmp:
        half = commented(Path(tmp) / "half.yaml", 6_425)
        full = commented(Path(tmp) / "full.yaml", 12_850)
        t_half, _ = timed(lambda: fmt([half], check=True))
        t_full, result = timed(lambda: fmt([full], check=True))
        assert result.changed == [full], result.report.format("text")
    print(f"fmt --check: 12.85k comments {t_half:.2f} s, 25.7k comments {t_full:.2f} s, "
          f"ratio {t_full / t_half:.2f} (linear: about 2; once 169 s for 25.7k)")
    if not loader.yaml.__with_libyaml__:
        print("PyYAML here has no libyaml: both figures use the pure-Python parser")
        sys.exit(1)


if __name__ == "__main__":
    main()
