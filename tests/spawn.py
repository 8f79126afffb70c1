"""Helpers for tests that run tablegen in its own processes (to kill or interrupt them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import SEED_BOOKS
from tablegen.errors import Report
from tablegen.imports import import_files


def import_seed_books(root: Path) -> Path:
    """Both seed books, imported from the seed dumps under tests/ into root/<key>."""
    for key, dump in SEED_BOOKS.items():
        report = Report()
        import_files([dump], root / key, report)
        assert not report.errors
    return root


def tablegen(*args: str, cwd: Path, tmp: Path | None = None) -> subprocess.Popen[bytes]:
    """The CLI in its own process group (TMPDIR pointed at `tmp` when given)."""
    env = dict(os.environ, TMPDIR=str(tmp)) if tmp else None
    return subprocess.Popen([sys.executable, "-m", "tablegen", *args], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
