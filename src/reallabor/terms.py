"""RDF terms without rdflib: parameter values, and a uniform view of any store's terms.

The query path (parameter binding, result writing) must not import rdflib, which costs more than the whole
answer on a warm CLI call. Parameters become ``Iri``/``Lit`` values here; results may hold rdflib terms
(in-memory store) or pyoxigraph terms (snapshot and Oxigraph stores), and the accessors below read both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class Iri:
    value: str

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Lit:
    value: str
    language: str | None = None
    datatype: str | None = None

    def __str__(self) -> str:
        return self.value


def kind(term: Any) -> str:
    """ "uri", "bnode" or "literal", for rdflib, pyoxigraph and our own terms."""
    name = type(term).__name__
    if name in ("URIRef", "NamedNode", "Iri"):
        return "uri"
    if name in ("BNode", "BlankNode"):
        return "bnode"
    if name in ("Literal", "Lit"):
        return "literal"
    raise TypeError(f"not an RDF term: {term!r}")


def value(term: Any) -> str:
    """The IRI, blank node label or lexical form."""
    return term.value if hasattr(term, "value") and not isinstance(term, str) else str(term)


def language(term: Any) -> str | None:
    return getattr(term, "language", None) or None


def datatype(term: Any) -> str | None:
    """The datatype IRI, or None for simple and language-tagged literals (as SPARQL results write them)."""
    if kind(term) != "literal" or language(term):
        return None
    found = getattr(term, "datatype", None)
    iri = None if found is None else value(found)
    return None if iri in (None, XSD_STRING, RDF_LANGSTRING) else iri


ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def n3(term: Any) -> str:
    """N-Triples/Turtle/SPARQL syntax of any term (IRIs are assumed valid; literals are escaped)."""
    form = kind(term)
    if form == "uri":
        return f"<{value(term)}>"
    if form == "bnode":
        return f"_:{value(term)}"
    body = "".join(ECHAR.get(char, char) for char in value(term))
    if language(term):
        return f'"{body}"@{language(term)}'
    dt = datatype(term)
    return f'"{body}"^^<{dt}>' if dt else f'"{body}"'
