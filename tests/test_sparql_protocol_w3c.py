"""Conformance: the W3C SPARQL 1.1 Protocol and Service Description test manifests against the real server.

The manifests are read from the folder in REALLABOR_SPARQL_PROTOCOL_TESTS (CI points it at
shared/reference/w3c-sparql11-protocol-tests); they are never copied into this repository. Each
``mf:ProtocolTest`` is a list of HTTP requests (HTTP-in-RDF vocabulary) with the expected status class,
result format and ASK value. The endpoint is read-only, so an update request passes when it is refused
with 4xx, the follow-up queries are still answered, and the dataset is unchanged afterwards.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.dom import minidom

import httpx
import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection

from .test_sparql_endpoint import running_server

ENV = "REALLABOR_SPARQL_PROTOCOL_TESTS"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")

RESULT_TYPES = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples", "application/ld+json"},
}
RDFLIB_FORMATS = {
    "application/rdf+xml": "xml",
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
}
# The SPARQL 1.1 Service Description vocabulary (https://www.w3.org/TR/sparql11-service-description/ §3).
SD_CLASSES = {
    "Service",
    "Feature",
    "Language",
    "Function",
    "Aggregate",
    "EntailmentRegime",
    "EntailmentProfile",
    "GraphCollection",
    "Dataset",
    "Graph",
    "NamedGraph",
}
SD_PROPERTIES = {
    "endpoint",
    "feature",
    "defaultEntailmentRegime",
    "entailmentRegime",
    "defaultSupportedEntailmentProfile",
    "supportedEntailmentProfile",
    "extensionFunction",
    "extensionAggregate",
    "languageExtension",
    "supportedLanguage",
    "propertyFeature",
    "defaultDataset",
    "availableGraphs",
    "resultFormat",
    "inputFormat",
    "defaultGraph",
    "namedGraph",
    "name",
    "graph",
}
SD_INSTANCES = {"SPARQL10Query", "SPARQL11Query", "SPARQL11Update"} | {
    "DereferencesURIs",
    "UnionDefaultGraph",
    "RequiresDataset",
    "EmptyGraphs",
    "BasicFederatedQuery",
}


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]
    result_format: str | None
    boolean: bool | None

    @property
    def is_update(self) -> bool:
        content_type = self.headers.get("content-type", "")
        text = (self.body or b"").decode("latin-1")
        return "sparql-update" in content_type or "update=" in self.path or text.startswith("update=")


@dataclass
class ProtocolTest:
    name: str
    requests: list[HttpRequest]
    graphs: dict[str, Path] = field(default_factory=dict)

    @property
    def is_update(self) -> bool:
        return any(r.is_update for r in self.requests)


def manifest_folder() -> Path | None:
    value = os.environ.get(ENV)
    return Path(value) if value else None


def read_protocol_tests(folder: Path) -> list[ProtocolTest]:
    manifest = folder / "protocol" / "manifest.ttl"
    graph = Graph().parse(manifest, format="turtle")
    root = next(graph.subjects(RDF.type, MF.Manifest))
    entries = Collection(graph, graph.value(root, MF.entries))
    return [_protocol_test(graph, entry) for entry in entries]


def _protocol_test(graph: Graph, entry) -> ProtocolTest:
    action = graph.value(entry, MF.action)
    requests = [_request(graph, node) for node in Collection(graph, graph.value(action, HT.requests))]
    graphs = {
        str(graph.value(data, RDFS.label)): Path(str(graph.value(data, UT.graph)).removeprefix("file://"))
        for data in graph.objects(entry, UT.graphData)
    }
    return ProtocolTest(str(entry).rsplit("#", 1)[1], requests, graphs)


def _request(graph: Graph, node) -> HttpRequest:
    headers = {}
    header_list = graph.value(node, HT.headers)
    if header_list is not None:
        for header in Collection(graph, header_list):
            headers[str(graph.value(header, HT.fieldName)).lower()] = str(graph.value(header, HT.fieldValue))
    body = None
    body_node = graph.value(node, HT.body)
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding.lower())
    response = graph.value(node, HT.resp)
    statuses = {int(str(s).rsplit("StatusCode", 1)[1][0]) for s in graph.objects(response, MF.expectedStatus)}
    expected_boolean = graph.value(response, MF.expectedBoolean)
    expected_format = graph.value(response, MF.expectedFormat)
    return HttpRequest(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)),
        headers=headers,
        body=body,
        statuses=statuses,
        result_format=None if expected_format is None else str(expected_format),
        boolean=None if expected_boolean is None else bool(expected_boolean.toPython()),
    )


def _cases() -> list:
    folder = manifest_folder()
    if folder is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{ENV} is not set (the W3C manifests' folder)"))]
    return [pytest.param(test, id=test.name) for test in read_protocol_tests(folder)]


SERVICE_DESCRIPTION_TESTS = ["has-endpoint-triple", "returns-rdf", "conforms-to-schema"]


def _service_description_cases() -> list:
    folder = manifest_folder()
    if folder is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{ENV} is not set (the W3C manifests' folder)"))]
    graph = Graph().parse(folder / "service-description" / "manifest.ttl", format="turtle")
    root = next(graph.subjects(RDF.type, MF.Manifest))
    names = [str(e).rsplit("#", 1)[1] for e in Collection(graph, graph.value(root, MF.entries))]
    assert sorted(names) == sorted(SERVICE_DESCRIPTION_TESTS), "the runner knows every service-description test"
    return [pytest.param(name, id=name) for name in names]


@pytest.fixture(scope="session")
def w3c_server(tmp_path_factory) -> Iterator[str]:
    """A server over exactly the manifests' graph data, each file in the named graph its label gives."""
    folder = manifest_folder()
    assert folder is not None
    work = tmp_path_factory.mktemp("w3c")
    lines = []
    for test in read_protocol_tests(folder):
        for name, path in test.graphs.items():
            source = (folder / "protocol" / path.name).read_text(encoding="utf-8")
            lines += [f"{line.strip()[:-1].strip()} <{name}> ." for line in source.splitlines() if line.strip()]
    (work / "w3c.nq").write_text("\n".join(sorted(set(lines))) + "\n", encoding="utf-8")
    with running_server("--no-bundled", "--no-inference", "--data", str(work / "w3c.nq"), cwd=work) as url:
        yield url


def fingerprint(url: str) -> dict:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    return httpx.get(f"{url}/sparql", params={"query": query}, headers={"Accept": "application/json"}).json()


@pytest.mark.parametrize("test", _cases())
def test_protocol(w3c_server, test: ProtocolTest):
    before = fingerprint(w3c_server)
    for index, request in enumerate(test.requests):
        response = httpx.request(
            request.method, w3c_server + request.path, headers=request.headers, content=request.body, timeout=60
        )
        where = f"{test.name} request {index + 1} ({request.method} {request.path[:60]})"
        if request.is_update:
            assert 400 <= response.status_code < 500, f"{where}: an update must be refused, got {response.status_code}"
            continue
        assert response.status_code // 100 in request.statuses, f"{where}: status {response.status_code}"
        if request.result_format is not None:
            check_format(response, request, where, exact_boolean=not test.is_update)
    assert fingerprint(w3c_server) == before, f"{test.name}: the dataset changed"


def check_format(response: httpx.Response, request: HttpRequest, where: str, exact_boolean: bool) -> None:
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type in RESULT_TYPES[request.result_format], f"{where}: {media_type} is not {request.result_format}"
    if request.result_format == "RDF":
        Graph().parse(data=response.content, format=RDFLIB_FORMATS[media_type])
    elif media_type.endswith("json"):
        document = json.loads(response.content)
        if request.result_format == "boolean" and request.boolean is not None and exact_boolean:
            assert document["boolean"] is request.boolean, f"{where}: ASK answered {document['boolean']}"
    elif media_type.endswith("xml"):
        minidom.parseString(response.content)


@pytest.mark.parametrize("name", _service_description_cases())
def test_service_description(w3c_server, name: str):
    endpoint = f"{w3c_server}/sparql"
    accept = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8"
    response = httpx.get(endpoint, headers={"Accept": accept})
    assert response.status_code == 200
    media_type = response.headers["content-type"].split(";")[0]
    graph = Graph().parse(data=response.content, format=RDFLIB_FORMATS[media_type])
    if name == "returns-rdf":
        assert len(graph) > 0
    elif name == "has-endpoint-triple":
        assert (None, SD.endpoint, URIRef(endpoint)) in graph
    else:
        conforms_to_schema(graph)


def conforms_to_schema(graph: Graph) -> None:
    """Every sd: term is one the vocabulary defines, and the description has the shape its schema gives."""
    for s, p, o in graph:
        if str(p).startswith(str(SD)):
            assert str(p)[len(SD) :] in SD_PROPERTIES, f"unknown property {p}"
        for term in (s, o):
            if isinstance(term, URIRef) and str(term).startswith(str(SD)):
                assert str(term)[len(SD) :] in SD_CLASSES | SD_INSTANCES, f"unknown term {term}"
    services = list(graph.subjects(RDF.type, SD.Service))
    assert len(services) == 1
    service = services[0]
    languages = set(graph.objects(service, SD.supportedLanguage))
    assert languages and languages <= {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
    assert SD.SPARQL11Update not in languages, "a read-only endpoint does not claim Update"
    for dataset in graph.objects(service, SD.defaultDataset):
        assert (dataset, RDF.type, SD.Dataset) in graph
        for default in graph.objects(dataset, SD.defaultGraph):
            assert (default, RDF.type, SD.Graph) in graph
        for named in graph.objects(dataset, SD.namedGraph):
            assert (named, RDF.type, SD.NamedGraph) in graph
            assert len(list(graph.objects(named, SD.name))) == 1
            assert isinstance(graph.value(named, SD.name), URIRef)
