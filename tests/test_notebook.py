"""The example notebook (docs/examples/first_answer.ipynb) runs from top to bottom in a
fresh kernel of this interpreter and shows what its text promises."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "examples" / "first_answer.ipynb"
#: A kernel of its own, so that the notebook runs on this interpreter, whatever
#: ``python3`` kernel the machine or the user has installed elsewhere.
KERNEL = "midcorridor-tests"
#: Longest a cell may run, seconds (the whole notebook takes well under a minute).
CELL_TIMEOUT_S = 120


def code_cells(nb: Any) -> list[Any]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def cell_running(nb: Any, code: str) -> Any:
    """The one code cell whose source holds ``code``."""
    (cell,) = [cell for cell in code_cells(nb) if code in cell.source]
    return cell


def texts(cell: Any, mime: str) -> str:
    """Everything ``cell`` showed as ``mime`` (``stdout`` for what it printed)."""
    if mime == "stdout":
        return "".join(o.text for o in cell.outputs if o.get("name") == "stdout")
    return "".join(o.data[mime] for o in cell.outputs if mime in o.get("data", {}))


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The notebook after a run from the checkout's top folder."""
    jupyter = tmp_path_factory.mktemp("jupyter")
    spec = jupyter / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "midcorridor tests", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        # Searched before the user's and the environment's kernels.
        env.setenv("JUPYTER_PATH", str(jupyter))
        nb = nbformat.read(NOTEBOOK, as_version=4)
        client = NotebookClient(
            nb,
            timeout=CELL_TIMEOUT_S,
            kernel_name=KERNEL,
            resources={"metadata": {"path": str(ROOT)}},
        )
        client.execute()  # raises CellExecutionError at the first cell that fails
    return nb


def test_the_notebook_is_kept_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    kept = [c.source.splitlines()[0] for c in code_cells(nb) if c.outputs or c.execution_count]
    assert not kept, f"outputs kept in git (clear them before committing): {kept}"


@pytest.mark.slow
def test_every_cell_runs_and_none_warns(executed: Any) -> None:
    cells = code_cells(executed)
    assert all(cell.execution_count for cell in cells)
    warned = [
        o.text
        for cell in cells
        for o in cell.outputs
        if o.get("name") == "stderr" and "Warning" in o.text
    ]
    assert not warned


@pytest.mark.slow
def test_a_run_shows_a_short_repr_and_a_table_of_its_routes(executed: Any) -> None:
    cell = cell_running(executed, "base_run = mc.run_scenario(")
    short = texts(cell, "text/plain")
    assert short.startswith("ScenarioRun('baseline'")
    assert len(short) < 2000
    html = texts(cell, "text/html")
    assert "<table" in html
    assert "Almaty-Constanta, Middle Corridor" in html


@pytest.mark.slow
def test_the_answer_is_the_headline_table_and_its_sentences(executed: Any) -> None:
    answer = texts(cell_running(executed, "mc.headline("), "text/markdown")
    assert "Days Almaty-Constanta by departure month" in answer
    assert "A container Almaty-Constanta on the Middle Corridor takes" in answer
    # Twelve departure months, one row each.
    assert sum(line.startswith("| ") for line in answer.splitlines()) == 2 + 12


@pytest.mark.slow
def test_the_trip_route_and_files_are_shown(executed: Any) -> None:
    stages = texts(cell_running(executed, "trip.stages_frame()"), "text/html")
    assert "ferry_wait" in stages
    route = cell_running(executed, "route_gdf(trip, net)")
    count = int(texts(route, "stdout").split(" legs, ")[0])
    assert count > 1
    assert texts(route, "text/html").count("<tr") == 1 + count  # a header row, one per leg
    images = [
        o for cell in code_cells(executed) for o in cell.outputs if "image/png" in o.get("data", {})
    ]
    assert len(images) == 2  # the headline chart and the time-distance chart
    assert "map written: compare.html" in texts(cell_running(executed, "scenario_map("), "stdout")
