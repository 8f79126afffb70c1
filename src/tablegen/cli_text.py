"""argparse's own words (usage, option titles, -h, error messages) in Chinese.

argparse looks its texts up through `gettext` when a parser is built and when it prints; while
`chinese()` is active that lookup answers from the table below. Only argparse's module is
touched, and only for the duration.
"""

from __future__ import annotations

import argparse
import builtins
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

TEXTS = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "参数 %s 中必须给出一个",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项：%(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少需要一个值",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "忽略了显式给出的值 %r",
    "ambiguous option: %(option)s could match %(matches)s": "选项有歧义：%(option)s 可以是 %(matches)s",
    "unexpected option string: %s": "意外的选项：%s",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "未知的命令 %(parser_name)r（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
}
PLURALS = {"expected %s argument": "需要 %s 个值"}
# What a value is called in the help (`--out 文件夹`), by the option's dest; argparse would say OUT.
VALUE_NAMES = {
    "paths": "路径", "files": "文件", "book": "书", "name": "名称", "base": "基准版本",
    "head": "比较版本", "format": "格式", "out": "文件夹", "templates": "文件夹", "agency": "单位",
    "into": "书文件夹", "title": "标题", "year": "年度", "unit": "单位", "frame": "框架",
    "merge": "合并方式", "layout": "版式", "dir": "文件夹", "port": "端口", "host": "地址",
}


def _text(message: str) -> str:
    return TEXTS.get(message, message)


def _plural(singular: str, plural: str, n: int) -> str:
    return PLURALS.get(singular, singular if n == 1 else plural)


def width(text: str) -> int:
    """Columns a text takes in a terminal: a Chinese character (or full-width sign) takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _measure(obj: Any) -> int:
    return width(obj) if isinstance(obj, str) else builtins.len(obj)


@contextmanager
def _columns() -> Iterator[None]:
    """argparse lays out help with `len()`, one column per character: inside the block its
    `len` measures texts in columns, so `路径` and `用法：` line up as wide as they show."""
    shadowed = "len" in vars(argparse)
    argparse.len = _measure  # type: ignore[attr-defined]
    try:
        yield
    finally:
        if not shadowed:
            del argparse.len  # type: ignore[attr-defined]


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most `columns` columns: Latin words are not split, Chinese breaks anywhere."""
    lines: list[str] = []
    line = ""
    for token in re.findall(r"[!-~]+|\s+|.", text):
        if line and width(line + token.rstrip()) > columns:
            lines.append(line.rstrip())
            line = ""
        if line or not token.isspace():
            line += token
    return [*lines, line.rstrip()] if line.strip() else lines


class ChineseHelp(argparse.HelpFormatter):
    """Section headings end with a full-width colon (`选项：`); columns are counted as shown."""

    def add_argument(self, action: argparse.Action) -> None:
        with _columns():
            super().add_argument(action)

    def format_help(self) -> str:
        with _columns():
            text = super().format_help()
        return re.sub(r"^(\S.*):$", r"\1：", text, flags=re.MULTILINE)

    def _format_action(self, action: argparse.Action) -> str:
        # argparse pads the option column with `%-*s`, one space per character: as many spaces
        # too many as the option's Chinese value name (`--out 文件夹`) is wider than long.
        text = super()._format_action(action)
        header = " " * self._current_indent + self._format_action_invocation(action)
        extra = width(header) - len(header)
        first, newline, rest = text.partition("\n")
        if extra and first.startswith(header + " " * (extra + 2)):
            first = header + first[len(header) + extra:]
        return first + newline + rest

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(" ".join(text.split()), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap(" ".join(text.split()), width))


def name_values(parser: argparse.ArgumentParser) -> None:
    """Chinese help for the parser and its commands: headings, and a name for every value
    without one (`值` when its dest is not in VALUE_NAMES)."""
    parser.formatter_class = ChineseHelp
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                name_values(sub)
        elif action.metavar is None and action.choices is None and action.nargs != 0:
            action.metavar = VALUE_NAMES.get(action.dest, "值")


@contextmanager
def chinese() -> Iterator[None]:
    """argparse speaks Chinese inside the block (build the parser and parse inside it)."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _text, _plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
