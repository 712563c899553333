"""Exemptions to the jurisdiction rule, on both sides: a generator asks (and sees what it was
granted), a regulator grants or refuses what is asked and revokes what was granted."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import SessionDep, permission
from api.web.render import WebPrincipal, WebRoute, render
from waste_tracker import clock
from waste_tracker.errors import Forbidden
from waste_tracker.manifest import exemption_requests, exemptions
from waste_tracker.registry import organisations

router = APIRouter(route_class=WebRoute, include_in_schema=False)

_SITES = text(
    """SELECT s.id, s.name AS site, o.name AS org, j.name AS county FROM site s
       JOIN organisation o ON o.id = s.organisation_id JOIN jurisdiction j ON j.adcode = s.county_adcode
       WHERE s.id = ANY(:ids)"""
)


async def _site_names(session: AsyncSession, rows: list[Any]) -> dict[uuid.UUID, str]:
    ids = list({i for r in rows for i in (r.generator_site_id, r.receiver_site_id) if i})
    found = await session.execute(_SITES, {"ids": ids})
    return {r.id: f"{r.org} · {r.site}（{r.county}）" for r in found}


@router.get("/exemptions", openapi_extra=permission("enterprise", note="web page; generators"))
async def generator_page(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    org_id = principal.require_org_role("generator")
    asked = await exemption_requests.list_requests(session, principal)
    granted = await exemptions.list_exemptions(session, principal)
    receivers = {o.id for o in await organisations.list_organisations(session, principal, role="receiver", limit=500)}
    targets = [s for s in await organisations.list_sites(session, principal, limit=2000) if s.organisation_id in receivers]
    return render(
        request,
        "exemptions.html",
        asked=asked,
        granted=granted,
        names=await _site_names(session, [*asked, *granted]),
        sites=await organisations.list_sites(session, principal, organisation_id=org_id),
        targets=targets,
        prefill={k: request.query_params.get(k, "") for k in ("receiver_site_id", "codes")},
        today=clock.today().isoformat(),
    )


@router.get("/reg/exemptions", openapi_extra=permission("regulator", "admin", note="web page; regulators"))
async def regulator_page(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    if not (principal.is_regulator or principal.is_admin):
        raise Forbidden("forbidden", {"required_roles": ["regulator", "admin"], "role": principal.role})
    asked = await exemption_requests.list_requests(session, principal)
    granted = await exemptions.list_exemptions(session, principal)
    orgs = {
        r.id: r.name
        for r in (
            await session.execute(
                text("SELECT id, name FROM organisation WHERE id = ANY(:ids)"),
                {"ids": list({x.generator_org_id for x in [*asked, *granted]})},
            )
        )
    }
    return render(
        request,
        "reg_exemptions.html",
        pending=[r for r in asked if r.status == "pending"],
        decided=[r for r in asked if r.status != "pending"],
        granted=granted,
        names=await _site_names(session, [*asked, *granted]),
        orgs=orgs,
        today=clock.today(),
    )
