"""osmnx's global settings, changed for the length of one call and then put back.

osmnx keeps its configuration in global settings; the planner changes them only inside
:func:`osmnx_settings`.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def osmnx_settings(**values: object) -> Iterator[None]:
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
