"""Which OpenStreetMap ways a road network keeps: network kinds, highway lists, Overpass filters.

Every network keeps the highway classes the profiles know (``*_link`` included; see
:func:`network_highways`), never areas (``area=yes``) nor ways proposed, under construction,
abandoned or platforms.
"""

from __future__ import annotations

import math

from optimizer.config import HIGHWAY_CLASSES
from optimizer.errors import ConfigError

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
SPLIT_TAGS = tuple(t for t in OSM_WAY_TAGS if t not in ("name", "ref", "width", "service"))
_LINKED_CLASSES = ("motorway", "trunk", "primary", "secondary", "tertiary")
_NEVER = ("proposed", "construction", "abandoned", "platform")


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


def tag_text(value: object) -> str:
    """Return an OSM tag value as lower-case text; a merged list tag gives its first value."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip().lower()
