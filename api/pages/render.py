"""What every page shares: the templates, the signed-in context, the response (HTML or one of
its tables as CSV) and the HTML error pages.

Page routes use :class:`PageRoute`, which turns library errors (``NotFound`` → 404,
``Forbidden`` → 403, ``ValidationFailed`` → 422), HTTP errors (a stale CSRF token → 403) and bad
query or form values (422) into a page in the site's layout; the JSON API keeps its JSON
errors. A missing session is not an error here: it redirects to ``/signin`` (``api.main``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import jinja2
from fastapi import Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from api.deps import SESSION_COOKIE, CacheDep, PageStore, PageUser, csrf_token
from api.pages.tables import Table, csv_response, date_text, node_url, number, percent, signed
from kamgraph import users
from kamgraph.cache import AnalysisCache
from kamgraph.errors import KamgraphError, ValidationFailed
from kamgraph.scope import ScopedStore

__all__ = ["NO_STORE", "OrganizationLookup", "Page", "PageContext", "PageRoute", "error_page",
           "organizations_by_name", "page", "references", "templates"]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Pages hold personal data: no browser or proxy should keep a copy.
NO_STORE = {"Cache-Control": "no-store"}
OrganizationLookup = Callable[[str | None], dict[str, str] | None]
ROLE_NAMES = {"admin": "admin", "regional_manager": "regional manager", "kam": "KAM"}

environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                 undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
environment.globals.update(node_url=node_url, role_name=ROLE_NAMES.get)
environment.filters.update(number=number, signed=signed, percent=percent, isodate=date_text,
                           pathid=lambda node_id: quote(str(node_id), safe=""))
templates = Jinja2Templates(env=environment)


@dataclass(frozen=True, slots=True)
class PageContext:
    """The signed-in user, the store as they see it, their CSRF token, today's date and the
    app's analysis cache."""

    user: users.User
    store: ScopedStore
    csrf: str
    today: date
    cache: AnalysisCache | None = None


def page_context(request: Request, user: PageUser, store: PageStore, cache: CacheDep) -> PageContext:
    return PageContext(user, store, csrf_token(request.cookies.get(SESSION_COOKIE, "")), date.today(),
                       cache)


Page = Annotated[PageContext, Depends(page_context)]


def page(request: Request, ctx: PageContext | None, template: str, *, title: str,
         tables: Sequence[Table] = (), status_code: int = 200, **values: Any) -> Response:
    """The page from ``template``, or with ``?csv=ID`` its table ``ID`` as a CSV download."""
    wanted = request.query_params.get("csv")
    if wanted is not None:
        found = [table for table in tables if table.id == wanted]
        if not found:
            return error_page(request, 404, f"This page has no table {wanted!r}.")
        return csv_response(found[0], request.url.path.strip("/").replace("/", "-"))
    context = {"title": title, "user": ctx.user if ctx else None, "csrf": ctx.csrf if ctx else "",
               "tables": {table.id: table for table in tables}, "csv_url": _csv_url(request),
               "flashes": [], "warnings": [], "query": request.query_params.get("q", ""), **values}
    return templates.TemplateResponse(request, template, context, status_code=status_code,
                                      headers=NO_STORE)



def _csv_url(request: Request) -> Callable[[str], str]:
    """Table id → this page's URL with ``csv=ID`` (other query parameters kept), as a path."""
    def url(table_id: str) -> str:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "csv"]
        return f"{quote(request.url.path)}?{urlencode([*params, ('csv', table_id)])}"
    return url


def error_page(request: Request, status_code: int, message: str,
               problems: Sequence[str] = ()) -> Response:
    """An error in the site's layout (with the header when the visitor is signed in)."""
    user = users.authenticate(request.app.state.store, request.cookies.get(SESSION_COOKIE, ""))
    context = {"title": TITLES.get(status_code, "Something went wrong"), "user": user,
               "csrf": csrf_token(request.cookies.get(SESSION_COOKIE, "")) if user else "",
               "message": message, "problems": list(problems), "status_code": status_code,
               "flashes": [], "warnings": [], "query": "", "tables": {}}
    return templates.TemplateResponse(request, "error.html", context, status_code=status_code,
                                      headers=NO_STORE)


TITLES = {401: "Sign-in needed", 403: "Not allowed", 404: "Not found", 422: "Please check the input"}


class PageRoute(APIRoute):
    """A page route: errors become pages in the site's layout instead of JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except KamgraphError as exc:
                return _library_error(request, exc)
            except HTTPException as exc:
                return error_page(request, exc.status_code, _sentence(str(exc.detail)))
            except RequestValidationError as exc:
                return error_page(request, 422, "Some values are not valid.",
                                  [_validation_problem(error) for error in exc.errors()])

        return page_handler


def _library_error(request: Request, exc: KamgraphError) -> Response:
    from api.main import STATUS  # the one status map; imported here, as api.main imports the pages

    status_code = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 500)
    problems = [str(problem) for problem in exc.problems] if isinstance(exc, ValidationFailed) else []
    return error_page(request, status_code, _sentence(str(exc)), problems)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _validation_problem(error: Any) -> str:
    where = ".".join(str(part) for part in error.get("loc", ())[1:])
    return f"{where}: {error.get('msg', 'not valid')}" if where else str(error.get("msg", "not valid"))


def organizations_by_name(store: ScopedStore) -> OrganizationLookup:
    """For analyses that name an organisation without its id: name → reference of the one
    organisation the user sees by that name (a name two of them share stays plain text)."""
    found: dict[str, list[dict[str, str]]] = {}
    for org in store.iter_nodes("Organization"):
        found.setdefault(org.name, []).append({"id": org.id, "label": org.label, "name": org.name})

    def lookup(name: str | None) -> dict[str, str] | None:
        if name is None:
            return None
        refs = found.get(name, [])
        return refs[0] if len(refs) == 1 else {"id": name, "label": "", "name": name}

    return lookup


def references(store: ScopedStore, ids: Iterable[str]) -> dict[str, dict[str, str]]:
    """Id → ``{"id", "label", "name"}`` of the nodes the user sees among ``ids``."""
    found = (store.get_node(node_id) for node_id in sorted(set(ids)))
    return {node.id: {"id": node.id, "label": node.label, "name": node.name} for node in found if node}
