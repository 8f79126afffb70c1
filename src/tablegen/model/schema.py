"""The file format, described once: validation reads it and `tablegen schema` prints it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .book import MERGES, MONEY_UNITS
from .frames import frames
from .monitoring import CAUSES, LIKELIHOODS
from .pace import schemes as pace_schemes
from .scoring import schemes

GRADES = ("达成", "部分达成", "未达成")


@dataclass(frozen=True)
class Field:
    """One key of a mapping in a book or project file."""

    key: str
    title: str  # the Chinese label users know
    # text | code | year | month | amount | choice | choice-list | text-list | file-list | map | list
    # | indicators
    kind: str
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
    Field("pace", "监控预警方案", "choice", False,
          "绩效运行监控的执行进度预警方案（如 sichuan、shanxi），见 pace.yaml；预警只显示在总览页和"
          "预览中，不印在监控表上；缺省不预警"),
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

MONITOR_FUNDS = (
    Field("initial", "年初预算数", "amount", False, "年初预算数；缺省为 budget 中的数"),
    Field("adjusted", "调整后预算数", "amount", True, "截至监控月份的调整后预算数"),
    Field("spent", "1–N月执行数", "amount", True, "1 月至监控月份的执行数，不超过调整后预算数"),
    Field("expected", "全年预计执行数", "amount", True, "预计全年的执行数，不少于已执行的数"),
)

MONITOR_ENTRY = (
    Field("name", "三级指标", "text", True, "所监控的三级指标，与 indicators 中的名称相同"),
    Field("done", "1–N月执行情况", "text", True,
          "1 月至监控月份的执行情况；定量指标写数字和与指标值相同的单位（如 6次、97.5%）"),
    Field("expected", "全年预计完成情况", "text", False,
          "预计全年的完成情况；完成目标可能性为“有可能”或“完全不可能”时必填"),
    Field("likelihood", "完成目标可能性", "choice", True, "确定能 | 有可能 | 完全不可能",
          choices=LIKELIHOODS),
    Field("causes", "偏差原因", "choice-list", False,
          "偏差原因分析中打勾的各项：经费保障、制度保障、人员保障、硬件条件保障、其他（可多选）",
          choices=CAUSES),
    Field("note", "原因说明", "text", False, "原因说明；勾选了偏差原因时必填"),
)

MONITORING = (
    Field("month", "监控月份", "month", True, "监控截至的月份（1–12），如 7 表示 1–7月"),
    Field("initial", "年初预算数", "amount", False, "年度资金总额的年初预算数；缺省为预算数（budget.total）"),
    Field("adjusted", "调整后预算数", "amount", True, "年度资金总额的调整后预算数"),
    Field("spent", "1–N月执行数", "amount", True, "年度资金总额 1 月至监控月份的执行数"),
    Field("expected", "全年预计执行数", "amount", True, "年度资金总额的全年预计执行数"),
    Field("fiscal", "其中：财政拨款", "map", False, "财政拨款的四个数", fields=MONITOR_FUNDS),
    Field("other", "其他资金", "map", False, "其他资金的四个数", fields=MONITOR_FUNDS),
    Field("progress", "年度总体目标执行情况", "text-list", False,
          "年度总体目标 1 月至监控月份的执行情况，每项一段"),
    Field("indicators", "指标执行情况", "list", False,
          "各三级指标的执行情况（name、done、expected、likelihood、causes、note）",
          fields=MONITOR_ENTRY),
    Field("analysis", "偏差或不能完成目标原因分析", "text", False,
          "偏差或不能完成目标原因分析；有指标“有可能”或“完全不可能”完成时必填"),
    Field("measures", "相关建议或举措", "text", False,
          "相关建议或举措；有指标“有可能”或“完全不可能”完成时必填"),
)

PROJECT = (
    Field("name", "项目名称", "text", True, "项目名称；标题印作“N.项目名称绩效目标表”"),
    Field("budget", "预算规模", "map", True, "预算数、财政资金、其他资金（单位见 book.yaml）",
          fields=BUDGET),
    Field("usage", "资金用途", "text", False, "资金用途"),
    Field("goals", "绩效目标", "text-list", True, "绩效目标，每项一段，自动编号 1. 2. …"),
    Field("indicators", "绩效指标", "indicators", True,
          "一级指标 → 二级指标 → 三级指标列表（name、description、value）"),
    Field("monitoring", "绩效运行监控", "list", False,
          "绩效运行监控：每轮监控一项（month、资金、年度总体目标和各指标的执行情况），按月份先后排列",
          fields=MONITORING),
    Field("execution", "预算执行情况", "map", False,
          "自评：年度资金的年初预算数、全年预算数、全年执行数（单位见 book.yaml）和实际完成情况",
          fields=EXECUTION),
)

FIELD_CHOICES = {"frame": lambda: tuple(frames()), "scoring": lambda: tuple(schemes()),
                 "pace": lambda: tuple(pace_schemes())}


def choices_of(field: Field) -> tuple[str, ...]:
    if field.key in FIELD_CHOICES:
        return FIELD_CHOICES[field.key]()
    return field.choices


def _json(field: Field) -> dict[str, Any]:
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
    elif kind == "month":
        out["type"] = ["integer", "string"]
        out["pattern"] = r"^([1-9]|1[0-2])$"
        out["minimum"] = 1
        out["maximum"] = 12
    elif kind == "choice-list":
        out["type"] = "array"
        out["items"] = {"enum": list(field.choices)}
        out["uniqueItems"] = True
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
        indicator = _object(INDICATOR)
        indicator["properties"]["value"]["type"] = ["string", "number"]
        indicator["properties"]["actual"]["type"] = ["string", "number"]
        names = sorted({l1 for f in frames().values() for l1 in f.levels})
        out["type"] = "object"
        out["propertyNames"] = {"enum": names}
        out["additionalProperties"] = {
            "type": "object",
            "title": "二级指标",
            "additionalProperties": {"type": "array", "minItems": 1, "items": indicator},
        }
    if field.default is not None:
        out["default"] = field.default
    return out


def _object(fields: tuple[Field, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {f.key: _json(f) for f in fields},
        "required": [f.key for f in fields if f.required],
        "additionalProperties": False,
    }


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema (draft 2020-12) for book.yaml and for project files, by file name."""
    out = {}
    for name, title, fields in (
        ("book.schema.json", "项目支出绩效目标表 · 书（book.yaml）", BOOK),
        ("project.schema.json", "项目支出绩效目标表 · 项目", PROJECT),
    ):
        schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                                  "title": title}
        schema.update(_object(fields))
        out[name] = schema
    # A monitored figure may be typed as a bare number (`done: 6`), as an indicator's actual.
    entry: dict[str, Any] = (out["project.schema.json"]["properties"]["monitoring"]["items"]
                             ["properties"]["indicators"]["items"]["properties"])
    for key in ("done", "expected"):
        entry[key]["type"] = ["string", "number"]
    return out
