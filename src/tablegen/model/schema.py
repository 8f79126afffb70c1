"""The file format, described once: validation reads it and `tablegen schema` prints it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from .book import DECIMALS, MAX_DECIMALS, MERGES, MONEY_UNITS
from .frames import frames
from .layouts import DEFAULT_LAYOUT
from .monitoring import CAUSES, LIKELIHOODS
from .overall_layouts import layouts as overall_layouts
from .pace import schemes as pace_schemes
from .schemes import GRADES, schemes

__all__ = ["GRADES", "Field"]


@dataclass(frozen=True)
class Field:
    """One key of a mapping in a book or project file."""

    key: str
    title: str  # the Chinese label users know
    kind: str  # text | code | year | month | amount | places | choice | choice-list | file |
    # text-list | file-list | map | list | indicators | frames | values | scheme (a name or a map)
    # | number | flag | mapping (any keys) | items (any list)
    required: bool
    description: str
    choices: tuple[str, ...] = ()
    default: str | None = None
    fields: tuple[Field, ...] = ()  # for map, and the items of list


AGENCY = (
    Field("code", "单位编码", "code", False,
          "预算单位编码，如 \"610101\"（按文本保存，保留前导 0）；原表只印单位名称时不写"),
    Field("name", "单位名称", "text", True, "预算单位名称，如 天津市知识产权局"),
    Field("department", "主管部门", "text", False,
          "本单位的主管部门（版式印“主管部门”时用）；缺省为书的 department"),
    Field("contact", "填表人", "text", False, "表下“填表人”处印的姓名（版式印 contact 时用），如 宋云花"),
    Field("phone", "联系电话", "code", False,
          "填表人的联系电话（版式印 phone 时用），如 \"0731-58580000\"（按文本保存）"),
    Field("projects", "项目文件", "file-list", True, "本单位的项目文件（相对于本书文件夹），按表格顺序排列"),
    Field("overall", "部门整体文件", "file", False,
          "本单位的部门（单位）整体支出绩效目标文件（相对于本书文件夹），"
          "如 天津市知识产权局整体支出绩效.yaml；有它才生成部门整体支出绩效目标表和自评表"),
)

FRAME = (
    Field("title", "框架名称", "text", True, "指标框架的中文名称"),
    Field("levels", "一级和二级指标", "map", True,
          "一级指标 → 它的二级指标列表，按打印顺序排列"),
)

BOOK = (
    Field("title", "标题", "text", True, "文档标题，印在封面和目录之前"),
    Field("year", "预算年度", "year", True, "预算年度，如 2024"),
    Field("money_unit", "金额单位", "choice", True, "本书所有金额的单位，印作“单位：万元”",
          choices=MONEY_UNITS),
    Field("frame", "指标框架", "name", False,
          "一级/二级指标的框架：内置的 classic、cost-first、legacy，本书 frames 中声明的，"
          "或仓库 templates/targets/frames/ 中的", default="classic"),
    Field("frames", "自定义指标框架", "frames", False,
          "本书自己声明的指标框架：名称 → title 和 levels（一级指标 → 二级指标列表）",
          fields=FRAME),
    Field("layout", "版式", "text", False,
          "表格版式（哪些行、哪些列、表头文字）：内置的或仓库 templates/targets/layouts/ 中的文件名"
          "（不含 .yaml）", default=DEFAULT_LAYOUT),
    Field("decimals", "金额小数位数", "places", False,
          f"本书金额的小数位数（0 至 {MAX_DECIMALS}），印出和校验都按它", default=str(DECIMALS)),
    Field("merge", "合并方式", "choice", False,
          "指标表中相同一级/二级指标单元格的合并方式：level1 合并一级；level1+level2 合并一级和二级；"
          "none 每行重复", choices=MERGES, default="level1"),
    Field("department", "部门", "text", False, "发布部门（PDF 作者），缺省为第一个单位的名称"),
    Field("scoring", "评分方案", "scheme", False,
          "自评表的评分方案：方案名（common、central、anhui、sichuan、tianjin 等，见 scoring.yaml），"
          "或本书自己的评分方案（一个映射：base 加上要改的规则）；缺省按指标框架："
          "classic 用 common，cost-first 用 cost-first，legacy 用 legacy"),
    Field("overall_layout", "部门整体表版式", "name", False,
          "部门整体支出绩效目标表和自评表的版式：内置的 tasks 中央申报表（年度主要任务及金额）、"
          "funds 收支构成版（部门职能概述、收入构成、支出构成），或仓库 templates/overall/layouts/ "
          "中的文件名（不含 .yaml）", default="tasks"),
    Field("pace", "监控预警方案", "choice", False,
          "绩效运行监控的执行进度预警方案（如 sichuan、shanxi），见 pace.yaml；预警只显示在总览页和"
          "预览中，不印在监控表上；缺省不预警"),
    Field("agencies", "单位", "list", True, "按顺序排列的预算单位及其项目", fields=AGENCY),
)

# A book's own scoring scheme (`scoring:` as a mapping): the keys of a scoring.yaml entry.
RATE = (
    Field("base", "执行率的分母", "choice", False,
          "adjusted：全年预算数（调整后预算数）；initial：年初预算数（如北京 2016 年的表）",
          choices=("adjusted", "initial")),
    Field("places", "执行率取几位", "number", False,
          "先把执行率（百分数）四舍五入到几位小数再计分（北京 2016：0，49.88% 取 50%）；none 不舍入"),
    Field("zero", "分母为 0 时", "choice", False, "zero：得 0 分（已公开的表如此）；full：得满分",
          choices=("zero", "full")),
    Field("reason_below", "执行率低于多少要说明原因", "number", False,
          "执行率（百分数）低于它时要填写 execution.deviation（四川：90）；none 不要求"),
)
UNSIGNED = (
    Field("read", "没有符号的指标值读作", "choice", False,
          "floor：下限 ≥（达到或超过即满分）；cap：上限 ≤；equal：＝（越接近越好）",
          choices=("floor", "cap", "equal")),
    Field("caps", "读作上限的二级指标", "items", False, "这些二级指标下没有符号的值读作 ≤（如 成本指标）"),
    Field("cap_units", "读作上限的单位", "items", False, "这些单位的没有符号的值读作 ≤（如 天、小时）"),
)
DEVIATION = (
    Field("below", "得分低于分值要说明原因", "flag", False, "true：得分低于分值时要填写 deviation"),
    Field("beaten", "超出指标值多少要说明原因", "number", False,
          "实际完成值超出 ≥/≤ 指标值这个百分数以上时要填写 deviation（如 30）；none 不要求"),
)
FORM = (
    Field("funds", "项目资金的列名", "items", False,
          "六个列名：年初预算数、全年预算数、全年执行数、分值、执行率、得分（可带 A/B 标记）"),
    Field("rows", "项目资金的行名", "mapping", False,
          "total、fiscal、carryover、other 四行的名称（如 其中：本年财政拨款 或 其中：当年财政拨款）"),
    Field("goals", "年度总体目标的标题", "items", False, "三项：年度总体目标、预期目标、实际完成情况"),
    Field("grid", "指标部分的列名", "items", False,
          "八个列名：一级指标 … 偏差原因分析及改进措施（可带 A/B 标记）"),
    Field("level1", "一级指标单元格", "text", False,
          "{name} 为一级指标名称，{points} 为它的分值，如 {name}（{points}分）"),
    Field("total", "总分行的名称", "text", False, "如 总分、合计"),
    Field("grade", "印出自评等级", "flag", False, "true：总分行印出“自评等级：优”（总览页总是显示等级）"),
    Field("note", "表下的注", "items", False, "注的各行；{weights} 为本方案的分值（产出指标50分、…）"),
)
SCHEME = (
    Field("base", "基础方案", "choice", False, "在哪个评分方案上修改；缺省为书的指标框架的方案"),
    Field("title", "方案名称", "text", False, "评分方案的名称"),
    Field("budget", "预算执行率的分值", "number", False, "如 10"),
    Field("levels", "一级指标的分值", "mapping", False,
          "一级指标 → 分值，如 {产出指标: 50, 效益指标: 30, 满意度指标: 10}；与预算执行率合计 100"),
    Field("pool", "绩效指标的总分值", "number", False,
          "不按一级指标分配时，全部三级指标共用的分值（四川：90）；这时 levels 写 {}"),
    Field("move", "缺少一级指标时并入", "mapping", False,
          "缺少的一级指标 → 接收它的分值的一级指标（中央：{满意度指标: 效益指标}）"),
    Field("rebase", "缺少一级指标时折算", "flag", False,
          "true：缺少的一级指标无处并入时，总分按适用指标的得分折算为百分制；false：报错（full-marks）"),
    Field("rate", "预算执行率", "map", False, "执行率怎样计算", fields=RATE),
    Field("unsigned", "没有符号的指标值", "map", False, "没有符号的定量指标值怎样读", fields=UNSIGNED),
    Field("reverse", "≤ 指标超出时", "choice", False,
          "linear：分值 ×〔1 −（B − A）÷ A〕，两倍时为 0；ratio：分值 × A ÷ B（中央、安徽）",
          choices=("linear", "ratio")),
    Field("done", "定量指标写“完成”时", "choice", False,
          "met：视为达到指标值（给出警告 actual-read）；refuse：报错（actual-kind）",
          choices=("met", "refuse")),
    Field("grades", "定性指标的完成等级", "mapping", False,
          "达成、部分达成、未达成各写 {points: 只写等级时的得分百分比, band: [下限, 上限]}；"
          "没有 points 的等级必须填写 score"),
    Field("overrides", "允许调整定量指标的得分", "flag", False,
          "true：定量指标可以写 score（须写 score_reason，理由印在偏差原因一栏）"),
    Field("deviation", "何时要说明偏差原因", "map", False, "要求填写 deviation 的情形", fields=DEVIATION),
    Field("places", "得分保留几位小数", "number", False, "如 2"),
    Field("bands", "自评等级", "items", False, "[[优, 90], [良, 80], [中, 60], [差, 0]]：等级和最低总分"),
    Field("form", "自评表的文字", "map", False, "表中的列名、行名和注", fields=FORM),
)

BUDGET = (
    Field("total", "预算数", "amount", True, "项目预算总额，小数位数不超过书的 decimals（缺省两位）"),
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
          "定性指标的完成等级，得分按评分方案（通用方案：达成 100%、部分达成 80%、未达成 50% 的分值；"
          "中央、安徽等：在等级的区间内填写 score）",
          choices=GRADES),
    Field("score", "得分", "amount", False,
          "定性指标的得分（代替完成等级，或在完成等级的区间内）；不超过分值。评分方案允许时，"
          "也可以调整定量指标算出的得分（须写 score_reason）"),
    Field("score_reason", "得分调整理由", "text", False,
          "调整定量指标得分的理由，印在偏差原因分析及改进措施一栏"),
    Field("deviation", "偏差原因分析及改进措施", "text", False,
          "偏差原因分析及改进措施；未得满分或超出指标值 30% 以上时应填写"),
    # Printed by the layouts with these columns:
    Field("period_value", "实施期指标值", "text", False,
          "实施期（中长期）指标值，印在年度指标值旁边（版式有此列时）"),
    Field("values", "各地区指标值", "values", False,
          "每个接收方（项目的 recipients）的指标值：接收方 → 指标值"),
)
# In `indicators` written as a list (the rows in their printed order): each row's 一级 and 二级.
ROW_LEVELS = (
    Field("level1", "一级指标", "text", True, "本行的一级指标"),
    Field("level2", "二级指标", "text", True, "本行的二级指标"),
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
    Field("deviation", "预算执行偏差原因", "text", False,
          "预算执行率偏低的原因（评分方案要求时，如四川：低于 90%），印在自评表的注中"),
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
    Field("period", "项目实施期", "text", False, "项目实施期，按原样印出（如 2023.07-2024.01）"),
    Field("period_goals", "实施期绩效目标", "text-list", False,
          "实施期（中长期）绩效目标，每项一段（版式印实施期目标时）"),
    Field("recipients", "接收方", "text-list", False,
          "分地区的表（如转移支付）：每个接收方一列，按顺序；各指标的 values 按接收方填写"),
    Field("indicators", "绩效指标", "indicators", True,
          "一级指标 → 二级指标 → 三级指标列表（name、description、value）；或按打印顺序的行列表，"
          "每行写 level1、level2 和三级指标的键"),
    Field("monitoring", "绩效运行监控", "list", False,
          "绩效运行监控：每轮监控一项（month、资金、年度总体目标和各指标的执行情况），按月份先后排列",
          fields=MONITORING),
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


# The 部门（单位）整体支出绩效目标 file of an agency (book.yaml's `overall:`).
TASK = (
    Field("name", "任务名称", "text", True, "年度主要任务的名称"),
    Field("content", "主要内容", "text", False, "任务的主要内容"),
    Field("projects", "对应项目", "file-list", False,
          "此任务对应的项目文件（本单位在 book.yaml 中列出的）；预算金额按这些项目的预算数合计"),
    Field("total", "总额", "amount", False, "预算金额总额；写了 projects 时可省略（按项目合计，写了则核对）"),
    Field("fiscal", "财政拨款", "amount", False, "其中财政拨款"),
    Field("other", "其他资金", "amount", False, "其中其他资金"),
)

INCOME = (
    Field("name", "收入项目", "text", True, "收入来源，如 财政拨款、事业收入、其他资金"),
    Field("amount", "当年金额", "amount", True, "当年金额（单位见 book.yaml）"),
)

OVERALL_EXECUTION = (
    Field("basic", "基本支出全年执行数", "amount", True, "基本支出的全年执行数"),
    Field("projects", "项目支出全年执行数", "amount", False,
          "项目支出的全年执行数；本单位每个项目文件都有执行数据时可省略（按项目合计，写了则核对）"),
    Field("results", "年度总体目标完成情况", "text-list", False, "年度总体目标的完成情况，每项一段"),
)

OVERALL = (
    Field("functions", "部门职能概述", "text", False, "部门（单位）职能概述（收支构成版印出）"),
    Field("basic", "基本支出", "amount", True, "基本支出的年初预算数（单位见 book.yaml）"),
    Field("projects", "项目支出", "amount", False,
          "项目支出的年初预算数；可省略（按本单位项目文件的预算数合计，写了则核对）"),
    Field("income", "收入构成", "list", False,
          "收入构成：每项一个来源及当年金额，合计应等于基本支出 + 项目支出", fields=INCOME),
    Field("tasks", "年度主要任务", "list", False, "年度主要任务：名称、主要内容、预算金额（中央申报表印出）",
          fields=TASK),
    Field("goals", "年度总体目标", "text-list", True, "年度总体目标，每项一段，自动编号 1. 2. …"),
    Field("indicators", "年度绩效指标", "indicators", True,
          "一级指标 → 二级指标 → 三级指标列表（name、value），自评时同项目文件（actual、grade……）"),
    Field("frame", "指标框架", "choice", False, "整体指标的框架；缺省与 book.yaml 相同"),
    Field("scoring", "评分方案", "choice", False,
          "整体自评的评分方案；缺省按 frame（写了 frame 时）或 book.yaml 的评分方案"),
    Field("execution", "执行情况", "map", False,
          "自评：基本支出和项目支出的全年执行数、年度总体目标完成情况", fields=OVERALL_EXECUTION),
)

FIELD_CHOICES = {"frame": lambda: tuple(frames()), "scoring": lambda: tuple(schemes()),
                 "base": lambda: tuple(schemes()),
                 "overall_layout": lambda: tuple(overall_layouts()),
                 "pace": lambda: tuple(pace_schemes())}


def choices_of(field: Field) -> tuple[str, ...]:
    if not field.choices and field.key in FIELD_CHOICES:
        return FIELD_CHOICES[field.key]()
    return field.choices


def _json(field: Field, examples: Mapping[str, Sequence[Example]] | None = None,
          files: str = "project") -> dict[str, Any]:
    out: dict[str, Any] = {"title": field.title, "description": field.description}
    kind = field.kind
    if kind in ("text",):
        out["type"] = "string"
    elif kind == "name":
        out["type"] = "string"
        out["examples"] = list(choices_of(field))
    elif kind == "code":
        out["type"] = ["string", "integer"]
        out["pattern"] = r"^\S+$"
    elif kind == "year":
        out["type"] = ["integer", "string"]
        out["pattern"] = r"^\d{4}$"
    elif kind == "amount":
        out["type"] = ["number", "string", "null"] if not field.required else ["number", "string"]
        out["pattern"] = rf"^\d+(\.\d{{1,{MAX_DECIMALS}}})?$"
        out["minimum"] = 0
    elif kind == "places":
        out["type"] = "integer"
        out["minimum"] = 0
        out["maximum"] = MAX_DECIMALS
    elif kind == "frames":
        out["type"] = "object"
        frame = _object(field.fields)
        frame["properties"]["levels"] = {"type": "object", "additionalProperties": {
            "type": "array", "items": {"type": "string"}, "minItems": 1}}
        out["additionalProperties"] = frame
    elif kind == "values":
        out["type"] = "object"
        out["additionalProperties"] = {"type": ["string", "number"]}
    elif kind == "choice":
        out["enum"] = list(choices_of(field))
    elif kind == "scheme":
        out["oneOf"] = [{"enum": list(choices_of(field))}, _object(SCHEME)]
    elif kind == "number":
        out["type"] = ["number", "string"]
    elif kind == "flag":
        out["type"] = "boolean"
    elif kind == "mapping":
        out["type"] = "object"
    elif kind == "items":
        out["type"] = "array"
    elif kind == "file":
        out["type"] = "string"
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
        indicator = _indicator()
        row = _object(ROW_LEVELS + INDICATOR + _layout_keys())
        row["required"] = ["level1", "level2"]
        # A mapping 一级 → 二级 → rows, or a list of rows (each keyword applies to its type).
        # Any 一级 name: a book may declare its own frame (`frames:`); check knows it.
        out["type"] = ["object", "array"]
        out["additionalProperties"] = {
            "type": ["object", "null"], "title": "二级指标",
            "additionalProperties": {"type": ["array", "null"], "items": indicator}}
        out["items"] = row
        out["minItems"] = 1
        # Each frame's 一级 with its 二级 as properties: an editor completes their names, and
        # under a 二级 offers the indicators it was given (`examples`).
        levels: dict[str, list[str]] = {}
        for known in (f for f in frames().values() if f.files == files):
            for l1, l2s in known.levels.items():
                levels.setdefault(l1, [])
                levels[l1] += [l2 for l2 in l2s if l2 not in levels[l1]]
        out["properties"] = {
            l1: {"type": ["object", "null"], "title": l1,
                 "properties": {l2: _level2(l2, (examples or {}).get(l2, ())) for l2 in l2s},
                 "additionalProperties": {"type": ["array", "null"], "items": indicator}}
            for l1, l2s in levels.items()}
    if field.default is not None:
        out["default"] = field.default
    return out


@cache
def _layout_keys() -> tuple[Field, ...]:
    """The indicator keys the shipped layouts declare (备注 → note…), for editors: read once
    (every 二级 of the schema asks)."""
    from importlib import resources

    import yaml

    out: dict[str, Field] = {}
    folder = resources.files("tablegen").joinpath("default_templates/targets/layouts")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            data = yaml.safe_load(entry.read_text(encoding="utf-8"))
            for column in data.get("grid", []):
                if isinstance(column, dict) and "key" in column:
                    out.setdefault(column["key"], Field(
                        column["key"], column["label"], "text", False,
                        f"版式 {entry.name[:-5]} 的“{column['label']}”列"))
    return tuple(out.values())


def _indicator() -> dict[str, Any]:
    indicator = _object(INDICATOR + _layout_keys())
    for key in ("value", "actual", "period_value"):
        indicator["properties"][key]["type"] = ["string", "number"]
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
    return {"type": ["array", "null"], "title": name, "items": items}


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
        ("overall.schema.json", "部门（单位）整体支出绩效目标 · 单位", OVERALL),
    ):
        schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                                  "title": title}
        schema.update(_object(fields))
        if examples and fields is PROJECT:
            indicators = next(f for f in PROJECT if f.key == "indicators")
            schema["properties"]["indicators"] = _json(indicators, examples)
        if fields is OVERALL:  # the 部门整体 frame's 二级 offered there
            indicators = next(f for f in OVERALL if f.key == "indicators")
            schema["properties"]["indicators"] = _json(indicators, None, "overall")
        out[name] = schema
    # A monitored figure may be typed as a bare number (`done: 6`), as an indicator's actual.
    entry: dict[str, Any] = (out["project.schema.json"]["properties"]["monitoring"]["items"]
                             ["properties"]["indicators"]["items"]["properties"])
    for key in ("done", "expected"):
        entry[key]["type"] = ["string", "number"]
    return out
