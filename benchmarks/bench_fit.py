"""Time of the calibration (``midcorridor fit``): in-process and on a 2-worker Dask cluster.

Runs :func:`midcorridor.analysis.fit.fit_network` on the shipped network (fit.yaml,
observations.yaml; the baseline and the 2022 scenario) with its folds, in-process (the
built-in ``map``) and with the folds on a local cluster of 2 worker processes, and says
whether the two results are identical. Parts timed apart: the emulator's runs, one fit
and the check against full runs. Aim (issue 22): at most 10 minutes on two cores.

Usage: ``python benchmarks/bench_fit.py [--skip-in-process]``. Figures:
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from midcorridor.analysis.calibration import era_conditions
from midcorridor.analysis.emulator import emulate
from midcorridor.analysis.fit import emulator_check, fit_factors, fit_network
from midcorridor.network.read import load
from midcorridor.runs.grid_exec import dask_client

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-in-process", action="store_true")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs")
    network = load(ROOT / "network")
    baseline_path = ROOT / "scenarios" / "baseline.yaml"
    conditions = era_conditions(baseline_path)
    settings = network.require_fit_settings()
    plain = network.uncalibrated()
    assert network.observations is not None
    observed = [o for o in network.observations.observations if o.kind == "observed"]
    keys = [p.key for p in settings.parameters]

    start = time.perf_counter()
    cases = emulate(
        plain, conditions, observed, keys, settings.samples_per_month, seed=settings.seed
    )
    print(f"emulator runs: {len(cases)} cases, {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    full = fit_factors(cases, settings, seed=settings.seed)
    print(
        f"one fit: {time.perf_counter() - start:.1f} s, {full.evaluations:,} simulations, "
        f"effective sample size {full.effective_sample_size:.0f}"
    )
    start = time.perf_counter()
    emulator_check(plain, conditions, cases, full.medians(), settings.samples_per_month)
    print(f"check against full runs: {time.perf_counter() - start:.1f} s")

    results = {}
    if not args.skip_in_process:
        start = time.perf_counter()
        results["in-process"] = fit_network(network, conditions)
        print(f"fit with folds, in-process: {time.perf_counter() - start:.0f} s")
    start = time.perf_counter()
    with dask_client(2, None) as client:
        results["dask"] = fit_network(
            network,
            conditions,
            map_=lambda f, xs: client.gather(client.map(f, list(xs), pure=False)),
        )
    print(f"fit with folds, 2 Dask workers: {time.perf_counter() - start:.0f} s")
    if len(results) == 2:
        print(f"identical: {results['in-process'] == results['dask']}")
    book = results["dask"]
    print(f"folds: {len(book.folds)}; calibrated: {sorted(book.factors())}")


if __name__ == "__main__":
    main()
