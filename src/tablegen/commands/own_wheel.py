"""tablegen's own wheel, made again from the running installation, for `tablegen init` to carry.

Our distribution is on no package index, and pip keeps no copy of the wheel it installed. The
installed files are the wheel's files, though, and the installation's RECORD lists each with its
hash: the wheel is written again from them, each checked against RECORD first (a file changed
since it was installed stops it). Files the installer added (INSTALLER, REQUESTED,
direct_url.json, compiled `.pyc`, the `tablegen` script) are left out; RECORD is written anew.
From a development checkout (an editable install, whose RECORD lists no package file) the
package folder is read instead. The zip is deterministic: the same files give the same bytes,
so every `init` of one installation pins the same hash.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import zipfile
from importlib import metadata
from pathlib import Path, PurePosixPath

from .. import DISTRIBUTION, __version__
from ..errors import TablegenError

PACKAGE = Path(__file__).resolve().parent.parent  # the import package, tablegen/
TAG = "py3-none-any"
# Files an installer adds to the .dist-info folder; they are not the wheel's.
INSTALLER_FILES = {"INSTALLER", "REQUESTED", "direct_url.json", "RECORD"}
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class WheelError(TablegenError):
    """The running installation cannot give its wheel (files changed since it was installed)."""


def wheel_name() -> str:
    """`tablegen_jixiao-0.1.0-py3-none-any.whl`."""
    return f"{_normal(DISTRIBUTION)}-{__version__}-{TAG}.whl"


def own_wheel() -> tuple[str, bytes]:
    """The file name and bytes of the wheel of the running tablegen."""
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise WheelError(f"找不到 {DISTRIBUTION} 的安装信息（tablegen 未经 pip 安装），无法生成 wheel；"
                         f"请先用 pip 安装 tablegen") from None
    info = f"{_normal(DISTRIBUTION)}-{__version__}.dist-info"
    files = _package_files(dist)
    for name in ("METADATA", "entry_points.txt", "top_level.txt"):
        text = dist.read_text(name)
        if text is not None:
            files[f"{info}/{name}"] = text.encode("utf-8")
    files[f"{info}/WHEEL"] = (f"Wheel-Version: 1.0\nGenerator: tablegen {__version__}\n"
                              f"Root-Is-Purelib: true\nTag: {TAG}\n").encode()
    return wheel_name(), pack(files, f"{info}/RECORD")


def _package_files(dist: metadata.Distribution) -> dict[str, bytes]:
    """The import package's files (path in the wheel → bytes), checked against RECORD."""
    listed = [f for f in dist.files or [] if f.parts[:1] == ("tablegen",) and _kept(f.parts)]
    init = next((f for f in listed if f.parts == ("tablegen", "__init__.py")), None)
    if init is None or Path(str(init.locate())).resolve() != PACKAGE / "__init__.py":
        # An editable install (its RECORD lists a link to the source, not the files), or a
        # package run from elsewhere than the installation: the running package's folder.
        return {("tablegen" / p.relative_to(PACKAGE)).as_posix(): p.read_bytes()
                for p in sorted(PACKAGE.rglob("*"))
                if p.is_file() and _kept(p.relative_to(PACKAGE).parts)}
    files = {}
    for entry in listed:
        data = Path(str(entry.locate())).read_bytes()
        if entry.hash is not None and (entry.hash.mode != "sha256" or entry.hash.value != _hash(data)):
            raise WheelError(f"安装的 tablegen 文件 {entry} 在安装后被改动过，无法由它生成 wheel；"
                             f"请重新安装 tablegen 后再运行")
        files[str(PurePosixPath(*entry.parts))] = data
    return files


def _kept(parts: tuple[str, ...]) -> bool:
    """A file of the package: not compiled, not hidden (an editor's swap file)."""
    return ("__pycache__" not in parts and not parts[-1].endswith((".pyc", ".pyo"))
            and not any(p.startswith(".") for p in parts))


def pack(files: dict[str, bytes], record: str) -> bytes:
    """A wheel of the files (sorted, the .dist-info last) with its RECORD, fixed dates."""
    order = sorted(files, key=lambda rel: (".dist-info/" in rel, rel))
    lines = [f"{rel},sha256={_hash(files[rel])},{len(files[rel])}" for rel in order]
    lines.append(f"{record},,")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for rel, data in [*((r, files[r]) for r in order), (record, "\n".join(lines).encode() + b"\n")]:
            entry = zipfile.ZipInfo(rel, ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            z.writestr(entry, data)
    return out.getvalue()


def _hash(data: bytes) -> str:
    """RECORD's form of a SHA-256: urlsafe base64 without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _normal(name: str) -> str:
    """A distribution name as wheel file names spell it (`tablegen-jixiao` → `tablegen_jixiao`)."""
    return re.sub(r"[-_.]+", "_", name).lower()
