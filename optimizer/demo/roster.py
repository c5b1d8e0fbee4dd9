"""Synthetic demonstration roster: the regency's civil servants (ASN and PPPK) who may deliver.

The roster is shaped like a staff list exported by unit (OPD): one row per person with an
18-digit NIP (ASN) or NI PPPK, a made-up name, the unit, the status, the home, the vehicle the
person brings and whether they are available on the day. Homes are scattered around the desa
centres of the boundaries (the representative point of each desa polygon), more where the demo
register has more households, and more again in the regency capital (kecamatan Banyuwangi),
where the offices are. Staff of a kecamatan office or a Puskesmas mostly live in its kecamatan.
A few rows give the home desa code instead of coordinates, as a hand-made list would.

Nothing here is real apart from the boundaries; every row says ``synthetic-demo``.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import shapely

from optimizer.areas import AdminArea, Boundaries
from optimizer.demo import _names
from optimizer.scenario.columns import ROSTER_COLUMNS
from optimizer.units import EARTH_RADIUS_M

#: The file ``berbagi demo build`` writes next to households.csv.
ROSTER_FILE = "asn.csv"
DATA_ORIGIN = "synthetic-demo"
#: People on the demo roster.
PEOPLE_TOTAL = 6_000
#: The regency capital, where the offices are: its desa weigh this many times their households.
CAPITAL_KECAMATAN = "35.10.16"
CAPITAL_WEIGHT = 2.0
#: Shares of the roster.
ASN_SHARE = 0.80
VEHICLE_SHARES: tuple[tuple[str, float], ...] = (("motorbike", 0.62), ("car", 0.10), ("none", 0.28))
UNAVAILABLE_SHARE = 0.05
#: Rows that give ``home_desa_code`` instead of coordinates.
DESA_CODE_SHARE = 0.03
#: Share of people working at the office of their own kecamatan (or its Puskesmas).
LOCAL_SHARE = 0.30
#: Regency-wide units (OPD) and their relative sizes.
CENTRAL_UNITS: tuple[tuple[str, float], ...] = (
    ("Sekretariat Daerah", 2.0),
    ("Sekretariat DPRD", 0.6),
    ("Inspektorat Daerah", 0.6),
    ("Badan Perencanaan Pembangunan Daerah", 0.8),
    ("Badan Pengelolaan Keuangan dan Aset Daerah", 1.0),
    ("Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", 0.8),
    ("Badan Penanggulangan Bencana Daerah", 0.6),
    ("Dinas Sosial", 1.5),
    ("Dinas Pendidikan", 5.0),
    ("Dinas Kesehatan", 2.5),
    ("Dinas Pekerjaan Umum dan Penataan Ruang", 1.2),
    ("Dinas Kependudukan dan Pencatatan Sipil", 0.8),
    ("Dinas Perhubungan", 0.8),
    ("Dinas Pertanian dan Pangan", 1.2),
    ("Satuan Polisi Pamong Praja", 1.5),
)
#: Puskesmas by kecamatan name (their staff count as local to that kecamatan).
PUSKESMAS: dict[str, str] = {
    "Banyuwangi": "Puskesmas Sobo",
    "Kabat": "Puskesmas Kabat",
    "Genteng": "Puskesmas Genteng Kulon",
}
_M_PER_DEG = math.pi / 180.0 * EARTH_RADIUS_M
_SCATTER_TRIES = 30

Row = dict[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class _Homes:
    """Where the people live: desa index, coordinates and whether the row gives the code."""

    desa: npt.NDArray[np.int64]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    by_code: npt.NDArray[np.bool_]


def demo_units(boundaries: Boundaries) -> tuple[str, ...]:
    """Every unit name of the demo roster: regency-wide OPD, Puskesmas, kecamatan offices."""
    return (
        *(name for name, _ in CENTRAL_UNITS),
        *PUSKESMAS.values(),
        *(f"Kecamatan {kec.name}" for kec in boundaries.kecamatan),
    )


def households_per_desa(households: Sequence[Mapping[str, str]]) -> dict[str, int]:
    """Count register rows by ``desa_code`` (the demo households file)."""
    return dict(Counter(row.get("desa_code", "") for row in households))


def build_demo_roster(
    boundaries: Boundaries,
    households: Mapping[str, int],
    *,
    seed: int = 0,
    total: int = PEOPLE_TOTAL,
) -> tuple[Row, ...]:
    """Generate the demo roster of ASN and PPPK.

    Parameters
    ----------
    boundaries : Boundaries
        The regency's desa (homes are scattered around their centres).
    households : mapping of str to int
        Register rows per desa code (:func:`households_per_desa`); a desa without any still
        gets a small weight.
    seed : int
        Random seed; the same inputs and seed give identical rows.
    total : int
        People on the roster.

    Returns
    -------
    tuple of dict
        Rows (column -> text, see :data:`optimizer.scenario.columns.ROSTER_COLUMNS`), grouped
        by unit in :func:`demo_units` order, then by ``asn_id``.

    Raises
    ------
    ValueError
        If ``total`` is not positive.
    """
    if total <= 0:
        raise ValueError(f"total must be > 0, got {total}")
    rng = np.random.default_rng(seed)
    homes = _homes(boundaries, households, total, rng)
    units = _units(boundaries, homes.desa, rng)
    status = np.where(rng.random(total) < ASN_SHARE, "ASN", "PPPK")
    female = rng.random(total) < 0.45
    ids = _ids(status, female, rng)
    names = [_name(bool(f), rng) for f in female]
    kinds = [kind for kind, _ in VEHICLE_SHARES]
    vehicle = rng.choice(kinds, size=total, p=[share for _, share in VEHICLE_SHARES])
    available = rng.random(total) >= UNAVAILABLE_SHARE
    rows = [
        {
            "asn_id": ids[i],
            "name": names[i],
            "unit": units[i],
            "status": str(status[i]),
            **_home_cells(boundaries, homes, i),
            "vehicle": str(vehicle[i]),
            "available": "yes" if available[i] else "no",
            "data_origin": DATA_ORIGIN,
        }
        for i in range(total)
    ]
    order = {unit: k for k, unit in enumerate(demo_units(boundaries))}
    rows.sort(key=lambda row: (order[row["unit"]], row["asn_id"]))
    return tuple(rows)


def _home_cells(boundaries: Boundaries, homes: _Homes, i: int) -> dict[str, str]:
    """Person ``i``'s home: coordinates, or only the desa code for the coded share."""
    if homes.by_code[i]:
        code = boundaries.desa[int(homes.desa[i])].code
        return {"home_lat": "", "home_lon": "", "home_desa_code": code}
    return {
        "home_lat": f"{homes.lat[i]:.6f}",
        "home_lon": f"{homes.lon[i]:.6f}",
        "home_desa_code": "",
    }


def write_demo_roster(rows: Sequence[Mapping[str, str]], folder: Path) -> Path:
    """Write ``asn.csv`` (UTF-8, Unix line ends) into ``folder`` (created when missing).

    Returns
    -------
    Path
        The file written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ROSTER_FILE
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ROSTER_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in ROSTER_COLUMNS})
    return path


def _homes(
    boundaries: Boundaries, households: Mapping[str, int], total: int, rng: np.random.Generator
) -> _Homes:
    """Spread people over the desa by households (capital weighted up), scatter each home."""
    weight = np.array(
        [
            max(households.get(area.code, 0), 1)
            * (CAPITAL_WEIGHT if area.parent_code == CAPITAL_KECAMATAN else 1.0)
            for area in boundaries.desa
        ],
        dtype=float,
    )
    counts = rng.multinomial(total, weight / weight.sum())
    desa = np.repeat(np.arange(len(boundaries.desa)), counts)
    lat = np.empty(total)
    lon = np.empty(total)
    start = 0
    for index, count in enumerate(counts):
        if count:
            points = _scatter(boundaries.desa[index], int(count), rng)
            lat[start : start + count], lon[start : start + count] = points
            start += int(count)
    by_code = rng.random(total) < DESA_CODE_SHARE
    return _Homes(desa=desa, lat=lat, lon=lon, by_code=by_code)


def _scatter(
    area: AdminArea, count: int, rng: np.random.Generator
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Points around the desa centre (normal spread by the desa's size), all inside the desa."""
    centre = area.geometry.representative_point()
    spread_m = float(np.clip(350.0 * math.sqrt(max(area.area_km2, 0.01)), 250.0, 2500.0))
    m_per_deg_lon = _M_PER_DEG * math.cos(math.radians(centre.y))
    lat = np.full(count, centre.y)
    lon = np.full(count, centre.x)
    todo = np.arange(count)
    for _ in range(_SCATTER_TRIES):
        if todo.size == 0:
            break
        offset = rng.normal(0.0, spread_m, size=(todo.size, 2))
        try_lat = centre.y + offset[:, 1] / _M_PER_DEG
        try_lon = centre.x + offset[:, 0] / m_per_deg_lon
        inside = shapely.contains_xy(area.geometry, try_lon, try_lat)
        lat[todo[inside]], lon[todo[inside]] = try_lat[inside], try_lon[inside]
        todo = todo[~inside]
    return lat, lon


def _units(
    boundaries: Boundaries, desa: npt.NDArray[np.int64], rng: np.random.Generator
) -> list[str]:
    """Give each person a unit: their kecamatan office or Puskesmas (``LOCAL_SHARE``), or an OPD."""
    central = [name for name, _ in CENTRAL_UNITS]
    size = np.array([share for _, share in CENTRAL_UNITS])
    picks = rng.choice(len(central), size=desa.size, p=size / size.sum())
    local = rng.random(desa.size) < LOCAL_SHARE
    health = rng.random(desa.size) < 0.4
    units = []
    for i, index in enumerate(desa):
        kecamatan = boundaries.desa[int(index)].parent_name or ""
        if not local[i]:
            units.append(central[int(picks[i])])
        elif health[i] and kecamatan in PUSKESMAS:
            units.append(PUSKESMAS[kecamatan])
        else:
            units.append(f"Kecamatan {kecamatan}")
    return units


def _ids(
    status: npt.NDArray[np.str_], female: npt.NDArray[np.bool_], rng: np.random.Generator
) -> list[str]:
    """18-digit NIP (ASN) or NI PPPK: birth date, appointment month, sex, sequence; unique."""
    ids: list[str] = []
    seen: set[str] = set()
    for asn, woman in zip(status == "ASN", female, strict=True):
        born = int(rng.integers(1966, 1999)) if asn else int(rng.integers(1975, 2001))
        month, day = int(rng.integers(1, 13)), int(rng.integers(1, 29))
        hired = (
            min(born + int(rng.integers(22, 31)), 2024) if asn else int(rng.integers(2021, 2025))
        )
        hired_month = int(rng.integers(1, 13))
        number = int(rng.integers(1, 1000))
        stem = f"{born:04d}{month:02d}{day:02d}{hired:04d}{hired_month:02d}{2 if woman else 1}"
        while f"{stem}{number:03d}" in seen:
            number = number % 999 + 1
        ids.append(f"{stem}{number:03d}")
        seen.add(ids[-1])
    return ids


def _name(female: bool, rng: np.random.Generator) -> str:
    first = _names.FEMALE_FIRST if female else _names.MALE_FIRST
    second = _names.FEMALE_SECOND if female else _names.MALE_SECOND
    name = str(first[int(rng.integers(len(first)))])
    other = str(second[int(rng.integers(len(second)))])
    return name if other == name else f"{name} {other}"
