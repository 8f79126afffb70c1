"""YAML syntax errors explained in Chinese, where the problem starts, with its likely cause.

PyYAML's error names two places: where the construct it was reading began (the context mark:
an opening quote, a list, a bracket) and where it gave up (the problem mark, often the end of
the file). The author needs the first, the second helps; a few causes show in the text itself
(a tab, a full-width colon) and get their own plain hint.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import yaml

from ..errors import Pos

# `名称：值` — a key followed by a full-width colon where YAML needs `: `.
FULLWIDTH_KEY = re.compile(r"^\s*(?:-\s+)?[^\s#'\"：:][^#'\"：:]*：")
LEADING_TAB = re.compile(r"^ *\t")


def explain(exc: yaml.MarkedYAMLError, text: str,
            where: Callable[[yaml.Mark | None], Pos]) -> tuple[Pos, str]:
    """Where the syntax error starts, and what to tell the author (both lines when they differ)."""
    context, problem = exc.context or "", exc.problem or ""
    start = where(exc.context_mark) if exc.context_mark is not None else None
    end = where(exc.problem_mark or exc.context_mark)
    lines = text.split("\n")

    def line(n: int) -> str:
        return lines[n - 1] if 0 < n <= len(lines) else ""

    first = start.line if start is not None else end.line
    window = range(max(1, min(first, end.line) - 1), end.line + 1)
    tab = next((n for n in window if LEADING_TAB.match(line(n))), None)
    if "'\\t'" in problem and tab is None:
        tab = end.line
    fullwidth = next((n for n in window if FULLWIDTH_KEY.match(line(n)) and ": " not in line(n)),
                     None)
    if tab is not None:
        return Pos(end.path, tab, 1), (
            f"YAML 语法错误：第 {tab} 行使用了制表符（Tab）缩进；YAML 只能用空格缩进，"
            "请把 Tab 换成空格")
    if fullwidth is not None:
        col = line(fullwidth).index("：") + 1
        return Pos(end.path, fullwidth, col), (
            f"YAML 语法错误：第 {fullwidth} 行使用了全角冒号“：”；键和值之间应为半角冒号加空格，"
            f"如“{line(fullwidth).strip().replace('：', ': ', 1)}”")
    if "quoted scalar" in context and start is not None:
        quote = line(start.line)[start.col - 1:start.col] or "引"
        until = (f"直到文件末尾（第 {text.rstrip(chr(10)).count(chr(10)) + 1} 行）"
                 if "end of stream" in problem else f"直到第 {end.line} 行")
        return start, (
            f"YAML 语法错误：引号未闭合：第 {start.line} 行第 {start.col} 列开始的 {quote} "
            f"{until}都没有配对的 {quote}；请补上闭合的引号")
    if "flow sequence" in context or "flow mapping" in context:
        bracket = "方括号 [ ]" if "sequence" in context else "花括号 { }"
        assert start is not None
        stop = f"（第 {end.line} 行处无法继续）" if end.line != start.line else ""
        return start, (
            f"YAML 语法错误：第 {start.line} 行开始的{bracket}没有正确闭合{stop}；"
            "请检查括号是否成对、项之间是否用逗号分隔")
    if "block collection" in context and start is not None:
        return start, (
            f"YAML 语法错误：第 {start.line} 行开始的列表（以“- ”开头的各项）在第 {end.line} 行"
            "遇到了同一缩进的“键:”；同一层级不能混用列表项和键。若这里应为映射（如 indicators "
            "下的“产出指标:”），请去掉“- ”；否则请检查缩进是否一致")
    if "block mapping" in context or "expected <block end>" in problem:
        return end, _both(start, end, "缩进不一致：这一行的缩进与上文对不齐；同一层级的键应左对齐，"
                                      "下一层级应比上一层多缩进（建议 2 个空格）")
    if "mapping values are not allowed" in problem:
        above = next((n for n in range(end.line - 1, 0, -1) if line(n).strip()), 0)
        here, there = _indent(line(end.line)), _indent(line(above))
        if above and here != there and line(end.line)[here:here + 2] != "- ":
            return Pos(end.path, end.line, here + 1), (
                f"YAML 语法错误：缩进不一致：第 {end.line} 行缩进 {here} 个空格，上一行（第 {above} 行）"
                f"缩进 {there} 个空格；同一层级的键应左对齐")
        return end, _both(start, end, "这里的冒号无法理解：值中含有“: ”时请给整个值加引号，"
                                      "或检查缩进是否一致")
    if "could not find expected ':'" in problem:
        return end, _both(start, end, "缺少冒号：键后应为半角冒号加空格（如“value: 200人”），"
                                      "或上一行的缩进不一致")
    if "block scalar" in context:
        return end, _both(start, end, "“|”或“>”后只能跟换行（多行文本从下一行开始）；"
                                      "若值本身以“>”开头，请加引号")
    if "anchor" in context or "alias" in context:
        return end, _both(start, end, "“&”“*”在 YAML 中有特殊含义；若是文本的一部分，请给整个值加引号")
    if "tag" in context or "directive" in context:
        return end, _both(start, end, "“!”“%”在行首有特殊含义；若是文本的一部分，请给整个值加引号")
    if "cannot start any token" in problem:
        char = problem.split("'")[1] if "'" in problem else ""
        return end, _both(start, end, f"字符“{char}”不能出现在值的开头；请给整个值加引号")
    return end, _both(start, end, "无法解析此处；请检查缩进、冒号和引号")


def _both(start: Pos | None, end: Pos, cause: str) -> str:
    if start is not None and start.line != end.line:
        return f"YAML 语法错误（从第 {start.line} 行开始，到第 {end.line} 行无法继续）：{cause}"
    return f"YAML 语法错误：{cause}"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))
