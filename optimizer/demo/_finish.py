"""Final clean-up of the demo network: junctions at crossings, one connected network."""

from __future__ import annotations

import logging

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from optimizer.demo._geometry import IntArray, Land, node_crossings
from optimizer.demo._table import NOT_FOR_CARS, RESIDENTIAL, UNCLASSIFIED, Network, Pieces

logger = logging.getLogger(__name__)


def add_junctions(net: Network) -> None:
    """Put a junction node wherever two pieces cross."""
    table = net.pieces()
    noded = node_crossings(net.xy(), table.u, table.v, snap_m=3.0)
    net.add_nodes(noded.new_xy)
    result = table.take(noded.parent)
    result.u, result.v = noded.u, noded.v
    net.replace(result)


def _components(n: int, u: IntArray, v: IntArray) -> IntArray:
    graph = coo_matrix((np.ones(u.size), (u, v)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


def connect(net: Network, land: Land) -> None:
    """Join stray pieces of road to the main network, drop what cannot be joined."""
    table = net.pieces()
    xy = net.xy()
    n = net.n_nodes
    car = ~np.isin(table.code, NOT_FOR_CARS)
    touched = np.zeros(n, dtype=bool)
    touched[table.u[car]] = True
    touched[table.v[car]] = True
    labels = _components(n, table.u[car], table.v[car])
    main = int(np.argmax(np.bincount(labels[touched])))
    main_nodes = np.flatnonzero(touched & (labels == main))
    tree = cKDTree(xy[main_nodes])
    others = np.flatnonzero(touched & (labels != main))
    join_u, join_v = [], []
    if others.size:
        comp = labels[others]
        order = np.lexsort((others, comp))
        others, comp = others[order], comp[order]
        first = np.ones(comp.size, dtype=bool)
        first[1:] = comp[1:] != comp[:-1]
        starts = np.flatnonzero(first)
        ends = np.append(starts[1:], comp.size)
        k_near = min(4, main_nodes.size)
        dist, near = tree.query(xy[others], k=k_near)
        dist = dist.reshape(others.size, k_near)
        near = near.reshape(others.size, k_near)
        for s, e in zip(starts, ends, strict=True):
            flat = np.argsort(dist[s:e].ravel(), kind="stable")[:24]
            rows, cols = np.divmod(flat, k_near)
            source = others[s + rows]
            target = main_nodes[near[s + rows, cols]]
            ok = land.segments_ok(xy[source], xy[target]) & (dist[s + rows, cols] < 3000.0)
            if ok.any():
                k = int(np.flatnonzero(ok)[0])
                join_u.append(int(source[k]))
                join_v.append(int(target[k]))
    if join_u:
        length = np.hypot(*(xy[join_u] - xy[join_v]).T)
        pieces = Pieces.make(join_u, join_v, UNCLASSIFIED)
        pieces.code[length < 150.0] = RESIDENTIAL
        net.add(pieces)
        logger.debug("joined %d stray road pieces", len(join_u))
    table = net.pieces()
    labels = _components(n, table.u, table.v)
    keep = labels[table.u] == labels[main_nodes[0]]
    dropped = int((~keep).sum())
    if dropped:
        logger.debug("dropped %d pieces that could not be joined", dropped)
    net.replace(table.take(keep))


def repair_oneways(net: Network) -> None:
    """Turn one-way streets two-way again where they would trap cars."""
    for _ in range(8):
        table = net.pieces()
        car = ~np.isin(table.code, NOT_FOR_CARS)
        u, v, one = table.u[car], table.v[car], table.oneway[car]
        n = net.n_nodes
        du = np.concatenate([u, v[~one]])
        dv = np.concatenate([v, u[~one]])
        graph = coo_matrix((np.ones(du.size), (du, dv)), shape=(n, n)).tocsr()
        _, labels = connected_components(graph, directed=True, connection="strong")
        touched = np.zeros(n, dtype=bool)
        touched[u] = True
        touched[v] = True
        main = int(np.argmax(np.bincount(labels[touched])))
        outside = (labels[table.u] != main) | (labels[table.v] != main)
        bad_chains = np.unique(table.chain[car & outside & (table.chain >= 0)])
        if bad_chains.size == 0:
            return
        undo = np.isin(table.chain, bad_chains)
        table.oneway[undo] = False
        table.chain[undo] = -1
