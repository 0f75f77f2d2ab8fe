"""network/observations.yaml: what it must cover, what it refuses, and the scores."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import midcorridor as mc
from cli_runner import invoke
from midcorridor.analysis.calibration import era_scenarios
from midcorridor.analysis.scores import (
    ALPHA,
    ObservationScore,
    Scores,
    _score,
    observed_days,
    promise_by_month,
    score_observations,
    why_not_comparable,
    why_not_scored,
)
from midcorridor.inputs.observations import Observation, parse_figure
from midcorridor.network.read import check, read_observations
from midcorridor.runs.runner import run_scenario
from network_copies import edited_copy

OBS = "observations.yaml"


def _book(network: mc.Network) -> tuple[Observation, ...]:
    assert network.observations is not None
    return network.observations.observations


def test_the_set_covers_what_the_issue_asks(network: mc.Network) -> None:
    obs = _book(network)
    observed = [o for o in obs if o.kind == "observed"]
    assert len(obs) >= 60
    assert len(observed) >= 25
    assert {o.route.shipment for o in observed} >= {"block_train", "container"}
    assert {o.corridor for o in observed} >= {"middle", "northern", "sea"}
    assert {o.direction for o in observed} == {"westbound", "eastbound"}
    winter = {m for o in observed for m in o.months or () if m in (11, 12, 1, 2, 3)}
    summer = {m for o in observed for m in o.months or () if 4 <= m <= 10}
    assert winter
    assert summer


def test_every_source_is_a_deep_link_with_its_sentence(network: mc.Network) -> None:
    for o in _book(network):
        assert o.source.url.startswith("https://") or o.source.url.startswith("http://"), o.id
        assert o.source.quote.strip(), o.id


@pytest.mark.parametrize(
    ("text", "statistic", "low", "high"),
    [
        ("12 days", "range", 11.5, 12.5),
        ("20-22 days", "range", 19.5, 22.5),
        ("7.31 days", "mean", 7.305, 7.315),
        ("78 hours", "mean", 77.5 / 24, 78.5 / 24),
    ],
)
def test_a_figure_stands_for_its_published_rounding(
    text: str, statistic: Any, low: float, high: float
) -> None:
    assert parse_figure(text, statistic).range_days == pytest.approx((low, high))


@pytest.mark.parametrize(
    ("text", "statistic", "says"),
    [
        ("twelve days", "range", "does not parse"),
        ("12 weeks", "range", "does not parse"),
        ("12-10 days", "range", "low end is above"),
        ("20-22 days", "mean", "a mean is one number"),
    ],
)
def test_a_figure_that_does_not_parse_is_refused(text: str, statistic: Any, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_figure(text, statistic)


def _first_observed(data: dict[str, Any], timed: str | None = None) -> dict[str, Any]:
    entries: list[dict[str, Any]] = data["observations"]
    return next(
        e for e in entries if e["kind"] == "observed" and (timed is None or e["timed"] == timed)
    )


def _problems(tmp_path: Path, edit: Any) -> str:
    return "\n".join(check(edited_copy(tmp_path, OBS, edit)))


def test_a_missing_source_is_refused_naming_entry_and_field(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        del data["observations"][3]["source"]

    said = _problems(tmp_path, edit)
    assert "observations.yaml" in said
    assert "observations.3.source" in said


def test_an_unknown_place_is_refused_with_a_close_match(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["observations"][2]["route"]["destination"] = "Constantsa"

    said = _problems(tmp_path, edit)
    assert "observations.2.route.destination" in said
    assert "Constantsa" in said
    assert "CONSTANTA" in said


def test_a_period_in_the_future_is_refused(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        entry = data["observations"][0]
        entry["year"] = 2099
        entry["months"] = [1]

    said = _problems(tmp_path, edit)
    assert "observations.0" in said
    assert "in the future" in said


def test_an_observed_time_published_before_its_trips_is_refused(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        entry = _first_observed(data)
        entry["source"]["date"] = f"{entry['year'] - 1}-01-01"

    said = _problems(tmp_path, edit)
    assert "cannot be published" in said
    assert "'promised'" in said


def test_an_unknown_mode_is_refused_with_a_close_match(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["observations"][4]["mode"] = "trains"

    said = _problems(tmp_path, edit)
    assert "observations.4.mode" in said
    assert "'rail'" in said


def test_a_statistic_that_does_not_parse_is_refused(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["observations"][5]["figure"] = "about three weeks"

    said = _problems(tmp_path, edit)
    assert "observations.5" in said
    assert "does not parse" in said


def test_an_unknown_statistic_is_refused_with_a_close_match(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["observations"][5]["statistic"] = "meen"

    said = _problems(tmp_path, edit)
    assert "observations.5.statistic" in said
    assert "mean" in said


def test_a_direction_against_the_route_is_refused(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        entry = _first_observed(data)
        assert entry["direction"] == "westbound"
        entry["direction"] = "eastbound"

    said = _problems(tmp_path, edit)
    assert "direction" in said
    assert "runs westbound" in said


def test_a_place_timing_needs_its_place(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        del _first_observed(data, "border_crossing")["at"]

    assert "needs 'at'" in _problems(tmp_path, edit)


def _made_up(statistic: str = "range", figure: str = "20 days", mode: str = "rail") -> Observation:
    return Observation.model_validate(
        {
            "id": "made_up",
            "kind": "observed",
            "timed": "terminal_to_terminal",
            "corridor": "middle",
            "mode": mode,
            "route": {"origin": "Almaty", "destination": "Constanta"},
            "direction": "westbound",
            "year": 2024,
            "statistic": statistic,
            "figure": figure,
            "source": {
                "title": "t",
                "publisher": "p",
                "date": "2024-05",
                "url": "https://example.org/a/page",
                "quote": "q",
            },
        }
    )


def _scored(p10: float, p50: float, p90: float, low: float, high: float) -> ObservationScore:
    return ObservationScore(_made_up(), "2025", p10, p50, p90, p50, low, high, 0.5, False)


def test_the_scores_of_an_interval_that_misses_high() -> None:
    row = _scored(10.0, 15.0, 20.0, 24.5, 25.5)
    assert not row.covered
    assert not row.p50_inside
    assert row.distance_days == pytest.approx(9.5)
    # width 10, miss 25 - 20 = 5, times 2 / alpha
    assert row.interval_score == pytest.approx(10 + 2 / ALPHA * 5)


def test_the_scores_of_an_interval_that_holds_the_range() -> None:
    row = _scored(10.0, 15.0, 20.0, 14.5, 15.5)
    assert row.covered
    assert row.p50_inside
    assert row.distance_days == 0
    assert row.interval_score == pytest.approx(10)


def test_a_lower_bound_is_scored_at_its_finite_end() -> None:
    row = _scored(10.0, 15.0, 20.0, 22.5, math.inf)
    assert row.point_days == 22.5
    assert row.covered is False
    assert row.p50_inside is False


def test_a_published_mean_is_scored_by_the_model_s_mean() -> None:
    days = np.array([1.0] * 60 + [10.0] * 40)  # median 1 day, mean 4.6 days
    as_mean = _score(_made_up("mean", "4.6 days"), "2025", days, False)
    assert as_mean.centre == pytest.approx(4.6)
    assert as_mean.p50_inside
    assert as_mean.distance_days == 0
    as_range = _score(_made_up("range", "4.6 days"), "2025", days, False)
    assert as_range.centre == as_range.p50 == pytest.approx(1.0)
    assert not as_range.p50_inside
    assert as_range.distance_days == pytest.approx(3.55)


def test_a_figure_timed_by_road_or_seen_by_the_network_is_not_scored() -> None:
    assert why_not_scored(_made_up()) is None
    assert "road" in str(why_not_scored(_made_up(mode="road")))
    assert "era 2025" in str(why_not_scored(_made_up(), eras=["2022"]))
    seen = _made_up().model_copy(update={"informs": ("asm_speed_kz_mc",)})
    assert "set from it" in str(why_not_scored(seen))


def test_an_entry_set_aside_is_neither_scored_nor_fitted_and_says_why() -> None:
    aside = _made_up().model_copy(update={"set_aside": "a ship's wait at anchor"})
    assert why_not_scored(aside) == "set aside: a ship's wait at anchor"
    assert why_not_comparable(aside) == "set aside: a ship's wait at anchor"
    seen = aside.model_copy(update={"informs": ("asm_speed_kz_mc",)})
    assert why_not_scored(seen) == "set aside: a ship's wait at anchor"


def test_an_empty_reason_to_set_an_entry_aside_is_refused(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["observations"][2]["set_aside"] = ""

    assert "observations.2.set_aside" in _problems(tmp_path, edit)


def test_an_unknown_key_it_informs_is_refused_with_a_close_match(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["observations"][5]["informs"] = ["asm_speed_kz_mcc"]

    said = _problems(tmp_path, edit)
    assert "observations.5.informs.0" in said
    assert "asm_speed_kz_mc" in said


def test_days_at_a_place_are_the_hours_spent_there(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    obs = next(o for o in _book(network) if o.timed == "port_dwell" and o.at == "Aktau")
    run = run_scenario(baseline.derive(routes=[obs.route]), network, samples=500)
    trip = run.trips[0]
    at_place = observed_days(obs, trip, network)
    aktau = network.find_node("Aktau")
    mask = [c.node == aktau and c.stage not in ("rail", "sea") for c in trip.components]
    assert 0 < sum(mask) < len(mask)
    np.testing.assert_allclose(at_place * 24, trip.hours[:, mask].sum(axis=1))
    assert np.all(at_place < trip.kept_total_days)


def test_a_time_taken_door_to_door_adds_the_door_legs_to_the_trip(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    assert network.observations is not None
    assert network.observations.door_legs is not None
    legs = network.observations.door_legs.hours
    door = next(o for o in _book(network) if o.timed == "door_to_door" and o.mode == "rail")
    terminal = door.model_copy(update={"timed": "terminal_to_terminal"})
    trip = run_scenario(baseline.derive(routes=[door.route]), network, samples=500).trips[0]
    added = (observed_days(door, trip, network) - trip.kept_total_days) * 24
    assert legs.low <= added.min() < added.max() <= legs.high
    assert abs(float(np.median(added)) - legs.mode) < (legs.high - legs.low) / 4
    np.testing.assert_array_equal(
        observed_days(door, trip, network), observed_days(door, trip, network)
    )
    np.testing.assert_array_equal(observed_days(terminal, trip, network), trip.kept_total_days)


def test_door_legs_on_an_unknown_source_are_refused_with_a_close_match(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["door_legs"]["source"] = "drv_door_legs_dhl_2042"

    said = _problems(tmp_path, edit)
    assert "door_legs.source" in said
    assert "drv_door_legs_dhl_2024" in said


@pytest.fixture(scope="module")
def scores(network: mc.Network, baseline: mc.Scenario) -> Scores:
    eras = era_scenarios(Path(baseline.path).parent)
    return score_observations(network, {"2025": baseline, **eras}, samples_per_month=300)


def test_every_observation_is_scored_or_says_why_not(network: mc.Network, scores: Scores) -> None:
    scored = {r.observation.id for r in scores}
    left = {o.id: why for o, why in scores.not_scored}
    assert scored.isdisjoint(left)
    assert scored | set(left) == {o.id for o in _book(network)}
    for obs, why in scores.not_scored:
        assert why.startswith("set aside: ") == (obs.set_aside is not None), obs.id
        if obs.set_aside is not None:
            continue
        assert ("road" in why) == (obs.mode == "road"), obs.id
        assert ("was set from it" in why) == (bool(obs.informs) and obs.mode != "road"), obs.id
        if not obs.informs and obs.mode != "road":
            assert "no scenario describes" in why, obs.id
            assert obs.year < 2022, obs.id


def test_the_summary_adds_up(scores: Scores) -> None:
    overall = scores.overall()
    assert overall is not None
    assert overall.count == len(scores.observed)
    by_corridor = list(scores.summary(["corridor"]))
    assert sum(s.count for s in by_corridor) == overall.count
    weighted = sum(s.coverage * s.count for s in by_corridor) / overall.count
    assert weighted == pytest.approx(overall.coverage)


def test_a_miss_is_on_one_side_of_the_interval(scores: Scores) -> None:
    rows = scores.observed
    for row in rows:
        sides = (row.covered, row.model_slower, row.model_faster)
        assert sum(sides) == 1, row.observation.id
        if row.model_slower:
            assert row.p10 > row.high
        if row.model_faster:
            assert row.p90 < row.low
    overall = scores.overall()
    assert overall is not None
    assert overall.coverage + overall.slower + overall.faster == pytest.approx(1)
    assert overall.slower == pytest.approx(np.mean([r.model_slower for r in rows]))


def test_a_promise_is_kept_more_often_when_it_is_looser(
    network: mc.Network, baseline: mc.Scenario
) -> None:
    promise = next(o for o in _book(network) if o.kind == "promised" and o.year >= 2023)
    low = parse_figure(promise.figure, promise.statistic).low_days
    looser = promise.model_copy(update={"id": "looser", "figure": f"{low * 3:g} days"})
    kept = promise_by_month(network, {"2025": baseline}, [promise, looser], samples_per_month=300)
    assert len(kept[promise.id]) == 12
    assert all(0 <= p <= 1 for p in kept[promise.id])
    assert all(a <= b for a, b in zip(kept[promise.id], kept["looser"], strict=True))


def test_calibrate_scores_and_lists_every_promise(capsys: Any, monkeypatch: Any) -> None:
    code, out, _ = invoke(["calibrate", "--samples", "200", "--json"], capsys, monkeypatch)
    assert code in (0, 3)
    result = json.loads(out)["scores"]
    assert result["overall"]["count"] == sum(
        o["kind"] == "observed" for o in result["observations"]
    )
    promised = [o["id"] for o in result["observations"] if o["kind"] == "promised"]
    assert promised
    assert set(result["promises_by_month"]) == set(promised)
    assert all(len(v) == 12 for v in result["promises_by_month"].values())
    code, out, _ = invoke(["calibrate", "--samples", "200"], capsys, monkeypatch)
    assert "observed transit times" in out
    assert "chance each is kept" in out
    left = {o["id"]: o["why"] for o in result["not_scored"]}
    assert "road" in left["cpmm_ge_sarpi_out_2022"]
    code, out, _ = invoke(["calibrate", "--samples", "200", "--each"], capsys, monkeypatch)
    assert f"Not scored: {len(left)} observations" in out
    assert "cpmm_ge_sarpi_out_2022" in out


def test_a_set_kept_apart_is_checked_like_the_network_s_own(
    tmp_path: Path, network: mc.Network
) -> None:
    source = network.path / OBS
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["observations"] = data["observations"][:3]
    data["observations"][1]["route"]["origin"] = "Almatty"
    kept = tmp_path / "kept_apart.yaml"
    kept.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(mc.NetworkError) as caught:
        read_observations(kept, network)
    said = str(caught.value)
    assert "kept_apart.yaml: field observations.1.route.origin" in said
    assert "ALMATY" in said
    with pytest.raises(mc.NetworkError, match="not found"):
        read_observations(tmp_path / "missing.yaml", network)


def test_calibrate_scores_a_set_kept_apart(
    tmp_path: Path, network: mc.Network, capsys: Any, monkeypatch: Any
) -> None:
    data = yaml.safe_load((network.path / OBS).read_text(encoding="utf-8"))
    data["observations"] = [o for o in data["observations"] if o["kind"] == "observed"][:4]
    kept = tmp_path / "kept_apart.yaml"
    kept.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    args = ["calibrate", "--observations", str(kept), "--samples", "200", "--json"]
    code, out, _ = invoke(args, capsys, monkeypatch)
    assert code in (0, 3)
    scored = json.loads(out)["scores"]["observations"]
    assert [o["id"] for o in scored] == [o["id"] for o in data["observations"]]
