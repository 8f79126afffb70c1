"""The format engines: each draws any kind's document (`tablegen.document`) in one format.

`ENGINES` maps a format to its module, loaded on demand (WeasyPrint alone takes a second to
import); each module has `render(document, ctx) -> {path: bytes}`. The engines in `BEGUN` also
have `start(document, ctx)`, which begins a document that waits on another process (the DOCX
on LibreOffice, the PDF on the worker that lays out what changed) and returns what finishes it,
so that the build renders the other formats meanwhile.
"""

from __future__ import annotations

import logging

# pikepdf (the PDF joiner) logs "C++ to Python logger bridge initialized" on import: not news.
logging.getLogger("pikepdf").setLevel(logging.WARNING)

ENGINES = {
    "docx": "tablegen.render.docx",
    "html": "tablegen.render.html",
    "pdf": "tablegen.render.pdf",
    "xlsx": "tablegen.render.xlsx",
}
BEGUN = frozenset({"docx", "pdf"})
# Engines with a module whose `prepare(toc_pages, cache_root)` the build calls before it reads
# the books (`cache_root`: the build cache's folder, None without one), returning None or what
# it started (closed when the build ends) for the engine to find in
# `RenderContext.prepared`: the PDF's worker process loads WeasyPrint (over a second) meanwhile,
# and lays out what changed; the DOCX's LibreOffice starts, to measure the 目录 of what changed.
PREPARED = {"pdf": "tablegen.render.pdf_worker", "docx": "tablegen.render.toc_pages"}
