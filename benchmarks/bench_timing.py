"""Monte Carlo throughput of the time model (issue: transit-time model, performance).

Runs 100,000 samples over every route of ``scenarios/baseline.yaml`` and reports, measured
in the same run:

- samples x components per second of :func:`midcorridor.model.sampling.sample_hours`;
- the ratio to bare numpy drawing the same random numbers (a beta and a uniform per
  sample and component) -- aim: at least 0.5;
- the ratio to a plain-Python loop over samples doing the same work with ``random`` --
  aim: at least 100;
- for reference, the ratio to a Python loop that calls the same numpy model once per
  sample (what vectorizing over samples saves).

Usage: ``python benchmarks/bench_timing.py [--samples N]``. Figures: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import platform
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

import midcorridor as mc
from midcorridor.model.delays import Component
from midcorridor.model.sampling import sample_hours
from midcorridor.runs.runner import plan_trips

ROOT = Path(__file__).resolve().parents[1]


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Fastest of ``repeat`` wall-clock runs, seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def python_loop(comps: Sequence[Component], samples: int, seed: int) -> list[float]:
    """The same model, one sample at a time in plain Python (the thing not to do)."""
    rnd = random.Random(seed)
    totals = []
    for _ in range(samples):
        total = 0.0
        for c in comps:
            x = c.dist.low + (c.dist.high - c.dist.low) * rnd.betavariate(c.dist.alpha, c.dist.beta)
            hours = c.dist.inverse / x if c.dist.inverse is not None else x
            if rnd.random() < c.probability:
                total += hours
        totals.append(total)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--loop-samples", type=int, default=2_000)
    args = parser.parse_args()

    network = mc.load(ROOT / "network")
    baseline = mc.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    trips = plan_trips(baseline, network)
    n = args.samples
    widths = [len(t.components) for t in trips]

    def model() -> None:
        for t in trips:
            sample_hours(t.components, n, np.random.default_rng(0), t.adjustments)

    shapes = [
        (
            np.array([c.dist.alpha for c in t.components]),
            np.array([c.dist.beta for c in t.components]),
        )
        for t in trips
    ]

    def bare_numpy() -> None:
        rng = np.random.default_rng(0)
        for alpha, beta in shapes:
            rng.beta(alpha, beta, size=(n, alpha.size))
            rng.random((n, alpha.size))

    def loop() -> None:
        for t in trips:
            python_loop(t.components, args.loop_samples, 0)

    def numpy_per_sample() -> None:
        rng = np.random.default_rng(0)
        for t in trips:
            for _ in range(args.loop_samples):
                sample_hours(t.components, 1, rng, t.adjustments)

    draws = n * sum(widths)
    t_model, t_numpy = best_of(model), best_of(bare_numpy)
    t_loop = best_of(loop, repeat=1) * n / args.loop_samples
    t_per_sample = best_of(numpy_per_sample, repeat=1) * n / args.loop_samples
    print(f"machine: {platform.processor() or platform.machine()}, numpy {np.__version__}")
    print(f"routes: {len(trips)}, components: {sum(widths)}, samples: {n:,}")
    print(f"model          {t_model:8.3f} s   {draws / t_model / 1e6:8.1f} M sample-components/s")
    print(f"bare numpy     {t_numpy:8.3f} s   {draws / t_numpy / 1e6:8.1f} M/s")
    print(f"python loop    {t_loop:8.3f} s   {draws / t_loop / 1e6:8.3f} M/s (extrapolated)")
    print(
        f"numpy / sample {t_per_sample:8.3f} s   {draws / t_per_sample / 1e6:8.3f} M/s "
        "(extrapolated)"
    )
    print(f"model / bare numpy rate: {t_numpy / t_model:6.2f}   (aim >= 0.5)")
    print(f"model / python loop rate: {t_loop / t_model:6.0f}   (aim >= 100)")
    print(f"model / numpy-per-sample loop rate: {t_per_sample / t_model:6.0f}   (reference)")


if __name__ == "__main__":
    main()
