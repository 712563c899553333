"""The container ledger: register containers, their labels, storage, own handling, the chain
check, and a site's monthly mass balance."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import PrincipalDep, SessionDep, permission
from schemas.common import ERROR_RESPONSES
from schemas.cradle import (
    ChainCheck,
    ContainerDetail,
    ContainerPublic,
    ContainersPublic,
    HandleOnSiteIn,
    LedgerEventPublic,
    RegisterIn,
    ReweighIn,
)
from waste_tracker import clock
from waste_tracker.ledger import balance, codes, labels, queries, service
from waste_tracker.ledger.service import Generation
from waste_tracker.models import Organisation, WasteContainer

router = APIRouter(prefix="/api/v1/containers", tags=["ledger"], responses=ERROR_RESPONSES)
GENERATOR = permission("enterprise", note="the site's own organisation (generator)")
READERS = permission("enterprise", "regulator", "admin", note="the site's organisation; regulators of its county")


def public(request: Request, c: WasteContainer) -> ContainerPublic:
    p = ContainerPublic.model_validate(c)
    p.storage_days = queries.storage_age_days(c)
    p.label_svg_url = str(request.url_for("container_label_svg", container_id=c.id))
    p.label_png_url = str(request.url_for("container_label_png", container_id=c.id))
    return p


@router.post("", response_model=list[ContainerPublic], status_code=201, openapi_extra=GENERATOR)
async def register_containers(
    body: RegisterIn, request: Request, principal: PrincipalDep, session: SessionDep
) -> list[ContainerPublic]:
    """Register the containers of one or more generation records; each gets its identification
    code (HJ 1276) and a generated + stored-in ledger event."""
    records = [
        Generation(
            waste_code=r.waste_code,
            physical_form=r.physical_form,
            container_type=r.container_type,
            gross_kg=Decimal(r.gross_kg),
            net_kg=Decimal(r.net_kg),
            storage_facility=r.storage_facility,
            generated_on=r.generated_on,
            count=r.count,
            volume_l=Decimal(r.volume_l) if r.volume_l is not None else None,
            is_batch=r.is_batch,
            waste_name=r.waste_name,
            main_components=r.main_components,
            hazard_characteristics=tuple(r.hazard_characteristics) if r.hazard_characteristics is not None else None,
        )
        for r in body.records
    ]
    return [public(request, c) for c in await service.register(session, principal, body.site_id, records)]


@router.get("", response_model=ContainersPublic, openapi_extra=READERS)
async def list_containers(
    request: Request,
    principal: PrincipalDep,
    session: SessionDep,
    site_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
    status: Literal["in_storage", "on_manifest", "shipped", "handled_on_site"] | None = None,
    waste_code: str | None = Query(default=None, max_length=16),
    manifest_id: uuid.UUID | None = None,
    generated_from: date | None = None,
    generated_to: date | None = None,
    limit: int = Query(default=100, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=1_000_000),
) -> ContainersPublic:
    f = queries.ContainerFilter(site_id, organisation_id, status, waste_code, generated_from, generated_to, manifest_id)
    rows, total = await queries.list_containers(session, principal, f, limit, offset)
    return ContainersPublic(items=[public(request, c) for c in rows], total=total)


@router.get("/balance", openapi_extra=READERS)
async def site_balance(
    principal: PrincipalDep,
    session: SessionDep,
    site_id: uuid.UUID,
    year: int | None = Query(default=None, ge=2000, le=2999),
    waste_code: str | None = Query(default=None, max_length=16),
) -> dict[str, Any]:
    """Month by month: generated, shipped, handled on site, in storage at month end (kg), and
    what the manifests say was shipped."""
    site = await queries.readable_site(session, principal, site_id)
    y = year or clock.today().year
    return {"site_id": str(site.id), "year": y, "months": await balance.monthly(session, site.id, y, waste_code)}


@router.get(
    "/by-code/{code}", response_model=ContainerDetail, openapi_extra=permission("enterprise", "driver", "regulator", "admin")
)
async def container_by_code(code: str, request: Request, principal: PrincipalDep, session: SessionDep) -> ContainerDetail:
    """The container an identification code (read off its label) names."""
    return await _detail(request, session, await queries.by_code(session, principal, code))


async def _detail(request: Request, session: SessionDep, c: WasteContainer) -> ContainerDetail:
    events = [LedgerEventPublic.model_validate(e) for e in await queries.events_of(session, c.id)]
    parsed = codes.parse(c.identification_code)
    return ContainerDetail(
        **public(request, c).model_dump(), events=events, identification_segments=parsed.segments() if parsed else []
    )


@router.get("/{container_id}", response_model=ContainerDetail, openapi_extra=READERS)
async def get_container(
    container_id: uuid.UUID, request: Request, principal: PrincipalDep, session: SessionDep
) -> ContainerDetail:
    return await _detail(request, session, await queries.get_container(session, principal, container_id))


@router.get("/{container_id}/verify", response_model=ChainCheck, openapi_extra=READERS)
async def verify_container(container_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> ChainCheck:
    """Re-hash the container's ledger events and compare the stored record with their replay."""
    c = await queries.get_container(session, principal, container_id)
    n, brk = await queries.verify_container(session, c)
    return ChainCheck.model_validate({"ok": brk is None, "events": n, "break": brk.as_dict() if brk else None})


@router.post("/{container_id}/reweigh", response_model=ContainerPublic, openapi_extra=GENERATOR)
async def reweigh(
    container_id: uuid.UUID, body: ReweighIn, request: Request, principal: PrincipalDep, session: SessionDep
) -> ContainerPublic:
    c = await service.reweigh(session, principal, container_id, Decimal(body.gross_kg), Decimal(body.net_kg), body.reason)
    return public(request, c)


@router.post("/handle-on-site", response_model=list[ContainerPublic], openapi_extra=GENERATOR)
async def handle_on_site(
    body: HandleOnSiteIn, request: Request, principal: PrincipalDep, session: SessionDep
) -> list[ContainerPublic]:
    """Out of storage into the unit's own utilisation/disposal facility."""
    cs = await service.handle_on_site(session, principal, body.container_ids, body.method_code, body.facility, body.note)
    return [public(request, c) for c in cs]


async def _labelled(session: SessionDep, principal: PrincipalDep, container_id: uuid.UUID) -> tuple[WasteContainer, Organisation]:
    c = await queries.get_container(session, principal, container_id)
    org = await session.get(Organisation, c.organisation_id)
    assert org is not None
    return c, org


@router.get("/{container_id}/label.svg", name="container_label_svg", openapi_extra=READERS, response_class=Response)
async def label_svg(container_id: uuid.UUID, request: Request, principal: PrincipalDep, session: SessionDep) -> Response:
    """The HJ 1276 label at its size for the container's volume (zh-CN; ``Accept-Language: en`` for English)."""
    c, org = await _labelled(session, principal, container_id)
    return Response(labels.label_svg(c, org, principal.lang), media_type="image/svg+xml")


@router.get("/{container_id}/label.png", name="container_label_png", openapi_extra=READERS, response_class=Response)
async def label_png(container_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> Response:
    """The label's QR code with the identification code under it."""
    c = await queries.get_container(session, principal, container_id)
    return Response(labels.label_png(c.identification_code), media_type="image/png")
