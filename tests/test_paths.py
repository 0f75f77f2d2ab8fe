"""Where the network and the scenarios are found when none is named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import midcorridor as mc
import midcorridor.inputs._paths as paths
from midcorridor.inputs.scenario import default_scenario
from midcorridor.network.network import NODES_FILE
from midcorridor.network.read import default_network_dir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory, no $MIDCORRIDOR_NETWORK; returns the directory."""
    monkeypatch.delenv(paths.NETWORK_ENV, raising=False)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


@pytest.fixture
def no_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The package runs from an installed copy: no checkout with network/ or scenarios/."""
    empty = tmp_path / "installed"
    empty.mkdir()
    monkeypatch.setattr(paths, "CHECKOUT", empty)
    return empty


def copy_network(folder: Path) -> Path:
    shutil.copytree(ROOT / "network", folder)
    return folder


def copy_scenario(folder: Path, name: str = "baseline") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(ROOT / "scenarios" / f"{name}.yaml", folder))


# --- the network ---------------------------------------------------------------------


def test_the_environment_variable_wins(
    nowhere: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    named = copy_network(tmp_path / "named")
    copy_network(nowhere / "network")
    monkeypatch.setenv(paths.NETWORK_ENV, str(named))
    assert default_network_dir() == named
    assert mc.load().path == named


def test_the_environment_variable_is_taken_even_if_the_folder_is_wrong(
    nowhere: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(paths.NETWORK_ENV, str(tmp_path / "missing"))
    assert default_network_dir() == tmp_path / "missing"
    with pytest.raises(mc.NetworkError, match="missing"):
        mc.load()


def test_an_empty_environment_variable_is_ignored(
    nowhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_network(nowhere / "network")
    monkeypatch.setenv(paths.NETWORK_ENV, "")
    assert default_network_dir().resolve() == (nowhere / "network").resolve()


def test_network_in_the_working_directory_comes_next(nowhere: Path) -> None:
    copy_network(nowhere / "network")
    found = default_network_dir()
    assert found.resolve() == (nowhere / "network").resolve()
    assert found.resolve() != (paths.CHECKOUT / "network").resolve()
    assert mc.load().path.resolve() == found.resolve()


def test_a_network_folder_without_the_nodes_file_is_passed_over(nowhere: Path) -> None:
    (nowhere / "network").mkdir()
    (nowhere / "network" / "links.geojson").write_text("{}", encoding="utf-8")
    assert default_network_dir() == paths.CHECKOUT / "network"


def test_then_the_checkouts_network(nowhere: Path) -> None:
    found = default_network_dir()
    assert found == paths.CHECKOUT / "network"
    assert (found / NODES_FILE).is_file()


def test_no_network_anywhere_says_how_to_name_one(nowhere: Path, no_checkout: Path) -> None:
    with pytest.raises(mc.NetworkError) as info:
        default_network_dir()
    message = str(info.value)
    assert "No network folder found" in message
    assert "--network FOLDER" in message
    assert paths.NETWORK_ENV in message
    with pytest.raises(mc.NetworkError, match="--network FOLDER"):
        mc.load()


def test_the_checkout_is_not_needed_when_the_cwd_has_a_network(
    nowhere: Path, no_checkout: Path
) -> None:
    copy_network(nowhere / "network")
    assert default_network_dir().resolve() == (nowhere / "network").resolve()


# --- the scenarios -------------------------------------------------------------------


def test_a_scenario_in_the_working_directory_wins(nowhere: Path) -> None:
    copied = copy_scenario(nowhere / "scenarios")
    found = default_scenario("baseline")
    assert found.resolve() == copied.resolve()
    assert default_scenario().resolve() == copied.resolve()


def test_a_scenario_missing_here_is_taken_from_the_checkout(nowhere: Path) -> None:
    copy_scenario(nowhere / "scenarios", "baseline")
    found = default_scenario("volume_x3")
    assert found == paths.CHECKOUT / "scenarios" / "volume_x3.yaml"
    assert found.is_file()


def test_then_the_checkouts_scenario(nowhere: Path) -> None:
    found = default_scenario("baseline")
    assert found == paths.CHECKOUT / "scenarios" / "baseline.yaml"
    assert mc.load_scenario(found).name == "baseline"


def test_the_network_variable_does_not_move_the_scenarios(
    nowhere: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    copy_scenario(elsewhere / "scenarios")
    monkeypatch.setenv(paths.NETWORK_ENV, str(elsewhere / "network"))
    assert default_scenario() == paths.CHECKOUT / "scenarios" / "baseline.yaml"


def test_no_scenario_anywhere_says_how_to_name_one(nowhere: Path, no_checkout: Path) -> None:
    with pytest.raises(mc.ScenarioError) as info:
        default_scenario("baseline")
    message = str(info.value)
    assert "'baseline'" in message
    assert "scenarios/baseline.yaml" in message
    assert "--scenario FILE" in message


def test_an_unknown_scenario_name_is_an_error_even_in_a_checkout(nowhere: Path) -> None:
    with pytest.raises(mc.ScenarioError, match="no_such_scenario"):
        default_scenario("no_such_scenario")
