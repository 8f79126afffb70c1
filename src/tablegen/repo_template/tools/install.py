"""安装本仓库固定的 tablegen 到 .venv/（make setup，以及 make docs、make test 之前）。

tools/ 中的 wheel 就是本仓库使用的 tablegen，按 tools/SHA256SUMS 中的 SHA-256 校验；它依赖的库从
公共软件包索引安装。.venv 已装好这个 wheel 时什么也不做。

每次安装都装进 .venvs/ 下的一个新环境，装好并能运行后，.venv（指向所用环境的链接）才改指向它；
安装失败（断网、wheel 损坏）时 .venv 原样保留，tools/ 也不变。

  python3 tools/install.py                    安装（已装好则跳过）
  python3 tools/install.py --upgrade 新.whl   换用新版本：装好后替换 tools/ 中的 wheel 和 SHA256SUMS
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools"
SUMS = TOOLS / "SHA256SUMS"
VENV = ROOT / ".venv"  # a link to the environment in use, under ENVS
ENVS = ROOT / ".venvs"
STAMP = "tablegen.sha256"  # in an environment: the SHA-256 of the wheel installed there
WHEEL_NAME = re.compile(r"tablegen_jixiao-([0-9][0-9A-Za-z.+!_]*)-py3-none-any\.whl")
MIN_PYTHON = (3, 11)


class Failed(Exception):
    """A reason to stop, said to the user; nothing has been changed."""


def main(argv: list[str]) -> int:
    try:
        if sys.version_info < MIN_PYTHON:
            raise Failed(f"tablegen 需要 Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} 或更高版本，"
                         f"当前是 {sys.version.split()[0]}；请安装新版本后用 make PYTHON=python3.11 … 运行")
        if argv not in ([], ["--upgrade"]) and not (len(argv) == 2 and argv[0] == "--upgrade"):
            raise Failed("用法：python3 tools/install.py [--upgrade 新的 wheel 文件]")
        with locked():  # two `make` runs at once: the second waits, then finds .venv ready
            if argv:
                upgrade(argv[1] if len(argv) > 1 else "")
            else:
                setup()
    except Failed as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


@contextlib.contextmanager
def locked() -> Iterator[None]:
    ENVS.mkdir(exist_ok=True)
    with open(ENVS / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def pinned() -> tuple[Path, str]:
    """The wheel tools/SHA256SUMS names and its SHA-256, checked against the file."""
    try:
        lines = SUMS.read_text(encoding="utf-8").split("\n")
    except OSError:
        raise Failed("找不到 tools/SHA256SUMS（它固定本仓库使用的 tablegen）；"
                     "请从 git 恢复：git checkout -- tools/") from None
    entries = [line.split() for line in lines if line.strip()]
    if len(entries) != 1 or len(entries[0]) != 2 or not re.fullmatch(r"[0-9a-f]{64}", entries[0][0]):
        raise Failed("tools/SHA256SUMS 应只有一行：<SHA-256>  <wheel 文件名>；"
                     "请从 git 恢复：git checkout -- tools/")
    digest, name = entries[0][0], entries[0][1].lstrip("*")
    wheel = TOOLS / name
    if "/" in name or not WHEEL_NAME.fullmatch(name):
        raise Failed(f"tools/SHA256SUMS 列出的“{name}”不是 tablegen 的 wheel 文件名")
    if not wheel.is_file():
        raise Failed(f"找不到 tools/{name}；请从 git 恢复：git checkout -- tools/")
    if sha256(wheel) != digest:
        raise Failed(f"tools/{name} 的 SHA-256 与 tools/SHA256SUMS 不符（文件被改动或损坏）；"
                     "请从 git 恢复：git checkout -- tools/，"
                     "要换用新版本请运行 make upgrade WHEEL=新的 wheel")
    return wheel, digest


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def installed() -> str:
    """The SHA-256 of the wheel in .venv, or "" when .venv is missing or cannot run tablegen."""
    try:
        digest = (VENV / STAMP).read_text(encoding="ascii").strip()
        script = (VENV / "bin" / "tablegen").read_bytes()
    except OSError:
        return ""
    # The script runs with the interpreter its first line names: a moved folder breaks it.
    first = script.split(b"\n", 1)[0]
    interpreter = first[2:].decode("utf-8", "replace").strip() if first.startswith(b"#!") else ""
    return digest if interpreter and os.access(interpreter, os.X_OK) else ""


def setup() -> None:
    wheel, digest = pinned()
    if installed() == digest:
        return
    print(f"安装 tools/{wheel.name} 及其依赖到 .venv/ …", file=sys.stderr)
    switch_to(build_env(wheel, digest))
    print(f"已安装 tablegen {version_of(wheel.name)}", file=sys.stderr)


def upgrade(path: str) -> None:
    if not path:
        raise Failed("请给出新版本的 wheel：make upgrade WHEEL=路径/tablegen_jixiao-<版本>-py3-none-any.whl"
                     "（在装有新版本 tablegen 的电脑上运行 tablegen init 新文件夹，其中 tools/ 下就是它）")
    new = Path(path).expanduser()
    if not new.is_file():
        raise Failed(f"找不到文件 {path}")
    check_wheel(new)
    digest = sha256(new)
    try:
        old: Path | None = pinned()[0]
    except Failed:
        old = None  # tools/ is broken: the new wheel replaces whatever is there
    if old is not None and old.name == new.name and sha256(old) == digest and installed() == digest:
        print(f"tools/{new.name} 已是这个版本，无需升级", file=sys.stderr)
        return
    print(f"安装 {new.name} 及其依赖到新的环境 …", file=sys.stderr)
    env = build_env(new, digest)
    # Installed and running: only now tools/ changes, then .venv switches to the new environment.
    if (TOOLS / new.name).resolve() != new.resolve():
        write(TOOLS / new.name, new.read_bytes())
    write(SUMS, f"{digest}  {new.name}\n".encode())
    if old is not None and old.name != new.name:
        old.unlink()
    switch_to(env)
    print(f"已升级到 tablegen {version_of(new.name)}：tools/{new.name}、tools/SHA256SUMS 已更新，"
          "请提交这两处改动", file=sys.stderr)


def check_wheel(path: Path) -> None:
    """A tablegen wheel by its name and contents, before anything is installed."""
    if not WHEEL_NAME.fullmatch(path.name):
        raise Failed(f"{path.name} 不是 tablegen 的 wheel"
                     "（文件名应为 tablegen_jixiao-<版本>-py3-none-any.whl）")
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            meta = f"tablegen_jixiao-{version_of(path.name)}.dist-info/METADATA"
            if "tablegen/__init__.py" not in names or meta not in names:
                raise Failed(f"{path.name} 中没有 tablegen 的程序文件，不是 tablegen 的 wheel")
            if z.testzip() is not None:
                raise zipfile.BadZipFile
    except (zipfile.BadZipFile, OSError):
        raise Failed(f"{path.name} 已损坏（不是完整的 wheel 文件）") from None


def version_of(name: str) -> str:
    match = WHEEL_NAME.fullmatch(name)
    return match.group(1) if match else "?"


def build_env(wheel: Path, digest: str) -> Path:
    """A new environment under .venvs/ with the wheel installed and tablegen running in it."""
    remove_unused()
    env = Path(tempfile.mkdtemp(prefix=f"{digest[:12]}-", dir=ENVS))
    try:
        run([sys.executable, "-m", "venv", str(env)], "建立 Python 环境")
        run([str(env / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
             str(wheel)], "用 pip 安装 tablegen 及其依赖")
        run([str(env / "bin" / "tablegen"), "--version"], "运行新装的 tablegen")
        (env / STAMP).write_text(digest + "\n", encoding="ascii")
    except BaseException:
        shutil.rmtree(env, ignore_errors=True)
        raise
    return env


def run(command: list[str], step: str) -> None:
    try:
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except OSError as exc:
        raise Failed(f"{step}失败（{exc.strerror}）；.venv 未改动") from None
    if done.returncode != 0:
        # pip's own words say what went wrong (no network, no matching version, …).
        sys.stderr.buffer.write(done.stderr)
        raise Failed(f"{step}失败（见上面的输出）；.venv 未改动")


def switch_to(env: Path) -> None:
    """.venv points to the new environment in one step; the environments no longer used go."""
    link = ENVS / f".link-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(env.relative_to(ROOT))
    if VENV.is_dir() and not VENV.is_symlink():  # a .venv made by hand or by an older Makefile
        VENV.rename(Path(tempfile.mkdtemp(prefix="old-", dir=ENVS)) / "venv")
    os.replace(link, ROOT / ".venv")
    remove_unused()


def remove_unused() -> None:
    """Environments under .venvs/ that .venv does not point to (a failed or earlier install)."""
    current = VENV.resolve() if VENV.is_symlink() else None
    for entry in ENVS.iterdir():
        if entry.is_dir() and not entry.is_symlink() and entry.resolve() != current:
            shutil.rmtree(entry, ignore_errors=True)


def write(path: Path, data: bytes) -> None:
    """A file replaced in one step: readers see the old one or the new one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
