"""Roster outputs: who does what on the day, as roster.csv and one printable list per unit.

A plan made from a roster (``[inputs] roster``) carries every person's :class:`Duty`.
:func:`write_roster_outputs` writes ``roster.csv`` (one row per available person, in roster
order; outside tools read its columns, :data:`ROSTER_COLUMNS`) and, for each unit's head,
``units/<unit>.html``: a self-contained A4 page listing the unit's people (the unavailable ones
last), with ``units/index.html`` linking them. The pages are in the plan's language
(``render.language``); their words are in :data:`WORDS`. Every text from the user's files is
escaped, the pages load nothing, and a plan on synthetic data says so on every page.
:func:`crew_line` gives the "Anggota: ..." line the team sheets and phone pages print.
"""

from __future__ import annotations

import csv
import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

from optimizer.plan import Duty, Plan, Route
from optimizer.render.i18n import STRINGS, Language, format_date, text
from optimizer.units import format_clock

ROSTER_FILE: Final = "roster.csv"
UNITS_FOLDER: Final = "units"
INDEX_PAGE: Final = "index.html"
#: Columns of roster.csv, in order (a contract with outside tools: do not rename).
ROSTER_COLUMNS: Final = (
    "asn_id",
    "name",
    "unit",
    "status",
    "role",
    "team_id",
    "depot_id",
    "depot_name",
    "desa_code",
    "desa",
    "kecamatan",
    "meeting_time",
    "reason",
)
#: Roles of people who come on the day (rows of roster.csv).
AVAILABLE_ROLES: Final = ("driver", "member", "reserve")
ASSIGNED_ROLES: Final = ("driver", "member")


#: Nothing may be loaded: the style is inline and there are no images or scripts.
_CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
_CSS: Final = (
    "@page{size:A4;margin:12mm}"
    "body{font-family:Arial,Helvetica,sans-serif;color:#111;font-size:10pt;margin:0 auto;"
    "max-width:190mm;padding:8px}"
    "h1{font-size:15pt;margin:0 0 2px}.sub{color:#444;margin:0 0 8px}"
    ".banner{border:2px solid #c0392b;background:#fdecea;color:#7b1d12;padding:6px 8px;"
    "margin:0 0 10px;font-size:9pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    ".counts{display:flex;gap:16px;margin:0 0 10px;padding:0;list-style:none}"
    ".counts b{font-size:12pt}"
    "table{border-collapse:collapse;width:100%;font-size:8.5pt}"
    "th,td{border:1px solid #999;padding:3px 4px;text-align:left;vertical-align:top}"
    "th{background:#eee}thead{display:table-header-group}tr{page-break-inside:avoid}"
    "tr.off td{color:#666}.num{text-align:right}"
    "footer{margin-top:10px;color:#555;font-size:8pt}"
    "@media print{a{color:inherit;text-decoration:none}.noprint{display:none}}"
)
_NOT_ALNUM: Final = re.compile(r"[^a-z0-9]+")


def words(language: Language, key: str, **values: object) -> str:
    """Return the unit pages' label ``key`` (``unit_<key>`` of i18n's table), filled."""
    return text(language, f"unit_{key}", **values)


def _e(value: object) -> str:
    """Escape a value for HTML text or an attribute."""
    return html.escape(str(value), quote=True)


def write_roster_outputs(plan: Plan, folder: Path) -> list[Path]:
    """Write roster.csv and the unit pages of a plan made from a roster.

    Parameters
    ----------
    plan : Plan
        Its ``duties`` (empty: nothing is written) and ``render.language``.
    folder : Path
        The output folder; it and ``units/`` are created when missing.

    Returns
    -------
    list of Path
        roster.csv, the unit pages in order of the units' first person in the roster, then
        ``units/index.html``; empty when the plan has no duties.
    """
    if not plan.duties:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    return [write_roster_csv(plan, folder), *write_unit_pages(plan, folder)]


def write_roster_csv(plan: Plan, folder: Path) -> Path:
    """Write ``roster.csv``: one row per available person (driver, member, reserve).

    Parameters
    ----------
    plan : Plan
    folder : Path

    Returns
    -------
    Path

    Notes
    -----
    Rows are in roster order. A reserve's ``team_id`` is the word ``reserve``, its depot and
    desa are empty and ``kecamatan`` is the kecamatan it stands by for. ``meeting_time`` is a
    clock time (HH:MM) or empty.
    """
    path = folder / ROSTER_FILE
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ROSTER_COLUMNS)
        writer.writerows(roster_row(d) for d in plan.duties if d.role in AVAILABLE_ROLES)
    return path


def roster_row(duty: Duty) -> list[str]:
    """Return one person's row of roster.csv, in :data:`ROSTER_COLUMNS` order."""
    reserve = duty.role == "reserve"
    return [
        duty.asn_id,
        duty.name,
        duty.unit,
        duty.status,
        duty.role,
        "reserve" if reserve else duty.team_id,
        "" if reserve else duty.depot_id,
        "" if reserve else duty.depot_name,
        "" if reserve else duty.desa_code,
        "" if reserve else duty.desa_name,
        duty.kecamatan,
        "" if duty.meet_s is None else format_clock(duty.meet_s),
        duty.reason,
    ]


def unit_slugs(units: Iterable[str]) -> dict[str, str]:
    """Give each unit a distinct file name stem: lowercase ASCII, other characters as ``-``.

    "Dinas Pekerjaan Umum & Penataan Ruang" becomes ``dinas-pekerjaan-umum-penataan-ruang``.
    Units whose stems would be equal get ``-2``, ``-3``... in the order given; ``index`` (the
    list of units) and an empty stem (``unit``) are never used as they are.

    Parameters
    ----------
    units : iterable of str
        Unit names in order; repeated names are named once.

    Returns
    -------
    dict
        Unit name to stem.
    """
    slugs: dict[str, str] = {}
    taken = {INDEX_PAGE.removesuffix(".html")}
    for unit in units:
        if unit in slugs:
            continue
        ascii_name = unicodedata.normalize("NFKD", unit).encode("ascii", "ignore").decode()
        base = _NOT_ALNUM.sub("-", ascii_name.lower()).strip("-")[:80].strip("-") or "unit"
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        slugs[unit] = slug
    return slugs


def group_by_unit(duties: Sequence[Duty]) -> dict[str, list[Duty]]:
    """Group duties by unit, units in order of their first person in the roster."""
    groups: dict[str, list[Duty]] = {}
    for duty in duties:
        groups.setdefault(duty.unit, []).append(duty)
    return groups


def write_unit_pages(plan: Plan, folder: Path) -> list[Path]:
    """Write ``units/<unit>.html`` per unit and ``units/index.html``; return their paths."""
    target = folder / UNITS_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    groups = group_by_unit(plan.duties)
    slugs = unit_slugs(groups)
    written = []
    for unit, duties in groups.items():
        path = target / f"{slugs[unit]}.html"
        path.write_bytes(render_unit_page(plan, unit, duties).encode("utf-8"))
        written.append(path)
    index = target / INDEX_PAGE
    index.write_bytes(render_unit_index(plan, groups, slugs).encode("utf-8"))
    written.append(index)
    return written


def duty_order(duty: Duty) -> tuple[bool, bool, int, str, str]:
    """Sort key of a unit page: by meeting time, then name; no time after, unavailable last."""
    return (
        duty.role == "unavailable",
        duty.meet_s is None,
        duty.meet_s or 0,
        duty.name.casefold(),
        duty.asn_id,
    )


def render_unit_page(plan: Plan, unit: str, duties: Sequence[Duty]) -> str:
    """Make the HTML page of one unit: counts, then a table of its people.

    Parameters
    ----------
    plan : Plan
        Gives the language, title, date and the synthetic-data notice.
    unit : str
    duties : sequence of Duty
        The unit's people (any order; the page sorts them).

    Returns
    -------
    str
        The whole HTML document.
    """
    language = plan.render.language
    head = "".join(
        f"<th>{_e(words(language, key))}</th>"
        for key in (
            "col_name",
            "col_nip",
            "col_status",
            "col_duty",
            "col_team",
            "col_place",
            "col_time",
            "col_notes",
        )
    )
    rows = "".join(_unit_row(duty, language) for duty in sorted(duties, key=duty_order))
    body = (
        _heading(plan, words(language, "title", unit=unit))
        + _counts(duties, language)
        + f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        + f'<p class="noprint"><a href="{INDEX_PAGE}">{_e(words(language, "back"))}</a></p>'
    )
    return _document(plan, words(language, "title", unit=unit), body)


def _unit_row(duty: Duty, language: Language) -> str:
    """One person's table row: name, NIP, status, duty, team, meeting point and time, notes."""
    assigned = duty.role in ASSIGNED_ROLES
    if assigned:
        place = words(
            language,
            "place",
            depot=duty.depot_name,
            desa=duty.desa_name,
            kecamatan=duty.kecamatan,
        )
    elif duty.role == "reserve" and duty.kecamatan:
        place = words(language, "standby", kecamatan=duty.kecamatan)
    else:
        place = ""
    cells = (
        duty.name,
        duty.asn_id,
        duty.status,
        role_name(duty.role, language),
        duty.team_id if assigned else "",
        place,
        "" if duty.meet_s is None else format_clock(duty.meet_s),
        duty_note(duty, language),
    )
    kind = ' class="off"' if duty.role == "unavailable" else ""
    return f"<tr{kind}>" + "".join(f"<td>{_e(cell)}</td>" for cell in cells) + "</tr>"


def duty_note(duty: Duty, language: Language) -> str:
    """Return the notes cell of a person: why a reserve stands by, or that they are away."""
    if duty.role == "unavailable":
        return words(language, "note_unavailable")
    note = duty.note
    if duty.role != "reserve" or note is None:
        return duty.reason
    depots = note.depot_list(words(language, "note_more", n="{n}"))
    return words(language, f"note_{note.why}", depots=depots, reach=note.reach)


def role_name(role: str, language: Language) -> str:
    """Return a duty's role in words ("Pengemudi", "Team member"...); an unknown role as it is."""
    key = f"role_{role}"
    return words(language, key) if f"unit_{key}" in STRINGS else role


def count_roles(duties: Iterable[Duty]) -> tuple[int, int, int]:
    """Count people assigned to a team, reserves and unavailable people."""
    roles = [duty.role for duty in duties]
    assigned = sum(role in ASSIGNED_ROLES for role in roles)
    return assigned, roles.count("reserve"), roles.count("unavailable")


def _counts(duties: Sequence[Duty], language: Language) -> str:
    numbers = count_roles(duties)
    items = "".join(
        f"<li>{_e(words(language, key))}: <b>{number}</b></li>"
        for key, number in zip(("assigned", "reserves", "unavailable"), numbers, strict=True)
    )
    return f'<ul class="counts">{items}</ul>'


def render_unit_index(plan: Plan, groups: dict[str, list[Duty]], slugs: dict[str, str]) -> str:
    """Make ``units/index.html``: every unit with its counts and a link to its page.

    Parameters
    ----------
    plan : Plan
    groups : dict
        Unit name to its people (:func:`group_by_unit`), in page order.
    slugs : dict
        Unit name to file name stem (:func:`unit_slugs`).

    Returns
    -------
    str
        The whole HTML document.
    """
    language = plan.render.language
    keys = ("col_unit", "people", "assigned", "reserves", "unavailable")
    head = "".join(f"<th>{_e(words(language, key))}</th>" for key in keys)
    rows = []
    for unit, duties in groups.items():
        numbers = (len(duties), *count_roles(duties))
        link = f'<a href="{_e(slugs[unit])}.html">{_e(unit)}</a>'
        cells = "".join(f'<td class="num">{n}</td>' for n in numbers)
        rows.append(f"<tr><td>{link}</td>{cells}</tr>")
    title = words(language, "index_title")
    body = (
        _heading(plan, title)
        + f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    return _document(plan, title, body)


def _heading(plan: Plan, title: str) -> str:
    """Return the synthetic-data banner (when it applies), the title, the plan and its date."""
    language = plan.render.language
    subtitle = f"{plan.title or plan.scenario} · {format_date(plan.date, language)}"
    return (
        _banner(plan)
        + f'<h1>{_e(title)}</h1><p class="sub">{_e(subtitle)}</p>'
        + f'<p class="sub">{_e(words(language, "intro"))}</p>'
    )


def _banner(plan: Plan) -> str:
    """Return the synthetic-data banner with the plan's notice; empty for real data."""
    if not plan.synthetic_data:
        return ""
    language = plan.render.language
    label = text(language, "watermark")
    note = plan.data_notice if language == "en" and plan.data_notice else None
    note = note or words(language, "banner_note")
    return f'<div class="banner" role="alert"><strong>{_e(label)}</strong><br>{_e(note)}</div>'


def _document(plan: Plan, title: str, body: str) -> str:
    """Wrap a page body in a self-contained HTML document (inline style, nothing loaded)."""
    language = plan.render.language
    footer = words(language, "footer", scenario=plan.scenario)
    return (
        f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"{body}\n<footer>{_e(footer)}</footer>\n</body>\n</html>\n"
    )


def crew_line(plan: Plan, route: Route) -> str:
    """Return "Anggota: Name (pengemudi), Name, ..." for a team formed from a roster.

    Parameters
    ----------
    plan : Plan
        Gives the language and, in ``duties``, each member's name.
    route : Route
        Its ``crew`` lists the members' ``asn_id``, driver first.

    Returns
    -------
    str
        Plain text (not escaped); empty when the route has no crew (a teams-file team). A
        member missing from ``plan.duties`` shows as their ``asn_id``.
    """
    if not route.crew:
        return ""
    language = plan.render.language
    wanted = set(route.crew)
    names = {d.asn_id: d.name for d in plan.duties if d.asn_id in wanted}
    listed = [names.get(asn_id, asn_id) for asn_id in route.crew]
    listed[0] = words(language, "crew_driver", name=listed[0])
    return words(language, "crew", names=", ".join(listed))
