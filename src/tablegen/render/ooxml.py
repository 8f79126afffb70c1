"""The zip of an Office file (DOCX, XLSX) as tablegen writes it: entries in a fixed order, each
dated 1 January of the budget year, so that the same input gives the same bytes."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable


def pack(entries: Iterable[tuple[str, bytes]], year: int) -> bytes:
    """A zip of the entries, in order, each deflated and dated 1 January of `year`."""
    out = io.BytesIO()
    date = (max(year, 1980), 1, 1, 0, 0, 0)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return out.getvalue()
