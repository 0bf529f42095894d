"""The shared vocabularies a spreadsheet refers to: UN SDG goals/targets and megatrends.

They are looked up, never re-imported: a cell says "8.5" or "Digitalisierung", the graph gets the UN's
IRI or the megatrend concept's IRI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import RDF, Graph, Literal, URIRef

from ..namespaces import RL, SDG, SDGO

SKOS = "http://www.w3.org/2004/02/skos/core#"
_SDG_CODE = re.compile(r"^(?:sdg\s*)?0*(\d{1,2})(?:\.0*([0-9]+|[a-z]))?$", re.IGNORECASE)


@dataclass
class Vocabularies:
    sdgs: set[URIRef]
    megatrends: dict[URIRef, set[str]]  # IRI -> lower-cased names (labels, notation, slug)
    megatrend_labels: dict[URIRef, str]  # IRI -> German label, for the template
    megatrend_slugs: dict[URIRef, str]

    @classmethod
    def from_graph(cls, graph: Graph) -> Vocabularies:
        sdgs = {s for t in (SDGO.Goal, SDGO.Target) for s in graph.subjects(RDF.type, t) if isinstance(s, URIRef)}
        megatrends: dict[URIRef, set[str]] = {}
        labels: dict[URIRef, str] = {}
        slugs: dict[URIRef, str] = {}
        for concept in sorted(graph.subjects(RDF.type, RL.Megatrend)):
            if not isinstance(concept, URIRef):
                continue
            names = {str(concept).lower()}
            for prop in ("prefLabel", "altLabel", "notation"):
                names |= {str(v).lower() for v in graph.objects(concept, URIRef(SKOS + prop))}
            notation = graph.value(concept, URIRef(SKOS + "notation"))
            slugs[concept] = str(notation) if notation else str(concept).rstrip("/").rsplit("/", 1)[-1]
            names.add(slugs[concept].lower())
            megatrends[concept] = names
            german = [v for v in graph.objects(concept, URIRef(SKOS + "prefLabel")) if _lang(v) == "de"]
            labels[concept] = str(german[0]) if german else slugs[concept]
        return cls(sdgs, megatrends, labels, slugs)

    def sdg(self, text: str) -> URIRef | None:
        """ "8", "8.5", "08.05", "SDG 8", "8.a" or the UN IRI -> the UN IRI, if the UN list has it."""
        text = text.strip()
        if text.startswith(str(SDG)):
            iri = URIRef(text)
        else:
            match = _SDG_CODE.match(text)
            if not match:
                return None
            goal, target = match.groups()
            iri = SDG[goal + (f".{target.lower()}" if target else "")]
        return iri if iri in self.sdgs else None

    def sdg_text(self, iri: URIRef) -> str:
        return str(iri).removeprefix(str(SDG))

    def megatrend(self, text: str) -> URIRef | None:
        key = text.strip().lower()
        found = [iri for iri, names in self.megatrends.items() if key in names]
        return found[0] if len(found) == 1 else None

    def megatrend_choices(self) -> str:
        return ", ".join(sorted(self.megatrend_labels.values()))


def _lang(value: object) -> str | None:
    return value.language if isinstance(value, Literal) else None
