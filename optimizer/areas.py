"""Administrative boundaries of the regency: kabupaten, kecamatan and desa polygons with codes.

The bundled files (``maps/boundaries``) are real, MIT-licensed boundaries of Kabupaten
Banyuwangi with Kemendagri codes. Kecamatan outlines are rebuilt from the desa polygons so that
the layers agree exactly.

Any other regency works from a folder of three GeoJSON files (lon/lat degrees, EPSG:4326),
one per layer; how each file's layer is found, the properties each layer needs and how
problems are reported are in :mod:`optimizer.boundaryfiles`. The kabupaten's polygon is the
union of its desa.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from optimizer.boundaryfiles import AreaRecord, read_boundary_files
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
            example = f" such as {self.desa[0].code}" if self.desa else ""
            message = (
                f"no area named '{name_or_code}' in {self.kabupaten.name}; "
                f"use 'kabupaten', a kecamatan ({kec}) or a desa code{example}"
            )
        else:
            choices = ", ".join(f"{a.code} ({a.name}, {a.parent_name})" for a in found)
            message = f"'{name_or_code}' matches several areas: {choices}; use the code instead"
        raise ScenarioError([Issue(source="area", row=None, field=None, message=message)])


def _is_bundled(folder: Path) -> bool:
    """Whether a folder is the bundled boundaries folder (its files come back by reinstalling)."""
    try:
        return folder.resolve() == bundled_boundaries_dir().resolve()
    except (GraphError, OSError):
        return False


def _admin_area(record: AreaRecord) -> AdminArea:
    """Return a kecamatan or desa read from its boundary file as an area of the Boundaries."""
    return AdminArea(
        code=record.code,
        name=record.name,
        level=record.level,
        kind=record.kind,
        parent_code=record.parent_code,
        parent_name=record.parent_name,
        geometry=record.geometry,
        area_km2=record.area_km2,
    )


def load_boundaries(folder: Path | None = None) -> Boundaries:
    """Load the kabupaten, kecamatan and desa layers from a boundaries folder.

    Parameters
    ----------
    folder : Path
        Folder holding the three GeoJSON files (default: the bundled ``maps/boundaries``);
        how each file's layer is found and the properties each layer needs are in
        :mod:`optimizer.boundaryfiles`.

    Returns
    -------
    Boundaries

    Raises
    ------
    ScenarioError
        If the folder is missing; a layer has no file or several; a file is unreadable or not
        a FeatureCollection; a feature lacks a required property or a polygon, has a bad
        ``area_km2_geom`` or a duplicate code; or a desa names a kecamatan the kecamatan layer
        does not hold. Every problem of the folder is reported at once, naming the file, the
        property and the feature.
    """
    folder = bundled_boundaries_dir() if folder is None else folder
    layers = read_boundary_files(folder, bundled=_is_bundled(folder))
    kecamatan = tuple(_admin_area(record) for record in layers.kecamatan)
    desa = tuple(_admin_area(record) for record in layers.desa)
    kabupaten = AdminArea(
        code=layers.kabupaten_code,
        name=layers.kabupaten_name,
        level="kabupaten",
        kind="kabupaten",
        parent_code=None,
        parent_name=None,
        geometry=shapely.union_all([d.geometry for d in desa]),
        area_km2=sum(d.area_km2 for d in desa),
    )
    return Boundaries(
        kabupaten=kabupaten,
        kecamatan=kecamatan,
        desa=desa,
        source=str(folder),
        _desa_tree=shapely.STRtree([d.geometry for d in desa]),
        _desa_index={d.code: i for i, d in enumerate(desa)},
    )
