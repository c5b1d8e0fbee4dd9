"""The prepared inputs of a plan, each computed once and shared between scenarios -> Prepared.

:func:`prepare_inputs` runs the stages before the routing problem (road graph, closures,
profile networks, snapping, partition, matrices) for a loaded :class:`Scenario`. A
:class:`PipelineCache` passed to it keeps what each stage built, keyed by what the result depends
on, so several scenarios planned in one process (a comparison, what-ifs) build each thing once:

=================  ==========================================================================
cached value       key
=================  ==========================================================================
road graph         network file (resolved path, size, modification time)
closed graph       road-graph key + closure file (resolved path, SHA-256 of its bytes)
boundaries         boundaries folder (resolved path)
streets            road-graph key (streets are drawn from the whole network, closures or not)
profile network    graph key (closures included) + profile name + its ``ProfileConfig``
snapping           profile-network key + ``max_snap_m`` + SHA-256 of all site coordinates
matrix             profile-network key + ``max_snap_m`` + ``matrix_buffer_m`` + SHA-256 of the
                   sub-problem's site coordinates in local order (depots, then households)
=================  ==========================================================================

A cached matrix found for another sub-problem with the same sites is given that sub-problem's
key and global site indices; every other value is returned as built. Under a road closure, a
matrix of the whole network (planned earlier in the process) is kept wherever the closure
cannot change it (:mod:`optimizer.matrixreuse`), so a closed bridge rebuilds only the matrices
of the sub-problems around it. Cached and uncached runs
therefore give the same plan, byte for byte. The cache holds read-only values only; it is not
safe to share between threads.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from optimizer.areas import Boundaries, load_boundaries
from optimizer.closures import ClosureReport, close_roads
from optimizer.config import ProfileConfig
from optimizer.geometry import Streets, build_streets
from optimizer.matrix import (
    SubMatrix,
    TravelMatrices,
    build_submatrices,
    collect_matrices,
    local_sites,
    matrix_items,
)
from optimizer.matrixreuse import OpenNetwork, reuse_open_matrix
from optimizer.partition import Partition, SubProblem, build_partition
from optimizer.profiles import ProfileNetwork, build_profile_network
from optimizer.roadgraph import RoadGraph, load_road_graph
from optimizer.scenario import Scenario
from optimizer.snapping import ProfileSnap, Snapped, check_depot_snaps, snap_sites
from optimizer.walkgroups import WALK_PROFILE, Walking

logger = logging.getLogger(__name__)

#: Kinds of cached values, as counted by :attr:`PipelineCache.built` and ``reused``.
CACHE_KINDS = (
    "road graph",
    "closures",
    "boundaries",
    "streets",
    "profile network",
    "snapping",
    "matrix",
    "matrix kept under a closure",
)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Roads:
    """The road network a scenario's vehicles drive on.

    Attributes
    ----------
    key : str
        Cache key of ``graph`` (network file, plus the closure file when there is one).
    base_key : str
        Cache key of ``base``.
    graph : RoadGraph
        The network with closed roads taken out.
    base : RoadGraph
        The whole network as loaded (the same object as ``graph`` without closures).
    closure : ClosureReport or None
        What the closure file took out, None without one.
    """

    key: str
    base_key: str
    graph: RoadGraph
    base: RoadGraph
    closure: ClosureReport | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Prepared:
    """Everything the routing problem is built from, for one scenario.

    Attributes
    ----------
    roads : Roads
    boundaries : Boundaries
    profiles : tuple of str
        Vehicle profiles the scenario's teams use, sorted.
    networks : dict of str to ProfileNetwork
    snapped : Snapped
    partition : Partition
    matrices : TravelMatrices
    walking : Walking or None
        The footpaths between the doors, when the scenario parks and walks.
    """

    roads: Roads
    boundaries: Boundaries
    profiles: tuple[str, ...]
    networks: dict[str, ProfileNetwork]
    snapped: Snapped
    partition: Partition
    matrices: TravelMatrices
    walking: Walking | None = None


def _digest(*arrays: npt.NDArray[np.float64]) -> str:
    sha = hashlib.sha256()
    for array in arrays:
        sha.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
        sha.update(b"|")
    return sha.hexdigest()[:32]


def _open_key(roads: Roads, network_key: str) -> str:
    """Return the key of the same profile network on the whole network (no closure)."""
    return roads.base_key + network_key[len(roads.key) :]


def _sites_key(scenario: Scenario) -> str:
    """Return what a scenario's snaps depend on besides the network: sites and snap distance."""
    lat = [h.lat for h in scenario.households] + [d.lat for d in scenario.depots]
    lon = [h.lon for h in scenario.households] + [d.lon for d in scenario.depots]
    sites = _digest(np.array(lat), np.array(lon))
    return f"{scenario.config.graph.max_snap_m!r}|{sites}"


def _file_key(path: Path) -> str:
    resolved = path.resolve()
    try:
        stat = resolved.stat()
    except OSError:
        return str(resolved)  # missing: the loader raises the error that names it
    return f"{resolved}:{stat.st_size}:{stat.st_mtime_ns}"


def _content_key(path: Path) -> str:
    resolved = path.resolve()
    try:
        return f"{resolved}:{hashlib.sha256(resolved.read_bytes()).hexdigest()[:32]}"
    except OSError:
        return str(resolved)  # missing: the closure reader raises the error that names it


@dataclass(eq=False)
class PipelineCache:
    """Values the pipeline stages built, kept for other scenarios of the same process.

    Pass one cache to several :func:`prepare_inputs` (or :func:`optimizer.api.plan_loaded`)
    calls; see the module docstring for the keys. ``built`` and ``reused`` count, per kind of
    value (:data:`CACHE_KINDS`), how often each was computed and how often taken from the cache.
    """

    built: Counter[str] = field(default_factory=Counter)
    reused: Counter[str] = field(default_factory=Counter)
    _values: dict[tuple[str, str], object] = field(default_factory=dict, repr=False)

    def _get(self, kind: str, key: str, *, count: bool = True) -> object | None:
        value = self._values.get((kind, key))
        if value is not None and count:
            self.reused[kind] += 1
        return value

    def _put(self, kind: str, key: str, value: object) -> None:
        self.built[kind] += 1
        self._values[(kind, key)] = value

    def summary(self) -> str:
        """Return one line per kind of value: how many were built and how many reused."""
        return "; ".join(
            f"{kind}: {self.built[kind]} built, {self.reused[kind]} reused"
            for kind in CACHE_KINDS
            if self.built[kind] or self.reused[kind]
        )

    def roads(self, scenario: Scenario) -> Roads:
        """Return the scenario's road network, with its closed roads taken out.

        Raises
        ------
        GraphError
            Road network missing or broken.
        ScenarioError
            A bad closure file (see :func:`optimizer.closures.close_roads`).
        """
        path = Path(scenario.road_network)
        base_key = _file_key(path)
        base = self._get("road graph", base_key)
        if not isinstance(base, RoadGraph):
            base = load_road_graph(path)
            self._put("road graph", base_key, base)
        if scenario.closed_roads is None:
            return Roads(key=base_key, base_key=base_key, graph=base, base=base, closure=None)
        closures = Path(scenario.closed_roads)
        key = f"{base_key}|closed:{_content_key(closures)}"
        closed = self._get("closures", key)
        if not isinstance(closed, tuple):
            closed = close_roads(base, closures)
            self._put("closures", key, closed)
        graph, report = closed
        return Roads(key=key, base_key=base_key, graph=graph, base=base, closure=report)

    def boundaries(self, folder: Path) -> Boundaries:
        """Return the administrative boundaries of a folder, read once."""
        key = str(folder.resolve())
        found = self._get("boundaries", key)
        if isinstance(found, Boundaries):
            return found
        boundaries = load_boundaries(folder)
        self._put("boundaries", key, boundaries)
        return boundaries

    def streets(self, roads: Roads) -> Streets:
        """Return the drawable streets of the whole network (closed roads are still drawn)."""
        found = self._get("streets", roads.base_key)
        if isinstance(found, Streets):
            return found
        streets = build_streets(roads.base)
        self._put("streets", roads.base_key, streets)
        return streets

    def networks(
        self, roads: Roads, profiles: dict[str, ProfileConfig]
    ) -> tuple[dict[str, ProfileNetwork], dict[str, str]]:
        """Return each profile's network and its cache key, by profile name.

        Raises
        ------
        GraphError
            If a profile can use no road of the network.
        """
        networks: dict[str, ProfileNetwork] = {}
        keys: dict[str, str] = {}
        for name in sorted(profiles):
            key = f"{roads.key}|{name}|{profiles[name].model_dump_json()}"
            found = self._get("profile network", key)
            if not isinstance(found, ProfileNetwork):
                found = build_profile_network(roads.graph, name, profiles[name])
                self._put("profile network", key, found)
            networks[name], keys[name] = found, key
        return networks, keys

    def snapped(
        self,
        scenario: Scenario,
        roads: Roads,
        networks: dict[str, ProfileNetwork],
        network_keys: dict[str, str],
    ) -> Snapped:
        """Return every site snapped to every profile network (one profile at a time)."""
        lat = [h.lat for h in scenario.households]
        lon = [h.lon for h in scenario.households]
        depot_lat, depot_lon = [d.lat for d in scenario.depots], [d.lon for d in scenario.depots]
        max_snap_m = scenario.config.graph.max_snap_m
        sites_key = _sites_key(scenario)
        by_profile: dict[str, ProfileSnap] = {}
        for name in sorted(networks):
            key = f"{network_keys[name]}|{sites_key}"
            found = self._get("snapping", key)
            if not isinstance(found, ProfileSnap):
                one = snap_sites(
                    roads.graph,
                    {name: networks[name]},
                    lat,
                    lon,
                    depot_lat,
                    depot_lon,
                    max_snap_m=max_snap_m,
                )
                found = one.by_profile[name]
                self._put("snapping", key, found)
            by_profile[name] = found
        return Snapped(
            n_households=len(lat),
            n_depots=len(depot_lat),
            max_snap_m=max_snap_m,
            by_profile=by_profile,
        )

    def matrices(
        self,
        scenario: Scenario,
        prepared: tuple[Roads, dict[str, ProfileNetwork], dict[str, str], Snapped, Partition],
        *,
        workers: int,
        progress: Callable[[int, int], None] | None = None,
        profiles: tuple[str, ...] | None = None,
    ) -> TravelMatrices:
        """Return every sub-problem's matrix per profile, building only those not cached.

        ``profiles`` names the profiles for every sub-problem (see :func:`matrix_items`).
        """
        roads, networks, network_keys, snapped, partition = prepared
        graph_config = scenario.config.graph
        lat = np.array([h.lat for h in scenario.households] + [d.lat for d in scenario.depots])
        lon = np.array([h.lon for h in scenario.households] + [d.lon for d in scenario.depots])
        items = matrix_items(partition, profiles)
        keys: list[str] = []
        results: list[tuple[SubMatrix, bool] | None] = []
        pairs = self._open_networks(scenario, roads, networks, network_keys, snapped)
        for subproblem, profile in items:
            sites = local_sites(snapped, subproblem)
            digest = (
                f"{graph_config.max_snap_m!r}|{graph_config.matrix_buffer_m!r}|"
                f"{_digest(lat[sites], lon[sites])}"
            )
            key = f"{network_keys[profile]}|{digest}"
            keys.append(key)
            found = self._matrix(key, subproblem, sites)
            if found is None and profile in pairs:
                open_key = f"{_open_key(roads, network_keys[profile])}|{digest}"
                found = self._reused(open_key, subproblem, sites, pairs[profile])
                if found is not None:
                    self._values[("matrix", key)] = found
            results.append(found)
        missing = [i for i, found in enumerate(results) if found is None]
        built = build_submatrices(
            roads.graph,
            networks,
            snapped,
            [items[i] for i in missing],
            buffer_m=graph_config.matrix_buffer_m,
            workers=workers,
            progress=progress,
        )
        for i, result in zip(missing, built, strict=True):
            self._put("matrix", keys[i], result)
            results[i] = result
        return collect_matrices(items, [r for r in results if r is not None])

    def _open_networks(
        self,
        scenario: Scenario,
        roads: Roads,
        networks: dict[str, ProfileNetwork],
        network_keys: dict[str, str],
        snapped: Snapped,
    ) -> dict[str, OpenNetwork]:
        """Per profile, the whole network and its snaps kept from an earlier plan, if any.

        Only under a closure: their matrices may hold for the closed network too
        (:mod:`optimizer.matrixreuse`).
        """
        if roads.closure is None:
            return {}
        sites_key = _sites_key(scenario)
        pairs: dict[str, OpenNetwork] = {}
        for name, network in networks.items():
            open_key = _open_key(roads, network_keys[name])
            open_network = self._get("profile network", open_key, count=False)
            open_snap = self._get("snapping", f"{open_key}|{sites_key}", count=False)
            if isinstance(open_network, ProfileNetwork) and isinstance(open_snap, ProfileSnap):
                pairs[name] = OpenNetwork(
                    open_network=open_network,
                    open_snap=open_snap,
                    closed_network=network,
                    closed_snap=snapped.by_profile[name],
                    closure=roads.closure,
                )
        return pairs

    def _reused(
        self, open_key: str, subproblem: SubProblem, sites: npt.NDArray[np.int64], pair: OpenNetwork
    ) -> tuple[SubMatrix, bool] | None:
        """Return the open network's matrix of these sites if the closure cannot change it."""
        found = self._matrix(open_key, subproblem, sites, count=False)
        if found is None:
            return None
        matrix = reuse_open_matrix(found[0], pair)
        if matrix is None:
            return None
        self.reused["matrix kept under a closure"] += 1
        return matrix, found[1]

    def _matrix(
        self, key: str, subproblem: SubProblem, sites: npt.NDArray[np.int64], *, count: bool = True
    ) -> tuple[SubMatrix, bool] | None:
        """Return a cached matrix with these sites, relabelled for this sub-problem, or None."""
        found = self._get("matrix", key, count=count)
        if not isinstance(found, tuple):
            return None
        matrix, fell_back = found
        if matrix.key == subproblem.key and np.array_equal(matrix.sites, sites):
            return matrix, fell_back
        return replace(matrix, key=subproblem.key, sites=sites), fell_back


def prepare_inputs(
    scenario: Scenario,
    *,
    cache: PipelineCache | None = None,
    workers: int = 1,
    lap: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Prepared:
    """Run the stages before the routing problem: roads, networks, snapping, partition, matrices.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario (:func:`optimizer.scenario.load_scenario`).
    cache : PipelineCache, optional
        Values kept from earlier scenarios; what is missing is built and added. Without one,
        everything is built (the result is the same either way).
    workers : int
        Processes for the matrices.
    lap : callable, optional
        Called with a stage name as each stage ends (for timing).
    progress : callable, optional
        Called with (done, total) while matrices are built.

    Returns
    -------
    Prepared

    Raises
    ------
    GraphError
        Road network missing or broken, or a profile that can use no road.
    ScenarioError
        A bad closure file.
    SnappingError
        No team can leave any depot.
    """
    cache = cache if cache is not None else PipelineCache()
    mark = lap or (lambda _name: None)
    boundaries = cache.boundaries(Path(scenario.boundaries))
    roads = cache.roads(scenario)
    mark("load road graph")
    profiles = tuple(sorted({scenario.vehicles[t.vehicle].profile for t in scenario.teams}))
    configs = {p: scenario.config.graph.profiles[p] for p in profiles}
    networks, network_keys = cache.networks(roads, configs)
    mark("profile networks")
    snapped = cache.snapped(scenario, roads, networks, network_keys)
    check_depot_snaps(scenario, snapped)
    partition = build_partition(scenario)
    mark("snap and partition")
    matrices = cache.matrices(
        scenario,
        (roads, networks, network_keys, snapped, partition),
        workers=workers,
        progress=progress,
    )
    mark("matrices")
    walking = None
    if scenario.service.park_and_walk.enabled:
        walking = _walking(scenario, cache, roads, partition, workers=workers)
        mark("footpaths")
    return Prepared(
        roads=roads,
        boundaries=boundaries,
        profiles=profiles,
        networks=networks,
        snapped=snapped,
        partition=partition,
        matrices=matrices,
        walking=walking,
    )


def _walking(
    scenario: Scenario, cache: PipelineCache, roads: Roads, partition: Partition, *, workers: int
) -> Walking:
    """Build the footpath network, the doors' snaps to it and its matrices (park and walk)."""
    config = {WALK_PROFILE: scenario.config.graph.profiles[WALK_PROFILE]}
    networks, keys = cache.networks(roads, config)
    snapped = cache.snapped(scenario, roads, networks, keys)
    matrices = cache.matrices(
        scenario,
        (roads, networks, keys, snapped, partition),
        workers=workers,
        profiles=(WALK_PROFILE,),
    )
    return Walking(
        network=networks[WALK_PROFILE], snap=snapped.by_profile[WALK_PROFILE], matrices=matrices
    )
