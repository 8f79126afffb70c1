"""The kinds of table: each is one module (its typed view-model, built once from a book) plus
one template folder (`default_templates/<kind>/`). `KINDS` lists them in the order a book's
documents are built; adding a kind is one module, one template folder and one entry here."""

from __future__ import annotations

from ..document import Kind
from . import monitoring, overall, overall_eval, selfeval, targets

# The 部门整体 tables before the project tables, as budget (and 决算) publications place them;
# the mid-year 监控表 between the targets and the 自评.
KINDS: tuple[Kind, ...] = (overall, targets, monitoring, overall_eval, selfeval)
