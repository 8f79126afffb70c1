"""`tablegen init`: a new agency repository that holds data only; tablegen is its pinned tool.

The tool is the running tablegen's own wheel, carried in the repository (`tools/`) and pinned by
its SHA-256 (`tools/SHA256SUMS`): our distribution is on no package index, so the repository's
`make` and CI install it from there, and its dependencies from the public index.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import UsageError, display_path
from ..writer import write_all
from .own_wheel import own_wheel

SKELETON = Path(__file__).resolve().parent.parent / "repo_template"
# Files shipped without their leading dot (package data leaves dot-files out); renamed on the way.
DOTTED = {"gitignore": ".gitignore", "pre-commit-config.yaml": ".pre-commit-config.yaml",
          "github": ".github"}


def skeleton() -> dict[str, bytes]:
    """The new repository's files (relative path → bytes), this tablegen's wheel among them."""
    files = {}
    for path in sorted(SKELETON.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            parts = list(path.relative_to(SKELETON).parts)
            parts[0] = DOTTED.get(parts[0], parts[0])
            files["/".join(parts)] = path.read_bytes()
    name, wheel = own_wheel()
    files[f"tools/{name}"] = wheel
    files["tools/SHA256SUMS"] = f"{hashlib.sha256(wheel).hexdigest()}  {name}\n".encode()
    return files


def init_repo(folder: Path) -> list[Path]:
    """Write a new agency repository into the folder; refuse if any of its files exists."""
    files = skeleton()
    taken = sorted(rel for rel in files if (folder / rel).exists() or (folder / rel).is_symlink())
    if taken:
        raise UsageError(f"{display_path(folder)} 中已有这些文件，未写入任何文件：{'、'.join(taken)}")
    return write_all(folder, files, quiet=True)
