"""Teams by need: how many teams each desa needs, and who of the roster goes where.

Team sizing (``berbagi size``, ``[fleet] size = true``) is a routing search in which calling a
team up costs ``PERSON_CALL_UP_S`` route-seconds per member: the search serves every door it can
and, before anything else, calls up as few people as it can; then as little route time as it
can. Sizing offers each depot "slots" (candidate teams of each vehicle type, ``S-<depot>-<type>
-<n>``); a depot that uses every slot of a type gets twice as many and its sub-problem is solved
again, so the slot count never decides the answer.

From a roster (``[inputs] roster``): the slots the sizing used are the teams each depot needs;
:func:`optimizer.staffing.staff_teams` forms them from the available people and sends them to
the depots; each formed team takes over one used slot's route of its depot and vehicle type (the
slots of a depot and type are identical), and a greedy descent from those routes settles the day.
Where the formed teams still leave a door out (the sizing left the break's length free at the
end of the shift instead of placing the break), that depot calls up one more team from the
reserves and only its sub-problem is solved again.

Modules: :mod:`~optimizer.fleet.sizing` (slots, call-up costs, the sizing rounds, team needs),
:mod:`~optimizer.fleet.starts` (starting routes and pins), :mod:`~optimizer.fleet.crews` (the
roster's teams, their duties, the day planned with them) and :mod:`~optimizer.fleet.carry`
(month after month).
"""

from optimizer.fleet.carry import carry_roster, plan_carried
from optimizer.fleet.crews import duties, formed_teams, plan_from_roster, staff_roster
from optimizer.fleet.sizing import (
    PERSON_CALL_UP_S,
    size_teams,
    sized_plan,
    sizing_types,
    team_needs,
    used_slots,
)

__all__ = [
    "PERSON_CALL_UP_S",
    "carry_roster",
    "duties",
    "formed_teams",
    "plan_carried",
    "plan_from_roster",
    "size_teams",
    "sized_plan",
    "sizing_types",
    "staff_roster",
    "team_needs",
    "used_slots",
]
