"""XML inside a DOCX or XLSX to import never reads another file: every part is parsed with
entities, DTDs and the network off, whatever the installed lxml's defaults are."""

from __future__ import annotations

import re
import tomllib
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

from conftest import ROOT
from hostile import tree
from test_import_broken import row, xlsx
from test_import_docx import export_like

SECRET = "TOPSECRET-7f3a"


@pytest.fixture
def lxml4_defaults():
    """The default parser of lxml before 5 (as Debian and Ubuntu ship it): external entities
    resolved. Code that parses without a parser of its own reads a local file through them."""
    etree.set_default_parser(etree.XMLParser(resolve_entities=True))
    yield
    etree.set_default_parser()


def with_entity(data: bytes, secret: Path, at: bytes) -> bytes:
    """An XML part declaring `&xxe;` as the secret file's content, used in place of `at`."""
    declaration = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'.encode()
    head, sep, body = data.partition(b"?>")
    assert sep and at in body
    return head + sep + declaration + body.replace(at, b"&xxe;", 1)


def rewrite(path: Path, changes: dict[str, callable]) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    for name, change in changes.items():
        parts[name] = change(parts[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_an_external_entity_in_a_docx_reads_nothing(tmp_path, run, lxml4_defaults):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(SECRET)
    src = tmp_path / "work" / "export.docx"
    src.parent.mkdir()
    export_like(src)
    doc = Document(str(src))
    doc.core_properties.title = "TITLE-MARK"  # the imported book's title comes from here
    doc.save(str(src))
    rewrite(src, {
        "word/document.xml": lambda d: with_entity(d, secret, "用于宣传".encode()),
        "docProps/core.xml": lambda d: with_entity(d, secret, b"TITLE-MARK"),
    })
    outside = tree(tmp_path / "outside")
    code, out, err = run("import", "export.docx", "--into", "book", cwd=tmp_path / "work")
    assert "Traceback" not in out + err
    assert SECRET not in out + err
    for path in (tmp_path / "work").rglob("*.yaml"):
        assert SECRET not in path.read_text(encoding="utf-8"), path
    assert code == 0, out + err
    assert tree(tmp_path / "outside") == outside


def test_an_external_entity_in_an_xlsx_reads_nothing(tmp_path, run, lxml4_defaults):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(SECRET)
    (tmp_path / "work").mkdir()
    src = xlsx(tmp_path / "work" / "t.xlsx", "".join([
        row(1, "610101测试单位", "", "", "", "", "", "单位：万元"),
        row(2, "项目名称", "测试项目"),
        row(3, "预算规模及资金用途", "预算数", "40.00", "其中：财政资金", "40.00", "其他资金", ""),
        row(4, "", "用于测试"),
        row(5, "绩效目标", "1.完成测试"),
        row(6, "一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"),
        row(7, "产出指标", "数量指标", "测试次数", "测试次数", "≥1次")]))
    rewrite(src, {"xl/worksheets/sheet1.xml": lambda d: with_entity(
        b'<?xml version="1.0"?>' + d, secret, "用于测试".encode())})
    code, out, err = run("import", "t.xlsx", "--into", "book", cwd=tmp_path / "work")
    assert "Traceback" not in out + err
    assert SECRET not in out + err
    yaml = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "work").rglob("*.yaml")}
    assert "测试项目.yaml" in yaml, out + err
    assert SECRET not in "".join(yaml.values())


def floor(name: str) -> tuple[int, ...]:
    """The lowest version pyproject.toml admits for a dependency (`name>=X.Y.Z`)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    spec = next(d for d in project["dependencies"] if re.match(rf"{name}\s*>=", d, re.IGNORECASE))
    return tuple(int(n) for n in spec.partition(">=")[2].split(",")[0].strip().split("."))


def test_the_dependency_floors_admit_no_known_escape():
    """lxml before 5 resolves external entities by default; Jinja before 3.1.6 lets a template
    reach os.environ through `|attr('format')` (CVE-2025-27516)."""
    assert floor("lxml") >= (5,)
    assert floor("jinja2") >= (3, 1, 6)
    assert tuple(int(n) for n in version("lxml").split(".")[:1]) >= (5,)
    assert tuple(int(n) for n in re.findall(r"\d+", version("jinja2"))[:3]) >= (3, 1, 6)
