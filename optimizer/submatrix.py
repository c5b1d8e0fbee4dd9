"""The travel times between the sites of one sub-problem for one profile -> SubMatrix."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

#: Matrix value for "cannot get there"; far above any shift, far below int64 overflow.
UNREACHABLE_S = 10**9


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SubMatrix:
    """Travel times between the sites of one sub-problem for one profile.

    Local site order: the sub-problem's depots first, then its households.

    Attributes
    ----------
    sites : int64 array
        Global site index (see :class:`Snapped`) per local site.
    nodes : int64 array
        Nearer end node of each local site's road, -1 where the site could not be snapped.
    entry, twin, fraction : arrays
        Each local site's road (CSR entry, opposite entry or -1) and position along it.
    time_s : int32 array (n, n)
        Travel time in whole seconds (rounded up); ``UNREACHABLE_S`` where there is no path.
    distance_m : int32 array (n, n)
        Length of that fastest path in whole metres (rounded); 0 where there is no path.
    region : int64 array
        Graph nodes of the part of the network searched (sorted); all nodes when it fell back.
    """

    key: str
    profile: str
    sites: npt.NDArray[np.int64] = field(repr=False)
    nodes: npt.NDArray[np.int64] = field(repr=False)
    entry: npt.NDArray[np.int64] = field(repr=False)
    twin: npt.NDArray[np.int64] = field(repr=False)
    fraction: npt.NDArray[np.float64] = field(repr=False)
    time_s: npt.NDArray[np.int32] = field(repr=False)
    distance_m: npt.NDArray[np.int32] = field(repr=False)
    region: npt.NDArray[np.int64] = field(repr=False)
