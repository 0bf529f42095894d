"""SHACL validation of the data (ontology/shapes.ttl, run with pySHACL), reported for people.

The data graph is the ontology + the reference vocabularies (UN SDG goals and targets, megatrends) + the
municipal data, asserted triples only: the shapes check that an SDG link points to a goal the UN
publishes, so the reference must be there; no shape needs the OWL RL closure, so it is left out (and
validation does not pay for inference).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from rdflib import RDF, SH, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .load import Source, bundled_sources, load_dataset, merged_graph, user_source
from .namespaces import GRAPH_BASE, PREFIXES
from .resources import ontology_dir

SKOS_PREF = URIRef(PREFIXES["skos"] + "prefLabel")
RDFS_LABEL = URIRef(PREFIXES["rdfs"] + "label")
SEVERITY_NAMES = {
    "en": {"Violation": "Violation", "Warning": "Warning", "Info": "Info"},
    "de": {"Violation": "Verstoß", "Warning": "Warnung", "Info": "Hinweis"},
}
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class Problem:
    """One SHACL result in plain terms: how bad, where (focus node and path), what is wrong."""

    severity: str
    focus: str
    label: str
    path: str
    value: str
    message: str
    shape: str


@dataclass
class Report:
    """Whether the data conforms (warnings do not count), the problems, and pySHACL's report graph."""

    problems: list[Problem]
    graph: Graph

    @property
    def violations(self) -> int:
        return sum(p.severity == "Violation" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity == "Warning" for p in self.problems)

    @property
    def conforms(self) -> bool:
        return self.violations == 0


def shapes_path() -> Path:
    return ontology_dir() / "shapes.ttl"


@cache
def shapes_graph() -> Graph:
    return Graph().parse(shapes_path(), format="turtle")


def is_reference(source: Source) -> bool:
    """The ontology and the shared vocabularies (SDG reference, megatrends): not any municipality's data."""
    name = source.graph.removeprefix(GRAPH_BASE)
    return name in {"ontology", "megatrends"} or name.startswith("sdg/")


def reference_sources() -> list[Source]:
    return [s for s in bundled_sources() if is_reference(s)]


@cache
def reference_graph() -> Graph:
    """Ontology + SDG reference + megatrends as one graph (cached: callers must not change it)."""
    sources = reference_sources()
    return merged_graph(load_dataset(sources), [s.graph for s in sources])


def data_graph(files: Sequence[str | Path] = ()) -> Graph:
    """The bundled data, or the given files together with the ontology and the reference data."""
    sources = reference_sources() + [user_source(f) for f in files] if files else bundled_sources()
    return merged_graph(load_dataset(sources), [s.graph for s in sources])


def validate_files(files: Sequence[str | Path] = (), lang: str = "en") -> Report:
    return validate_graph(data_graph(files), lang)


def validate_graph(data: Graph, lang: str = "en") -> Report:
    """Run the shapes over ``data`` (which must already hold the ontology and reference data)."""
    import pyshacl

    _conforms, results, _text = pyshacl.validate(
        data, shacl_graph=shapes_graph(), inference="none", advanced=False, allow_warnings=True
    )
    found = {_problem(results, node, data, lang) for node in results.subjects(RDF.type, SH.ValidationResult)}
    problems = list(found)  # one line per distinct problem: maxCount and pattern may both flag one value
    problems.sort(key=lambda p: (SEVERITY_ORDER.get(p.severity, 9), p.focus, p.path, p.value, p.message))
    return Report(problems, results)


def with_reference(graph: Graph) -> Graph:
    """A copy of ``graph`` plus the ontology and reference data, ready for ``validate_graph``."""
    combined = Graph()
    for triple in reference_graph():
        combined.add(triple)
    for triple in graph:
        combined.add(triple)
    return combined


# -- turning a result node into a Problem ------------------------------------------------------------


def _problem(results: Graph, node: Node, data: Graph, lang: str) -> Problem:
    focus = results.value(node, SH.focusNode)
    severity = results.value(node, SH.resultSeverity)
    shape = results.value(node, SH.sourceShape)
    value = results.value(node, SH.value)
    return Problem(
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        focus=str(focus),
        label=label_of(data, focus, lang),
        path=_path_text(results, results.value(node, SH.resultPath)),
        value="" if value is None else compact(value),
        message=_pick(list(results.objects(node, SH.resultMessage)), lang),
        shape=compact(shape) if isinstance(shape, URIRef) else "",
    )


def label_of(graph: Graph, node: Node | None, lang: str) -> str:
    """The node's preferred label in ``lang``, else English, else any; empty when it has none."""
    if node is None:
        return ""
    labels = [o for p in (SKOS_PREF, RDFS_LABEL) for o in graph.objects(node, p) if isinstance(o, Literal)]
    return _pick(labels, lang)


def _pick(literals: list, lang: str) -> str:
    for wanted in (lang, "en", "de", None):
        found = sorted(str(x) for x in literals if getattr(x, "language", None) == wanted)
        if found:
            return found[0]
    return sorted(str(x) for x in literals)[0] if literals else ""


def compact(term: Node) -> str:
    """A prefixed name where a project prefix fits (rl:hasMeasure), else the full IRI or literal text."""
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            local = text.removeprefix(namespace)
            if local != text and local and "/" not in local and "#" not in local:
                return f"{prefix}:{local}"
        return text
    return str(term)


def _path_text(results: Graph, path: Node | None) -> str:
    """SHACL property paths as SPARQL-like text: rl:hasMeasure, ^rl:hasMeasure, skos:altLabel|skos:hiddenLabel."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return compact(path)
    inverse = results.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(results, inverse)
    alternatives = results.value(path, SH.alternativePath)
    if alternatives is not None:
        from rdflib.collection import Collection

        return "|".join(_path_text(results, p) for p in Collection(results, alternatives))
    return str(path) if not isinstance(path, BNode) else "(path)"


# -- report formats ---------------------------------------------------------------------------------


def report_text(report: Report, lang: str = "en") -> str:
    names = SEVERITY_NAMES.get(lang, SEVERITY_NAMES["en"])
    lines = []
    for p in report.problems:
        where = f"{p.label} <{p.focus}>" if p.label else f"<{p.focus}>"
        path = f" {p.path}:" if p.path else ":"
        value = f" ({p.value})" if p.value and p.value not in p.message else ""
        lines.append(f"{names.get(p.severity, p.severity)}: {where}{path} {p.message}{value}")
    lines.append(_summary(report, lang))
    return "\n".join(lines) + "\n"


def _summary(report: Report, lang: str) -> str:
    if lang == "de":
        state = "konform" if report.conforms else "nicht konform"
        return f"{state}: {report.violations} Verstöße, {report.warnings} Warnungen"
    state = "conforms" if report.conforms else "does not conform"
    return f"{state}: {report.violations} violations, {report.warnings} warnings"


def report_json(report: Report) -> str:
    return json.dumps([asdict(p) for p in report.problems], ensure_ascii=False, indent=2) + "\n"


def report_turtle(report: Report) -> bytes:
    """The SHACL validation report graph; blank nodes canonicalised so that the bytes are stable."""
    from rdflib.compare import to_canonical_graph

    from .export import serialize_graph

    canonical = Graph()
    for triple in to_canonical_graph(report.graph):
        canonical.add(triple)
    canonical.bind("sh", str(SH))
    return serialize_graph(canonical, "turtle")


REPORT_FORMATS = ("text", "turtle", "json")


def render_report(report: Report, fmt: str, lang: str) -> bytes:
    if fmt == "turtle":
        return report_turtle(report)
    if fmt == "json":
        return report_json(report).encode("utf-8")
    return report_text(report, lang).encode("utf-8")
