"""The top-level API: one list (``__init__.pyi``), loaded lazily, with every type it uses."""

from __future__ import annotations

import ast
import inspect
import os
import subprocess
import sys
import typing
from pathlib import Path

import pytest

import midcorridor as mc

#: Where ``midcorridor`` is imported from in this process.
PACKAGE = Path(mc.__file__).resolve().parent
STUB = PACKAGE / "__init__.pyi"


def stub_names() -> dict[str, str]:
    """Public name -> module it is imported from, as ``__init__.pyi`` lists them."""
    out = {}
    for node in ast.parse(STUB.read_text()).body:
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                out[alias.asname or alias.name] = f"midcorridor.{node.module}"
    return out


def stub_all() -> list[str]:
    """The ``__all__`` the stub declares for type checkers."""
    for node in ast.parse(STUB.read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__":
            return [ast.literal_eval(e) for e in node.value.elts]  # type: ignore[attr-defined]
    raise AssertionError("no __all__ in the stub")


def test_the_stub_lists_each_name_once_and_its_all_agrees() -> None:
    names = stub_names()
    assert sorted(stub_all()) == sorted(names)
    assert len(stub_all()) == len(set(stub_all()))


def test_every_public_name_resolves_to_its_modules_object() -> None:
    for name, module in stub_names().items():
        assert getattr(mc, name) is getattr(__import__(module, fromlist=[name]), name), name


def test_dir_lists_the_public_names_and_no_internals() -> None:
    assert set(dir(mc)) == set(stub_names())
    assert set(mc.__all__) == set(stub_names())


def test_importing_the_package_loads_no_submodule() -> None:
    code = "import sys, midcorridor\nprint(' '.join(m for m in sys.modules if 'midcorridor' in m))"
    env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.split()
    assert out == ["midcorridor"]


def test_subprocess_imports_this_checkouts_package() -> None:
    code = "import midcorridor; print(midcorridor.__file__)"
    env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.strip()
    assert Path(out).resolve() == Path(mc.__file__).resolve()


def _midcorridor_classes(annotation: object) -> set[type]:
    """Classes of this package named anywhere in a (resolved) annotation."""
    found: set[type] = set()
    if isinstance(annotation, type) and annotation.__module__.startswith("midcorridor"):
        found.add(annotation)
    for arg in typing.get_args(annotation):
        found |= _midcorridor_classes(arg)
    return found


def _annotation_namespace() -> dict[str, object]:
    """Every name an annotation of the package may use: its classes and aliases (some are
    imported for type checkers only) and the libraries it names (``pd.DataFrame``)."""
    import importlib
    import pkgutil

    import numpy as np
    import numpy.typing as npt
    import pandas as pd

    namespace: dict[str, object] = {"np": np, "npt": npt, "pd": pd}
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="midcorridor."):
        if info.name.endswith("__main__"):  # running it runs the command line
            continue
        module = importlib.import_module(info.name)
        namespace.update({k: v for k, v in vars(module).items() if not k.startswith("__")})
    return namespace


def test_every_type_a_public_function_takes_or_returns_is_public() -> None:
    public = {getattr(mc, n) for n in stub_names()}
    namespace = _annotation_namespace()
    missing: dict[str, list[str]] = {}
    for name in stub_names():
        obj = getattr(mc, name)
        if not inspect.isfunction(obj):
            continue
        hints = typing.get_type_hints(obj, localns=namespace)
        for cls in set().union(*(_midcorridor_classes(h) for h in hints.values())):
            if cls not in public:
                missing.setdefault(name, []).append(f"{cls.__module__}.{cls.__qualname__}")
    assert not missing, missing


def test_the_check_of_types_sees_a_private_type() -> None:
    from midcorridor.model.selection import Selection
    from midcorridor.runs.resolve import DelayChange

    assert _midcorridor_classes(list[DelayChange] | None) == {DelayChange}
    assert _midcorridor_classes(Selection) == set()


def test_errors_share_one_base_class() -> None:
    for name in ("NetworkError", "PlaceNotFoundError", "RouteError", "ScenarioError"):
        assert issubclass(getattr(mc, name), mc.MidcorridorError)
    # As in osmnx, a user error is a ValueError: ``except ValueError`` still catches it.
    assert issubclass(mc.MidcorridorError, ValueError)


def test_a_wrong_call_raises_the_right_error_class(network: mc.Network) -> None:
    with pytest.raises(mc.ScenarioError, match="Nothing to compare"):
        mc.compare_runs([])
    with pytest.raises(mc.PlaceNotFoundError, match="did you mean"):
        mc.candidate_routes(network, "Almaty", "Konstanta")
    with pytest.raises(mc.RouteError, match="Unknown corridor"):
        mc.candidate_routes(network, "Almaty", "Constanta", corridor="southern")  # type: ignore[arg-type]


def test_the_version_is_the_installed_distributions() -> None:
    from importlib.metadata import version

    assert mc.__version__ == version("midcorridor")


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = mc.no_such_name  # type: ignore[attr-defined]
