"""Oxigraph results keep the store's own terms for the writers and convert to rdflib only when rows are read."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from reallabor.oxigraph_store import OxigraphStore
from reallabor.results import WRITERS, QueryResult

DATA = """
<http://example.org/a> <http://example.org/p> "Grün"@de , "plain" , "7"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://example.org/a> <http://example.org/q> _:b1 .
""".encode()
QUERY = "SELECT ?s ?o ?missing WHERE { ?s ?p ?o OPTIONAL { ?o <http://example.org/none> ?missing } } ORDER BY ?o"


@pytest.fixture(scope="module")
def store() -> OxigraphStore:
    import pyoxigraph

    made = OxigraphStore.memory()
    made.store.load(DATA, format=pyoxigraph.RdfFormat.TURTLE, to_graph=pyoxigraph.NamedNode("urn:g"))
    return made


def test_rows_are_rdflib_terms_on_demand(store: OxigraphStore) -> None:
    result = store.query(QUERY)
    assert all(type(term).__module__.startswith("pyoxigraph") for row in result.native_rows for term in row.values())
    literals = {row["o"] for row in result.rows if isinstance(row["o"], Literal)}
    assert Literal("Grün", lang="de") in literals and Literal("plain") in literals
    assert Literal("7", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")) in literals
    assert all("missing" not in row for row in result.rows)
    assert result.rows is result.rows  # converted once, then kept


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_writers_give_the_same_bytes_from_native_and_rdflib_rows(store: OxigraphStore, fmt: str) -> None:
    native = store.query(QUERY)
    converted = QueryResult("SELECT", variables=native.variables, rows=store.query(QUERY).rows)
    assert converted.native_rows is converted.rows
    assert WRITERS[fmt](native) == WRITERS[fmt](converted)


def test_setting_rows_replaces_the_native_ones(store: OxigraphStore) -> None:
    result = store.query(QUERY)
    result.rows = result.rows[:1]
    assert len(result.native_rows) == 1 and result == QueryResult("SELECT", result.variables, result.rows)
