"""Import an OpenStreetMap extract file (.osm, .osm.pbf, .graphml) into a RoadGraph.

:func:`import_road_network` reads OSM XML (``.osm``, ``.xml``, also bz2/gz-compressed),
``.osm.pbf`` (needs the optional package pyrosm) or an osmnx ``.graphml`` file, optionally
clipped to an area polygon grown by the clip margin; :func:`write_import_metadata` writes the
provenance JSON beside the saved network.
"""

from __future__ import annotations

import json
import warnings
import xml.sax
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import networkx as nx
from shapely.geometry import MultiPolygon, Polygon

from optimizer.areas import AdminArea
from optimizer.errors import GraphError
from optimizer.osm.cleanup import (
    clip_graph,
    integer_node_ids,
    keep_roads,
    largest_part,
    simplify_roads,
)
from optimizer.osm.clipping import (
    DEFAULT_CLIP_BUFFER_M,
    check_clip_buffer,
    clip_label,
    clip_polygon,
    where_label,
)
from optimizer.osm.provenance import ATTRIBUTION, LICENCE, progress_lines, today
from optimizer.osm.restrictions import EdgeKey, read_turn_rules, turn_bans
from optimizer.osm.selection import OSM_WAY_TAGS, SPLIT_TAGS, network_highways
from optimizer.osm.settings import osmnx_settings
from optimizer.roadgraph import GraphInfo, RoadGraph, road_graph_from_networkx

#: File names read as OSM XML.
XML_SUFFIXES = (".osm", ".xml", ".osm.bz2", ".osm.gz", ".xml.bz2", ".xml.gz")


def extract_stem(path: Path) -> str:
    """File name without its extract suffixes (``glagah.osm.pbf`` -> ``glagah``)."""
    name = path.name
    for suffix in (".bz2", ".gz", ".pbf", ".osm", ".xml", ".graphml"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name or path.stem


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
        Called with a short line of text at each stage (default: logged at info level).

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
    say = progress_lines(progress)
    if not path.is_file():
        raise GraphError(
            f"extract file {path} does not exist; check the path (download an extract that "
            "covers the area, e.g. from download.geofabrik.de, or use 'berbagi maps download')"
        )
    polygon = clip_polygon(clip, buffer_m) if clip is not None else None
    say(f"Reading {path.name}")
    where = where_label(clip, buffer_m) if clip is not None else ""
    graph, reader, synthetic_info = _read_extract(path, polygon, where)
    source = str(path)
    if polygon is not None:
        say(f"Clipping to {where}")
        graph = clip_graph(graph, polygon, where, source)
    graph = largest_part(graph, source)
    say(f"Tidying the connected road network ({graph.number_of_nodes():,} nodes)")
    graph = integer_node_ids(simplify_roads(graph))
    bans, turn_note = _turn_bans(path, graph)
    notes = f"osmnx {ox.__version__}" + (f", pyrosm {reader}" if reader else "") + turn_note
    stem = extract_stem(path)
    info = synthetic_info or GraphInfo(
        name=f"{stem}-{clip.code}" if clip is not None else stem,
        source=f"OpenStreetMap extract {path.name}",
        synthetic=False,
        licence=LICENCE,
        attribution=ATTRIBUTION,
        created=today(),
        area=clip_label(clip, buffer_m) if clip is not None else "whole extract (not clipped)",
        notes=notes,
    )
    result = road_graph_from_networkx(graph, source=source, info=info, turn_bans=bans)
    say(f"Imported {result.n_nodes:,} nodes and {result.n_edges:,} directed edges{turn_note}")
    return result


def _turn_bans(
    path: Path, graph: nx.MultiDiGraph[Any]
) -> tuple[list[tuple[EdgeKey, EdgeKey]], str]:
    """Read the extract's turn restrictions: banned edge pairs, and a note on what was read."""
    if not path.name.lower().endswith((*XML_SUFFIXES, ".pbf")):
        return [], "; turn restrictions not read from this file type"
    try:
        rules = read_turn_rules(path)
    except ImportError:
        return [], "; turn restrictions not read: pip install 'berbagi[osm]' to read them"
    except (OSError, RuntimeError, ElementTree.ParseError) as err:
        raise GraphError(
            f"{path}: cannot read its turn restrictions ({err}); export the file again"
        ) from err
    bans, unused = turn_bans(graph, rules)
    read = len(rules.rules) + rules.skipped
    return bans, f"; {read} turn restriction(s), {read - unused} used ({len(bans)} banned turns)"


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
    if name.endswith(XML_SUFFIXES):
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

    with osmnx_settings(useful_tags_way=[*OSM_WAY_TAGS, "area"], log_console=False):
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
    keep_roads(graph, highways)
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
    keep_roads(graph, highways)
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
    differ = [tag for tag in SPLIT_TAGS if tag in edges.columns]
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
