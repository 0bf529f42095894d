"""A stock CKAN takes the catalog: ckanext-dcat's RDF parser (profile euro_dcat_ap_3) reads every dataset.

CKAN pins its own dependencies (Flask, SQLAlchemy, click, ...), so it lives in a virtualenv of its own,
named by REALLABOR_CKAN_PYTHON (.ci/run builds it with `pip install 'ckan[requirements]' ckanext-dcat`).
The parser runs there in a subprocess, on the catalog files a published site holds. What this exercises:
ckanext-dcat's RDFParser with the euro_dcat_ap_3 profile (the parsing step of its RDF harvester's import
stage) and CKAN's own tag validators. What it does not: the harvester's gather/fetch jobs and package_create,
which need PostgreSQL, Solr and Redis.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SKOS

from reallabor.portal import dump_files, load_config, write_portal_files
from reallabor.portal.vocab import DCAT, DCT

SITE = "https://portal.example.org/reallabor/"

# Runs inside the CKAN environment: parse with ckanext-dcat, validate tags with CKAN's validators.
HARVEST = """
import json, sys
from ckan.common import config
from ckan.logic.validators import tag_length_validator, tag_name_validator
from ckanext.dcat.processors import RDFParser
config["licenses_group_url"] = "file://" + sys.argv[3]
parser = RDFParser(profiles=["euro_dcat_ap_3"])
parser.parse(open(sys.argv[1], "rb").read(), _format=sys.argv[2])
datasets, bad = list(parser.datasets()), []
for tag in (t["name"] for d in datasets for t in d.get("tags", [])):
    try:
        tag_length_validator(tag, {}), tag_name_validator(tag, {})
    except Exception as exc:
        bad.append([tag, str(exc)])
print(json.dumps({"datasets": datasets, "bad_tags": bad}))
"""


@pytest.fixture(scope="module")
def ckan_python() -> str:
    value = os.environ.get("REALLABOR_CKAN_PYTHON")
    if not value:
        pytest.skip("REALLABOR_CKAN_PYTHON is not set: no Python with ckan[requirements] and ckanext-dcat")
    return value


@pytest.fixture(scope="module")
def licence_register(tmp_path_factory) -> Path:
    """CKAN's licence register filled from the dcat-ap.de licence list, as German CKAN portals configure it."""
    shapes = os.environ.get("REALLABOR_DCAT_AP_SHAPES")
    if not shapes:
        pytest.skip("REALLABOR_DCAT_AP_SHAPES is not set: the dcat-ap.de licence list is not available")
    scheme = URIRef("http://dcat-ap.de/def/licenses")
    licences = Graph().parse(Path(shapes) / "codelists" / "dcat-ap-de-licenses-20200715.rdf")
    register = [
        {"id": str(c), "url": str(c), "title": str(licences.value(c, SKOS.prefLabel) or c)}
        for c in sorted(set(licences.subjects(SKOS.inScheme, scheme)))
    ]
    path = tmp_path_factory.mktemp("ckan") / "licenses.json"
    path.write_text(json.dumps(register), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def site(kg_asserted, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("site")
    for path, data in dump_files(kg_asserted).items():
        if not path.endswith(".csv"):
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(data)
    write_portal_files(kg_asserted, root, SITE)
    return root


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "syntax"), [("catalog.ttl", "turtle"), ("catalog.rdf", "xml"), ("catalog.jsonld", "json-ld")]
)
def test_ckanext_dcat_imports_every_dataset(ckan_python, licence_register, site, name, syntax):
    done = subprocess.run(
        [ckan_python, "-c", HARVEST, str(site / name), syntax, str(licence_register)],
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    harvested = json.loads(done.stdout)
    catalog = Graph().parse(site / "catalog.ttl")
    config = load_config()
    datasets = harvested["datasets"]
    assert len(datasets) == len(set(catalog.subjects(RDF.type, DCAT.Dataset))) == 1
    assert harvested["bad_tags"] == []
    for dataset in datasets:
        assert dataset["title"] in (config.dataset_title.de, config.dataset_title.en)
        assert dataset["notes"] in (config.dataset_description.de, config.dataset_description.en)
        extras = {e["key"]: e["value"] for e in dataset["extras"]}
        assert extras["publisher_name"] in (config.publisher_name.de, config.publisher_name.en)
        assert extras["publisher_uri"] == str(next(catalog.objects(None, DCT.publisher)))
        assert dataset["license_id"] == "http://dcat-ap.de/def/licenses/" + config.licence
        keywords = {str(k) for k in catalog.objects(None, DCAT.keyword)}
        assert {t["name"] for t in dataset["tags"]} == keywords
        _check_resources(dataset["resources"], catalog, site)
    # The parser keeps no dcatde fields; GovData's ckanext-dcatde reads them from the same RDF.
    level = URIRef("http://dcat-ap.de/def/dcatde/politicalGeocodingLevelURI")
    assert len(set(catalog.objects(None, level))) == 1


def _check_resources(resources: list[dict], catalog: Graph, site: Path) -> None:
    assert len(resources) == len(set(catalog.subjects(RDF.type, DCAT.Distribution))) == 7
    for resource in resources:
        dist = URIRef(resource["uri"])
        assert resource["format"] == str(catalog.value(dist, DCT["format"]))
        assert resource["mimetype"] == str(catalog.value(dist, DCAT.mediaType))
        assert resource["mimetype"].startswith("https://www.iana.org/assignments/media-types/")
        data = (site / resource["download_url"][len(SITE) :]).read_bytes()
        assert resource["size"] == len(data)
        assert resource["hash"] == hashlib.sha256(data).hexdigest()
        assert resource["hash_algorithm"] == "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
        assert resource["license"].startswith("http://dcat-ap.de/def/licenses/")
