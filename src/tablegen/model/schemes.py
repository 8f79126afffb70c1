"""自评 scoring schemes as data: `scoring.yaml`'s named schemes and a book's own (`scoring:` in
book.yaml as a mapping on a `base:`), read into one `Scheme` each.

A scheme is every rule a province's form scores by — the 分值 of each 一级 and of 预算执行率,
what happens when a 一级 is absent, the 执行率's denominator and rounding, how an unsigned target
and a ≤ target score, 定性 grades as points or bands, overrides, the triggers that ask for a
reason — and the labels its 自评表 prints. The keys are described for users in
`tablegen.model.schema.SCHEME`; `build()` reads a spec from YAML (numbers as numbers) or from a
book's nodes (every scalar a text) alike and says what is wrong with a key path per problem.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    InvalidOperation,
    localcontext,
)
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

from .book import Book

HUNDRED = Decimal(100)
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
GRADES = ("达成", "部分达成", "未达成")
# How an unsigned target reads (`unsigned.read`), and the reverse formula (`reverse`).
FLOOR, CAP, EQUAL = "floor", "cap", "equal"
LINEAR, RATIO = "linear", "ratio"
# A word of completion (`完成`) as a quantitative actual (`done`).
MET, REFUSE = "met", "refuse"
# 执行率's denominator (`rate.base`) and a zero one (`rate.zero`).
ADJUSTED, INITIAL = "adjusted", "initial"
ZERO, FULL = "zero", "full"
FUND_KEYS = ("total", "fiscal", "carryover", "other")
# Keys whose mapping a book's scheme (or a `base:`) changes key by key rather than as a whole
# (`levels` is replaced whole: a scheme may drop a 一级).
MERGED = ("rate", "unsigned", "deviation", "form", "grades")
KEYS = ("base", "title", "frames", "budget", "levels", "pool", "move", "rebase", "rate",
        "unsigned", "reverse", "done", "grades", "overrides", "deviation", "places", "bands",
        "form")


class SchemeError(Exception):
    """A scheme that cannot be read: (key path, what is wrong) per problem."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{p}: {m}" for p, m in problems))
        self.problems = problems


@dataclass(frozen=True)
class Grade:
    """A 定性 grade: the share of the 分值 it scores alone (None: a typed score is needed) and
    the band (shares 0..1) a typed score with this grade must fall in."""

    name: str
    points: Decimal | None
    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class Form:
    """The 自评表's labels as the scheme's form prints them."""

    funds: tuple[str, ...]  # 年初预算数 … 得分 (six columns after 项目资金（万元）)
    rows: dict[str, str]  # FUND_KEYS → label (年度资金总额, 其中：本年财政拨款, …)
    goals: tuple[str, str, str]  # 年度总体目标 | 预期目标 | 实际完成情况
    grid: tuple[str, ...]  # the eight column heads of the indicators
    level1: str  # the 一级 cell: `{name}（{points}分）`
    total: str  # 总分
    grade: bool  # whether the 总分 row prints 自评等级
    note: tuple[str, ...]  # the 注's lines; `{weights}` is the scheme's 分值


@dataclass(frozen=True)
class Scheme:
    """One scoring scheme: every rule the 自评 scores by, and its form's labels."""

    name: str
    title: str
    frames: tuple[str, ...]  # the frames whose books use this scheme when they name none
    budget: Decimal  # 预算执行率's 分值
    levels: dict[str, Decimal]  # 一级指标 → 分值 (empty with a pool)
    pool: Decimal | None  # 分值 shared by every row whatever its 一级 (四川: 绩效指标 90 分)
    move: dict[str, str]  # an absent 一级 → the 一级 that takes its 分值
    rebase: bool  # an absent 一级 with nowhere to go: the 总分 is scaled to full marks
    rate_base: str  # ADJUSTED (全年预算数) | INITIAL (年初预算数)
    rate_places: int | None  # 执行率 rounded to these places of a percent before scoring
    zero: str  # a zero denominator: ZERO (0 分) | FULL (满分)
    reason_below: Decimal | None  # a 执行率 below this share asks for a reason
    unsigned: str  # FLOOR | CAP | EQUAL: how a target without a sign reads
    caps: tuple[str, ...]  # 二级指标 under which an unsigned target is a cap (成本指标)
    cap_units: tuple[str, ...]  # units of an unsigned target that is a cap (天, 小时)
    reverse: str  # LINEAR (0 at twice the cap) | RATIO (A ÷ B)
    done: str  # MET | REFUSE: `完成` as a quantitative actual
    grades: dict[str, Grade]
    overrides: bool  # a quantitative row may carry a typed score with its reason
    below: bool  # a score below the 分值 asks for a reason
    beaten: Decimal | None  # an actual beyond its ≥/≤ target by this share asks for a reason
    places: int
    bands: tuple[tuple[str, Decimal], ...]  # (自评等级, minimum 总分), best first
    form: Form
    base: str = ""  # for a book's own scheme, the named scheme it changes

    @property
    def label(self) -> str:
        """The scheme as a message names it: `评分方案 common`, `本书的评分方案（基于 anhui）`."""
        return f"本书的评分方案（基于 {self.base}）" if self.base else f"评分方案 {self.name}"

    @property
    def full(self) -> Decimal:
        """The full marks: every 一级's 分值 (or the pool) and 预算执行率's (100)."""
        with localcontext(EXACT):
            return sum(self.levels.values(), self.budget + (self.pool or 0))

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.places)

    def round(self, value: Decimal) -> Decimal:
        with localcontext(EXACT):
            return value.quantize(self.quantum, rounding=ROUND_HALF_UP)

    def grade_of(self, total: Decimal) -> str:
        return next((name for name, low in self.bands if total >= low), self.bands[-1][0])

    def weights_text(self) -> str:
        """`产出指标50分、效益指标30分、满意度指标10分、预算执行率10分` (the 注's first line)."""
        parts = [f"{name}{points_text(p)}分" for name, p in self.levels.items()]
        if self.pool is not None:
            parts.append(f"绩效指标{points_text(self.pool)}分")
        return "、".join([*parts, f"预算执行率{points_text(self.budget)}分"])

    def note(self) -> list[str]:
        """The 注's lines with the scheme's 分值 in them."""
        return [line.replace("{weights}", self.weights_text()) for line in self.form.note]

    def level_label(self, name: str, points: Decimal) -> str:
        """The 一级 cell: `产出指标（50分）` as the form prints it."""
        return self.form.level1.replace("{name}", name).replace("{points}", points_text(points))


# The rules a form's 注 states in words (its 分值 are `{weights}`, filled in): a book's scheme that
# changes one of them while printing its base's 注 word for word would print a rule it does not
# score by.
_NOTED: dict[str, Callable[[Scheme], object]] = {
    "move": lambda s: s.move,
    "unsigned": lambda s: (s.unsigned, s.caps, s.cap_units),
    "reverse": lambda s: s.reverse,
    "grades": lambda s: s.grades,
}


def unnoted(own: Scheme, base: Scheme) -> list[str]:
    """The keys of a book's own scheme whose rule differs from its base's while its 注 is still
    the base's."""
    if own.form.note != base.form.note:
        return []
    return [key for key, rule in _NOTED.items() if rule(own) != rule(base)]


def points_text(points: Decimal) -> str:
    """A 分值 as the form's labels print it: `50`, `12.5`."""
    text = format(points, "f")
    return (text.rstrip("0").rstrip(".") if "." in text else text) or "0"


# -- reading a spec --------------------------------------------------------------------------


class _Reader:
    """Typed values out of a spec whose scalars are numbers or texts; problems collected."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def bad(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def text(self, value: Any, path: str) -> str:
        if isinstance(value, (dict, list)) or value is None or str(value).strip() == "":
            self.bad(path, "应为非空的文本")
            return ""
        return str(value)

    def number(self, value: Any, path: str, *, low: int = 0, high: int | None = None,
               none: bool = False, whole: bool = False) -> Decimal | None:
        if none and (value is None or str(value).strip().lower() in ("none", "")):
            return None
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            value = None
        try:
            number = Decimal(str(value).strip()) if value is not None else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < low or (
                high is not None and number > high) or (whole and number != number.to_integral()):
            kind = "整数" if whole else "数"
            span = f"{low} 至 {high} 之间的{kind}" if high is not None else f"不小于 {low} 的{kind}"
            self.bad(path, f"应为 {span}{'（或 none）' if none else ''}，实际为“{value}”")
            return None
        return number

    def flag(self, value: Any, path: str) -> bool:
        if isinstance(value, bool):
            return value
        if str(value).strip().lower() in ("true", "yes"):
            return True
        if str(value).strip().lower() in ("false", "no"):
            return False
        self.bad(path, f"应为 true 或 false，实际为“{value}”")
        return False

    def choice(self, value: Any, path: str, options: tuple[str, ...]) -> str:
        if str(value) in options:
            return str(value)
        self.bad(path, f"应为 {' | '.join(options)} 之一，实际为“{value}”")
        return options[0]

    def texts(self, value: Any, path: str, count: int | None = None) -> tuple[str, ...]:
        if not isinstance(value, list):
            self.bad(path, "应为列表（[甲, 乙]）")
            return ()
        out = tuple(self.text(v, f"{path}[{i}]") for i, v in enumerate(value, 1))
        if count is not None and len(out) != count:
            self.bad(path, f"应有 {count} 项，实际为 {len(out)} 项")
        return out

    def mapping(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.bad(path, "应为映射（键: 值）")
            return {}
        return value


def merged(base: Mapping[str, Any], spec: Mapping[str, Any]) -> dict[str, Any]:
    """A base's keys with a spec's over them (the MERGED mappings key by key)."""
    out = dict(base)
    for key, value in spec.items():
        if key in MERGED and isinstance(value, dict) and isinstance(out.get(key), dict):
            inner = {**out[key], **value}
            rows = out[key].get("rows")
            if key == "form" and isinstance(rows, dict) and isinstance(value.get("rows"), dict):
                inner["rows"] = {**rows, **value["rows"]}  # one fund row's label changed
            out[key] = inner
        else:
            out[key] = value
    out.pop("base", None)
    return out


def build(name: str, spec: Mapping[str, Any], base: str = "") -> Scheme:
    """A scheme from a complete spec (its base already merged in); SchemeError names each
    problem by its key path."""
    r = _Reader()
    for key in spec:
        if key not in KEYS:
            r.bad(str(key), f"未知的键“{key}”；可用的键：{'、'.join(KEYS[1:])}")
    need = [k for k in KEYS[2:] if k not in spec and k not in ("frames", "pool")]
    for key in need:
        r.bad(key, f"缺少“{key}”")
    if r.problems:
        raise SchemeError(r.problems)
    budget = r.number(spec["budget"], "budget", high=100) or Decimal(0)
    levels = {str(k): r.number(v, f"levels.{k}", high=100) or Decimal(0)
              for k, v in r.mapping(spec["levels"], "levels").items()}
    pool = r.number(spec.get("pool"), "pool", high=100, none=True)
    if pool is not None and levels:
        r.bad("pool", "levels 与 pool 只能用一个：各一级指标各有分值，或全部三级指标共用 pool 的分值")
    move = {str(k): r.text(v, f"move.{k}") for k, v in r.mapping(spec["move"], "move").items()}
    for k, v in move.items():
        if k not in levels or v not in levels:
            r.bad(f"move.{k}", f"“{k}”和“{v}”都应是 levels 中的一级指标")
    rate = r.mapping(spec["rate"], "rate")
    unsigned = r.mapping(spec["unsigned"], "unsigned")
    deviation = r.mapping(spec["deviation"], "deviation")
    for block, keys, path in ((rate, ("base", "places", "zero", "reason_below"), "rate"),
                              (unsigned, ("read", "caps", "cap_units"), "unsigned"),
                              (deviation, ("below", "beaten"), "deviation")):
        for key in block:
            if key not in keys:
                r.bad(f"{path}.{key}", f"未知的键“{key}”；可用的键：{'、'.join(keys)}")
    places = r.number(rate.get("places"), "rate.places", high=4, none=True, whole=True)
    reason = r.number(rate.get("reason_below"), "rate.reason_below", high=100, none=True)
    beaten = r.number(deviation.get("beaten"), "deviation.beaten", none=True)
    scheme_places = r.number(spec["places"], "places", high=4, whole=True)
    scheme = Scheme(
        name=name, base=base,
        title=r.text(spec.get("title", name), "title"),
        frames=r.texts(spec.get("frames", []), "frames"),
        budget=budget, levels=levels, pool=pool, move=move,
        rebase=r.flag(spec["rebase"], "rebase"),
        rate_base=r.choice(rate.get("base", ADJUSTED), "rate.base", (ADJUSTED, INITIAL)),
        rate_places=int(places) if places is not None else None,
        zero=r.choice(rate.get("zero", ZERO), "rate.zero", (ZERO, FULL)),
        reason_below=reason / HUNDRED if reason is not None else None,
        unsigned=r.choice(unsigned.get("read", FLOOR), "unsigned.read", (FLOOR, CAP, EQUAL)),
        caps=r.texts(unsigned.get("caps", []), "unsigned.caps"),
        cap_units=r.texts(unsigned.get("cap_units", []), "unsigned.cap_units"),
        reverse=r.choice(spec["reverse"], "reverse", (LINEAR, RATIO)),
        done=r.choice(spec["done"], "done", (MET, REFUSE)),
        grades=_grades(r, spec["grades"]),
        overrides=r.flag(spec["overrides"], "overrides"),
        below=r.flag(deviation.get("below", True), "deviation.below"),
        beaten=beaten / HUNDRED if beaten is not None else None,
        places=int(scheme_places) if scheme_places is not None else 2,
        bands=_bands(r, spec["bands"]),
        form=_form(r, spec["form"]),
    )
    if scheme.full != HUNDRED and not r.problems:
        r.bad("levels", f"各一级指标{'（或 pool）' if pool is not None else ''}与预算执行率的分值合计"
                        f"应为 100，实际为 {scheme.full}")
    if r.problems:
        raise SchemeError(r.problems)
    return scheme


def _grades(r: _Reader, value: Any) -> dict[str, Grade]:
    out: dict[str, Grade] = {}
    if not isinstance(value, dict):
        r.mapping(value, "grades")
        return out
    given = value
    for name in given:
        if name not in GRADES:
            r.bad(f"grades.{name}", f"完成等级应为 {' | '.join(GRADES)} 之一，实际为“{name}”")
    for name in GRADES:
        path = f"grades.{name}"
        spec = given.get(name)
        if spec is None:
            r.bad(path, f"缺少完成等级“{name}”")
            continue
        if not isinstance(spec, dict):
            spec = {"points": spec}
        for key in spec:
            if key not in ("points", "band"):
                r.bad(f"{path}.{key}", f"未知的键“{key}”；可用的键：points、band")
        points = r.number(spec.get("points"), f"{path}.points", high=100, none=True)
        low, high = Decimal(0), HUNDRED
        if "band" in spec:
            band = spec["band"]
            if isinstance(band, list) and len(band) == 2:
                low = r.number(band[0], f"{path}.band[1]", high=100) or Decimal(0)
                high = r.number(band[1], f"{path}.band[2]", high=100) or Decimal(0)
                if low > high:
                    r.bad(f"{path}.band", f"区间的下限 {low} 大于上限 {high}")
            else:
                r.bad(f"{path}.band", "应为 [下限, 上限]（分值的百分比，如 [60, 80]）")
        elif points is not None:
            low = high = points
        if points is not None and not low <= points <= high:
            r.bad(f"{path}.points", f"{points} 不在区间 [{low}, {high}] 内")
        out[name] = Grade(name, points / HUNDRED if points is not None else None,
                          low / HUNDRED, high / HUNDRED)
    return out


def _bands(r: _Reader, value: Any) -> tuple[tuple[str, Decimal], ...]:
    out = []
    if not isinstance(value, list) or not value:
        r.bad("bands", "应为列表 [[优, 90], [良, 80], …]（自评等级和它的最低总分，从高到低）")
        return (("", Decimal(0)),)
    for i, band in enumerate(value, 1):
        if not isinstance(band, list) or len(band) != 2:
            r.bad(f"bands[{i}]", "应为 [等级, 最低总分]")
            continue
        low = r.number(band[1], f"bands[{i}][2]", high=100) or Decimal(0)
        out.append((r.text(band[0], f"bands[{i}][1]"), low))
    if [low for _, low in out] != sorted((low for _, low in out), reverse=True):
        r.bad("bands", "自评等级应按最低总分从高到低排列")
    return tuple(out) or (("", Decimal(0)),)


def _form(r: _Reader, value: Any) -> Form:
    spec = r.mapping(value, "form")
    keys = ("funds", "rows", "goals", "grid", "level1", "total", "grade", "note")
    for key in spec:
        if key not in keys:
            r.bad(f"form.{key}", f"未知的键“{key}”；可用的键：{'、'.join(keys)}")
    missing = [key for key in keys if key not in spec]
    for key in missing:
        r.bad(f"form.{key}", f"缺少“{key}”")
    if missing:
        return Form((), {}, ("", "", ""), (), "{name}", "", False, ())
    rows = r.mapping(spec["rows"], "form.rows")
    if isinstance(spec["rows"], dict) and sorted(rows) != sorted(FUND_KEYS):
        r.bad("form.rows", f"应有且只有这些键：{'、'.join(FUND_KEYS)}")
    if sorted(rows) != sorted(FUND_KEYS):
        rows = {k: rows.get(k, k) for k in FUND_KEYS}
    goals = (*r.texts(spec["goals"], "form.goals", 3), "", "", "")
    level1 = r.text(spec["level1"], "form.level1")
    if "{name}" not in level1:
        r.bad("form.level1",
              f"应含有 {{name}}（一级指标的名称），如“{{name}}（{{points}}分）”，实际为“{level1}”")
    return Form(
        funds=r.texts(spec["funds"], "form.funds", 6),
        rows={k: r.text(rows.get(k), f"form.rows.{k}") for k in FUND_KEYS},
        goals=(goals[0], goals[1], goals[2]),
        grid=r.texts(spec["grid"], "form.grid", 8),
        level1=level1, total=r.text(spec["total"], "form.total"),
        grade=r.flag(spec["grade"], "form.grade"),
        note=r.texts(spec["note"], "form.note") if spec["note"] else (),
    )


# -- the named schemes and a book's own ------------------------------------------------------


@cache
def _specs() -> dict[str, dict[str, Any]]:
    text = resources.files("tablegen.model").joinpath("scoring.yaml").read_text(encoding="utf-8")
    data: dict[str, dict[str, Any]] = yaml.safe_load(text)
    return data


def resolved(name: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """A named scheme's spec with its `base:` chain merged in."""
    spec = _specs()[name]
    base = spec.get("base")
    if base is None:
        return dict(spec)
    if base in seen or base not in _specs():
        raise SchemeError([(f"{name}.base", f"基础方案“{base}”不存在或形成循环")])
    return merged(resolved(base, (*seen, name)), spec)


@cache
def schemes() -> dict[str, Scheme]:
    """Every named scoring scheme by name, in file order."""
    return {name: build(name, resolved(name)) for name in _specs()}


def scheme_for_frame(frame: str) -> str:
    """The scheme a book of this frame uses when it names none (`scoring:` left out)."""
    return next((s.name for s in schemes().values() if frame in s.frames), "common")


def own_scheme(base: str, rules: Mapping[str, Any]) -> Scheme:
    """A book's own scheme: the named `base` with the book's rules over it (SchemeError)."""
    return _own(base, json.dumps(rules, ensure_ascii=False, sort_keys=True, default=str))


@lru_cache(maxsize=64)
def _own(base: str, rules: str) -> Scheme:
    spec = merged(resolved(base), {k: v for k, v in json.loads(rules).items() if k != "base"})
    return build(base, spec, base=base)


def scheme_of(book: Book) -> Scheme:
    """The book's scoring scheme: its own, the one it names, else its frame's."""
    name = book.scoring or scheme_for_frame(book.frame)
    if name not in schemes():
        name = "common"
    if book.scoring_rules:
        try:
            return own_scheme(name, book.scoring_rules)
        except SchemeError:  # reported by validation; a broken rule never reaches a table
            pass
    return schemes()[name]
