"""Dereferenceable IRIs and HTML pages: negotiation as pure functions, the page model, the real server."""

from __future__ import annotations

import contextlib
import html
import socket
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from reallabor.namespaces import RL, SCHEMA
from reallabor.web.pages import choose_language, choose_suffix
from reallabor.web.render import HTML_SUFFIXES, Pages, Site, contrast, ink_for, relative

ALL_OFFERS = {".html": "text/html", ".en.html": "text/html", ".ttl": "", ".jsonld": "", ".nt": "", ".rdf": ""}
RDF_ACCEPTS = {
    "text/turtle": (".ttl", "turtle"),
    "application/ld+json": (".jsonld", "json-ld"),
    "application/n-triples": (".nt", "nt"),
    "application/rdf+xml": (".rdf", "xml"),
}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "language", "suffix"),
    [
        (BROWSER, None, ".html"),
        (BROWSER, "en-GB,en;q=0.9,de;q=0.8", ".en.html"),
        (BROWSER, "de-DE,de;q=0.9,en;q=0.8", ".html"),
        (BROWSER, "fr-FR", ".html"),
        (None, None, ".html"),
        ("*/*", "en", ".en.html"),
        ("text/turtle", "en", ".ttl"),
        ("application/ld+json", None, ".jsonld"),
        ("application/n-triples", None, ".nt"),
        ("application/rdf+xml", None, ".rdf"),
        ("text/turtle;q=0.5, application/ld+json", None, ".jsonld"),
        ("text/html;q=0.1, text/turtle", None, ".ttl"),
        ("text/*", None, ".html"),
        ("image/png", None, None),
    ],
)
def test_choose_suffix(accept, language, suffix):
    assert choose_suffix(accept, language, ALL_OFFERS) == suffix


def test_choose_suffix_only_offers_what_exists():
    assert choose_suffix("text/html", None, {".ttl": "text/turtle"}) is None
    assert choose_suffix("*/*", None, {".ttl": "text/turtle"}) == ".ttl"


@pytest.mark.parametrize(
    ("header", "lang"),
    [(None, "de"), ("", "de"), ("en", "en"), ("en-US,de;q=0.5", "en"), ("de;q=0.4,en;q=0.6", "en"), ("fr,de", "de")],
)
def test_choose_language(header, lang):
    assert choose_language(header) == lang


@pytest.mark.parametrize(
    ("target", "here", "href"),
    [
        ("static/style.css", "index.html", "static/style.css"),
        ("static/style.css", "bottrop/lab/x.html", "../../static/style.css"),
        ("sdg/8.html#target-8.5", "bottrop/measure/m.html", "../../sdg/8.html#target-8.5"),
        ("bottrop/lab/x.en.html", "bottrop/lab/x.html", "x.en.html"),
    ],
)
def test_relative_links(target, here, href):
    assert relative(target, here) == href


def _goal_colours(kg) -> dict[str, str]:
    rows = kg.sparql(
        "SELECT ?goal ?colour WHERE { ?goal a <http://metadata.un.org/sdg/ontology#Goal> ; "
        "<http://schema.org/color> ?colour }"
    ).rows
    return {str(row["goal"]): str(row["colour"]) for row in rows}


def test_text_on_every_sdg_colour_meets_wcag_aa(kg):
    colours = _goal_colours(kg)
    assert len(colours) == 17
    for colour in colours.values():
        assert contrast(colour, ink_for(colour)) >= 4.5, colour


@pytest.fixture(scope="module")
def site(kg):
    return Site.from_kg(kg, "https://w3id.org/reallabor/id/", endpoint="/sparql", api="/api/queries")


def _first(kg, cls) -> URIRef:
    return sorted(kg.graph().subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), cls))[0]


def test_lab_view_shows_measures_and_goals_from_the_graph(kg, site):
    lab = _first(kg, RL.RealWorldLab)
    view = site.view(lab, "de", "x.html")
    shown = {v.link.iri for g in view.outgoing for v in g.values if v.link}
    graph = kg.graph(inferred=True)
    assert set(map(str, graph.objects(lab, RL.hasMeasure))) <= shown
    goals = [v.link for g in view.outgoing for v in g.values if v.link and v.link.color]
    assert goals, "a lab's SDG goals are shown with their colour"
    for link in goals:
        assert link.color == str(graph.value(URIRef(link.iri), SCHEMA.color))
    # rl:hasMeasure is shown, its super-property schema:hasPart (inferred) is not repeated.
    assert str(SCHEMA.hasPart) not in {g.prop.iri for g in view.outgoing}


def test_inverse_links_are_shown_without_inference(kg_asserted):
    site = Site.from_kg(kg_asserted, "https://w3id.org/reallabor/id/")
    lab = _first(kg_asserted, RL.RealWorldLab)
    programmes = set(kg_asserted.graph().subjects(RL.hasLab, lab))
    view = site.view(lab, "en", "x.html")
    incoming = {(g.prop.iri, v.link.iri) for g in view.incoming for v in g.values if v.link}
    assert programmes and {(str(RL.hasLab), str(p)) for p in programmes} <= incoming


def test_labels_follow_the_language(kg, site):
    lab = _first(kg, RL.RealWorldLab)
    for lang in ("de", "en"):
        expected = {
            str(o)
            for o in kg.graph().objects(lab, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"))
            if isinstance(o, Literal) and o.language == lang
        }
        assert site.label(lab, lang)[0] in expected


def test_resource_data_is_the_graph_about_it(kg, site):
    lab = _first(kg, RL.RealWorldLab)
    described = site.resource_graph(lab)
    graph = kg.graph(inferred=True)
    assert set(graph.triples((lab, None, None))) <= set(described)
    assert set(graph.triples((None, None, lab))) <= set(described)
    assert all(lab in (s, o) or not isinstance(s, URIRef) for s, _, o in described)


def test_documents_are_deterministic(kg):
    first = Site.from_kg(kg, "https://w3id.org/reallabor/id/")
    second = Site.from_kg(kg, "https://w3id.org/reallabor/id/")
    paths = ["index.html", "sdg/8.en.html", "ontology/index.html"] + [k + ".ttl" for k in list(first.resources)[:3]]
    docs1, docs2 = Pages(first).documents, Pages(second).documents
    assert sorted(docs1) == sorted(docs2)
    for path in paths:
        assert docs1[path].produce() == docs2[path].produce(), path


def test_reserved_names_are_not_resource_paths(site):
    assert not {key.split("/")[0] for key in site.resources} & set(Site.RESERVED)


# -- the real server --------------------------------------------------------------------------------------


@contextlib.contextmanager
def running_server(app) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a thread; yield its URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def pages_app(kg):
    """A minimal app mounting only the page routes (the part under test)."""
    from starlette.applications import Starlette

    from reallabor.web.pages import page_routes
    from reallabor.web.settings import WebSettings

    return Starlette(routes=page_routes(kg, WebSettings()))


@pytest.fixture(scope="module")
def server(kg):
    with running_server(pages_app(kg)) as url:
        yield url


@pytest.fixture(scope="module")
def http(server):
    import httpx

    with httpx.Client(base_url=server, timeout=30) as client:
        yield client


KINDS = [RL.RealWorldLab, RL.Measure, RL.Megatrend, RL.Actor, RL.Phase, RL.Programme]


def _path(iri: URIRef) -> str:
    return "/reallabor/id/" + str(iri).removeprefix("https://w3id.org/reallabor/id/")


def _resources(kg) -> list[URIRef]:
    return [_first(kg, cls) for cls in KINDS]


class _Heads(HTMLParser):
    def __init__(self):
        super().__init__()
        self.alternates: list[dict] = []
        self.lang = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "link" and attrs.get("rel") == "alternate":
            self.alternates.append(attrs)


@pytest.mark.slow
@pytest.mark.parametrize("kind", range(len(KINDS)), ids=[str(k).split("#")[1] for k in KINDS])
@pytest.mark.parametrize("accept", sorted(RDF_ACCEPTS))
def test_303_to_rdf_by_accept_for_each_kind(kg, http, kind, accept):
    iri = _resources(kg)[kind]
    suffix, rdflib_format = RDF_ACCEPTS[accept]
    response = http.get(_path(iri), headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["location"] == _path(iri) + suffix
    assert "Accept" in response.headers["vary"]
    document = http.get(response.headers["location"])
    assert document.status_code == 200
    assert document.headers["content-type"].startswith(accept)
    graph = Graph().parse(data=document.content, format=rdflib_format)
    assert isomorphic(graph, Graph().parse(data=http.get(_path(iri) + ".nt").content, format="nt"))
    assert (iri, None, None) in graph


@pytest.mark.slow
@pytest.mark.parametrize("kind", range(len(KINDS)), ids=[str(k).split("#")[1] for k in KINDS])
def test_browsers_get_html_in_their_language(kg, http, kind):
    iri = _resources(kg)[kind]
    for language, suffix, lang in ((None, ".html", "de"), ("en-GB,en;q=0.8", ".en.html", "en")):
        headers = {"Accept": BROWSER, **({"Accept-Language": language} if language else {})}
        response = http.get(_path(iri), headers=headers, follow_redirects=True)
        assert response.status_code == 200
        assert str(response.url).endswith(suffix)
        parser = _Heads()
        parser.feed(response.text)
        assert parser.lang == lang
        labels = [
            str(o)
            for o in kg.graph().objects(iri, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"))
            if o.language == lang
        ]
        assert labels and all(label in html.unescape(response.text) for label in labels)
        types = {a["type"] for a in parser.alternates}
        assert {"text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"} <= types


@pytest.mark.slow
def test_sdg_goal_page_and_data(kg, http):
    colours = _goal_colours(kg)
    response = http.get("/reallabor/id/sdg/8", headers={"Accept": BROWSER}, follow_redirects=True)
    assert response.status_code == 200
    assert colours["http://metadata.un.org/sdg/8"] in response.text
    data = http.get("/reallabor/id/sdg/8", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert (URIRef("http://metadata.un.org/sdg/8"), SCHEMA.color, None) in Graph().parse(data=data.content)


@pytest.mark.slow
def test_unknown_and_unacceptable(http):
    assert http.get("/reallabor/id/bottrop/lab/does-not-exist", headers={"Accept": BROWSER}).status_code == 404
    assert http.get("/reallabor/id/bottrop/lab/does-not-exist.ttl").status_code == 404
    assert http.get("/reallabor/id/../../etc/passwd").status_code == 404
    lab = http.get("/reallabor/id/index.html").status_code
    assert lab == 200
    response = http.get("/reallabor/id/sdg/8", headers={"Accept": "image/png"})
    assert response.status_code == 406


@pytest.mark.slow
def test_home_and_query_page(kg, http):
    home = http.get("/", follow_redirects=True)
    assert home.status_code == 200 and str(home.url).endswith("/reallabor/id/index.html")
    for lab in kg.graph().subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), RL.RealWorldLab):
        assert HTML_SUFFIXES["de"] in home.text and _path(lab).rsplit("/", 1)[1] in home.text
    assert "<svg" in home.text and 'role="img"' in home.text
    query = http.get("/reallabor/id/query.html")
    for named in kg.named_queries():
        assert f'action="../../api/queries/{named.name}"' in query.text
    assert 'action="../../sparql"' in query.text


def synthetic_file(tmp_path, municipalities: int):
    """Synthetic labs under synthetic.reallabor.example (not under the site's base) beside Bottrop's."""
    from reallabor.synth import generate

    data = tmp_path / "synth.ttl"
    data.write_bytes(generate(municipalities, seed=4))
    return data


def test_home_features_the_labs_published_here_else_every_lab(tmp_path):
    from reallabor import KnowledgeGraph

    data = synthetic_file(tmp_path, 2)
    base = "https://w3id.org/reallabor/id/"

    def home_and_labs(kg) -> tuple[str, list[URIRef]]:
        home = Pages(Site.from_kg(kg, base)).documents["index.html"].produce().decode("utf-8")
        labs = sorted(kg.graph().subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), RL.RealWorldLab))
        return home, labs

    home, labs = home_and_labs(KnowledgeGraph.load([data], inference=False))
    bottrop = [lab for lab in labs if str(lab).startswith(base)]
    elsewhere = [lab for lab in labs if not str(lab).startswith(base)]
    assert bottrop and elsewhere
    assert all(_path(lab).rsplit("/", 1)[1] + ".html" in home for lab in bottrop)
    assert not [lab for lab in elsewhere if str(lab) in home]
    alone, labs = home_and_labs(KnowledgeGraph.load([data], bundled=False, inference=False))
    assert labs and all(str(lab) in alone for lab in labs)  # no lab has a page here: every lab is shown


def test_a_hub_page_shows_its_links_up_to_the_limit_and_says_how_many_more(tmp_path, monkeypatch):
    from reallabor import KnowledgeGraph
    from reallabor.web import render

    kg = KnowledgeGraph.load([synthetic_file(tmp_path, 3)])
    megatrend = URIRef("https://w3id.org/reallabor/id/megatrend/digitalisierung")
    linked = set(kg.graph(inferred=True).objects(megatrend, RL.isAddressedBy))
    site = Site.from_kg(kg, "https://w3id.org/reallabor/id/")
    published = {node for node in linked if str(node).startswith(site.base)}
    limit = len(published) + 2
    assert len(linked) > limit + 1
    monkeypatch.setattr(render, "VALUES_LIMIT", limit)

    (group,) = [g for g in site.view(megatrend, "en", "x.html").outgoing if g.prop.iri == str(RL.isAddressedBy)]
    shown = {URIRef(v.link.iri) for v in group.values}
    assert len(shown) == limit and group.more == len(linked) - limit
    assert published <= shown <= linked  # the labs and measures with a page here come first
    page = Pages(site).documents["megatrend/digitalisierung.en.html"].produce().decode("utf-8")
    assert f"and {group.more} more" in page
    assert set(site.resource_graph(megatrend).objects(megatrend, RL.isAddressedBy)) == linked  # data keeps all
