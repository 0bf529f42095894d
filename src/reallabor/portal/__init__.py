"""Municipal open-data portal integration: a DCAT-AP.de 3.0 catalog, a VoID description and CSV tables.

German portals (CKAN with ckanext-dcat/ckanext-dcatde, GovData, Open.NRW) harvest DCAT-AP.de catalogs;
this package makes the published graph harvestable without hand-written metadata. Two entry points:

- ``catalog_bytes(kg, fmt)``: the catalog for ``reallabor catalog``, measuring the dumps in memory;
- ``write_portal_files(kg, site_dir, base_url)``: for ``reallabor publish``, measuring the files it wrote.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import atomic_write_bytes
from ..namespaces import DEFAULT_BASE_IRI
from .config import CKAN_TAG, PublicationConfig, load_config
from .files import FileFacts, dump_files, file_specs, measure_memory, measure_site

if TYPE_CHECKING:
    from rdflib import Graph

    from ..graph import KnowledgeGraph

__all__ = [
    "CATALOG_FILES",
    "PublicationConfig",
    "catalog_bytes",
    "catalog_graph",
    "dump_files",
    "load_config",
    "serialize",
    "void_bytes",
    "write_portal_files",
]

# The catalog's stable paths in a published site, by RDF format.
CATALOG_FILES = {"turtle": "catalog.ttl", "jsonld": "catalog.jsonld", "xml": "catalog.rdf"}
VOID_FILE = "void.ttl"
KEYWORD_QUERY = "keywords.rq"


def _modified(config: PublicationConfig) -> date | None:
    """The configured date, else the day of SOURCE_DATE_EPOCH (reproducible builds); never the clock."""
    if config.modified is not None:
        return config.modified
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date()
    return None


def data_keywords(kg: KnowledgeGraph) -> dict[str, list[str]]:
    """Labels from the data that make good portal keywords (the megatrends), valid CKAN tags only."""
    from .tables import SPARQL_DIR

    result = kg.sparql((SPARQL_DIR / KEYWORD_QUERY).read_text(encoding="utf-8"))
    found: dict[str, list[str]] = {}
    for row in result.rows:
        label = row.get("label")
        if label is not None and label.language and CKAN_TAG.match(str(label)):
            found.setdefault(label.language, []).append(str(label))
    return found


def _keywords(kg: KnowledgeGraph, config: PublicationConfig) -> dict[str, list[str]]:
    merged = {lang: list(words) for lang, words in config.keywords.items()}
    for lang, words in data_keywords(kg).items():
        merged.setdefault(lang, [])
        merged[lang] += [w for w in words if w.casefold() not in {m.casefold() for m in merged[lang]}]
    return merged


def catalog_graph(
    kg: KnowledgeGraph,
    files: list[FileFacts],
    config: PublicationConfig,
    site_url: str,
    base_iri: str | None = None,
) -> Graph:
    from .catalog import build_catalog

    return build_catalog(
        config,
        files,
        site_url=_slash(site_url),
        base_iri=base_iri or DEFAULT_BASE_IRI,
        keywords=_keywords(kg, config),
        modified=_modified(config),
    )


def void_description(kg: KnowledgeGraph, config: PublicationConfig, site_url: str, base_iri: str | None) -> Graph:
    from rdflib import Literal

    from .catalog import CatalogIris
    from .void import void_graph

    site_url = _slash(site_url)
    base = base_iri or DEFAULT_BASE_IRI
    dumps = [site_url + spec.path for spec in file_specs() if spec.query is None]
    return void_graph(
        kg.graph(inferred=False),
        CatalogIris(base, config).dataset,
        title=Literal(config.dataset_title.en, lang="en"),
        endpoint=config.sparql_endpoint or site_url + "sparql",
        dumps=dumps,
        uri_space=base,
    )


def serialize(graph: Graph, fmt: str) -> bytes:
    """Deterministic bytes with the DCAT prefixes bound (JSON-LD uses the project's context)."""
    from ..export import serialize_graph, sorted_graph, sorted_rdfxml
    from ..formats import rdf_format
    from .vocab import PREFIXES

    form = rdf_format(fmt)
    if form.name == "jsonld" or form.quads:
        return serialize_graph(graph, form)
    ordered = sorted_graph(graph)
    for prefix, namespace in PREFIXES.items():
        ordered.bind(prefix, namespace, override=True, replace=True)
    data = ordered.serialize(format=form.rdflib_name, encoding="utf-8")
    return sorted_rdfxml(data, PREFIXES) if form.name == "xml" else data


def catalog_bytes(
    kg: KnowledgeGraph,
    fmt: str = "turtle",
    *,
    config: PublicationConfig | None = None,
    site_url: str | None = None,
    base_iri: str | None = None,
) -> bytes:
    """The catalog without a site: sizes and checksums of the dumps as ``dump_files`` makes them in memory."""
    config = config or load_config()
    files = measure_memory(dump_files(kg))
    return serialize(catalog_graph(kg, files, config, site_url or config.site_url, base_iri), fmt)


def void_bytes(
    kg: KnowledgeGraph,
    *,
    config: PublicationConfig | None = None,
    site_url: str | None = None,
    base_iri: str | None = None,
) -> bytes:
    config = config or load_config()
    return serialize(void_description(kg, config, site_url or config.site_url, base_iri), "turtle")


def write_portal_files(
    kg: KnowledgeGraph,
    site_dir: Path,
    base_url: str,
    *,
    config: PublicationConfig | None = None,
    base_iri: str | None = None,
    endpoint: str | None = None,
) -> None:
    """Write the CSV tables, then catalog.ttl/.jsonld/.rdf and void.ttl, measuring the files in ``site_dir``.

    ``publish`` writes dumps/reallabor.{ttl,jsonld,nt,nt.gz} first; a missing one is an InputError naming it.
    ``endpoint`` overrides the configuration's SPARQL endpoint (publish --endpoint).
    """
    from dataclasses import replace

    from .tables import csv_table

    config = config or load_config()
    if endpoint:
        config = replace(config, sparql_endpoint=endpoint)
    site_dir = Path(site_dir)
    for spec in file_specs():
        if spec.query is not None:
            atomic_write_bytes(site_dir / spec.path, csv_table(kg, spec.query))
    files = measure_site(site_dir)
    graph = catalog_graph(kg, files, config, base_url, base_iri)
    for fmt, name in CATALOG_FILES.items():
        atomic_write_bytes(site_dir / name, serialize(graph, fmt))
    atomic_write_bytes(site_dir / VOID_FILE, serialize(void_description(kg, config, base_url, base_iri), "turtle"))


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
