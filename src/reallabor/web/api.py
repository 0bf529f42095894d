"""The named questions as a REST API: /api/queries, /api/queries/{name}?param=…, /api/openapi.json.

A question's parameters are its URL parameters (typed and bound as RDF terms by ``queries``); the result
format comes from the Accept header, a ``format`` parameter or a suffix (``/api/queries/labs.csv``). The
OpenAPI description is generated from the same catalogue, so it never drifts from the ``.rq`` files.
"""

from __future__ import annotations

import json
from functools import cache

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import ReallaborError
from ..graph import KnowledgeGraph
from ..queries import NamedQuery, Parameter, get_query
from .evaluate import Job
from .executor import QueryExecutor
from .negotiation import media_types, offered
from .settings import WebSettings
from .sparql_protocol import answer_response, error_response

FORMAT_PARAMETER = "format"


def api_routes(kg: KnowledgeGraph, executor: QueryExecutor, settings: WebSettings) -> list[BaseRoute]:
    async def listing(request: Request) -> Response:
        return JSONResponse([describe_query(q) for q in kg.named_queries()])

    async def openapi(request: Request) -> Response:
        body = json.dumps(openapi_document(kg), ensure_ascii=False, indent=2).encode("utf-8")
        return Response(body, media_type="application/json")

    async def answer(request: Request) -> Response:
        try:
            job = query_job(kg, request)
        except ReallaborError as exc:
            return error_response(exc.http_status, str(exc))
        return answer_response(request, await executor.run(job))

    return [
        Route("/api/queries", listing, methods=["GET"]),
        Route("/api/openapi.json", openapi, methods=["GET"]),
        Route("/api/queries/{name}", answer, methods=["GET"]),
    ]


def query_job(kg: KnowledgeGraph, request: Request) -> Job:
    """The job for GET /api/queries/{name}: unknown names are a 404 here, bad parameters a 400 in the worker."""
    from .sparql_protocol import RequestError, query_parameters

    name, suffix = _split_suffix(kg, request.path_params["name"])
    get_query(name, kg.queries_folder)
    params: dict[str, str] = {}
    for key, values in query_parameters(request.url.query).items():  # strict UTF-8, unlike request.query_params
        if len(values) > 1:
            raise RequestError(400, f"{name}: parameter {key!r} is given twice")
        params[key] = values[0]
    explicit = params.pop(FORMAT_PARAMETER, None) or suffix
    return Job(named=name, params=tuple(sorted(params.items())), accept=request.headers.get("accept"), format=explicit)


def _split_suffix(kg: KnowledgeGraph, name: str) -> tuple[str, str | None]:
    """``labs.csv`` -> (``labs``, ``csv``) when ``labs`` is a named question."""
    stem, dot, suffix = name.rpartition(".")
    if dot and stem in {q.name for q in kg.named_queries()}:
        return stem, suffix
    return name, None


def describe_query(query: NamedQuery) -> dict:
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "kind": query_kind(query.text),
        "parameters": [_describe_parameter(p) for p in query.parameters],
        "href": f"/api/queries/{query.name}",
    }


def _describe_parameter(param: Parameter) -> dict:
    out = {"name": param.name, "type": param.type, "required": param.required, "description": param.description}
    out |= {k: v for k, v in (("default", param.default), ("example", param.example), ("class", param.cls)) if v}
    return out


@cache
def query_kind(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, from the parsed query (the catalogue is small and parsed once)."""
    from .evaluate import parse

    name = parse(text).algebra.name
    return name.removesuffix("Query").upper()


def openapi_document(kg: KnowledgeGraph) -> dict:
    """OpenAPI 3.1 for the SPARQL endpoint, the listing and one path per named question."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        package_version = version("reallabor")
    except PackageNotFoundError:
        package_version = "0"
    paths = {
        "/sparql": _sparql_path(),
        "/api/queries": {
            "get": {
                "summary": "List the named questions with their parameters",
                "operationId": "listQueries",
                "responses": {"200": {"description": "The named questions", "content": {"application/json": {}}}},
            }
        },
    }
    for query in kg.named_queries():
        paths[f"/api/queries/{query.name}"] = {"get": _query_operation(query)}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "reallabor: named questions and SPARQL endpoint",
            "version": package_version,
            "description": "Real-world labs, their measures, megatrends and UN SDGs as linked open data.",
        },
        "paths": paths,
    }


def _query_operation(query: NamedQuery) -> dict:
    kind = "rdf" if query_kind(query.text) in ("CONSTRUCT", "DESCRIBE") else "results"
    formats = offered(kind)
    parameters = [_openapi_parameter(p) for p in query.parameters]
    parameters.append(
        {
            "name": FORMAT_PARAMETER,
            "in": "query",
            "required": False,
            "description": "Result format; overrides the Accept header.",
            "schema": {"type": "string", "enum": [f.name for f in formats]},
        }
    )
    content = {media: {} for form in formats for media in media_types(form)}
    return {
        "summary": query.title,
        "description": query.description,
        "operationId": query.name,
        "parameters": parameters,
        "responses": {
            "200": {"description": "The answer", "content": content},
            "304": {"description": "Not modified (If-None-Match matched the ETag)"},
            "400": {"description": "A parameter is missing, unknown or ill-typed"},
            "406": {"description": "No offered format matches the Accept header"},
            "503": {"description": "The query ran past the time limit"},
        },
    }


def _openapi_parameter(param: Parameter) -> dict:
    schema: dict = {"type": "integer" if param.type == "integer" else "string"}
    if param.default is not None:
        schema["default"] = param.default
    out = {
        "name": param.name,
        "in": "query",
        "required": param.required,
        "description": param.description or param.type,
        "schema": schema,
    }
    if param.example:
        out["example"] = param.example
    return out


def _sparql_path() -> dict:
    results = {media: {} for kind in ("results", "rdf") for form in offered(kind) for media in media_types(form)}
    responses = {
        "200": {"description": "Query results (SELECT/ASK) or RDF (CONSTRUCT/DESCRIBE)", "content": results},
        "400": {"description": "SPARQL syntax error (the parser's message)"},
        "403": {"description": "SPARQL Update is refused: the endpoint is read-only"},
        "503": {"description": "The query ran past the time limit"},
    }
    query = {"name": "query", "in": "query", "required": False, "schema": {"type": "string"}}
    graphs = [
        {"name": n, "in": "query", "required": False, "schema": {"type": "array", "items": {"type": "string"}}}
        for n in ("default-graph-uri", "named-graph-uri")
    ]
    return {
        "get": {
            "summary": "SPARQL 1.1 query (without a query: the service description)",
            "operationId": "sparqlGet",
            "parameters": [query, *graphs],
            "responses": responses,
        },
        "post": {
            "summary": "SPARQL 1.1 query by form or direct POST",
            "operationId": "sparqlPost",
            "parameters": graphs,
            "requestBody": {
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {"type": "object", "properties": {"query": {"type": "string"}}}
                    },
                    "application/sparql-query": {"schema": {"type": "string"}},
                }
            },
            "responses": responses,
        },
    }
