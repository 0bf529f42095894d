"""The lab -> measures -> megatrends / SDGs diagram, drawn on the server as inline SVG (no JavaScript).

The layout is three columns of boxes joined by curves; this module computes positions, the template
``diagram.svg`` draws them. SDG goals are filled with their official colour and labelled in black or white,
whichever contrasts more. Every box links to its page, and the SVG carries a title and a text description
for screen readers.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from markupsafe import Markup
from rdflib import URIRef

from ..namespaces import RL
from .render import Link, Site, environment, strings

BOX_WIDTH = 250
BOX_HEIGHT = 46
GAP = 12
COLUMN_GAP = 90
TOP = 34
LINE_CHARS = 31


@dataclass(frozen=True)
class Box:
    key: URIRef
    link: Link
    x: int
    y: int
    kind: str

    @property
    def lines(self) -> list[str]:
        """The label in at most two lines that fit the box; the full label is in the box's <title>."""
        lines = textwrap.wrap(self.link.label, LINE_CHARS) or [""]
        if len(lines) > 2:
            lines = [lines[0], lines[1][: LINE_CHARS - 1].rstrip() + "…"]
        return lines


@dataclass(frozen=True)
class Edge:
    path: str


def _column(site: Site, nodes: list[URIRef], column: int, kind, lang: str, here: str, height: int) -> list[Box]:
    links = sorted(((n, site.link(n, lang, here)) for n in nodes), key=lambda item: _order(item[1]))
    offset = TOP + (height - len(links) * (BOX_HEIGHT + GAP)) // 2
    x = column * (BOX_WIDTH + COLUMN_GAP)
    return [
        Box(node, link, x, offset + i * (BOX_HEIGHT + GAP), kind(node) if callable(kind) else kind)
        for i, (node, link) in enumerate(links)
    ]


def _order(link: Link) -> tuple:
    # Megatrends first, then SDG goals by number; within a kind by label.
    return (link.number is not None, int(link.number or 0), link.label.casefold())


def _curve(a: Box, b: Box) -> Edge:
    x1, y1 = a.x + BOX_WIDTH, a.y + BOX_HEIGHT // 2
    x2, y2 = b.x, b.y + BOX_HEIGHT // 2
    middle = (x1 + x2) // 2
    return Edge(f"M{x1},{y1} C{middle},{y1} {middle},{y2} {x2},{y2}")


def lab_diagram(site: Site, labs: list[URIRef], lang: str, here: str, ident: str = "diagram") -> Markup:
    """The SVG for ``labs``: each lab, its measures, and the megatrends and SDG goals those measures address."""
    graph = site.graph
    lab_edges = sorted({(lab, m) for lab in labs for m in graph.objects(lab, RL.hasMeasure)})
    measures = sorted({m for _, m in lab_edges})
    aim_edges = set()
    for measure in measures:
        aim_edges.update((measure, t) for t in graph.objects(measure, RL.addressesMegatrend))
        for node in graph.objects(measure, RL.contributesTo):
            goal = site.goal_of(node)
            if goal is not None:
                aim_edges.add((measure, goal))
    aims = sorted({t for _, t in aim_edges})
    rows = max(len(labs), len(measures), len(aims), 1)
    height = rows * (BOX_HEIGHT + GAP)
    boxes = [
        *_column(site, labs, 0, "lab", lang, here, height),
        *_column(site, measures, 1, "measure", lang, here, height),
        *_column(site, aims, 2, lambda n: "goal" if site.goal_of(n) == n else "megatrend", lang, here, height),
    ]
    where = {box.key: box for box in boxes}
    edges = [_curve(where[a], where[b]) for a, b in sorted({*lab_edges, *aim_edges})]
    summary = _summary(site, labs, lab_edges, aim_edges, lang)
    words = strings()[lang]
    headings = (words["diagram_lab"], words["diagram_measure"], words["diagram_aims"])
    template = environment().get_template("diagram.svg")
    svg = template.render(
        ident=ident,
        boxes=boxes,
        edges=edges,
        width=3 * BOX_WIDTH + 2 * COLUMN_GAP,
        height=TOP + height,
        box_width=BOX_WIDTH,
        box_height=BOX_HEIGHT,
        headings=list(zip([c * (BOX_WIDTH + COLUMN_GAP) for c in range(3)], headings, strict=True)),
        title=words["diagram"],
        summary=summary,
        lang=lang,
    )
    return Markup(svg)


def _summary(site: Site, labs, lab_edges, aim_edges, lang: str) -> str:
    """A sentence per lab for screen readers: the lab, its measures and what each addresses."""
    measures_of, aims_of = _grouped(lab_edges), _grouped(aim_edges)  # by source: linear, not labs × edges
    parts = []
    for lab in labs:
        for measure in sorted(measures_of.get(lab, ())):
            targets = sorted(site.label(t, lang)[0] for t in aims_of.get(measure, ()))
            parts.append(f"{site.label(lab, lang)[0]} → {site.label(measure, lang)[0]} → {', '.join(targets) or '–'}")
    return "; ".join(parts)


def _grouped(edges) -> dict:
    grouped: dict = {}
    for source, target in edges:
        grouped.setdefault(source, []).append(target)
    return grouped
