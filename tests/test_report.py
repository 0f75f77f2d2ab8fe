"""The Markdown report, its charts and the tornado / sensitivity charts."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from matplotlib.patches import Rectangle

import midcorridor as mc
from midcorridor.analysis.bottlenecks import rank_bottlenecks, sensitivity
from midcorridor.analysis.calibration import Calibration, calibrate
from midcorridor.analysis.headline import headline
from midcorridor.analysis.savings import package_savings
from midcorridor.views.charts import (
    group_words,
    sensitivity_chart,
    sensitivity_figure,
    tornado_chart,
    tornado_figure,
)
from midcorridor.views.report import REPORT_SECTIONS, bottleneck_trips, write_report

#: Seconds each: a developer's quick loop (``make quick``) leaves them out.
pytestmark = pytest.mark.slow

Runs = list[mc.ScenarioRun]
LINK = re.compile(r"\]\(([^)]+)\)")


@pytest.fixture(scope="module")
def calibration(network: mc.Network, baseline: mc.Scenario) -> Calibration:
    return calibrate(network, baseline, samples=1000)


@pytest.fixture(scope="module")
def report(
    runs: Runs,
    network: mc.Network,
    calibration: Calibration,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    folder = tmp_path_factory.mktemp("report") / "out"
    packages = [package_savings(runs[1].scenario, network, samples=1000)]
    answers = [headline(run.scenario, network, samples=300) for run in runs]
    return write_report(
        runs, network, folder, calibration=calibration, packages=packages, headlines=answers
    )


def test_report_has_every_section(report: Path) -> None:
    assert report.name == "report.md"
    assert report.is_file()
    text = report.read_text(encoding="utf-8")
    assert text.startswith("# Transit times: baseline vs digital_customs")
    positions = [text.index(f"\n## {heading}\n") for heading in REPORT_SECTIONS]
    assert positions == sorted(positions)


def test_report_content(report: Path, runs: Runs, network: mc.Network) -> None:
    text = report.read_text(encoding="utf-8")
    for trip in runs[0].trips:
        assert trip.label in text
    assert "### Scenario digital_customs" in text
    assert "### Almaty-Constanta, Middle Corridor" in text
    assert "### Almaty-Constanta, via Russia" in text
    assert "ferry_wait at Poti port" in text
    assert "P50 saved, removed" in text
    evidence = text.split("\n## What the days rest on\n")[1].split("\n## ")[0]
    assert "assumed share" in evidence
    for trip in runs[0].trips:
        assert trip.label in evidence
    lines = text.splitlines()
    for key in {c.source for t in runs[0].trips for c in t.components}:
        (line,) = [x for x in lines if x.startswith(f"- `{key}`: ")]
        entry = network.sources[key]
        # Each figure's basis, and for a publication the document itself.
        assert line.startswith(f"- `{key}`: {entry.basis.capitalize()}: ")
        if entry.url:
            assert f"<{entry.url}>" in line


def test_report_leads_with_the_answer_by_class_and_month(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    first = text.split("\n## ")[1]
    assert first.startswith("The answer: days by class and departure month")
    assert first.count("A container Almaty-Constanta on the Middle Corridor takes") == 1
    assert "![Days by departure month](headline.png)" in first
    assert (report.parent / "headline.png").read_bytes().startswith(b"\x89PNG")
    # What the compared scenario changes, class by class, after the table.
    changes = first.split("What the later scenarios change:")[1]
    assert changes.count("\n- With digital_customs, a ") == 2


def test_report_says_what_each_customs_package_removes(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    section = text.split("\n## What digitized customs removes\n")[1].split("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| digital_customs |")]
    assert [r.split(" | ")[1] for r in rows] == [
        "Almaty-Constanta, Middle Corridor",
        "Almaty-Constanta, Middle Corridor, container",
    ]
    for row in rows:
        total = float(row.split(" | ")[2])
        assert total < -0.5  # days removed
        assert row.split(" | ")[6].endswith("%")  # effect on evidence
    assert "kz_az_common_transit (published)" in section
    # The instruments' own sources are cited with the scenario's.
    assert "digital_customs: Electronic rail transit declaration in Kazakhstan" in text


def test_report_calibration_table(report: Path, calibration: Calibration) -> None:
    text = report.read_text(encoding="utf-8")
    section = text.split("\n## Calibration\n")[1].split("\n## ")[0]
    for row in calibration:
        t = row.target
        assert f"| {t.name} | {t.shipment} | {t.era} | {t.published} |" in section


def test_report_links_charts_that_exist(report: Path) -> None:
    links = LINK.findall(report.read_text(encoding="utf-8"))
    charts = [link for link in links if link.endswith(".png")]
    assert "time_distance.png" in charts
    assert "bottlenecks_almaty-constanta-middle-corridor.png" in charts
    assert len(charts) >= 5
    for link in charts:
        assert (report.parent / link).is_file(), link
        assert (report.parent / link).stat().st_size > 5_000


def test_report_tables_are_well_formed(report: Path) -> None:
    """Every row of a Markdown table has as many cells as its header."""
    blocks: list[list[str]] = [[]]
    for line in report.read_text(encoding="utf-8").splitlines():
        if line.startswith("|"):
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    tables = [b for b in blocks if b]
    assert len(tables) >= 8
    for table in tables:
        widths = {len(re.split(r"(?<!\\)\|", row)) for row in table}
        assert len(widths) == 1, table[0]
        assert set(table[1].replace("|", "").split()) <= {"---", "---:"}


def test_report_without_calibration_or_comparison(
    runs: Runs, network: mc.Network, tmp_path: Path
) -> None:
    path = write_report(runs[:1], network, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "\n## Calibration\n" not in text
    assert "nothing to compare" in text
    for heading in REPORT_SECTIONS:
        if heading not in (
            "Calibration",
            "What digitized customs removes",
            "The answer: days by class and departure month",
        ):
            assert f"\n## {heading}\n" in text


def test_report_needs_a_run(network: mc.Network, tmp_path: Path) -> None:
    with pytest.raises(mc.MidcorridorError, match="at least one"):
        write_report([], network, tmp_path)


def test_bottleneck_trips(runs: Runs) -> None:
    labels = [t.label for t in bottleneck_trips(runs[0])]
    middle = [t.label for t in runs[0].trips if t.route.corridor == "middle"]
    assert labels[: len(middle)] == middle
    # "fastest open" takes the same path as "via Russia": ranked once.
    assert labels[len(middle) :] == [
        "Almaty-Constanta, via Russia",
        "Almaty-Constanta, via Russia, container",
        "Xi'an-Duisburg, via Russia",
    ]


def test_tornado_has_one_bar_per_row(runs: Runs, network: mc.Network) -> None:
    ranking = rank_bottlenecks(runs[0].trip("Almaty-Constanta, Middle Corridor"), network=network)
    ranking = ranking.head(10)
    frame = ranking.frame
    (ax,) = tornado_figure(ranking, title="title").axes
    assert len(ax.patches) == len(frame) == 10
    widths = [p.get_width() for p in ax.patches if isinstance(p, Rectangle)]
    assert widths == pytest.approx(list(frame["p50_saved_removed"]))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [
        group_words(g, s) for g, s in zip(frame["group"], frame["stage"], strict=True)
    ]
    assert ax.get_title() == "title"


def test_tornado_files(runs: Runs, tmp_path: Path) -> None:
    ranking = rank_bottlenecks(runs[0].trips[0]).head(5)
    with pytest.raises(mc.MidcorridorError, match=r"does not exist; create it first"):
        tornado_chart(ranking, tmp_path / "a" / "t.png", title="t")
    assert not (tmp_path / "a").exists()
    png = tornado_chart(ranking, tmp_path / "t.png", title="t")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tornado_chart(ranking, tmp_path / "t.svg", title="t")
    assert "<svg" in svg.read_text(encoding="utf-8")
    with pytest.raises(mc.MidcorridorError, match=r"\.png or \.svg"):
        tornado_chart(ranking, tmp_path / "t.jpg", title="t")
    assert not (tmp_path / "t.jpg").exists()


def test_sensitivity_chart(runs: Runs, tmp_path: Path) -> None:
    spread = sensitivity(runs[0].trips[0]).head(6)
    (ax,) = sensitivity_figure(spread, title="title").axes
    assert len(ax.patches) == len(spread.frame)
    out = sensitivity_chart(spread, tmp_path / "s.png")
    assert out.stat().st_size > 5_000
    with pytest.raises(mc.MidcorridorError, match=r"\.png or \.svg"):
        sensitivity_chart(spread, tmp_path / "s.pdf")


@pytest.fixture(scope="module")
def saturated_report(
    saturated_runs: Runs, network: mc.Network, tmp_path_factory: pytest.TempPathFactory
) -> str:
    folder = tmp_path_factory.mktemp("x3")
    return write_report(saturated_runs, network, folder).read_text(encoding="utf-8")


def _rows(text: str, label: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(f"| {label} |")]


def test_saturated_trips_read_as_lower_bounds_in_the_report(
    saturated_report: str, saturated_runs: Runs
) -> None:
    """The defect: 476.5 days written as a transit time for a saturated trip."""
    text = saturated_report
    assert "Some figures are lower bounds" in text
    trip = saturated_runs[1].trip("Almaty-Constanta, Middle Corridor")
    assert trip.saturated
    p50 = trip.days()["p50"]
    # No row of any table gives the saturated trip's P50 as a plain number.
    rows = "\n".join(line for line in text.splitlines() if line.startswith("|"))
    assert f"{p50:.1f}" not in rows
    section = text.split("### Scenario volume_x3")[1].split("\n## ")[0]
    (row,) = _rows(section, trip.label)
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[4:7] == [f">{int(trip.days()[q]):,}" for q in ("p10", "p50", "p90")]
    # Its stage days that come from the saturated queues are lower bounds too.
    assert "ferry_wait >" in cells[-1]
    assert f"{trip.stages_days()['ferry_wait']:.1f}" not in text
    changes = text.split("## What the later scenarios changed")[1].split("\n## ")[0]
    (row,) = _rows(changes, trip.label)
    assert f">{int(p50):,}" in row
    # The same route in the baseline is a transit time, written plainly.
    base = saturated_runs[0].trip(trip.label)
    assert f"{base.days()['p50']:.1f}" in text


def test_report_escapes_names(runs: Runs, network: mc.Network, tmp_path: Path) -> None:
    run = runs[0]
    hostile = run.scenario.model_copy(
        update={"name": "<script>alert(1)</script> | x", "description": "<img src=x onerror=y>"}
    )
    path = write_report([dataclasses.replace(run, scenario=hostile)], network, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "<script>" not in text
    assert "<img" not in text
    assert "&lt;script>alert(1)&lt;/script>" in text


def test_report_prices_the_trips_and_cites_the_cost_figures(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    assert "![Cost-distance chart](cost_distance.png)" in text
    assert (report.parent / "cost_distance.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "P50 USD/FEU" in text
    # The figures the costs rest on are in the sources, with their basis.
    sources = text.split("## Sources")[1]
    assert "rate_1520_erai_2025" in sources
    assert "asco_container_tariff" in sources


def test_a_chart_already_drawn_is_copied_and_is_the_one_it_would_draw(
    runs: Runs, network: mc.Network, report: Path, tmp_path: Path
) -> None:
    """compare --chart --report draws the time-distance chart once: the report copies it.
    The copy is byte for byte the chart the report draws itself of the same runs."""
    from midcorridor.views.distance_charts import time_distance_chart

    mine = time_distance_chart(runs, network, tmp_path / "mine.png")
    assert mine.read_bytes() == (report.parent / "time_distance.png").read_bytes()
    marked = tmp_path / "marked.png"
    marked.write_bytes(mine.read_bytes() + b"copied")  # a copy is told from a drawing
    copied = write_report(runs, network, tmp_path / "out", drawn={"time_distance.png": marked})
    assert (copied.parent / "time_distance.png").read_bytes() == marked.read_bytes()
    assert (copied.parent / "cost_distance.png").read_bytes() == (
        report.parent / "cost_distance.png"
    ).read_bytes()
