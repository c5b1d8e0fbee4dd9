"""Planner configuration: road profiles, solver limits and rendering, as explicit frozen values.

Precedence is defaults in code, then the ``[graph]``, ``[solver]`` and ``[render]`` tables of a
scenario TOML file, then CLI flags. Unknown keys are rejected with the list of valid keys.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Positive = Annotated[float, Field(gt=0)]

#: Highway classes the planner knows, coarse to fine. ``*_link`` ways take their base class.
HIGHWAY_CLASSES: tuple[str, ...] = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "track",
    "path",
    "footway",
    "pedestrian",
    "steps",
    "cycleway",
)

_MOTOR_ROADS = ("motorway", "trunk", "primary", "secondary", "tertiary", "unclassified")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProfileConfig(_Frozen):
    """How one kind of team moves: which ways it may use and how fast.

    ``speed_kph`` maps a highway class to a cruising speed; a class missing from it, or listed in
    ``closed``, is closed to the profile. A tagged ``maxspeed`` lower than the profile speed wins.
    A scenario's ``[graph.profiles.NAME.speed_kph]`` table changes single speeds of the defaults.
    ``delivery``: ways open to deliveries only (``access=delivery`` for the profile's traffic)
    are open to it; true by default, since a food-aid day is a delivery.
    """

    speed_kph: dict[str, Positive]
    access_tag: Literal["motorcar", "motorcycle", "foot"]
    ignore_oneway: bool = False
    closed: tuple[str, ...] = ()
    delivery: bool = True

    @model_validator(mode="after")
    def _known_classes(self) -> ProfileConfig:
        unknown = sorted((set(self.speed_kph) | set(self.closed)) - set(HIGHWAY_CLASSES))
        if unknown:
            raise ValueError(
                f"unknown highway class(es) {unknown} in speed_kph or closed; "
                f"valid classes: {', '.join(HIGHWAY_CLASSES)}"
            )
        return self

    def open_speeds(self) -> dict[str, float]:
        """Speed per highway class for the classes this profile may use."""
        return {k: v for k, v in self.speed_kph.items() if k not in self.closed}


def _default_profiles() -> dict[str, ProfileConfig]:
    car = {"motorway": 60.0, "trunk": 50.0, "primary": 45.0, "secondary": 38.0}
    car |= {"tertiary": 30.0, "unclassified": 25.0, "residential": 20.0}
    car |= {"living_street": 10.0, "service": 15.0}
    pickup = {name: speed * 0.9 for name, speed in car.items()}
    motorbike = {name: speed for name, speed in car.items() if name != "motorway"}
    motorbike |= {"residential": 22.0, "living_street": 15.0, "service": 15.0}
    motorbike |= {"track": 15.0, "path": 10.0}
    foot = dict.fromkeys(
        [name for name in HIGHWAY_CLASSES if name != "motorway" and name != "trunk"], 4.5
    )
    return {
        "car": ProfileConfig(speed_kph=car, access_tag="motorcar"),
        "pickup": ProfileConfig(speed_kph=pickup, access_tag="motorcar"),
        "motorbike": ProfileConfig(speed_kph=motorbike, access_tag="motorcycle"),
        "foot": ProfileConfig(speed_kph=foot, access_tag="foot", ignore_oneway=True),
    }


class GraphConfig(_Frozen):
    """Road-network settings: snapping limits and the movement profiles."""

    max_snap_m: Positive = 300.0
    walk_speed_kph: Positive = 4.5
    matrix_buffer_m: Annotated[float, Field(ge=0)] = 3000.0
    profiles: dict[str, ProfileConfig] = Field(default_factory=_default_profiles)

    @model_validator(mode="before")
    @classmethod
    def _merge_profiles(cls, data: object) -> object:
        """Let a scenario override single speeds without restating whole profiles."""
        if not isinstance(data, dict) or "profiles" not in data:
            return data
        merged: dict[str, object] = {n: p.model_dump() for n, p in _default_profiles().items()}
        given = data["profiles"]
        if isinstance(given, dict):
            for name, override in given.items():
                base = merged.get(name)
                if isinstance(base, dict) and isinstance(override, dict):
                    speeds = override.get("speed_kph", {})
                    if isinstance(speeds, dict) and isinstance(base["speed_kph"], dict):
                        override = {**override, "speed_kph": base["speed_kph"] | speeds}
                    merged[name] = base | override
                else:
                    merged[name] = override
        return {**data, "profiles": merged}


FirstSolution = Literal[
    "AUTOMATIC",
    "PATH_CHEAPEST_ARC",
    "PARALLEL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_INSERTION",
    "SAVINGS",
    "CHRISTOFIDES",
]
Objective = Literal["total_time", "cost", "fair"]
#: Objectives no longer offered, and what to say to a scenario that still names one.
RETIRED_OBJECTIVES = {
    "longest_route": (
        "objective 'longest_route' is retired: it shortened only each desa's single longest "
        "route, left every other route as unequal as before, and was so slow that the time "
        'guard decided the plan; use objective = "fair", which gives every team called up '
        "an even share of its desa's work"
    ),
}
Metaheuristic = Literal[
    "GUIDED_LOCAL_SEARCH", "GREEDY_DESCENT", "SIMULATED_ANNEALING", "TABU_SEARCH"
]


#: Default wall-clock safety net of the solve stage (seconds). The default regency plan (217
#: sub-problems, 20,000 households) solved in 62-110 s on two cores and 97-180 s on one core of
#: the standard machine (2-core x86_64, 24 GiB, other work running; bench/RESULTS.md,
#: 2026-11-30), so at 900 s even one core three times slower is not cut.
DEFAULT_TIME_LIMIT_S = 900.0


class SolverConfig(_Frozen):
    """Search settings.

    The search stops after an effort limit that does not depend on the machine
    (``solutions_per_stop`` times the number of households, each door of a walk from a parked
    vehicle counted: OR-Tools' solution count), so the
    same input gives the same plan everywhere; 0 means no effort limit (time only).
    ``min_solutions`` is the least effort of any sub-problem: a small desa's search is cheap
    and stopping it after a few dozen solutions left it a few per cent behind.
    ``time_limit_s`` is a wall-clock safety net for the whole solve stage, not a target: every
    sub-problem's search may use all of it, and the stage stops at it (a search that starts
    later gets what is left). It should be well above what the searches need, so that it never
    binds and the plan is the same on any machine and any number of workers; if it does cut a
    search, the plan says so in its warnings. With ``solutions_per_stop = 0`` the searches stop
    on time alone and share it by size. ``time_budget_s`` bounds the whole run (loading to
    outputs): the solve stage gets what is left of it.

    ``objective``: ``total_time`` (least total team time), ``cost`` (least rupiah: vehicle cost
    per km and per hour plus a fixed cost per team used) or ``fair`` (least total time first,
    then every team of a desa given an even share of its work;
    :mod:`optimizer.solver.fairsplit`). A retired objective (:data:`RETIRED_OBJECTIVES`) is
    refused with what to use instead.
    """

    seed: Annotated[int, Field(ge=0)] = 0
    objective: Objective = "total_time"
    time_limit_s: Positive = DEFAULT_TIME_LIMIT_S
    time_budget_s: Positive | None = None
    solutions_per_stop: Annotated[float, Field(ge=0)] = 0.5
    min_solutions: Annotated[int, Field(ge=0)] = 100
    first_solution: FirstSolution = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: Metaheuristic = "GUIDED_LOCAL_SEARCH"
    workers: Annotated[int, Field(ge=1)] | None = None
    drop_penalty_s: Annotated[int, Field(gt=0)] = 1_000_000

    @field_validator("objective", mode="before")
    @classmethod
    def _not_retired(cls, value: object) -> object:
        """Refuse a retired objective with what to use instead."""
        if isinstance(value, str) and value in RETIRED_OBJECTIVES:
            raise ValueError(RETIRED_OBJECTIVES[value])
        return value


class RenderConfig(_Frozen):
    """Output settings for maps and sheets.

    ``language``: the language of sheets and phone pages (``id`` Bahasa Indonesia, ``en``
    English). ``names``: heads of household on sheets and phone pages in ``full`` or as
    ``initials`` (never on the overview map).
    """

    online_tiles: bool = False
    coordinate_decimals: Annotated[int, Field(ge=4, le=7)] = 5
    language: Literal["id", "en"] = "id"
    names: Literal["full", "initials"] = "full"


class PlannerConfig(_Frozen):
    """Everything that can change a plan besides the input files."""

    graph: GraphConfig = Field(default_factory=GraphConfig)
    solver: SolverConfig = Field(default_factory=SolverConfig)
    render: RenderConfig = Field(default_factory=RenderConfig)
    strict: bool = False
