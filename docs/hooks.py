"""mkdocs hooks of the user guide: the parts of it that are made from the code.

One page per command from the argparse parser (`tablegen <命令> --help`, already Chinese) and
one page per rule from `tablegen.rules.RULES`, added to the site at build time and to the
navigation in place of the two index entries of mkdocs.yml; and the tables of a file's keys
(`<!-- tablegen:fields BOOK -->` in a page) from `tablegen.model.schema`, where the format is described
once. A command without a chapter of the guide in GUIDE_PAGES, or a marker naming no part of the
format, is a warning, so `mkdocs build --strict` fails until the guide covers it.
"""

from __future__ import annotations

import argparse
import functools
import logging
import re
import tempfile
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from tablegen.cli import parser
from tablegen.cli_text import ChineseHelp, chinese
from tablegen.model import schema
from tablegen.rules import ERROR, RULES, Rule

log = logging.getLogger("mkdocs.plugins.tablegen")

COMMANDS_DIR = "reference/commands"
RULES_DIR = "reference/rules"
HELP_WIDTH = 88  # columns of the help texts, fixed so the pages do not depend on the terminal
# Each command's chapter of the guide, in the order an officer meets them.
GUIDE_PAGES = {
    "init": ("新建仓库", "init.md"),
    "new": ("新建项目", "new.md"),
    "new-book": ("新建项目", "new.md"),
    "layouts": ("版式", "layouts.md"),
    "fmt": ("填写", "edit.md"),
    "schema": ("填写", "edit.md"),
    "check": ("校验", "check.md"),
    "review": ("审核", "review.md"),
    "serve": ("预览", "serve.md"),
    "build": ("生成文档", "build.md"),
    "import": ("导入", "import.md"),
    "diff": ("审阅变更", "diff.md"),
    "rollover": ("下一年", "rollover.md"),
    "selfeval": ("自评", "selfeval.md"),
    "doctor": ("安装", "install.md"),
}
SEVERITY = {ERROR: "错误", "warning": "警告"}
FIELDS_MARKER = re.compile(r"^<!-- tablegen:fields ([A-Z_]+) -->$", re.MULTILINE)
FORMAT_PARTS = {"BOOK": schema.BOOK, "AGENCY": schema.AGENCY, "PROJECT": schema.PROJECT,
                "BUDGET": schema.BUDGET, "INDICATOR": schema.INDICATOR,
                "EXECUTION": schema.EXECUTION, "FUNDS": schema.FUNDS, "FRAME": schema.FRAME,
                "ROWS": schema.ROW_LEVELS, "SCHEME": schema.SCHEME, "RATE": schema.RATE,
                "UNSIGNED": schema.UNSIGNED, "DEVIATION": schema.DEVIATION, "FORM": schema.FORM,
                "OVERALL": schema.OVERALL, "TASK": schema.TASK, "INCOME": schema.INCOME,
                "OVERALL_EXECUTION": schema.OVERALL_EXECUTION, "MONITORING": schema.MONITORING,
                "MONITORFUNDS": schema.MONITOR_FUNDS, "MONITORENTRY": schema.MONITOR_ENTRY}
# The layouts' vocabulary (`<!-- tablegen:layout HEAD -->`, GRID, LIST) from model/layouts.py
# and the shipped layout files.
LAYOUT_MARKER = re.compile(r"^<!-- tablegen:layout ([A-Z]+) -->$", re.MULTILINE)
# jieba (the search index's Chinese words) would keep its dictionary cache in the system's temp
# folder for good; this folder goes when the build process ends.
_JIEBA_CACHE = tempfile.TemporaryDirectory(prefix="tablegen-guide-jieba-")


def commands() -> dict[str, argparse.ArgumentParser]:
    """Every command of `tablegen`, by name, in the parser's order, with a fixed help width."""
    top = parser()
    found: dict[str, argparse.ArgumentParser] = {}
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                sub.formatter_class = functools.partial(ChineseHelp, width=HELP_WIDTH)
                found[name] = sub
    return found


def _ordered(names: list[str]) -> list[str]:
    known = [n for n in GUIDE_PAGES if n in names]
    return known + [n for n in names if n not in GUIDE_PAGES]


def _help(sub: argparse.ArgumentParser) -> str:
    with chinese():
        return sub.format_help().rstrip()


def _summary(name: str) -> str:
    top = parser()
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if choice.dest == name:
                    return choice.help or ""
    return ""


def command_page(name: str, sub: argparse.ArgumentParser) -> str:
    lines = [f"# tablegen {name}", "", _summary(name), ""]
    if name in GUIDE_PAGES:
        title, page = GUIDE_PAGES[name]
        lines += [f"用法和例子见“[{title}](../../{page})”一章。", ""]
    lines += [f"`tablegen {name} --help` 显示：", "", "```text", _help(sub), "```", ""]
    return "\n".join(lines)


def commands_index(names: list[str]) -> str:
    top = parser()
    top.formatter_class = functools.partial(ChineseHelp, width=HELP_WIDTH)
    lines = [
        "# 命令", "",
        "每个命令都可以加 `--help` 查看说明，例如 `tablegen check --help`。"
        "在表格仓库中，命令在 `.venv/bin/` 里：`.venv/bin/tablegen check`。", "",
        "| 命令 | 作用 |", "| --- | --- |",
        *(f"| [`tablegen {n}`]({n}.md) | {_summary(n)} |" for n in names), "",
        "## 所有命令共有的选项", "",
        "`--debug` 只在 tablegen 自身出错（提示“内部错误”）时有用：它显示 Python 的调用栈，"
        "供报告给维护者。数据的问题从不需要它。", "",
        "退出码：0 成功（可以有警告），1 数据有错误或生成失败，2 命令用法有误。", "",
        "`tablegen --help` 显示：", "", "```text", _help(top), "```", "",
    ]
    return "\n".join(lines)


def rule_page(rule: Rule) -> str:
    if rule.point:
        return review_rule_page(rule)
    effect = ("必须改正：报告它的命令以退出码 1 结束，有错误的书不生成文档，导入时不写入任何文件"
              if rule.severity == ERROR else
              "不妨碍生成文档；`check --strict`（即表格仓库的 `make test`）把它当作错误")
    fix = "能：`tablegen fmt` 自动改正" if rule.fixable else "否：需要手动修改"
    return "\n".join([
        f"# {rule.id}：{rule.title}", "",
        f"- 严重程度：**{SEVERITY[rule.severity]}**（`{rule.severity}`）。{effect}。",
        f"- `tablegen fmt` 能否修正：{fix}。", "",
        rule.description, "",
        f"消息的样子：`文件:行:列: {rule.severity}[{rule.id}]: 说明`。"
        "读法见“[校验](../../check.md)”一章，全部规则见[规则一览](index.md)。", "",
    ])


def review_rule_page(rule: Rule) -> str:
    """A rule of `tablegen review`: its review point and what it takes off the grade."""
    return "\n".join([
        f"# {rule.id}：{rule.title}", "",
        f"- 由 `tablegen review`（绩效目标审核）报告，审核要点：**{rule.point}**。",
        f"- 每条意见从该项目“{rule.point}”的分值中扣 **{rule.deduct}** 分"
        "（见[审核](../../review.md#等级优良中差)）。",
        f"- 严重程度：**{SEVERITY[rule.severity]}**（`{rule.severity}`）。审核意见不影响 `check`、`build` 和 "
        "`make test`；"
        "只有本单位在 `review.yaml` 中设了 "
        "`fail_below` 时，等级低于它的项目才让 `review` 失败。", "",
        rule.description, "",
        f"消息的样子：`文件:行:列: {rule.severity}[{rule.id}]: 【{rule.point}】说明`。"
        "读法见“[审核](../../review.md)”一章，全部规则见[规则一览](index.md)。", "",
    ])


def rules_index() -> str:
    lines = [
        "# 校验规则", "",
        "`tablegen check` 报告的每条问题都带有规则名，如 `error[budget-sum]`。"
        "**错误**（error）必须改正：有错误的书不会生成文档，`check` 的退出码为 1。"
        "**警告**（warning）提示可能的问题，不妨碍生成；`check --strict`"
        "（表格仓库的 `make test`）把警告也当作错误。", "",
        f"共 {len(RULES)} 条规则，{sum(r.severity == ERROR for r in RULES)} 条错误、"
        f"{sum(r.severity != ERROR for r in RULES)} 条警告。`import-` 开头的规则由 "
        "`tablegen import` 报告（`import-book` 也由 `tablegen new` 报告），`fmt-skipped` 由 "
        "`tablegen fmt` 报告，`review-settings` 和带审核要点的规则由 `tablegen review` 报告"
        "（见[下文](#审核规则)），其余由 `check`、`build`、`serve` 等读取书的命令报告。", "",
        "| 规则 | 严重程度 | 说明 |", "| --- | --- | --- |",
        *(f"| [`{r.id}`]({r.id}.md) | {SEVERITY[r.severity]} | {r.title}"
          f"{'（`fmt` 可自动改正）' if r.fixable else ''} |" for r in RULES if not r.point), "",
        "## 审核规则", "",
        f"`tablegen review`（[审核](../../review.md)）的 {sum(bool(r.point) for r in RULES)} 条规则，"
        "按审核要点排列；每条意见从该要点的分值中扣去所列的分数。", "",
        "| 规则 | 审核要点 | 扣分 | 说明 |", "| --- | --- | --- | --- |",
        *(f"| [`{r.id}`]({r.id}.md) | {r.point} | {r.deduct} | {r.title} |" for r in RULES if r.point),
        "",
    ]
    return "\n".join(lines)


def fields_table(fields: tuple[schema.Field, ...]) -> str:
    """A Markdown table of a mapping's keys: key, Chinese name, required, what it holds."""
    rows = ["| 键 | 名称 | 必填 | 说明 |", "| --- | --- | --- | --- |"]
    for f in fields:
        text = f.description
        options = schema.choices_of(f)
        if options:
            text += f"。可选：{'、'.join(f'`{o}`' for o in options)}"
        if f.default is not None:
            text += f"；默认 `{f.default}`"
        rows.append(f"| `{f.key}` | {f.title} | {'是' if f.required else '否'} | {text} |")
    return "\n".join(rows)


def layout_table(part: str) -> str | None:
    """What a layout's cells above the grid (HEAD) or its grid columns (GRID) may print, what a
    band may cover (BAND), or the layouts tablegen ships (LIST), as a Markdown table."""
    from tablegen.load.layouts import LAYOUTS, shipped
    from tablegen.model.layouts import BAND_OVER, GRID_FIELDS, HEAD_FIELDS
    from tablegen.templates import DEFAULT_TEMPLATES

    if part == "BAND":
        rows = ["| `over` | 贯通的范围 |", "| --- | --- |"]
        return "\n".join(rows + [f"| `{k}` | {v} |" for k, v in BAND_OVER.items()])
    if part in ("HEAD", "GRID"):
        fields = HEAD_FIELDS if part == "HEAD" else GRID_FIELDS
        rows = ["| `field` | 印出的内容 |", "| --- | --- |"]
        return "\n".join(rows + [f"| `{k}` | {v} |" for k, v in fields.items()])
    if part == "LIST":
        rows = ["| 版式 | 说明 |", "| --- | --- |"]
        shipped_names = sorted(p.stem for p in (DEFAULT_TEMPLATES / LAYOUTS).glob("*.yaml"))
        return "\n".join(rows + [f"| `{n}` | {shipped(n).title} |" for n in shipped_names])
    return None


def on_page_markdown(markdown: str, page: Page, **kwargs: Any) -> str:
    def table(m: re.Match[str]) -> str:
        part = FORMAT_PARTS.get(m.group(1))
        if part is None:
            log.warning("%s：没有名为 %s 的格式部分（可用：%s）", page.file.src_uri, m.group(1),
                        "、".join(FORMAT_PARTS))
            return m.group()
        return fields_table(part)

    def layout(m: re.Match[str]) -> str:
        made = layout_table(m.group(1))
        if made is None:
            log.warning("%s：没有名为 %s 的版式部分（可用：HEAD、GRID、BAND、LIST）", page.file.src_uri,
                        m.group(1))
            return m.group()
        return made

    return LAYOUT_MARKER.sub(layout, FIELDS_MARKER.sub(table, markdown))


def _expand(nav: Any, index: str, children: list[dict[str, str]]) -> Any:
    """The nav with the entry whose page is `index` turned into a section of it and children."""
    if isinstance(nav, list):
        return [_expand(item, index, children) for item in nav]
    if isinstance(nav, dict):
        return {title: ([value, *children] if value == index else _expand(value, index, children))
                for title, value in nav.items()}
    return nav


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    try:
        import jieba
    except ImportError:  # pragma: no cover - the docs extra installs it
        pass
    else:
        jieba.setLogLevel(logging.WARNING)
        jieba.dt.tmp_dir = _JIEBA_CACHE.name
    names = _ordered(list(commands()))
    for name in names:
        if name not in GUIDE_PAGES:
            log.warning("命令 tablegen %s 在指南中没有对应的章节（docs/hooks.py 的 GUIDE_PAGES）", name)
    config.nav = _expand(config.nav, f"{COMMANDS_DIR}/index.md",
                         [{f"tablegen {n}": f"{COMMANDS_DIR}/{n}.md"} for n in names])
    config.nav = _expand(config.nav, f"{RULES_DIR}/index.md",
                         [{r.id: f"{RULES_DIR}/{r.id}.md"} for r in RULES])
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    subs = commands()
    names = _ordered(list(subs))
    pages = {f"{COMMANDS_DIR}/index.md": commands_index(names),
             f"{RULES_DIR}/index.md": rules_index()}
    pages.update({f"{COMMANDS_DIR}/{n}.md": command_page(n, subs[n]) for n in names})
    pages.update({f"{RULES_DIR}/{r.id}.md": rule_page(r) for r in RULES})
    for uri, content in pages.items():
        files.append(File.generated(config, uri, content=content))
    return files
