"""Cost of the journey walk: timetabled departures and monthly queues on a clock.

:func:`midcorridor.model.sampling.sample_hours` draws every delay independently and then, only
when a delay depends on the clock (a timetabled departure, a queue whose waits change
over the year), walks the trip in travel order (:func:`midcorridor.model.journeys.walk`).
This script times, in the same run and with the same samples and seeds:

- ``sample_hours`` on a trip with the walk, against the same components with every
  ``timetable``, ``loads`` and ``empirical_by_month`` removed (the plain sampler: the
  same draws, no walk) -- the issue's target: the walk costs at most 2x the plain
  sampler;
- for three trips of ``scenarios/baseline.yaml``: the Almaty-Constanta Middle Corridor
  block train (booked on the weekly Poti-Constanta ferry), the same trip for a single
  container with full departures (demand above the ferry's capacity: the fluid queue
  and ``departure_index``), and the block train with a monthly Middle Corridor volume
  (Caspian waits drawn from the month the train reaches the port);
- memory of :func:`midcorridor.model.sampling.sample_trip` (chunked) for the booked block train
  at two sample counts up to 2,000,000: the tracemalloc peak, with the walk and without,
  and what a further sample costs between the two (8 bytes of door-to-door days if
  bounded).

Usage: ``python benchmarks/bench_journeys.py [--samples N] [--repeat R]
[--memory-samples N ...]``. Figures: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import platform
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

import midcorridor as mc
from bench_timing import best_of
from midcorridor.inputs.changes import ServiceChange
from midcorridor.model.delays import Adjustment, Component
from midcorridor.model.journeys import Journey, in_time
from midcorridor.model.sampling import CHUNK, KEEP_SAMPLES, plan_journey, sample_hours, sample_trip
from midcorridor.runs.runner import PlannedTrip, plan_trips

ROOT = Path(__file__).resolve().parents[1]
MIB = 2**20
LABEL = "Almaty-Constanta, Middle Corridor"
CONTAINER_LABEL = "Almaty-Constanta, Middle Corridor, container"
#: Three times today's Middle Corridor volume in October and November, TEU a week.
SURGE = (1087.0,) * 9 + (3261.0, 3261.0) + (1087.0,)
#: Poti-Constanta (200 TEU a weekly sailing): 100 TEU a week of block trains, 150 of
#: containers -- containers are rolled over.
FULL = ServiceChange(
    link=("POTI-CONSTANTA",),
    demand_teu_per_week={"block_train": 100.0, "container": 150.0},
    note="benchmark: departures fuller than their capacity",
    source="benchmark",
)


@dataclass(frozen=True)
class Case:
    """A trip to time: its components, with the walk and without, and its journey."""

    name: str
    components: tuple[Component, ...]
    plain: tuple[Component, ...]
    adjustments: tuple[Adjustment, ...]
    journey: Journey
    trip: PlannedTrip


def stripped(comps: Sequence[Component]) -> tuple[Component, ...]:
    """The components without anything that depends on the clock: the plain sampler."""
    return tuple(replace(c, timetable=None, loads=None, empirical_by_month=None) for c in comps)


def case(name: str, scenario: mc.Scenario, network: mc.Network, label: str, seed: int = 0) -> Case:
    trip = next(t for t in plan_trips(scenario, network) if t.label == label)
    journey = plan_journey(
        trip.components,
        shipment=trip.shipment,
        shipment_class=network.shipments.get(trip.shipment),
        adjustments=trip.adjustments,
        seed=seed,
    )
    plain = stripped(trip.components)
    if not in_time(trip.components) or in_time(plain):
        raise SystemExit(f"{name}: expected a trip with a walk, and none once stripped")
    return Case(name, trip.components, plain, trip.adjustments, journey, trip)


def traced_peak(fn: Callable[[], object]) -> float:
    """tracemalloc peak while ``fn`` runs, bytes (what it allocates, not the interpreter)."""
    tracemalloc.start()
    try:
        fn()
        return float(tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--memory-samples", type=int, nargs="+", default=[500_000, 2_000_000])
    args = parser.parse_args()

    network = mc.load(ROOT / "network")
    baseline = mc.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    full = baseline.model_copy(update={"services": (*baseline.services, FULL)})
    surge = baseline.model_copy(update={"volume": {**baseline.volume, "middle": SURGE}})
    cases = [
        case("block train, booked ferry", baseline, network, LABEL),
        case("container, full departures", full, network, CONTAINER_LABEL),
        case("block train, monthly volume", surge, network, LABEL),
    ]
    n = args.samples
    print(f"machine: {platform.processor() or platform.machine()}, numpy {np.__version__}")
    print(f"samples: {n:,}, best of {args.repeat}; same seed for both samplers")
    print(
        f"{'trip':30s} {'comps':>5s} {'walked':>6s} {'plain s':>8s} {'walk s':>8s} "
        f"{'ratio':>6s} {'walk alone ms':>13s}"
    )
    for c in cases:
        walked = sum(
            1 for x in c.components if x.timetable is not None or x.empirical_by_month is not None
        )

        def with_walk(c: Case = c) -> None:
            sample_hours(c.components, n, np.random.default_rng(0), c.adjustments, c.journey)

        def plain(c: Case = c) -> None:
            sample_hours(c.plain, n, np.random.default_rng(0), c.adjustments, c.journey)

        t_plain = best_of(plain, args.repeat)
        t_walk = best_of(with_walk, args.repeat)
        print(
            f"{c.name:30s} {len(c.components):5d} {walked:6d} {t_plain:8.3f} {t_walk:8.3f} "
            f"{t_walk / t_plain:6.2f} {(t_walk - t_plain) * 1e3:13.1f}"
        )
    print("ratio: walk / plain sampler (aim <= 2)")

    booked = cases[0]
    print(
        f"\nmemory of sample_trip, {booked.name} ({len(booked.components)} components), "
        f"tracemalloc peak (CHUNK {CHUNK:,}, KEEP_SAMPLES {KEEP_SAMPLES:,})"
    )
    print(f"{'samples':>10s} {'walk MiB':>9s} {'plain MiB':>10s} {'walk s':>7s}")
    peaks = []
    for samples in args.memory_samples:

        def run(comps: Sequence[Component], samples: int = samples) -> None:
            sample_trip(
                booked.trip.route,
                comps,
                samples=samples,
                adjustments=booked.adjustments,
                journey=booked.journey,
            )

        start = time.perf_counter()
        walk_peak = traced_peak(lambda: run(booked.components))
        seconds = time.perf_counter() - start
        plain_peak = traced_peak(lambda: run(booked.plain))
        peaks.append((samples, walk_peak))
        print(f"{samples:10,d} {walk_peak / MIB:9.0f} {plain_peak / MIB:10.0f} {seconds:7.1f}")
    if len(peaks) > 1:
        (n0, p0), (n1, p1) = peaks[0], peaks[-1]
        print(
            f"walk's peak from {n0:,} to {n1:,} samples: {(p1 - p0) / (n1 - n0):.1f} bytes a "
            "sample (8 = the door-to-door days only: bounded)"
        )


if __name__ == "__main__":
    main()
