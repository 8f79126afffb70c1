"""Template lookup: the book's own `templates/`, the user's folders, then the defaults.

The defaults ship inside the package (`tablegen/default_templates/`), so an installed wheel
builds anywhere; a repository's top-level `templates/` is the user's override folder.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import jinja2
from jinja2.exceptions import SecurityError
from markupsafe import Markup, escape

from .errors import RenderError, display_path
from .sandbox import BoundedEnvironment, TemplateLimit

DEFAULT_TEMPLATES = Path(__file__).resolve().parent / "default_templates"
ENV_VAR = "TABLEGEN_TEMPLATES"
OVERRIDES = "templates"  # in the book's folder and in the folder tablegen runs in
OUTSIDE = "是指向模板文件夹以外的链接，拒绝读取（只读取模板文件夹内的文件）"


def inside(path: Path, folder: Path) -> bool:
    """Whether the path lies inside the folder, links followed on both sides."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):  # a loop, a NUL
        return False


class _InsideLoader(jinja2.FileSystemLoader):
    """Template folders whose files are read only when they lie inside their folder: a book's
    `book.html.j2` linked to /etc/passwd (or to a token in .git/config) never reaches a page."""

    def get_source(self, environment, template):  # type: ignore[no-untyped-def]
        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.searchpath:
            path = Path(folder, *pieces)
            if path.is_file():
                if not inside(path, Path(folder)):
                    raise RenderError(f"模板 {path} {OUTSIDE}")
                break
        return super().get_source(environment, template)


def _checked(folder: Path, rel: str) -> Path:
    if not inside(folder / rel, folder):
        raise RenderError(f"模板 {folder / rel} {OUTSIDE}")
    return folder / rel


@dataclass(frozen=True)
class TemplateChain:
    """Template folders searched in order; the first that has a file wins."""

    dirs: tuple[Path, ...]

    def find(self, rel: str) -> Path:
        """The first folder's copy of a template file."""
        for d in self.dirs:
            if (d / rel).is_file():
                return _checked(d, rel)
        raise RenderError(f"找不到模板 {rel}（查找了：{', '.join(map(str, self.dirs))}）")

    def find_for(self, kind: str, fmt: str, name: str) -> Path:
        """A kind's template file: in each folder of the chain, `<kind>/<name>`, then
        `<fmt>/<name>` (where a restyled `templates/docx/book.docx` is looked for)."""
        for d in self.dirs:
            for rel in (f"{kind}/{name}", f"{fmt}/{name}"):
                if (d / rel).is_file():
                    return _checked(d, rel)
        raise RenderError(f"找不到模板 {kind}/{name}（查找了：{', '.join(map(str, self.dirs))}）")

    def folders(self, *subs: str) -> list[Path]:
        """In each folder of the chain, its sub-folders `subs` that exist, in that order."""
        return [d / sub for d in self.dirs for sub in subs if (d / sub).is_dir()]

    def jinja(self, *subs: str, **options: object) -> jinja2.Environment:
        """A sandboxed, strict, autoescaping Jinja environment over the `subs` of each folder
        (a kind's folder, then `html/`, which holds the shared pages).

        A user's template can `{% extends "default:base.html.j2" %}` to reach the default.
        """
        loader = jinja2.ChoiceLoader([
            _InsideLoader([str(p) for p in self.folders(*subs)]),
            jinja2.PrefixLoader({"default": _InsideLoader(
                [str(DEFAULT_TEMPLATES / sub) for sub in subs])}, delimiter=":"),
        ])
        return sandboxed(
            loader=loader,
            autoescape=True,
            keep_trailing_newline=True,
            **options,
        )


def sandboxed(**options: object) -> jinja2.Environment:
    """A strict Jinja environment in which a template cannot reach Python's internals, and
    whose every render is bounded in time and size (sandbox.py).

    Templates come from the book's folder, that is from whoever edits the repository: a
    template reaching `cycler.__init__.__globals__.os` must fail, never run a command, and two
    nested `range(100000)` loops must stop, never hang the build.
    """
    env = BoundedEnvironment(undefined=jinja2.StrictUndefined, **options)
    env.filters["href"] = href
    env.filters["no_orphan"] = no_orphan
    return env


def no_orphan(text: object) -> object:
    """A cell's text whose last two Chinese characters stay on one line (HTML): a line break
    never leaves one character alone (`信息化系统使用` / `年限`, not `…使用年` / `限`)."""
    if not isinstance(text, str) or isinstance(text, Markup) or len(text) < 4 or \
            not all(ord(ch) >= 0x2E80 and not ch.isspace() for ch in text[-2:]):
        return text
    return Markup(f'{escape(text[:-2])}<span class="nw">{escape(text[-2:])}</span>')


_URL_UNSAFE = re.compile(r"[^\w/.~-]")


def href(path: str) -> str:
    """A relative link to an output file: `:`, `%`, `?`, `#` and the like percent-encoded, so a
    book folder named `javascript:alert(1)` links to that folder, never runs a script."""
    return _URL_UNSAFE.sub(lambda m: quote(m.group()), path)


def unsafe_message(exc: SecurityError) -> str:
    """The Chinese explanation of a template refused by the sandbox."""
    return f"模板试图访问 Python 内部属性，已拒绝（模板只能使用给定的数据）：{jinja_message(exc)}"


# Jinja's messages (English) as a template's author should read them; `{0}` is the quoted name.
_JINJA = [
    (re.compile(r"'([^']*)' is undefined"), "没有名为“{0}”的值（模板只能使用给定的数据）"),
    (re.compile(r"'.*' has no attribute '([^']*)'"), "没有属性“{0}”（模板只能使用给定的数据）"),
    (re.compile(r"access to attribute '([^']*)' of '.*' object is unsafe\.?"), "属性“{0}”"),
    (re.compile(r"[Nn]o filter named '([^']*)'\.?"), "没有名为“{0}”的过滤器"),
    (re.compile(r"[Nn]o test named '([^']*)'\.?"), "没有名为“{0}”的测试"),
    (re.compile(r"Encountered unknown tag '([^']*)'\. You probably made a nesting mistake\..*"
                r"closed is '([^']*)'\.", re.S), "“{0}”之前缺少 {{% end{1} %}}（“{1}”块没有结束）"),
    (re.compile(r"Encountered unknown tag '([^']*)'\..*", re.S), "未知的标签“{0}”"),
    (re.compile(r"Unexpected end of template\..*closed is '([^']*)'\.", re.S),
     "模板在“{0}”块结束之前就结束了（缺少 {{% end{0} %}}）"),
    (re.compile(r"unexpected end of template.*", re.S), "模板意外结束（有未闭合的 {{{{ 或 {{%）"),
    (re.compile(r"unexpected char '(.*)' at \d+"), "意外的字符“{0}”"),
    (re.compile(r"unexpected '(.*)'"), "此处不应出现“{0}”"),
    (re.compile(r"expected token '([^']*)', got '(.*)'"), "此处应为“{0}”，却是“{1}”"),
    (re.compile(r"Expected an expression, got '(.*)'"), "此处应有一个值或表达式，却是“{0}”"),
]


# Jinja's names of the tokens it expected or met.
_TOKENS = {"end of print statement": "}}", "end of statement block": "%}", "end of template": "模板结尾",
           "name": "名称", "string": "文本", "integer": "整数"}


def jinja_message(exc: Exception) -> str:
    """A Jinja error's message in Chinese; one not known here is named by its kind only (the
    whole message shows with --debug)."""
    text = getattr(exc, "message", None) or str(exc)
    for pattern, chinese in _JINJA:
        m = pattern.fullmatch(text.strip())
        if m:
            return chinese.format(*(_TOKENS.get(g, g) for g in m.groups()))
    return f"{type(exc).__name__}（加 --debug 查看 Jinja 的原始说明）"


def render_template(env: jinja2.Environment, name: str, context: dict[str, object]) -> str:
    """A template rendered, its errors reported with the template file and line.

    Whatever a template's own code raises (`{{ 1/0 }}`, a bound of the sandbox) is the
    template's error, never tablegen's: a RenderError naming `file:line`.
    """
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        where = display_path(Path(exc.filename)) if exc.filename else name
        raise RenderError(f"{where}:{exc.lineno}: 模板语法错误：{jinja_message(exc)}") from exc
    except RenderError:
        raise
    except Exception as exc:
        raise RenderError(f"{_template_line(exc, name)}: {template_problem(exc)}") from exc


def template_problem(exc: Exception) -> str:
    """What went wrong in a template's code, in Chinese (without where)."""
    if isinstance(exc, SecurityError):
        return unsafe_message(exc)
    if isinstance(exc, TemplateLimit):
        return str(exc)
    if isinstance(exc, jinja2.TemplateError):
        return f"模板出错：{jinja_message(exc)}"
    if isinstance(exc, RecursionError):
        return "模板中的宏或循环递归太深，已停止"
    if isinstance(exc, MemoryError):
        return "模板占用的内存过多，已停止"
    what = _PYTHON_ERRORS.get(type(exc).__name__, "表达式无法计算")
    return f"模板运行出错（{what}）；请检查模板中这一处的表达式"


# What a template's own expression did wrong, in Chinese (Python's English stays out).
_PYTHON_ERRORS = {
    "ZeroDivisionError": "除以零",
    "TypeError": "值的类型不对，比如把文字和数字相加",
    "ValueError": "值不合要求",
    "KeyError": "没有这个键",
    "IndexError": "下标超出范围",
    "AttributeError": "没有这个属性",
    "OverflowError": "数值过大",
    "UnicodeError": "文字编码出错",
}


def _template_line(exc: BaseException, name: str) -> str:
    """`file:line` of the innermost template frame of an error raised while rendering."""
    tb = exc.__traceback__
    where = name
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.endswith((".j2", ".html", ".css")) or "template" in code.co_name:
            if code.co_filename.endswith((".j2", ".html", ".css")):
                where = f"{display_path(Path(code.co_filename))}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def chain_for(book_root: Path | None, user: Path | None = None) -> TemplateChain:
    """The lookup chain for one book: its own `templates/`, the folder given by `--templates`
    or $TABLEGEN_TEMPLATES, the repository's `templates/` (in the working folder), the defaults.

    Every folder is an absolute path: the PDF's stylesheets and images are found through a
    `file://` address of the first one, and a relative path (`--templates mytpl`) has none.
    """
    dirs: list[Path] = []
    if book_root is not None and (book_root / OVERRIDES).is_dir():
        if not inside(book_root / OVERRIDES, book_root):
            raise RenderError(f"模板文件夹 {book_root / OVERRIDES} 是指向本书文件夹以外的链接，"
                              "拒绝读取（只读取书文件夹内的文件）")
        dirs.append((book_root / OVERRIDES).resolve())
    chosen = user or (Path(os.environ[ENV_VAR]) if os.environ.get(ENV_VAR) else None)
    if chosen is not None:
        dirs.append(chosen.resolve())
    if Path(OVERRIDES).is_dir():
        dirs.append(Path(OVERRIDES).resolve())
    dirs.append(DEFAULT_TEMPLATES)
    return TemplateChain(tuple(dirs))
