"""The ASGI application: the SPARQL endpoint and REST API (this package) plus the HTML pages, if installed.

``router(kg, settings)`` is the mountable part (``Mount("/lod", app=router(kg, settings))`` in another
Starlette app); ``create_app`` wraps it with the HTTP limits, CORS and the worker pool's lifespan.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute, Router

from ..graph import KnowledgeGraph
from .executor import QueryExecutor
from .settings import WebSettings


def routes(kg: KnowledgeGraph, settings: WebSettings, executor: QueryExecutor) -> list[BaseRoute]:
    """Every route of the web layer: /sparql, /api, and part B's pages when ``reallabor.web.pages`` exists."""
    from .api import api_routes
    from .sparql_protocol import sparql_routes

    return [*sparql_routes(executor, settings), *api_routes(kg, executor, settings), *_page_routes(kg, settings)]


def _page_routes(kg: KnowledgeGraph, settings: WebSettings) -> list[BaseRoute]:
    try:
        pages = importlib.import_module("reallabor.web.pages")
    except ModuleNotFoundError as exc:
        if exc.name != "reallabor.web.pages":  # a missing dependency inside pages is a real error
            raise
        return []
    return list(pages.page_routes(kg, settings))


def router(kg: KnowledgeGraph, settings: WebSettings | None = None) -> Router:
    """The routes as a plain ASGI router that another application can mount.

    A mounted router's lifespan does not run, so the query workers start on the first query and stop at exit.
    """
    settings = settings or WebSettings()
    executor = QueryExecutor(kg, settings)
    return Router(routes=routes(kg, settings, executor), lifespan=_lifespan(executor))


def _lifespan(executor: QueryExecutor):
    @contextlib.asynccontextmanager
    async def lifespan(app) -> AsyncIterator[None]:
        executor.start()
        try:
            yield
        finally:
            executor.close()

    return lifespan


def create_app(kg: KnowledgeGraph, settings: WebSettings | None = None) -> Starlette:
    """The whole site as a Starlette app: routes, CORS for every origin in the settings, worker lifespan."""
    settings = settings or WebSettings()
    executor = QueryExecutor(kg, settings)
    from .limits import LimitsMiddleware

    middleware = [
        Middleware(LimitsMiddleware, settings=settings),
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
            allow_headers=["*"],
            expose_headers=["ETag", "X-Reallabor-Truncated", "Content-Location"],
            max_age=86400,
        ),
    ]
    return Starlette(routes=routes(kg, settings, executor), middleware=middleware, lifespan=_lifespan(executor))
