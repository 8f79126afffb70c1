"""`tablegen import`: pick the reader for each source file, then write the book atomically."""

from __future__ import annotations

from pathlib import Path

from .errors import Report, UsageError
from .importer import import_dump_files
from .writer import write_atomic


def import_files(files: list[Path], into: Path, report: Report) -> list[Path]:
    """Import source files into a book folder; nothing is written when anything fails."""
    kinds = {f.suffix.lower() for f in files}
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise UsageError(f"文件不存在：{', '.join(map(str, missing))}")
    if kinds == {".txt"}:
        out = import_dump_files(files, into, report)
    else:
        raise UsageError(f"暂不支持的源文件类型：{', '.join(sorted(kinds))}（支持 .txt 转储）")
    if report.errors:
        return []
    for path in sorted(out):
        write_atomic(path, out[path].encode("utf-8"))
    return sorted(out)
