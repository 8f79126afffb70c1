"""Validation of an agency's 部门整体 file (book.yaml's `overall:`): its structure, then the
numbers it shares with the project files and the 自评 rules of its indicators.

What can be derived is not trusted when typed: 项目支出, its 全年执行数 and a task's amounts
are compared with the agency's project files, and a difference is an error naming both numbers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, localcontext

from .. import rules
from ..errors import Pos, Report
from ..model.book import Agency, Book, Income, Overall, OverallExecution, Task
from ..model.frames import Frame
from ..model.overall import (
    EXACT,
    amounts,
    as_project,
    project_budget,
    project_spent,
    scoring_book,
    task_amounts,
)
from ..model.schema import INCOME, OVERALL, OVERALL_EXECUTION, TASK
from .loader import Node
from .validate import (
    Checker,
    Grid,
    _key_positions,
    check_project_rules,
    check_scores,
    known_frame,
)


def check_overall_node(root: Node, file: str, book_frame: Frame, report: Report
                       ) -> Overall | None:
    """An agency's 整体 from its file's node tree, or None when its structure is too broken;
    its indicators are checked against its own `frame:` or, without one, the book's."""
    c = Checker(report)
    found = c.mapping(root, OVERALL, "")
    if found is None:
        return None
    by = {f.key: f for f in OVERALL}
    functions = c.text(found.get("functions"), "functions", "部门职能概述", required=False) or ""
    basic = c.amount(found.get("basic"), "basic", "基本支出", required=True)
    if basic is not None and basic == 0:  # what `tablegen new --overall` writes
        c.find(found["basic"].pos, rules.PLACEHOLDER, "basic",
               f"尚未填写：基本支出为 {basic}；请填写基本支出的年初预算数")
    projects = c.amount(found.get("projects"), "projects", "项目支出")
    frame = c.choice(found.get("frame"), by["frame"], "frame")
    scoring = c.choice(found.get("scoring"), by["scoring"], "scoring")
    income = _income(c, found.get("income"))
    tasks = _tasks(c, found.get("tasks"))
    goals = [g for g, _ in c.text_list(found.get("goals"), "goals", "年度总体目标")]
    indicators = Grid(c, known_frame(frame) if frame else book_frame, None, []).read(
        found.get("indicators"))
    execution = _execution(c, found.get("execution"))
    broken_choice = any(found.get(k) is not None and not found[k].is_null and v is None
                        for k, v in (("frame", frame), ("scoring", scoring)))
    if basic is None or indicators is None or income is None or tasks is None or broken_choice:
        return None
    overall = Overall(basic=basic, goals=goals, indicators=indicators, projects=projects,
                      functions=functions, income=income, tasks=tasks, execution=execution,
                      frame=frame, scoring=scoring, file=file, pos=root.pos)
    key_of = _key_positions(root)
    overall.where = {k: key_of[id(v)] for k, v in found.items()}
    return overall


def _items(c: Checker, node: Node | None, where: str, what: str) -> list[tuple[int, Node]] | None:
    if node is None or node.is_null:
        return []
    if node.kind != "seq":
        c.wrong_type(node, where, f"列表（{what}，每项以“- ”开头）")
        return None
    return list(enumerate(node.items, 1))


def _income(c: Checker, node: Node | None) -> list[Income] | None:
    items = _items(c, node, "income", "收入构成")
    if items is None:
        return None
    out = []
    for i, item in items:
        f = c.mapping(item, INCOME, f"income[{i}]")
        if f is None:
            continue
        name = c.text(f.get("name"), f"income[{i}].name", "收入项目", required=True)
        amount = c.amount(f.get("amount"), f"income[{i}].amount", "当年金额", required=True)
        if name is not None and amount is not None:
            out.append(Income(name, amount, pos=item.pos))
    return out


def _tasks(c: Checker, node: Node | None) -> list[Task] | None:
    items = _items(c, node, "tasks", "年度主要任务")
    if items is None:
        return None
    out = []
    for i, item in items:
        where = f"tasks[{i}]"
        f = c.mapping(item, TASK, where)
        if f is None:
            continue
        name = c.text(f.get("name"), f"{where}.name", "任务名称", required=True)
        content = c.text(f.get("content"), f"{where}.content", "主要内容", required=False) or ""
        listed = c.text_list(f.get("projects"), f"{where}.projects", "对应项目")
        files = [p for p, _ in listed]
        total = c.amount(f.get("total"), f"{where}.total", "总额")
        fiscal = c.amount(f.get("fiscal"), f"{where}.fiscal", "财政拨款")
        other = c.amount(f.get("other"), f"{where}.other", "其他资金")
        if name is not None:
            at = {k: v.pos for k, v in f.items()}
            at.update({f"projects[{j}]": pos for j, (_, pos) in enumerate(listed, 1)})
            out.append(Task(name, content, total, fiscal, other, files, pos=item.pos, where=at))
    return out


def _execution(c: Checker, node: Node | None) -> OverallExecution | None:
    if node is None:
        return None
    f = c.mapping(node, OVERALL_EXECUTION, "execution")
    if f is None:
        return None
    basic = c.amount(f.get("basic"), "execution.basic", "基本支出全年执行数", required=True)
    projects = c.amount(f.get("projects"), "execution.projects", "项目支出全年执行数")
    results = [r for r, _ in c.text_list(f.get("results"), "execution.results", "年度总体目标完成情况")]
    if basic is None:
        return None
    return OverallExecution(basic, projects, results, pos=node.pos,
                            where={k: v.pos for k, v in f.items()})


def check_overall_rules(agency: Agency, book: Book, report: Report, *, year_rules: bool = True
                        ) -> None:
    """The 整体's numbers against the agency's project files, its indicators' rules, its 自评."""
    overall = agency.overall
    if overall is None:
        return
    here = overall.pos or Pos(overall.file)
    derived = project_budget(agency)
    count = len(agency.projects)
    if overall.projects is not None and overall.projects != derived:
        report.add(overall.where.get("projects", here), rules.OVERALL_PROJECTS,
                   f"projects：项目支出 {overall.projects} 不等于本单位 {count} 个项目文件的预算数之和 "
                   f"{derived}；可以删去此项，由 tablegen 按项目文件合计")
    money = amounts(agency, overall)
    _check_tasks(agency, overall, money.total, report, here)
    if overall.income:
        with localcontext(EXACT):
            income = sum((i.amount for i in overall.income), Decimal(0))
        if income != money.total:
            report.add(overall.where.get("income", here), rules.OVERALL_INCOME,
                       f"income：收入构成合计 {income} 不等于年度资金总额 {money.total}"
                       f"（基本支出 {money.basic} + 项目支出 {money.projects}）")
    _check_layout(overall, book, report, here)
    view = as_project(agency, overall)
    view.name = f"{agency.name}（部门整体）"
    view.execution = None  # the value rules only; the 自评 rules follow
    check_project_rules(view, book, report, year_rules=year_rules)
    execution = overall.execution
    if execution is None:
        return
    at = overall.where.get("execution", execution.pos or here)
    if year_rules and book.year >= datetime.now(UTC).year:
        report.add(at, rules.EXECUTION_EARLY,
                   f"execution：预算年度 {book.year} 尚未结束，已填写执行数据（自评）")
    spent = project_spent(agency)
    if spent is None and execution.projects is None:
        missing = [p.file for p in agency.projects if p.execution is None]
        report.add(at, rules.OVERALL_SPENT,
                   f"execution：缺少项目支出的全年执行数（projects）：项目文件 "
                   f"{'、'.join(missing[:3])}{' 等' if len(missing) > 3 else ''} 没有执行数据，无法合计")
        return
    if spent is not None and execution.projects is not None and spent != execution.projects:
        report.add(execution.where.get("projects", at), rules.OVERALL_PROJECTS,
                   f"execution.projects：项目支出的全年执行数 {execution.projects} 不等于本单位 "
                   f"{count} 个项目文件的全年执行数之和 {spent}；可以删去此项，由 tablegen 按项目文件合计")
    scored = as_project(agency, overall)
    check_scores(scored, scoring_book(book, overall), report, at)


def _check_layout(overall: Overall, book: Book, report: Report, here: Pos) -> None:
    """A block the book's layout prints that the file leaves empty (a warning: the table still
    builds, with that part blank)."""
    layout = book.overall_form
    missing = {"functions": not overall.functions, "tasks": not overall.tasks,
               "income": not overall.income}
    for block in layout.blocks:
        if missing.get(block):
            what = "只有合计（即年度资金总额）" if block == "income" else "是空的"
            report.add(overall.where.get(block, here), rules.OVERALL_LAYOUT,
                       f"{block}：部门整体表版式 {layout.name} 印出“{layout.labels[block]}”，本文件"
                       f"没有填写，表中这一部分将{what}")


def _check_tasks(agency: Agency, overall: Overall, total: Decimal, report: Report,
                 here: Pos) -> None:
    """Each task's amounts: from its projects (which must be the agency's, once each), typed
    ones agreeing with them and adding up; all of them within the agency's money."""
    listed = {p.file for p in agency.projects}
    used: dict[str, int] = {}
    totals = []
    for i, task in enumerate(overall.tasks, 1):
        where = f"tasks[{i}]"
        at = task.pos or here
        for j, file in enumerate(task.projects, 1):
            if file not in listed:
                report.add(task.where.get(f"projects[{j}]", at), rules.OVERALL_TASKS,
                           f"{where}.projects[{j}]：“{file}”不是单位 {agency.code} 在 book.yaml 中列出的"
                           "项目文件")
            elif file in used:
                report.add(task.where.get(f"projects[{j}]", at), rules.OVERALL_TASKS,
                           f"{where}.projects[{j}]：项目文件“{file}”已对应第 {used[file]} 个任务，"
                           "它的预算数会被算两次")
            else:
                used[file] = i
        if not task.projects and task.total is None:
            report.add(at, rules.OVERALL_TASKS,
                       f"{where}：任务“{task.name}”没有预算金额：请写 total（总额），"
                       "或用 projects 列出对应的项目文件")
            continue
        derived = task_amounts(task, agency)
        if task.projects:
            for key, label, typed, value in (("total", "总额", task.total, derived[0]),
                                             ("fiscal", "财政拨款", task.fiscal, derived[1]),
                                             ("other", "其他资金", task.other, derived[2])):
                if typed is not None and typed != (value or Decimal(0)):
                    report.add(task.where.get(key, at), rules.OVERALL_TASKS,
                               f"{where}.{key}：任务“{task.name}”的{label} {typed} 不等于对应项目的"
                               f"{label}之和 {value or Decimal(0)}；可以删去此项，由 tablegen 按项目合计")
        elif task.fiscal is not None or task.other is not None:
            with localcontext(EXACT):
                parts = (task.fiscal or Decimal(0)) + (task.other or Decimal(0))
            if parts != task.total:
                report.add(task.where.get("total", at), rules.OVERALL_TASKS,
                           f"{where}.total：任务“{task.name}”的总额 {task.total} 不等于 财政拨款 "
                           f"{task.fiscal or 0} + 其他资金 {task.other or 0} = {parts}")
        if derived[0] is not None:
            totals.append(derived[0])
    with localcontext(EXACT):
        tasks_total = sum(totals, Decimal(0))
    if tasks_total > total:
        report.add(overall.where.get("tasks", here), rules.OVERALL_TASKS_OVER,
                   f"tasks：年度主要任务的金额合计 {tasks_total} 超过年度资金总额 {total}")
