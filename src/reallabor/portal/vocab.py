"""Namespaces and code-list IRI forms of DCAT-AP, DCAT-AP.de, SPDX, vCard and VoID."""

from __future__ import annotations

from rdflib import Namespace

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
DCATAP = Namespace("http://data.europa.eu/r5r/")
DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
ORG = Namespace("http://www.w3.org/ns/org#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
VOID = Namespace("http://rdfs.org/ns/void#")

# Code lists: short code in the configuration -> IRI.
LICENCES = "http://dcat-ap.de/def/licenses/"
DATA_THEMES = "http://publications.europa.eu/resource/authority/data-theme/"
DATA_THEME_SCHEME = "http://publications.europa.eu/resource/authority/data-theme"
LANGUAGES = "http://publications.europa.eu/resource/authority/language/"
ACCESS_RIGHTS = "http://publications.europa.eu/resource/authority/access-right/"
FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"
PUBLISHER_TYPES = "http://purl.org/adms/publishertype/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
SHA256 = SPDX.checksumAlgorithm_sha256
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"

# Media types of compression formats (dcat:compressFormat).
COMPRESS_MEDIA_TYPES = {"gzip": "application/gzip"}

PREFIXES = {
    "dcat": DCAT,
    "dcterms": DCT,
    "dcatap": DCATAP,
    "dcatde": DCATDE,
    "foaf": FOAF,
    "org": ORG,
    "skos": SKOS,
    "spdx": SPDX,
    "vcard": VCARD,
    "void": VOID,
}
