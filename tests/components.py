"""Hand-built trip components for tests of the time model."""

from __future__ import annotations

import numpy as np

from midcorridor.model.delays import Component, Dist
from midcorridor.model.timetable import Timetable
from midcorridor.vocabulary import NodeKind, Stage


def make_component(
    stage: Stage,
    dist: Dist,
    *,
    probability: float = 1.0,
    timetable: Timetable | None = None,
    link: str | None = None,
    probability_by_month: tuple[float, ...] | None = None,
    empirical: np.ndarray | None = None,
    countries: tuple[str, ...] = ("GE",),
    node_kind: NodeKind = "port",
) -> Component:
    """A component at node ``X`` with source ``s``; a ferry link's when ``link`` is given."""
    return Component(
        stage=stage,
        node="X",
        link=link,
        dist=dist,
        probability=probability,
        source="s",
        countries=countries,
        node_kind=node_kind,
        link_mode="ferry" if link else None,
        probability_by_month=probability_by_month,
        empirical=empirical,
        timetable=timetable,
    )
