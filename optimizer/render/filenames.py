"""File names made from users' ids: one safe, distinct name per team.

A team id comes from the user's teams file and may hold any character. Files named after it
(``teams/<team>.html``, ``teams/<team>.pdf``) use :func:`team_file_stems`, so every document of a
team carries the same name, on any file system.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

_UNSAFE: Final = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_STEM: Final = 80
#: Names Windows keeps for devices, whatever the extension.
_RESERVED: Final = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{kind}{n}" for kind in ("com", "lpt") for n in range(1, 10)}
)


def safe_file_stem(text: str) -> str:
    """Turn a user's id into a file name stem that works on every common file system.

    Letters, digits, ``.``, ``_`` and ``-`` are kept; any other run of characters becomes one
    ``_``. Leading dots and trailing dots or spaces are dropped, the stem is cut to 80 characters,
    and an empty stem or a device name of Windows gets a leading ``_``.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        A non-empty stem such as ``T-01`` or ``Tim_Kabat_1``.
    """
    stem = _UNSAFE.sub("_", text).lstrip(".").rstrip(". ")[:_MAX_STEM]
    if not stem or stem.split(".")[0].lower() in _RESERVED:
        stem = f"_{stem}"
    return stem


def team_file_stems(team_ids: Iterable[str]) -> dict[str, str]:
    """Give each team a distinct file name stem.

    Ids that turn into the same stem (ignoring case, as Windows and macOS do) get ``-2``,
    ``-3``... in the order given, so the same teams in the same order get the same names.

    Parameters
    ----------
    team_ids : iterable of str
        Team ids in plan order; repeated ids are named once.

    Returns
    -------
    dict
        Team id to stem.
    """
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for team_id in team_ids:
        if team_id in stems:
            continue
        base = stem = safe_file_stem(team_id)
        number = 1
        while stem.lower() in taken:
            number += 1
            stem = f"{base}-{number}"
        taken.add(stem.lower())
        stems[team_id] = stem
    return stems
