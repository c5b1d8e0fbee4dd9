"""Read and check a folder of boundary files: which file is which layer, and every feature.

Any regency works from a folder of three GeoJSON files (lon/lat degrees, EPSG:4326), one
per layer. Every ``*.geojson`` file of the folder is read and assigned to a layer:

1. by its name, when the name (case-insensitive) holds the word of exactly one layer:
   ``kabupaten``, ``kecamatan``, or ``desa``/``kelurahan`` (for the desa layer), or its short
   form standing alone between other characters than letters and digits (``kab``, ``kec``,
   ``kel``);
2. otherwise by its content: a file whose features have ``kode_kec`` is the desa layer, a file
   of a single feature is the kabupaten, any other file is the kecamatan layer.

So ``kab.geojson``, ``kec.geojson``, ``desa.geojson`` work (even for a regency of one
kecamatan, whose kecamatan file holds one feature too), as do the bundled names
(``kecamatan_3510_dissolved_from_desa.geojson`` names two layers and is decided by content).
Each layer must come from exactly one file: keep other GeoJSON files elsewhere.

Properties (``properties`` of each GeoJSON feature):

============  ==========================================  ============================
layer         required                                    optional
============  ==========================================  ============================
kabupaten     ``kode``, ``nama`` (one feature)            anything else (not read)
kecamatan     ``kode``, ``nama``, a (Multi)Polygon        ``area_km2_geom``
desa          ``kode``, ``nama``, ``kode_kec``,           ``jenis`` (``desa`` or
              ``nama_kec``, a (Multi)Polygon              ``kelurahan``; default desa),
                                                          ``area_km2_geom``
============  ==========================================  ============================

``kode`` is the area's code (text; Kemendagri codes such as ``35.10.16.2001`` in the bundled
files), unique within its layer; ``kode_kec``/``nama_kec`` name the desa's kecamatan and the code
must be one of the kecamatan layer. ``area_km2_geom`` (km²) is computed from the polygon on the
WGS84 ellipsoid when absent. Problems are reported together as one
:class:`~optimizer.errors.ScenarioError` naming file, property and feature (1-based position in
the file, with its name or code).

:func:`read_boundary_files` returns plain records (:class:`AreaRecord`);
:func:`optimizer.areas.load_boundaries` turns them into areas with point lookup.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pyproj import Geod
from shapely.errors import ShapelyError
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from optimizer.errors import Issue, ScenarioError

#: The three layers, widest first.
LAYERS = ("kabupaten", "kecamatan", "desa")
#: Words of a file name that decide its layer (case-insensitive; see the module docstring).
_NAME_WORDS = (
    ("kabupaten", "kabupaten"),
    ("kecamatan", "kecamatan"),
    ("desa", "desa"),
    ("kelurahan", "desa"),
)
#: Short names that decide a layer when they stand alone in a file name (``kab.geojson``,
#: ``batas-kec.geojson``).
_NAME_TOKENS = {"kab": "kabupaten", "kec": "kecamatan", "kel": "desa"}
#: Properties every feature of a layer must have (text or a whole number, not empty).
REQUIRED_PROPERTIES: dict[str, tuple[str, ...]] = {
    "kabupaten": ("kode", "nama"),
    "kecamatan": ("kode", "nama"),
    "desa": ("kode", "nama", "kode_kec", "nama_kec"),
}
_PROPERTY_FIX = {
    "kode": "give each area its code (e.g. the Kemendagri code 35.10.16.2001 of a desa)",
    "nama": "give each area its name",
    "kode_kec": "give each desa the 'kode' of its kecamatan in the kecamatan layer",
    "nama_kec": "give each desa the name of its kecamatan",
}
#: Optional property: the area's surface in km²; computed from the polygon when absent.
AREA_PROPERTY = "area_km2_geom"
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True, slots=True, kw_only=True)
class AreaRecord:
    """One kecamatan or desa as read from its boundary file (polygon in lon/lat, WGS84).

    Attributes
    ----------
    code, name : str
        ``kode`` and ``nama`` of the feature.
    level : {"kecamatan", "desa"}
        Its layer.
    kind : str
        ``kecamatan``; for a desa its ``jenis`` (``desa`` or ``kelurahan``, default desa).
    parent_code, parent_name : str
        The kabupaten of a kecamatan; ``kode_kec`` and ``nama_kec`` of a desa.
    geometry : Polygon or MultiPolygon
    area_km2 : float
        ``area_km2_geom``, or the surface computed from the polygon when absent.
    """

    code: str
    name: str
    level: Literal["kecamatan", "desa"]
    kind: str
    parent_code: str
    parent_name: str
    geometry: Polygon | MultiPolygon = field(compare=False, repr=False)
    area_km2: float


@dataclass(frozen=True, slots=True, kw_only=True)
class BoundaryLayers:
    """The checked content of a boundaries folder; the kabupaten's polygon is its desa's union.

    Attributes
    ----------
    kabupaten_code, kabupaten_name : str
        ``kode`` and ``nama`` of the kabupaten layer's one feature.
    kecamatan, desa : tuple of AreaRecord
        The two layers, each sorted by code.
    """

    kabupaten_code: str
    kabupaten_name: str
    kecamatan: tuple[AreaRecord, ...]
    desa: tuple[AreaRecord, ...]


def read_boundary_files(folder: Path, *, bundled: bool) -> BoundaryLayers:
    """Find the three layers in a folder and read every feature, checking all of them.

    Parameters
    ----------
    folder : Path
        Folder holding the kabupaten, kecamatan and desa GeoJSON files (module docstring).
    bundled : bool
        Whether it is the bundled boundaries folder (messages then say to reinstall).

    Returns
    -------
    BoundaryLayers

    Raises
    ------
    ScenarioError
        If the folder is missing; a layer has no file or several; a file is unreadable or not
        a FeatureCollection; a feature lacks a required property or a polygon, has a bad
        ``area_km2_geom`` or a duplicate code; or a desa names a kecamatan the kecamatan layer
        does not hold. Every problem of the folder is reported at once, naming the file, the
        property and the feature.
    """
    files = _find_layers(folder, bundled=bundled)
    issues: list[Issue] = []
    kab_code, kab_name = _read_kabupaten(files["kabupaten"], issues)
    kecamatan = _read_layer(files["kecamatan"], (kab_code, kab_name), issues)
    desa = _read_layer(files["desa"], (kab_code, kab_name), issues)
    if not issues:
        issues = _unknown_parents(desa, kecamatan, files)
    if issues:
        raise ScenarioError(
            issues, headline=f"{len(issues)} problem(s) in the boundary files in {folder}"
        )
    return BoundaryLayers(
        kabupaten_code=kab_code, kabupaten_name=kab_name, kecamatan=kecamatan, desa=desa
    )


def _file_fix(bundled: bool) -> str:
    if bundled:
        return "reinstall berbagi with pip to restore the bundled boundary files"
    return "export the layer again as a GeoJSON FeatureCollection in lon/lat degrees (EPSG:4326)"


def _file_error(path: Path, message: str) -> ScenarioError:
    issue = Issue(source=str(path), row=None, field=None, message=message)
    return ScenarioError([issue], headline="problem with the boundary files")


def _read_features(path: Path, *, bundled: bool) -> tuple[dict[str, Any], ...]:
    """Read the features of one GeoJSON file; ScenarioError naming the file when unusable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        message = f"cannot read boundary file ({err}); {_file_fix(bundled)}"
        raise _file_error(path, message) from err
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        message = "is not a GeoJSON FeatureCollection (no 'features' list); " + _file_fix(bundled)
        raise _file_error(path, message)
    return tuple(features)


def _properties(feature: dict[str, Any]) -> dict[str, Any]:
    props = feature.get("properties")
    return props if isinstance(props, dict) else {}


def _text(value: object) -> str:
    """Return a property as text: strings and whole numbers; anything else is empty."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, str | int):
        return str(value).strip()
    return ""


@dataclass(frozen=True, slots=True)
class _LayerFile:
    """One boundary file, its features, and why it was taken for its layer."""

    path: Path
    features: tuple[dict[str, Any], ...]
    layer: str
    reason: str


def _layer_by_name(path: Path) -> str | None:
    """Return the layer a file name names, or None when it names none or several."""
    name = path.name.lower()
    found = {layer for word, layer in _NAME_WORDS if word in name}
    found |= {_NAME_TOKENS[t] for t in re.split(r"[^a-z0-9]+", name) if t in _NAME_TOKENS}
    return found.pop() if len(found) == 1 else None


def _layer_of(path: Path, features: tuple[dict[str, Any], ...]) -> tuple[str, str]:
    """Decide a file's layer (module docstring): by its name's words, else by its content."""
    by_name = _layer_by_name(path)
    if by_name is not None:
        return by_name, "by its name"
    if any("kode_kec" in _properties(f) for f in features):
        return "desa", "its features have 'kode_kec'"
    if len(features) == 1:
        return "kabupaten", "it holds one feature"
    return "kecamatan", f"it holds {len(features)} features without 'kode_kec'"


def _layer_problem(layer: str, files: list[_LayerFile], listing: str) -> str:
    if files:
        names = ", ".join(f"{f.path.name} ({f.reason})" for f in files)
        return (
            f"several files look like the {layer} layer: {names}; keep one file per layer in "
            f"the folder, or name each file with its layer's word ({', '.join(LAYERS)})"
        )
    needs = ", ".join(f"'{key}'" for key in REQUIRED_PROPERTIES[layer])
    return (
        f"no {layer} layer found ({listing}); add a GeoJSON file of the {layer} "
        f"polygons whose features have {needs}, named e.g. {layer}.geojson"
    )


def _find_layers(folder: Path, *, bundled: bool) -> dict[str, _LayerFile]:
    """Read every ``*.geojson`` file of a folder and assign each to its layer."""
    if not folder.is_dir():
        raise _file_error(
            folder,
            "boundaries folder does not exist; give the folder holding the kabupaten, "
            "kecamatan and desa GeoJSON files",
        )
    found: dict[str, list[_LayerFile]] = {layer: [] for layer in LAYERS}
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".geojson" and p.is_file())
    for path in paths:
        features = _read_features(path, bundled=bundled)
        layer, reason = _layer_of(path, features)
        found[layer].append(_LayerFile(path, features, layer, reason))
    listing = "; ".join(
        f"{f.path.name} is {f.layer} ({f.reason})" for v in found.values() for f in v
    )
    issues = [
        Issue(
            source=str(folder),
            row=None,
            field=None,
            message=_layer_problem(layer, files, listing or "no .geojson file in it"),
        )
        for layer, files in found.items()
        if len(files) != 1
    ]
    if issues:
        raise ScenarioError(issues, headline=f"{len(issues)} problem(s) with the boundary files")
    return {layer: files[0] for layer, files in found.items()}


def geodesic_area_km2(geometry: BaseGeometry) -> float:
    """Surface of a lon/lat (EPSG:4326) polygon or multipolygon in km², on the WGS84 ellipsoid.

    Parameters
    ----------
    geometry : shapely Polygon or MultiPolygon
        Longitude/latitude degrees.

    Returns
    -------
    float
        km², rounded to 0.001 km² (as the bundled ``area_km2_geom`` values).
    """
    parts = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
    total_m2 = sum(
        abs(_GEOD.geometry_area_perimeter(orient(part, sign=1.0))[0])
        for part in parts
        if isinstance(part, Polygon)
    )
    return round(total_m2 / 1e6, 3)


@dataclass
class _Problems:
    """Problems of one boundary file, grouped so that one missing property is one line."""

    path: Path
    missing: dict[str, list[str]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    def add(self, key: str | None, message: str) -> None:
        self.issues.append(Issue(source=str(self.path), row=None, field=key, message=message))

    def to_issues(self) -> list[Issue]:
        grouped = []
        for key, features in self.missing.items():
            shown = ", ".join(features[:8]) + (
                f" and {len(features) - 8} more" if len(features) > 8 else ""
            )
            grouped.append(
                Issue(
                    source=str(self.path),
                    row=None,
                    field=key,
                    message=f"{shown} {'has' if len(features) == 1 else 'have'} no '{key}' "
                    f"property (text); {_PROPERTY_FIX[key]}",
                )
            )
        return grouped + self.issues


def _feature_label(index: int, props: dict[str, Any]) -> str:
    """``feature 3 (Sarongan)``: the 1-based position in the file and what names it."""
    hint = _text(props.get("nama")) or _text(props.get("kode"))
    return f"feature {index}" + (f" ({hint})" if hint else "")


def _feature_geometry(
    feature: dict[str, Any], label: str, problems: _Problems
) -> Polygon | MultiPolygon | None:
    raw = feature.get("geometry")
    try:
        geometry = shape(raw) if isinstance(raw, dict) else None
    except (ShapelyError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        geometry = None
    if not isinstance(geometry, Polygon | MultiPolygon) or geometry.is_empty:
        problems.add(
            "geometry",
            f"{label} has no Polygon or MultiPolygon geometry; draw the area's outline "
            "(lon/lat degrees, EPSG:4326)",
        )
        return None
    minx, miny, maxx, maxy = geometry.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        problems.add(
            "geometry",
            f"{label} has coordinates outside lon/lat degrees ({minx:.0f}, {miny:.0f}); "
            "reproject the file to EPSG:4326",
        )
        return None
    return geometry


def _feature_area_km2(
    props: dict[str, Any], geometry: BaseGeometry, label: str, problems: _Problems
) -> float:
    """Return the area property when given, else the area computed from the polygon."""
    value = props.get(AREA_PROPERTY)
    if value is None:
        return geodesic_area_km2(geometry)
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < math.inf:
        return float(value)
    problems.add(
        AREA_PROPERTY,
        f"{label}: {value!r} is not a surface in km² (a number >= 0); correct it, or remove "
        "the property to have the area computed from the polygon",
    )
    return 0.0


def _feature_area(
    index: int,
    feature: dict[str, Any],
    layer: Literal["kecamatan", "desa"],
    kabupaten: tuple[str, str],
    problems: _Problems,
) -> AreaRecord | None:
    """One kecamatan or desa of a boundary file, or None (problems noted) when unusable."""
    props = _properties(feature)
    label = _feature_label(index, props)
    values = {key: _text(props.get(key)) for key in REQUIRED_PROPERTIES[layer]}
    for key, value in values.items():
        if not value:
            problems.missing.setdefault(key, []).append(label)
    geometry = _feature_geometry(feature, label, problems)
    if geometry is None or not all(values.values()):
        return None
    parent = (values["kode_kec"], values["nama_kec"]) if layer == "desa" else kabupaten
    return AreaRecord(
        code=values["kode"],
        name=values["nama"],
        level=layer,
        kind=(_text(props.get("jenis")) or "desa") if layer == "desa" else "kecamatan",
        parent_code=parent[0],
        parent_name=parent[1],
        geometry=geometry,
        area_km2=_feature_area_km2(props, geometry, label, problems),
    )


def _duplicates(areas: list[AreaRecord], problems: _Problems) -> None:
    counts = Counter(a.code for a in areas)
    for code, count in sorted(counts.items()):
        if count > 1:
            problems.add(
                "kode",
                f"code {code} is used by {count} features; give each area its own code",
            )


def _read_layer(
    layer_file: _LayerFile, kabupaten: tuple[str, str], issues: list[Issue]
) -> tuple[AreaRecord, ...]:
    """Read the kecamatan or desa of a layer file, sorted by code; problems go to ``issues``."""
    layer: Literal["kecamatan", "desa"] = "desa" if layer_file.layer == "desa" else "kecamatan"
    problems = _Problems(layer_file.path)
    areas = [
        area
        for index, feature in enumerate(layer_file.features, start=1)
        if (area := _feature_area(index, feature, layer, kabupaten, problems)) is not None
    ]
    if not layer_file.features:
        problems.add(None, f"holds no feature; add the {layer} polygons")
    _duplicates(areas, problems)
    issues.extend(problems.to_issues())
    return tuple(sorted(areas, key=lambda a: a.code))


def _read_kabupaten(layer_file: _LayerFile, issues: list[Issue]) -> tuple[str, str]:
    """Return the code and name of the kabupaten (its polygon is the union of the desa)."""
    problems = _Problems(layer_file.path)
    if len(layer_file.features) != 1:
        problems.add(
            None,
            f"holds {len(layer_file.features)} features; the kabupaten layer holds exactly "
            "one, the regency (or city) itself",
        )
    props = _properties(layer_file.features[0]) if layer_file.features else {}
    values = {key: _text(props.get(key)) for key in REQUIRED_PROPERTIES["kabupaten"]}
    for key, value in values.items():
        if not value and layer_file.features:
            problems.missing.setdefault(key, []).append(_feature_label(1, props))
    issues.extend(problems.to_issues())
    return values["kode"], values["nama"]


def _unknown_parents(
    desa: tuple[AreaRecord, ...], kecamatan: tuple[AreaRecord, ...], files: dict[str, _LayerFile]
) -> list[Issue]:
    """Report the desa whose ``kode_kec`` names no kecamatan of the kecamatan layer."""
    known = {k.code for k in kecamatan}
    choices = ", ".join(sorted(known)[:10]) + (", ..." if len(known) > 10 else "")
    return [
        Issue(
            source=str(files["desa"].path),
            row=None,
            field="kode_kec",
            message=f"desa {d.code} ({d.name}): kecamatan code {d.parent_code} is not in "
            f"{files['kecamatan'].path.name}; use one of {choices or 'none (that file is empty)'}",
        )
        for d in desa
        if d.parent_code not in known
    ]
