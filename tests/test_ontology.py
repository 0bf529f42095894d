"""The ontology: labels and definitions in both languages on every term; derived files up to date."""

from __future__ import annotations

import importlib.util
import json

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Namespace

from reallabor.resources import ontology_dir

from .conftest import ROOT

SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
RL = "https://w3id.org/reallabor/ontology#"


def ontology() -> Graph:
    return Graph().parse(ontology_dir() / "reallabor.ttl")


def own_terms(graph: Graph) -> set:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return {s for k in kinds for s in graph.subjects(RDF.type, k) if str(s).startswith(RL)}


def test_ontology_header_has_iri_version_and_licence():
    graph = ontology()
    (iri,) = graph.subjects(RDF.type, OWL.Ontology)
    assert str(iri) == "https://w3id.org/reallabor/ontology"
    assert graph.value(iri, OWL.versionIRI) is not None
    assert graph.value(iri, Namespace("http://purl.org/dc/terms/").license) is not None


def test_every_term_has_german_and_english_label_and_definition():
    graph = ontology()
    terms = own_terms(graph)
    assert len(terms) > 40
    for term in terms:
        for prop in (RDFS.label, SKOS.definition):
            languages = {o.language for o in graph.objects(term, prop)}
            assert {"de", "en"} <= languages, f"{term} lacks {prop} in de/en"


def test_lab_level_links_are_property_chains_over_has_measure():
    graph = ontology()
    chains = list(graph.objects(None, OWL.propertyChainAxiom))
    assert len(chains) >= 3


def test_generated_context_and_namespace_are_up_to_date():
    spec = importlib.util.spec_from_file_location("gen", ROOT / "scripts" / "generate_from_ontology.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    graph = ontology()
    committed = json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))
    assert committed == gen.context(graph)
    vocab = (ROOT / "src" / "reallabor" / "vocab.py").read_text(encoding="utf-8")
    assert vocab == gen.vocab_module(graph)


def test_defined_namespace_fails_loudly_on_a_typo():
    from reallabor.vocab import RLO

    assert str(RLO.RealWorldLab) == RL + "RealWorldLab"
    with pytest.raises(AttributeError):
        _ = RLO.RealWorldLabs
