"""The kinds of table: each is one module (its typed view-model, built once from a book) plus
one template folder (`default_templates/<kind>/`). `KINDS` lists them in the order a book's
documents are built; adding a kind is one module, one template folder and one entry here."""

from __future__ import annotations

from ..document import Kind
from . import overall, overall_eval, selfeval, targets

# The 部门整体 tables before the project tables, as budget (and 决算) publications place them.
KINDS: tuple[Kind, ...] = (overall, targets, overall_eval, selfeval)
