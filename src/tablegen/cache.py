"""A build cache keyed by content: expensive products stored under the hash of what makes them.

A key hashes exactly what determines a product (the book as the model holds it, the templates,
the font files, the versions of tablegen and its libraries, the options), never file times. Each
entry carries the SHA-256 of its bytes; an entry that fails the check is ignored and rebuilt.
Every run records the keys it used, per book and format; entries no run refers to are pruned.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path

from . import DISTRIBUTION
from .templates import inside

log = logging.getLogger("tablegen")
FOLDER = ".cache"  # inside the output folder, so `make clean` (rm -rf build) clears it
_DIGEST = 32


def digest(*parts: bytes | str) -> str:
    """SHA-256 over the parts, each length-prefixed so that no two part lists collide."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


@cache
def versions() -> str:
    """tablegen's version and the versions of the libraries that shape its output."""
    out = []
    libraries = "weasyprint pydyf pypdf uharfbuzz docxtpl python-docx openpyxl jinja2".split()
    for name in [DISTRIBUTION, *libraries]:
        try:
            out.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name}=-")
    return ";".join(out)


def folder_digest(folders: Iterable[Path]) -> str:
    """The contents of every file under the folders, by relative path."""
    parts: list[bytes | str] = []
    for root in folders:
        # A file linked out of its folder is never read (templates.inside); its name still counts.
        for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
            if not inside(path, Path(root)):
                parts += [str(path.relative_to(root)), "outside"]
                continue
            parts += [str(path.relative_to(root)), path.read_bytes()]
    return digest(*parts)


@cache
def file_digest(path: str) -> str:
    """The SHA-256 of one file's bytes (once per process)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class Cache:
    """Entries under `<root>/<kind>/<key>`; `root=None` is a cache that holds nothing."""

    def __init__(self, root: Path | None):
        self.root = root
        self.used: dict[str, set[str]] = {}  # manifest name → entry paths used this run
        self.scope = "-"
        # New entries wait in memory until the build succeeds: a failed build writes nothing.
        self.pending: dict[tuple[str, str], bytes] = {}

    def _path(self, kind: str, key: str) -> Path:
        assert self.root is not None
        return self.root / kind / key[:2] / key

    def _use(self, kind: str, key: str) -> None:
        self.used.setdefault(self.scope, set()).add(f"{kind}/{key[:2]}/{key}")

    def get(self, kind: str, key: str) -> bytes | None:
        """The entry's bytes, or None when missing or corrupt (a corrupt entry is removed)."""
        if self.root is None:
            return None
        if (kind, key) in self.pending:
            self._use(kind, key)
            return self.pending[(kind, key)]
        path = self._path(kind, key)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        body = raw[_DIGEST:]
        if len(raw) < _DIGEST or hashlib.sha256(body).digest() != raw[:_DIGEST]:
            log.warning("缓存条目损坏，已忽略并重建：%s", path)
            path.unlink(missing_ok=True)
            return None
        self._use(kind, key)
        return body

    def put(self, kind: str, key: str, data: bytes) -> None:
        """Keep an entry, to be stored when the build has succeeded (`finish`)."""
        if self.root is None:
            return
        self._use(kind, key)
        self.pending[(kind, key)] = data

    def _store(self, kind: str, key: str, data: bytes) -> None:
        """Store an entry atomically (a reader sees the whole entry or none)."""
        path = self._path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".entry.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(hashlib.sha256(data).digest() + data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get_json(self, kind: str, key: str) -> object | None:
        data = self.get(kind, key)
        if data is None:
            return None
        try:
            return json.loads(data)
        except ValueError:
            return None

    def put_json(self, kind: str, key: str, value: object) -> None:
        self.put(kind, key, json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8"))

    def keep_previous(self) -> None:
        """Keep, for the current scope, the entries its last recorded run used."""
        if self.root is None:
            return
        try:
            old = (self.root / "manifests" / digest(self.scope)).read_text(encoding="utf-8")
        except OSError:
            return
        self.used.setdefault(self.scope, set()).update(old.split())

    def finish(self) -> int:
        """Store the new entries, record this run's manifests and prune the entries no manifest
        refers to; how many went."""
        if self.root is None:
            return 0
        for (kind_name, key), blob in sorted(self.pending.items()):
            self._store(kind_name, key, blob)
        self.pending.clear()
        if not self.root.is_dir():
            return 0
        manifests = self.root / "manifests"
        manifests.mkdir(exist_ok=True)
        for scope, used in self.used.items():
            data = "\n".join(sorted(used)) + "\n"
            target = manifests / digest(scope)
            if not target.is_file() or target.read_text(encoding="utf-8") != data:
                target.write_text(data, encoding="utf-8")
        keep: set[str] = set()
        for m in manifests.iterdir():
            keep.update(m.read_text(encoding="utf-8").split())
        pruned = 0
        for kind in self.root.iterdir():
            if kind.name == "manifests" or not kind.is_dir():
                continue
            for entry in kind.glob("*/*"):
                rel = entry.relative_to(self.root).as_posix()
                if rel not in keep:
                    entry.unlink(missing_ok=True)
                    pruned += 1
        return pruned
