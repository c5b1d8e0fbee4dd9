"""How a head of household's name is shown on sheets: in full or as initials.

``[render] names = "initials"`` turns "Siti Rohmah binti Sulaiman" into "S. R. B. S.": enough for
a team at the door with the address in hand, less for anyone who finds a lost sheet.
"""

from __future__ import annotations

from typing import Literal

NameMode = Literal["full", "initials"]


def display_name(name: str, mode: NameMode) -> str:
    """Return the name as the scenario's ``[render] names`` setting says to show it.

    Parameters
    ----------
    name : str
        The head of household as the register spells it.
    mode : {"full", "initials"}

    Returns
    -------
    str
        The name unchanged, or each word's first letter followed by a dot.
    """
    if mode == "full":
        return name
    words = [w for w in name.replace(".", " ").split() if w]
    return " ".join(f"{w[0].upper() if w[0].isalpha() else w[0]}." for w in words)
