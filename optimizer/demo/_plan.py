"""Where the demo settlements are and which of them roads join (metric plane, no roads yet)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra, minimum_spanning_tree
from scipy.spatial import Delaunay, QhullError
from shapely.geometry.base import BaseGeometry

from optimizer.areas import AdminArea
from optimizer.demo._geometry import FloatArray, Land, Router, polyline_length

logger = logging.getLogger(__name__)

Kind = Literal["urban", "town", "village", "hamlet"]
#: The regency capital: its kelurahan get the densest streets.
CAPITAL_KECAMATAN = "35.10.16"
#: Kelurahan larger than this get a settlement blob instead of streets over the whole polygon.
URBAN_FULL_KM2 = 3.0


@dataclass(frozen=True, slots=True)
class Settlement:
    """One settlement (desa main village, hamlet, town or urban kelurahan).

    Attributes
    ----------
    desa : int
        Index into ``Boundaries.desa``.
    kind : str
        ``urban`` (kelurahan), ``town`` (kecamatan town), ``village`` or ``hamlet``.
    main : bool
        The desa's main settlement (centred on the desa's representative point).
    centre : (2,) array
        Centre in the metric plane.
    radius_m, spacing_m : float
        Rough radius and street spacing.
    """

    desa: int
    kind: Kind
    main: bool
    centre: FloatArray
    radius_m: float
    spacing_m: float


@dataclass(frozen=True, slots=True)
class Link:
    """A road to build between two settlements (indices into the settlement list)."""

    a: int
    b: int
    highway: str


@dataclass(frozen=True, slots=True)
class DesaShape:
    """A desa polygon in the metric plane, with its admin record and index."""

    index: int
    area: AdminArea
    polygon: BaseGeometry
    centre: FloatArray


def _disc_sample(rng: np.random.Generator, centre: FloatArray, radius: float, n: int) -> FloatArray:
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    dist = radius * np.sqrt(rng.uniform(0.0, 1.0, n))
    return centre + np.column_stack([dist * np.cos(angle), dist * np.sin(angle)])


def plan_settlements(
    desa: Sequence[DesaShape],
    town_desa: frozenset[int],
    land: Land,
    rng: np.random.Generator,
) -> list[Settlement]:
    """Place every desa's main settlement, then 0-3 hamlets per desa.

    Parameters
    ----------
    desa : sequence of DesaShape
        The desa to populate, in code order.
    town_desa : frozenset of int
        Indices (``DesaShape.index``) of the desa holding a kecamatan town.
    land : Land
    rng : numpy Generator

    Returns
    -------
    list of Settlement
        Main settlements first (one per desa, in the given order), then hamlets.
    """
    settlements: list[Settlement] = []
    for shape in desa:
        capital = shape.area.parent_code == CAPITAL_KECAMATAN
        if shape.area.kind == "kelurahan":
            kind: Kind = "urban"
            radius = 1100.0 if shape.area.area_km2 > URBAN_FULL_KM2 else 0.0
            spacing = 62.0 if capital else 72.0
        elif shape.index in town_desa:
            kind, radius, spacing = "town", rng.uniform(850.0, 1150.0), 85.0
        else:
            kind = "village"
            radius = float(np.clip(210.0 * np.sqrt(shape.area.area_km2), 300.0, 600.0))
            radius *= rng.uniform(0.85, 1.15)
            spacing = rng.uniform(95.0, 115.0)
        settlements.append(Settlement(shape.index, kind, True, shape.centre, radius, spacing))
    for shape in desa:
        area_km2 = shape.area.area_km2
        if shape.area.kind == "kelurahan":
            low, high = (0, 0) if area_km2 <= URBAN_FULL_KM2 else (1, 1)
        elif area_km2 < 1.5:
            low, high = 0, 1
        elif area_km2 < 4.0:
            low, high = 1, 2
        else:
            low, high = 1, 3
        wanted = int(rng.integers(low, high + 1))
        if not wanted:
            continue
        inner = shape.polygon.buffer(-80.0)
        if inner.is_empty:
            continue
        shapely.prepare(inner)
        reach = float(np.clip(0.5 * np.sqrt(area_km2 * 1e6), 800.0, 3200.0))
        for _ in range(wanted):
            radius = rng.uniform(170.0, 340.0)
            candidates = _disc_sample(rng, shape.centre, reach, 96)
            centres = np.array([s.centre for s in settlements])
            radii = np.array([s.radius_m if s.radius_m else 900.0 for s in settlements])
            gap = np.hypot(*(candidates[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
            ok = np.all(gap >= radii[None, :] + radius + 200.0, axis=1)
            ok &= np.hypot(*(candidates - shape.centre).T) >= 700.0
            ok &= shapely.contains_xy(inner, candidates[:, 0], candidates[:, 1])
            ok &= land.points_ok(candidates)
            if not ok.any():
                break
            centre = candidates[int(np.flatnonzero(ok)[0])]
            spacing = rng.uniform(100.0, 120.0)
            settlements.append(Settlement(shape.index, "hamlet", False, centre, radius, spacing))
    return settlements


def _candidate_pairs(points: FloatArray) -> list[tuple[int, int]]:
    """Delaunay neighbours (all pairs for tiny or degenerate sets), sorted."""
    n = points.shape[0]
    if n < 2:
        return []
    pairs: set[tuple[int, int]] = set()
    if n <= 4:
        pairs = {(i, j) for i in range(n) for j in range(i + 1, n)}
    else:
        try:
            triangles = Delaunay(points).simplices
        except QhullError:
            triangles = np.array([[i, j, j] for i in range(n) for j in range(i + 1, n)])
        for tri in triangles:
            a, b, c = sorted(int(x) for x in tri)
            pairs.update({(a, b), (a, c), (b, c)})
    return sorted(p for p in pairs if p[0] != p[1])


class _Costs:
    """Road length between settlement centres: straight when on land, else routed."""

    def __init__(self, settlements: Sequence[Settlement], land: Land, router: Router) -> None:
        self.settlements = settlements
        self.land = land
        self.router = router
        self.cache: dict[tuple[int, int], tuple[float, bool]] = {}

    def get(self, a: int, b: int) -> tuple[float, bool]:
        """(length in metres or inf, whether the straight line stays on land)."""
        key = (min(a, b), max(a, b))
        if key not in self.cache:
            p, q = self.settlements[key[0]].centre, self.settlements[key[1]].centre
            straight = float(np.hypot(*(q - p)))
            if self.land.segments_ok(p[None, :], q[None, :])[0]:
                self.cache[key] = (straight, True)
            else:
                route = self.router.route(p, q)
                length = polyline_length(route) if route is not None else np.inf
                self.cache[key] = (length * 1.1, False)
        return self.cache[key]


def _mst(
    n: int, pairs: Sequence[tuple[int, int]], weights: Sequence[float]
) -> list[tuple[int, int]]:
    if not pairs:
        return []
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    tree = minimum_spanning_tree(
        coo_matrix((np.asarray(weights, dtype=float), (a, b)), shape=(n, n)).tocsr()
    ).tocoo()
    return sorted(
        (min(int(r), int(c)), max(int(r), int(c))) for r, c in zip(tree.row, tree.col, strict=True)
    )


def _primary_pairs(
    settlements: Sequence[Settlement], towns: Sequence[int], costs: _Costs
) -> set[tuple[int, int]]:
    """Join the kecamatan towns by a minimum spanning tree plus up to six shortcuts."""
    primary: set[tuple[int, int]] = set()
    town_points = np.array([settlements[t].centre for t in towns]).reshape(-1, 2)
    town_pairs = [(towns[i], towns[j]) for i, j in _candidate_pairs(town_points)]
    town_pairs = [p for p in town_pairs if np.isfinite(costs.get(*p)[0])]
    index = {s: i for i, s in enumerate(towns)}
    local = [(index[a], index[b]) for a, b in town_pairs]
    tree = _mst(len(towns), local, [costs.get(*p)[0] for p in town_pairs])
    for i, j in tree:
        primary.add((towns[i], towns[j]))
    if tree:
        primary.update(_shortcuts(towns, costs, tree, town_pairs, local, primary))
    return primary


def _shortcuts(
    towns: Sequence[int],
    costs: _Costs,
    tree: Sequence[tuple[int, int]],
    town_pairs: Sequence[tuple[int, int]],
    local: Sequence[tuple[int, int]],
    primary: set[tuple[int, int]],
) -> list[tuple[int, int]]:
    """Pick the (at most six) town pairs the tree makes the longest detour between.

    A shortcut is under 25 km and shorter than 0.6 times the way through the tree.

    ``tree`` and ``local`` number the towns by their position in ``towns``; ``town_pairs``
    are the candidate pairs (settlement indices) in the order of ``local``.
    """
    graph = coo_matrix(
        (
            [costs.get(towns[i], towns[j])[0] for i, j in tree],
            ([i for i, _ in tree], [j for _, j in tree]),
        ),
        shape=(len(towns), len(towns)),
    ).tocsr()
    tree_dist = dijkstra(graph, directed=False)
    shortcuts = []
    for (a, b), (i, j) in zip(town_pairs, local, strict=True):
        if (a, b) in primary:
            continue
        length = costs.get(a, b)[0]
        ratio = length / max(tree_dist[i, j], 1.0)
        if ratio < 0.6 and length < 25_000.0:
            shortcuts.append((ratio, a, b))
    return [(a, b) for _, a, b in sorted(shortcuts)[:6]]


def _main_links(
    settlements: Sequence[Settlement],
    towns: Sequence[int],
    primary: set[tuple[int, int]],
    costs: _Costs,
    rng: np.random.Generator,
) -> list[Link]:
    """Join the desa main settlements: a spanning tree over the backbone, plus extra links.

    Tree roads that many settlements use to reach their nearest town are secondary, the rest
    tertiary; some short Delaunay neighbours on land get an extra tertiary road.
    """
    links: list[Link] = []
    mains = [i for i, s in enumerate(settlements) if s.main]
    m_index = {s: i for i, s in enumerate(mains)}
    main_points = np.array([settlements[m].centre for m in mains]).reshape(-1, 2)
    delaunay = [(mains[i], mains[j]) for i, j in _candidate_pairs(main_points)]
    candidates = sorted(set(delaunay) | primary)
    weights = [1e-3 if p in primary else costs.get(*p)[0] for p in candidates]
    finite = [np.isfinite(w) for w in weights]
    candidates = [p for p, f in zip(candidates, finite, strict=True) if f]
    weights = [w for w, f in zip(weights, finite, strict=True) if f]
    local_tree = _mst(len(mains), [(m_index[a], m_index[b]) for a, b in candidates], weights)
    tree_pairs = [(mains[i], mains[j]) for i, j in local_tree]
    usage = _usage(len(mains), local_tree, [m_index[t] for t in towns])
    for (a, b), (i, j) in zip(tree_pairs, local_tree, strict=True):
        if (a, b) in primary:
            continue
        links.append(Link(a, b, "secondary" if usage.get((i, j), 0) >= 3 else "tertiary"))
    in_tree = set(tree_pairs) | primary
    for a, b in delaunay:
        if (a, b) in in_tree:
            continue
        length, straight = costs.get(a, b)
        if straight and length < 3500.0 and rng.random() < 0.45:
            links.append(Link(a, b, "tertiary"))
    return links


def _hamlet_links(
    settlements: Sequence[Settlement], costs: _Costs, rng: np.random.Generator
) -> list[Link]:
    """Join every hamlet to its desa, and some to the nearest settlement of another desa."""
    links: list[Link] = []
    centres = np.array([s.centre for s in settlements]).reshape(-1, 2)
    desa_of = np.array([s.desa for s in settlements])
    for h, hamlet in enumerate(settlements):
        if hamlet.main:
            continue
        distance = np.hypot(*(centres - hamlet.centre).T)
        same = np.flatnonzero((desa_of == hamlet.desa) & (np.arange(len(settlements)) < h))
        partner = -1
        for other in same[np.argsort(distance[same], kind="stable")]:
            length, straight = costs.get(h, int(other))
            if straight or length < 1.6 * distance[other]:
                partner = int(other)
                break
        if partner >= 0:
            links.append(Link(partner, h, "unclassified"))
        others = np.flatnonzero(desa_of != hamlet.desa)
        if others.size and rng.random() < 0.3:
            near = int(others[np.argmin(distance[others])])
            if distance[near] < 2500.0 and costs.get(h, near)[1]:
                links.append(Link(min(h, near), max(h, near), "unclassified"))
    return links


def plan_links(
    settlements: Sequence[Settlement],
    towns: Sequence[int],
    land: Land,
    router: Router,
    rng: np.random.Generator,
) -> list[Link]:
    """Choose the roads between settlements: primary, secondary, tertiary and unclassified.

    Primary roads form a minimum spanning tree over the kecamatan towns plus a few shortcuts;
    every desa main settlement joins that backbone through a spanning tree of secondary (busy)
    and tertiary roads plus some extra tertiary links between neighbours; hamlets join their
    desa's main settlement by unclassified roads.

    Returns
    -------
    list of Link
        In order of importance (primary first).
    """
    costs = _Costs(settlements, land, router)
    primary = _primary_pairs(settlements, towns, costs)
    links = [Link(a, b, "primary") for a, b in sorted(primary)]
    links.extend(_main_links(settlements, towns, primary, costs, rng))
    links.extend(_hamlet_links(settlements, costs, rng))
    logger.debug("planned %d links between %d settlements", len(links), len(settlements))
    return links


def _usage(
    n: int, tree: Sequence[tuple[int, int]], roots: Sequence[int]
) -> dict[tuple[int, int], int]:
    """How many settlements reach their nearest town through each tree edge."""
    if not tree or not roots:
        return {}
    graph = coo_matrix(
        (np.ones(len(tree)), ([i for i, _ in tree], [j for _, j in tree])), shape=(n, n)
    ).tocsr()
    _, pred, _ = dijkstra(
        graph, directed=False, indices=list(roots), return_predecessors=True, min_only=True
    )
    usage: dict[tuple[int, int], int] = {}
    for start in range(n):
        node = start
        while pred[node] >= 0:
            step = (min(node, int(pred[node])), max(node, int(pred[node])))
            usage[step] = usage.get(step, 0) + 1
            node = int(pred[node])
    return usage
