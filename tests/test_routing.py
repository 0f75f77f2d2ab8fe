"""Candidate routes, corridor labels and avoid filters."""

from __future__ import annotations

import pytest

import midcorridor as mc


def test_routes_are_shortest_first_and_labelled(network: mc.Network) -> None:
    routes = mc.candidate_routes(network, "Almaty", "Constanta", k=5)
    km = [r.distance_km for r in routes]
    assert km == sorted(km)
    assert all(r.corridor in ("middle", "northern", "other") for r in routes)
    for route in routes:
        assert len(route.links) == len(route.nodes) - 1
        assert route.nodes[0] == "ALMATY"
        assert route.nodes[-1] == network.find_node("Constanta")
        assert route.distance_km == pytest.approx(
            sum(network.links_by_id[lk].props.length_km for lk in route.links)
        )


def test_middle_routes_cross_the_caspian_and_northern_cross_russia(network: mc.Network) -> None:
    middle = mc.candidate_routes(network, "Xi'an", "Duisburg", corridor="middle", k=3)
    northern = mc.candidate_routes(network, "Xi'an", "Duisburg", corridor="northern", k=3)
    for route in middle:
        assert any(network.links_by_id[lk].props.sea == "caspian" for lk in route.links)
    for route in northern:
        assert "RU" in route.countries
        assert not any(network.links_by_id[lk].props.sea == "caspian" for lk in route.links)


def test_countries_are_in_travel_order(network: mc.Network) -> None:
    route = mc.candidate_routes(network, "Almaty", "Constanta", corridor="middle", k=1)[0]
    order = route.countries
    assert order[0] == "KZ"
    assert order.index("AZ") < order.index("GE")
    assert order[-1] == "RO"


def test_avoid_a_country_and_a_place(network: mc.Network) -> None:
    no_russia = mc.candidate_routes(network, "Xi'an", "Duisburg", avoid=["RU"], k=5)
    assert all("RU" not in r.countries for r in no_russia)
    no_aktau = mc.candidate_routes(network, "Almaty", "Baku", corridor="middle", avoid=["Aktau"])
    assert all("AKTAU_PORT" not in r.nodes for r in no_aktau)


def test_closed_links_are_never_used(network: mc.Network) -> None:
    closed = {lk.id for lk in network.links_by_id.values() if lk.props.status == "closed"}
    assert closed, "the network should mark at least one real closure"
    for route in mc.candidate_routes(network, "Tbilisi", "Kars", k=5):
        assert not closed & set(route.links)


def test_impossible_route_says_why(network: mc.Network) -> None:
    with pytest.raises(
        mc.RouteError, match=r"No route from .* on the northern corridor avoiding RU"
    ):
        mc.candidate_routes(network, "Almaty", "Warsaw", corridor="northern", avoid=["RU"])


def test_unknown_corridor_and_place(network: mc.Network) -> None:
    with pytest.raises(mc.RouteError, match="Unknown corridor"):
        mc.candidate_routes(network, "Almaty", "Baku", corridor="southern")  # type: ignore[arg-type]
    with pytest.raises(mc.PlaceNotFoundError, match="did you mean"):
        mc.candidate_routes(network, "Almaty", "Constansa")
