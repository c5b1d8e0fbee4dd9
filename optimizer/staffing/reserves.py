"""Reserves: every available person not in a team, filed by kecamatan, with the reason."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from optimizer.staffing.frame import Frame, Team, nearest_columns
from optimizer.staffing.model import (
    WHY_ALL_MET,
    WHY_BEYOND_REACH,
    WHY_CANNOT_COMPLETE,
    IntArray,
    Reserve,
    ReserveNote,
)

#: Short depots named in a reserve's sentence at most.
_NAMED_DEPOTS = 3


def _note(frame: Frame, why: str, depots: Sequence[int], reach: int = 0) -> ReserveNote:
    """Return a note naming the first few of ``depots`` (by id) and counting the rest."""
    names = tuple(frame.depots[depot].depot_id for depot in depots[:_NAMED_DEPOTS])
    return ReserveNote(why=why, depots=names, more=len(depots) - len(names), reach=reach)


def _reserve_notes(
    frame: Frame, rows: IntArray, missing: IntArray, nearest: int
) -> list[ReserveNote]:
    """Explain each reserve: every need is met, or why this person does not fill one."""
    short = np.flatnonzero(missing.sum(axis=1) > 0)
    if short.size == 0:
        return [ReserveNote(why=WHY_ALL_MET)] * rows.size
    in_play = np.flatnonzero(frame.need.sum(axis=1) > 0)
    near = in_play[nearest_columns(frame.commute[np.ix_(rows, in_play)], nearest)]
    is_short = np.zeros(len(frame.depots), dtype=bool)
    is_short[short] = True
    hits = is_short[near]
    beyond = _note(frame, WHY_BEYOND_REACH, short.tolist(), reach=nearest)
    return [
        _note(frame, WHY_CANNOT_COMPLETE, sorted(int(d) for d in reach_row[hit_row]))
        if hit_row.any()
        else beyond
        for reach_row, hit_row in zip(near, hits, strict=True)
    ]


def list_reserves(
    frame: Frame, teams: Sequence[Team], missing: IntArray, nearest: int
) -> tuple[Reserve, ...]:
    """Every available person not in a team, with the kecamatan of the depot nearest home."""
    in_team = np.zeros(len(frame.people), dtype=bool)
    in_team[[member for team in teams for member in team.members]] = True
    available = np.array([person.available for person in frame.people], dtype=bool)
    rows = np.flatnonzero(available & ~in_team)
    if rows.size == 0:
        return ()
    if frame.depots:
        home = np.argmin(frame.commute[rows], axis=1)
        kecamatan = [frame.depots[int(depot)].kecamatan for depot in home]
    else:
        kecamatan = [""] * rows.size
    notes = _reserve_notes(frame, rows, missing, nearest)
    reserves = [
        Reserve(asn_id=frame.people[int(row)].asn_id, kecamatan=area, note=note)
        for row, area, note in zip(rows, kecamatan, notes, strict=True)
    ]
    return tuple(sorted(reserves, key=lambda reserve: (reserve.kecamatan, reserve.asn_id)))
