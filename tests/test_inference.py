"""Lab-level links come from OWL RL inference only; the closure is cached by input hash and never trusted blindly."""

from __future__ import annotations

import shutil
from pathlib import Path

from reallabor import KnowledgeGraph
from reallabor.inference import cache_dir, cache_key
from reallabor.load import Source, bundled_sources

LAB_SDGS = (
    "PREFIX rl: <https://w3id.org/reallabor/ontology#>"
    " SELECT ?lab ?goal WHERE { ?lab a rl:RealWorldLab ; rl:contributesTo ?goal }"
)
MEASURE_SDGS = (
    "PREFIX rl: <https://w3id.org/reallabor/ontology#>"
    " SELECT ?m ?goal WHERE { ?m a rl:Measure ; rl:contributesTo ?goal }"
)


def test_lab_level_links_exist_only_with_inference(kg, kg_asserted):
    assert len(kg.sparql(LAB_SDGS).rows) == 5
    assert kg_asserted.sparql(LAB_SDGS).rows == []
    assert kg_asserted.query("sdgs-by-lab").rows == []
    assert kg_asserted.query("megatrends-by-lab").rows == []


def test_measure_level_links_are_asserted(kg, kg_asserted):
    assert len(kg_asserted.sparql(MEASURE_SDGS).rows) == 5
    assert len(kg.sparql(MEASURE_SDGS).rows) == 5


def test_inverse_properties_give_the_reverse_direction(kg):
    rows = kg.sparql(
        "PREFIX rl: <https://w3id.org/reallabor/ontology#> PREFIX sdg: <http://metadata.un.org/sdg/>"
        " SELECT ?x WHERE { sdg:8 rl:receivesContributionFrom ?x }"
    ).rows
    assert len(rows) == 4  # two measures and their two labs


def test_inferred_triples_live_in_their_own_graph(kg):
    sizes = kg.store.graph_sizes()
    inferred = sizes["https://w3id.org/reallabor/graph/inferred"]
    assert inferred > 0
    assert "https://w3id.org/reallabor/graph/inferred" not in kg.asserted_graph_names()
    assert len(kg.graph(inferred=True)) > len(kg.graph())


def test_target_contribution_implies_goal_contribution(tmp_path):
    data = tmp_path / "target.ttl"
    data.write_text(
        "@prefix rl: <https://w3id.org/reallabor/ontology#> .\n"
        "<urn:x:lab> a rl:RealWorldLab ; rl:hasMeasure <urn:x:m> .\n"
        "<urn:x:m> a rl:Measure ; rl:contributesTo <http://metadata.un.org/sdg/8.5> .\n",
        encoding="utf-8",
    )
    kg = KnowledgeGraph.load([data])
    rows = kg.query("labs-by-sdg", sdg="8").rows
    assert "urn:x:lab" in {str(r["lab"]) for r in rows}


def test_cache_is_reused_and_invalidated_by_a_changed_input(tmp_path, monkeypatch):
    monkeypatch.setenv("REALLABOR_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "extra.ttl"
    data.write_text("<urn:x:a> <urn:x:p> <urn:x:b> .\n", encoding="utf-8")
    KnowledgeGraph.load([data])
    first = sorted(cache_dir().glob("closure-*.nt"))
    assert len(first) == 1
    KnowledgeGraph.load([data])
    assert sorted(cache_dir().glob("closure-*.nt")) == first
    data.write_text("<urn:x:a> <urn:x:p> <urn:x:c> .\n", encoding="utf-8")
    KnowledgeGraph.load([data])
    assert len(list(cache_dir().glob("closure-*.nt"))) == 2


def test_cache_key_changes_with_any_input_byte(tmp_path):
    copies = []
    for source in bundled_sources():
        target = tmp_path / source.path.name
        shutil.copy(source.path, target)
        copies.append(Source(target, source.graph, source.reference))
    before = cache_key(copies)
    with Path(copies[-1].path).open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert cache_key(copies) != before


def test_corrupt_cache_is_recomputed_not_trusted(tmp_path, monkeypatch):
    monkeypatch.setenv("REALLABOR_CACHE_DIR", str(tmp_path / "cache"))
    good = KnowledgeGraph.load()
    expected = good.store.graph_sizes()["https://w3id.org/reallabor/graph/inferred"]
    (cached,) = cache_dir().glob("closure-*.nt")
    cached.write_bytes(cached.read_bytes()[: cached.stat().st_size // 2])  # truncated: no end marker
    again = KnowledgeGraph.load()
    assert again.store.graph_sizes()["https://w3id.org/reallabor/graph/inferred"] == expected
    assert len(again.query("sdgs-by-lab").rows) == 5
