"""The web layer's settings, declared once: name, default and help drive `reallabor serve --help` and validation.

The served graph never changes while serving, so these are fixed for the life of the app.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from ..errors import InputError
from ..namespaces import DEFAULT_BASE_IRI


def _setting(default, help: str):
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class WebSettings:
    base_iri: str = _setting(DEFAULT_BASE_IRI, "Base IRI of the served resources (instance IRIs are minted below it).")
    query_timeout: float = _setting(10.0, "Seconds a SPARQL query may run before it is stopped (503).")
    row_limit: int = _setting(10_000, "Most result rows (or triples) one query may return; more is cut off.")
    max_query_bytes: int = _setting(64 * 1024, "Largest SPARQL query text accepted, in bytes (413 beyond).")
    max_header_bytes: int = _setting(16 * 1024, "Largest total size of the request headers, in bytes (431 beyond).")
    request_timeout: float = _setting(30.0, "Seconds a client may take to send its request body (408 beyond).")
    allow_service: bool = _setting(False, "Allow SERVICE clauses (federated queries leave this server).")
    cors_origins: tuple[str, ...] = _setting(("*",), "Origins allowed by CORS.")
    workers: int = _setting(2, "Worker processes that evaluate queries (forked; they share the loaded graph).")

    def __post_init__(self) -> None:
        if not self.base_iri.startswith(("http://", "https://")):
            raise InputError(f"--base-iri {self.base_iri!r}: must be an absolute http(s) IRI")
        for name in ("query_timeout", "request_timeout"):
            if getattr(self, name) <= 0:
                flag = "--" + name.replace("_", "-")
                raise InputError(f"{flag} {getattr(self, name)}: must be a positive number of seconds")
        for name in ("row_limit", "max_query_bytes", "max_header_bytes", "workers"):
            if getattr(self, name) < 1:
                raise InputError(f"--{name.replace('_', '-')} {getattr(self, name)}: must be at least 1")

    @property
    def base_path(self) -> str:
        """The path part of the base IRI ("/id/" for https://w3id.org/reallabor/id/); resource routes live there."""
        from urllib.parse import urlsplit

        return urlsplit(self.base_iri).path or "/"


def setting_help() -> dict[str, str]:
    """Help text per setting, for the CLI."""
    return {f.name: f.metadata.get("help", "") for f in fields(WebSettings)}
