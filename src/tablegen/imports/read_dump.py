"""Reading the plain-text dump of an official DOCX (tests/seeds/*.txt) as sections of rows."""

from __future__ import annotations

import re

from .rows import Section

BOOKMARK = re.compile(r"^\s*\[bookmark: ([^\]]*)\](.*)$")


def parse_dump(text: str) -> list[Section]:
    """Split a plain-text DOCX dump into headed sections of table rows.

    A `[bookmark: …]` line (or an empty heading paragraph) starts a section; a line starting
    with a tab is a cell; a blank line ends a row; any other line continues the cell above.
    """
    sections: list[Section] = []
    row: list[str] | None = None

    def end_row() -> None:
        nonlocal row
        if row and sections:
            sections[-1].rows.append(row)
        row = None

    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        m = BOOKMARK.match(line)
        if m:
            end_row()
            sections.append(Section(m.group(2), number))
            continue
        if line and not line.startswith("\t") and line.lstrip(" ").startswith("\t"):
            # An empty heading paragraph runs straight into the next table's first cell.
            end_row()
            sections.append(Section("", number))
            line = line.lstrip(" ")
        if line.startswith("\t"):
            if row is None:
                row = []
            row.append(line[1:])
        elif line.strip() == "":
            end_row()
        elif row:
            row[-1] += "\n" + line
        elif sections:
            sections[-1].heading += line
    end_row()
    return sections
