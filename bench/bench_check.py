"""`tablegen check` of 1,000 project files: libyaml's parser against the pure-Python one.

The pure-Python parser is what `check` used for every file before (and still uses for any file
libyaml refuses, so that every finding stays exact). Both run here, side by side, on the same
generated book; the target is a ratio of at most 0.5.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from common import make_book, timed

from tablegen import loader
from tablegen.build import check

N = 1000


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
    if not loader.yaml.__with_libyaml__:
        print("PyYAML here has no libyaml: both figures use the pure-Python parser")
        sys.exit(1)


if __name__ == "__main__":
    main()
