"""The Markdown report, its charts and the tornado / sensitivity charts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import midcorridor as mc
from midcorridor.analysis import rank_bottlenecks, sensitivity
from midcorridor.calibration import calibrate
from midcorridor.report import (
    REPORT_SECTIONS,
    _sensitivity_figure,
    _tornado_figure,
    bottleneck_trips,
    sensitivity_chart,
    slug,
    tornado_chart,
    write_report,
)

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SAMPLES = 1000
LINK = re.compile(r"\]\(([^)]+)\)")


@pytest.fixture(scope="module")
def runs(network: Any) -> list[Any]:
    return [
        mc.run_scenario(mc.load_scenario(SCENARIOS / f"{name}.yaml"), network, samples=SAMPLES)
        for name in ("baseline", "digital_customs")
    ]


@pytest.fixture(scope="module")
def calibration_rows(network: Any, baseline: Any) -> list[Any]:
    return calibrate(network, baseline, samples=SAMPLES)


@pytest.fixture(scope="module")
def report(
    runs: list[Any], network: Any, calibration_rows: list[Any], tmp_path_factory: Any
) -> Path:
    folder = tmp_path_factory.mktemp("report") / "out"
    return write_report(runs, network, folder, calibration_rows=calibration_rows)


def test_report_has_every_section(report: Path) -> None:
    assert report.name == "report.md"
    assert report.is_file()
    text = report.read_text(encoding="utf-8")
    assert text.startswith("# Transit times: baseline vs digital_customs")
    positions = [text.index(f"\n## {heading}\n") for heading in REPORT_SECTIONS]
    assert positions == sorted(positions)


def test_report_content(report: Path, runs: list[Any], network: Any) -> None:
    text = report.read_text(encoding="utf-8")
    for trip in runs[0].trips:
        assert trip.label in text
    assert "### Scenario digital_customs" in text
    assert "### Almaty-Constanta, Middle Corridor" in text
    assert "### Almaty-Constanta, via Russia" in text
    assert "ferry_wait at Poti port" in text
    assert "P50 saved, removed (days)" in text
    for key in {c.source for t in runs[0].trips for c in t.components}:
        assert f"- `{key}`: {network.cite(key)}" in text


def test_report_calibration_table(report: Path, calibration_rows: list[Any]) -> None:
    text = report.read_text(encoding="utf-8")
    section = text.split("\n## Calibration\n")[1].split("\n## ")[0]
    for row in calibration_rows:
        assert f"| {row.target.name} | {row.target.published} |" in section


def test_report_links_charts_that_exist(report: Path) -> None:
    links = LINK.findall(report.read_text(encoding="utf-8"))
    charts = [link for link in links if link.endswith(".png")]
    assert "time_distance.png" in charts
    assert f"bottlenecks_{slug('Almaty-Constanta, Middle Corridor')}.png" in charts
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
    runs: list[Any], network: Any, tmp_path: Path
) -> None:
    path = write_report(runs[:1], network, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "\n## Calibration\n" not in text
    assert "nothing to compare" in text
    for heading in REPORT_SECTIONS:
        if heading != "Calibration":
            assert f"\n## {heading}\n" in text


def test_report_needs_a_run(network: Any, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one"):
        write_report([], network, tmp_path)


def test_bottleneck_trips(runs: list[Any]) -> None:
    labels = [t.label for t in bottleneck_trips(runs[0])]
    middle = [t.label for t in runs[0].trips if t.route.corridor == "middle"]
    assert labels[: len(middle)] == middle
    # "fastest open" takes the same path as "via Russia": ranked once.
    assert labels[len(middle) :] == ["Almaty-Constanta, via Russia", "Xi'an-Duisburg, via Russia"]


def test_tornado_has_one_bar_per_row(runs: list[Any], network: Any) -> None:
    frame = rank_bottlenecks(runs[0].trip("Almaty-Constanta, Middle Corridor"), network=network)
    frame = frame.head(10)
    fig = _tornado_figure(frame, "title")
    (ax,) = fig.axes
    assert len(ax.patches) == len(frame) == 10
    widths = [p.get_width() for p in ax.patches]
    assert widths == pytest.approx(list(frame["p50_saved_removed"]))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == list(frame["group"])
    assert ax.get_title() == "title"


def test_tornado_files(runs: list[Any], tmp_path: Path) -> None:
    frame = rank_bottlenecks(runs[0].trips[0]).head(5)
    png = tornado_chart(frame, tmp_path / "a" / "t.png", title="t")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tornado_chart(frame, tmp_path / "t.svg", title="t")
    assert "<svg" in svg.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        tornado_chart(frame, tmp_path / "t.jpg", title="t")
    assert not (tmp_path / "t.jpg").exists()


def test_sensitivity_chart(runs: list[Any], tmp_path: Path) -> None:
    frame = sensitivity(runs[0].trips[0]).head(6)
    (ax,) = _sensitivity_figure(frame, "title").axes
    assert len(ax.patches) == len(frame)
    out = sensitivity_chart(frame, tmp_path / "s.png")
    assert out.stat().st_size > 5_000
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        sensitivity_chart(frame, tmp_path / "s.pdf")
