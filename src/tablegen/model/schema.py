"""The file format, described once: validation reads it and `tablegen schema` prints it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .book import MERGES, MONEY_UNITS
from .frames import frames
from .scoring import schemes

GRADES = ("达成", "部分达成", "未达成")


@dataclass(frozen=True)
class Field:
    """One key of a mapping in a book or project file."""

    key: str
    title: str  # the Chinese label users know
    kind: str  # text | code | year | amount | choice | text-list | file-list | map | list | indicators
    required: bool
    description: str
    choices: tuple[str, ...] = ()
    default: str | None = None
    fields: tuple[Field, ...] = ()  # for map, and the items of list


AGENCY = (
    Field("code", "单位编码", "code", True, "预算单位编码，如 \"610101\"（按文本保存，保留前导 0）"),
    Field("name", "单位名称", "text", True, "预算单位名称，如 天津市知识产权局"),
    Field("projects", "项目文件", "file-list", True, "本单位的项目文件（相对于本书文件夹），按表格顺序排列"),
)

BOOK = (
    Field("title", "标题", "text", True, "文档标题，印在封面和目录之前"),
    Field("year", "预算年度", "year", True, "预算年度，如 2024"),
    Field("money_unit", "金额单位", "choice", True, "本书所有金额的单位，印作“单位：万元”",
          choices=MONEY_UNITS),
    Field("frame", "指标框架", "choice", False, "一级/二级指标的框架", default="classic"),
    Field("merge", "合并方式", "choice", False,
          "指标表中相同一级/二级指标单元格的合并方式：level1 合并一级；level1+level2 合并一级和二级；"
          "none 每行重复", choices=MERGES, default="level1"),
    Field("department", "部门", "text", False, "发布部门（PDF 作者），缺省为第一个单位的名称"),
    Field("scoring", "评分方案", "choice", False,
          "自评表的评分方案（一级指标和预算执行率的分值、等级），见 scoring.yaml；缺省按指标框架："
          "classic 用 common，cost-first 用 cost-first，legacy 用 legacy"),
    Field("agencies", "单位", "list", True, "按顺序排列的预算单位及其项目", fields=AGENCY),
)

BUDGET = (
    Field("total", "预算数", "amount", True, "项目预算总额，最多两位小数"),
    Field("fiscal", "其中：财政资金", "amount", False, "财政资金；留空则表中空白"),
    Field("other", "其他资金", "amount", False, "其他资金；留空则表中空白"),
)

INDICATOR = (
    Field("name", "三级指标", "text", True, "三级指标名称"),
    Field("description", "绩效指标描述", "text", False, "绩效指标描述；缺省与三级指标相同"),
    Field("value", "指标值", "text", True, "指标值，按原样印出；>= 和 <= 印作 ≥ 和 ≤"),
    # 自评 (after the year), all optional:
    Field("actual", "实际完成值", "text", False,
          "实际完成值；定量指标写数字和与指标值相同的单位（如 97.5%、38.2万元），定性指标写完成情况"),
    Field("weight", "分值", "amount", False, "本指标的分值；缺省时平分一级指标剩余的分值"),
    Field("grade", "完成等级", "choice", False,
          "定性指标的完成等级：达成 100%、部分达成 80%、未达成 50% 的分值",
          choices=GRADES),
    Field("score", "得分", "amount", False, "定性指标的得分（代替完成等级）；不超过分值"),
    Field("deviation", "偏差原因分析及改进措施", "text", False,
          "偏差原因分析及改进措施；未得满分或超出指标值 30% 以上时应填写"),
)

FUNDS = (
    Field("initial", "年初预算数", "amount", False, "年初预算数"),
    Field("adjusted", "全年预算数", "amount", True, "全年预算数（调整后）"),
    Field("spent", "全年执行数", "amount", True, "全年执行数，不超过全年预算数"),
)

EXECUTION = (
    Field("initial", "年初预算数", "amount", False, "年度资金总额的年初预算数；缺省为预算数（budget.total）"),
    Field("adjusted", "全年预算数", "amount", True, "年度资金总额的全年预算数"),
    Field("spent", "全年执行数", "amount", True, "年度资金总额的全年执行数"),
    Field("fiscal", "其中：本年财政拨款", "map", False, "本年财政拨款的三个数", fields=FUNDS),
    Field("carryover", "上年结转资金", "map", False, "上年结转资金的三个数", fields=FUNDS),
    Field("other", "其他资金", "map", False, "其他资金的三个数", fields=FUNDS),
    Field("results", "实际完成情况", "text-list", False, "年度总体目标的实际完成情况，每项一段"),
)

PROJECT = (
    Field("name", "项目名称", "text", True, "项目名称；标题印作“N.项目名称绩效目标表”"),
    Field("budget", "预算规模", "map", True, "预算数、财政资金、其他资金（单位见 book.yaml）",
          fields=BUDGET),
    Field("usage", "资金用途", "text", False, "资金用途"),
    Field("goals", "绩效目标", "text-list", True, "绩效目标，每项一段，自动编号 1. 2. …"),
    Field("indicators", "绩效指标", "indicators", True,
          "一级指标 → 二级指标 → 三级指标列表（name、description、value）"),
    Field("execution", "预算执行情况", "map", False,
          "自评：年度资金的年初预算数、全年预算数、全年执行数（单位见 book.yaml）和实际完成情况",
          fields=EXECUTION),
)

@dataclass(frozen=True)
class Example:
    """An indicator an editor offers under a 二级 (`tablegen schema` from the indicator index):
    its name, the values it was given (most used first) and a line on it."""

    name: str
    values: tuple[str, ...]
    note: str
    description: str | None = None


# How many indicators an editor is offered under one 二级 (the agency's own come first).
EXAMPLES_PER_LEVEL2 = 60

FIELD_CHOICES = {"frame": lambda: tuple(frames()), "scoring": lambda: tuple(schemes())}


def choices_of(field: Field) -> tuple[str, ...]:
    if field.key in FIELD_CHOICES:
        return FIELD_CHOICES[field.key]()
    return field.choices


def _json(field: Field, examples: Mapping[str, Sequence[Example]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"title": field.title, "description": field.description}
    kind = field.kind
    if kind in ("text",):
        out["type"] = "string"
    elif kind == "code":
        out["type"] = ["string", "integer"]
        out["pattern"] = r"^\S+$"
    elif kind == "year":
        out["type"] = ["integer", "string"]
        out["pattern"] = r"^\d{4}$"
    elif kind == "amount":
        out["type"] = ["number", "string", "null"] if not field.required else ["number", "string"]
        out["pattern"] = r"^\d+(\.\d{1,2})?$"
        out["minimum"] = 0
    elif kind == "choice":
        out["enum"] = list(choices_of(field))
    elif kind in ("text-list", "file-list"):
        out["type"] = "array"
        out["items"] = {"type": "string"}
        out["minItems"] = 1
    elif kind == "map":
        out.update(_object(field.fields))
    elif kind == "list":
        out["type"] = "array"
        out["items"] = _object(field.fields)
        out["minItems"] = 1
    elif kind == "indicators":
        indicator = _indicator()
        names = sorted({l1 for f in frames().values() for l1 in f.levels})
        out["type"] = "object"
        out["propertyNames"] = {"enum": names}
        out["additionalProperties"] = {
            "type": "object",
            "title": "二级指标",
            "additionalProperties": {"type": "array", "minItems": 1, "items": indicator},
        }
        # Each frame's 一级 with its 二级 as properties: an editor completes their names, and
        # under a 二级 offers the indicators it was given (`examples`).
        levels: dict[str, list[str]] = {}
        for frame in frames().values():
            for l1, l2s in frame.levels.items():
                levels.setdefault(l1, [])
                levels[l1] += [l2 for l2 in l2s if l2 not in levels[l1]]
        out["properties"] = {
            l1: {"type": "object", "title": l1,
                 "properties": {l2: _level2(l2, (examples or {}).get(l2, ())) for l2 in l2s},
                 "additionalProperties": {"type": "array", "minItems": 1, "items": indicator}}
            for l1, l2s in levels.items()}
    if field.default is not None:
        out["default"] = field.default
    return out


def _indicator() -> dict[str, Any]:
    indicator = _object(INDICATOR)
    indicator["properties"]["value"]["type"] = ["string", "number"]
    indicator["properties"]["actual"]["type"] = ["string", "number"]
    return indicator


def _level2(name: str, examples: Sequence[Example]) -> dict[str, Any]:
    """A 二级's list of indicators; with examples, the names and values an editor offers."""
    items = _indicator()
    chosen = list(examples)[:EXAMPLES_PER_LEVEL2]
    if chosen:
        props = items["properties"]
        props["name"]["examples"] = [e.name for e in chosen]
        values = list(dict.fromkeys(v for e in chosen for v in e.values))
        props["value"]["examples"] = values
        items["defaultSnippets"] = [
            {"label": e.name, "description": e.note,
             "body": {"name": e.name, **({"description": e.description} if e.description else {}),
                      "value": e.values[0] if e.values else ""}}
            for e in chosen]
    return {"type": "array", "title": name, "minItems": 1, "items": items}


def _object(fields: tuple[Field, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {f.key: _json(f) for f in fields},
        "required": [f.key for f in fields if f.required],
        "additionalProperties": False,
    }


def json_schemas(examples: Mapping[str, Sequence[Example]] | None = None
                 ) -> dict[str, dict[str, Any]]:
    """JSON Schema (draft 2020-12) for book.yaml and for project files, by file name; `examples`
    (by 二级 name) are the indicators an editor offers under each 二级."""
    out = {}
    for name, title, fields in (
        ("book.schema.json", "项目支出绩效目标表 · 书（book.yaml）", BOOK),
        ("project.schema.json", "项目支出绩效目标表 · 项目", PROJECT),
    ):
        schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                                  "title": title}
        schema.update(_object(fields))
        if examples and fields is PROJECT:
            indicators = next(f for f in PROJECT if f.key == "indicators")
            schema["properties"]["indicators"] = _json(indicators, examples)
        out[name] = schema
    return out
