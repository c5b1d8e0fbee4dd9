"""The plan archive: a planned day's whole Plan and its streets, so documents can be made later.

Beside plan.json, the sheets and the map, a plan folder holds two files from which every
document can be made again without the scenario, the road graph or the solver (what
``berbagi sheets PLAN_DIR`` reads):

``plan-full.json.gz``
    The whole :class:`~optimizer.plan.Plan`: every field of every value (heads' names and
    addresses included), each leg's path, the KPIs, warnings, ``meta`` and the ``[render]``
    settings; not the run's ``stats``. Gzip-compressed UTF-8 JSON of the form
    ``{"format": "berbagi-plan-full-1", "plan": {...}}``. Each value is an object of its
    fields with the keys sorted; tuples are arrays; an unserved reason is its code; the render
    settings are their ``[render]`` keys. The plan's own dictionaries (``meta``,
    ``kpis.unserved_by_reason``) keep their order, so a plan read back writes the same
    plan.json.
``streets.npz``
    The streets under the plan (:func:`optimizer.geometry.save_streets`): every road line with
    a point inside the plan's extent (:func:`plan_bounds`) widened by ``STREETS_MARGIN_M``.

Equal plans and streets give byte-identical files: the gzip header carries no time and the zip
entries a fixed date. The archive holds personal data, like the sheets: keep the plan folder
where the sheets are kept.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import json
import types
import typing
import zipfile
import zlib
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from optimizer.errors import PlanArchiveError
from optimizer.geometry import Bounds, Streets, load_streets, save_streets
from optimizer.plan import Plan

#: The ``format`` key of plan-full.json.gz; a change of layout gets a new number.
ARCHIVE_FORMAT = "berbagi-plan-full-1"
PLAN_FILE = "plan-full.json.gz"
STREETS_FILE = "streets.npz"
#: Streets kept around the plan's extent (metres), for maps drawn a little wider than the routes.
STREETS_MARGIN_M = 2000.0
#: Gzip level of plan-full.json.gz (zlib's default: most of level 9's gain at a third of the time).
GZIP_LEVEL = 6
_FIX = "make the plan again with `berbagi plan SCENARIO --out FOLDER`, which writes a new archive"


def plan_bounds(plan: Plan) -> Bounds | None:
    """Return the box around everything a plan puts on a map, or None when it has nothing.

    Routes (their legs' paths and stops), depots and unserved households with a position
    count, as on the overview map; when none of these has a position, the area outlines do.

    Parameters
    ----------
    plan : Plan

    Returns
    -------
    Bounds or None
    """
    lats: list[float] = []
    lons: list[float] = []
    for route in plan.routes:
        for leg in route.legs:
            lats.extend(leg.path.lats)
            lons.extend(leg.path.lons)
        lats.extend(stop.lat for stop in route.stops)
        lons.extend(stop.lon for stop in route.stops)
    lats.extend(depot.lat for depot in plan.depots)
    lons.extend(depot.lon for depot in plan.depots)
    for unserved in plan.unserved:
        if unserved.lat is not None and unserved.lon is not None:
            lats.append(unserved.lat)
            lons.append(unserved.lon)
    if not lats:
        for area in plan.areas:
            for ring in area.rings:
                lats.extend(ring.lats)
                lons.extend(ring.lons)
    return Bounds.around(lats, lons) if lats else None


def streets_for_plan(
    plan: Plan, streets: Streets, *, margin_m: float = STREETS_MARGIN_M
) -> Streets:
    """Keep the streets under a plan: every line with a point near the plan's extent.

    Parameters
    ----------
    plan : Plan
    streets : Streets
        Usually every street of the road graph (:func:`optimizer.geometry.build_streets`).
    margin_m : float
        Width added on every side of :func:`plan_bounds` (metres).

    Returns
    -------
    Streets
        Clipping again to the same plan changes nothing.
    """
    bounds = plan_bounds(plan)
    if bounds is None:  # nothing to draw: an empty box keeps no line
        return streets.within(90.0, 180.0, -90.0, -180.0)
    return streets.within_bounds(bounds.grown(margin_m))


def write_plan_archive(plan: Plan, streets: Streets, folder: Path) -> list[Path]:
    """Write a plan's archive into its folder: plan-full.json.gz and streets.npz.

    Parameters
    ----------
    plan : Plan
    streets : Streets
        Streets of the plan's road network; only those under the plan are written
        (:func:`streets_for_plan`).
    folder : Path
        Created when missing; existing archive files are replaced.

    Returns
    -------
    list of Path
        The two files. Equal plans and streets give byte-identical files.
    """
    folder.mkdir(parents=True, exist_ok=True)
    document = {"format": ARCHIVE_FORMAT, "plan": _encode(plan)}
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    plan_path = folder / PLAN_FILE
    plan_path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=GZIP_LEVEL, mtime=0))
    streets_path = save_streets(streets_for_plan(plan, streets), folder / STREETS_FILE)
    return [plan_path, streets_path]


def read_plan_archive(folder: Path) -> tuple[Plan, Streets]:
    """Read the plan and streets a plan folder's archive holds.

    Parameters
    ----------
    folder : Path
        A folder written by ``berbagi plan`` (:func:`write_plan_archive`).

    Returns
    -------
    (Plan, Streets)
        Equal to what was written (the plan without ``stats``; the streets under the plan).

    Raises
    ------
    PlanArchiveError
        If a file is missing, damaged, of another format or from another program; the
        message names the file and says how to get a good one.
    """
    return _read_plan(folder / PLAN_FILE), _read_streets(folder / STREETS_FILE)


def _read_plan(path: Path) -> Plan:
    if not path.is_file():
        raise PlanArchiveError(
            f"{path}: not found, so this folder holds no plan archive (the plan was made by an "
            f"older version or written without streets); {_FIX}"
        )
    try:
        document = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise PlanArchiveError(
            f"{path}: not a readable plan archive ({err}); the file is damaged or not one "
            f"written by berbagi; {_FIX}"
        ) from err
    found = document.get("format") if isinstance(document, dict) else None
    if found != ARCHIVE_FORMAT:
        what = (
            "no 'format' key, so it was not written by berbagi"
            if found is None
            else f"format {found!r}, but this version of berbagi reads {ARCHIVE_FORMAT!r}"
        )
        raise PlanArchiveError(f"{path}: {what}; {_FIX}")
    try:
        _check_keys(document, {"format", "plan"}, "the archive")
        return typing.cast(Plan, _decode(Plan, document["plan"], "plan"))
    except ValueError as err:
        raise PlanArchiveError(f"{path}: damaged plan archive: {err}; {_FIX}") from err


def _read_streets(path: Path) -> Streets:
    if not path.is_file():
        raise PlanArchiveError(f"{path}: not found, so the maps have no streets to draw; {_FIX}")
    try:
        streets = load_streets(path)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as err:
        raise PlanArchiveError(
            f"{path}: not a readable streets file ({err!s}); the file is damaged or not one "
            f"written by berbagi; {_FIX}"
        ) from err
    offsets = streets.offsets
    if (
        offsets.shape != (streets.n_lines + 1,)
        or streets.lat.shape != streets.lon.shape
        or (offsets.size and (offsets[0] != 0 or offsets[-1] != streets.lat.size))
        or bool((offsets[1:] - offsets[:-1] < 2).any())
    ):
        raise PlanArchiveError(
            f"{path}: damaged streets file (line offsets do not fit the points); {_FIX}"
        )
    return streets


# The codec: values to JSON and back, led by the dataclasses' type hints.


_SCALARS = (str, int, float, bool, type(None))


@functools.cache
def _compared_fields(cls: type) -> tuple[str, ...]:
    """Names of a dataclass's compared fields, sorted."""
    return tuple(sorted(f.name for f in dataclasses.fields(cls) if f.compare))


def _encode(value: object) -> object:
    """JSON form of a plan value: dataclasses as objects of their compared fields, keys sorted."""
    if isinstance(value, _SCALARS) and not isinstance(value, Enum):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: _encode(getattr(value, name)) for name in _compared_fields(type(value))}
    if isinstance(value, BaseModel):
        return dict(sorted(value.model_dump(mode="json").items()))
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _check_keys(data: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValueError(f"{where} has unknown field(s) {', '.join(unknown)}")


def _expect(data: object, kind: type | tuple[type, ...], what: str, where: str) -> None:
    if not isinstance(data, kind) or (isinstance(data, bool) and bool not in _kinds(kind)):
        raise ValueError(f"{where} should be {what}, found {json.dumps(data)[:40]}")


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _decode(hint: object, data: object, where: str) -> object:
    """Rebuild a value of type ``hint`` from its JSON form; ValueError names ``where``."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return data
    if origin is typing.Union or origin is types.UnionType:
        return _decode_union(typing.get_args(hint), data, where)
    if origin is tuple:
        return _decode_tuple(typing.get_args(hint), data, where)
    if origin is dict:
        _expect(data, dict, "an object", where)
        value_hint = typing.get_args(hint)[1]
        items = typing.cast(dict[str, object], data).items()
        return {key: _decode(value_hint, item, f"{where}.{key}") for key, item in items}
    if isinstance(hint, type):
        return _decode_class(hint, data, where)
    raise TypeError(f"the plan archive cannot hold {hint!r} ({where})")


def _decode_union(args: tuple[Any, ...], data: object, where: str) -> object:
    if data is None:
        if type(None) in args:
            return None
        raise ValueError(f"{where} should not be null")
    rest = [arg for arg in args if arg is not type(None)]
    if len(rest) != 1:
        raise TypeError(f"the plan archive cannot hold a union of {rest!r} ({where})")
    return _decode(rest[0], data, where)


def _decode_tuple(args: tuple[Any, ...], data: object, where: str) -> tuple[object, ...]:
    _expect(data, list, "an array", where)
    items = typing.cast(list[object], data)
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(_decode(args[0], item, f"{where}[{i}]") for i, item in enumerate(items))
    if len(items) != len(args):
        raise ValueError(f"{where} should have {len(args)} items, found {len(items)}")
    return tuple(
        _decode(arg, item, f"{where}[{i}]")
        for i, (arg, item) in enumerate(zip(args, items, strict=True))
    )


def _decode_class(cls: type, data: object, where: str) -> object:
    if dataclasses.is_dataclass(cls):
        return _decode_dataclass(cls, data, where)
    if issubclass(cls, BaseModel):
        _expect(data, dict, "an object", where)
        try:
            return cls.model_validate(data)
        except ValueError as err:  # pydantic's ValidationError is a ValueError
            raise ValueError(f"{where} holds invalid settings ({err})") from err
    if issubclass(cls, Enum):
        try:
            return cls(data)
        except ValueError as err:
            valid = ", ".join(str(member.value) for member in cls)
            raise ValueError(f"{where} should be one of {valid}, found {data!r}") from err
    if cls is bool:
        _expect(data, bool, "true or false", where)
    elif cls is int:
        _expect(data, int, "a whole number", where)
    elif cls is float:
        _expect(data, (int, float), "a number", where)
    elif cls is str:
        _expect(data, str, "a string", where)
    else:
        raise TypeError(f"the plan archive cannot hold {cls!r} ({where})")
    return data


def _decode_dataclass(cls: type, data: object, where: str) -> object:
    _expect(data, dict, "an object", where)
    values = typing.cast(dict[str, object], data)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.compare}
    _check_keys(values, set(fields), where)
    hints = _hints(cls)
    kwargs: dict[str, object] = {}
    for name, spec in fields.items():
        if name in values:
            kwargs[name] = _decode(hints[name], values[name], f"{where}.{name}")
        elif spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
            raise ValueError(f"{where} lacks the field '{name}'")
    return cls(**kwargs)
