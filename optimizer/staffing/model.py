"""What team forming takes and gives: depots, last month's teams, formed teams, reserves."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from optimizer.units import haversine_m

#: Road distance estimated from the great-circle distance (roads wind; a typical rural factor).
ROAD_FACTOR = 1.3
#: The one reason code of a reserve.
REASON_NOT_NEEDED = "not_needed"
#: Why a reserve is not in a team (:class:`ReserveNote`).
WHY_ALL_MET = "all_met"
WHY_BEYOND_REACH = "beyond_reach"
WHY_CANNOT_COMPLETE = "cannot_complete"

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, kw_only=True)
class DepotSite:
    """A depot teams are sent to, with the kecamatan reserves are filed under."""

    depot_id: str
    desa_code: str
    kecamatan: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True, kw_only=True)
class PreviousTeam:
    """Last month's team: ``members`` are asn_ids with the driver first."""

    team_id: str
    depot_id: str
    vehicle: str
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FormedTeam:
    """One complete team: a driver who owns ``vehicle`` plus passengers.

    ``members`` are asn_ids, driver first, passengers by asn_id (a kept team keeps its order).
    ``travel_m`` is the sum of the members' estimated road distances from home to the depot.
    ``kept`` is True for a team carried over from last month unchanged.
    """

    team_id: str
    depot_id: str
    vehicle: str
    members: tuple[str, ...]
    travel_m: int
    kept: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ReserveNote:
    """Why a reserve is not in a team, in parts a page can word in either language.

    ``why`` is ``all_met`` (every depot has the teams it needs), ``beyond_reach`` (the depots
    still short of teams are beyond the ``reach`` nearest depots from home) or
    ``cannot_complete`` (depots within reach still miss teams, but this person cannot complete
    one). ``depots`` names at most three of those depots by id; ``more`` counts the others.
    """

    why: str
    depots: tuple[str, ...] = ()
    more: int = 0
    reach: int = 0

    def depot_list(self, more_word: str = "and {n} more") -> str:
        """Return the depots for a sentence: "D-1, D-2 and 3 more" (``more_word`` filled)."""
        tail = " " + more_word.format(n=self.more) if self.more else ""
        return ", ".join(self.depots) + tail

    def sentence(self) -> str:
        """Return the note as an English sentence for planners (roster.csv)."""
        if self.why == WHY_BEYOND_REACH:
            return (
                "Not needed: every depot within reach has its teams; the depots still short of"
                f" teams ({self.depot_list()}) are beyond the {self.reach} nearest depots from"
                " home."
            )
        if self.why == WHY_CANNOT_COMPLETE:
            return (
                f"Not needed: {self.depot_list()} within reach still miss teams but cannot"
                " complete one even with this person (too few other members, or no driver of"
                " the vehicle type, nearby)."
            )
        return "Not needed this month: every depot has the teams it needs."


@dataclass(frozen=True, slots=True, kw_only=True)
class Reserve:
    """An available person not in a team; ``kecamatan`` of the depot nearest home.

    ``note`` says why; ``reason`` is its English sentence for planners; ``code`` is always
    ``not_needed``.
    """

    asn_id: str
    kecamatan: str
    note: ReserveNote
    code: str = REASON_NOT_NEEDED

    @property
    def reason(self) -> str:
        """Return the English sentence of ``note``."""
        return self.note.sentence()


@dataclass(frozen=True, slots=True, kw_only=True)
class Staffing:
    """The teams formed for one distribution day, the reserves and what is missing.

    ``teams`` are sorted by depot_id, vehicle, team_id; ``reserves`` by kecamatan, asn_id.
    ``missing`` maps (depot_id, vehicle) to the teams that could not be formed (only
    entries above 0). ``unavailable`` lists the asn_ids marked unavailable, sorted.
    ``total_travel_m`` is the sum of the teams' ``travel_m``.
    """

    teams: tuple[FormedTeam, ...]
    reserves: tuple[Reserve, ...]
    missing: dict[tuple[str, str], int]
    unavailable: tuple[str, ...]
    total_travel_m: int


def commute_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> IntArray:
    """Estimate the road distance between points in whole metres (vectorised).

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array_like of float
        Coordinates in degrees; they broadcast against each other like numpy arrays.

    Returns
    -------
    numpy.ndarray of int64
        ``round(haversine_m(...) * ROAD_FACTOR)`` in metres.
    """
    return np.rint(haversine_m(lat1, lon1, lat2, lon2) * ROAD_FACTOR).astype(np.int64)
