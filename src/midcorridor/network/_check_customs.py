"""Checks of ``customs.yaml`` and ``instruments.yaml`` against the rest of the network.

Every figure's source key is known (:func:`~._validate.check_customs_sources`, run with
the other source checks); an office is a node and has no ``documents`` or ``inspection`` process of
its own (the chain replaces them); country keys are countries of the network; the desk
steps of an office fit within its clearance hours (the rest is the wait for lodgement); an
instrument names known countries, offices and regimes (:func:`check_customs`).
"""

from __future__ import annotations

from .._errors import did_you_mean
from ..inputs._yaml import short_repr
from ..inputs.customs_files import DEFAULT_KEY, CustomsBook, InstrumentBook
from ..vocabulary import PAPERWORK_STAGES, STEP_DOCUMENTS
from ._validate import Problems, unknown_node
from .network import CUSTOMS_FILE, INSTRUMENTS_FILE, Network

__all__ = ["check_customs"]


def check_customs(network: Network, problems: Problems) -> None:
    """``customs.yaml`` and ``instruments.yaml`` fit the network (see the module)."""
    book = network.customs
    if book is None:
        if network.instruments is not None:
            problems.add(INSTRUMENTS_FILE, None, None, f"needs {CUSTOMS_FILE} (the offices)")
        return
    _check_book(network, book, problems)
    if network.instruments is not None:
        _check_instruments(network, book, network.instruments, problems)


def _country(network: Network, code: str, file: str, fld: str, problems: Problems) -> None:
    if code != DEFAULT_KEY and code not in network.countries:
        hint = did_you_mean(code, sorted(network.countries), n=1)
        problems.add(file, None, fld, f"no node of the network is in {short_repr(code)}{hint}")


def _office_of(book: CustomsBook, node_id: str) -> str:
    """The problem of naming a node that is not an office."""
    hint = did_you_mean(node_id, book.offices, n=1)
    return f"{short_repr(node_id)} is not an office of {CUSTOMS_FILE}{hint}"


def _check_book(network: Network, book: CustomsBook, problems: Problems) -> None:
    for section, codes in (("steps", book.steps), ("channels", book.channels)):
        for code in codes:
            _country(network, code, CUSTOMS_FILE, f"{section}.{code}", problems)
    for node_id, office in book.offices.items():
        fld = f"offices.{node_id}"
        node = network.nodes_by_id.get(node_id)
        if node is None:
            problems.add(CUSTOMS_FILE, None, fld, unknown_node(node_id, network.nodes_by_id))
            continue
        own = sorted({p.stage for p in node.props.processes if p.stage in PAPERWORK_STAGES})
        if own:
            problems.add(
                CUSTOMS_FILE,
                None,
                fld,
                f"{node_id} also has {', '.join(own)} processes in the nodes file: an "
                "office's customs is its chain here, remove them there",
            )
        for country in node.props.countries:
            desk = book.desk_mean_hours(node_id, country)
            if desk > office.clearance.mean:
                problems.add(
                    CUSTOMS_FILE,
                    None,
                    f"{fld}.clearance",
                    f"mean {office.clearance.mean:.2f} h is less than the desk steps' "
                    f"{desk:.2f} h entering {country}: the clearance holds them",
                )
    for i, declaration in enumerate(book.declarations):
        for j, node_id in enumerate(declaration.nodes):
            if node_id not in book.offices:
                fld = f"declarations.{i}.nodes.{j}"
                problems.add(CUSTOMS_FILE, None, fld, _office_of(book, node_id))


def _check_instruments(
    network: Network, book: CustomsBook, instruments: InstrumentBook, problems: Problems
) -> None:
    for key, inst in instruments.instruments.items():
        where = f"instruments.{key}"
        for j, code in enumerate(inst.countries):
            _country(network, code, INSTRUMENTS_FILE, f"{where}.countries.{j}", problems)
        for j, node_id in enumerate(inst.nodes or ()):
            if node_id not in book.offices:
                problems.add(
                    INSTRUMENTS_FILE, None, f"{where}.nodes.{j}", _office_of(book, node_id)
                )
        for j, effect in enumerate(inst.effects):
            for k, step in enumerate(effect.steps):
                reads = STEP_DOCUMENTS[step]
                if reads and not set(reads) & set(inst.documents):
                    problems.add(
                        INSTRUMENTS_FILE,
                        None,
                        f"{where}.effects.{j}.steps.{k}",
                        f"{step} reads {', '.join(reads)}, none of the instrument's documents "
                        f"({', '.join(inst.documents)})",
                    )
        if inst.joins is not None and inst.joins not in book.regimes:
            hint = did_you_mean(inst.joins, book.regimes, n=1)
            problems.add(
                INSTRUMENTS_FILE,
                None,
                f"{where}.joins",
                f"unknown regime {short_repr(inst.joins)}{hint}",
            )
