"""Receiver candidates for a load: licensed receivers covering the codes, nearest first, with the
jurisdiction rule's verdict (used by the web app's manifest form)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from fastapi import APIRouter, Query, Request

from api.deps import PrincipalDep, SessionDep, permission
from api.errors import lang_of
from schemas.candidates import ReceiverCandidate, ReceiverCandidates
from schemas.common import ERROR_RESPONSES, PointGeoJSON
from waste_tracker import clock
from waste_tracker.manifest.candidates import candidates

router = APIRouter(prefix="/api/v1", tags=["manifests"], responses=ERROR_RESPONSES)


@router.get(
    "/receivers/candidates",
    response_model=ReceiverCandidates,
    openapi_extra=permission(
        "enterprise", "regulator", "admin", note="for a generator site the caller can see (its own; regulators in scope)"
    ),
)
async def receiver_candidates(
    request: Request,
    principal: PrincipalDep,
    session: SessionDep,
    generator_site_id: uuid.UUID,
    codes: list[str] = Query(min_length=1, max_length=50, description="Waste codes of the load, e.g. 900-249-08 or SW07"),
    method: str | None = Query(default=None, min_length=2, max_length=8, description="Planned method, e.g. D10"),
    on: date | None = Query(default=None, description="Planned pickup date (default today, Asia/Shanghai)"),
    quantity_kg: Decimal | None = Query(default=None, gt=0, le=100_000_000, description="Load, to check exemption room"),
) -> ReceiverCandidates:
    """Licensed receiver sites covering every code (and the method) on the day, sorted by distance from the
    generator site, each marked ``allowed`` (inside the city/county), ``exempted`` (a covering exemption has
    room) or ``needs_exemption`` (submission would be refused with ``rule``)."""
    day = on or clock.today()
    res = await candidates(
        session,
        principal,
        generator_site_id=generator_site_id,
        codes=[c.strip() for c in codes if c.strip()],
        on=day,
        method=method,
        quantity_kg=quantity_kg,
        lang=lang_of(request),
    )
    return ReceiverCandidates(
        kind=res.kind,
        generator_site_id=res.generator_site.id,
        generator_county_adcode=res.generator_site.county_adcode,
        generator_city_adcode=res.generator_site.city_adcode,
        items=[
            ReceiverCandidate(
                site_id=c.site.id,
                site_name=c.site.name,
                organisation_id=c.site.organisation_id,
                organisation_name=c.organisation_name,
                county_adcode=c.site.county_adcode,
                county_name=c.county_name,
                city_adcode=c.site.city_adcode,
                city_name=c.city_name,
                location=PointGeoJSON.of(c.lon, c.lat),
                distance_m=round(c.distance_m, 1),
                licence_numbers=c.licence_numbers,
                methods=c.methods,
                capacity_left_t=c.capacity_left_t,
                outcome=c.outcome,
                rule=c.rule,
                exemption_scope=c.exemption_scope,
                exemption_id=c.exemption_id,
                exemption_remaining_kg=c.exemption_remaining_kg,
                explanation=c.explanation,
            )
            for c in res.items
        ],
    )
