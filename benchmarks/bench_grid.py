"""Throughput of grids: in-process against a 2-worker local Dask cluster, memory, scaling.

Runs ``grids/digital_2030.yaml`` (192 scenarios, 2 routes, 2,000 samples each):

- in-process and on a local cluster of 2 worker processes (one thread each), as shipped
  (2,000 samples, about 0.1 s a scenario) and at 20,000 samples (about half a second):
  scenarios a second, the speed-up (aim: at least 1.6x on 2 cores) and whether the rows
  are identical;
- the driver's peak memory (max RSS, in a fresh process) running the first 48 and all 192
  scenarios in-process: results stream to the Parquet file, so it should not grow with
  the grid;
- seconds a scenario for 1,000 to 20,000 samples and for 1, 2 and 4 routes (the first 8
  scenarios each).

Usage: ``python benchmarks/bench_grid.py [--workers N]``. Figures: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

import midcorridor as mc
from midcorridor.runs.grid import load_grid, run_grid
from midcorridor.runs.grid_store import read_results

ROOT = Path(__file__).resolve().parents[1]
GRID = ROOT / "grids" / "digital_2030.yaml"

_RSS = """
import resource, sys
import yaml

import midcorridor as mc
from midcorridor.runs.grid import load_grid, run_grid
grid = load_grid(sys.argv[1])
run_grid(grid, mc.load(), sys.argv[2], limit=int(sys.argv[3]))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _timed(grid_path: Path, out: Path, **kwargs: object) -> float:
    grid = load_grid(grid_path)
    start = time.perf_counter()
    run_grid(grid, mc.load(), out, **kwargs)  # type: ignore[arg-type]
    return time.perf_counter() - start


def _sorted(path: Path) -> object:
    frame, _ = read_results(path)
    return frame.sort_values(["scenario", "route"]).reset_index(drop=True)


#: Routes added to the grid's two for the four-route variant.
_MORE_ROUTES = [
    {"origin": "Xi'an", "destination": "Duisburg", "corridor": "middle", "label": "XD"},
    {"origin": "Tashkent", "destination": "Constanta", "corridor": "middle", "label": "TC"},
]


def _variant(folder: Path, samples: int, routes: int) -> Path:
    """The grid with ``samples`` and its first ``routes`` routes (more added up to 4)."""
    data = yaml.safe_load(GRID.read_text(encoding="utf-8"))
    data["base"] = str(ROOT / "scenarios" / "baseline.yaml")
    data["samples"] = samples
    data["routes"] = [*data["routes"], *_MORE_ROUTES][:routes]
    data["frontier"] = None
    data["annual_loss"] = None  # its events are named relative to the shipped file
    path = folder / f"grid_{samples}_{routes}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _throughput(path: Path, folder: Path, workers: int, label: str) -> None:
    n = len(load_grid(path).points)
    load = os.getloadavg()[0]  # the machine's load before: both runs need it idle
    serial = _timed(path, folder / "serial.parquet")
    cluster = _timed(path, folder / "cluster.parquet", workers=workers)
    same = _sorted(folder / "serial.parquet").equals(_sorted(folder / "cluster.parquet"))  # type: ignore[attr-defined]
    print(f"\n{n} scenarios, {label} (load average before: {load:.2f})")
    print("| run | seconds | scenarios/s | speed-up |")
    print("|---|---:|---:|---:|")
    print(f"| in-process | {serial:.1f} | {n / serial:.2f} | 1.00 |")
    print(
        f"| {workers}-worker local cluster (start included) | {cluster:.1f} | "
        f"{n / cluster:.2f} | {serial / cluster:.2f} |"
    )
    print(f"rows identical: {same}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _throughput(GRID, folder, args.workers, "2 routes, 2,000 samples (the grid as shipped)")
        heavy = _variant(folder, 20_000, 2)
        _throughput(heavy, folder, args.workers, "2 routes, 20,000 samples")

        n = len(load_grid(GRID).points)
        print("\n| scenarios run in-process | driver peak RSS MiB |")
        print("|---:|---:|")
        for limit in (48, n):
            command = [sys.executable, "-c", _RSS, str(GRID), str(folder / "m.parquet"), str(limit)]
            out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
            print(f"| {limit} | {int(out.stdout.split()[-1]) / 1024:.0f} |")

        print("\n| samples | routes | seconds a scenario (first 8, in-process) |")
        print("|---:|---:|---:|")
        for samples, routes in ((1000, 2), (2000, 2), (8000, 2), (20_000, 2), (2000, 1), (2000, 4)):
            path = _variant(folder, samples, routes)
            seconds = _timed(path, folder / "v.parquet", limit=8)
            print(f"| {samples:,} | {routes} | {seconds / 8:.2f} |")


if __name__ == "__main__":
    main()
