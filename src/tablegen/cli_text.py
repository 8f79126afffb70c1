"""argparse's own words (usage, option titles, -h, error messages) in Chinese.

argparse looks its texts up through `gettext` when a parser is built and when it prints; while
`chinese()` is active that lookup answers from the table below. Only argparse's module is
touched, and only for the duration.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from contextlib import contextmanager

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
    "merge": "合并方式", "dir": "文件夹", "port": "端口", "host": "地址",
}


def _text(message: str) -> str:
    return TEXTS.get(message, message)


def _plural(singular: str, plural: str, n: int) -> str:
    return PLURALS.get(singular, singular if n == 1 else plural)


class ChineseHelp(argparse.HelpFormatter):
    """Section headings end with a full-width colon (`选项：`)."""

    def format_help(self) -> str:
        return re.sub(r"^(\S.*):$", r"\1：", super().format_help(), flags=re.MULTILINE)


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
