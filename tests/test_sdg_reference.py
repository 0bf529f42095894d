"""The UN SDG reference: 17 goals, 169 targets, German titles and colours; the committed file is reproducible."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

SDG_FILE = ROOT / "data" / "sdg" / "un-sdg-goals-targets.ttl"


def test_goals_and_targets_are_complete(kg_asserted):
    counts = kg_asserted.sparql(
        "PREFIX sdgo: <http://metadata.un.org/sdg/ontology#>"
        " SELECT (COUNT(DISTINCT ?g) AS ?goals) (COUNT(DISTINCT ?t) AS ?targets)"
        " WHERE { { ?g a sdgo:Goal } UNION { ?t a sdgo:Target ; sdgo:isTargetOf ?goal } }"
    ).rows[0]
    assert (int(counts["goals"]), int(counts["targets"])) == (17, 169)


def test_every_goal_has_german_english_title_and_colour(kg_asserted):
    rows = kg_asserted.sparql(
        "PREFIX sdgo: <http://metadata.un.org/sdg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
        " PREFIX schema: <http://schema.org/>"
        " SELECT ?g ?de ?en ?colour WHERE { ?g a sdgo:Goal ; schema:color ?colour ;"
        " skos:altLabel ?de, ?en FILTER (LANG(?de) = 'de' && LANG(?en) = 'en') }"
    ).rows
    by_goal = {str(r["g"]): r for r in rows}
    assert len(by_goal) == 17
    assert str(by_goal["http://metadata.un.org/sdg/8"]["colour"]) == "#A21942"
    assert str(by_goal["http://metadata.un.org/sdg/12"]["de"]) == "Nachhaltige/r Konsum und Produktion"


def test_generated_file_cites_the_un_kos():
    head = SDG_FILE.read_text(encoding="utf-8")[:3000]
    assert "Amit Joshi, Luis Gonzalez Morales, Szymon Klarman, and Aaron Helton" in head


@pytest.mark.skipif(
    not os.environ.get("REALLABOR_SHARED_REFERENCE"),
    reason="REALLABOR_SHARED_REFERENCE (the shared/reference folder) is not set",
)
def test_script_regenerates_the_committed_file_byte_for_byte(tmp_path: Path):
    out = tmp_path / "sdg.ttl"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "build_sdg_reference.py"),
            "--reference",
            os.environ["REALLABOR_SHARED_REFERENCE"],
            "--output",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == SDG_FILE.read_bytes()
