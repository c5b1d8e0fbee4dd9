"""Sending people to depot seats: one min-cost flow, re-run with fewer teams on a shortfall."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from optimizer.matching import min_cost_flow
from optimizer.staffing.frame import Frame, nearest_columns
from optimizer.staffing.model import IntArray

logger = logging.getLogger(__name__)

#: Flows run at most when people run short (each with fewer teams than the one before).
MAX_PASSES = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class Placement:
    """Result of the depot flow: where each person goes, and the seats left unfilled."""

    depot: IntArray  # per person: depot index, -1 for none
    drives: IntArray  # per person: vehicle index driven, -1 for a passenger or nobody
    unfilled_drivers: IntArray  # (depots, vehicles)
    unfilled_passengers: IntArray  # (depots,)


@dataclass(frozen=True, slots=True, kw_only=True)
class _SeatNodes:
    """The seat nodes of the depot flow: driver seats (d, v) first, then passenger seats d."""

    driver_seats: IntArray  # flat index depot * n_vehicles + vehicle of each driver seat node
    driver_node: IntArray  # node of each flat (depot, vehicle), -1 for none
    passenger_node: IntArray  # node of each depot's passenger seats, -1 for none
    demand: IntArray  # seats of each seat node, in node order
    weight: (
        IntArray  # shortfall penalty of each seat node in units of ``big`` (2 driver, 1 passenger)
    )
    first: int  # node number of the first seat node
    reserve: int  # node number of the reserve sink; the shortfall source follows it


@dataclass(frozen=True, slots=True, kw_only=True)
class _SeatArcs:
    """The person-to-seat arcs of the depot flow, one entry per arc (driver arcs first)."""

    person: IntArray  # position in the pool (= node number)
    depot: IntArray
    vehicle: IntArray  # vehicle type driven, -1 on a passenger seat
    head: IntArray  # seat node
    cost: IntArray  # metres from home to the depot


def _seat_nodes(need: IntArray, size: IntArray, *, first: int) -> _SeatNodes:
    """Lay out the seat nodes of ``need``, numbered from node ``first`` on."""
    passenger_need = need @ (size - 1)
    driver_seats = np.flatnonzero(need.ravel() > 0)
    passenger_seats = np.flatnonzero(passenger_need > 0)
    driver_node = np.full(need.size, -1, dtype=np.int64)
    driver_node[driver_seats] = first + np.arange(driver_seats.size)
    passenger_node = np.full(need.shape[0], -1, dtype=np.int64)
    passenger_node[passenger_seats] = first + driver_seats.size + np.arange(passenger_seats.size)
    return _SeatNodes(
        driver_seats=driver_seats,
        driver_node=driver_node,
        passenger_node=passenger_node,
        demand=np.concatenate([need.ravel()[driver_seats], passenger_need[passenger_seats]]),
        weight=np.concatenate(
            [np.full(driver_seats.size, 2, np.int64), np.ones(passenger_seats.size, np.int64)]
        ),
        first=first,
        reserve=first + driver_seats.size + passenger_seats.size,
    )


def _seat_arcs(
    frame: Frame, pool: IntArray, need: IntArray, seats: _SeatNodes, *, nearest: int
) -> _SeatArcs:
    """Arcs from each pool person to the seats of their ``nearest`` depots with a need."""
    in_play = np.flatnonzero(need.sum(axis=1) > 0)
    costs = frame.commute[np.ix_(pool, in_play)]
    near = nearest_columns(costs, nearest)
    person = np.repeat(np.arange(pool.size, dtype=np.int64), near.shape[1])
    depot = in_play[near.ravel()]
    cost = np.take_along_axis(costs, near, axis=1).ravel()
    owns = frame.owns[pool][person]
    flat = depot * need.shape[1] + np.maximum(owns, 0)
    to_driver = np.where(owns >= 0, seats.driver_node[flat], -1)
    to_passenger = seats.passenger_node[depot]
    drive, ride = to_driver >= 0, to_passenger >= 0
    return _SeatArcs(
        person=np.concatenate([person[drive], person[ride]]),
        depot=np.concatenate([depot[drive], depot[ride]]),
        vehicle=np.concatenate([owns[drive], np.full(int(ride.sum()), -1, np.int64)]),
        head=np.concatenate([to_driver[drive], to_passenger[ride]]),
        cost=np.concatenate([cost[drive], cost[ride]]),
    )


def _solve_seat_flow(arcs: _SeatArcs, seats: _SeatNodes, n_pool: int) -> IntArray:
    """Flows of the depot problem: seat arcs, then reserve arcs, then shortfall arcs.

    An unfilled seat costs ``big`` (twice that for a driver seat), more than any total travel,
    so the flow fills as many seats as it can (drivers first) and then minimises travel.
    """
    shortfall = seats.reserve + 1
    total = int(seats.demand.sum())
    big = (int(arcs.cost.max(initial=0)) + 1) * (n_pool + 1)
    seat_nodes = seats.first + np.arange(seats.demand.size)
    everybody = np.arange(n_pool)
    tails = np.concatenate([arcs.person, everybody, np.full(seat_nodes.size + 1, shortfall)])
    heads = np.concatenate([arcs.head, np.full(n_pool, seats.reserve), seat_nodes, [seats.reserve]])
    capacities = np.concatenate([np.ones(arcs.head.size + n_pool), seats.demand, [total]])
    costs = np.concatenate([arcs.cost, np.zeros(n_pool), seats.weight * big, [0]])
    supplies = np.concatenate([np.ones(n_pool), -seats.demand, [-n_pool, total]])
    return min_cost_flow(shortfall + 1, tails, heads, capacities, costs, supplies)


def _assign_depots(frame: Frame, pool: IntArray, need: IntArray, *, nearest: int) -> Placement:
    """Send the pool's people to driver and passenger seats by one min-cost flow."""
    depot = np.full(len(frame.people), -1, dtype=np.int64)
    drives = np.full(len(frame.people), -1, dtype=np.int64)
    seats = _seat_nodes(need, frame.size, first=pool.size)
    if seats.demand.size == 0 or pool.size == 0:
        return Placement(
            depot=depot,
            drives=drives,
            unfilled_drivers=need.copy(),
            unfilled_passengers=need @ (frame.size - 1),
        )
    arcs = _seat_arcs(frame, pool, need, seats, nearest=nearest)
    flows = _solve_seat_flow(arcs, seats, pool.size)
    placed = flows[: arcs.head.size] > 0
    chosen = pool[arcs.person[placed]]
    depot[chosen] = arcs.depot[placed]
    drives[chosen] = arcs.vehicle[placed]
    start = arcs.head.size + pool.size
    short = flows[start : start + seats.demand.size]
    unfilled = np.zeros(need.size, dtype=np.int64)
    unfilled[seats.driver_seats] = short[: seats.driver_seats.size]
    riders = np.zeros(need.shape[0], dtype=np.int64)
    riders[seats.passenger_node >= 0] = short[seats.driver_seats.size :]
    return Placement(
        depot=depot,
        drives=drives,
        unfilled_drivers=unfilled.reshape(need.shape),
        unfilled_passengers=riders,
    )


def _reduce_needs(current: IntArray, placement: Placement, size: IntArray) -> IntArray:
    """Cut the needs by the teams a flow could not fill, per depot.

    Teams without a driver go first, alone: the people waiting for them may fill passenger
    seats elsewhere in the next flow. Once every driver seat is filled, each passenger seat
    still empty costs teams, smallest first: dropping a team of ``size`` frees ``size - 1``
    seats and its driver, who may ride in another team, so each drop closes ``size`` of the gap.
    """
    if placement.unfilled_drivers.any():
        return current - placement.unfilled_drivers
    reduced = current.copy()
    gap = placement.unfilled_passengers
    smallest_first = np.argsort(size, kind="stable")
    for depot in np.flatnonzero(gap):
        left = int(gap[depot])
        for vehicle in smallest_first:
            drop = min(int(reduced[depot, vehicle]), -(-left // int(size[vehicle])))
            reduced[depot, vehicle] -= drop
            left -= drop * int(size[vehicle])
            if left <= 0:
                break
    return reduced


def place_people(frame: Frame, pool: IntArray, need: IntArray, *, nearest: int) -> Placement:
    """Send the pool to seats for ``need``; re-plan with fewer teams while seats stay empty.

    The first flow that fills every seat gives the placement, with the least travel for its
    teams. After :data:`MAX_PASSES` flows the last one is returned as it is; forming the teams
    then drops those a depot cannot fill, so every team is complete.
    """
    current = need
    placement = _assign_depots(frame, pool, current, nearest=nearest)
    flows = 1
    while flows < MAX_PASSES and (
        placement.unfilled_drivers.any() or placement.unfilled_passengers.any()
    ):
        current = _reduce_needs(current, placement, frame.size)
        placement = _assign_depots(frame, pool, current, nearest=nearest)
        flows += 1
    logger.debug("staffing: %d depot flow(s), %d of %d teams", flows, current.sum(), need.sum())
    return placement
