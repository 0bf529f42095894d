"""The bundled Bottrop data reproduces the source document's table exactly, and nothing more."""

from __future__ import annotations

from pathlib import Path

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


def test_programme_table_reproduces_the_source_rows(kg):
    rows = kg.query("programme-table", lang="de").rows
    cells: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        cells.setdefault((str(row["labLabel"]), str(row["measureLabel"])), []).extend(
            [str(row["itemLabel"])] if "itemLabel" in row else []
        )
    expected = {}
    for lab, spec in SOURCE.items():
        for measure, links in spec["measures"].items():
            qualified = links.get("qualified", {})
            megatrends = [
                f"MT »{mt}«" + (f" ({qualified[mt]})" if mt in qualified else "") for mt in links["megatrends"]
            ]
            goals = [f"SDG {n} »{GOALS_DE[n]}«" for n in sorted(links["sdgs"])]
            expected[(lab, measure)] = sorted(megatrends) + goals
    assert cells == expected


def test_programme_table_in_english_has_the_same_rows(kg):
    assert len(kg.query("programme-table", lang="en").rows) == len(kg.query("programme-table", lang="de").rows)


GOALS_DE = {
    8: "Menschenwürdige Arbeit und Wirtschaftswachstum",
    10: "Weniger Ungleichheiten",
    11: "Nachhaltige Städte und Gemeinden",
    12: "Nachhaltige/r Konsum und Produktion",
}


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
