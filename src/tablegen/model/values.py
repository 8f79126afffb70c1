"""The one reader of an indicator value (指标值) and of an actual (实际完成值): sign, number, unit.

Every consumer — `check`, the 自评 scoring, the XLSX 指标导入 sheet, `rollover`, `diff`, `review` —
asks `parse()`, so a value means the same thing everywhere. It reads values the way real tables
write them: signs (`≥ > ≤ < ＝`, their ASCII spellings `>= <=`, the variants `≧ ≦ ＞ ＜ ＝`),
words before the number (`不低于95%`, `不少于`, `至少`, `不超过`, `不高于`, `最多`, `大于`, `低于` …),
words after it (`95%以上`, `30天以内`, `3个工作日内`, `100人及以上`), numbers with thousands
separators (`1,000`) or full-width digits, ranges (`90%-95%`, `90～95%`, `80%至90%`), and units
with a multiplier (`万元`, `万人次`, `亿元`), which convert into each other.

A value whose text is not one of these (a sentence, a date such as `2024年12月31日前`) is
qualitative. Nothing is guessed: a value either reads completely or is text. An actual
(实际完成值) is read against its target by `actual_in`: a bare number (`50` against `≥50个`) takes
the target's unit, a signed one (`≥266米`) counts as its number, and a word of completion
(`完成`, `已完成`, `达成预期指标`) is `Value.done`, which the scoring scheme decides how to score.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# Canonical signs. "" is a quantity written without any sign (`100%`, `4个`).
GE, GT, LE, LT, EQ, NONE = "≥", ">", "≤", "<", "＝", ""
FLOOR_SIGNS = (GE, GT)
CAP_SIGNS = (LE, LT)

# Words and signs before the number, longest first within each meaning.
_BEFORE = (
    (GE, ("大于或等于", "大于等于", "高于或等于", "高于等于", "不低于", "不少于", "不小于", "不得低于",
          "不得少于", "至少", "达到", "≥", ">=", "≧", "＞＝", "⩾")),
    (LE, ("小于或等于", "小于等于", "低于或等于", "低于等于", "不高于", "不超过", "不大于", "不多于",
          "不得高于", "不得超过", "最多", "至多", "≤", "<=", "≦", "＜＝", "⩽")),
    (GT, ("大于", "高于", "超过", "多于", ">", "＞")),
    (LT, ("小于", "低于", "少于", "<", "＜")),
    (EQ, ("等于", "＝", "=")),
)
# Words after the number and its unit.
_AFTER = (
    (GE, ("及以上", "或以上", "以上（含）", "以上(含)", "以上")),
    (LE, ("及以下", "或以下", "以下（含）", "以下(含)", "以下", "以内", "之内", "内")),
)
_SIGN_WORDS = sorted(((w, s) for s, words in _BEFORE for w in words), key=lambda x: -len(x[0]))
_AFTER_WORDS = sorted(((w, s) for s, words in _AFTER for w in words), key=lambda x: -len(x[0]))
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_RANGE_DASH = re.compile(r"\s*(?:-|~|～|—|–|－|至|到)\s*")
PERCENT = "%"
PERCENT_UNITS = {"%": PERCENT, "％": PERCENT, "百分比": PERCENT}
# Multipliers a unit may start with (`万元`, `万人次`, `百万元`), largest first.
MULTIPLIERS = (("亿", Decimal(10) ** 8), ("千万", Decimal(10) ** 7), ("百万", Decimal(10) ** 6),
               ("万", Decimal(10) ** 4), ("千", Decimal(10) ** 3))
# Money units and how many 元 each holds: the one table of money scales.
MONEY_SCALE = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000),
               "百万元": Decimal(10) ** 6, "千万元": Decimal(10) ** 7, "亿元": Decimal(10) ** 8}
# Units whose leading character is not a multiplier.
_WHOLE_UNITS = {"千克", "千米", "千瓦", "千瓦时", "千伏"}
_MAX_DIGITS = 40  # a number longer than this is not a quantity anyone measures
# An actual that says the target was reached instead of giving a number: `完成`, `已完成`,
# `全部完成`, `已按时完成`, `达成预期指标`, `完成年度目标`, `已达标` (never `未完成`, `基本完成`).
_DONE = re.compile(r"(?:已经?)?(?:全部|按时|按期|如期|足额)?(?:完成|达成|达标|实现|达到)了?"
                   r"(?:年度|预期)?(?:目标|指标|任务)?值?[。.]?")
# How an actual was read against its target (`actual_in`).
AS_WRITTEN, BARE, SIGNED = "", "bare", "signed"


@dataclass(frozen=True)
class Value:
    """An indicator value as read: its text, and for a quantity its sign, number(s) and unit."""

    text: str  # as written
    sign: str | None  # GE GT LE LT EQ NONE for a quantity; "~" for a range; None: qualitative
    number: Decimal | None = None  # the number (the lower bound of a range)
    upper: Decimal | None = None  # the upper bound of a range
    unit: str = ""  # the unit as written, without sign words (`万元`, `%`, `个工作日`)
    words: str = ""  # the sign as written when it was a word or a sign after the number

    @property
    def quantitative(self) -> bool:
        return self.sign is not None

    @property
    def is_range(self) -> bool:
        return self.sign == "~"

    @property
    def signed(self) -> bool:
        """Whether the value says how it compares (a sign, a word, a range)."""
        return self.sign not in (None, NONE)

    @property
    def done(self) -> bool:
        """Whether the text, not a number, says the target was reached (`完成`, `已完成`)."""
        return not self.quantitative and _DONE.fullmatch(
            unicodedata.normalize("NFKC", self.text).strip()) is not None

    @property
    def measure(self) -> tuple[Decimal, str] | None:
        """The unit's base and the factor to it: (`10000`, `元`) for 万元, (1, `%`) for ％."""
        return unit_base(self.unit)

    def comparable(self, other: Value) -> bool:
        """Whether two quantities are in the same unit, or in units that convert."""
        a, b = self.measure, other.measure
        return a is not None and b is not None and a[1] == b[1]

    def in_unit_of(self, other: Value) -> Decimal:
        """This value's number in the other's unit (万元 ↔ 元, 万人次 ↔ 人次)."""
        assert self.number is not None
        a, b = self.measure, other.measure
        if a is None or b is None or a[1] != b[1] or a[0] == b[0]:
            return self.number
        return self.number * a[0] / b[0]

    def with_unit(self, unit: str) -> Value:
        """The same quantity in another unit as written (a bare `50` read as `50个`)."""
        return Value(self.text, self.sign, self.number, self.upper, unit, self.words)


@lru_cache(maxsize=4096)
def unit_base(unit: str) -> tuple[Decimal, str] | None:
    """(factor, base unit) of a unit: `万元` → (10000, 元), `％` → (1, %), `个` → (1, 个)."""
    u = unicodedata.normalize("NFKC", unit).strip()
    if u in PERCENT_UNITS or unit in PERCENT_UNITS:
        return Decimal(1), PERCENT
    if u in MONEY_SCALE:
        return MONEY_SCALE[u], "元"
    if u not in _WHOLE_UNITS:
        for prefix, factor in MULTIPLIERS:
            if u.startswith(prefix) and len(u) > len(prefix):
                return factor, u[len(prefix):]
        if u in {p for p, _ in MULTIPLIERS}:
            return dict(MULTIPLIERS)[u], ""
    return Decimal(1), u


def _number(text: str) -> Decimal | None:
    digits = text.replace(",", "")
    if len(digits) > _MAX_DIGITS:
        return None
    try:
        return Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the pattern guarantees digits
        return None


def _unit_ok(unit: str, number: str) -> bool:
    """A unit: no digits, no spaces inside, not a date (`2024年12月`), not a sentence."""
    if any(ch.isdigit() for ch in unit) or re.search(r"\s", unit.strip()):
        return False
    if any(w in unit for w, _ in _AFTER_WORDS if w != "内") or any(
            w in unit for w, _ in _SIGN_WORDS if not _is_symbol(w)):
        return False  # `5天以内完成`: a sentence around a number
    if unit.startswith("年") and re.fullmatch(r"(?:19|20)\d\d", number):
        return False  # `2025年底前`: a year, not 2025 years
    return len(unit) <= 12


@lru_cache(maxsize=65536)
def parse(text: str | None) -> Value:
    """Read a value. Never raises; a value that is not a quantity is qualitative."""
    if text is None:
        return Value("", None)
    # Compatibility forms (full-width digits, ％, ＜) read as their plain forms; the text stays.
    s = unicodedata.normalize("NFKC", text).strip()
    sign, words = NONE, ""
    for word, meaning in _SIGN_WORDS:
        if s.startswith(unicodedata.normalize("NFKC", word)):
            sign, s = meaning, s[len(unicodedata.normalize("NFKC", word)):].lstrip()
            words = word if not _is_symbol(word) else ""
            break
    m = _NUMBER.match(s)
    if m is None:
        return Value(text, None)
    rest = s[m.end():]
    number = _number(m.group())
    # A range: `90%-95%`, `90-95%`, `80%至90%`.
    unit_end = re.match(r"[^\d\s\-~～—–－至到]*", rest)
    first_unit = unit_end.group() if unit_end else ""
    after = rest[len(first_unit):]
    dash = _RANGE_DASH.match(after)
    if dash and sign == NONE:
        m2 = _NUMBER.match(after[dash.end():])
        if m2:
            tail = after[dash.end() + m2.end():].strip()
            upper = _number(m2.group())
            unit = tail or first_unit
            if (number is not None and upper is not None and number <= upper
                    and (not first_unit or not tail or first_unit == tail) and _unit_ok(unit, "")):
                return Value(text, "~", number, upper, _as_written(text, unit))
        return Value(text, None)
    unit = rest.strip()
    for word, meaning in _AFTER_WORDS:
        if unit.endswith(word) and (len(unit) > len(word) or word != "内"):
            if sign not in (NONE, meaning, GT if meaning == GE else LT):
                return Value(text, None)  # `≥90%以下`: two signs that disagree
            if sign == NONE:
                sign, words = meaning, word
            unit = unit[: -len(word)].strip()
            break
    if number is None or not _unit_ok(unit, m.group()):
        return Value(text, None)
    return Value(text, sign, number, None, _as_written(text, unit), words)


def _is_symbol(word: str) -> bool:
    return all(not ("\u4e00" <= ch <= "\u9fff") for ch in word)


def _as_written(text: str, unit: str) -> str:
    """The unit as the author wrote it (`％` stays `％`), found in the original text."""
    if not unit:
        return ""
    original = text.strip()
    for i in range(len(original)):
        candidate = original[i:i + len(unit)]
        if unicodedata.normalize("NFKC", candidate) == unit and not candidate[:1].isspace():
            return candidate
    return unit


def actual_in(target: Value, actual: Value) -> tuple[Decimal | None, str]:
    """An actual's number in its target's unit, and how it was read: AS_WRITTEN (same or a
    converting unit), BARE (a number without unit takes the target's: `50` against `≥50个`) or
    SIGNED (`≥266米` counts as 266米); (None, "") when it cannot be read against the target.

    A bare number below 1 under a percentage target above 1 is not read: `0.98` against `≥98%`
    could be 98 % or 0.98 %, and is not guessed (`0.5` against `≤1%` is 0.5 %)."""
    if not target.quantitative or not actual.quantitative or target.number is None:
        return None, ""
    assert actual.number is not None
    how = SIGNED if actual.signed else AS_WRITTEN
    if actual.comparable(target):
        return actual.in_unit_of(target), how
    if not actual.unit and not actual.is_range:
        measure = target.measure
        if measure is not None and measure[1] == PERCENT and actual.number < 1 < target.number:
            return None, ""
        return actual.number, BARE
    return None, ""


def display_sign(value: Value) -> str:
    """The sign as a budget system's 计算符号 column shows it: ≥ ≤ ＝ > <, `＝` for none."""
    return {NONE: EQ}.get(value.sign or "", value.sign or "")


def plain_number(number: Decimal) -> str:
    """A number without exponent or trailing zeros beyond what was written (`1000`, `12232.2`)."""
    text = format(number, "f")
    return text


def written_parts(text: str) -> tuple[str, str, str]:
    """A value in the three columns a budget system's export prints it in (计算符号 or 指标性质,
    指标值, 计量单位), as written where it can be: `≥95%` → ≥ 95 %, `=11个` → = 11 个,
    `不低于90%` → 不低于 90 %, `4个` → (no sign) 4 个, `30天以内` → ≤ 30 天; a qualitative value
    or a range → 定性, its text, nothing. Joined again (sign, number, unit), a value written with
    its sign before the number reads as it was written."""
    v = parse(text)
    stripped = text.strip()
    if not v.quantitative or v.is_range or v.number is None:
        return QUALITATIVE, stripped, ""
    sign = ""
    if v.words and stripped.startswith(v.words):
        sign = v.words
    elif v.signed and not v.words:
        lead = re.match(r"[^\d０-９\s]+", stripped)
        sign = lead.group() if lead else ""
    rest = stripped[len(sign):].strip()
    if v.words and not sign and rest.endswith(v.words):  # a word after the number: 以上, 以内
        rest = rest[:-len(v.words)].rstrip()
    if v.unit and rest.endswith(v.unit):
        rest = rest[:-len(v.unit)].rstrip()
    if not re.fullmatch(r"[\d０-９][\d０-９,，.．]*", rest):
        rest = plain_number(v.number)
    if not sign and v.words:  # 以上, 以内: the sign it means
        sign = display_sign(v)
    return sign, rest, v.unit


QUALITATIVE = "定性"
