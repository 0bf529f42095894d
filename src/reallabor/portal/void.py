"""The VoID description of the published dataset, computed from the triples that the dumps contain."""

from __future__ import annotations

import hashlib
from collections import Counter

from rdflib import RDF, XSD, Graph, Literal, URIRef

from .vocab import DCT, VOID


def namespace_of(iri: str) -> str:
    """The vocabulary an IRI belongs to: everything up to its last '#' or '/'."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def void_graph(
    data: Graph, dataset: URIRef, *, title: Literal | None, endpoint: str, dumps: list[str], uri_space: str
) -> Graph:
    """Statistics of ``data`` (triples, subjects, classes, properties, vocabularies) about ``dataset``."""
    classes = Counter(o for o in data.objects(None, RDF.type) if isinstance(o, URIRef))
    properties = {p for p in data.predicates() if isinstance(p, URIRef)}
    vocabularies = {namespace_of(str(iri)) for iri in (*classes, *properties)}
    subjects = {s for s in data.subjects()}
    void = Graph()
    void.add((dataset, RDF.type, VOID.Dataset))
    if title is not None:
        void.add((dataset, DCT.title, title))
    for predicate, count in (
        (VOID.triples, len(data)),
        (VOID.distinctSubjects, len(subjects)),
        (VOID.classes, len(classes)),
        (VOID.properties, len(properties)),
    ):
        void.add((dataset, predicate, Literal(count, datatype=XSD.integer)))
    for vocabulary in sorted(vocabularies):
        void.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    void.add((dataset, VOID.sparqlEndpoint, URIRef(endpoint)))
    for dump in dumps:
        void.add((dataset, VOID.dataDump, URIRef(dump)))
    void.add((dataset, VOID.uriSpace, Literal(uri_space)))
    for cls, count in classes.items():
        partition = URIRef(f"{dataset}/void/class/{_slug(str(cls))}")
        void.add((dataset, VOID.classPartition, partition))
        void.add((partition, VOID["class"], cls))
        void.add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    return void


def _slug(iri: str) -> str:
    """A short stable name for a class partition's IRI."""
    return hashlib.sha1(iri.encode("utf-8")).hexdigest()[:12]
