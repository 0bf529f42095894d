"""The KnowledgeGraph façade: load, infer, ask named or ad-hoc questions, export.

Every CLI command and HTTP route is a thin wrapper over these methods.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph

from . import terms
from .binding import inject_values
from .export import serialize_dataset, serialize_graph
from .formats import rdf_format
from .load import Source, bundled_sources, load_dataset, merged_graph, user_source
from .namespaces import DEFAULT_BASE_IRI, INFERRED_GRAPH
from .queries import LANGUAGE_PARAMETER, NamedQuery, bind_parameters, catalogue, get_query, is_iri
from .results import QueryResult
from .store import MemoryStore, Store
from .terms import Iri, Lit


@dataclass(frozen=True)
class GraphInfo:
    version: str
    graphs: dict[str, int]
    classes: dict[str, int]
    inference: bool

    @property
    def total(self) -> int:
        return sum(self.graphs.values())


class KnowledgeGraph:
    """A dataset of named graphs (ontology, data, inferences) and the questions asked of it."""

    def __init__(
        self,
        store: Store,
        sources: Sequence[Source] = (),
        inference: bool = False,
        queries: Path | None = None,
    ) -> None:
        self.store = store
        self.sources = list(sources)
        self.inference = inference
        self.queries_folder = queries

    @classmethod
    def load(
        cls,
        files: Sequence[str | Path] = (),
        *,
        bundled: bool = True,
        inference: bool = True,
        cache: bool = True,
        base_iri: str | None = None,
        queries: Path | None = None,
        store: str = "memory",
    ) -> KnowledgeGraph:
        """Load the bundled graph (unless ``bundled=False``) plus ``files``, with OWL RL inference by default.

        ``store`` is ``memory`` (rdflib, the default) or ``oxigraph:PATH``: an on-disk Oxigraph store that is
        built on first use and reopened read-only while its inputs are unchanged.
        """
        sources = (bundled_sources() if bundled else []) + [user_source(f) for f in files]
        if store != "memory":
            from .oxigraph_store import open_store, parse_store_spec

            path = parse_store_spec(store)
            if path is not None:
                backend = open_store(path, sources, inference=inference, cache=cache, base_iri=base_iri)
                return cls(backend, sources, inference, queries)
        dataset = load_dataset(sources)
        if inference:
            from .inference import add_inferences

            add_inferences(dataset, sources, use_cache=cache)
        if base_iri and base_iri != DEFAULT_BASE_IRI:
            from .rebase import rebase_dataset

            dataset = rebase_dataset(dataset, DEFAULT_BASE_IRI, base_iri)
        return cls(MemoryStore(dataset), sources, inference, queries)

    # -- questions ------------------------------------------------------------------------------------

    def named_queries(self) -> list[NamedQuery]:
        return [q for name, q in catalogue(self.queries_folder).items() if not name.startswith("_")]

    def query(self, name: str, params: Mapping[str, str] | None = None, **kwargs: str) -> QueryResult:
        """Run the named question ``name``; parameters come as strings, e.g. ``query("labs-by-sdg", sdg="8")``."""
        named = get_query(name, self.queries_folder)
        given = {**(params or {}), **kwargs}
        if LANGUAGE_PARAMETER in given and named.parameter(LANGUAGE_PARAMETER) is None:
            given.pop(LANGUAGE_PARAMETER)  # --lang applies to queries that have labels, and is ignored by others
        bindings = bind_parameters(named, given, self.resolve)
        return self.store.query(inject_values(named.text, bindings))

    def sparql(self, text: str) -> QueryResult:
        """Run an ad-hoc SPARQL query over the union of all graphs."""
        return self.store.query(text)

    def resolve(self, value: str, cls: str) -> Iri | None:
        """The resource of class ``cls`` named by ``value``: its IRI, the last segment of its IRI, or a label."""
        resolver = catalogue()["_resolve-resource"]
        bindings: dict[str, Iri | Lit] = {"class": Iri(cls), "key": Lit(value)}
        if is_iri(value):
            bindings["iri"] = Iri(value)
        rows = self.store.query(inject_values(resolver.text, bindings)).rows
        found = sorted({terms.value(row["resource"]) for row in rows if "resource" in row})
        return Iri(found[0]) if len(found) == 1 else None

    # -- data out -------------------------------------------------------------------------------------

    @classmethod
    def remote(cls, endpoint: str, graph: str | None = None, queries: Path | None = None, **settings) -> KnowledgeGraph:
        """The graph held by a remote SPARQL endpoint (queries only; see ``remote.RemoteStore``)."""
        from .remote import RemoteStore

        return cls(RemoteStore(endpoint, graph=graph, **settings), [], False, queries)

    @property
    def dataset(self) -> Dataset:
        dataset = getattr(self.store, "dataset", None)
        if dataset is None:
            raise NotImplementedError("this store does not hold a local dataset")
        return dataset

    def asserted_graph_names(self) -> list[str]:
        return [name for name in self.store.graph_sizes() if name != INFERRED_GRAPH]

    def graph(self, inferred: bool = False) -> Graph:
        """The asserted triples as one graph, plus the inferred ones if asked."""
        names = self.asserted_graph_names() + ([INFERRED_GRAPH] if inferred else [])
        return merged_graph(self.dataset, names)

    def export(self, fmt: str = "turtle", inferred: bool = False) -> bytes:
        """Serialise the graph; quad formats keep the named graphs, triple formats merge them."""
        form = rdf_format(fmt)
        if form.quads:
            names = self.asserted_graph_names() + ([INFERRED_GRAPH] if inferred else [])
            return serialize_dataset(self.dataset, form, names)
        return serialize_graph(self.graph(inferred), form)

    def info(self) -> GraphInfo:
        from importlib.metadata import PackageNotFoundError, version

        try:
            package_version = version("reallabor")
        except PackageNotFoundError:
            package_version = "unknown"
        rows = self.store.query("SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class").rows
        classes = {str(r["class"]): int(r["n"]) for r in rows}
        return GraphInfo(package_version, self.store.graph_sizes(), dict(sorted(classes.items())), self.inference)
