"""Dereferenceable IRIs and the HTML pages, as Starlette routes that ``create_app`` (or any app) mounts.

Every resource IRI under the base IRI follows the 303 pattern: ``GET <base>bottrop/lab/x`` answers
``303 See Other`` with the document that fits the request, ``x.html`` / ``x.en.html`` for browsers (by
Accept-Language, German by default) or ``x.ttl`` / ``x.jsonld`` / ``x.nt`` / ``x.rdf`` by Accept; the
documents themselves answer 200. The static site of ``reallabor publish`` has the same documents and its
server rules give the same redirects, so a link works the same on both. Unknown paths answer 404.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..formats import Format
from .negotiation import negotiate
from .render import DATA_FORMATS, HTML_SUFFIXES, Pages, Site

HTML = Format("html", "page", "text/html", ".html")
VARY = "Accept, Accept-Language"


def page_routes(kg, settings) -> list[BaseRoute]:
    """The routes of the pages under ``settings.base_path`` (and ``/`` leading there), for one fixed graph."""
    pages = Pages(Site.from_kg(kg, settings.base_iri, endpoint="/sparql", api="/api/queries"))
    base = settings.base_path if settings.base_path.endswith("/") else settings.base_path + "/"
    produce = lru_cache(maxsize=1024)(lambda path: pages.documents[path].produce())

    def resource(request: Request) -> Response:
        return answer(pages, produce, request.path_params["path"], request, base)

    def root(request: Request) -> Response:
        return RedirectResponse(_prefix(request) + base + "index.html", status_code=303, headers={"Vary": VARY})

    routes: list[BaseRoute] = [Route(base + "{path:path}", resource, methods=["GET"], name="reallabor-page")]
    if base != "/":
        routes.insert(0, Route("/", root, methods=["GET"], name="reallabor-root"))
    return routes


def answer(pages: Pages, produce, path: str, request: Request, base: str) -> Response:
    """A document (200), a resource IRI (303 to its best document), or 404 / 406."""
    accept, accept_language = request.headers.get("accept"), request.headers.get("accept-language")
    document = pages.documents.get(path)
    if document is not None:
        return Response(produce(path), media_type=document.media_type)
    key = "index" if path == "" else (path + "index" if path.endswith("/") else path)
    offers = pages.representations.get(key)
    if not offers:
        return not_found(pages, path, accept, accept_language)
    suffix = choose_suffix(accept, accept_language, offers)
    if suffix is None:
        listing = "\n".join(f"{media}\t{base}{key}{s}" for s, media in sorted(offers.items()))
        return Response(
            f"406 Not Acceptable; this resource is available as:\n{listing}\n", 406, media_type="text/plain"
        )
    location = _prefix(request) + base + quote(key + suffix, safe="/.-_~")
    return RedirectResponse(location, status_code=303, headers={"Vary": VARY})


def choose_suffix(accept: str | None, accept_language: str | None, offers: dict[str, str]) -> str | None:
    """The document suffix for a request: HTML (by language) or an RDF syntax by Accept; None if none fits."""
    candidates = [HTML] if HTML_SUFFIXES["de"] in offers else []
    candidates += [form for form in DATA_FORMATS if form.suffix in offers]
    chosen = negotiate(accept, candidates)
    if chosen is None:
        return None
    if chosen is HTML:
        lang = choose_language(accept_language)
        return HTML_SUFFIXES[lang] if HTML_SUFFIXES[lang] in offers else HTML_SUFFIXES["de"]
    return chosen.suffix


def choose_language(header: str | None, offered: tuple[str, ...] = ("de", "en")) -> str:
    """The page language for an Accept-Language header: the offered language with the highest q, German by default."""
    best, best_q = offered[0], 0.0
    for position, part in enumerate((header or "").split(",")):
        tag, *params = (piece.strip() for piece in part.split(";"))
        primary = tag.lower().split("-")[0]
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        q -= position * 1e-6  # earlier wins at equal q
        if primary in offered and q > best_q:
            best, best_q = primary, q
    return best


def not_found(pages: Pages, path: str, accept: str | None, accept_language: str | None) -> Response:
    if negotiate(accept, [HTML, *DATA_FORMATS]) is HTML:
        body = pages.not_found(choose_language(accept_language), path.rstrip("/") or "index")
        return Response(body, 404, media_type="text/html; charset=utf-8")
    return Response("404 Not Found\n", 404, media_type="text/plain")


def _prefix(request: Request) -> str:
    # When another app mounts these routes under a prefix, redirects must keep it.
    return request.scope.get("root_path", "").rstrip("/")
