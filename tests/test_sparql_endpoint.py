"""The SPARQL 1.1 Protocol endpoint, served by the real `reallabor serve` on a free loopback port.

Queried with SPARQLWrapper (a real SPARQL client) and httpx; answers are compared with the same query
asked of the library (the ``kg`` fixture), never with hard-coded values.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic

from reallabor.results import write_result

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
GRAPH_A = "http://example.org/graph/a"
GRAPH_B = "http://example.org/graph/b"
TRIG = f"""
<{GRAPH_A}> {{ <http://example.org/a> <http://example.org/p> "in A" . }}
<{GRAPH_B}> {{ <http://example.org/b> <http://example.org/p> "in B" . }}
"""
LABS = "SELECT ?lab WHERE { ?lab a <https://w3id.org/reallabor/ontology#RealWorldLab> } ORDER BY ?lab"
CONSTRUCT = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> CONSTRUCT { ?lab skos:prefLabel ?label } "
    "WHERE { ?lab a <https://w3id.org/reallabor/ontology#RealWorldLab> ; skos:prefLabel ?label }"
)
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ROW_LIMIT = 200


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(*args: str, cwd: Path | None = None) -> Iterator[str]:
    """Start `reallabor serve ARGS` on a free port, yield its base URL, stop it (SIGTERM) afterwards."""
    port = free_port()
    with running_process([sys.executable, "-m", "reallabor.cli", "serve", "--port", str(port), *args], port, cwd):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def running_process(
    command: list[str], port: int, cwd: Path | None = None, ready: str = "/sparql", log_path: Path | None = None
) -> Iterator[None]:
    """Run ``command`` (a server on ``port``) until the block ends; its output goes to ``log_path`` if given."""
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w+b") if log_path else tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=cwd or tempfile.gettempdir())
        try:
            _wait_until_ready(process, url + ready, log)
            yield
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(process: subprocess.Popen, endpoint: str, log) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"reallabor serve exited with {process.returncode}:\n{log.read().decode()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(endpoint, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return
        time.sleep(0.2)
    pytest.fail("reallabor serve did not answer within 300 s")


@pytest.fixture(scope="session")
def endpoint_server(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("endpoint")
    (folder / "extra.trig").write_text(TRIG, encoding="utf-8")
    options = ["--query-timeout", "2", "--row-limit", str(ROW_LIMIT), "--max-query-bytes", "4096"]
    with running_server(*options, "--data", str(folder / "extra.trig"), cwd=folder) as url:
        yield url


@pytest.fixture(scope="session")
def sparql_url(endpoint_server) -> str:
    return f"{endpoint_server}/sparql"


def wrapper(url: str, query: str, return_format: str, method: str = "GET", direct: bool = False):
    from SPARQLWrapper import POST, POSTDIRECTLY, SPARQLWrapper

    client = SPARQLWrapper(url)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    client.setMethod(method)
    if method == POST and direct:
        client.setRequestMethod(POSTDIRECTLY)
    return client.query()


def expected_labs(kg) -> list[str]:
    return [str(row["lab"]) for row in kg.sparql(LABS).rows]


# -- SELECT / ASK in every results format ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "direct"), [("GET", False), ("POST", False), ("POST", True)], ids=["get", "post-form", "post-direct"]
)
def test_select_json_by_every_method(sparql_url, kg, method, direct):
    result = wrapper(sparql_url, LABS, "json", method, direct).convert()
    labs = [b["lab"]["value"] for b in result["results"]["bindings"]]
    assert labs == expected_labs(kg)
    assert labs, "the bundled graph has labs"


def test_select_xml(sparql_url, kg):
    document = wrapper(sparql_url, LABS, "xml").convert()
    uris = [node.firstChild.data for node in document.getElementsByTagName("uri")]
    assert uris == expected_labs(kg)


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_select_csv_tsv(sparql_url, kg, fmt):
    response = wrapper(sparql_url, LABS, fmt)
    assert response.response.headers["Content-Type"].startswith({"csv": "text/csv", "tsv": "text/tab-separated"}[fmt])
    assert response.convert() == write_result(kg.sparql(LABS), fmt).encode("utf-8")


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("query", "expected"),
    [("ASK { ?s a <https://w3id.org/reallabor/ontology#RealWorldLab> }", True), ("ASK { <urn:x:none> ?p ?o }", False)],
)
def test_ask(sparql_url, fmt, query, expected):
    converted = wrapper(sparql_url, query, fmt).convert()
    assert (converted["boolean"] if fmt == "json" else _xml_boolean(converted)) is expected


def _xml_boolean(document) -> bool:
    return document.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("text/csv;q=0.2, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
        (None, "application/sparql-results+json"),
    ],
)
def test_select_by_accept_header(sparql_url, accept, media_type):
    headers = {"Accept": accept} if accept else {}
    response = httpx.get(sparql_url, params={"query": LABS}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]


def test_unacceptable_format_is_406(sparql_url):
    response = httpx.get(sparql_url, params={"query": LABS}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "Accept" in response.text


# -- CONSTRUCT / DESCRIBE in every RDF format -----------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_by_accept(sparql_url, kg, accept, rdflib_format):
    response = httpx.post(sparql_url, data={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    served = Graph().parse(data=response.content, format=rdflib_format)
    assert len(served) > 0
    assert isomorphic(served, kg.sparql(CONSTRUCT).graph)


@pytest.mark.parametrize("return_format", ["turtle", "json-ld", "xml"])
def test_construct_with_sparqlwrapper(sparql_url, kg, return_format):
    converted = wrapper(sparql_url, CONSTRUCT, return_format).convert()
    graph = converted if isinstance(converted, Graph) else Graph().parse(data=converted, format=return_format)
    assert len(graph) > 0
    assert isomorphic(graph, kg.sparql(CONSTRUCT).graph)


def test_describe_returns_the_resource(sparql_url, kg):
    lab = expected_labs(kg)[0]
    response = httpx.get(sparql_url, params={"query": f"DESCRIBE <{lab}>"}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    assert (URIRef(lab), None, None) in graph


# -- service description ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("accept", "fmt"), [(None, "turtle"), ("application/ld+json", "json-ld")])
def test_service_description(sparql_url, accept, fmt):
    response = httpx.get(sparql_url, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format=fmt)
    services = list(graph.subjects(SD.endpoint, URIRef(sparql_url)))
    assert len(services) == 1
    assert (services[0], SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (None, SD.name, URIRef(GRAPH_A)) in graph, "the --data file's named graphs are described"
    assert (services[0], SD.resultFormat, URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV")) in graph


# -- the dataset of a query ------------------------------------------------------------------------------

ASK_A = 'ASK { <http://example.org/a> <http://example.org/p> "in A" }'
ASK_B = 'ASK { <http://example.org/b> <http://example.org/p> "in B" }'


def ask(url: str, query: str, **params) -> bool:
    response = httpx.get(url, params={"query": query, **params}, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def test_trig_named_graphs_are_kept_and_the_default_graph_is_their_union(sparql_url):
    assert ask(sparql_url, ASK_A) and ask(sparql_url, ASK_B)
    assert ask(sparql_url, f"ASK {{ GRAPH <{GRAPH_A}> {{ <http://example.org/a> ?p ?o }} }}")


def test_default_graph_uri_restricts_the_default_graph(sparql_url):
    assert ask(sparql_url, ASK_A, **{"default-graph-uri": GRAPH_A})
    assert not ask(sparql_url, ASK_B, **{"default-graph-uri": GRAPH_A})
    assert not ask(
        sparql_url, "ASK { ?s a <https://w3id.org/reallabor/ontology#RealWorldLab> }", **{"default-graph-uri": GRAPH_A}
    )


def test_named_graph_uri_lists_exactly_the_named_graphs(sparql_url):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = httpx.get(
        sparql_url, params=[("query", query), ("named-graph-uri", GRAPH_B)], headers={"Accept": "application/json"}
    )
    graphs = [b["g"]["value"] for b in response.json()["results"]["bindings"]]
    assert graphs == [GRAPH_B]
    assert not ask(sparql_url, ASK_A, **{"named-graph-uri": GRAPH_B}), "with only named graphs the default is empty"


def test_from_clause_uses_loaded_graphs_and_protocol_overrides_it(sparql_url):
    assert ask(sparql_url, f"ASK FROM <{GRAPH_A}> {{ <http://example.org/a> ?p ?o }}")
    assert not ask(sparql_url, f"ASK FROM <{GRAPH_A}> {{ <http://example.org/b> ?p ?o }}")
    query = f"ASK FROM <{GRAPH_A}> {{ <http://example.org/b> ?p ?o }}"
    assert ask(sparql_url, query, **{"default-graph-uri": GRAPH_B})


def test_from_never_fetches_from_the_web(sparql_url):
    # The endpoint's own URL would answer a fetch; a local-only dataset leaves the graph empty.
    assert not ask(sparql_url, f"ASK FROM <{sparql_url}> {{ ?s ?p ?o }}")


# -- read-only ---------------------------------------------------------------------------------------------

INSERT = 'INSERT DATA { <http://example.org/x> <http://example.org/p> "inserted" }'
ASK_INSERTED = 'ASK { <http://example.org/x> <http://example.org/p> "inserted" }'


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "POST", "content": INSERT, "headers": {"Content-Type": "application/sparql-update"}},
        {"method": "POST", "data": {"update": INSERT}},
        {"method": "GET", "params": {"update": INSERT}},
        {"method": "POST", "data": {"update": "CLEAR ALL"}},
        {"method": "POST", "content": "DROP ALL", "headers": {"Content-Type": "application/sparql-update"}},
    ],
    ids=["direct", "form", "get", "clear-all", "drop-all"],
)
def test_updates_are_refused_and_change_nothing(sparql_url, request_kwargs):
    size_before = httpx.get(sparql_url, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}).json()
    response = httpx.request(url=sparql_url, **request_kwargs)
    assert response.status_code == 403
    assert "read-only" in response.text
    assert not ask(sparql_url, ASK_INSERTED)
    assert ask(sparql_url, ASK_A)
    assert httpx.get(sparql_url, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}).json() == size_before


def test_update_sent_as_a_query_is_refused(sparql_url):
    response = httpx.get(sparql_url, params={"query": INSERT})
    assert response.status_code == 400
    assert "read-only" in response.text
    assert not ask(sparql_url, ASK_INSERTED)


# -- bad requests ----------------------------------------------------------------------------------------


def test_syntax_error_is_400_with_the_parser_message(sparql_url):
    response = httpx.get(sparql_url, params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert response.text.startswith("SPARQL syntax error: Expected")
    assert "line:1" in response.text
    assert "Traceback" not in response.text
    assert response.text.count("\n") == 1


@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        ({"method": "PUT", "params": {"query": "ASK {}"}}, 405),
        ({"method": "GET", "params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
        ({"method": "POST", "content": "ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
        ({"method": "POST", "content": "query=ASK%20%7B%7D"}, 415),
        (
            {
                "method": "POST",
                "content": "ASK {}".encode("utf-16"),
                "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"},
            },
            415,
        ),
        ({"method": "POST", "content": b"ASK {\xff}", "headers": {"Content-Type": "application/sparql-query"}}, 400),
        ({"method": "POST", "data": {"default-graph-uri": GRAPH_A}}, 400),
        ({"method": "GET", "params": {"query": "ASK {} #" + "x" * 5000}}, 413),
    ],
    ids=["put", "two-queries", "text-plain", "no-content-type", "utf-16", "bad-utf-8", "no-query", "too-long"],
)
def test_bad_requests_are_4xx_with_a_message(sparql_url, request_kwargs, status):
    response = httpx.request(url=sparql_url, **request_kwargs)
    assert response.status_code == status
    assert response.text.strip()


def test_service_is_refused_by_default(sparql_url):
    response = httpx.get(sparql_url, params={"query": f"SELECT * WHERE {{ SERVICE <{sparql_url}> {{ ?s ?p ?o }} }}"})
    assert response.status_code == 400
    assert "SERVICE" in response.text


# -- limits ------------------------------------------------------------------------------------------------


def test_row_limit_cuts_the_result_and_says_so(sparql_url, kg):
    assert len(kg.sparql("SELECT * WHERE { ?s ?p ?o }").rows) > ROW_LIMIT
    response = httpx.get(sparql_url, params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert len(response.json()["results"]["bindings"]) == ROW_LIMIT
    assert response.headers["x-reallabor-truncated"] == "true"
    small = httpx.get(sparql_url, params={"query": LABS})
    assert "x-reallabor-truncated" not in small.headers


def test_row_limit_applies_to_construct(sparql_url):
    response = httpx.get(
        sparql_url, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "application/n-triples"}
    )
    assert len(Graph().parse(data=response.text, format="nt")) == ROW_LIMIT
    assert response.headers["x-reallabor-truncated"] == "true"


@pytest.mark.slow
def test_timeout_stops_a_pathological_query_and_the_server_stays_responsive(sparql_url):
    outcome: dict[str, httpx.Response] = {}
    heavy = threading.Thread(
        target=lambda: outcome.setdefault("heavy", httpx.post(sparql_url, data={"query": CROSS_PRODUCT}, timeout=120))
    )
    heavy.start()
    # While the cross product runs, the server answers other requests.
    assert httpx.get(sparql_url, timeout=60).status_code == 200
    assert ask(sparql_url, ASK_A)
    heavy.join()
    assert outcome["heavy"].status_code == 503
    assert "time limit of 2 s" in outcome["heavy"].text
    # And after it was stopped, queries still run (the killed worker was replaced).
    for _ in range(3):
        assert ask(sparql_url, ASK_B)


# -- HTTP caching and CORS ---------------------------------------------------------------------------------


def test_etag_and_not_modified(sparql_url):
    first = httpx.get(sparql_url, params={"query": LABS})
    tag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    again = httpx.get(sparql_url, params={"query": LABS}, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    other_format = httpx.get(sparql_url, params={"query": LABS}, headers={"If-None-Match": tag, "Accept": "text/csv"})
    assert other_format.status_code == 200
    assert other_format.headers["etag"] != tag


def test_cors_simple_and_preflight(sparql_url):
    simple = httpx.get(sparql_url, params={"query": "ASK {}"}, headers={"Origin": "https://portal.example"})
    assert simple.headers["access-control-allow-origin"] == "*"
    preflight = httpx.options(
        sparql_url,
        headers={
            "Origin": "https://portal.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-origin"] == "*"


def test_serve_reports_a_busy_port_in_one_line(cli, sparql_url):
    port = sparql_url.split(":")[2].split("/")[0]
    result = cli("serve", "--port", port, "--no-inference", "--no-bundled")
    assert result.returncode == 2
    assert result.stderr.decode().startswith(f"reallabor: error: --host 127.0.0.1 --port {port}: cannot listen")
    assert b"Traceback" not in result.stderr


def test_serve_rejects_bad_settings(cli):
    result = cli("serve", "--query-timeout", "0", "--no-bundled", "--no-inference")
    assert result.returncode == 2
    assert b"--query-timeout" in result.stderr
    assert b"Traceback" not in result.stderr


MOUNTING_APP = """
import sys
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from reallabor import KnowledgeGraph
from reallabor.web import WebSettings, router
kg = KnowledgeGraph.load([sys.argv[2]], bundled=False, inference=False)
app = Starlette(routes=[Mount("/lod", app=router(kg, WebSettings(query_timeout=5)))])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def test_router_mounts_in_another_app(tmp_path):
    (tmp_path / "extra.trig").write_text(TRIG, encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-c", MOUNTING_APP, str(port), str(tmp_path / "extra.trig")]
    with running_process(command, port, tmp_path, ready="/lod/sparql"):
        url = f"http://127.0.0.1:{port}/lod/sparql"
        assert ask(url, ASK_A)
        assert not ask(url, ASK_A, **{"default-graph-uri": GRAPH_B})
        description = Graph().parse(data=httpx.get(url).text, format="turtle")
        assert (None, SD.endpoint, URIRef(url)) in description
        assert httpx.get(f"http://127.0.0.1:{port}/lod/api/queries").status_code == 200


@pytest.mark.slow
def test_oxigraph_store_behind_the_same_endpoint(tmp_path, kg):
    """With --store oxigraph the store answers the text itself; answers, limits and the timeout stay the same."""
    options = ["--store", f"oxigraph:{tmp_path / 'store'}", "--query-timeout", "2", "--row-limit", "5"]
    with running_server(*options, cwd=tmp_path) as url:
        endpoint = f"{url}/sparql"
        response = httpx.get(endpoint, params={"query": LABS})
        assert [b["lab"]["value"] for b in response.json()["results"]["bindings"]] == expected_labs(kg)[:5]
        everything = httpx.get(endpoint, params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert len(everything.json()["results"]["bindings"]) == 5
        assert everything.headers["x-reallabor-truncated"] == "true"
        assert httpx.post(endpoint, data={"query": CROSS_PRODUCT}, timeout=60).status_code == 503
        assert httpx.get(f"{url}/api/queries/labs-by-sdg", params={"sdg": "8", "format": "csv"}).content == (
            write_result(kg.query("labs-by-sdg", sdg="8"), "csv").encode("utf-8")
        )
