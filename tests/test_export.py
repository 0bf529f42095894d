"""Exports: every syntax round-trips isomorphically, and the same input gives byte-identical output."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

TRIPLE_FORMATS = {"turtle": "turtle", "jsonld": "json-ld", "ntriples": "nt", "xml": "xml"}


@pytest.mark.parametrize("fmt", sorted(TRIPLE_FORMATS))
@pytest.mark.parametrize("inferred", [False, True])
def test_triple_exports_reparse_isomorphic(kg, fmt, inferred):
    data = kg.export(fmt, inferred=inferred)
    parsed = Graph().parse(data=data, format=TRIPLE_FORMATS[fmt])
    assert isomorphic(parsed, kg.graph(inferred=inferred))


@pytest.mark.parametrize("fmt, rdflib_name", [("nquads", "nquads"), ("trig", "trig")])
def test_quad_exports_keep_the_named_graphs(kg, fmt, rdflib_name):
    parsed = Dataset()
    parsed.parse(data=kg.export(fmt), format=rdflib_name)
    names = {str(g.identifier) for g in parsed.graphs() if len(g)}
    assert set(kg.asserted_graph_names()) <= names
    assert sum(len(parsed.graph(n)) for n in kg.asserted_graph_names()) == len(kg.graph())


def test_turtle_to_jsonld_to_turtle_round_trip(kg):
    first = Graph().parse(data=kg.export("turtle"), format="turtle")
    from reallabor.export import serialize_graph

    via_jsonld = Graph().parse(data=serialize_graph(first, "jsonld"), format="json-ld")
    back = Graph().parse(data=serialize_graph(via_jsonld, "turtle"), format="turtle")
    assert isomorphic(back, first)


def test_jsonld_embeds_the_published_context(kg):
    document = json.loads(kg.export("jsonld"))
    context = json.loads((kg_root() / "ontology" / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert document["@context"] == context
    assert any(node.get("prefLabel", {}).get("de") == "Fachkräftesicherung" for node in document["@graph"])


def kg_root():
    from reallabor.resources import bundled_root

    return bundled_root()


def test_turtle_uses_readable_prefixes(kg):
    text = kg.export("turtle").decode()
    assert "@prefix rl: <https://w3id.org/reallabor/ontology#>" in text
    assert "rl:RealWorldLab" in text


EXPORT = (
    "from reallabor import KnowledgeGraph; import sys;"
    " sys.stdout.buffer.write(KnowledgeGraph.load().export({!r}, inferred=True))"
)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["turtle", "jsonld", "ntriples", "nquads", "xml", "trig"])
def test_same_input_gives_byte_identical_output_across_processes(fmt):
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", EXPORT.format(fmt)], capture_output=True, env=env, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1


@pytest.mark.parametrize("fmt", sorted(TRIPLE_FORMATS))
@pytest.mark.parametrize("blank_nodes", [True, False], ids=["canonical-copy", "direct"])
def test_output_does_not_depend_on_insertion_order(kg, fmt, blank_nodes):
    import random

    from rdflib import BNode

    from reallabor.export import serialize_graph

    triples = sorted(t for t in kg.graph(inferred=True) if blank_nodes or not any(isinstance(x, BNode) for x in t))
    outputs = set()
    for seed in (1, 2):
        random.Random(seed).shuffle(triples)
        graph = Graph()
        for triple in triples:
            graph.add(triple)
        outputs.add(serialize_graph(graph, fmt))
    assert len(outputs) == 1
