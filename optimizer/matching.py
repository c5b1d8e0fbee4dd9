"""OR-Tools adapter for flows: min-cost flow and linear assignment on plain integer arrays.

Generic and free of domain knowledge: callers number their nodes, pass arcs as numpy arrays and
read flows back as a numpy array. Together with :mod:`optimizer.solver` (routing) this is the
only place that imports OR-Tools; any ``type: ignore`` for its untyped stubs stays here.

OR-Tools is pinned to 9.15 (``ortools.graph.python``: ``SimpleMinCostFlow`` with the vectorised
``add_arcs_with_capacity_and_unit_cost`` / ``set_nodes_supplies`` / ``flows``, and
``SimpleLinearSumAssignment`` with ``add_arcs_with_cost``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from ortools.graph.python import linear_sum_assignment as ortools_assignment
from ortools.graph.python import min_cost_flow as ortools_flow

from optimizer.errors import InfeasibleError

#: Largest unit cost or capacity accepted (OR-Tools multiplies costs by the node count inside its
#: cost-scaling search, so values must stay far below the int64 range).
MAX_ARC_VALUE = 2**50

_FLOW = ortools_flow.SimpleMinCostFlow
_ASSIGN = ortools_assignment.SimpleLinearSumAssignment


def _as_int_array(name: str, values: npt.ArrayLike) -> npt.NDArray[np.int64]:
    array = np.ascontiguousarray(values, dtype=np.int64)
    if array.ndim != 1:
        raise ValueError(
            f"min_cost_flow: '{name}' must be one-dimensional, got shape {array.shape}"
        )
    if array.size and int(np.abs(array).max()) > MAX_ARC_VALUE:
        raise ValueError(
            f"min_cost_flow: '{name}' has values beyond {MAX_ARC_VALUE}; scale them down"
        )
    return array


def _check_flow_input(
    n_nodes: int,
    tails: npt.NDArray[np.int64],
    heads: npt.NDArray[np.int64],
    capacities: npt.NDArray[np.int64],
    costs: npt.NDArray[np.int64],
    supplies: npt.NDArray[np.int64],
) -> None:
    problems: list[str] = []
    if not tails.size == heads.size == capacities.size == costs.size:
        problems.append(
            f"tails, heads, capacities and costs must have one entry per arc, got lengths "
            f"{tails.size}, {heads.size}, {capacities.size}, {costs.size}"
        )
    if supplies.size != n_nodes:
        problems.append(f"supplies must have one entry per node ({n_nodes}), got {supplies.size}")
    ends = np.concatenate([tails, heads])
    if ends.size and (int(ends.min()) < 0 or int(ends.max()) >= n_nodes):
        problems.append(f"arc ends must be node numbers 0..{n_nodes - 1}")
    if capacities.size and int(capacities.min()) < 0:
        problems.append("capacities must be >= 0")
    balance = int(supplies.sum())
    if balance != 0:
        problems.append(f"supplies must sum to 0 (supply > 0, demand < 0), got {balance}")
    if problems:
        raise ValueError("min_cost_flow: " + "; ".join(problems))


def min_cost_flow(
    n_nodes: int,
    tails: npt.ArrayLike,
    heads: npt.ArrayLike,
    capacities: npt.ArrayLike,
    costs: npt.ArrayLike,
    supplies: npt.ArrayLike,
) -> npt.NDArray[np.int64]:
    """Solve a balanced min-cost flow problem exactly and return the flow on every arc.

    Parameters
    ----------
    n_nodes : int
        Number of nodes; nodes are numbered ``0 .. n_nodes - 1``.
    tails, heads : array_like of int
        Start and end node of each arc.
    capacities : array_like of int
        Capacity of each arc (>= 0).
    costs : array_like of int
        Cost of one unit of flow on each arc (may be negative).
    supplies : array_like of int
        Supply of each node: positive gives flow, negative takes it; they must sum to 0.

    Returns
    -------
    numpy.ndarray of int64
        The flow on each arc, in the order the arcs were given.

    Raises
    ------
    ValueError
        If the arrays disagree in length, an arc names an unknown node, a capacity is negative,
        a value is beyond :data:`MAX_ARC_VALUE` or the supplies do not sum to 0.
    InfeasibleError
        If no flow meets every supply and demand (``status`` holds the OR-Tools status name).
    """
    tail = _as_int_array("tails", tails)
    head = _as_int_array("heads", heads)
    capacity = _as_int_array("capacities", capacities)
    cost = _as_int_array("costs", costs)
    supply = _as_int_array("supplies", supplies)
    _check_flow_input(n_nodes, tail, head, capacity, cost, supply)
    flow = _FLOW()
    arcs = np.asarray(
        flow.add_arcs_with_capacity_and_unit_cost(
            tail.astype(np.int32), head.astype(np.int32), capacity, cost
        )
    )
    flow.set_nodes_supplies(np.arange(n_nodes, dtype=np.int32), supply)
    status = flow.solve()
    if status != _FLOW.OPTIMAL:
        raise InfeasibleError(
            f"min_cost_flow: no flow meets every supply and demand (OR-Tools status "
            f"{status.name}); add arcs or capacity towards the nodes with demand",
            status=str(status.name).lower(),
            causes=("too little capacity towards the nodes with demand",),
        )
    return np.asarray(flow.flows(arcs.astype(np.int32)), dtype=np.int64)


def assign(cost_matrix: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Match every row to its own column at minimum total cost (linear sum assignment).

    Parameters
    ----------
    cost_matrix : array_like of int, shape (n, n)
        ``cost_matrix[row, col]`` is the cost of matching ``row`` with ``col``.

    Returns
    -------
    numpy.ndarray of int64, shape (n,)
        The column matched to each row.

    Raises
    ------
    ValueError
        If the matrix is not square or holds values beyond :data:`MAX_ARC_VALUE`.
    InfeasibleError
        If OR-Tools reports no assignment (for example, possible overflow).
    """
    costs = np.asarray(cost_matrix, dtype=np.int64)
    if costs.ndim != 2 or costs.shape[0] != costs.shape[1]:
        raise ValueError(f"assign: the cost matrix must be square, got shape {costs.shape}")
    size = costs.shape[0]
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    left = np.repeat(np.arange(size, dtype=np.int32), size)
    right = np.tile(np.arange(size, dtype=np.int32), size)
    flat = _as_int_array("cost_matrix", costs.ravel())
    solver = _ASSIGN()
    solver.add_arcs_with_cost(left, right, flat)
    status = solver.solve()
    if status != _ASSIGN.OPTIMAL:
        raise InfeasibleError(
            f"assign: no assignment found (OR-Tools status {status.name}); use smaller costs",
            status=str(status.name).lower(),
        )
    return np.array([solver.right_mate(row) for row in range(size)], dtype=np.int64)
