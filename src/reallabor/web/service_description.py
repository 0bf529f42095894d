"""The SPARQL 1.1 Service Description, answered on GET /sparql without a query.

It states the endpoint, the language, the result formats, the features and the default dataset with its
named graphs and their sizes. Nodes get hash IRIs under the endpoint rather than blank nodes, so the same
server gives the same bytes every time.
"""

from __future__ import annotations

from rdflib import RDF, Graph, Literal, Namespace, URIRef
from starlette.requests import Request
from starlette.responses import Response

from ..export import serialize_graph
from ..graph import KnowledgeGraph
from .negotiation import choose, offered
from .settings import WebSettings

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
W3C_FORMATS = Namespace("http://www.w3.org/ns/formats/")
# Our format names -> the W3C's IRIs for them (https://www.w3.org/ns/formats/).
FORMAT_IRIS = {
    ("results", "json"): "SPARQL_Results_JSON",
    ("results", "xml"): "SPARQL_Results_XML",
    ("results", "csv"): "SPARQL_Results_CSV",
    ("results", "tsv"): "SPARQL_Results_TSV",
    ("rdf", "turtle"): "Turtle",
    ("rdf", "jsonld"): "JSON-LD",
    ("rdf", "ntriples"): "N-Triples",
    ("rdf", "nquads"): "N-Quads",
    ("rdf", "xml"): "RDF_XML",
    ("rdf", "trig"): "TriG",
}


def describe(endpoint: str, kg: KnowledgeGraph, settings: WebSettings) -> Graph:
    """The service description graph of the endpoint at ``endpoint``."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    service, dataset, default = (URIRef(f"{endpoint}#{part}") for part in ("service", "dataset", "default-graph"))
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if settings.allow_service:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    for form in (*offered("results"), *offered("rdf")):
        name = FORMAT_IRIS.get((form.kind, form.name))
        if name:
            graph.add((service, SD.resultFormat, W3C_FORMATS[name]))
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    sizes = kg.store.graph_sizes()
    graph.add((default, VOID.triples, Literal(sum(sizes.values()))))
    for index, (name, size) in enumerate(sorted(sizes.items()), start=1):
        _named_graph(graph, dataset, URIRef(f"{endpoint}#graph-{index}"), name, size)
    return graph


def _named_graph(graph: Graph, dataset: URIRef, node: URIRef, name: str, size: int) -> None:
    description = URIRef(f"{node}-description")
    graph.add((dataset, SD.namedGraph, node))
    graph.add((node, RDF.type, SD.NamedGraph))
    graph.add((node, SD.name, URIRef(name)))
    graph.add((node, SD.graph, description))
    graph.add((description, RDF.type, SD.Graph))
    graph.add((description, VOID.triples, Literal(size)))


def service_description(request: Request, kg: KnowledgeGraph, settings: WebSettings) -> Response:
    """The description in the RDF syntax the client accepts (Turtle when it names none we offer)."""
    endpoint = str(request.url.replace(query="", fragment="")).rstrip("?")
    form = choose(request.headers.get("accept"), "rdf") or offered("rdf")[0]
    body = serialize_graph(describe(endpoint, kg, settings), form)
    media_type = form.media_type + ("; charset=utf-8" if form.media_type.startswith("text/") else "")
    return Response(body, media_type=media_type, headers={"Vary": "Accept"})
