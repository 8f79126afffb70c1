"""`tablegen check`: every rule, its position and its message; formats; exit codes."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from conftest import FIXTURES, ROOT, TEST_BOOKS
from linear import GROWTH, assert_linear
from tablegen.load.books import load_paths
from tablegen.load.loader import MAX_BYTES
from tablegen.rules import RULES as RULE_REGISTRY

RULES = FIXTURES / "rules"

# fixture → (file, line, col, severity, rule, message): the one finding it must produce.
CASES = {
    "yaml-syntax.yaml": ("yaml-syntax.yaml", 4, 4, "error", "yaml-syntax",
                         "YAML 语法错误：缩进不一致：第 4 行缩进 3 个空格，上一行（第 3 行）缩进 2 个空格；"
                         "同一层级的键应左对齐"),
    "encoding.yaml": ("encoding.yaml", 1, 7, "error", "encoding",
                      "文件不是 UTF-8 编码（第 7 字节 0xB2 无法解码）；请在编辑器中以 UTF-8 另存"),
    "unsafe-tag.yaml": ("unsafe-tag.yaml", 1, 7, "error", "unsafe-tag",
                        "不允许使用 YAML 标签 !!python/object:os.system：只接受普通文本、列表和映射"),
    "unquoted-sign.yaml": ("unquoted-sign.yaml", 13, 16, "error", "unquoted-sign",
                           "“>=1次”以 >= 开头却没有加引号：YAML 会把“>”读作折叠文本的标记，编辑器和"
                           "其他工具无法读取此文件；请写成“≥1次”或“\">=1次\"”（tablegen fmt 会自动改为 ≥）"),
    "yaml-alias.yaml": ("yaml-alias.yaml", 2, 8, "error", "yaml-alias",
                        "不支持 YAML 别名（*名称）：请把内容直接写出"),
    "unknown-key.yaml": ("unknown-key.yaml", 13, 9, "error", "unknown-key",
                         "indicators.产出指标.数量指标[1]：未知的键“vaule”，是否想写“value”？"
                         "（“value”是必填项：指标值）"),
    "missing-field.yaml": ("missing-field.yaml", 1, 1, "error", "missing-field",
                           "缺少必填项“budget”（预算规模）"),
    "wrong-type.yaml": ("wrong-type.yaml", 7, 8, "error", "wrong-type",
                        "goals：应为列表（绩效目标，每项以“- ”开头），实际为文本“完成测试”"),
    "duplicate-key.yaml": ("duplicate-key.yaml", 14, 5, "error", "duplicate-key",
                           "indicators.产出指标：重复的键“数量指标”（第 11 行已出现）"),
    "amount-invalid.yaml": ("amount-invalid.yaml", 3, 10, "error", "amount-invalid",
                            "budget.total：预算数应为金额（如 40.00），实际为文本“十”"),
    "amount-negative.yaml": ("amount-negative.yaml", 3, 10, "error", "amount-negative",
                             "budget.total：预算数不能为负数：-10.00"),
    "amount-precision.yaml": ("amount-precision.yaml", 3, 10, "error", "amount-precision",
                              "budget.total：预算数最多保留两位小数：10.001"),
    "budget-sum.yaml": ("budget-sum.yaml", 3, 10, "error", "budget-sum",
                        "budget.total：预算数 10.00 不等于 财政资金 6.00 + 其他资金 3.00 = 9.00"),
    "unknown-level1.yaml": ("unknown-level1.yaml", 10, 3, "error", "unknown-level1",
                            "indicators：一级指标“产出指表”不在指标框架 classic 中，是否想写“产出指标”？"),
    "unknown-level2.yaml": ("unknown-level2.yaml", 14, 5, "error", "unknown-level2",
                            "indicators.产出指标：二级指标“社会效益指标”不属于一级指标“产出指标”"
                            "（框架 classic）；它属于一级指标“效益指标”；“产出指标”下可用："
                            "数量指标、质量指标、时效指标、成本指标"),
    "empty-group.yaml": ("empty-group.yaml", 14, 5, "error", "empty-group",
                         "indicators.产出指标.质量指标：二级指标“质量指标”下没有三级指标"),
    "empty-text.yaml": ("empty-text.yaml", 13, 16, "error", "empty-text",
                        "indicators.产出指标.数量指标[1].value：指标值不能为空"),
    "cost-cap.yaml": ("cost-cap.yaml", 13, 16, "error", "cost-cap",
                      "indicators.产出指标.成本指标[1].value：成本指标“≤100001元”超过项目预算数 "
                      "10.00万元"),
    "percent-over-100.yaml": ("percent-over-100.yaml", 13, 16, "error", "percent-over-100",
                              "indicators.产出指标.质量指标[1].value：百分比不能超过 100：“≥101%”"),
    "control-char.yaml": ("control-char.yaml", 12, 15, "error", "control-char",
                          "文本含有 DOCX/XML 无法保存的控制字符 U+0001"),
    "invisible-char.yaml": ("invisible-char.yaml", 13, 16, "error", "invisible-char",
                            "indicators.产出指标.数量指标[1].value：文本含有不可见的字符 "
                            "U+202E（从右至左强制），显示出的文字与实际内容不同：“≥\\u202e次21”；请删除后核对文字（它改变了文字的"
                            "显示顺序，tablegen fmt 不会自动删除）"),
    "no-satisfaction.yaml": ("no-satisfaction.yaml", 9, 1, "warning", "no-satisfaction",
                             "项目“测试项目”没有满意度指标"),
    "satisfaction-unit.yaml": ("satisfaction-unit.yaml", 17, 16, "warning", "satisfaction-unit",
                               "indicators.满意度指标.服务对象满意度指标[1].value："
                               "满意度指标值“≥90”没有单位（如 %）"),
    "encoding-damage.yaml": ("encoding-damage.yaml", 12, 15, "warning", "encoding-damage",
                             "indicators.产出指标.数量指标[1].name：文本含有“？”，可能是编码损坏："
                             "“完成《天津市志？知识产权局志》”"),
    "whitespace.yaml": ("whitespace.yaml", 12, 15, "warning", "whitespace",
                        "indicators.产出指标.数量指标[1].name：文本首尾有空白：“测试次数 ”"),
    "placeholder.yaml": ("placeholder.yaml", 6, 8, "warning", "placeholder",
                         "usage：尚未填写：“请填写资金用途”"),
    "placeholder-amount.yaml": ("placeholder-amount.yaml", 3, 10, "warning", "placeholder",
                                "budget.total：尚未填写：预算数为 0.00；请填写项目的预算数"),
    "no-projects": ("no-projects/book.yaml", 7, 14, "warning", "no-projects",
                    "agencies[1].projects：此单位还没有项目（用 tablegen new 添加）"),
    "invalid-choice": ("invalid-choice/book.yaml", 3, 13, "error", "invalid-choice",
                       "money_unit：金额单位应为 元 | 千元 | 万元 之一，实际为文本“万圆”，是否想写“万元”？"),
    "layout": ("layout/book.yaml", 4, 9, "error", "layout",
               "layout：找不到版式“sichuan”（templates/targets/layouts/sichuan.yaml）；可用的版式："
               "fujian-transfer、hunan-xiangtan、national、period、remarks、sichuan-export、tianjin"),
    "layout-file": ("layout-file/templates/targets/layouts/mine.yaml", 6, 7, "error", "layout",
                    "版式 mine 的 head.rows[2]：单元格共占 2 列，应与 widths 的 3 列相同"),
    "unprinted": ("unprinted/p.yaml", 14, 23, "warning", "unprinted",
                  "indicators.产出指标.数量指标[1].period_value：版式 tianjin 不印实施期指标值；"
                  "要印出它，请在 book.yaml 中选用有此列的版式"),
    "year-range": ("year-range/book.yaml", 2, 7, "error", "year-range",
                   "year：预算年度应在 2000 至 2099 之间，实际为 2108"),
    "project-missing": ("project-missing/book.yaml", 9, 9, "error", "project-missing",
                        "列出的项目文件不存在：不存在.yaml"),
    "project-duplicate": ("project-duplicate/book.yaml", 12, 9, "error", "project-duplicate",
                          "项目文件“p.yaml”被重复列出（第 8 行已列出）"),
    "name-duplicate": ("name-duplicate/q.yaml", 1, 1, "error", "name-duplicate",
                       "name：项目名称“测试项目”与 p.yaml 重复"),
    "unlisted-file": ("unlisted-file/旧项目.yaml", 1, 1, "warning", "unlisted-file",
                      "此 YAML 文件未被 book.yaml 的任何单位列出，不会进入文档"),
    "date-range": ("date-range/p.yaml", 13, 16, "warning", "date-range",
                   "indicators.产出指标.时效指标[1].value：时效指标中的年份 2023 不在预算年度 2024 "
                   "至 2027 之间：“2023年12月31日前”"),
    # 自评 (execution data): each rule on a copy of valid-evaluated.yaml with one fault.
    "actual-unit.yaml": ("actual-unit.yaml", 14, 17, "error", "actual-unit",
                         "indicators.产出指标.数量指标[1].actual：实际完成值“1个”的单位与指标值“≥1次”"
                         "不同（应为次）"),
    "actual-kind.yaml": ("actual-kind.yaml", 14, 17, "error", "actual-kind",
                         "indicators.产出指标.数量指标[1].actual：定量指标“≥1次”的实际完成值应为数字和"
                         "单位，实际为“基本完成”"),
    "actual-read.yaml": ("actual-read.yaml", 14, 17, "warning", "actual-read",
                         "indicators.产出指标.数量指标[1].actual：实际完成值“已完成”不是数，评分方案 "
                         "common 视为达到指标值“≤90万元”（得满分）；请写出实际完成的数（如 90万元）"),
    "actual-missing.yaml": ("actual-missing.yaml", 12, 9, "error", "actual-missing",
                            "indicators.产出指标.数量指标[1]：缺少实际完成值（actual）"),
    "actual-outlier.yaml": ("actual-outlier.yaml", 14, 17, "warning", "actual-outlier",
                            "indicators.产出指标.数量指标[1].actual：实际完成值“1500次”是指标值“≥1次”的 "
                            "1000 倍以上，请核对是否多写了数字或用错了单位"),
    "grade-missing.yaml": ("grade-missing.yaml", 14, 17, "error", "grade-missing",
                           "indicators.产出指标.数量指标[1]：定性指标“有效保障”需要完成等级"
                           "（grade：达成 | 部分达成 | 未达成）或得分（score）"),
    "score-over-weight.yaml": ("score-over-weight.yaml", 15, 16, "error", "score-over-weight",
                               "indicators.产出指标.数量指标[1].score：得分 60.00 超过分值 50.00"),
    "weight-sum.yaml": ("weight-sum.yaml", 10, 3, "error", "weight-sum",
                        "indicators.产出指标：三级指标的分值合计 40.00 与评分方案 common 中“产出指标”"
                        "的分值 50 不符"),
    "overspent.yaml": ("overspent.yaml", 28, 10, "error", "overspent",
                       "execution.spent：年度资金总额的全年执行数 10.50 超过全年预算数 10.00"),
    "full-marks.yaml": ("full-marks.yaml", 9, 1, "error", "full-marks",
                        "indicators：没有评分方案 common 的一级指标“效益指标”（30 分），总分最高只有 70 分"
                        "而不是 100 分；请补充该一级指标，或在 book.yaml 中用 scoring "
                        "选择与指标相符的评分方案"),
    "weight-zero.yaml": ("weight-zero.yaml", 16, 9, "warning", "weight-zero",
                         "indicators.产出指标.数量指标[2]：分值为 0.00，此指标完成与否都不影响总分；"
                         "请给它分值（weight），或减少“产出指标”下其他指标的分值"),
    "execution-sum.yaml": ("execution-sum.yaml", 27, 13, "error", "execution-sum",
                           "execution.adjusted：年度资金总额的全年预算数 10.00 不等于 本年财政拨款 50.00 + "
                           "上年结转资金 30.00 + 其他资金 0 = 80.00"),
    "deviation-missing.yaml": ("deviation-missing.yaml", 19, 17, "warning", "deviation-missing",
                               "indicators.满意度指标.服务对象满意度指标[1]：得分 9.44 低于分值 10.00，"
                               "请填写偏差原因分析及改进措施（deviation）"),
    "execution-early": ("execution-early/p.yaml", 26, 1, "warning", "execution-early",
                        "execution：预算年度 2099 尚未结束，已填写执行数据（自评）"),
    "target-unsigned.yaml": ("target-unsigned.yaml", 13, 16, "warning", "target-unsigned",
                             "indicators.产出指标.数量指标[1].value：指标值“1次”没有符号，评分方案 common "
                             "读作“≥1次”（达到或超过即得满分）；请在指标值前写明符号（≥ 下限、≤ 上限、"
                             "＝ 等于），得分就不取决于评分方案的读法"),
    "execution-zero.yaml": ("execution-zero.yaml", 27, 13, "warning", "execution-zero",
                            "execution：全年预算数为 0，预算执行率无从计算，评分方案 common 计为 0%"
                            "（得 0 分）；请核对执行数据"),
    "score-band": ("score-band/p.yaml", 26, 16, "error", "score-band",
                   "indicators.效益指标.社会效益指标[1].score：得分 25.00 不在“部分达成”的区间内"
                   "（分值 30.00 的 60%–80%，即 18.00 至 24.00）"),
    "score-override": ("score-override/p.yaml", 15, 16, "error", "score-override",
                       "indicators.产出指标.数量指标[1].score：定量指标按实际完成值算得 50.00 分，"
                       "调整为 45.00 分须写明理由（score_reason）"),
    "scheme-invalid": ("scheme-invalid/book.yaml", 6, 12, "error", "scheme-invalid",
                       "scoring.reverse：应为 linear | ratio 之一，实际为“ratoi”"),
    # 部门整体: each rule on a copy of overall-valid/ (one agency, one evaluated project) with
    # one fault.
    "overall-file": ("overall-file/book.yaml", 7, 14, "error", "overall-file",
                     "部门整体文件不存在：整体.yaml"),
    "overall-projects": ("overall-projects/o.yaml", 3, 1, "error", "overall-projects",
                         "projects：项目支出 12.00 不等于本单位 1 个项目文件的预算数之和 10.00；"
                         "可以删去此项，由 tablegen 按项目文件合计"),
    "overall-tasks": ("overall-tasks/o.yaml", 11, 12, "error", "overall-tasks",
                      "tasks[1].total：任务“测试任务”的总额 11.00 不等于对应项目的总额之和 10.00；"
                      "可以删去此项，由 tablegen 按项目合计"),
    "overall-income": ("overall-income/o.yaml", 3, 1, "error", "overall-income",
                       "income：收入构成合计 16.00 不等于年度资金总额 15.00（基本支出 5.00 + "
                       "项目支出 10.00）"),
    "overall-spent": ("overall-spent/o.yaml", 30, 1, "error", "overall-spent",
                      "execution：缺少项目支出的全年执行数（projects）：项目文件 q.yaml "
                      "没有执行数据，无法合计"),
    "overall-tasks-over": ("overall-tasks-over/o.yaml", 6, 1, "warning", "overall-tasks-over",
                           "tasks：年度主要任务的金额合计 110.00 超过年度资金总额 15.00"),
    # book.yaml picks the funds layout; the file has its 收入构成 but no 部门职能概述
    "overall-layout": ("overall-layout/o.yaml", 1, 1, "warning", "overall-layout",
                       "functions：部门整体表版式 funds 印出“部门职能概述”，本文件没有填写，"
                       "表中这一部分将是空的"),
    # 绩效运行监控 (monitoring data): each rule on a copy of valid-monitored.yaml with one fault.
    "monitor-month.yaml": ("monitor-month.yaml", 19, 12, "error", "monitor-month",
                           "monitoring[1].month：监控月份应在 1 至 12 之间，实际为 13"),
    "monitor-early": ("monitor-early/p.yaml", 19, 12, "warning", "monitor-early",
                      "monitoring[1].month：2099年7月尚未结束，已填写 1–7月的监控数据"),
    "monitor-overspent.yaml": ("monitor-overspent.yaml", 21, 12, "error", "monitor-overspent",
                               "monitoring[1].spent：年度资金总额的 1–7月执行数 10.50 超过调整后预算数 "
                               "10.00"),
    "monitor-expected.yaml": ("monitor-expected.yaml", 22, 15, "error", "monitor-expected",
                              "monitoring[1].expected：年度资金总额的全年预计执行数 4.00 少于 1–7月已执行的 "
                              "5.00"),
    "monitor-sum.yaml": ("monitor-sum.yaml", 20, 15, "error", "monitor-sum",
                         "monitoring[1].adjusted：年度资金总额的调整后预算数 10.00 不等于 财政拨款 8.00 + "
                         "其他资金 0 = 8.00"),
    "monitor-likelihood.yaml": ("monitor-likelihood.yaml", 30, 9, "error", "monitor-likelihood",
                                "monitoring[1].indicators[2]：完成目标可能性为“有可能”，需要填写至少一项"
                                "偏差原因（causes）、原因说明（note）"),
    "monitor-note.yaml": ("monitor-note.yaml", 30, 17, "error", "monitor-note",
                          "monitoring[1].indicators[1].causes：勾选了偏差原因“经费保障”，需要填写原因说明"
                          "（note）"),
    "monitor-unknown.yaml": ("monitor-unknown.yaml", 36, 15, "error", "monitor-unknown",
                             "monitoring[1].indicators[3].name：“测试件数”不是本项目的三级指标，"
                             "是否想写“测试次数”？"),
    "monitor-missing.yaml": ("monitor-missing.yaml", 26, 7, "warning", "monitor-missing",
                             "monitoring[1].indicators：没有三级指标“服务对象满意度”（满意度指标 / "
                             "服务对象满意度指标）的 1–7月执行情况"),
    "spent-below-monitored.yaml": ("spent-below-monitored.yaml", 43, 10, "error",
                                   "spent-below-monitored",
                                   "execution.spent：全年执行数 9.50 少于 1–10月监控时已执行的 9.80"),
}


def findings_of(path):
    return [(f.pos.path, f.pos.line, f.pos.col, f.severity, f.rule, f.message)
            for f in load_paths([path]).report.sorted()]


@pytest.mark.parametrize("fixture", sorted(CASES))
def test_rule(fixture, monkeypatch):
    monkeypatch.chdir(RULES)
    file, line, col, severity, rule, message = CASES[fixture]
    found = findings_of(RULES / fixture)
    assert (file, line, col, severity, rule, message) in found
    # Each fixture is about its own rule: nothing else but the consequences of that one fault.
    assert {f[4] for f in found} <= {rule, "missing-field"}


def test_the_valid_fixture_has_no_finding(monkeypatch):
    monkeypatch.chdir(RULES)
    assert findings_of(RULES / "valid.yaml") == []
    assert findings_of(RULES / "valid-evaluated.yaml") == []
    assert findings_of(RULES / "overall-valid") == []
    assert findings_of(RULES / "valid-monitored.yaml") == []


def test_a_target_beaten_by_30_percent_asks_for_a_reason(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = (RULES / "valid-evaluated.yaml").read_text(encoding="utf-8")
    (tmp_path / "p.yaml").write_text(text.replace("actual: 1次", "actual: 2次"), encoding="utf-8")
    assert findings_of(tmp_path / "p.yaml") == [
        ("p.yaml", 14, 17, "warning", "deviation-missing",
         "indicators.产出指标.数量指标[1]：实际完成值“2次”超出指标值“≥1次” 100%，指标值可能定得过低；"
         "请填写偏差原因分析及改进措施（deviation）")]
    (tmp_path / "p.yaml").write_text(text.replace("actual: 1次", "actual: 2次\n        deviation: 超额完成"),
                                     encoding="utf-8")
    assert findings_of(tmp_path / "p.yaml") == []


def test_fund_rows_that_do_not_add_up_are_reported_in_each_column(tmp_path, monkeypatch):
    monkeypatch.chdir(RULES)
    # 本年财政拨款 50 + 上年结转资金 30 under a 年度资金总额 of 10: once printed as they were.
    assert findings_of(RULES / "execution-sum.yaml") == [
        ("execution-sum.yaml", 27, 13, "error", "execution-sum",
         "execution.adjusted：年度资金总额的全年预算数 10.00 不等于 本年财政拨款 50.00 + "
         "上年结转资金 30.00 + 其他资金 0 = 80.00"),
        ("execution-sum.yaml", 28, 10, "error", "execution-sum",
         "execution.spent：年度资金总额的全年执行数 9.50 不等于 本年财政拨款 50.00 + 上年结转资金 30.00 + "
         "其他资金 0 = 80.00")]
    # 年初预算数 as printed: the total's defaults to budget.total (10.00), given here for a source.
    monkeypatch.chdir(tmp_path)
    text = (RULES / "valid-evaluated.yaml").read_text(encoding="utf-8").replace(
        "  spent: 9.50\n", "  spent: 9.50\n  fiscal:\n    initial: 8.00\n    adjusted: 10.00\n"
        "    spent: 9.50\n")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    assert findings_of(tmp_path / "p.yaml") == [
        ("p.yaml", 26, 1, "error", "execution-sum",
         "execution.initial：年度资金总额的年初预算数 10.00 不等于 本年财政拨款 8.00 + 上年结转资金 0 + "
         "其他资金 0 = 8.00")]


def test_a_mistyped_required_key_is_told_once_at_the_typo(monkeypatch, tmp_path):
    monkeypatch.chdir(RULES)
    # The required `value` is missing only because it was mistyped: one finding, at the typo, with
    # its did-you-mean, not a missing-field above it that reads first.
    assert [f[4] for f in findings_of(RULES / "unknown-key.yaml")] == ["unknown-key"]
    # A required key missing beside an unknown key that is no typo of it: both are reported.
    text = (RULES / "unknown-key.yaml").read_text(encoding="utf-8").replace("vaule:", "remark:")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert [(f[4], f[5]) for f in findings_of(tmp_path / "p.yaml")] == [
        ("missing-field", "indicators.产出指标.数量指标[1]：缺少必填项“value”（指标值）"),
        ("unknown-key", "indicators.产出指标.数量指标[1]：未知的键“remark”；可用的键：name、description、"
                        "value、actual、weight、grade、score、score_reason、deviation、period_value、"
                        "values")]


def test_every_rule_of_the_registry_is_emitted_and_tested():
    # The registry is the list of rules; the code names each by its object (rules.BUDGET_SUM).
    ids = [r.id for r in RULE_REGISTRY]
    assert len(ids) == len(set(ids))
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "src" / "tablegen").rglob("*.py")
                        if p.name != "rules.py")
    named = set(re.findall(r"rules\.([A-Z0-9_]+)\b", sources)) - {"RULES", "Rule"}
    constants = {r.id.upper().replace("-", "_") for r in RULE_REGISTRY}
    assert named - constants == set()  # no rule named that the registry lacks
    assert constants - named == set()  # no rule in the registry that nothing reports
    # Tested: a fixture here, or a test elsewhere that asserts the rule by name.
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py")
                      if p.name != "test_check.py")
    tested = {c[4] for c in CASES.values()} | {"path-missing"}  # test_missing_path_is_reported
    tested |= {r for r in ids if re.search(rf'[\["]{re.escape(r)}[\]"]', tests)}
    assert set(ids) - tested == set()


def test_file_too_large(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    big = tmp_path / "big.yaml"
    big.write_text("name: " + "很" * (MAX_BYTES // 3 + 1), encoding="utf-8")
    assert findings_of(big) == [("big.yaml", 1, 1, "error", "file-too-large",
                                 f"文件过大（{big.stat().st_size} 字节），单个文件最大 {MAX_BYTES} 字节")]


def test_billion_laughs_fails_at_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lines = ['a0: &a0 ["lol"]'] + [
        f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 30)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = findings_of(bomb)  # refused at the first alias, nothing expanded
    assert [(f[1], f[2], f[4]) for f in found] == [(2, 10, "yaml-alias")]


def test_utf8_bom_is_accepted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = tmp_path / "bom.yaml"
    f.write_bytes(b"\xef\xbb\xbf" + (RULES / "valid.yaml").read_bytes())
    assert findings_of(f) == []


def test_yaml_11_surprises_stay_text(tmp_path):
    from tablegen.load.books import load_book_strict

    (tmp_path / "book.yaml").write_text(
        "title: 测试书\nyear: 2024\nmoney_unit: 万元\nagencies:\n"
        "  - code: 012\n    name: NO\n    projects: [p.yaml]\n", encoding="utf-8")
    text = (RULES / "valid.yaml").read_text(encoding="utf-8")
    text = text.replace("value: ≥1次", "value: 1:30").replace("name: 测试次数", "name: yes")
    text = text.replace("  total: 10.00\n  fiscal: 10.00", "  total: 10\n  fiscal: 10")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    book = load_book_strict(tmp_path)
    agency = book.agencies[0]
    assert (agency.code, agency.name) == ("012", "NO")
    ind = agency.projects[0].indicators[0].groups[0].indicators[0]
    assert (ind.name, ind.value) == ("yes", "1:30")
    assert str(agency.projects[0].budget.total) == "10"


def _parsed(text):
    from tablegen.errors import Report
    from tablegen.load.loader import parse
    from tablegen.load.validate import check_project_node, known_frame

    report = Report()
    project = check_project_node(parse(text, "p.yaml", report), "p.yaml", known_frame(None),
                                 report)
    return project, report


def test_ascii_comparison_signs_print_as_math_signs_where_they_are_yaml():
    # `">=1次"` quoted and `<=90%` plain are YAML that every parser reads the same way.
    text = (RULES / "valid.yaml").read_text(encoding="utf-8").replace("≥1次", '">=1次"')
    text = text.replace("≥90%", "<=90%")
    assert yaml.safe_load(text)["indicators"]["产出指标"]["数量指标"][0]["value"] == ">=1次"
    project, report = _parsed(text)
    assert report.findings == []
    assert [ind.value for _, _, ind in project.rows()] == ["≥1次", "≤90%"]


def test_signs_inside_block_and_multi_line_texts_stay_as_written():
    text = (RULES / "valid.yaml").read_text(encoding="utf-8").replace(
        "usage: 用于测试", 'usage: |-\n  说明\n  >=50 人参加').replace(
        "  - 完成测试", '  - "第一行\n    >=2 行"\n  - ">=50 人参加\\n其余说明"')
    project, report = _parsed(text)
    assert report.findings == []
    assert project.usage == "说明\n>=50 人参加"
    assert project.goals == ["第一行 >=2 行", ">=50 人参加\n其余说明"]


def test_blank_lines_cost_linear_time():
    from tablegen.errors import Report
    from tablegen.load.loader import parse

    # Once quadratic: a `>=` rewrite whose pattern ran across blank lines (20k lines took 24 s).
    def blank_lines(n: int) -> str:
        return "name: x" + "\n" * n + "usage: y\n"

    # Both parsers: libyaml for check, the pure-Python one (comments) for fmt and findings.
    assert_linear(lambda n: parse(blank_lines(n), "p.yaml", Report()), 25_000)
    assert_linear(lambda n: parse(blank_lines(n), "p.yaml", Report(), []), 5_000)
    root = parse(blank_lines(200_000), "p.yaml", Report())
    assert [(k.text, v.text, v.pos.line) for k, v in root.pairs] == [
        ("name", "x", 1), ("usage", "y", 200_001)]


def test_many_level1_keys_cost_linear_time(tmp_path):
    # Once a scan of every key per key: 105k 一级 keys took 272 s.
    valid = (RULES / "valid.yaml").read_text(encoding="utf-8")
    files = {}
    for n in (2000, 2000 * GROWTH):
        keys = "".join(f"  一级{i}: ~\n" for i in range(n))
        files[n] = tmp_path / f"k{n}.yaml"
        files[n].write_text(valid.replace("  满意度指标:\n", keys + "  满意度指标:\n"),
                            encoding="utf-8")
    assert_linear(lambda n: load_paths([files[n]]), 2000)
    rules = [f.rule for f in load_paths([files[2000]]).report.findings]
    assert rules == ["unknown-level1", "empty-group"] * 2000


def test_seed_books_have_no_errors_and_exactly_the_known_warnings(run):
    code, out, err = run("check", str(TEST_BOOKS), cwd=ROOT)
    assert code == 0
    found = [re.sub(r":\d+:\d+:", ":", line).split(": ", 1)[1].split("：")[0]
             for line in out.splitlines()]
    assert [line.split(": ")[1] for line in out.splitlines()] == [
        "warning[whitespace]", "warning[no-satisfaction]", "warning[whitespace]",
        "warning[whitespace]", "warning[satisfaction-unit]"]
    assert len(found) == 5
    assert err.strip() == "0 个错误，5 个警告"


def test_exit_codes_and_strict(run):
    assert run("check", str(RULES / "valid.yaml"))[0] == 0
    assert run("check", str(RULES / "whitespace.yaml"))[0] == 0
    assert run("check", "--strict", str(RULES / "whitespace.yaml"))[0] == 1
    assert run("check", str(RULES / "budget-sum.yaml"))[0] == 1
    assert run("check", "--format", "nope")[0] == 2
    assert run("frobnicate")[0] == 2


def test_strict_reports_warnings_as_errors(run, monkeypatch):
    monkeypatch.chdir(RULES)
    code, out, _ = run("check", "--strict", "whitespace.yaml")
    assert out.splitlines() == [
        "whitespace.yaml:12:15: error[whitespace]: indicators.产出指标.数量指标[1].name："
        "文本首尾有空白：“测试次数 ”"]


def test_json_format(run, monkeypatch):
    monkeypatch.chdir(RULES)
    code, out, _ = run("check", "--format", "json", "amount-negative.yaml")
    assert code == 1
    assert json.loads(out) == [{
        "path": "amount-negative.yaml", "line": 3, "col": 10, "severity": "error",
        "rule": "amount-negative", "message": "budget.total：预算数不能为负数：-10.00"}]


def test_github_format_is_a_workflow_annotation(run, monkeypatch):
    monkeypatch.chdir(RULES)
    code, out, _ = run("check", "--format", "github", "amount-negative.yaml",
                       "whitespace.yaml")
    assert code == 1
    assert out.splitlines() == [
        "::error file=amount-negative.yaml,line=3,col=10,title=amount-negative::"
        "budget.total：预算数不能为负数：-10.00",
        "::warning file=whitespace.yaml,line=12,col=15,title=whitespace::"
        "indicators.产出指标.数量指标[1].name：文本首尾有空白：“测试次数 ”",
    ]
    pattern = re.compile(r"^::(error|warning) file=[^,]+,line=\d+,col=\d+,title=[a-z0-9-]+::.+$")
    assert all(pattern.match(line) for line in out.splitlines())


def test_missing_path_is_reported(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("check", "nowhere")
    assert code == 1
    assert out.strip() == "nowhere:1:1: error[path-missing]: 路径不存在"


@pytest.mark.parametrize("command", ["check", "build", "fmt"])
def test_a_command_run_outside_the_repository_says_where_to_run_it(run, tmp_path, command):
    # The default targets/ is not here (a book folder, say): the message says what to do.
    code, out, _ = run(command, cwd=tmp_path)
    assert code == 1
    assert out == ("targets:1:1: error[path-missing]: 路径不存在：当前文件夹中没有 targets/。请在表格仓库的"
                   "根文件夹（有 targets/ 和 Makefile 的那一层）运行，或给出书文件夹的路径\n")


def test_debug_shows_the_traceback_that_is_otherwise_hidden(run, monkeypatch):
    monkeypatch.chdir(RULES)
    code, out, err = run("check", "budget-sum.yaml")
    assert code == 1 and "Traceback" not in out + err
    code, out, err = run("build", "budget-sum.yaml", "--out", "../../../build-never")
    assert code == 1
    assert "有错误，未写入任何文件：1 个错误，0 个警告" in err
    with pytest.raises(Exception) as info:
        run("--debug", "build", "budget-sum.yaml", "--out", "../../../build-never")
    assert type(info.value).__name__ == "InvalidData"
    assert not (ROOT / "build-never").exists()
