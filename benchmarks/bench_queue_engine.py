"""Benchmark: the fast queue model against the SimPy reference, on the same traffic.

Run from the repository root::

    .venv/bin/python benchmarks/bench_queue_engine.py

For each case both models get the same drawn inputs (seeded arrivals and storm spells)
and are timed end to end (drawing inputs included; with weather, both also run the
no-storm counterfactual that splits ``ferry_wait`` from ``weather``). Times are the best
of several repeats, measured in this run. A second table sweeps the volume for the 2025
Aktau-Alat feeder fleet to find where it saturates.

Figures (corridor-facts.md): 2025 fleet of 4 Kazmortransflot + 2 ASCO feeders, about
89,000 TEU a year (SIA.az / Report 2025); round trip 3-4 days, 84 h here (index1520.com
2022); Middle Corridor 2024 volume about 56,500 TEU (corridor-facts.md, "Northern route");
42-container (84 TEU) block trains (AzerNews 2020); China-Kazakhstan exchange at Dostyk
14 trains a day (KTZ 2025). The weather is the example of docs/data-model.md (an estimate).
SimPy stays out of the package: the reference models and these baseline figures live in
tests/reference_models.py (shared with the tests).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from midcorridor.inputs.network_files import Capacity, Service  # noqa: E402
from midcorridor.model.queue_engine import (  # noqa: E402
    WARMUP_SHARE,
    QueueResult,
    ferry_departure_hours,
    simulate_ferry,
    simulate_server,
)
from midcorridor.model.queue_inputs import (  # noqa: E402
    draw_ferry_inputs,
    ferry_capacity_teu_per_hour,
    max_hold_hours,
)
from midcorridor.vocabulary import HOURS_PER_WEEK  # noqa: E402
from reference_models import (  # noqa: E402
    HOURS_PER_YEAR,
    ON_FILL,
    SCHEDULED,
    TEU_PER_TRAIN,
    TODAY_TEU_PER_WEEK,
    WEATHER,
    simpy_ferry_result,
    simpy_server_starts,
)

SEED = 2024
DOSTYK = Capacity(trains_per_day=14.0, source="KTZ 2025")  # 14 trains a day, China-Kazakhstan


def best_seconds(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Best wall time of ``repeats`` runs, seconds, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def server_reference(arrivals: np.ndarray, capacity: Capacity) -> QueueResult:
    """SimPy M/D/c on given arrivals (drawing them is left out: favours SimPy slightly)."""
    wait = simpy_server_starts(arrivals, capacity) - arrivals
    return QueueResult(wait, np.zeros_like(wait), arrivals, 0.0, False, HOURS_PER_YEAR)


def speed_table() -> None:
    cases: list[tuple[str, Callable[[], QueueResult], Callable[[], QueueResult]]] = []
    for label, factor in (("today", 1.0), ("3x today", 3.0)):
        volume = factor * TODAY_TEU_PER_WEEK
        for service, name in ((ON_FILL, "on_fill"), (SCHEDULED, "scheduled")):
            cases.append(
                (
                    f"ferry {name} + storms, {label} ({volume:,.0f} TEU/wk)",
                    partial(simulate_ferry, volume, service, WEATHER, seed=SEED),
                    partial(simpy_ferry_result, volume, service, WEATHER, seed=SEED),
                )
            )
    for load in (0.5, 0.9):
        trains = load * DOSTYK.trains_per_day
        cases.append(
            (
                f"server M/D/1 14/day, {trains:.1f} trains/day",
                partial(simulate_server, trains, DOSTYK, seed=SEED),
                partial(
                    server_reference,
                    simulate_server(trains, DOSTYK, seed=SEED).arrival_hours,
                    DOSTYK,
                ),
            )
        )
    print("Fast model vs SimPy reference, one year of traffic, same inputs")
    header = (
        f"| {'case':<50} | {'trains':>6} | {'fast ms':>8} | {'SimPy ms':>8} | {'ratio':>6} "
        f"| {'mean h fast/SimPy':>17} | {'P90 h fast/SimPy':>17} | {'sat':>3} |"
    )
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for name, fast_run, ref_run in cases:
        fast_run()  # warm up
        fast_s, fast = best_seconds(fast_run, 20)
        ref_s, ref = best_seconds(ref_run, 3)
        mean = f"{fast.stat('total'):.1f}/{ref.stat('total'):.1f}"
        p90 = f"{fast.stat('total', 0.9):.1f}/{ref.stat('total', 0.9):.1f}"
        print(
            f"| {name:<50} | {fast.n_trains:>6} | {fast_s * 1e3:>8.2f} | {ref_s * 1e3:>8.1f} "
            f"| {ref_s / fast_s:>5.0f}x | {mean:>17} | {p90:>17} "
            f"| {'yes' if fast.saturated else 'no':>3} |"
        )
    print("(waits: ferry_wait + weather, trains after the 10 % warm-up)")


def saturation_table() -> None:
    service: Service = ON_FILL
    nominal = ferry_capacity_teu_per_hour(service) * HOURS_PER_WEEK
    per_year = HOURS_PER_YEAR / HOURS_PER_WEEK
    print()
    print(
        f"2025 fleet, on_fill: {service.vessels} vessels x {service.capacity_teu:.0f} TEU, "
        f"{service.round_trip_hours:.0f} h round trip, hold <= {max_hold_hours(service):.0f} h; "
        f"nominal {nominal:,.0f} TEU/wk ({nominal * per_year:,.0f} TEU/yr)"
    )
    print("20 seeds x 1 year each; mean and P90 of ferry_wait + weather, hours")
    header = (
        f"| {'load':>5} | {'TEU/wk':>6} | {'TEU/yr':>7} | {'calm mean':>9} | {'calm P90':>8} "
        f"| {'calm sat':>8} | {'storm mean':>10} | {'storm P90':>9} | {'storm sat':>9} |"
    )
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for load in (0.3, 0.64, 0.8, 0.9, 0.93, 0.95, 0.97, 1.0, 1.1):
        volume = load * nominal
        cells = [f"{load:>5.2f}", f"{volume:>6,.0f}", f"{volume * per_year:>7,.0f}"]
        for weather, width in ((None, 8), (WEATHER, 9)):
            runs = [simulate_ferry(volume, service, weather, seed=s) for s in range(20)]
            mean = np.mean([r.stat("total") for r in runs])
            p90 = np.mean([r.stat("total", 0.9) for r in runs])
            saturated = np.mean([r.saturated for r in runs])
            cells += [f"{mean:>{width + 1}.1f}", f"{p90:>{width}.1f}", f"{saturated:>{width}.0%}"]
        print("| " + " | ".join(cells) + " |")
    # Saturation volume = the most the fleet moves when the quay never runs dry.
    for weather, label in ((None, "calm"), (WEATHER, "storms")):
        inputs = draw_ferry_inputs(1.5 * nominal, weather, horizon_days=20 * 365, seed=SEED)
        departed = ferry_departure_hours(
            inputs.arrival_hours,
            service,
            inputs.closures,
            teu_per_train=TEU_PER_TRAIN,
            end_hours=inputs.end_hours,
        )
        low, high = WARMUP_SHARE * inputs.horizon_hours, inputs.horizon_hours
        trains = np.count_nonzero((departed >= low) & (departed < high))
        per_week = trains * TEU_PER_TRAIN / ((high - low) / HOURS_PER_WEEK)
        print(
            f"throughput at 1.5x nominal, 20 years, {label}: {per_week:,.0f} TEU/wk "
            f"({per_week * per_year:,.0f} TEU/yr, {per_week / nominal:.1%} of nominal)"
        )


if __name__ == "__main__":
    speed_table()
    saturation_table()
