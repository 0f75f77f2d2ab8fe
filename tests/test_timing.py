"""The Monte Carlo time model: distributions, stages, seeds, process rules."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import midcorridor as mc
from components import make_component
from midcorridor.inputs.bounds import Range
from midcorridor.model import sampling as timing
from midcorridor.model.components import components, expected_hours
from midcorridor.model.delays import Adjustment, Component, Dist, pert
from midcorridor.model.sampling import route_seed, sample_hours, sample_trip
from midcorridor.model.trip import TripResult
from midcorridor.network.routing import Route
from midcorridor.vocabulary import STAGES, CorridorChoice


def trip(
    network: mc.Network,
    origin: str,
    destination: str,
    corridor: CorridorChoice,
    *,
    month: int | None = None,
    volume_teu_per_week: float | None = None,
) -> tuple[Route, list[Component]]:
    """The shortest route of ``corridor`` and its components."""
    route: Route = mc.candidate_routes(network, origin, destination, corridor=corridor, k=1)[0]
    comps = components(network, route, month=month, volume_teu_per_week=volume_teu_per_week)
    return route, comps


def test_pert_matches_its_mean_and_bounds() -> None:
    dist = pert(Range(low=2, mode=6, high=24))
    x = sample_hours([_comp(dist)], 200_000, np.random.default_rng(1))[:, 0]
    assert x.min() >= 2
    assert x.max() <= 24
    assert x.mean() == pytest.approx((2 + 4 * 6 + 24) / 6, rel=0.01)


def test_rail_hours_are_length_over_speed() -> None:
    speed = Range(low=600, mode=600, high=600)
    x = sample_hours([_comp(pert(speed, inverse=24 * 1200))], 10, np.random.default_rng(0))
    np.testing.assert_allclose(x, 48.0)


def test_probability_is_the_share_of_samples_affected() -> None:
    comp = _comp(Dist(5, 5), probability=0.1)
    x = sample_hours([comp], 100_000, np.random.default_rng(3))[:, 0]
    assert (x > 0).mean() == pytest.approx(0.1, abs=0.005)


def test_same_seed_same_numbers_other_seed_other_numbers(network: mc.Network) -> None:
    route, comps = trip(network, "Almaty", "Constanta", "middle")
    a = sample_trip(route, comps, samples=2000, seed=7)
    b = sample_trip(route, comps, samples=2000, seed=7)
    c = sample_trip(route, comps, samples=2000, seed=8)
    np.testing.assert_array_equal(a.hours, b.hours)
    assert not np.array_equal(a.hours, c.hours)


def test_stages_add_up_to_the_total(network: mc.Network) -> None:
    route, comps = trip(network, "Almaty", "Constanta", "middle")
    result = sample_trip(route, comps, samples=3000, seed=1)
    assert {c.stage for c in comps} <= set(STAGES)
    np.testing.assert_allclose(result.stage_hours.sum(axis=1) / 24, result.total_days)
    stages = result.stages_days()
    assert sum(stages.values()) == pytest.approx(result.days()["mean"])
    frame = result.stages_frame()
    assert frame["share"].sum() == pytest.approx(1.0)
    days = result.days()
    assert days["p10"] <= days["p50"] <= days["p90"]


def test_middle_corridor_has_every_kind_of_delay(network: mc.Network) -> None:
    _, comps = trip(network, "Almaty", "Constanta", "middle")
    stages = {c.stage for c in comps}
    assert {"rail", "sea", "documents", "port", "ferry_wait", "weather"} <= stages


def test_port_processes_only_for_cargo_changing_to_or_from_ships(network: mc.Network) -> None:
    constanta = network.find_node("Constanta")
    _, by_sea = trip(network, "Almaty", "Constanta", "middle")
    _, by_rail = trip(network, "Almaty", "Constanta", "northern")
    assert any(c.node == constanta and c.stage == "port" for c in by_sea)
    assert not any(c.node == constanta and c.stage == "port" for c in by_rail)


def test_terminal_dwell_only_where_a_trip_starts_or_ends(network: mc.Network) -> None:
    route, comps = trip(network, "Xi'an", "Duisburg", "northern")
    terminals = [
        n
        for n in route.nodes[1:-1]
        if any(p.applies == "ends" for p in network.nodes_by_id[n].props.processes)
    ]
    assert terminals, "the route should pass a terminal (e.g. Urumqi)"
    assert not any(c.node in terminals and c.stage == "port" for c in comps)
    assert any(c.node == route.origin and c.stage == "port" for c in comps)


def test_a_process_measured_in_one_direction_applies_only_that_way(network: mc.Network) -> None:
    """Dostyk's flatcar wait was published for cargo bound for China (toward: CN)."""

    def flatcar_waits(origin: str, destination: str) -> int:
        routes = mc.candidate_routes(network, origin, destination, k=10)
        route = next(r for r in routes if "DOSTYK" in r.nodes)
        comps = components(network, route)
        return sum(c.source == "asm_dostyk_flatcar_wait" for c in comps)

    assert flatcar_waits("Aktogay", "Urumqi") == 1  # eastbound: leaves Dostyk for China
    assert flatcar_waits("Urumqi", "Aktogay") == 0  # westbound
    assert flatcar_waits("Aktogay", "Dostyk") == 0  # ends there: does not leave it


def test_scheduled_wait_is_uniform_over_the_headway(network: mc.Network) -> None:
    _, comps = trip(network, "Almaty", "Constanta", "middle")
    poti = [c for c in comps if c.stage == "ferry_wait" and c.link == "POTI-CONSTANTA"]
    assert len(poti) == 1
    assert poti[0].dist.low == 0
    service = network.links_by_id["POTI-CONSTANTA"].props.service
    assert service is not None
    assert poti[0].dist.high == service.headway_hours


def test_without_volume_caspian_wait_spans_the_typical_headway(network: mc.Network) -> None:
    _, comps = trip(network, "Almaty", "Baku", "middle")
    wait = next(c for c in comps if c.stage == "ferry_wait")
    assert wait.link is not None
    service = network.links_by_id[wait.link].props.service
    assert service is not None
    assert wait.empirical is None
    assert (wait.dist.low, wait.dist.high) == (0.0, service.headway_hours)
    _, queued = trip(network, "Almaty", "Baku", "middle", volume_teu_per_week=1087)
    assert next(c for c in queued if c.stage == "ferry_wait").empirical is not None


def test_storm_probability_follows_the_departure_month(network: mc.Network) -> None:
    weather = network.links_by_id["AKTAU_PORT-ALAT_PORT"].props.weather
    assert weather is not None
    shares = weather.closure_share_by_month
    for month in (1, 7):
        _, comps = trip(network, "Almaty", "Baku", "middle", month=month)
        storm = next(c for c in comps if c.stage == "weather")
        assert storm.probability == shares[month - 1]
    _, comps = trip(network, "Almaty", "Baku", "middle")
    year_round = next(c for c in comps if c.stage == "weather")
    assert year_round.probability == pytest.approx(sum(shares) / 12)


def test_adjustments_compose_in_order() -> None:
    assert Adjustment(scale=0.5).then(Adjustment(add=2)) == Adjustment(scale=0.5, add=2)
    assert Adjustment(add=2).then(Adjustment(scale=0.5)) == Adjustment(scale=0.5, add=1)
    assert Adjustment(scale=3).then(Adjustment(set=4)) == Adjustment(set=4)
    assert Adjustment(set=4).then(Adjustment(scale=0.5)) == Adjustment(set=2)


def test_adjustments_change_the_sampled_hours() -> None:
    comps = [_comp(Dist(10, 10)), _comp(Dist(10, 10)), _comp(Dist(10, 10))]
    adj = [Adjustment(scale=0.5), Adjustment(add=-20), Adjustment(set=1)]
    x = sample_hours(comps, 5, np.random.default_rng(0), adj)
    np.testing.assert_allclose(x, [[5, 0, 1]] * 5)


def _comp(dist: Dist, probability: float = 1.0) -> Component:
    return make_component(
        "documents", dist, probability=probability, countries=("KZ",), node_kind="border"
    )


def test_expected_hours_follow_the_adjustments() -> None:
    comps = [_comp(Dist(10, 10)), _comp(Dist(10, 10), probability=0.5), _comp(Dist(4, 4))]
    assert expected_hours(comps) == pytest.approx(10 + 5 + 4)
    adj = [Adjustment(scale=0.5), Adjustment(set=7), Adjustment(add=2)]
    assert expected_hours(comps, adj) == pytest.approx(5 + 7 + 6)
    x = sample_hours(comps, 20_000, np.random.default_rng(2), adj)
    assert x.sum(axis=1).mean() == pytest.approx(expected_hours(comps, adj), rel=0.01)


def test_expected_hours_never_go_below_zero_either() -> None:
    comps = [_comp(Dist(10, 10)), _comp(Dist(10, 10))]
    adj = [Adjustment(add=-30), Adjustment()]
    sampled = sample_hours(comps, 10, np.random.default_rng(0), adj).sum(axis=1)
    np.testing.assert_allclose(sampled, 10.0)
    assert expected_hours(comps, adj) == pytest.approx(10.0)


# Chunked sampling and bounded memory. The middle corridor at today's volume has every
# kind of draw: PERT, uniform, inverse (rail), empirical groups, month-dependent storms.


def _chunk_case(network: mc.Network) -> tuple[Route, list[Component], list[Adjustment]]:
    route, comps = trip(network, "Almaty", "Constanta", "middle", volume_teu_per_week=1087)
    adjustments = [
        Adjustment(scale=0.8) if c.stage == "documents" else Adjustment(add=-2.0) for c in comps
    ]
    return route, comps, adjustments


def _in_chunks(
    route: Route, comps: list[Component], adj: list[Adjustment], samples: int, seed: int
) -> np.ndarray:
    """Every sample of a chunked run: ``sample_hours`` on successive chunks of one stream."""
    rng = np.random.default_rng(route_seed(seed, route))
    parts = []
    for start in range(0, samples, timing.CHUNK):
        parts.append(sample_hours(comps, min(timing.CHUNK, samples - start), rng, adj))
    return np.concatenate(parts)


def _stage_means(comps: list[Component], hours: np.ndarray) -> np.ndarray:
    onehot = np.array([[c.stage == s for s in STAGES] for c in comps], dtype=float)
    return (hours @ onehot).mean(axis=0) / 24


@pytest.mark.parametrize(("chunk", "keep", "samples"), [(None, None, 3000), (500, 500, 500)])
def test_a_run_within_one_chunk_draws_what_one_call_draws(
    network: mc.Network,
    monkeypatch: pytest.MonkeyPatch,
    chunk: int | None,
    keep: int | None,
    samples: int,
) -> None:
    if chunk is not None:
        monkeypatch.setattr(timing, "CHUNK", chunk)
        monkeypatch.setattr(timing, "KEEP_SAMPLES", keep)
    assert samples <= min(timing.CHUNK, timing.KEEP_SAMPLES)
    route, comps, adj = _chunk_case(network)
    reference = sample_hours(comps, samples, np.random.default_rng(route_seed(5, route)), adj)
    result = sample_trip(route, comps, samples=samples, seed=5, adjustments=adj)
    np.testing.assert_array_equal(result.hours, reference)
    np.testing.assert_array_equal(result.total_days, reference.sum(axis=1) / 24)
    assert result.samples == result.kept_samples == samples
    assert result.kept_total_days is result.total_days
    np.testing.assert_array_equal(result.mean_hours, reference.mean(axis=0))


def test_default_sizes_keep_todays_runs_whole() -> None:
    assert timing.CHUNK >= 20_000  # the default and published sample count draws in one go
    assert timing.KEEP_SAMPLES >= timing.CHUNK


def test_a_run_of_several_chunks_within_keep_keeps_every_sample(
    network: mc.Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timing, "CHUNK", 300)
    monkeypatch.setattr(timing, "KEEP_SAMPLES", 1000)
    route, comps, adj = _chunk_case(network)
    result = sample_trip(route, comps, samples=1000, seed=5, adjustments=adj)
    full = _in_chunks(route, comps, adj, 1000, seed=5)
    np.testing.assert_array_equal(result.hours, full)
    np.testing.assert_array_equal(result.total_days, full.sum(axis=1) / 24)
    assert result.samples == result.kept_samples == 1000
    # Chunks are not one call: a different stream from drawing the run at once.
    at_once = sample_hours(comps, 1000, np.random.default_rng(route_seed(5, route)), adj)
    assert not np.array_equal(full, at_once)


def test_a_run_beyond_keep_keeps_days_of_all_and_hours_of_the_first(
    network: mc.Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timing, "CHUNK", 300)
    monkeypatch.setattr(timing, "KEEP_SAMPLES", 1000)
    route, comps, adj = _chunk_case(network)
    done: list[int] = []
    result = sample_trip(route, comps, samples=2500, seed=5, adjustments=adj, progress=done.append)
    assert done == [300, 600, 900, 1200, 1500, 1800, 2100, 2400, 2500]
    again = sample_trip(route, comps, samples=2500, seed=5, adjustments=adj)
    np.testing.assert_array_equal(result.hours, again.hours)
    np.testing.assert_array_equal(result.total_days, again.total_days)

    full = _in_chunks(route, comps, adj, 2500, seed=5)
    assert (result.samples, result.kept_samples) == (2500, 1000)
    assert result.hours.shape == (1000, len(comps))
    assert result.stage_hours.shape == (1000, len(STAGES))
    np.testing.assert_array_equal(result.hours, full[:1000])
    # Whole-trip figures over all 2,500 samples.
    total = full.sum(axis=1) / 24
    np.testing.assert_array_equal(result.total_days, total)
    p10, p50, p90 = np.percentile(total, [10, 50, 90])
    assert result.days() == pytest.approx(
        {"mean": total.mean(), "p10": p10, "p50": p50, "p90": p90}, rel=1e-12
    )
    stage_means = _stage_means(comps, full)
    assert list(result.stages_days().values()) == pytest.approx(list(stage_means), rel=1e-12)
    assert sum(result.stages_days().values()) == pytest.approx(result.days()["mean"], rel=1e-12)
    np.testing.assert_allclose(result.mean_hours, full.mean(axis=0), rtol=1e-12)
    frame = result.stages_frame()
    np.testing.assert_allclose(frame["mean_days"], stage_means, rtol=1e-12)
    assert frame["share"].sum() == pytest.approx(1.0)
    kept_stages = result.stage_hours / 24
    np.testing.assert_allclose(frame["p90_days"], np.percentile(kept_stages, 90, axis=0))
    comp_frame = result.components_frame()
    np.testing.assert_allclose(comp_frame["mean_hours"], full.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(comp_frame["p50_hours"], np.percentile(full[:1000], 50, axis=0))
    at_nodes = sum(sum(stages.values()) for stages in result.node_hours().values())
    moving = sum(full[:, j].mean() for j, c in enumerate(comps) if c.stage in ("rail", "sea"))
    assert at_nodes + moving == pytest.approx(total.mean() * 24, rel=1e-12)
    # The kept samples' totals go row for row with the kept hours.
    assert result.kept_total_days.shape == (1000,)
    np.testing.assert_array_equal(result.kept_total_days, result.hours.sum(axis=1) / 24)
    np.testing.assert_allclose(
        result.stage_hours.sum(axis=1) / 24, result.kept_total_days, rtol=1e-12
    )


def _peak_bytes(route: Route, comps: list[Component], samples: int) -> int:
    tracemalloc.start()
    try:
        result = sample_trip(route, comps, samples=samples, seed=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.samples == samples
    return peak


def test_memory_does_not_grow_with_samples_beyond_keep(
    network: mc.Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timing, "CHUNK", 500)
    monkeypatch.setattr(timing, "KEEP_SAMPLES", 1000)
    route, comps, _ = _chunk_case(network)
    small, large = _peak_bytes(route, comps, 4000), _peak_bytes(route, comps, 16_000)
    assert large < 1.5 * small
    # Against one (16,000 x components) matrix of hours, which drawing in one go exceeds.
    assert large < 16_000 * len(comps) * 8 / 4


def test_trip_result_checks_its_arrays(network: mc.Network) -> None:
    route, comps = trip(network, "Almaty", "Constanta", "middle")
    hours = np.ones((4, len(comps)))
    with pytest.raises(ValueError, match="one column per component"):
        TripResult(route=route, components=tuple(comps), hours=hours[:, 1:])
    with pytest.raises(ValueError, match="come together"):
        TripResult(route=route, components=tuple(comps), hours=hours, sample_days=np.ones(9))
    with pytest.raises(ValueError, match="kept samples"):
        TripResult(
            route=route,
            components=tuple(comps),
            hours=hours,
            sample_days=np.ones(3),
            hours_sum=np.ones(len(comps)),
        )
    whole = TripResult(route=route, components=tuple(comps), hours=hours)
    assert (whole.samples, whole.kept_samples) == (4, 4)


def test_an_adjustment_applies_to_one_delays_samples() -> None:
    hours = np.array([0.0, 10.0, 100.0])
    np.testing.assert_array_equal(Adjustment(scale=0.5, add=-10).apply(hours), [0, 0, 40])
    np.testing.assert_array_equal(Adjustment(set=7).apply(hours), [7, 7, 7])
    np.testing.assert_array_equal(Adjustment().apply(hours), hours)
