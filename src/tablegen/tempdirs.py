"""tablegen's own folders in the temp folder: named for their process, removed when done (also on
failure, Ctrl-C and kill), and those of a process killed outright (kill -9, out of memory)
removed by the next run that makes one. The one thing LibreOffice puts elsewhere, its socket in
/tmp, goes with its profile's folder."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
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


@contextmanager
def office_profile() -> Iterator[Path]:
    """A LibreOffice profile folder for the duration of a `with`; afterwards whatever still
    runs on it is stopped (soffice.bin outlives a killed launcher) and its socket goes with it."""
    with folder("lo") as path:
        try:
            yield path
        finally:
            stop_office(path)
            remove_office_pipe(path)


def remove_orphans() -> None:
    """The folders of processes that no longer run (and the LibreOffice left running with one of
    them, and its pipe)."""
    _remove(lambda pid: not alive(pid))


def remove_own() -> None:
    """The folders of this process, which is about to end without clean-up (`os._exit`)."""
    me = os.getpid()
    _remove(lambda pid: pid == me)


def _remove(whose: Callable[[int], bool]) -> None:
    with os.scandir(tempfile.gettempdir()) as entries:
        for entry in entries:
            match = _OWNED.fullmatch(entry.name)
            if match and whose(int(match.group(1))):
                if entry.name.startswith("tablegen-lo-"):
                    stop_office(Path(entry.path))
                    remove_office_pipe(Path(entry.path))
                shutil.rmtree(entry.path, ignore_errors=True)


def office_pipes(profile: Path) -> list[Path]:
    """Where a LibreOffice run with its profile in `profile` (`-env:UserInstallation=file://…`)
    makes its single-instance socket: in /tmp (/var/tmp when /tmp cannot be written), whatever
    TMPDIR says, named for the MD5 of the profile's URL as UTF-16, each byte in hex without
    padding (LibreOffice's sal/osl/unx/pipe.cxx and desktop/source/app/officeipcthread.cxx).
    LibreOffice removes it when it ends; a crashed or killed one leaves it behind."""
    digest = hashlib.md5(profile_url(profile).encode("utf-16-le"), usedforsecurity=False).digest()
    name = f"OSL_PIPE_{os.geteuid()}_SingleOfficeIPC_{''.join(f'{b:x}' for b in digest)}"
    return [Path("/tmp") / name, Path("/var/tmp") / name]


def profile_url(profile: Path) -> str:
    """The URL LibreOffice is given for a profile folder (the pipe's name is made from it)."""
    return f"file://{profile}"


def office_processes(profile: Path) -> list[int]:
    """The processes running LibreOffice with its profile in `profile`: the launcher (oosplash),
    soffice.bin, which the launcher starts and leaves running when it is killed, and a
    `--convert-to` that hands its request to them. Read from /proc; none where there is none."""
    needle = f"-env:UserInstallation={profile_url(profile)}".encode()
    found = []
    try:
        entries = os.scandir("/proc")
    except OSError:
        return []
    with entries:
        for entry in entries:
            if entry.name.isdigit():
                try:
                    with open(os.path.join(entry.path, "cmdline"), "rb") as fh:
                        args = fh.read().split(b"\0")
                except OSError:
                    continue
                if needle in args:
                    found.append(int(entry.name))
    return found


def office_cpu(profile: Path) -> float:
    """The CPU time (seconds) the processes of this profile's LibreOffice have used so far."""
    ticks = 0
    for pid in office_processes(profile):
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                fields = fh.read().rpartition(b")")[2].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def stop_office(profile: Path, timeout: float = 5.0) -> None:
    """Kill whatever still runs LibreOffice with this profile (ours: the folder is ours), and
    wait until it is gone: a process killed is listed until it has ended, and a LibreOffice
    caught restarting (on its first start) may have started the next one meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        found = office_processes(profile)
        if not found or time.monotonic() > deadline:
            return
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                continue
        time.sleep(0.01)


def office_listens(profile: Path) -> bool:
    """Whether the LibreOffice of this profile has its socket (it listens for requests)."""
    return any(_own_socket(path) for path in office_pipes(profile))


def remove_office_pipe(profile: Path) -> None:
    """The socket of the LibreOffice that used this profile, if it is there and ours."""
    for path in office_pipes(profile):
        if _own_socket(path):
            try:
                path.unlink()
            except OSError:
                continue


def _own_socket(path: Path) -> bool:
    try:
        info = path.lstat()
    except OSError:
        return False
    return stat.S_ISSOCK(info.st_mode) and info.st_uid == os.geteuid()
