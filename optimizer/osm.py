"""Download and import OpenStreetMap road networks -> RoadGraph.

Two ways in, one way of cleaning up:

* :func:`download_road_network` asks an Overpass API server for the roads inside the
  boundary polygon of an area (never a free-text place name) and caches the result as
  ``osm-<key>.npz`` with an ``osm-<key>.json`` provenance file beside it;
* :func:`import_road_network` reads an extract file: OSM XML (``.osm``, ``.xml``, also
  bz2/gz-compressed), ``.osm.pbf`` (needs the optional package pyrosm) or an osmnx
  ``.graphml``, optionally clipped to an area polygon.

Both take the area's polygon grown by ``buffer_m`` metres (:data:`DEFAULT_CLIP_BUFFER_M`, 0 for
the exact outline), so streets that leave the area and come back stay whole. The margin only
carries roads: a scenario still plans the households of its own desa.

Both keep the same ways: the highway classes the profiles know (``*_link`` included; see
:func:`network_highways`), never areas (``area=yes``) nor ways proposed, under construction,
abandoned or platforms. The topology is simplified, but never across a change of road class,
access, one-way or speed tag, so a footway cannot hide inside a residential edge (osmnx's
default simplification would merge them and keep one class chosen by set order). The largest
weakly connected part is kept; strong connectivity is handled per profile by
:func:`optimizer.roadgraph.build_profile_network`.

:func:`describe_road_network` summarises any RoadGraph (``berbagi maps info``).

This module and :mod:`optimizer.roadgraph` are the only ones that import osmnx. osmnx keeps its
configuration in global settings; they are changed only inside :func:`_osmnx_settings`, which
puts the previous values back.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import socket
import urllib.error
import urllib.request
import warnings
import xml.sax
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components
from shapely.geometry import MultiPolygon, Polygon

from optimizer.areas import AdminArea
from optimizer.config import HIGHWAY_CLASSES, PlannerConfig, ProfileConfig
from optimizer.errors import ConfigError, GraphError
from optimizer.roadgraph import (
    ACCESS_FOOT,
    ACCESS_MOTORCAR,
    ACCESS_MOTORCYCLE,
    GraphInfo,
    ProfileNetwork,
    RoadGraph,
    build_profile_network,
    highway_code,
    load_road_graph,
    road_graph_from_networkx,
    save_road_graph,
)

logger = logging.getLogger(__name__)

DEFAULT_OVERPASS_URL = "https://overpass-api.de/api"
LICENCE = "ODbL-1.0"
ATTRIBUTION = "© OpenStreetMap contributors, ODbL"
#: Part of the download cache key: bump it when the way selection or the clean-up changes.
FILTER_VERSION = 1
#: Network kinds of :func:`network_highways`, widest first.
NETWORK_KINDS = ("all", "car", "motorbike", "foot")
#: OSM way tags kept on the edges.
OSM_WAY_TAGS = (
    "highway",
    "oneway",
    "maxspeed",
    "access",
    "vehicle",
    "motor_vehicle",
    "motorcar",
    "motorcycle",
    "foot",
    "name",
    "ref",
    "width",
    "service",
    "junction",
)
#: Tags whose change along a street keeps the node between the two parts when simplifying.
_SPLIT_TAGS = tuple(t for t in OSM_WAY_TAGS if t not in ("name", "ref", "width", "service"))
_LINKED_CLASSES = ("motorway", "trunk", "primary", "secondary", "tertiary")
_NEVER = ("proposed", "construction", "abandoned", "platform")
_STATUS_TIMEOUT_S = 30.0
#: Metres of road kept around a clip area by default. An exact clip cuts every street at the
#: boundary: a one-way street that leaves the area and comes back (or a loop whose return runs
#: outside) becomes a dead end, and the strongly connected network of a profile drops it with
#: all it leads to (13 % of the car roads of one real kecamatan extract). 3 km keeps such loops
#: whole at the scale of village streets while adding little to a regency-wide download.
DEFAULT_CLIP_BUFFER_M = 3000


def network_highways(network: str) -> tuple[str, ...]:
    """OSM ``highway`` values a network kind keeps, ``*_link`` values included.

    Parameters
    ----------
    network : str
        ``all`` (every class the profiles know), ``car`` (without path, footway, steps,
        track, cycleway and pedestrian), ``motorbike`` (without footway, steps, pedestrian
        and cycleway) or ``foot`` (without motorway and trunk).

    Returns
    -------
    tuple of str
        Highway values in class order, each class followed by its link form.

    Raises
    ------
    ConfigError
        If the network kind is unknown.
    """
    dropped: dict[str, tuple[str, ...]] = {
        "all": (),
        "car": ("path", "footway", "steps", "track", "cycleway", "pedestrian"),
        "motorbike": ("footway", "steps", "pedestrian", "cycleway"),
        "foot": ("motorway", "trunk"),
    }
    if network not in dropped:
        raise ConfigError(
            f"unknown road network kind '{network}'; use one of {', '.join(NETWORK_KINDS)}"
        )
    values: list[str] = []
    for name in HIGHWAY_CLASSES:
        if name not in dropped[network]:
            values.append(name)
            if name in _LINKED_CLASSES:
                values.append(f"{name}_link")
    return tuple(values)


def overpass_way_filter(network: str) -> str:
    """Overpass QL way filter of a network kind (see :func:`network_highways`)."""
    keep = "|".join(network_highways(network))
    never = "|".join(_NEVER)
    return f'["highway"~"^({keep})$"]["highway"!~"^({never})$"]["area"!~"^yes$"]'


def download_key(
    area: AdminArea, network: str = "all", buffer_m: float = DEFAULT_CLIP_BUFFER_M
) -> str:
    """Return the cache key of a download: sha256 of area, network, buffer, filter and osmnx.

    A download without buffer (``buffer_m=0``) keeps the key of the versions before the buffer,
    whose downloads were exact clips.
    """
    import osmnx as ox

    network_highways(network)
    check_clip_buffer(buffer_m)
    parts: list[object] = [area.code, network, FILTER_VERSION, ox.__version__]
    if buffer_m > 0:
        parts.append(round(float(buffer_m), 1))
    text = json.dumps(parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def check_clip_buffer(buffer_m: float, *, option: str = "buffer_m") -> None:
    """Refuse a negative or non-finite clip margin.

    Parameters
    ----------
    buffer_m : float
        Metres of road to keep around a clip area.
    option : str
        How the caller names the value in the message (``--buffer-m`` on the command line).

    Raises
    ------
    ConfigError
        If ``buffer_m`` is negative, infinite or not a number.
    """
    if not (0 <= buffer_m < math.inf):
        raise ConfigError(
            f"{option} must be a number of metres >= 0, got {buffer_m:g}; use 0 to clip to "
            f"the exact outline, or e.g. {DEFAULT_CLIP_BUFFER_M} to keep the roads around it"
        )


def clip_label(area: AdminArea, buffer_m: float) -> str:
    """Area text of a clipped network, e.g. ``Glagah (35.10.16) + 3,000 m``."""
    margin = f" + {buffer_m:,.0f} m" if buffer_m > 0 else ""
    return f"{area.name} ({area.code}){margin}"


def area_label(area: AdminArea) -> str:
    """Readable name of an area, e.g. ``Kecamatan Glagah`` or ``Kabupaten Banyuwangi``."""
    if area.level == "kabupaten" or area.name.lower().startswith(area.kind.lower()):
        return area.name
    return f"{area.kind.capitalize()} {area.name}"


def _clip_argument(area: AdminArea) -> str:
    """Return what to pass to ``--clip`` to select this area again."""
    if area.level == "kabupaten":
        return "kabupaten"
    if area.level == "desa":
        return area.code
    return f"'{area.name}'" if " " in area.name else area.name


def extract_stem(path: Path) -> str:
    """File name without its extract suffixes (``glagah.osm.pbf`` -> ``glagah``)."""
    name = path.name
    for suffix in (".bz2", ".gz", ".pbf", ".osm", ".xml", ".graphml"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name or path.stem


@contextmanager
def _osmnx_settings(**values: object) -> Iterator[None]:
    """Set osmnx's global settings for the duration of one call, then restore them.

    osmnx also pins the Overpass host name to one IP address by replacing
    ``socket.getaddrinfo`` for the rest of the process; the original function is put back
    as well.
    """
    import osmnx as ox

    previous = {name: getattr(ox.settings, name) for name in values}
    original_getaddrinfo = socket.getaddrinfo
    try:
        for name, value in values.items():
            setattr(ox.settings, name, value)
        yield
    finally:
        for name, value in previous.items():
            setattr(ox.settings, name, value)
        setattr(socket, "getaddrinfo", original_getaddrinfo)  # noqa: B010


def _tag(value: object) -> str:
    """Return an OSM tag value as lower-case text; a merged list tag gives its first value."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip().lower()


def _keep_roads(graph: nx.MultiDiGraph[Any], highways: tuple[str, ...]) -> None:
    """Remove, in place, the edges that are not kept roads and the nodes left without edges."""
    wanted = frozenset(highways)
    drop = [
        (u, v, k)
        for u, v, k, data in graph.edges(keys=True, data=True)
        if _tag(data.get("highway")) not in wanted or _tag(data.get("area")) == "yes"
    ]
    graph.remove_edges_from(drop)
    graph.remove_nodes_from(list(nx.isolates(graph)))


def _polygon(area: AdminArea) -> Polygon | MultiPolygon:
    geometry = area.geometry
    if not isinstance(geometry, Polygon | MultiPolygon) or geometry.is_empty:
        raise GraphError(
            f"area {area.code} ({area.name}) has no polygon to select roads with; give it a "
            "Polygon or MultiPolygon geometry (lon/lat degrees) in its boundary file"
        )
    return geometry


def clip_polygon(
    area: AdminArea, buffer_m: float = DEFAULT_CLIP_BUFFER_M
) -> Polygon | MultiPolygon:
    """Return the area's polygon grown by ``buffer_m`` metres, in lon/lat degrees.

    Parameters
    ----------
    area : AdminArea
        The kabupaten, a kecamatan or a desa.
    buffer_m : float
        Margin in metres (0: the exact outline). The polygon is grown in the local UTM zone
        (osmnx's projection), so the margin is the same in every direction.

    Returns
    -------
    Polygon or MultiPolygon

    Raises
    ------
    ConfigError
        If ``buffer_m`` is negative or not finite.
    GraphError
        If the area has no polygon.
    """
    import osmnx as ox

    check_clip_buffer(buffer_m)
    polygon = _polygon(area)
    if buffer_m == 0:
        return polygon
    projected, crs = ox.projection.project_geometry(polygon)
    grown, _ = ox.projection.project_geometry(
        projected.buffer(float(buffer_m)), crs=crs, to_latlong=True
    )
    if not isinstance(grown, Polygon | MultiPolygon):  # pragma: no cover - buffer of a polygon
        return polygon
    return grown


def _where(area: AdminArea, buffer_m: float) -> str:
    """``Kecamatan Glagah`` or ``Kecamatan Glagah and 3,000 m around it``, for messages."""
    margin = f" and {buffer_m:,.0f} m around it" if buffer_m > 0 else ""
    return f"{area_label(area)}{margin}"


def _clip(
    graph: nx.MultiDiGraph[Any], polygon: Polygon | MultiPolygon, where: str, source: str
) -> nx.MultiDiGraph[Any]:
    """Keep the part of the graph whose nodes lie inside the (grown) clip polygon."""
    import osmnx as ox

    try:
        clipped: nx.MultiDiGraph[Any] = ox.truncate.truncate_graph_polygon(
            graph, polygon, truncate_by_edge=False
        )
    except ValueError as err:
        raise GraphError(
            f"{source}: no road of it lies inside {where}; use an extract that "
            "covers the area, or clip to an area the extract covers"
        ) from err
    return clipped


def _largest_part(graph: nx.MultiDiGraph[Any], source: str) -> nx.MultiDiGraph[Any]:
    """Keep the largest weakly connected part; GraphError when there is no road at all."""
    import osmnx as ox

    if graph.number_of_edges() == 0:
        raise GraphError(
            f"{source}: holds no road the planner can use (highway={'|'.join(HIGHWAY_CLASSES)}); "
            "check that the file is an OpenStreetMap road extract of the right area"
        )
    largest: nx.MultiDiGraph[Any] = ox.truncate.largest_component(graph, strongly=False)
    return largest


def _simplify(graph: nx.MultiDiGraph[Any]) -> nx.MultiDiGraph[Any]:
    """Simplify the topology with osmnx, never merging across a change of a split tag."""
    import osmnx as ox

    if str(graph.graph.get("simplified", "")).lower() == "true":
        return graph
    simple: nx.MultiDiGraph[Any] = ox.simplification.simplify_graph(
        graph, edge_attrs_differ=list(_SPLIT_TAGS)
    )
    return simple


def _integer_node_ids(graph: nx.MultiDiGraph[Any]) -> nx.MultiDiGraph[Any]:
    """Relabel non-integer node ids (e.g. of consolidated osmnx graphs) to -1, -2, ..."""
    if all(isinstance(n, int | np.integer) for n in graph.nodes):
        return graph
    logger.info("node ids are not all OSM integers; numbering them -1, -2, ...")
    ordered = sorted(graph.nodes, key=str)
    mapping = {node: -(i + 1) for i, node in enumerate(ordered)}
    relabelled: nx.MultiDiGraph[Any] = nx.relabel_nodes(graph, mapping, copy=True)
    return relabelled


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def _say(progress: Callable[[str], None] | None) -> Callable[[str], None]:
    return progress if progress is not None else logger.info


# --------------------------------------------------------------------------- download


def _offline_message(area: AdminArea, url: str, reason: str, buffer_m: float) -> str:
    margin = f" --buffer-m {buffer_m:g}" if buffer_m != DEFAULT_CLIP_BUFFER_M else ""
    return (
        f"could not download OpenStreetMap data for {area_label(area)} from {url} ({reason}); "
        "without internet, get an extract file (.osm, .osm.pbf or osmnx .graphml) and run "
        f"'berbagi maps import FILE --clip {_clip_argument(area)}{margin}' (with the same "
        "--boundaries folder, if you gave one)"
    )


def _reason(err: BaseException, timeout_s: float) -> str:
    """Find a short reason for a failed connection along the exception's causes."""
    cause: BaseException | None = err
    strerror = ""
    for _ in range(10):
        if cause is None:
            break
        if isinstance(cause, socket.gaierror):
            return "the server name cannot be resolved: no internet or no DNS"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, TimeoutError) or "timeout" in type(cause).__name__.lower():
            return f"no answer within {timeout_s:g} s"
        if isinstance(cause, OSError) and cause.strerror and not strerror:
            strerror = str(cause.strerror)
        nested = getattr(cause, "reason", None)
        cause = (
            nested if isinstance(nested, BaseException) else cause.__cause__ or cause.__context__
        )
    text = strerror or str(err) or type(err).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _overpass_status(url: str, area: AdminArea, timeout_s: float, buffer_m: float) -> bool:
    """Check that the Overpass server answers before osmnx is called.

    osmnx waits 60 s and more before it gives up on an unreachable server; this check fails
    fast instead.

    Returns
    -------
    bool
        Whether the server reports query slots (then osmnx keeps its polite wait for a free
        slot); False for servers without a slot status page.

    Raises
    ------
    GraphError
        If the server cannot be reached (no internet, DNS failure, refused, timeout) or the
        address is not an http(s) URL.
    """
    import osmnx as ox

    headers = {"User-Agent": str(ox.settings.http_user_agent)}
    wait = min(timeout_s, _STATUS_TIMEOUT_S)
    try:
        request = urllib.request.Request(f"{url}/status", headers=headers)
        with urllib.request.urlopen(request, timeout=wait) as response:
            text = response.read(8192).decode("utf-8", errors="replace")
    except urllib.error.HTTPError as err:
        err.close()
        logger.info("%s/status answered HTTP %s: no slot management, no wait", url, err.code)
        return False
    except ValueError as err:
        raise GraphError(
            f"Overpass address '{url}' is not a valid URL ({err}); use a full address such as "
            f"{DEFAULT_OVERPASS_URL}"
        ) from err
    except OSError as err:
        raise GraphError(_offline_message(area, url, _reason(err, wait), buffer_m)) from err
    lines = text.splitlines()
    first = lines[4].split(" ")[0] if len(lines) > 4 and lines[4].strip() else ""
    return first.isdigit() or first in ("Slot", "Currently")


def download_road_network(
    area: AdminArea,
    *,
    cache_dir: Path,
    network: str = "all",
    buffer_m: float = DEFAULT_CLIP_BUFFER_M,
    overpass_url: str | None = None,
    progress: Callable[[str], None] | None = None,
    timeout_s: float = 180,
) -> tuple[RoadGraph, Path]:
    """Download the OpenStreetMap roads inside an area polygon, or return the cached download.

    Parameters
    ----------
    area : AdminArea
        The kabupaten, a kecamatan or a desa (:meth:`optimizer.areas.Boundaries.select`, on
        the bundled boundaries or a folder of another regency's); its polygon, grown by
        ``buffer_m``, selects the roads (osmnx asks for 500 m more and cuts the result back).
    cache_dir : Path
        Folder of ``osm-<key>.npz`` and ``osm-<key>.json`` (created when missing). A file
        already there for the same area, network kind, buffer, filter version and osmnx
        version is returned without any network access.
    network : str
        Which ways to fetch: ``all``, ``car``, ``motorbike`` or ``foot``
        (see :func:`network_highways`).
    buffer_m : float
        Metres of road kept around the area (default :data:`DEFAULT_CLIP_BUFFER_M`; 0 for
        the exact outline), so streets leaving the area and coming back stay whole.
    overpass_url : str, optional
        Overpass API base address (default :data:`DEFAULT_OVERPASS_URL`), without the
        ``/interpreter`` part.
    progress : callable, optional
        Called with a short line of text at each stage (default: the module logger).
    timeout_s : float
        Seconds to wait for the server (also sent as the Overpass query timeout).

    Returns
    -------
    tuple of (RoadGraph, Path)
        The network (not synthetic, ODbL) and the cached ``.npz`` file.

    Raises
    ------
    GraphError
        If the server cannot be reached or fails (the message explains the offline route
        with ``berbagi maps import``), returns no roads, or the cache cannot be written.
    ConfigError
        If the network kind is unknown or ``buffer_m`` is negative.
    """
    import osmnx as ox

    highways = network_highways(network)
    say = _say(progress)
    url = (overpass_url or DEFAULT_OVERPASS_URL).rstrip("/")
    label = _where(area, buffer_m)
    key = download_key(area, network, buffer_m)
    target = cache_dir / f"osm-{key}.npz"
    if target.is_file():
        try:
            cached = load_road_graph(target)
        except GraphError as err:
            logger.warning("%s; downloading it again", err)
        else:
            say(f"Using the cached download {target} of {cached.info.area} ({cached.info.created})")
            return cached, target
    polygon = clip_polygon(area, buffer_m)
    timeout = max(1, math.ceil(timeout_s))
    say(f"Contacting the Overpass API at {url}")
    slots = _overpass_status(url, area, float(timeout), buffer_m)
    say(
        f"Downloading the OpenStreetMap roads of {label} ({network} network); "
        "a whole kabupaten takes several minutes"
    )
    settings: dict[str, object] = {
        "overpass_url": url,
        "overpass_rate_limit": slots,
        "useful_tags_way": [*OSM_WAY_TAGS, "area"],
        "use_cache": False,
        "requests_timeout": timeout,
        "log_console": False,
        "log_file": False,
    }
    started = datetime.now(UTC)
    with _osmnx_settings(**settings):
        try:
            raw: nx.MultiDiGraph[Any] = ox.graph_from_polygon(
                polygon,
                custom_filter=overpass_way_filter(network),
                simplify=False,
                retain_all=False,
            )
        except ox._errors.InsufficientResponseError as err:
            raise GraphError(
                f"{url} returned no roads for {label} ({_reason(err, timeout)}); the server may "
                "be overloaded: try again later or another server with --overpass-url"
            ) from err
        except (OSError, ox._errors.ResponseStatusCodeError) as err:
            raise GraphError(_offline_message(area, url, _reason(err, timeout), buffer_m)) from err
        except ValueError as err:
            raise GraphError(
                f"the OpenStreetMap data of {label} from {url} holds no usable road ({err}); "
                "check the area, or import an extract with 'berbagi maps import'"
            ) from err
    say(f"Received {raw.number_of_nodes():,} nodes; simplifying the road network")
    source = f"Overpass API {url}"
    _keep_roads(raw, highways)
    roads = _simplify(_largest_part(raw, source))
    info = GraphInfo(
        name=f"osm-{area.code}-{network}",
        source="OpenStreetMap via Overpass API",
        synthetic=False,
        licence=LICENCE,
        attribution=ATTRIBUTION,
        created=started.date().isoformat(),
        area=clip_label(area, buffer_m),
        notes=f"osmnx {ox.__version__}",
    )
    graph = road_graph_from_networkx(roads, source=source, info=info)
    metadata = {
        "file": target.name,
        "source": info.source,
        "overpass_url": url,
        "downloaded": started.isoformat(timespec="seconds"),
        "date": info.created,
        "osmnx": ox.__version__,
        "network": network,
        "way_filter": overpass_way_filter(network),
        "filter_version": FILTER_VERSION,
        "area": {"code": area.code, "name": area.name, "level": area.level},
        "buffer_m": buffer_m,
        "licence": LICENCE,
        "attribution": ATTRIBUTION,
        "nodes": graph.n_nodes,
        "directed_edges": graph.n_edges,
    }
    _write_download(graph, target, metadata)
    say(f"Saved {graph.n_nodes:,} nodes and {graph.n_edges:,} directed edges to {target}")
    return graph, target


def _write_download(graph: RoadGraph, target: Path, metadata: dict[str, object]) -> None:
    """Write the metadata JSON and the ``.npz`` (the latter last and atomically)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        part = save_road_graph(graph, target.with_name(f".{target.stem}.part.npz"))
        target.with_suffix(".json").write_text(
            json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        part.replace(target)
    except OSError as err:
        raise GraphError(
            f"cannot write the downloaded road network to {target.parent} ({err}); "
            "make the folder writable or free disk space"
        ) from err


# --------------------------------------------------------------------------- import


def write_import_metadata(graph: RoadGraph, target: Path, source_file: Path) -> Path:
    """Write the provenance JSON beside an imported network's ``.npz`` file.

    Parameters
    ----------
    graph : RoadGraph
        The imported network (its ``info`` carries source, date, licence and attribution).
    target : Path
        The ``.npz`` file the network was saved to; the JSON gets the same name.
    source_file : Path
        The extract it was imported from.

    Returns
    -------
    Path
        The JSON file.

    Raises
    ------
    GraphError
        If the file cannot be written.
    """
    metadata = {
        **graph.info.to_dict(),
        "file": target.name,
        "imported_from": source_file.name,
        "nodes": graph.n_nodes,
        "directed_edges": graph.n_edges,
    }
    path = target.with_suffix(".json")
    try:
        path.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as err:
        raise GraphError(f"cannot write {path} ({err}); make the folder writable") from err
    return path


def import_road_network(
    path: Path,
    *,
    clip: AdminArea | None = None,
    buffer_m: float = DEFAULT_CLIP_BUFFER_M,
    progress: Callable[[str], None] | None = None,
) -> RoadGraph:
    """Read an OpenStreetMap extract into a RoadGraph.

    Parameters
    ----------
    path : Path
        ``.osm`` / ``.xml`` (OSM XML, also ``.bz2``/``.gz`` compressed), ``.osm.pbf``
        (needs pyrosm) or an osmnx ``.graphml`` file.
    clip : AdminArea, optional
        Keep only the roads whose nodes lie inside this area's polygon grown by ``buffer_m``.
    buffer_m : float
        Metres of road kept around the clip area (default :data:`DEFAULT_CLIP_BUFFER_M`; 0
        for the exact outline), so streets leaving the area and coming back stay whole.
        Without ``clip`` it is not used.
    progress : callable, optional
        Called with a short line of text at each stage (default: the module logger).

    Returns
    -------
    RoadGraph
        The largest weakly connected part of the kept roads, not synthetic (unless a
        ``.graphml`` file says it is), with the ODbL attribution; ``info.area`` names the clip
        area and its margin (``Glagah (35.10.16) + 3,000 m``).

    Raises
    ------
    GraphError
        If the file is missing, of unknown type, unreadable, or holds no road (inside the
        clip area).
    ConfigError
        If ``buffer_m`` is negative or not finite.
    """
    import osmnx as ox

    check_clip_buffer(buffer_m)
    say = _say(progress)
    if not path.is_file():
        raise GraphError(
            f"extract file {path} does not exist; check the path (download an extract that "
            "covers the area, e.g. from download.geofabrik.de, or use 'berbagi maps download')"
        )
    polygon = clip_polygon(clip, buffer_m) if clip is not None else None
    say(f"Reading {path.name}")
    where = _where(clip, buffer_m) if clip is not None else ""
    graph, reader, synthetic_info = _read_extract(path, polygon, where)
    source = str(path)
    if polygon is not None:
        say(f"Clipping to {where}")
        graph = _clip(graph, polygon, where, source)
    graph = _largest_part(graph, source)
    say(f"Tidying the connected road network ({graph.number_of_nodes():,} nodes)")
    graph = _integer_node_ids(_simplify(graph))
    notes = f"osmnx {ox.__version__}" + (f", pyrosm {reader}" if reader else "")
    stem = extract_stem(path)
    info = synthetic_info or GraphInfo(
        name=f"{stem}-{clip.code}" if clip is not None else stem,
        source=f"OpenStreetMap extract {path.name}",
        synthetic=False,
        licence=LICENCE,
        attribution=ATTRIBUTION,
        created=_today(),
        area=clip_label(clip, buffer_m) if clip is not None else "whole extract (not clipped)",
        notes=notes,
    )
    result = road_graph_from_networkx(graph, source=source, info=info)
    say(f"Imported {result.n_nodes:,} nodes and {result.n_edges:,} directed edges")
    return result


def _read_extract(
    path: Path, polygon: Polygon | MultiPolygon | None, where: str
) -> tuple[nx.MultiDiGraph[Any], str, GraphInfo | None]:
    """Read the kept roads of an extract file by its type.

    ``polygon`` is the grown clip polygon (None: the whole file) and ``where`` names it in
    messages. Returns the graph, the pyrosm version for ``.pbf`` files (else empty) and the
    file's own GraphInfo when a ``.graphml`` file says it is synthetic.
    """
    name = path.name.lower()
    highways = network_highways("all")
    if name.endswith(".pbf"):
        return _read_pbf(path, polygon, where, highways), _pyrosm_version(), None
    if name.endswith((".osm", ".xml", ".osm.bz2", ".osm.gz", ".xml.bz2", ".xml.gz")):
        return _read_xml(path, highways), "", None
    if name.endswith(".graphml"):
        graph, synthetic_info = _read_graphml(path, highways)
        return graph, "", synthetic_info
    raise GraphError(
        f"{path}: unknown extract type '{path.suffix}'; use OpenStreetMap XML (.osm), "
        ".osm.pbf or an osmnx .graphml file (a planner .npz needs no import: point "
        "[inputs] road_network at it)"
    )


def _read_xml(path: Path, highways: tuple[str, ...]) -> nx.MultiDiGraph[Any]:
    import osmnx as ox

    with _osmnx_settings(useful_tags_way=[*OSM_WAY_TAGS, "area"], log_console=False):
        try:
            graph: nx.MultiDiGraph[Any] = ox.graph_from_xml(path, simplify=False, retain_all=True)
        except ox._errors.InsufficientResponseError as err:
            raise GraphError(
                f"{path}: holds no OpenStreetMap nodes or ways; export the area again"
            ) from err
        except (OSError, ValueError, KeyError, SyntaxError, xml.sax.SAXException) as err:
            raise GraphError(
                f"{path}: not a readable OpenStreetMap XML file ({err}); export it again "
                "(e.g. from openstreetmap.org 'Export' or with osmium) or use a .osm.pbf file"
            ) from err
    _keep_roads(graph, highways)
    return graph


def _read_graphml(
    path: Path, highways: tuple[str, ...]
) -> tuple[nx.MultiDiGraph[Any], GraphInfo | None]:
    """Read an osmnx GraphML file; also return its own GraphInfo when it says it is synthetic."""
    import osmnx as ox

    try:
        graph: nx.MultiDiGraph[Any] = ox.load_graphml(path)
    except (OSError, ValueError, KeyError, SyntaxError) as err:
        raise GraphError(
            f"{path}: not a readable osmnx GraphML file ({err}); save it again with "
            "osmnx.save_graphml or use the original .osm/.osm.pbf extract"
        ) from err
    _keep_roads(graph, highways)
    meta = graph.graph
    if str(meta.get("synthetic", "false")).lower() not in ("true", "1", "yes"):
        return graph, None
    info = GraphInfo(
        name=str(meta.get("name", extract_stem(path))),
        source=str(meta.get("source", path.name)),
        synthetic=True,
        licence=str(meta.get("licence", "")),
        attribution=str(meta.get("attribution", "")),
        created=str(meta.get("created", "")),
        area=str(meta.get("area", "")),
        notes=f"imported from {path.name}",
    )
    return graph, info


def _pyrosm_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pyrosm")
    except PackageNotFoundError:
        return "unknown"


def _read_pbf(
    path: Path, polygon: Polygon | MultiPolygon | None, where: str, highways: tuple[str, ...]
) -> nx.MultiDiGraph[Any]:
    """Read the kept ways of an ``.osm.pbf`` file with pyrosm (only the clip box, if given).

    ``polygon`` is the clip polygon already grown by the clip margin, ``where`` its name.
    """
    try:
        from pyrosm import OSM
        from pyrosm.exceptions import PBFException
    except ImportError as err:
        raise GraphError(
            f"{path}: reading .osm.pbf files needs the optional package pyrosm; install it "
            "with 'pip install berbagi[osm]' or convert the file to .osm with osmium"
        ) from err
    # Read the box of the (grown) clip polygon and 0.005 degree (about 500 m) more, so ways
    # crossing its edge are read whole; the graph is clipped to the polygon afterwards.
    box = list(polygon.buffer(0.005).bounds) if polygon is not None else None
    columns = [*OSM_WAY_TAGS, "area"]
    try:
        osm = OSM(str(path), bounding_box=box, progress=False)
        with warnings.catch_warnings():
            # pyrosm warns "Could not find any edges for given area." and returns None.
            warnings.filterwarnings(
                "ignore", message="Could not find any edges", category=UserWarning
            )
            nodes, edges = osm.get_network(
                network_type="all",
                nodes=True,
                custom_filter={"highway": list(highways)},
                filter_type="keep",
                tags_to_keep=columns,
            )
    except (PBFException, OSError, ValueError, KeyError) as err:
        raise GraphError(
            f"{path}: not a readable OpenStreetMap .osm.pbf file ({err}); download the "
            "extract again"
        ) from err
    if edges is None or len(edges) == 0:
        inside = f" inside {where}" if where else ""
        raise GraphError(f"{path}: holds no road{inside}; use an extract that covers the area")
    keep = edges["highway"].astype(str).str.lower().isin(highways)
    if "area" in edges.columns:
        keep &= edges["area"].astype(str).str.lower() != "yes"
    edges = edges[keep]
    differ = [tag for tag in _SPLIT_TAGS if tag in edges.columns]
    # "driving" only sets how edges are directed (one-way and roundabout tags respected);
    # the ways were chosen above. The largest weakly connected part is kept later.
    graph: nx.MultiDiGraph[Any] = osm.to_graph(
        nodes,
        edges,
        graph_type="networkx",
        network_type="driving",
        retain_all=True,
        simplify=True,
        simplify_kwargs={"edge_attrs_differ": differ},
        progress=False,
    )
    return graph


# --------------------------------------------------------------------------- describe


_ACCESS_OF_TAG = {"motorcar": ACCESS_MOTORCAR, "motorcycle": ACCESS_MOTORCYCLE, "foot": ACCESS_FOOT}


def _profile_edges(graph: RoadGraph, profile: ProfileConfig) -> npt.NDArray[np.bool_]:
    """Edges a profile may use by class, maxspeed and access (as build_profile_network)."""
    open_class = np.zeros(len(HIGHWAY_CLASSES), dtype=bool)
    open_class[[highway_code(name) for name in profile.open_speeds()]] = True
    code = graph.highway.astype(np.int64)
    by_class = (code >= 0) & open_class[np.clip(code, 0, None)]
    by_speed = ~(np.isfinite(graph.maxspeed_kph) & (graph.maxspeed_kph <= 0))
    by_access = (graph.access & _ACCESS_OF_TAG[profile.access_tag]) > 0
    allowed: npt.NDArray[np.bool_] = by_class & by_speed & by_access
    return allowed


def _reach_of_network(
    graph: RoadGraph, allowed: npt.NDArray[np.bool_], both_ways: bool, network: ProfileNetwork
) -> npt.NDArray[np.bool_]:
    """Nodes the profile's network leads to, or that lead into it, on the allowed edges."""
    n = graph.n_nodes
    u, v = graph.edge_u[allowed], graph.edge_v[allowed]
    if both_ways:
        u, v = np.concatenate([u, v]), np.concatenate([v, u])
    adjacency = csr_matrix((np.ones(u.size), (u, v)), shape=(n, n))
    start = int(np.flatnonzero(network.in_network)[0])
    reach = np.zeros(n, dtype=bool)
    # The network is strongly connected: what one of its nodes reaches, all of them reach.
    reach[breadth_first_order(adjacency, start, directed=True, return_predecessors=False)] = True
    backward = adjacency.T.tocsr()
    reach[breadth_first_order(backward, start, directed=True, return_predecessors=False)] = True
    return reach


def _profile_roads(
    graph: RoadGraph, name: str, profile: ProfileConfig, km: npt.NDArray[np.float64]
) -> tuple[float, dict[str, float | int]]:
    """Share of nodes, usable and total km, dead ends and cut-off nodes of one profile."""
    allowed = _profile_edges(graph, profile)
    total_km = round(float(km[allowed].sum()), 3)
    try:
        network = build_profile_network(graph, name, profile)
    except GraphError:
        empty = {"usable_km": 0.0, "total_km": total_km, "dead_ends": 0, "cut_off_nodes": 0}
        return 0.0, empty
    inside = network.in_network
    usable = allowed & inside[graph.edge_u] & inside[graph.edge_v]
    reach = _reach_of_network(graph, allowed, profile.ignore_oneway, network)
    dropped = network.touched & ~inside
    roads: dict[str, float | int] = {
        "usable_km": round(float(km[usable].sum()), 3),
        "total_km": total_km,
        "dead_ends": int((dropped & reach).sum()),
        "cut_off_nodes": int((dropped & ~reach).sum()),
    }
    return round(float(inside.sum()) / max(graph.n_nodes, 1), 4), roads


def describe_road_network(graph: RoadGraph) -> dict[str, object]:
    """Key figures of a road network, for ``berbagi maps info``.

    Parameters
    ----------
    graph : RoadGraph

    Returns
    -------
    dict
        ``name``, ``source``, ``synthetic``, ``licence``, ``attribution``, ``created``,
        ``area``, ``notes`` (from :class:`GraphInfo`); ``nodes``, ``directed_edges``;
        ``road_km`` (a two-way street counted once) and ``highway_km`` (km per class,
        largest first, ``other`` for classes no profile uses); ``oneway_edges``;
        ``weak_components``, ``largest_weak_nodes``, ``strong_components``,
        ``largest_strong_nodes``; ``profile_share`` (share of all nodes in each default
        profile's strongly connected network); ``profile_roads`` (per default profile:
        ``usable_km``, the km of road in its strongly connected network, against
        ``total_km``, the km of road it may use at all; ``dead_ends``, nodes of its roads
        outside that network that can be entered from it but not left back to it, or left
        towards it but not entered from it, mostly one-way streets cut at the edge of an
        extract; ``cut_off_nodes``, nodes of its roads with no way to or from it at all);
        ``bbox`` (south, west, north, east degrees).
    """
    n = graph.n_nodes
    weight = np.where(graph.oneway, 1.0, 0.5)
    km = graph.length_m * weight / 1000.0
    names = [*HIGHWAY_CLASSES, "other"]
    codes = np.where(graph.highway >= 0, graph.highway, len(HIGHWAY_CLASSES)).astype(np.int64)
    per_class = np.bincount(codes, weights=km, minlength=len(names))
    order = np.argsort(-per_class, kind="stable")
    highway_km = {names[i]: round(float(per_class[i]), 3) for i in order if per_class[i] > 0}
    adjacency = csr_matrix((np.ones(graph.n_edges), (graph.edge_u, graph.edge_v)), shape=(n, n))
    weak_count, weak_labels = connected_components(adjacency, directed=True, connection="weak")
    strong_count, strong_labels = connected_components(
        adjacency, directed=True, connection="strong"
    )
    share: dict[str, float] = {}
    roads: dict[str, dict[str, float | int]] = {}
    for name, profile in PlannerConfig().graph.profiles.items():
        share[name], roads[name] = _profile_roads(graph, name, profile, km)
    info = graph.info
    return {
        "name": info.name,
        "source": info.source,
        "synthetic": info.synthetic,
        "licence": info.licence,
        "attribution": info.attribution,
        "created": info.created,
        "area": info.area,
        "notes": info.notes,
        "nodes": n,
        "directed_edges": graph.n_edges,
        "road_km": round(float(km.sum()), 3),
        "highway_km": highway_km,
        "oneway_edges": int(graph.oneway.sum()),
        "weak_components": int(weak_count) if n else 0,
        "largest_weak_nodes": int(np.bincount(weak_labels).max()) if n else 0,
        "strong_components": int(strong_count) if n else 0,
        "largest_strong_nodes": int(np.bincount(strong_labels).max()) if n else 0,
        "profile_share": share,
        "profile_roads": roads,
        "bbox": {
            "south": round(float(graph.lat.min()), 6) if n else math.nan,
            "west": round(float(graph.lon.min()), 6) if n else math.nan,
            "north": round(float(graph.lat.max()), 6) if n else math.nan,
            "east": round(float(graph.lon.max()), 6) if n else math.nan,
        },
    }
