"""The package's shape, checked: the layers and independences of pyproject.toml's import
contracts (import-linter), no import cycle anywhere (function-level imports included), and the
kinds × formats promise (kinds and engines know each other only through tablegen.document)."""

from __future__ import annotations

import subprocess
import sys

import grimp

from conftest import ROOT
from tablegen.kinds import KINDS
from tablegen.render import ENGINES


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("tablegen", cache_dir=None)


def test_the_import_contracts_are_kept():
    done = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command;"
                           "lint_imports_command()", "--no-cache"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken." in done.stdout


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def test_cycles_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_through_others():
    graph = _graph()
    modules = set(graph.modules)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) & modules for m in modules}
    assert cycles(edges) == []


def test_kinds_and_engines_meet_only_in_the_document():
    graph = _graph()
    for kind in KINDS:
        name = kind.__name__  # type: ignore[attr-defined]
        for engine in ENGINES.values():
            assert not graph.chain_exists(importer=name, imported=engine), (name, engine)
            assert not graph.chain_exists(importer=engine, imported=name), (engine, name)
