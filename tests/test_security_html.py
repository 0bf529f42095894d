"""Hostile labels, descriptions and IRIs render inert: checked on every page and in a real headless chromium.

The data is built with rdflib (a lab and a measure whose labels and descriptions carry markup and script,
links to ``javascript:`` and ``data:`` IRIs, a CSS-breaking SDG colour) and loaded beside the bundled data.
Each payload, if it ever ran, would mark the document (``data-pwned`` on <html>, or a changed title), so
the browser test looks for the marker in the DOM chromium built after running the page's scripts.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from reallabor.namespaces import RL, SCHEMA

BASE = "https://w3id.org/reallabor/id/"
EVIL = Namespace(BASE + "hostile/")
MARK = "document.documentElement.setAttribute('data-pwned','{}')"
PAYLOADS = [
    f"<script>{MARK.format('script')}</script>",
    f'"><img src=x onerror="{MARK.format("img")}">',
    f'\'><svg onload="{MARK.format("svg")}"></svg>',
    "</title><script>document.title='pwned'</script>",
    f'<iframe srcdoc="<script>parent.{MARK.format("iframe")}</script>"></iframe>',
    "{{ 7*7 }} {% raw %}",
    '<a href="javascript:alert(1)">click</a>',
]
JS_IRIS = [
    "javascript:alert(document.domain)",
    "data:text/html,%3Cscript%3Ealert(1)%3C/script%3E",
    "vbscript:msgbox(1)",
]
SDG = URIRef("http://metadata.un.org/sdg/11")


def hostile_graph() -> Graph:
    graph = Graph()
    lab, measure = EVIL["lab/x"], EVIL["measure/y"]
    graph.add((lab, RDF.type, RL.RealWorldLab))
    graph.add((measure, RDF.type, RL.Measure))
    graph.add((lab, RL.hasMeasure, measure))
    graph.add((measure, RL.contributesTo, SDG))
    for lang in ("de", "en"):
        graph.add((lab, SKOS.prefLabel, Literal(PAYLOADS[0] + PAYLOADS[1], lang=lang)))
        graph.add((measure, SKOS.prefLabel, Literal(PAYLOADS[2] + PAYLOADS[3], lang=lang)))
        for payload in PAYLOADS:
            graph.add((lab, SKOS.definition, Literal(payload, lang=lang)))
            graph.add((lab, RDFS.comment, Literal(payload, lang=lang)))
    for iri in JS_IRIS:
        graph.add((lab, RDFS.seeAlso, URIRef(iri)))
        graph.add((lab, SCHEMA.url, URIRef(iri)))
    graph.add((lab, SKOS.note, Literal(PAYLOADS[4])))
    graph.add((SDG, SCHEMA.color, Literal('red;background:url("javascript:alert(1)")">')))
    return graph


@pytest.fixture(scope="module")
def hostile_kg(tmp_path_factory):
    from reallabor import KnowledgeGraph

    path = tmp_path_factory.mktemp("hostile") / "hostile.ttl"
    hostile_graph().serialize(path, format="turtle")
    return KnowledgeGraph.load(files=[str(path)], cache=False)


@pytest.fixture(scope="module")
def pages(hostile_kg):
    from reallabor.web.render import Pages, Site

    return Pages(Site.from_kg(hostile_kg, BASE, endpoint="/sparql", api="/api/queries"))


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of <title>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False if tag == "title" else self._in_title

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def elements(document: str) -> Elements:
    parser = Elements()
    parser.feed(document)
    return parser


def assert_inert(document: str) -> None:
    found = elements(document)
    tags = [tag for tag, _ in found.tags]
    assert "script" not in tags and "iframe" not in tags and "img" not in tags
    assert tags.count("svg") <= 1  # the page's own diagram at most
    for tag, attrs in found.tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src", "xlink:href", "action", "formaction"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)
        assert "javascript:" not in (attrs.get("style") or "").lower(), (tag, attrs)
    assert "data-pwned" not in " ".join(f"{k}" for _, a in found.tags for k in a)
    assert found.title.strip() != "pwned"  # what the payload would set; as escaped text it is only a part


def _hostile_documents(pages) -> list[str]:
    return sorted(path for path in pages.documents if path.startswith("hostile/") and path.endswith(".html"))


def test_the_hostile_pages_exist_and_show_the_payload_as_text(pages):
    documents = _hostile_documents(pages)
    assert {"hostile/lab/x.html", "hostile/lab/x.en.html", "hostile/measure/y.html"} <= set(documents)
    page = pages.documents["hostile/lab/x.html"].produce().decode("utf-8")
    # Shown to the reader as text, so the escaping is real and not a deletion of the content.
    assert html.escape(PAYLOADS[0], quote=False) in page or "&lt;script&gt;" in page
    assert "&lt;img src=x onerror=" in page


@pytest.mark.parametrize("lang_suffix", [".html", ".en.html"])
def test_every_page_mentioning_the_hostile_data_is_inert(pages, lang_suffix):
    checked = 0
    for path, document in sorted(pages.documents.items()):
        if not path.endswith(lang_suffix) or (lang_suffix == ".html" and path.endswith(".en.html")):
            continue
        body = document.produce().decode("utf-8")
        if "pwned" in body or "javascript" in body or path.startswith("hostile/"):
            assert_inert(body)
            checked += 1
    assert checked >= 4  # lab, measure, SDG 11, home


def test_javascript_iris_are_shown_but_never_linked(pages):
    page = pages.documents["hostile/lab/x.en.html"].produce().decode("utf-8")
    hrefs = [a.get("href") or "" for tag, a in elements(page).tags if tag == "a"]
    assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:", "vbscript:"))]
    assert "javascript:alert(document.domain)" in html.unescape(page)  # still visible as text


def test_hostile_colour_never_reaches_a_style(pages):
    page = pages.documents["sdg/11.html"].produce().decode("utf-8")
    styles = [a.get("style") or "" for _, a in elements(page).tags]
    assert not [s for s in styles if "url(" in s or "javascript" in s]


def test_assert_inert_catches_an_injection():
    # The checks above mean something only if assert_inert fails on a page where the payload is live.
    for live in (f"<html><body>{PAYLOADS[0]}</body></html>", f'<p><a href="{JS_IRIS[0]}">x</a></p>'):
        with pytest.raises(AssertionError):
            assert_inert(live)


# -- the real browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(hostile_kg):
    from .test_pages import pages_app, running_server

    with running_server(pages_app(hostile_kg)) as url:
        yield url


@pytest.mark.slow
@pytest.mark.parametrize(
    "path", ["hostile/lab/x.html", "hostile/lab/x.en.html", "hostile/measure/y.html", "index.html"]
)
def test_no_script_runs_in_headless_chromium(server, tmp_path, path):
    from .test_browser import CHROMIUM, chromium

    if CHROMIUM is None:
        pytest.skip("chromium is not installed (CI installs Debian's chromium)")
    # --virtual-time-budget lets timers and onerror/onload handlers fire before the DOM is dumped.
    run = chromium(tmp_path, "--virtual-time-budget=3000", "--dump-dom", f"{server}/reallabor/id/{path}")
    dom = run.stdout.decode("utf-8")
    assert "<main" in dom  # the page did render
    root = re.search(r"<html[^>]*>", dom).group(0)
    assert "data-pwned" not in root
    found = elements(dom)
    assert found.title.strip() != "pwned"  # what the payload would set; as escaped text it is only a part
    assert_inert(dom)
    assert b"alert" not in run.stderr.lower() or b"dialog" not in run.stderr.lower()


@pytest.mark.slow
def test_browser_check_detects_a_live_payload(tmp_path):
    # Control: the same chromium run on a page where the payload is live does show the marker.
    from .test_browser import CHROMIUM, chromium

    if CHROMIUM is None:
        pytest.skip("chromium is not installed")
    page = Path(tmp_path / "live.html")
    page.write_text(f"<!doctype html><html><body><main>{PAYLOADS[1]}</main></body></html>", encoding="utf-8")
    dom = chromium(tmp_path, "--virtual-time-budget=3000", "--dump-dom", page.as_uri()).stdout.decode("utf-8")
    assert "data-pwned" in re.search(r"<html[^>]*>", dom).group(0)
