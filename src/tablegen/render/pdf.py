"""PDF output through WeasyPrint, from the same templates as the HTML.

WeasyPrint spends its time laying out tables, so each table is laid out once per content: the
tables the cache does not hold are laid out in chunks, in parallel processes (one per core: the
worker started with the build and siblings it forks, `pdf_worker`), each chunk cut into one run
of pages per table (`pdf_layout`, `pdf_pages`) and cached under the hash of the table's own
HTML; the workers join each table's own PDF as well. What needs the whole book comes after,
when every table's pages are known: the 目录 with the real page numbers (handed out as soon as
every chunk has told its page counts, while the last chunks are drawn) and the page-number
stamps (made from a template laid out once, `pdf_stamps`; cached), then the join (`pdf_join`:
qpdf, the outline, one subset per font file). A 一级/二级 group that a page break cuts is split
there, its label repeated on the next page (`pdf_layout.split_in_place`).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from .. import tempdirs
from ..cache import Cache, digest, folder_digest, versions
from ..document import Document, Group, Page, split_spans
from ..errors import RenderError
from ..load.glyphs import fallback_font
from . import html as html_engine
from . import pdf_fonts
from .context import RenderContext
from .fonts import font_face_css
from .pdf_jobs import Counted, Job, Laid
from .pdf_join import Entry, glyphs_shown, join
from .pdf_join import Page as JoinPage
from .pdf_pages import Pages
from .pdf_stamps import FIRST, Template
from .pdf_worker import Pool, Worker, answering, give_back, tell

TABLES_PER_CHUNK = 25
STAMPS = 32  # page-number stamps laid out together (and cached) in blocks of this many
FRONT_ENTRIES_PER_TABLE = 20  # the 目录 takes a table's layout time for this many entries
log = logging.getLogger("tablegen")
FOOTER = """
@page {{ size: {size}; margin: {margin};
        @bottom-center {{ content: "— " counter(page) " —"; font-size: {footer};
                         font-family: "Noto Serif CJK SC", "tablegen-fallback", serif; }} }}
"""


def footer_css(page: Page) -> str:
    """The page-number stamps' CSS: the kind's page size and margins, a footer `— N —`."""
    return FOOTER.format(size=page.size, margin=page.margin, footer=page.footer_size)


FOOTER_CSS = footer_css(Page())


@dataclass(frozen=True)
class Single:
    """A table's own PDF, joined in the worker that lays the table out."""

    title: str
    info: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Task:
    """A layout for a worker, and the tables' own PDFs to join from it (per run; None: none)."""

    job: Job
    singles: tuple[Single | None, ...] = ()
    stamps: Job | None = None  # the first block of stamps, which those PDFs need
    stamps_laid: bytes | None = None  # that block when the build had it
    template: Job | None = None  # the stamps' template, which makes that block (`pdf_stamps`)
    counted: bool = False  # tell the page counts once laid out, before drawing (`Counted`)


@dataclass
class Done:
    """What a worker gives back: the layout, each run's own PDF, the first block of stamps
    and the template it made them from, where it made them."""

    laid: Laid
    singles: list[bytes | None]
    stamps: bytes | None = None
    template: bytes | None = None


# A worker's first block of stamps and its template, made once per process.
_STAMPS: dict[tuple[Job | None, Job | None], tuple[bytes, bytes | None]] = {}


@dataclass
class Plan:
    """A document's tables: their groups and cache keys by number, the pages and own PDFs the
    cache held, what it lacks, and how that is to be laid out (`PdfRenderer.plan`)."""

    groups: dict[int, Group]
    keys: dict[int, str]
    runs: dict[int, Pages] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    missing_files: list[Any] = field(default_factory=list)  # pages cached, own PDF not
    missing: list[Any] = field(default_factory=list)  # not laid out
    first: Job | None = None  # the first block of stamps, which the tables' own PDFs need
    block: bytes | None = None  # that block when the cache had it
    chunks: list[list[Group]] = field(default_factory=list)
    sent: Callable[[], Done] | None = None  # the lone layout, in the worker's hands


def layout(job: Job, told: Callable[[Counted], None] | None = None) -> Laid:
    """`pdf_layout.layout`, loaded where a layout runs: a build whose layouts all run in the
    worker started with it (`pdf_worker`), or come from the cache, never loads WeasyPrint."""
    from .pdf_layout import layout as lay_out

    return lay_out(job, told)


def warm() -> None:
    """What the worker loads as it starts (`pdf_worker.WARM`), before the build's first call
    comes: this module (the calls are its functions), WeasyPrint and the fonts' set-up. The
    build starts it before it loads the modules that read the books (`tablegen.build`): the
    worker loads this module's meanwhile."""
    from .pdf_layout import process_fonts

    process_fonts()


def _load_layout() -> None:
    """WeasyPrint loaded here before a pool of workers forks: they share it, instead of each
    loading it again."""
    from . import pdf_layout  # noqa: F401


def _work(task: Task, worker: Worker | None) -> Done:
    """`work` in the worker started with the build, or here without one."""
    return worker.run(work, task) if worker is not None else work(task)


def work(task: Task) -> Done:
    """Lay a task out and join its tables' own PDFs (runs in a worker process)."""
    laid = layout(task.job, tell if task.counted else None)
    singles: list[bytes | None] = [None] * len(laid.runs)
    made: tuple[bytes, bytes | None] | None = None
    if any(task.singles):
        if task.stamps_laid is not None:
            block = task.stamps_laid
        else:
            if (task.template, task.stamps) not in _STAMPS:  # else made by the prime
                _STAMPS[task.template, task.stamps] = made = first_stamps(task.template, task.stamps)
            block = _STAMPS[task.template, task.stamps][0]
        stamps = Pages.load(block)
        made_here: dict[int, tuple[list[JoinPage], Single]] = {}
        for i, single in enumerate(task.singles):
            run = Pages.load(laid.runs[i])
            # A table longer than the block is left to the engine, which has every block.
            if single is not None and i not in laid.unsplit and run.count <= stamps.count:
                made_here[i] = single_pages(run, [(stamps, k) for k in range(run.count)]), single
        for i, data in zip(made_here, single_pdfs(list(made_here.values()), Cache(None)),
                           strict=True):
            singles[i] = data
    if multiprocessing.parent_process() is not None and not answering():
        give_back()  # a pool's worker forked here: it waits for its next task (see give_back)
    return Done(laid, singles, *(made or (None, None)))


def prime(jobs: tuple[Job, Job]) -> tuple[bytes, bytes | None]:
    """The pool's prime (`Workers.start`): the first block of stamps and the template (`jobs`)
    it is made from, made and kept in the worker; its first layout loads the fonts. The calls'
    processes, forked from it, find them made."""
    if jobs not in _STAMPS:
        _STAMPS[jobs] = first_stamps(*jobs)
    return _STAMPS[jobs]


def first_stamps(template_job: Job | None, stamps: Job | None) -> tuple[bytes, bytes | None]:
    """The first block of stamps, made from the template (laid out here), or laid out where
    the template cannot make it; and the template."""
    template = layout(template_job).runs[0] if template_job is not None else None
    stamper = Template.read(Pages.load(template)) if template is not None else None
    if stamper is not None:
        return stamper.block(1, STAMPS).dump(), template
    assert stamps is not None
    return layout(stamps).runs[0], template


def single_pages(run: Pages, stamps: Sequence[tuple[Pages, int]]) -> list[JoinPage]:
    """A table's own pages, numbered from 1 (`stamps`: one a page)."""
    return [JoinPage(run, i, stamp) for i, stamp in zip(range(run.count), stamps, strict=True)]


def single_pdfs(tables: Sequence[tuple[Sequence[JoinPage], Single]], store: Cache) -> list[bytes]:
    """Tables' own PDFs, each of its pages, one outline entry and its heading as title. Made
    together, their font subsets are made from the fonts narrowed to what they all show
    (`pdf_fonts.Narrowed`: the same bytes, in a third of the time)."""
    shown: dict[str, set[int]] = {}
    if len(tables) > 2:
        for pages, _ in tables:
            for program, glyphs in glyphs_shown(pages).items():
                shown.setdefault(program, set()).update(glyphs)
    narrowed = pdf_fonts.Narrowed(shown) if shown else None
    return [join(pages, [Entry(single.title, 0)], dict(single.info), store, narrowed)
            for pages, single in tables]


class Workers:
    """The processes that lay out a document's tasks in parallel, one per core, used by each
    parallel step of the document (the tables, the stamps beside the 目录, a table laid out
    again, the 目录), ended by `close`: the worker started with the build (`pdf_worker`) and
    siblings it forks once it has made the first block of stamps (`start`), each task laid out
    in a process forked for it from one of them. They are warm at once, and this process
    never loads WeasyPrint: it only hands tasks out.

    Without that worker (no fork, or a build that expected nothing to lay out) a pool is forked
    from this process, with WeasyPrint loaded first so that its processes share it; what this
    process holds then is frozen out of the garbage collector, so that the workers' collections
    do not walk it again. With one core, tasks are laid out here, when their result is asked
    for."""

    def __init__(self, worker: Worker | None = None):
        self.worker = worker
        self.pool: Pool | None = None
        self.executor: ProcessPoolExecutor | None = None

    def start(self, stamps: tuple[Job, Job]) -> None:
        """The pool begun before its first task, with the worker started with the build: the
        worker first makes the first block of stamps from their template (`stamps`: the jobs of
        both, `prime`) and keeps them, then forks its siblings; every process that lays out a
        task then starts with the fonts loaded and that block made. Without that worker or a
        second core: nothing."""
        cores = os.cpu_count() or 1
        if self.worker is not None and self.pool is None and cores > 1:
            self.pool = Pool(self.worker, cores, prime=(prime, stamps))

    def primed(self) -> tuple[bytes, bytes | None] | None:
        """The first block of stamps and its template that the pool's prime made (waits for
        them); None without a primed pool, or where the prime failed."""
        made: tuple[bytes, bytes | None] | None = (self.pool.primed() if self.pool is not None
                                                   else None)
        return made

    def submit(self, task: Task, told: Callable[[Counted], None] | None = None,
               first: bool = False) -> Callable[[], Done]:
        """The task handed out (`first`: before those waiting); call what comes back for its
        result (waits). `told` hears its page counts before its result, if the processes tell
        them (`Task.counted`) and while the build waits for any result."""
        cores = os.cpu_count() or 1
        if cores <= 1:
            return lambda: work(task)
        if self.worker is not None:
            if self.pool is None:
                self.pool = Pool(self.worker, cores)
            return self.pool.submit(work, task, told=told, first=first)
        if self.executor is None:
            _load_layout()
            context = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
            self.executor = ProcessPoolExecutor(max_workers=cores, mp_context=context)
        gc.freeze()  # the pool forks its processes at its first task
        try:
            future: Future[Done] = self.executor.submit(work, task)
        finally:
            gc.unfreeze()
        return future.result

    def run(self, task: Task) -> Done:
        """One task, waited for: in the pool when there is one, else in the worker started
        with the build, else here."""
        if self.pool is not None:
            return self.pool.submit(work, task)()
        return _work(task, self.worker)

    def map(self, tasks: Iterable[Task], count: int,
            done: Callable[[int, Done], None] = lambda i, result: None,
            then: Callable[[], None] = lambda: None,
            told: Callable[[int, Counted], None] | None = None) -> list[Done]:
        """`count` tasks laid out in parallel, their results in order; `done(i)` as task i
        comes back; `then()` once all are handed out (more tasks, to follow them); `told(i)`
        as task i tells its page counts (see `submit`). A lone task goes to the pool when there
        is one, else the worker started with the build, or runs here."""
        if count <= 1 or (os.cpu_count() or 1) <= 1:
            out = []
            for i, task in enumerate(tasks):
                out.append(self.run(task))
                done(i, out[-1])
            then()
            return out
        pending = [self.submit(task, None if told is None else partial(told, i))
                   for i, task in enumerate(tasks)]
        then()
        out = []
        for i, result in enumerate(pending):
            out.append(result())
            done(i, out[-1])
        return out

    def close(self) -> None:
        if self.pool is not None:
            self.pool = None
            if self.worker is not None:  # it stops its siblings
                self.worker.close()
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
            # The workers have ended: a folder one of them made just as a Ctrl-C or kill reached
            # it, before its own clean-up could take it over, goes now.
            tempdirs.remove_orphans()


class PdfRenderer:
    """Lays out one document (each table once per content, through the cache) and joins it."""

    def __init__(self, doc: Document, ctx: RenderContext):
        self.doc = doc
        self.tick = ctx.tick
        self.store: Cache = ctx.cache
        # The worker started with the build, unless an earlier document's pool has ended it.
        worker: Worker | None = ctx.prepared.get("pdf")
        self.worker = worker if worker is not None and not worker.closed else None
        self.workers = Workers(self.worker)
        self._stamping: dict[int, Callable[[], Done]] = {}  # blocks handed to the workers
        self.env = html_engine.environment(doc, ctx.templates, ctx.cache)
        folders = ctx.templates.folders(doc.kind, "html")
        if not folders:
            raise RenderError(f"找不到模板文件夹 {doc.kind}/ 或 html/")
        self.base_url = folders[0].as_uri() + "/"
        font = fallback_font()
        self.allowed = tuple(str(f) for f in folders) + ((str(font),) if font else ())
        self.css = font_face_css()
        self.fonts = tuple(pdf_fonts.known_fonts())
        # What every layout depends on besides its own HTML and CSS.
        self.base_key = digest(versions(), folder_digest(folders), pdf_fonts.fonts_digest(),
                               self.base_url)
        stamp = doc.timestamp.strftime("D:%Y%m%d%H%M%SZ")
        self.info = {"Author": doc.author, "Creator": "tablegen", "Producer": "tablegen",
                     "CreationDate": stamp, "ModDate": stamp}
        # A table's pages are kept under its content (`Document.table_key`) and the template
        # files, not under its HTML (which would be rendered for every table of every build),
        # unless a template reads the whole document.
        self.by_content = not html_engine.reads_document(self.env)
        self.laid_tables = 0  # tables laid out by this renderer (the rest came from the cache)
        self._blocks: dict[int, bytes] = {}  # stamp blocks of this run (also without a cache)
        self._early: dict[str, Callable[[], Done]] = {}  # the 目录 handed out early, by key
        # The stamps' template (`pdf_stamps`): laid out, read, asked of the workers (or made by
        # the pool's prime), or on its way with the chunks (which make it for the tables' own
        # PDFs, in a pool without a prime).
        self._template: bytes | None = None
        self._stamper: Template | None = None  # None with a template: blocks are laid out
        self._asked: Callable[[], bytes] | None = None  # waits for the template asked for
        self._coming = False
        self._looked = False  # the cache was asked for the template

    def job(self, html: str, extra_css: str = "", starts: tuple[str, ...] = ()) -> Job:
        return Job(html, self.base_url, self.allowed, self.css + extra_css, self.fonts, starts)

    def key(self, job: Job) -> str:
        return digest(self.base_key, job.html, job.css, *job.starts)

    def html(self, mode: str, groups: list[Group] | None = None,
             pages: dict[int, int] | None = None) -> str:
        return html_engine.page(self.doc, self.env, mode, groups, pages)

    def table_key(self, group: Group, table: Any) -> str:
        """What a table's laid-out pages depend on: its content and its agency's label, or,
        with a template that reads the whole document, its own HTML."""
        if self.by_content:
            return digest(self.base_key, "table", self.doc.table_key(table), group.label,
                          self.css)
        return self.key(self.job(self.alone(group, table)))

    def alone(self, group: Group, table: Any) -> str:
        """The body HTML of one table alone (what its cache key hashes)."""
        return self.html("pdf-body", [Group(group.label, [table])])

    def stamp_job(self, first: int, last: int | None = None) -> Job:
        """Stamps `— N —` for the numbers of blocks first … last (STAMPS a block), one a page,
        each block's first page an element id of its own (where its run starts)."""
        last = first if last is None else last
        pages = []
        for b in range(first, last + 1):
            pages += [f'<div id="stamps-{b}"'] + ["<div"] * (STAMPS - 1)
        html = ('<html><body style="margin:0">'
                + "".join(f'{p} style="break-after:page"></div>' for p in pages[:-1])
                + f"{pages[-1]}></div></body></html>")
        reset = f"@page:first {{ counter-reset: page {STAMPS * first + 1}; }}" if first else ""
        return self.job(html, footer_css(self.doc.page) + reset,
                        starts=tuple(f"stamps-{b}" for b in range(first, last + 1)))

    def template_job(self) -> Job:
        """The stamps' template (`pdf_stamps`): two pages, `— 1234567890 —` and the next."""
        html = ('<html><body style="margin:0"><div style="break-after:page"></div><div></div>'
                "</body></html>")
        return self.job(html, footer_css(self.doc.page)
                        + f"@page:first {{ counter-reset: page {FIRST}; }}")

    def keep_template(self, data: bytes, cached: bool = False) -> None:
        """The template laid out (`cached`: as the cache holds it), and what it can make."""
        self._template = data
        self._stamper = Template.read(Pages.load(data))
        if not cached:
            self.store.put("laid", self.key(self.template_job()), data)

    def stamper(self, wait: bool = False) -> Template | None:
        """What makes stamps from the template, once it is laid out (held by the cache, come
        back with a chunk, or, with `wait`, the layout asked for); None before, or where the
        template cannot make them."""
        if self._template is None and not self._looked:
            self._looked = True
            cached = self.store.get("laid", self.key(self.template_job()))
            if cached is not None:
                self.keep_template(cached, cached=True)
        if self._template is None and wait and self._asked is not None:
            asked, self._asked = self._asked, None
            self.keep_template(asked())
        return self._stamper

    def stamp_key(self, block: int) -> str:
        """A block of stamps: what its pages depend on (each page's content is the same
        whichever layout it came from)."""
        return digest(self.base_key, "stamps", str(STAMPS), str(block), self.css,
                      footer_css(self.doc.page))

    def single(self, table: Any) -> Single | None:
        if self.doc.table_file(table) is None:
            return None
        return Single(table.heading, tuple(sorted({**self.info, "Title": table.heading}.items())))

    def single_key(self, table_key: str, table: Any) -> str:
        """What a table's own PDF depends on: its pages, its heading, the document's dates."""
        single = self.single(table)
        return digest(self.base_key, table_key, repr(single), footer_css(self.doc.page))

    def chunks(self, wanted: set[int], tail: int = 0) -> list[list[Group]]:
        """The document's groups (their `wanted` tables) cut into chunks of at most
        TABLES_PER_CHUNK tables (but the last round's, below), as many chunks as a multiple of
        the cores and as even as can be (the workers end together: 110 tables on 2 cores are 6
        chunks of 18 or 19, not 4 of 25 and one of 10, which one core would lay out while the
        other waits).

        `tail`: what is laid out once every chunk is (the 目录), as many tables' time. The last
        chunk gives that much, less a core's share, to the others of the last round (at most
        half of it): its process ends first and lays the tail out while the others end theirs,
        instead of all ending together and one core alone laying the tail out."""
        groups = [Group(g.label, [t for t in g.tables if t.number in wanted])
                  for g in self.doc.groups]
        n = sum(len(g.tables) for g in groups)
        cores = os.cpu_count() or 1
        count = -(-n // TABLES_PER_CHUNK)
        count = min(n, -(-count // cores) * cores)
        sizes = [n // count + (1 if k < n % count else 0) for k in range(count)] if n else []
        if cores > 1 and count >= cores:
            given = min(round(tail * (cores - 1) / cores), sizes[-1] // 2)
            for k in range(given):  # one at a time to the others of the last round
                sizes[count - cores + k % (cores - 1)] += 1
            sizes[-1] -= given
        out: list[list[Group]] = []
        left = 0  # tables still to go into the current chunk
        last = -1  # the group the current chunk's last group comes from
        for i, g in enumerate(groups):
            for t in g.tables:
                if left == 0:
                    out.append([])
                    left = sizes[len(out) - 1]
                if not out[-1] or last != i:
                    out[-1].append(Group(g.label, []))
                    last = i
                out[-1][-1].tables.append(t)
                left -= 1
        return out

    def laid(self, job: Job) -> Pages:
        """A layout of one run (the 目录), from the cache, from the workers if handed to them
        before (`front_early`), or laid out now."""
        key = self.key(job)
        cached = self.store.get("laid", key)
        if cached is None:
            early = self._early.pop(key, None)
            cached = (early() if early is not None else self.workers.run(Task(job))).laid.runs[0]
            self.store.put("laid", key, cached)
        return Pages.load(cached)

    def front_job(self, counts: dict[int, int], front_pages: int) -> Job:
        """The 目录 (with the cover) for the tables' page counts, by number, and the pages it
        is guessed to take."""
        pages: dict[int, int] = {}
        total = front_pages
        for t in self.doc.tables:
            pages[t.number] = total + 1
            total += counts[t.number]
        return self.job(self.html("pdf-front", pages=pages))

    def front_early(self, plan: Plan) -> Callable[[int, Counted], None]:
        """What hears each chunk's page counts as its pages are laid out: once every chunk has
        told them, and none has a table to lay out again, the 目录 is handed to the workers
        ahead of the rest, and laid out while the last chunks are drawn."""
        counts = {n: run.count for n, run in plan.runs.items()}
        told: set[int] = set()
        cut = [False]

        def heard(i: int, counted: Counted) -> None:
            tables = [t.number for g in plan.chunks[i] for t in g.tables]
            counts.update(zip(tables, counted.counts, strict=True))
            told.add(i)
            cut[0] = cut[0] or counted.cut
            if len(told) == len(plan.chunks) and not cut[0]:
                job = self.front_job(counts, self.front_guess())
                key = self.key(job)
                if key not in self._early and self.store.get("laid", key) is None:
                    self._early[key] = self.workers.submit(Task(job), first=True)

        return heard

    def plan(self) -> Plan:
        """What the cache holds of the tables' pages and own PDFs, and the layouts it lacks.
        One layout, with the worker started with the build (the table an edit changed), is
        handed to it at once: the build goes on while it is laid out."""
        groups = {t.number: g for g in self.doc.groups for t in g.tables}
        keys = {t.number: self.table_key(groups[t.number], t) for t in self.doc.tables}
        plan = Plan(groups, keys)
        for t in self.doc.tables:
            blob = self.store.get("table", keys[t.number])
            if blob is None:
                continue
            plan.runs[t.number] = Pages.load(blob)
            path = self._path(t)
            if path is not None:
                cached = self.store.get("project-pdf", self.single_key(keys[t.number], t))
                if cached is None:
                    plan.missing_files.append(t)
                else:
                    plan.files[path] = cached
        self.tick(len(plan.runs))
        plan.missing = [t for t in self.doc.tables if t.number not in plan.runs]
        plan.first = self.stamp_job(0)
        plan.block = self.block(0)
        if plan.missing:
            self.laid_tables += len(plan.missing)
            plan.chunks = self.chunks({t.number for t in plan.missing}, self.front_tables())
            worker = self._claim()
            if worker is not None and len(plan.chunks) == 1:
                plan.sent = worker.submit(work, next(self.chunk_tasks(plan)))
            elif worker is not None:
                self.workers.start((self.template_job(), plan.first))
                self._asked = self._primed_template
        return plan

    def _claim(self) -> Worker | None:
        """The worker started with the build, for this document alone until it ends (a
        document's pool ends it), unless another document begun before has it: that one's
        pool, its prime and its calls must be the only ones on its pipe. Without it, this
        document's layouts go to a pool forked from the build's process (`Workers`)."""
        worker = self.worker
        if worker is not None and not worker.closed and worker.holder in (None, self):
            worker.holder = self
            return worker
        self.worker = self.workers.worker = None
        return None

    def _primed_template(self) -> bytes:
        """The stamps' template laid out by the pool's prime, or now where it could not be."""
        primed = self.workers.primed()
        if primed is not None and primed[1] is not None:
            return primed[1]
        return self.workers.run(Task(self.template_job())).laid.runs[0]

    def chunk_tasks(self, plan: Plan) -> Iterator[Task]:
        """The layouts of the plan's chunks, made as they are handed out."""
        for chunk in plan.chunks:
            tables = [t for g in chunk for t in g.tables]
            job = self.job(self.html("pdf-body", chunk), starts=tuple(t.anchor for t in tables))
            singles = tuple(self.single(t) for t in tables)
            self._coming = self._coming or (plan.block is None and any(singles))
            yield Task(job, singles, plan.first, plan.block, counted=True,
                       template=self.template_job() if plan.block is None else None)

    def body(self, plan: Plan) -> tuple[dict[int, Pages], dict[str, bytes]]:
        """Each table's pages (from the cache, else laid out in parallel) and the tables' own
        PDFs by path."""
        groups, keys, runs, files = plan.groups, plan.keys, plan.runs, plan.files
        chunks, first, block = plan.chunks, plan.first, plan.block
        if plan.missing:
            if plan.sent is not None:
                results = [plan.sent()]
                self.tick(len(plan.missing))
            else:
                results = self.workers.map(self.chunk_tasks(plan), len(chunks),
                                           *self._stamping_beside(plan),
                                           told=self.front_early(plan))
            redo: list[Any] = []
            primed = self.workers.primed()  # the first block and the template, made once
            if primed is not None and block is None:
                block = self._blocks[0] = primed[0]
                self.store.put("laid", self.stamp_key(0), block)
            if primed is not None and primed[1] is not None and self._template is None:
                self.keep_template(primed[1])
            self._coming = False
            for chunk, result in zip(chunks, results, strict=True):
                if result.template is not None and self._template is None:
                    self.keep_template(result.template)
                if result.stamps is not None and block is None:
                    block = result.stamps
                    self._blocks[0] = block
                    self.store.put("laid", self.stamp_key(0), block)
                tables = [t for g in chunk for t in g.tables]
                for i, t in enumerate(tables):
                    if i in result.laid.unsplit:
                        cut = set(result.laid.unsplit[i])
                        redo.append(replace_rows(t, split_spans(t.rows, cut)))
                        continue
                    self._keep(t, keys[t.number], result.laid.runs[i], result.singles[i], runs, files)
            if redo:  # a cut span that could not be repeated in place: laid out again, cut
                tasks = [Task(self.job(self.alone(groups[t.number], t), starts=(t.anchor,)),
                              (self.single(t),), first, block,
                              template=self.template_job() if block is None else None)
                         for t in redo]
                for t, result in zip(redo, self.workers.map(tasks, len(tasks)), strict=True):
                    self._keep(t, keys[t.number], result.laid.runs[0], result.singles[0], runs, files)
        missing_files = plan.missing_files + [
            t for t in plan.missing if self._path(t) is not None and self._path(t) not in files]
        if missing_files:
            stamps = self.stamps(max(runs[t.number].count for t in missing_files))
            tables = []
            for t in missing_files:
                single = self.single(t)
                assert single is not None
                tables.append((single_pages(runs[t.number], stamps[:runs[t.number].count]), single))
            for t, data in zip(missing_files, single_pdfs(tables, self.store), strict=True):
                self.store.put("project-pdf", self.single_key(keys[t.number], t), data)
                files[str(self._path(t))] = data
        return runs, files

    def _stamping_beside(self, plan: Plan) -> tuple[Callable[[int, Done], None],
                                                     Callable[[], None]]:
        """What `Workers.map` calls as each chunk comes back, and once all are handed out: the
        progress, and the book's stamps handed to the workers after the tables (a worker done
        with its last chunk lays them out while another ends its own), as many as the pages the
        book will have, as far as the chunks laid out so far tell (the workers make the first
        block, for the tables' own PDFs)."""
        first_block = 1 if any(self.single(t) for t in plan.missing) else 0
        known = sum(r.count for r in plan.runs.values()) + self.front_guess()
        seen = [0, 0]  # tables and pages of the chunks come back

        def guess() -> None:
            tables, pages = seen
            rest = len(plan.missing) - tables
            estimate = known + pages + (rest * pages // tables if tables else rest)
            for b in range(first_block, -(-estimate // STAMPS)):
                self.stamp(b)

        def back(i: int, result: Done) -> None:
            count = sum(len(g.tables) for g in plan.chunks[i])
            self.tick(count)
            seen[0] += count
            seen[1] += result.laid.pages
            guess()

        return back, guess

    def _path(self, table: Any) -> str | None:
        stem = self.doc.table_file(table)
        return None if stem is None else f"{stem}.pdf"

    def _keep(self, t: Any, key: str, run: bytes, single: bytes | None, runs: dict[int, Pages],
              files: dict[str, bytes]) -> None:
        self.store.put("table", key, run)
        runs[t.number] = Pages.load(run)
        path = self._path(t)
        if path is not None and single is not None:
            self.store.put("project-pdf", self.single_key(key, t), single)
            files[path] = single

    def stamp(self, b: int) -> None:
        """Block b of stamps handed to the workers, unless made or laid out already, or to be
        made from the template; while the template is yet to be laid out, it is asked of the
        workers instead (unless on its way with the chunks). Where the template cannot make
        stamps, the block is laid out unless the cache holds it."""
        if b in self._stamping or b in self._blocks or self.stamper() is not None:
            return  # made from the template when it is asked for (`block`)
        if self._template is None:  # yet to be laid out
            if not self._coming and self._asked is None:
                asked = self.workers.submit(Task(self.template_job()))
                self._asked = lambda: asked().laid.runs[0]
            return
        if self.block(b) is None:
            self._stamping[b] = self.workers.submit(Task(self.stamp_job(b)))

    def keep_stamp(self, b: int, done: Done) -> None:
        (run,) = done.laid.runs
        self._blocks[b] = run
        self.store.put("laid", self.stamp_key(b), run)

    def block(self, b: int) -> bytes | None:
        """A block of stamps made or laid out in this run or held by the cache, else made from
        the template if it can be."""
        if b not in self._blocks:
            cached = self.store.get("laid", self.stamp_key(b))
            if cached is None:
                stamper = self.stamper()
                if stamper is None:
                    return None
                cached = stamper.block(STAMPS * b + 1, STAMPS).dump()
                self.store.put("laid", self.stamp_key(b), cached)
            self._blocks[b] = cached
        return self._blocks[b]

    def stamps(self, count: int) -> list[tuple[Pages, int]]:
        """The stamps `— 1 —` … `— count —`: made from the template (waited for), or from
        blocks laid out once (those handed to the workers before, as they come back)."""
        blocks = -(-count // STAMPS)
        for b in range(blocks):
            self.stamp(b)
        self.stamper(wait=True)
        for b in range(blocks):  # where the template cannot make them, laid out
            self.stamp(b)
        for b in range(blocks):
            if b in self._stamping:
                self.keep_stamp(b, self._stamping.pop(b)())
        laid = [Pages.load(self._block(b)) for b in range(blocks)]
        return [(laid[n // STAMPS], n % STAMPS) for n in range(count)]

    def _block(self, b: int) -> bytes:
        data = self.block(b)
        assert data is not None
        return data

    def front_tables(self) -> int:
        """The 目录's layout time, as many tables' (one for 20 of its entries: 104 entries take
        1.1 s, a table of the benchmark's book 0.24 s)."""
        return self._entries() // FRONT_ENTRIES_PER_TABLE

    def _entries(self) -> int:
        return len(self.doc.tables) + (len(self.doc.groups) if self.doc.several else 0)

    def front_guess(self) -> int:
        """The cover's and the 目录's pages as guessed before the 目录 is laid out."""
        return 1 + max(1, -(-self._entries() // 28))

    def render(self, plan: Plan) -> dict[str, bytes]:
        """The document's PDF and, for a kind with them, one PDF per table (`plan`: `plan()`'s)."""
        runs, files = self.body(plan)
        tables = self.doc.tables
        counts = {t.number: runs[t.number].count for t in tables}
        starts: dict[int, int] = {}  # table number → first page after the front matter
        total = 0
        for t in tables:
            starts[t.number] = total
            total += counts[t.number]
        front_pages = self.front_guess()  # checked below
        front: Pages | None = None
        # The stamps the book needs with the 目录 as guessed, laid out beside the 目录.
        for b in range(-(-(front_pages + total) // STAMPS)):
            self.stamp(b)
        for _ in range(3):  # the 目录 page count settles at once; the loop only guards it
            front = self.laid(self.front_job(counts, front_pages))
            if front.count == front_pages:
                break
            front_pages = front.count
        assert front is not None
        stamps = self.stamps(front.count + total)
        self.workers.close()  # the join needs none of them: their memory goes first
        order: list[tuple[Pages, int]] = [(front, i) for i in range(front.count)]
        order += [(runs[t.number], i) for t in tables for i in range(runs[t.number].count)]
        pages_out = [JoinPage(run, i, stamp) for (run, i), stamp in zip(order, stamps, strict=True)]
        outline = []
        for g in self.doc.groups:
            items = [Entry(t.heading, front.count + starts[t.number]) for t in g.tables]
            if self.doc.several and items:
                outline.append(Entry(g.label, items[0].page, items))
            else:
                outline += items
        info = {**self.info, "Title": self.doc.title}
        out = {self.doc.files["pdf"]: join(pages_out, outline, info, self.store)}
        for t in tables:  # in table order, whichever came from the cache
            path = self._path(t)
            if path is not None and path in files:
                out[path] = files[path]
        return out


def replace_rows(table: Any, rows: Iterable[Any]) -> Any:
    """The table with other rows (a kind's `with_rows`, else a dataclass replace)."""
    with_rows = getattr(table, "with_rows", None)
    return with_rows(list(rows)) if with_rows is not None else replace(table, rows=tuple(rows))


def render(doc: Document, ctx: RenderContext) -> dict[str, bytes]:
    """The document's PDF and, for a kind with them, one PDF per table."""
    return start(doc, ctx).finish()


def start(doc: Document, ctx: RenderContext) -> Begun:
    """The document begun (`render.BEGUN`): what the cache lacks is known, and a lone layout
    is in the worker's hands while the build renders the other formats."""
    return Begun(doc, ctx)


class Begun:
    """A document begun by `start`: `finish` lays out the rest and joins, `close` (also after
    `finish`) removes what the layouts left."""

    def __init__(self, doc: Document, ctx: RenderContext):
        self.doc = doc
        self.renderer = PdfRenderer(doc, ctx)
        try:
            self.plan = self.renderer.plan()
        except BaseException:
            self.close()
            raise

    def finish(self) -> dict[str, bytes]:
        try:
            files = self.renderer.render(self.plan)
        finally:
            self.close()
        laid = self.renderer.laid_tables
        if laid:
            log.info("PDF %s：排版 %d 张表，%d 张取自缓存", self.doc.label, laid,
                     len(self.doc.tables) - laid)
        return files

    def close(self) -> None:
        self.renderer.workers.close()
        loaded = sys.modules.get(f"{__package__}.pdf_layout")
        if loaded is not None:  # a layout ran in this process
            loaded.release_fonts()
        _STAMPS.clear()
        tempdirs.remove_orphans()  # the workers' font folders (they have ended), and a killed run's
