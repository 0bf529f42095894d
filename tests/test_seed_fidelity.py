"""The bundled Bottrop data reproduces the source document's table exactly, and nothing more."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from .helpers import goal_number, pairs

SOURCE = yaml.safe_load((Path(__file__).parent / "data" / "source-table.yaml").read_text(encoding="utf-8"))["labs"]


def expected_lab_sets(key: str) -> dict[str, set]:
    return {lab: {x for m in spec["measures"].values() for x in m[key]} for lab, spec in SOURCE.items()}


def test_labs_are_exactly_the_three_of_the_source(kg):
    assert {str(r["labLabel"]) for r in kg.query("labs").rows} == set(SOURCE)


def test_each_labs_measures_equal_the_source(kg):
    found = pairs(kg.query("measures-by-lab"), "labLabel", "measureLabel")
    assert found == {(lab, m) for lab, spec in SOURCE.items() for m in spec["measures"]}


def test_each_labs_megatrends_equal_the_source(kg):
    found = pairs(kg.query("megatrends-by-lab"), "labLabel", "megatrendLabel")
    assert found == {(lab, mt) for lab, mts in expected_lab_sets("megatrends").items() for mt in mts}


def test_each_labs_sdg_goals_equal_the_source(kg):
    found = {(lab, goal_number(sdg)) for lab, sdg in pairs(kg.query("sdgs-by-lab"), "labLabel", "sdg")}
    assert found == {(lab, n) for lab, goals in expected_lab_sets("sdgs").items() for n in goals}


def test_each_labs_phases_equal_the_source(kg):
    found = {(str(r["labLabel"]), int(r["phaseNumber"])) for r in kg.query("labs").rows}
    assert found == {(lab, n) for lab, spec in SOURCE.items() for n in spec["phases"]}


@pytest.mark.parametrize("lang", ["de", "en"])
def test_programme_table_reproduces_the_source_rows(kg, lang):
    rows = kg.query("programme-table", lang="de").rows
    by_measure = {str(r["measureLabel"]): r for r in rows}
    expected = {m: spec for lab in SOURCE.values() for m, spec in lab["measures"].items()}
    assert set(by_measure) == set(expected)
    for measure, spec in expected.items():
        cells = [c for c in str(by_measure[measure]["megatrends"]).split("; ") if c]
        wanted = {f"MT »{mt}«" + (f" ({spec['qualified'][mt]})" if mt in spec.get("qualified", {}) else "")
                  for mt in spec["megatrends"]}
        assert set(cells) == wanted
        sdg_numbers = {int(c.split()[1]) for c in str(by_measure[measure]["sdgs"]).split("; ") if c}
        assert sdg_numbers == set(spec["sdgs"])
    assert len(kg.query("programme-table", lang=lang).rows) == len(expected)


def test_no_sdg_target_is_asserted_for_bottrop(kg_asserted):
    # The source names goals only; any target link would be invented.
    rows = kg_asserted.sparql(
        "PREFIX rl: <https://w3id.org/reallabor/ontology#> PREFIX sdgo: <http://metadata.un.org/sdg/ontology#>"
        " SELECT ?m ?t WHERE { ?m rl:contributesTo ?t . ?t a sdgo:Target }"
    ).rows
    assert rows == []


def test_municipality_identifiers_are_only_verified_or_corroborated(kg_asserted):
    text = kg_asserted.export("ntriples").decode()
    assert "05512000" in text and "Q3069" in text and "2945756" in text
    # Derived, unverified values from bottrop-identifiers.csv stay out.
    assert "055120000000" not in text and "governmentDistrictKey" not in text


def test_provenance_points_to_the_source_document(kg_asserted):
    rows = kg_asserted.sparql(
        "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX rl: <https://w3id.org/reallabor/ontology#>"
        " SELECT ?x WHERE { ?x a rl:RealWorldLab FILTER NOT EXISTS { ?x prov:wasDerivedFrom ?src } }"
    ).rows
    assert rows == []
