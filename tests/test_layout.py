"""The package's layout: layer folders, imports that only go down, no cycle, small modules.

The import graph is read from the source (every ``import`` and ``from ... import``, at
module level, inside functions and under ``TYPE_CHECKING`` alike), so a type-only import
counts: a layer must not even name a layer above it.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

import midcorridor as mc

PACKAGE = Path(mc.__file__).resolve().parent
#: Layers from the bottom up; a module may import from its own layer and those below.
LAYERS = ("", "inputs", "network", "model", "runs", "analysis", "views", "cli")
#: Modules at the package's top that sit above every layer (the public face).
FACE = ("midcorridor", "midcorridor.__main__")
#: Longest module, lines (vendored static files are not modules).
MAX_MODULE_LINES = 600
#: Libraries of the model (graph, sampling, geodesy): reading input files must not need them.
MODEL_LIBRARIES = ("numpy", "networkx", "pyproj")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str, path: Path) -> set[str]:
    """Package modules ``name`` imports, resolved to modules (not names in them)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            # ``from pkg import module`` imports the module; ``from module import name``,
            # the module.
            targets = [
                f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in MODULES else stem
                for alias in node.names
            ]
        else:
            continue
        found |= {t for t in targets if t in MODULES and t != name}
    return found


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(MODULES)
    for name, path in MODULES.items():
        graph.add_edges_from((name, target) for target in imported_modules(name, path))
    return graph


def layer(name: str) -> int:
    """Height of a module: its layer's index; the public face above every layer."""
    if name in FACE:
        return len(LAYERS)
    parts = name.split(".")
    folder = parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else ""
    return LAYERS.index(folder)


def test_every_module_sits_in_a_known_layer() -> None:
    for name in MODULES:
        assert layer(name) >= 0, name
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(LAYERS[1:])


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    upward = [
        f"{a} ({LAYERS[layer(a)] or 'bottom'}) imports {b} ({LAYERS[layer(b)] or 'bottom'})"
        for a, b in import_graph().edges
        if layer(b) > layer(a) and b != "midcorridor"
    ]
    assert not upward, upward


def test_the_import_graph_has_no_cycle() -> None:
    graph = import_graph()
    graph.remove_node("midcorridor")  # subpackages import nothing from the lazy public face
    assert not list(nx.simple_cycles(graph)), list(nx.simple_cycles(graph))[:5]


def test_nothing_imports_the_public_face() -> None:
    """The public face loads lazily from every layer: no module may depend on it."""
    importers = [a for a, b in import_graph().edges if b == "midcorridor" and a not in FACE]
    assert not importers, importers


def test_a_type_only_import_of_a_higher_layer_is_seen(tmp_path: Path) -> None:
    """The walk is not vacuous: an import under ``TYPE_CHECKING`` inside a function of a
    model module, naming the CLI, is found and is upward."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from typing import TYPE_CHECKING\n"
        "def f() -> None:\n"
        "    if TYPE_CHECKING:\n"
        "        from ..cli import app\n"
        "        from .. import vocabulary\n"
    )
    targets = imported_modules("midcorridor.model.probe", probe)
    assert targets == {"midcorridor.cli", "midcorridor.vocabulary"}
    assert layer("midcorridor.cli") > layer("midcorridor.model.probe")
    assert layer("midcorridor.vocabulary") < layer("midcorridor.model.probe")


@pytest.mark.parametrize("folder", LAYERS[1:])
def test_each_layer_says_what_it_is_for_in_one_line(folder: str) -> None:
    doc = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text()))
    assert doc, folder
    purpose = doc.splitlines()[0]
    assert purpose.endswith("."), purpose
    assert len(purpose) <= 100, purpose


def test_no_module_is_over_the_size_limit() -> None:
    sizes = {n: len(p.read_text().splitlines()) for n, p in MODULES.items()}
    over = {n: s for n, s in sizes.items() if s > MAX_MODULE_LINES}
    assert not over, over


def _loaded_after_import(*modules: str) -> set[str]:
    code = f"import sys, {', '.join(modules)}\nprint(' '.join(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return set(result.stdout.split())


def test_reading_input_files_needs_none_of_the_model_libraries() -> None:
    inputs = sorted(n for n in MODULES if n.startswith("midcorridor.inputs"))
    assert len(inputs) > 3
    code = "import sys\n" + "".join(f"import {n}\n" for n in inputs)
    code += "print(' '.join(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        ).stdout.split()
    )
    assert not loaded & set(MODEL_LIBRARIES), sorted(loaded & set(MODEL_LIBRARIES))


def test_the_import_check_sees_the_model_libraries_when_they_are_loaded() -> None:
    loaded = _loaded_after_import("midcorridor.runs.runner", "midcorridor.network.read")
    assert set(MODEL_LIBRARIES) <= loaded


#: What the model layer must not do: it computes and returns, nothing else.
_NOT_IN_THE_MODEL = {"print", "open", "input"}
_NOT_IMPORTED_BY_THE_MODEL = {"yaml", "rich", "typer", "json", "midcorridor._files"}


@pytest.mark.parametrize(
    "name", sorted(n for n in MODULES if n.startswith("midcorridor.model")) or ["none"]
)
def test_the_model_neither_prints_nor_touches_files(name: str) -> None:
    tree = ast.parse(MODULES[name].read_text())
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not calls & _NOT_IN_THE_MODEL, calls & _NOT_IN_THE_MODEL
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= imported_modules(name, MODULES[name])
    assert not imported & _NOT_IMPORTED_BY_THE_MODEL, imported & _NOT_IMPORTED_BY_THE_MODEL
