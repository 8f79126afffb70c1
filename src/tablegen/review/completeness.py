"""完整性: the frame's 一级 present, a cost indicator, satisfaction where someone is served, no
placeholder left."""

from __future__ import annotations

from .. import rules
from ..errors import Report
from ..model.frames import frames
from ..model.values import CAP_SIGNS, parse
from .context import Subject, short
from .source import texts


def check(s: Subject, report: Report) -> None:
    level1_missing(s, report)
    cost_missing(s, report)
    satisfaction_missing(s, report)
    placeholder_left(s, report)


def level1_missing(s: Subject, report: Report) -> None:
    frame = {**frames(), **s.book.frames}.get(s.book.frame)
    if frame is None:
        return
    present = {l1.name for l1 in s.project.indicators if any(g.indicators for g in l1.groups)}
    for name in frame.levels:
        # 满意度 and 成本 have their own rules (a project may serve no one outside).
        if name in present or "满意度" in name or name == "成本指标":
            continue
        report.add(s.indicators_at, rules.LEVEL1_MISSING,
                   f"缺少一级指标“{name}”（指标框架 {frame.name}：{'、'.join(frame.levels)}）："
                   f"审核人会说绩效指标不完整，要求补充{name}")


def cost_missing(s: Subject, report: Report) -> None:
    if s.book.year < s.settings.shipped.cost_required_from:
        return
    rows = list(s.rows())
    if any(r.cost for r in rows):
        return
    misplaced = [r for r in rows if (v := parse(r.indicator.value)).sign in CAP_SIGNS
                 and v.measure is not None and v.measure[1] == "元"]
    hint = ""
    if misplaced:
        r = misplaced[0]
        hint = (f"；{r.level2.name}中的“{r.indicator.name} {r.indicator.value}”是金额上限，"
                "应列入成本指标，并按支出内容分项")
    report.add(s.indicators_at, rules.COST_MISSING,
               f"没有成本指标：{s.settings.shipped.cost_required_from} 年度起成本指标是必设指标"
               f"（财预〔2021〕101号），审核人会要求补充反映单位成本或成本控制的指标{hint}")


def _served(s: Subject) -> tuple[str, str] | None:
    """(where, word) of the first text that names someone the project serves, or None."""
    p = s.project
    places = [("项目名称", p.name), ("资金用途", p.usage)]
    places += [(f"绩效目标第 {i} 条", g) for i, g in enumerate(p.goals, 1)]
    places += [(f"三级指标“{ind.name}”", ind.name) for _, _, ind in p.rows()]
    for where, text in places:
        for word in s.settings.shipped.recipients:
            if word in text:
                return where, word
    return None


def satisfaction_missing(s: Subject, report: Report) -> None:
    if any(r.satisfaction or "满意度" in r.indicator.name for r in s.rows()):
        return
    served = _served(s)
    if served is None:
        return
    where, word = served
    report.add(s.indicators_at, rules.SATISFACTION_MISSING,
               f"项目有服务对象（{where}写到“{word}”），却没有满意度指标：审核人会要求设置服务对象"
               "满意度指标（如“服务对象满意度 ≥90%”）")


def placeholder_left(s: Subject, report: Report) -> None:
    words = s.settings.shipped.placeholders
    for _, node in texts(s.source):
        found = next((w for w in words if w in node.text), None)
        if found is not None:
            report.add(s.source.find(node, found), rules.PLACEHOLDER_LEFT,
                       f"“{short(node.text)}”中还有占位内容“{found}”：审核人会说有缺项，请填写实际内容")
    # The 二级 of the book's own frame: another frame's 二级 (服务对象满意度 in the 部门整体
    # frame) is a good name for a 三级 here.
    frame = {**frames(), **s.book.frames}.get(s.book.frame)
    level2_names = {l2 for l2s in (frame.levels.values() if frame else ()) for l2 in l2s}
    for r in s.rows():
        name = r.indicator.name.strip()
        if name in level2_names or name in (r.level1.name, r.level2.name):
            report.add(s.at(f"{r.path}.name"), rules.PLACEHOLDER_LEFT,
                       f"三级指标的名称“{name}”是二级指标的名称，没有说明考核什么：请写出具体的指标"
                       f"（如“{_example(r.level2.name)}”，写明考核谁、考核什么）")


_EXAMPLES = {"数量指标": "开展培训班次", "质量指标": "培训合格率", "时效指标": "培训计划完成时间",
             "成本指标": "人均培训成本", "服务对象满意度指标": "考生满意度、服务企业满意度",
             "社会公众或服务对象满意度指标": "考生满意度、服务企业满意度"}


def _example(level2: str) -> str:
    return _EXAMPLES.get(level2, "具体的考核内容")
