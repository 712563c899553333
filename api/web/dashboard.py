"""The manifest list as each reader's dashboard (issue #14): tabs with their counts — drafts, to
act on, in follow-up, archived (``waste_tracker.manifest.tabs``) — one search box for any part of
a number, a company's name, a plate or a waste code, status and dates; regulators also filter by
one of their counties and by a company on any side (typed: its name now or as submitted, or its
credit code — a city's directory is too long for a list, and a renamed company is found by both).

The page reads through ``queries.list_manifests`` and ``queries.count_tabs``: the same scope as the
API and the export, which take the same parameters (the export links carry them)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import SessionDep, SettingsDep, permission
from api.http import parse_day
from api.web.render import WebPrincipal, WebRoute, render, web_lang
from waste_tracker.auth.principal import Principal
from waste_tracker.manifest import queries, tabs
from waste_tracker.manifest.lifecycle import Status
from waste_tracker.manifest.parties import party_names
from waste_tracker.models import Manifest
from waste_tracker.registry.names import counties_of

router = APIRouter(route_class=WebRoute, include_in_schema=False)

READERS = permission("enterprise", "driver", "regulator", "admin", note="web page; scoped like the API")
STATUSES = [s.value for s in Status]
PAGE = 50


async def _rows(session: AsyncSession, manifests: list[Manifest]) -> list[dict[str, Any]]:
    """Manifests with their parties' names (as submitted), for the table."""
    names = await party_names(session, manifests)
    return [{"m": m, **names[m.id]} for m in manifests]


def _oversees(principal: Principal) -> bool:
    return principal.is_regulator or principal.is_admin


async def _counties(session: AsyncSession, principal: Principal, home_city: int, lang: str) -> list[tuple[int, str]]:
    """The county filter's choices: the regulator's own counties of the city (when it has more than one)."""
    if not _oversees(principal):
        return []
    scope = principal.county_scope
    counties = [(a, n) for a, n in await counties_of(session, home_city, lang) if scope is None or a in scope]
    return counties if len(counties) > 1 else []


@router.get("/manifests", openapi_extra=READERS)
async def manifest_list(
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    tab: str | None = Query(default=None, max_length=10),
    q: str | None = Query(default=None, max_length=40),
    number: str | None = Query(default=None, max_length=14),
    status: str | None = Query(default=None, max_length=20),
    waste_code: str | None = Query(default=None, max_length=16),
    created_from: str | None = Query(default=None, max_length=10),
    created_to: str | None = Query(default=None, max_length=10),
    county: str | None = Query(default=None, max_length=6),
    company: str | None = Query(default=None, max_length=40),
    cursor: str | None = Query(default=None, max_length=200),
) -> Response:
    lang = web_lang(request)
    counties = await _counties(session, principal, settings.home_city_adcode, lang)
    shown = tabs.tabs_for(principal)
    current = next((t for t in shown if t.value == tab), None)
    county_code = int(county) if county and county.isdigit() and int(county) in {a for a, _ in counties} else None
    f = queries.ManifestFilter(
        status=[status] if status in STATUSES else None,
        number=(number or "").strip() or None,
        waste_code=(waste_code or "").strip() or None,
        created_from=parse_day(created_from),
        created_to=parse_day(created_to),
        q=(q or "").strip() or None,
        county=county_code,
        company=((company or "").strip() or None) if _oversees(principal) else None,
        tab=current,
    )
    rows, nxt = await queries.list_manifests(session, principal, f, cursor, PAGE)
    rows_named = await _rows(session, rows)
    counts = await queries.count_tabs(session, principal, f)
    # The filters in force, as query parameters (the API's names): for the tabs, the next page and the exports.
    kept = {
        "q": f.q or "",
        "number": f.number or "",
        "status": status if f.status else "",
        "waste_code": f.waste_code or "",
        "created_from": created_from if f.created_from else "",
        "created_to": created_to if f.created_to else "",
        "county": str(county_code or ""),
        "company": f.company or "",
    }
    kept = {k: v for k, v in kept.items() if v}

    def url(path: str, **extra: str) -> str:
        params = kept | {k: v for k, v in extra.items() if v}
        return path + ("?" + urlencode(params) if params else "")

    tab_links = [{"key": "all", "n": counts["all"], "url": url("/manifests"), "current": current is None}] + [
        {"key": t.value, "n": counts[t.value], "url": url("/manifests", tab=t.value), "current": current == t} for t in shown
    ]
    exported = {"tab": current.value if current else ""}
    return render(
        request,
        "manifests.html",
        rows=rows_named,
        tab_links=tab_links,
        current=current.value if current else "all",
        acts=tabs.ever_acts(principal),
        filters=kept,
        next_url=url("/manifests", tab=exported["tab"], cursor=nxt) if nxt else None,
        export_xlsx=url("/api/v1/manifests/export.xlsx", **exported),
        export_csv=url("/api/v1/manifests/export.csv", **exported),
        statuses=STATUSES,
        counties=counties,
        oversees=_oversees(principal),
        can_create="generator" in principal.org_roles and principal.role == "enterprise",
    )
