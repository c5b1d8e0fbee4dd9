"""Walks from a parked vehicle (``Route.parks``) as the renderers draw and word them.

A walk parks the vehicle once and reaches doors ``first_stop``..``last_stop`` on foot, in that
order, then goes back to the vehicle. The leg into the walk's first door is the drive to the
parking place, the legs into its other doors are walk legs (``Leg.walk``), and the leg leaving
its last door drives on from the parking place. Maps draw the drive legs as the route and each
walk as one loop on foot: parking place, the doors in order, parking place.
"""

from __future__ import annotations

from optimizer.plan import Leg, Park, Polyline, Route


def door_span(park: Park) -> str:
    """Return the walk's doors as "K-M", or "K" for a walk to one door."""
    if park.last_stop == park.first_stop:
        return str(park.first_stop)
    return f"{park.first_stop}-{park.last_stop}"


def one_door(park: Park) -> bool:
    """Tell whether the walk reaches one door only."""
    return park.last_stop == park.first_stop


def walk_metres(park: Park) -> int:
    """Return the whole loop on foot in whole metres."""
    return round(park.walk_m)


def drive_legs(route: Route) -> list[Leg]:
    """Return the legs that are driven (every leg but the walk legs), in route order."""
    return [leg for leg in route.legs if not leg.walk]


def leg_into(route: Route, sequence: int) -> int:
    """Return the index in ``route.legs`` of the leg that arrives at door ``sequence``.

    Every reload before the door adds a leg (to the depot) ahead of it.
    """
    return sequence - 1 + sum(1 for reload in route.reloads if reload.after_stop < sequence)


def walk_loop(route: Route, park: Park) -> Polyline:
    """Return the walk's loop on foot: parking place, its doors in order, parking place.

    The way out and back follows the park's traced paths (``path_out``, ``path_back``) and the
    way between two doors the walk leg's path, when the plan has them; else straight lines.
    Doors the route does not hold are left out.
    """
    doors = {stop.sequence: stop for stop in route.stops}
    lats, lons = list(park.path_out.lats) or [park.lat], list(park.path_out.lons) or [park.lon]
    for sequence in range(park.first_stop, park.last_stop + 1):
        stop = doors.get(sequence)
        if stop is None:
            continue
        index = leg_into(route, sequence)
        leg = route.legs[index] if 0 <= index < len(route.legs) else None
        if sequence > park.first_stop and leg is not None and leg.walk and leg.path.lats:
            lats.extend(leg.path.lats)
            lons.extend(leg.path.lons)
        lats.append(stop.lat)
        lons.append(stop.lon)
    lats.extend(park.path_back.lats or (park.lat,))
    lons.extend(park.path_back.lons or (park.lon,))
    return Polyline(lats=tuple(lats), lons=tuple(lons))


def walk_trip(route: Route, park: Park) -> int:
    """Return the trip of the walk's first door (1 when the route does not hold it)."""
    return next((stop.trip for stop in route.stops if stop.sequence == park.first_stop), 1)
