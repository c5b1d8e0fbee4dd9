"""Scenario inheritance: a TOML file and the files it ``extends``, deep-merged -> MergedScenario.

A scenario may start with ``extends = "../banyuwangi.toml"`` (a path relative to the file that
says it) and then give only what differs. The chain is read child first; chains of any length
are allowed and a cycle is refused. Merging starts from the last parent and lays each child over
it: **tables merge key by key; lists and scalars replace**. Paths in a parent (the ``[inputs]``
files, ``boundaries``, ``[closures] roads``) keep meaning "relative to the file that wrote them":
they are rewritten relative to the first file's folder while merging.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.errors import Issue, ScenarioError

#: The top-level key naming the parent scenario.
EXTENDS_KEY = "extends"
#: Keys whose values are paths relative to the file that writes them.
PATH_KEYS: tuple[tuple[str, str], ...] = (
    ("inputs", "households"),
    ("inputs", "depots"),
    ("inputs", "teams"),
    ("inputs", "roster"),
    ("inputs", "road_network"),
    ("inputs", "boundaries"),
    ("closures", "roads"),
    ("continuity", "previous_plan"),
)

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioLayer:
    """One file of the chain: its own tables (without ``extends``), paths as written.

    ``label`` names the file in messages: the first file by its name, a parent by its path
    relative to the first file's folder (``../banyuwangi.toml``).
    """

    path: Path
    label: str
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class MergedScenario:
    """The chain of files (the scenario itself first) and their merged tables.

    ``data`` is the merged TOML (read-only by convention), with every path relative to the
    first file's folder. ``origins`` gives, for each key path set by some file, the label of
    the last file that set it.
    """

    layers: tuple[ScenarioLayer, ...]
    data: Mapping[str, Any]
    origins: Mapping[tuple[str, ...], str]

    @property
    def files(self) -> tuple[Path, ...]:
        """Every TOML file that contributed, the scenario itself first."""
        return tuple(layer.path for layer in self.layers)

    def source_of(self, dotted: str) -> str:
        """Name the file that set a key (``"closures.desa"``), or the scenario file itself.

        The longest key path with a known origin wins, so a key inside a table a parent wrote
        is blamed on that parent.
        """
        parts = tuple(dotted.split("."))
        for end in range(len(parts), 0, -1):
            found = self.origins.get(parts[:end])
            if found is not None:
                return found
        return self.layers[0].label


def load_toml(path: Path) -> dict[str, Any]:
    """Read one TOML file.

    Raises
    ------
    ScenarioError
        The file is missing, unreadable or not valid TOML.
    """

    def fail(message: str) -> ScenarioError:
        return ScenarioError([Issue(source=str(path), row=None, field=None, message=message)])

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise fail(
            "scenario file not found; check the path (bundled scenarios are in scenarios/)"
        ) from err
    except (OSError, UnicodeDecodeError) as err:
        raise fail(f"cannot read it ({err})") from err
    except tomllib.TOMLDecodeError as err:
        raise fail(f"not valid TOML ({err}); fix the syntax at that line") from err


def _label(path: Path, first_dir: Path) -> str:
    try:
        return os.path.relpath(path.resolve(), first_dir)
    except ValueError:  # another drive: no relative path exists
        return str(path.resolve())


def _parent_of(data: Mapping[str, Any], label: str, folder: Path) -> Path | None:
    """Find the file a layer extends (checked to exist), or None."""
    value = data.get(EXTENDS_KEY)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(
            [
                Issue(
                    source=label,
                    row=None,
                    field=EXTENDS_KEY,
                    message=f"'extends' must be the path of a scenario file, got {value!r}; "
                    'write e.g. extends = "../banyuwangi.toml"',
                )
            ]
        )
    target = Path(value) if Path(value).is_absolute() else folder / value
    if not target.is_file():
        raise ScenarioError(
            [
                Issue(
                    source=label,
                    row=None,
                    field=EXTENDS_KEY,
                    message=f"the parent scenario {target.resolve()} does not exist; fix the "
                    "path (it is relative to the folder of the file that says 'extends')",
                )
            ]
        )
    return target


def read_layers(path: Path) -> tuple[ScenarioLayer, ...]:
    """Read a scenario file and, through ``extends``, every parent (the file itself first).

    Raises
    ------
    ScenarioError
        A file is missing or not TOML, a parent is missing, or the chain is a cycle.
    """
    first_dir = path.resolve().parent
    layers: list[ScenarioLayer] = []
    seen: list[Path] = []
    current: Path | None = path
    while current is not None:
        resolved = current.resolve()
        label = path.name if not layers else _label(current, first_dir)
        if resolved in seen:
            cycle = " -> ".join([*(layer.label for layer in layers), label])
            raise ScenarioError(
                [
                    Issue(
                        source=layers[-1].label,
                        row=None,
                        field=EXTENDS_KEY,
                        message=f"'extends' makes a cycle: {cycle}; remove 'extends' from one "
                        "of these files",
                    )
                ]
            )
        seen.append(resolved)
        data = load_toml(current)
        layers.append(
            ScenarioLayer(
                path=current,
                label=label,
                data={k: v for k, v in data.items() if k != EXTENDS_KEY},
            )
        )
        current = _parent_of(data, label, resolved.parent)
    return tuple(layers)


def _rebased(data: Mapping[str, Any], folder: Path, first_dir: Path) -> dict[str, Any]:
    """Copy a layer's tables with its relative paths rewritten from ``first_dir``."""
    copy = dict(data)
    for table, key in PATH_KEYS:
        section = copy.get(table)
        if not isinstance(section, dict) or not isinstance(section.get(key), str):
            continue
        value: str = section[key]
        if Path(value).is_absolute() or folder == first_dir:
            continue
        try:
            rewritten = os.path.relpath(folder / value, first_dir)
        except ValueError:  # another drive: keep it absolute
            rewritten = str(folder / value)
        copy[table] = {**section, key: Path(rewritten).as_posix()}
    return copy


def _merge_into(
    base: dict[str, Any],
    over: Mapping[str, Any],
    label: str,
    origins: dict[tuple[str, ...], str],
    prefix: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Lay ``over`` on ``base``: tables merge key by key, anything else replaces."""
    merged = dict(base)
    for key, value in over.items():
        where = (*prefix, key)
        old = merged.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            merged[key] = _merge_into(old, value, label, origins, where)
            continue
        merged[key] = value
        for known in [k for k in origins if k[: len(where)] == where]:
            del origins[known]
        origins[where] = label
    return merged


def read_merged_scenario(path: Path) -> MergedScenario:
    """Read a scenario file with its ``extends`` chain and merge the tables.

    Parameters
    ----------
    path : Path
        The scenario ``.toml`` file.

    Returns
    -------
    MergedScenario
        The chain and the merged tables; paths relative to ``path``'s folder.

    Raises
    ------
    ScenarioError
        A file is missing or not TOML, a parent is missing, or the chain is a cycle.
    """
    layers = read_layers(path)
    first_dir = path.resolve().parent
    merged: dict[str, Any] = {}
    origins: dict[tuple[str, ...], str] = {}
    for layer in reversed(layers):
        data = _rebased(layer.data, layer.path.resolve().parent, first_dir)
        merged = _merge_into(merged, data, layer.label, origins)
    return MergedScenario(layers=layers, data=merged, origins=origins)


def _format_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _format_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_format_value(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{_format_key(k)} = {_format_value(v)}" for k, v in value.items())
        return "{ " + ", ".join(pairs) + " }"
    return repr(value)


def _format_table(
    table: Mapping[str, Any], prefix: tuple[str, ...], merged: MergedScenario
) -> list[str]:
    lines: list[str] = []
    plain = {k: v for k, v in table.items() if not isinstance(v, dict)}
    if prefix and (plain or not table):
        lines.append("[" + ".".join(_format_key(part) for part in prefix) + "]")
    for key, value in plain.items():
        line = f"{_format_key(key)} = {_format_value(value)}"
        if len(merged.layers) > 1:
            line += f"  # {merged.source_of('.'.join((*prefix, key)))}"
        lines.append(line)
    if plain or not table:
        lines.append("")
    for key, value in table.items():
        if isinstance(value, dict):
            lines.extend(_format_table(value, (*prefix, key), merged))
    return lines


def format_merged(merged: MergedScenario) -> str:
    """Write the merged scenario as TOML, the chain of files in comments first.

    Paths are relative to the scenario file's folder, as they are read. When the scenario
    extends another, each key ends with a comment naming the file that set it.

    Parameters
    ----------
    merged : MergedScenario

    Returns
    -------
    str
        Valid TOML (``tomllib`` reads it back to ``merged.data``).
    """
    chain = " -> ".join(layer.label for layer in merged.layers)
    header = [f"# {merged.layers[0].label}, merged: {chain}", ""]
    lines = header + _format_table(merged.data, (), merged)
    return "\n".join(lines).rstrip("\n") + "\n"
