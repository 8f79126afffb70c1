"""Findings (file:line:col diagnostics) and the one exception base class."""

from __future__ import annotations

import errno
import functools
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .rules import Rule

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
# What would break a one-line finding or a terminal: control characters (a tab stays), line
# and paragraph separators, and lone surrogates (a non-UTF-8 file name, a `"\\ud800"` escape);
# and what would make it read differently from what it is: bidi controls and zero-width
# characters (`≥\u202e家21` would show as `≥12家`).
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029\ud800-\udfff"
                          "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                          "\u2066-\u206f\ufeff]")


def shown_name(text: str) -> str:
    """Text that prints on one line anywhere: `a\\nb`, `\\udcb2` for what would not."""
    return _UNPRINTABLE.sub(lambda m: ascii(m.group())[1:-1], text)


@dataclass(frozen=True, order=True)
class Pos:
    """A place in a source file: 1-based line and column."""

    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Finding:
    """One problem found in the data: where, how bad, which rule, what is wrong."""

    pos: Pos
    severity: str  # "error" | "warning"
    rule: str
    message: str

    def text(self) -> str:
        return f"{self.pos}: {self.severity}[{self.rule}]: {self.message}"

    def inside(self, folder: Path) -> bool:
        """Whether the finding is about a file in the folder (a book's, say)."""
        try:
            return _resolved(self.pos.path, os.getcwd()).is_relative_to(
                _resolved(str(folder), os.getcwd()))
        except OSError:  # pragma: no cover
            return False

    def github(self) -> str:
        def esc(s: str) -> str:
            return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

        def prop(s: str) -> str:
            return esc(s).replace(":", "%3A").replace(",", "%2C")

        return (
            f"::{self.severity} file={prop(self.pos.path)},line={self.pos.line},"
            f"col={self.pos.col},title={prop(self.rule)}::{esc(self.message)}"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.pos.path,
            "line": self.pos.line,
            "col": self.pos.col,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
        }


@dataclass
class Report:
    """Every finding of one run, in a stable order."""

    findings: list[Finding] = field(default_factory=list)

    def add(self, pos: Pos, rule: Rule, message: str) -> None:
        """A finding of a rule of the registry (`tablegen.rules`), as severe as the rule is."""
        path = shown_name(pos.path)
        # A line of text output never starts with `::` (a GitHub workflow command).
        pos = Pos("./" + path if path.startswith(":") else path, pos.line, pos.col)
        self.findings.append(Finding(pos, rule.severity, rule.id, shown_name(message)))

    def extend(self, other: Report) -> None:
        self.findings.extend(other.findings)

    def sorted(self) -> list[Finding]:
        seen: set[Finding] = set()
        out = []
        for f in sorted(self.findings, key=lambda f: (f.pos, f.rule, f.message)):
            if f not in seen:
                seen.add(f)
                out.append(f)
        return out

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.sorted() if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.sorted() if f.severity == "warning"]

    def strict(self) -> Report:
        """The same findings with every warning promoted to an error (`--strict`)."""
        return Report([Finding(f.pos, "error", f.rule, f.message) for f in self.findings])

    def format(self, fmt: str) -> str:
        items = self.sorted()
        if fmt == "json":
            return json.dumps([f.as_dict() for f in items], ensure_ascii=False, indent=2)
        if fmt == "github":
            return "\n".join(f.github() for f in items)
        return "\n".join(f.text() for f in items)

    def summary(self) -> str:
        return f"{len(self.errors)} 个错误，{len(self.warnings)} 个警告"


class TablegenError(Exception):
    """Base class of every error tablegen reports to its user (no traceback)."""

    exit_code = EXIT_INVALID


class InvalidData(TablegenError):
    """The data has errors; the report holds them all."""

    def __init__(self, report: Report):
        self.report = report
        super().__init__(report.summary())


class UsageError(TablegenError):
    """The command line asks for something that cannot be done."""

    exit_code = EXIT_USAGE


class SourceError(TablegenError):
    """A source file for `import` that cannot be read at all (not a DOCX/XLSX, damaged, empty,
    too large)."""


class RenderError(TablegenError):
    """A template or renderer failed."""


# What the system says of a failed file or network operation, in Chinese (Python's strerror is
# English: "Permission denied").
OS_REASONS = {
    errno.ENOENT: "不存在", errno.EACCES: "没有权限", errno.EPERM: "没有权限",
    errno.ENOSPC: "磁盘已满", errno.EDQUOT: "超出磁盘配额", errno.EROFS: "文件系统是只读的",
    errno.ENOTDIR: "路径中有一项不是文件夹", errno.EISDIR: "是文件夹而不是文件",
    errno.EEXIST: "已有同名的文件", errno.ENAMETOOLONG: "名称过长", errno.ELOOP: "符号链接形成了循环",
    errno.EIO: "读写出错（磁盘或网络文件系统故障）", errno.ENOMEM: "内存不足",
    errno.EMFILE: "打开的文件过多", errno.ENFILE: "打开的文件过多", errno.ENOEXEC: "不是可以运行的程序",
    errno.ETXTBSY: "文件正被另一个程序使用", errno.EBUSY: "正被另一个程序使用",
    errno.EADDRINUSE: "端口已被占用", errno.EADDRNOTAVAIL: "本机没有这个地址",
    errno.ECONNREFUSED: "连接被拒绝", errno.ETIMEDOUT: "连接超时",
}


def os_reason(exc: OSError) -> str:
    """Why an operation failed, in Chinese: the error's name for one not in OS_REASONS."""
    if exc.errno in OS_REASONS:
        return OS_REASONS[exc.errno]
    name = errno.errorcode.get(exc.errno) if exc.errno else None
    return f"系统错误 {name}" if name else "系统错误"


def display_path(path: Path) -> str:
    """A path as the user should read it: relative to the working folder when inside it.

    The name itself is kept: a link is shown as the link, never as the file it points to.
    """
    try:
        return _display(str(path), os.getcwd())
    except OSError:  # the working folder is gone
        return str(path)


@functools.lru_cache(maxsize=8192)
def _display(path: str, cwd: str) -> str:
    """`display_path` once per path and working folder (a build shows the same files' names
    hundreds of times, each a walk of the folders up to the root)."""
    whole = Path(cwd, path)
    try:
        return str((whole.parent.resolve() / whole.name).relative_to(Path(cwd).resolve()))
    except (ValueError, OSError, RuntimeError):
        return path


@functools.lru_cache(maxsize=4096)
def _resolved(path: str, cwd: str) -> Path:
    """A path resolved from this working folder (a build asks for the same few files' folders
    thousands of times)."""
    return Path(cwd, path).resolve()
