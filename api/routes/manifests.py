"""Manifest endpoints: draft, submit, cancel, receive, dispose, return, redirect, read, verify."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import PrincipalDep, SessionDep, permission
from api.errors import lang_of
from api.http import located_event_public
from api.idempotency import idempotent
from api.web.i18n import gettext
from schemas.common import ERROR_RESPONSES
from schemas.cradle import ManifestFromContainers
from schemas.manifest import (
    CancelIn,
    DisposeIn,
    EventPublic,
    LinePublic,
    ManifestCreate,
    ManifestPublic,
    ManifestsPublic,
    ManifestSummary,
    ManifestUpdate,
    ReceiveIn,
    RedirectIn,
    ReturnIn,
    VerifyPublic,
)
from waste_tracker import clock, exports
from waste_tracker.auth.principal import Principal
from waste_tracker.ledger import service as ledger
from waste_tracker.manifest import export, queries, service
from waste_tracker.manifest.commands import Draft
from waste_tracker.manifest.lifecycle import Status
from waste_tracker.manifest.tabs import Tab
from waste_tracker.manifest.verify import verify_manifest
from waste_tracker.models import Manifest

router = APIRouter(prefix="/api/v1/manifests", tags=["manifests"], responses=ERROR_RESPONSES)

READERS = permission(
    "enterprise",
    "driver",
    "regulator",
    "admin",
    note="parties to the manifest; regulators whose jurisdiction holds its generator or receiver",
)
GENERATOR = permission("enterprise", note="the manifest's generator")
RECEIVER = permission("enterprise", note="the manifest's receiver")
IDEMPOTENT_NOTE = "Accepts an Idempotency-Key header: a retry returns the first response and writes nothing."


def summary(m: Manifest) -> ManifestSummary:
    return ManifestSummary.model_validate(m, from_attributes=True)


async def detail(request: Request, session: AsyncSession, m: Manifest) -> ManifestPublic:
    data = await queries.describe(session, m)
    data["lines"] = [LinePublic.model_validate(ln) for ln in data["lines"]]
    if m.number:
        data["label_url"] = str(request.url_for("manifest_label_html", manifest_id=m.id))
    return ManifestPublic.model_validate(data)


async def _act(
    request: Request, session: AsyncSession, principal: Principal, status_code: int, fn: Callable[[], Awaitable[Manifest]]
) -> JSONResponse:
    async def produce() -> ManifestPublic:
        m = await fn()
        return await detail(request, session, m)

    return await idempotent(request, session, principal, status_code, produce)


@router.post(
    "",
    response_model=ManifestPublic,
    status_code=201,
    openapi_extra=GENERATOR,
    description="Draft a manifest. " + IDEMPOTENT_NOTE,
)
async def create_manifest(body: ManifestCreate, request: Request, principal: PrincipalDep, session: SessionDep) -> JSONResponse:
    return await _act(
        request, session, principal, 201, lambda: service.create_draft(session, principal, Draft.of(body.model_dump()))
    )


@router.post(
    "/from-containers",
    response_model=ManifestPublic,
    status_code=201,
    openapi_extra=GENERATOR,
    description="Draft a manifest from containers in storage: its lines are their sums (one per waste code and form), "
    "and the containers go on it. " + IDEMPOTENT_NOTE,
)
async def create_manifest_from_containers(
    body: ManifestFromContainers, request: Request, principal: PrincipalDep, session: SessionDep
) -> JSONResponse:
    fields = body.model_dump(exclude={"container_ids"})
    return await _act(
        request,
        session,
        principal,
        201,
        lambda: service.create_draft_from_containers(session, principal, list(body.container_ids), fields),
    )


def manifest_filter(
    status: list[str] | None = Query(default=None),
    kind: Literal["hazardous", "general"] | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
    waste_code: str | None = Query(default=None, max_length=16),
    category: str | None = Query(default=None, max_length=8),
    county: int | None = None,
    generator_org_id: uuid.UUID | None = None,
    receiver_org_id: uuid.UUID | None = None,
    carrier_org_id: uuid.UUID | None = None,
    number: str | None = Query(default=None, max_length=14),
    q: str | None = Query(
        default=None, max_length=40, description="any part of the number, a party's name, a plate, a waste code"
    ),
    org_id: uuid.UUID | None = Query(default=None, description="a party on any side: generator, a carrier, receiver"),
    company: str | None = Query(
        default=None, max_length=40, description="a party on any side by part of its name (now or as submitted) or credit code"
    ),
    tab: Tab | None = Query(default=None, description="the caller's tab: drafts, act (to act on), follow, archive"),
) -> queries.ManifestFilter:
    """The list's filters, as query parameters (the list and its export read the same ones)."""
    return queries.ManifestFilter(
        status=status,
        kind=kind,
        created_from=created_from,
        created_to=created_to,
        waste_code=waste_code,
        category=category,
        county=county,
        generator_org_id=generator_org_id,
        receiver_org_id=receiver_org_id,
        carrier_org_id=carrier_org_id,
        number=number,
        q=q,
        org_id=org_id,
        company=company,
        tab=tab,
    )


ManifestFilterDep = Annotated[queries.ManifestFilter, Depends(manifest_filter)]


@router.get("", response_model=ManifestsPublic, openapi_extra=READERS)
async def list_manifests(
    principal: PrincipalDep,
    session: SessionDep,
    f: ManifestFilterDep,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
) -> ManifestsPublic:
    rows, nxt = await queries.list_manifests(session, principal, f, cursor, limit)
    return ManifestsPublic(items=[summary(m) for m in rows], next_cursor=nxt)


@router.get(
    "/export.{fmt}",
    openapi_extra=READERS,
    responses={200: {"content": {"text/csv": {}, exports.media_type("xlsx"): {}}, "description": "CSV (UTF-8, BOM) or XLSX"}},
)
async def export_manifests(
    fmt: Literal["csv", "xlsx"], request: Request, principal: PrincipalDep, session: SessionDep, f: ManifestFilterDep
) -> Response:
    """The list for the caller's scope and filters, as a file (at most 50,000 rows, newest first)."""
    lang = lang_of(request)
    statuses = {s.value: gettext(lang, f"status.{s.value}") for s in Status}
    body = await export.export(session, principal, f, fmt, lang, statuses)
    name = f"manifests-{clock.today().isoformat()}.{fmt}"
    return Response(body, media_type=exports.media_type(fmt), headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/{manifest_id}", response_model=ManifestPublic, openapi_extra=READERS)
async def get_manifest(manifest_id: uuid.UUID, request: Request, principal: PrincipalDep, session: SessionDep) -> ManifestPublic:
    return await detail(request, session, await queries.get_manifest(session, principal, manifest_id))


@router.get("/{manifest_id}/containers", openapi_extra=READERS)
async def manifest_containers(manifest_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> list[dict[str, Any]]:
    """The ledger containers on a manifest (filled from containers): what the driver accounts for at pickup."""
    m = await queries.get_manifest(session, principal, manifest_id)
    return [
        {
            "identification_code": c.identification_code,
            "waste_code": c.waste_code,
            "net_kg": f"{c.net_kg:.3f}",
            "status": c.status,
        }
        for c in await ledger.for_manifest(session, m.id)
    ]


@router.patch(
    "/{manifest_id}",
    response_model=ManifestPublic,
    openapi_extra=GENERATOR,
    description="Edit a draft (recorded as a draft_updated event). " + IDEMPOTENT_NOTE,
)
async def update_manifest(
    manifest_id: uuid.UUID, body: ManifestUpdate, request: Request, principal: PrincipalDep, session: SessionDep
) -> JSONResponse:
    changes = body.model_dump(exclude_unset=True)
    return await _act(request, session, principal, 200, lambda: service.update_draft(session, principal, manifest_id, changes))


@router.delete(
    "/{manifest_id}",
    response_model=ManifestPublic,
    openapi_extra=GENERATOR,
    description="Delete a draft (kept, with status deleted). " + IDEMPOTENT_NOTE,
)
async def delete_manifest(manifest_id: uuid.UUID, request: Request, principal: PrincipalDep, session: SessionDep) -> JSONResponse:
    return await _act(request, session, principal, 200, lambda: service.delete_draft(session, principal, manifest_id))


@router.post(
    "/{manifest_id}/submit",
    response_model=ManifestPublic,
    openapi_extra=GENERATOR,
    description="Submit: checks licence, permit and the jurisdiction rule; assigns the number. " + IDEMPOTENT_NOTE,
)
async def submit_manifest(manifest_id: uuid.UUID, request: Request, principal: PrincipalDep, session: SessionDep) -> JSONResponse:
    return await _act(request, session, principal, 200, lambda: service.submit(session, principal, manifest_id))


@router.post(
    "/{manifest_id}/cancel",
    response_model=ManifestPublic,
    openapi_extra=GENERATOR,
    description="Cancel before pickup. " + IDEMPOTENT_NOTE,
)
async def cancel_manifest(
    manifest_id: uuid.UUID, body: CancelIn, request: Request, principal: PrincipalDep, session: SessionDep
) -> JSONResponse:
    return await _act(request, session, principal, 200, lambda: service.cancel(session, principal, manifest_id, body.reason))


@router.post(
    "/{manifest_id}/receive",
    response_model=ManifestPublic,
    openapi_extra=RECEIVER,
    description="Weighed quantity per line; accept, partially accept or reject. " + IDEMPOTENT_NOTE,
)
async def receive_manifest(
    manifest_id: uuid.UUID, body: ReceiveIn, request: Request, principal: PrincipalDep, session: SessionDep
) -> JSONResponse:
    return await _act(
        request,
        session,
        principal,
        200,
        lambda: service.receive(
            session,
            principal,
            manifest_id,
            decision=body.decision,
            lines=[x.model_dump() for x in body.lines],
            reason=body.reason,
        ),
    )


@router.post(
    "/{manifest_id}/dispose",
    response_model=ManifestPublic,
    openapi_extra=RECEIVER,
    description="Record utilisation/disposal; completes the manifest. " + IDEMPOTENT_NOTE,
)
async def dispose_manifest(
    manifest_id: uuid.UUID, body: DisposeIn, request: Request, principal: PrincipalDep, session: SessionDep
) -> JSONResponse:
    return await _act(
        request,
        session,
        principal,
        200,
        lambda: service.dispose(
            session,
            principal,
            manifest_id,
            method_code=body.method_code,
            disposed_on=body.disposed_on,
            quantity=body.quantity,
            unit=body.unit,
        ),
    )


@router.post(
    "/{manifest_id}/return",
    response_model=ManifestPublic,
    openapi_extra=GENERATOR,
    description="After a rejection: bring the waste back to the generator. " + IDEMPOTENT_NOTE,
)
async def return_manifest(
    manifest_id: uuid.UUID, body: ReturnIn, request: Request, principal: PrincipalDep, session: SessionDep
) -> JSONResponse:
    return await _act(
        request, session, principal, 200, lambda: service.request_return(session, principal, manifest_id, body.note)
    )


@router.post(
    "/{manifest_id}/redirect",
    response_model=ManifestPublic,
    status_code=201,
    openapi_extra=GENERATOR,
    description="After a rejection: send the waste to another licensed receiver on a new, linked, "
    "submitted manifest (returned). " + IDEMPOTENT_NOTE,
)
async def redirect_manifest(
    manifest_id: uuid.UUID, body: RedirectIn, request: Request, principal: PrincipalDep, session: SessionDep
) -> JSONResponse:
    return await _act(
        request,
        session,
        principal,
        201,
        lambda: service.redirect(
            session,
            principal,
            manifest_id,
            receiver_site_id=body.receiver_site_id,
            planned_method_code=body.planned_method_code,
            carrier_org_id=body.carrier_org_id,
            note=body.note,
        ),
    )


@router.get("/{manifest_id}/events", response_model=list[EventPublic], openapi_extra=READERS)
async def manifest_events(manifest_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> list[EventPublic]:
    """The full timeline, with each event's hash and the hash it links to."""
    await queries.get_manifest(session, principal, manifest_id)
    return [located_event_public(e) for e in await queries.located_events(session, manifest_id)]


@router.get("/{manifest_id}/verify", response_model=VerifyPublic, openapi_extra=READERS)
async def verify(manifest_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> VerifyPublic:
    """Recompute the hash chain, replay the events and compare the stored manifest and its lines
    with the replay, field by field: every break found (``first_break`` is the first)."""
    await queries.get_manifest(session, principal, manifest_id)
    check = await verify_manifest(session, manifest_id)
    return VerifyPublic(
        manifest_id=manifest_id,
        ok=check.ok,
        events=check.events,
        first_break=check.first.as_dict() if check.first else None,
        breaks=[b.as_dict() for b in check.breaks],
    )
