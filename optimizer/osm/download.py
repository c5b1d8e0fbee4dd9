"""Download the roads of an area from an Overpass API server and cache them with provenance.

:func:`download_road_network` asks the server for the roads inside the boundary polygon of an
area (never a free-text place name), grown by the clip margin, and caches the result as
``osm-<key>.npz`` with an ``osm-<key>.json`` provenance file beside it. A short status check
first fails fast when the server cannot be reached, and every failure explains the offline
route (``berbagi maps import``).
"""

from __future__ import annotations

import json
import logging
import math
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx

from optimizer.areas import AdminArea
from optimizer.errors import GraphError
from optimizer.osm.cleanup import keep_roads, largest_part, simplify_roads
from optimizer.osm.clipping import (
    DEFAULT_CLIP_BUFFER_M,
    area_label,
    clip_argument,
    clip_label,
    clip_polygon,
    download_key,
    where_label,
)
from optimizer.osm.provenance import ATTRIBUTION, LICENCE, progress_lines
from optimizer.osm.selection import (
    FILTER_VERSION,
    OSM_WAY_TAGS,
    network_highways,
    overpass_way_filter,
)
from optimizer.osm.settings import osmnx_settings
from optimizer.roadgraph import (
    GraphInfo,
    RoadGraph,
    load_road_graph,
    road_graph_from_networkx,
    save_road_graph,
)

logger = logging.getLogger(__name__)

DEFAULT_OVERPASS_URL = "https://overpass-api.de/api"
_STATUS_TIMEOUT_S = 30.0


def _offline_message(area: AdminArea, url: str, reason: str, buffer_m: float) -> str:
    margin = f" --buffer-m {buffer_m:g}" if buffer_m != DEFAULT_CLIP_BUFFER_M else ""
    return (
        f"could not download OpenStreetMap data for {area_label(area)} from {url} ({reason}); "
        "without internet, get an extract file (.osm, .osm.pbf or osmnx .graphml) and run "
        f"'berbagi maps import FILE --clip {clip_argument(area)}{margin}' (with the same "
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
        Called with a short line of text at each stage (default: logged at info level).
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
    say = progress_lines(progress)
    url = (overpass_url or DEFAULT_OVERPASS_URL).rstrip("/")
    target = cache_dir / f"osm-{download_key(area, network, buffer_m)}.npz"
    cached = _cached(target, say)
    if cached is not None:
        return cached, target
    started = datetime.now(UTC)
    raw = _fetch(area, network, url, buffer_m, max(1, math.ceil(timeout_s)), say)
    say(f"Received {raw.number_of_nodes():,} nodes; simplifying the road network")
    source = f"Overpass API {url}"
    keep_roads(raw, highways)
    roads = simplify_roads(largest_part(raw, source))
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


def _cached(target: Path, say: Callable[[str], None]) -> RoadGraph | None:
    """Return the download cached in ``target``; None when there is none or it is damaged."""
    if not target.is_file():
        return None
    try:
        cached = load_road_graph(target)
    except GraphError as err:
        logger.warning("%s; downloading it again", err)
        return None
    say(f"Using the cached download {target} of {cached.info.area} ({cached.info.created})")
    return cached


def _fetch(
    area: AdminArea,
    network: str,
    url: str,
    buffer_m: float,
    timeout: int,
    say: Callable[[str], None],
) -> nx.MultiDiGraph[Any]:
    """Ask the Overpass server for the area's ways; every failure a GraphError that says why."""
    import osmnx as ox

    label = where_label(area, buffer_m)
    polygon = clip_polygon(area, buffer_m)
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
    with osmnx_settings(**settings):
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
    return raw


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
