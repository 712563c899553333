"""The road's pages: protected zones and approved routes (regulators), weighbridge tickets
(generators and receivers)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import SessionDep, permission
from api.web.render import WebPrincipal, WebRoute, render
from waste_tracker import clock
from waste_tracker.errors import Forbidden
from waste_tracker.registry import organisations
from waste_tracker.track import approved_routes, tickets, zones

router = APIRouter(route_class=WebRoute, include_in_schema=False)
REG = permission("regulator", "admin", note="web page; regulators")


@router.get("/reg/zones", openapi_extra=REG)
async def zones_page(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    if not (principal.is_regulator or principal.is_admin):
        raise Forbidden("forbidden", {"required_roles": ["regulator", "admin"], "role": principal.role})
    fc = await zones.list_zones(session)
    return render(request, "reg_zones.html", zones=fc["features"], today=clock.today().isoformat())


@router.get("/reg/routes", openapi_extra=REG)
async def routes_page(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    """Approved routes: the map and list of the routes touching the regulator's counties, and the
    form to register one for a pickup site and a receiver site."""
    if not (principal.is_regulator or principal.is_admin):
        raise Forbidden("forbidden", {"required_roles": ["regulator", "admin"], "role": principal.role})
    fc = await approved_routes.list_routes(session, principal)
    sites = await organisations.list_sites(session, principal, limit=2000)
    return render(
        request,
        "reg_routes.html",
        routes=fc["features"],
        sites=[s for s in sites if s.kind == "facility"],
        today=clock.today().isoformat(),
    )


ENTERPRISE = permission("enterprise", note="web page; generators and receivers")


@router.get("/tickets", openapi_extra=ENTERPRISE)
async def tickets_page(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    """Weighbridge tickets of the enterprise's sites: post one, upload a scale's CSV, see matches."""
    if principal.role != "enterprise" or not ({"generator", "receiver"} & principal.org_roles):
        raise Forbidden("forbidden", {"required_org_role": "generator or receiver"})
    assert principal.organisation_id is not None
    sites = await organisations.list_sites(session, principal, organisation_id=principal.organisation_id)
    side = "receiver" if "receiver" in principal.org_roles else "generator"
    rows = await tickets.list_tickets(session, principal)
    names = {s.id: s.name for s in sites}
    return render(request, "tickets.html", sites=sites, side=side, rows=rows, names=names, now=clock.local(clock.now()))
