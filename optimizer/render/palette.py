"""Colours shared by the renderers: one per team, red for households not served, parking blue.

The overview map, the phone pages and the printed sheets give a team the same colour, so a
team lead recognises the route on every document.
"""

from __future__ import annotations

from typing import Final

#: Route colours, assigned in route order and repeated after the last one. Red is kept for
#: unserved households and grey for outlines and streets.
PALETTE: Final[tuple[str, ...]] = (
    "#1f77b4",  # blue
    "#ff7f0e",  # orange
    "#2ca02c",  # green
    "#9467bd",  # purple
    "#8c564b",  # brown
    "#e377c2",  # pink
    "#17becf",  # cyan
    "#bcbd22",  # olive
    "#332288",  # indigo
    "#882255",  # wine
    "#44aa99",  # teal
    "#117733",  # dark green
)
UNSERVED_COLOUR: Final = "#d62728"
#: The "P" badge where a team parks to walk to a few doors: white on road-sign blue.
PARK_COLOUR: Final = "#0d47a1"


def route_colour(index: int) -> str:
    """Colour of the route at ``index`` in plan order.

    Parameters
    ----------
    index : int
        Position of the route in ``Plan.routes``.

    Returns
    -------
    str
        A "#rrggbb" colour from :data:`PALETTE`.
    """
    return PALETTE[index % len(PALETTE)]
