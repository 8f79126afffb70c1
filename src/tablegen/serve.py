"""`tablegen serve`: a live preview that rebuilds on every save and shows the findings in the page.

The HTML is rebuilt into the served folder on every save (through `build()`, so through the
build cache); DOCX, PDF and XLSX are rebuilt when their link is opened and the visible pages are
newer than them, so a link never serves a stale file. Open pages reload themselves: each HTML
page gets a small script that listens on Server-Sent Events and a list of the current findings.
"""

from __future__ import annotations

import html
import logging
import mimetypes
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import watchfiles

from .build import build
from .errors import Finding, InvalidData, TablegenError, UsageError
from .templates import chain_for

log = logging.getLogger("tablegen")
logging.getLogger("watchfiles").setLevel(logging.WARNING)  # its "N changes detected" says nothing

EVENTS = "/__tablegen__/events"
ON_DEMAND = {".pdf": "pdf", ".docx": "docx", ".xlsx": "xlsx"}
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PING_SECONDS = 15.0


@dataclass
class State:
    """What the last rebuild found; `version` changes on every rebuild, good or bad."""

    version: str
    findings: list[Finding] = field(default_factory=list)
    problem: str = ""  # a template or renderer failure, which has no file:line:col finding

    @property
    def broken(self) -> bool:
        return bool(self.problem) or any(f.severity == "error" for f in self.findings)


class Preview:
    """The preview of the books under `paths`, built into `out` and served over HTTP."""

    def __init__(self, paths: list[Path], out: Path, *, host: str = "127.0.0.1", port: int = 8000,
                 templates: Path | None = None):
        if not 0 <= port <= 65535:
            raise UsageError(f"端口必须是 0–65535 之间的整数，收到的是 {port}（0 表示任选一个空闲端口）")
        self.paths = paths
        self.out = out
        self.templates = templates
        self._boot = secrets.token_hex(4)  # a restarted server reloads pages it did not serve
        self._count = 0
        self.state = State(self._version())
        self._good = 0  # how many good HTML builds there were
        self._fresh: dict[str, int] = {}  # format → the good build it was last built for
        self._build_lock = threading.Lock()
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._ready = threading.Event()  # the watcher sees saves from now on
        self._watcher: threading.Thread | None = None
        self._serving = False
        try:
            self.httpd = _Server((host, port), _Handler)
        except OSError as exc:
            raise UsageError(f"无法在 {host}:{port} 上启动预览：{exc.strerror or exc}"
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
        with self._build_lock:
            findings: list[Finding] = []
            problem = ""
            try:
                result = build(self.paths, self.out, ["html"], quiet=True, templates=self.templates,
                               links=list(ON_DEMAND.values()))
                findings = result.report.sorted()
            except InvalidData as exc:
                findings = exc.report.sorted()
            except TablegenError as exc:
                problem = str(exc)
            except Exception as exc:  # a bug must not stop the preview; the log has the details
                log.debug("生成失败", exc_info=True)
                problem = f"内部错误：{type(exc).__name__}: {exc}"
            self._count += 1
            state = State(self._version(), findings, problem)
            if not state.broken:
                self._good += 1
            with self._changed:
                self.state = state
                self._changed.notify_all()
        return state

    def refresh(self, fmt: str) -> bool:
        """Build `fmt` if the visible pages are newer than it; False when the data cannot build."""
        with self._build_lock:
            if self._fresh.get(fmt) == self._good:
                return True
            if self.state.broken:
                return False
            try:
                build(self.paths, self.out, [fmt], quiet=True, templates=self.templates)
            except TablegenError:
                return False
            except Exception:  # pragma: no cover - a bug in a renderer
                log.debug("生成 %s 失败", fmt, exc_info=True)
                return False
            self._fresh[fmt] = self._good
            return True

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
        """Batches of saved files under the watched folders, outside the output folder."""
        out = self.out.resolve()

        class Filter(watchfiles.DefaultFilter):
            def __call__(self, change: watchfiles.Change, path: str) -> bool:
                return super().__call__(change, path) and not Path(path).is_relative_to(out)

        # step: quiet time that ends a batch (an editor's save is a few events within
        # milliseconds); debounce caps how long one batch may gather. The first (empty) batch
        # after a short timeout says the watch is in place.
        for batch in watchfiles.watch(*self.watched(), watch_filter=Filter(), step=20, debounce=400,
                                      rust_timeout=200, yield_on_timeout=True,
                                      stop_event=self._stop, raise_interrupt=False):
            self._ready.set()
            if batch:
                yield batch

    def _watch(self) -> None:
        try:
            for batch in self.changes():
                names = sorted({Path(p).name for _, p in batch if Path(p).exists()})
                log.info("变更：%s", "，".join(names) or "（文件已删除）")
                log.info("%s", describe(self.rebuild()))
        except Exception as exc:  # e.g. the system's limit of watched folders
            log.error("无法监视文件变更，页面不会自动更新：%s", exc)
        finally:
            self._ready.set()

    # -- running ----------------------------------------------------------------------------

    def start(self) -> None:
        """Build once, then watch for saves in the background (serve with `serve_forever`)."""
        log.info("%s", describe(self.rebuild()))
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
    box = findings_box(state).encode("utf-8")
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


def resolve(root: Path, target: str) -> Path | None:
    """The file or folder a request path names inside `root`; None for any way out of it."""
    raw = urlsplit(target).path
    if "\\" in raw or "\0" in raw:
        return None
    path = unquote(raw)
    if "\\" in path or "\0" in path or not path.startswith("/"):
        return None
    parts = path.split("/")[1:]
    if any(p in (".", "..") for p in parts) or any("/" in p for p in parts):
        return None
    found = root.joinpath(*[p for p in parts if p]).resolve()
    if not found.is_relative_to(root.resolve()):  # a symlink out of the build folder
        return None
    return found


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "tablegen"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        log.debug("%s %s", self.address_string(), format % args)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.do_GET(body=False)

    def do_GET(self, body: bool = True) -> None:  # noqa: N802 - http.server's naming
        preview = self.server.preview
        if urlsplit(self.path).path == EVENTS:
            self._events(preview)
            return
        path = resolve(preview.out, self.path)
        if path is None:
            self._send(HTTPStatus.FORBIDDEN, b"403 forbidden: outside the preview\n",
                       "text/plain; charset=utf-8", body)
            return
        if path.is_dir():
            if not urlsplit(self.path).path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", urlsplit(self.path).path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            path = path / "index.html"
        fmt = ON_DEMAND.get(path.suffix)
        if fmt is not None and not preview.refresh(fmt):
            page = placeholder(preview.state, HTTPStatus.SERVICE_UNAVAILABLE,
                               f"数据有错误，{fmt.upper()} 暂时无法生成；改正后再打开此链接。")
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, page, TYPES[".html"], body)
            return
        try:
            data = path.read_bytes()
        except OSError:
            page = placeholder(preview.state, HTTPStatus.NOT_FOUND, f"没有这个文件：{unquote(self.path)}")
            self._send(HTTPStatus.NOT_FOUND, page, TYPES[".html"], body)
            return
        kind = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".html":
            data = inject(data, preview.state)
        self._send(HTTPStatus.OK, data, kind, body)

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
