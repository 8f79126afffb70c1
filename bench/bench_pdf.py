"""PDF speed and memory: tablegen against the obvious WeasyPrint route and LibreOffice.

The obvious route is one jinja2 HTML document holding every table, handed to WeasyPrint in one
process. Run: `.venv/bin/python bench/bench_pdf.py` (about two minutes on 2 cores);
`.venv/bin/python bench/bench_pdf.py cold` prints only the cold build against LibreOffice.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jinja2
from common import make_book, timed

from tablegen.build import documents
from tablegen.document import Document
from tablegen.load.books import load_book_strict
from tablegen.model.book import Book
from tablegen.render.context import RenderContext
from tablegen.templates import chain_for

ROOT = Path(__file__).resolve().parents[1]
OBVIOUS = jinja2.Template("""<!DOCTYPE html><html><head><meta charset="utf-8"><style>
@page { size: A4; margin: 37mm 26mm 35mm 28mm; @bottom-center { content: counter(page) } }
body { font-family: "Noto Serif CJK SC", serif; font-size: 10.5pt }
table { border-collapse: collapse; width: 100% } td, th { border: 1px solid #000 }
section { break-before: page }
</style></head><body>
<h1>{{ doc.title }}</h1>
{% for g in doc.groups %}{% for t in g.tables %}<section><h2>{{ t.heading }}</h2>
<table><tr><td>{{ t.agency }}</td><td>{{ t.unit }}</td></tr></table>
<table>{% for row in t.head %}<tr>{% for c in row if c.rows %}
<td colspan="{{ c.span }}" rowspan="{{ c.rows }}">{{ c.text }}</td>{% endfor %}</tr>{% endfor %}</table>
<table><thead><tr>{% for c in t.columns %}<th>{{ c.label }}</th>{% endfor %}</tr></thead>
{% for r in t.rows %}<tr>
{% if r.level1.starts %}<td rowspan="{{ r.level1.rows }}">{{ r.level1.text }}</td>{% endif %}
{% if r.level2.starts %}<td rowspan="{{ r.level2.rows }}">{{ r.level2.text }}</td>{% endif %}
{% for text in r.texts()[2:] %}<td>{{ text }}</td>{% endfor %}</tr>{% endfor %}
</table></section>{% endfor %}{% endfor %}</body></html>""", autoescape=True)


def targets(book: Book) -> Document:
    """The book's 项目支出绩效目标表 document (what the generated books hold)."""
    return next(doc for doc in documents(book) if doc.kind == "targets")


def obvious(book: Book) -> bytes:
    from weasyprint import HTML

    return HTML(string=OBVIOUS.render(doc=targets(book))).write_pdf()


def ours(book: Book) -> bytes:
    """The book PDF as `tablegen build` makes it, without the cache (the one-table PDFs too)."""
    from tablegen.render import pdf

    doc = targets(book)
    return pdf.render(doc, RenderContext(chain_for(book.root)))[doc.files["pdf"]]


def libreoffice(book: Book, tmp: Path) -> float:
    from tablegen.render import docx
    from tablegen.render.toc_pages import to_pdf

    doc = targets(book)
    path = tmp / f"{book.key}.docx"
    path.write_bytes(docx.render(doc, RenderContext(chain_for(book.root)))[doc.files["docx"]])
    start = time.perf_counter()
    to_pdf([path], tmp)
    return time.perf_counter() - start


def cli_wall(path: Path, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tablegen", "build", str(path), "--format", "pdf",
                    "--out", str(out), "-q", "--no-cache"], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def cold_against_libreoffice(tmp: Path, n: int = 100, rounds: int = 3) -> None:
    """A cold `tablegen build --format pdf --no-cache` of a generated n-table book beside
    LibreOffice's DOCX→PDF of the same book, alternated, each round on its own line, then the
    best of each and their ratio. LibreOffice keeps one profile, made before the first round
    (as a user's installed LibreOffice has one), so its time is the conversion's alone."""
    from tablegen.render.toc_pages import soffice

    book = make_book(tmp / f"cold{n}", n, agencies=4)
    subprocess.run([sys.executable, "-m", "tablegen", "build", str(book), "--format", "docx",
                    "--no-toc-pages", "--no-cache", "-q", "--out", str(tmp / "docx")],
                   check=True, capture_output=True, cwd=ROOT)
    docx = tmp / "docx" / book.name / "基准测试书.docx"  # a book's files are named after its title
    program = soffice()
    if program is None:
        print(f"cold PDF of {n} tables: LibreOffice is not installed, no baseline")
        return
    profile = tmp / "lo-profile"
    convert = [program, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(tmp / "lo"), str(docx)]
    subprocess.run(convert, check=True, capture_output=True)  # makes the profile

    def lo() -> float:
        start = time.perf_counter()
        subprocess.run(convert, check=True, capture_output=True)
        return time.perf_counter() - start

    ours_s: list[float] = []
    lo_s: list[float] = []
    for r in range(rounds):
        ours_s.append(cli_wall(book, tmp / f"cold-out{r}"))
        lo_s.append(lo())
        print(f"  round {r + 1}: tablegen {ours_s[-1]:6.2f} s, LibreOffice {lo_s[-1]:6.2f} s, "
              f"ratio {ours_s[-1] / lo_s[-1]:4.2f}")
    print(f"cold PDF of {n} tables (--no-cache, 4 agencies), best of {rounds}: tablegen "
          f"{min(ours_s):6.2f} s, LibreOffice DOCX→PDF {min(lo_s):6.2f} s, ratio "
          f"{min(ours_s) / min(lo_s):4.2f} (target ≤ 1.3)")


def peak_memory(path: Path) -> tuple[float, float]:
    """Peak RSS (MB) of the whole process tree (main and layout workers together), sampled
    every 50 ms from /proc, and the main process's own peak."""
    code = f"""
import resource, sys
sys.path.insert(0, {str(ROOT / 'bench')!r})
from bench_pdf import ours
from tablegen.load.books import load_book_strict
from pathlib import Path
ours(load_book_strict(Path({str(path)!r})))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.05)
    out = proc.stdout.read() if proc.stdout else "0"
    return peak, float(out.split()[-1])


def tree_rss(pid: int) -> float:
    """Resident memory (MB) of a process and all its descendants, each page once: the sum of
    their proportional set sizes (a page shared by n processes counts 1/n in each; the forked
    layout workers share most of the build's memory, which a sum of their RSS counts once per
    process). Where the kernel gives no `smaps_rollup`, the RSS."""
    return sum(_memory(p) for p in _tree(pid)) / 1024


def tree_rss_sum(pid: int) -> float:
    """The sum of the processes' RSS (MB), shared pages counted in each process."""
    return sum(_memory(p, "VmRSS", "status") for p in _tree(pid)) / 1024


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children", encoding="ascii") as f:
                todo += [int(c) for c in f.read().split()]
        except OSError:
            continue
    return out


def _memory(pid: int, field: str = "Pss", file: str = "smaps_rollup") -> int:
    """A process's `field` in kB from /proc/<pid>/<file> (0 when it has ended)."""
    try:
        with open(f"/proc/{pid}/{file}", encoding="ascii") as f:
            return next(int(line.split()[1]) for line in f if line.startswith(f"{field}:"))
    except (OSError, StopIteration):
        return 0 if file == "status" else _memory(pid, "VmRSS", "status")


def main() -> None:
    import weasyprint  # noqa: F401  (imported once, before timing)

    print(f"machine: {__import__('os').cpu_count()} cores")
    if sys.argv[1:] == ["cold"]:
        with tempfile.TemporaryDirectory() as tmp_name:
            cold_against_libreoffice(Path(tmp_name))
        return
    seed = load_book_strict(ROOT / "targets" / "tianjin-ipa-2024")
    seed_s, _ = timed(lambda: ours(seed), repeat=3)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        seed_cli = min(cli_wall(ROOT / "targets" / "tianjin-ipa-2024", tmp / "cli") for _ in range(2))
        print(f"seed book, 10 tables: tablegen {seed_s:5.2f} s in process; "
              f"`tablegen build --format pdf` {seed_cli:5.2f} s wall with the per-table PDFs "
              f"(target ≤ 2 s)")
        for n in (10, 100):
            book = load_book_strict(make_book(tmp / f"b{n}", n, agencies=2))
            obvious_s, _ = timed(lambda b=book: obvious(b))
            ours_s, _ = timed(lambda b=book: ours(b))
            line = (f"{n:4d} tables: obvious route {obvious_s:6.2f} s, tablegen {ours_s:6.2f} s, "
                    f"ratio {ours_s / obvious_s:4.2f}")
            if n == 100:
                lo = libreoffice(book, tmp)
                line += (f"; LibreOffice DOCX→PDF {lo:6.2f} s, tablegen/LibreOffice "
                         f"{ours_s / lo:4.2f} (target < 0.5)")
            print(line)
        cold_against_libreoffice(tmp)
        big = make_book(tmp / "b1000", 1000, agencies=4)
        start = time.perf_counter()
        tree_mb, main_mb = peak_memory(big)
        print(f"1000 tables: {time.perf_counter() - start:6.1f} s, peak RSS of the process tree "
              f"{tree_mb:.0f} MB (main process alone {main_mb:.0f} MB; target < 1024 MB)")


if __name__ == "__main__":
    main()
