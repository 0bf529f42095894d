"""reallabor: a knowledge graph and linked-open-data toolkit for municipal real-world labs.

The public surface is small: load a ``KnowledgeGraph``, ask it named or ad-hoc SPARQL questions, export it.
Importing the package is cheap: names are resolved on first use (PEP 562), so ``reallabor query`` answering
from a warm snapshot never imports rdflib, and reasoners, validators and web stacks load only when needed.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "GraphInfo": "graph",
    "KnowledgeGraph": "graph",
    "QueryResult": "results",
    "InputError": "errors",
    "ParameterError": "errors",
    "QuerySyntaxError": "errors",
    "ReallaborError": "errors",
    "RemoteError": "errors",
    "UnknownQueryError": "errors",
    "ValidationFailed": "errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'reallabor' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
