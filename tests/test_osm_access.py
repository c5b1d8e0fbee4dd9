"""Access rules of real OpenStreetMap ways: deliveries-only and destination-only streets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from optimizer.config import PlannerConfig
from optimizer.osm import describe_road_network, import_road_network
from optimizer.profiles import build_profile_network
from optimizer.roadgraph import (
    ACCESS_ALL,
    ACCESS_FOOT,
    ACCESS_MOTORCAR,
    ACCESS_MOTORCYCLE,
    DELIVERY_FOOT,
    DELIVERY_MOTORCAR,
    DELIVERY_MOTORCYCLE,
    DESTINATION_MOTORCAR,
    DESTINATION_MOTORCYCLE,
    RoadGraph,
    access_bits,
)

#: A square of residential streets (1-2-3-4), a deliveries-only diagonal 1-3 and a
#: destination-only diagonal 2-4 (about 110 m a side).
SQUARE = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" lat="-8.2000" lon="114.3000"/>
  <node id="2" lat="-8.2000" lon="114.3010"/>
  <node id="3" lat="-8.2010" lon="114.3010"/>
  <node id="4" lat="-8.2010" lon="114.3000"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
    <tag k="highway" v="residential"/></way>
  <way id="11"><nd ref="1"/><nd ref="3"/>
    <tag k="highway" v="residential"/><tag k="access" v="delivery"/></way>
  <way id="12"><nd ref="2"/><nd ref="4"/>
    <tag k="highway" v="residential"/><tag k="motor_vehicle" v="destination"/></way>
</osm>
"""


@pytest.fixture(scope="module")
def square(tmp_path_factory: pytest.TempPathFactory) -> RoadGraph:
    path = Path(tmp_path_factory.mktemp("osm")) / "square.osm"
    path.write_text(SQUARE, encoding="utf-8")
    return import_road_network(path)


def _edge(graph: RoadGraph, u: int, v: int) -> int:
    ids = graph.node_id
    found = np.flatnonzero((ids[graph.edge_u] == u) & (ids[graph.edge_v] == v))
    assert found.size == 1
    return int(found[0])


def test_access_tags_give_delivery_and_destination_bits() -> None:
    assert access_bits({"access": "delivery"}) == (
        DELIVERY_MOTORCAR | DELIVERY_MOTORCYCLE | DELIVERY_FOOT
    )
    assert access_bits({"motor_vehicle": "destination"}) == (
        ACCESS_ALL | DESTINATION_MOTORCAR | DESTINATION_MOTORCYCLE
    )
    assert access_bits({"access": "customers", "motorcycle": "no"}) == (
        ACCESS_MOTORCAR | ACCESS_FOOT | DESTINATION_MOTORCAR
    )
    assert access_bits({"access": "private"}) == 0
    assert access_bits({"motor_vehicle": "delivery"}) == (
        DELIVERY_MOTORCAR | DELIVERY_MOTORCYCLE | ACCESS_FOOT
    )
    assert access_bits({}) == ACCESS_ALL


def test_imported_ways_keep_their_access(square: RoadGraph) -> None:
    delivery = int(square.access[_edge(square, 1, 3)])
    destination = int(square.access[_edge(square, 2, 4)])
    assert delivery & DELIVERY_MOTORCAR
    assert not delivery & ACCESS_MOTORCAR
    assert destination & ACCESS_MOTORCAR
    assert destination & DESTINATION_MOTORCAR
    assert int(square.access[_edge(square, 1, 2)]) == ACCESS_ALL
    assert ACCESS_MOTORCYCLE & int(square.access[_edge(square, 3, 4)])


def test_a_delivery_team_may_use_a_deliveries_only_street(square: RoadGraph) -> None:
    car = PlannerConfig().graph.profiles["car"]
    diagonal = _edge(square, 1, 3)
    assert build_profile_network(square, "car", car).allowed_edges[diagonal]
    closed = car.model_copy(update={"delivery": False})
    assert not build_profile_network(square, "car", closed).allowed_edges[diagonal]


def test_maps_info_reports_restricted_roads(square: RoadGraph) -> None:
    roads = describe_road_network(square)["profile_roads"]
    assert isinstance(roads, dict)
    side_km = float(np.max(square.length_m)) / 1000
    for profile in ("car", "motorbike"):
        assert 0.1 < roads[profile]["delivery_km"] <= side_km
        assert 0.1 < roads[profile]["destination_km"] <= side_km
    assert roads["foot"]["destination_km"] == 0.0
