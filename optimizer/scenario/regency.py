"""Where a row is: desa by code or by name, and point-in-regency checks with a border tolerance."""

from __future__ import annotations

from dataclasses import dataclass

import shapely

from optimizer.areas import AdminArea, Boundaries
from optimizer.scenario.columns import normalise_header
from optimizer.scenario.fields import Bad, normalise_desa_code, parse_number

#: Points this far outside the regency polygon still count as inside (coastline generalisation).
BORDER_TOLERANCE_DEG = 0.003
#: Degrees around the regency's box within which swapped coordinates are recognised.
_SWAP_MARGIN_DEG = 0.5


@dataclass(frozen=True, slots=True)
class Regency:
    """Point-in-regency and desa lookups over the scenario's boundaries."""

    boundaries: Boundaries
    shape: shapely.Geometry
    by_name: dict[tuple[str, str], AdminArea]
    name_count: dict[str, int]

    @classmethod
    def of(cls, boundaries: Boundaries) -> Regency:
        """Prepare the lookups once per scenario."""
        shape = boundaries.kabupaten.geometry.buffer(BORDER_TOLERANCE_DEG)
        shapely.prepare(shape)
        by_name: dict[tuple[str, str], AdminArea] = {}
        count: dict[str, int] = {}
        for desa in boundaries.desa:
            key = normalise_header(desa.name)
            by_name[(normalise_header(desa.parent_name or ""), key)] = desa
            count[key] = count.get(key, 0) + 1
        return cls(boundaries, shape, by_name, count)

    @property
    def name(self) -> str:
        """The regency's name as the boundary data spells it."""
        return self.boundaries.kabupaten.name

    def inside(self, lat: float, lon: float) -> bool:
        """Tell whether the point lies in the regency (with the border tolerance)."""
        return bool(shapely.contains_xy(self.shape, lon, lat))

    def find_desa(self, code: str, name: str, kecamatan: str) -> AdminArea | Bad:
        """Find the desa a row names by code, or by name (and kecamatan when the name repeats)."""
        if code.strip():
            found = self.boundaries.desa_by_code(normalise_desa_code(code))
            if found is not None:
                return found
            return Bad(
                "desa_code",
                f"unknown desa code '{code}'; use the Kemendagri code, e.g. 35.10.01.2001 "
                "(list: maps/boundaries/desa_kelurahan_3510_centroids.csv)",
            )
        if not name.strip():
            return Bad(
                "desa_code",
                "no desa: give the desa code (Kode Desa) or the desa and kecamatan names",
            )
        key = normalise_header(name)
        if kecamatan.strip():
            found = self.by_name.get((normalise_header(kecamatan), key))
            if found is not None:
                return found
            return Bad(
                "desa_name",
                f"no desa '{name}' in kecamatan '{kecamatan}'; check the spelling or give the "
                "desa code (Kode Desa)",
            )
        matches = [d for (_, n), d in self.by_name.items() if n == key]
        if len(matches) == 1:
            return matches[0]
        if matches:
            return Bad(
                "desa_name",
                f"desa '{name}' exists in several kecamatan ("
                + ", ".join(sorted(d.parent_name or "" for d in matches))
                + "); add the Kecamatan column or the desa code",
            )
        return Bad(
            "desa_name",
            f"no desa named '{name}'; check the spelling or give the desa code (Kode Desa)",
        )

    def coordinates(self, lat_text: str, lon_text: str) -> tuple[float, float] | Bad:
        """Return checked (lat, lon) in the regency, or why not (missing, swapped, outside)."""
        if not lat_text or not lon_text:
            return Bad(
                "lat/lon",
                "coordinates are missing; add lat and lon from the register or a GPS fix",
            )
        lat, lon = parse_number(lat_text), parse_number(lon_text)
        if lat is None or lon is None:
            bad = lat_text if lat is None else lon_text
            return Bad("lat/lon", f"'{bad}' is not a number; write decimal degrees such as -8.2191")
        minx, miny, maxx, maxy = self.boundaries.kabupaten.geometry.bounds
        margin = _SWAP_MARGIN_DEG
        if miny - margin <= lon <= maxy + margin and minx - margin <= lat <= maxx + margin:
            return Bad(
                "lat/lon",
                f"lat {lat_text} and lon {lon_text} look swapped (latitude in {self.name} is "
                f"about {(miny + maxy) / 2:.0f}, longitude about {(minx + maxx) / 2:.0f}); swap "
                "the two columns",
            )
        if not self.inside(lat, lon):
            return Bad(
                "lat/lon",
                f"({lat_text}, {lon_text}) lies outside {self.name}; correct the coordinates "
                "(a sign error or a point in the sea is common)",
            )
        return lat, lon
