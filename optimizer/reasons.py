"""Reason codes for households that end up in no route."""

from __future__ import annotations

from enum import StrEnum


class UnservedReason(StrEnum):
    """Why a household is not in any route; each value is found by a check, not guessed."""

    INVALID_DATA = "invalid_data"
    NO_LOCATION = "no_location"
    CLOSED_AREA = "closed_area"
    NO_DEPOT = "no_depot"
    NO_TEAM = "no_team"
    TOO_FAR_FROM_ROAD = "too_far_from_road"
    UNREACHABLE = "unreachable"
    OUTSIDE_SHIFT = "outside_shift"
    OVER_VEHICLE_CAPACITY = "over_vehicle_capacity"
    NOT_ENOUGH_TEAMS = "not_enough_teams"
