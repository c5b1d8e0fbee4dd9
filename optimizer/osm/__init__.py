"""Download and import OpenStreetMap road networks -> RoadGraph.

Two ways in, one way of cleaning up:

* :func:`download_road_network` (:mod:`~optimizer.osm.download`) asks an Overpass API server
  for the roads inside the boundary polygon of an area (never a free-text place name) and
  caches the result as ``osm-<key>.npz`` with an ``osm-<key>.json`` provenance file beside it;
* :func:`import_road_network` (:mod:`~optimizer.osm.extract`) reads an extract file: OSM XML
  (``.osm``, ``.xml``, also bz2/gz-compressed), ``.osm.pbf`` (needs the optional package
  pyrosm) or an osmnx ``.graphml``, optionally clipped to an area polygon.

Both take the area's polygon grown by ``buffer_m`` metres (:data:`DEFAULT_CLIP_BUFFER_M`, 0 for
the exact outline; :mod:`~optimizer.osm.clipping`), so streets that leave the area and come
back stay whole. The margin only carries roads: a scenario still plans the households of its
own desa.

Both keep the same ways (:mod:`~optimizer.osm.selection`): the highway classes the profiles
know (``*_link`` included; see :func:`network_highways`), never areas (``area=yes``) nor ways
proposed, under construction, abandoned or platforms. The topology is simplified
(:mod:`~optimizer.osm.cleanup`), but never across a change of road class, access, one-way or
speed tag, so a footway cannot hide inside a residential edge (osmnx's default simplification
would merge them and keep one class chosen by set order). The largest weakly connected part is
kept; strong connectivity is handled per profile by
:func:`optimizer.profiles.build_profile_network`.

:func:`describe_road_network` (:mod:`~optimizer.osm.describe`) summarises any RoadGraph
(``berbagi maps info``).

This package and :mod:`optimizer.roadgraph` are the only ones that import osmnx. osmnx keeps
its configuration in global settings; they are changed only inside
:func:`optimizer.osm.settings.osmnx_settings`, which puts the previous values back.
"""

from optimizer.osm.clipping import (
    DEFAULT_CLIP_BUFFER_M,
    area_label,
    check_clip_buffer,
    clip_label,
    clip_polygon,
    download_key,
)
from optimizer.osm.describe import describe_road_network
from optimizer.osm.download import DEFAULT_OVERPASS_URL, download_road_network
from optimizer.osm.extract import extract_stem, import_road_network, write_import_metadata
from optimizer.osm.provenance import ATTRIBUTION, LICENCE
from optimizer.osm.selection import (
    FILTER_VERSION,
    NETWORK_KINDS,
    OSM_WAY_TAGS,
    network_highways,
    overpass_way_filter,
)

__all__ = [
    "ATTRIBUTION",
    "DEFAULT_CLIP_BUFFER_M",
    "DEFAULT_OVERPASS_URL",
    "FILTER_VERSION",
    "LICENCE",
    "NETWORK_KINDS",
    "OSM_WAY_TAGS",
    "area_label",
    "check_clip_buffer",
    "clip_label",
    "clip_polygon",
    "describe_road_network",
    "download_key",
    "download_road_network",
    "extract_stem",
    "import_road_network",
    "network_highways",
    "overpass_way_filter",
    "write_import_metadata",
]
