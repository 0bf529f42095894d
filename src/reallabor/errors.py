"""One exception hierarchy, so that the CLI and the web app can map every failure to a message and code.

The exit codes are part of the CLI contract: 0 ok, 1 validation failed or a required result was missing,
2 bad input (unreadable file, syntax error, unknown query or parameter).
"""

from __future__ import annotations


class ReallaborError(Exception):
    """Base of every error this package raises on purpose; its message is meant for people."""

    exit_code = 2
    http_status = 400


class InputError(ReallaborError):
    """The caller gave something we cannot use: a file, a query, a parameter."""


class UnknownQueryError(InputError):
    """No named question has that name."""

    http_status = 404


class ParameterError(InputError):
    """A named question's parameter is missing, unknown or ill-typed."""


class QuerySyntaxError(InputError):
    """A SPARQL text does not parse."""


class ValidationFailed(ReallaborError):
    """Data was read but does not conform (SHACL violations and the like)."""

    exit_code = 1
    http_status = 422


class RemoteError(ReallaborError):
    """A remote SPARQL service failed or answered with something other than SPARQL results."""

    http_status = 502
