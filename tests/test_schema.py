"""`tablegen schema`: JSON Schema an editor's YAML language server can use."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from conftest import FIXTURES, ROOT, TEST_BOOKS


@pytest.fixture(scope="module")
def schemas(tmp_path_factory):
    from tablegen.cli import main

    out = tmp_path_factory.mktemp("schema")
    assert main(["schema", "--out", str(out), "-q"]) == 0
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in out.iterdir()}


def test_the_schemas_are_written_with_chinese_titles(schemas):
    assert sorted(schemas) == ["book.schema.json", "overall.schema.json", "project.schema.json"]
    project = schemas["project.schema.json"]
    jsonschema.Draft202012Validator.check_schema(project)
    assert project["properties"]["budget"]["properties"]["fiscal"]["title"] == "其中：财政资金"
    assert project["required"] == ["name", "budget", "goals", "indicators"]
    assert schemas["book.schema.json"]["properties"]["money_unit"]["enum"] == ["元", "千元", "万元"]


@pytest.mark.parametrize("path", sorted(TEST_BOOKS.rglob("*.yaml"))
                         + sorted((FIXTURES / "layouts").rglob("*.yaml")), ids=lambda p: p.name)
def test_every_target_file_satisfies_its_schema(schemas, path):
    # The seed books and the books in other provinces' layouts (their own columns, rows as a
    # list, empty 二级, values per recipient, the book's own frame).
    name = "book.schema.json" if path.name == "book.yaml" else "project.schema.json"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schemas[name])
    assert [e.message for e in validator.iter_errors(data)] == []


def test_the_schema_rejects_a_misspelt_key(schemas):
    data = yaml.safe_load((FIXTURES / "rules" / "unknown-key.yaml").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schemas["project.schema.json"])
    messages = sorted(e.message for e in validator.iter_errors(data))
    assert messages == [
        "'value' is a required property",
        "Additional properties are not allowed ('vaule' was unexpected)",
    ]


def test_imported_files_point_editors_at_the_schema():
    first = (TEST_BOOKS / "tianjin-ipa-2024" / "book.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../build/schema/book.schema.json"
    assert (ROOT / "Makefile").read_text(encoding="utf-8").count("tablegen schema") == 1
