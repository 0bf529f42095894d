"""Deterministic RDF serialisation: the same graph gives the same bytes, run after run.

rdflib's serialisers follow the store's iteration order, and its JSON-LD writer also depends on set
ordering; so triples are first copied into a fresh graph in sorted order, line-based syntaxes are sorted,
and JSON-LD is put into a canonical key and value order after compaction with the project's context.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache

from rdflib import BNode, Dataset, Graph, URIRef

from .formats import Format, rdf_format, sorted_lines
from .namespaces import PREFIXES
from .resources import ontology_dir


@cache
def jsonld_context() -> dict:
    """The project's published JSON-LD context (ontology/context.jsonld), embedded in every JSON-LD export."""
    return json.loads((ontology_dir() / "context.jsonld").read_text(encoding="utf-8"))["@context"]


def stable_triples(graph: Graph, scope: str = "") -> list:
    """The triples sorted, with blank nodes relabelled canonically (parsers label them at random).

    Only the triples that touch a blank node go through rdflib's canonicalisation, which is costly; the rest
    are sorted as they are. ``scope`` prefixes the labels so that blank nodes of different named graphs never
    share a label.
    """
    plain, anonymous = [], Graph()
    for triple in graph:
        if isinstance(triple[0], BNode) or isinstance(triple[2], BNode):
            anonymous.add(triple)
        else:
            plain.append(triple)
    if not len(anonymous):
        return sorted(plain)
    from rdflib.compare import to_canonical_graph

    relabel = (lambda t: BNode(f"{scope}{t}") if isinstance(t, BNode) else t) if scope else (lambda t: t)
    canonical = [tuple(relabel(t) for t in triple) for triple in to_canonical_graph(anonymous)]
    return sorted(plain + canonical)


def sorted_graph(graph: Graph) -> Graph:
    """A copy with triples inserted in sorted order and the project's prefixes bound."""
    copy = Graph()
    bind_prefixes(copy)
    for triple in stable_triples(graph):
        copy.add(triple)
    return copy


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def _has_blank_nodes(graph: Graph) -> bool:
    return any(isinstance(triple[0], BNode) or isinstance(triple[2], BNode) for triple in graph)


def serialize_graph(graph: Graph, fmt: str | Format) -> bytes:
    """One graph (triples) in ``fmt``; quad formats put it in the default graph."""
    form = fmt if isinstance(fmt, Format) else rdf_format(fmt)
    if form.quads:
        dataset = Dataset()
        for triple in graph:
            dataset.add(triple)
        return serialize_dataset(dataset, form)
    # Turtle sorts subjects, predicates and objects itself, and the other writers' output is put in order
    # below; only blank nodes (labelled at random by parsers) need the canonical copy.
    ordered = sorted_graph(graph) if _has_blank_nodes(graph) else bind_prefixes(graph)
    if form.name == "jsonld":
        return _jsonld(ordered)
    data = ordered.serialize(format=form.rdflib_name, encoding="utf-8")
    if form.name == "xml":
        return sorted_rdfxml(data, PREFIXES)
    return sorted_lines(data) if form.name == "ntriples" else data


def serialize_dataset(dataset: Dataset, fmt: str | Format, graphs: list[str] | None = None) -> bytes:
    """Named graphs in a quad syntax (N-Quads, TriG); ``graphs`` limits which ones."""
    form = fmt if isinstance(fmt, Format) else rdf_format(fmt)
    names = sorted(str(g.identifier) for g in dataset.graphs() if len(g))
    selected = [n for n in names if graphs is None or n in graphs]
    if form.name == "trig":
        return _trig(dataset, selected)
    ordered = Dataset()
    for index, name in enumerate(selected):
        target = ordered.graph(URIRef(name))
        for triple in stable_triples(dataset.graph(URIRef(name)), scope=f"g{index}"):
            target.add(triple)
    return sorted_lines(ordered.serialize(format=form.rdflib_name, encoding="utf-8"))


def _trig(dataset: Dataset, names: list[str]) -> bytes:
    """TriG assembled from one deterministic Turtle body per named graph, in graph-name order.

    rdflib's TriG writer orders graphs by set iteration; Turtle per graph is stable, so TriG is built from it.
    """
    prefixes: set[bytes] = set()
    blocks: list[bytes] = []
    for index, name in enumerate(names):
        graph = Graph()
        for triple in stable_triples(dataset.graph(URIRef(name)), scope=f"g{index}"):
            graph.add(triple)
        turtle = sorted_graph(graph).serialize(format="turtle", encoding="utf-8")
        body = [line for line in turtle.splitlines() if not line.startswith(b"@prefix")]
        prefixes.update(line for line in turtle.splitlines() if line.startswith(b"@prefix"))
        inner = b"\n".join(b"    " + line if line.strip() else b"" for line in body).strip(b"\n")
        blocks.append(URIRef(name).n3().encode() + b" {\n" + inner + b"\n}\n")
    return b"\n".join(sorted(prefixes)) + b"\n\n" + b"\n".join(blocks)


def sorted_rdfxml(data: bytes, prefixes: Mapping[str, str]) -> bytes:
    """RDF/XML with resource descriptions and their properties in a canonical order (rdflib writes them in
    hash order, which changes from process to process)."""
    import xml.etree.ElementTree as ET

    for prefix, namespace in prefixes.items():
        ET.register_namespace(prefix, namespace)
    root = ET.fromstring(data)
    key = lambda el: ET.tostring(el, encoding="unicode")  # noqa: E731
    for description in root:
        description[:] = sorted(description, key=key)
    root[:] = sorted(root, key=key)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _jsonld(graph: Graph) -> bytes:
    """Compacted JSON-LD with the embedded context, nodes sorted by @id and values in canonical order."""
    context = jsonld_context()
    document = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    document["@context"] = context
    nodes = document.get("@graph", None)
    if nodes is None:
        nodes = [{k: v for k, v in document.items() if k != "@context"}] if len(document) > 1 else []
    canonical = {"@context": context, "@graph": sorted((_canonical(n) for n in nodes), key=_node_key)}
    return (json.dumps(canonical, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _canonical(value: object) -> object:
    if isinstance(value, dict):
        return {k: (v if k == "@list" else _canonical(v)) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((_canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def _node_key(node: object) -> str:
    return str(node.get("@id", "")) + json.dumps(node, sort_keys=True) if isinstance(node, dict) else ""
