"""The DCAT-AP.de catalog, VoID and CSV distributions: conformance, measured bytes, round-trips, config."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SH, SKOS

from reallabor import InputError
from reallabor.portal import (
    catalog_bytes,
    catalog_graph,
    dump_files,
    load_config,
    serialize,
    void_bytes,
    write_portal_files,
)
from reallabor.portal.config import CKAN_TAG
from reallabor.portal.files import measure_memory
from reallabor.portal.vocab import DCAT, DCT, SPDX, VCARD, VOID

from .helpers import BARE_MEASURE

DATA = Path(__file__).resolve().parent / "data"
SHAPES_ENV = "REALLABOR_DCAT_AP_SHAPES"
SITE = "https://portal.example.org/reallabor/"
LICENCES = URIRef("http://dcat-ap.de/def/licenses")


# -- helpers --------------------------------------------------------------------------------------


def shapes_dir() -> Path:
    value = os.environ.get(SHAPES_ENV)
    if not value:
        pytest.skip(f"{SHAPES_ENV} is not set: the DCAT-AP / DCAT-AP.de SHACL shapes are not available")
    path = Path(value)
    if not (path / "semic-dcat-ap-3.0.0" / "dcat-ap-SHACL.ttl").is_file():
        pytest.fail(f"{SHAPES_ENV}={value} does not hold semic-dcat-ap-3.0.0/dcat-ap-SHACL.ttl")
    return path


def profile(name: str) -> Graph:
    """DCAT-AP.de 3.0 = SEMIC 3.0.0 + the five DE files (the official validator's v30_de_spec); or SEMIC alone."""
    root = shapes_dir()
    files = [root / "semic-dcat-ap-3.0.0" / "dcat-ap-SHACL.ttl"]
    if name == "dcat-ap-de-3.0":
        files += sorted((root / "dcat-ap-de-3.0").glob("*.ttl"))
        assert len(files) == 6
    shapes = Graph()
    for file in files:
        shapes.parse(file)
    return shapes


def with_vocabularies(catalog: Graph) -> Graph:
    """The catalog plus code-list membership, as the official validator has through owl:imports."""
    data = Graph()
    data += catalog
    data.parse(DATA / "eu-codelists.ttl")
    licences = Graph().parse(shapes_dir() / "codelists" / "dcat-ap-de-licenses-20200715.rdf")
    for concept in licences.subjects(SKOS.inScheme, LICENCES):
        data.add((concept, SKOS.inScheme, LICENCES))
    return data


def shacl_results(catalog: Graph, profile_name: str) -> list[dict]:
    from pyshacl import validate

    _, report, _ = validate(with_vocabularies(catalog), shacl_graph=profile(profile_name), do_owl_imports=False)
    return [
        {
            "severity": report.value(r, SH.resultSeverity),
            "focus": report.value(r, SH.focusNode),
            "path": report.value(r, SH.resultPath),
            "message": str(report.value(r, SH.resultMessage)),
        }
        for r in report.subjects(RDF.type, SH.ValidationResult)
    ]


def parse(data: bytes, fmt: str) -> Graph:
    return Graph().parse(data=data, format={"turtle": "turtle", "jsonld": "json-ld", "xml": "xml"}[fmt])


def write_site(kg, site: Path, base_url: str = SITE, **kwargs) -> None:
    """What `publish` does: write the dumps, then call write_portal_files."""
    for path, data in dump_files(kg).items():
        if not path.endswith(".csv"):
            (site / path).parent.mkdir(parents=True, exist_ok=True)
            (site / path).write_bytes(data)
    write_portal_files(kg, site, base_url, **kwargs)


@pytest.fixture(scope="module")
def catalog(kg_asserted) -> Graph:
    return parse(catalog_bytes(kg_asserted, site_url=SITE), "turtle")


@pytest.fixture(scope="module")
def site(kg_asserted, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("site")
    write_site(kg_asserted, root)
    return root


def dataset_of(graph: Graph) -> URIRef:
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    return dataset


# -- conformance ----------------------------------------------------------------------------------


@pytest.mark.parametrize("profile_name", ["dcat-ap-de-3.0", "semic-dcat-ap-3.0.0"])
def test_catalog_has_no_shacl_results(catalog, profile_name):
    results = shacl_results(catalog, profile_name)
    assert results == [], "\n".join(f"{r['severity']} {r['focus']} {r['path']}: {r['message']}" for r in results)


def test_catalog_with_contact_point_conforms(kg_asserted, tmp_path):
    config = dataclasses.replace(
        load_config(), contact=dataclasses.replace(load_config().contact, email="open-data@example.org")
    )
    graph = parse(catalog_bytes(kg_asserted, config=config, site_url=SITE), "turtle")
    (contact,) = graph.objects(dataset_of(graph), DCAT.contactPoint)
    assert (contact, VCARD.hasEmail, URIRef("mailto:open-data@example.org")) in graph
    assert shacl_results(graph, "dcat-ap-de-3.0") == []


def test_broken_catalog_is_caught(kg_asserted):
    config = dataclasses.replace(load_config(), licence="my-own-licence")
    graph = parse(catalog_bytes(kg_asserted, config=config, site_url=SITE), "turtle")
    graph.remove((None, DCT.publisher, None))
    results = shacl_results(graph, "dcat-ap-de-3.0")
    dataset = dataset_of(graph)
    assert any(r["path"] == DCT.publisher and r["focus"] == dataset and r["severity"] == SH.Violation for r in results)
    # DCAT-AP.de 3.0 checks the licence list as a nested shape on the licence (severity Warning, "SOLL").
    licence = URIRef("http://dcat-ap.de/def/licenses/my-own-licence")
    on_licence = [r["message"] for r in results if r["focus"] == licence and r["path"] == SKOS.inScheme]
    assert any(m.startswith("dcat:Distribution: dcterms:license") for m in on_licence)
    assert any(m.startswith("dcat:Catalog: dcterms:license") for m in on_licence)
    # SEMIC DCAT-AP 3.0.0 requires a publisher on the catalog (DCAT-AP.de also on the dataset).
    (catalog_node,) = graph.subjects(RDF.type, DCAT.Catalog)
    semic = shacl_results(graph, "semic-dcat-ap-3.0.0")
    assert any(r["path"] == DCT.publisher and r["focus"] == catalog_node for r in semic)


def test_bundled_catalog_states_what_the_issue_asks(catalog):
    dataset = dataset_of(catalog)
    for predicate in (DCT.title, DCT.description):
        assert {o.language for o in catalog.objects(dataset, predicate)} == {"de", "en"}
    assert (dataset, DCT.identifier, Literal(str(dataset))) in catalog
    assert (None, DCT.temporal, None) not in catalog  # the source states no temporal coverage
    assert (None, DCAT.contactPoint, None) not in catalog  # no e-mail, URL or phone is known
    level = URIRef("http://dcat-ap.de/def/politicalGeocoding/Level/municipality")
    assert (dataset, URIRef("http://dcat-ap.de/def/dcatde/politicalGeocodingLevelURI"), level) in catalog
    geocoding = URIRef("http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05512000")
    assert (dataset, DCT.spatial, geocoding) in catalog
    keywords = list(catalog.objects(dataset, DCAT.keyword))
    assert keywords and all(CKAN_TAG.match(str(k)) for k in keywords)
    (service,) = catalog.subjects(RDF.type, DCAT.DataService)
    assert (service, DCAT.servesDataset, dataset) in catalog
    assert (service, DCAT.endpointURL, URIRef(SITE + "sparql")) in catalog


# -- files: sizes, checksums, download URLs ------------------------------------------------------


def test_sizes_and_checksums_match_the_files(site):
    import hashlib

    graph = parse((site / "catalog.ttl").read_bytes(), "turtle")
    distributions = list(graph.subjects(RDF.type, DCAT.Distribution))
    assert len(distributions) == 7
    for dist in distributions:
        url = str(graph.value(dist, DCAT.downloadURL))
        assert url.startswith(SITE)
        file = site / url[len(SITE) :]
        assert file.is_file(), url
        data = file.read_bytes()
        assert int(graph.value(dist, DCAT.byteSize)) == len(data)
        checksum = graph.value(dist, SPDX.checksum)
        assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256


def test_checksums_follow_changed_files(kg_asserted, site, tmp_path):
    changed = tmp_path / "site"
    write_site(kg_asserted, changed)
    (changed / "dumps" / "reallabor.nt").write_bytes(b"<urn:a> <urn:b> <urn:c> .\n")
    write_portal_files(kg_asserted, changed, SITE)
    graph = parse((changed / "catalog.ttl").read_bytes(), "turtle")
    sizes = {str(graph.value(d, DCAT.downloadURL)): int(s) for d, s in graph.subject_objects(DCAT.byteSize)}
    assert sizes[SITE + "dumps/reallabor.nt"] == 26


def test_memory_catalog_equals_published_catalog(kg_asserted, site):
    assert catalog_bytes(kg_asserted, site_url=SITE) == (site / "catalog.ttl").read_bytes()


def test_endpoint_override(kg_asserted, tmp_path):
    write_site(kg_asserted, tmp_path, endpoint="https://sparql.example.org/q")
    graph = parse((tmp_path / "catalog.ttl").read_bytes(), "turtle")
    assert (None, DCAT.endpointURL, URIRef("https://sparql.example.org/q")) in graph
    void = Graph().parse(tmp_path / "void.ttl")
    assert (None, VOID.sparqlEndpoint, URIRef("https://sparql.example.org/q")) in void


def test_missing_dump_is_named(kg_asserted, tmp_path):
    write_site(kg_asserted, tmp_path)
    (tmp_path / "dumps" / "reallabor.nt.gz").unlink()
    with pytest.raises(InputError, match=r"dumps/reallabor\.nt\.gz: cannot read"):
        write_portal_files(kg_asserted, tmp_path, SITE)


def test_output_is_deterministic(kg_asserted):
    assert catalog_bytes(kg_asserted, "xml", site_url=SITE) == catalog_bytes(kg_asserted, "xml", site_url=SITE)
    assert void_bytes(kg_asserted, site_url=SITE) == void_bytes(kg_asserted, site_url=SITE)


@pytest.mark.parametrize("fmt", ["jsonld", "xml"])
def test_catalog_round_trips_isomorphically(site, fmt):
    turtle = parse((site / "catalog.ttl").read_bytes(), "turtle")
    other = parse((site / {"jsonld": "catalog.jsonld", "xml": "catalog.rdf"}[fmt]).read_bytes(), fmt)
    assert len(turtle) > 100
    assert isomorphic(turtle, other)
    assert isomorphic(parse(serialize(other, "turtle"), "turtle"), turtle)


# -- VoID and CSV ---------------------------------------------------------------------------------


def test_void_counts_the_dump(site):
    void = Graph().parse(site / "void.ttl")
    dump = Graph().parse(site / "dumps" / "reallabor.nt", format="nt")
    (dataset,) = void.subjects(RDF.type, VOID.Dataset)
    assert int(void.value(dataset, VOID.triples)) == len(dump)
    assert int(void.value(dataset, VOID.distinctSubjects)) == len(set(dump.subjects()))
    assert int(void.value(dataset, VOID.properties)) == len(set(dump.predicates()))
    assert int(void.value(dataset, VOID.classes)) == len(set(dump.objects(None, RDF.type)))
    assert URIRef("http://www.w3.org/2004/02/skos/core#") in set(void.objects(dataset, VOID.vocabulary))
    assert URIRef(SITE + "dumps/reallabor.ttl") in set(void.objects(dataset, VOID.dataDump))
    assert (dataset, VOID.sparqlEndpoint, URIRef(SITE + "sparql")) in void
    assert str(void.value(dataset, VOID.uriSpace)) == "https://w3id.org/reallabor/id/"
    catalog = parse((site / "catalog.ttl").read_bytes(), "turtle")
    assert dataset == dataset_of(catalog)


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_csv_tables_hold_the_graph(kg_asserted, site):
    labs = _rows(site / "dumps" / "csv" / "labs.csv")
    expected_labs = kg_asserted.sparql("SELECT ?l WHERE { ?l a <https://w3id.org/reallabor/ontology#RealWorldLab> }")
    assert {r["lab"] for r in labs} == {str(row["l"]) for row in expected_labs.rows}
    assert all(r["name_de"] and r["name_en"] for r in labs)
    measures = _rows(site / "dumps" / "csv" / "measures.csv")
    assert sum(int(r["measures"]) for r in labs) == len(measures)
    links = _rows(site / "dumps" / "csv" / "sdg-links.csv")
    expected_links = kg_asserted.sparql(
        "SELECT ?m ?g WHERE { ?m <https://w3id.org/reallabor/ontology#contributesTo> ?g ."
        " ?g a <http://metadata.un.org/sdg/ontology#Goal> }"
    )
    assert {(r["measure"], r["sdg"]) for r in links} == {(str(r["m"]), str(r["g"])) for r in expected_links.rows}
    for row in links:
        assert row["sdg"] == f"http://metadata.un.org/sdg/{row['sdg_number']}"
        assert row["sdg_title_de"] and row["sdg_title_en"]


@pytest.mark.parametrize("snapshot", [False, True], ids=["rdflib", "oxigraph"])
def test_measures_table_keeps_a_measure_without_megatrend_as_one_row(snapshot):
    from reallabor import KnowledgeGraph
    from reallabor.portal.tables import csv_table

    graph = KnowledgeGraph.load([BARE_MEASURE], cache=False, snapshot=snapshot)
    table = list(csv.DictReader(io.StringIO(csv_table(graph, "measures.rq").decode("utf-8"))))
    bare = [row for row in table if row["measure"] == "https://example.org/m/bare"]
    assert [(r["megatrends_de"], r["megatrends_en"], r["lab_name_de"]) for r in bare] == [("", "", "Bare lab")]
    assert all(row["megatrends_de"] for row in table if row is not bare[0])


# -- configuration: another municipality changes one file ------------------------------------------


OTHER = """
[catalog]
slug = "musterstadt"
title.de = "Reallabore Musterstadt"
title.en = "Real-world labs of Musterstadt"
description.de = "Beschreibung."
description.en = "Description."
site_url = "https://daten.musterstadt.example/reallabore"
languages = ["DEU"]
modified = 2024-05-01

[dataset]
id = "labs"
title.de = "Reallabore"
title.en = "Labs"
description.de = "Beschreibung."
description.en = "Description."
keywords.de = ["Reallabor"]
themes = ["REGI"]
licence = "cc-by/4.0"
access_rights = "PUBLIC"

[publisher]
iri = "https://daten.musterstadt.example/org/stadt"
name.de = "Stadt Musterstadt"
name.en = "City of Musterstadt"
type = "LocalAuthority"
"""


def test_another_municipality_changes_only_the_config(kg_asserted, tmp_path):
    path = tmp_path / "publication.toml"
    path.write_text(OTHER, encoding="utf-8")
    graph = parse(catalog_bytes(kg_asserted, config=load_config(path), base_iri="https://ex.org/id/"), "turtle")
    dataset = dataset_of(graph)
    assert str(dataset) == "https://ex.org/id/musterstadt/dataset/labs"
    publisher = URIRef("https://daten.musterstadt.example/org/stadt")
    assert (dataset, DCT.publisher, publisher) in graph
    assert (dataset, DCT.license, URIRef("http://dcat-ap.de/def/licenses/cc-by/4.0")) in graph
    assert str(graph.value(dataset, DCT.modified)) == "2024-05-01"
    urls = {str(u) for u in graph.objects(None, DCAT.downloadURL)}
    assert all(u.startswith("https://daten.musterstadt.example/reallabore/dumps/") for u in urls)
    assert "Bottrop" not in graph.serialize(format="nt")


def test_source_date_epoch_sets_modified(kg_asserted, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1717200000")  # 2024-06-01 00:00 UTC
    graph = parse(catalog_bytes(kg_asserted), "turtle")
    assert str(graph.value(dataset_of(graph), DCT.modified)) == "2024-06-01"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert (None, DCT.modified, None) not in parse(catalog_bytes(kg_asserted), "turtle")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('licence = "cc-by/4.0"\n', "", r"dataset\.licence: missing"),
        (
            'keywords.de = ["Reallabor"]',
            'keywords.de = ["Nachhaltige/r Konsum"]',
            r"dataset\.keywords\.de: .*not allowed",
        ),
        ("modified = 2024-05-01", 'modified = "gestern"', r"catalog\.modified: must be a date"),
        ('site_url = "https://daten', 'site_url = "ftp://daten', r"catalog\.site_url: .*not an http"),
        ("[dataset]", "[dataset", r"publication\.toml: "),
    ],
)
def test_bad_config_names_file_and_key(tmp_path, old, new, message):
    path = tmp_path / "publication.toml"
    assert old in OTHER
    path.write_text(OTHER.replace(old, new), encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        load_config(path)
    assert str(path) in str(caught.value)


# -- CLI -------------------------------------------------------------------------------------------


def test_cli_writes_each_format(cli, tmp_path):
    graphs = []
    for fmt in ("turtle", "jsonld", "xml"):
        out = tmp_path / f"catalog.{fmt}"
        done = cli("catalog", "--no-inference", "-f", fmt, "-o", str(out), "--base-url", SITE)
        assert done.returncode == 0, done.stderr.decode()
        graphs.append(parse(out.read_bytes(), fmt))
    assert isomorphic(graphs[0], graphs[1]) and isomorphic(graphs[0], graphs[2])
    done = cli("catalog", "--no-inference", "--void", "--base-url", SITE)
    assert done.returncode == 0
    assert (None, RDF.type, VOID.Dataset) in Graph().parse(data=done.stdout, format="turtle")


def test_cli_bad_config_is_one_line(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(OTHER.replace("[publisher]", "[publisher-typo]"), encoding="utf-8")
    done = cli("catalog", "--no-inference", "--config", str(bad))
    assert done.returncode == 2
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "publisher.iri: missing" in lines[0] and str(bad) in lines[0]


def test_memory_measure_matches_dump_bytes(kg_asserted):
    files = dump_files(kg_asserted)
    measured = {f.spec.path: f.size for f in measure_memory(files)}
    assert measured == {path: len(data) for path, data in files.items()}
    graph = catalog_graph(kg_asserted, measure_memory(files), load_config(), SITE)
    assert {int(s) for s in graph.objects(None, DCAT.byteSize)} == {len(d) for d in files.values()}
