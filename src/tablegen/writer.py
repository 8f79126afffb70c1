"""The only code that writes files: atomic files, staged output folders, nothing outside them.

Source files (YAML) are replaced one at a time: a temporary file beside the target, then a rename.
Build outputs are published a book at a time: every file of a book is written into a staging
folder next to it, which is then switched in place of the book's folder with one rename (an
atomic exchange where the system has one). A build killed at any moment leaves each output the
complete old file or the complete new one; the next build removes what the killed one staged.
A lock on the output folder makes a second build into it wait for the first.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath

from .errors import TablegenError, display_path, os_reason

log = logging.getLogger("tablegen")
STAGE = ".tablegen-stage"  # inside the output folder; only the build holding the lock uses it
_REASONS = {
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "超出磁盘配额",
    errno.EROFS: "文件系统是只读的",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.ENOTDIR: "路径中有一项不是文件夹",
    errno.EEXIST: "已有同名的文件",
    errno.EISDIR: "已有同名的文件夹",
    errno.ENAMETOOLONG: "文件名过长",
}


class WriteError(TablegenError):
    """A file could not be written (full disk, read-only folder, …); what was there is intact."""


def write_error(path: Path, exc: OSError, kept: str) -> WriteError:
    """A clear message naming the path and the reason, saying what was left as it was."""
    reason = _REASONS.get(exc.errno or 0) or os_reason(exc)
    return WriteError(f"无法写入 {path}：{reason}。{kept}")


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes so that readers see the old file or the new one, never half of it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_orphans(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.{os.getpid()}.", suffix=".tmp",
                                   dir=path.parent)
    except OSError as exc:
        raise write_error(path, exc, "原文件保持不变。") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise write_error(path, exc, "原文件保持不变。") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remove_orphans(path: Path) -> None:
    """Temporary files beside `path` left by a process killed while it wrote them."""
    for entry in path.parent.iterdir():
        match = _ORPHAN.fullmatch(entry.name)
        if match and not alive(int(match.group(1))):
            entry.unlink(missing_ok=True)


_ORPHAN = re.compile(r"\..+\.(\d+)\.[^.]+\.tmp")


def alive(pid: int) -> bool:
    """Whether a process with this id runs (a temporary file's owner, say)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    try:  # a zombie (killed, not yet reaped by its new parent) has stopped running
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rpartition(")")[2].split()[:1] != ["Z"]
    except OSError:
        return True


def inside(root: Path, rel: str) -> Path:
    """root/rel, refusing a relative path that could lead anywhere else."""
    parts = rel.split("/")
    if "\\" in rel or "\0" in rel or any(p in ("", ".", "..") for p in parts) or parts[0] == STAGE:
        raise WriteError(f"拒绝写入输出文件夹 {root} 之外（或保留的）路径：{rel!r}")
    return root.joinpath(*parts)


def write_all(root: Path, files: Mapping[str, bytes], *, quiet: bool = False) -> list[Path]:
    """Write every file (relative path → bytes) under root, in sorted order; log each."""
    targets = {rel: inside(root, rel) for rel in files}
    written = []
    for rel in sorted(files):
        write_atomic(targets[rel], files[rel])
        written.append(targets[rel])
        if not quiet:
            log.info("写入 %s", display_path(targets[rel]))
    return written


def check_output(out: Path) -> None:
    """Refuse at once an output folder that cannot be written, before a long render."""
    out = Path(os.path.abspath(out))
    if out.exists() and not out.is_dir():
        raise WriteError(f"无法写入 {out}：它不是文件夹。之前的输出保持不变。")
    folder = out
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        why = "路径中有一项不是文件夹" if not folder.is_dir() else "没有写入权限（或文件系统是只读的）"
        raise WriteError(f"无法写入 {out}：{why}。之前的输出保持不变。")


def publish(out: Path, files: Mapping[str, bytes], folders: Iterable[str] = (), *,
            quiet: bool = False, late: Callable[[], Mapping[str, bytes]] | None = None) -> list[Path]:
    """Write build outputs under `out`: each of `folders` (a book's) switched in whole, in one
    step; every other file replaced on its own, atomically.

    A book's folder keeps the files this build does not make unless they have the suffix of a
    file it makes (a removed project's PDF goes; the DOCX of a format not built stays). `late`
    makes more files while the output folder is locked (the overview, which reads the folder).
    """
    out = Path(os.path.abspath(out))
    kept = "之前的输出保持不变。"
    if out.exists() and not out.is_dir():
        raise WriteError(f"无法写入 {out}：它不是文件夹。{kept}")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(out, exc, kept) from exc
    with _locked(out):
        stage = out / STAGE
        _heal(out, stage)
        files = dict(files)
        if late is not None:
            files.update(late())
        books = set(folders)
        groups: dict[str, dict[str, bytes]] = {book: {} for book in books}
        loose: dict[str, bytes] = {}
        for rel, data in files.items():
            inside(out, rel)
            top, _, rest = rel.partition("/")
            if top in books and rest:
                groups[top][rest] = data
            elif top in books or any(book.startswith(f"{rel}/") for book in books):
                raise WriteError(f"无法写入 {out / rel}：同一个名字既是文件又是文件夹。{kept}")
            else:
                loose[rel] = data
        try:
            same = _stage(out, stage, groups, loose)
        except OSError as exc:
            shutil.rmtree(stage, ignore_errors=True)
            raise write_error(_shown(out, stage, exc.filename), exc, kept) from exc
        except BaseException:  # Ctrl-C while staging: nothing switched in, nothing left
            shutil.rmtree(stage, ignore_errors=True)
            raise
        try:
            _switch(out, stage, groups, loose)
        except OSError as exc:
            raise write_error(_shown(out, stage, exc.filename), exc,
                              "每本书的文件或全为旧版、或全为新版；再次生成即可。") from exc
        shutil.rmtree(stage, ignore_errors=True)
    written = sorted(inside(out, rel) for rel in files if rel not in same)
    if not quiet:
        for path in written:
            log.info("写入 %s", path)
    return written


def _shown(out: Path, stage: Path, filename: str | None) -> Path:
    """The output a failed staging write was for (stage/new/<book>/x → out/<book>/x)."""
    if not filename:
        return out
    path = Path(filename)
    for folder in (stage / "new", stage / "loose", stage):
        if path.is_relative_to(folder):
            return out / path.relative_to(folder)
    return path


def _stage(out: Path, stage: Path, groups: dict[str, dict[str, bytes]],
           loose: dict[str, bytes]) -> set[str]:
    """Every new file under stage/new/<book>/ (beside what the book keeps) or stage/loose/;
    the paths (relative to `out`) whose old file already held the bytes and was linked in."""
    stage.mkdir()
    same: set[str] = set()
    for book, group in sorted(groups.items()):
        folder = stage / "new" / book
        folder.mkdir(parents=True)
        old = out / book
        if old.is_dir() and not old.is_symlink():
            _carry_over(old, folder, group)
            kept = _link_unchanged(old, folder, group)
            same.update(f"{book}/{rel}" for rel in kept)
            group = {rel: data for rel, data in group.items() if rel not in kept}
        _write_tree(folder, group)
    _write_tree(stage / "loose", loose)
    return same


def _link_unchanged(old: Path, new: Path, group: dict[str, bytes]) -> set[str]:
    """Link into the new folder each old file that already holds its new bytes, so a book
    switched in for one changed table keeps the other files as they were (mtimes too)."""
    linked = set()
    for rel, data in group.items():
        path = old / rel
        try:
            if path.is_symlink() or path.stat().st_size != len(data) or path.read_bytes() != data:
                continue
            target = new / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)
        except OSError:
            continue  # written anew instead
        linked.add(rel)
    return linked


def _write_tree(folder: Path, files: dict[str, bytes]) -> None:
    for rel, data in sorted(files.items()):
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            exc.filename = exc.filename or str(path)  # a failed write() names no file
            raise


def _carry_over(old: Path, new: Path, group: dict[str, bytes]) -> None:
    """Link into the new folder the old files this build neither makes nor supersedes."""
    made = {PurePosixPath(rel).suffix for rel in group}
    for path in sorted(old.rglob("*")):
        rel = path.relative_to(old).as_posix()
        if not path.is_file() or path.is_symlink() or rel in group or path.suffix in made:
            continue
        target = new / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)


def _switch(out: Path, stage: Path, groups: dict[str, dict[str, bytes]],
            loose: dict[str, bytes]) -> None:
    """Put each staged book folder in place of the old one, then each other file."""
    for book in sorted(groups):
        new, target = stage / "new" / book, out / book
        if target.is_dir() and not target.is_symlink():
            if not _exchange(new, target):
                # No atomic exchange here: the old folder steps aside for a moment; a build
                # killed in between leaves it in stage/old, and the next build puts it back.
                (stage / "old").mkdir(exist_ok=True)
                os.rename(target, stage / "old" / book)
                os.rename(new, target)
        else:
            if target.is_symlink() or target.exists():
                target.unlink()
            os.rename(new, target)
    for rel in sorted(loose):
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(stage / "loose" / rel, target)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    rename = getattr(_libc(), "renameat2", None) if os.name == "posix" else None
    if rename is None:
        return False
    at_fdcwd, exchange = -100, 2
    if rename(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover
        return None


def _heal(out: Path, stage: Path) -> None:
    """Undo what a killed build left: put back folders it had moved aside, drop its staging."""
    if not stage.exists():
        return
    old = stage / "old"
    if old.is_dir():
        for folder in old.iterdir():
            if not (out / folder.name).exists():
                os.rename(folder, out / folder.name)
    shutil.rmtree(stage, ignore_errors=True)


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold the output folder's lock; a second build waits for the first to finish writing."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        yield
        return
    fd = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("另一个 tablegen 正在写入 %s，等待它完成…", out)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
