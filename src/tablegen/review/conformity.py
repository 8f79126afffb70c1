"""规范性: the form of a table: names, signs and units of values, typos, full-width digits,
look-alike signs."""

from __future__ import annotations

from .. import rules
from ..errors import Report
from ..load.validate import visible
from ..model.values import NONE, PERCENT, parse, unit_base
from .context import Subject
from .source import Source, texts
from .text import declared_unit, is_rate, not_applicable, sign_variants, stray_number, typos, width_mixes


def check(s: Subject, report: Report) -> None:
    indicator_repeated(s, report)
    values(s, report)
    words(s.source, s.settings.typos, report)


def indicator_repeated(s: Subject, report: Report) -> None:
    first: dict[str, int] = {}
    for r in s.rows():
        name = visible(r.indicator.name).strip()
        pos = s.at(f"{r.path}.name")
        if name in first:
            report.add(pos, rules.INDICATOR_REPEATED,
                       f"三级指标“{name}”在本项目中重复（第 {first[name]} 行已有）：预算系统默认不允许同一"
                       "项目的三级指标重名，请合并，或改成能区分的名称")
        else:
            first[name] = pos.line


def values(s: Subject, report: Report) -> None:
    for r in s.rows():
        ind = r.indicator
        v = parse(ind.value)
        pos = s.at(f"{r.path}.value")
        # A value in the wrong unit is to be rewritten: advice on its sign or its stray number
        # would repeat the wrong unit (`≥28.8万元` for a rate).
        if _unit_mismatch(s, r.path, ind.name, ind.value, report):
            continue
        # `100%` of a rate has no direction to name: it cannot be exceeded.
        if v.quantitative and v.sign == NONE and not (v.number == 100 and v.unit and v.measure
                                                      and v.measure[1] == PERCENT):
            report.add(pos, rules.VALUE_UNSIGNED,
                       f"“{ind.name}”的指标值“{ind.value}”没有计算符号：预算系统按“＝”导入，请写明方向，"
                       f"如“≥{ind.value.strip()}”，确实要求恰好等于时写“＝{ind.value.strip()}”")
        if v.quantitative and not v.unit:
            report.add(pos, rules.VALUE_UNITLESS,
                       f"“{ind.name}”的指标值“{ind.value}”没有单位：请写明单位（%、个、人次、万元…）")
        if not v.quantitative:
            number = stray_number(ind.value)
            if number is not None and not_applicable(ind.value):
                report.add(pos, rules.QUALITATIVE_NUMBER,
                           f"“{ind.name}”的指标值“{ind.value}”说不适用，却又写了数值“{number}”：审核人会问"
                           "这一行到底考核什么；不适用就只写“不适用”，要考核就写成定量的值（如“≥"
                           f"{number}”）")
            elif number is not None:
                report.add(pos, rules.QUALITATIVE_NUMBER,
                           f"“{ind.name}”的指标值“{ind.value}”是一段文字，却夹着数值“{number}”：既不能按"
                           "数值计分，也不像定性指标那样按等级评价；请写成定量的值（如“≥"
                           f"{number}”），或去掉数值")


def _unit_mismatch(s: Subject, path: str, name: str, value: str, report: Report) -> bool:
    """Report a value whose unit disagrees with its name's; whether it did."""
    v = parse(value)
    pos = s.at(f"{path}.value")
    declared = declared_unit(name)
    if declared is not None:
        wanted = unit_base(declared)
        if not v.quantitative:
            report.add(pos, rules.UNIT_MISMATCH,
                       f"三级指标“{name}”的单位是“{declared}”，指标值“{value}”却是一段文字：请写成"
                       f"“{declared}”为单位的数值，或把单位从名称中去掉")
            return True
        if v.unit and (v.measure is None or wanted is None or v.measure[1] != wanted[1]):
            report.add(pos, rules.UNIT_MISMATCH,
                       f"三级指标“{name}”的单位是“{declared}”，指标值“{value}”的单位却是“{v.unit}”")
            return True
        return False
    if is_rate(name) and v.quantitative and v.unit and v.measure is not None and v.measure[1] != PERCENT:
        if "满意度" in name and v.unit == "分":  # a satisfaction score out of 100 points
            return False
        report.add(pos, rules.UNIT_MISMATCH,
                   f"“{name}”是比率，指标值“{value}”的单位却是“{v.unit}”：审核人会说指标值与计量单位"
                   "不符，请写成百分比（如“≥95%”）")
        return True
    return False


def _around(text: str, index: int, length: int, width: int = 12) -> str:
    """The words around a place of a text, for a message: `…培训经费按时拔付`; "" when the
    text is no longer than the word itself."""
    if len(text) <= length:
        return ""
    start, end = max(0, index - width), min(len(text), index + length + width)
    return f"（{'…' if start else ''}{text[start:end]}{'…' if end < len(text) else ''}）"


def words(source: Source, dictionary: dict[str, str], report: Report) -> None:
    """Typos, full-width digits and look-alike signs in every text of a file."""
    for _, node in texts(source):
        text = node.text
        for hit in typos(text, dictionary):
            report.add(source.find(node, hit.text, hit.nth), rules.TYPO,
                       f"错别字或不规范用字：“{hit.text}”应为“{hit.right}”"
                       f"{_around(text, hit.index, len(hit.text))}；"
                       "公开的文件中有错别字会被检查通报")
        for index, run, half in width_mixes(text):
            report.add(source.find(node, run, text.count(run, 0, index)), rules.WIDTH_MIX,
                       f"“{run}”中有全角的数字或符号{_around(text, index, len(run))}，请统一用半角：“{half}”")
        for index, sign, meant in sign_variants(text):
            report.add(source.find(node, sign, text.count(sign, 0, index)), rules.SIGN_VARIANT,
                       f"“{sign}”应为“{meant}”{_around(text, index, len(sign))}")
