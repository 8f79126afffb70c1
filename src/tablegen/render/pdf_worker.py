"""A worker process started as the build begins, which loads WeasyPrint (over a second) and its
fonts while the build's own process reads and checks the books, then lays out what the PDF
engine hands it. After an edit that is the one changed table: its layout no longer waits for
WeasyPrint to load, and the build's process never loads it. A build with nothing to lay out
stops the worker unused. One with many layouts gives them to a `Pool`: the worker and siblings
it forks warm, one process per core, so the build's process never loads WeasyPrint either.
Each call runs in a process forked for it from its worker or sibling, and ends with it: what a
layout leaves is never collected, and the next starts from the warm process as it was.
`tablegen serve`, which has WeasyPrint loaded, forks one warm for each refresh: the changed
table is laid out while serve makes the other formats.

This module is imported by every build that makes a PDF, so it imports nothing heavy itself:
the worker loads the engine after the fork, by name. It knows nothing of the PDF engine, which
hands it module-level functions to run.
"""

from __future__ import annotations

import gc
import importlib
import multiprocessing
import os
import pickle
import signal
import sys
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, TypeVar, cast

from .. import tempdirs
from ..writer import alive

T = TypeVar("T")
R = TypeVar("R")
# What the PDF's worker loads first: the PDF engine, WeasyPrint, and fontconfig's set-up of this
# process's fonts (`pdf.warm`).
WARM = ("tablegen.render.pdf", "warm")


class Channel:
    """Calls sent to a process over a pipe, answered one at a time in the order sent."""

    def __init__(self, conn: Connection):
        self._conn = conn
        self._sent = 0  # calls sent
        self._read = 0  # replies read, in the order of the calls
        self._replies: dict[int, tuple[bool, Any]] = {}  # read, not yet asked for

    @property
    def pending(self) -> int:
        """Calls sent whose replies have not been read yet (0: the process is idle)."""
        return self._sent - self._read

    def fileno(self) -> int:
        return self._conn.fileno()

    def send(self, fn: Callable[[T], R], arg: T, keep: bool = False) -> int | None:
        """Send `fn(arg)` (`keep`: run by the process itself, see `_answer`); its ticket, or
        None when the process has gone."""
        try:
            self._conn.send((fn, arg, keep))
        except (EOFError, OSError):
            return None
        self._sent += 1
        return self._sent - 1

    def read_one(self) -> tuple[int, Any] | None:
        """Read the next message (waits for it): a reply, filed; or a note from the call in
        hand (`tell`), given back with its ticket. EOFError or OSError when the process has
        gone."""
        reply = self._conn.recv()
        if reply[0] is None:
            return self._read, reply[1]
        self._replies[self._read] = reply
        self._read += 1
        return None

    def answer(self, ticket: int) -> tuple[bool, Any] | None:
        """The reply to a ticket, once read (None before)."""
        return self._replies.pop(ticket, None)

    def submit(self, fn: Callable[[T], R], arg: T) -> Callable[[], R]:
        """Send `fn(arg)` (`fn` a module-level function) to the process at once; the function
        returned waits for its result (what it raised is raised there). Several may be sent
        before any is asked for, and asked for in any order. A process that has died (killed,
        out of memory) leaves the call to this process."""
        ticket = self.send(fn, arg)
        if ticket is None:
            return lambda: fn(arg)

        def result() -> R:
            while ticket not in self._replies:
                try:
                    self.read_one()
                except (EOFError, OSError):
                    return fn(arg)
            value: R = _unwrap(self._replies.pop(ticket))
            return value

        return result

    def run(self, fn: Callable[[T], R], arg: T) -> R:
        """`fn(arg)` in the process, waited for (see `submit`)."""
        return self.submit(fn, arg)()


def _unwrap(reply: tuple[bool, Any]) -> Any:
    ok, value = reply
    if not ok:
        raise value
    return value


class Worker(Channel):
    """One forked process that calls `warm` (module, function) at once, then runs the calls
    sent to it one at a time, in the order sent (`submit`, `run`), each in a process forked for
    it (`_answer`). Sent `fork_siblings`, it forks more of itself, warm, on pipes made before
    it was (`Pool`). `close` stops it and them, whether still warming, idle or busy, and
    removes the folder their fonts used."""

    def __init__(self, warm: tuple[str, str] = WARM, spares: int = 0) -> None:
        context = multiprocessing.get_context("fork")
        conn, child = context.Pipe()
        # The pipes of the siblings it may fork, made before it is: it inherits their far ends.
        pairs = [context.Pipe() for _ in range(spares)]
        ours = [conn] + [near for near, _ in pairs]
        self.process: BaseProcess = context.Process(
            target=_serve, args=(child, warm, [far for _, far in pairs], ours), daemon=True,
            name="tablegen-pdf")
        self.process.start()
        child.close()
        for _, far in pairs:
            far.close()
        super().__init__(conn)
        self._spares = [near for near, _ in pairs]  # in the order the worker forks on them
        self.siblings_made: list[Sibling] = []
        self.closed = False
        self.holder: object | None = None  # whoever alone hands it calls (the PDF engine's)

    def siblings(self, reply: tuple[bool, Any]) -> list[Sibling]:
        """The siblings the worker says it forked (its reply to a `fork_siblings` call): each
        answers calls on a pipe of its own, and shares what the worker had loaded."""
        ok, pids = reply
        if not ok:
            return []
        made = [Sibling(self._spares.pop(0), pid) for pid in pids]
        self.siblings_made += made
        return made

    def close(self) -> None:
        """Stop the worker and its siblings (again: nothing). Their pipes are closed first: an
        idle sibling ends at once; the worker, when idle, stops and reaps the others as it ends
        (their parent, it alone may signal them); a busy worker is killed, and its siblings die
        with it (`fork_siblings`)."""
        self.closed = True
        idle = self.pending == 0
        siblings, self.siblings_made = self.siblings_made, []
        for sibling in siblings:
            sibling.close()
        for spare in self._spares:
            spare.close()
        self._conn.close()
        if siblings and idle:
            self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        # Killed, it left its siblings to die with it: they are waited for (only watched by
        # id, never signalled), so that their fonts' folders go below.
        deadline = time.monotonic() + 5
        while any(alive(s.pid) for s in siblings) and time.monotonic() < deadline:
            time.sleep(0.01)
        tempdirs.remove_orphans()  # their fonts' folders


class Sibling(Channel):
    """A process the worker forked (`Worker.siblings`), answering calls on a pipe of its own."""

    def __init__(self, conn: Connection, pid: int):
        super().__init__(conn)
        self.pid = pid

    def close(self) -> None:
        """Close its pipe: idle, it ends at once (the worker stops it otherwise)."""
        self._conn.close()


class Pool:
    """Calls run by the worker and the siblings it forks, one process per core: each call goes
    to the first process free, in the order submitted. A call whose process dies is handed to
    another, or run here when none is left.

    `prime` is run by the worker itself before it forks its siblings: what it leaves (the fonts
    a first layout loads, what it makes and keeps) is shared by every process that runs a call
    (`_answer`); `primed` gives its result."""

    def __init__(self, worker: Worker, size: int,
                 prime: tuple[Callable[[Any], Any], Any] | None = None):
        self.worker = worker
        self.members: list[Channel] = [worker]
        self._priming = worker.send(prime[0], prime[1], keep=True) if prime is not None else None
        self._primed: tuple[bool, Any] | None = None
        self._forking = worker.send(fork_siblings, size - 1, keep=True) if size > 1 else None
        self._queue: deque[tuple[int, Callable[[Any], Any], Any]] = deque()
        self._busy: dict[Channel, tuple[int, int]] = {}  # member → its ticket, the pool's
        self._calls: dict[int, tuple[Callable[[Any], Any], Any]] = {}  # handed out, by ticket
        self._told: dict[int, Callable[[Any], None]] = {}  # who hears a call's notes, by ticket
        self._results: dict[int, tuple[bool, Any]] = {}
        self._next = 0

    def submit(self, fn: Callable[[T], R], arg: T, *, told: Callable[[Any], None] | None = None,
               first: bool = False) -> Callable[[], R]:
        """Hand `fn(arg)` to the first process free (`first`: before the calls waiting); the
        function returned waits for its result (what it raised is raised there). `told` hears
        what the call tells (`tell`) before its result, as the pool waits for any result."""
        ticket = self._next
        self._next += 1
        if told is not None:
            self._told[ticket] = told
        if first:
            self._queue.appendleft((ticket, fn, arg))
        else:
            self._queue.append((ticket, fn, arg))
        self._collect(block=False)

        def result() -> R:
            while ticket not in self._results:
                self._collect(block=True)
            value: R = _unwrap(self._results.pop(ticket))
            return value

        return result

    def primed(self) -> Any:
        """What the prime returned (waits for it); None without one, or if it failed or the
        worker died."""
        while self._priming is not None:
            self._collect(block=True)
        if self._primed is None or not self._primed[0]:
            return None
        return self._primed[1]

    def _hand_out(self) -> None:
        for member in list(self.members):
            if not self._queue:
                return
            # The worker takes a call behind the prime (a layout) and its siblings' forking.
            kept = 0
            if member is self.worker:
                kept = int(self._forking is not None) + int(self._priming is not None)
            if member.pending == kept and member not in self._busy:
                ticket, fn, arg = self._queue.popleft()
                sent = member.send(fn, arg)
                if sent is None:
                    self._queue.appendleft((ticket, fn, arg))
                    self._gone(member)
                    continue
                self._busy[member] = (sent, ticket)
                self._calls[ticket] = (fn, arg)

    def _collect(self, block: bool) -> None:
        """Hand calls out; file the replies come (the siblings, when the worker says it forked
        them), waiting for one with `block`; hand the next calls out; then tell the listeners
        what the calls told meanwhile (a listener may submit more). With `block` and no process
        left, the next call runs here."""
        # Replies another asker of the worker read (`Channel.submit` reads every message up to
        # its own reply): the pool never waits for them.
        self._file(self.worker)
        self._hand_out()
        waiting = [m for m in self.members if m.pending]
        if not waiting:
            if block and self._queue:
                ticket, fn, arg = self._queue.popleft()
                try:
                    self._results[ticket] = (True, fn(arg))
                except Exception as exc:
                    self._results[ticket] = (False, exc)
            return
        heard: list[tuple[Callable[[Any], None], Any]] = []
        ready = wait(waiting, None if block else 0)  # type: ignore[arg-type]
        for member in cast(list[Channel], ready):
            try:
                note = member.read_one()
            except (EOFError, OSError):
                self._gone(member)
                continue
            if note is not None:
                sent, value = note
                if member in self._busy and self._busy[member][0] == sent:
                    told = self._told.get(self._busy[member][1])
                    if told is not None:
                        heard.append((told, value))
                continue
            self._file(member)
        self._hand_out()
        for told, value in heard:
            told(value)

    def _file(self, member: Channel) -> None:
        """File the pool's replies from a member that have been read: the prime's and the
        forking's (the worker's: the siblings then join), and its call's."""
        if member is self.worker and self._priming is not None:
            primed = member.answer(self._priming)
            if primed is not None:
                self._priming, self._primed = None, primed
        if member is self.worker and self._forking is not None:
            forked = member.answer(self._forking)
            if forked is not None:
                self._forking = None
                self.members += self.worker.siblings(forked)
        if member in self._busy:
            sent, ticket = self._busy[member]
            reply = member.answer(sent)
            if reply is not None:
                del self._busy[member], self._calls[ticket]
                self._told.pop(ticket, None)
                self._results[ticket] = reply

    def _gone(self, member: Channel) -> None:
        """A process that has died: its call goes back to the front of the queue."""
        self.members.remove(member)
        if member is self.worker:
            self._forking = self._priming = None
        if member in self._busy:
            _, ticket = self._busy.pop(member)
            fn, arg = self._calls.pop(ticket)
            self._queue.appendleft((ticket, fn, arg))


def prepare(toc_pages: bool | None = None, cache_root: Path | None = None) -> Worker | None:
    """A worker, where one helps: with fork and more than one core. Forked from a process that
    has WeasyPrint loaded already (`tablegen serve`), it is warm at once, and lays out what
    changed while that process makes the other formats."""
    cores = os.cpu_count() or 1
    if not hasattr(os, "fork") or cores < 2:
        return None
    return Worker(spares=cores - 1)


def load_here(warm: tuple[str, str] = WARM) -> None:
    """Load in this process what a worker loads first (WeasyPrint and the fonts' set-up, once):
    `tablegen serve` does after its first PDF, so that the worker of each later save is forked
    warm, and lays out the changed table at once, instead of loading WeasyPrint itself (a
    build's own process never loads it: its layouts run in the worker)."""
    module, name = warm
    getattr(importlib.import_module(module), name)()


_SPARES: list[Connection] = []  # in the worker: the pipes its siblings are to answer on
_OWN: list[Connection] = []  # in the worker: its own end of its pipe to the build
_SIBLINGS: list[int] = []  # in the worker: the siblings it forked, reaped as it ends
_ANSWERING: list[Connection] = []  # in a worker or sibling: the pipe of the call in hand


def tell(value: Any) -> None:
    """Send `value` to the build from the call in hand, before its result (a `Pool` hands it
    to whoever listens). Nothing where no call from the build is in hand."""
    if _ANSWERING:
        _ANSWERING[0].send((None, value))


def fork_siblings(count: int) -> list[int]:
    """In the worker: fork `count` siblings, each answering on a spare pipe; their ids."""
    pids = []
    for _ in range(min(count, len(_SPARES))):
        conn = _SPARES.pop(0)
        gc.freeze()  # what the worker holds stays out of the siblings' collections
        pid = _fork()
        if pid == 0:
            try:
                for other in _OWN + _SPARES:
                    other.close()
                _answer(conn)
            finally:
                os._exit(0)
        gc.unfreeze()
        conn.close()
        _SIBLINGS.append(pid)
        pids.append(pid)
    return pids


def _fork() -> int:
    """Fork, once this process runs no other thread; the child dies with it. The child's id
    here, 0 in the child."""
    parent = os.getpid()
    _alone()
    pid = os.fork()
    if pid == 0:
        _die_with(parent)
    return pid


def _alone(patience: float = 2.0) -> None:
    """Wait (a while at most) until this process runs no other thread, before it forks: Pango
    matches and sorts fonts in threads of its own as a layout asks for a font, and a process
    forked while one still works would wait forever for its result (Linux: /proc)."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            if len(os.listdir("/proc/self/task")) <= 1:
                return
        except OSError:
            return
        time.sleep(0.005)


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when its parent ends (Linux), and end now if it has."""
    prctl = _libc("prctl")
    if prctl is not None:
        prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(0)


def _serve(conn: Connection, warm: tuple[str, str], spares: list[Connection],
           builds: list[Connection]) -> None:
    """The worker: warm up, then run each call sent until the build closes its end; then reap
    the siblings it forked."""
    for end in builds:  # the build's ends of the pipes: the build's alone, or no end is seen
        end.close()
    _SPARES[:] = spares
    _OWN[:] = [conn]
    load_here(warm)
    try:
        _answer(conn)
    finally:
        for pid in _SIBLINGS:  # its own children: their ids are theirs until reaped here
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def answering() -> bool:
    """Whether this process is a worker answering the build's calls (`_answer`)."""
    return bool(_ANSWERING)


def _answer(conn: Connection) -> None:
    """Run each call sent on `conn` and send its result back, until the other end is closed.

    Each call runs in a process forked for it, which sends the result and ends: what the call
    left goes with that process, never collected (a 25-table layout leaves hundreds of
    thousands of objects), and every call starts from this process as it is, warm and clean.
    A call sent to be kept (`Channel.send`) runs here, and what it leaves stays for the calls
    after it (the siblings' forking, or a first layout that loads the fonts, `Pool`); its
    garbage is collected once its result is sent (`give_back`). A call's process that ends
    without sending a result (killed, out of memory) ends this one too, as a part of a message
    may be on the pipe (the worker's siblings end with the worker): the build sees them gone,
    and hands their calls to the processes left, or runs them itself."""
    _ANSWERING[:] = [conn]
    while True:
        try:
            fn, arg, keep = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if keep:
            if not _reply(conn, fn, arg):
                return
            if fn is not fork_siblings:  # which leaves nothing to collect
                give_back()
            continue
        pid = _fork()
        if pid == 0:
            try:
                gc.disable()  # the process ends with the call: nothing is collected
                sent = _reply(conn, fn, arg)
                try:
                    tempdirs.remove_own()
                except OSError:  # left to the next clean-up of processes gone
                    pass
                os._exit(0 if sent else 1)
            finally:
                os._exit(1)
        if not _ended_well(pid):
            return


def _ended_well(pid: int) -> bool:
    """Wait for a call's process to end; whether it sent its result and ended as it should."""
    while True:
        try:
            _, status = os.waitpid(pid, 0)
        except KeyboardInterrupt:  # Ctrl-C: the call's process hears it too, and replies
            continue
        except ChildProcessError:
            return False
        return os.waitstatus_to_exitcode(status) == 0


def _reply(conn: Connection, fn: Callable[[Any], Any], arg: Any) -> bool:
    """Run `fn(arg)` with the garbage collector paused and send its result (or what it raised);
    whether it could be sent."""
    reply: tuple[bool, Any]
    collecting = gc.isenabled()
    gc.disable()
    try:
        reply = (True, fn(arg))
    except BaseException as exc:  # handed to the build, which raises it
        reply = (False, exc)
    try:
        conn.send(reply)
    except (TypeError, AttributeError, pickle.PicklingError):  # an exception that cannot travel
        conn.send((False, RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}")))
    except (EOFError, OSError):
        return False
    finally:
        del reply
        if collecting:
            gc.enable()
    return True


def give_back() -> None:
    """What a worker's last call left, collected and handed back to the system: a layout's
    objects die together when it ends (most of them in reference cycles), and the memory they
    held would stay with the worker while it waits (beside the build, as it lays out the 目录)."""
    gc.collect()
    trim = _libc("malloc_trim")
    if trim is not None:
        trim(0)


def _libc(name: str) -> Any:
    """A function of the C library this process runs on (Linux's glibc), or None. ctypes'
    find_library would run ldconfig in a subprocess."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):  # not glibc: no malloc_trim
        return None
