"""Matrix benchmark: all sub-problem travel-time matrices of a scenario, and the naive way.

    .venv/bin/python bench/bench_matrices.py [SCENARIO] [--sample N]
    .venv/bin/python bench/bench_matrices.py [SCENARIO] --shared-cache

Prints the time to build every sub-problem matrix (each profile) with compiled Dijkstra on the
CSR graph, on 1 and on all cores, peak memory, and the same work done the naive way (networkx
single-source Dijkstra per source on the whole profile network) for a sample of sub-problems,
as a per-source time ratio.

With ``--shared-cache`` it instead plans the scenario twice in one process with the ``--quick``
solver settings and one :class:`optimizer.pipeline.PipelineCache`, and prints each run's stage
times and what the second run took from the cache.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import networkx as nx
import numpy as np

from optimizer.api import QUICK_SETTINGS, apply_solver_overrides, plan_loaded
from optimizer.matrix import build_matrices, build_submatrix, local_sites
from optimizer.parallel import default_workers
from optimizer.partition import Partition, build_partition
from optimizer.pipeline import PipelineCache
from optimizer.profiles import ProfileNetwork
from optimizer.roadgraph import RoadGraph
from optimizer.scenario import load_scenario
from optimizer.snapping import Snapped

ROOT = Path(__file__).resolve().parents[1]


def plan_twice(path: Path) -> int:
    """Plan a scenario twice with one shared cache, then with every second team; print reuse."""
    scenario = apply_solver_overrides(load_scenario(path), QUICK_SETTINGS)
    half = scenario.model_copy(update={"teams": scenario.teams[::2]})
    cache = PipelineCache()
    first = None
    for run, variant in ((1, scenario), (2, scenario), (3, half)):
        built = cache.built["matrix"]
        start = time.perf_counter()
        plan = plan_loaded(variant, cache=cache).plan
        total = time.perf_counter() - start
        stages = ", ".join(f"{k} {v:.1f}" for k, v in plan.stats.stage_seconds.items())
        same = "" if first is None or run == 3 else f"; same plan as run 1: {plan == first}"
        print(f"run {run}: {total:.1f} s ({stages}); {len(plan.routes)} routes{same}")
        print(f"  matrices built in this run: {cache.built['matrix'] - built}")
        print(f"  cache so far: {cache.summary()}")
        first = first or plan
    return 0


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "banyuwangi.toml"))
    parser.add_argument("--sample", type=int, default=3, help="sub-problems for the naive run")
    parser.add_argument(
        "--shared-cache", action="store_true", help="plan twice with one cache (quick settings)"
    )
    return parser.parse_args()


def time_compiled(
    graph: RoadGraph,
    networks: dict[str, ProfileNetwork],
    snapped: Snapped,
    partition: Partition,
    buffer_m: float,
) -> None:
    """Build every matrix on 1 and on all cores; print the times."""
    timings = {}
    for workers in sorted({1, default_workers()}):
        start = time.perf_counter()
        matrices = build_matrices(
            graph, networks, snapped, partition, buffer_m=buffer_m, workers=workers
        )
        timings[workers] = time.perf_counter() - start
        print(
            f"compiled, {workers} worker(s): {timings[workers]:.1f} s for all matrices "
            f"({matrices.fallbacks} needed a wider search box)"
        )


def reference_graph(network: ProfileNetwork) -> nx.DiGraph:
    """Copy a profile network into networkx, for the naive searches."""
    coo = network.csr.tocoo()
    reference = nx.DiGraph()
    reference.add_weighted_edges_from(
        zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)
    )
    return reference


def compare_naive(
    graph: RoadGraph,
    networks: dict[str, ProfileNetwork],
    profile: str,
    snapped: Snapped,
    partition: Partition,
    buffer_m: float,
    sample: int,
) -> None:
    """Time a few sub-problems' matrices compiled and the naive way; print both and the ratio."""
    # Naive: networkx Dijkstra from every source of a few sub-problems on the whole network.
    rng = np.random.default_rng(0)
    picks = rng.choice(
        len(partition.subproblems), size=min(sample, len(partition.subproblems)), replace=False
    )
    network = networks[profile]
    reference = reference_graph(network)
    naive_s = compiled_s = 0.0
    sources = 0
    for index in sorted(int(i) for i in picks):
        sp = partition.subproblems[index]
        start = time.perf_counter()
        matrix, _ = build_submatrix(graph, network, snapped, sp, buffer_m=buffer_m)
        compiled_s += time.perf_counter() - start
        nodes = [int(n) for n in matrix.nodes if n >= 0]
        start = time.perf_counter()
        for node in nodes:
            lengths = nx.single_source_dijkstra_path_length(reference, node, weight="weight")
            check = [lengths[t] for t in nodes]
            assert len(check) == len(nodes)
        naive_s += time.perf_counter() - start
        sources += len(nodes)
        assert local_sites(snapped, sp).size == matrix.sites.size
    print(f"sample: {len(picks)} sub-problems, {sources} sources, profile {profile}")
    print(
        f"  compiled (region CSR + scipy): {compiled_s:.2f} s "
        f"({1000 * compiled_s / sources:.2f} ms per source)"
    )
    print(
        f"  naive (networkx per source, whole network): {naive_s:.2f} s "
        f"({1000 * naive_s / sources:.2f} ms per source)"
    )
    print(f"  ratio naive/compiled: {naive_s / compiled_s:.0f}x")


def print_memory() -> None:
    """Print the peak resident memory of this process and of its largest worker."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: main {own:.0f} MB, largest worker {children:.0f} MB")


def main() -> int:
    args = parse_args()
    if args.shared_cache:
        return plan_twice(Path(args.scenario))

    scenario = load_scenario(Path(args.scenario))
    # The stages before the matrices, through the planner's own cache methods.
    cache = PipelineCache()
    roads = cache.roads(scenario)
    graph = roads.graph
    profiles = sorted({scenario.vehicles[t.vehicle].profile for t in scenario.teams})
    cfg = scenario.config.graph
    networks, network_keys = cache.networks(roads, {p: cfg.profiles[p] for p in profiles})
    snapped = cache.snapped(scenario, roads, networks, network_keys)
    partition = build_partition(scenario)
    n_matrices = sum(len(sp.profiles) for sp in partition.subproblems)
    n_sites = sum(len(sp.households) + len(sp.depots) for sp in partition.subproblems)
    print(
        f"graph: {graph.n_nodes} nodes, {graph.n_edges} edges; {len(partition.subproblems)} "
        f"sub-problems, {n_matrices} matrices over {n_sites} sites"
    )
    time_compiled(graph, networks, snapped, partition, cfg.matrix_buffer_m)
    compare_naive(
        graph, networks, profiles[0], snapped, partition, cfg.matrix_buffer_m, args.sample
    )
    print_memory()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
