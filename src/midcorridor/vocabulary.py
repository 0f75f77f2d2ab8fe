"""The project's vocabulary, declared once: stages, corridors, node kinds, units, PERT.

Plain Python (no pydantic, no numpy), so the command line can offer these as choices
without importing the model. :mod:`midcorridor.inputs` builds the file models on them.
"""

from __future__ import annotations

from typing import Literal, get_args

HOURS_PER_DAY = 24.0
DAYS_PER_WEEK = 7.0
HOURS_PER_WEEK = HOURS_PER_DAY * DAYS_PER_WEEK
#: Short names of the months, January first.
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: Days in each month of a (non-leap) year, January first.
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

#: Every stage a container's hours belong to, in the order of a trip's telling.
Stage = Literal[
    "rail",
    "sea",
    "documents",
    "inspection",
    "transshipment",
    "port",
    "consolidation",
    "ferry_wait",
    "weather",
    "congestion",
    "disruption",
]
STAGES: tuple[Stage, ...] = get_args(Stage)
#: Stages in plain words, for sentences and chart labels.
STAGE_WORDS: dict[str, str] = {
    "ferry_wait": "waits for a vessel or ferry",
    "port": "port handling",
    "rail": "rail",
    "sea": "at sea",
    "documents": "customs documents",
    "consolidation": "waiting for a train",
    "congestion": "queues",
    "transshipment": "gauge change and transloading",
    "weather": "storms",
    "disruption": "disruptions",
    "inspection": "inspection",
}
#: Stages in which the container moves (the distance cannot be waited away).
MovingStage = Literal["rail", "sea"]
MOVING_STAGES: tuple[MovingStage, ...] = get_args(MovingStage)
#: Stages in which the container stands at a node: every stage that is not moving.
STANDING_STAGES: tuple[Stage, ...] = tuple(s for s in STAGES if s not in MOVING_STAGES)
#: Stages of node processes (``ferry_wait`` and ``weather`` belong to ferry links).
NodeStage = Literal[
    "documents", "inspection", "transshipment", "port", "consolidation", "congestion", "disruption"
]
#: Stages that are paperwork: what digitized customs acts on.
PAPERWORK_STAGES: tuple[Stage, ...] = ("documents", "inspection")
#: Stages that are waits for a departure: a train to be formed, a ferry or vessel.
CONNECTION_STAGES: tuple[Stage, ...] = ("consolidation", "ferry_wait")

#: Steps of the customs process at an office, in the order a WCO Time Release Study times
#: them (``network/customs.yaml``): the wait from arrival to lodgement, the lodging of a new
#: transit declaration and guarantee, registration and risk assessment, the documentary check
#: of the yellow channel and the physical inspection of the red one.
CustomsStep = Literal[
    "arrival_wait", "lodgement", "registration", "documentary_check", "physical_inspection"
]
CUSTOMS_STEPS: tuple[CustomsStep, ...] = get_args(CustomsStep)
#: What a step's hours are for a funder: waiting in a queue, or work at a desk.
StepKind = Literal["queue", "desk"]
STEP_KIND: dict[CustomsStep, StepKind] = {
    "arrival_wait": "queue",
    "lodgement": "desk",
    "registration": "desk",
    "documentary_check": "desk",
    "physical_inspection": "desk",
}
#: How a change of a trip's mean days splits for a funder (``compare``, ``customs``):
#: customs desks, queues at the offices, waits for a departure, and the rest.
SAVING_KINDS: tuple[str, ...] = ("desk", "queue", "connections", "other")
#: The stage of a trip each step's hours belong to.
STEP_STAGE: dict[CustomsStep, Stage] = {
    "arrival_wait": "documents",
    "lodgement": "documents",
    "registration": "documents",
    "documentary_check": "documents",
    "physical_inspection": "inspection",
}
#: Documents a customs step reads.
Document = Literal["transit_declaration", "guarantee", "consignment_note", "certificates"]
DOCUMENTS: tuple[Document, ...] = get_args(Document)
STEP_DOCUMENTS: dict[CustomsStep, tuple[Document, ...]] = {
    "arrival_wait": ("transit_declaration", "consignment_note", "certificates"),
    "lodgement": ("transit_declaration", "guarantee"),
    "registration": ("transit_declaration",),
    "documentary_check": ("consignment_note", "certificates", "transit_declaration"),
    "physical_inspection": (),
}
#: Risk channels of a declaration: released, documents checked, goods inspected.
Channel = Literal["green", "yellow", "red"]
#: The step each checking channel adds (green adds none).
CHANNEL_STEP: dict[Channel, CustomsStep] = {
    "yellow": "documentary_check",
    "red": "physical_inspection",
}
#: Where a digital instrument stands: working, on trial, promised or only proposed.
InstrumentStatus = Literal["in_force", "pilot", "announced", "proposed"]

#: What travels (see ``network/shipments.yaml``): a through block train booked end to
#: end, wagons or wagon groups, or a single container on the regular services.
Shipment = Literal["block_train", "wagonload", "container"]
SHIPMENTS: tuple[Shipment, ...] = get_args(Shipment)
#: How a shipment meets a timetabled departure: ``booked`` on a planned sailing, or
#: ``on_arrival`` on the next one with room.
Connection = Literal["booked", "on_arrival"]

NodeKind = Literal["terminal", "city", "port", "border", "gauge_change", "junction"]
LinkMode = Literal["rail", "ferry", "sea"]
#: The moving stage of each link mode.
MOVING_STAGE_OF_MODE: dict[LinkMode, MovingStage] = {"rail": "rail", "ferry": "sea", "sea": "sea"}
#: The water a ferry or sea link crosses: ``ocean`` for deep-sea container lines
#: (China-Europe by Suez or the Cape).
Sea = Literal["caspian", "black_sea", "ocean"]
Dispatch = Literal["on_fill", "scheduled"]
#: The way a deep-sea line from China to Europe goes: through the Red Sea and the Suez
#: Canal, or round the Cape of Good Hope.
Passage = Literal["suez", "cape"]
PASSAGES: tuple[Passage, ...] = get_args(Passage)

#: Corridor labels of a route (see :func:`midcorridor.network.routing.classify`).
Corridor = Literal["middle", "northern", "sea", "other"]
CORRIDORS: tuple[Corridor, ...] = get_args(Corridor)
#: The corridors cargo chooses between (:mod:`midcorridor.runs.choice`).
ChoiceCorridor = Literal["middle", "northern", "sea"]
CHOICE_CORRIDORS: tuple[ChoiceCorridor, ...] = get_args(ChoiceCorridor)
#: A corridor wanted for a trip: one of :data:`CORRIDORS`, or ``any``.
CorridorChoice = Literal["middle", "northern", "sea", "other", "any"]
CORRIDOR_CHOICES: tuple[CorridorChoice, ...] = get_args(CorridorChoice)

#: How bottlenecks are grouped: a stage at a node, all waits in a country, or a stage.
GroupBy = Literal["place", "country", "stage"]
#: How the spread of days is broken down: every delay, or every stage.
SpreadBy = Literal["component", "stage"]
#: What a criticality ranking orders elements by after the trips they leave with no
#: route: TEU-days lost a year, or the largest extra P50 days or USD of a trip.
RankBy = Literal["teu-days", "days", "usd"]

#: Era (year of the conditions) of a scenario that does not say: what ``network/`` describes.
DEFAULT_ERA = 2025
#: Monte Carlo samples and seed of a scenario file that does not say.
DEFAULT_SAMPLES, DEFAULT_SEED = 20_000, 0
#: Monte Carlo samples of each run of the corridor choice's fixed point, unless the
#: caller says.
CHOICE_SAMPLES = 5_000
#: Monte Carlo samples of the model's side of the CPMM border checks (``customs``), unless
#: the caller says.
BORDER_CHECK_SAMPLES = 4_000
#: Monte Carlo samples of each element's runs in a criticality ranking unless asked: the
#: baseline's elements ranked well within 10 minutes on two cores
#: (benchmarks/bench_criticality.py).
CRITICALITY_SAMPLES = 2_000

#: PERT shape parameter: weight of the mode in a three-point estimate.
PERT_LAMBDA = 4.0


def pert_shape(low: float, mode: float, high: float) -> tuple[float, float]:
    """Beta shape parameters ``(alpha, beta)`` of a PERT estimate on ``[low, high]``.

    A zero-width estimate gives ``(1, 1)`` (a constant, sampled as ``low``).
    """
    width = high - low
    if width <= 0:
        return 1.0, 1.0
    return (
        1 + PERT_LAMBDA * (mode - low) / width,
        1 + PERT_LAMBDA * (high - mode) / width,
    )


def pert_mean(low: float, mode: float, high: float) -> float:
    """PERT mean, ``(low + lambda mode + high) / (lambda + 2)``."""
    return (low + PERT_LAMBDA * mode + high) / (PERT_LAMBDA + 2)
