"""Cost of the corridor choice's fixed point, and how it grows with samples.

:func:`midcorridor.runs.choice.solve_choice` runs the scenario once per iteration (every market's
route on every corridor, the Caspian and node queues re-simulated at the volume the
shares imply) until no corridor's TEU moves by more than the tolerance. This script
times, for the baseline (its own fixed point: one iteration) and for a few library
scenarios, the whole solve at several sample counts, with the iterations it took and
the Middle Corridor's TEU a year it settled at (which should not drift with samples).
``--all`` solves every scenario of ``scenarios/`` at the samples ``midcorridor choice`` uses
(:data:`~midcorridor.vocabulary.CHOICE_SAMPLES`): the iterations table of the library.

Usage: ``python benchmarks/bench_choice.py [--samples N ...] [--scenarios NAME ... | --all]``.
Figures: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import midcorridor as mc
from midcorridor.runs.choice import CHOICE_SAMPLES, fit_choice_baseline, solve_choice

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, nargs="+", default=[2_000, 5_000, 20_000])
    parser.add_argument(
        "--scenarios",
        nargs="+",
        default=["baseline", "digital_customs", "digital_corridor_2030", "red_sea_closed"],
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help=f"every scenario of scenarios/ at {CHOICE_SAMPLES:,} samples (the fit on the "
        "baseline made once and not timed)",
    )
    args = parser.parse_args()
    if args.all:
        args.scenarios = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))
        args.samples = [CHOICE_SAMPLES]
    net = mc.load()
    baseline = mc.load_scenario(SCENARIOS / "baseline.yaml")
    fitted = {
        samples: fit_choice_baseline(baseline, net, samples=samples) if args.all else None
        for samples in args.samples
    }
    print(f"python {platform.python_version()}, {platform.machine()}")
    print("| scenario | samples | seconds | iterations | s/iteration | converged | middle TEU/yr |")
    print("|---|---:|---:|---:|---:|---|---:|")
    for name in args.scenarios:
        scenario = mc.load_scenario(SCENARIOS / f"{name}.yaml")
        for samples in args.samples:
            start = time.perf_counter()
            result = solve_choice(
                scenario, net, baseline=baseline, samples=samples, fitted=fitted[samples]
            )
            seconds = time.perf_counter() - start
            print(
                f"| {name} | {samples:,} | {seconds:.1f} | {result.iterations} | "
                f"{seconds / result.iterations:.2f} | {result.converged} | "
                f"{result.teu_per_year()['middle']:,.0f} |"
            )


if __name__ == "__main__":
    main()
