"""Synthetic data: deterministic, clearly synthetic, in the project's ontology, linked to real reference data."""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.compare import isomorphic

from reallabor.namespaces import RL, SDGO
from reallabor.resources import data_dir, ontology_dir
from reallabor.synth import generate, vocabulary

SKOS_PREF = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")


@pytest.fixture(scope="module")
def synthetic() -> Graph:
    return Graph().parse(data=generate(4, seed=3), format="turtle")


def test_same_seed_same_bytes_other_seed_other_data():
    assert generate(3, seed=5) == generate(3, seed=5)
    assert generate(3, seed=5) != generate(3, seed=6)
    assert generate(2, seed=5, fmt="ntriples") == generate(2, seed=5, fmt="ntriples")


def test_turtle_and_ntriples_hold_the_same_graph():
    turtle = Graph().parse(data=generate(2, seed=9), format="turtle")
    ntriples = Graph().parse(data=generate(2, seed=9, fmt="ntriples"), format="nt")
    assert isomorphic(turtle, ntriples)


def test_size_grows_with_the_number_of_municipalities():
    small = len(Graph().parse(data=generate(2), format="turtle"))
    large = len(Graph().parse(data=generate(20), format="turtle"))
    assert 5 * small < large < 20 * small
    municipalities = Graph().parse(data=generate(20), format="turtle")
    assert len(set(municipalities.subjects(RDF.type, RL.Municipality))) == 20


def test_clearly_synthetic_labels_in_two_languages_and_iris(synthetic):
    base = vocabulary()["base"]
    assert all(str(s).startswith(base) for s in synthetic.subjects())
    for cls in (RL.Municipality, RL.Programme, RL.RealWorldLab, RL.Measure):
        things = set(synthetic.subjects(RDF.type, cls))
        assert things, cls
        for thing in things:
            labels = {label.language: str(label) for label in synthetic.objects(thing, SKOS_PREF)}
            assert set(labels) == {"de", "en"}, thing
            assert labels["de"].endswith("(synthetisch)") and labels["en"].endswith("(synthetic)")


def test_links_point_at_existing_goals_targets_megatrends(synthetic):
    reference = Graph()
    reference.parse(data_dir() / "sdg" / "un-sdg-goals-targets.ttl")
    reference.parse(data_dir() / "megatrends.ttl")
    goals = set(reference.subjects(RDF.type, SDGO.Goal))
    targets = set(reference.subjects(RDF.type, SDGO.Target))
    megatrends = set(reference.subjects(RDF.type, RL.Megatrend))
    contributions = set(synthetic.objects(None, RL.contributesTo))
    assert contributions & goals and contributions & targets
    assert contributions <= goals | targets
    addressed = set(synthetic.objects(None, RL.addressesMegatrend))
    assert addressed and addressed <= megatrends


def test_uses_only_terms_the_ontology_declares(synthetic):
    ontology = Graph().parse(ontology_dir() / "reallabor.ttl")
    declared = set(ontology.subjects())
    used = {p for p in synthetic.predicates() if str(p).startswith(str(RL))}
    used |= {o for o in synthetic.objects(None, RDF.type) if str(o).startswith(str(RL))}
    assert used and used <= declared, used - declared


def test_named_questions_find_the_synthetic_labs(tmp_path):
    from reallabor import KnowledgeGraph

    data = tmp_path / "s.ttl"
    data.write_bytes(generate(2, seed=4))
    graph = KnowledgeGraph.load([data])
    labs = {str(row["lab"]) for row in graph.query("sdgs-by-lab").rows}
    assert any(lab.startswith(vocabulary()["base"]) for lab in labs)  # lab-level goals come from inference
    coverage = graph.query("sdg-coverage").rows
    assert sum(int(row["measures"]) for row in coverage) > 4


def test_cli_writes_the_file_and_rejects_bad_counts(cli, tmp_path):
    target = tmp_path / "out.nt"
    done = cli("synth", "--municipalities", "2", "--seed", "4", "-o", str(target))
    assert done.returncode == 0, done.stderr.decode()
    assert target.read_bytes() == generate(2, seed=4, fmt="ntriples")
    bad = cli("synth", "--municipalities", "0")
    assert bad.returncode == 2 and b"Traceback" not in bad.stderr
