"""Namespaces and fixed IRIs used across the package.

The instance base IRI is a setting (see ``settings``); what stands here never changes with it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .errors import InputError

RL_IRI = "https://w3id.org/reallabor/ontology#"
SDG_IRI = "http://metadata.un.org/sdg/"
SDGO_IRI = "http://metadata.un.org/sdg/ontology#"
SCHEMA_IRI = "http://schema.org/"
ONTOLOGY_IRI = "https://w3id.org/reallabor/ontology"
DEFAULT_BASE_IRI = "https://w3id.org/reallabor/id/"
GRAPH_BASE = "https://w3id.org/reallabor/graph/"
INFERRED_GRAPH = GRAPH_BASE + "inferred"

# Prefixes offered to SPARQL texts, Turtle output and the JSON-LD context; one table for all three.
PREFIXES: dict[str, str] = {
    "rl": RL_IRI,
    "sdg": SDG_IRI,
    "sdgo": SDGO_IRI,
    "mt": DEFAULT_BASE_IRI + "megatrend/",
    "schema": SCHEMA_IRI,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "vann": "http://purl.org/vocab/vann/",
}


def expand_curie(value: str) -> str:
    """Turn ``rl:RealWorldLab`` into a full IRI; full IRIs pass through unchanged."""
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return value


_NAMESPACES = {"RL": RL_IRI, "SDG": SDG_IRI, "SDGO": SDGO_IRI, "SCHEMA": SCHEMA_IRI}


def __getattr__(name: str) -> Any:
    """rdflib Namespace objects (RL, SDG, SDGO, SCHEMA), built on first use so that importing this module
    does not import rdflib (the CLI's warm path never needs it)."""
    if name in _NAMESPACES:
        from rdflib import Namespace

        return Namespace(_NAMESPACES[name])
    raise AttributeError(name)


def check_base_iri(base_iri: str) -> None:
    """Refuse a base that would make invalid or ambiguous IRIs (before anything is loaded or written)."""
    parts = urlsplit(base_iri)
    if parts.scheme not in ("http", "https") or not parts.netloc or not base_iri.endswith("/"):
        raise InputError(f"--base-iri {base_iri!r}: must be an absolute http(s) IRI ending in '/'")
