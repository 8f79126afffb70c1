"""The seed outputs, byte for byte: both seed books and the 自评表 of tests/fixtures/selfeval/,
every format, against the SHA-256 recorded in tests/golden/outputs.sha256.

The record was made before tablegen's code moved to kinds × formats and shows that the move
changed no byte, but for three named changes, each tested where its kind is
(tests/test_selfeval.py): the 自评 PDF is laid out through the same engine as the target tables
(cached per table, its page numbers stamped), so its bytes and the PDF rules of its HTML's CSS
changed while its text, page for page, did not; the 自评 XLSX's rows are as high as their text
and a group cut by a printed page break repeats its label. An intended change of an output is
recorded with `make golden` and named in its commit.

Bytes of a PDF depend on the fonts and library versions of the machine: the record names the
versions it was made with, and a machine with others fails here with that said.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, TEST_BOOKS
from tablegen.build import build
from tablegen.cache import versions
from tablegen.render.pdf_fonts import fonts_digest

RECORD = Path(__file__).parent / "golden" / "outputs.sha256"
FORMATS = ["docx", "html", "pdf", "xlsx"]


def seed_outputs(root: Path) -> dict[str, str]:
    """Build the three books with no cache and no LibreOffice measurement: path → SHA-256."""
    books = [Path(shutil.copytree(TEST_BOOKS / key, root / "src" / key))
             for key in ("tianjin-ipa-2024", "binhai-ipa-2026")]
    evaluated = Path(shutil.copytree(TEST_BOOKS / "tianjin-ipa-2024", root / "src" / "selfeval-2024"))
    for f in (FIXTURES / "selfeval").glob("*.yaml"):
        shutil.copy(f, evaluated / f.name)
    out = root / "out"
    build([*books, evaluated], out, FORMATS, quiet=True, toc_pages=False, use_cache=False)
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and not p.name.startswith(".")
            and ".overview" not in p.parts}


def environment() -> str:
    """What the bytes depend on besides tablegen's code: library versions and font files."""
    libraries = ";".join(v for v in versions().split(";") if not v.startswith("tablegen-code="))
    return f"{libraries};fonts={fonts_digest()}"


def test_every_seed_output_is_byte_identical_to_the_record(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the overview names its warnings' files from here
    got = seed_outputs(tmp_path)
    if os.environ.get("TABLEGEN_GOLDEN") == "update":
        RECORD.parent.mkdir(exist_ok=True)
        RECORD.write_text(f"# {environment()}\n" + "".join(f"{d}  {p}\n" for p, d in got.items()),
                          encoding="utf-8")
    lines = RECORD.read_text(encoding="utf-8").splitlines()
    recorded_env = lines[0].removeprefix("# ")
    if recorded_env != environment():
        pytest.fail(f"the record was made with {recorded_env}, this machine has {environment()}: "
                    "compare the outputs by their dumps, then `make golden`")
    recorded = dict(reversed(line.split("  ", 1)) for line in lines[1:])
    assert sorted(got) == sorted(recorded)
    assert [p for p in got if got[p] != recorded[p]] == []
