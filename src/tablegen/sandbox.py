"""The sandbox every template renders in: no Python internals, and bounds on time and size.

Templates come from the book's folder, that is from whoever edits the repository: Jinja's
SandboxedEnvironment keeps them from Python's internals, and this environment bounds what a
render may cost, so that a template can neither hang `build`, CI and `serve` nor fill the memory:

- time: one render stops after RENDER_SECONDS, checked at every step of every loop, every call
  and every arithmetic operator (so two nested `range(100000)` loops stop, in any thread or
  forked process, without signals);
- size: `*`, `**`, `+`, `%` and `~` refuse a result longer than MAX_SIZE characters or items, or
  an integer of more than MAX_INT_BITS bits (`{{ 2**(2**34) }}`), before they make it; the widths
  of `center`, `indent`, `format`, `batch`, `slice`, `str.ljust` and the like are bounded too;
  `range()` has at most MAX_RANGE items;
- memory: the process may grow by at most MAX_GROWTH bytes during one render (measured when
  large values are made, and every few thousand steps).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import re
import string
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeGuard

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

RENDER_SECONDS = 60.0  # one render of one template
MAX_SIZE = 10_000_000  # characters or items of one value an operator or a width makes
MAX_INT_BITS = 65_536  # an integer a template computes: 19,728 decimal digits
MAX_RANGE = 100_000  # items of one range(), as in Jinja's own sandbox
MAX_GROWTH = 1 << 30  # bytes the process may grow by while one template renders
_MEASURE_MADE = 1 << 24  # measure the memory after this many characters or items were made
_MEASURE_STEPS = 4096  # … or after this many steps
_CLOCK_STEPS = 64  # read the clock after this many steps
_LONG = 1024  # an output longer than this counts as made (shorter ones cost little each)
_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
_WIDTH_FILTERS = {"center": "width", "indent": "width", "batch": "linecount", "slice": "slices"}
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?")
_DIGITS = re.compile(r"\d+")


class TemplateLimit(Exception):
    """A template went past one of the bounds; the message says which, in Chinese."""


@dataclass
class _Budget:
    deadline: float
    memory: int  # the process's resident size when the render began (0: cannot measure)
    made: int = 0
    steps: int = 0

    def check(self) -> None:
        """Stop the render when its time is up or the process grew too much."""
        if time.monotonic() > self.deadline:
            raise TemplateLimit(f"模板运行超过 {RENDER_SECONDS:g} 秒，已停止（循环或递归太多？）")
        if self.made >= _MEASURE_MADE or self.steps % _MEASURE_STEPS == 0:
            self.made = 0
            if self.memory and _resident() - self.memory > MAX_GROWTH:
                raise TemplateLimit(f"模板占用的内存超过 {MAX_GROWTH >> 20} MB，已停止")


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("tablegen_template_budget",
                                                                         default=None)


@contextlib.contextmanager
def bounded() -> Iterator[None]:
    """Render under the bounds; a render inside a render (an include) shares the outer budget."""
    if _budget.get() is not None:
        yield
        return
    token = _budget.set(_Budget(time.monotonic() + RENDER_SECONDS, _resident()))
    try:
        yield
    finally:
        _budget.reset(token)


def _resident() -> int:
    """The process's resident memory in bytes; 0 where it cannot be read cheaply."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def step(made: int = 0) -> None:
    """One step of a render, having made `made` characters or items; the clock is read every
    _CLOCK_STEPS steps (a step is short: every value it makes is bounded)."""
    budget = _budget.get()
    if budget is None:
        return
    budget.steps += 1
    budget.made += made
    if budget.steps % _CLOCK_STEPS == 0 or budget.made >= _MEASURE_MADE:
        budget.check()


_SIZED = (str, bytes, list, tuple, dict, set, frozenset)


def _size(value: object) -> int:
    return len(value) if isinstance(value, _SIZED) else 0


def _too_big(what: str) -> TemplateLimit:
    return TemplateLimit(f"模板中的{what}过长（一个值最多 {MAX_SIZE:,} 个字符或元素），已拒绝")


def _too_large(what: str) -> TemplateLimit:
    digits = MAX_INT_BITS * 30103 // 100000  # × log10(2)
    return TemplateLimit(f"模板中的{what}过大（整数最多约 {digits:,} 位），已拒绝")


def _int(value: object) -> TypeGuard[int]:
    return isinstance(value, int)


def _sized(value: object) -> bool:
    return isinstance(value, str | bytes | list | tuple)


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse, before it is made, a result past the size bounds."""
    if operator == "**":
        if _int(left) and _int(right) and right > 0 and abs(left) > 1 \
                and left.bit_length() * right > MAX_INT_BITS:
            raise _too_large("乘方结果")
    elif operator == "*":
        if _int(left) and _int(right):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise _too_large("乘积")
        elif (_sized(left) and _int(right) and len(left) * right > MAX_SIZE) or \
                (_int(left) and _sized(right) and left * len(right) > MAX_SIZE):
            raise _too_big("重复结果")
    elif operator == "+":
        if _sized(left) and _sized(right) and len(left) + len(right) > MAX_SIZE:
            raise _too_big("拼接结果")
    elif operator == "%" and isinstance(left, str):
        check_percent_format(left, right if isinstance(right, tuple) else (right,))


def check_percent_format(fmt: str, args: Iterable[object]) -> None:
    """`"%9999999999d" % x` and `"%*d" % (10**9, x)`: widths past MAX_SIZE."""
    star = False
    for m in _PERCENT_SPEC.finditer(fmt):
        for width in m.groups():
            if width == "*":
                star = True
            elif width and int(width) > MAX_SIZE:
                raise _too_big("格式宽度")
    if star and any(_int(a) and abs(a) > MAX_SIZE for a in args):
        raise _too_big("格式宽度")


def check_brace_format(fmt: str, args: Iterable[object]) -> None:
    """`"{:9999999999}".format(x)` and `"{:{}}".format(x, 10**9)`: widths past MAX_SIZE."""
    try:
        specs = [spec or "" for _, _, spec, _ in string.Formatter().parse(fmt)]
    except ValueError:
        return  # str.format reports the broken format itself
    nested = any("{" in spec for spec in specs)
    if any(int(d) > MAX_SIZE for spec in specs for d in _DIGITS.findall(spec)):
        raise _too_big("格式宽度")
    if nested and any(_int(a) and abs(a) > MAX_SIZE for a in args):
        raise _too_big("格式宽度")


def _check_replace(text: object, old: object, new: object) -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
        count = text.count(old) if old else len(text) + 1
        if len(text) + count * (len(new) - len(old)) > MAX_SIZE:
            raise _too_big("替换结果")


def _check_widths(values: Iterable[object]) -> None:
    if any(_int(v) and abs(v) > MAX_SIZE for v in values):
        raise _too_big("宽度或数量")


def check_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """The width-taking and format methods of str, before they run."""
    method = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format
    owner = getattr(method, "__self__", None)
    if not isinstance(owner, str):
        return
    name = getattr(method, "__name__", "")
    if name in _WIDTH_METHODS:
        _check_widths([*args, *kwargs.values()])
    elif name in ("format", "format_map"):
        check_brace_format(owner, [*args, *kwargs.values(), *(args[0].values() if name == "format_map"
                                                              and args and isinstance(args[0], dict)
                                                              else ())])
    elif name == "replace" and len(args) >= 2:
        _check_replace(owner, args[0], args[1])


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose widths are checked before it runs and whose long result counts as made."""
    checked = name in _WIDTH_FILTERS or name in ("format", "replace")

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if checked:
            _check_filter(name, [a for a in args if not isinstance(a, _PASSED)], kwargs)
        result = func(*args, **kwargs)
        if isinstance(result, _SIZED) and len(result) > _LONG:
            step(len(result))
        return result

    return wrapper


_PASSED = (jinja2.runtime.Context, jinja2.nodes.EvalContext, jinja2.Environment)  # pass_context &c.


def _check_filter(name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    if name in _WIDTH_FILTERS:
        _check_widths([*args[1:2], kwargs.get(_WIDTH_FILTERS[name])])
    elif name == "format" and args and isinstance(args[0], str):
        check_percent_format(args[0], [*args[1:], *kwargs.values()])
    elif name == "replace" and len(args) >= 3:
        _check_replace(*args[:3])


def bounded_range(*args: int) -> range:
    """range() of at most MAX_RANGE items."""
    numbers = range(*args)
    try:
        count = f" {len(numbers):,} " if len(numbers) > MAX_RANGE else ""
    except OverflowError:  # more than the machine can count
        count = "无数"
    if count:
        raise TemplateLimit(f"range() 最多 {MAX_RANGE:,} 项，这里要{count}项，已拒绝")
    return numbers


class BoundedTemplate(jinja2.Template):
    """A template whose every render runs under the bounds."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        with bounded():
            return super().render(*args, **kwargs)


class BoundedEnvironment(SandboxedEnvironment):
    """Jinja's sandbox with bounds on time and size (see the module's docstring)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    template_class = BoundedTemplate

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.globals["range"] = bounded_range
        self.globals.pop("lipsum", None)  # lipsum(n=10**9) would make gigabytes of text
        self.filters = {name: _bounded_filter(name, func) for name, func in self.filters.items()}
        inner = self.finalize  # a long `{{ }}` output counts as made (escaping copies it)

        def finalize(value: Any) -> Any:
            if isinstance(value, _SIZED) and len(value) > _LONG:
                step(len(value))
            return inner(value) if inner is not None else value

        self.finalize = finalize

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        check_binop(operator, left, right)
        step()
        result = self.binop_table[operator](left, right)
        step(_size(result))
        return result

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        check_call(__obj, args, kwargs)
        step(sum(map(_size, args)))
        result = super().call(__context, __obj, *args, **kwargs)
        step(_size(result))
        return result

    def loop_steps(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """A loop's items, one step each (what makes nested loops stop in time)."""
        for item in iterable:
            step()
            yield item

    def made(self, value: Any) -> Any:
        """The result of `~`, refused past MAX_SIZE."""
        if _size(value) > MAX_SIZE:
            raise _too_big("拼接结果")
        step(_size(value))
        return value

    def sliced(self, value: Any) -> Any:
        """The result of `x[a:b]` (Jinja slices without the sandbox's getitem), counted."""
        step(_size(value))
        return value

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """The parsed template with every loop's items, every `~` and every slice passing
        through a step (the code Jinja makes for them calls no hook of the sandbox)."""
        tree = super()._parse(source, name, filename)
        for loop in list(tree.find_all(nodes.For)):
            loop.iter = _through("loop_steps", loop.iter)
        for parent in list(tree.find_all(nodes.Node)):
            for field, value in parent.iter_fields():
                if isinstance(value, list):
                    value[:] = [_hooked(v) for v in value]
                elif isinstance(value, nodes.Node):
                    setattr(parent, field, _hooked(value))
        return tree


def _hooked(node: Any) -> Any:
    if isinstance(node, nodes.Concat):
        return _through("made", node)
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Slice):
        return _through("sliced", node)
    return node


def _through(method: str, node: nodes.Node) -> nodes.Call:
    """`environment.<method>(node)`."""
    return nodes.Call(nodes.EnvironmentAttribute(method), [node], [], None, None, lineno=node.lineno)
