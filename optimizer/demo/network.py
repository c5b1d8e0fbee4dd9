"""A synthetic demonstration road network on the real Banyuwangi boundaries -> RoadGraph.

No real road data ships with the planner, so the demo runs on a generated network shaped like
an OpenStreetMap extract of a rural regency with towns:

* every desa gets a main settlement centred on its polygon's representative point (where the
  village office, the demo depot, is) and 0-3 hamlets (dusun) near it; kecamatan towns and
  kelurahan get larger, denser settlements, the capital Banyuwangi the densest;
* each settlement has an irregular street grid (``residential``), narrow lanes (gang, tagged
  ``highway=path``, closed to cars) and a few ``track`` roads into the fields;
* ``primary`` roads join the kecamatan towns, ``secondary``/``tertiary`` roads join every desa
  to that backbone and to its neighbours, ``unclassified`` roads join the hamlets;
* long roads bend gently and have a node every 150-400 m; no piece leaves the land (links that
  would cross a bay go round it or are not built); crossing roads meet at junction nodes;
* the roads cars may use form one strongly connected network (a few one-way streets in towns
  included).

The result is deterministic for a seed: no clock, no set iteration, one random generator.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from optimizer.areas import AdminArea, Boundaries
from optimizer.demo._branches import add_lanes, add_tracks
from optimizer.demo._finish import add_junctions, connect, repair_oneways
from optimizer.demo._geometry import (
    BoolArray,
    FloatArray,
    Frame,
    IntArray,
    Land,
    Router,
    crossing_pairs,
    segments,
    wiggle,
)
from optimizer.demo._grid import Grid, GridStyle, street_grid
from optimizer.demo._plan import (
    CAPITAL_KECAMATAN,
    DesaShape,
    Kind,
    Link,
    Settlement,
    plan_links,
    plan_settlements,
)
from optimizer.demo._table import PRIMARY, RESIDENTIAL, TERTIARY, Network, Pieces
from optimizer.roadgraph import GraphInfo, RoadGraph, highway_code
from optimizer.units import haversine_m

logger = logging.getLogger(__name__)

NETWORK_NAME = "banyuwangi-demo"
ATTRIBUTION = (
    "Synthetic demonstration network - NOT real roads. "
    "Boundaries: cahyadsn/wilayah_boundaries (MIT)"
)
#: Kept metres beyond the land polygon that a road piece may reach (coastline generalisation).
LAND_SLACK_M = 20.0
#: Settlement nodes stay at least this far inside the land polygon.
LAND_MARGIN_M = 10.0

_ZONE = {"urban": 1, "town": 2, "village": 3, "hamlet": 4}
_STYLE = {
    "capital": GridStyle(
        62.0, jitter=0.08, warp=0.15, keep_along=0.97, keep_across=0.88, main_every=6
    ),
    "urban": GridStyle(
        72.0, jitter=0.10, warp=0.15, keep_along=0.95, keep_across=0.80, main_every=6
    ),
    "town": GridStyle(
        85.0, jitter=0.12, warp=0.20, keep_along=0.93, keep_across=0.65, main_every=5
    ),
    "village": GridStyle(
        105.0, jitter=0.14, warp=0.25, keep_along=0.90, keep_across=0.50, main_every=4
    ),
    "hamlet": GridStyle(
        110.0, jitter=0.15, warp=0.25, keep_along=0.85, keep_across=0.45, main_every=4
    ),
}
#: Through roads prefer main streets: their pieces count this fraction of their length.
_MAIN_STREET_WEIGHT = 0.35


@dataclass(frozen=True, slots=True)
class _Selection:
    desa: tuple[DesaShape, ...]
    kecamatan: tuple[AdminArea, ...]
    region: BaseGeometry
    label: str


@dataclass(frozen=True, slots=True, eq=False)
class _Area:
    """One built-up area: a street grid shared by one or more settlements."""

    kind: Kind
    members: tuple[int, ...]
    nodes: IntArray
    grid: Grid
    pieces: IntArray
    graph: csr_matrix
    in_main: BoolArray
    keys: IntArray
    key_piece: IntArray


def build_demo_network(
    boundaries: Boundaries,
    *,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    kecamatan_codes: Sequence[str] | None = None,
) -> RoadGraph:
    """Generate the synthetic demonstration road network on the real desa boundaries.

    Parameters
    ----------
    boundaries : Boundaries
        The regency's boundaries (:func:`optimizer.areas.load_boundaries`).
    seed : int
        Random seed; the same seed gives identical arrays.
    progress : callable, optional
        Called with a short text at each stage.
    kecamatan_codes : sequence of str, optional
        Build only these kecamatan (e.g. ``["35.10.24"]``), for quick tests; default all.

    Returns
    -------
    RoadGraph
        Marked ``synthetic``; node ids are negative (-1, -2, ...).

    Raises
    ------
    ValueError
        If a kecamatan code is unknown.
    """
    say = progress if progress is not None else _quiet
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = boundaries.kabupaten.geometry.bounds
    frame = Frame(lat0=(miny + maxy) / 2.0, lon0=(minx + maxx) / 2.0)
    selection = _select(boundaries, kecamatan_codes, frame)
    land = Land.of(frame.project(selection.region), slack_m=LAND_SLACK_M, margin_m=LAND_MARGIN_M)
    router = Router(land, spacing_m=400.0)
    say(f"planning settlements in {len(selection.desa)} desa")
    towns_desa = _town_desa(selection)
    settlements = plan_settlements(selection.desa, towns_desa, land, rng)
    towns = [i for i, s in enumerate(settlements) if s.main and s.desa in towns_desa]
    links = plan_links(settlements, towns, land, router, rng)
    say(f"laying streets in {len(settlements)} settlements")
    net = Network()
    shapes = {d.index: d for d in selection.desa}
    headings = _headings(settlements, links, rng)
    areas, area_of = _build_areas(net, settlements, shapes, headings, land, rng)
    _stitch(net, areas, land)
    say(f"building {len(links)} roads between settlements")
    anchors = _anchors(settlements, areas, area_of)
    _realise_links(net, settlements, links, areas, area_of, anchors, land, router, rng)
    _choose_oneways(net, areas, rng)
    say("joining crossing roads")
    add_junctions(net)
    say("adding lanes (gang) and field tracks")
    add_lanes(net, land, rng)
    add_tracks(net, *_track_starts(settlements, areas, rng), land, rng)
    say("checking connectivity")
    connect(net, land)
    repair_oneways(net)
    graph = _assemble(net, frame, seed, selection)
    logger.info(
        "demo network: %d nodes, %d directed edges in %.1f s",
        graph.n_nodes,
        graph.n_edges,
        time.perf_counter() - started,
    )
    say(f"done: {graph.n_nodes} nodes, {graph.n_edges} directed edges")
    return graph


def build_demo_network_for(
    boundaries: Boundaries,
    area_codes: Sequence[str],
    *,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> RoadGraph:
    """Generate the demo network for some kecamatan only (see :func:`build_demo_network`)."""
    return build_demo_network(boundaries, seed=seed, progress=progress, kecamatan_codes=area_codes)


def _quiet(_text: str) -> None:
    """Progress sink that drops the text."""


def _select(boundaries: Boundaries, codes: Sequence[str] | None, frame: Frame) -> _Selection:
    if codes is None:
        kecamatan = boundaries.kecamatan
        region = boundaries.kabupaten.geometry
        label = f"Kabupaten Banyuwangi ({boundaries.kabupaten.code})"
    else:
        known = {k.code: k for k in boundaries.kecamatan}
        unknown = [c for c in codes if c not in known]
        if unknown or not codes:
            raise ValueError(
                f"unknown kecamatan code(s) {unknown}; valid: {', '.join(sorted(known))}"
            )
        wanted = sorted(dict.fromkeys(codes))
        kecamatan = tuple(known[c] for c in wanted)
        # The union of the desa polygons, like the kabupaten polygon, keeps the small gaps
        # between desa that the dissolved kecamatan outlines fill in.
        region = shapely.union_all(
            [d.geometry for d in boundaries.desa if d.parent_code in set(wanted)]
        )
        names = ", ".join(f"{k.name} ({k.code})" for k in kecamatan)
        label = f"Kabupaten Banyuwangi ({boundaries.kabupaten.code}), kecamatan {names}"
    chosen = {k.code for k in kecamatan}
    desa = []
    for index, area in enumerate(boundaries.desa):
        if area.parent_code not in chosen:
            continue
        point = area.geometry.representative_point()
        desa.append(
            DesaShape(
                index=index,
                area=area,
                polygon=frame.project(area.geometry),
                centre=frame.to_xy([point.y], [point.x])[0],
            )
        )
    return _Selection(tuple(desa), kecamatan, region, label)


def _town_desa(selection: _Selection) -> frozenset[int]:
    """Find the desa holding each kecamatan's town: the one nearest its inner point."""
    towns = []
    for kec in selection.kecamatan:
        point = kec.geometry.representative_point()
        members = [d for d in selection.desa if d.area.parent_code == kec.code]
        if not members:
            continue
        best = min(
            members,
            key=lambda d: (
                d.area.geometry.distance(point),
                d.area.geometry.representative_point().distance(point),
                d.index,
            ),
        )
        towns.append(best.index)
    return frozenset(towns)


def _headings(
    settlements: Sequence[Settlement], links: Sequence[Link], rng: np.random.Generator
) -> FloatArray:
    """Grid direction per settlement: along its most important road, else random."""
    heading = np.full(len(settlements), np.nan)
    for link in links:
        for here, there in ((link.a, link.b), (link.b, link.a)):
            if np.isnan(heading[here]):
                delta = settlements[there].centre - settlements[here].centre
                heading[here] = np.arctan2(delta[1], delta[0])
    noise = rng.normal(0.0, 0.14, len(settlements))
    free = rng.uniform(0.0, np.pi, len(settlements))
    return np.asarray(np.where(np.isnan(heading), free, heading + noise), dtype=np.float64)


def _blob(centre: FloatArray, radius: float, rng: np.random.Generator) -> BaseGeometry:
    theta = np.linspace(0.0, 2.0 * np.pi, 40, endpoint=False)
    amp = rng.uniform(0.0, 0.12, 3)
    phase = rng.uniform(0.0, 2.0 * np.pi, 3)
    wave = sum(
        a * np.cos(k * theta + p) for a, k, p in zip(amp, (2.0, 3.0, 4.0), phase, strict=True)
    )
    r = radius * (1.0 + wave)
    ring = centre + np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    polygon: BaseGeometry = shapely.polygons(ring)
    return polygon


def _footprints(
    settlements: Sequence[Settlement],
    shapes: dict[int, DesaShape],
    land: Land,
    rng: np.random.Generator,
) -> list[BaseGeometry]:
    """Where each settlement's streets may go; footprints of different settlements are disjoint.

    Kelurahan take their whole polygon (or a large blob in big ones); other settlements take a
    noisy disc inside their desa, cut at the Voronoi border with the neighbouring settlements
    and kept clear of the kelurahan.
    """
    centres = np.array([s.centre for s in settlements])
    if len(settlements) > 1:
        cells = list(
            shapely.get_parts(
                shapely.voronoi_polygons(
                    shapely.multipoints(centres), extend_to=land.allowed.envelope, ordered=True
                )
            )
        )
    else:
        cells = [land.allowed.envelope]
    urban: dict[int, BaseGeometry] = {}
    for i, s in enumerate(settlements):
        if s.kind == "urban":
            polygon = shapes[s.desa].polygon
            blob = _blob(s.centre, s.radius_m, rng) if s.radius_m else None
            urban[i] = polygon if blob is None else polygon.intersection(blob)
    urban_zone = shapely.union_all(list(urban.values())).buffer(40.0) if urban else None
    if urban_zone is not None:
        shapely.prepare(urban_zone)
    footprints: list[BaseGeometry] = []
    for i, s in enumerate(settlements):
        if i in urban:
            footprints.append(urban[i])
            continue
        polygon = shapes[s.desa].polygon
        bound = polygon.buffer(120.0) if s.main else polygon
        shape = _blob(s.centre, s.radius_m, rng).intersection(bound).intersection(cells[i])
        if urban_zone is not None and shape.intersects(urban_zone):
            shape = shape.difference(urban_zone)
        if not shapely.contains_xy(shape, s.centre[0], s.centre[1]):
            disc = shapely.Point(s.centre).buffer(1.5 * s.spacing_m).intersection(cells[i])
            shape = shape.union(disc)
        footprints.append(shape)
    return footprints


def _style(s: Settlement, shapes: dict[int, DesaShape]) -> GridStyle:
    if s.kind == "urban":
        capital = shapes[s.desa].area.parent_code == CAPITAL_KECAMATAN
        return _STYLE["capital" if capital else "urban"]
    base = _STYLE[s.kind]
    if s.kind in ("village", "hamlet"):
        return GridStyle(
            s.spacing_m, base.jitter, base.warp, base.keep_along, base.keep_across, base.main_every
        )
    return base


def _build_areas(
    net: Network,
    settlements: Sequence[Settlement],
    shapes: dict[int, DesaShape],
    headings: FloatArray,
    land: Land,
    rng: np.random.Generator,
) -> tuple[list[_Area], IntArray]:
    """Lay the street grids: one per urban cluster of kelurahan, one per other settlement."""
    footprints = _footprints(settlements, shapes, land, rng)
    groups: list[tuple[int, ...]] = []
    urban = [i for i, s in enumerate(settlements) if s.kind == "urban"]
    cluster_shapes: list[BaseGeometry] = []
    if urban:
        merged = shapely.get_parts(shapely.union_all([footprints[i].buffer(30.0) for i in urban]))
        member_lists: list[list[int]] = [[] for _ in merged]
        for i in urban:
            hit = [k for k, part in enumerate(merged) if part.intersects(footprints[i])]
            member_lists[hit[0] if hit else 0].append(i)
        for part, found in zip(merged, member_lists, strict=True):
            if found:
                cluster_shapes.append(part)
                groups.append(tuple(found))
    order = sorted(range(len(groups)), key=lambda g: groups[g][0])
    groups = [groups[g] for g in order]
    cluster_shapes = [cluster_shapes[g] for g in order]
    shape_of: list[BaseGeometry] = list(cluster_shapes)
    for i, s in enumerate(settlements):
        if s.kind != "urban":
            groups.append((i,))
            shape_of.append(footprints[i])
    areas: list[_Area] = []
    area_of = np.full(len(settlements), -1, dtype=np.int64)
    for members, footprint in zip(groups, shape_of, strict=True):
        lead = min(members, key=lambda i: (not settlements[i].main, i))
        if len(members) > 1:
            lead = _cluster_lead(members, settlements, shapes)
        s = settlements[lead]
        style = _style(s, shapes)
        grid = street_grid(footprint, s.centre, float(headings[lead]), style, land, rng)
        if grid.xy.shape[0] < 3:
            small = GridStyle(style.spacing_m * 0.6, style.jitter, 0.0, 1.0, 1.0, 1)
            disc = shapely.Point(s.centre).buffer(2.5 * style.spacing_m)
            grid = street_grid(disc, s.centre, float(headings[lead]), small, land, rng)
        if grid.xy.shape[0] < 2:
            logger.warning("settlement %d (desa %d) has no room for streets", lead, s.desa)
            continue
        nodes = net.add_nodes(grid.xy)
        zone = _ZONE[s.kind]
        rows = net.add(
            Pieces.make(nodes[grid.edges[:, 0]], nodes[grid.edges[:, 1]], RESIDENTIAL, zone=zone)
        )
        count = grid.xy.shape[0]
        a, b = grid.edges[:, 0], grid.edges[:, 1]
        length = np.hypot(*(grid.xy[a] - grid.xy[b]).T)
        length *= np.where(grid.main, _MAIN_STREET_WEIGHT, 1.0)
        graph = coo_matrix(
            (np.concatenate([length, length]), (np.concatenate([a, b]), np.concatenate([b, a]))),
            shape=(count, count),
        ).tocsr()
        _, labels = connected_components(graph, directed=False)
        in_main = labels == int(np.argmax(np.bincount(labels)))
        keys = np.minimum(a, b) * count + np.maximum(a, b)
        key_order = np.argsort(keys)
        areas.append(
            _Area(
                kind=s.kind,
                members=tuple(members),
                nodes=nodes,
                grid=grid,
                pieces=rows,
                graph=graph,
                in_main=in_main,
                keys=keys[key_order],
                key_piece=rows[key_order],
            )
        )
        area_of[list(members)] = len(areas) - 1
    return areas, area_of


def _cluster_lead(
    members: tuple[int, ...], settlements: Sequence[Settlement], shapes: dict[int, DesaShape]
) -> int:
    """Pick the member leading an urban cluster: a kelurahan of the capital, else the first."""
    for i in members:
        if shapes[settlements[i].desa].area.parent_code == CAPITAL_KECAMATAN:
            return i
    return members[0]


def _stitch(net: Network, areas: Sequence[_Area], land: Land) -> None:
    """Join neighbouring street grids with short residential pieces where they touch."""
    if len(areas) < 2:
        return
    nodes = np.concatenate([a.nodes for a in areas])
    label = np.concatenate([np.full(a.nodes.size, k) for k, a in enumerate(areas)])
    spacing = np.concatenate([np.full(a.nodes.size, _median_length(a)) for a in areas])
    zone = np.concatenate([np.full(a.nodes.size, _ZONE[a.kind]) for a in areas])
    xy = net.xy()[nodes]
    pairs = cKDTree(xy).query_pairs(r=1.35 * float(spacing.max()), output_type="ndarray")
    if pairs.size == 0:
        return
    a, b = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    dist = np.hypot(*(xy[a] - xy[b]).T)
    ok = (label[a] != label[b]) & (dist > 5.0) & (dist <= 1.35 * np.maximum(spacing[a], spacing[b]))
    a, b, dist = a[ok], b[ok], dist[ok]
    order = np.lexsort((b, a, dist))
    used = np.zeros(nodes.size, dtype=bool)
    chosen = []
    for k in order:
        if not used[a[k]] and not used[b[k]]:
            used[a[k]] = used[b[k]] = True
            chosen.append(k)
    pick = np.array(chosen, dtype=np.int64)
    a, b = a[pick], b[pick]
    ok = land.segments_ok(xy[a], xy[b])
    a, b = a[ok], b[ok]
    table = net.pieces()
    all_xy = net.xy()
    tree = shapely.STRtree(segments(all_xy[table.u], all_xy[table.v]))
    lines = segments(xy[a], xy[b])
    hit, _ = crossing_pairs(tree, lines)
    free = np.ones(a.size, dtype=bool)
    free[hit] = False
    first, second = crossing_pairs(shapely.STRtree(lines), lines)
    later = np.maximum(first, second)
    free[later[first != second]] = False
    a, b = a[free], b[free]
    pieces = Pieces.make(nodes[a], nodes[b], RESIDENTIAL)
    pieces.zone = zone[a].astype(np.int8)
    net.add(pieces)


def _median_length(area: _Area) -> float:
    if area.grid.edges.size == 0:
        return 100.0
    xy = area.grid.xy
    return float(np.median(np.hypot(*(xy[area.grid.edges[:, 0]] - xy[area.grid.edges[:, 1]]).T)))


def _anchors(
    settlements: Sequence[Settlement], areas: Sequence[_Area], area_of: IntArray
) -> IntArray:
    """Local node (in its area) nearest each settlement centre, within the area's main part."""
    anchors = np.full(len(settlements), -1, dtype=np.int64)
    for i, s in enumerate(settlements):
        if area_of[i] < 0:
            continue
        area = areas[int(area_of[i])]
        anchors[i] = _nearest_local(area, s.centre)
    return anchors


def _nearest_local(area: _Area, point: FloatArray) -> int:
    candidates = np.flatnonzero(area.in_main)
    dist = np.hypot(*(area.grid.xy[candidates] - point).T)
    return int(candidates[int(np.argmin(dist))])


class _Paths:
    """Shortest paths inside one street grid, cached per start node."""

    def __init__(self) -> None:
        self.cache: dict[tuple[int, int], npt.NDArray[np.int32]] = {}

    def pieces(self, area_id: int, area: _Area, start: int, end: int) -> IntArray:
        key = (area_id, start)
        if key not in self.cache:
            _, pred = dijkstra(area.graph, indices=start, return_predecessors=True)
            self.cache[key] = np.asarray(pred, dtype=np.int32)
        pred = self.cache[key]
        chain = [end]
        while chain[-1] != start and pred[chain[-1]] >= 0:
            chain.append(int(pred[chain[-1]]))
        if chain[-1] != start:
            return np.zeros(0, dtype=np.int64)
        steps = np.array(chain, dtype=np.int64)
        count = area.grid.xy.shape[0]
        keys = np.minimum(steps[:-1], steps[1:]) * count + np.maximum(steps[:-1], steps[1:])
        found = np.searchsorted(area.keys, keys)
        return np.asarray(area.key_piece[found], dtype=np.int64)


def _realise_links(
    net: Network,
    settlements: Sequence[Settlement],
    links: Sequence[Link],
    areas: Sequence[_Area],
    area_of: IntArray,
    anchors: IntArray,
    land: Land,
    router: Router,
    rng: np.random.Generator,
) -> None:
    """Build each planned road: through the grids to their edge, then across the country."""
    paths = _Paths()
    upgrades: list[tuple[IntArray, int]] = []
    built = 0
    for link in links:
        code = highway_code(link.highway)
        area_a, area_b = int(area_of[link.a]), int(area_of[link.b])
        if area_a < 0 or area_b < 0:
            continue
        grid_a, grid_b = areas[area_a], areas[area_b]
        if area_a == area_b:
            if code <= TERTIARY:
                upgrades.append(
                    (paths.pieces(area_a, grid_a, int(anchors[link.a]), int(anchors[link.b])), code)
                )
            continue
        exit_b = _nearest_local(grid_b, settlements[link.a].centre)
        exit_a = _nearest_local(grid_a, grid_b.grid.xy[exit_b])
        exit_b = _nearest_local(grid_b, grid_a.grid.xy[exit_a])
        p, q = grid_a.grid.xy[exit_a], grid_b.grid.xy[exit_b]
        if land.segments_ok(p[None, :], q[None, :])[0]:
            control: FloatArray | None = np.vstack([p, q])
        else:
            control = router.route(p, q)
        if control is None:
            logger.debug("no land route for %s link %d-%d", link.highway, link.a, link.b)
            continue
        line = _road_line(control, land, rng)
        inner = net.add_nodes(line[1:-1])
        chain = np.concatenate([[grid_a.nodes[exit_a]], inner, [grid_b.nodes[exit_b]]])
        if chain.size >= 2 and not (chain.size == 2 and chain[0] == chain[1]):
            net.add(Pieces.make(chain[:-1], chain[1:], code))
        built += 1
        if code <= TERTIARY:
            upgrades.append((paths.pieces(area_a, grid_a, int(anchors[link.a]), exit_a), code))
            upgrades.append((paths.pieces(area_b, grid_b, int(anchors[link.b]), exit_b), code))
    table = net.pieces()
    for rows, code in upgrades:
        table.code[rows] = np.minimum(table.code[rows], code)
        if code == PRIMARY:
            town = np.isin(table.zone[rows], (_ZONE["urban"], _ZONE["town"]))
            table.maxspeed[rows[town]] = 40.0
    logger.debug("built %d of %d planned links", built, len(links))


def _road_line(control: FloatArray, land: Land, rng: np.random.Generator) -> FloatArray:
    """Bend and resample a control line; straighter tries when a bend would leave the land."""
    spacing = rng.uniform(150.0, 400.0)
    for amplitude in (0.06, 0.03, 0.012):
        line = wiggle(
            control, rng, spacing_m=spacing, amplitude_frac=amplitude, max_amplitude_m=350.0
        )
        if land.segments_ok(line[:-1], line[1:]).all():
            return line
    pieces = [control[:1]]
    for start, end in itertools.pairwise(control):
        count = max(1, round(float(np.hypot(*(end - start))) / spacing))
        t = np.linspace(0.0, 1.0, count + 1)[1:]
        pieces.append(start + t[:, None] * (end - start))
    return np.concatenate(pieces)


def _choose_oneways(net: Network, areas: Sequence[_Area], rng: np.random.Generator) -> None:
    """Make a few runs of town streets one-way (alternating directions on parallel rows)."""
    table = net.pieces()
    chain_id = 0
    for area in areas:
        if area.kind not in ("urban", "town"):
            continue
        grid = area.grid
        along = np.flatnonzero(grid.along)
        if along.size == 0:
            continue
        left = np.where(
            grid.col[grid.edges[along, 0]] < grid.col[grid.edges[along, 1]],
            grid.edges[along, 0],
            grid.edges[along, 1],
        )
        row = grid.row[left]
        col = grid.col[left]
        order = np.lexsort((col, row))
        along, row, col = along[order], row[order], col[order]
        still = table.code[area.pieces[along]] == RESIDENTIAL
        breaks = np.ones(along.size, dtype=bool)
        breaks[1:] = (row[1:] != row[:-1]) | (col[1:] != col[:-1] + 1) | ~still[1:] | ~still[:-1]
        run_id = np.cumsum(breaks) - 1
        runs = [np.flatnonzero(run_id == r) for r in range(int(run_id[-1]) + 1)]
        runs = [r for r in runs if r.size >= 3 and still[r].all()]
        wanted = min(len(runs), max(1, area.nodes.size // 700) if area.kind == "urban" else 1)
        if not wanted:
            continue
        picked = rng.choice(len(runs), size=wanted, replace=False)
        for k in np.sort(picked):
            run = runs[int(k)][:8]
            rows = area.pieces[along[run]]
            eastward = bool(row[run[0]] % 2 == 0) ^ bool(rng.random() < 0.3)
            a_local = grid.edges[along[run], 0]
            b_local = grid.edges[along[run], 1]
            forward = grid.col[a_local] < grid.col[b_local]
            start = np.where(forward == eastward, a_local, b_local)
            end = np.where(forward == eastward, b_local, a_local)
            table.u[rows] = area.nodes[start]
            table.v[rows] = area.nodes[end]
            table.oneway[rows] = True
            table.chain[rows] = chain_id
            chain_id += 1


def _track_starts(
    settlements: Sequence[Settlement],
    areas: Sequence[_Area],
    rng: np.random.Generator,
) -> tuple[IntArray, FloatArray]:
    """Where field tracks leave villages and hamlets: outer nodes, heading outwards."""
    starts, headings = [], []
    for area in areas:
        if area.kind not in ("village", "hamlet"):
            continue
        centre = settlements[area.members[0]].centre
        local = np.flatnonzero(area.in_main)
        offset = area.grid.xy[local] - centre
        dist = np.hypot(offset[:, 0], offset[:, 1])
        outer = local[dist >= np.quantile(dist, 0.85)]
        wanted = 1 + int(rng.random() < 0.4)
        for node in rng.choice(outer, size=min(wanted, outer.size), replace=False):
            delta = area.grid.xy[node] - centre
            starts.append(area.nodes[node])
            headings.append(np.arctan2(delta[1], delta[0]) + rng.normal(0.0, 0.4))
    return np.array(starts, dtype=np.int64), np.array(headings, dtype=np.float64)


def _assemble(net: Network, frame: Frame, seed: int, selection: _Selection) -> RoadGraph:
    """Drop duplicates and unused nodes, split two-way pieces into two rows, go to degrees."""
    table = net.pieces()
    table = table.take(table.u != table.v)
    n = net.n_nodes
    low, high = np.minimum(table.u, table.v), np.maximum(table.u, table.v)
    key = low * n + high
    order = np.lexsort((table.oneway, table.code, key))
    first = np.ones(order.size, dtype=bool)
    first[1:] = key[order][1:] != key[order][:-1]
    table = table.take(np.sort(order[first]))
    used = np.zeros(n, dtype=bool)
    used[table.u] = True
    used[table.v] = True
    renumber = np.cumsum(used) - 1
    lat, lon = frame.to_latlon(net.xy()[used])
    u, v = renumber[table.u], renumber[table.v]
    two = ~table.oneway
    eu = np.concatenate([u, v[two]])
    ev = np.concatenate([v, u[two]])
    rows = np.concatenate([np.arange(len(table)), np.flatnonzero(two)])
    order = np.lexsort((ev, eu))
    eu, ev, rows = eu[order], ev[order], rows[order]
    m = eu.size
    codes = ", ".join(k.code for k in selection.kecamatan)
    scope = "" if len(selection.kecamatan) > 20 else f"; kecamatan {codes} only"
    info = GraphInfo(
        name=NETWORK_NAME,
        source=(
            "synthetic: generated by berbagi from real Kemendagri desa boundaries "
            f"(seed {seed}){scope}"
        ),
        synthetic=True,
        licence="CC0-1.0 (generated data)",
        attribution=ATTRIBUTION,
        created="generated",
        area=selection.label,
        notes=(
            "Generated settlements, street grids, lanes (gang, highway=path) and roads on the "
            "real desa boundaries, for trying the planner; not a map of real roads."
        ),
    )
    return RoadGraph(
        node_id=-np.arange(1, lat.size + 1, dtype=np.int64),
        lat=lat,
        lon=lon,
        edge_u=eu.astype(np.int32),
        edge_v=ev.astype(np.int32),
        length_m=haversine_m(lat[eu], lon[eu], lat[ev], lon[ev]),
        highway=table.code[rows].astype(np.int8),
        oneway=table.oneway[rows].astype(bool),
        maxspeed_kph=table.maxspeed[rows].astype(np.float32),
        access=table.access[rows].astype(np.uint8),
        geom_offsets=np.zeros(m + 1, dtype=np.int64),
        geom_lat=np.zeros(0, dtype=np.float64),
        geom_lon=np.zeros(0, dtype=np.float64),
        info=info,
    )
