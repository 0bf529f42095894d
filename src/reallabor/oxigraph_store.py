"""An Oxigraph store (pyoxigraph) behind the same ``Store`` protocol as the in-memory rdflib Dataset.

Oxigraph parses and indexes in Rust, so an on-disk store loads large files far faster than rdflib and, once
built, reopens in milliseconds. A store built by this module carries a small manifest (a hash of its input
files and options) inside its folder: the next run with the same inputs opens it read-only instead of loading
again, a changed input rebuilds it, and the rebuild happens in a temp folder that replaces the old one whole.
Queries use the union of the named graphs as the default graph, as the memory store does.
"""

from __future__ import annotations

import gc
import hashlib
import json
import mmap
import os
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager as ContextManager
from contextlib import nullcontext
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .atomic import atomic_directory
from .errors import InputError, QuerySyntaxError
from .formats import Format, rdf_format, rdf_format_for_path, sorted_lines
from .namespaces import DEFAULT_BASE_IRI, INFERRED_GRAPH
from .order_by import SortKey, sort_rows, split_order_by, with_sort_keys
from .results import QueryResult
from .sources import Source, bundled_sources

MANIFEST = "reallabor-store.json"
MANIFEST_VERSION = 2
# Parallel bulk loading (see chunks): a file is cut only if each part gets at least this many bytes.
MIN_PART_BYTES = 8 << 20
MAX_LOAD_THREADS = 8
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

if TYPE_CHECKING:  # rdflib only where it is used: a query answered from Oxigraph never needs it
    from rdflib import Dataset, Graph
    from rdflib.term import Node


class OxigraphStore:
    """A pyoxigraph ``Store`` (in memory or on disk) answering SPARQL with ``QueryResult``."""

    def __init__(self, store, path: Path | None = None) -> None:
        self.store = store
        self.path = path

    @classmethod
    def memory(cls) -> OxigraphStore:
        import pyoxigraph

        return cls(pyoxigraph.Store())

    @classmethod
    def open(cls, path: str | Path, read_only: bool = True) -> OxigraphStore:
        """Open the store in ``path``; read-only lets several processes query it at once."""
        import pyoxigraph

        folder = Path(path)
        try:
            store = pyoxigraph.Store.read_only(str(folder)) if read_only else pyoxigraph.Store(str(folder))
        except (OSError, RuntimeError) as exc:  # RocksDB reports a busy or damaged folder as RuntimeError
            raise InputError(f"oxigraph:{folder}: cannot open the store: {_one_line(exc)}") from None
        return cls(store, folder)

    # -- filling ----------------------------------------------------------------------------------------

    def load_source(self, source: Source) -> None:
        """Bulk load one file into its named graph (quad syntaxes keep their own graphs)."""
        import pyoxigraph

        fmt = rdf_format_for_path(str(source.path))
        if fmt is None:
            raise InputError(f"{source.path}: unknown RDF file type (use .ttl, .nt, .nq, .trig, .jsonld or .rdf)")
        oxi_format = pyoxigraph.RdfFormat.from_media_type(fmt.media_type)
        graph = None if fmt.quads else pyoxigraph.NamedNode(source.graph)
        try:
            size = source.path.stat().st_size
            if graph is None or not self._load_in_parallel(size, lambda: _mapped(source.path), fmt, graph):
                self.store.bulk_load(path=str(source.path), format=oxi_format, to_graph=graph)
        except SyntaxError as exc:
            raise InputError(f"{source.path}: {_one_line(exc)}") from None
        except OSError as exc:
            raise InputError(f"{source.path}: cannot read: {_one_line(exc)}") from None

    def load_graph(self, name: str, graph: Graph) -> None:
        """Add an rdflib graph (e.g. the inferred triples) as the named graph ``name``."""
        self.load_ntriples(name, graph.serialize(format="nt", encoding="utf-8"))

    def load_ntriples(self, name: str, data: bytes) -> None:
        import pyoxigraph

        graph = pyoxigraph.NamedNode(name)
        if not self._load_in_parallel(len(data), lambda: nullcontext(data), rdf_format("ntriples"), graph):
            self.store.bulk_load(input=data, format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=graph)

    def _load_in_parallel(self, size: int, contents: Callable[[], ContextManager], fmt: Format, graph) -> bool:
        """Bulk load large data as parts on all cores (see ``chunks``) into an on-disk graph still empty.

        False when the data is small or cannot be cut safely, and for the in-memory store, which the parts
        made slower (1e6 triples: 2.8 s in one call, 3.6 s in two). A part that does not parse leaves nothing
        behind (the graph is cleared) and False, so that the caller's single load reports the error with
        the file's own line numbers.
        """
        from concurrent.futures import ThreadPoolExecutor

        import pyoxigraph

        from .chunks import split_statements

        workers = min(os.cpu_count() or 1, MAX_LOAD_THREADS, size // MIN_PART_BYTES)
        if self.path is None or workers < 2 or self._holds(graph):
            return False
        with contents() as data:
            parts = split_statements(data, fmt.name, workers)
        if parts is None:
            return False
        oxi_format = pyoxigraph.RdfFormat.from_media_type(fmt.media_type)
        try:
            with ThreadPoolExecutor(len(parts)) as pool:
                list(pool.map(lambda part: self.store.bulk_load(input=part, format=oxi_format, to_graph=graph), parts))
        except SyntaxError:
            self.store.clear_graph(graph)
            return False
        return True

    def holds_more_than(self, count: int) -> bool:
        """Whether the store has more than ``count`` quads; counts no further (``len`` reads them all)."""
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT * WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT {count + 1} }}"
        return int(next(iter(self.store.query(query)))["n"].value) > count

    def _holds(self, graph) -> bool:
        return next(iter(self.store.quads_for_pattern(None, None, None, graph)), None) is not None

    # -- the Store protocol -----------------------------------------------------------------------------

    def query(self, text: str) -> QueryResult:
        import pyoxigraph

        ordering = split_order_by(text) if self.path is not None else None
        if ordering is not None:  # on disk: the engine's ORDER BY is slow (see order_by), sort the rows here
            unordered, keys = ordering
            unordered, hidden = with_sort_keys(unordered, keys)
            result = self._run(unordered)
            returned = {v.value for v in getattr(result, "variables", ())}
            if isinstance(result, pyoxigraph.QuerySolutions) and {key.variable for key in keys} <= returned:
                return self._result(result, keys, hidden)
        return self._result(self._run(text))

    def _result(self, result, keys: Sequence[SortKey] = (), hidden: Sequence[str] = ()) -> QueryResult:
        import pyoxigraph

        if isinstance(result, pyoxigraph.QueryBoolean):
            return QueryResult("ASK", boolean=bool(result))
        if isinstance(result, pyoxigraph.QueryTriples):
            from rdflib import Graph

            graph = Graph()
            for triple in result:
                graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
            return QueryResult("CONSTRUCT", graph=graph)
        variables = [v.value for v in result.variables]
        rows = [{name: term for name in variables if (term := solution[name]) is not None} for solution in result]
        rows = sort_rows(rows, keys)
        if hidden:  # sort keys the question does not return
            variables = [name for name in variables if name not in hidden]
            rows = [{name: term for name, term in row.items() if name not in hidden} for row in rows]
        return QueryResult("SELECT", variables=variables, native_rows=rows, convert=to_rdflib)

    def _run(self, text: str):
        try:
            return self.store.query(text, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"SPARQL error: {_one_line(exc)}") from None
        except OSError as exc:
            raise InputError(f"oxigraph: {_one_line(exc)}") from None

    def graph_sizes(self) -> dict[str, int]:
        result = self.store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        sizes = {sol["g"].value: int(sol["n"].value) for sol in result}
        return {name: n for name, n in sorted(sizes.items()) if n}

    @cached_property
    def dataset(self) -> Dataset:
        """The whole store as an rdflib Dataset, made on first use (for exports that need rdflib)."""
        from rdflib import Dataset, URIRef

        dataset = Dataset(default_union=True)
        for quad in self.store:
            graph_name = getattr(quad.graph_name, "value", None)
            if graph_name is None:
                continue  # the default graph is the union; nothing is stored there by this package
            dataset.graph(URIRef(graph_name)).add(
                (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
            )
        return dataset

    def close(self) -> None:
        """Release the store (pyoxigraph closes it when the object goes away)."""
        self.store = None
        gc.collect()


def to_rdflib(term) -> Node:
    """A pyoxigraph term as the equal rdflib term (plain literals keep no xsd:string datatype, as in rdflib)."""
    import pyoxigraph
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype in (_XSD_STRING, _RDF_LANG_STRING) else URIRef(datatype))
    raise InputError(f"oxigraph: unsupported term in a result: {term!r}")


def _mapped(path: Path) -> ContextManager[mmap.mmap]:
    """The file's bytes mapped into memory (read-only): cutting it into parts copies only the parts."""
    with path.open("rb") as file:
        return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# -- building and reopening on disk ---------------------------------------------------------------------


def fingerprint(sources: Sequence[Source], inference: bool, base_iri: str | None) -> str:
    """What a store's content depends on: each input file's hash and graph, inference and the base IRI."""
    digest = hashlib.sha256(f"reallabor store {MANIFEST_VERSION} {inference} {base_iri or ''}".encode())
    for source in sources:
        digest.update(f"\n{source.graph} {source.reference} {source.digest()}".encode())
    return digest.hexdigest()


def read_manifest(path: Path) -> dict | None:
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def open_store(
    path: str | Path,
    sources: Sequence[Source],
    inference: bool = True,
    cache: bool = True,
    base_iri: str | None = None,
    keep_files: bool = False,
) -> OxigraphStore:
    """The store at ``path`` for these inputs: reopened read-only when up to date, else (re)built first.

    ``keep_files`` (the caller names no files of its own) keeps the user's files the store was loaded from
    beside ``sources``: after ``reallabor load --store oxigraph:P big.ttl``, ``reallabor query labs --store
    oxigraph:P`` answers from big.ttl instead of rebuilding the store without it. A file of those that has
    since gone cannot be checked, and the store is then used as it is. A non-empty folder without our manifest
    is someone else's Oxigraph store (or something else): it is queried as it is and never overwritten.
    """
    folder = Path(path)
    manifest = read_manifest(folder)
    if manifest is None and _non_empty(folder):
        return OxigraphStore.open(folder, read_only=True)
    if keep_files and manifest is not None:
        sources = _with_loaded_files(manifest, sources)
        if not all(source.path.is_file() for source in sources):
            return OxigraphStore.open(folder, read_only=True)
    key = fingerprint(sources, inference, base_iri)
    if manifest is None or manifest.get("fingerprint") != key:
        build_store(folder, sources, inference=inference, cache=cache, base_iri=base_iri)
    return OxigraphStore.open(folder, read_only=True)


def _with_loaded_files(manifest: dict, sources: Sequence[Source]) -> list[Source]:
    """``sources`` and, after them, the files named by the user that the manifest records (the bundled ones
    are in ``sources`` or left out on purpose)."""
    given = {source.graph for source in [*sources, *bundled_sources()]}
    recorded = [
        Source(Path(entry["path"]), entry["graph"], bool(entry.get("reference")))
        for entry in manifest.get("inputs", [])
        if isinstance(entry, dict) and entry.get("graph") not in given
    ]
    return [*sources, *recorded]


def _non_empty(folder: Path) -> bool:
    return folder.exists() and (not folder.is_dir() or any(folder.iterdir()))


def build_store(
    path: str | Path,
    sources: Sequence[Source],
    inference: bool = True,
    cache: bool = True,
    base_iri: str | None = None,
) -> dict:
    """Load ``sources`` (and their inferences) into a fresh store that replaces ``path`` whole."""
    import pyoxigraph

    folder = Path(path)
    if read_manifest(folder) is None and _non_empty(folder):
        raise InputError(f"oxigraph:{folder}: exists and was not made by reallabor; choose a new or empty folder")
    started = time.perf_counter()
    with atomic_directory(folder) as tmp:
        store = OxigraphStore(pyoxigraph.Store(str(tmp)), tmp)
        if base_iri and base_iri != DEFAULT_BASE_IRI:
            _load_through_rdflib(store, sources, inference, cache, base_iri)
        else:
            for source in sources:
                store.load_source(source)
            if inference:
                add_inferences(store, sources, cache)
        sizes = store.graph_sizes()
        store.store.flush()
        store.close()
        manifest = {
            "version": MANIFEST_VERSION,
            "fingerprint": fingerprint(sources, inference, base_iri),
            "inference": inference,
            "base_iri": base_iri,
            "inputs": [{"path": str(s.path.resolve()), "graph": s.graph, "reference": s.reference} for s in sources],
            "graphs": sizes,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    manifest["seconds"] = round(time.perf_counter() - started, 3)
    return manifest


def add_inferences(store: OxigraphStore, sources: Sequence[Source], cache: bool = True) -> None:
    """Fill the inferred graph: owlrl (the reference) through rdflib for small inputs, the SPARQL rules inside
    the store itself for large ones, so a large store never passes through rdflib. Cached by input hash like
    the memory store's closure (the same file for the same inputs and reasoner)."""
    import pyoxigraph

    from .cache import cache_dir, cache_key, read_sealed, write_sealed
    from .inference import AUTO_OWLRL_LIMIT

    reasoner = "rules" if store.holds_more_than(AUTO_OWLRL_LIMIT) else "owlrl"
    path = cache_dir() / f"closure-{cache_key(sources, reasoner)}.nt" if cache else None
    cached = read_sealed(path) if path is not None else None
    if cached is not None:
        try:
            store.load_ntriples(INFERRED_GRAPH, cached)
            return
        except (SyntaxError, OSError):
            store.store.clear_graph(pyoxigraph.NamedNode(INFERRED_GRAPH))
    if reasoner == "rules":
        inferred = _rules_in_memory(sources)
        store.load_ntriples(INFERRED_GRAPH, inferred)
    else:
        _owlrl_through_rdflib(store, sources, cache)
        dump = store.store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.NamedNode(INFERRED_GRAPH))
        inferred = sorted_lines(dump)
    if path is not None:
        write_sealed(path, inferred)


def _rules_in_memory(sources: Sequence[Source]) -> bytes:
    """The rules' closure of ``sources`` as N-Triples, computed in an in-memory store: the rules write many
    small updates, which cost far more in RocksDB (one bulk load of the result is cheap). Not sorted: the
    store and the cache need the triples, not an order (sorting took 3 s of 29 at 1e6 triples)."""
    import pyoxigraph

    from .rules import infer_in_store

    memory = OxigraphStore.memory()
    for source in sources:
        memory.load_source(source)
    infer_in_store(memory.store, INFERRED_GRAPH)
    inferred = pyoxigraph.NamedNode(INFERRED_GRAPH)
    return memory.store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=inferred)


def _owlrl_through_rdflib(store: OxigraphStore, sources: Sequence[Source], cache: bool) -> None:
    from rdflib import URIRef

    from .inference import add_inferences as add_rdflib_inferences
    from .load import load_dataset

    dataset = load_dataset(sources)
    add_rdflib_inferences(dataset, sources, use_cache=cache, reasoner="owlrl")
    store.load_graph(INFERRED_GRAPH, dataset.graph(URIRef(INFERRED_GRAPH)))


def _load_through_rdflib(
    store: OxigraphStore, sources: Sequence[Source], inference: bool, cache: bool, base_iri: str
) -> None:
    """Rebasing IRIs is done by rdflib (as for the memory store), then the graphs are copied over."""
    from .load import load_dataset
    from .rebase import rebase_dataset

    dataset = load_dataset(sources)
    if inference:
        from .inference import add_inferences as add_rdflib_inferences

        add_rdflib_inferences(dataset, sources, use_cache=cache)
    dataset = rebase_dataset(dataset, DEFAULT_BASE_IRI, base_iri)
    for graph in dataset.graphs():
        if len(graph):
            store.load_graph(str(graph.identifier), graph)


def parse_store_spec(spec: str) -> Path | None:
    """``memory`` gives None, ``oxigraph:PATH`` the path; anything else is an InputError."""
    if spec == "memory":
        return None
    kind, sep, path = spec.partition(":")
    if kind != "oxigraph" or not sep or not path:
        raise InputError(f"--store {spec!r}: use 'memory' or 'oxigraph:PATH'")
    return Path(path).expanduser()
