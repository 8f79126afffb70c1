"""`tablegen serve`: a live preview that rebuilds on every save and shows the findings in the page.

The HTML is rebuilt into the served folder on every save (through `build()`, so through the
build cache) and shown at once, then DOCX, PDF and XLSX in the same build (`Preview.saved`; not
with `--html-only`); a link opened before they are done waits for them, or builds its format
then, so a link never serves a stale file. Open pages reload themselves: each HTML
page gets a small script that listens on Server-Sent Events and a list of the current findings.

The server answers only requests addressed to a loopback name or to the `--host` it was given
(a page from elsewhere whose name resolves to 127.0.0.1 — DNS rebinding — gets 403), and it
serves only what `build` writes there: the overview `index.html` and, in each book folder the
overview lists (`.overview/<book>.json`), the HTML, PDF, DOCX and XLSX files. Anything else in
the folder (`--out .` is the working folder, with its `.git/`) does not exist for the preview.
"""

from __future__ import annotations

import html
import ipaddress
import logging
import os
import re
import secrets
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import watchfiles

from ..build import BuildResult, available_formats, build
from ..cache import FOLDER
from ..errors import Finding, InvalidData, TablegenError, UsageError, os_reason
from ..render.overview import earlier_entries
from ..render.pdf_worker import load_here
from ..render.toc_pages import Offices
from ..review import Review
from ..review.index import repository_index
from ..review.index_page import index_page
from ..review.output import point_of
from ..templates import chain_for

log = logging.getLogger("tablegen")
logging.getLogger("watchfiles").setLevel(logging.WARNING)  # its "N changes detected" says nothing

EVENTS = "/__tablegen__/events"
INDICATORS = "/__tablegen__/indicators"  # the indicator index (指标库)
ON_DEMAND = {".pdf": "pdf", ".docx": "docx", ".xlsx": "xlsx"}
TYPES = {  # the kinds of file `build` writes into a book folder, the only ones served
    ".html": "text/html; charset=utf-8",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PING_SECONDS = 15.0
LOOPBACK = ("localhost", "127.0.0.1", "::1")


@dataclass
class State:
    """What the last rebuild found; `version` changes on every rebuild, good or bad."""

    version: str
    findings: list[Finding] = field(default_factory=list)
    problem: str = ""  # a template or renderer failure, which has no file:line:col finding
    review: Review | None = None  # the target review of the last good build

    @property
    def broken(self) -> bool:
        return bool(self.problem) or any(f.severity == "error" for f in self.findings)


def _load_pdf_engine() -> None:
    """WeasyPrint loaded in serve's process after a PDF (`pdf_worker.load_here`): each later
    save's worker is forked warm. A failure here only costs that time."""
    try:
        load_here()
    except Exception:  # pragma: no cover - the PDF was just made with it
        log.debug("预加载 PDF 引擎失败", exc_info=True)


class Preview:
    """The preview of the books under `paths`, built into `out` and served over HTTP."""

    def __init__(self, paths: list[Path], out: Path, *, host: str = "127.0.0.1", port: int = 8000,
                 templates: Path | None = None, warm: bool = True):
        if not 0 <= port <= 65535:
            raise UsageError(f"端口必须是 0–65535 之间的整数，收到的是 {port}（0 表示任选一个空闲端口）")
        self.paths = paths
        self.out = out
        self.templates = templates
        self.host = host
        self.warm = warm  # after each save, every format, not only the web page
        self.books = served_books(out)  # the book folders the overview lists, read after each build
        self._boot = secrets.token_hex(4)  # a restarted server reloads pages it did not serve
        self._count = 0
        self.state = State(self._version())
        self._good = 0  # how many good HTML builds there were
        self._fresh: dict[str, int] = {}  # format → the good build it was last built for
        self._build_lock = threading.Lock()
        self._index: tuple[str, bytes] | None = None  # (state version, 指标库 page)
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._ready = threading.Event()  # the watcher sees saves from now on
        self._watcher: threading.Thread | None = None
        self._serving = False
        # A LibreOffice kept started for the DOCX 目录 layout of every save (warm path only),
        # from the profile the build cache keeps (`make docs` keeps one).
        self.offices = Offices(kept=True, seeds=out / FOLDER)
        try:
            self.httpd = _Server((host, port), _Handler)
        except OSError as exc:
            raise UsageError(f"无法在 {host}:{port} 上启动预览：{os_reason(exc)}"
                             "（端口被占用时请用 --port 换一个）") from exc
        self.httpd.preview = self

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def _version(self) -> str:
        return f"{self._boot}-{self._count}"

    # -- building ---------------------------------------------------------------------------

    def rebuild(self) -> State:
        """Rebuild the HTML; on errors keep the last good build and remember the findings."""
        return self.saved(every=False)[0]

    def saved(self, every: bool | None = None) -> tuple[State, list[str]]:
        """After a save: the page rebuilt, and (`every`, the warm path by default) in the same
        build every other format, written after the page is shown. The state the page shows
        (on errors the last good build stays, with the findings) and the other formats built;
        none while the data has errors or when one of them fails (its link says why when it
        is opened)."""
        every = self.warm if every is None else every
        with self._build_lock:
            # the build's order: the DOCX first, whose LibreOffice layout takes longest
            todo = [fmt for fmt in available_formats() if every and fmt in ON_DEMAND.values()]
            findings: list[Finding] = []
            problem = ""
            reviewed = self.state.review
            shown: list[State] = []

            def show(result: BuildResult) -> None:
                shown.append(self._show(result.report.sorted(), "", result.review))

            try:
                build(self.paths, self.out, ["html", *todo], quiet=True, templates=self.templates,
                      links=list(ON_DEMAND.values()), offices=self.offices if todo else None,
                      page_first=show)
            except InvalidData as exc:
                findings = exc.report.sorted()
            except TablegenError as exc:
                problem = str(exc)
            except Exception as exc:  # a bug must not stop the preview; the log has the details
                log.debug("生成失败", exc_info=True)
                problem = f"内部错误（{type(exc).__name__}）：这是 tablegen 的缺陷，请报告给维护者"
            else:
                for fmt in todo:
                    self._fresh[fmt] = self._good
                if "pdf" in todo:
                    _load_pdf_engine()
                return shown[0], todo
            finally:
                if "docx" in todo and not self._stop.is_set():
                    self.offices.refill()  # kept running, or started again when it ended
            if shown:  # the page was written; another format failed
                return shown[0], []
            return self._show(findings, problem, reviewed), []

    def _show(self, findings: list[Finding], problem: str, reviewed: Review | None) -> State:
        """A build's outcome as the page shows it from now on."""
        self._count += 1
        self.books = served_books(self.out)
        state = State(self._version(), findings, problem, reviewed)
        if not state.broken:
            self._good += 1
        with self._changed:
            self.state = state
            self._changed.notify_all()
        return state

    def refresh(self, fmt: str) -> bool:
        """Build `fmt` if the visible pages are newer than it; False while the data has errors.

        One rule for every format: while the data has errors no link gives a file, not even one
        built from the last good data (the page says why), as none could be built from it now.
        """
        with self._build_lock:
            if self.state.broken:
                return False
            if self._fresh.get(fmt) == self._good:
                return True
            try:
                build(self.paths, self.out, [fmt], quiet=True, templates=self.templates,
                      offices=self.offices)
            except TablegenError:
                return False
            except Exception:  # pragma: no cover - a bug in a renderer
                log.debug("生成 %s 失败", fmt, exc_info=True)
                return False
            self._fresh[fmt] = self._good
            if fmt == "pdf":
                _load_pdf_engine()
            return True

    def refresh_all(self) -> list[str]:
        """After a save, every other format brought up to date in this warm process, in one
        build through the cache (the web page is already there): a link opened next is served
        at once. The formats it built; none while the data has errors."""
        with self._build_lock:
            if self.state.broken:
                return []
            good = self._good
            todo = [fmt for fmt in ON_DEMAND.values()
                    if fmt in available_formats() and self._fresh.get(fmt) != good]
            if not todo:
                return []
            try:
                build(self.paths, self.out, todo, quiet=True, templates=self.templates,
                      offices=self.offices)
            except TablegenError:
                return []  # the link says why when it is opened
            except Exception:  # pragma: no cover - a bug in a renderer
                log.debug("生成 %s 失败", "、".join(todo), exc_info=True)
                return []
            finally:
                if "docx" in todo and not self._stop.is_set():
                    self.offices.refill()  # kept running, or started again when it ended
            for fmt in todo:
                self._fresh[fmt] = good
            if "pdf" in todo:
                _load_pdf_engine()
            return todo

    def indicators(self) -> bytes:
        """The 指标库 page, made again after each rebuild (the index reads the books and git)."""
        with self._build_lock:
            version = self.state.version
            if self._index is None or self._index[0] != version:
                self._index = (version, index_page(repository_index(self.paths)).encode("utf-8"))
            return self._index[1]

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def wait_change(self, seen: str, timeout: float) -> str:
        """The state version once it differs from `seen` (or after `timeout`, or on stop)."""
        with self._changed:
            self._changed.wait_for(lambda: self.state.version != seen or self._stop.is_set(),
                                   timeout)
            return self.state.version

    # -- watching ---------------------------------------------------------------------------

    def watched(self) -> list[Path]:
        """The given paths and the template folders, those that exist, without nesting."""
        candidates = [p.resolve() for p in self.paths if p.exists()]
        candidates += [d.resolve() for d in chain_for(None, self.templates).dirs if d.is_dir()]
        out: list[Path] = []
        for p in sorted(set(candidates), key=lambda p: len(p.parts)):
            if not any(p.is_relative_to(q) for q in out):
                out.append(p)
        return out

    def changes(self) -> Iterator[set[tuple[watchfiles.Change, str]]]:
        """Batches of saved files under the watched folders, but for what `build` writes."""
        preview = self

        class Filter(watchfiles.DefaultFilter):
            def __call__(self, change: watchfiles.Change, path: str) -> bool:
                return super().__call__(change, path) and not preview.made(Path(path))

        # step: quiet time that ends a batch (an editor's save is a few events within
        # milliseconds); debounce caps how long one batch may gather. The first (empty) batch
        # after a short timeout says the watch is in place.
        for batch in watchfiles.watch(*self.watched(), watch_filter=Filter(), step=20, debounce=400,
                                      rust_timeout=200, yield_on_timeout=True,
                                      stop_event=self._stop, raise_interrupt=False):
            self._ready.set()
            if batch:
                yield batch

    def made(self, path: Path) -> bool:
        """Whether a path is one `build` writes into the output folder (its own changes do not
        start a rebuild; a book's YAML under `--out .` does)."""
        try:
            rel = path.relative_to(self.out.resolve()).parts
        except ValueError:
            return False
        return bool(rel) and (any(p.startswith(".") for p in rel) or rel == ("index.html",)
                              or (rel[0] in self.books and (len(rel) == 1 or rel[1:] == ("projects",)
                                                            or Path(rel[-1]).suffix in TYPES)))

    def _watch(self) -> None:
        try:
            for batch in self.changes():
                names = sorted({Path(p).name for _, p in batch if Path(p).exists()})
                log.info("变更：%s", "，".join(names) or "（文件已删除）")
                state, made = self.saved()
                log.info("%s", describe(state))
                if made:
                    log.info("已更新：%s", "、".join(fmt.upper() for fmt in made))
        except OSError as exc:  # e.g. the system's limit of watched folders
            log.error("无法监视文件变更，页面不会自动更新：%s", os_reason(exc))
        except Exception as exc:  # a defect: its name for the maintainer, in a Chinese line
            log.error("无法监视文件变更，页面不会自动更新（内部错误 %s）", type(exc).__name__)
        finally:
            self._ready.set()

    # -- running ----------------------------------------------------------------------------

    def start(self) -> None:
        """Build once, then watch for saves in the background (serve with `serve_forever`)."""
        log.info("%s", describe(self.rebuild()))
        if self.warm and "docx" in available_formats():
            self.offices.refill()
        self._watcher = threading.Thread(target=self._watch, name="tablegen-watch", daemon=True)
        self._watcher.start()
        self._ready.wait(timeout=10)

    def serve_forever(self) -> None:
        self._serving = True
        self.httpd.serve_forever(poll_interval=0.2)

    def close(self) -> None:
        """Stop watching and serving; open event streams end."""
        self._stop.set()
        with self._changed:
            self._changed.notify_all()
        if self._serving:
            self.httpd.shutdown()
        self.httpd.server_close()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        with self._build_lock:
            self.offices.close()

    def __enter__(self) -> Preview:
        self.start()
        threading.Thread(target=self.serve_forever, name="tablegen-serve", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def describe(state: State) -> str:
    """One line for the log: what the last rebuild gave."""
    if state.problem:
        return f"生成失败：{state.problem}"
    errors = [f for f in state.findings if f.severity == "error"]
    if errors:
        return f"有 {len(errors)} 个错误，页面显示上一次成功的结果"
    return f"已更新（{len(state.findings)} 个警告）"


# -- the page additions ---------------------------------------------------------------------

BOX = ("font:14px/1.5 sans-serif;margin:0 0 1em;padding:.75em 1em;border:2px solid #c00;"
       "background:#fff4f4;color:#000")
SCRIPT = """<script>(function () {
  var seen = "%s", source = new EventSource("%s");
  source.onmessage = function (e) { if (e.data !== seen) { source.close(); location.reload(); } };
})();</script>
"""


def findings_box(state: State) -> str:
    """The findings above the tables (nothing when the data is clean)."""
    items = [f for f in state.findings if f.severity == "error"]
    warnings = [f for f in state.findings if f.severity == "warning"]
    if not items and not state.problem and not warnings:
        return ""
    parts = [f'<section id="tablegen-findings" role="alert" style="{BOX}">']
    if state.problem:
        parts.append(f"<h2 style=\"font-size:1.1em;margin:0\">生成失败，下面是上一次成功生成的结果</h2>"
                     f"<p><code>{html.escape(state.problem)}</code></p>")
    if items:
        parts.append(f"<h2 style=\"font-size:1.1em;margin:0\">数据有 {len(items)} 个错误，"
                     "下面是上一次成功生成的结果</h2>")
        parts.append(_finding_list(items))
    if warnings:
        parts.append(f"<details><summary>{len(warnings)} 个警告</summary>"
                     f"{_finding_list(warnings)}</details>")
    parts.append("</section>")
    return "".join(parts)


REVIEW_BOX = ("font:14px/1.5 sans-serif;margin:0 0 1em;padding:.5em 1em;border:1px solid #999;"
              "background:#f7f7f7;color:#000")


def review_box(state: State) -> str:
    """The target review of the last good build, folded, with a link to the 指标库."""
    review = state.review
    link = f'<a href="{INDICATORS}">指标库</a>'
    if review is None:
        return (f'<section id="tablegen-review" style="{REVIEW_BOX}">绩效目标审核：审核设置文件 '
                f"review.yaml 有误，未审核（运行 tablegen review 查看） · {link}</section>")
    counts = review.counts()
    grades = "，".join(f"{g} {counts[g]}" for g in review.settings.shipped.grading.grades if counts[g])
    rows = "".join(f"<tr><th scope=\"row\">{html.escape(g.book)} {html.escape(g.heading)}</th>"
                   f"<td>{g.score}</td><td>{html.escape(g.grade)}</td><td>{len(g.findings)}</td></tr>"
                   for g in review.grades)
    items = "".join(
        f'<li><code class="where">{html.escape(str(f.pos))}</code> 【{html.escape(point_of(f))}】'
        f'<b class="rule">[{html.escape(f.rule)}]</b> <span class="message">{html.escape(f.message)}'
        "</span></li>" for f in review.report.sorted())
    return (f'<section id="tablegen-review" style="{REVIEW_BOX}"><details><summary>绩效目标审核：'
            f"{len(review.grades)} 个项目（{grades or '无'}），{len(review.report.sorted())} 条审核意见"
            f"</summary><table><thead><tr><th>项目</th><th>得分</th><th>等级</th><th>意见</th></tr>"
            f'</thead><tbody>{rows}</tbody></table><ul style="margin:.25em 0;padding-left:1.25em">'
            f"{items}</ul></details>{link}</section>")


def _finding_list(findings: list[Finding]) -> str:
    rows = "".join(
        f'<li><code class="where">{html.escape(str(f.pos))}</code> '
        f'<b class="rule">{html.escape(f.severity)}[{html.escape(f.rule)}]</b> '
        f'<span class="message">{html.escape(f.message)}</span></li>'
        for f in findings)
    return f'<ul style="margin:.25em 0;padding-left:1.25em">{rows}</ul>'


_BODY = re.compile(rb"<body[^>]*>", re.IGNORECASE)
_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def inject(page: bytes, state: State) -> bytes:
    """An HTML page with the findings after <body> and the reload script before </body>."""
    box = (findings_box(state) + review_box(state)).encode("utf-8")
    script = (SCRIPT % (state.version, EVENTS)).encode("utf-8")
    start = _BODY.search(page)
    page = page[:start.end()] + box + page[start.end():] if start else box + page
    ends = list(_END.finditer(page))
    return page[:ends[-1].start()] + script + page[ends[-1].start():] if ends else page + script


def placeholder(state: State, status: HTTPStatus, message: str) -> bytes:
    """A small page for what the build folder does not hold (yet)."""
    return inject(f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
                  f"<title>{status.value} {html.escape(message)}</title></head>"
                  f"<body><p>{html.escape(message)}</p></body></html>".encode(), state)


# -- HTTP -----------------------------------------------------------------------------------

class _Server(ThreadingHTTPServer):
    daemon_threads = True
    preview: Preview

    def handle_error(self, request: object, client_address: object) -> None:
        log.debug("请求出错（%s）", client_address, exc_info=True)


def served_books(out: Path) -> frozenset[str]:
    """The book folders of `out` that `build` wrote: those its overview lists."""
    try:
        return frozenset(earlier_entries(out)) if out.is_dir() else frozenset()
    except OSError:
        return frozenset()


class Refused(Exception):
    """A request path that leads out of the output folder or through a link in it."""


def request_parts(target: str) -> list[str]:
    """The names in a request's path (`/m/x.pdf` → ["m", "x.pdf"]); Refused for any way out."""
    raw = urlsplit(target).path
    path = unquote(raw)
    if "\\" in raw + path or "\0" in raw + path or not path.startswith("/"):
        raise Refused(target)
    parts = path.split("/")[1:]
    if any(p in (".", "..") for p in parts):
        raise Refused(target)
    return [p for p in parts if p]


def served(root: Path, parts: list[str], books: frozenset[str]) -> Path | None:
    """The file or folder of `root` that a request names if `build` wrote it, else None;
    Refused for a path through a link (a book's `index.html` linked to /etc/passwd, say).

    Served: `index.html` (the overview) and, in a book folder the overview lists, `index.html`,
    the book's PDF, DOCX and XLSX files and those under `projects/`, and the folders themselves.
    """
    path = root
    for part in parts:
        path = path / part
        try:
            if path.is_symlink():
                raise Refused(str(path))
        except (OSError, ValueError):  # a name too long for the file system, say
            return None
    if not parts or parts == ["index.html"]:
        return path
    if any(p.startswith(".") for p in parts) or parts[0] not in books or len(parts) > 3:
        return None
    if len(parts) == 1 or parts[1:] == ["projects"]:
        return path
    if (len(parts) == 3 and parts[1] != "projects") or Path(parts[-1]).suffix not in TYPES:
        return None
    return path


def host_allowed(header: str | None, host: str) -> bool:
    """Whether a request's Host names this server: a loopback name, an IP address, or the name
    it was started with (`--host`). Anything else is a page from another site whose name was
    made to resolve here (DNS rebinding), refused as Jupyter and Vite refuse it."""
    if not header:
        return False
    name = header.strip().lower()
    if name.startswith("["):  # [::1]:8000
        name = name[1:name.find("]")] if "]" in name else ""
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    name = name.rstrip(".")
    if name in LOOPBACK or name.endswith(".localhost") or name == host.lower().strip("[]"):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


FOREIGN_HOST = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>403 拒绝访问</title>
</head><body><h1>403 拒绝访问</h1><p>tablegen 预览只回答发给本机（localhost、127.0.0.1）或启动时
<code>--host</code> 指定的地址的请求；这个请求发给的是 <code>%s</code>。</p></body></html>
"""


def _read(path: Path) -> bytes | None:
    """A regular file's bytes (a folder, a FIFO or what cannot be read is not served)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except (OSError, ValueError):
        return None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        try:
            return fh.read()
        except OSError:
            return None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "tablegen"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        log.debug("%s %s", self.address_string(), format % args)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.do_GET(body=False)

    def do_GET(self, body: bool = True) -> None:  # noqa: N802 - http.server's naming
        preview = self.server.preview
        if not host_allowed(self.headers.get("Host"), preview.host):
            page = FOREIGN_HOST % html.escape(self.headers.get("Host") or "（无）")
            self._send(HTTPStatus.FORBIDDEN, page.encode(), TYPES[".html"], body)
            return
        try:
            self._get(preview, body)
        except (BrokenPipeError, ConnectionResetError):
            return
        except Exception:  # a defect must still get an answer; the log has the details
            log.debug("请求 %r 出错", self.path, exc_info=True)
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "500 预览出错\n".encode(),
                       "text/plain; charset=utf-8", body)

    def _get(self, preview: Preview, body: bool) -> None:
        if urlsplit(self.path).path == EVENTS:
            self._events(preview)
            return
        if urlsplit(self.path).path == INDICATORS:
            self._send(HTTPStatus.OK, inject(preview.indicators(), preview.state), TYPES[".html"],
                       body)
            return
        try:
            parts = request_parts(self.path)
            path = served(preview.out, parts, preview.books)
            if path is not None and path.is_dir():
                if not urlsplit(self.path).path.endswith("/"):
                    self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                    self.send_header("Location", urlsplit(self.path).path + "/")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                path = served(preview.out, [*parts, "index.html"], preview.books)
        except Refused:
            self._send(HTTPStatus.FORBIDDEN, b"403 forbidden: outside the preview\n",
                       "text/plain; charset=utf-8", body)
            return
        fmt = ON_DEMAND.get(path.suffix) if path is not None else None
        if fmt is not None and not preview.refresh(fmt):
            page = placeholder(preview.state, HTTPStatus.SERVICE_UNAVAILABLE,
                               f"数据有错误，{fmt.upper()} 暂时无法生成；改正后再打开此链接。")
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, page, TYPES[".html"], body)
            return
        data = _read(path) if path is not None else None
        if path is None or data is None:
            shown = unquote(urlsplit(self.path).path)
            page = placeholder(preview.state, HTTPStatus.NOT_FOUND,
                               f"没有这个文件：{shown if len(shown) <= 200 else shown[:200] + '…'}")
            self._send(HTTPStatus.NOT_FOUND, page, TYPES[".html"], body)
            return
        if path.suffix == ".html":
            data = inject(data, preview.state)
        self._send(HTTPStatus.OK, data, TYPES[path.suffix], body)

    def _send(self, status: HTTPStatus, data: bytes, kind: str, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _events(self, preview: Preview) -> None:
        """Server-Sent Events: the state version now and on every change, until the client goes."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = ""
        try:
            while not preview.stopped:
                version = preview.wait_change(seen, PING_SECONDS)
                if version != seen:
                    self.wfile.write(f"data: {version}\n\n".encode())
                    seen = version
                else:
                    self.wfile.write(b": ping\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return
