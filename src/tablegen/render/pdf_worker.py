"""A worker process started as the build begins, which loads WeasyPrint (over a second) and its
fonts while the build's own process reads and checks the books, then lays out what the PDF
engine hands it. After an edit that is the one changed table: its layout no longer waits for
WeasyPrint to load, and the build's process never loads it. A build with nothing to lay out
stops the worker unused; one with many layouts gives them to its pool of workers (one per core)
as before. `tablegen serve`, which has WeasyPrint loaded, forks one warm for each refresh: the
changed table is laid out while serve makes the other formats.

This module is imported by every build that makes a PDF, so it imports nothing heavy itself:
the worker loads the engine after the fork, by name. It knows nothing of the PDF engine, which
hands it module-level functions to run.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import pickle
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, TypeVar

from .. import tempdirs

T = TypeVar("T")
R = TypeVar("R")
# What the PDF's worker loads first: WeasyPrint, and fontconfig's set-up of this process's fonts.
WARM = ("tablegen.render.pdf_layout", "process_fonts")


class Worker:
    """One forked process that calls `warm` (module, function) at once, then runs the calls
    sent to it one at a time, in the order sent (`submit`, `run`); `close` stops it, whether it
    is still warming or idle, and removes the folder its fonts used."""

    def __init__(self, warm: tuple[str, str] = WARM) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self.process: BaseProcess = context.Process(target=_serve, args=(child, warm),
                                                    daemon=True, name="tablegen-pdf")
        self.process.start()
        child.close()
        self._sent = 0  # calls sent
        self._read = 0  # replies read, in the order of the calls
        self._replies: dict[int, tuple[bool, Any]] = {}  # read, not yet asked for

    def submit(self, fn: Callable[[T], R], arg: T) -> Callable[[], R]:
        """Send `fn(arg)` (`fn` a module-level function) to the worker at once; the function
        returned waits for its result (what it raised is raised there). Several may be sent
        before any is asked for, and asked for in any order. A worker that has died (killed,
        out of memory) leaves the call to this process."""
        try:
            self._conn.send((fn, arg))
        except (EOFError, OSError):
            return lambda: fn(arg)
        ticket = self._sent
        self._sent += 1

        def result() -> R:
            while ticket not in self._replies:
                try:
                    reply = self._conn.recv()
                except (EOFError, OSError):
                    return fn(arg)
                self._replies[self._read] = reply
                self._read += 1
            ok, value = self._replies.pop(ticket)
            if not ok:
                raise value
            return value  # type: ignore[no-any-return]

        return result

    def run(self, fn: Callable[[T], R], arg: T) -> R:
        """`fn(arg)` in the worker, waited for (see `submit`)."""
        return self.submit(fn, arg)()

    def close(self) -> None:
        self._conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        tempdirs.remove_orphans()  # its fonts' folder


def prepare(toc_pages: bool | None = None, cache_root: Path | None = None) -> Worker | None:
    """A worker, where one helps: with fork and more than one core. Forked from a process that
    has WeasyPrint loaded already (`tablegen serve`), it is warm at once, and lays out what
    changed while that process makes the other formats."""
    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return None
    return Worker()


def _serve(conn: Connection, warm: tuple[str, str]) -> None:
    """The worker: warm up, then run each call sent until the build closes its end."""
    module, name = warm
    getattr(importlib.import_module(module), name)()
    while True:
        try:
            fn, arg = conn.recv()
        except (EOFError, OSError):
            return
        reply: tuple[bool, Any]
        try:
            reply = (True, fn(arg))
        except BaseException as exc:  # handed to the build, which raises it
            reply = (False, exc)
        try:
            conn.send(reply)
        except (TypeError, AttributeError, pickle.PicklingError):  # an exception that cannot travel
            conn.send((False, RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}")))
