"""The PDF's worker process, started as the build begins: it loads WeasyPrint while the build
reads the books, lays out the one table an edit changed, and leaves nothing running."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES
from tablegen import tempdirs, writer
from tablegen.build import build
from tablegen.cache import FOLDER
from tablegen.render import pdf, pdf_worker
from tablegen.render.pdf_jobs import Job

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2,
                                reason="the worker needs fork and two cores")


@pytest.fixture
def book(tmp_path):
    return Path(shutil.copytree(FIXTURES / "cache", tmp_path / "cache"))


def pdfs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.pdf"))
            if FOLDER not in p.parts}


def test_after_an_edit_the_worker_lays_the_table_out_and_the_build_never_loads_weasyprint(
        book, tmp_path):
    out = tmp_path / "out"
    build([book], out, ["pdf"], quiet=True)
    b = book / "b.yaml"
    b.write_text(b.read_text(encoding="utf-8").replace("≥1个", "≥2个"), encoding="utf-8")
    script = ("import logging, sys; from pathlib import Path; from tablegen.build import build; "
              "logging.basicConfig(level=logging.INFO, format='%(message)s'); "
              f"build([Path({str(book)!r})], Path({str(out)!r}), ['pdf'], quiet=True); "
              "print('weasyprint' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
    assert "排版 1 张表，2 张取自缓存" in done.stderr
    cold = tmp_path / "cold"
    build([book], cold, ["pdf"], quiet=True, use_cache=False)
    assert pdfs(out) == pdfs(cold)


def _job() -> Job:
    return Job("<p>一</p>", "file:///", (), "@page { size: A4 }")


def test_a_worker_lays_out_what_this_process_would(tmp_path):
    worker = pdf_worker.Worker()
    try:
        there = worker.run(pdf.work, pdf.Task(_job()))
    finally:
        worker.close()
    assert there.laid.runs == pdf.work(pdf.Task(_job())).laid.runs


def test_a_dead_worker_gives_the_task_back_and_a_closed_one_leaves_nothing():
    worker = pdf_worker.Worker()
    pid = worker.process.pid
    assert pid is not None
    os.kill(pid, 9)
    worker.process.join()
    assert worker.run(pdf.work, pdf.Task(_job())).laid.runs  # laid out here instead
    worker.close()
    loading = pdf_worker.Worker()  # closed while it still loads WeasyPrint
    start = time.monotonic()
    loading.close()
    assert time.monotonic() - start < 5
    assert not loading.process.is_alive()
    assert not [p for p in Path(tempdirs.tempfile.gettempdir()).glob(f"tablegen-fonts-{pid}-*")]


def test_what_a_layout_raises_in_the_worker_is_raised_in_the_build():
    worker = pdf_worker.Worker()
    try:
        with pytest.raises(AttributeError, match="job"):
            worker.run(pdf.work, "not a task")  # type: ignore[arg-type]
    finally:
        worker.close()


def test_one_core_needs_no_worker(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert pdf_worker.prepare() is None


def test_serve_hands_the_changed_table_to_a_worker_forked_warm(book, tmp_path, monkeypatch):
    from tablegen.commands import serve

    loads: list[bool] = []
    load_here = pdf_worker.load_here
    monkeypatch.setattr(serve, "load_here", lambda: (loads.append(True), load_here())[1])
    with serve.Preview([book], tmp_path / "out", port=0, warm=False) as preview:
        preview.rebuild()
        assert loads == []
        assert preview.refresh_all() == ["pdf", "docx", "xlsx"]
        # Serve loads WeasyPrint after its first PDF (a build's process does not: its layouts
        # run in the worker), so that the worker of each later save is forked warm.
        assert loads and "weasyprint" in sys.modules
        handed: list[str] = []
        submit = pdf_worker.Worker.submit
        monkeypatch.setattr(pdf_worker.Worker, "submit", lambda self, fn, arg: (
            handed.append(fn.__name__), submit(self, fn, arg))[1])
        b = book / "b.yaml"
        b.write_text(b.read_text(encoding="utf-8").replace("≥1个", "≥2个"), encoding="utf-8")
        preview.rebuild()
        assert preview.refresh_all() == ["pdf", "docx", "xlsx"]
        assert handed == ["work"]
        served = pdfs(tmp_path / "out")
    cold = tmp_path / "cold"
    build([book], cold, ["pdf"], quiet=True, use_cache=False)
    assert served == pdfs(cold)


def test_calls_sent_together_are_each_answered_to_their_own_asker():
    worker = pdf_worker.Worker(warm=("os", "getpid"))
    try:
        first = worker.submit(str.upper, "a")
        second = worker.submit(len, "abc")
        failing = worker.submit(int, "x")
        assert second() == 3  # read past the first reply, which waits for its asker
        assert worker.run(abs, -2) == 2
        assert first() == "A"
        with pytest.raises(ValueError, match="'x'"):
            failing()
    finally:
        worker.close()


def test_the_changed_table_is_laid_out_while_the_build_reviews(book, tmp_path, monkeypatch):
    build_module = sys.modules["tablegen.build"]

    out = tmp_path / "out"
    build([book], out, ["pdf", "html"], quiet=True)
    b = book / "b.yaml"
    b.write_text(b.read_text(encoding="utf-8").replace("≥1个", "≥2个"), encoding="utf-8")
    events: list[str] = []

    class Recording:  # hands nothing on: lays out here when asked, and says when
        closed = False
        holder = None

        def submit(self, fn, arg):
            events.append("handed")
            return lambda: (events.append("asked"), fn(arg))[1]

        def run(self, fn, arg):
            return self.submit(fn, arg)()

        def close(self) -> None:
            events.append("closed")

    review_of = build_module.review_of
    monkeypatch.setattr(pdf_worker, "prepare", lambda toc_pages=None, cache_root=None: Recording())
    monkeypatch.setattr(build_module, "review_of",
                        lambda *args: (events.append("reviewed"), review_of(*args))[1])
    build([book], out, ["pdf", "html"], quiet=True)
    assert events == ["handed", "reviewed", "asked", "closed"]
    monkeypatch.setattr(pdf_worker, "prepare", lambda toc_pages=None, cache_root=None: None)
    cold = tmp_path / "cold"
    build([book], cold, ["pdf"], quiet=True, use_cache=False)
    assert pdfs(out) == pdfs(cold)


def test_a_cold_build_lays_out_in_the_worker_and_siblings_it_forks_and_never_loads_weasyprint(
        book, tmp_path, monkeypatch):
    """Many layouts go to the worker started with the build and to siblings it forks once warm,
    one process per core, each layout in a process of its own forked from one of them: the
    build's process only hands them out (it never loads WeasyPrint), nothing they started is
    left running, and the files equal those of a build whose pool is forked from its own
    process."""
    log = tmp_path / "pids"
    out = tmp_path / "out"
    script = ("import os, sys; from pathlib import Path; from tablegen.build import build; "
              "import tablegen.render.pdf as p; p.TABLES_PER_CHUNK = 1; w = p.work\n"
              "def work(task):\n"
              "    member = os.getppid()\n"
              "    with open(f'/proc/{member}/stat') as f: above = f.read().rpartition(')')[2].split()[1]\n"
              f"    with open({str(log)!r}, 'a') as f: f.write(f'{{os.getpid()}} {{member}} {{above}}\\n')\n"
              "    return w(task)\n"
              "work.__qualname__ = 'work'; p.work = work\n"
              f"build([Path({str(book)!r})], Path({str(out)!r}), ['pdf'], quiet=True, use_cache=False)\n"
              "print('weasyprint' in sys.modules, os.getpid())")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    loaded, main = done.stdout.split()
    assert loaded == "False"
    runs = [tuple(map(int, line.split())) for line in log.read_text().splitlines()]
    assert len(runs) >= 3 and len({pid for pid, _, _ in runs}) == len(runs)  # one process each
    members = {member: above for _, member, above in runs}
    assert len(members) == os.cpu_count()
    (worker,) = [member for member, above in members.items() if above == int(main)]
    assert {above for member, above in members.items() if member != worker} == {worker}
    for pid in {pid for pid, _, _ in runs} | set(members):
        assert not writer.alive(pid)
        assert not list(Path(tempdirs.tempfile.gettempdir()).glob(f"tablegen-*-{pid}-*"))
    monkeypatch.setattr(pdf, "TABLES_PER_CHUNK", 1)
    monkeypatch.setattr(pdf_worker, "prepare", lambda toc_pages=None, cache_root=None: None)
    alone = tmp_path / "alone"
    build([book], alone, ["pdf"], quiet=True, use_cache=False)
    assert pdfs(out) == pdfs(alone)


def test_each_document_of_a_build_lays_out_in_parallel_processes(book, tmp_path):
    """The first document's pool ends the worker started with the build; the next document's
    chunks still go to processes of their own (a pool forked from the build's process), never
    one after another in the build's process."""
    second = Path(shutil.copytree(book, tmp_path / "second"))
    head = second / "book.yaml"
    head.write_text(head.read_text(encoding="utf-8").replace("缓存测试", "缓存测试二"),
                    encoding="utf-8")
    log = tmp_path / "pids"
    out = tmp_path / "out"
    script = ("import os, sys; from pathlib import Path; from tablegen.build import build; "
              "import tablegen.render.pdf as p; p.TABLES_PER_CHUNK = 1; w = p.work\n"
              "def work(task):\n"
              "    if task.counted:  # a chunk of tables\n"
              f"        with open({str(log)!r}, 'a') as f: f.write(f'{{os.getpid()}}\\n')\n"
              "    return w(task)\n"
              "work.__qualname__ = 'work'; p.work = work\n"
              f"build([Path({str(book)!r}), Path({str(second)!r})], Path({str(out)!r}), ['pdf'], "
              "quiet=True, use_cache=False)\n"
              "print(os.getpid())")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    pids = [int(line) for line in log.read_text().splitlines()]
    assert len(pids) == 6 and int(done.stdout) not in pids
    assert len(list(out.rglob("*.pdf"))) == 2 * 4  # two books, each with its 3 tables' own


@pytest.mark.parametrize("from_template", [True, False])
def test_a_cold_build_forks_one_pool_for_the_tables_and_the_stamps_each_made_once(
        book, tmp_path, monkeypatch, from_template):
    """One pool lays out a document's chunks (a pool forked again later would copy what the
    build holds by then). Each block of stamps is made once: the first by the worker as it
    begins the pool, from the template it lays out then (for the tables' own PDFs, made in the
    processes forked from it and its siblings), the others here from that template; where the
    template cannot make stamps, each block is laid out once by the pool, handed to it as the
    chunks tell how many pages the book will have. The pool's processes have ended when the
    book is joined. The files equal those of a build on one core, where everything is laid out
    in the build's process."""
    from tablegen.render import pdf_stamps

    monkeypatch.setattr(pdf, "TABLES_PER_CHUNK", 1)
    monkeypatch.setattr(pdf, "STAMPS", 2)  # several blocks for a small book
    if not from_template:
        monkeypatch.setattr(pdf_stamps.Template, "read", classmethod(lambda cls, pages: None))
    firsts: list[int] = []  # the first number of each block made here from the template
    block = pdf_stamps.Template.block
    monkeypatch.setattr(pdf_stamps.Template, "block", lambda self, first, count: (
        firsts.append(first), block(self, first, count))[1])
    handed: list[str] = []
    submit = pdf.Workers.submit
    monkeypatch.setattr(pdf.Workers, "submit", lambda self, task, told=None, first=False: (
        handed.append(task.job.starts[0] if task.job.starts
                      else "目录" if '<body class="pdf-front"' in task.job.html else "template"),
        submit(self, task, told, first))[1])
    pools: list[pdf_worker.Pool] = []
    pool = pdf_worker.Pool

    def counted(*args, **kwargs):
        pools.append(pool(*args, **kwargs))
        return pools[-1]

    blocks: list[int] = []
    stamp_job = pdf.PdfRenderer.stamp_job

    def made(self, first, last=None):
        assert last is None or last == first
        blocks.append(first)
        return stamp_job(self, first, last)

    joined: list[bool] = []  # whether the pool's processes had ended when the book was joined
    join = pdf.join

    def gone(pid: int) -> bool:  # ended (a zombie not yet reaped by init has ended)
        from tablegen.writer import alive

        return not alive(pid)

    def joining(pages, outline, info, store, narrowed=None):
        if len(pages) > 4:  # the book, not a table's own PDF
            joined.append(all(gone(m.pid if isinstance(m, pdf_worker.Sibling) else m.process.pid)
                              for p in pools for m in p.members))
        return join(pages, outline, info, store, narrowed)

    monkeypatch.setattr(pdf, "Pool", counted)
    monkeypatch.setattr(pdf, "join", joining)
    monkeypatch.setattr(pdf.PdfRenderer, "stamp_job", made)
    out = tmp_path / "out"
    build([book], out, ["pdf"], quiet=True, use_cache=False)
    assert joined == [True]  # the workers' memory is gone before the join
    assert len(pools) == 1 and len(pools[0].members) == os.cpu_count()
    (book_pdf,) = [p for p in out.rglob("*.pdf") if "projects" not in p.parts]
    pages = int(subprocess.run(["pdfinfo", str(book_pdf)], capture_output=True, text=True,
                               check=True).stdout.split("Pages:")[1].split()[0])
    count = -(-pages // 2)
    laid = sorted(int(h.split("-")[1]) for h in handed if h.startswith("stamps-"))
    if from_template:
        assert sorted(firsts) == [2 * b + 1 for b in range(1, count)] and laid == []
        assert "template" not in handed  # the pool's prime laid it out
        assert blocks == [0]  # the job the workers would lay out without a template
    else:
        assert firsts == [] and laid == list(range(1, count))
        assert sorted(blocks) == list(range(count))  # each block once, every one needed
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    alone = tmp_path / "alone"
    build([book], alone, ["pdf"], quiet=True, use_cache=False)
    assert len(pools) == 1 and pdfs(out) == pdfs(alone)


def test_the_contents_are_laid_out_once_as_the_last_chunk_is_drawn(book, tmp_path, monkeypatch):
    """Each chunk tells its tables' page counts once laid out, before its pages are drawn; with
    the last, the 目录 is handed out ahead of the rest (before that chunk's result is back) and
    that layout is the one the book takes. The files equal those of a build on one core."""
    monkeypatch.setattr(pdf, "TABLES_PER_CHUNK", 1)
    events: list[str] = []
    submit = pdf.Workers.submit

    def handing(self, task, told=None, first=False):
        if '<body class="pdf-front"' in task.job.html:
            events.append("目录 first" if first else "目录")
        return submit(self, task, told, first)

    beside = pdf.PdfRenderer._stamping_beside

    def backs(self, plan):
        back, guess = beside(self, plan)
        return (lambda i, result: (events.append(f"chunk {i}"), back(i, result))[1]), guess

    run = pdf.Workers.run
    monkeypatch.setattr(pdf.Workers, "submit", handing)
    monkeypatch.setattr(pdf.Workers, "run", lambda self, task: (events.append("run"), run(self, task))[1])
    monkeypatch.setattr(pdf.PdfRenderer, "_stamping_beside", backs)
    out = tmp_path / "out"
    build([book], out, ["pdf"], quiet=True, use_cache=False)
    chunks = [e for e in events if e.startswith("chunk")]
    assert len(chunks) >= 2 and events.count("目录 first") == 1
    assert "run" not in events and "目录" not in events
    assert events.index("目录 first") < events.index(chunks[-1])
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    alone = tmp_path / "alone"
    build([book], alone, ["pdf"], quiet=True, use_cache=False)
    assert pdfs(out) == pdfs(alone)


def _ids_after(seconds: float) -> tuple[int, int]:
    """The call's process and its parent, after a while."""
    time.sleep(seconds)
    return os.getpid(), os.getppid()


def _dies_unless_in(pid: int) -> int:
    if os.getpid() != pid:
        os._exit(1)
    return pid


def _tells(value: str) -> str:
    pdf_worker.tell(value)
    return value * 2


class _SlowToCollect:
    """A reference cycle whose collection takes a second."""

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        time.sleep(1.0)


def _leaves_a_slow_cycle(_: object) -> tuple[bool, int, int]:
    _SlowToCollect()
    return gc.isenabled(), os.getpid(), os.getppid()


_KEPT: list[str] = []


def _keep(value: str) -> list[str]:
    """What the calls before kept in this process; `value` kept too."""
    before = list(_KEPT)
    _KEPT.append(value)
    return before


def test_each_call_runs_in_a_process_of_its_own_that_ends_with_it():
    """A call runs in a process forked for it from the worker, with the collector paused: the
    build has its result at once, what it left is never collected (it goes with the process),
    and the next call starts from the worker as it was; nothing of it is left running."""
    worker = pdf_worker.Worker(warm=("os", "getpid"))
    try:
        start = time.monotonic()
        first = worker.run(_leaves_a_slow_cycle, None)
        second = worker.run(_leaves_a_slow_cycle, None)
        assert time.monotonic() - start < 0.9  # no collection of the first before the second
        assert first[0] is False and second[0] is False
        assert first[1] != second[1] and first[2] == second[2] == worker.process.pid
        assert worker.run(_keep, "a") == [] and worker.run(_keep, "b") == []
        assert not writer.alive(first[1]) and not writer.alive(second[1])
    finally:
        worker.close()


def _waits_alone(_: object) -> tuple[bool, float, float]:
    """In a call's process (one thread): a thread that ends in 0.3 s, waited for; then none."""
    import threading

    thread = threading.Thread(target=time.sleep, args=(0.3,))
    start = time.monotonic()
    thread.start()
    pdf_worker._alone()
    waited = time.monotonic() - start
    start = time.monotonic()
    pdf_worker._alone()  # alone already
    return thread.is_alive(), waited, time.monotonic() - start


def test_a_worker_forks_only_once_its_other_threads_have_ended():
    """Pango sorts fonts in threads of its own: a process forked while one works would wait
    for it forever, so a worker forks only when it runs no other thread (or after a while)."""
    worker = pdf_worker.Worker(warm=("os", "getpid"))
    try:
        alive, waited, again = worker.run(_waits_alone, None)
    finally:
        worker.close()
    assert not alive and waited >= 0.25 and again < 0.1


def test_what_the_pools_prime_leaves_is_shared_by_every_call():
    """The prime runs in the worker itself before it forks its siblings: each call, in the
    worker's processes and its siblings', finds what it kept; the pool gives its result."""
    worker = pdf_worker.Worker(warm=("os", "getpid"), spares=1)
    try:
        pool = pdf_worker.Pool(worker, 2, prime=(_keep, "primed"))
        slow = pool.submit(_ids_after, 0.5)
        kept = [pool.submit(_keep, "call") for _ in range(4)]
        assert pool.primed() == []
        assert all(result() == ["primed"] for result in kept)
        assert slow()[1] in {m.pid if isinstance(m, pdf_worker.Sibling) else worker.process.pid
                             for m in pool.members} and len(pool.members) == 2
    finally:
        worker.close()
    lone = pdf_worker.Worker(warm=("os", "getpid"))
    try:
        assert pdf_worker.Pool(lone, 1).primed() is None  # no prime
    finally:
        lone.close()


def test_a_pool_finds_its_replies_read_by_another_asker_of_the_worker():
    """A call sent to the worker itself beside its pool (another document's lone layout) reads
    every message before its own reply: the pool's prime and forking are answered all the
    same, and the pool goes on."""
    worker = pdf_worker.Worker(warm=("os", "getpid"), spares=1)
    try:
        pool = pdf_worker.Pool(worker, 2, prime=(_keep, "primed"))
        assert worker.submit(abs, -1)() == 1  # read past the prime's and the forking's replies
        assert pool.primed() == []
        assert [pool.submit(_keep, "call")() for _ in range(3)] == [["primed"]] * 3
        assert len(pool.members) == 2
    finally:
        worker.close()


def test_a_pool_hands_each_call_to_the_first_process_free_and_a_dead_ones_to_another():
    """The worker forks its siblings when the pool starts; a call goes to the first process
    free; what a call tells reaches its listener before its result; a call whose process dies
    ends the process it was forked from and goes to another, and runs here when none is left;
    closed, the worker reaps its siblings."""
    worker = pdf_worker.Worker(warm=("os", "getpid"), spares=2)
    try:
        pool = pdf_worker.Pool(worker, 3)
        slow = pool.submit(_ids_after, 1.0)
        quick = [pool.submit(_ids_after, 0.0) for _ in range(6)]
        heard: list[str] = []
        told = pool.submit(_tells, "a", told=heard.append)
        assert told() == "aa" and heard == ["a"]
        ids = [result() for result in quick]
        members = {parent for _, parent in ids}
        assert len(pool.members) == 3 and slow()[1] not in members and len(members) <= 2
        siblings = [m.pid for m in pool.members if isinstance(m, pdf_worker.Sibling)]
        assert len(siblings) == 2 and os.getpid() not in {pid for pid, _ in ids}
        assert members <= set(siblings) | {worker.process.pid}
    finally:
        worker.close()
    assert not worker.process.is_alive()
    for pid in siblings:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    dying = pdf_worker.Worker(warm=("os", "getpid"), spares=1)
    try:
        pool = pdf_worker.Pool(dying, 2)
        assert pool.submit(_dies_unless_in, os.getpid())() == os.getpid()
        assert pool.members == [] and pool.submit(abs, -3)() == 3
    finally:
        dying.close()


def test_the_chunks_are_a_multiple_of_the_cores_and_as_even_as_can_be(monkeypatch):
    """110 tables on two cores: six chunks of 18 or 19 tables (not four of 25 and one of 10,
    which one core would lay out while the other waits), in order, a group cut where a chunk
    ends."""
    from types import SimpleNamespace

    from tablegen.document import Group

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    groups = [Group(f"单位{g}", [SimpleNamespace(number=g * 100 + t) for t in range(n)])
              for g, n in enumerate((40, 3, 67))]
    renderer = pdf.PdfRenderer.__new__(pdf.PdfRenderer)
    renderer.doc = SimpleNamespace(groups=groups)
    wanted = {t.number for g in groups for t in g.tables}
    chunks = renderer.chunks(wanted)
    assert [sum(len(g.tables) for g in c) for c in chunks] == [19, 19, 18, 18, 18, 18]
    assert [t.number for c in chunks for g in c for t in g.tables] == sorted(wanted)
    assert [[g.label for g in c] for c in chunks][:3] == [["单位0"], ["单位0"], ["单位0", "单位1", "单位2"]]
    few = groups[0].tables[:3]
    assert renderer.chunks({0, 1, 2}) == [[Group("单位0", few[:2])], [Group("单位0", few[2:])]]
    assert renderer.chunks({5}) == [[Group("单位0", [groups[0].tables[5]])]]
    assert renderer.chunks(set()) == []


def test_the_last_chunk_gives_the_others_of_its_round_the_time_the_contents_take(monkeypatch):
    """The 目录 is laid out once every chunk is: the last chunk is smaller by that time less a
    core's share (at most by half), the others of the last round larger, so that its process
    lays the 目录 out while they end theirs."""
    from types import SimpleNamespace

    from tablegen.document import Group

    groups = [Group(f"单位{g}", [SimpleNamespace(number=g * 100 + t) for t in range(25)])
              for g in range(4)]
    renderer = pdf.PdfRenderer.__new__(pdf.PdfRenderer)
    renderer.doc = SimpleNamespace(groups=groups, tables=[t for g in groups for t in g.tables],
                                   several=True)
    wanted = {t.number for g in groups for t in g.tables}

    def sizes(tail: int) -> list[int]:
        chunks = renderer.chunks(wanted, tail)
        assert [t.number for c in chunks for g in c for t in g.tables] == sorted(wanted)
        return [sum(len(g.tables) for g in c) for c in chunks]

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert renderer.front_tables() == 5  # 104 entries
    assert sizes(0) == [25, 25, 25, 25]
    assert sizes(renderer.front_tables()) == [25, 25, 27, 23]
    assert sizes(100) == [25, 25, 37, 13]  # at most half the chunk
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert sizes(8) == [27, 27, 27, 19]
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert sizes(8) == [25, 25, 25, 25]


def test_the_pdf_is_finished_before_the_docx_which_waits_on_libreoffice(book, tmp_path,
                                                                         monkeypatch):
    """The DOCX is begun first (LibreOffice's layout is the longest wait) and finished last:
    the PDF's join runs while LibreOffice lays out. The files are those of a cold build."""
    from tablegen.render import docx

    events: list[str] = []
    for cls, name in ((docx.Measuring, "docx"), (pdf.Begun, "pdf")):
        real = cls.finish
        monkeypatch.setattr(cls, "finish",
                            lambda self, real=real, name=name: (events.append(name), real(self))[1])
    out = tmp_path / "out"
    build([book], out, ["docx", "pdf", "xlsx"], quiet=True, toc_pages=False)
    assert events == ["pdf", "docx"]
    cold = tmp_path / "cold"
    build([book], cold, ["docx", "pdf", "xlsx"], quiet=True, toc_pages=False, use_cache=False)
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.*"))
            if FOLDER not in p.parts} == {
        p.relative_to(cold).as_posix(): p.read_bytes() for p in sorted(cold.rglob("*.*"))
        if FOLDER not in p.parts}


def test_the_build_starts_its_helpers_before_the_modules_that_read_the_books_are_loaded():
    # `tablegen.build` loads what `build` needs to start the PDF worker and LibreOffice; the
    # modules that read, check and draw the books load after (each function loads its own).
    code = ("import sys, tablegen.cli, tablegen.render.pdf_worker, tablegen.render.toc_pages\n"
            "heavy = ('tablegen.kinds', 'tablegen.load.books', 'tablegen.document',\n"
            "         'tablegen.review', 'tablegen.render.pdf', 'weasyprint', 'importlib.metadata')\n"
            "print([m for m in heavy if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
