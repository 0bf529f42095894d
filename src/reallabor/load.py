"""Reading RDF files into one rdflib Dataset, one named graph per source file.

Keeping each file in its own named graph lets exports choose what to include, lets the inference cache
hash exactly its inputs, and lets another municipality's file sit beside Bottrop's without mixing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rdflib import Dataset, Graph, URIRef

from .errors import InputError
from .formats import rdf_format_for_path
from .sources import Source, bundled_sources, user_source

__all__ = ["Source", "bundled_sources", "describe_parse_error", "load_dataset", "merged_graph", "user_source"]


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
    """A one-line message from any rdflib parser error, with the line number where it can be known.

    rdflib's Turtle errors carry the buffer and the error offset; their own ``lines`` count is off, so the
    line is counted from the offset.
    """
    text = str(exc).strip()
    message = getattr(exc, "_why", None) or (text.splitlines()[0] if text else type(exc).__name__)
    buffer, offset = getattr(exc, "_str", None), getattr(exc, "_i", None)
    if isinstance(buffer, (bytes, str)) and isinstance(offset, int):
        newline = b"\n" if isinstance(buffer, bytes) else "\n"
        return f"line {buffer[:offset].count(newline) + 1}: {message}"
    line = getattr(exc, "line", None) or getattr(exc, "lineno", None)
    return f"line {line}: {message}" if isinstance(line, int) else message


def merged_graph(dataset: Dataset, graphs: Iterable[str]) -> Graph:
    """The union of the named graphs listed, as one plain Graph (for triple-only syntaxes)."""
    merged = Graph()
    for name in graphs:
        for triple in dataset.graph(URIRef(name)):
            merged.add(triple)
    return merged
