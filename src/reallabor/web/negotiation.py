"""Content negotiation as a pure function: an Accept header and the formats on offer in, one format out.

The formats come from the one table in ``reallabor.formats``; this module only adds the media types that
clients commonly send for the same syntax (``application/json`` for SPARQL JSON results, ``text/xml`` ...).
Ranking follows RFC 9110: the highest q wins; at equal q an exact media type beats ``type/*`` beats ``*/*``;
remaining ties go to the server's order of preference (its default first). Synonyms match only when named
exactly, so a wildcard never picks a format through a synonym its canonical type would not match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InputError
from ..formats import RDF_FORMATS, RESULT_FORMATS, Format

# Extra media types accepted for a format, keyed by (kind, format name).
SYNONYMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("results", "json"): ("application/json",),
    ("results", "xml"): ("application/xml", "text/xml"),
    ("rdf", "jsonld"): ("application/json",),
    ("rdf", "ntriples"): ("text/plain",),
    ("rdf", "turtle"): ("application/x-turtle",),
}
# The server's order of preference, its default first.
RESULT_PREFERENCE = ("json", "xml", "csv", "tsv", "md", "table")
RDF_PREFERENCE = ("turtle", "jsonld", "ntriples", "xml", "nquads", "trig")


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int | None:
        """2 for an exact match, 1 for ``type/*``, 0 for ``*/*``, None if this range does not cover it."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != main:
            return None
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else None


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; a missing or empty header accepts anything."""
    ranges = []
    for part in (header or "*/*").split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        main, slash, sub = media.lower().partition("/")
        if not slash or not main or not sub:
            continue
        ranges.append(MediaRange(main, sub, _quality(params)))
    return ranges or [MediaRange("*", "*", 1.0)]


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


def offered(kind: str) -> list[Format]:
    """The formats on offer for results of ``kind`` ("results" or "rdf"), in the server's order of preference."""
    table, preference = (RESULT_FORMATS, RESULT_PREFERENCE) if kind == "results" else (RDF_FORMATS, RDF_PREFERENCE)
    return sorted(table, key=lambda f: preference.index(f.name) if f.name in preference else len(preference))


def media_types(form: Format) -> tuple[str, ...]:
    return (form.media_type, *SYNONYMS.get((form.kind, form.name), ()))


def negotiate(accept: str | None, candidates: Sequence[Format]) -> Format | None:
    """The best of ``candidates`` (in preference order) for the Accept header, or None if none is acceptable."""
    ranges = parse_accept(accept)
    best: tuple[float, int, int] | None = None
    chosen = None
    for order, form in enumerate(candidates):
        for media_type in media_types(form):
            q, specificity = _match(ranges, media_type)
            if q <= 0 or (media_type != form.media_type and specificity < 2):
                continue  # synonyms count only when named exactly: text/* is not a request for text/xml results
            score = (q, specificity, -order)
            if best is None or score > best:
                best, chosen = score, form
    return chosen


def _match(ranges: list[MediaRange], media_type: str) -> tuple[float, int]:
    """The q of the most specific range covering ``media_type`` (RFC 9110 §12.5.1), and that specificity."""
    matches = [(s, r.q) for r in ranges if (s := r.specificity(media_type)) is not None]
    if not matches:
        return 0.0, -1
    specificity, q = max(matches, key=lambda m: m[0])
    return q, specificity


def by_name(name: str, candidates: Sequence[Format]) -> Format:
    """A format named explicitly (``?format=csv`` or a ``.csv`` suffix): its name, an alias or its suffix."""
    key = name.lower().lstrip(".")
    for form in candidates:
        if key in (form.name, *form.aliases, form.suffix.lstrip("."), form.media_type):
            return form
    names = ", ".join(f.name for f in candidates)
    raise InputError(f"format {name!r} is not offered here; choose one of: {names}")


def choose(accept: str | None, kind: str, explicit: str | None = None, strict: bool = True) -> Format | None:
    """The format for an answer of ``kind``: the explicit one if given, else by Accept; None means 406.

    With ``strict=False`` an explicit name that is not offered falls back to the Accept header: SPARQL
    clients such as SPARQLWrapper send ``format=`` hints of their own (``n3``, ``rdf+xml``) beside Accept.
    """
    candidates = offered(kind)
    if explicit:
        try:
            return by_name(explicit, candidates)
        except InputError:
            if strict:
                raise
    return negotiate(accept, candidates)
