"""Remote stores against a real triple store: the `oxigraph` server from PyPI on a free loopback port.

Faults come from small loopback HTTP servers started here: an auth proxy in front of the store, a slow one,
one that answers HTML, one that drops connections, one that is busy (503) for a while.
"""

from __future__ import annotations

import base64
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rdflib import BNode, Graph
from rdflib.compare import isomorphic

from reallabor import KnowledgeGraph
from reallabor.errors import InputError, RemoteError

from .helpers import concatenated_columns, row_multiset

GRAPH = "https://example.org/test/graph/bottrop"
UPDATE_GRAPH = "https://example.org/test/graph/bottrop-update"


# -- the real store ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def oxigraph_binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the `oxigraph` server is not installed (pip install oxigraph; it is in the test extra)")
    return found


class OxigraphServer:
    """An `oxigraph serve` process on a free loopback port, with its data in ``location``."""

    def __init__(self, location: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("oxigraph serve exited at start") from None
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("oxigraph serve did not start within 30 s")

    @property
    def query(self) -> str:
        return self.base + "/query"

    @property
    def update(self) -> str:
        return self.base + "/update"

    @property
    def store(self) -> str:
        return self.base + "/store"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-server"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pushed(oxigraph_server, tmp_path_factory) -> OxigraphServer:
    """Bottrop with its inferences pushed once by GSP and once by SPARQL Update (small chunks)."""
    for args in (
        ("--gsp", oxigraph_server.store, "--graph", GRAPH),
        ("--update", oxigraph_server.update, "--graph", UPDATE_GRAPH, "--chunk-size", "250"),
    ):
        command = [sys.executable, "-m", "reallabor.cli", "push", *args, "--inferred"]
        done = subprocess.run(command, capture_output=True, timeout=300)
        assert done.returncode == 0, done.stderr.decode()
    return oxigraph_server


# -- small loopback servers for faults --------------------------------------------------------------------


class FakeServer:
    """A threaded loopback HTTP server whose every request is answered by ``behaviour(handler)``."""

    def __init__(self, behaviour: Callable[[BaseHTTPRequestHandler], None]) -> None:
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                outer.requests += 1
                behaviour(self)

            do_GET = do_POST = do_PUT = _any

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_server() -> Iterator[Callable[[Callable[[BaseHTTPRequestHandler], None]], FakeServer]]:
    started: list[FakeServer] = []

    def start(behaviour: Callable[[BaseHTTPRequestHandler], None]) -> FakeServer:
        started.append(FakeServer(behaviour))
        return started[-1]

    yield start
    for server in started:
        server.close()


def forward(handler: BaseHTTPRequestHandler, target: str) -> None:
    """Pass the request on to ``target`` (the real store) and relay its answer."""
    length = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(length) if length else None
    headers = {k: v for k, v in handler.headers.items() if k.lower() in ("content-type", "accept")}
    request = urllib.request.Request(target + handler.path, data=body, headers=headers, method=handler.command)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, content_type, payload = answer.status, answer.headers.get("Content-Type", ""), answer.read()
    except urllib.error.HTTPError as exc:
        status, content_type, payload = exc.code, exc.headers.get("Content-Type", ""), exc.read()
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


def reply(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str, **headers: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()
    handler.wfile.write(body)


def auth_proxy(target: str, expected: str) -> Callable[[BaseHTTPRequestHandler], None]:
    def behaviour(handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("Authorization") != expected:
            reply(handler, 401, b"authentication required", "text/plain", WWW_Authenticate='Basic realm="store"')
            return
        forward(handler, target)

    return behaviour


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# -- comparing rows ---------------------------------------------------------------------------------------


def example_params(query) -> dict[str, str]:
    return {p.name: p.example for p in query.parameters if p.example is not None and p.name != "lang"}


# -- same rows, push, pull --------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("graph_iri", [GRAPH, UPDATE_GRAPH], ids=["gsp", "update"])
def test_every_named_question_gives_the_same_rows_remotely(kg, pushed, graph_iri):
    remote = KnowledgeGraph.remote(pushed.query, graph=graph_iri)
    questions = kg.named_queries()
    assert len(questions) >= 5
    for named in questions:
        for lang in ("de", "en"):
            params = {**example_params(named), "lang": lang}
            local = kg.query(named.name, params)
            there = remote.query(named.name, params)
            assert local.variables == there.variables, named.name
            concatenated = concatenated_columns(named.text)
            assert row_multiset(there, concatenated) == row_multiset(local, concatenated), named.name
            assert local.rows, f"{named.name} gives no rows: the comparison would prove nothing"


@pytest.mark.slow
def test_cli_remote_output_matches_local(cli, pushed):
    for fmt in ("csv", "json", "md"):
        args = ("query", "labs-by-sdg", "-p", "sdg=8", "-f", fmt)
        local = cli(*args)
        remote = cli(*args, "--endpoint", pushed.query, "--graph", GRAPH)
        assert remote.returncode == 0, remote.stderr.decode()
        assert remote.stdout == local.stdout


@pytest.mark.slow
def test_pull_gives_an_isomorphic_graph(kg, pushed, cli, tmp_path):
    for graph_iri in (GRAPH, UPDATE_GRAPH):
        target = tmp_path / "pulled.nt"
        done = cli("pull", "--gsp", pushed.store, "--graph", graph_iri, "-o", str(target))
        assert done.returncode == 0, done.stderr.decode()
        pulled = Graph().parse(target, format="nt")
        assert isomorphic(pulled, kg.graph(inferred=True))


@pytest.mark.slow
def test_push_twice_leaves_one_copy(kg, pushed, cli):
    expected = len(kg.graph(inferred=True))
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for args in (("--gsp", pushed.store), ("--update", pushed.update, "--chunk-size", "700")):
        target = f"https://example.org/test/graph/twice-{args[0].strip('-')}"
        for _ in range(2):
            done = cli("push", *args, "--graph", target, "--inferred")
            assert done.returncode == 0, done.stderr.decode()
        remote = KnowledgeGraph.remote(pushed.query, graph=target)
        assert int(remote.sparql(count).rows[0]["n"]) == expected


@pytest.mark.slow
def test_update_keeps_blank_nodes_whole_across_chunks(pushed, cli, tmp_path):
    source = tmp_path / "nested.ttl"
    source.write_text(
        "@prefix ex: <https://example.org/ns#> .\n"
        'ex:a ex:p [ ex:q [ ex:r "deep" ; ex:s ( 1 2 3 ) ] ; ex:t "x" ] .\n'
        'ex:b ex:p [ ex:q "other" ] , [ ex:q "other" ] .\n',
        encoding="utf-8",
    )
    graph_iri = "https://example.org/test/graph/bnodes"
    done = cli(
        "push", "--update", pushed.update, "--graph", graph_iri, "--chunk-size", "2",
        "--no-bundled", "--no-inference", "--data", str(source),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    target = tmp_path / "back.ttl"
    assert cli("pull", "--gsp", pushed.store, "--graph", graph_iri, "-o", str(target)).returncode == 0
    assert isomorphic(Graph().parse(target), Graph().parse(source))


def test_chunks_never_split_a_blank_node_and_lose_nothing():
    from reallabor.gsp import chunks

    graph = Graph().parse(
        data="@prefix ex: <https://example.org/ns#> . ex:a ex:p [ ex:q [ ex:r 1 ] ] . ex:b ex:p 2 . ex:c ex:p (1 2) .",
        format="turtle",
    )
    parts = list(chunks(graph, 1))
    assert sorted(t for part in parts for t in part) == sorted(graph)
    owners = {}
    for number, part in enumerate(parts):
        for s, _, o in part:
            for node in (s, o):
                if isinstance(node, BNode):
                    assert owners.setdefault(node, number) == number


@pytest.mark.slow
def test_service_federation_from_the_local_graph(pushed, cli, tmp_path):
    query = tmp_path / "federated.rq"
    query.write_text(
        "PREFIX rl: <https://w3id.org/reallabor/ontology#>\nPREFIX g: <https://example.org/test/graph/>\n"
        f"SELECT ?lab WHERE {{ SERVICE <{pushed.query}> {{ GRAPH g:bottrop {{ ?lab a rl:RealWorldLab }} }} }}\n"
        "ORDER BY ?lab\n",
        encoding="utf-8",
    )
    local = cli(
        "sparql",
        "SELECT ?lab WHERE { ?lab a <https://w3id.org/reallabor/ontology#RealWorldLab> } ORDER BY ?lab",
        "-f",
        "csv",
    )
    for store in ("memory", f"oxigraph:{tmp_path / 'ox'}"):
        done = cli("sparql", "--file", str(query), "-f", "csv", "--store", store)
        assert done.returncode == 0, done.stderr.decode()
        assert done.stdout == local.stdout and done.stdout.count(b"\n") > 1


@pytest.mark.slow
def test_named_question_endpoint_default(pushed):
    from reallabor.commands.options import open_graph

    graph = open_graph(None, GRAPH, 10.0, default_endpoint=pushed.query, data_files=(), store="memory")
    assert graph.store.endpoint == pushed.query
    assert graph.query("labs").rows


# -- credentials ------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_basic_bearer_and_netrc_credentials(pushed, cli, fake_server, tmp_path):
    secret = "s3cr3t-pa55"
    proxy = fake_server(auth_proxy(pushed.base, basic("alice", secret)))
    args = ("query", "labs", "-f", "csv", "--endpoint", proxy.url + "/query", "--graph", GRAPH)

    refused = cli(*args, env={"HOME": str(tmp_path)})
    assert refused.returncode == 2
    assert b"401" in refused.stderr and b"Traceback" not in refused.stderr
    assert len(refused.stderr.decode().strip().splitlines()) == 1

    wrong = cli(*args, env={"REALLABOR_SPARQL_USER": "alice", "REALLABOR_SPARQL_PASSWORD": "nope"})
    assert wrong.returncode == 2 and b"nope" not in wrong.stderr + wrong.stdout

    ok = cli(*args, env={"REALLABOR_SPARQL_USER": "alice", "REALLABOR_SPARQL_PASSWORD": secret})
    assert ok.returncode == 0, ok.stderr.decode()
    assert b"/lab/" in ok.stdout and secret.encode() not in ok.stderr

    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login alice password {secret}\n", encoding="utf-8")
    netrc.chmod(0o600)
    via_netrc = cli(*args, env={"REALLABOR_NETRC": str(netrc)})
    assert via_netrc.returncode == 0, via_netrc.stderr.decode()
    assert via_netrc.stdout == ok.stdout

    token = "tok-123"
    bearer_proxy = fake_server(auth_proxy(pushed.base, f"Bearer {token}"))
    bearer_args = ("query", "labs", "-f", "csv", "--endpoint", bearer_proxy.url + "/query", "--graph", GRAPH)
    assert cli(*bearer_args, env={"REALLABOR_SPARQL_TOKEN": token}).stdout == ok.stdout
    netrc.write_text(f"machine 127.0.0.1 account bearer password {token}\n", encoding="utf-8")
    assert cli(*bearer_args, env={"REALLABOR_NETRC": str(netrc)}).stdout == ok.stdout

    push = cli("push", "--gsp", proxy.url + "/store", "--graph", "https://example.org/test/graph/auth")
    assert push.returncode == 2 and b"401" in push.stderr


def test_credentials_never_show_their_secret():
    from reallabor.remote import Credentials

    creds = Credentials("basic", "alice", "hunter2")
    assert "hunter2" not in repr(creds) and "hunter2" not in str(creds)


# -- faults -----------------------------------------------------------------------------------------------


def assert_one_line_error(done, *fragments: str) -> None:
    message = done.stderr.decode()
    assert done.returncode == 2, message
    assert message.startswith("reallabor: error: ") and len(message.strip().splitlines()) == 1, message
    assert "Traceback" not in message
    for fragment in fragments:
        assert fragment in message, message


def test_wrong_port_is_a_clear_error(cli, tmp_path):
    target = tmp_path / "out.csv"
    done = cli("query", "labs", "--endpoint", f"http://127.0.0.1:{free_port()}/query", "-o", str(target))
    assert_one_line_error(done, "connection refused")
    assert not target.exists()


def test_unknown_host_is_a_clear_error():
    with pytest.raises(RemoteError, match="unknown host"):
        KnowledgeGraph.remote("http://no-such-host.invalid/sparql", timeout=5).query("labs")


def test_endpoint_must_be_http():
    with pytest.raises(InputError, match="http"):
        KnowledgeGraph.remote("ftp://example.org/sparql")


def test_html_instead_of_results_writes_nothing(cli, fake_server, tmp_path):
    server = fake_server(lambda h: reply(h, 200, b"<html><body>Welcome</body></html>", "text/html"))
    target = tmp_path / "out.json"
    target.write_bytes(b"previous")
    done = cli("query", "labs", "-f", "json", "--endpoint", server.url + "/sparql", "-o", str(target))
    assert_one_line_error(done, "text/html", "not SPARQL results")
    assert target.read_bytes() == b"previous"
    pulled = tmp_path / "pulled.ttl"
    done = cli("pull", "--gsp", server.url + "/store", "--graph", GRAPH, "-o", str(pulled))
    assert_one_line_error(done, "text/html", "not RDF")
    assert not pulled.exists()


def test_broken_json_is_a_clear_error(fake_server):
    server = fake_server(
        lambda h: reply(h, 200, b'{"head": {"vars": ["x"]}, "results": ', "application/sparql-results+json")
    )
    with pytest.raises(RemoteError, match="unreadable"):
        KnowledgeGraph.remote(server.url + "/sparql").query("labs")


def test_slow_answer_beyond_timeout(cli, fake_server, tmp_path):
    def slow(handler):
        time.sleep(3)
        reply(handler, 200, b"{}", "application/sparql-results+json")

    server = fake_server(slow)
    target = tmp_path / "out.csv"
    done = cli("query", "labs", "--endpoint", server.url + "/q", "--timeout", "0.5", "-o", str(target))
    assert_one_line_error(done, "no answer within 0.5 s")
    assert not target.exists()


def test_dropped_connections_are_retried_then_reported(fake_server):
    def drop(handler):
        handler.close_connection = True
        handler.wfile.flush()
        handler.connection.shutdown(socket.SHUT_RDWR)

    server = fake_server(drop)
    with pytest.raises(RemoteError, match="closed before an answer came after 3 attempts"):
        KnowledgeGraph.remote(server.url + "/q", retries=2, backoff=0.01).query("labs")
    assert server.requests == 3


@pytest.mark.slow
def test_busy_store_is_retried_with_backoff(pushed, fake_server):
    def busy_twice(handler):
        if server.requests <= 2:
            status = 429 if server.requests == 1 else 503
            reply(handler, status, b"busy", "text/plain", Retry_After="0")
        else:
            forward(handler, pushed.base)

    server = fake_server(busy_twice)
    result = KnowledgeGraph.remote(server.url + "/query", graph=GRAPH, backoff=0.01).query("labs")
    assert result.rows and server.requests == 3

    always_busy = fake_server(lambda h: reply(h, 503, b"busy", "text/plain"))
    with pytest.raises(RemoteError, match=r"503.*after 3 attempts"):
        KnowledgeGraph.remote(always_busy.url + "/query", retries=2, backoff=0.01).query("labs")


@pytest.mark.slow
def test_store_stopped_mid_run(cli, tmp_path):
    server = OxigraphServer(tmp_path / "store")
    try:
        assert cli("push", "--gsp", server.store, "--graph", GRAPH, "--inferred").returncode == 0
        remote = KnowledgeGraph.remote(server.query, graph=GRAPH, retries=0)
        assert remote.query("labs").rows
    finally:
        server.stop()
    with pytest.raises(RemoteError, match="connection refused"):
        remote.query("labs")
    target = tmp_path / "out.ttl"
    done = cli("pull", "--gsp", server.store, "--graph", GRAPH, "-o", str(target))
    assert_one_line_error(done, "connection refused")
    assert not target.exists()
    done = cli("push", "--update", server.update, "--graph", GRAPH)
    assert_one_line_error(done, "connection refused")


@pytest.mark.slow
def test_pull_of_a_missing_graph_and_bad_options(pushed, cli, tmp_path):
    done = cli("pull", "--gsp", pushed.store, "--graph", "https://example.org/none", "-o", str(tmp_path / "x.ttl"))
    assert_one_line_error(done, "not found")
    assert_one_line_error(cli("push", "--gsp", pushed.store, "--update", pushed.update), "exactly one")
    assert_one_line_error(cli("query", "labs", "--graph", GRAPH), "--endpoint")
    assert_one_line_error(cli("query", "labs", "--endpoint", pushed.query, "--data", "x.ttl"), "--data")
    assert_one_line_error(cli("sparql", "INSERT DATA { <a:b> <a:c> <a:d> }", "--endpoint", pushed.query), "push")
