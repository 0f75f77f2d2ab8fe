"""Peak memory of a scenario run against the number of Monte Carlo samples.

Each sample count runs in a fresh interpreter, which loads the network and the
scenarios, then runs them as ``midcorridor run`` (one scenario) or ``midcorridor compare``
(several) do: :func:`midcorridor.run_scenario` for each scenario, days and stage days of
every trip, and :func:`midcorridor.compare_runs` when there are several. It reports:

- ``traced peak``: the tracemalloc peak during the runs (numpy arrays and Python
  objects allocated by them; the interpreter, the libraries and the network are not
  counted);
- ``held``: what the results still hold once the runs are done (tracemalloc);
- ``max RSS``: the process's peak resident memory (``getrusage``), everything included;
  ``RSS before`` is the same figure before the runs (interpreter, libraries, network);
- ``s``: wall-clock seconds of the runs, with tracemalloc on (it slows the Python-heavy
  planning of routes and queues, not the numpy sampling).

With ``--command``, it measures the command itself instead: the peak resident memory of
``midcorridor run SCENARIO --samples N --json`` (or ``compare`` for several), everything
included (printing, costs, JSON).

Bounded means flat beyond :data:`midcorridor.model.sampling.KEEP_SAMPLES` but for the door-to-door
days of every sample (8 bytes a sample and route). The script prints the memory a further
sample costs between the two largest counts.

Usage: ``python benchmarks/bench_memory.py [--samples N ...] [--scenario FILE ...] [--command]``.
The child processes import ``midcorridor`` as the parent does (same ``PYTHONPATH``), so the
same script measures another version of the package. Figures: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIB = 2**20

CHILD = """
import json, resource, sys, time, tracemalloc
from pathlib import Path

import midcorridor as mc

root, samples, names = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
network = mc.load(root / "network")
scenarios = [mc.load_scenario(root / "scenarios" / name) for name in names]
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
tracemalloc.start()
start = time.perf_counter()
runs = [mc.run_scenario(s, network, samples=samples) for s in scenarios]
figures = [(t.days(), t.stages_days()) for run in runs for t in run.trips]
if len(runs) > 1:
    mc.compare_runs(runs)
seconds = time.perf_counter() - start
held, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(json.dumps({
    "samples": samples,
    "routes": sum(len(run.trips) for run in runs),
    "peak": peak,
    "held": held,
    "rss_before": rss_before,
    "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "seconds": seconds,
    "p50": figures[0][0]["p50"],
}))
"""


def _child(code: str, *args: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter; the JSON of its last line of output."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def measure(samples: int, scenarios: list[str]) -> dict[str, float]:
    """Run the scenarios with ``samples`` samples in a fresh interpreter."""
    return _child(CHILD, str(ROOT), str(samples), *scenarios)


COMMAND_CHILD = """
import contextlib, io, json, resource, sys, time

from midcorridor.cli import main

samples, names = sys.argv[1], sys.argv[2:]
verb = "run" if len(names) == 1 else "compare"
sys.argv = ["midcorridor", verb, *names, "--samples", samples, "--json"]
start = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()) as printed, contextlib.suppress(SystemExit):
    main()
json.loads(printed.getvalue())  # the command finished and printed its result
print(json.dumps({
    "samples": int(samples),
    "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "seconds": time.perf_counter() - start,
}))
"""


def measure_command(samples: int, scenarios: list[str]) -> dict[str, float]:
    """Peak RSS of ``midcorridor run`` (``compare``) with ``samples`` in a fresh interpreter."""
    return _child(COMMAND_CHILD, str(samples), *(str(ROOT / "scenarios" / n) for n in scenarios))


def command_main(samples: list[int], scenarios: list[str]) -> None:
    """Print the command's peak RSS for each sample count, and what a sample adds."""
    print(f"{'samples':>10} {'max RSS':>10} {'s':>7}")
    rows = []
    for n in sorted(samples):
        row = measure_command(n, scenarios)
        rows.append(row)
        print(f"{n:>10,} {row['rss'] / MIB:>6.0f} MiB {row['seconds']:>7.1f}", flush=True)
    if len(rows) >= 2:
        a, b = rows[-2], rows[-1]
        per_sample = (b["rss"] - a["rss"]) / (b["samples"] - a["samples"])
        print(
            f"max RSS from {a['samples']:,} to {b['samples']:,}: {per_sample:,.0f} bytes a sample"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--samples", type=int, nargs="+", default=[10_000, 100_000, 500_000, 2_000_000]
    )
    parser.add_argument(
        "--scenario",
        nargs="+",
        default=["baseline.yaml"],
        help="scenario files under scenarios/ (several: run and compared as `compare` does)",
    )
    parser.add_argument(
        "--command", action="store_true", help="measure the `midcorridor` command's peak RSS"
    )
    args = parser.parse_args()
    if args.command:
        command_main(args.samples, args.scenario)
        return

    import numpy as np

    from midcorridor.model import sampling as timing

    keep = getattr(timing, "KEEP_SAMPLES", None)
    chunk = getattr(timing, "CHUNK", None)
    print(f"machine: {platform.processor() or platform.machine()}, numpy {np.__version__}")
    print(f"scenarios: {', '.join(args.scenario)}; KEEP_SAMPLES {keep}, CHUNK {chunk}")
    print(
        f"{'samples':>10} {'routes':>6} {'traced peak':>12} {'held':>10} "
        f"{'RSS before':>11} {'max RSS':>10} {'s':>7} {'first P50 days':>15}"
    )
    rows = []
    for n in sorted(args.samples):
        row = measure(n, args.scenario)
        rows.append(row)
        print(
            f"{n:>10,} {row['routes']:>6} {row['peak'] / MIB:>8.0f} MiB"
            f" {row['held'] / MIB:>6.0f} MiB"
            f" {row['rss_before'] / MIB:>7.0f} MiB {row['rss'] / MIB:>6.0f} MiB"
            f" {row['seconds']:>7.1f} {row['p50']:>15.4f}",
            flush=True,
        )
    if len(rows) >= 2:
        a, b = rows[-2], rows[-1]
        per_sample = (b["peak"] - a["peak"]) / (b["samples"] - a["samples"])
        print(
            f"traced peak from {a['samples']:,} to {b['samples']:,} samples: "
            f"{per_sample:,.0f} bytes a sample ({per_sample / b['routes']:,.1f} a sample and route)"
        )


if __name__ == "__main__":
    main()
