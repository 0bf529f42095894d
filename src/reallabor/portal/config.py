"""The publication configuration: every municipality- and publisher-specific value of the catalog, from one file.

Bottrop's ``data/bottrop/publication.toml`` is the bundled default; another municipality passes its own file.
Values are checked here, once, so that a mistake is reported as one line naming the file and the key instead
of surfacing later as an invalid catalog.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..resources import data_dir

# A CKAN tag: CKAN's tag_name_validator allows word characters, spaces, "-", "_" and "."; length 2 to 100.
CKAN_TAG = re.compile(r"^[\w \-.]{2,100}$", re.UNICODE)
CODE = re.compile(r"^[A-Za-z0-9_./-]+$")
LANGUAGES = ("de", "en")


def default_config_path() -> Path:
    return data_dir() / "bottrop" / "publication.toml"


@dataclass(frozen=True)
class Texts:
    """A text in German and English (DCAT-AP.de asks for German; English serves the EU portals)."""

    de: str
    en: str


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    email: str | None = None
    url: str | None = None
    telephone: str | None = None

    @property
    def reachable(self) -> bool:
        """DCAT-AP.de requires e-mail, URL or telephone on a contact point; without them none is published."""
        return bool(self.email or self.url or self.telephone)


@dataclass(frozen=True)
class PublicationConfig:
    source: Path
    slug: str
    catalog_title: Texts
    catalog_description: Texts
    site_url: str
    languages: tuple[str, ...]
    dataset_id: str
    dataset_title: Texts
    dataset_description: Texts
    keywords: dict[str, tuple[str, ...]]
    themes: tuple[str, ...]
    licence: str
    access_rights: str
    publisher_iri: str
    publisher_name: Texts
    publisher_type: str
    sparql_endpoint: str | None = None
    issued: date | None = None
    modified: date | None = None
    attribution: str | None = None
    contributor_id: str | None = None
    geocoding_level: str | None = None
    geocoding: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    publisher_homepage: str | None = None
    contact: Contact = field(default_factory=Contact)


def load_config(path: str | Path | None = None) -> PublicationConfig:
    """Read and check the TOML file at ``path`` (default: the bundled Bottrop configuration)."""
    source = Path(path) if path is not None else default_config_path()
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{source}: {exc}") from None
    return _Reader(source, raw).config()


class _Reader:
    """Typed access to the TOML tables; every error names the file and the dotted key."""

    def __init__(self, source: Path, raw: dict[str, Any]) -> None:
        self.source = source
        self.raw = raw

    def fail(self, key: str, problem: str) -> InputError:
        return InputError(f"{self.source}: {key}: {problem}")

    def get(self, key: str, required: bool = True) -> Any:
        node: Any = self.raw
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                if required:
                    raise self.fail(key, "missing")
                return None
            node = node[part]
        return node

    def text(self, key: str, required: bool = True) -> str | None:
        value = self.get(key, required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be a non-empty string")
        return value.strip()

    def texts(self, key: str) -> Texts:
        return Texts(**{lang: self.text(f"{key}.{lang}") for lang in LANGUAGES})

    def strings(self, key: str, required: bool = True, pattern: re.Pattern[str] | None = None) -> tuple[str, ...]:
        value = self.get(key, required)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "must be a list of strings")
        for item in value:
            if pattern is not None and not pattern.match(item):
                raise self.fail(key, f"{item!r} is not allowed here")
        return tuple(value)

    def iri(self, key: str, required: bool = True) -> str | None:
        value = self.text(key, required)
        if value is not None and not re.match(r"^https?://\S+$", value):
            raise self.fail(key, f"{value!r} is not an http(s) IRI")
        return value

    def day(self, key: str) -> date | None:
        value = self.get(key, required=False)
        if value is None or (isinstance(value, date) and not hasattr(value, "hour")):
            return value
        raise self.fail(key, "must be a date, written YYYY-MM-DD without quotes")

    def code(self, key: str) -> str:
        value = self.text(key)
        if not CODE.match(value):
            raise self.fail(key, f"{value!r} is not a code of the list")
        return value

    def config(self) -> PublicationConfig:
        site_url = self.iri("catalog.site_url")
        return PublicationConfig(
            source=self.source,
            slug=self.code("catalog.slug"),
            catalog_title=self.texts("catalog.title"),
            catalog_description=self.texts("catalog.description"),
            site_url=site_url if site_url.endswith("/") else site_url + "/",
            sparql_endpoint=self.iri("catalog.sparql_endpoint", required=False),
            languages=self.strings("catalog.languages", pattern=re.compile(r"^[A-Z]{3}$")),
            issued=self.day("catalog.issued"),
            modified=self.day("catalog.modified"),
            dataset_id=self.code("dataset.id"),
            dataset_title=self.texts("dataset.title"),
            dataset_description=self.texts("dataset.description"),
            keywords={lang: self.strings(f"dataset.keywords.{lang}", False, CKAN_TAG) for lang in LANGUAGES},
            themes=self.strings("dataset.themes", pattern=re.compile(r"^[A-Z]{4}$")),
            licence=self.code("dataset.licence"),
            attribution=self.text("dataset.attribution", required=False),
            access_rights=self.code("dataset.access_rights"),
            contributor_id=self.iri("dataset.contributor_id", required=False),
            geocoding_level=self.iri("spatial.geocoding_level", required=False),
            geocoding=tuple(self.strings("spatial.geocoding", False, re.compile(r"^https?://\S+$"))),
            places=tuple(self.strings("spatial.places", False, re.compile(r"^https?://\S+$"))),
            publisher_iri=self.text("publisher.iri"),
            publisher_name=self.texts("publisher.name"),
            publisher_type=self.code("publisher.type"),
            publisher_homepage=self.iri("publisher.homepage", required=False),
            contact=Contact(
                name=self.text("contact.name", required=False),
                email=self.text("contact.email", required=False),
                url=self.iri("contact.url", required=False),
                telephone=self.text("contact.telephone", required=False),
            ),
        )
