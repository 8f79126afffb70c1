"""The kinds of table: each is one module (its typed view-model, built once from a book) plus
one template folder (`default_templates/<kind>/`). `KINDS` lists them in the order a book's
documents are built; adding a kind is one module, one template folder and one entry here."""

from __future__ import annotations

from ..document import Kind
from . import monitoring, selfeval, targets

KINDS: tuple[Kind, ...] = (targets, monitoring, selfeval)
