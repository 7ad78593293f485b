"""The shape of the house: no import cycles, one name per module, no citations of files
outside the repository, and LangChain kept behind its adapter.

Imports are read from the source with ``ast``: every ``import`` and ``from ... import``
anywhere in a module counts (at the top or inside a function), except those under
``if TYPE_CHECKING:``, which never run.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

# package folder -> import name (pyproject maps solvers/ into optimus.solvers)
ROOTS = {REPO / "optimus": "optimus", REPO / "solvers": "optimus.solvers"}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for root, name in ROOTS.items():
        for path in root.rglob("*.py"):
            rel = path.relative_to(root).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            found[".".join([name, *parts])] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(module: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)  # submodules
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {m for m in out if m in MODULES and m != module}


def _graph() -> dict[str, set[str]]:
    return {m: _imports(m, p) for m, p in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            strong(v)
    return out


def test_no_import_cycles():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_reader_sees_imports_inside_functions_and_not_type_checking(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import optimus.build\n"
                   "def f():\n    from optimus import formulation\n")
    assert _imports("optimus.zzz", src) == {"optimus", "optimus.formulation"}


def test_module_names_are_unique():
    """One meaning per name: no two modules share a file name (``__init__`` aside)."""
    names: dict[str, list[str]] = {}
    for module, path in MODULES.items():
        if path.name != "__init__.py":
            names.setdefault(path.stem, []).append(module)
    assert {k: v for k, v in names.items() if len(v) > 1} == {}


def test_no_public_name_shadows_a_module():
    """``optimus.solve`` was a module and a function at once; no name may be both."""
    import optimus

    for name in optimus.__all__:
        assert f"optimus.{name}" not in MODULES, name


def test_no_code_cites_a_file_outside_the_repository():
    for module, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\b(design|style|anchors)\.md\b", text), module


def test_only_the_adapter_and_the_testing_helpers_import_langchain():
    allowed = {"optimus.agent.langchain_model", "optimus.testing"}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0].startswith("langchain") for n in names):
                assert module in allowed, module


def test_the_agent_loop_and_the_cli_load_without_langchain():
    """The loop depends on the model protocol only; commands that never call a model do
    not pay for LangChain."""
    code = ("import sys, optimus.agent.loop, optimus.cli, optimus.render.notebook; "
            "print(sorted(m for m in sys.modules if m.startswith('langchain')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if not m.endswith("__main__")))
def test_every_module_imports(module: str):
    __import__(module)
