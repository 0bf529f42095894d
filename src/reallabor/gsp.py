"""Putting a graph into a SPARQL store and fetching it back.

Two ways in: the SPARQL 1.1 Graph Store HTTP Protocol (one PUT replaces the named graph whole, e.g. at
Oxigraph's ``/store`` or Fuseki's ``/ds/data``), and, for stores without it, SPARQL 1.1 Update in chunks.
The chunked path uploads into a fresh temporary graph and then MOVEs it over the target, so the target is
replaced in one step and a failure half-way leaves it as it was. Triples that share a blank node always
travel in the same chunk: blank nodes are scoped to one request, so splitting them would break the graph.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

from rdflib import BNode, Graph

from .errors import InputError, RemoteError
from .export import serialize_graph
from .remote import HTTPStatusError, Response, Settings, display_url, http_request

DEFAULT_CHUNK = 10_000
Triple = tuple


def graph_url(gsp_url: str, graph: str | None) -> str:
    """The GSP address of ``graph`` (``?graph=IRI``), or of the default graph (``?default``)."""
    if urlsplit(gsp_url).scheme not in ("http", "https"):
        raise InputError(f"--gsp {display_url(gsp_url)!r}: give the http(s) URL of a Graph Store Protocol service")
    separator = "&" if "?" in gsp_url else "?"
    return gsp_url + separator + (urlencode({"graph": graph}) if graph else "default")


def put_graph(gsp_url: str, graph_iri: str | None, graph: Graph, settings: Settings) -> int:
    """Replace the remote graph with ``graph`` in one PUT; returns the number of triples sent."""
    data = serialize_graph(graph, "ntriples") if len(graph) else b""
    url = graph_url(gsp_url, graph_iri)
    response = http_request("PUT", url, settings, data=data, headers={"Content-Type": "application/n-triples"})
    _expect_success(response, url)
    return len(graph)


def get_graph(gsp_url: str, graph_iri: str | None, settings: Settings) -> Graph:
    """Fetch the remote graph; an answer that is not RDF is a RemoteError."""
    from .formats import RDF_FORMATS

    url = graph_url(gsp_url, graph_iri)
    accept = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
    try:
        response = http_request("GET", url, settings, headers={"Accept": accept})
    except HTTPStatusError as exc:
        if exc.status == 404:
            name = f"graph <{graph_iri}>" if graph_iri else "the default graph"
            raise RemoteError(f"{display_url(gsp_url)}: {name} not found (404)") from None
        raise
    form = next((f for f in RDF_FORMATS if f.media_type == response.media_type and not f.quads), None)
    if form is None:
        shown = response.media_type or "no content type"
        raise RemoteError(f"{display_url(url)}: answered with {shown}, not RDF (is this a Graph Store URL?)")
    graph = Graph()
    try:
        graph.parse(data=response.body, format=form.rdflib_name)
    except Exception as exc:  # rdflib's parsers raise many unrelated types
        detail = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise RemoteError(f"{display_url(url)}: unreadable {response.media_type} answer: {detail}") from None
    return graph


def update_graph(
    update_url: str, graph_iri: str | None, graph: Graph, settings: Settings, chunk_size: int = DEFAULT_CHUNK
) -> int:
    """Replace the remote graph through SPARQL Update: chunks into a temp graph, then one MOVE over the target."""
    if urlsplit(update_url).scheme not in ("http", "https"):
        raise InputError(f"--update {display_url(update_url)!r}: give the http(s) URL of a SPARQL Update service")
    if chunk_size < 1:
        raise InputError("--chunk-size must be at least 1")
    target = f"GRAPH <{graph_iri}>" if graph_iri else "DEFAULT"
    if not len(graph):
        _update(update_url, f"CLEAR SILENT {target}", settings)
        return 0
    staging = f"urn:uuid:{uuid.uuid4()}"
    try:
        _update(update_url, f"DROP SILENT GRAPH <{staging}>", settings)
        for chunk in chunks(graph, chunk_size):
            body = "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in chunk)
            _update(update_url, f"INSERT DATA {{ GRAPH <{staging}> {{\n{body}\n}} }}", settings)
        _update(update_url, f"MOVE GRAPH <{staging}> TO {target}", settings)
    except RemoteError:
        _drop_quietly(update_url, staging, settings)
        raise
    return len(graph)


def chunks(graph: Graph, size: int) -> Iterator[list[Triple]]:
    """The triples in sorted order, cut into lists of about ``size``; a blank node's triples stay together."""
    units = _units(graph)
    chunk: list[Triple] = []
    for unit in units:
        if chunk and len(chunk) + len(unit) > size:
            yield chunk
            chunk = []
        chunk.extend(unit)
    if chunk:
        yield chunk


def _units(graph: Graph) -> list[list[Triple]]:
    """Single triples without blank nodes, and groups of triples connected through blank nodes."""
    parent: dict[BNode, BNode] = {}

    def find(node: BNode) -> BNode:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    triples = sorted(graph)
    for s, _, o in triples:
        if isinstance(s, BNode) and isinstance(o, BNode):
            parent[find(s)] = find(o)
    plain: list[list[Triple]] = []
    groups: dict[BNode, list[Triple]] = {}
    for triple in triples:
        s, _, o = triple
        node = s if isinstance(s, BNode) else o if isinstance(o, BNode) else None
        if node is None:
            plain.append([triple])
        else:
            groups.setdefault(find(node), []).append(triple)
    return plain + sorted(groups.values(), key=lambda group: group[0])


def _update(url: str, text: str, settings: Settings) -> None:
    headers = {"Content-Type": "application/sparql-update; charset=utf-8"}
    response = http_request("POST", url, settings, data=text.encode("utf-8"), headers=headers)
    _expect_success(response, url)


def _drop_quietly(url: str, staging: str, settings: Settings) -> None:
    # If the store is gone or refuses, the staging graph is left for its owner to drop.
    with contextlib.suppress(RemoteError):
        _update(url, f"DROP SILENT GRAPH <{staging}>", Settings(settings.timeout, 0, 0))


def _expect_success(response: Response, url: str) -> None:
    if not 200 <= response.status < 300:
        raise RemoteError(f"{display_url(url)}: unexpected HTTP {response.status}")
