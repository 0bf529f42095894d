"""The HTTP layer: a SPARQL 1.1 Protocol endpoint, the REST API of named questions and the linked-data pages.

``create_app(kg, settings)`` gives a Starlette app; ``sparql_router`` / ``api_routes`` give the routes alone,
so another ASGI application can mount them. Starlette loads only when this package is imported.
"""

from __future__ import annotations

from .settings import WebSettings

__all__ = ["WebSettings", "create_app", "router"]


def __getattr__(name: str):
    # create_app/router import Starlette; keep `import reallabor.web.settings` light for the CLI's --help.
    if name in ("create_app", "router"):
        from . import app

        return getattr(app, name)
    raise AttributeError(name)
