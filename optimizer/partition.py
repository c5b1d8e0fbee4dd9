"""Split the regency into independent sub-problems (one per desa, or per pooled kecamatan).

Households are served by the teams of the depot(s) in their own desa, as on distribution day.
Two things pool a kecamatan into one sub-problem: ``[pooling] level = "kecamatan"`` (every team
may serve every desa of its kecamatan), or a depot with ``serves = kecamatan`` (a kecamatan
office whose teams serve the whole kecamatan while desa teams keep to their own desa).
A household that no team may serve is listed with that reason instead of being dropped.

Pools: under ``level = "kecamatan"``, a kecamatan with more than ``[pooling] max_households``
households is split into pools of neighbouring whole desa (halved again and again across its
longer side at the household-weighted median of the desa centres), and the teams of a pool
serve every desa of that pool. One search over 2,600 doors and 300 teams took OR-Tools minutes
where pools of up to 800 take seconds, and teams rarely gain from crossing a whole kecamatan.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from optimizer.reasons import UnservedReason
from optimizer.scenario import Scenario


def kecamatan_of(desa_code: str) -> str:
    """Return the kecamatan code of a desa code (``35.10.15.2002`` -> ``35.10.15``)."""
    return desa_code.rsplit(".", 1)[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class SubProblem:
    """One independent routing problem: depots, teams and households of a desa or kecamatan.

    Indices point into ``scenario.depots``, ``scenario.teams`` and ``scenario.households``.
    ``household_group`` gives each household's desa as an index into ``group_codes``;
    ``team_groups`` lists, per team, the groups it may serve (``None``: all of them).
    """

    key: str
    name: str
    pooled: bool
    depots: tuple[int, ...]
    teams: tuple[int, ...]
    households: tuple[int, ...]
    profiles: tuple[str, ...]
    group_codes: tuple[str, ...]
    household_group: tuple[int, ...]
    team_groups: tuple[tuple[int, ...] | None, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Orphan:
    """A household that belongs to no sub-problem."""

    household: int
    code: UnservedReason
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Partition:
    """Sub-problems in code order, and the households none of them can take."""

    subproblems: tuple[SubProblem, ...]
    orphans: tuple[Orphan, ...]


def _households_by_desa(
    scenario: Scenario,
) -> tuple[dict[str, list[int]], tuple[Orphan, ...]]:
    """Group household indices by desa; households of a closed desa become orphans."""
    households_by_desa: dict[str, list[int]] = defaultdict(list)
    closed: list[Orphan] = []
    where = scenario.closed_desa_source or Path(scenario.path).name
    for i, household in enumerate(scenario.households):
        if household.desa_code in scenario.closed_desa:
            reason = (
                f"desa {household.desa_name} ({household.desa_code}) is closed today "
                f"([closures] desa in {where})"
            )
            closed.append(Orphan(household=i, code=UnservedReason.CLOSED_AREA, reason=reason))
        else:
            households_by_desa[household.desa_code].append(i)
    return households_by_desa, tuple(closed)


def _teams_of(
    scenario: Scenario,
    depots: list[int],
    codes: list[str],
    teams_by_depot: dict[int, list[int]],
    *,
    pooled: bool,
) -> tuple[list[int], list[tuple[int, ...] | None]]:
    """Teams of a sub-problem's depots, with the groups (desa) each may serve (None: all)."""
    teams: list[int] = []
    team_groups: list[tuple[int, ...] | None] = []
    for d in depots:
        depot = scenario.depots[d]
        own = (codes.index(depot.desa_code),) if depot.desa_code in codes else ()
        for t in teams_by_depot.get(d, []):
            teams.append(t)
            whole = scenario.pooling == "kecamatan" or depot.serves == "kecamatan"
            team_groups.append(None if whole or not pooled else own)
    return teams, team_groups


def _unserved_desa(
    scenario: Scenario, code: str, rows: list[int], own_depots: list[int]
) -> list[Orphan]:
    """Orphans for the households of a desa no team may serve: no depot, or no team."""
    desa_name = scenario.households[rows[0]].desa_name
    if not own_depots:
        code_reason = UnservedReason.NO_DEPOT
        reason = (
            f"desa {desa_name} ({code}) has no depot and no kecamatan team serves it; "
            "add its staging point to the depots file or pool the kecamatan"
        )
    else:
        code_reason = UnservedReason.NO_TEAM
        names = ", ".join(scenario.depots[d].depot_id for d in own_depots)
        reason = f"no team is assigned to depot {names} of desa {desa_name}; add teams"
    return [Orphan(household=h, code=code_reason, reason=reason) for h in rows]


def _centre(scenario: Scenario, rows: list[int]) -> tuple[float, float]:
    """Mean position of a desa's households (degrees)."""
    lat = sum(scenario.households[h].lat for h in rows) / len(rows)
    lon = sum(scenario.households[h].lon for h in rows) / len(rows)
    return lat, lon


def _bisect(
    codes: list[str],
    centres: dict[str, tuple[float, float]],
    weight: dict[str, int],
    limit: int,
) -> list[list[str]]:
    """Split desa into groups of at most ``limit`` households, halving across the longer side."""
    if len(codes) <= 1 or sum(weight[c] for c in codes) <= limit:
        return [codes]
    lats = [centres[c][0] for c in codes]
    lons = [centres[c][1] for c in codes]
    squeeze = math.cos(math.radians(sum(lats) / len(lats)))
    along_lat = max(lats) - min(lats) >= (max(lons) - min(lons)) * squeeze
    axis = 0 if along_lat else 1
    ordered = sorted(codes, key=lambda c: (centres[c][axis], c))
    half = sum(weight[c] for c in codes) / 2
    running, cut = 0, 1
    for i, code in enumerate(ordered[:-1], start=1):
        running += weight[code]
        cut = i
        if running >= half:
            break
    return _bisect(ordered[:cut], centres, weight, limit) + _bisect(
        ordered[cut:], centres, weight, limit
    )


def _nearest(pools: list[list[str]], centres: dict[str, tuple[float, float]], code: str) -> int:
    """Index of the pool with the desa centre nearest to a desa's centre (first on a tie)."""
    lat, lon = centres[code]
    return min(
        range(len(pools)),
        key=lambda i: min(
            (centres[c][0] - lat) ** 2 + (centres[c][1] - lon) ** 2 for c in pools[i]
        ),
    )


def _pools(
    scenario: Scenario,
    codes: list[str],
    households_by_desa: dict[str, list[int]],
    depots_by_desa: dict[str, list[int]],
    staffed: set[int],
) -> list[list[str]]:
    """Pools of neighbouring desa of one kecamatan (see the module notes).

    A desa with depots but no households joins the pool nearest its depot; a pool whose desa
    have no team joins the pool nearest to it, so no household loses the kecamatan's teams.
    """
    served = sorted(c for c in codes if c in households_by_desa)
    centres = {c: _centre(scenario, households_by_desa[c]) for c in served}
    weight = {c: len(households_by_desa[c]) for c in served}
    pools = _bisect(served, centres, weight, scenario.pool_max_households)
    for code in codes:
        if code not in households_by_desa and depots_by_desa.get(code):
            depot = scenario.depots[depots_by_desa[code][0]]
            centres[code] = (depot.lat, depot.lon)
            pools[_nearest(pools, centres, code)].append(code)

    def manned(pool: list[str]) -> bool:
        return any(d in staffed for c in pool for d in depots_by_desa.get(c, []))

    keep = [p for p in pools if manned(p)] or pools[:1]
    for pool in pools:
        if pool not in keep:
            keep[_nearest(keep, centres, pool[0])].extend(pool)
    return [sorted(p) for p in keep]


@dataclass(frozen=True, slots=True, kw_only=True)
class _Area:
    """The desa one sub-problem covers: a desa, a pooled kecamatan, or one pool of it."""

    codes: list[str]
    area: str  # the desa or kecamatan code
    pool: tuple[int, int] | None = None  # (number, of how many) for a pool of a kecamatan


def _members(
    scenario: Scenario,
    households_by_desa: dict[str, list[int]],
    depots_by_desa: dict[str, list[int]],
    pooled_kecamatan: set[str],
    *,
    staffed: set[int],
) -> dict[str, _Area]:
    """Sub-problem key -> the area it covers.

    Keys: a desa code, a kecamatan code (pooled), or ``<kecamatan>/<n>`` for pool n of a
    kecamatan split by ``[pooling] max_households`` (numbered from 1, two digits).
    """
    by_key: dict[str, list[str]] = defaultdict(list)
    for desa_code in sorted(set(households_by_desa) | set(depots_by_desa)):
        kecamatan = kecamatan_of(desa_code)
        by_key[kecamatan if kecamatan in pooled_kecamatan else desa_code].append(desa_code)
    members: dict[str, _Area] = {}
    for key, codes in by_key.items():
        size = sum(len(households_by_desa.get(c, [])) for c in codes)
        if (
            scenario.pooling != "kecamatan"
            or key not in pooled_kecamatan
            or size <= scenario.pool_max_households
        ):
            members[key] = _Area(codes=codes, area=key)
            continue
        pools = _pools(scenario, codes, households_by_desa, depots_by_desa, staffed)
        for number, pool in enumerate(pools, start=1):
            members[f"{key}/{number:02d}"] = _Area(codes=pool, area=key, pool=(number, len(pools)))
    return members


def build_partition(scenario: Scenario) -> Partition:
    """Group households, depots and teams by desa, or by kecamatan where teams are pooled.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    Partition
        Households of a desa in ``scenario.closed_desa`` are orphans with reason
        ``closed_area`` (listed first); the depots and teams of a closed desa stay, so pooled
        teams still serve the other desa of their kecamatan.
    """
    depot_index = {d.depot_id: i for i, d in enumerate(scenario.depots)}
    teams_by_depot: dict[int, list[int]] = defaultdict(list)
    for i, team in enumerate(scenario.teams):
        teams_by_depot[depot_index[team.depot_id]].append(i)
    households_by_desa, closed = _households_by_desa(scenario)
    depots_by_desa: dict[str, list[int]] = defaultdict(list)
    pooled_kecamatan: set[str] = set()
    for i, depot in enumerate(scenario.depots):
        depots_by_desa[depot.desa_code].append(i)
        if depot.serves == "kecamatan" and teams_by_depot.get(i):
            pooled_kecamatan.add(kecamatan_of(depot.desa_code))
    if scenario.pooling == "kecamatan":
        pooled_kecamatan |= {kecamatan_of(code) for code in households_by_desa}

    members = _members(
        scenario,
        households_by_desa,
        depots_by_desa,
        pooled_kecamatan,
        staffed={d for d, teams in teams_by_depot.items() if teams},
    )
    subproblems: list[SubProblem] = []
    orphans: list[Orphan] = list(closed)
    for key in sorted(members):
        member = members[key]
        codes = [c for c in member.codes if c in households_by_desa]
        if not codes:
            continue
        pooled = member.area in pooled_kecamatan
        depots = [d for c in member.codes for d in depots_by_desa.get(c, [])]
        teams, team_groups = _teams_of(scenario, depots, codes, teams_by_depot, pooled=pooled)
        served_groups: set[int] = set()
        for groups in team_groups:
            served_groups |= set(range(len(codes))) if groups is None else set(groups)
        households: list[int] = []
        household_group: list[int] = []
        for g, code in enumerate(codes):
            rows = households_by_desa[code]
            if g in served_groups:
                households.extend(rows)
                household_group.extend([g] * len(rows))
                continue
            orphans.extend(_unserved_desa(scenario, code, rows, depots_by_desa.get(code, [])))
        if not households:
            continue
        first = scenario.households[households[0]]
        name = first.kecamatan if pooled else first.desa_name
        if member.pool is not None:
            name = f"{name}, pool {member.pool[0]} of {member.pool[1]}"
        profiles = sorted({scenario.vehicles[scenario.teams[t].vehicle].profile for t in teams})
        subproblems.append(
            SubProblem(
                key=key,
                name=f"kecamatan {name}" if pooled else f"desa {name}",
                pooled=pooled,
                depots=tuple(depots),
                teams=tuple(teams),
                households=tuple(households),
                profiles=tuple(profiles),
                group_codes=tuple(codes),
                household_group=tuple(household_group),
                team_groups=tuple(team_groups),
            )
        )
    return Partition(subproblems=tuple(subproblems), orphans=tuple(orphans))
