"""A build cache keyed by content: expensive products stored under the hash of what makes them.

A key hashes exactly what determines a product (the book as the model holds it, the templates,
the font files, tablegen's own code and the versions of its libraries, the options), never file
times or tablegen's version string. Each entry carries the SHA-256 of its bytes; an entry that
fails the check is ignored and rebuilt. Every run records the keys it used, per book and format;
entries no run refers to are pruned.

The cache deletes only what it stored itself: it lives in a folder of its own name
(`<out>/.tablegen-cache/`) that it marks when it creates it, it never uses a folder without that
mark or one reached through a link, and its prune removes only regular files named like its own
entries (`<kind>/<2 hex>/<64 hex>` of a kind it knows). Any defect of the cache (junk, a damaged
manifest, a file where a folder belongs) is logged and worked around, never fatal.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
import tempfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from .templates import inside
from .writer import alive

log = logging.getLogger("tablegen")
FOLDER = ".tablegen-cache"  # inside the output folder, so `make clean` (rm -rf build) clears it
# The mark of a folder this cache made (the Cache Directory Tagging format, so that backup tools
# skip it), with a line of our own: a folder without it is never written to or pruned.
MARK = "CACHEDIR.TAG"
MARK_TEXT = ("Signature: 8a477f597d28d172789f06886806bc55\n"
             "# This file marks the build cache of tablegen (https://bford.info/cachedir/).\n"
             "# tablegen-cache 1\n")
# Every kind of entry this cache stores; the prune looks at nothing else.
KINDS = frozenset({"output", "laid", "table", "toc", "project-pdf", "project-docx", "font",
                   "docx-block", "jinja", "html-fragment", "sheet", "inputs", "checked",
                   "docx-skeleton", "xlsx-workbook", "review", "office-profile"})
MANIFESTS = "manifests"
_DIGEST = 32
_HEX = re.compile(r"[0-9a-f]{64}")


def digest(*parts: bytes | str) -> str:
    """SHA-256 over the parts, each length-prefixed so that no two part lists collide. A text
    is hashed as UTF-8, a lone surrogate in it (a file name that is not UTF-8) as its code
    point would be, which no valid text has."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


PACKAGE = Path(__file__).resolve().parent


@cache
def code_digest(root: Path = PACKAGE) -> str:
    """What tablegen's code is: a digest of every file of the package (modules, data, default
    templates), so that an editable install or an install from a commit never serves output
    made by other code under the same version string."""
    parts: list[bytes | str] = []
    for path in sorted(root.rglob("*")):
        if "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo") or not path.is_file():
            continue
        parts += [path.relative_to(root).as_posix(), path.read_bytes()]
    return digest(*parts)


@cache
def versions() -> str:
    """tablegen's code and the versions of the libraries that shape its output."""
    from importlib import metadata  # a thirtieth of a second: loaded when first asked

    out = [f"tablegen-code={code_digest()}"]
    for name in "weasyprint pydyf pikepdf pypdf uharfbuzz docxtpl python-docx openpyxl jinja2".split():
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


def _is_real_dir(path: Path) -> bool:
    """A folder that is not a link (nor reached as one)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def open_folder(root: Path) -> Path | None:
    """The cache folder when tablegen may use it (one that is not there yet is made and marked
    when the build has succeeded, by `Cache.finish`); None, with a warning, for a folder it did
    not make or a link."""
    if not os.path.lexists(root):
        return root
    if not _is_real_dir(root) or not _is_real_dir(root.parent):
        log.warning("%s 不是普通文件夹（是文件或链接）：本次不使用构建缓存，也不改动它", root)
        return None
    try:
        marked = _regular(root / MARK) and (root / MARK).read_text(
            encoding="utf-8", errors="replace").endswith(MARK_TEXT.splitlines()[-1] + "\n")
    except OSError:
        marked = False
    if not marked:
        log.warning("%s 不是 tablegen 建立的构建缓存文件夹（缺少标记文件 %s）："
                    "本次不使用缓存，也不改动其中任何文件", root, MARK)
        return None
    return root


def _checked(raw: bytes) -> bytes | None:
    """A stored entry's bytes when they match the SHA-256 stored before them; None else."""
    body = raw[_DIGEST:]
    if len(raw) < _DIGEST or hashlib.sha256(body).digest() != raw[:_DIGEST]:
        return None
    return body


class Cache:
    """Entries under `<root>/<kind>/<key[:2]>/<key>`; `root=None` is a cache that holds nothing."""

    def __init__(self, root: Path | None):
        self.root = open_folder(root) if root is not None else None
        self.used: dict[str, set[str]] = {}  # manifest name → entry paths used this run
        self.scope = "-"
        # New entries wait in memory until the build succeeds: a failed build writes nothing.
        self.pending: dict[tuple[str, str], bytes] = {}

    @staticmethod
    def holds(root: Path, kind: str, key: str) -> bool:
        """Whether the cache in `root`, if there is one, has this entry (neither made nor read)."""
        return (kind in KINDS and bool(_HEX.fullmatch(key)) and _regular(root / MARK)
                and _regular(root / kind / key[:2] / key))

    @staticmethod
    def peek(root: Path, kind: str, key: str) -> bytes | None:
        """An entry of the cache in `root` read before a build opens it (neither marked used
        nor removed when damaged: the build's own `get` does that); None when there is
        none, it is damaged, or the folder is not one the cache made."""
        if not Cache.holds(root, kind, key) or not _is_real_dir(root):
            return None
        try:
            return _checked((root / kind / key[:2] / key).read_bytes())
        except OSError:
            return None

    def _path(self, kind: str, key: str) -> Path:
        assert self.root is not None and kind in KINDS and _HEX.fullmatch(key), (kind, key)
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
        if kind not in KINDS or not isinstance(key, str) or not _HEX.fullmatch(key):
            return None
        path = self._path(kind, key)
        if not _regular(path):
            return None
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        body = _checked(raw)
        if body is None:
            log.warning("缓存条目损坏，已忽略并重建：%s", path)
            _unlink(path)
            return None
        self._use(kind, key)
        return body

    def put(self, kind: str, key: str, data: bytes) -> None:
        """Keep an entry, to be stored when the build has succeeded (`finish`)."""
        if self.root is None:
            return
        self._path(kind, key)  # a kind or key of the wrong shape is a defect of the caller
        self._use(kind, key)
        self.pending[(kind, key)] = data

    def _store(self, kind: str, key: str, data: bytes) -> None:
        """Store an entry atomically (a reader sees the whole entry or none); a place that
        cannot hold it (junk where a folder belongs) is skipped."""
        path = self._path(kind, key)
        try:
            for folder in (path.parent.parent, path.parent):
                if not os.path.lexists(folder):
                    folder.mkdir()
                elif not _is_real_dir(folder):
                    raise NotADirectoryError(str(folder))
            if os.path.lexists(path) and not _regular(path):
                raise IsADirectoryError(str(path))
            fd, tmp = tempfile.mkstemp(prefix=f".entry.{os.getpid()}.", dir=path.parent)
        except OSError as exc:
            log.debug("缓存条目无法保存（%s）：%s", exc, path)
            return
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(hashlib.sha256(data).digest() + data)
            os.replace(tmp, path)
        except OSError as exc:
            log.debug("缓存条目无法保存（%s）：%s", exc, path)
            _unlink(Path(tmp))
        except BaseException:
            _unlink(Path(tmp))
            raise

    def get_json(self, kind: str, key: str) -> object | None:
        data = self.get(kind, key)
        if data is None:
            return None
        try:
            value: object = json.loads(data)
        except ValueError:
            return None
        return value

    def put_json(self, kind: str, key: str, value: object) -> None:
        self.put(kind, key, json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8"))

    def _manifest(self, path: Path) -> set[str]:
        """The entries a manifest names (only names shaped like entries); empty when unreadable."""
        if not _regular(path):
            return set()
        try:
            words = path.read_bytes().decode("utf-8").split()
        except (OSError, UnicodeDecodeError):
            return set()
        return {w for w in words if _entry_name(w)}

    def keep_previous(self) -> None:
        """Keep, for the current scope, the entries its last recorded run used."""
        if self.root is None:
            return
        old = self._manifest(self.root / MANIFESTS / digest(self.scope))
        self.used.setdefault(self.scope, set()).update(old)

    def finish(self) -> int:
        """Store the new entries, record this run's manifests and prune the entries no manifest
        refers to; how many went. Never fatal: a cache that cannot be kept is just not kept."""
        if self.root is None:
            return 0
        try:
            return self._finish(self.root)
        except OSError as exc:
            log.debug("构建缓存无法更新（%s）", exc)
            return 0

    def _finish(self, root: Path) -> int:
        if not os.path.lexists(root):
            if not self.pending:
                return 0
            root.mkdir(parents=True)
            (root / MARK).write_text(MARK_TEXT, encoding="utf-8")
        for (kind_name, key), blob in sorted(self.pending.items()):
            self._store(kind_name, key, blob)
        self.pending.clear()
        if not _is_real_dir(root):
            return 0
        manifests = root / MANIFESTS
        if not os.path.lexists(manifests):
            manifests.mkdir()
        if not _is_real_dir(manifests):
            return 0
        for scope, used in self.used.items():
            data = "\n".join(sorted(used)) + "\n"
            target = manifests / digest(scope)
            if os.path.lexists(target) and not _regular(target):
                continue
            try:
                if not target.is_file() or target.read_bytes() != data.encode("utf-8"):
                    target.write_text(data, encoding="utf-8")
            except OSError as exc:
                log.debug("缓存清单无法保存（%s）：%s", exc, target)
        keep: set[str] = set()
        with os.scandir(manifests) as found:
            for m in found:
                if _HEX.fullmatch(m.name):
                    keep |= self._manifest(Path(m.path))
        return _prune(root, keep)


def _entry_name(rel: str) -> bool:
    """Whether a relative path is shaped like one of this cache's entries."""
    kind, _, rest = rel.partition("/")
    prefix, _, key = rest.partition("/")
    return kind in KINDS and _HEX.fullmatch(key) is not None and prefix == key[:2]


def _prune(root: Path, keep: set[str]) -> int:
    """Remove the regular files named like entries that no manifest keeps; nothing else, and
    never through a link (os.scandir does not follow them)."""
    pruned = 0
    for kind in sorted(KINDS):
        folder = root / kind
        if not _is_real_dir(folder):
            continue
        with os.scandir(folder) as prefixes:
            for prefix in prefixes:
                if not (prefix.is_dir(follow_symlinks=False) and re.fullmatch(r"[0-9a-f]{2}",
                                                                            prefix.name)):
                    continue
                with os.scandir(prefix.path) as entries:
                    for entry in entries:
                        rel = f"{kind}/{prefix.name}/{entry.name}"
                        if (entry.is_file(follow_symlinks=False) and _entry_name(rel)
                                and rel not in keep):
                            _unlink(Path(entry.path))
                            pruned += 1
                        elif entry.is_file(follow_symlinks=False) and _orphan(entry.name):
                            _unlink(Path(entry.path))  # left by a run killed while storing
    return pruned


def _orphan(name: str) -> bool:
    """A temporary entry file (`.entry.<pid>.…`) whose process no longer runs."""
    m = re.fullmatch(r"\.entry\.(\d+)\..+", name)
    return m is not None and not alive(int(m.group(1)))


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
