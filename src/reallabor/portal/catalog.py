"""The DCAT-AP.de 3.0 catalog: a dcat:Catalog with the dataset, its distributions and the SPARQL service.

Everything municipality-specific comes from the PublicationConfig; everything about the files (size,
checksum) comes from their bytes. Referenced resources carry their DCAT-AP range class (dct:LicenseDocument,
dct:MediaType, ...), as DCAT-AP's SHACL range checks ask, and no blank nodes are used, so the output is the
same bytes on every run and every node has a stable IRI a harvester can follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef

from .config import PublicationConfig, Texts
from .files import FileFacts
from .vocab import (
    ACCESS_RIGHTS,
    COMPRESS_MEDIA_TYPES,
    DATA_THEME_SCHEME,
    DATA_THEMES,
    DCAT,
    DCATDE,
    DCT,
    FILE_TYPES,
    FOAF,
    IANA_MEDIA_TYPES,
    LANGUAGES,
    LICENCES,
    ORG,
    PUBLISHER_TYPES,
    SHA256,
    SKOS,
    SPARQL_PROTOCOL,
    SPDX,
    VCARD,
)


@dataclass(frozen=True)
class CatalogIris:
    """The IRIs the catalog mints, all under ``{base IRI}{slug}/``."""

    base_iri: str
    config: PublicationConfig

    def resolve(self, value: str) -> URIRef:
        return URIRef(value if "://" in value else self.base_iri + value)

    @property
    def root(self) -> str:
        return f"{self.base_iri}{self.config.slug}/"

    @property
    def catalog(self) -> URIRef:
        return URIRef(self.root + "catalog")

    @property
    def dataset(self) -> URIRef:
        return URIRef(f"{self.root}dataset/{self.config.dataset_id}")

    @property
    def service(self) -> URIRef:
        return URIRef(self.root + "service/sparql")

    @property
    def contact(self) -> URIRef:
        return URIRef(self.root + "contact")

    @property
    def publisher(self) -> URIRef:
        return self.resolve(self.config.publisher_iri)

    def distribution(self, facts: FileFacts) -> URIRef:
        return URIRef(f"{self.dataset}/distribution/{facts.spec.slug}")


class CatalogBuilder:
    """Adds the catalog's triples to one graph; each method describes one resource."""

    def __init__(self, config: PublicationConfig, iris: CatalogIris, site_url: str, endpoint: str) -> None:
        self.config = config
        self.iris = iris
        self.site_url = site_url
        self.endpoint = URIRef(endpoint)
        self.graph = Graph()

    def add(self, subject: URIRef, predicate: URIRef, obj) -> None:
        self.graph.add((subject, predicate, obj))

    def typed(self, iri: str | URIRef, cls: URIRef) -> URIRef:
        """A referenced resource with its DCAT-AP range class."""
        node = URIRef(iri)
        self.add(node, RDF.type, cls)
        return node

    def texts(self, subject: URIRef, predicate: URIRef, texts: Texts) -> None:
        self.add(subject, predicate, Literal(texts.de, lang="de"))
        self.add(subject, predicate, Literal(texts.en, lang="en"))

    def dates(self, subject: URIRef, issued: date | None, modified: date | None) -> None:
        if issued is not None:
            self.add(subject, DCT.issued, Literal(issued, datatype=XSD.date))
        if modified is not None:
            self.add(subject, DCT.modified, Literal(modified, datatype=XSD.date))

    def licence(self, subject: URIRef) -> None:
        self.add(subject, DCT.license, self.typed(LICENCES + self.config.licence, DCT.LicenseDocument))

    def public(self, subject: URIRef) -> None:
        self.add(subject, DCT.accessRights, self.typed(ACCESS_RIGHTS + self.config.access_rights, DCT.RightsStatement))

    def languages(self, subject: URIRef) -> None:
        for code in self.config.languages:
            self.add(subject, DCT.language, self.typed(LANGUAGES + code, DCT.LinguisticSystem))

    def spatial(self, subject: URIRef) -> None:
        for place in (*self.config.geocoding, *self.config.places):
            self.add(subject, DCT.spatial, self.typed(place, DCT.Location))

    # -- resources --------------------------------------------------------------------------------

    def catalog(self, modified: date | None) -> None:
        cat, config = self.iris.catalog, self.config
        self.add(cat, RDF.type, DCAT.Catalog)
        self.texts(cat, DCT.title, config.catalog_title)
        self.texts(cat, DCT.description, config.catalog_description)
        self.add(cat, DCT.publisher, self.iris.publisher)
        self.add(cat, FOAF.homepage, self.typed(self.site_url, FOAF.Document))
        self.languages(cat)
        self.licence(cat)
        self.spatial(cat)
        scheme = self.typed(DATA_THEME_SCHEME, SKOS.ConceptScheme)
        self.add(scheme, DCT.title, Literal("Data theme", lang="en"))
        self.add(cat, DCAT.themeTaxonomy, scheme)
        self.add(cat, DCAT.dataset, self.iris.dataset)
        self.add(cat, DCAT.service, self.iris.service)
        self.dates(cat, config.issued, modified)

    def publisher(self) -> None:
        agent, config = self.iris.publisher, self.config
        for cls in (FOAF.Agent, FOAF.Organization, ORG.Organization):
            self.add(agent, RDF.type, cls)
        self.texts(agent, FOAF.name, config.publisher_name)
        self.add(agent, DCT.type, self.typed(PUBLISHER_TYPES + config.publisher_type, SKOS.Concept))
        if config.publisher_homepage:
            self.add(agent, FOAF.homepage, self.typed(config.publisher_homepage, FOAF.Document))

    def contact(self) -> URIRef | None:
        """A vCard contact point, only when the configuration gives a way to reach someone."""
        contact = self.config.contact
        if not contact.reachable:
            return None
        node = self.iris.contact
        self.add(node, RDF.type, VCARD.Organization)
        self.add(node, RDF.type, VCARD.Kind)
        self.add(node, VCARD.fn, Literal(contact.name or self.config.publisher_name.de))
        if contact.email:
            self.add(node, VCARD.hasEmail, URIRef("mailto:" + contact.email))
        if contact.url:
            self.add(node, VCARD.hasURL, URIRef(contact.url))
        if contact.telephone:
            self.add(node, VCARD.hasTelephone, URIRef("tel:" + contact.telephone.replace(" ", "")))
        return node

    def dataset(self, keywords: dict[str, list[str]], modified: date | None, contact: URIRef | None) -> None:
        ds, config = self.iris.dataset, self.config
        self.add(ds, RDF.type, DCAT.Dataset)
        self.texts(ds, DCT.title, config.dataset_title)
        self.texts(ds, DCT.description, config.dataset_description)
        self.add(ds, DCT.identifier, Literal(str(ds)))
        self.add(ds, DCT.publisher, self.iris.publisher)
        for lang, words in keywords.items():
            for word in words:
                self.add(ds, DCAT.keyword, Literal(word, lang=lang))
        for code in config.themes:
            self.add(ds, DCAT.theme, self.typed(DATA_THEMES + code, SKOS.Concept))
        self.spatial(ds)
        # DCAT-AP.de 3.0 deprecates dcatde:politicalGeocodingURI: the geocoding IRIs go to dct:spatial (K11).
        if config.geocoding_level:
            self.add(ds, DCATDE.politicalGeocodingLevelURI, URIRef(config.geocoding_level))
        if config.contributor_id:
            self.add(ds, DCATDE.contributorID, URIRef(config.contributor_id))
        self.languages(ds)
        self.licence(ds)
        self.public(ds)
        if config.attribution:
            self.add(ds, DCATDE.licenseAttributionByText, Literal(config.attribution))
        self.add(ds, DCAT.landingPage, self.typed(self.site_url, FOAF.Document))
        if contact is not None:
            self.add(ds, DCAT.contactPoint, contact)
        self.dates(ds, config.issued, modified)

    def distribution(self, facts: FileFacts, modified: date | None) -> None:
        spec, dist = facts.spec, self.iris.distribution(facts)
        self.add(self.iris.dataset, DCAT.distribution, dist)
        self.add(dist, RDF.type, DCAT.Distribution)
        self.texts(dist, DCT.title, Texts(spec.title_de, spec.title_en))
        if spec.description_de and spec.description_en:
            self.texts(dist, DCT.description, Texts(spec.description_de, spec.description_en))
        url = self.typed(self.site_url + spec.path, RDFS.Resource)
        self.add(dist, DCAT.accessURL, url)
        self.add(dist, DCAT.downloadURL, url)
        self.add(dist, DCAT.mediaType, self.typed(IANA_MEDIA_TYPES + spec.form.media_type, DCT.MediaType))
        self.add(dist, DCT["format"], self.typed(FILE_TYPES + spec.file_type, DCT.MediaTypeOrExtent))
        if spec.compress:
            packed = IANA_MEDIA_TYPES + COMPRESS_MEDIA_TYPES[spec.compress]
            self.add(dist, DCAT.compressFormat, self.typed(packed, DCT.MediaType))
        self.add(dist, DCAT.byteSize, Literal(facts.size, datatype=XSD.nonNegativeInteger))
        checksum = URIRef(f"{dist}/checksum")
        self.add(dist, SPDX.checksum, checksum)
        self.add(checksum, RDF.type, SPDX.Checksum)
        self.add(checksum, SPDX.algorithm, self.typed(SHA256, SPDX.ChecksumAlgorithm))
        self.add(checksum, SPDX.checksumValue, Literal(facts.sha256, datatype=XSD.hexBinary))
        self.licence(dist)
        self.dates(dist, None, modified)

    def service(self) -> None:
        svc, config = self.iris.service, self.config
        self.add(svc, RDF.type, DCAT.DataService)
        self.texts(
            svc,
            DCT.title,
            Texts(f"SPARQL-Endpunkt: {config.dataset_title.de}", f"SPARQL endpoint: {config.dataset_title.en}"),
        )
        self.add(svc, DCAT.endpointURL, self.typed(self.endpoint, RDFS.Resource))
        # A SPARQL 1.1 endpoint describes itself (Service Description) at its own URL.
        self.add(svc, DCAT.endpointDescription, self.endpoint)
        self.add(svc, DCT.conformsTo, self.typed(SPARQL_PROTOCOL, DCT.Standard))
        self.add(svc, DCAT.servesDataset, self.iris.dataset)
        self.add(svc, DCT.publisher, self.iris.publisher)
        self.licence(svc)
        self.public(svc)


def build_catalog(
    config: PublicationConfig,
    files: list[FileFacts],
    *,
    site_url: str,
    base_iri: str,
    keywords: dict[str, list[str]],
    modified: date | None,
) -> Graph:
    """The catalog graph for ``files`` published at ``site_url``."""
    iris = CatalogIris(base_iri, config)
    builder = CatalogBuilder(config, iris, site_url, config.sparql_endpoint or site_url + "sparql")
    builder.catalog(modified)
    builder.publisher()
    contact = builder.contact()
    builder.dataset(keywords, modified, contact)
    for facts in files:
        builder.distribution(facts, modified)
    builder.service()
    return builder.graph
