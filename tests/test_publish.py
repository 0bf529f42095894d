"""`reallabor publish`: the static site links to itself completely, its data parses, its dump is the export."""

from __future__ import annotations

import gzip
import hashlib
import html
import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SKOS

from reallabor.namespaces import DEFAULT_BASE_IRI, RL, SCHEMA

BASE = "https://example.org/lod/"
RDF_FORMATS = {".ttl": "turtle", ".jsonld": "json-ld", ".nt": "nt", ".rdf": "xml"}


@pytest.fixture(scope="module")
def kg_lod():
    from reallabor import KnowledgeGraph

    return KnowledgeGraph.load(base_iri=BASE)


@pytest.fixture(scope="module")
def site(kg_lod, tmp_path_factory) -> Path:
    from reallabor.publish import publish

    out = tmp_path_factory.mktemp("published") / "site"
    report = publish(kg_lod, out, BASE)
    assert report.files == sum(1 for p in out.rglob("*") if p.is_file())
    return out


class _Links(HTMLParser):
    """Every href/src of a page, and every id (for fragment checks)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_every_link_in_every_page_resolves_to_a_file(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 50
    parsed = {page: _parse(page) for page in pages}
    broken, checked = [], 0
    for page, links in parsed.items():
        for link in links.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                assert not link.startswith(BASE), f"{page}: absolute link into the site: {link}"
                continue
            target = page if not parts.path else (page.parent / unquote(parts.path))
            target = Path(posixpath.normpath(target))
            checked += 1
            if (site not in target.parents and target != site) or not target.is_file():
                broken.append(f"{page.relative_to(site)} -> {link}")
            elif parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if parts.fragment not in ids:
                    broken.append(f"{page.relative_to(site)} -> {link} (no id {parts.fragment!r})")
    assert checked > 1000
    assert not broken, "\n".join(broken[:20])


def test_every_data_file_parses_and_describes_its_resource(site):
    files = [p for p in site.rglob("*") if p.suffix in RDF_FORMATS and p.is_file() and p.name != "context.jsonld"]
    assert len(files) > 100
    for path in files:
        graph = Graph().parse(path, format=RDF_FORMATS[path.suffix])
        assert len(graph) > 0, path
        relative = path.relative_to(site).with_suffix("").as_posix()
        if relative.split("/")[0] not in ("dumps", "ontology", "sdg", "catalog", "void", "context"):
            assert (URIRef(BASE + relative), None, None) in graph or (None, None, URIRef(BASE + relative)) in graph


@pytest.mark.parametrize(("suffix", "fmt"), [(".ttl", "turtle"), (".jsonld", "jsonld"), (".nt", "ntriples")])
def test_dumps_are_isomorphic_to_the_export(site, kg_lod, suffix, fmt):
    rdflib_name = {"turtle": "turtle", "jsonld": "json-ld", "ntriples": "nt"}[fmt]
    dumped = Graph().parse(site / "dumps" / f"reallabor{suffix}", format=rdflib_name)
    exported = Graph().parse(data=kg_lod.export(fmt), format=rdflib_name)
    assert isomorphic(dumped, exported)


def test_gzip_dump_is_the_ntriples_dump(site):
    assert (
        gzip.decompress((site / "dumps" / "reallabor.nt.gz").read_bytes())
        == (site / "dumps" / "reallabor.nt").read_bytes()
    )


def test_iris_are_rewritten_to_the_base_everywhere(site):
    for path in site.rglob("*"):
        if (path.is_file() and path.suffix in (".html", ".ttl", ".nt", ".rdf")) or path.name == "context.jsonld":
            assert DEFAULT_BASE_IRI not in path.read_text(encoding="utf-8"), path
        elif path.suffix == ".jsonld":
            graph = Graph().parse(path, format="json-ld")
            assert not any(str(term).startswith(DEFAULT_BASE_IRI) for triple in graph for term in triple), path
    lab_page = next((site / "bottrop" / "lab").glob("*.html"))
    assert BASE + "bottrop/lab/" in html.unescape(lab_page.read_text(encoding="utf-8"))


def test_lab_page_lists_its_measures_and_sdg_colours(site, kg_lod):
    graph = kg_lod.graph(inferred=True)
    for lab in graph.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), RL.RealWorldLab):
        page = html.unescape((site / (str(lab)[len(BASE) :] + ".html")).read_text(encoding="utf-8"))
        for measure in graph.objects(lab, RL.hasMeasure):
            labels = [o for o in graph.objects(measure, SKOS.prefLabel) if o.language == "de"]
            assert labels and all(str(label) in page for label in labels)
            assert str(measure)[len(BASE) :].rsplit("/", 1)[1] + ".html" in page
        for goal in graph.objects(lab, RL.contributesTo):
            colour = graph.value(goal, SCHEMA.color)
            if colour is not None:
                assert f"background-color: {colour}" in page


def test_english_pages_and_language_switch(site):
    german, english = site / "index.html", site / "index.en.html"
    assert '<html lang="de">' in german.read_text(encoding="utf-8")
    assert '<html lang="en">' in english.read_text(encoding="utf-8")
    assert 'href="index.en.html"' in german.read_text(encoding="utf-8")


def test_site_files(site):
    for name in ("context.jsonld", "void.ttl", "ontology/index.html", "ontology/reallabor.ttl", "static/style.css"):
        assert (site / name).is_file(), name
    assert "RewriteBase /lod/" in (site / ".htaccess").read_text(encoding="utf-8")
    assert "location /lod/" in (site / "nginx.conf").read_text(encoding="utf-8")
    ontology = (site / "ontology" / "index.html").read_text(encoding="utf-8")
    assert 'id="RealWorldLab"' in ontology and 'id="hasMeasure"' in ontology
    assert isomorphic(Graph().parse(site / "ontology" / "reallabor.ttl"), _tbox())


def _tbox() -> Graph:
    from reallabor.resources import ontology_dir

    return Graph().parse(ontology_dir() / "reallabor.ttl")


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_publish_is_deterministic_and_replaces_the_folder(site, kg_lod, tmp_path):
    from reallabor.publish import publish

    again = tmp_path / "again"
    (again).mkdir()
    publish(kg_lod, again, BASE)
    (again / "stale.html").write_text("left over")
    publish(kg_lod, again, BASE)
    assert not (again / "stale.html").exists()
    assert _digest(again) == _digest(site)


def test_refuses_a_folder_it_did_not_write(cli, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("mine")
    done = cli("publish", str(precious))
    assert done.returncode == 2
    assert done.stderr.decode().count("\n") == 1 and "not written by `reallabor publish`" in done.stderr.decode()
    assert (precious / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("command", [("publish", "out"), ("query", "labs"), ("export", "--format", "turtle")])
def test_bad_base_iri_is_one_line(cli, tmp_path, command):
    done = cli(*command, "--base-iri", "example.org/lod", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.decode().count("\n") == 1
    assert "--base-iri 'example.org/lod'" in done.stderr.decode() and not done.stdout
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_cli_publish(cli, tmp_path):
    out = tmp_path / "site"
    done = cli("publish", str(out), "--base-iri", "https://lod.example.net/bottrop/", "--no-inference")
    assert done.returncode == 0, done.stderr.decode()
    assert (out / "index.html").is_file() and (out / "dumps" / "reallabor.nt.gz").is_file()
    assert "https://lod.example.net/bottrop/bottrop/lab/" in (out / "dumps" / "reallabor.nt").read_text()


@pytest.mark.slow
def test_publish_gives_the_same_bytes_in_processes_with_different_hash_seeds(cli, tmp_path):
    digests = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed-{seed}"
        done = cli("publish", str(out), "--no-cache", env={"PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr.decode()
        digests.append(_digest(out))
    assert digests[0] == digests[1]


def test_ontology_page_lists_each_property_chain_in_its_own_order(site):
    page = (site / "ontology" / "index.en.html").read_text(encoding="utf-8")
    term = page[page.index('id="contributesTo"') :]
    chains = [chain.split("</dd>")[0] for chain in term.split("</dl>")[0].split("<dd>")[1:] if "isTargetOf" in chain]
    assert len(chains) == 1
    assert chains[0].index("#contributesTo") < chains[0].index("isTargetOf")
