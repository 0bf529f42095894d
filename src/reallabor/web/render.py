"""The page model: what the site shows for each resource, shared by the live pages and ``reallabor publish``.

The site is one table of documents (``Site.documents``): a path such as ``bottrop/lab/x.html`` and a producer
of its bytes. The server answers a request by looking its path up here and ``publish`` writes every entry,
so the live and the static site cannot drift apart. Paths are relative to the base IRI: the resource
``<base>bottrop/lab/x`` is described by ``bottrop/lab/x.html`` (German), ``.en.html`` (English) and
``.ttl`` / ``.jsonld`` / ``.nt`` / ``.rdf``; every link in a page is relative, so the same bytes work on any
host and under any path.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from ..formats import RDF_FORMATS, Format
from ..namespaces import GRAPH_BASE, ONTOLOGY_IRI, RL, SCHEMA, SDGO

LANGS = ("de", "en")
HTML_SUFFIXES = {"de": ".html", "en": ".en.html"}
# The RDF representations of every page: the triple syntaxes of the one format table.
DATA_FORMATS: tuple[Format, ...] = tuple(f for f in RDF_FORMATS if not f.quads)
LABELS = (SKOS.prefLabel, RDFS.label, DCTERMS.title, SCHEMA.name, FOAF.name)
DESCRIPTIONS = (DCTERMS.description, SKOS.definition, SCHEMA.text)
# Shown elsewhere on the page (title, description, header) or not meant for people.
HIDDEN = {*LABELS, *DESCRIPTIONS, RDF.type, OWL.sameAs, SKOS.altLabel, SKOS.hiddenLabel}
DUMP_NAME = "dumps/reallabor"
# Values shown per property on a resource's page; a hub (a megatrend, an SDG goal) of a region's graph has
# tens of thousands of links (rl:isAddressedBy, rl:receivesContributionFrom), all of which stay in the page's
# data files.
VALUES_LIMIT = 200
TBOX_GRAPH = URIRef(GRAPH_BASE + "ontology")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_SAFE_SEGMENT = re.compile(r"^[^/?#\\\s]+$")


@dataclass(frozen=True)
class Link:
    """A resource as shown in a page: its label, where it links to, and for SDG goals their number and colour."""

    iri: str
    label: str
    href: str | None = None
    lang: str | None = None
    number: str | None = None
    color: str | None = None
    ink: str | None = None


@dataclass(frozen=True)
class Value:
    link: Link | None = None
    text: str = ""
    lang: str | None = None


@dataclass(frozen=True)
class PropertyGroup:
    prop: Link
    values: tuple[Value, ...]
    more: int = 0  # values left out (see VALUES_LIMIT)


@dataclass
class ResourceView:
    iri: str
    label: str
    label_lang: str | None
    types: list[Link]
    alt_labels: list[Value]
    descriptions: list[Value]
    outgoing: list[PropertyGroup]
    incoming: list[PropertyGroup]
    goal: Link | None = None
    targets: list[Value] = field(default_factory=list)


@dataclass(frozen=True)
class Document:
    """One file of the site: its media type and how to make its bytes (lazily, so the server pays per page)."""

    media_type: str
    produce: Callable[[], bytes]


# -- colour -----------------------------------------------------------------------------------------------


def _luminance(color: str) -> float:
    channels = [int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two ``#rrggbb`` colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def ink_for(background: str) -> str:
    """Black or white text, whichever contrasts more with ``background`` (at least 4.5:1 for any colour)."""
    return "#000000" if contrast(background, "#000000") >= contrast(background, "#ffffff") else "#ffffff"


# -- paths ------------------------------------------------------------------------------------------------


def relative(target: str, here: str) -> str:
    """The href from the document at ``here`` to the document at ``target`` (both site paths)."""
    path, _, fragment = target.partition("#")
    rel = posixpath.relpath(path, posixpath.dirname(here) or ".")
    return quote(rel, safe="/.-_~") + (f"#{fragment}" if fragment else "")


def _local_key(iri: str, base: str) -> str | None:
    """The site path of a resource IRI under ``base`` (``bottrop/lab/x``), or None if it has no page of its own."""
    if not iri.startswith(base) or "#" in iri or "?" in iri:
        return None
    segments = iri[len(base) :].split("/")
    if not all(_SAFE_SEGMENT.match(s) and s not in (".", "..") for s in segments):
        return None
    return "/".join(segments)


class Site:
    """The resources of one knowledge graph as a site under ``base_iri``: its page models and documents."""

    RESERVED = ("index", "query", "sdg", "ontology", "static", "dumps", "context", "void", "catalog")

    def __init__(
        self,
        graph: Graph,
        base_iri: str,
        tbox: Graph,
        queries: Iterable = (),
        export: Callable[[str], bytes] | None = None,
        endpoint: str | None = None,
        api: str | None = None,
    ) -> None:
        self.graph = graph
        self.base = base_iri
        self.tbox = tbox
        self.queries = list(queries)
        self.export = export
        self.endpoint = endpoint
        self.api = api

    @classmethod
    def from_kg(cls, kg, base_iri: str, endpoint: str | None = None, api: str | None = None) -> Site:
        """The site of ``kg``, whose instance IRIs must already sit under ``base_iri`` (load it with that base)."""
        graph = kg.graph(inferred=kg.inference)
        tbox = Graph()
        if any(str(g.identifier) == str(TBOX_GRAPH) for g in kg.dataset.graphs()):
            for triple in kg.dataset.graph(TBOX_GRAPH):
                tbox.add(triple)
        return cls(graph, base_iri, tbox, kg.named_queries(), kg.export, endpoint, api)

    # -- what exists ------------------------------------------------------------------------------------

    @cached_property
    def resources(self) -> dict[str, URIRef]:
        """Site path -> IRI, for every IRI under the base that the graph mentions (as subject or object)."""
        found: dict[str, URIRef] = {}
        nodes = set(self.graph.subjects()) | set(self.graph.objects())
        for node in sorted(n for n in nodes if isinstance(n, URIRef)):
            key = _local_key(str(node), self.base)
            if key and key.split("/")[0] not in self.RESERVED:
                found[key] = node
        return found

    @cached_property
    def published(self) -> set[URIRef]:
        """The IRIs with a page on this site."""
        return set(self.resources.values())

    @cached_property
    def goals(self) -> dict[str, URIRef]:
        """SDG goal number ("8") -> the UN's IRI."""
        found = {}
        for goal in self.graph.subjects(RDF.type, SDGO.Goal):
            number = self._goal_number(goal)
            if number:
                found[number] = goal
        return dict(sorted(found.items(), key=lambda item: int(item[0])))

    @cached_property
    def _goal_numbers(self) -> dict[URIRef, str]:
        return {iri: number for number, iri in self.goals.items()}

    def _goal_number(self, goal: Node) -> str | None:
        for notation in self.graph.objects(goal, SKOS.notation):
            if str(getattr(notation, "datatype", "")).endswith("SDGCodeCompact"):
                return str(notation)
        tail = str(goal).rstrip("/").rsplit("/", 1)[-1]
        return tail if tail.isdigit() else None

    def goal_of(self, node: Node) -> URIRef | None:
        """The SDG goal itself, or the goal of an SDG target."""
        if node in self._goal_numbers:
            return node
        parent = self.graph.value(node, SDGO.isTargetOf) or self.graph.value(node, SKOS.broader)
        return parent if parent in self._goal_numbers else None

    # -- labels and links --------------------------------------------------------------------------------

    def text(self, node: Node, predicates: Iterable[URIRef], lang: str) -> tuple[str, str | None] | None:
        """The first literal of ``predicates`` in ``lang``, else English, else untagged, else any."""
        literals = [o for p in predicates for o in self.graph.objects(node, p) if isinstance(o, Literal)]
        for wanted in (lang, "en", None):
            hits = sorted(str(o) for o in literals if o.language == wanted)
            if hits:
                return hits[0], wanted
        if literals:
            first = sorted(literals, key=lambda o: (str(o.language), str(o)))[0]
            return str(first), first.language
        return None

    def label(self, node: Node, lang: str) -> tuple[str, str | None]:
        """A label for people; SDG goals read "SDG 8 – Decent work …" with their short title."""
        if node in self._goal_numbers:
            short = self.text(node, (SKOS.altLabel,), lang) or self.text(node, LABELS, lang)
            title, title_lang = short if short else ("", None)
            return f"SDG {self._goal_numbers[node]} – {title}".rstrip(" –"), title_lang
        found = self.text(node, LABELS, lang)
        if found:
            return found
        if isinstance(node, URIRef) and not str(node).startswith(self.base):
            from ..results import compact

            return compact(node), None
        return _short_name(node), None

    def site_path(self, node: Node, lang: str) -> str | None:
        """The site path of the page about ``node`` (with a fragment for SDG targets and ontology terms)."""
        iri = str(node)
        key = _local_key(iri, self.base)
        if key in self.resources:
            return key + HTML_SUFFIXES[lang]
        if iri == self.base:
            return "index" + HTML_SUFFIXES[lang]
        if node in self._goal_numbers:
            return f"sdg/{self._goal_numbers[node]}{HTML_SUFFIXES[lang]}"
        goal = self.goal_of(node)
        if goal is not None:
            return f"sdg/{self._goal_numbers[goal]}{HTML_SUFFIXES[lang]}#target-{_short_name(node)}"
        if iri.startswith(str(RL)) or iri == ONTOLOGY_IRI:
            return f"ontology/index{HTML_SUFFIXES[lang]}" + (f"#{iri[len(str(RL)) :]}" if iri != ONTOLOGY_IRI else "")
        return None

    def link(self, node: Node, lang: str, here: str) -> Link:
        text, text_lang = self.label(node, lang)
        path = self.site_path(node, lang)
        href = relative(path, here) if path else (str(node) if str(node).startswith(("http://", "https://")) else None)
        color = self.graph.value(node, SCHEMA.color) if node in self._goal_numbers else None
        color = color if color is not None and _COLOUR.match(str(color)) else None
        number = self._goal_numbers.get(node)
        return Link(
            str(node),
            text,
            href,
            text_lang if text_lang != lang else None,
            number,
            str(color) if color else None,
            ink_for(str(color)) if color else None,
        )

    def value(self, node: Node, lang: str, here: str) -> Value:
        if isinstance(node, Literal):
            return Value(text=str(node), lang=node.language if node.language and node.language != lang else None)
        if isinstance(node, BNode):
            return Value(text="[ ]")
        return Value(link=self.link(node, lang, here))

    # -- one resource -------------------------------------------------------------------------------------

    @cached_property
    def _super_properties(self) -> dict[Node, set[Node]]:
        supers: dict[Node, set[Node]] = {}
        for sub, sup in self.graph.subject_objects(RDFS.subPropertyOf):
            if sub != sup:
                supers.setdefault(sub, set()).add(sup)
        return supers

    def _specific(self, pairs: set[tuple[Node, Node]]) -> set[tuple[Node, Node]]:
        """Drop (p, x) where some sub-property of p links the same x: show hasMeasure, not also hasPart."""
        implied = {(sup, x) for p, x in pairs for sup in self._super_properties.get(p, ())}
        return pairs - implied

    def view(self, iri: URIRef, lang: str, here: str) -> ResourceView:
        """Everything a page about ``iri`` shows: label, types, descriptions, links out and in."""
        graph = self.graph
        out_pairs = self._specific({(p, o) for p, o in graph.predicate_objects(iri) if p not in HIDDEN})
        targets = set(graph.objects(iri, SDGO.hasTarget)) if iri in self._goal_numbers else set()
        out_pairs = {(p, o) for p, o in out_pairs if o not in targets}
        linked = {o for _, o in out_pairs} | targets
        in_pairs = self._specific(
            {(p, s) for s, p in graph.subject_predicates(iri) if p not in HIDDEN and s not in linked}
        )
        text, text_lang = self.label(iri, lang)
        return ResourceView(
            iri=str(iri),
            label=text,
            label_lang=text_lang if text_lang != lang else None,
            types=self._types(iri, lang, here),
            alt_labels=self._literals(iri, (SKOS.altLabel,), lang),
            descriptions=self._literals(iri, DESCRIPTIONS, lang),
            outgoing=self._groups(out_pairs, lang, here),
            incoming=self._groups(in_pairs, lang, here),
            goal=self.link(iri, lang, here) if iri in self._goal_numbers else None,
            targets=self._targets(targets, lang),
        )

    def _types(self, iri: URIRef, lang: str, here: str) -> list[Link]:
        types = set(self.graph.objects(iri, RDF.type))
        implied = {sup for t in types for sup in self.graph.objects(t, RDFS.subClassOf) if sup != t}
        return sorted((self.link(t, lang, here) for t in types - implied), key=lambda k: k.label.casefold())

    def _literals(self, iri: URIRef, predicates: Iterable[URIRef], lang: str) -> list[Value]:
        literals = [o for p in predicates for o in self.graph.objects(iri, p) if isinstance(o, Literal)]
        return [self.value(o, lang, "") for o in sorted(_in_language(literals, lang), key=str)]

    def _groups(self, pairs: set[tuple[Node, Node]], lang: str, here: str) -> list[PropertyGroup]:
        by_property: dict[Node, list[Node]] = {}
        for p, o in pairs:
            by_property.setdefault(p, []).append(o)
        groups = []
        for prop, nodes in by_property.items():
            shown = _in_language(nodes, lang)
            more = max(0, len(shown) - VALUES_LIMIT)
            if more:
                shown = self._first_shown(shown, VALUES_LIMIT)
            values = [self.value(n, lang, here) for n in shown]
            values.sort(key=lambda v: (v.link.label if v.link else v.text).casefold())
            groups.append(PropertyGroup(self.link(prop, lang, here), tuple(values), more))
        return sorted(groups, key=lambda g: (g.prop.label.casefold(), g.prop.iri))

    def _first_shown(self, nodes: list[Node], count: int) -> list[Node]:
        """The ``count`` nodes a capped list shows: those with a page on this site first, then by IRI (picked
        before labels are looked up, which would cost a look-up for every one of a hub's links)."""
        return sorted(nodes, key=lambda node: (node not in self.published, str(node)))[:count]

    def _targets(self, targets: set[Node], lang: str) -> list[Value]:
        rows = []
        for target in targets:
            text, text_lang = self.label(target, lang)
            rows.append((_sort_code(_short_name(target)), _short_name(target), text, text_lang))
        return [
            Value(link=Link(code, text, f"#target-{code}", tl if tl != lang else None), text=code)
            for _, code, text, tl in sorted(rows)
        ]

    @lru_cache(maxsize=8)  # noqa: B019 - the site lives as long as its pages; its data files ask one after another
    def resource_graph(self, iri: URIRef) -> Graph:
        """The triples about ``iri`` (as subject or object), with the blank nodes it points to, for its data files
        (one per RDF syntax, made one after the other: the last few graphs are kept)."""
        described = Graph()
        for triple in self.graph.triples((iri, None, None)):
            described.add(triple)
            _add_blank_closure(self.graph, triple[2], described)
        for triple in self.graph.triples((None, None, iri)):
            described.add(triple)
        return described

    # -- site-wide views --------------------------------------------------------------------------------

    def instances(self, cls: URIRef) -> list[URIRef]:
        return sorted((s for s in self.graph.subjects(RDF.type, cls) if isinstance(s, URIRef)), key=str)

    def featured(self, cls: URIRef) -> list[URIRef]:
        """The instances published on this site (under the base IRI), as the index lists them; all instances
        when none is. Data loaded beside the site's own (another region's labs) stays in the dumps and the
        SPARQL endpoint instead of growing the home page with every lab of the graph."""
        instances = self.instances(cls)
        return [node for node in instances if node in self.published] or instances

    def lab_goals(self, lab: URIRef) -> set[URIRef]:
        """The SDG goals a lab contributes to, through its measures (asserted) or directly (inferred)."""
        reached = set(self.graph.objects(lab, RL.contributesTo))
        for measure in self.graph.objects(lab, RL.hasMeasure):
            reached.update(self.graph.objects(measure, RL.contributesTo))
        return {goal for node in reached if (goal := self.goal_of(node)) is not None}

    def sorted_links(self, nodes: Iterable[Node], lang: str, here: str) -> list[Link]:
        return sorted((self.link(n, lang, here) for n in set(nodes)), key=lambda k: (k.label.casefold(), k.iri))

    def index_by_class(self, lang: str, here: str) -> list[tuple[Link, list[Link]]]:
        """Every resource with a page, grouped under its most specific class, for the home page's index."""
        groups: dict[Node, list[URIRef]] = {}
        for iri in self.resources.values():
            types = set(self.graph.objects(iri, RDF.type))
            implied = {sup for t in types for sup in self.graph.objects(t, RDFS.subClassOf) if sup != t}
            for cls in sorted(types - implied, key=str)[:1] or [RDFS.Resource]:
                groups.setdefault(cls, []).append(iri)
        rows = [(self.link(cls, lang, here), self.sorted_links(items, lang, here)) for cls, items in groups.items()]
        return sorted(rows, key=lambda row: row[0].label.casefold())


def _in_language(nodes: Iterable[Node], lang: str) -> list[Node]:
    """Keep untagged values and language-tagged ones in ``lang`` (else English, else all tagged)."""
    nodes = list(nodes)
    tagged = [n for n in nodes if isinstance(n, Literal) and n.language]
    rest = [n for n in nodes if not (isinstance(n, Literal) and n.language)]
    for wanted in (lang, "en"):
        chosen = [n for n in tagged if n.language == wanted]
        if chosen:
            return rest + chosen
    return rest + tagged


def _add_blank_closure(source: Graph, node: Node, target: Graph) -> None:
    if not isinstance(node, BNode):
        return
    for triple in source.triples((node, None, None)):
        if triple not in target:
            target.add(triple)
            _add_blank_closure(source, triple[2], target)


def _short_name(node: Node) -> str:
    text = str(node)
    return re.split(r"[/#]", text.rstrip("/#"))[-1] or text


def _sort_code(code: str) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in code.split("."))


@cache
def strings() -> dict[str, dict[str, str]]:
    """The interface texts in German and English (templates/strings.yaml)."""
    from importlib.resources import files

    import yaml

    return yaml.safe_load((files("reallabor.web") / "templates" / "strings.yaml").read_text(encoding="utf-8"))


# -- templates and documents ------------------------------------------------------------------------------


@cache
def environment():
    """The Jinja2 environment for pages and SVG (autoescape on: every value from the graph is escaped)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("reallabor.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


@dataclass(frozen=True)
class TermView:
    """An ontology class or property for the documentation page."""

    anchor: str
    iri: str
    label: str
    definition: str
    kinds: list[Link]
    facts: list[tuple[str, list[Link]]]


class Pages:
    """Renders every document of a ``Site``: the HTML pages in both languages and the per-resource data."""

    def __init__(self, site: Site) -> None:
        self.site = site

    # -- the table of documents --------------------------------------------------------------------------

    @cached_property
    def documents(self) -> dict[str, Document]:
        """Site path -> document, for every file of the site (pages, data, ontology, dumps, CSS)."""
        docs: dict[str, Document] = {}
        for key, page in self._pages().items():
            for lang in LANGS:
                docs[key + HTML_SUFFIXES[lang]] = Document("text/html; charset=utf-8", _bind(page, lang, key))
        for key, graph in self._data().items():
            for form in DATA_FORMATS:
                docs[key + form.suffix] = Document(_media(form), _bind_graph(graph, form))
        docs.update(self._files())
        return docs

    @cached_property
    def representations(self) -> dict[str, dict[str, str]]:
        """Resource key (path without suffix) -> {suffix: media type}, for content negotiation."""
        reps: dict[str, dict[str, str]] = {}
        suffixes = sorted({*HTML_SUFFIXES.values(), *(f.suffix for f in DATA_FORMATS)}, key=len, reverse=True)
        for path, doc in self.documents.items():
            suffix = next((s for s in suffixes if path.endswith(s)), None)
            if suffix:
                reps.setdefault(path[: -len(suffix)], {})[suffix] = doc.media_type
        return reps

    def _pages(self) -> dict[str, Callable[[str, str], bytes]]:
        site = self.site
        pages: dict[str, Callable[[str, str], bytes]] = {
            "index": self.home,
            "query": self.query_page,
            "ontology/index": self.ontology_page,
        }
        for number, goal in site.goals.items():
            pages[f"sdg/{number}"] = _resource_page(self, goal)
        for key, iri in site.resources.items():
            pages[key] = _resource_page(self, iri)
        return pages

    def _data(self) -> dict[str, Callable[[], Graph]]:
        site = self.site
        data: dict[str, Callable[[], Graph]] = {"ontology/reallabor": lambda: site.tbox}
        for number, goal in site.goals.items():
            data[f"sdg/{number}"] = _describe(site, goal)
        for key, iri in site.resources.items():
            data[key] = _describe(site, iri)
        return data

    def _files(self) -> dict[str, Document]:
        from importlib.resources import files

        from ..resources import ontology_dir

        static = files("reallabor.web") / "static"
        docs = {
            f"static/{item.name}": Document(_static_type(item.name), item.read_bytes)
            for item in sorted(static.iterdir(), key=lambda i: i.name)
            if item.is_file()
        }
        docs["context.jsonld"] = Document(
            "application/ld+json", _bind_context(ontology_dir() / "context.jsonld", self.site.base)
        )
        if self.site.export is not None:
            export = cache(self.site.export)  # the .nt dump and its .gz share one serialisation
            for form in DATA_FORMATS[:3]:
                docs[DUMP_NAME + form.suffix] = Document(_media(form), _bind_export(export, form.name))
            docs[DUMP_NAME + ".nt.gz"] = Document("application/gzip", _bind_gzip(export))
        return docs

    # -- shared page context ----------------------------------------------------------------------------

    def _render(self, template: str, lang: str, key: str, title: str, **context) -> bytes:
        here = key + HTML_SUFFIXES[lang]
        other = "en" if lang == "de" else "de"
        alternates = [
            (form.media_type, relative(key + form.suffix, here), form.name)
            for form in DATA_FORMATS
            if key in self._data_keys
        ]
        page = (
            environment()
            .get_template(template)
            .render(
                lang=lang,
                other_lang=other,
                t=strings()[lang],
                title=title,
                here=here,
                href=lambda path: relative(path, here),
                switch=relative(key + HTML_SUFFIXES[other], here),
                home=relative("index" + HTML_SUFFIXES[lang], here),
                query=relative("query" + HTML_SUFFIXES[lang], here),
                ontology=relative("ontology/index" + HTML_SUFFIXES[lang], here),
                css=relative("static/style.css", here),
                alternates=alternates,
                dumps=[
                    (form.name, relative(DUMP_NAME + form.suffix, here), form.media_type)
                    for form in DATA_FORMATS[:3]
                    if self.site.export is not None
                ],
                suffixes=HTML_SUFFIXES,
                **context,
            )
        )
        return page.encode("utf-8")

    @cached_property
    def _data_keys(self) -> set[str]:
        return set(self._data())

    # -- the pages ------------------------------------------------------------------------------------

    def resource(self, iri: URIRef, lang: str, key: str) -> bytes:
        from .diagram import lab_diagram

        site = self.site
        here = key + HTML_SUFFIXES[lang]
        view = site.view(iri, lang, here)
        is_lab = (iri, RDF.type, RL.RealWorldLab) in site.graph
        diagram = lab_diagram(site, [iri], lang, here, "lab-diagram") if is_lab else None
        return self._render("resource.html", lang, key, view.label, view=view, diagram=diagram)

    def home(self, lang: str, key: str) -> bytes:
        from .diagram import lab_diagram

        site = self.site
        here = key + HTML_SUFFIXES[lang]
        labs = sorted(site.featured(RL.RealWorldLab), key=lambda lab: site.label(lab, lang)[0].casefold())
        programmes = [self._programme(p, lang, here) for p in site.featured(RL.Programme)]
        cards = [self._lab_card(lab, lang, here) for lab in labs]
        goals = [site.link(goal, lang, here) for goal in site.goals.values()]
        reached = {lab: site.lab_goals(lab) for lab in labs}
        matrix = [
            (card["lab"], [goal in reached[lab] for goal in site.goals.values()])
            for lab, card in zip(labs, cards, strict=True)
        ]
        return self._render(
            "home.html",
            lang,
            key,
            strings()[lang]["site_title"],
            programmes=programmes,
            labs=cards,
            goals=goals,
            matrix=matrix,
            diagram=lab_diagram(site, labs, lang, here, "programme-diagram") if labs else None,
            index=site.index_by_class(lang, here),
        )

    def _programme(self, programme: URIRef, lang: str, here: str) -> dict:
        site, graph = self.site, self.site.graph
        return {
            "link": site.link(programme, lang, here),
            "descriptions": site._literals(programme, DESCRIPTIONS, lang),
            "municipality": site.sorted_links(graph.objects(programme, RL.municipality), lang, here),
            "phases": site.sorted_links(graph.objects(programme, RL.hasPhase), lang, here),
        }

    def _lab_card(self, lab: URIRef, lang: str, here: str) -> dict:
        site, graph = self.site, self.site.graph
        measures = list(graph.objects(lab, RL.hasMeasure))
        megatrends = {t for m in measures for t in graph.objects(m, RL.addressesMegatrend)}
        return {
            "lab": site.link(lab, lang, here),
            "measures": site.sorted_links(measures, lang, here),
            "megatrends": site.sorted_links(megatrends, lang, here),
            "goals": [
                site.link(g, lang, here) for g in sorted(site.lab_goals(lab), key=lambda g: int(_goal_no(site, g)))
            ],
        }

    def query_page(self, lang: str, key: str) -> bytes:
        site = self.site
        here = key + HTML_SUFFIXES[lang]
        base_path = _path_of(site.base)
        endpoint = _href_from(site.endpoint, base_path + here) if site.endpoint else None
        api = _href_from(site.api, base_path + here) if site.api else None
        from ..formats import result_format_names

        return self._render(
            "query.html",
            lang,
            key,
            strings()[lang]["query_title"],
            queries=site.queries,
            endpoint=endpoint,
            api=api,
            result_formats=result_format_names(),
        )

    def ontology_page(self, lang: str, key: str) -> bytes:
        site = self.site
        here = key + HTML_SUFFIXES[lang]
        tbox = site.tbox
        ontology = next(iter(tbox.subjects(RDF.type, OWL.Ontology)), URIRef(ONTOLOGY_IRI))
        meta = {
            "iri": str(ontology),
            "title": _text(tbox, ontology, (DCTERMS.title, RDFS.label), lang),
            "description": _text(tbox, ontology, (DCTERMS.description, RDFS.comment), lang),
            "version": str(tbox.value(ontology, OWL.versionInfo) or ""),
            "license": str(tbox.value(ontology, DCTERMS.license) or ""),
            "namespace": str(RL),
        }
        classes = [self._term(c, lang, here) for c in _terms(tbox, (OWL.Class,))]
        properties = [
            self._term(p, lang, here)
            for p in _terms(tbox, (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty))
        ]
        downloads = [(form.name, relative("ontology/reallabor" + form.suffix, here)) for form in DATA_FORMATS]
        title = meta["title"] or strings()[lang]["ontology_title"]
        return self._render(
            "ontology.html", lang, key, title, meta=meta, classes=classes, properties=properties, downloads=downloads
        )

    def _term(self, term: URIRef, lang: str, here: str) -> TermView:
        tbox, t = self.site.tbox, strings()[lang]

        def links(nodes: Iterable[Node]) -> list[Link]:
            return sorted(
                (self._term_link(n, lang, here) for n in nodes if isinstance(n, URIRef)), key=lambda k: k.label
            )

        facts = [
            (t["superclasses"], links(tbox.objects(term, RDFS.subClassOf))),
            (t["subclasses"], links(tbox.subjects(RDFS.subClassOf, term))),
            (t["superproperties"], links(tbox.objects(term, RDFS.subPropertyOf))),
            (t["subproperties"], links(tbox.subjects(RDFS.subPropertyOf, term))),
            (t["domain"], links(tbox.objects(term, RDFS.domain))),
            (t["range"], links(tbox.objects(term, RDFS.range))),
            (t["inverse"], links([*tbox.objects(term, OWL.inverseOf), *tbox.subjects(OWL.inverseOf, term)])),
            (t["used_with_domain"], links(tbox.subjects(RDFS.domain, term))),
            (t["used_with_range"], links(tbox.subjects(RDFS.range, term))),
        ]
        from rdflib.collection import Collection

        # A chain is read in its own order; the chains themselves (blank nodes) are put in order of their links.
        chains = sorted(list(Collection(tbox, chain)) for chain in tbox.objects(term, OWL.propertyChainAxiom))
        facts += [(t["chain"], [self._term_link(p, lang, here) for p in chain]) for chain in chains]
        kinds = links(k for k in tbox.objects(term, RDF.type) if k != OWL.Class)
        return TermView(
            anchor=str(term)[len(str(RL)) :],
            iri=str(term),
            label=_text(tbox, term, (RDFS.label, SKOS.prefLabel), lang) or _short_name(term),
            definition=_text(tbox, term, (SKOS.definition, RDFS.comment), lang),
            kinds=kinds,
            facts=[(name, items) for name, items in facts if items],
        )

    def _term_link(self, node: URIRef, lang: str, here: str) -> Link:
        from ..results import compact

        if str(node).startswith(str(RL)):
            anchor = str(node)[len(str(RL)) :]
            return Link(str(node), _text(self.site.tbox, node, (RDFS.label,), lang) or anchor, f"#{anchor}")
        return Link(str(node), compact(node), str(node) if str(node).startswith("http") else None)

    def not_found(self, lang: str, key: str) -> bytes:
        return self._render("notfound.html", lang, key, strings()[lang]["not_found"])


def _bind(page: Callable[[str, str], bytes], lang: str, key: str) -> Callable[[], bytes]:
    return lambda: page(lang, key)


def _resource_page(pages: Pages, iri: URIRef) -> Callable[[str, str], bytes]:
    return lambda lang, key: pages.resource(iri, lang, key)


def _describe(site: Site, iri: URIRef) -> Callable[[], Graph]:
    return lambda: site.resource_graph(iri)


def _bind_graph(graph: Callable[[], Graph], form: Format) -> Callable[[], bytes]:
    from ..export import serialize_graph

    return lambda: serialize_graph(graph(), form)


def _bind_context(path, base: str) -> Callable[[], bytes]:
    """The JSON-LD context, with prefixes under the default base (``mt:``) moved to the site's base."""
    import json

    from ..namespaces import DEFAULT_BASE_IRI

    def produce() -> bytes:
        data = path.read_bytes()
        if base == DEFAULT_BASE_IRI:
            return data
        context = json.loads(data)
        moved = _rebase_strings(context, DEFAULT_BASE_IRI, base)
        return (json.dumps(moved, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    return produce


def _rebase_strings(value, old: str, new: str):
    if isinstance(value, str):
        return new + value[len(old) :] if value.startswith(old) else value
    if isinstance(value, dict):
        return {k: _rebase_strings(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_rebase_strings(v, old, new) for v in value]
    return value


def _bind_export(export: Callable[[str], bytes], name: str) -> Callable[[], bytes]:
    return lambda: export(name)


def _bind_gzip(export: Callable[[str], bytes]) -> Callable[[], bytes]:
    import gzip

    # mtime=0 and no file name: the same graph gives the same .gz bytes.
    return lambda: gzip.compress(export("ntriples"), compresslevel=9, mtime=0)


def _media(form: Format) -> str:
    return form.media_type + ("; charset=utf-8" if form.name != "xml" else "")


def _static_type(name: str) -> str:
    return {"css": "text/css; charset=utf-8", "svg": "image/svg+xml"}.get(
        name.rsplit(".", 1)[-1], "application/octet-stream"
    )


def _text(graph: Graph, node: Node, predicates: Iterable[URIRef], lang: str) -> str:
    literals = [o for p in predicates for o in graph.objects(node, p) if isinstance(o, Literal)]
    chosen = _in_language(literals, lang)
    return sorted(str(o) for o in chosen)[0] if chosen else ""


def _terms(graph: Graph, kinds: Iterable[URIRef]) -> list[URIRef]:
    found = {s for kind in kinds for s in graph.subjects(RDF.type, kind) if str(s).startswith(str(RL))}
    return sorted(found, key=lambda s: str(s).casefold())


def _goal_no(site: Site, goal: URIRef) -> str:
    return site._goal_numbers.get(goal, "0")


def _path_of(iri: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(iri).path or "/"


def _href_from(target: str, here_path: str) -> str:
    """A link to ``target``: relative if it is a path on this host (so a mounted app still works), else as given."""
    if target.startswith("/"):
        return quote(posixpath.relpath(target, posixpath.dirname(here_path)), safe="/.-_~")
    return target
