"""Load, check and convert road networks into the planner's array form -> RoadGraph.

Graph contract
--------------
A road network enters the planner either as an osmnx GraphML file or as the planner's compact
``.npz`` file. A networkx graph must satisfy this contract (checked by
:func:`validate_road_graph`, which users can call on their own graphs):

* it is a ``networkx.MultiDiGraph`` with a ``crs`` graph attribute in geographic degrees
  (EPSG:4326);
* every node has numeric ``x`` (longitude) and ``y`` (latitude);
* every edge has a numeric, non-negative ``length`` (metres) and ``highway`` tag; a numeric
  ``travel_time`` (seconds) is checked when present; ``oneway``, ``maxspeed``, ``access``,
  ``motor_vehicle``, ``motorcycle``, ``foot`` and ``geometry`` are read when present;
* a graph attribute ``synthetic`` set to true marks generated (not surveyed) data.

In array form (:class:`RoadGraph`) each directed edge is one row; a two-way street is two rows.
Travel times are not stored: they depend on the vehicle, so
:func:`optimizer.profiles.build_profile_network` derives them per profile.
"""

from __future__ import annotations

import json
import logging
import math
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt

from optimizer.config import HIGHWAY_CLASSES, ProfileConfig
from optimizer.errors import GraphError

logger = logging.getLogger(__name__)

#: Bits of ``RoadGraph.access``: which traffic an OSM way admits by its access tags.
ACCESS_MOTORCAR = 1
ACCESS_MOTORCYCLE = 2
ACCESS_FOOT = 4
ACCESS_ALL = ACCESS_MOTORCAR | ACCESS_MOTORCYCLE | ACCESS_FOOT
#: ... open to that traffic for deliveries only (``delivery``): a profile with ``delivery =
#: true`` (the default: a food-aid day is a delivery) may use it, the open bit is not set.
DELIVERY_MOTORCAR = 8
DELIVERY_MOTORCYCLE = 16
DELIVERY_FOOT = 32
#: ... open to that traffic with a destination there only (``destination``, ``customers``):
#: the open bit is set as well, so the way can be used (to reach a door on it).
DESTINATION_MOTORCAR = 64
DESTINATION_MOTORCYCLE = 128
ACCESS_BIT = {"motorcar": ACCESS_MOTORCAR, "motorcycle": ACCESS_MOTORCYCLE, "foot": ACCESS_FOOT}
DELIVERY_BIT = {
    "motorcar": DELIVERY_MOTORCAR,
    "motorcycle": DELIVERY_MOTORCYCLE,
    "foot": DELIVERY_FOOT,
}
DESTINATION_BIT = {"motorcar": DESTINATION_MOTORCAR, "motorcycle": DESTINATION_MOTORCYCLE}
HIGHWAY_CODE = {name: code for code, name in enumerate(HIGHWAY_CLASSES)}
_HIGHWAY_ALIASES = {"road": "unclassified", "bridleway": "path", "corridor": "footway"}
NPZ_FORMAT = "berbagi-roadgraph-1"
#: The array fields of a RoadGraph (all read-only once built).
ARRAY_FIELDS = (
    "node_id",
    "lat",
    "lon",
    "edge_u",
    "edge_v",
    "length_m",
    "highway",
    "oneway",
    "maxspeed_kph",
    "access",
    "geom_offsets",
    "geom_lat",
    "geom_lon",
)
#: Walking pace used for exported travel times where no vehicle speed applies (km/h).
WALK_KPH = 4.5
#: How to get a good road-network file, said whenever one cannot be used.
GOOD_NETWORK_FIX = (
    "get a good copy: download it again with 'berbagi maps download', import the original "
    "OpenStreetMap extract again with 'berbagi maps import', or, for the demo network shipped "
    "with berbagi, reinstall berbagi or run 'berbagi maps build-demo'"
)
#: What reading a damaged or wrong ``.npz`` file raises (numpy, zipfile, zlib, json).
_NPZ_ERRORS = (OSError, EOFError, KeyError, ValueError, TypeError, zipfile.BadZipFile, zlib.error)
#: What osmnx and networkx raise on a damaged GraphML file or one of another kind of graph.
_GRAPHML_ERRORS = (
    OSError,
    EOFError,
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    SyntaxError,
    nx.NetworkXError,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class GraphInfo:
    """Where a road network comes from; shown on every map and sheet built on it."""

    name: str
    source: str
    synthetic: bool
    licence: str
    attribution: str
    created: str
    area: str
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON files."""
        return {
            "name": self.name,
            "source": self.source,
            "synthetic": self.synthetic,
            "licence": self.licence,
            "attribution": self.attribution,
            "created": self.created,
            "area": self.area,
            "notes": self.notes,
        }


def readonly(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Return the array contiguous and read-only (shared by the road-graph value types)."""
    array = np.ascontiguousarray(array)
    array.flags.writeable = False
    return array


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RoadGraph:
    """A directed road network in array form (one row per directed edge).

    Attributes
    ----------
    node_id : int64 array (n,)
        OSM node ids (synthetic ids for the demo network).
    lat, lon : float64 arrays (n,)
        Node coordinates in degrees.
    edge_u, edge_v : int32 arrays (m,)
        Edge endpoints as indices into the node arrays.
    length_m : float64 array (m,)
        Edge length along its geometry, metres.
    highway : int8 array (m,)
        Index into :data:`optimizer.config.HIGHWAY_CLASSES`; -1 for ways no profile uses.
    oneway : bool array (m,)
        True when the edge belongs to a one-way way (its reverse is not in the graph).
    maxspeed_kph : float32 array (m,)
        Tagged speed limit, NaN where untagged.
    access : uint8 array (m,)
        Bit set of ACCESS_MOTORCAR, ACCESS_MOTORCYCLE, ACCESS_FOOT (open to that traffic),
        DELIVERY_* (open to it for deliveries only) and DESTINATION_* (open, but only to
        traffic with a destination there). Files written before the DELIVERY_* and
        DESTINATION_* bits have only the first three (deliveries-only ways closed).
    geom_offsets : int64 array (m + 1,)
        Edge e's inner shape points are ``geom_lat/geom_lon[geom_offsets[e]:geom_offsets[e+1]]``.
    info : GraphInfo
        Provenance, including whether the network is synthetic.
    turn_from, turn_to : int64 arrays (k,)
        Turns vehicles may not make (OSM turn restrictions, ``only_*`` ones as a ban of every
        other way out): arriving along edge ``turn_from[i]`` at its end node, a vehicle may not
        leave along edge ``turn_to[i]``. People on foot ignore them. Empty by default.
    """

    node_id: npt.NDArray[np.int64]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    edge_u: npt.NDArray[np.int32]
    edge_v: npt.NDArray[np.int32]
    length_m: npt.NDArray[np.float64]
    highway: npt.NDArray[np.int8]
    oneway: npt.NDArray[np.bool_]
    maxspeed_kph: npt.NDArray[np.float32]
    access: npt.NDArray[np.uint8]
    geom_offsets: npt.NDArray[np.int64]
    geom_lat: npt.NDArray[np.float64]
    geom_lon: npt.NDArray[np.float64]
    info: GraphInfo
    turn_from: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    turn_to: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))

    def __post_init__(self) -> None:
        for name in (*ARRAY_FIELDS, "turn_from", "turn_to"):
            object.__setattr__(self, name, readonly(getattr(self, name)))

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_id.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return int(self.edge_u.shape[0])

    def highway_counts(self) -> dict[str, int]:
        """Directed edges per highway class (classes with none are left out)."""
        counts = np.bincount(self.highway[self.highway >= 0], minlength=len(HIGHWAY_CLASSES))
        return {name: int(c) for name, c in zip(HIGHWAY_CLASSES, counts, strict=True) if c}

    def edge_shape(self, edge: int, *, reverse: bool = False) -> list[tuple[float, float]]:
        """(lat, lon) points of one edge from its start to its end node, both included."""
        start, end = int(self.geom_offsets[edge]), int(self.geom_offsets[edge + 1])
        u, v = int(self.edge_u[edge]), int(self.edge_v[edge])
        points = [(float(self.lat[u]), float(self.lon[u]))]
        points += [
            (float(la), float(lo))
            for la, lo in zip(self.geom_lat[start:end], self.geom_lon[start:end], strict=True)
        ]
        points.append((float(self.lat[v]), float(self.lon[v])))
        return points[::-1] if reverse else points


def _check_arrays(graph: RoadGraph, source: str) -> None:
    """Raise GraphError when the array form is inconsistent."""
    n, m = graph.n_nodes, graph.n_edges
    problems: list[str] = []
    for name in ("lat", "lon"):
        if getattr(graph, name).shape != (n,):
            problems.append(f"'{name}' has {getattr(graph, name).shape[0]} values for {n} nodes")
    for name in ("edge_v", "length_m", "highway", "oneway", "maxspeed_kph", "access"):
        if getattr(graph, name).shape != (m,):
            problems.append(f"'{name}' has {getattr(graph, name).shape[0]} values for {m} edges")
    if graph.geom_offsets.shape != (m + 1,):
        problems.append("'geom_offsets' must have one value more than there are edges")
    if m and (
        graph.edge_u.min() < 0
        or graph.edge_v.min() < 0
        or max(graph.edge_u.max(), graph.edge_v.max()) >= n
    ):
        problems.append("edge endpoints point outside the node list")
    if not np.all(np.isfinite(graph.length_m)) or (m and graph.length_m.min() < 0):
        problems.append("edge lengths must be finite and >= 0 metres")
    if not (np.all(np.isfinite(graph.lat)) and np.all(np.isfinite(graph.lon))):
        problems.append("node coordinates must be finite numbers")
    turns = np.concatenate([graph.turn_from, graph.turn_to])
    if graph.turn_from.shape != graph.turn_to.shape or (
        turns.size and (turns.min() < 0 or turns.max() >= m)
    ):
        problems.append("turn restrictions must be pairs of edge numbers")
    if problems:
        raise GraphError(
            f"{source}: the road network is damaged ({'; '.join(problems)}); {GOOD_NETWORK_FIX}"
        )


def save_road_graph(graph: RoadGraph, path: Path) -> Path:
    """Write a road graph to the compact ``.npz`` form (coordinates to 1e-7 degree).

    Parameters
    ----------
    graph : RoadGraph
    path : Path
        Target file; ``.npz`` is appended when missing.

    Returns
    -------
    Path
        The file written.
    """
    path = path if path.suffix == ".npz" else path.with_suffix(".npz")
    path.parent.mkdir(parents=True, exist_ok=True)
    scale = 1e7
    # Turn restrictions only when there are any: files without them stay as they were.
    turns: dict[str, Any] = (
        {"turn_from": graph.turn_from.astype(np.int32), "turn_to": graph.turn_to.astype(np.int32)}
        if graph.turn_from.size
        else {}
    )
    with path.open("wb") as handle:
        np.savez_compressed(
            handle,
            **turns,
            format=np.array(NPZ_FORMAT),
            info=np.array(json.dumps(graph.info.to_dict(), sort_keys=True)),
            node_id=graph.node_id.astype(np.int64),
            lat_e7=np.round(graph.lat * scale).astype(np.int32),
            lon_e7=np.round(graph.lon * scale).astype(np.int32),
            edge_u=graph.edge_u.astype(np.int32),
            edge_v=graph.edge_v.astype(np.int32),
            length_dm=np.round(graph.length_m * 10).astype(np.int32),
            highway=graph.highway.astype(np.int8),
            oneway=graph.oneway.astype(np.bool_),
            maxspeed_kph=graph.maxspeed_kph.astype(np.float32),
            access=graph.access.astype(np.uint8),
            geom_offsets=graph.geom_offsets.astype(np.int64),
            geom_lat_e7=np.round(graph.geom_lat * scale).astype(np.int32),
            geom_lon_e7=np.round(graph.geom_lon * scale).astype(np.int32),
        )
    return path


def _load_npz(path: Path) -> RoadGraph:
    try:
        with path.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
            if str(data["format"]) != NPZ_FORMAT:
                raise GraphError(
                    f"{path}: unknown road-network format '{data['format']}'; expected "
                    f"{NPZ_FORMAT} (a network saved by another version of berbagi?); "
                    f"{GOOD_NETWORK_FIX}"
                )
            info = GraphInfo(**json.loads(str(data["info"])))
            scale = 1e-7
            graph = RoadGraph(
                node_id=data["node_id"],
                lat=data["lat_e7"] * scale,
                lon=data["lon_e7"] * scale,
                edge_u=data["edge_u"],
                edge_v=data["edge_v"],
                length_m=data["length_dm"] / 10.0,
                highway=data["highway"],
                oneway=data["oneway"],
                maxspeed_kph=data["maxspeed_kph"],
                access=data["access"],
                geom_offsets=data["geom_offsets"],
                geom_lat=data["geom_lat_e7"] * scale,
                geom_lon=data["geom_lon_e7"] * scale,
                info=info,
                turn_from=data["turn_from"] if "turn_from" in data.files else np.zeros(0, np.int64),
                turn_to=data["turn_to"] if "turn_to" in data.files else np.zeros(0, np.int64),
            )
    except _NPZ_ERRORS as err:
        raise GraphError(
            f"{path}: cannot read the road network: the file is damaged (cut short, or "
            "changed since it was saved) or is not a road network saved by berbagi "
            f"({_kind(err)}: {err}); {GOOD_NETWORK_FIX}"
        ) from err
    _check_arrays(graph, str(path))
    return graph


def _kind(err: Exception) -> str:
    """Name an exception's type the way users can look it up (``zlib.error``, not ``error``)."""
    name = type(err).__name__
    return f"{type(err).__module__}.{name}" if name == "error" else name


def _load_graphml(path: Path) -> RoadGraph:
    """Read an osmnx GraphML file; a damaged file or a graph of something else is a GraphError."""
    import osmnx as ox

    try:
        graph = ox.load_graphml(path)
    except _GRAPHML_ERRORS as err:
        raise GraphError(
            f"{path}: not a readable osmnx GraphML road network: the file is damaged or holds "
            f"another kind of graph ({_kind(err)}: {err}); {GOOD_NETWORK_FIX}"
        ) from err
    try:
        return road_graph_from_networkx(graph, source=str(path))
    except GraphError as err:
        raise GraphError(f"{err}. It is not an osmnx road network; {GOOD_NETWORK_FIX}") from err
    except _GRAPHML_ERRORS as err:
        raise GraphError(
            f"{path}: not an osmnx road network ({_kind(err)}: {err}); {GOOD_NETWORK_FIX}"
        ) from err


def load_road_graph(path: Path) -> RoadGraph:
    """Load a road network from the planner's ``.npz`` form or an osmnx GraphML file.

    Parameters
    ----------
    path : Path
        ``.npz`` (compact array form) or ``.graphml`` (osmnx).

    Returns
    -------
    RoadGraph

    Raises
    ------
    GraphError
        If the file is missing, damaged (cut short, not a zip or XML file), holds no roads or
        another kind of graph, or breaks the graph contract; the message names the file, what
        is wrong and how to get a good one.
    """
    if not path.is_file():
        raise GraphError(
            f"road network file {path} does not exist; build the demo network with "
            "'berbagi maps build-demo' or point [inputs] road_network at an existing file"
        )
    if path.suffix in (".npz", ".graphml"):
        graph = _load_npz(path) if path.suffix == ".npz" else _load_graphml(path)
        if graph.n_edges == 0:
            raise GraphError(f"{path}: the road network holds no roads; {GOOD_NETWORK_FIX}")
        return graph
    raise GraphError(
        f"{path}: unknown road-network file type '{path.suffix}'; use .npz or .graphml "
        "(import .osm/.osm.pbf files with 'berbagi maps import')"
    )


def validate_road_graph(graph: nx.MultiDiGraph[Any], *, source: str = "graph") -> None:
    """Check a networkx graph against the graph contract (see the module docstring).

    Raises
    ------
    GraphError
        Listing up to ten broken rules, each naming the node or edge.
    """
    problems: list[str] = []
    if not isinstance(graph, nx.MultiDiGraph):
        problems.append(f"it is a {type(graph).__name__}, not a networkx MultiDiGraph")
    crs = str(graph.graph.get("crs", "")).lower()
    if not crs:
        problems.append("graph attribute 'crs' is missing (expected epsg:4326)")
    elif "4326" not in crs and "crs84" not in crs:
        problems.append(f"graph crs is '{crs}'; project it back to epsg:4326 (degrees)")
    for node, data in graph.nodes(data=True):
        if not all(_is_number(data.get(key)) for key in ("x", "y")):
            problems.append(f"node {node} lacks numeric 'x'/'y' coordinates")
            if len(problems) >= 10:
                break
    for u, v, key, data in graph.edges(keys=True, data=True):
        length = data.get("length")
        if not _is_number(length) or float(length or 0) < 0:
            problems.append(f"edge ({u}, {v}, {key}) has length {length!r}; expected metres >= 0")
        elif "highway" not in data:
            problems.append(f"edge ({u}, {v}, {key}) has no 'highway' tag")
        elif "travel_time" in data and not _is_number(data["travel_time"]):
            problems.append(f"edge ({u}, {v}, {key}) has travel_time {data['travel_time']!r}")
        if len(problems) >= 10:
            break
    if problems:
        raise GraphError(f"{source} breaks the road-graph contract: " + "; ".join(problems))


def _is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _first(value: object) -> str:
    """Collapse osmnx's merged list tags to the first value, as a lower-case string."""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip().lower() if value is not None else ""


def highway_code(tag: object) -> int:
    """Map an OSM highway tag (``*_link`` included) to its class index, -1 when unused."""
    name = _first(tag).removesuffix("_link")
    name = _HIGHWAY_ALIASES.get(name, name)
    return HIGHWAY_CODE.get(name, -1)


_NO = {"no", "private", "agricultural", "forestry", "discouraged"}
_DESTINATION = {"destination", "customers"}


def access_bits(tags: dict[str, object]) -> int:
    """Derive the ACCESS_*, DELIVERY_* and DESTINATION_* bit set from OSM access tags.

    The most specific tag wins (``motorcar``/``motorcycle``/``foot`` over ``motor_vehicle``
    over ``vehicle`` over ``access``).
    """
    general = _first(tags.get("access"))
    vehicle = _first(tags.get("vehicle")) or general
    motor = _first(tags.get("motor_vehicle")) or vehicle
    values = {
        "motorcar": _first(tags.get("motorcar")) or motor,
        "motorcycle": _first(tags.get("motorcycle")) or motor,
        "foot": _first(tags.get("foot")) or general,
    }
    result = 0
    for mode, value in values.items():
        if value == "delivery":
            result |= DELIVERY_BIT[mode]
        elif value not in _NO:
            result |= ACCESS_BIT[mode]
            if value in _DESTINATION and mode in DESTINATION_BIT:
                result |= DESTINATION_BIT[mode]
    return result


def _maxspeed(value: object) -> float:
    match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(mph)?", _first(value))
    if match is None:
        return float("nan")
    speed = float(match.group(1))
    return speed * 1.609344 if match.group(2) else speed


def _turn_pairs(
    edges: Sequence[tuple[Any, Any, int, Any]],
    turn_bans: Sequence[tuple[tuple[Any, Any, int], tuple[Any, Any, int]]],
) -> npt.NDArray[np.int64]:
    """Banned turns given as networkx edge keys, as pairs of edge numbers (k, 2)."""
    position = {(u, v, k): i for i, (u, v, k, _) in enumerate(edges)}
    pairs = [(position[a], position[b]) for a, b in turn_bans if a in position and b in position]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def road_graph_from_networkx(
    graph: nx.MultiDiGraph[Any],
    *,
    source: str,
    info: GraphInfo | None = None,
    turn_bans: Sequence[tuple[tuple[Any, Any, int], tuple[Any, Any, int]]] = (),
) -> RoadGraph:
    """Convert a contract-abiding networkx graph into a :class:`RoadGraph`.

    ``turn_bans`` lists banned turns as (arriving edge, leaving edge) keys ``(u, v, key)`` of
    the graph (see :attr:`RoadGraph.turn_from`).

    Raises
    ------
    GraphError
        If the graph breaks the contract.
    """
    validate_road_graph(graph, source=source)
    nodes = sorted(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    lat = np.array([float(graph.nodes[n]["y"]) for n in nodes])
    lon = np.array([float(graph.nodes[n]["x"]) for n in nodes])
    edges = sorted(
        graph.edges(keys=True, data=True), key=lambda e: (index[e[0]], index[e[1]], e[2])
    )
    turns = _turn_pairs(edges, turn_bans)
    offsets = [0]
    geom_lat: list[float] = []
    geom_lon: list[float] = []
    for _u, _v, _k, data in edges:
        shape = data.get("geometry")
        if shape is not None and hasattr(shape, "coords"):
            inner = list(shape.coords)[1:-1]
            geom_lon.extend(float(p[0]) for p in inner)
            geom_lat.extend(float(p[1]) for p in inner)
        offsets.append(len(geom_lat))
    if info is None:
        meta = graph.graph
        synthetic = str(meta.get("synthetic", "false")).lower() in ("true", "1", "yes")
        info = GraphInfo(
            name=Path(source).stem,
            source=str(meta.get("source", source)),
            synthetic=synthetic,
            licence=str(meta.get("licence", "ODbL-1.0" if not synthetic else "")),
            attribution=str(
                meta.get("attribution", "" if synthetic else "© OpenStreetMap contributors, ODbL")
            ),
            created=str(meta.get("created_date", meta.get("created", ""))),
            area=str(meta.get("area", "")),
        )
    return RoadGraph(
        node_id=np.array([int(n) for n in nodes], dtype=np.int64),
        lat=lat,
        lon=lon,
        edge_u=np.array([index[e[0]] for e in edges], dtype=np.int32),
        edge_v=np.array([index[e[1]] for e in edges], dtype=np.int32),
        length_m=np.array([float(e[3]["length"]) for e in edges], dtype=np.float64),
        highway=np.array([highway_code(e[3].get("highway")) for e in edges], dtype=np.int8),
        oneway=np.array(
            [_first(e[3].get("oneway")) in ("true", "yes", "1", "-1") for e in edges], dtype=bool
        ),
        maxspeed_kph=np.array([_maxspeed(e[3].get("maxspeed")) for e in edges], dtype=np.float32),
        access=np.array([access_bits(e[3]) for e in edges], dtype=np.uint8),
        geom_offsets=np.array(offsets, dtype=np.int64),
        geom_lat=np.array(geom_lat, dtype=np.float64),
        geom_lon=np.array(geom_lon, dtype=np.float64),
        info=info,
        turn_from=turns[:, 0],
        turn_to=turns[:, 1],
    )


def road_graph_to_networkx(
    graph: RoadGraph, *, speed_profile: ProfileConfig | None = None
) -> nx.MultiDiGraph[int]:
    """Export a :class:`RoadGraph` as an osmnx-style MultiDiGraph (for GraphML and GIS tools).

    Parameters
    ----------
    graph : RoadGraph
    speed_profile : ProfileConfig, optional
        Speeds for the exported ``speed_kph`` and ``travel_time`` attributes (osmnx's names).
        Edges the profile cannot use, and every edge when no profile is given, move at walking
        pace (4.5 km/h); a tagged maxspeed caps the speed. The planner itself does not read
        these attributes: it times edges per vehicle profile.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by OSM id with ``x``/``y``; edges with ``length``, ``highway``, ``oneway``,
        ``access`` (bit set), ``speed_kph`` and ``travel_time``; graph attributes ``crs`` and
        the provenance fields, including ``synthetic``.
    """
    speeds = speed_profile.open_speeds() if speed_profile is not None else {}
    out: nx.MultiDiGraph[int] = nx.MultiDiGraph()
    out.graph.update({k: str(v) for k, v in graph.info.to_dict().items()})
    out.graph["crs"] = "epsg:4326"
    for i in range(graph.n_nodes):
        out.add_node(int(graph.node_id[i]), x=float(graph.lon[i]), y=float(graph.lat[i]))
    for e in range(graph.n_edges):
        code = int(graph.highway[e])
        name = HIGHWAY_CLASSES[code] if code >= 0 else "unknown"
        speed = speeds.get(name, WALK_KPH)
        if np.isfinite(graph.maxspeed_kph[e]):
            speed = min(speed, float(graph.maxspeed_kph[e]))
        length = float(graph.length_m[e])
        out.add_edge(
            int(graph.node_id[graph.edge_u[e]]),
            int(graph.node_id[graph.edge_v[e]]),
            length=length,
            highway=name,
            oneway=bool(graph.oneway[e]),
            access=int(graph.access[e]),
            speed_kph=speed,
            travel_time=round(length / (speed / 3.6), 3),
        )
    return out
