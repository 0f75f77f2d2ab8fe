"""A thousand malformed scenarios: each ends in a ScenarioError, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import midcorridor as mc
from midcorridor.cli import main

PLACES = ["Almaty", "Constanta", "Xi'an", "Duisburg", "Aktau", "Konstanta", "", "RU", "🚂"]
FIELDS = [
    "name",
    "description",
    "extends",
    "routes",
    "departure_month",
    "samples",
    "seed",
    "volume",
    "changes",
    "services",
    "capacities",
    "closures",
    "unknown",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(PLACES),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(FIELDS), inner, max_size=3)
    ),
    max_leaves=8,
)
route = st.fixed_dictionaries(
    {"origin": st.sampled_from(PLACES), "destination": st.sampled_from(PLACES)},
    optional={"corridor": st.sampled_from(["middle", "northern", "any", "nope", 3])},
)
change = st.fixed_dictionaries(
    {"note": st.text(max_size=5), "source": st.text(max_size=5)},
    optional={
        "stage": st.sampled_from(["documents", "ferry_wait", "sleep", ["rail", "x"]]),
        "scale": st.one_of(st.floats(-2, 3), st.text(max_size=3)),
        "set": st.floats(-1, 100),
        "add": st.floats(allow_nan=True),
        "node": st.sampled_from(PLACES),
        "country": st.sampled_from(["KZ", "kz", "Kazakhstan", 7]),
    },
)
scenario = st.fixed_dictionaries(
    {},
    optional={
        "name": scalars,
        "routes": st.one_of(st.lists(route, max_size=2), values),
        "departure_month": st.one_of(st.integers(-2, 14), values),
        "samples": st.one_of(st.integers(-5, 400), values),
        "seed": st.one_of(st.integers(-5, 10), values),
        "volume": st.one_of(st.dictionaries(st.sampled_from(["middle", "x"]), scalars), values),
        "changes": st.one_of(st.lists(change, max_size=2), values),
        "closures": st.one_of(
            st.fixed_dictionaries({"countries": st.lists(st.sampled_from(["RU", "ZZ", "r"]))}),
            values,
        ),
        "capacities": st.one_of(
            st.lists(
                st.fixed_dictionaries(
                    {"node": st.sampled_from(PLACES), "note": st.just("n"), "source": st.just("s")},
                    optional={"trains_per_day": st.floats(-1, 50), "servers": st.integers(-1, 3)},
                ),
                max_size=2,
            ),
            values,
        ),
        "extends": st.sampled_from(["self.yaml", "missing.yaml", "../x.yaml"]),
        "unknown": values,
    },
)
documents = st.one_of(
    scenario.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    st.text(max_size=60),
    st.sampled_from(["[", "a: b: c", "- 1\n- 2", ": :", "\x00", "key: !!binary x"]),
)


def _check(path: Path, network: mc.Network) -> None:
    try:
        loaded = mc.load_scenario(path)
        mc.run_scenario(loaded, network, samples=100)
    except mc.ScenarioError as exc:
        message = str(exc)
        assert message, "a ScenarioError must say what is wrong"


@settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=documents)
def test_malformed_scenarios_raise_only_scenario_errors(
    text: str, network: mc.Network, tmp_path: Path
) -> None:
    path = tmp_path / "self.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _check(path, network)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=scenario)
def test_cli_validate_and_run_never_print_a_traceback(
    data: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "self.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for command in ("validate", "run"):
        monkeypatch.setattr(
            "sys.argv",
            ["midcorridor", command, str(path), "--samples", "100"][
                : 3 if command == "validate" else 5
            ],
        )
        code: object = 0
        try:
            main()
        except SystemExit as exit_:
            code = exit_.code
        assert code in (0, 2, None)
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err + captured.out
