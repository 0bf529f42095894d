"""From the graph to the spreadsheet: the layout's tables filled with one municipality's data.

This is the builder run backwards, driven by the same layout.yaml. Afterwards the rows are imported again
in memory and compared with the data: a statement the layout cannot express is an error, never a
silently dropped fact.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Node

from ..errors import InputError
from .layout import Column, Layout, Table
from .mint import pattern
from .reference import Vocabularies

MUNICIPALITY_PATH = "municipality"


@dataclass
class Scope:
    """One municipality's part of the graph: IRIs under ``prefix`` = <base><slug>/."""

    base: str
    slug: str
    iri: URIRef

    @property
    def prefix(self) -> str:
        return f"{self.base}{self.slug}/"


def find_municipality(graph: Graph, wanted: str | None) -> Scope:
    from ..namespaces import RL

    found = []
    for node in sorted(graph.subjects(RDF.type, RL.Municipality)):
        text = str(node)
        if isinstance(node, URIRef) and text.endswith("/" + MUNICIPALITY_PATH):
            prefix = text[: -len(MUNICIPALITY_PATH)]
            base, _, slug = prefix.rstrip("/").rpartition("/")
            found.append(Scope(base + "/", slug, node))
    if wanted is not None:
        from .mint import slugify

        found = [s for s in found if s.slug in (wanted, slugify(wanted))]
    if len(found) != 1:
        names = ", ".join(s.slug for s in found) or "none"
        hint = "; choose one with --municipality" if len(found) > 1 else ""
        raise InputError(f"expected one municipality (<base>/<slug>/municipality) in the data, found {names}{hint}")
    return found[0]


def template_rows(graph: Graph, layout: Layout, vocab: Vocabularies, scope: Scope) -> dict[str, list[dict[str, str]]]:
    """Every table of the layout as rows of text cells, sorted for stable output."""
    mine = Graph()
    for triple in graph.triples((None, None, None)):
        if str(triple[0]).startswith(scope.prefix):
            mine.add(triple)
    nodes = _nodes_by_table(mine, layout, scope)
    slugs = {name: dict(found) for name, found in nodes.items()}
    writer = _CellWriter(mine, vocab, scope, slugs)
    tables: dict[str, list[dict[str, str]]] = {}
    for table in layout.tables:
        if table.subject is not None:
            rows = _link_rows(table, nodes, writer)
        else:
            rows = [writer.row(table, node, slug) for node, slug in nodes.get(table.name, {}).items()]
        tables[table.name] = sorted(rows, key=lambda r: [r.get(h, "") for h in table.headers])
    return tables


def _nodes_by_table(graph: Graph, layout: Layout, scope: Scope) -> dict[str, dict[URIRef, str]]:
    """Which rows each table gets: the nodes whose types and IRI shape fit the table, with their slugs."""
    result: dict[str, dict[URIRef, str]] = {}
    subjects = sorted({s for s in graph.subjects() if isinstance(s, URIRef)})
    for table in layout.tables:
        if table.iri is None:
            continue
        classes = _class_sets(table)
        regex = pattern(table.iri)
        found: dict[URIRef, str] = {}
        for node in subjects:
            types = frozenset(graph.objects(node, RDF.type))
            match = regex.match(str(node)[len(scope.prefix) :])
            if types in classes and match:
                found[node] = _id_from(table, match) if table.name != "municipality" else scope.slug
        result[table.name] = found
    return result


def _class_sets(table: Table) -> set[frozenset[Node]]:
    choice = table.choice_column
    if choice is not None:
        return {frozenset((*table.types, *classes)) for classes in choice.values.values()}
    return {frozenset(table.types)}


def _id_from(table: Table, match) -> str:
    from .mint import placeholders

    names = placeholders(table.iri or "")
    for index, (name, _form) in enumerate(names, start=1):
        if name == "id":
            return match.group(index)
    return ""


def _link_rows(table: Table, nodes: dict[str, dict[URIRef, str]], writer: _CellWriter) -> list[dict[str, str]]:
    subject_column = table.column(table.subject or "")
    assert subject_column is not None and subject_column.table is not None
    rows = []
    for node, slug in nodes.get(subject_column.table, {}).items():
        for column in table.columns:
            if column.property is None:
                continue
            for value in sorted(writer.graph.objects(node, column.property)):
                rows.append({subject_column.name: slug, column.name: writer.text(column, value)})
    return rows


class _CellWriter:
    """Reads one node's values for a column and writes them as the text the import accepts."""

    def __init__(self, graph: Graph, vocab: Vocabularies, scope: Scope, slugs: dict[str, dict[URIRef, str]]):
        self.graph = graph
        self.vocab = vocab
        self.scope = scope
        self.slugs = slugs

    def row(self, table: Table, node: URIRef, slug: str) -> dict[str, str]:
        cells = {}
        for column in table.columns:
            cells[column.name] = self.cell(table, column, node, slug)
        return cells

    def cell(self, table: Table, column: Column, node: URIRef, slug: str) -> str:
        if column.kind == "id":
            return slug
        if column.kind == "setting":
            return self.scope.base
        if column.kind == "choice":
            types = frozenset(self.graph.objects(node, RDF.type))
            return next((k for k, v in column.values.items() if frozenset((*table.types, *v)) == types), "")
        if column.property is None:
            return ""
        if column.inverse:
            values: list[Node] = list(self.graph.subjects(column.property, node))
        else:
            values = list(self.graph.objects(node, column.property))
        if column.kind == "text":
            values = [v for v in values if isinstance(v, Literal) and v.language == column.lang]
        elif column.kind in {"literal", "date"}:
            values = [v for v in values if isinstance(v, Literal) and not v.language]
        texts = sorted(self.text(column, v) for v in values)
        return "; ".join(texts) if column.many else (texts[0] if texts else "")

    def text(self, column: Column, value: Node) -> str:
        if column.kind == "ref":
            return self.slugs.get(column.table or "", {}).get(value, str(value))  # type: ignore[arg-type]
        if column.kind == "sdg":
            return self.vocab.sdg_text(value)  # type: ignore[arg-type]
        if column.kind == "megatrend":
            return self.vocab.megatrend_labels.get(value, str(value))  # type: ignore[arg-type]
        return str(value)
