"""Reading RDF files into one rdflib Dataset, one named graph per source file.

Keeping each file in its own named graph lets exports choose what to include, lets the inference cache
hash exactly its inputs, and lets another municipality's file sit beside Bottrop's without mixing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from .errors import InputError
from .formats import rdf_format_for_path
from .namespaces import GRAPH_BASE
from .resources import data_dir, ontology_dir


@dataclass(frozen=True)
class Source:
    """One RDF file and the named graph it is loaded into.

    ``reference`` marks bulk reference data (the UN SDG goals and targets) whose literals add nothing to
    reasoning; only its IRI-valued triples are given to the reasoner.
    """

    path: Path
    graph: str
    reference: bool = False

    def digest(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def bundled_sources() -> list[Source]:
    """The ontology and the bundled data, each file in a named graph named after its path."""
    sources = [Source(ontology_dir() / "reallabor.ttl", GRAPH_BASE + "ontology")]
    root = data_dir()
    for path in sorted(root.rglob("*.ttl")):
        name = path.relative_to(root).with_suffix("").as_posix()
        sources.append(Source(path, GRAPH_BASE + name, reference=name.startswith("sdg/")))
    return sources


def user_source(path: str | Path) -> Source:
    """A file given by the user; quad formats keep their own graphs, triples go to a graph of their own."""
    file = Path(path)
    return Source(file, GRAPH_BASE + "local/" + _slug(file.stem))


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "data"


def load_dataset(sources: Sequence[Source]) -> Dataset:
    """Parse every source into one Dataset whose default graph is the union of all named graphs."""
    dataset = Dataset(default_union=True)
    for source in sources:
        parse_into(dataset, source)
    return dataset


def parse_into(dataset: Dataset, source: Source) -> None:
    """Parse one file; syntax errors become a one-line InputError naming the file and line."""
    fmt = rdf_format_for_path(str(source.path))
    if fmt is None:
        raise InputError(f"{source.path}: unknown RDF file type (use .ttl, .nt, .nq, .trig, .jsonld or .rdf)")
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        raise InputError(f"{source.path}: cannot read: {exc.strerror or exc}") from None
    try:
        if fmt.quads:
            dataset.parse(data=data, format=fmt.rdflib_name, publicID=source.graph)
        else:
            dataset.graph(URIRef(source.graph)).parse(data=data, format=fmt.rdflib_name)
    except Exception as exc:  # rdflib raises many unrelated types for bad syntax
        raise InputError(f"{source.path}: {describe_parse_error(exc)}") from None


def describe_parse_error(exc: Exception) -> str:
    """A one-line message from any rdflib parser error, with the line number where rdflib gives one."""
    lines = getattr(exc, "lines", None)
    message = getattr(exc, "_why", None) or str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if lines is not None:
        return f"line {lines + 1}: {message}"
    return f"{message}"


def merged_graph(dataset: Dataset, graphs: Iterable[str]) -> Graph:
    """The union of the named graphs listed, as one plain Graph (for triple-only syntaxes)."""
    merged = Graph()
    for name in graphs:
        for triple in dataset.graph(URIRef(name)):
            merged.add(triple)
    return merged
