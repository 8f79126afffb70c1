"""`tablegen init`: a new agency repository that holds data only; tablegen is its pinned tool."""

from __future__ import annotations

from pathlib import Path

from .. import __version__
from ..errors import UsageError, display_path
from ..writer import write_all

SKELETON = Path(__file__).resolve().parent.parent / "repo_template"
# Files shipped without their leading dot (package data leaves dot-files out); renamed on the way.
DOTTED = {"gitignore": ".gitignore", "pre-commit-config.yaml": ".pre-commit-config.yaml",
          "github": ".github"}


def skeleton() -> dict[str, bytes]:
    """The new repository's files (relative path → bytes), the Makefile pinned to this version."""
    files = {}
    for path in sorted(SKELETON.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            parts = list(path.relative_to(SKELETON).parts)
            parts[0] = DOTTED.get(parts[0], parts[0])
            data = path.read_bytes()
            if parts == ["Makefile"]:
                data = data.replace(b"@VERSION@", __version__.encode())
            files["/".join(parts)] = data
    return files


def init_repo(folder: Path) -> list[Path]:
    """Write a new agency repository into the folder; refuse if any of its files exists."""
    files = skeleton()
    taken = sorted(rel for rel in files if (folder / rel).exists() or (folder / rel).is_symlink())
    if taken:
        raise UsageError(f"{display_path(folder)} 中已有这些文件，未写入任何文件：{'、'.join(taken)}")
    return write_all(folder, files, quiet=True)
