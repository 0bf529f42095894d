"""The downloadable files of a published site: which they are, their bytes, sizes and checksums.

The list lives in ``distributions.toml``. Sizes and SHA-256 checksums are always computed from actual bytes:
the files ``publish`` wrote, or the same exports made in memory (exports are deterministic, and gzip is
written without a timestamp, so the bytes are the ones ``dump_files`` gives ``publish`` to write).
"""

from __future__ import annotations

import gzip
import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..formats import Format, rdf_format, result_format

if TYPE_CHECKING:
    from ..graph import KnowledgeGraph

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class FileSpec:
    """One downloadable file as declared in distributions.toml."""

    path: str
    format: str
    file_type: str
    title_de: str
    title_en: str
    description_de: str | None = None
    description_en: str | None = None
    compress: str | None = None
    query: str | None = None

    @property
    def form(self) -> Format:
        return result_format(self.format) if self.format == "csv" else rdf_format(self.format)

    @property
    def slug(self) -> str:
        """The last part of the distribution's IRI: the file name with dots as dashes."""
        return Path(self.path).name.replace(".", "-")


@dataclass(frozen=True)
class FileFacts:
    """A file with what the catalog says about its bytes."""

    spec: FileSpec
    size: int
    sha256: str


@cache
def file_specs() -> tuple[FileSpec, ...]:
    raw = tomllib.loads((HERE / "distributions.toml").read_text(encoding="utf-8"))
    specs = []
    for entry in raw["file"]:
        title, description = entry.pop("title"), entry.pop("description", {})
        specs.append(
            FileSpec(
                **entry,
                title_de=title["de"],
                title_en=title["en"],
                description_de=description.get("de"),
                description_en=description.get("en"),
            )
        )
    return tuple(specs)


def facts(spec: FileSpec, data: bytes) -> FileFacts:
    return FileFacts(spec, len(data), hashlib.sha256(data).hexdigest())


def dump_files(kg: KnowledgeGraph) -> dict[str, bytes]:
    """Every downloadable file's bytes by relative path: the RDF dumps of the asserted graph and the CSV tables.

    ``publish`` may write exactly these; ``reallabor catalog`` without a site measures them.
    """
    from .tables import csv_table

    files: dict[str, bytes] = {}
    exports: dict[str, bytes] = {}
    for spec in file_specs():
        if spec.query is not None:
            files[spec.path] = csv_table(kg, spec.query)
            continue
        if spec.format not in exports:
            exports[spec.format] = kg.export(spec.format, inferred=False)
        files[spec.path] = compress(exports[spec.format], spec.compress)
    return files


def compress(data: bytes, method: str | None) -> bytes:
    if method is None:
        return data
    if method == "gzip":
        return gzip.compress(data, compresslevel=9, mtime=0)
    raise ValueError(f"unknown compression {method!r} in distributions.toml")


def measure_site(site_dir: Path) -> list[FileFacts]:
    """Sizes and checksums of the files in a written site; a missing file is an error that names it."""
    measured = []
    for spec in file_specs():
        path = site_dir / spec.path
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot read the download for the catalog: {exc.strerror or exc}") from None
        measured.append(facts(spec, data))
    return measured


def measure_memory(files: dict[str, bytes]) -> list[FileFacts]:
    return [facts(spec, files[spec.path]) for spec in file_specs()]
