"""Regulators' page of the road: protected zones (import, list, map)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import SessionDep, permission
from api.web.render import WebPrincipal, WebRoute, render
from waste_tracker import clock
from waste_tracker.errors import Forbidden
from waste_tracker.track import zones

router = APIRouter(route_class=WebRoute, include_in_schema=False)
REG = permission("regulator", "admin", note="web page; regulators")


@router.get("/reg/zones", openapi_extra=REG)
async def zones_page(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    if not (principal.is_regulator or principal.is_admin):
        raise Forbidden("forbidden", {"required_roles": ["regulator", "admin"], "role": principal.role})
    fc = await zones.list_zones(session)
    return render(request, "reg_zones.html", zones=fc["features"], today=clock.today().isoformat())
