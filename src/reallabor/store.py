"""Stores behind the KnowledgeGraph: anything that answers SPARQL text with a ``QueryResult``.

The in-memory rdflib Dataset is the default; an Oxigraph store or a remote endpoint plug in behind the same
small protocol, so named questions run unchanged on each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from .errors import QuerySyntaxError
from .results import QueryResult

if TYPE_CHECKING:
    from rdflib import Dataset


class Store(Protocol):
    def query(self, text: str) -> QueryResult:
        """Answer one SPARQL query; syntax errors raise QuerySyntaxError."""
        ...

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph."""
        ...


class MemoryStore:
    """rdflib's in-memory Dataset; the default graph is the union of the named graphs."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    def query(self, text: str) -> QueryResult:
        try:
            result = self.dataset.query(text)
        except Exception as exc:  # pyparsing and rdflib raise several unrelated types
            raise QuerySyntaxError(f"SPARQL error: {_one_line(exc)}") from None
        return from_rdflib(result)

    def graph_sizes(self) -> dict[str, int]:
        sizes = {str(g.identifier): len(g) for g in self.dataset.graphs()}
        return {name: n for name, n in sorted(sizes.items()) if n and not name.startswith("urn:x-rdflib")}


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def from_rdflib(result) -> QueryResult:
    """Convert an rdflib ``Result`` into the package's ``QueryResult``."""
    kind = result.type
    if kind == "ASK":
        return QueryResult("ASK", boolean=bool(result.askAnswer))
    if kind in ("CONSTRUCT", "DESCRIBE"):
        from rdflib import Graph

        graph = Graph()
        for triple in result.graph or result:
            graph.add(triple)
        return QueryResult(kind, graph=graph)
    variables = [str(v) for v in result.vars or []]
    rows = [{v: row[i] for i, v in enumerate(variables) if row[i] is not None} for row in result]
    return QueryResult("SELECT", variables=variables, rows=rows)
