"""How fast hostile input files are refused: the wall-clock bounds the unit tests used to
assert, measured here instead (the tests check what is refused and what is said).

Each case is a file a careless or hostile user might hand the command line: deeply
nested JSON, an integer of thousands of digits, a YAML "billion laughs", an unsafe tag, a
scenario whose queues the engine must refuse. Best of 5 runs each, seconds; the bounds
are those the tests held before (5 s for a network file, 2 s for a scenario).

Usage: ``python benchmarks/bench_hostile_inputs.py``. Figures: benchmarks/README.md.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src")]

import midcorridor as mc  # noqa: E402
from midcorridor.network.read import check  # noqa: E402

LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)
NETWORK_CASES = {
    "deep JSON nodes": ("nodes.geojson", "[" * 100_000),
    "5,000-digit JSON integer": ("nodes.geojson", "[" + "9" * 5000 + "]"),
    "YAML billion laughs (sources)": ("sources.yaml", "a: &a [1, 2]\n" + LAUGHS),
    "unsafe YAML tag (sources)": ("sources.yaml", "a: !!python/name:os.system\n"),
}
SCENARIO_CASES = {
    "YAML billion laughs (scenario)": "a: &a [1, 2]\n" + LAUGHS,
    "queues the engine refuses": (
        "name: t\nvolume: {middle: 1087}\n"
        "routes: [{origin: Aktau, destination: Alat, corridor: middle}]\n"
        "services: [{sea: caspian, dispatch: scheduled, headway_hours: 1.0e-6, vessels: 1000, "
        "round_trip_hours: 1.0e-6, note: n, source: s}]\n"
    ),
}
NETWORK_BOUND_S, SCENARIO_BOUND_S = 5.0, 2.0


def best_of(run: Callable[[], object], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    network = mc.load()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (file, text) in NETWORK_CASES.items():
            folder = Path(tmp) / name.replace(" ", "_")
            shutil.copytree(ROOT / "network", folder)
            (folder / file).write_text(text, encoding="utf-8")
            rows.append((name, best_of(lambda folder=folder: check(folder)), NETWORK_BOUND_S))
        for name, text in SCENARIO_CASES.items():
            path = Path(tmp) / f"{name.replace(' ', '_')}.yaml"
            path.write_text(text, encoding="utf-8")

            def refuse(path: Path = path) -> None:
                try:
                    mc.run_scenario(mc.load_scenario(path), network, samples=100)
                except mc.ScenarioError:
                    return
                raise AssertionError(f"{path} was not refused")

            rows.append((name, best_of(refuse), SCENARIO_BOUND_S))
    print("| hostile input | refused in (s) | bound (s) |")
    print("|---|---:|---:|")
    for name, seconds, bound in rows:
        print(f"| {name} | {seconds:.3f} | {bound:g}{'' if seconds < bound else ' EXCEEDED'} |")


if __name__ == "__main__":
    main()
