"""The SPARQL 1.1 Protocol at /sparql: query by GET, by form POST and by direct POST; read-only.

This module only reads the HTTP request into a ``Job`` (query text, protocol dataset, Accept) and writes
the worker's ``Answer`` back with caching headers; evaluation happens in ``evaluate`` on the worker pool.
Updates are recognised by the protocol's own signals (an ``update`` parameter, the
``application/sparql-update`` media type) and refused with 403 before anything runs.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import ReallaborError
from .evaluate import Answer, Job
from .executor import QueryExecutor, etag
from .settings import WebSettings

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "this endpoint is read-only; SPARQL Update is not accepted"


class RequestError(ReallaborError):
    """A protocol request that cannot be served; carries its own HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.http_status = status


def sparql_routes(executor: QueryExecutor, settings: WebSettings) -> list[BaseRoute]:
    endpoint = SparqlEndpoint(executor, settings)
    return [Route(path, endpoint.handle, methods=["GET", "POST"]) for path in ("/sparql", "/sparql/")]


class SparqlEndpoint:
    def __init__(self, executor: QueryExecutor, settings: WebSettings) -> None:
        self.executor = executor
        self.settings = settings

    async def handle(self, request: Request) -> Response:
        try:
            params = await protocol_parameters(request, self.settings.max_query_bytes)
            queries = params.get("query", [])
            if len(queries) > 1:
                raise RequestError(400, "give exactly one 'query' parameter")
            if not queries:
                if request.method == "GET":
                    from .service_description import service_description

                    return service_description(request, self.executor.kg, self.settings)
                raise RequestError(400, "the request has no 'query' parameter")
            job = Job(
                query=queries[0],
                default_graphs=_graphs(params, "default-graph-uri"),
                named_graphs=_graphs(params, "named-graph-uri"),
                accept=request.headers.get("accept"),
                format=_format_hint(params),
                strict_format=False,
                base=_endpoint_url(request),
            )
        except ReallaborError as exc:
            return error_response(exc.http_status, str(exc))
        return answer_response(request, await self.executor.run(job))


async def protocol_parameters(request: Request, max_bytes: int) -> dict[str, list[str]]:
    """The request's parameters (URL and body) by name; refuses updates and unsupported bodies."""
    params = query_parameters(request.url.query)
    if request.method == "POST":
        media_type, charset = _content_type(request.headers.get("content-type", ""))
        if media_type == UPDATE:
            raise RequestError(403, READ_ONLY)
        body = await _body(request, max_bytes)
        if media_type == FORM:
            for name, values in query_parameters(_decode(body, charset)).items():
                params.setdefault(name, []).extend(values)
        elif media_type == QUERY:
            params.setdefault("query", []).append(_decode(body, charset))
        else:
            shown = media_type or "none"
            raise RequestError(415, f"POST needs Content-Type {FORM} or {QUERY} (got {shown})")
    if "update" in params:
        raise RequestError(403, READ_ONLY)
    if any(len(q.encode("utf-8")) > max_bytes for q in params.get("query", [])):
        raise RequestError(413, f"the query is longer than the limit of {max_bytes} bytes")
    return params


def query_parameters(text: str) -> dict[str, list[str]]:
    """Name -> values of a query string or form body; percent-encoded bytes that are not UTF-8 are a 400."""
    out: dict[str, list[str]] = {}
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, errors="strict")
    except UnicodeDecodeError:
        raise RequestError(400, "the parameters are not valid UTF-8") from None
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


def _content_type(header: str) -> tuple[str, str]:
    media_type, *params = (part.strip() for part in header.split(";"))
    charset = "utf-8"
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media_type.lower(), charset


async def _body(request: Request, max_bytes: int) -> bytes:
    """The body, read no further than the size limit (a form carries a little more than the query)."""
    limit = max_bytes * 3 + 4096
    from starlette.requests import ClientDisconnect

    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise RequestError(413, f"the request body is longer than the limit of {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise RequestError(400, "the client closed the connection before the body was complete") from None
    return b"".join(chunks)


def _decode(body: bytes, charset: str) -> str:
    if charset not in ("utf-8", "utf8"):
        raise RequestError(415, f"the body must be UTF-8 (got charset={charset})")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestError(400, f"the body is not valid UTF-8 (byte {exc.start})") from None


def _graphs(params: dict[str, list[str]], name: str) -> tuple[str, ...] | None:
    values = params.get(name)
    return None if values is None else tuple(values)


def _format_hint(params: dict[str, list[str]]) -> str | None:
    """A ``format`` parameter, not part of the protocol: clients such as SPARQLWrapper send it (even twice)."""
    values = set(params.get("format", []))
    return values.pop() if len(values) == 1 else None


def _endpoint_url(request: Request) -> str:
    return str(request.url.replace(query="", fragment="")).rstrip("?")


def error_response(status: int, message: str) -> Response:
    return PlainTextResponse(" ".join(message.split()) + "\n", status_code=status)


def answer_response(request: Request, answer: Answer) -> Response:
    """The worker's answer as a response; successful ones carry an ETag and answer If-None-Match with 304."""
    if answer.status != 200:
        return Response(answer.body, status_code=answer.status, media_type="text/plain; charset=utf-8")
    tag = etag(answer)
    headers = {"ETag": tag, "Vary": "Accept", "Cache-Control": "public, max-age=300"}
    if answer.truncated:
        headers["X-Reallabor-Truncated"] = "true"
    if tag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(answer.body, media_type=content_type(answer.media_type), headers=headers)


def content_type(media_type: str) -> str:
    """Text syntaxes say they are UTF-8; JSON and RDF/XML are UTF-8 by definition."""
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type
