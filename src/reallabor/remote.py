"""Remote SPARQL 1.1 endpoints (Fuseki, GraphDB, Virtuoso, QLever, Oxigraph server) behind the ``Store`` protocol.

Queries go through SPARQLWrapper; the answer is read as SPARQL JSON results (or Turtle for CONSTRUCT) and
turned into the same ``QueryResult`` the local stores give, so every writer and every named question works
unchanged. The HTTP plumbing here (credentials, timeout, retries, one-line errors) is shared with ``gsp``.

Credentials never appear in messages: they come from ``REALLABOR_SPARQL_TOKEN`` (bearer),
``REALLABOR_SPARQL_USER`` + ``REALLABOR_SPARQL_PASSWORD`` (basic), or a netrc file (``REALLABOR_NETRC``,
``NETRC`` or ``~/.netrc``; an entry with ``account bearer`` holds a bearer token as its password).
"""

from __future__ import annotations

import base64
import http.client
import io
import os
import re
import socket
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

from rdflib import Graph

from .errors import InputError, ReallaborError, RemoteError
from .results import QueryResult

T = TypeVar("T")
# Strings, IRIs and comments, so that a "#" inside a string or an IRI is not taken for a comment.
_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_PROLOGUE = re.compile(r"^(?:\s*(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>))*", re.IGNORECASE)
RETRY_STATUSES = frozenset({429, 503})
MAX_RETRY_AFTER = 30.0
_GRAPH_KINDS = ("CONSTRUCT", "DESCRIBE")
_MEDIA_ALIASES = {"application/json": "application/sparql-results+json", "application/turtle": "text/turtle"}


class HTTPStatusError(RemoteError):
    """The service answered with an HTTP error status (kept in ``status`` so callers can say more)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Settings:
    """How patient to be with a remote service: seconds per request, retries on 429/503/resets, first backoff."""

    timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.5


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes

    @property
    def media_type(self) -> str:
        media = self.content_type.split(";")[0].strip().lower()
        return _MEDIA_ALIASES.get(media, media)


# -- credentials ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    scheme: str  # "basic" or "bearer"
    user: str
    secret: str

    def header(self) -> str:
        if self.scheme == "bearer":
            return f"Bearer {self.secret}"
        token = base64.b64encode(f"{self.user}:{self.secret}".encode()).decode("ascii")
        return f"Basic {token}"

    def __repr__(self) -> str:  # never show the secret, even in a debugger or a log
        return f"Credentials({self.scheme}, user={self.user!r}, secret=***)"


def credentials_for(url: str) -> Credentials | None:
    """Credentials for ``url`` from the environment, else from a netrc-style file, else none."""
    token = os.environ.get("REALLABOR_SPARQL_TOKEN")
    if token:
        return Credentials("bearer", "", token)
    user, password = os.environ.get("REALLABOR_SPARQL_USER"), os.environ.get("REALLABOR_SPARQL_PASSWORD")
    if user and password is not None:
        return Credentials("basic", user, password)
    return _netrc_credentials(url)


def _netrc_credentials(url: str) -> Credentials | None:
    import netrc

    explicit = os.environ.get("REALLABOR_NETRC") or os.environ.get("NETRC")
    path = Path(explicit) if explicit else Path.home() / ".netrc"
    if not path.is_file():
        if explicit:
            raise InputError(f"{path}: netrc file not found (REALLABOR_NETRC/NETRC)")
        return None
    try:
        entries = netrc.netrc(str(path))
    except netrc.NetrcParseError as exc:
        raise InputError(f"{path}: line {exc.lineno}: {exc.msg}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    parts = urlsplit(url)
    host = parts.hostname or ""
    entry = entries.authenticators(f"{host}:{parts.port}") if parts.port else None
    entry = entry or entries.authenticators(host)
    if entry is None:
        return None
    login, account, password = entry
    if (account or "").lower() == "bearer":
        return Credentials("bearer", "", password or "")
    return Credentials("basic", login or "", password or "")


# -- errors and retries -----------------------------------------------------------------------------------


def display_url(url: str) -> str:
    """``url`` without user info, query or fragment: safe to show."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def with_retries(attempt: Callable[[], T], url: str, settings: Settings) -> T:
    """Run ``attempt``; retry 429/503 and dropped connections with exponential backoff; map failures to RemoteError."""
    for number in range(settings.retries + 1):
        try:
            return attempt()
        except ReallaborError:
            raise
        except Exception as exc:
            delay = _retry_delay(exc, settings, number)
            if delay is not None and number < settings.retries:
                time.sleep(delay)
                continue
            raise describe_failure(exc, url, settings, attempts=number + 1) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _retry_delay(exc: Exception, settings: Settings, number: int) -> float | None:
    """Seconds to wait before retrying ``exc``, or None if it is not worth retrying."""
    backoff = settings.backoff * 2**number
    status = _status(exc)
    if status in RETRY_STATUSES:
        headers = getattr(exc, "headers", None)
        retry_after = headers.get("Retry-After") if headers is not None else None
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), MAX_RETRY_AFTER)
        return backoff
    if _is_dropped_connection(exc):
        return backoff
    return None


def _status(exc: BaseException) -> int | None:
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code
    from SPARQLWrapper import SPARQLExceptions as sw

    codes = {sw.QueryBadFormed: 400, sw.Unauthorized: 401, sw.EndPointNotFound: 404, sw.URITooLong: 414}
    codes[sw.EndPointInternalError] = 500
    return next((code for cls, code in codes.items() if isinstance(exc, cls)), None)


def _reason(exc: BaseException) -> BaseException:
    """The underlying OS error of a urllib error."""
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        reason = exc.reason
        return reason if isinstance(reason, BaseException) else exc
    return exc


def _is_dropped_connection(exc: BaseException) -> bool:
    reason = _reason(exc)
    return isinstance(reason, ConnectionResetError | BrokenPipeError | http.client.RemoteDisconnected)


def describe_failure(exc: BaseException, url: str, settings: Settings, attempts: int = 1) -> RemoteError:
    """One line saying what went wrong with ``url``, for people."""
    where = display_url(url)
    status = _status(exc)
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    if status is not None:
        return HTTPStatusError(_http_message(status, where, exc, tries), status)
    reason = _reason(exc)
    if isinstance(reason, TimeoutError | socket.timeout):
        return RemoteError(f"{where}: no answer within {settings.timeout:g} s (raise --timeout?)")
    if isinstance(reason, ConnectionRefusedError):
        return RemoteError(f"{where}: connection refused (is the store running on that host and port?)")
    if isinstance(reason, socket.gaierror):
        return RemoteError(f"{where}: unknown host {urlsplit(url).hostname!r}")
    if _is_dropped_connection(exc):
        return RemoteError(f"{where}: the connection was closed before an answer came{tries} (server stopped?)")
    if isinstance(reason, OSError):
        return RemoteError(f"{where}: cannot connect: {reason.strerror or reason}")
    if isinstance(exc, ValueError):
        return RemoteError(f"{where}: not a usable URL ({exc})")
    return RemoteError(f"{where}: {type(exc).__name__}: {' '.join(str(exc).split())}")


def _http_message(status: int, where: str, exc: BaseException, tries: str) -> str:
    if status == 401:
        return (
            f"{where}: 401 Unauthorized: credentials missing or wrong (set REALLABOR_SPARQL_USER and "
            "REALLABOR_SPARQL_PASSWORD, REALLABOR_SPARQL_TOKEN, or a netrc entry for the host)"
        )
    if status == 403:
        return f"{where}: 403 Forbidden: these credentials may not do this"
    if status == 404:
        return f"{where}: 404 Not Found (check the URL)"
    if status in RETRY_STATUSES:
        return f"{where}: HTTP {status}, the service is busy or unavailable{tries}"
    detail = _body_excerpt(exc)
    return f"{where}: HTTP {status}" + (f": {detail}" if detail else "")


def _body_excerpt(exc: BaseException) -> str:
    body = b""
    if isinstance(exc, urllib.error.HTTPError):
        try:
            body = exc.read() or b""
        except Exception:
            body = b""
    else:
        body = str(getattr(exc, "response", "") or "").encode()
    text = " ".join(body.decode("utf-8", "replace").split())
    return text[:200]


# -- plain HTTP (used by the Graph Store Protocol and SPARQL Update) ---------------------------------------


def http_request(
    method: str,
    url: str,
    settings: Settings,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """One HTTP request with credentials, timeout and retries; any failure is a one-line RemoteError."""
    all_headers = {"User-Agent": "reallabor", **(headers or {})}
    credentials = credentials_for(url)
    if credentials is not None:
        all_headers["Authorization"] = credentials.header()

    def attempt() -> Response:
        request = urllib.request.Request(url, data=data, headers=all_headers, method=method)
        with urllib.request.urlopen(request, timeout=settings.timeout) as answer:
            body = answer.read()
            return Response(answer.status, answer.headers.get("Content-Type", ""), body)

    return with_retries(attempt, url, settings)


# -- the store --------------------------------------------------------------------------------------------


class RemoteStore:
    """A SPARQL 1.1 query endpoint; ``graph`` is sent as default-graph-uri (the graph that was pushed)."""

    def __init__(
        self,
        endpoint: str,
        graph: str | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        if urlsplit(endpoint).scheme not in ("http", "https"):
            raise InputError(f"--endpoint {display_url(endpoint)!r}: give the http(s) URL of a SPARQL query service")
        self.endpoint = endpoint
        self.graph = graph
        self.settings = Settings(timeout, retries, backoff)

    def query(self, text: str) -> QueryResult:
        wrapper, kind = self._wrapper(text)

        def attempt() -> Response:
            answer = wrapper.query().response
            try:
                body = answer.read()
            finally:
                answer.close()
            return Response(answer.status, answer.headers.get("Content-Type", ""), body)

        response = with_retries(attempt, self.endpoint, self.settings)
        return parse_answer(kind, response, self.endpoint)

    def graph_sizes(self) -> dict[str, int]:
        if self.graph:
            rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
            return {self.graph: int(rows[0]["n"])} if rows else {}
        text = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        sizes = {str(row["g"]): int(row["n"]) for row in self.query(text).rows if "g" in row}
        return dict(sorted(sizes.items()))

    def _wrapper(self, text: str):
        from SPARQLWrapper import JSON, POST, TURTLE, URLENCODED, SPARQLWrapper

        kind = query_kind(text)
        if kind not in ("SELECT", "ASK", *_GRAPH_KINDS):
            raise InputError("--endpoint runs queries only; use `reallabor push` to change a remote store")
        wrapper = SPARQLWrapper(self.endpoint, agent="reallabor")
        with warnings.catch_warnings():  # its own guess at the query form warns; ours below replaces it
            warnings.simplefilter("ignore")
            wrapper.setQuery(text)
        wrapper.queryType = kind
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setReturnFormat(TURTLE if kind in _GRAPH_KINDS else JSON)
        wrapper.timeout = self.settings.timeout  # setTimeout() rounds down to whole seconds (0.5 -> no timeout)
        if self.graph:
            wrapper.addDefaultGraph(self.graph)
        credentials = credentials_for(self.endpoint)
        if credentials is not None:
            wrapper.addCustomHttpHeader("Authorization", credentials.header())
        return wrapper, kind


def query_kind(text: str) -> str:
    """SELECT, ASK, CONSTRUCT, DESCRIBE or an update keyword: the first word after comments and prologue.

    SPARQLWrapper's own guess misreads consecutive comment lines (our ``#+`` headers) and words such as
    ``rl:addressesMegatrend`` (it finds ``ADD``), so the form is read here and handed to it.
    """
    code = _TOKENS.sub(lambda m: " " if m.group().startswith("#") else m.group(), text)
    body = _PROLOGUE.sub("", code)
    word = re.match(r"\s*([A-Za-z]+)", body)
    return word.group(1).upper() if word else ""


def parse_answer(kind: str, response: Response, url: str) -> QueryResult:
    """The service's answer as a QueryResult; anything but SPARQL results (or RDF for CONSTRUCT) is an error."""
    from .formats import FORMATS

    wanted = "rdf" if kind in _GRAPH_KINDS else "results"
    form = next((f for f in FORMATS if f.media_type == response.media_type and f.kind == wanted), None)
    if form is None or (wanted == "results" and form.name not in ("json", "xml")):
        shown = response.media_type or "no content type"
        what = "RDF" if wanted == "rdf" else "SPARQL results"
        raise RemoteError(f"{display_url(url)}: answered with {shown}, not {what} (is this a SPARQL query URL?)")
    try:
        if wanted == "rdf":
            graph = Graph()
            graph.parse(data=response.body, format=form.rdflib_name)
            return QueryResult(kind, graph=graph)  # type: ignore[arg-type]
        from rdflib.query import Result

        from .store import from_rdflib

        return from_rdflib(Result.parse(io.BytesIO(response.body), format=form.name))
    except Exception as exc:  # the parsers raise many unrelated types
        detail = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise RemoteError(f"{display_url(url)}: unreadable {response.media_type} answer: {detail}") from None
