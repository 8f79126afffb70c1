"""Time linear in the number of tables: a cold build of each format alone, and the default build
after one edit, of generated books of 100 and 1,000 tables (and 5,000 with `--5000`), each figure
per table with its ratio to the 100-table one (≈ 1 when linear; the issue's target ≤ 1.2), and the
peak memory of the whole process tree (main process and layout workers, sampled from /proc: each
page once, as the sum of the processes' proportional set sizes; beside it the sum of their RSS,
which counts the pages the forked workers share with the build once per process).

The DOCX is built with `--no-toc-pages` in the cold rows (LibreOffice's layout of a whole book is
LibreOffice's own time); the edit rows run the default build, LibreOffice included.
Run: `.venv/bin/python bench/bench_tables.py [--5000]` (about 10 minutes on 2 cores; 5,000 more);
`--sizes 100,3000` other sizes (the first the base of the ratios), `--formats xlsx,pdf` some
formats cold (without the edit rows).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_pdf import tree_rss, tree_rss_sum
from common import make_book

TABLEGEN = [sys.executable, "-m", "tablegen"]
FORMATS = ("html", "docx", "xlsx", "pdf")


def run(cmd: list[str]) -> tuple[float, float, float]:
    """Wall time, the peak memory (MB) of the process tree (each page once, `tree_rss`), and
    the peak of the sum of its processes' RSS (shared pages once per process)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = peak_sum = 0.0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        peak_sum = max(peak_sum, tree_rss_sum(proc.pid))
        time.sleep(0.05)
    if proc.returncode:
        assert proc.stderr is not None
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-2000:]}")
    return time.perf_counter() - start, peak, peak_sum


def main() -> None:
    sizes = [100, 1000] + ([5000] if "--5000" in sys.argv else [])
    if "--sizes" in sys.argv:  # e.g. `--sizes 100,3000`: the first is the base of the ratios
        sizes = [int(n) for n in sys.argv[sys.argv.index("--sizes") + 1].split(",")]
    formats = FORMATS
    if "--formats" in sys.argv:  # e.g. `--formats xlsx,pdf`; the edit rows then left out
        formats = tuple(sys.argv[sys.argv.index("--formats") + 1].split(","))
    per_table: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        print(f"{'tables':>7} {'what':<34} {'time':>9} {'per table':>10} {'÷ first':>7} "
              f"{'peak MB':>8} {'RSS sum':>8}")
        for n in sizes:
            book = make_book(tmp / f"book{n}", n, agencies=4)
            for fmt in formats:
                extra = ["--no-toc-pages"] if fmt == "docx" else []
                wall, peak, peak_sum = run([*TABLEGEN, "build", str(book), "--out",
                                            str(tmp / f"cold{n}-{fmt}"), "--format", fmt,
                                            "--no-cache", "-q", *extra])
                report(n, f"cold {fmt}", wall, peak, peak_sum, per_table)
            if formats != FORMATS:
                continue
            out = tmp / f"all{n}"
            run([*TABLEGEN, "build", str(book), "--out", str(out), "-q"])
            p = book / f"p{n // 2:04d}.yaml"
            p.write_text(p.read_text(encoding="utf-8").replace("≥10件", "≥11件", 1), encoding="utf-8")
            wall, peak, peak_sum = run([*TABLEGEN, "build", str(book), "--out", str(out), "-q"])
            report(n, "one edit, default build (all formats)", wall, peak, peak_sum, per_table,
                   whole=True)


def report(n: int, what: str, wall: float, peak: float, peak_sum: float,
           per_table: dict[str, float], whole: bool = False) -> None:
    """One line: for an edit the time itself is the figure (one table changed whatever the size),
    its ratio to the 100-table book's edit how it grows."""
    figure = wall if whole else wall / n
    base = per_table.setdefault(what, figure)
    shown = f"{wall:8.2f}s" if whole else f"{figure * 1000:7.1f} ms"
    print(f"{n:>7} {what:<34} {wall:8.2f}s {shown:>10} {figure / base:7.2f} {peak:8.0f} "
          f"{peak_sum:8.0f}", flush=True)


if __name__ == "__main__":
    main()
