"""Is the day fair? Per desa: teams called up and at work, the fair share, the spread.

The programme's measure (issue "fair days"): within each desa every team called up gets work
while there is enough of it, and route times stay close to the desa's mean. Work here is a
team's working time (``work_s``: from leaving the depot to coming back, the break not
counted); the fair share is the desa's work divided by every team called up there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

#: A team idle while another works this much over the desa's fair share makes a desa unfair.
OVER_SHARE_S = 30 * 60
#: Mean spread of working time among a desa's teams at work above which a day is not fair.
FAIR_SPREAD_S = 30 * 60


@dataclass(frozen=True, slots=True, kw_only=True)
class DesaFairness:
    """One depot's desa: its teams and how evenly their work is shared.

    ``spread_s`` is the longest minus the shortest working time among the teams at work;
    ``idle_while_busy`` is true when a team called up has no route while another works more
    than ``OVER_SHARE_S`` over ``fair_share_s``.
    """

    depot_id: str
    desa_code: str
    teams_called: int
    teams_used: int
    fair_share_s: int
    longest_s: int
    spread_s: int
    idle_while_busy: bool


def desa_fairness(
    depots: Sequence[tuple[str, str]],
    teams_called: Mapping[str, int] | None,
    work: Iterable[tuple[str, int]],
) -> tuple[DesaFairness, ...]:
    """Measure each depot with a team called up.

    Parameters
    ----------
    depots : sequence of (depot_id, desa_code)
        In the plan's depot order.
    teams_called : mapping of depot_id to int, or None
        Teams called up at each depot (the plan's team list); None: only the teams at work
        were called up (a sized plan).
    work : iterable of (depot_id, int)
        Each team at work: its depot and working time (seconds).
    """
    by_depot: dict[str, list[int]] = {}
    for depot_id, seconds in work:
        by_depot.setdefault(depot_id, []).append(seconds)
    if teams_called is None:
        teams_called = {depot_id: len(busy) for depot_id, busy in by_depot.items()}
    out = []
    for depot_id, desa_code in depots:
        called = teams_called.get(depot_id, 0)
        if called == 0:
            continue
        busy = by_depot.get(depot_id, [])
        share = round(sum(busy) / called)
        longest = max(busy, default=0)
        out.append(
            DesaFairness(
                depot_id=depot_id,
                desa_code=desa_code,
                teams_called=called,
                teams_used=len(busy),
                fair_share_s=share,
                longest_s=longest,
                spread_s=longest - min(busy, default=0),
                idle_while_busy=len(busy) < called and longest > share + OVER_SHARE_S,
            )
        )
    return tuple(out)


def fairness_verdict(desa: Sequence[DesaFairness]) -> tuple[bool, float, int]:
    """Return whether the day is fair, the mean spread (s) and the desa with an idle team."""
    spreads = [d.spread_s for d in desa if d.teams_used > 1]
    mean = sum(spreads) / len(spreads) if spreads else 0.0
    idle = sum(d.idle_while_busy for d in desa)
    return mean < FAIR_SPREAD_S and idle == 0, mean, idle


def fairness_line(desa: Sequence[DesaFairness]) -> str:
    """One summary line: the mean spread, the desa with idle teams, and the verdict."""
    fair, mean, idle = fairness_verdict(desa)
    return (
        f"Fair day: {'yes' if fair else 'no'} (working time, break not counted: mean spread "
        f"within a desa {mean / 60:.0f} min, target under {FAIR_SPREAD_S // 60}; {idle} of "
        f"{len(desa)} desa with a team idle while another works over "
        f"{OVER_SHARE_S // 60} min past the fair share)."
    )
