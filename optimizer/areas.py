"""Administrative boundaries of the regency: kabupaten, kecamatan and desa polygons with codes.

The bundled files (``maps/boundaries``) are real, MIT-licensed boundaries with Kemendagri codes.
Kecamatan outlines are rebuilt from the desa polygons so that the layers agree exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from optimizer.errors import GraphError, Issue, ScenarioError

DESA_FILE = "desa_kelurahan_3510.geojson"
KECAMATAN_FILE = "kecamatan_3510_dissolved_from_desa.geojson"
KABUPATEN_FILE = "kabupaten_3510.geojson"
#: The repository's ``maps/`` folder, installed as this data package (pyproject.toml).
BASEMAPS_PACKAGE = "optimizer.basemaps"
BOUNDARIES_FOLDER = "boundaries"
DEMO_NETWORK_FILE = "demo/banyuwangi_demo_network.npz"


def _bundled(name: str) -> Path:
    """File system path of a file or folder in the base-map package data."""
    found = resources.files(BASEMAPS_PACKAGE).joinpath(*name.split("/"))
    if not isinstance(found, Path):
        raise GraphError(
            f"the bundled base-map data {BASEMAPS_PACKAGE}/{name} is not on the file system "
            f"({found}); reinstall berbagi with pip, which unpacks its data files"
        )
    return found


def bundled_boundaries_dir() -> Path:
    """Folder of the bundled, real Banyuwangi boundaries (shipped with the package).

    Returns
    -------
    Path
        The ``boundaries`` folder of the package data ``optimizer.basemaps`` (the repository's
        ``maps/boundaries``, in an editable install), with the licence notice beside the files.

    Raises
    ------
    GraphError
        If the package data is not on disk (a zipped install).
    """
    return _bundled(BOUNDARIES_FOLDER)


def bundled_demo_network() -> Path:
    """Path of the SYNTHETIC demonstration road network (.npz) shipped with the package.

    Returns
    -------
    Path
        ``demo/banyuwangi_demo_network.npz`` of the package data ``optimizer.basemaps`` (the
        repository's ``maps/demo``, in an editable install).

    Raises
    ------
    GraphError
        If the package data is not on disk (a zipped install).
    """
    return _bundled(DEMO_NETWORK_FILE)


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminArea:
    """One administrative area with its polygon (lon/lat, WGS84)."""

    code: str
    name: str
    level: Literal["kabupaten", "kecamatan", "desa"]
    kind: str
    parent_code: str | None
    parent_name: str | None
    geometry: BaseGeometry = field(compare=False, repr=False)
    area_km2: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Boundaries:
    """The three boundary layers, with fast vectorised point lookup."""

    kabupaten: AdminArea
    kecamatan: tuple[AdminArea, ...]
    desa: tuple[AdminArea, ...]
    source: str
    _desa_tree: shapely.STRtree = field(compare=False, repr=False)
    _desa_index: dict[str, int] = field(compare=False, repr=False)

    def desa_by_code(self, code: str) -> AdminArea | None:
        """Return the desa with this Kemendagri code, or None."""
        index = self._desa_index.get(code)
        return None if index is None else self.desa[index]

    def locate_desa(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Index into ``desa`` of the polygon holding each point, or -1 outside every desa."""
        points = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        result = np.full(len(points), -1, dtype=np.int64)
        point_idx, desa_idx = self._desa_tree.query(points, predicate="within")
        # A point on a shared border lies in two polygons: keep the lowest desa index.
        order = np.lexsort((desa_idx, point_idx))
        point_idx, desa_idx = point_idx[order], desa_idx[order]
        first = np.unique(point_idx, return_index=True)[1]
        result[point_idx[first]] = desa_idx[first]
        return result

    def select(self, name_or_code: str) -> AdminArea:
        """Find the kabupaten, a kecamatan or a desa by code or (case-insensitive) name.

        Raises
        ------
        ScenarioError
            If nothing or more than one area matches; the message lists close choices.
        """
        key = name_or_code.strip().lower()
        if key in ("kabupaten", self.kabupaten.code, self.kabupaten.name.lower()):
            return self.kabupaten
        # Kecamatan names win over desa of the same name (Glagah is both); desa go by code.
        found = [a for a in self.kecamatan if key in (a.code, a.name.lower())]
        if not found:
            found = [a for a in self.desa if key in (a.code, a.name.lower())]
        if len(found) == 1:
            return found[0]
        kec = ", ".join(a.name for a in self.kecamatan)
        if not found:
            message = f"no area named '{name_or_code}'; use 'kabupaten', a kecamatan ({kec}) "
            message += "or a desa code such as 35.10.16.1001"
        else:
            choices = ", ".join(f"{a.code} ({a.name}, {a.parent_name})" for a in found)
            message = f"'{name_or_code}' matches several areas: {choices}; use the code instead"
        raise ScenarioError([Issue(source="area", row=None, field=None, message=message)])


def _read_features(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        issue = Issue(
            source=str(path),
            row=None,
            field=None,
            message=f"cannot read boundary file ({err}); restore it from the repository",
        )
        raise ScenarioError([issue]) from err
    features: list[dict[str, Any]] = data["features"]
    return features


def load_boundaries(folder: Path | None = None) -> Boundaries:
    """Load the kabupaten, kecamatan and desa layers from a boundaries folder.

    Parameters
    ----------
    folder : Path
        Folder holding the three GeoJSON files (default: the bundled ``maps/boundaries``).

    Returns
    -------
    Boundaries

    Raises
    ------
    ScenarioError
        If a file is missing or unreadable.
    """
    folder = bundled_boundaries_dir() if folder is None else folder
    kab_feature = _read_features(folder / KABUPATEN_FILE)[0]
    kecamatan = tuple(
        AdminArea(
            code=f["properties"]["kode"],
            name=f["properties"]["nama"],
            level="kecamatan",
            kind="kecamatan",
            parent_code=kab_feature["properties"]["kode"],
            parent_name=kab_feature["properties"]["nama"],
            geometry=shape(f["geometry"]),
            area_km2=float(f["properties"].get("area_km2_geom", 0.0)),
        )
        for f in sorted(
            _read_features(folder / KECAMATAN_FILE), key=lambda f: f["properties"]["kode"]
        )
    )
    desa = tuple(
        AdminArea(
            code=f["properties"]["kode"],
            name=f["properties"]["nama"],
            level="desa",
            kind=f["properties"]["jenis"],
            parent_code=f["properties"]["kode_kec"],
            parent_name=f["properties"]["nama_kec"],
            geometry=shape(f["geometry"]),
            area_km2=float(f["properties"]["area_km2_geom"]),
        )
        for f in sorted(_read_features(folder / DESA_FILE), key=lambda f: f["properties"]["kode"])
    )
    union = shapely.union_all([d.geometry for d in desa])
    kabupaten = AdminArea(
        code=kab_feature["properties"]["kode"],
        name=kab_feature["properties"]["nama"],
        level="kabupaten",
        kind="kabupaten",
        parent_code=None,
        parent_name=None,
        geometry=union,
        area_km2=sum(d.area_km2 for d in desa),
    )
    tree = shapely.STRtree([d.geometry for d in desa])
    return Boundaries(
        kabupaten=kabupaten,
        kecamatan=kecamatan,
        desa=desa,
        source=str(folder),
        _desa_tree=tree,
        _desa_index={d.code: i for i, d in enumerate(desa)},
    )
