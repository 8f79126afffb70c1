"""True page numbers for the DOCX table of contents, from a LibreOffice layout of the file.

LibreOffice only reads a copy of our DOCX and prints it to PDF; it never re-saves the DOCX.
"""

from __future__ import annotations

import atexit
import bisect
import io
import itertools
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import tarfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from .. import tempdirs
from ..cache import Cache, digest
from ..errors import os_reason

log = logging.getLogger("tablegen")
TIMEOUT = 600
STANDBY_WAIT = 10  # seconds a conversion waits for a standby LibreOffice's pipe
STANDBY_USES = 100  # conversions one standby LibreOffice serves before another replaces it
SEED_WAIT = 5  # seconds a conversion waits for its LibreOffice to end, to keep its profile
SEED = "office-profile"  # the cache's kind of entry for a LibreOffice profile made once


def soffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx_files: list[Path], out_dir: Path) -> list[Path]:
    """Convert DOCX files to PDF with headless LibreOffice in one run (private profile)."""
    with Conversion(docx_files, out_dir) as run:
        return run.wait()


class Conversion:
    """One LibreOffice run converting DOCX files to PDF, started at once and waited for later:
    the build goes on with the other formats meanwhile (LibreOffice runs on a core of its own).

    LibreOffice's own temporary files go inside its private profile's folder, so that whatever
    a killed LibreOffice leaves goes with it; its socket, which it always makes in /tmp, is
    removed after it (a crashed LibreOffice leaves it). `close` (or leaving the `with`) stops a
    run that is still going, soffice.bin included, and removes its folder.

    Given a `Standby` that is ready, the run hands its request to that LibreOffice, which has
    started already. A kept one is left running for the next run, unless this one fails or is
    stopped before its end (it may still be busy with the request); any other is stopped with
    the run, as it ends after one request.

    With `keep_profile`, a run that succeeds waits for its LibreOffice to end (it ends after the
    request, having written its profile) and keeps the profile's `user/` folder in
    `profile_seed` (`pack_profile`): later runs start from it (see `Standby`)."""

    def __init__(self, docx_files: list[Path], out_dir: Path, standby: Standby | None = None,
                 keep_profile: bool = False):
        program = soffice()
        if program is None:
            raise FileNotFoundError("soffice")
        self.outputs = [out_dir / (f.stem + ".pdf") for f in docx_files]
        self._stack = ExitStack()
        self._standby: Standby | None = None
        self._done = False
        self.keep_profile = keep_profile
        self.profile_seed: bytes | None = None
        if standby is not None and standby.wait_ready():
            self.profile = standby.profile
            self._standby = standby
            standby.uses += 1
        else:
            if standby is not None:
                standby.close()  # it failed to start: a run of our own
            self.profile = self._stack.enter_context(tempdirs.office_profile())
        self.args = [program, f"-env:UserInstallation={tempdirs.profile_url(self.profile)}",
                     "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(out_dir),
                     *map(str, docx_files)]
        try:
            self.process = subprocess.Popen(
                self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, env=dict(os.environ, TMPDIR=str(self.profile)))
        except BaseException:
            self._stop_standby()
            self._stack.close()
            raise

    def wait(self) -> list[Path]:
        """The PDFs, once LibreOffice has ended; its failure as `subprocess.run(check=True)`
        raises it."""
        try:
            out, err = self.process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise subprocess.TimeoutExpired(self.args, TIMEOUT) from exc
        else:
            self._done = self.process.returncode == 0
            if self._done and self.keep_profile:
                self.profile_seed = self._ended_profile()
        finally:
            self.close()
        if self.process.returncode:
            raise subprocess.CalledProcessError(self.process.returncode, self.args, out, err)
        return self.outputs

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._release()
        self._stack.close()

    def _ended_profile(self) -> bytes | None:
        """The profile of the LibreOffice that served the run once it has ended by itself (a
        run of its own has ended with it); None for a kept one, or one that did not end well."""
        standby = self._standby
        if standby is not None:
            if standby.kept:
                return None
            try:
                if standby.process.wait(SEED_WAIT) != 0:
                    return None
            except subprocess.TimeoutExpired:
                return None
        return pack_profile(self.profile)

    def _stop_standby(self) -> None:
        if self._standby is not None:
            self._standby.close()

    def _release(self) -> None:
        """After the run: a kept standby goes on (unless the run failed or was stopped); any
        other serves one conversion and is stopped with it."""
        if not self._done or (self._standby is not None and not self._standby.kept):
            self._stop_standby()

    def __enter__(self) -> Conversion:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Standby:
    """A LibreOffice started ahead of a conversion, with a profile of its own, idle until
    `Conversion` hands it one: `soffice --convert-to` given the same profile passes its request
    over LibreOffice's single-instance pipe and waits for it, and the layout of one table then
    takes a fraction of a second instead of LibreOffice's start. LibreOffice ends after such a
    request when it holds no document; one that is `kept` holds an empty Writer document,
    unseen (`private:factory/swriter`), and goes on serving one conversion after another, each
    in about 0.3 s (`tablegen serve`, save after save). A build's own, which serves one
    conversion, holds none: making that document costs more CPU than it saves (a build after an
    edit took 1.09 times as long with it). `close` stops it and removes its folder.

    Its profile starts from `seed` (`pack_profile`, a profile the same LibreOffice wrote) when
    there is one: LibreOffice then skips its first start's set-up and restart (a sixth of the
    time it takes to start and lay out one table)."""

    def __init__(self, kept: bool = False, seed: bytes | None = None) -> None:
        program = soffice()
        if program is None:
            raise FileNotFoundError("soffice")
        self._stack = ExitStack()
        self.profile = self._stack.enter_context(tempdirs.office_profile())
        self.seeded = seed is not None and unpack_profile(seed, self.profile)
        try:
            self.process = subprocess.Popen(
                [program, f"-env:UserInstallation={tempdirs.profile_url(self.profile)}",
                 "--headless", "--norestore", "--invisible",
                 *(["private:factory/swriter"] if kept else [])],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env=dict(os.environ, TMPDIR=str(self.profile)))
        except BaseException:
            self._stack.close()
            raise
        self.kept = kept
        self.uses = 0  # conversions handed to it

    def ready(self) -> bool:
        """Whether it runs and listens for a request. A request sent while it still starts
        waits until it has; on its first start LibreOffice restarts once, and its pipe is
        gone for a moment (`wait_ready`)."""
        return self.process.poll() is None and tempdirs.office_listens(self.profile)

    def wait_ready(self, timeout: float = STANDBY_WAIT) -> bool:
        """`ready`, waited for while it runs (a few tenths of a second after its start or
        restart), at most `timeout` seconds; False when it has ended."""
        deadline = time.monotonic() + timeout
        while not self.ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def settle(self, timeout: float = STANDBY_WAIT) -> bool:
        """`wait_ready`, then until LibreOffice has finished starting (its CPU time still for
        a fifth of a second): its Writer document is made, and it will outlive a request.
        A request handed to it sooner is served as well, but LibreOffice may end after it."""
        deadline = time.monotonic() + timeout
        if not self.wait_ready(timeout):
            return False
        used = tempdirs.office_cpu(self.profile)
        while time.monotonic() < deadline:
            time.sleep(0.2)
            now = tempdirs.office_cpu(self.profile)
            if now == used:
                return self.ready()
            used = now
        return False

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self._stack.close()  # soffice.bin too, which outlives its killed launcher
        self.process.wait()


class Offices:
    """At most one `Standby`, for the conversion of a build, or `kept` for the conversions of
    every save (`tablegen serve`): `lend` hands it to a conversion while it runs, `refill`
    starts another when there is none, it has ended (a build's ends after its conversion), or
    it has served STANDBY_USES conversions. Nothing runs when LibreOffice is not installed.
    Each starts from the profile the build cache in `seeds` keeps, when it keeps one."""

    def __init__(self, kept: bool = False, seeds: Path | None = None) -> None:
        self.kept = kept
        self.seeds = seeds
        self._standby: Standby | None = None
        self._lock = threading.Lock()
        atexit.register(self.close)  # whoever forgets it, the LibreOffice goes with Python

    def lend(self) -> Standby | None:
        """The standby for one conversion; None (and one that ended cleared away) when there
        is none that runs. A `kept` one stays here for the next; another is handed over (it
        serves one conversion, which stops it after)."""
        with self._lock:
            standby = self._standby
            if standby is not None and standby.process.poll() is not None:
                standby.close()
                self._standby = standby = None
            if not self.kept:
                self._standby = None
            return standby

    def refill(self) -> None:
        with self._lock:
            old = self._standby
            if old is not None and (old.process.poll() is not None or old.uses >= STANDBY_USES):
                old.close()
                self._standby = None
            if self._standby is None and soffice() is not None:
                key = profile_key() if self.seeds is not None else None
                seed = Cache.peek(self.seeds, SEED, key) if self.seeds is not None and key else None
                try:
                    self._standby = Standby(self.kept, seed)
                except OSError as exc:
                    log.debug("LibreOffice 无法预先启动：%s", os_reason(exc))

    def close(self) -> None:
        atexit.unregister(self.close)
        with self._lock:
            standby, self._standby = self._standby, None
        if standby is not None:
            standby.close()


def prepare(toc_pages: bool | None, cache_root: Path | None = None) -> Offices | None:
    """A LibreOffice started as the build begins, when the 目录 is to be measured: it starts
    while the books are read (from the profile the build cache in `cache_root` keeps), and
    the layout of what changed is handed to it."""
    if toc_pages is False or soffice() is None:
        return None
    offices = Offices(seeds=cache_root)
    offices.refill()
    return offices


def profile_key() -> str | None:
    """What a profile LibreOffice writes depends on: the installed LibreOffice (its program's
    real path and its version file, `program/versionrc`); None without LibreOffice."""
    program = soffice()
    if program is None:
        return None
    real = Path(os.path.realpath(program))
    try:
        version = (real.parent / "versionrc").read_bytes()
    except OSError:
        version = b""
    return digest(SEED, str(real), version)


def pack_profile(profile: Path) -> bytes | None:
    """The `user/` folder of a LibreOffice profile as a tar archive (its files and folders,
    nothing else); None when there is none."""
    user = profile / "user"
    if not user.is_dir() or user.is_symlink():
        return None
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        tar.add(user, arcname="user",
                filter=lambda info: info if info.isfile() or info.isdir() else None)
    return out.getvalue()


def unpack_profile(data: bytes, profile: Path) -> bool:
    """`pack_profile`'s archive unpacked into a new profile's folder; False (and nothing left
    of it) when it is not such an archive: only plain files and folders under `user/` are
    unpacked, never a link or a path that leaves the folder (tarfile's `data` filter)."""
    if not hasattr(tarfile, "data_filter"):  # Python before 3.11.4: no seed
        return False
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
            members = tar.getmembers()
            if not members or any(
                    not (m.isfile() or m.isdir()) or m.name.split("/")[0] != "user"
                    for m in members):
                return False
            tar.extractall(profile, members=members, filter="data")
    except (tarfile.TarError, OSError, ValueError) as exc:
        log.debug("LibreOffice 配置文件夹的缓存无法使用：%s", exc)
        shutil.rmtree(profile / "user", ignore_errors=True)
        return False
    return True


def _unread() -> tuple[type[BaseException], ...]:
    """What a failed LibreOffice run or an unreadable PDF raises. An `except` evaluates this only
    when something was raised, so pypdf (a quarter of a second to import) is loaded only then:
    a build with nothing to do never loads it."""
    from pypdf.errors import PyPdfError

    return (OSError, subprocess.SubprocessError, PyPdfError)


def failure(exc: BaseException) -> str:
    """Why LibreOffice gave no layout, in Chinese (never the subprocess module's English)."""
    if isinstance(exc, subprocess.TimeoutExpired):
        return f"LibreOffice 在 {TIMEOUT} 秒内没有完成"
    if isinstance(exc, subprocess.CalledProcessError):
        code = exc.returncode
        number = -code if code < 0 else code - 128 if code > 128 else 0
        try:
            name = f"，{signal.Signals(number).name} 信号" if number else ""
        except ValueError:
            name = ""
        what = "崩溃了" if number else "出错退出"
        return f"LibreOffice {what}（退出码 {code}{name}）"
    if isinstance(exc, FileNotFoundError) and exc.filename and str(exc.filename).endswith(".pdf"):
        return "LibreOffice 没有生成 PDF"
    if isinstance(exc, OSError):
        return f"无法运行 LibreOffice（{os_reason(exc)}）"
    return "LibreOffice 生成的 PDF 无法读取"


def page_texts(pdf: Path) -> list[str]:
    """The letters and digits of every page: headings may wrap, punctuation may come out of order."""
    from pypdf import PdfReader

    return [_key(page.extract_text() or "") for page in PdfReader(pdf).pages]


def layout_texts(pdf: Path) -> list[str]:
    """`page_texts` of LibreOffice's PDF, by poppler's pdftotext in the order the PDF draws its
    text when it is installed (5 times faster than pypdf on a book), else by pypdf."""
    program = shutil.which("pdftotext")
    if program is not None:
        try:
            out = subprocess.run([program, "-raw", "-enc", "UTF-8", str(pdf), "-"],
                                 check=True, capture_output=True, timeout=TIMEOUT).stdout
        except subprocess.CalledProcessError:
            return page_texts(pdf)  # pypdf tells what it cannot read
        pages = out.decode("utf-8", "replace").split("\f")
        return [_key(text) for text in pages[:-1]]  # each page ends with a form feed
    return page_texts(pdf)


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def find_pages(pages: list[str], headings: list[str]) -> list[int] | None:
    """The 1-based page each heading lands on in the body (the 目录 lists them earlier)."""
    found = []
    for heading in headings:
        key = _key(heading)
        hits = [i for i, text in enumerate(pages, 1) if key in text]
        if not hits:
            return None
        found.append(hits[-1])
    return found


@dataclass(frozen=True)
class Measured:
    """Where LibreOffice put things: each heading's page, each table's grid rows' pages."""

    headings: list[int]
    rows: list[list[int]]


def find_rows(pages: list[str], heading_pages: list[int],
              tables: list[list[str]]) -> list[list[int]] | None:
    """The 1-based page of every grid row, found in order after its table's heading page.

    A row is found by its 三级, 描述 and 指标值 text (rows never break across pages).
    """
    text = "".join(pages)
    ends = list(itertools.accumulate(len(p) for p in pages))
    out = []
    for first, rows in zip(heading_pages, tables, strict=True):
        at = ends[first - 2] if first > 1 else 0
        found = []
        for row in rows:
            at = text.find(_key(row), at)
            if at < 0:
                return None
            found.append(bisect.bisect_right(ends, at) + 1)
            at += len(_key(row))
        out.append(found)
    return out


def layout(docx: bytes, headings: list[str], tables: list[list[str]]) -> Measured | None:
    """Heading and row pages in a LibreOffice layout; None (with a warning) when unavailable."""
    if soffice() is None:
        log.warning("未安装 LibreOffice：DOCX 目录页码为估计值（每表一页；WPS 不会自动更新）。"
                    "要写入真实页码请安装 LibreOffice Writer：apt-get install libreoffice-writer-nogui")
        return None
    with tempdirs.folder("toc") as tmp:
        src = Path(tmp) / "book.docx"
        src.write_bytes(docx)
        try:
            (pdf,) = to_pdf([src], Path(tmp))
            texts = layout_texts(pdf)
        except _unread() as exc:
            log.warning("DOCX 目录的页码无法测量：%s；目录中的页码是估计值（按每表一页估算），"
                        "可能与真实页码不同，下次生成时会重新测量", failure(exc))
            return None
    pages = find_pages(texts, headings)
    if pages is None:
        log.warning("LibreOffice 排版结果中找不到全部标题：DOCX 目录中的页码是估计值"
                    "（按每表一页估算），可能与真实页码不同；下次生成时会重新测量")
        return None
    rows = find_rows(texts, pages, tables)
    if rows is None:  # the 目录 is right; the groups stay merged, kept together by Word's rules
        log.warning("LibreOffice 排版结果中找不到全部指标行：跨页的一级指标不重复标签")
        rows = [[p] * len(t) for p, t in zip(pages, tables, strict=True)]
    return Measured(pages, rows)


@dataclass(frozen=True)
class Piece:
    """A part of a book laid out alone: the front matter (no headings) or one table, whose
    first heading starts a page, in a DOCX of its own."""

    key: str
    docx: Callable[[], bytes]
    headings: list[str]
    tables: list[list[str]]


@dataclass(frozen=True)
class Laid:
    """A piece's layout: its page count, and its headings' and rows' pages counted from 1."""

    pages: int
    measured: Measured


class Failed(Exception):
    """LibreOffice gave no layout (the warning is logged): the book's pages are estimates."""


def _piece_key(piece: Piece) -> str:
    return digest("toc-piece", piece.key, json.dumps([piece.headings, piece.tables],
                                                      ensure_ascii=False), soffice() or "")


def _laid(cached: object, piece: Piece) -> Laid | None:
    if not isinstance(cached, dict) or not isinstance(cached.get("pages"), int):
        return None
    headings, rows = cached.get("headings", ()), cached.get("rows", ())
    if not isinstance(headings, list) or not isinstance(rows, list) or (
            len(headings) != len(piece.headings) or len(rows) != len(piece.tables)):
        return None
    return Laid(cached["pages"], Measured([int(p) for p in headings],
                                          [[int(p) for p in r] for r in rows]))


def _measure_piece(texts: list[str], piece: Piece) -> Laid | None:
    """A piece's layout from its PDF's page texts; None unless its first heading opens page 1."""
    pages = find_pages(texts, piece.headings)
    if pages is None or (pages and pages[0] != 1):
        return None
    rows = find_rows(texts, pages, piece.tables)
    if rows is None:
        log.warning("LibreOffice 排版结果中找不到全部指标行：跨页的一级指标不重复标签")
        rows = [[p] * len(t) for p, t in zip(pages, piece.tables, strict=True)]
    return Laid(len(texts), Measured(pages, rows))


# LibreOffice takes about 0.2 s more a file in one run, but a book only about 0.05 s more a
# table: when more than a quarter of the parts are not cached (a first build), the whole book is
# laid out once and cut into its parts' layouts.
WHOLE_OVER = 4


def _unmeasured(exc: BaseException) -> Failed:
    log.warning("DOCX 目录的页码无法测量：%s；目录中的页码是估计值（按每表一页估算），"
                "可能与真实页码不同，下次生成时会重新测量", failure(exc))
    return Failed()


class _Started:
    """These DOCX laid out by one LibreOffice run that goes on while the build does other
    work; `texts` waits for their page texts (`Failed`, warned, when LibreOffice fails)."""

    def __init__(self, docs: list[bytes], offices: Offices | None = None,
                 keep_profile: bool = False):
        self._stack = ExitStack()
        self.profile_seed: bytes | None = None
        tmp = self._stack.enter_context(tempdirs.folder("toc"))
        try:
            sources = []
            for n, data in enumerate(docs):
                sources.append(tmp / f"{n}.docx")
                sources[-1].write_bytes(data)
            standby = offices.lend() if offices is not None else None
            self._run = self._stack.enter_context(
                Conversion(sources, tmp, standby, keep_profile))
        except OSError as exc:
            self._stack.close()
            raise _unmeasured(exc) from exc
        except BaseException:
            self._stack.close()
            raise

    def texts(self) -> list[list[str]]:
        try:
            pdfs = self._run.wait()
            self.profile_seed = self._run.profile_seed
            return [layout_texts(pdf) for pdf in pdfs]
        except _unread() as exc:
            raise _unmeasured(exc) from exc
        finally:
            self.close()

    def close(self) -> None:
        self._stack.close()


def _convert(docs: list[bytes]) -> list[list[str]]:
    """The page texts of these DOCX, laid out by one LibreOffice run; `Failed` (warned) else."""
    return _Started(docs).texts()


def _cut(texts: list[str], pieces: list[Piece]) -> list[Laid] | None:
    """The pieces' layouts from the whole book's (every piece but the first opens with a
    heading atop a page); None when a heading is not found."""
    headings = [h for p in pieces for h in p.headings]
    pages = find_pages(texts, headings)
    if pages is None or any(not p.headings for p in pieces[1:]):
        return None
    rows = find_rows(texts, pages, [t for p in pieces for t in p.tables])
    if rows is None:
        log.warning("LibreOffice 排版结果中找不到全部指标行：跨页的一级指标不重复标签")
        rows = [[p] * len(t) for p, t in zip(pages, [t for p in pieces for t in p.tables],
                                              strict=True)]
    heads, tables = iter(pages), iter(rows)
    parts = [([next(heads) for _ in p.headings], [next(tables) for _ in p.tables]) for p in pieces]
    starts = [1] + [h[0] for h, _ in parts[1:]] + [len(texts) + 1]
    if any(b <= a for a, b in itertools.pairwise(starts)):
        return None
    return [Laid(end - start, Measured([h - start + 1 for h in hs],
                                       [[r - start + 1 for r in rs] for rs in rows_]))
            for (hs, rows_), start, end in zip(parts, starts, starts[1:], strict=False)]


def layout_pieces(pieces: list[Piece], store: Cache,
                  whole: Callable[[], bytes] | None = None) -> list[Laid] | None:
    """Each piece's layout, cached by its content; the pieces not in the cache are converted
    by one LibreOffice run, or, when most are not (see WHOLE_OVER), the `whole` book they make.
    None when a piece's layout cannot stand for its part of the book (its heading not atop its
    first page); `Failed` when LibreOffice fails (nothing cached)."""
    return PiecesLayout(pieces, store, whole).result()


class PiecesLayout:
    """`layout_pieces` in two steps: made, it starts LibreOffice on what the cache lacks;
    `result` waits for it. `close` stops a run whose result is no longer wanted."""

    def __init__(self, pieces: list[Piece], store: Cache,
                 whole: Callable[[], bytes] | None = None, offices: Offices | None = None):
        self.pieces, self.store = pieces, store
        self.keys = [_piece_key(p) for p in pieces]
        self.out = [_laid(store.get_json("toc", k), p)
                    for k, p in zip(self.keys, pieces, strict=True)]
        self.todo = [i for i, laid in enumerate(self.out) if laid is None]
        self.whole = bool(self.todo) and whole is not None and (
            len(self.todo) * WHOLE_OVER > len(pieces))
        self.run: _Started | None = None
        # LibreOffice's profile, kept once in the cache: each later run starts from it.
        runs = self.whole or bool(self.todo)
        self.profile_key = profile_key() if store.root is not None and runs else None
        keep_profile = (self.profile_key is not None  # else get() marks the kept one used
                        and store.get(SEED, self.profile_key) is None)
        if self.whole:
            assert whole is not None
            self.run = _Started([whole()], offices, keep_profile)
        elif self.todo:
            self.run = _Started([pieces[i].docx() for i in self.todo], offices, keep_profile)

    def result(self) -> list[Laid] | None:
        out, pieces = self.out, self.pieces
        if self.run is None:
            return [laid for laid in out if laid is not None]
        texts = self.run.texts()
        if self.run.profile_seed is not None and self.profile_key is not None:
            self.store.put(SEED, self.profile_key, self.run.profile_seed)
        if self.whole:
            cut = _cut(texts[0], pieces)
            if cut is None:
                return None
            fresh = dict(zip(self.todo, (cut[i] for i in self.todo), strict=True))
        else:
            fresh = {}
            for i, text in zip(self.todo, texts, strict=True):
                laid = _measure_piece(text, pieces[i])
                if laid is None:
                    return None
                fresh[i] = laid
        for i, laid in fresh.items():
            out[i] = laid
            self.store.put_json("toc", self.keys[i], {
                "pages": laid.pages, "headings": laid.measured.headings,
                "rows": laid.measured.rows})
        return [laid for laid in out if laid is not None]

    def close(self) -> None:
        if self.run is not None:
            self.run.close()


def book_layout(laid: list[Laid]) -> Measured:
    """The book's headings' and rows' pages: each piece starts a page after the pieces before."""
    headings: list[int] = []
    rows: list[list[int]] = []
    before = 0
    for piece in laid:
        headings += [before + p for p in piece.measured.headings]
        rows += [[before + p for p in r] for r in piece.measured.rows]
        before += piece.pages
    return Measured(headings, rows)


def layout_cached(docx: bytes, headings: list[str], tables: list[list[str]],
                  store: Cache) -> Measured | None:
    """`layout`, once per content: the pages are cached under the hash of the DOCX."""
    key = digest("toc", docx, json.dumps([headings, tables], ensure_ascii=False),
                 soffice() or "")
    cached = store.get_json("toc", key)
    if (isinstance(cached, dict) and len(cached.get("headings", ())) == len(headings)
            and len(cached.get("rows", ())) == len(tables)):
        return Measured([int(p) for p in cached["headings"]],
                        [[int(p) for p in rows] for rows in cached["rows"]])
    measured = layout(docx, headings, tables)
    if measured is not None:
        store.put_json("toc", key, {"headings": measured.headings, "rows": measured.rows})
    return measured
