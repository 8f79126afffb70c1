"""What an engine may use besides the document: templates, the build cache, options, progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..cache import Cache
from ..templates import TemplateChain

if TYPE_CHECKING:
    from .toc_pages import Offices


def _no_progress(n: int) -> None:
    return None


@dataclass
class RenderContext:
    """The templates of the book being built, the cache, and what the build asked for."""

    templates: TemplateChain
    toc_pages: bool | None = False  # None: measure the DOCX 目录 with LibreOffice when installed
    # Called with how many more tables an engine has finished (the build's progress).
    tick: Callable[[int], None] = field(default=_no_progress)
    cache: Cache = field(default_factory=lambda: Cache(None))
    # Set by an engine whose files hold a guess (a DOCX 目录 whose page numbers LibreOffice
    # failed to measure): such files are never cached, so the next build measures again.
    provisional: bool = False
    # LibreOffice kept started for the next DOCX layout (`tablegen serve`), or None.
    offices: Offices | None = None
    # What the engines in `render.PREPARED` started as the build began, by format (or None).
    prepared: dict[str, Any] = field(default_factory=dict)
