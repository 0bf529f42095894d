"""A real browser (Debian's chromium, headless) renders the home page and a lab page from the real server."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF, SKOS

from reallabor.namespaces import RL, SCHEMA

from .test_pages import pages_app, running_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (CI installs Debian's chromium)"),
]


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        timeout=120,
        check=True,
    )


@pytest.fixture(scope="module")
def server(kg):
    with running_server(pages_app(kg)) as url:
        yield url


def _lab(kg) -> URIRef:
    return sorted(kg.graph().subjects(RDF.type, RL.RealWorldLab))[0]


def test_home_page_renders_labs_and_sdg_colours(kg, server, tmp_path):
    url = server + "/reallabor/id/index.html"
    dom = html.unescape(chromium(tmp_path, "--dump-dom", url).stdout.decode("utf-8"))
    graph = kg.graph(inferred=True)
    assert '<html lang="de">' in dom
    for lab in graph.subjects(RDF.type, RL.RealWorldLab):
        assert str(graph.value(lab, SKOS.prefLabel, any=True)) in dom or any(
            str(o) in dom for o in graph.objects(lab, SKOS.prefLabel) if o.language == "de"
        )
    for goal in {g for lab in graph.subjects(RDF.type, RL.RealWorldLab) for g in graph.objects(lab, RL.contributesTo)}:
        colour = graph.value(goal, SCHEMA.color)
        if colour is not None:
            assert f"background-color: {colour}" in dom
    assert "<svg" in dom
    _screenshot(tmp_path, url, "home.png", "1280,2400")


def test_lab_page_renders_measures_and_sdg_colours(kg, server, tmp_path):
    lab = _lab(kg)
    graph = kg.graph(inferred=True)
    url = server + "/reallabor/id/" + str(lab).removeprefix("https://w3id.org/reallabor/id/")
    dom = html.unescape(chromium(tmp_path, "--dump-dom", url).stdout.decode("utf-8"))
    # The IRI answers 303 to the page in the browser's language (headless chromium asks for en-US).
    lang = re.search(r'<html lang="(\w+)"', dom).group(1)
    assert lang in ("de", "en")
    measures = list(graph.objects(lab, RL.hasMeasure))
    assert measures
    for measure in measures:
        assert any(str(o) in dom for o in graph.objects(measure, SKOS.prefLabel) if o.language == lang)
    goals = list(graph.objects(lab, RL.contributesTo))
    assert goals
    for goal in goals:
        assert f"background-color: {graph.value(goal, SCHEMA.color)}" in dom
        assert f'fill="{graph.value(goal, SCHEMA.color)}"' in dom  # the diagram's SDG box
    _screenshot(tmp_path, url, "lab.png", "1280,1600")


def _screenshot(tmp_path: Path, url: str, name: str, size: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    chromium(tmp_path, f"--screenshot={target}", f"--window-size={size}", url)
    assert target.stat().st_size > 10_000
