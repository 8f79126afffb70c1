"""The only code that writes files: every write is atomic (temporary file, then rename)."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

log = logging.getLogger("tablegen")


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes so that readers see the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_all(root: Path, files: Mapping[str, bytes], *, quiet: bool = False) -> list[Path]:
    """Write every file (relative path → bytes) under root, in sorted order; log each."""
    written = []
    for rel in sorted(files):
        path = root / rel
        write_atomic(path, files[rel])
        written.append(path)
        if not quiet:
            log.info("写入 %s", path)
    return written
