"""Validation: node trees in, a model and every finding of every file out.

Structure (keys, types, required fields) is checked against `schema.py`; then the rules a
budget officer cares about (sums, cost caps, percentages, satisfaction, dates) run on the model.
Nothing stops at the first problem.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import UTC, datetime
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, InvalidOperation, localcontext

from .. import rules
from ..errors import Pos, Report
from ..model.book import (
    FUND_SOURCES,
    Agency,
    Book,
    Budget,
    Execution,
    Funds,
    Indicator,
    Level1,
    Level2,
    Project,
    normalize_value,
)
from ..model.frames import COST_LEVEL2, Frame, frames
from ..model.schema import BOOK, BUDGET, EXECUTION, FUNDS, INDICATOR, PROJECT, Field, choices_of
from ..model.scoring import (
    BEATEN,
    OUTLIER,
    RowScore,
    measure,
    percent,
    scheme_of,
    score_project,
    times,
)
from ..model.values import CAP_SIGNS, MONEY_SCALE, parse
from ..rules import Rule
from . import monitoring
from .glyphs import missing_glyphs
from .loader import Node

# ASCII digits only: `４０` or `٤٠` would print as typed but reach the budget system as 40; a
# leading `+` is no amount either. Both are refused with a hint, not silently read.
AMOUNT = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
FIRST_YEAR, LAST_YEAR = 2000, 2099  # budget years a document can carry (and a ZIP date hold)
DAMAGE = ("？", "\ufffd")
XLSX_CELL_MAX = 32767  # characters a spreadsheet cell holds
PLACEHOLDER = "请填写"  # what `tablegen new` puts where the author has to write
# A percentage inside a sentence (`提高至105%的水平`), for percent-over-100 on qualitative values.
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(%|％|百分比)?")
YEAR_IN_TEXT = re.compile(r"(\d{4})\s*年")
# Sums and products of amounts are exact: the default 28 digits would round a 32-digit total.
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


# Invisible format characters (Unicode category Cf): a text holding one reads differently from
# what it is (`≥\u202e家21` shows as `≥12家`; `测试\u200b项目` looks like `测试项目`). None
# belongs in a Chinese budget table. Bidi embeddings, overrides and isolates reorder what is shown,
# so removing one changes the text a reader saw: `fmt` removes only the others.
REORDERING = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                       "\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2"
                       "\ufff9\ufffa\ufffb\U000110bd\U000110cd")
MARKS = frozenset("\u200e\u200f\u061c")  # reorder only around right-to-left letters
INVISIBLE_NAMES = {
    "\u00ad": "软连字符", "\u061c": "阿拉伯字母标记", "\u180e": "蒙古文元音分隔符",
    "\u200b": "零宽空格", "\u200c": "零宽不连字", "\u200d": "零宽连字", "\u200e": "从左至右标记",
    "\u200f": "从右至左标记", "\u202a": "从左至右嵌入", "\u202b": "从右至左嵌入",
    "\u202c": "嵌入结束", "\u202d": "从左至右强制", "\u202e": "从右至左强制", "\u2060": "字连接符",
    "\u2066": "从左至右隔离", "\u2067": "从右至左隔离", "\u2068": "首字隔离", "\u2069": "隔离结束",
    "\ufeff": "零宽不换行空格",
}


def _emoji_joiner(text: str, i: int) -> bool:
    """Whether the ZWJ at i joins two emoji (👨\u200d👩), where it is what draws them."""
    before = text[i - 1] if i else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    return (bool(before) and bool(after) and unicodedata.category(after) == "So"
            and (unicodedata.category(before) in ("So", "Sk") or before == "\ufe0f"))


def invisible(text: str) -> list[int]:
    """The indexes of the invisible format characters in a text."""
    if text.isascii():
        return []
    return [i for i, ch in enumerate(text) if unicodedata.category(ch) == "Cf"
            and not (ch == "\u200d" and _emoji_joiner(text, i))]


def visible(text: str) -> str:
    """The text without its invisible format characters (what a reader sees, in order)."""
    drop = set(invisible(text))
    return "".join(ch for i, ch in enumerate(text) if i not in drop) if drop else text


def _removable(text: str, ch: str) -> bool:
    if ch in REORDERING:
        return False
    if ch in MARKS:
        return not any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)
    return True


def cleaned(text: str) -> str:
    """The text without the invisible characters whose removal changes nothing a reader sees."""
    drop = {i for i in invisible(text) if _removable(text, text[i])}
    return "".join(ch for i, ch in enumerate(text) if i not in drop) if drop else text


def suggest(word: str, options: list[str] | tuple[str, ...]) -> str:
    """A "did you mean" hint, or an empty string."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.5)
    return f"，是否想写“{close[0]}”？" if close else ""


class Checker:
    """Structural checks for one file, reporting into a shared report."""

    def __init__(self, report: Report):
        self.report = report

    def find(self, pos: Pos, rule: Rule, where: str, message: str) -> None:
        """A finding of `rule` at `pos`, its message after the key path `where`."""
        self.report.add(pos, rule, f"{where}：{message}" if where else message)

    def wrong_type(self, node: Node, where: str, expected: str) -> None:
        self.find(node.pos, rules.WRONG_TYPE, where, f"应为{expected}，实际为{node.describe()}")

    def mapping(self, node: Node, fields: tuple[Field, ...], where: str) -> dict[str, Node] | None:
        """The keys of a mapping node, after unknown, duplicate and missing keys are reported."""
        if node.kind != "map":
            self.wrong_type(node, where, "映射（键: 值）")
            return None
        names = [f.key for f in fields]
        present = {key.text for key, _ in node.pairs if key.kind == "scalar"}
        # A required key that is missing because it was mistyped is told once, at the typo:
        # `未知的键“vaule”，是否想写“value”？（必填项）`, not also as a missing field above it.
        typos = {f.key: f.title for f in fields if f.required and f.key not in present}
        found = self.keys(node, where, known=names, typos=typos)
        for f in fields:
            if f.required and f.key not in found and f.key in typos:
                self.find(node.pos, rules.MISSING_FIELD, where,
                           f"缺少必填项“{f.key}”（{f.title}）")
        return found

    def keys(self, node: Node, where: str, known: list[str] | None,
             typos: dict[str, str] | None = None) -> dict[str, Node]:
        """The keys of a mapping; an unknown key that is a typo of a key in `typos` (missing
        required keys, key → title) is reported as that key's typo, and the key leaves `typos`."""
        found: dict[str, Node] = {}
        first: dict[str, Pos] = {}
        for key, value in node.pairs:
            if key.kind != "scalar":
                self.wrong_type(key, where, "文本键")
                continue
            name = key.text
            if name in first:
                self.find(key.pos, rules.DUPLICATE_KEY, where,
                           f"重复的键“{name}”（第 {first[name].line} 行已出现）")
                continue
            first[name] = key.pos
            if known is not None and name not in known:
                close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
                if typos and close and close[0] in typos:
                    self.find(key.pos, rules.UNKNOWN_KEY, where,
                               f"未知的键“{name}”，是否想写“{close[0]}”？"
                               f"（“{close[0]}”是必填项：{typos.pop(close[0])}）")
                else:
                    self.find(key.pos, rules.UNKNOWN_KEY, where,
                               f"未知的键“{name}”{suggest(name, known) or '；可用的键：' + '、'.join(known)}")
                continue
            found[name] = value
        return found

    def text(self, node: Node | None, where: str, title: str, *, required: bool) -> str | None:
        """A text scalar; empty, wrong-type and suspicious-text findings reported."""
        if node is None:
            return None
        if node.kind != "scalar":
            self.wrong_type(node, where, f"文本（{title}）")
            return None
        if node.is_null or node.text.strip() == "":
            if required:
                self.find(node.pos, rules.EMPTY_TEXT, where, f"{title}不能为空")
            return "" if not node.is_null else None
        self.inspect(node.text, node.pos, where)
        return node.text

    def inspect(self, text: str, pos: Pos, where: str) -> None:
        if len(text) > XLSX_CELL_MAX:
            self.find(pos, rules.TEXT_TOO_LONG, where,
                         f"文本长 {len(text)} 个字符，超过 XLSX 单元格的上限 {XLSX_CELL_MAX}，"
                         "XLSX 中会被截断")
        for ch in missing_glyphs(text):
            self.find(pos, rules.GLYPH_MISSING, where,
                         f"字符“{ch}”（U+{ord(ch):04X}）没有可用的字体，PDF 中会显示为方框；"
                         "请改用常用字或安装含此字的字体")
        if PLACEHOLDER in text:
            self.find(pos, rules.PLACEHOLDER, where, f"尚未填写：“{text}”")
        self.invisible(text, pos, where)
        if text != text.strip():
            self.find(pos, rules.WHITESPACE, where, f"文本首尾有空白：“{text}”")
        for mark in DAMAGE:
            if mark in text:
                self.find(pos, rules.ENCODING_DAMAGE, where,
                             f"文本含有“{mark}”，可能是编码损坏：“{text}”")
                break

    def invisible(self, text: str, pos: Pos, where: str) -> None:
        found = [text[i] for i in invisible(text)]
        if not found:
            return
        chars = "、".join(f"U+{ord(ch):04X}（{INVISIBLE_NAMES.get(ch, '格式字符')}）"
                         for ch in dict.fromkeys(found))
        if all(_removable(text, ch) for ch in found):
            hint = "请删除（tablegen fmt 会删除它）"
        else:
            hint = "请删除后核对文字（它改变了文字的显示顺序，tablegen fmt 不会自动删除）"
        self.find(pos, rules.INVISIBLE_CHAR, where,
                   f"文本含有不可见的字符 {chars}，显示出的文字与实际内容不同：“{text}”；{hint}")

    def amount(self, node: Node | None, where: str, title: str, *,
               required: bool = False) -> Decimal | None:
        if node is None:
            return None
        if node.is_null:
            if required:
                self.find(node.pos, rules.EMPTY_TEXT, where, f"{title}不能为空")
            return None
        if node.kind != "scalar" or not AMOUNT.match(node.text.strip()):
            shown = node.describe()
            hint = ""
            if node.kind == "scalar" and any(ch.isdigit() and not ch.isascii() for ch in node.text):
                hint = "；请只用半角数字 0-9"
            elif node.kind == "scalar" and node.text.strip().startswith("+"):
                hint = "；不要写“+”号"
            self.find(node.pos, rules.AMOUNT_INVALID, where,
                       f"{title}应为金额（如 40.00），实际为{shown}{hint}")
            return None
        text = node.text.strip()
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern already guarantees a number
            return None
        if value == 0:
            value = abs(value)  # `-0.00` is zero and prints as 0.00
        if value < 0:
            self.find(node.pos, rules.AMOUNT_NEGATIVE, where, f"{title}不能为负数：{text}")
        if "." in text and len(text.split(".")[1]) > 2:
            self.find(node.pos, rules.AMOUNT_PRECISION, where,
                       f"{title}最多保留两位小数：{text}")
        return value

    def choice(self, node: Node | None, field: Field, where: str) -> str | None:
        if node is None or node.is_null:
            return field.default
        options = choices_of(field)
        if node.kind != "scalar" or node.text not in options:
            shown = node.describe()
            hint = suggest(node.text, options) if node.kind == "scalar" else ""
            self.find(node.pos, rules.INVALID_CHOICE, where,
                       f"{field.title}应为 {' | '.join(options)} 之一，实际为{shown}{hint}")
            return None
        return node.text

    def text_list(self, node: Node | None, where: str, title: str) -> list[tuple[str, Pos]]:
        if node is None:
            return []
        if node.kind != "seq":
            self.wrong_type(node, where, f"列表（{title}，每项以“- ”开头）")
            return []
        if not node.items:
            self.find(node.pos, rules.EMPTY_TEXT, where, f"{title}不能为空列表")
        out = []
        for i, item in enumerate(node.items, 1):
            value = self.text(item, f"{where}[{i}]", title, required=True)
            if value:
                out.append((value, item.pos))
        return out


def check_book_node(
    root: Node, key: str, report: Report
) -> tuple[Book | None, list[list[tuple[str, Pos]]]]:
    """Book metadata (None when unusable) and, per agency, its listed project files."""
    c = Checker(report)
    found = c.mapping(root, BOOK, "")
    if found is None:
        return None, []
    by = {f.key: f for f in BOOK}
    title = c.text(found.get("title"), "title", "标题", required=True)
    year = None
    if "year" in found:
        y = found["year"]
        if y.kind == "scalar" and re.fullmatch(r"[0-9]{4}", y.text.strip()):
            year = int(y.text)
            if not FIRST_YEAR <= year <= LAST_YEAR:
                c.find(y.pos, rules.YEAR_RANGE, "year",
                        f"预算年度应在 {FIRST_YEAR} 至 {LAST_YEAR} 之间，实际为 {y.text.strip()}")
                year = None
        else:
            c.wrong_type(y, "year", "四位数的年份（如 2024）")
    money_unit = c.choice(found.get("money_unit"), by["money_unit"], "money_unit")
    frame = c.choice(found.get("frame"), by["frame"], "frame")
    merge = c.choice(found.get("merge"), by["merge"], "merge")
    scoring = c.choice(found.get("scoring"), by["scoring"], "scoring")  # None: the frame's
    bad_scoring = scoring is None and not (found.get("scoring") is None or found["scoring"].is_null)
    pace = c.choice(found.get("pace"), by["pace"], "pace")  # None: no pace warnings
    bad_pace = pace is None and not (found.get("pace") is None or found["pace"].is_null)
    department = c.text(found.get("department"), "department", "部门", required=False)
    agencies: list[Agency] = []
    listed: list[list[tuple[str, Pos]]] = []
    node = found.get("agencies")
    if node is not None:
        if node.kind != "seq":
            c.wrong_type(node, "agencies", "列表（每个单位以“- ”开头）")
        elif not node.items:
            c.find(node.pos, rules.EMPTY_GROUP, "agencies", "至少需要一个单位")
        agency_fields = BOOK[-1].fields
        for i, item in enumerate(node.items if node.kind == "seq" else [], 1):
            where = f"agencies[{i}]"
            af = c.mapping(item, agency_fields, where)
            if af is None:
                continue
            code = af.get("code")
            code_text = ""
            if code is not None:
                if code.kind != "scalar" or code.is_null or not code.text.strip():
                    c.find(code.pos, rules.EMPTY_TEXT, f"{where}.code", "单位编码不能为空")
                else:
                    code_text = code.text
                    c.invisible(code_text, code.pos, f"{where}.code")
            name = c.text(af.get("name"), f"{where}.name", "单位名称", required=True) or ""
            projects = af.get("projects")
            if projects is not None and projects.is_null:
                c.find(projects.pos, rules.NO_PROJECTS, f"{where}.projects",
                          "此单位还没有项目（用 tablegen new 添加）")
                projects = None
            files = c.text_list(projects, f"{where}.projects", "项目文件")
            agencies.append(Agency(code_text, name))
            listed.append(files)
    if (title is None or year is None or money_unit is None or frame is None or merge is None
            or bad_scoring or bad_pace):
        return None, listed
    book = Book(key=key, title=title, year=year, money_unit=money_unit, frame=frame,
                merge=merge, department=department, scoring=scoring, pace=pace, agencies=agencies)
    return book, listed


def check_project_node(root: Node, file: str, frame: Frame, report: Report) -> Project | None:
    """A project from its node tree, or None when its structure is too broken to use."""
    c = Checker(report)
    found = c.mapping(root, PROJECT, "")
    if found is None:
        return None
    name = c.text(found.get("name"), "name", "项目名称", required=True)
    budget = None
    if "budget" in found:
        bf = c.mapping(found["budget"], BUDGET, "budget")
        if bf is not None:
            total = c.amount(bf.get("total"), "budget.total", "预算数", required=True)
            fiscal = c.amount(bf.get("fiscal"), "budget.fiscal", "财政资金")
            other = c.amount(bf.get("other"), "budget.other", "其他资金")
            if total is not None:
                budget = Budget(total, fiscal, other)
                if total == 0:  # what `tablegen new` writes until the author fills it in
                    c.find(bf["total"].pos, rules.PLACEHOLDER, "budget.total",
                              f"尚未填写：预算数为 {total}；请填写项目的预算数")
                if fiscal is not None or other is not None:
                    with localcontext(EXACT):
                        parts = (fiscal or Decimal(0)) + (other or Decimal(0))
                    if parts != total:
                        c.find(bf["total"].pos, rules.BUDGET_SUM, "budget.total",
                                f"预算数 {total} 不等于 财政资金 {fiscal or 0} + 其他资金 "
                                f"{other or 0} = {parts}")
    usage = c.text(found.get("usage"), "usage", "资金用途", required=False) or ""
    goals = [g for g, _ in c.text_list(found.get("goals"), "goals", "绩效目标")]
    indicators = _indicators(c, found.get("indicators"), frame)
    execution = _execution(c, found.get("execution"))
    rounds = monitoring.read(c, found.get("monitoring"))
    if name is None or budget is None or indicators is None:
        return None
    project = Project(name=name, budget=budget, usage=usage, goals=goals, indicators=indicators,
                      execution=execution, monitoring=rounds, file=file, pos=root.pos)
    key_of = _key_positions(root)
    project.where = {k: key_of[id(v)] for k, v in found.items()}
    return project


def _key_positions(node: Node) -> dict[int, Pos]:
    """Each value node's key position, by the value's identity (one pass, not one per key)."""
    return {id(v): k.pos for k, v in node.pairs}


def _indicators(c: Checker, node: Node | None, frame: Frame) -> list[Level1] | None:
    if node is None:
        return None
    if node.kind != "map":
        c.wrong_type(node, "indicators", "映射（一级指标: 二级指标: 列表）")
        return None
    if not node.pairs:
        c.find(node.pos, rules.EMPTY_GROUP, "indicators", "没有任何一级指标")
    out = []
    key_of = _key_positions(node)
    for l1_name, l1_node in c.keys(node, "indicators", known=None).items():
        key_pos = key_of[id(l1_node)]
        where1 = f"indicators.{l1_name}"
        if l1_name not in frame.levels:
            c.find(key_pos, rules.UNKNOWN_LEVEL1, "indicators",
                    f"一级指标“{l1_name}”不在指标框架 {frame.name} 中"
                    f"{suggest(l1_name, tuple(frame.levels)) or '（可用：' + '、'.join(frame.levels) + '）'}")
        level1 = Level1(l1_name, pos=key_pos)
        out.append(level1)
        if l1_node.is_null or (l1_node.kind == "map" and not l1_node.pairs):
            c.find(key_pos, rules.EMPTY_GROUP, where1, f"一级指标“{l1_name}”下没有二级指标")
            continue
        if l1_node.kind != "map":
            c.wrong_type(l1_node, where1, "映射（二级指标: 列表）")
            continue
        allowed = frame.level2_of(l1_name)
        key2_of = _key_positions(l1_node)
        for l2_name, l2_node in c.keys(l1_node, where1, known=None).items():
            key2 = key2_of[id(l2_node)]
            where2 = f"{where1}.{l2_name}"
            if l1_name in frame.levels and l2_name not in allowed:
                owner = next((k for k, v in frame.levels.items() if l2_name in v), None)
                hint = f"；它属于一级指标“{owner}”" if owner else ""
                c.find(key2, rules.UNKNOWN_LEVEL2, where1,
                        f"二级指标“{l2_name}”不属于一级指标“{l1_name}”（框架 {frame.name}）{hint}；"
                        f"“{l1_name}”下可用：{'、'.join(allowed)}")
            level2 = Level2(l2_name, pos=key2)
            level1.groups.append(level2)
            if l2_node.is_null or (l2_node.kind == "seq" and not l2_node.items):
                c.find(key2, rules.EMPTY_GROUP, where2, f"二级指标“{l2_name}”下没有三级指标")
                continue
            if l2_node.kind != "seq":
                c.wrong_type(l2_node, where2, "列表（每个三级指标以“- ”开头）")
                continue
            for i, item in enumerate(l2_node.items, 1):
                where3 = f"{where2}[{i}]"
                f = c.mapping(item, INDICATOR, where3)
                if f is None:
                    continue
                name = c.text(f.get("name"), f"{where3}.name", "三级指标", required=True)
                desc = c.text(f.get("description"), f"{where3}.description", "绩效指标描述",
                              required=False)
                value = c.text(f.get("value"), f"{where3}.value", "指标值", required=True)
                if name is None or value is None:
                    continue
                value_pos = f["value"].pos
                indicator = Indicator(name=name, value=normalize_value(value), description=desc,
                                      pos=item.pos, value_pos=value_pos)
                _evaluation(c, f, where3, indicator)
                level2.indicators.append(indicator)
    return out


def _evaluation(c: Checker, f: dict[str, Node], where: str, ind: Indicator) -> None:
    """An indicator's optional 自评 keys, read into it."""
    by = {x.key: x for x in INDICATOR}
    actual = c.text(f.get("actual"), f"{where}.actual", "实际完成值", required=True)
    ind.actual = normalize_value(actual) if actual is not None else None
    ind.weight = c.amount(f.get("weight"), f"{where}.weight", "分值")
    ind.grade = c.choice(f.get("grade"), by["grade"], f"{where}.grade")
    ind.score = c.amount(f.get("score"), f"{where}.score", "得分")
    ind.deviation = c.text(f.get("deviation"), f"{where}.deviation", "偏差原因分析及改进措施",
                           required=True)
    ind.where = {k: f[k].pos for k in ("actual", "weight", "grade", "score") if k in f}


def _execution(c: Checker, node: Node | None) -> Execution | None:
    """The execution block (预算执行情况) of an evaluated project, None when absent or broken."""
    if node is None:
        return None
    found = c.mapping(node, EXECUTION, "execution")
    if found is None:
        return None
    total = _funds(c, found, "execution")
    sources = {}
    for key in FUND_SOURCES:
        if key in found:
            sub = c.mapping(found[key], FUNDS, f"execution.{key}")
            funds = _funds(c, sub, f"execution.{key}") if sub is not None else None
            if funds is not None:
                sources[key] = funds
    results = [r for r, _ in c.text_list(found.get("results"), "execution.results", "实际完成情况")]
    if total is None:
        return None
    return Execution(total, sources, results, pos=node.pos)


def _funds(c: Checker, found: dict[str, Node], where: str) -> Funds | None:
    initial = c.amount(found.get("initial"), f"{where}.initial", "年初预算数")
    # Required: an empty `spent:` is a figure still to write (`selfeval` leaves it so),
    # never a 自评 silently left out.
    adjusted = c.amount(found.get("adjusted"), f"{where}.adjusted", "全年预算数", required=True)
    spent = c.amount(found.get("spent"), f"{where}.spent", "全年执行数", required=True)
    if adjusted is None or spent is None:
        return None
    pos = found["spent"].pos
    at: dict[str, Pos] = {k: found[k].pos for k in ("initial", "adjusted", "spent") if k in found}
    return Funds(initial, adjusted, spent, pos=pos, where=at)


def _numbered_rows(project: Project) -> list[tuple[Level1, Level2, int, Indicator]]:
    return [(l1, l2, i, ind) for l1 in project.indicators for l2 in l1.groups
            for i, ind in enumerate(l2.indicators, 1)]


def _is_satisfaction(l1: Level1, l2: Level2) -> bool:
    return "满意度" in l1.name or "满意度" in l2.name


def check_project_rules(
    project: Project, book: Book, report: Report, *, year_rules: bool = True
) -> None:
    """The budget rules on a structurally sound project."""
    scale = MONEY_SCALE.get(book.money_unit, MONEY_SCALE["万元"])
    with localcontext(EXACT):
        total_yuan = project.budget.total * scale
    has_satisfaction = False
    for l1, l2, i, ind in _numbered_rows(project):
        pos = ind.value_pos or ind.pos or project.pos or Pos("?")
        where = f"indicators.{l1.name}.{l2.name}[{i}].value"
        satisfaction = _is_satisfaction(l1, l2) or "满意度" in ind.name
        has_satisfaction = has_satisfaction or _is_satisfaction(l1, l2)
        value = ind.value.strip()
        v = parse(value)
        unit = v.measure if v.quantitative else None
        bounds = [n for n in (v.number, v.upper) if n is not None]
        if (l2.name in COST_LEVEL2 or l1.name == "成本指标") and unit and unit[1] == "元" and (
                v.sign in CAP_SIGNS or v.is_range):
            with localcontext(EXACT):
                over = max(bounds) * unit[0] > total_yuan
            if over:
                report.add(pos, rules.COST_CAP,
                             f"{where}：成本指标“{value}”超过项目预算数 "
                             f"{project.budget.total:.2f}{book.money_unit}")
        if satisfaction or ind.name.strip().endswith("率"):
            if unit is not None:
                over = (unit[1] == "%" or (satisfaction and not v.unit)) and max(bounds) > 100
            else:  # a sentence: any percentage in it
                over = any(m.group(2) and Decimal(m.group(1)) > 100 for m in PERCENT.finditer(value))
            if over:
                report.add(pos, rules.PERCENT_OVER_100, f"{where}：百分比不能超过 100：“{value}”")
        if satisfaction and unit is not None and not v.unit:
            report.add(pos, rules.SATISFACTION_UNIT,
                           f"{where}：满意度指标值“{value}”没有单位（如 %）")
        if l2.name == "时效指标" and year_rules:
            for m in YEAR_IN_TEXT.finditer(value):
                year = int(m.group(1))
                if year < book.year or year > book.year + 3:
                    report.add(pos, rules.DATE_RANGE,
                                   f"{where}：时效指标中的年份 {year} 不在预算年度 {book.year} "
                                   f"至 {book.year + 3} 之间：“{value}”")
    if not has_satisfaction:
        report.add(project.where.get("indicators", project.pos or Pos("?")), rules.NO_SATISFACTION,
                       f"项目“{project.name}”没有满意度指标")
    if project.execution is not None:
        check_execution(project, book, report, year_rules=year_rules)
    if project.monitoring:
        monitoring.check(project, book, report, year_rules=year_rules)


def check_execution(project: Project, book: Book, report: Report, *, year_rules: bool) -> None:
    """The 自评 rules: comparable actuals, weights, spending, deviation reasons, the year."""
    execution = project.execution
    if execution is None:
        return
    here = project.where.get("execution", execution.pos or Pos("?"))
    if year_rules and book.year >= datetime.now(UTC).year:
        report.add(here, rules.EXECUTION_EARLY,
                       f"execution：预算年度 {book.year} 尚未结束，已填写执行数据（自评）")
    for key, funds in [("", execution.total), *execution.sources.items()]:
        title = FUND_SOURCES.get(key, "年度资金总额")
        if funds.spent > funds.adjusted:
            report.add(funds.pos or here, rules.OVERSPENT,
                         f"execution{'.' + key if key else ''}.spent：{title}的全年执行数 "
                         f"{funds.spent} 超过全年预算数 {funds.adjusted}")
    _check_fund_sums(project, report, here)
    scheme = scheme_of(book)
    for l1 in project.indicators:
        rows = [ind for g in l1.groups for ind in g.indicators]
        given = [ind.weight for ind in rows if ind.weight is not None]
        with localcontext(EXACT):
            given_sum = sum(given, Decimal(0))
        wanted = scheme.levels.get(l1.name)
        where = f"indicators.{l1.name}"
        if wanted is None:
            report.add(l1.pos or here, rules.WEIGHT_SUM,
                         f"{where}：评分方案 {scheme.name} 没有一级指标“{l1.name}”的分值"
                         f"（有：{'、'.join(scheme.levels)}）")
        elif given_sum > wanted or (len(given) == len(rows) and given_sum != wanted):
            report.add(l1.pos or here, rules.WEIGHT_SUM,
                         f"{where}：三级指标的分值合计 {given_sum} 与评分方案 "
                         f"{scheme.name} 中“{l1.name}”的分值 {wanted} 不符")
    present = {l1.name for l1 in project.indicators}
    missing = [name for name in scheme.levels if name not in present]
    if missing:
        with localcontext(EXACT):
            full = scheme.full - sum((scheme.levels[name] for name in missing), Decimal(0))
        names = "、".join(f"“{name}”（{scheme.levels[name]} 分）" for name in missing)
        report.add(project.where.get("indicators", here), rules.FULL_MARKS,
                     f"indicators：没有评分方案 {scheme.name} 的一级指标{names}，总分最高只有 "
                     f"{full} 分而不是 {scheme.full} 分；请补充该一级指标，或在 book.yaml 中用 "
                     "scoring 选择与指标相符的评分方案")
    score = score_project(project, book)
    for (l1, l2, i, ind), row in zip(_numbered_rows(project), score.rows if score else [],
                                     strict=False):
        where = f"indicators.{l1.name}.{l2.name}[{i}]"
        if row.weight == 0 and l1.name in scheme.levels:
            report.add(ind.where.get("weight", ind.pos or here), rules.WEIGHT_ZERO,
                           f"{where}：分值为 {row.weight:.{scheme.places}f}，此指标完成与否都不影响总分；"
                           f"请给它分值（weight），或减少“{l1.name}”下其他指标的分值")
        _check_row(ind, row, where, report, ind.pos or here)


def _check_fund_sums(project: Project, report: Report, here: Pos) -> None:
    """年度资金总额 = 本年财政拨款 + 上年结转资金 + 其他资金 in each column the 自评表 prints."""
    execution = project.execution
    if execution is None or not execution.sources:
        return
    for column, title in (("initial", "年初预算数"), ("adjusted", "全年预算数"),
                          ("spent", "全年执行数")):
        total: Decimal | None
        if column == "initial":  # as printed: given, else the budget block's
            parts = {key: project.initial(key) for key in FUND_SOURCES}
            total = project.initial()
            if all(v is None for v in parts.values()):
                continue
        else:
            parts = {key: getattr(execution.sources[key], column) if key in execution.sources
                     else None for key in FUND_SOURCES}
            total = getattr(execution.total, column)
        with localcontext(EXACT):
            added = sum((v for v in parts.values() if v is not None), Decimal(0))
        if added != total:
            terms = " + ".join(f"{FUND_SOURCES[key]} {'0' if v is None else v}"
                               for key, v in parts.items())
            report.add(execution.total.where.get(column, here), rules.EXECUTION_SUM,
                         f"execution.{column}：年度资金总额的{title} {total} 不等于 {terms} = {added}")


def _check_row(ind: Indicator, row: RowScore, where: str, report: Report, pos: Pos) -> None:
    target, actual = measure(ind.value), measure(ind.actual)
    at = ind.where.get("actual", pos)
    if target is not None:
        if ind.grade is not None or ind.score is not None:
            key = "grade" if ind.grade is not None else "score"
            report.add(ind.where[key], rules.ACTUAL_KIND,
                         f"{where}.{key}：定量指标“{ind.value}”的得分按实际完成值计算，"
                         "不填写完成等级或得分")
        if ind.actual is None:
            report.add(pos, rules.ACTUAL_MISSING, f"{where}：缺少实际完成值（actual）")
            return
        if actual is None:
            report.add(at, rules.ACTUAL_KIND,
                         f"{where}.actual：定量指标“{ind.value}”的实际完成值应为数字和单位，"
                         f"实际为“{ind.actual}”")
            return
        if not actual.comparable(target):
            report.add(at, rules.ACTUAL_UNIT,
                         f"{where}.actual：实际完成值“{ind.actual}”的单位与指标值“{ind.value}”"
                         f"不同（应为{target.unit or '无单位的数字'}）")
            return
        ratio = times(target, actual)
        if ratio is not None and ratio >= OUTLIER:
            report.add(at, rules.ACTUAL_OUTLIER,
                           f"{where}.actual：实际完成值“{ind.actual}”是指标值“{ind.value}”的 "
                           f"{OUTLIER} 倍以上，请核对是否多写了数字或用错了单位")
    elif ind.grade is None and ind.score is None:
        report.add(at, rules.GRADE_MISSING,
                     f"{where}：定性指标“{ind.value}”需要完成等级（grade：达成 | 部分达成 | 未达成）"
                     "或得分（score）")
        return
    elif ind.score is not None and ind.score > row.weight:
        report.add(ind.where["score"], rules.SCORE_OVER_WEIGHT,
                     f"{where}.score：得分 {ind.score} 超过分值 {row.weight}")
        return
    if ind.deviation:
        return
    if row.score < row.weight:
        report.add(at, rules.DEVIATION_MISSING,
                       f"{where}：得分 {row.score} 低于分值 {row.weight}，"
                       "请填写偏差原因分析及改进措施（deviation）")
    elif row.beaten is not None and row.beaten >= BEATEN:
        report.add(at, rules.DEVIATION_MISSING,
                       f"{where}：实际完成值“{ind.actual}”超出指标值“{ind.value}” "
                       f"{percent(row.beaten, 0)}，指标值可能定得过低；"
                       "请填写偏差原因分析及改进措施（deviation）")


def known_frame(name: str | None) -> Frame:
    return frames().get(name or "classic", frames()["classic"])
