"""``reallabor publish``: the linked-open-data site as static files any municipal web host can serve.

The site is the same table of documents the server answers from (``web.render.Pages``): an HTML page in
German and English and .ttl / .jsonld / .nt / .rdf per resource, SDG goal and the ontology; the full dumps
(Turtle, JSON-LD, N-Triples and gzip); the JSON-LD context; server rules for content negotiation (.htaccess
and an nginx snippet); and the DCAT-AP.de catalogue with VoID from ``reallabor.portal`` when it is installed
(a minimal VoID description otherwise). Everything is built in a temporary folder that replaces OUT_DIR
only when complete.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .atomic import atomic_directory
from .errors import InputError
from .namespaces import DEFAULT_BASE_IRI, check_base_iri

MARKER = ".reallabor-site"


@dataclass(frozen=True)
class PublishReport:
    out_dir: Path
    files: int
    bytes: int
    pages: int


def publish(kg, out_dir: str | Path, base_iri: str = DEFAULT_BASE_IRI, endpoint: str | None = None) -> PublishReport:
    """Write the site of ``kg`` (loaded with ``base_iri``, so its IRIs sit there already) into ``out_dir``.

    ``endpoint`` is the URL of a SPARQL endpoint serving the same data, if there is one; the query page
    then posts its forms there.
    """
    from .web.render import Pages, Site

    check_base_iri(base_iri)
    target = Path(out_dir)
    _check_target(target)
    pages = Pages(Site.from_kg(kg, base_iri, endpoint=endpoint))
    written = html = 0
    with atomic_directory(target) as tmp:
        for path, document in sorted(pages.documents.items()):
            _write(tmp, path, document.produce())
            html += path.endswith(".html")
        for name, data in server_rules(base_iri).items():
            _write(tmp, name, data)
        _write(tmp, MARKER, b"Written by `reallabor publish`; the folder is replaced whole on the next run.\n")
        _portal_files(kg, tmp, base_iri, endpoint)
        files = [p for p in tmp.rglob("*") if p.is_file()]
        written, size = len(files), sum(p.stat().st_size for p in files)
    return PublishReport(target.resolve(), written, size, html)


def _check_target(target: Path) -> None:
    """Refuse to replace a folder that is not an earlier output of publish (it is replaced whole)."""
    if target.exists() and not target.is_dir():
        raise InputError(f"{target}: exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise InputError(f"{target}: folder is not empty and was not written by `reallabor publish`; choose another")


def _write(root: Path, relative: str, data: bytes) -> None:
    # Inside the temporary build folder; the folder as a whole appears atomically.
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def server_rules(base_iri: str) -> dict[str, bytes]:
    """.htaccess (Apache) and nginx.conf (a snippet) that answer resource IRIs with 303 by Accept."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    from .web.render import DATA_FORMATS

    env = Environment(
        loader=PackageLoader("reallabor.web", "templates/server"),
        autoescape=False,  # server configuration, not HTML; the values are the base IRI and the format table
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    context = {
        "base_iri": base_iri,
        "base_path": urlsplit(base_iri).path or "/",
        "types": [(form.media_type, form.suffix) for form in DATA_FORMATS],
    }
    return {
        ".htaccess": env.get_template("htaccess").render(context).encode("utf-8"),
        "nginx.conf": env.get_template("nginx.conf").render(context).encode("utf-8"),
    }


def _portal_files(kg, root: Path, base_iri: str, endpoint: str | None) -> None:
    """The DCAT-AP.de catalogue and VoID from ``reallabor.portal`` (after the dumps), else a minimal VoID."""
    if importlib.util.find_spec("reallabor.portal") is not None:
        portal = importlib.import_module("reallabor.portal")
        if hasattr(portal, "write_portal_files"):
            extra = (
                {"endpoint": endpoint}
                if endpoint and "endpoint" in inspect.signature(portal.write_portal_files).parameters
                else {}
            )
            portal.write_portal_files(kg, root, base_iri, base_iri=base_iri, **extra)
            return
    _write(root, "void.ttl", minimal_void(kg, base_iri, endpoint))


def minimal_void(kg, base_iri: str, endpoint: str | None) -> bytes:
    """A VoID description of the dataset: its dumps, URI space, vocabulary and size."""
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, RDF, XSD

    from .export import serialize_graph
    from .namespaces import ONTOLOGY_IRI

    void = Namespace("http://rdfs.org/ns/void#")
    graph = Graph()
    dataset = URIRef(base_iri + "void.ttl#dataset")
    graph.add((dataset, RDF.type, void.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("Reallabore – Linked Open Data", lang="de")))
    graph.add((dataset, void.uriSpace, Literal(base_iri)))
    graph.add((dataset, void.vocabulary, URIRef(ONTOLOGY_IRI + "#")))
    graph.add((dataset, void.triples, Literal(len(kg.graph()), datatype=XSD.integer)))
    for suffix in (".ttl", ".jsonld", ".nt", ".nt.gz"):
        graph.add((dataset, void.dataDump, URIRef(base_iri + "dumps/reallabor" + suffix)))
    if endpoint:
        graph.add((dataset, void.sparqlEndpoint, URIRef(endpoint)))
    return serialize_graph(graph, "turtle")
