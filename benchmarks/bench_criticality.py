"""Time to rank every element of the baseline: ``midcorridor criticality`` in-process and
on a 2-worker local Dask cluster, with and without the corridor choice re-solved.

Runs :func:`midcorridor.rank_criticality` on ``scenarios/baseline.yaml`` (11 trips) with
its default samples (:data:`midcorridor.vocabulary.CRITICALITY_SAMPLES`, 2,000) and the
scenario's seed: seconds, elements ranked, seconds an element, and whether the ranking is
identical in-process and on the cluster. The aim (issue 25): every element ranked in at
most 10 minutes on two cores.

Usage: ``python benchmarks/bench_criticality.py [--workers N] [--no-choice]``. Figures:
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import midcorridor as mc

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "baseline.yaml"
#: The aim: every element ranked within this many seconds on two cores.
AIM_S = 600


def _timed(choice: bool, workers: int | None) -> tuple[float, mc.Criticality]:
    scenario, network = mc.load_scenario(SCENARIO), mc.load()
    start = time.perf_counter()
    result = mc.rank_criticality(
        scenario, network, choice_baseline=scenario if choice else None, workers=workers
    )
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-choice", action="store_true", help="Skip the --choice runs.")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores")
    print("| corridor choice | run | elements | seconds | s an element | within 10 min |")
    print("|---|---|---:|---:|---:|---|")
    for choice in (False,) if args.no_choice else (False, True):
        results = []
        for workers in (None, args.workers):
            seconds, result = _timed(choice, workers)
            results.append(result)
            n = len(result.elements)
            run = "in-process" if workers is None else f"{workers}-worker local cluster"
            print(
                f"| {'re-solved' if choice else 'fixed'} | {run} | {n} | {seconds:.1f} | "
                f"{seconds / n:.2f} | {seconds <= AIM_S} |"
            )
        same = results[0].frame().equals(results[1].frame())
        print(f"ranking identical in-process and on the cluster: {same}")


if __name__ == "__main__":
    main()
