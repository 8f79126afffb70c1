"""tablegen's own folders in the temp folder: named for their process, removed when done (also on
failure, Ctrl-C and kill), and those of a process killed outright (kill -9, out of memory)
removed by the next run that makes one."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .writer import alive

# fonts: WeasyPrint's copies of @font-face fonts; lo: a LibreOffice profile; toc: the DOCX that
# LibreOffice lays out for the 目录's page numbers, and its PDF; import: the book an import would
# write, checked there before anything is written into the real one.
KINDS = ("fonts", "lo", "toc", "import")
_OWNED = re.compile(rf"tablegen-(?:{'|'.join(KINDS)})-(\d+)-[^/]+")


def make(kind: str) -> Path:
    """A new folder `tablegen-<kind>-<pid>-…`; the caller removes it."""
    assert kind in KINDS
    remove_orphans()
    return Path(tempfile.mkdtemp(prefix=f"tablegen-{kind}-{os.getpid()}-"))


@contextmanager
def folder(kind: str) -> Iterator[Path]:
    """A new folder for the duration of a `with`, removed afterwards whatever happens."""
    path = make(kind)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def remove_orphans() -> None:
    """The folders of processes that no longer run."""
    with os.scandir(tempfile.gettempdir()) as entries:
        for entry in entries:
            match = _OWNED.fullmatch(entry.name)
            if match and not alive(int(match.group(1))):
                shutil.rmtree(entry.path, ignore_errors=True)
