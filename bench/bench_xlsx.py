"""The XLSX stage after one edit of a 100-table book: each sheet from the build cache (only the
edited table's sheet and the 指标导入 rows it is on drawn again) against `--no-cache` (every
sheet drawn), side by side in one run, with their ratio.

The stage is the XLSX engine's work for the book (`render.xlsx.render`), timed in this process
after the book is read; the cache holds every sheet of the book before the edit (a build of it
stored them), and is not updated between the runs, so every run with the cache is a first build
after the edit. Then the same with `tablegen build --format xlsx` as a user runs it, a fresh edit
before each build. Run: `.venv/bin/python bench/bench_xlsx.py [N]` (about a minute on 2 cores).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import make_book

from tablegen.build import build, documents
from tablegen.cache import FOLDER, Cache
from tablegen.document import Document
from tablegen.load.books import load_book_strict
from tablegen.render import xlsx
from tablegen.render.context import RenderContext
from tablegen.templates import chain_for

ROOT = Path(__file__).resolve().parents[1]
REPEAT = 5
FIRST = "      - name: 知识产权保护项目补助数量1\n"
EDITS = {  # label: (old text of p0042.yaml, new text)
    "one value edited (p0042)": ("≥10件", "≥11件"),
    # every later 指标导入 row moves down one
    "one indicator added (p0042)": (FIRST, "      - name: 新加的指标\n        value: ≥1件\n" + FIRST),
}


def targets(book: Path) -> Document:
    return next(doc for doc in documents(load_book_strict(book)) if doc.kind == "targets")


def stage(doc: Document, cache: Cache) -> tuple[float, float]:
    """Seconds the XLSX engine takes for the document: wall time and this process's CPU time
    (on a machine shared with other work, the CPU time is the steadier figure)."""
    ctx = RenderContext(chain_for(None, None), toc_pages=False, cache=cache)
    start, cpu = time.perf_counter(), time.process_time()
    xlsx.render(doc, ctx)
    return time.perf_counter() - start, time.process_time() - cpu


def row(label: str, cached: list[float], cold: list[float]) -> None:
    a, b = min(cached), min(cold)
    print(f"{label:<48} {a:7.3f} s {b:7.3f} s  ratio {a / b:5.3f}   "
          f"(medians {statistics.median(cached):.3f} / {statistics.median(cold):.3f} s)")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def main(n: int = 100) -> None:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        book = make_book(tmp / "book", n, agencies=4)
        out = tmp / "out"
        build([book], out, ["xlsx"], quiet=True)  # the cache holds every sheet before the edit
        print(f"{n}-table book, XLSX stage; best of {REPEAT}: with the cache, --no-cache, ratio")
        for label, (old, new) in EDITS.items():
            edit(book / "p0042.yaml", old, new)
            doc = targets(book)
            cached, cold = [], []
            for _ in range(REPEAT):  # alternately, so that both see the same load
                cached.append(stage(doc, Cache(out / FOLDER)))
                cold.append(stage(doc, Cache(None)))
            row(f"{label}, wall", [w for w, _ in cached], [w for w, _ in cold])
            row(f"{label}, CPU", [c for _, c in cached], [c for _, c in cold])
            edit(book / "p0042.yaml", new, old)
        print(f"`tablegen build --format xlsx` after one value edited, best of {REPEAT}:")
        base = [sys.executable, "-m", "tablegen", "build", str(book), "--format", "xlsx", "-q"]
        cached, cold = [], []
        for i in range(REPEAT):
            edit(book / "p0042.yaml", f"≥1{i}件", f"≥1{i + 1}件")
            cached.append(wall([*base, "--out", str(out)]))
            cold.append(wall([*base, "--out", str(tmp / "cold"), "--no-cache"]))
        row("whole command, wall (reading the book included)", cached, cold)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
