"""Optional extras: the core runs without them, and a missing one is named, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

import midcorridor as mc
from midcorridor.network.sea_routes import ocean_legs
from midcorridor.runs.grid_store import read_results

PACKAGE_PARENT = Path(mc.__file__).resolve().parents[1]
ROOT = Path(__file__).resolve().parents[1]
#: What the extras bring: never needed to run, compare, map or chart scenarios.
EXTRA_MODULES = ("dask", "distributed", "pyarrow", "SALib", "scipy", "searoute")


@pytest.mark.parametrize(
    ("module", "call", "extra"),
    [
        ("searoute", lambda net, tmp: list(ocean_legs(net)), "sea"),
        ("pyarrow", lambda net, tmp: read_results(tmp / "r.parquet"), "grid"),
    ],
    ids=["sea", "grid"],
)
def test_a_missing_extra_is_named_with_how_to_install_it(
    network: mc.Network,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    module: str,
    call: Callable[[mc.Network, Path], object],
    extra: str,
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    with pytest.raises(mc.MidcorridorError, match=rf"pip install 'midcorridor\[{extra}\]'"):
        call(network, tmp_path)


def test_scenarios_run_and_draw_without_any_extra(tmp_path: Path) -> None:
    code = textwrap.dedent(
        f"""
        import importlib.abc, sys

        class Missing(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {EXTRA_MODULES!r}:
                    raise ModuleNotFoundError(name=name)
                return None

        sys.meta_path.insert(0, Missing())
        import midcorridor as mc
        net = mc.load({str(ROOT / "network")!r})
        folder = {str(ROOT / "scenarios")!r}
        runs = [
            mc.run_scenario(mc.load_scenario(f"{{folder}}/{{n}}.yaml"), net, samples=200)
            for n in ("baseline", "digital_customs")
        ]
        mc.compare_runs(runs)
        mc.scenario_map(runs, net).save({str(tmp_path / "m.html")!r})
        mc.time_distance_chart(runs, net, {str(tmp_path / "c.png")!r})
        print(sorted(m for m in sys.modules if m.split(".")[0] in {EXTRA_MODULES!r}))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_PARENT)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"
    assert (tmp_path / "m.html").stat().st_size > 0
