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
from typing import Any, Protocol

from .. import rules
from ..errors import Pos, Report
from ..model.book import (
    DECIMALS,
    FUND_SOURCES,
    MAX_DECIMALS,
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
from ..model.layouts import Layout
from ..model.overall_layouts import Layout as OverallLayout
from ..model.overall_layouts import layouts as overall_layouts
from ..model.schema import (
    BOOK,
    BUDGET,
    EXECUTION,
    FRAME,
    FUNDS,
    INDICATOR,
    PROJECT,
    ROW_LEVELS,
    SCHEME,
    Field,
    choices_of,
)
from ..model.schemes import (
    INITIAL,
    MET,
    Scheme,
    SchemeError,
    own_scheme,
    scheme_for_frame,
    schemes,
    unnoted,
)
from ..model.scoring import (
    OUTLIER,
    RowScore,
    level_points,
    measure,
    percent,
    scheme_of,
    score_project,
    times,
)
from ..model.values import CAP_SIGNS, GE, LE, MONEY_SCALE, Value, actual_in, parse, plain_number
from ..rules import Rule
from . import monitoring
from .glyphs import missing_glyphs
from .loader import Node

# ASCII digits only: `４０` or `٤٠` would print as typed but reach the budget system as 40; a
# leading `+` is no amount either. Both are refused with a hint, not silently read.
AMOUNT = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
# Execution amounts (全年预算数, 全年执行数) come from the accounts, which keep more than cents of
# 万元: 棠溪镇's 2022 自评表 prints 89.974. Four places of 万元 are one 元.
EXECUTION_PLACES = 4
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
               required: bool = False, places: int = DECIMALS, why: str | None = None
               ) -> Decimal | None:
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
        if "." in text and len(text.split(".")[1]) > places:
            if why is not None:
                limit = f"最多保留 {places} 位小数（{why}）"
            elif places == DECIMALS:
                limit = "最多保留两位小数"
            elif places == 0:
                limit = "不能有小数（book.yaml 的 decimals: 0）"
            else:
                limit = f"最多保留 {places} 位小数（book.yaml 的 decimals: {places}）"
            self.find(node.pos, rules.AMOUNT_PRECISION, where, f"{title}{limit}：{text}")
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


class BookData(Protocol):
    """What a book.yaml names beyond itself: the frames and layouts of its repository
    (`load/layouts.Shelf` finds them in the template chain)."""

    def frames(self, report: Report) -> dict[str, Frame]: ...
    def layout(self, node: Node, report: Report) -> Layout | None: ...
    def overall_layout(self, node: Node, report: Report) -> OverallLayout | None: ...


def check_frame_node(c: Checker, node: Node, name: str, where: str) -> Frame | None:
    """A frame written as data (`title:` and `levels:` 一级 → list of 二级), or None."""
    found = c.mapping(node, FRAME, where)
    if found is None:
        return None
    title = c.text(found.get("title"), f"{where}.title", "框架名称", required=True)
    levels: dict[str, tuple[str, ...]] = {}
    lv = found.get("levels")
    if lv is not None and lv.kind != "map":
        c.wrong_type(lv, f"{where}.levels", "映射（一级指标: [二级指标, …]）")
        return None
    if lv is not None and not lv.pairs:
        c.find(lv.pos, rules.EMPTY_GROUP, f"{where}.levels", "没有任何一级指标")
    for l1, names in c.keys(lv, f"{where}.levels", known=None).items() if lv is not None else []:
        items = [c.text(n, f"{where}.levels.{l1}", "二级指标", required=True)
                 for n in (names.items if names.kind == "seq" else [])]
        if names.kind != "seq" or not items:
            c.wrong_type(names, f"{where}.levels.{l1}", "二级指标的列表（如 [数量指标, 质量指标]）")
            return None
        if any(not t for t in items):
            return None
        levels[l1] = tuple(t for t in items if t)
    if title is None or lv is None or not levels:
        return None
    return Frame(name, title, levels)


def _frames(c: Checker, node: Node | None) -> dict[str, Frame] | None:
    """The book's own frames (`frames:` name → frame); None when one is broken."""
    if node is None:
        return {}
    if node.kind != "map":
        c.wrong_type(node, "frames", "映射（框架名称: {title, levels}）")
        return None
    out: dict[str, Frame] = {}
    ok = True
    for name, item in c.keys(node, "frames", known=None).items():
        frame = check_frame_node(c, item, name, f"frames.{name}")
        if frame is None:
            ok = False
        else:
            out[name] = frame
    return out if ok else None


def _decimals(c: Checker, node: Node | None) -> int | None:
    if node is None or node.is_null:
        return DECIMALS
    if node.kind != "scalar" or not re.fullmatch(r"[0-9]", node.text.strip()) or \
            int(node.text) > MAX_DECIMALS:
        c.find(node.pos, rules.INVALID_CHOICE, "decimals",
               f"金额小数位数应为 0 至 {MAX_DECIMALS} 的整数，实际为{node.describe()}")
        return None
    return int(node.text)


def check_book_node(
    root: Node, key: str, report: Report, data: BookData | None = None
) -> tuple[Book | None, list[list[tuple[str, Pos]]]]:
    """Book metadata (None when unusable) and, per agency, its listed project files; with
    `data`, the frame and layout it names are looked up in its repository."""
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
    declared = _frames(c, found.get("frames"))
    known = {**(data.frames(report) if data is not None else frames()), **(declared or {})}
    frame: str | None = by["frame"].default
    fn = found.get("frame")
    if fn is not None and not fn.is_null:
        # Without `data` (a book read for its listing or from a past revision) any name is
        # taken: the repository's frames are not looked up there; check looks them up.
        frame = fn.text if fn.kind == "scalar" and (fn.text in known or data is None) else None
        if frame is None:
            hint = suggest(fn.text, tuple(known)) if fn.kind == "scalar" else ""
            c.find(fn.pos, rules.INVALID_CHOICE, "frame",
                   f"指标框架应为 {' | '.join(known)} 之一，实际为{fn.describe()}{hint}")
    layout = None
    ln = found.get("layout")
    bad_layout = False
    if ln is not None and not ln.is_null and data is not None:
        layout = data.layout(ln, report)
        bad_layout = layout is None
    elif ln is not None and not ln.is_null and ln.kind != "scalar":
        c.wrong_type(ln, "layout", "版式名称（文本）")
        bad_layout = True
    decimals = _decimals(c, found.get("decimals"))
    merge = c.choice(found.get("merge"), by["merge"], "merge")
    scoring, scoring_rules, bad_scoring = _scoring(c, found.get("scoring"), by["scoring"], frame)
    overall_layout, overall_own, bad_overall = _overall_layout(c, found.get("overall_layout"), data)
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
                    c.find(code.pos, rules.EMPTY_TEXT, f"{where}.code",
                           "单位编码不能为空（原表只印单位名称时，删去 code 这一行）")
                else:
                    code_text = code.text
                    c.invisible(code_text, code.pos, f"{where}.code")
            name = c.text(af.get("name"), f"{where}.name", "单位名称", required=True) or ""
            dept = c.text(af.get("department"), f"{where}.department", "主管部门", required=False)
            projects = af.get("projects")
            if projects is not None and projects.is_null:
                c.find(projects.pos, rules.NO_PROJECTS, f"{where}.projects",
                          "此单位还没有项目（用 tablegen new 添加）")
                projects = None
            files = c.text_list(projects, f"{where}.projects", "项目文件")
            contact = c.text(af.get("contact"), f"{where}.contact", "填表人", required=False)
            phone = c.text(af.get("phone"), f"{where}.phone", "联系电话", required=False)
            agency = Agency(code_text, name, department=dept or None, contact=contact or None,
                            phone=phone or None)
            overall = af.get("overall")
            if overall is not None and not overall.is_null:
                agency.overall_file = c.text(overall, f"{where}.overall", "部门整体文件",
                                             required=True) or ""
                agency.overall_pos = overall.pos
            agencies.append(agency)
            listed.append(files)
    if (title is None or year is None or money_unit is None or frame is None or merge is None
            or bad_scoring or declared is None or bad_layout or decimals is None or bad_overall
            or bad_pace):
        return None, listed
    book = Book(key=key, title=title, year=year, money_unit=money_unit, frame=frame,
                merge=merge, department=department, scoring=scoring, scoring_rules=scoring_rules,
                agencies=agencies, layout=layout, decimals=decimals, frames=declared,
                overall_layout=overall_layout, overall_own=overall_own, pace=pace)
    return book, listed


def _overall_layout(c: Checker, node: Node | None, data: BookData | None
                    ) -> tuple[str | None, OverallLayout | None, bool]:
    """book.yaml's `overall_layout:`: (the name, None when not written so that fmt keeps it
    unwritten; the repository's layout it names, None for a shipped one; whether it is bad).
    Without `data` (a book read for its listing or from a past revision) any name is taken."""
    if node is None or node.is_null:
        return None, None, False
    if data is None:
        if node.kind != "scalar" or not node.text.strip():
            c.wrong_type(node, "overall_layout", "部门整体表版式名称（文本）")
            return None, None, True
        return node.text.strip(), None, False
    layout = data.overall_layout(node, c.report)
    if layout is None:
        return None, None, True
    own = None if layout is overall_layouts().get(layout.name) else layout
    return layout.name, own, False


def _scoring(c: Checker, node: Node | None, field: Field, frame: str | None
             ) -> tuple[str | None, dict[str, Any] | None, bool]:
    """book.yaml's `scoring:`: a scheme's name, or the book's own scheme as a mapping of rules
    over its `base:` (the frame's scheme when it names none). (name, rules, whether it is bad)."""
    if node is None or node.is_null:
        return None, None, False
    if node.kind != "map":
        name = c.choice(node, field, "scoring")
        return name, None, name is None
    data, where = _plain(c, node, "")
    assert isinstance(data, dict)
    base = None
    if "base" in data:
        base = c.choice(next(v for k, v in node.pairs if k.text == "base"), field, "scoring.base")
        if base is None:
            return None, None, True
    name = base or scheme_for_frame(frame or "classic")
    try:
        own = own_scheme(name, data)
    except SchemeError as e:
        for path, message in e.problems:
            at = next((where[p] for p in _prefixes(path) if p in where), node.pos)
            c.find(at, rules.SCHEME_INVALID, f"scoring.{path}", message)
        return None, None, True
    labels = {f.key: f.title for f in SCHEME}
    for key in unnoted(own, schemes()[name]):
        c.find(where.get(key, node.pos), rules.SCHEME_NOTE, f"scoring.{key}",
               f"本书的评分方案改了“{labels[key]}”的规则，自评表下的注却仍是评分方案 {name} 的注，"
               "印出的算法与得分不符；请在 scoring.form.note 中写出本书的注")
    return base, data, False


def _plain(c: Checker, node: Node, path: str) -> tuple[Any, dict[str, Pos]]:
    """A node as YAML data (every scalar its text) and where each key path of it stands; a
    duplicate key is a finding (the first one counts)."""
    where = {path: node.pos}
    if node.kind == "map":
        out: dict[str, Any] = {}
        keys = {id(v): k for k, v in node.pairs}
        for name, value in c.keys(node, f"scoring.{path}" if path else "scoring", None).items():
            sub = f"{path}.{name}" if path else name
            out[name], more = _plain(c, value, sub)
            where.update(more)
            where[sub] = keys[id(value)].pos if value.kind != "scalar" else value.pos
        return out, where
    if node.kind == "seq":
        items = []
        for i, item in enumerate(node.items, 1):
            data, more = _plain(c, item, f"{path}[{i}]")
            items.append(data)
            where.update(more)
        return items, where
    return (None if node.is_null else node.text), where


def _prefixes(path: str) -> list[str]:
    """`form.rows.total`, `form.rows`, `form`: where to point for a problem at a key path."""
    parts = re.split(r"(?=[.\[])", path)
    return ["".join(parts[:i]) for i in range(len(parts), 0, -1)]


def frame_of(book: Book | None, known: dict[str, Frame] | None = None) -> Frame:
    """The frame a book's projects are checked against: its own, its repository's or tablegen's
    (classic when the book cannot say)."""
    if book is None:
        return known_frame(None)
    return {**(known or frames()), **book.frames}.get(book.frame) or known_frame(None)


def check_project_node(root: Node, file: str, frame: Frame, report: Report, *,
                       layout: Layout | None = None, decimals: int = DECIMALS) -> Project | None:
    """A project from its node tree, or None when its structure is too broken to use. The
    book's layout says which indicator keys it prints (its own columns, empty 二级 rows) and
    `decimals` how many places its amounts may have."""
    c = Checker(report)
    found = c.mapping(root, PROJECT, "")
    if found is None:
        return None
    name = c.text(found.get("name"), "name", "项目名称", required=True)
    budget = None
    if "budget" in found:
        bf = c.mapping(found["budget"], BUDGET, "budget")
        if bf is not None:
            total = c.amount(bf.get("total"), "budget.total", "预算数", required=True,
                             places=decimals)
            fiscal = c.amount(bf.get("fiscal"), "budget.fiscal", "财政资金", places=decimals)
            other = c.amount(bf.get("other"), "budget.other", "其他资金", places=decimals)
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
    period = c.text(found.get("period"), "period", "项目实施期", required=False)
    period_goals = [g for g, _ in c.text_list(found.get("period_goals"), "period_goals",
                                              "实施期绩效目标")]
    listed = c.text_list(found.get("recipients"), "recipients", "接收方")
    recipients: list[str] = []
    for i, (who, at) in enumerate(listed, 1):
        if who in recipients:
            c.find(at, rules.DUPLICATE_KEY, f"recipients[{i}]",
                   f"接收方“{who}”重复（第 {recipients.index(who) + 1} 项已列出）")
        else:
            recipients.append(who)
    grid = Grid(c, frame, layout, recipients)
    indicators = grid.read(found.get("indicators"))
    execution = _execution(c, found.get("execution"), decimals)
    rounds = monitoring.read(c, found.get("monitoring"))
    if name is None or budget is None or indicators is None:
        return None
    project = Project(name=name, budget=budget, usage=usage, goals=goals, indicators=indicators,
                      execution=execution, monitoring=rounds, file=file, pos=root.pos,
                      period=period,
                      period_goals=period_goals, recipients=recipients, order=grid.order)
    key_of = _key_positions(root)
    project.where = {k: key_of[id(v)] for k, v in found.items()}
    _unprinted(report, project, layout)
    return project


# What a project may carry that only some layouts print, with the layout field that prints it.
_LAYOUT_ONLY = (("period", "period", "项目实施期"), ("period_goals", "period_goals", "实施期绩效目标"),
                ("recipients", "values", "接收方（recipients）"))


def _unprinted(report: Report, project: Project, layout: Layout | None) -> None:
    """A warning for data the book's layout does not print (it stays in the file)."""
    if layout is None:
        from ..model.layouts import DEFAULT_LAYOUT

        name, has = DEFAULT_LAYOUT, {"usage", "goals", "value", "description"}
    else:
        name, has = layout.name, {f for f in ("period", "period_goals", "values", "period_value")
                                  if layout.has(f)}
    for key, fld, title in _LAYOUT_ONLY:
        if getattr(project, key) and fld not in has:
            report.add(project.where.get(key, project.pos or Pos("?")), rules.UNPRINTED,
                       f"{key}：版式 {name} 不印{title}；要印出它，请在 book.yaml 中选用有此内容的版式")
    if "period_value" not in has:
        for l1, l2, i, ind in _numbered_rows(project):
            if ind.period_value is not None:
                report.add(ind.where.get("period_value", ind.pos or Pos("?")), rules.UNPRINTED,
                           f"indicators.{l1.name}.{l2.name}[{i}].period_value：版式 {name} 不印"
                           "实施期指标值；要印出它，请在 book.yaml 中选用有此列的版式")
                break


def _key_positions(node: Node) -> dict[int, Pos]:
    """Each value node's key position, by the value's identity (one pass, not one per key)."""
    return {id(v): k.pos for k, v in node.pairs}


class Grid:
    """A project's `indicators`: a mapping 一级 → 二级 → rows, or a list of rows in their printed
    order (each with `level1` and `level2`), read into grouped Level1s and, for a list, the
    order the rows print in."""

    def __init__(self, c: Checker, frame: Frame, layout: Layout | None, recipients: list[str]):
        self.c = c
        self.frame = frame
        self.layout = layout
        self.recipients = recipients
        extra = tuple(Field(k, k, "text", False, "") for k in (layout.keys if layout else ()))
        self.fields = INDICATOR + extra
        self.order: list[tuple[int, int, int | None]] | None = None
        self.out: list[Level1] = []
        self.told: set[tuple[str, str]] = set()

    @property
    def empty_rows(self) -> bool:
        return self.layout is not None and self.layout.empty_level2

    def read(self, node: Node | None) -> list[Level1] | None:
        if node is None:
            return None
        if node.kind == "seq":
            return self.rows(node)
        if node.kind != "map":
            self.c.wrong_type(node, "indicators",
                              "映射（一级指标: 二级指标: 列表），或按打印顺序的行列表")
            return None
        c = self.c
        if not node.pairs:
            c.find(node.pos, rules.EMPTY_GROUP, "indicators", "没有任何一级指标")
        key_of = _key_positions(node)
        for l1_name, l1_node in c.keys(node, "indicators", known=None).items():
            key_pos = key_of[id(l1_node)]
            where1 = f"indicators.{l1_name}"
            self.level1_known(l1_name, key_pos)
            level1 = Level1(l1_name, pos=key_pos)
            self.out.append(level1)
            if l1_node.is_null or (l1_node.kind == "map" and not l1_node.pairs):
                c.find(key_pos, rules.EMPTY_GROUP, where1, f"一级指标“{l1_name}”下没有二级指标")
                continue
            if l1_node.kind != "map":
                c.wrong_type(l1_node, where1, "映射（二级指标: 列表）")
                continue
            key2_of = _key_positions(l1_node)
            for l2_name, l2_node in c.keys(l1_node, where1, known=None).items():
                key2 = key2_of[id(l2_node)]
                where2 = f"{where1}.{l2_name}"
                self.level2_known(l1_name, l2_name, key2, where1)
                level2 = Level2(l2_name, pos=key2)
                level1.groups.append(level2)
                if l2_node.is_null or (l2_node.kind == "seq" and not l2_node.items):
                    if not self.empty_rows:
                        c.find(key2, rules.EMPTY_GROUP, where2,
                               f"二级指标“{l2_name}”下没有三级指标")
                    continue
                if l2_node.kind != "seq":
                    c.wrong_type(l2_node, where2, "列表（每个三级指标以“- ”开头）")
                    continue
                for i, item in enumerate(l2_node.items, 1):
                    indicator = self.indicator(item, f"{where2}[{i}]", self.fields)
                    if indicator is not None:
                        level2.indicators.append(indicator)
        return self.out

    def rows(self, node: Node) -> list[Level1]:
        """`indicators` as a list of rows: grouped by 一级/二级, the order kept in `order`."""
        c = self.c
        self.order = []
        if not node.items:
            c.find(node.pos, rules.EMPTY_GROUP, "indicators", "没有任何指标行")
        for i, item in enumerate(node.items, 1):
            where = f"indicators[{i}]"
            if item.kind != "map":
                c.wrong_type(item, where, "映射（level1、level2、name、value…）")
                continue
            present = {key.text for key, _ in item.pairs if key.kind == "scalar"}
            typos = {f.key: f.title for f in ROW_LEVELS if f.key not in present}
            found = c.keys(item, where, known=[f.key for f in ROW_LEVELS + self.fields],
                           typos=typos)
            for f in ROW_LEVELS:  # a typo of one was told at the typo
                if f.key not in found and f.key in typos:
                    c.find(item.pos, rules.MISSING_FIELD, where, f"缺少必填项“{f.key}”（{f.title}）")
            l1 = c.text(found.get("level1"), f"{where}.level1", "一级指标", required=True)
            l2 = c.text(found.get("level2"), f"{where}.level2", "二级指标", required=True)
            if not l1 or not l2:
                continue
            a = next((k for k, g in enumerate(self.out) if g.name == l1), None)
            if a is None:
                self.level1_known(l1, found["level1"].pos)
                a = len(self.out)
                self.out.append(Level1(l1, pos=found["level1"].pos))
            level1 = self.out[a]
            b = next((k for k, g in enumerate(level1.groups) if g.name == l2), None)
            if b is None:
                self.level2_known(l1, l2, found["level2"].pos, f"indicators.{l1}")
                b = len(level1.groups)
                level1.groups.append(Level2(l2, pos=found["level2"].pos))
            level2 = level1.groups[b]
            if not any(k in found for k in self.fields_keys) and self.empty_rows:
                self.order.append((a, b, None))
                continue
            indicator = self.indicator(item, where, ROW_LEVELS + self.fields)
            if indicator is not None:
                self.order.append((a, b, len(level2.indicators)))
                level2.indicators.append(indicator)
        grouped = [(a, b, c) for a, g in enumerate(self.out) for b, l2 in enumerate(g.groups)
                   for c in (range(len(l2.indicators)) if l2.indicators else [None])]
        if self.order == grouped:  # rows in their groups' order: the mapping says it all
            self.order = None
        return self.out

    @property
    def fields_keys(self) -> set[str]:
        return {f.key for f in self.fields}

    def level1_known(self, name: str, pos: Pos) -> None:
        frame = self.frame
        if name not in frame.levels:
            options = "（可用：" + "、".join(frame.levels) + "）"
            self.c.find(pos, rules.UNKNOWN_LEVEL1, "indicators",
                        f"一级指标“{name}”不在指标框架 {frame.name} 中"
                        f"{suggest(name, tuple(frame.levels)) or options}")

    def level2_known(self, l1: str, l2: str, pos: Pos, where: str) -> None:
        frame = self.frame
        allowed = frame.level2_of(l1)
        if l1 in frame.levels and l2 not in allowed and (l1, l2) not in self.told:
            self.told.add((l1, l2))
            owner = next((k for k, v in frame.levels.items() if l2 in v), None)
            hint = f"；它属于一级指标“{owner}”" if owner else ""
            self.c.find(pos, rules.UNKNOWN_LEVEL2, where,
                        f"二级指标“{l2}”不属于一级指标“{l1}”（框架 {frame.name}）{hint}；"
                        f"“{l1}”下可用：{'、'.join(allowed)}")

    def indicator(self, item: Node, where3: str, fields: tuple[Field, ...]) -> Indicator | None:
        """One indicator row's keys: 三级, 描述, 指标值, the layout's columns and 自评."""
        c = self.c
        f = c.mapping(item, fields, where3)
        if f is None:
            return None
        name = c.text(f.get("name"), f"{where3}.name", "三级指标", required=True)
        desc = c.text(f.get("description"), f"{where3}.description", "绩效指标描述",
                      required=False)
        value = c.text(f.get("value"), f"{where3}.value", "指标值", required=True)
        if name is None or value is None:
            return None
        indicator = Indicator(name=name, value=normalize_value(value), description=desc,
                              pos=item.pos, value_pos=f["value"].pos)
        period_value = c.text(f.get("period_value"), f"{where3}.period_value", "实施期指标值",
                              required=True)
        indicator.period_value = normalize_value(period_value) if period_value is not None else None
        indicator.values = self.values(f.get("values"), f"{where3}.values")
        for key in (self.layout.keys if self.layout else ()):
            text = c.text(f.get(key), f"{where3}.{key}", key, required=False)
            if text is not None:
                indicator.extra[key] = text
        _evaluation(c, f, where3, indicator)
        indicator.where.update({k: f[k].pos for k in ("period_value", "values") if k in f})
        return indicator

    def values(self, node: Node | None, where: str) -> dict[str, str]:
        """An indicator's value per recipient (`values:` recipient → 指标值)."""
        if node is None or node.is_null:
            return {}
        c = self.c
        if node.kind != "map":
            c.wrong_type(node, where, "映射（接收方: 指标值）")
            return {}
        out: dict[str, str] = {}
        key_of = _key_positions(node)
        for who, vn in c.keys(node, where, known=None).items():
            if who not in self.recipients:
                c.find(key_of[id(vn)], rules.UNKNOWN_KEY, where,
                       f"“{who}”不是本项目的接收方（recipients）{suggest(who, self.recipients)}"
                       f"；接收方：{'、'.join(self.recipients) or '（未写 recipients）'}")
                continue
            text = c.text(vn, f"{where}.{who}", "指标值", required=False)
            if text:
                out[who] = normalize_value(text)
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
    ind.score_reason = c.text(f.get("score_reason"), f"{where}.score_reason", "得分调整理由",
                              required=True)
    ind.where = {k: f[k].pos for k in ("actual", "weight", "grade", "score", "score_reason")
                 if k in f}


def _execution(c: Checker, node: Node | None, places: int = DECIMALS) -> Execution | None:
    """The execution block (预算执行情况) of an evaluated project, None when absent or broken."""
    if node is None:
        return None
    found = c.mapping(node, EXECUTION, "execution")
    if found is None:
        return None
    total = _funds(c, found, "execution", places)
    sources = {}
    for key in FUND_SOURCES:
        if key in found:
            sub = c.mapping(found[key], FUNDS, f"execution.{key}")
            funds = _funds(c, sub, f"execution.{key}", places) if sub is not None else None
            if funds is not None:
                sources[key] = funds
    results = [r for r, _ in c.text_list(found.get("results"), "execution.results", "实际完成情况")]
    deviation = c.text(found.get("deviation"), "execution.deviation", "预算执行偏差原因",
                       required=True)
    if total is None:
        return None
    return Execution(total, sources, results, pos=node.pos, deviation=deviation)


def _funds(c: Checker, found: dict[str, Node], where: str, places: int = DECIMALS
           ) -> Funds | None:
    # The accounts' figures keep their own places (89.974 万元), up to four, or the book's.
    why = None if places >= EXECUTION_PLACES else "执行数据照会计账簿填写，最多四位小数"
    places = max(places, EXECUTION_PLACES)
    initial = c.amount(found.get("initial"), f"{where}.initial", "年初预算数", places=places, why=why)
    # Required: an empty `spent:` is a figure still to write (`selfeval` leaves it so),
    # never a 自评 silently left out.
    adjusted = c.amount(found.get("adjusted"), f"{where}.adjusted", "全年预算数", places=places,
                        why=why, required=True)
    spent = c.amount(found.get("spent"), f"{where}.spent", "全年执行数", places=places, why=why,
                     required=True)
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
        # A budget of 0.00 is still to be filled in (placeholder): no cap is over it yet.
        if (l2.name in COST_LEVEL2 or l1.name == "成本指标") and unit and unit[1] == "元" and (
                v.sign in CAP_SIGNS or v.is_range) and project.budget.total > 0:
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
    check_scores(project, book, report, here)


def check_scores(project: Project, book: Book, report: Report, here: Pos) -> None:
    """The 自评 rules of the indicators: weights against the scheme, full marks, each row's
    actual, grade, score and deviation reason (a project's, or an agency's 整体)."""
    scheme = scheme_of(book)
    _check_weights(project, scheme, report, here)
    score = score_project(project, book)
    if score is None:
        return
    _check_budget(project, score.budget.rate, scheme, report, here)
    for (l1, l2, i, ind), row in zip(_numbered_rows(project), score.rows, strict=False):
        where = f"indicators.{l1.name}.{l2.name}[{i}]"
        if row.weight == 0 and (l1.name in scheme.levels or scheme.pool is not None):
            report.add(ind.where.get("weight", ind.pos or here), rules.WEIGHT_ZERO,
                           f"{where}：分值为 {row.weight:.{scheme.places}f}，此指标完成与否都不影响总分；"
                           f"请给它分值（weight），或减少“{l1.name}”下其他指标的分值")
        _check_row(ind, row, where, report, ind.pos or here, scheme)


def _check_weights(project: Project, scheme: Scheme, report: Report, here: Pos) -> None:
    """Each 一级's (or the pool's) 分值 given on its rows, and the scheme's 一级 the table lacks."""
    if scheme.pool is not None:
        rows = [ind for _, _, ind in project.rows()]
        given = [ind.weight for ind in rows if ind.weight is not None]
        with localcontext(EXACT):
            given_sum = sum(given, Decimal(0))
        if given_sum > scheme.pool or (len(given) == len(rows) and given_sum != scheme.pool):
            report.add(project.where.get("indicators", here), rules.WEIGHT_SUM,
                         f"indicators：三级指标的分值合计 {given_sum} 与{scheme.label} 的"
                         f"绩效指标分值 {scheme.pool} 不符")
        return
    points, missing = level_points([l1.name for l1 in project.indicators], scheme)
    for l1 in project.indicators:
        rows = [ind for g in l1.groups for ind in g.indicators]
        given = [ind.weight for ind in rows if ind.weight is not None]
        with localcontext(EXACT):
            given_sum = sum(given, Decimal(0))
        wanted = points.get(l1.name)
        where = f"indicators.{l1.name}"
        if wanted is None:
            report.add(l1.pos or here, rules.WEIGHT_SUM,
                         f"{where}：{scheme.label} 没有一级指标“{l1.name}”的分值"
                         f"（有：{'、'.join(scheme.levels)}）")
        elif given_sum > wanted or (len(given) == len(rows) and given_sum != wanted):
            report.add(l1.pos or here, rules.WEIGHT_SUM,
                         f"{where}：三级指标的分值合计 {given_sum} 与"
                         f"{scheme.label} 中“{l1.name}”的分值 {wanted} 不符")
    if missing and not scheme.rebase:
        with localcontext(EXACT):
            full = scheme.full - sum((scheme.levels[name] for name in missing), Decimal(0))
        names = "、".join(f"“{name}”（{scheme.levels[name]} 分）" for name in missing)
        report.add(project.where.get("indicators", here), rules.FULL_MARKS,
                     f"indicators：没有{scheme.label} 的一级指标{names}，总分最高只有 "
                     f"{full} 分而不是 {scheme.full} 分；请补充该一级指标，或在 book.yaml 中用 "
                     "scoring 选择与指标相符的评分方案")


def _check_budget(project: Project, rate: Decimal, scheme: Scheme, report: Report, here: Pos
                  ) -> None:
    """A zero denominator, and a 执行率 below the scheme's threshold without a reason."""
    execution = project.execution
    assert execution is not None
    total = execution.total
    base = project.initial() if scheme.rate_base == INITIAL else total.adjusted
    title = "年初预算数" if scheme.rate_base == INITIAL else "全年预算数"
    at = total.where.get("adjusted", total.pos or here)
    if not base:
        how = "100%（得满分）" if rate else "0%（得 0 分）"
        report.add(at, rules.EXECUTION_ZERO,
                   f"execution：{title}为 0，预算执行率无从计算，{scheme.label} 计为 {how}；"
                   "请核对执行数据")
    elif (scheme.reason_below is not None and rate < scheme.reason_below
          and not execution.deviation):
        report.add(total.where.get("spent", at), rules.DEVIATION_MISSING,
                   f"execution：预算执行率 {percent(rate, scheme.places)} 低于 "
                   f"{percent(scheme.reason_below, 0)}，{scheme.label} 要求说明原因；"
                   "请填写预算执行偏差原因（execution.deviation）")


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


def _check_row(ind: Indicator, row: RowScore, where: str, report: Report, pos: Pos,
               scheme: Scheme) -> None:
    target = measure(ind.value)
    at = ind.where.get("actual", pos)
    if ind.score_reason is not None and ind.score is None:
        report.add(ind.where["score_reason"], rules.SCORE_OVERRIDE,
                   f"{where}.score_reason：写了得分调整理由，却没有调整后的得分（score）")
    if target is not None:
        if not _check_quantitative(ind, row, target, where, report, pos, scheme):
            return
    elif ind.grade is None and ind.score is None:
        report.add(at, rules.GRADE_MISSING,
                     f"{where}：定性指标“{ind.value}”需要完成等级（grade：达成 | 部分达成 | 未达成）"
                     "或得分（score）")
        return
    elif ind.score is not None and ind.score > row.weight:
        report.add(ind.where["score"], rules.SCORE_OVER_WEIGHT,
                     f"{where}.score：得分 {ind.score} 超过分值 {row.weight}")
        return
    elif not _check_band(ind, row, where, report, scheme):
        return
    if ind.deviation:
        return
    if row.score < row.weight and scheme.below:
        report.add(at, rules.DEVIATION_MISSING,
                       f"{where}：得分 {row.score} 低于分值 {row.weight}，"
                       "请填写偏差原因分析及改进措施（deviation）")
    elif row.beaten is not None and scheme.beaten is not None and row.beaten >= scheme.beaten:
        report.add(at, rules.DEVIATION_MISSING,
                       f"{where}：实际完成值“{ind.actual}”超出指标值“{ind.value}” "
                       f"{percent(row.beaten, 0)}，指标值可能定得过低；"
                       "请填写偏差原因分析及改进措施（deviation）")


def _check_quantitative(ind: Indicator, row: RowScore, target: Value, where: str,
                        report: Report, pos: Pos, scheme: Scheme) -> bool:
    """A quantitative row's findings; False when its score cannot be trusted further."""
    at = ind.where.get("actual", pos)
    if ind.grade is not None or (ind.score is not None and not scheme.overrides):
        key = "grade" if ind.grade is not None else "score"
        why = "" if key == "grade" else f"（{scheme.label} 不允许调整定量指标的得分）"
        report.add(ind.where[key], rules.ACTUAL_KIND,
                     f"{where}.{key}：定量指标“{ind.value}”的得分按实际完成值计算，"
                     f"不填写完成等级或得分{why}")
    elif ind.score is not None:
        computed = row.result.computed if row.result else None
        if ind.score > row.weight:
            report.add(ind.where["score"], rules.SCORE_OVER_WEIGHT,
                       f"{where}.score：得分 {ind.score} 超过分值 {row.weight}")
        elif not ind.score_reason:
            report.add(ind.where["score"], rules.SCORE_OVERRIDE,
                       f"{where}.score：定量指标按实际完成值算得 {computed} 分，调整为 "
                       f"{ind.score} 分须写明理由（score_reason）")
    if ind.actual is None:
        report.add(pos, rules.ACTUAL_MISSING, f"{where}：缺少实际完成值（actual）")
        return False
    if row.result is not None and row.result.unsigned:
        _unsigned(ind, row.result.sign or "", where, report, pos, scheme)
    actual = parse(ind.actual)
    if not actual.quantitative and actual.done and scheme.done == MET:
        report.add(at, rules.ACTUAL_READ,
                   f"{where}.actual：实际完成值“{ind.actual}”不是数，{scheme.label} "
                   f"视为达到指标值“{ind.value}”（得满分）；请写出实际完成的数"
                   f"（如 {plain_number(target.number or Decimal(0))}{target.unit}）")
        return True
    if not actual.quantitative:
        report.add(at, rules.ACTUAL_KIND,
                     f"{where}.actual：定量指标“{ind.value}”的实际完成值应为数字和单位，"
                     f"实际为“{ind.actual}”")
        return False
    if actual_in(target, actual)[0] is None:
        report.add(at, rules.ACTUAL_UNIT,
                     f"{where}.actual：实际完成值“{ind.actual}”的单位与指标值“{ind.value}”"
                     f"不同（应为{target.unit or '无单位的数字'}）")
        return False
    ratio = times(target, actual)
    if ratio is not None and ratio >= OUTLIER:
        report.add(at, rules.ACTUAL_OUTLIER,
                       f"{where}.actual：实际完成值“{ind.actual}”是指标值“{ind.value}”的 "
                       f"{OUTLIER} 倍以上，请核对是否多写了数字或用错了单位")
    return True


def _unsigned(ind: Indicator, sign: str, where: str, report: Report, pos: Pos,
              scheme: Scheme) -> None:
    meaning = {GE: "达到或超过即得满分", LE: "不超过即得满分"}.get(sign, "与指标值相差越多得分越少")
    report.add(ind.value_pos or pos, rules.TARGET_UNSIGNED,
               f"{where}.value：指标值“{ind.value}”没有符号，{scheme.label} 读作"
               f"“{sign}{ind.value}”（{meaning}）；请在指标值前写明符号（≥ 下限、≤ 上限、＝ 等于），"
               "得分就不取决于评分方案的读法")


def _check_band(ind: Indicator, row: RowScore, where: str, report: Report, scheme: Scheme
                ) -> bool:
    """A qualitative grade the scheme scores only with a typed score, and a typed score outside
    its grade's band."""
    grade = scheme.grades.get(ind.grade or "")
    if grade is None:
        return True
    band = f"{percent(grade.low, 0)}–{percent(grade.high, 0)}"
    if ind.score is None and grade.points is None:
        report.add(ind.where["grade"], rules.SCORE_BAND,
                   f"{where}.grade：{scheme.label} 中“{grade.name}”的得分由评价人在分值的 "
                   f"{band} 之间确定；请填写得分（score）")
        return False
    if ind.score is not None and row.weight:
        with localcontext(EXACT):
            low, high = row.weight * grade.low, row.weight * grade.high
        if not low <= ind.score <= high:
            report.add(ind.where["score"], rules.SCORE_BAND,
                       f"{where}.score：得分 {ind.score} 不在“{grade.name}”的区间内"
                       f"（分值 {row.weight} 的 {band}，即 {scheme.round(low)} 至 {scheme.round(high)}）")
            return False
    return True


def known_frame(name: str | None) -> Frame:
    return frames().get(name or "classic", frames()["classic"])
