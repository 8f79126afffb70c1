"""`index.html`, the overview of every book built into the output folder.

Each book's entry (its kinds' summaries, its warnings, links to its files) is also written as
`.overview/<book>.json`, so that a later build of some books keeps the others in the overview.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..cache import Cache
from ..templates import TemplateChain, render_template

OVERVIEW = ".overview"  # .overview/<book>.json: each book's part of index.html


def earlier_entries(out: Path, keys: set[str] | None = None) -> dict[str, dict[str, Any]]:
    """The entries of books built earlier into `out` whose outputs are still there.

    An entry that does not read back as one (other keys than `keys`, a damaged file) is left
    out, never trusted; its book shows again when it is built.
    """
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted((out / OVERVIEW).glob("*.json")):
        if not (out / path.stem).is_dir():
            continue
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if (isinstance(entry, dict) and entry.get("key") == path.stem
                and (keys is None or entry.keys() == keys)):
            entries[entry["key"]] = entry
    return entries


def render_index(entries: list[dict[str, Any]], templates: TemplateChain,
                 out: Path | None = None, store: Cache | None = None) -> dict[str, bytes]:
    """`index.html` listing these books' entries and every book built earlier into `out`;
    its compiled templates kept in `store`, the build cache."""
    keys = set(entries[0]) if entries else set()
    known = earlier_entries(out, keys) if out is not None and out.is_dir() and entries else {}
    files: dict[str, bytes] = {}
    for entry in entries:
        known[entry["key"]] = entry
        files[f"{OVERVIEW}/{entry['key']}.json"] = (
            json.dumps(entry, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
    from .html import CompiledTemplates

    env = templates.jinja("html", bytecode_cache=CompiledTemplates(store or Cache(None)))
    listed = [known[key] for key in sorted(known)]
    html = render_template(env, "index.html.j2", {"title": "项目支出绩效目标表", "books": listed})
    files["index.html"] = html.encode("utf-8")
    return files
