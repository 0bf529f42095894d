"""A warm start for the CLI: the parsed and inferred graph kept as N-Quads, answered by Oxigraph.

A cold call parses the files with rdflib and runs the reasoner; it then writes every named graph (asserted
and inferred) as one N-Quads file, keyed by the inputs' hashes and the options that change the graph. The
next call with the same inputs loads that file into an in-memory Oxigraph store (milliseconds) and answers
there, without importing rdflib at all. A changed input gets a new key; a damaged file is ignored and
rewritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from .cache import cache_dir, cache_key, read_sealed, write_sealed
from .errors import InputError, QuerySyntaxError
from .results import QueryResult
from .sources import Source


def snapshot_path(sources: Sequence[Source], *options: str) -> Path:
    return cache_dir() / f"snapshot-{cache_key(sources, 'snapshot', *options)}.nq"


class SnapshotStore:
    """An in-memory Oxigraph store filled from a snapshot; rows hold pyoxigraph terms (see reallabor.terms)."""

    def __init__(self, store: Any, path: Path | None) -> None:
        self.store = store
        self.path = path

    @classmethod
    def from_dataset(cls, dataset: Any, path: Path | None) -> SnapshotStore:
        """Copy an rdflib Dataset into Oxigraph, and keep the copy at ``path`` for the next call."""
        import pyoxigraph

        data = dataset.serialize(format="nquads", encoding="utf-8")
        store = pyoxigraph.Store()
        store.bulk_load(input=data, format=pyoxigraph.RdfFormat.N_QUADS)
        if path is not None:
            write_sealed(path, data)
        made = cls(store, path)
        made.__dict__["dataset"] = dataset  # the rdflib original is at hand: no need to re-parse for exports
        return made

    @classmethod
    def open(cls, path: Path) -> SnapshotStore | None:
        """The snapshot at ``path``, or None when it is missing or unreadable (the caller then loads cold)."""
        import pyoxigraph

        data = read_sealed(path)
        if data is None:
            return None
        store = pyoxigraph.Store()
        try:
            store.bulk_load(input=data, format=pyoxigraph.RdfFormat.N_QUADS)
        except (OSError, SyntaxError, ValueError):
            return None
        return cls(store, path)

    def query(self, text: str) -> QueryResult:
        import pyoxigraph

        try:
            result = self.store.query(text, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"SPARQL error: {' '.join(str(exc).split())}") from None
        except OSError as exc:
            raise InputError(f"oxigraph: {' '.join(str(exc).split())}") from None
        if isinstance(result, pyoxigraph.QueryBoolean):
            return QueryResult("ASK", boolean=bool(result))
        if isinstance(result, pyoxigraph.QueryTriples):
            return QueryResult("CONSTRUCT", graph=_to_rdflib_graph(result))
        variables = [v.value for v in result.variables]
        rows = [{name: s[name] for name in variables if s[name] is not None} for s in result]
        return QueryResult("SELECT", variables=variables, rows=rows)

    def graph_sizes(self) -> dict[str, int]:
        result = self.store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return dict(sorted((s["g"].value, int(s["n"].value)) for s in result))

    @cached_property
    def dataset(self) -> Any:
        """The snapshot as an rdflib Dataset, parsed on first use (exports need rdflib's serialisers)."""
        from rdflib import Dataset

        dataset = Dataset(default_union=True)
        dataset.parse(data=read_sealed(self.path) or b"", format="nquads")
        return dataset


def _to_rdflib_graph(triples: Any) -> Any:
    """CONSTRUCT/DESCRIBE answers go through rdflib's serialisers, so they become an rdflib Graph."""
    import pyoxigraph
    from rdflib import Graph

    data = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    graph = Graph()
    if data:
        graph.parse(data=data, format="nt")
    return graph
