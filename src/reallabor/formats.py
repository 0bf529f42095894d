"""The one table of formats, shared by the CLI, the exporters and the web layer.

Each row ties a short name to its media type, file suffix and, for RDF, the rdflib plugin name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .errors import InputError

Kind = Literal["rdf", "results"]


@dataclass(frozen=True)
class Format:
    name: str
    kind: Kind
    media_type: str
    suffix: str
    rdflib_name: str | None = None
    aliases: tuple[str, ...] = ()
    # Whether the syntax carries named graphs (quads); triple syntaxes get the merged graph.
    quads: bool = False


FORMATS: tuple[Format, ...] = (
    Format("turtle", "rdf", "text/turtle", ".ttl", "turtle", ("ttl",)),
    Format("jsonld", "rdf", "application/ld+json", ".jsonld", "json-ld", ("json-ld",)),
    Format("ntriples", "rdf", "application/n-triples", ".nt", "nt", ("nt", "n-triples")),
    Format("nquads", "rdf", "application/n-quads", ".nq", "nquads", ("nq", "n-quads"), quads=True),
    Format("xml", "rdf", "application/rdf+xml", ".rdf", "xml", ("rdfxml", "rdf/xml", "rdf")),
    Format("trig", "rdf", "application/trig", ".trig", "trig", quads=True),
    Format("table", "results", "text/plain", ".txt"),
    Format("csv", "results", "text/csv", ".csv"),
    Format("tsv", "results", "text/tab-separated-values", ".tsv"),
    Format("json", "results", "application/sparql-results+json", ".srj"),
    Format("xml", "results", "application/sparql-results+xml", ".srx"),
    Format("md", "results", "text/markdown", ".md", aliases=("markdown",)),
)

RDF_FORMATS = tuple(f for f in FORMATS if f.kind == "rdf")
RESULT_FORMATS = tuple(f for f in FORMATS if f.kind == "results")


def _lookup(table: tuple[Format, ...], name: str) -> Format | None:
    key = name.lower()
    return next((f for f in table if key == f.name or key in f.aliases), None)


def rdf_format(name: str) -> Format:
    """The RDF format called ``name``; an InputError lists the choices."""
    found = _lookup(RDF_FORMATS, name)
    if found is None:
        raise InputError(f"unknown RDF format {name!r}; choose one of: {', '.join(rdf_format_names())}")
    return found


def result_format(name: str) -> Format:
    """The SELECT/ASK result format called ``name``; an InputError lists the choices."""
    found = _lookup(RESULT_FORMATS, name)
    if found is None:
        raise InputError(f"unknown result format {name!r}; choose one of: {', '.join(result_format_names())}")
    return found


def rdf_format_names() -> list[str]:
    return [f.name for f in RDF_FORMATS]


def result_format_names() -> list[str]:
    return [f.name for f in RESULT_FORMATS]


def rdf_format_for_path(path: str) -> Format | None:
    """Guess an RDF format from a file name (rdflib's own guess, mapped onto our table)."""
    from rdflib.util import guess_format

    guessed = guess_format(str(path))
    return next((f for f in RDF_FORMATS if f.rdflib_name == guessed), None)


def sorted_lines(data: bytes) -> bytes:
    """A line-based syntax (N-Triples, N-Quads) with its lines in one fixed order, blank lines and repeats
    dropped: the same graph gives the same bytes whichever writer produced it."""
    lines = sorted({line for line in data.splitlines() if line.strip()})
    return b"\n".join(lines) + b"\n"
