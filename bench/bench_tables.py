"""Time linear in the number of tables: a cold build of each format alone, and the default build
after one edit, of generated books of 100 and 1,000 tables (and 5,000 with `--5000`), each figure
per table with its ratio to the 100-table one (≈ 1 when linear; the issue's target ≤ 1.2), and the
peak memory of the whole process tree (main process and layout workers, sampled from /proc).

The DOCX is built with `--no-toc-pages` in the cold rows (LibreOffice's layout of a whole book is
LibreOffice's own time); the edit rows run the default build, LibreOffice included.
Run: `.venv/bin/python bench/bench_tables.py [--5000]` (about 10 minutes on 2 cores; 5,000 more).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_pdf import tree_rss
from common import make_book

TABLEGEN = [sys.executable, "-m", "tablegen"]
FORMATS = ("html", "docx", "xlsx", "pdf")


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall time and the peak RSS (MB) of the process tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.05)
    if proc.returncode:
        assert proc.stderr is not None
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-2000:]}")
    return time.perf_counter() - start, peak


def main() -> None:
    sizes = [100, 1000] + ([5000] if "--5000" in sys.argv else [])
    per_table: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        print(f"{'tables':>7} {'what':<34} {'time':>9} {'per table':>10} {'÷ 100':>6} {'peak MB':>8}")
        for n in sizes:
            book = make_book(tmp / f"book{n}", n, agencies=4)
            for fmt in FORMATS:
                extra = ["--no-toc-pages"] if fmt == "docx" else []
                wall, peak = run([*TABLEGEN, "build", str(book), "--out", str(tmp / f"cold{n}-{fmt}"),
                                  "--format", fmt, "--no-cache", "-q", *extra])
                report(n, f"cold {fmt}", wall, peak, per_table)
            out = tmp / f"all{n}"
            run([*TABLEGEN, "build", str(book), "--out", str(out), "-q"])
            p = book / f"p{n // 2:04d}.yaml"
            p.write_text(p.read_text(encoding="utf-8").replace("≥10件", "≥11件", 1), encoding="utf-8")
            wall, peak = run([*TABLEGEN, "build", str(book), "--out", str(out), "-q"])
            report(n, "one edit, default build (all formats)", wall, peak, per_table, whole=True)


def report(n: int, what: str, wall: float, peak: float, per_table: dict[str, float],
           whole: bool = False) -> None:
    """One line: for an edit the time itself is the figure (one table changed whatever the size),
    its ratio to the 100-table book's edit how it grows."""
    figure = wall if whole else wall / n
    base = per_table.setdefault(what, figure)
    shown = f"{wall:8.2f}s" if whole else f"{figure * 1000:7.1f} ms"
    print(f"{n:>7} {what:<34} {wall:8.2f}s {shown:>10} {figure / base:6.2f} {peak:8.0f}", flush=True)


if __name__ == "__main__":
    main()
