"""A warm start for the CLI: the parsed and inferred graph kept as N-Quads, answered by Oxigraph.

A cold call parses the files with rdflib and runs the reasoner; it then writes every named graph (asserted
and inferred) as one N-Quads file, keyed by the inputs' hashes and the options that change the graph. The
next call with the same inputs loads that file into an in-memory Oxigraph store (milliseconds) and answers
there, without importing rdflib at all. A changed input gets a new key; the file carries the SHA-256 of its body
(``cache.seal``), so a damaged one is ignored and rewritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .cache import cache_dir, cache_key, read_sealed, write_sealed
from .oxigraph_store import OxigraphStore
from .sources import Source


def snapshot_path(sources: Sequence[Source], *options: str) -> Path:
    return cache_dir() / f"snapshot-{cache_key(sources, 'snapshot', *options)}.nq"


class SnapshotStore(OxigraphStore):
    """An in-memory Oxigraph store filled from a snapshot; rows keep pyoxigraph terms until ``.rows`` is read."""

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
        made.__dict__["dataset"] = dataset  # the rdflib original is at hand: no need to rebuild it for exports
        return made

    @classmethod
    def open_snapshot(cls, path: Path) -> SnapshotStore | None:
        """The snapshot at ``path``, or None when it is missing or damaged (the caller then loads cold)."""
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
