"""Time linear in the input: `check` and `build --format docx,html,xlsx` of one project of N rows,
and `check` of a project with K 一级 keys, at doubling sizes up to the 1 MiB file cap.

Each line prints the time, the time per row and the ratio to the size before it (≈ 2 when
linear, ≈ 4 when quadratic). The XLSX renderer is also timed with openpyxl's own merge_cells and
style assignment (what it used before), side by side, as the baseline.
Run: `.venv/bin/python bench/bench_linear.py`.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from unittest import mock

from common import timed

from tablegen.build import build, check
from tablegen.render import xlsx as render_xlsx

BOOK = """title: 基准测试书
year: 2024
money_unit: 万元
agencies:
  - code: "610101"
    name: 基准测试单位
    projects:
      - p.yaml
"""
HEAD = "name: 长表\nbudget:\n  total: 10.00\nusage: 测试\ngoals:\n  - 测试\nindicators:\n"


def rows_book(folder: Path, n: int) -> Path:
    """One project of n indicator rows (about 50 bytes each)."""
    folder.mkdir(parents=True)
    (folder / "book.yaml").write_text(BOOK, encoding="utf-8")
    rows = "".join(f"      - name: 指标{i}\n        value: ≥{i}次\n" for i in range(n))
    sat = "  满意度指标:\n    服务对象满意度指标:\n      - name: 满意度\n        value: ≥90%\n"
    (folder / "p.yaml").write_text(HEAD + "  产出指标:\n    数量指标:\n" + rows + sat,
                                   encoding="utf-8")
    return folder


def keys_book(folder: Path, k: int) -> Path:
    """One project of k 一级 keys (each an unknown-level1 finding)."""
    folder.mkdir(parents=True)
    (folder / "book.yaml").write_text(BOOK, encoding="utf-8")
    keys = "".join(f"  一级{i}: ~\n" for i in range(k))
    (folder / "p.yaml").write_text(HEAD + keys, encoding="utf-8")
    return folder


def _naive_merge(ws, ref):  # type: ignore[no-untyped-def]
    ws.merge_cells(ref)


def _naive_style(cell, *parts):  # type: ignore[no-untyped-def]
    for part in parts:
        setattr(cell, {"Font": "font", "Alignment": "alignment", "Border": "border"}[
            type(part).__name__], part)


def series(label: str, sizes: list[int], run) -> None:  # type: ignore[no-untyped-def]
    before = None
    for n in sizes:
        seconds, _ = timed(lambda n=n: run(n))
        ratio = f"{seconds / before:5.2f}×" if before else "     "
        print(f"{label:34} n={n:6d}  {seconds:7.2f} s  {seconds / n * 1e6:7.1f} µs/row  {ratio}")
        before = seconds


def main() -> None:
    top = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    sizes = [top // 8, top // 4, top // 2, top]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)

        def checked(n: int) -> None:
            assert not check([rows_book(root / f"c{n}", n)]).errors

        def built(n: int, fmt: str = "docx,html,xlsx") -> None:
            folder = rows_book(root / f"b{fmt}{n}", n)
            build([folder], root / f"out{fmt}{n}", fmt.split(","), quiet=True)

        def keys(n: int) -> None:
            check([keys_book(root / f"k{n}", n)])

        series("check, N rows", sizes, checked)
        series("build docx,html,xlsx, N rows", sizes, built)
        series("check, N 一级 keys", [4 * s for s in sizes], keys)
        small = [top // 16, top // 8]
        series("xlsx, N rows (tablegen)", small, lambda n: built(n, "xlsx"))
        with mock.patch.object(render_xlsx, "_merge", _naive_merge), \
                mock.patch.object(render_xlsx, "_style", _naive_style):
            series("xlsx, N rows (openpyxl baseline)", small,
                   lambda n: built(n + 1, "xlsx"))


if __name__ == "__main__":
    main()
