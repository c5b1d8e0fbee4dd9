"""Words of the printed field pack in Bahasa Indonesia and English, and how numbers read.

Team leads read Bahasa Indonesia, the default; ``RenderConfig.language = "en"`` switches to
English. Every label of the team sheets and the desa cover is one entry of :data:`STRINGS`;
:func:`text` looks it up and fills its ``{placeholders}``. Numbers use the language's decimal
comma or point and dates spell the month.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, Literal

Language = Literal["id", "en"]

#: Every label: key -> (Bahasa Indonesia, English).
STRINGS: Final[dict[str, tuple[str, str]]] = {
    # Header of a team sheet.
    "sheet_kind": ("LEMBAR RUTE TIM", "TEAM ROUTE SHEET"),
    "sheet_purpose": (
        "Penyaluran bantuan pangan dari rumah ke rumah",
        "Door-to-door food-aid delivery",
    ),
    "continued": ("lanjutan", "continued"),
    "team": ("Tim", "Team"),
    "vehicle": ("Kendaraan", "Vehicle"),
    "members": ("Anggota", "Members"),
    "members_value": ("{n} orang", "{n} people"),
    "depot": ("Depot", "Depot"),
    "desa": ("Desa/Kel.", "Desa/Kel."),
    "desa_value": ("{desa}, Kec. {kecamatan}", "{desa}, Kec. {kecamatan}"),
    "date": ("Tanggal", "Date"),
    "no_date": ("(tanggal belum ditetapkan)", "(date not set)"),
    "shift": ("Shift", "Shift"),
    "departure": ("Berangkat", "Departure"),
    "planned_return": ("Rencana kembali", "Planned return"),
    "break": ("Istirahat", "Break"),
    "break_value": ("{start}–{end} (setelah no. {after})", "{start}–{end} (after no. {after})"),
    "break_first": (
        "{start}–{end} (sebelum rumah pertama)",
        "{start}–{end} (before the first door)",
    ),
    "reloads": ("Muat ulang", "Reloads"),
    "reload_value": ("{start}–{end} (setelah no. {after})", "{start}–{end} (after no. {after})"),
    "none": ("—", "—"),
    "load_per_trip": ("Paket dimuat", "Packages to load"),
    "trip_load": ("Trip {trip}: {n} paket", "Trip {trip}: {n} packages"),
    "team_lead": ("Ketua tim", "Team lead"),
    "blank_line": ("__________________", "__________________"),
    # The map and its legend.
    "map_stop": ("Rumah (no. urut)", "Door (visit no.)"),
    "map_priority": ("Prioritas", "Priority"),
    "map_approximate": ("Lokasi perkiraan", "Approximate location"),
    "map_depot": ("Depot", "Depot"),
    "map_route": ("Rute (panah: arah jalan)", "Route (arrows: direction)"),
    "map_later_trip": ("Trip ke-2 dst.", "Trip 2 and later"),
    "map_roads": ("Jalan", "Roads"),
    "map_walk": ("Jalan kaki", "On foot"),
    "map_park": ("Parkir", "Parking"),
    "north": ("U", "N"),
    # The stop table.
    "col_no": ("No.", "No."),
    "col_time": ("Jam", "Time"),
    "col_head": ("Kepala keluarga", "Head of household"),
    "col_address": ("Alamat (dusun, RT/RW)", "Address (dusun, RT/RW)"),
    "col_packages": ("Paket", "Pkgs"),
    "col_marks": ("Tanda", "Marks"),
    "col_notes": ("Catatan", "Notes"),
    "col_tick": ("✓", "✓"),
    "col_signature": ("Paraf penerima", "Recipient's initials"),
    "row_reload": (
        "MUAT ULANG {start}–{end}: kembali ke depot, muat {n} paket untuk trip {trip}",
        "RELOAD {start}–{end}: back to the depot, load {n} packages for trip {trip}",
    ),
    "row_break": ("ISTIRAHAT {start}–{end}", "BREAK {start}–{end}"),
    "row_break_last": (
        "ISTIRAHAT {start}–{end} (dalam perjalanan kembali ke depot)",
        "BREAK {start}–{end} (on the way back to the depot)",
    ),
    "row_park": (
        "Parkir di sini, jalan kaki ke pintu {doors} lalu kembali ke kendaraan ({m} m)",
        "Park here, walk to doors {doors} and back to the vehicle ({m} m)",
    ),
    "row_park_one": (
        "Parkir di sini, jalan kaki ke pintu {doors} lalu kembali ke kendaraan ({m} m)",
        "Park here, walk to door {doors} and back to the vehicle ({m} m)",
    ),
    "row_return": ("Kembali di depot {time}", "Back at the depot {time}"),
    "window": ("datang {start}–{end}", "come {start}–{end}"),
    "mark_priority": ("★ prioritas", "★ priority"),
    "mark_late": ("★! prioritas terlambat", "★! priority, late"),
    "mark_approximate": ("≈ lokasi perkiraan", "≈ approximate"),
    "ask_rt": ("Tanya Ketua RT {rt}/RW {rw}", "Ask the head of RT {rt}/RW {rw}"),
    "ask_local": ("Tanya ketua RT setempat", "Ask the local RT head"),
    # Totals, legend, sign-off and footer.
    "totals": ("Jumlah", "Totals"),
    "totals_value": (
        "{doors} rumah · {packages} paket · {km} km · rencana kembali ke depot {end}",
        "{doors} doors · {packages} packages · {km} km · planned return to the depot {end}",
    ),
    "legend": ("Keterangan", "Legend"),
    "legend_priority": (
        "★ rumah prioritas (lansia, disabilitas, dll.): datangi sesuai urutan",
        "★ priority household (elderly, disability, etc.): visit in the order given",
    ),
    "legend_late": (
        "★! prioritas yang terlambat dari batas waktu: laporkan ke koordinator",
        "★! priority household reached after its deadline: tell the coordinator",
    ),
    "legend_approximate": (
        "≈ lokasi perkiraan (tanpa koordinat): tanyakan rumahnya ke Ketua RT/RW",
        "≈ approximate location (no coordinates): ask the RT/RW head for the house",
    ),
    "legend_window": (
        "datang 13:00–15:00: rumah hanya bisa didatangi pada jam tersebut",
        "come 13:00–15:00: the household can only be visited in that time",
    ),
    "legend_tick": (
        "✓ centang setelah paket diterima; penerima membubuhkan paraf",
        "✓ tick when the package is handed over; the recipient initials the row",
    ),
    "signoff_lead": ("Ketua tim (nama, tanda tangan)", "Team lead (name, signature)"),
    "signoff_desa": (
        "Diketahui petugas desa (nama, tanda tangan)",
        "Seen by the desa officer (name, signature)",
    ),
    "page_of": ("Halaman {page} dari {pages}", "Page {page} of {pages}"),
    "pack_page": ("Paket desa, lembar {page}/{pages}", "Desa pack, sheet {page}/{pages}"),
    "watermark": ("DATA DEMO SINTETIS", "SYNTHETIC DEMO DATA"),
    "footer_synthetic": (
        "DATA DEMO SINTETIS: bukan jalan atau rumah tangga sebenarnya",
        "SYNTHETIC DEMO DATA: not real roads or households",
    ),
    # The desa cover page.
    "cover_kind": ("PAKET LEMBAR RUTE DESA", "DESA ROUTE SHEET PACK"),
    "cover_desa": ("Desa/Kel. {desa}, Kec. {kecamatan}", "Desa/Kel. {desa}, Kec. {kecamatan}"),
    "cover_intro": (
        "Lembar rute setiap tim di bawah ini, untuk dicetak sekaligus di kantor desa.",
        "The route sheet of every team below, to print in one go at the desa office.",
    ),
    "cover_teams": ("{n} tim", "{n} teams"),
    "col_team": ("Tim", "Team"),
    "col_vehicle": ("Kendaraan", "Vehicle"),
    "col_members": ("Anggota", "Members"),
    "col_doors": ("Rumah", "Doors"),
    "col_departure": ("Berangkat", "Departure"),
    "col_return": ("Kembali", "Return"),
    "col_depot": ("Depot", "Depot"),
    "col_sheet": ("Lembar", "Sheet"),
    "col_received": ("Diterima (paraf)", "Received (initials)"),
    "cover_totals": ("Jumlah", "Total"),
    "signoff_handover": (
        "Diserahkan oleh (nama, tanda tangan)",
        "Handed over by (name, signature)",
    ),
    # The unit pages (who of a unit's staff goes where, when).
    "unit_title": ("Penugasan pegawai: {unit}", "Staff duties: {unit}"),
    "unit_index_title": ("Penugasan pegawai per unit kerja", "Staff duties by unit"),
    "unit_intro": (
        "Daftar untuk pimpinan unit kerja: tugas setiap pegawai pada hari penyaluran.",
        "For the head of the unit: what each member of staff does on the distribution day.",
    ),
    "unit_assigned": ("Bertugas", "Assigned"),
    "unit_reserves": ("Cadangan", "Reserves"),
    "unit_unavailable": ("Tidak tersedia", "Not available"),
    "unit_people": ("Pegawai", "Staff"),
    "unit_col_name": ("Nama", "Name"),
    "unit_col_nip": ("NIP", "NIP"),
    "unit_col_status": ("Status", "Status"),
    "unit_col_duty": ("Tugas", "Duty"),
    "unit_col_team": ("Tim", "Team"),
    "unit_col_place": ("Titik kumpul", "Meeting point"),
    "unit_col_time": ("Jam kumpul", "Meeting time"),
    "unit_col_notes": ("Keterangan", "Notes"),
    "unit_col_unit": ("Unit kerja", "Unit"),
    "unit_role_driver": ("Pengemudi", "Driver"),
    "unit_role_member": ("Anggota tim", "Team member"),
    "unit_role_reserve": ("Cadangan", "Reserve"),
    "unit_role_unavailable": ("Tidak tersedia", "Not available"),
    "unit_standby": ("Siaga untuk Kec. {kecamatan}", "Standing by for Kec. {kecamatan}"),
    "unit_place": ("{depot}, {desa}, Kec. {kecamatan}", "{depot}, {desa}, Kec. {kecamatan}"),
    "unit_back": ("Semua unit kerja", "All units"),
    "unit_crew": ("Anggota: {names}", "Members: {names}"),
    "unit_crew_driver": ("{name} (pengemudi)", "{name} (driver)"),
    "unit_note_all_met": (
        "Tidak diperlukan bulan ini: setiap depot sudah mendapat tim yang dibutuhkan.",
        "Not needed this month: every depot has the teams it needs.",
    ),
    "unit_note_beyond_reach": (
        "Tidak diperlukan: depot yang terjangkau sudah lengkap; depot yang masih kurang tim"
        " ({depots}) berada di luar {reach} depot terdekat dari rumah.",
        "Not needed: every depot within reach has its teams; the depots still short of teams"
        " ({depots}) are beyond the {reach} nearest depots from home.",
    ),
    "unit_note_cannot_complete": (
        "Tidak diperlukan: {depots} yang terjangkau masih kurang tim, tetapi satu tim pun tidak"
        " dapat dilengkapi dengan pegawai ini (anggota lain atau pengemudi jenis kendaraan itu"
        " di dekatnya kurang).",
        "Not needed: {depots} within reach still miss teams but cannot complete one even with"
        " this person (too few other members, or no driver of the vehicle type, nearby).",
    ),
    "unit_note_more": ("dan {n} lainnya", "and {n} more"),
    "unit_note_unavailable": (
        "Ditandai tidak tersedia di daftar pegawai.",
        "Marked unavailable in the roster.",
    ),
    "unit_banner_note": (
        "Jalan, rumah tangga, depot, tim dan pegawai di halaman ini dibuat untuk demonstrasi,"
        " bukan data sebenarnya.",
        "The roads, households, depots, teams and staff on this page are made up for a"
        " demonstration, not real data.",
    ),
    "unit_footer": ("Rencana: {scenario}.", "Plan: {scenario}."),
}

#: Vehicle kinds of the default scenario in words; other names print as they are.
VEHICLES: Final[dict[str, tuple[str, str]]] = {
    "car": ("Mobil", "Car"),
    "motorbike": ("Sepeda motor", "Motorbike"),
    "pickup": ("Mobil bak (pikap)", "Pickup"),
}

_MONTHS: Final[dict[Language, tuple[str, ...]]] = {
    "id": (
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_WEEKDAYS: Final[dict[Language, tuple[str, ...]]] = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def text(language: Language, key: str, **values: object) -> str:
    """Return the label ``key`` in a language, with its ``{placeholders}`` filled.

    Parameters
    ----------
    language : {"id", "en"}
    key : str
        A key of :data:`STRINGS`.
    **values
        Values of the label's placeholders.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        If the key is not in :data:`STRINGS` (a bug: every label is in the table).
    """
    indonesian, english = STRINGS[key]
    template = indonesian if language == "id" else english
    return template.format(**values) if values else template


def vehicle_name(language: Language, vehicle: str) -> str:
    """Return a vehicle kind in words (an unknown kind as it is)."""
    names = VEHICLES.get(vehicle)
    if names is None:
        return vehicle
    return names[0] if language == "id" else names[1]


def format_decimal(value: float, language: Language, *, decimals: int = 1) -> str:
    """Format a number with a decimal comma (Indonesian) or point (English), no grouping."""
    formatted = f"{value:.{decimals}f}"
    return formatted.replace(".", ",") if language == "id" else formatted


def format_date(iso_date: str | None, language: Language) -> str:
    """Spell an ISO date with weekday and month name, e.g. "Sabtu, 5 Desember 2026".

    A missing date reads "(tanggal belum ditetapkan)"; text that is not an ISO date prints as
    it is.
    """
    if iso_date is None:
        return text(language, "no_date")
    try:
        day = dt.date.fromisoformat(iso_date)
    except ValueError:
        return iso_date
    weekday = _WEEKDAYS[language][day.weekday()]
    month = _MONTHS[language][day.month - 1]
    if language == "id":
        return f"{weekday}, {day.day} {month} {day.year}"
    return f"{weekday} {day.day} {month} {day.year}"
