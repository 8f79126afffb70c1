"""`tablegen serve`: from saving one value to seeing it in the browser, for the seed books.

The two seed books are imported from tests/seeds/ into a temporary folder, `tablegen serve`
runs on them as a user runs it, and headless Chromium shows each book's page. Each round
changes one 指标值 and waits until the page shows it (the page reloads itself). The baseline,
measured side by side, is what an author did before: `tablegen build <book>` (every format),
then reopen the file. Run: `.venv/bin/python bench/bench_serve.py` (needs chromium).
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the DevTools client the end-to-end test uses

from browser import Chromium, page_text  # noqa: E402

TABLEGEN = [sys.executable, "-m", "tablegen"]
SEEDS = {
    "tianjin-ipa-2024": ROOT / "tests" / "seeds" / "000_365330cedff786a2.txt",
    "binhai-ipa-2026": ROOT / "tests" / "seeds" / "001_97bf46446f87ec4d.txt",
}
ROUNDS = 7
VALUE = re.compile(r"^(\s+value: ).*$", re.MULTILINE)


def first_project(book: Path) -> Path:
    listed = re.search(r"^\s+- (.+\.yaml)\s*$", (book / "book.yaml").read_text(encoding="utf-8"),
                       re.MULTILINE)
    assert listed is not None
    return book / listed.group(1).strip().strip('"')


def start_server(targets: Path, out: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([*TABLEGEN, "serve", str(targets), "--port", "0", "--out", str(out)],
                            stderr=subprocess.PIPE, text=True, cwd=targets.parent)
    assert proc.stderr is not None
    while True:
        line = proc.stderr.readline()
        if not line:
            raise SystemExit("tablegen serve did not start")
        if "预览地址：" in line:
            threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep the pipe drained
            return proc, line.split("预览地址：")[1].split("（")[0]


def save_to_visible(browser: Chromium, url: str, project: Path, key: str) -> list[float]:
    browser.open(url + f"{key}/")
    browser.wait_for(f"{page_text('main')}.length > 0")
    times = []
    for n in range(ROUNDS):
        marker = f"≥{n + 1}基准{key[:2]}"
        text = project.read_text(encoding="utf-8")
        changed = VALUE.sub(lambda m, marker=marker: m.group(1) + marker, text, count=1)
        start = time.perf_counter()
        project.write_text(changed, encoding="utf-8")
        browser.wait_for(f"{page_text('main')}.includes({marker!r})", timeout=30, step=0.005)
        times.append(time.perf_counter() - start)
        time.sleep(0.3)
    return times


def build_wall(book: Path, out: Path, *options: str) -> float:
    start = time.perf_counter()
    subprocess.run([*TABLEGEN, "build", str(book), "--out", str(out), "-q", *options], check=True,
                   cwd=book.parent.parent, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("chromium is not installed (.ci/system-packages installs it)")
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        targets = Path(tmp) / "targets"
        for key, seed in SEEDS.items():
            subprocess.run([*TABLEGEN, "import", str(seed), "--into", str(targets / key)],
                           check=True, capture_output=True)
        proc, url = start_server(targets, Path(tmp) / "build")
        results = {}
        try:
            with Chromium(chromium) as browser:
                for key in SEEDS:
                    results[key] = save_to_visible(browser, url, first_project(targets / key), key)
        finally:
            proc.terminate()
            proc.wait()
        print(f"save → visible in the browser, {ROUNDS} saves per book (median / max):")
        for key, times in results.items():
            full = min(build_wall(targets / key, Path(tmp) / "full") for _ in range(2))
            html = min(build_wall(targets / key, Path(tmp) / "html", "--format", "html")
                       for _ in range(2))
            median = statistics.median(times)
            print(f"  {key}: {median:.2f} s / {max(times):.2f} s (target ≤ 1 s: "
                  f"{'met' if max(times) <= 1 else 'NOT met'})")
            print(f"    baseline `tablegen build {key}` (every format), wall: {full:.2f} s; "
                  f"ratio serve/build {median / full:.2f}")
            print(f"    `tablegen build --format html`, wall (process start included): {html:.2f} s")


if __name__ == "__main__":
    main()
