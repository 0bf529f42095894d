"""reallabor: a knowledge graph and linked-open-data toolkit for municipal real-world labs.

The public surface is small: load a ``KnowledgeGraph``, ask it named or ad-hoc SPARQL questions, export it.
Importing the package is cheap; reasoners, validators and web stacks load only when a feature needs them.
"""

from __future__ import annotations

from .errors import (
    InputError,
    ParameterError,
    QuerySyntaxError,
    ReallaborError,
    RemoteError,
    UnknownQueryError,
    ValidationFailed,
)
from .graph import GraphInfo, KnowledgeGraph
from .results import QueryResult

__all__ = [
    "GraphInfo",
    "InputError",
    "KnowledgeGraph",
    "ParameterError",
    "QueryResult",
    "QuerySyntaxError",
    "ReallaborError",
    "RemoteError",
    "UnknownQueryError",
    "ValidationFailed",
]
