"""Minting IRIs from readable, stable slugs: <base IRI><municipality slug>/<kind>/<slug>.

Slugs are made from German labels the way people write them in URLs (ä -> ae, ß -> ss), so that an IRI
can be read aloud and stays the same as long as the id cell does.
"""

from __future__ import annotations

import re
import unicodedata

SLUG = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
_PLACEHOLDER = re.compile(r"\{([a-z_]+)(?:\.(path|slug))?\}")


def slugify(text: str) -> str:
    """``Fachkräftesicherung`` -> ``fachkraeftesicherung``; ``Bottrop setzt um`` -> ``bottrop-setzt-um``."""
    text = unicodedata.normalize("NFKD", text.translate(_GERMAN))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def is_slug(text: str) -> bool:
    return bool(SLUG.match(text))


def placeholders(template: str) -> list[tuple[str, str | None]]:
    """The (column, form) pairs of an IRI template: ``{measure.path}`` -> ("measure", "path")."""
    return [(m.group(1), m.group(2)) for m in _PLACEHOLDER.finditer(template)]


def fill(template: str, values: dict[tuple[str, str | None], str]) -> str:
    """Fill an IRI template; ``values`` maps each placeholder (column, form) to its text."""
    return _PLACEHOLDER.sub(lambda m: values[(m.group(1), m.group(2))], template)


def pattern(template: str) -> re.Pattern[str]:
    """A regex that recognises paths minted from ``template`` and captures each placeholder in order."""
    parts = []
    last = 0
    for m in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last : m.start()]))
        parts.append("(.+)" if m.group(2) == "path" else "([^/]+)")
        last = m.end()
    parts.append(re.escape(template[last:]))
    return re.compile("^" + "".join(parts) + "$")
