"""OSM turn restrictions of an extract, as banned pairs of road-graph edges.

A restriction relation (``type=restriction``) names the way a vehicle comes ``from``, the node
it turns ``via`` and the way it goes ``to``; ``restriction=no_*`` bans that turn and
``only_*`` bans every other way out of the node. Only restrictions for motor traffic are read
(``restriction``, ``restriction:motor_vehicle``, ``restriction:motorcar``,
``restriction:motorcycle``); a restriction ``via`` a way, or one whose ways do not meet at its
node in the imported graph, is counted as not used. OSM XML files are read with the standard
library, ``.osm.pbf`` files with pyosmium (the ``osm`` extra); GraphML files carry none.
"""

from __future__ import annotations

import bz2
import gzip
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast
from xml.etree import ElementTree

import networkx as nx

#: Restriction tags read, the general one first.
RESTRICTION_KEYS = (
    "restriction",
    "restriction:motor_vehicle",
    "restriction:motorcar",
    "restriction:motorcycle",
)

EdgeKey = tuple[Any, Any, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class TurnRule:
    """One turn restriction: from a way, via a node, to a way; ``only`` for ``only_*``."""

    from_way: int
    via_node: int
    to_way: int
    only: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class TurnRules:
    """The restrictions of a file: those read, and how many could not be (via a way, ...)."""

    rules: tuple[TurnRule, ...]
    skipped: int


def _open(path: Path) -> IO[bytes]:
    """Open an OSM XML file, bz2- or gzip-compressed or not (the caller closes it)."""
    name = path.name.lower()
    if name.endswith(".bz2"):
        return bz2.open(path, "rb")
    if name.endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _relations(path: Path) -> Iterator[ElementTree.Element]:
    """Yield the file's relations one by one, freeing each after use."""
    with _open(path) as handle:
        for _, element in ElementTree.iterparse(handle, events=("end",)):
            if element.tag == "relation":
                yield element
                element.clear()
            elif element.tag in ("node", "way"):
                element.clear()


#: A relation as the readers give it: its tags, and its members as (role, kind, id) with kind
#: ``node``, ``way`` or ``relation``.
Relation = tuple[dict[str, str], list[tuple[str, str, int]]]


def _xml_relation(element: ElementTree.Element) -> Relation:
    tags = {t.get("k", ""): t.get("v", "") for t in element.iter("tag")}
    members = [
        (m.get("role", ""), m.get("type", ""), int(m.get("ref", "")))
        for m in element.iter("member")
        if m.get("ref", "").lstrip("-").isdigit()
    ]
    return tags, members


def _rule(relation: Relation) -> TurnRule | None:
    """Read the relation's turn rule; None when it is not one the planner can use."""
    tags, members = relation
    value = next((tags[k] for k in RESTRICTION_KEYS if tags.get(k)), "")
    if not value.startswith(("no_", "only_")):
        return None
    roles: dict[str, list[tuple[str, int]]] = {}
    for role, kind, ref in members:
        roles.setdefault(role, []).append((kind, ref))
    froms, vias, tos = roles.get("from", []), roles.get("via", []), roles.get("to", [])
    if len(froms) != 1 or len(vias) != 1 or len(tos) != 1 or vias[0][0] != "node":
        return None
    if froms[0][0] != "way" or tos[0][0] != "way":
        return None
    return TurnRule(
        from_way=froms[0][1], via_node=vias[0][1], to_way=tos[0][1], only=value.startswith("only_")
    )


def _pbf_relations(path: Path) -> Iterator[Relation]:
    """Yield the restriction relations of an ``.osm.pbf`` file (pyosmium reads only those)."""
    import osmium  # the osm extra, as pyrosm for the roads

    kinds = {"n": "node", "w": "way", "r": "relation"}
    for relation in osmium.FileProcessor(str(path), osmium.osm.RELATION):
        if not isinstance(relation, osmium.osm.Relation):
            continue
        if relation.tags.get("type") != "restriction":
            continue
        tags = {tag.k: tag.v for tag in relation.tags}
        members = [(m.role, kinds.get(m.type, m.type), int(m.ref)) for m in relation.members]
        yield tags, members


def read_turn_rules(path: Path) -> TurnRules:
    """Read the turn restrictions of an OSM XML or ``.osm.pbf`` file (see the module notes)."""
    rules: list[TurnRule] = []
    skipped = 0
    relations = (
        _pbf_relations(path)
        if path.name.lower().endswith(".pbf")
        else (_xml_relation(e) for e in _relations(path))
    )
    for relation in relations:
        tags = relation[0]
        if tags.get("type") != "restriction":
            continue
        rule = _rule(relation)
        if rule is None:
            skipped += any(tags.get(k) for k in RESTRICTION_KEYS)
        else:
            rules.append(rule)
    return TurnRules(rules=tuple(rules), skipped=skipped)


def _ways(data: dict[str, Any]) -> set[int]:
    osmid = data.get("osmid", ())
    values = osmid if isinstance(osmid, list | tuple | set) else [osmid]
    return {int(v) for v in values if str(v).lstrip("-").isdigit()}


def turn_bans(
    graph: nx.MultiDiGraph[Any], rules: TurnRules
) -> tuple[list[tuple[EdgeKey, EdgeKey]], int]:
    """Banned (arriving edge, leaving edge) pairs of the graph, and the rules not used."""
    bans: list[tuple[EdgeKey, EdgeKey]] = []
    unused = rules.skipped
    for rule in rules.rules:
        via = rule.via_node
        if via not in graph:
            unused += 1
            continue
        arriving = [
            (u, via, k)
            for u, _, k, data in graph.in_edges(via, keys=True, data=True)
            if rule.from_way in _ways(data)
        ]
        leaving = list(graph.out_edges(via, keys=True, data=True))
        onto = [(via, w, k) for _, w, k, data in leaving if rule.to_way in _ways(data)]
        if not arriving or not onto:
            unused += 1
            continue
        banned = (
            [(via, w, k) for _, w, k, _ in leaving if (via, w, k) not in onto]
            if rule.only
            else onto
        )
        bans += list(itertools.product(arriving, banned))
    return bans, unused
