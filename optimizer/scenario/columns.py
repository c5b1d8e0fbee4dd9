"""Find which column of a file holds which product field.

The product's own names, the usual Indonesian register headers, and the scenario's own
``[inputs.columns]`` mapping are tried in that order.

Headers are compared without case, spaces or punctuation, so ``Nama Kepala Keluarga``,
``NAMA_KEPALA_KELUARGA`` and ``nama kepala keluarga`` are the same header.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from optimizer.errors import Issue

#: Every household column the planner reads, in the order the bundled files use.
HOUSEHOLD_COLUMNS: tuple[str, ...] = (
    "household_id",
    "head_name",
    "address",
    "dusun",
    "rt",
    "rw",
    "desa_code",
    "desa_name",
    "kecamatan",
    "lat",
    "lon",
    "desil",
    "packages",
    "window_start",
    "window_end",
    "priority",
    "notes",
    "data_origin",
)
#: Household columns read only to find duplicates: never stored, never written anywhere.
IDENTITY_COLUMNS: tuple[str, ...] = ("nik", "no_kk")
#: One cell holding "lat, lon".
COORDINATE_COLUMN = "koordinat"
DEPOT_COLUMNS: tuple[str, ...] = (
    "depot_id",
    "name",
    "desa_code",
    "lat",
    "lon",
    "location_quality",
    "serves",
    "data_origin",
)
TEAM_COLUMNS: tuple[str, ...] = (
    "team_id",
    "depot_id",
    "vehicle",
    "members",
    "shift_start",
    "shift_end",
    "data_origin",
)
#: Every roster column the planner reads (one row per ASN/PPPK), in the order the demo file uses.
ROSTER_COLUMNS: tuple[str, ...] = (
    "asn_id",
    "name",
    "unit",
    "status",
    "home_lat",
    "home_lon",
    "home_desa_code",
    "vehicle",
    "available",
    "data_origin",
)

#: Usual headers of register exports (DTSEN / Smart Kampung) and of hand-made lists.
ALIASES: dict[str, tuple[str, ...]] = {
    "household_id": ("ID Keluarga", "ID Rumah Tangga", "ID Keluarga DTSEN", "IDSEMESTA"),
    "nik": ("NIK", "NIK Kepala Keluarga", "NIK KRT", "No NIK", "Nomor NIK"),
    "no_kk": ("No KK", "Nomor KK", "No Kartu Keluarga", "Nomor Kartu Keluarga", "KK"),
    "head_name": (
        "Nama Kepala Keluarga",
        "Nama KRT",
        "Nama Kepala Rumah Tangga",
        "Nama KK",
        "Nama",
    ),
    "address": ("Alamat", "Alamat Lengkap"),
    "dusun": ("Dusun", "Dusun/Lingkungan", "Lingkungan"),
    "rt": ("RT",),
    "rw": ("RW",),
    "desa_code": ("Kode Desa", "Kode Wilayah", "Kode Kelurahan", "Kode Desa/Kelurahan"),
    "desa_name": ("Desa/Kelurahan", "Desa", "Kelurahan", "Nama Desa"),
    "kecamatan": ("Kecamatan", "Nama Kecamatan"),
    "desil": ("Desil", "Desil Nasional", "Peringkat Desil"),
    "lat": ("Latitude", "Lintang", "Lat"),
    "lon": ("Longitude", "Bujur", "Lon", "Lng", "Long"),
    COORDINATE_COLUMN: ("Koordinat", "Titik Koordinat", "Koordinat GPS"),
    "packages": ("Jumlah Paket", "Paket"),
    "priority": ("Prioritas",),
    "window_start": ("Jam Mulai",),
    "window_end": ("Jam Selesai",),
    "notes": ("Keterangan", "Catatan"),
    "depot_id": ("ID Posko", "Kode Posko"),
    "name": ("Nama Posko", "Nama Tempat", "Nama", "Nama Pegawai", "Nama Lengkap", "Nama ASN"),
    "team_id": ("ID Tim", "Kode Tim"),
    "vehicle": ("Kendaraan", "Jenis Kendaraan"),
    "members": ("Anggota", "Jumlah Anggota"),
    "asn_id": ("NIP", "NIP ASN", "NIP/NI PPPK", "NI PPPK", "NIPPPK", "ID ASN", "ID Pegawai"),
    "unit": ("Unit Kerja", "OPD", "Instansi", "Perangkat Daerah", "Satuan Kerja", "Satker"),
    "status": ("Status Kepegawaian", "Status Pegawai", "Status ASN", "Status"),
    # A roster has no other place, so its plain coordinate and desa headers mean the home.
    "home_lat": ("Lintang Rumah", "Latitude Rumah", "Lat Rumah", "Latitude", "Lintang", "Lat"),
    "home_lon": ("Bujur Rumah", "Longitude Rumah", "Lon Rumah", "Longitude", "Bujur", "Lon"),
    "home_desa_code": (
        "Kode Desa Rumah",
        "Kode Desa Domisili",
        "Kode Desa Tempat Tinggal",
        "Kode Desa",
        "desa_code",
    ),
    "available": ("Tersedia", "Hadir", "Bersedia", "Ketersediaan"),
}


def normalise_header(text: str) -> str:
    """Header without case, spaces or punctuation (``Desa/Kelurahan`` -> ``desakelurahan``)."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Product column -> the file's header that holds it, for one file."""

    mapping: dict[str, str]
    ignored: tuple[str, ...]

    def get(self, row: Mapping[str, str], column: str) -> str:
        """Return the row's text for a product column ('' when the file has no such column)."""
        header = self.mapping.get(column)
        return row.get(header, "") if header is not None else ""

    def has(self, column: str) -> bool:
        """Tell whether the file has a column for this product field."""
        return column in self.mapping


def map_columns(
    header: tuple[str, ...],
    known: tuple[str, ...],
    explicit: Mapping[str, str],
) -> ColumnMap:
    """Find the header of each known product column.

    An explicit ``[inputs.columns]`` entry wins, then the product's own name, then an alias.
    The first header that matches wins; a header is used for one column only.
    """
    by_norm: dict[str, str] = {}
    for name in header:
        by_norm.setdefault(normalise_header(name), name)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for column in known:
        given = explicit.get(column)
        if given is not None and normalise_header(given) in by_norm:
            mapping[column] = by_norm[normalise_header(given)]
            used.add(mapping[column])
    for column in known:
        if column in mapping:
            continue
        for candidate in (column, *ALIASES.get(column, ())):
            found = by_norm.get(normalise_header(candidate))
            if found is not None and found not in used:
                mapping[column] = found
                used.add(found)
                break
    ignored = tuple(h for h in header if h and h not in used)
    return ColumnMap(mapping=mapping, ignored=ignored)


def check_explicit_columns(
    explicit: Mapping[str, str], headers: Mapping[str, tuple[str, ...]], source: str
) -> list[Issue]:
    """Issues for ``[inputs.columns]`` entries that name no known column or no header."""
    known = set(HOUSEHOLD_COLUMNS) | set(IDENTITY_COLUMNS) | {COORDINATE_COLUMN}
    known |= set(DEPOT_COLUMNS) | set(TEAM_COLUMNS) | set(ROSTER_COLUMNS)
    issues = []
    present = {normalise_header(h) for names in headers.values() for h in names}
    for column, header in explicit.items():
        if column not in known:
            issues.append(
                Issue(
                    source=source,
                    row=None,
                    field=f"inputs.columns.{column}",
                    message=f"'{column}' is not a column the planner reads; valid: "
                    + ", ".join(sorted(known)),
                )
            )
        elif normalise_header(header) not in present:
            files = "; ".join(f"{k}: {', '.join(v)}" for k, v in headers.items())
            issues.append(
                Issue(
                    source=source,
                    row=None,
                    field=f"inputs.columns.{column}",
                    message=f"no input file has a column '{header}'; the headers are {files}",
                )
            )
    return issues
