"""A spreadsheet cell's stored value as the spreadsheet shows it, through its number format.

Excel stores `98%` as 0.98 with the format `0%` and 2026年12月31日 as the serial 46387 with
`yyyy"年"m"月"d"日"`; an import must read what the officer sees. A format is rendered only when
its text is certain: a number whose shown digits differ from the stored ones (0.985 shown as
`99%`), a format whose text depends on the reader's locale or settings (month and weekday names,
system date formats, Chinese numerals), fractions, scientific notation or conditions raise
`Unshowable` with the reason, and the reader refuses the cell by its address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from functools import lru_cache

GENERAL = "General"
# Built-in formats (ECMA-376 18.8.30) as a Chinese (zh-CN) Excel or WPS shows them; the ids not
# listed (currency and accounting 5–8, 41–44, other locales' dates) differ by locale.
BUILTIN = {
    0: GENERAL, 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",  # numbers
    37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)",  # negatives
    40: "#,##0.00;[Red](#,##0.00)",
    11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 48: "##0.0E+0", 49: "@",  # E, fractions, text
    14: "yyyy/m/d", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 22: "yyyy/m/d h:mm",  # dates
    18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 45: "mm:ss",  # times
    46: "[h]:mm:ss", 47: "mmss.0",
    # The Chinese ones (ids 27–36 and 50–58).
    27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: "m-d-yy",  # 30: US order
    31: 'yyyy"年"m"月"d"日"', 32: 'h"时"mm"分"', 33: 'h"时"mm"分"ss"秒"',
    34: '上午/下午h"时"mm"分"', 35: '上午/下午h"时"mm"分"ss"秒"', 36: 'yyyy"年"m"月"',
    50: 'yyyy"年"m"月"', 51: 'm"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"',
    54: 'm"月"d"日"', 55: '上午/下午h"时"mm"分"', 56: '上午/下午h"时"mm"分"ss"秒"',
    57: 'yyyy"年"m"月"', 58: 'm"月"d"日"',
}
COLOURS = {"black", "blue", "cyan", "green", "magenta", "red", "white", "yellow"}
MAX_SERIAL = 2958465  # 9999-12-31, the last day a spreadsheet shows
Token = tuple[str, str]  # (kind, text): lit, digit, dot, comma, percent, text, date, ampm, general


class Unshowable(Exception):
    """A value whose shown text cannot be known for certain; the message says why."""


@dataclass(frozen=True)
class Format:
    """A parsed format: its number sections (positive, negative, zero) and text section."""

    code: str
    numbers: tuple[tuple[Token, ...], ...]
    text: tuple[Token, ...] | None


def builtin(num_fmt_id: int) -> str | None:
    """The code of a built-in format, None for one whose text differs by locale."""
    return BUILTIN.get(num_fmt_id)


def _bracket(content: str) -> Token | None:
    low = content.lower()
    if low in COLOURS or re.fullmatch(r"colou?r\s*\d+", low):
        return None  # a colour changes no text
    if content.startswith("$"):
        symbol, _, locale = content[1:].partition("-")
        if locale.upper() in ("F800", "F400") or locale.lower().startswith("x-sys"):
            raise Unshowable("随系统设置而变的日期或时间格式")
        return ("lit", symbol) if symbol else None
    if low in ("h", "hh", "m", "mm", "s", "ss"):
        raise Unshowable("累计时间")
    if low.startswith(("dbnum", "natnum")):
        raise Unshowable("中文数字")
    if low[:1] in ("<", ">", "="):
        raise Unshowable("按条件选择的格式")
    raise Unshowable(f"方括号中的“{content}”")


def _tokens(section: str) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(section):
        ch = section[i]
        rest = section[i:].lower()
        if ch == '"':
            end = section.find('"', i + 1)
            if end < 0:
                raise Unshowable("引号不成对")
            out.append(("lit", section[i + 1:end]))
            i = end + 1
        elif ch == "\\":
            out.append(("lit", section[i + 1:i + 2]))
            i += 2
        elif ch == "_":  # the width of the next character, left blank
            out.append(("lit", " "))
            i += 2
        elif ch == "*":  # the next character repeated to fill the column: no text of its own
            i += 2
        elif ch == "[":
            end = section.find("]", i)
            if end < 0:
                raise Unshowable("方括号不成对")
            token = _bracket(section[i + 1:end])
            if token is not None:
                out.append(token)
            i = end + 1
        elif rest.startswith("general"):
            out.append(("general", ""))
            i += 7
        elif section.startswith("上午/下午", i):
            out.append(("ampm", "上午/下午"))
            i += 5
        elif rest.startswith(("am/pm", "a/p")):
            n = 5 if rest.startswith("am/pm") else 3
            out.append(("ampm", section[i:i + n]))
            i += n
        elif ch.lower() in "ymdhs":
            end = i
            while end < len(section) and section[end].lower() == ch.lower():
                end += 1
            out.append(("date", section[i:end].lower()))
            i = end
        elif ch in "Ee" and section[i + 1:i + 2] in ("+", "-"):
            raise Unshowable("科学计数法")
        else:
            kind = {"0": "digit", "#": "digit", "?": "digit", ".": "dot", ",": "comma",
                    "%": "percent", "@": "text", "/": "slash"}.get(ch)
            if kind is None and ch.isascii() and ch.isalpha():
                raise Unshowable(f"格式符“{ch}”")
            out.append((kind or "lit", ch))
            i += 1
    return out


def _sections(code: str) -> list[str]:
    """The code split at `;` outside quotes, escapes and brackets."""
    out, start, i, quoted = [], 0, 0, False
    while i < len(code):
        ch = code[i]
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "\\":
            i += 1
        elif not quoted and ch == "[":
            i = max(code.find("]", i), i)
        elif not quoted and ch == ";":
            out.append(code[start:i])
            start = i + 1
        i += 1
    return out + [code[start:]]


@lru_cache(maxsize=256)
def parse(code: str) -> Format:
    """A format code's sections (an Unshowable for one that cannot be rendered for certain)."""
    sections = [tuple(_tokens(s)) for s in _sections(code)]
    if len(sections) > 4:
        raise Unshowable("多于四节的格式")
    text = None
    kinds = {k for k, _ in sections[-1]}
    # The fourth section, or a last one made for text (`yyyy/m/d;@`), shows text cells.
    if len(sections) == 4 or ("text" in kinds and not kinds & {"digit", "date", "general"}):
        text = sections.pop()
    return Format(code, tuple(sections), text)


def show_text(text: str, fmt: Format) -> str:
    """A text cell as shown: through the format's text section, when it has one."""
    if fmt.text is None:
        return text
    if text.strip() and not any(kind == "text" for kind, _ in fmt.text):
        raise Unshowable("格式不显示单元格中的文字")
    return "".join(text if kind == "text" else value for kind, value in fmt.text)


def show_number(stored: str, fmt: Format, date1904: bool = False) -> str:
    """A stored number (its text in the file) as the format shows it."""
    try:
        value = Decimal(f"{float(stored):.15g}")  # what a spreadsheet holds: 15 digits
    except (ValueError, InvalidOperation):
        raise Unshowable(f"存的值“{stored}”不是数") from None
    if not value.is_finite():
        raise Unshowable(f"存的值“{stored}”不是有限的数")
    if not fmt.numbers:  # a text-only format (`@`): a number shows as General
        return general(stored)
    section, sign = _pick(fmt.numbers, value)
    kinds = {k for k, _ in section}
    if "date" in kinds or "ampm" in kinds:
        if value < 0:
            raise Unshowable("负数不能显示为日期或时间")
        return _date(section, *_serial(value, date1904))
    text, exact = _number(section, abs(value), stored)
    if not exact:
        raise Unshowable(f"显示为“{sign}{text}”，但存的值是 {stored}（显示时舍入）")
    return sign + text


def show_datetime(moment: datetime, fmt: Format) -> str:
    """A date cell stored as a date (`t="d"`) as the format shows it."""
    section = fmt.numbers[0] if fmt.numbers else ()
    if not any(k in ("date", "ampm") for k, _ in section):
        raise Unshowable("日期单元格的格式不是日期格式")
    return _date(section, moment.date(), moment.hour * 3600 + moment.minute * 60 + moment.second)


def general(stored: str) -> str:
    """A stored number as the General format shows it (15 significant digits; `40` stays)."""
    try:
        value = float(stored)
    except ValueError:
        return stored
    if value != value or value in (float("inf"), float("-inf")):
        return stored  # NaN or infinity: the amount check refuses the text
    out = f"{value:.15g}"
    return out if "e" not in out else stored


def _pick(sections: tuple[tuple[Token, ...], ...], value: Decimal) -> tuple[tuple[Token, ...],
                                                                          str]:
    """The section that shows the value, and the minus sign the value still needs."""
    if len(sections) == 1:
        return sections[0], "-" if value < 0 else ""
    if value < 0:
        return sections[1], ""
    if value == 0 and len(sections) == 3:
        return sections[2], ""
    return sections[0], ""


def _number(section: tuple[Token, ...], value: Decimal, stored: str) -> tuple[str, bool]:
    """The shown text of a non-negative value, and whether it shows the value exactly."""
    digits = [i for i, (k, _) in enumerate(section) if k == "digit"]
    kinds = [k for k, _ in section]
    if "general" in kinds:
        if kinds.count("general") > 1 or digits:
            raise Unshowable("“General”与数字占位符混用")
        return "".join(general(str(value)) if k == "general" else v for k, v in section), True
    if "text" in kinds:
        raise Unshowable("数字格式中的“@”")
    if "slash" in kinds and digits:
        raise Unshowable("分数")
    if not digits:
        if value != 0:
            raise Unshowable(f"格式不显示数字（存的值是 {stored}）")
        return "".join(v for _, v in section), True
    first, last = digits[0], digits[-1]
    inner = section[first:last + 1]
    if any(k not in ("digit", "dot", "comma") for k, _ in inner):
        raise Unshowable("数字中间夹有文字")
    if sum(1 for k, _ in inner if k == "dot") > 1:
        raise Unshowable("多个小数点")
    after = section[last + 1:]
    if (after and after[0][0] == "comma") or any(
            k == "comma" and (i + 1 >= len(inner) or inner[i + 1][0] != "digit")
            for i, (k, _) in enumerate(inner)):
        raise Unshowable("按千缩放的数字")
    scaled = value * Decimal(100) ** kinds.count("percent")
    places = [v for k, v in inner]
    dot = places.index(".") if "." in places else len(places)
    whole = [v for v in places[:dot] if v != ","]
    frac = places[dot + 1:]
    with localcontext() as ctx:
        ctx.prec = 1000
        rounded = scaled.quantize(Decimal(1).scaleb(-len(frac)), rounding=ROUND_HALF_UP)
    text = _digits(rounded, whole, frac, "," in places[:dot], dot < len(places))
    head = "".join(v for k, v in section[:first])
    tail = "".join(v for k, v in after)
    return head + text + tail, rounded == scaled


def _digits(value: Decimal, whole: list[str], frac: list[str], grouped: bool,
            has_dot: bool) -> str:
    """A non-negative rounded number through its placeholders (`0` digit, `#` optional, `?`
    space)."""
    int_part, _, frac_part = f"{value:f}".partition(".")
    frac_part = frac_part.ljust(len(frac), "0")
    shown_frac = list(frac_part)
    for i in range(len(frac) - 1, -1, -1):  # insignificant trailing zeros, from the right
        if shown_frac[i] != "0" or frac[i] == "0":
            break
        shown_frac[i] = " " if frac[i] == "?" else ""
    zeros = sum(1 for v in whole if v == "0")
    spaces = sum(1 for v in whole if v == "?")
    if int_part == "0" and not zeros:
        int_part = ""
    int_part = int_part.rjust(zeros, "0")
    if grouped:
        int_part = ",".join(int_part[max(i - 3, 0):i] for i in range(len(int_part), 0, -3)[::-1])
    int_part = int_part.rjust(zeros + spaces, " ")
    return int_part + ("." if has_dot else "") + "".join(shown_frac)


def _serial(value: Decimal, date1904: bool) -> tuple[date | None, int]:
    """A date serial as its day (None for a serial that names no day) and second of the day."""
    days = int(value)
    # A time shows whole seconds (a typed 9:30 is stored as 0.395833333333333).
    seconds = int(((value - days) * 86400).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if seconds == 86400:
        days, seconds = days + 1, 0
    if days > (MAX_SERIAL - 1462 if date1904 else MAX_SERIAL):  # the last day is 9999-12-31
        raise Unshowable(f"{value} 超出了日期的范围")
    if date1904:
        return date(1904, 1, 1) + timedelta(days=days), seconds
    if days in (0, 60):  # 1900-01-00 and 1900-02-29: a time alone shows, a date does not exist
        return None, seconds
    start = date(1899, 12, 31) if days < 60 else date(1899, 12, 30)
    return start + timedelta(days=days), seconds


def _date(section: tuple[Token, ...], day: date | None, seconds: int) -> str:
    dates = [i for i, (k, _) in enumerate(section) if k == "date"]
    twelve = any(k == "ampm" for k, _ in section)
    shows_day = any(_is_day_part(section, dates, i) for i in dates)
    if shows_day and day is None:
        raise Unshowable("这个日期并不存在（1900年1月0日或1900年2月29日）")
    moment = datetime.combine(day or date(1900, 1, 1), datetime.min.time()) + timedelta(
        seconds=seconds)
    out = []
    for i, (kind, value) in enumerate(section):
        if kind == "date":
            out.append(_date_part(section, dates, i, value, moment, twelve))
        elif kind == "ampm":
            pm = moment.hour >= 12
            out.append({"上午/下午": "下午" if pm else "上午"}.get(
                value, (value.split("/")[1] if pm else value.split("/")[0])))
        elif kind in ("lit", "slash", "dot", "comma", "percent"):
            if kind == "dot" and i + 1 < len(section) and section[i + 1][0] == "digit":
                raise Unshowable("小数秒")
            out.append(value)
        else:
            raise Unshowable("日期格式中的数字占位符")
    return "".join(out)


def _is_minute(section: tuple[Token, ...], dates: list[int], i: int) -> bool:
    """`m` is a minute after an hour or before a second, a month otherwise."""
    at = dates.index(i)
    before = section[dates[at - 1]][1][0] if at > 0 else ""
    after = section[dates[at + 1]][1][0] if at + 1 < len(dates) else ""
    return len(section[i][1]) <= 2 and (before == "h" or after == "s")


def _is_day_part(section: tuple[Token, ...], dates: list[int], i: int) -> bool:
    head = section[i][1][0]
    return head in "yd" or (head == "m" and not _is_minute(section, dates, i))


def _date_part(section: tuple[Token, ...], dates: list[int], i: int, value: str,
               moment: datetime, twelve: bool) -> str:
    head = value[0]
    n = len(value)
    if head == "y":
        return f"{moment.year % 100:02d}" if n <= 2 else f"{moment.year:04d}"
    if head == "d":
        if n > 2:
            raise Unshowable("星期的名称")
        return f"{moment.day:0{n}d}"
    if head == "h":
        hour = (moment.hour % 12 or 12) if twelve else moment.hour
        return f"{hour:0{min(n, 2)}d}"
    if head == "s":
        return f"{moment.second:0{min(n, 2)}d}"
    if _is_minute(section, dates, i):
        return f"{moment.minute:0{n}d}"
    if n > 2:
        raise Unshowable("月份的名称")
    return f"{moment.month:0{n}d}"
