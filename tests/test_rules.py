"""The fast rule reasoner gives the same answer to every named question as owlrl, the reference."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef

from reallabor import KnowledgeGraph
from reallabor.inference import closure, reasoning_input
from reallabor.load import bundled_sources, load_dataset, user_source
from reallabor.namespaces import INFERRED_GRAPH
from reallabor.queries import public_queries
from reallabor.store import MemoryStore

DATA = Path(__file__).parent / "data"


def graph_with(reasoner: str, extra: list[Path]) -> KnowledgeGraph:
    sources = bundled_sources() + [user_source(p) for p in extra]
    dataset = load_dataset(sources)
    target = dataset.graph(URIRef(INFERRED_GRAPH))
    for triple in closure(reasoning_input(dataset, sources), reasoner):
        target.add(triple)
    return KnowledgeGraph(MemoryStore(dataset), sources, inference=True)


def answers(kg: KnowledgeGraph, lang: str) -> dict[str, list]:
    out = {}
    for query in public_queries():
        params = {p.name: p.example for p in query.parameters if p.default is None}
        rows = kg.query(query.name, lang=lang, **params).rows
        out[query.name] = sorted(tuple(sorted((k, v.n3()) for k, v in row.items())) for row in rows)
    return out


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    from reallabor.synth import generate

    path = tmp_path_factory.mktemp("synth") / "synthetic.ttl"
    path.write_bytes(generate(3, seed=7))
    return path


@pytest.mark.parametrize("case", ["bottrop", "with-targets-and-chains", "synthetic"])
@pytest.mark.parametrize("lang", ["de", "en"])
def test_rules_answer_every_named_question_like_owlrl(case, lang, synthetic):
    extra = {"bottrop": [], "with-targets-and-chains": [DATA / "rules-fixture.ttl"], "synthetic": [synthetic]}[case]
    assert answers(graph_with("rules", extra), lang) == answers(graph_with("owlrl", extra), lang)


def test_rules_infer_lab_level_links():
    kg = graph_with("rules", [])
    assert len(kg.query("sdgs-by-lab").rows) == 5
    assert len(kg.query("megatrends-by-lab").rows) == 5


def test_unknown_reasoner_is_an_input_error():
    from reallabor import InputError

    with pytest.raises(InputError, match="reasoner"):
        closure(reasoning_input(load_dataset(bundled_sources()), bundled_sources()), "hermit")
