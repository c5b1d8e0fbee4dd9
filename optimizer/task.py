"""The solver's input, in integers only: one routing task per sub-problem -> SolveTask.

A task knows nothing of files, names or roads: nodes (depots first, then households), their
demands, service times, windows, travel times and distances per vehicle profile, and the teams
with their vehicles and day rules. Routes come back as sequences of local household nodes in
which :data:`RELOAD` marks a return to the team's own depot to reload.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

#: Marks a return to the team's own depot to reload, inside a route's node sequence.
RELOAD = -1
#: ``VehicleSpec.max_trips`` value meaning "as many trips as the shift allows".
UNLIMITED_TRIPS = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakRule:
    """A break of ``duration_s`` that starts between ``earliest_s`` and ``latest_s``.

    It may be taken between two doors (while driving or waiting) or after the team is back at
    its depot; never during a visit.
    """

    earliest_s: int
    latest_s: int
    duration_s: int


@dataclass(frozen=True, slots=True, kw_only=True)
class VehicleSpec:
    """One team as the solver sees it (start and end are local depot nodes).

    ``groups`` lists the household groups (desa of a pooled kecamatan) the team may serve;
    ``None`` means every group. Costs are in rupiah and used by the ``cost`` objective.
    """

    team: int
    profile: str
    capacity: int
    depot_node: int
    shift_start_s: int
    shift_end_s: int
    max_trips: int = 1
    reload_s: int = 0
    break_rule: BreakRule | None = None
    max_work_s: int | None = None
    cost_per_km: float = 0.0
    cost_per_hour: float = 0.0
    fixed_cost: float = 0.0
    groups: tuple[int, ...] | None = None
    #: Charged in the objective's own units when the team is used at all: set when the plan
    #: looks for the fewest teams (team sizing), 0 otherwise.
    call_up_cost: int = 0

    def may_reload(self) -> bool:
        """Say whether the team may make more than one trip."""
        return self.max_trips != 1

    def serves(self, group: int) -> bool:
        """Say whether the team may serve a household of ``group``."""
        return self.groups is None or group in self.groups


@dataclass(frozen=True, slots=True, kw_only=True)
class Walk:
    """Doors a team reaches on foot in one loop from its parked vehicle (park and walk).

    The task holds the walk as one node, ``anchor``: its travel times are those of the parking
    place (the anchor door's point on the vehicle's road), its demand the doors' packages, its
    service time the loop (``loop_s``), its window the one every door's window allows. The
    other doors of the walk are not candidates of their own.

    Attributes
    ----------
    nodes : tuple of int
        Local nodes of the doors in walking order (the anchor among them).
    door_s, due_s : tuple of int
        Time at each door, and its priority deadline (-1: none), in walking order.
    offset_s, loop_s : dict of str
        Per vehicle profile: seconds from parking to arriving at each door; the whole loop,
        back at the vehicle.
    step_m, back_m : dict of str
        Per vehicle profile: metres walked to each door (from the parking place or the door
        before); from the last door back to the vehicle.
    via_door : dict of str to bool
        Per vehicle profile: the way from the parking place to the other doors passes the
        anchor's door (the anchor faces a lane, the vehicle parks on the street).
    """

    nodes: tuple[int, ...]
    anchor: int
    door_s: tuple[int, ...]
    due_s: tuple[int, ...]
    offset_s: dict[str, tuple[int, ...]]
    loop_s: dict[str, int]
    step_m: dict[str, tuple[float, ...]]
    back_m: dict[str, float]
    via_door: dict[str, bool] = field(default_factory=dict)

    def walked_m(self, profile: str) -> float:
        """Metres of the whole loop for a team of ``profile``."""
        return sum(self.step_m[profile]) + self.back_m[profile]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SolveTask:
    """One sub-problem in solver terms. Local nodes: depots first, then households.

    Attributes
    ----------
    households : int64 array
        Scenario household index of each non-depot node, in local order.
    demand : int64 array (n,)
        Packages per node (0 at depots).
    service_s : dict of str to int64 array (n,)
        Per profile: time spent at each node (door time plus the walk from the road and back).
    window_start_s, window_end_s : int64 arrays (n,)
        Time window on the arrival at each node (shift bounds when the household has none).
    time_s : dict of str to int32 array (n, n)
        Per profile: travel times in whole seconds, rounded up.
    distance_m : dict of str to int32 array (n, n)
        Per profile: length of those fastest paths in metres (empty dict: unknown, cost 0).
    candidates : bool array (n,)
        Nodes handed to the solver (screened households; depots are never candidates).
    priority_due_s : int64 array (n,)
        Soft deadline of a priority household (served before it if the day allows); -1 if none.
    group : int64 array (n,)
        Household group (desa within a pooled kecamatan) of each node; 0 for depots.
    start : tuple of routes, optional
        A plan to start from (last month's routes, or the routes team sizing found), one node
        sequence per vehicle in task order, :data:`RELOAD` marking reloads. The search then
        improves it by local moves only (greedy descent) instead of searching afresh.
    pinned : int64 array (n,), optional
        Vehicle (task order) a node must stay with, -1 where it is free: households that keep
        last month's team.
    start_as_given : bool
        ``start`` holds the routes to keep (a fair day's even shares): they are read back into
        the model as they are, with no search after them.
    walks : dict of int to Walk
        Walks from a parked vehicle, by anchor node (park and walk); empty otherwise.
    """

    key: str
    n_depots: int
    households: npt.NDArray[np.int64] = field(repr=False)
    demand: npt.NDArray[np.int64] = field(repr=False)
    service_s: dict[str, npt.NDArray[np.int64]] = field(repr=False)
    window_start_s: npt.NDArray[np.int64] = field(repr=False)
    window_end_s: npt.NDArray[np.int64] = field(repr=False)
    time_s: dict[str, npt.NDArray[np.int32]] = field(repr=False)
    candidates: npt.NDArray[np.bool_] = field(repr=False)
    vehicles: tuple[VehicleSpec, ...]
    distance_m: dict[str, npt.NDArray[np.int32]] = field(default_factory=dict, repr=False)
    priority_due_s: npt.NDArray[np.int64] | None = field(default=None, repr=False)
    group: npt.NDArray[np.int64] | None = field(default=None, repr=False)
    start: tuple[tuple[int, ...], ...] | None = field(default=None, repr=False)
    pinned: npt.NDArray[np.int64] | None = field(default=None, repr=False)
    #: With ``pinned``: free every door when that saves more than this share (per cent).
    release_pct: float = 5.0
    start_as_given: bool = False
    walks: dict[int, Walk] = field(default_factory=dict, repr=False)

    @property
    def size(self) -> int:
        """Number of households handed to the solver."""
        return int(self.candidates.sum())

    @property
    def doors(self) -> int:
        """Number of households the candidates stand for (a walk's node stands for its doors)."""
        return self.doors_of(np.flatnonzero(self.candidates).tolist())

    def doors_of(self, nodes: Sequence[int]) -> int:
        """Count the households some local nodes stand for (a walk's node: its doors)."""
        walks = self.walks
        return sum(len(walks[n].nodes) if n in walks else 1 for n in nodes)

    @property
    def n_nodes(self) -> int:
        """Number of local nodes (depots and households)."""
        return int(self.demand.size)

    def group_of(self, node: int) -> int:
        """Household group of a local node."""
        return 0 if self.group is None else int(self.group[node])

    def due_of(self, node: int) -> int:
        """Soft deadline of a local node, -1 when it has none."""
        return -1 if self.priority_due_s is None else int(self.priority_due_s[node])
