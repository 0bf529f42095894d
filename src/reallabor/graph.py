"""The KnowledgeGraph façade: load, infer, ask named or ad-hoc questions, export.

Every CLI command and HTTP route is a thin wrapper over these methods.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import terms
from .binding import inject_values
from .formats import rdf_format
from .namespaces import DEFAULT_BASE_IRI, INFERRED_GRAPH, check_base_iri
from .queries import LANGUAGE_PARAMETER, NamedQuery, bind_parameters, catalogue, get_query, is_iri
from .results import QueryResult
from .sources import Source, bundled_sources, user_source
from .terms import Iri, Lit

if TYPE_CHECKING:  # rdflib is imported where it is used, so a warm CLI call never loads it
    from rdflib import Dataset, Graph

    from .store import Store


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
        snapshot: bool = False,
    ) -> KnowledgeGraph:
        """Load the bundled graph (unless ``bundled=False``) plus ``files``, with OWL RL inference by default.

        ``store`` is ``memory`` (rdflib, the default) or ``oxigraph:PATH``: an on-disk Oxigraph store that is
        built on first use and reopened read-only while its inputs are unchanged. ``snapshot=True`` (what the
        CLI uses) answers from an in-memory Oxigraph copy of the loaded graph, kept in the cache so that the
        next call with the same inputs skips parsing and inference (see ``snapshot``); its result rows then
        hold pyoxigraph terms.
        """
        if base_iri is not None:
            check_base_iri(base_iri)
        sources = (bundled_sources() if bundled else []) + [user_source(f) for f in files]
        if store != "memory":
            from .oxigraph_store import open_store, parse_store_spec

            path = parse_store_spec(store)
            if path is not None:
                backend = open_store(
                    path, sources, inference=inference, cache=cache, base_iri=base_iri, keep_files=not files
                )
                return cls(backend, sources, inference, queries)
        if snapshot:
            return cls._from_snapshot(sources, inference, cache, base_iri, queries)
        from .store import MemoryStore

        return cls(MemoryStore(_load_memory(sources, inference, cache, base_iri)), sources, inference, queries)

    @classmethod
    def _from_snapshot(
        cls, sources: list[Source], inference: bool, cache: bool, base_iri: str | None, queries: Path | None
    ) -> KnowledgeGraph:
        from .snapshot import SnapshotStore, snapshot_path

        path = snapshot_path(sources, f"inference={inference}", f"base={base_iri or DEFAULT_BASE_IRI}")
        warm = SnapshotStore.open_snapshot(path) if cache else None
        if warm is None:
            dataset = _load_memory(sources, inference, cache, base_iri)
            warm = SnapshotStore.from_dataset(dataset, path if cache else None)
        return cls(warm, sources, inference, queries)

    # -- questions ------------------------------------------------------------------------------------

    def named_queries(self) -> list[NamedQuery]:
        return [q for name, q in catalogue(self.queries_folder).items() if not name.startswith("_")]

    def query(self, name: str, params: Mapping[str, str] | None = None, **kwargs: str) -> QueryResult:
        """Run the named question ``name``; parameters come as strings, e.g. ``query("labs-by-sdg", sdg="8")``."""
        return self.store.query(self.bound_text(name, {**(params or {}), **kwargs}))

    def bound_text(self, name: str, params: Mapping[str, str]) -> str:
        """The SPARQL text of a named question with its checked parameters bound (a VALUES block of RDF terms)."""
        named = get_query(name, self.queries_folder)
        given = dict(params)
        if LANGUAGE_PARAMETER in given and named.parameter(LANGUAGE_PARAMETER) is None:
            given.pop(LANGUAGE_PARAMETER)  # --lang applies to queries that have labels, and is ignored by others
        return inject_values(named.text, bind_parameters(named, given, self.resolve))

    def sparql(self, text: str) -> QueryResult:
        """Run an ad-hoc SPARQL query over the union of all graphs."""
        return self.store.query(text)

    def resolve(self, value: str, cls: str) -> Iri | None:
        """The resource of class ``cls`` named by ``value``: its IRI, else the last segment of its IRI, else
        a label. The first look-up that finds something decides (None if it finds several): the IRI costs
        one index look-up and the slug a pass over the class's IRIs, while a label match reads every label
        of the class (about a second for the 18,716 labs of 1e6 triples on disk)."""
        stages = [("_resolve-iri", {"iri": Iri(value)})] if is_iri(value) else []
        stages += [("_resolve-slug", {"key": Lit(value)}), ("_resolve-label", {"key": Lit(value)})]
        for name, bindings in stages:
            text = inject_values(catalogue()[name].text, {"class": Iri(cls), **bindings})
            found = sorted({terms.value(row["resource"]) for row in self.store.query(text).rows if "resource" in row})
            if found:
                return Iri(found[0]) if len(found) == 1 else None
        return None

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
        """The asserted triples as one graph, plus the inferred ones if asked.

        The loaded graph never changes, so the merge is made once per variant; treat the result as read-only.
        """
        from .load import merged_graph

        merged = self.__dict__.setdefault("_merged", {})
        if inferred not in merged:
            names = self.asserted_graph_names() + ([INFERRED_GRAPH] if inferred else [])
            merged[inferred] = merged_graph(self.dataset, names)
        return merged[inferred]

    def export(self, fmt: str = "turtle", inferred: bool = False) -> bytes:
        """Serialise the graph; quad formats keep the named graphs, triple formats merge them."""
        from .export import serialize_dataset, serialize_graph

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
        classes = {terms.value(r["class"]): int(terms.value(r["n"])) for r in rows}
        return GraphInfo(package_version, self.store.graph_sizes(), dict(sorted(classes.items())), self.inference)


def _load_memory(sources: list[Source], inference: bool, cache: bool, base_iri: str | None) -> Dataset:
    """Parse the sources with rdflib, add the inferences, rebase the IRIs: the in-memory dataset."""
    from .load import load_dataset

    dataset = load_dataset(sources)
    if inference:
        from .inference import add_inferences

        add_inferences(dataset, sources, use_cache=cache)
    if base_iri and base_iri != DEFAULT_BASE_IRI:
        from .rebase import rebase_dataset

        dataset = rebase_dataset(dataset, DEFAULT_BASE_IRI, base_iri)
    return dataset
