"""Issue 9's targets: the build cache, fonts without the system subsetter, cold PDF against
LibreOffice, and sizes — every figure with its ratio, measured side by side in one run.

Run: `.venv/bin/python bench/bench_cache.py` (a few minutes on 2 cores; root for the
hidden-subsetter figure, which uses `unshare -m` and a bind mount). `PAIRS=N` sets how many
alternating pairs time the cold PDF against LibreOffice (5); `EDITS=N` how many edits are timed,
each beside a LibreOffice run of its own (5). The Python that runs it runs tablegen: its first
line names it (a build of Python without PGO/LTO takes a tenth longer).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import make_book

ROOT = Path(__file__).resolve().parents[1]
TABLEGEN = [sys.executable, "-m", "tablegen"]
PAIRS = int(os.environ.get("PAIRS", "5"))  # cold PDF against LibreOffice, side by side
EDITS = int(os.environ.get("EDITS", "5"))  # edits, each beside a LibreOffice run of its own


def wall(cmd: list[str], **kw: object) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT, **kw)  # type: ignore[call-overload]
    return time.perf_counter() - start


def build(paths: list[Path], out: Path, *extra: str) -> list[str]:
    return [*TABLEGEN, "build", *map(str, paths), "--out", str(out), "-q", *extra]


def libreoffice(docx: Path, tmp: Path) -> float:
    from tablegen.render.toc_pages import to_pdf

    start = time.perf_counter()
    to_pdf([docx], tmp)
    return time.perf_counter() - start


def subset_library() -> str | None:
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if "libharfbuzz-subset.so" in line and "=>" in line:
            return os.path.realpath(line.split("=>")[1].strip())
    return None


def hidden(cmd: list[str], library: str) -> list[str]:
    """The command in a private mount namespace where the subsetter library is /dev/null."""
    script = f"mount --bind /dev/null {library} && exec \"$@\""
    return ["unshare", "-m", "sh", "-c", script, "sh", *cmd]


def row(label: str, ours: float, base: float, target: str) -> None:
    print(f"{label:<58} {ours:8.2f} s {base:8.2f} s  ratio {ours / base:5.2f}  ({target})")


def font_programs(pdf: Path) -> int:
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    found = set()
    for page in reader.pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            fd = ref.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            for key in ("/FontFile2", "/FontFile3"):
                if key in fd:
                    found.add(fd.raw_get(key).idnum)
    return len(found)


def main() -> None:
    seeds = [ROOT / "targets" / "binhai-ipa-2026", ROOT / "targets" / "tianjin-ipa-2024"]
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        print(f"machine: {os.cpu_count()} cores; Python {sys.version.split()[0]} ({sys.executable});"
              " figures: ours, baseline, ratio (target)")

        # 1. No-op `make docs` against the cold one, same books, same run.
        out = tmp / "docs"
        cold = wall(build(seeds, out))
        noop = wall(build(seeds, out))
        row("no-op build of the seed books / cold build", noop, cold, "≤ 0.10")

        # 2. Cold build without the system subsetter against the cold build with it.
        library = subset_library()
        if library and os.geteuid() == 0 and shutil.which("unshare"):
            with_lib = wall(build(seeds, tmp / "with"))
            without = wall(hidden(build(seeds, tmp / "without"), library))
            row("cold build, libharfbuzz-subset hidden / present", without, with_lib, "≤ 1.3")
        else:
            print("cold build without the system subsetter: skipped (needs root, unshare and the library)")

        # 3. A generated 100-table book: cold PDF, then one value edited, against LibreOffice.
        book = make_book(tmp / "book100", 100, agencies=4)
        out = tmp / "out100"
        wall(build([book], out, "--no-toc-pages"))
        docx = out / "book100" / "基准测试书.docx"  # a book's files are named after its title
        # On a shared machine one pair says little: PAIRS pairs, alternating which goes first,
        # each pair's ratio, and the medians.
        ratios, colds, los = [], [], []
        for n in range(PAIRS):
            for side in (("pdf", "lo") if n % 2 == 0 else ("lo", "pdf")):
                if side == "pdf":
                    colds.append(wall(build([book], tmp / "pdf-only", "--format", "pdf",
                                            "--no-cache")))
                else:
                    los.append(libreoffice(docx, tmp))
            ratios.append(colds[-1] / los[-1])
            row(f"cold PDF of 100 tables / LibreOffice DOCX→PDF, pair {n + 1}", colds[-1],
                los[-1], "≤ 1.3")
        cold_pdf, lo = statistics.median(colds), statistics.median(los)
        print(f"{'cold PDF of 100 tables / LibreOffice: median of the pairs':<58} "
              f"{cold_pdf:8.2f} s {lo:8.2f} s  ratio {statistics.median(ratios):5.2f}  (≤ 1.3)")
        # The default build (what `make docs` runs) measures the DOCX 目录 with LibreOffice, each
        # table alone and cached: after an edit only the edited table is laid out again.
        default_out = tmp / "default100"
        cold_default = wall(build([book], default_out))
        row("cold default build of 100 tables, every format / LibreOffice", cold_default, lo, "—")
        # The warm path: `tablegen serve` after a save, the page then every other format (in
        # this process and one build, as serve's watcher runs them; it has built the book once
        # already).
        from tablegen.commands.serve import Preview

        warm = Preview([book], tmp / "warm100", port=0)
        warm.saved(every=True)  # and the LibreOffice serve keeps started for every save
        edits: dict[str, list[float]] = {"no-toc": [], "default": [], "serve": []}
        for n in range(EDITS):
            name = f"p{42 + n:04d}.yaml"
            p = book / name
            p.write_text(p.read_text(encoding="utf-8").replace("≥10件", "≥11件", 1), encoding="utf-8")
            edit = wall(build([book], out, "--no-toc-pages"))
            edit_default = wall(build([book], default_out))
            standby = warm.offices._standby
            while standby is not None and not standby.ready():  # as between two saves
                time.sleep(0.05)
            start = time.perf_counter()
            _, made = warm.saved(every=True)
            served = time.perf_counter() - start
            assert sorted(made) == ["docx", "pdf", "xlsx"], made
            base = libreoffice(docx, tmp)  # beside each edit: the machine's load changes
            row(f"one value edited ({name}), --no-toc-pages / LibreOffice", edit, base, "—")
            row(f"one value edited ({name}), default build / LibreOffice", edit_default, base,
                "≤ 0.3")
            row(f"one value edited ({name}), serve: page + every format / LibreOffice", served,
                base, "≤ 0.15")
            for label, took in (("no-toc", edit), ("default", edit_default), ("serve", served)):
                edits[label].append(took / base)
        warm.close()  # and the LibreOffice it keeps started
        for label, target in (("no-toc", "—"), ("default", "≤ 0.3"), ("serve", "≤ 0.15")):
            print(f"{'one value edited, ' + label + ': median of the ratios':<58} "
                  f"{'':>21}ratio {statistics.median(edits[label]):5.2f}  ({target})")

        # 4. Sizes.
        seed_pdf = tmp / "docs" / "tianjin-ipa-2024" / "天津市知识产权局2024年项目支出绩效目标表.pdf"
        singles = sorted((tmp / "docs").rglob("projects/*.pdf"))
        largest = max(singles, key=lambda f: f.stat().st_size)
        print(f"10-table seed book PDF: {seed_pdf.stat().st_size / 1024:.0f} KB (target ≤ 400 KB), "
              f"{font_programs(seed_pdf)} font programs")
        print(f"largest one-table PDF: {largest.stat().st_size / 1024:.0f} KB (target ≤ 150 KB), "
              f"{font_programs(largest)} font programs")
        big = out / "book100" / "基准测试书.pdf"
        print(f"100-table book PDF: {big.stat().st_size / 1024:.0f} KB, {font_programs(big)} font programs")


if __name__ == "__main__":
    main()
