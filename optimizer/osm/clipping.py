"""The area a network is cut to: its polygon grown by a margin in metres, labels and cache key.

Both ways in (download and import) take the area's polygon grown by ``buffer_m`` metres
(:data:`DEFAULT_CLIP_BUFFER_M`, 0 for the exact outline), so streets that leave the area and
come back stay whole. The margin only carries roads: a scenario still plans the households of
its own desa.
"""

from __future__ import annotations

import hashlib
import json
import math

from shapely.geometry import MultiPolygon, Polygon

from optimizer.areas import AdminArea
from optimizer.errors import ConfigError, GraphError
from optimizer.osm.selection import FILTER_VERSION, network_highways

#: Metres of road kept around a clip area by default. An exact clip cuts every street at the
#: boundary: a one-way street that leaves the area and comes back (or a loop whose return runs
#: outside) becomes a dead end, and the strongly connected network of a profile drops it with
#: all it leads to (13 % of the car roads of one real kecamatan extract). 3 km keeps such loops
#: whole at the scale of village streets while adding little to a regency-wide download.
DEFAULT_CLIP_BUFFER_M = 3000


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


def clip_argument(area: AdminArea) -> str:
    """Return what to pass to ``--clip`` to select this area again."""
    if area.level == "kabupaten":
        return "kabupaten"
    if area.level == "desa":
        return area.code
    return f"'{area.name}'" if " " in area.name else area.name


def where_label(area: AdminArea, buffer_m: float) -> str:
    """``Kecamatan Glagah`` or ``Kecamatan Glagah and 3,000 m around it``, for messages."""
    margin = f" and {buffer_m:,.0f} m around it" if buffer_m > 0 else ""
    return f"{area_label(area)}{margin}"


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
