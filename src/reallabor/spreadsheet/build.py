"""Building the RDF graph from raw spreadsheet tables, following layout.yaml column by column.

Two passes: first every row gets its IRI (so that a row may point at any row of an earlier table or its
own), then every cell becomes triples. Each bad cell adds a problem naming file, sheet, row and column;
the caller raises them all at once.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from ..namespaces import DEFAULT_BASE_IRI
from .layout import Column, Layout, Table
from .mint import fill, is_slug, placeholders, slugify
from .problems import Place, Problems
from .read import RawTable, Row
from .reference import Vocabularies

MUNICIPALITY = "municipality"
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_INTEGERS = {XSD.integer, XSD.positiveInteger, XSD.nonNegativeInteger, XSD.int, XSD.long}


@dataclass
class Context:
    layout: Layout
    vocab: Vocabularies
    problems: Problems
    origin: str
    prefix: str = ""
    registry: dict[str, dict[str, URIRef]] = field(default_factory=dict)
    incomplete: set[str] = field(default_factory=set)  # tables that could not be read whole
    paths: dict[URIRef, str] = field(default_factory=dict)
    subjects: dict[int, URIRef] = field(default_factory=dict)  # id(row) -> IRI

    def mint(self, path: str) -> URIRef:
        iri = URIRef(self.prefix + path)
        self.paths[iri] = path
        return iri


def build_graph(
    tables: dict[str, RawTable], layout: Layout, vocab: Vocabularies, problems: Problems, origin: str, municipality=None
) -> Graph:
    """The graph the spreadsheet describes; problems are collected, not raised."""
    ctx = Context(layout, vocab, problems, origin)
    ctx.incomplete = {name for name, raw in tables.items() if not raw.complete}
    graph = Graph()
    if not _municipality(tables, ctx, municipality):
        return graph
    for table in layout.tables:
        if table.iri and table.name != MUNICIPALITY and table.name in tables:
            _register(tables[table.name], ctx)
    for table in layout.tables:
        if table.name in tables:
            raw = tables[table.name]
            if table.subject is not None:
                _check_duplicate_keys(raw, ctx)
            for row in raw.rows:
                _row_triples(table, row, _subject(table, row, ctx), ctx, graph)
    return graph


# -- the municipality: fixes the IRI prefix of everything else --------------------------------------


def _municipality(tables: dict[str, RawTable], ctx: Context, override: str | None) -> bool:
    table = ctx.layout.table(MUNICIPALITY)
    raw = tables.get(MUNICIPALITY)
    if raw is None or not raw.rows:
        expected = ", ".join(table.headers)
        ctx.problems.add(
            Place(raw.file if raw else ctx.origin, MUNICIPALITY),
            f"the municipality table is missing or has no row; expected one row with columns {expected}",
        )
        return False
    row = raw.rows[0]
    for extra in raw.rows[1:]:
        ctx.problems.add(extra.place, "only one municipality per spreadsheet; put another one in its own spreadsheet")
    written = row.get("slug") or slugify(row.get("name_de"))
    slug = slugify(override) if override else written
    if not is_slug(slug):
        ctx.problems.add(row.at("slug"), f"{slug!r} is not a slug: use lower-case letters, digits and '-'")
        return False
    base = row.get("base_iri") or DEFAULT_BASE_IRI
    if not _is_absolute_iri(base) or not base.endswith(("/", "#")):
        ctx.problems.add(row.at("base_iri"), f"expected an absolute IRI ending in '/' (e.g. {DEFAULT_BASE_IRI})")
        return False
    ctx.prefix = f"{base}{slug}/"
    iri = ctx.mint(table.iri or MUNICIPALITY)
    ctx.registry[MUNICIPALITY] = {written: iri, slug: iri}
    ctx.subjects[id(row)] = iri
    return True


# -- first pass: one IRI per row --------------------------------------------------------------------


def _register(raw: RawTable, ctx: Context) -> None:
    table = raw.table
    known = ctx.registry.setdefault(table.name, {})
    first_row: dict[URIRef, int] = {}
    for row in raw.rows:
        slug = _slug(table, row, ctx)
        if slug is None:
            continue
        path = _path(table, row, slug, ctx)
        if path is None:
            continue
        iri = URIRef(ctx.prefix + path)
        if iri in first_row:
            same = " and ".join(table.key)
            what = f"duplicate id {slug!r}" if table.id_column else f"duplicate row (same {same})"
            column = table.id_column.name if table.id_column else table.key[0]
            ctx.problems.add(row.at(column), f"{what}: also in row {first_row[iri]}")
            continue
        first_row[iri] = row.place.row or 0
        ctx.subjects[id(row)] = ctx.mint(path)
        if slug:
            known[slug] = iri


def _slug(table: Table, row: Row, ctx: Context) -> str | None:
    """The row's slug: its id cell, else minted from label_de; '' for tables without an id column."""
    column = table.id_column
    if column is None:
        return ""
    written = row.get(column.name)
    slug = written or slugify(row.get("label_de"))
    if not slug:
        ctx.problems.add(row.at(column.name), "empty id and empty label_de: expected an id such as fairtrade-town")
        return None
    if not is_slug(slug):
        hint = slugify(slug)
        ctx.problems.add(
            row.at(column.name),
            f"id {slug!r} is not a slug: use lower-case letters, digits and '-'" + (f" (e.g. {hint})" if hint else ""),
        )
        return None
    return slug


def _path(table: Table, row: Row, slug: str, ctx: Context) -> str | None:
    """Fill the table's IRI template; None (reported later, cell by cell) when a reference is unknown."""
    values: dict[tuple[str, str | None], str] = {}
    for name, form in placeholders(table.iri or ""):
        if name == "id":
            values[(name, form)] = slug
            continue
        column = table.column(name)
        text = row.get(name)
        if column is None or not text:
            return None
        if column.kind == "megatrend":
            iri = ctx.vocab.megatrend(text)
            if iri is None:
                return None
            values[(name, form)] = ctx.vocab.megatrend_slugs[iri]
        else:
            target = ctx.registry.get(column.table or "", {}).get(text)
            if target is None:
                return None
            values[(name, form)] = ctx.paths[target] if form == "path" else text
    return fill(table.iri or "", values)


def _check_duplicate_keys(raw: RawTable, ctx: Context) -> None:
    """Link tables (no IRI of their own): the same pair twice is a mistake, not a second fact."""
    seen: dict[tuple[str, ...], int] = {}
    for row in raw.rows:
        key = tuple(row.get(c).lower() for c in raw.table.key)
        if not all(key):
            continue
        if key in seen:
            names = " and ".join(raw.table.key)
            ctx.problems.add(row.at(raw.table.key[-1]), f"duplicate row (same {names}): also in row {seen[key]}")
        else:
            seen[key] = row.place.row or 0


def _subject(table: Table, row: Row, ctx: Context) -> URIRef | None:
    if table.subject is not None:
        column = table.column(table.subject)
        return ctx.registry.get(column.table or "", {}).get(row.get(table.subject)) if column else None
    return ctx.subjects.get(id(row))


# -- second pass: cells to triples ------------------------------------------------------------------


def _row_triples(table: Table, row: Row, subject: URIRef | None, ctx: Context, graph: Graph) -> None:
    triples: list[tuple[Node, Node, Node]] = [(subject, RDF.type, t) for t in table.types] if subject else []
    for column in table.columns:
        text = row.get(column.name)
        if not text:
            if column.required and column.kind != "id":
                ctx.problems.add(row.at(column.name), f"empty required cell: expected {_expected(column, ctx)}")
            continue
        if column.kind in {"id", "setting"}:
            continue
        if column.kind == "choice":
            classes = column.values.get(text.lower())
            if classes is None:
                expected = _expected(column, ctx)
                ctx.problems.add(row.at(column.name), f"unknown {column.name} {text!r}: expected {expected}")
            elif subject is not None:
                triples += [(subject, RDF.type, c) for c in classes]
            continue
        nodes = _values(column, text, row, ctx)
        if subject is None or column.property is None:
            continue
        for node in nodes:
            triples.append((node, column.property, subject) if column.inverse else (subject, column.property, node))
    for triple in triples:
        graph.add(triple)


def _values(column: Column, text: str, row: Row, ctx: Context) -> list[Node]:
    parts = [p.strip() for p in text.split(";")] if column.many else [text]
    nodes = []
    for part in (p for p in parts if p):
        node = _value(column, part, ctx)
        if node is None and column.kind == "ref" and column.table in ctx.incomplete:
            continue  # that table's own problem is reported already; its ids are unknown, not wrong
        if node is None:
            ctx.problems.add(row.at(column.name), f"{_unknown(column, part)}: expected {_expected(column, ctx)}")
        else:
            nodes.append(node)
    return nodes


def _value(column: Column, text: str, ctx: Context) -> Node | None:
    kind = column.kind
    if kind == "text":
        return Literal(text, lang=column.lang)
    if kind == "literal":
        return _literal(text, column.datatype, column.minimum)
    if kind == "date":
        return _date(text)
    if kind == "ref":
        return ctx.registry.get(column.table or "", {}).get(text)
    if kind == "iri":
        return URIRef(text) if _is_absolute_iri(text) else None
    if kind == "sdg":
        return ctx.vocab.sdg(text)
    if kind == "megatrend":
        return ctx.vocab.megatrend(text)
    raise ValueError(f"layout.yaml: column {column.name}: kind {kind} has no value")


def _literal(text: str, datatype: URIRef | None, minimum: int | None) -> Literal | None:
    if datatype is None:
        return Literal(text)
    if datatype in _INTEGERS:
        if not _INTEGER.match(text) or (minimum is not None and int(text) < minimum):
            return None
        return Literal(text, datatype=datatype)
    literal = Literal(text, datatype=datatype)
    return None if literal.ill_typed else literal


def _date(text: str) -> Literal | None:
    """2024-03-31 (xsd:date), 2024-03 (xsd:gYearMonth) or 2024 (xsd:gYear), checked on the calendar."""
    match = _DATE.match(text)
    if not match:
        return None
    year, month, day = match.groups()
    try:
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    datatype = XSD.date if day else XSD.gYearMonth if month else XSD.gYear
    return Literal(text, datatype=datatype)


def _is_absolute_iri(text: str) -> bool:
    parts = urlsplit(text)
    return bool(parts.scheme in {"http", "https", "urn"} and (parts.netloc or parts.scheme == "urn")) and not any(
        c in text for c in ' <>"{}|\\^`'
    )


def _unknown(column: Column, text: str) -> str:
    if column.kind == "ref":
        return f"unknown {column.table} id {text!r}"
    if column.kind == "sdg":
        return f"unknown SDG {text!r}"
    if column.kind == "megatrend":
        return f"unknown megatrend {text!r}"
    return f"cannot read {text!r}"


def _expected(column: Column, ctx: Context) -> str:
    """What a cell of this column should hold, in words a spreadsheet user knows."""
    kind = column.kind
    if kind == "ref":
        ids = sorted(ctx.registry.get(column.table or "", {}))
        shown = ", ".join(ids[:12]) + (", …" if len(ids) > 12 else "")
        many = " (several separated by ';')" if column.many else ""
        return f"an id from sheet {column.table}{many}" + (f": {shown}" if ids else " (that sheet has no rows)")
    if kind == "sdg":
        return "a UN SDG goal 1-17 or target such as 8.5, or its UN IRI (http://metadata.un.org/sdg/8)"
    if kind == "megatrend":
        return f"a megatrend by label, notation or IRI: {ctx.vocab.megatrend_choices()}"
    if kind == "choice":
        return "one of " + ", ".join(column.values)
    if kind == "date":
        return "a date such as 2024-03-31, 2024-03 or 2024"
    if kind == "iri":
        return "an absolute IRI such as https://www.wikidata.org/entity/Q3069"
    if kind == "literal" and column.datatype in _INTEGERS:
        return "a whole number" + (f" from {column.minimum}" if column.minimum is not None else "")
    if kind == "literal" and column.datatype is not None:
        return f"a value of type {column.datatype}"
    if kind == "text":
        return f"a text ({'German' if column.lang == 'de' else 'English' if column.lang == 'en' else column.lang})"
    return "a value"
