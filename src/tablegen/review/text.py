"""Reading the words of a table: key terms, typos, full-width characters, look-alike signs.

Pure functions over a text; the rules (`conformity.py`, `relevance.py`) decide what to report.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

_CJK = re.compile(r"[\u3400-\u9fff]+")
YEARS = re.compile(r"(?:19|20)\d{2}")


def terms(text: str, generic: Iterable[str] = ()) -> set[str]:
    """The text's two-character words (every pair of adjacent Chinese characters), without the
    generic ones: what ties a goal to an indicator without a word list (`知识产权` gives 知识、
    识产、产权)."""
    skip = set(generic)
    out: set[str] = set()
    for run in _CJK.findall(text):
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    return out - skip


def clauses(goal: str) -> list[str]:
    """The sentences of a goal: split at 。；; and line breaks, blanks dropped."""
    return [c.strip() for c in re.split(r"[。；;\n]+", goal) if c.strip()]


def without_years(text: str) -> str:
    """A name as it stays from year to year (`2024年局机关信息化运维` → `年局机关信息化运维`)."""
    return YEARS.sub("", text).strip()


@dataclass(frozen=True)
class Hit:
    """A word found in a text: where (index, length) and what it should be."""

    index: int
    text: str
    right: str
    nth: int  # how many earlier occurrences of the same text the text holds


# What follows 帐 where it means a tent or a curtain (帐篷、帐幕、帐子): `搭建帐篷` holds 建帐 but
# no typo of 建账.
_TENT = "篷幕幔子"


def typos(text: str, dictionary: dict[str, str]) -> list[Hit]:
    """The dictionary's wrong words in a text, longest first at each place, none overlapping; a
    place where the text already reads the right word (`账户` for an entry `账: 账户`) is none,
    nor a word ending in 帐 that goes on as 帐篷."""
    if not dictionary:
        return []
    pattern = _alternation(frozenset(dictionary))
    found: list[Hit] = []
    at = 0
    while (m := pattern.search(text, at)) is not None:
        i, wrong = m.start(), m.group()
        right = dictionary[wrong]
        if _reads_right(text, i, wrong, right) or (
                wrong.endswith("帐") and text[i + len(wrong):i + len(wrong) + 1] in set(_TENT)):
            at = i + 1
            continue
        found.append(Hit(i, wrong, right, text.count(wrong, 0, i)))
        at = m.end()
    return found


@lru_cache(maxsize=16)
def _alternation(words: frozenset[str]) -> re.Pattern[str]:
    """One pattern for every word, the longest first (so the longest matches at a place)."""
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w))))


def _reads_right(text: str, i: int, wrong: str, right: str) -> bool:
    at = right.find(wrong)
    while at >= 0:
        if text.startswith(right, i - at):
            return True
        at = right.find(wrong, at + 1)
    return False


# The characters of a number and its signs, half-width; their full-width forms are what NFKC maps
# onto them (`９` → `9`, `％` → `%`, `＜` → `<`, `，` → `,`, `．` → `.`).
# A full-width comma belongs to a number only as a thousands separator (`1，000`); elsewhere it
# is the sentence's. ＝ is the budget system's own sign (the 计算符号 column prints it).
_NUMBERISH = set("0123456789.%<>+-")
_FULL_NUMBERISH = {chr(c) for c in range(0xFF01, 0xFF5F)
                   if unicodedata.normalize("NFKC", chr(c)) in _NUMBERISH} | {"，"}
_DIGIT = "[0-9０-９]"
_RUN = re.compile(f"(?:{_DIGIT}(?:[，,](?={_DIGIT}{{3}}(?![0-9０-９])))?|[%％<>＜＞+＋\\-－.．≥≤=])+")


def width_mixes(text: str) -> Iterator[tuple[int, str, str]]:
    """(index, run as written, run in half-width) for each run of a number and its signs that
    holds a full-width character: `９５%`, `95％`, `＜1`, `1，000`. A run without a digit (a
    lone `，` between words) is prose."""
    for m in _RUN.finditer(text):
        run = m.group()
        digits = [ch for ch in run if unicodedata.normalize("NFKC", ch).isdigit()]
        if not digits or not any(ch in _FULL_NUMBERISH for ch in run):
            continue
        core = run.strip(",，.．")  # a comma or full stop that ends a sentence is prose
        if not any(ch in _FULL_NUMBERISH for ch in core):
            continue
        yield m.start() + run.index(core), core, unicodedata.normalize("NFKC", core)


# Look-alike signs: (pattern, what to write instead).
_SIGNS = (
    (re.compile("≧"), "≥"), (re.compile("≦"), "≤"), (re.compile("⩾"), "≥"), (re.compile("⩽"), "≤"),
    (re.compile(r"=>(?=\s*\d)"), "≥"), (re.compile(r"=<(?=\s*\d)"), "≤"),
)
# A document number's year in other brackets than 〔〕: `津财行政指[2025]69号`, `【2025】12号`,
# `（2025）12号`.
_DOC_YEAR = re.compile(r"[\[【（(]((?:19|20)\d{2})[\]】）)](?=\s*第?\s*\d+\s*号)")


def sign_variants(text: str) -> Iterator[tuple[int, str, str]]:
    """(index, as written, what is meant) for each look-alike sign and each document number
    whose year is not in 〔〕."""
    for pattern, meant in _SIGNS:
        for m in pattern.finditer(text):
            yield m.start(), m.group(), meant
    for m in _DOC_YEAR.finditer(text):
        yield m.start(), m.group(), f"〔{m.group(1)}〕"


# A date or a period, which a qualitative value may hold (`2026年11月底前`, `第三季度`).
_DATE = re.compile(r"(?:19|20)\d{2}\s*年|\d{1,2}\s*月|\d{1,2}\s*日|第?[一二三四1-4]\s*季度|"
                   r"\d{1,2}\s*[:：]\s*\d{2}")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# A value that says the row does not apply (`不适用`, `不涉及`, `无`), however it goes on.
_NOT_APPLICABLE = re.compile(r"\s*(?:不适用|不涉及|无)(?![\u3400-\u9fff])")


def stray_number(value: str) -> str | None:
    """A number, with the unit that follows it, that a qualitative value holds outside dates and
    《titles》 (`提升10%左右` → `10%`, `定性 5分` → `5分`), or None."""
    text = re.sub(r"《[^》]*》", "", value)
    # An ordinal (`第20条`, `第3期`) names which one, not how many.
    text = re.sub(r"第\s*\d+", "", unicodedata.normalize("NFKC", _DATE.sub("", text)))
    m = _NUMBER.search(text)
    if m is None:
        return None
    rest = text[m.end():].lstrip()
    unit = max((u for u in UNITS | _COUNTED if rest.startswith(u)), key=len, default="")
    return m.group() + unit


# Units counted with 个 that a stray number goes on with (`提升5个百分点` is no count of 个).
_COUNTED = frozenset(("个百分点", "个工作日", "个月"))


def not_applicable(value: str) -> bool:
    """Whether a value says its row does not apply (`不适用`, `不涉及 0`, `无`; not `无重大事故`)."""
    return _NOT_APPLICABLE.match(value) is not None


# The unit a name declares in brackets at its end: `补助人数（人）`, `资金（万元）`; only a word
# that is a unit (`资助总额（奖补总额）` declares none).
_NAME_UNIT = re.compile(r"[（(]\s*([^（()）\d]{1,4})\s*[)）]\s*$")
UNITS = frozenset(
    "% ％ 百分比 个 人 人次 次 家 件 项 场 期 份 篇 册 部 套 台 辆 户 名 位 批 条 张 页 本 元 千元 万元 "
    "亿元 天 日 周 月 年 小时 分钟 秒 工作日 米 千米 公里 平方米 亩 公顷 吨 千克 立方米 分".split())
RATE_ENDINGS = ("率", "比例", "比率", "占比", "满意度", "百分比")


def declared_unit(name: str) -> str | None:
    """The unit a 三级 name declares in brackets at its end, or None."""
    m = _NAME_UNIT.search(name)
    return m.group(1).strip() if m and m.group(1).strip() in UNITS else None


def is_rate(name: str) -> bool:
    """Whether a 三级 name measures a percentage (ends in 率、比例、满意度 …)."""
    stripped = re.sub(r"[（(][^（()）]*[)）]\s*$", "", name).strip().rstrip("。.")
    return stripped.endswith(RATE_ENDINGS)
