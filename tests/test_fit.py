"""The calibration: an ABC-SMC fit of assumed figures to observed times, its folds, the
file it writes and what a calibrated network does with it."""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import yaml

import midcorridor as mc
from midcorridor.analysis.calibration import era_scenarios
from midcorridor.analysis.emulator import Case, CaseStack
from midcorridor.analysis.evidence import trip_evidence
from midcorridor.analysis.fit import fit_network, write_calibrated
from midcorridor.inputs.fit_files import CalibratedBook
from midcorridor.network.network import CALIBRATED_FILE
from midcorridor.network.read import check, load
from midcorridor.runs.runner import run_scenario
from network_copies import edited_copy


def _small(data: dict[str, Any]) -> None:
    """Keep the observed cases of four sources, and fit two parameters quickly."""
    observed = [o for o in data["observations"] if o["kind"] == "observed" and o["year"] >= 2023]
    urls = list(dict.fromkeys(o["source"]["url"] for o in observed))[:4]
    data["observations"] = [o for o in observed if o["source"]["url"] in urls]


def _small_settings(data: dict[str, Any]) -> None:
    data.update(samples_per_month=100, population=40, generations=2)
    data["parameters"] = [
        p for p in data["parameters"] if p["key"] in ("asm_speed_kz_mc", "asm_terminal_dwell")
    ]


@pytest.fixture(scope="module")
def small_network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = edited_copy(tmp_path_factory.mktemp("fit"), "observations.yaml", _small)
    path = folder / "fit.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    _small_settings(data)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    (folder / CALIBRATED_FILE).unlink(missing_ok=True)
    return folder


@pytest.fixture(scope="module")
def conditions(baseline: mc.Scenario) -> dict[str, mc.Scenario]:
    return {"2025": baseline, **era_scenarios(Path(baseline.path).parent)}


@pytest.fixture(scope="module")
def book(small_network: Path, conditions: dict[str, mc.Scenario]) -> CalibratedBook:
    return fit_network(load(small_network), conditions)


def test_the_fit_names_what_it_rests_on(book: CalibratedBook, small_network: Path) -> None:
    network = load(small_network)
    assert network.observations is not None
    observed = {o.id for o in network.observations.observations if o.kind == "observed"}
    assert set(book.provenance.observations) <= observed
    assert book.provenance.seed == network.require_fit_settings().seed
    assert [p.key for p in book.parameters] == ["asm_speed_kz_mc", "asm_terminal_dwell"]
    for p in book.parameters:
        assert p.prior_low <= p.p5 <= p.median <= p.p95 <= p.prior_high
        assert set(p.observations) <= set(book.provenance.observations)


def test_every_source_is_left_out_once(book: CalibratedBook) -> None:
    held = [i for fold in book.folds for i in fold.held_out]
    assert sorted(held) == sorted(book.provenance.observations)
    assert len({fold.source for fold in book.folds}) == len(book.folds) >= 2


def test_the_same_files_give_the_same_fit_on_a_process_pool(
    book: CalibratedBook, small_network: Path, conditions: dict[str, mc.Scenario]
) -> None:
    with ProcessPoolExecutor(2) as pool:
        again = fit_network(load(small_network), conditions, map_=pool.map)
    assert again == book


def test_a_narrow_posterior_only_where_the_weights_are_many(
    book: CalibratedBook, small_network: Path
) -> None:
    settings = load(small_network).require_fit_settings()
    thin = book.provenance.effective_sample_size < settings.min_effective_sample_size
    for p in book.parameters:
        if p.calibrated:
            assert not thin
            assert p.narrowing <= settings.narrowing
            assert p.observations


def test_the_distance_is_zero_at_the_figure_and_grows_outside() -> None:
    rng = np.random.default_rng(0)
    obs: Any = SimpleNamespace(statistic="range")
    inside = Case(obs, 9.0, 11.0, np.full((50, 1), 24.0 * 5), np.full(50, 24.0 * 5))
    stack = CaseStack.of([inside], 50, 0, largest_miss=10.0)
    assert stack.distance(np.array([1.0])) == 0.0
    assert 0 < stack.distance(np.array([1.5])) < stack.distance(np.array([3.0]))
    # a spread that covers the figure costs a tenth of its width (the interval score)
    noisy = CaseStack.of(
        [Case(obs, 9.0, 11.0, rng.uniform(100, 140, (50, 1)), np.full(50, 120.0))], 50, 0, 10.0
    )
    p10, _, p90 = np.log1p(noisy.quantiles(np.array([1.0]))[:, 0])
    assert noisy.distance(np.array([1.0])) == pytest.approx(0.1 * (p90 - p10))


def test_a_case_no_factor_can_mend_does_not_pull_the_fit() -> None:
    obs: Any = SimpleNamespace(statistic="range")
    ten_days = np.full((50, 1), 240.0)
    mended = Case(obs, 9.0, 11.0, ten_days, np.zeros(50))  # inside at a factor of 1
    hopeless = Case(obs, 99.0, 101.0, ten_days, np.zeros(50))  # ten times off
    alone = CaseStack.of([mended], 50, 0, largest_miss=1.5)
    capped = CaseStack.of([mended, hopeless], 50, 0, largest_miss=1.5)
    loose = CaseStack.of([mended, hopeless], 50, 0, largest_miss=10.0)
    for factor in (0.9, 1.0, 1.1, 1.3):
        f = np.array([factor])
        # the far case adds the same (both its misses at the cap) whatever the factor
        assert capped.distance(f) == pytest.approx((alone.distance(f) + 2 * math.log(1.5)) / 2)
    # uncapped, it would pay the fit to move towards it
    gain_alone = alone.distance(np.array([1.3])) - alone.distance(np.array([1.0]))
    gain_loose = 2 * (loose.distance(np.array([1.3])) - loose.distance(np.array([1.0])))
    assert gain_loose < gain_alone


def test_a_published_mean_is_fitted_by_the_model_s_mean() -> None:
    # 30 samples of 10 days and 20 of 40: the median (10) is in 9-11, the mean (22) not
    hours = np.array([240.0] * 30 + [960.0] * 20)[:, None]

    def stack(statistic: str) -> CaseStack:
        obs: Any = SimpleNamespace(statistic=statistic)
        return CaseStack.of([Case(obs, 9.0, 11.0, hours, np.zeros(50))], 50, 0, 10.0)

    as_range, as_mean = stack("range"), stack("mean")
    # P10 and P90 (10 and 40 days) straddle the figure in both: only the width counts
    width = 0.1 * (math.log1p(40.0) - math.log1p(10.0))
    assert as_range.distance(np.array([1.0])) == pytest.approx(width)
    mean_miss = math.log1p(22.0) - math.log1p(11.0)
    assert as_mean.distance(np.array([1.0])) == pytest.approx(mean_miss + width)


def _forced(book: CalibratedBook, *, trusted: bool = True) -> CalibratedBook:
    """``book`` with the terminal dwell calibrated at x2 and the Kazakh speed at x0.5,
    not narrowed."""
    medians = {"asm_terminal_dwell": 2.0, "asm_speed_kz_mc": 0.5}
    return book.model_copy(
        update={
            "provenance": book.provenance.model_copy(update={"trusted": trusted}),
            "parameters": tuple(
                p.model_copy(
                    update={"calibrated": p.key == "asm_terminal_dwell", "median": medians[p.key]}
                )
                for p in book.parameters
            ),
        }
    )


def _hours_by_source(run: Any, key: str) -> float:
    trip = run.trips[0]
    return float(trip.mean_hours[[c.source == key for c in trip.components]].sum())


def test_every_posterior_median_acts_on_every_run_and_only_a_narrow_one_is_calibrated(
    small_network: Path, book: CalibratedBook, baseline: mc.Scenario
) -> None:
    write_calibrated(_forced(book), small_network / CALIBRATED_FILE)
    try:
        calibrated, plain = load(small_network), load(small_network).uncalibrated()
        route = mc.RouteSpec(origin="Almaty", destination="Constanta", corridor="middle")
        runs = [
            run_scenario(baseline.derive(routes=[route]), net, samples=300)
            for net in (plain, calibrated)
        ]
        dwell = [_hours_by_source(r, "asm_terminal_dwell") for r in runs]
        rail = [_hours_by_source(r, "asm_speed_kz_mc") for r in runs]
        assert dwell[0] > 0
        assert rail[0] > 0
        assert dwell[1] == pytest.approx(2 * dwell[0], rel=0.05)
        assert rail[1] == pytest.approx(0.5 * rail[0], rel=0.05)
        shown = trip_evidence(runs[1].trips[0], calibrated, baseline.era)
        assert shown.days_by_basis["calibrated"] == pytest.approx(dwell[1] / 24, rel=1e-6)
        assert "asm_terminal_dwell" not in {a.source for a in shown.assumptions}
        assert "asm_speed_kz_mc" in {a.source for a in shown.assumptions}
        assert calibrated.basis("asm_terminal_dwell") == "calibrated"
        assert calibrated.basis("asm_speed_kz_mc") == "assumption"
        assert plain.basis("asm_terminal_dwell") == "assumption"
        assert "x2.00 applied" in calibrated.cite("asm_terminal_dwell")
        assert "x0.50 applied" in calibrated.cite("asm_speed_kz_mc")
        assert "not narrowed" in calibrated.cite("asm_speed_kz_mc")
        assert "applied" not in plain.cite("asm_speed_kz_mc")
        assert calibrated.calibration_stale() == []
    finally:
        (small_network / CALIBRATED_FILE).unlink()


def test_a_fit_whose_weights_collapsed_applies_and_grades_nothing(
    small_network: Path, book: CalibratedBook, baseline: mc.Scenario
) -> None:
    write_calibrated(_forced(book, trusted=False), small_network / CALIBRATED_FILE)
    try:
        untrusted, plain = load(small_network), load(small_network).uncalibrated()
        assert untrusted.calibrated is not None
        assert untrusted.calibrated.factors() == {}
        route = mc.RouteSpec(origin="Almaty", destination="Constanta", corridor="middle")
        runs = [
            run_scenario(baseline.derive(routes=[route]), net, samples=300)
            for net in (plain, untrusted)
        ]
        assert np.array_equal(runs[0].trips[0].total_days, runs[1].trips[0].total_days)
        assert "applied" not in untrusted.cite("asm_terminal_dwell")
        assert untrusted.basis("asm_terminal_dwell") == "assumption"
    finally:
        (small_network / CALIBRATED_FILE).unlink()


def test_a_calibration_older_than_its_observations_says_so(
    tmp_path: Path, book: CalibratedBook, small_network: Path
) -> None:
    write_calibrated(book, small_network / CALIBRATED_FILE)
    try:
        path = small_network / "observations.yaml"
        kept = path.read_text(encoding="utf-8")
        data = yaml.safe_load(kept)
        data["observations"] = data["observations"][1:]
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        try:
            assert load(small_network).calibration_stale() == [
                "observations.yaml changed since the fit"
            ]
        finally:
            path.write_text(kept, encoding="utf-8")
    finally:
        (small_network / CALIBRATED_FILE).unlink()


def test_an_interrupted_write_keeps_the_committed_result(
    tmp_path: Path, book: CalibratedBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / CALIBRATED_FILE
    write_calibrated(book, target)
    before = target.read_bytes()

    def stop(*_: Any, **__: Any) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(yaml, "safe_dump", stop)
    with pytest.raises(KeyboardInterrupt):
        write_calibrated(book.model_copy(update={"folds": ()}), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [CALIBRATED_FILE]


def test_only_an_assumption_is_learned(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["parameters"][0]["key"] = "kaztag_altynkol_2024"

    said = "\n".join(check(edited_copy(tmp_path, "fit.yaml", edit)))
    assert "fit.yaml" in said
    assert "parameters.0.key" in said
    assert "not an assumption" in said


def test_an_unknown_key_is_refused_with_a_close_match(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["parameters"][0]["key"] = "asm_speed_kz_m"

    said = "\n".join(check(edited_copy(tmp_path, "fit.yaml", edit)))
    assert "parameters.0.key" in said
    assert "asm_speed_kz_mc" in said


@pytest.mark.slow
def test_the_same_fit_on_dask(
    book: CalibratedBook, small_network: Path, conditions: dict[str, mc.Scenario]
) -> None:
    from midcorridor.runs.grid_exec import dask_client

    with dask_client(2, None) as client:
        again = fit_network(
            load(small_network),
            conditions,
            map_=lambda f, xs: client.gather(client.map(f, list(xs), pure=False)),
        )
    assert again == book
