"""A thousand malformed and hostile scenarios: each ends in a MidcorridorError, never a
traceback, a hang or a MemoryError; and a scenario that passes the check runs.

Hostile means: huge, tiny and non-finite floats, negative zero, huge integers, deep
nesting, anchors and aliases (up to the "billion laughs"), duplicate keys, tags, and
text that means something to a terminal or a browser (``[/]``, ``[bold]``, ``<script>``).
The runs are derandomized: the same examples every time.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import midcorridor as mc
from midcorridor.cli import main
from midcorridor.runs.runner import check_scenario

#: Seconds each: a developer's quick loop (``make quick``) leaves them out.
pytestmark = pytest.mark.slow

PLACES = ["Almaty", "Constanta", "Xi'an", "Duisburg", "Aktau", "Konstanta", "", "RU", "🚂"]
#: Numbers at and beyond every bound, and the floats that break arithmetic.
HOSTILE_NUMBERS: list[Any] = [
    1e308,
    -1e308,
    1e300,
    1e-300,
    5e-324,
    -0.0,
    0.0,
    math.inf,
    -math.inf,
    math.nan,
    0.5,
    19.99,
    20,
    1e7,
    100_000,
    100_001,
    87_600,
    87_601,
    -87_601,
    8_760,
    8_761,
    1_000,
    1_001,
    10**9,
    2**63,
    10**30,
    10**400,
    -(10**20),
]
#: Text that means something to rich markup, HTML or a format string.
HOSTILE_TEXT = ["[/]", "[bold]x[/bold]", "<script>alert(1)</script>", "{0}", "%s", "a\u202eb"]
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

hostile_numbers = st.sampled_from(HOSTILE_NUMBERS)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_numbers,
    st.text(max_size=12),
    st.sampled_from(PLACES + HOSTILE_TEXT),
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
    optional={
        "corridor": st.sampled_from(["middle", "northern", "any", "nope", 3]),
        "label": st.sampled_from(HOSTILE_TEXT),
    },
)
change = st.fixed_dictionaries(
    {"note": st.text(max_size=5), "source": st.text(max_size=5)},
    optional={
        "stage": st.sampled_from(["documents", "ferry_wait", "rail", "sleep", ["rail", "x"]]),
        "scale": st.one_of(st.floats(-2, 3), st.text(max_size=3), hostile_numbers),
        "set": st.one_of(st.floats(-1, 100), hostile_numbers),
        "add": st.one_of(st.floats(allow_nan=True), hostile_numbers),
        "node": st.sampled_from(PLACES),
        "country": st.sampled_from(["KZ", "kz", "Kazakhstan", 7]),
    },
)
service = st.fixed_dictionaries(
    {"note": st.just("n"), "source": st.just("s")},
    optional={
        "sea": st.sampled_from(["caspian", "black_sea", "baltic"]),
        "link": st.sampled_from(["AKTAU_PORT-ALAT_PORT", "NOPE"]),
        "dispatch": st.sampled_from(["on_fill", "scheduled", "never"]),
        "headway_hours": hostile_numbers,
        "capacity_teu": hostile_numbers,
        "vessels": hostile_numbers,
        "round_trip_hours": hostile_numbers,
        "max_hold_hours": hostile_numbers,
    },
)
capacity = st.fixed_dictionaries(
    {"node": st.sampled_from(PLACES), "note": st.just("n"), "source": st.just("s")},
    optional={
        "trains_per_day": st.one_of(st.floats(-1, 50), hostile_numbers),
        "servers": st.one_of(st.integers(-1, 3), hostile_numbers),
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
        "volume": st.one_of(
            st.dictionaries(st.sampled_from(["middle", "northern", "x"]), scalars), values
        ),
        "changes": st.one_of(st.lists(change, max_size=2), values),
        "services": st.one_of(st.lists(service, max_size=2), values),
        "closures": st.one_of(
            st.fixed_dictionaries({"countries": st.lists(st.sampled_from(["RU", "ZZ", "r"]))}),
            values,
        ),
        "capacities": st.one_of(st.lists(capacity, max_size=2), values),
        "extends": st.sampled_from(
            ["self.yaml", "missing.yaml", "../x.yaml", "", ".", "/", "a\x00b", "x" * 300]
        ),
        "unknown": values,
    },
)
#: Scenarios that run but for hostile figures: they reach the runner and the queue engine.
runnable = st.fixed_dictionaries(
    {
        "samples": st.just(100),
        "routes": st.lists(
            st.fixed_dictionaries(
                {
                    "origin": st.sampled_from(["Aktau", "Kuryk"]),
                    "destination": st.just("Alat"),
                    "corridor": st.just("middle"),
                },
                optional={"label": st.sampled_from(HOSTILE_TEXT)},
            ),
            min_size=1,
            max_size=2,
        ),
    },
    optional={
        "name": st.sampled_from(HOSTILE_TEXT),
        "description": st.sampled_from(HOSTILE_TEXT),
        "volume": st.dictionaries(
            st.sampled_from(["middle", "northern"]),
            st.one_of(hostile_numbers, st.floats(0, 200_000)),
            max_size=2,
        ),
        "services": st.lists(service, max_size=2),
        "capacities": st.lists(
            capacity.filter(lambda c: c["node"] == "Aktau" or "servers" not in c), max_size=2
        ),
        "changes": st.lists(change, max_size=3),
    },
)

#: A scenario that runs, for hostile YAML to be added to.
RUNNABLE = "samples: 100\nroutes:\n  - {origin: Almaty, destination: Constanta, corridor: middle}\n"


def _laughs(width: int, levels: int, where: str) -> str:
    """The "billion laughs": ``levels`` of ``width`` aliases each, the last at ``where``."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    lines.append(f"{where}: [{', '.join([f'*l{levels - 1}'] * width)}]")
    return RUNNABLE + "\n".join(lines) + "\n"


def _nested(depth: int, kind: str, where: str) -> str:
    inner = {"list": "[" * depth + "]" * depth, "map": "{a: " * depth + "1" + "}" * depth}[kind]
    return f"{RUNNABLE}{where}: {inner}\n"


def _duplicated(data: dict[str, Any], key: str) -> str:
    return yaml.safe_dump(data) + f"{key}: again\n"


def _described(value: str) -> str:
    return f"{RUNNABLE}description: {value}\n"


def _runnable(text: str) -> str:
    return text if "routes" in text else RUNNABLE + text


def _dumped(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True)


FIELD_NAMES = st.sampled_from(["description", "routes", "volume", "changes", "name", "seed"])
hostile_documents = st.one_of(
    st.builds(_laughs, st.integers(2, 12), st.integers(1, 9), FIELD_NAMES),
    st.builds(_nested, st.integers(1, 120), st.sampled_from(["list", "map"]), FIELD_NAMES),
    st.builds(_duplicated, scenario, FIELD_NAMES),
    st.sampled_from(
        [
            "!!python/object/apply:os.system [true]",
            "!!python/name:os.system",
            "!!binary aGk=",
            "!!set {a, b}",
            "!!omap [a: 1]",
            "!!timestamp 2024-01-01",
            "!local x",
            "2025-13-45",
            "0x" + "f" * 500,
            "9" * 500,
            "&a [*a]",
        ]
    ).map(_described),
    st.sampled_from(
        [
            "name: &n x\ndescription: *n\n",
            "routes:\n  - &r {origin: Almaty, destination: Constanta}\n"
            "  - {<<: *r, corridor: northern}\n",
            "routes:\n  - &r {origin: Almaty, destination: Constanta}\n  - *r\n",
        ]
    ).map(_runnable),
)
documents = st.one_of(
    scenario.map(_dumped),
    runnable.map(_dumped),
    st.text(max_size=60),
    st.sampled_from(["[", "a: b: c", "- 1\n- 2", ": :", "\x00", "key: !!binary x"]),
    hostile_documents,
)


def _check(path: Path, network: mc.Network) -> None:
    """Load and check: a MidcorridorError or nothing; what passes the check runs."""
    try:
        loaded = mc.load_scenario(path)
        check_scenario(loaded, network)
    except mc.MidcorridorError as exc:
        message = str(exc)
        assert message, "an error must say what is wrong"
        assert len(message) < 5000, "an error must not echo a huge value"
        return
    run = mc.run_scenario(loaded, network, samples=100)
    for trip in run.trips:
        assert np.isfinite(trip.hours).all()


# A failing example can be large; Hypothesis then warns about its repr, and (warnings
# being errors) the warning would hide the failure itself.
@pytest.mark.filterwarnings(
    "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"
)
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


@pytest.mark.filterwarnings(
    "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"
)
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.one_of(scenario, runnable))
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
