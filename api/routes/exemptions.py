"""Exemptions to the jurisdiction rule (regulators grant; generators see their own)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from api.deps import ANY_USER, PrincipalDep, SessionDep, permission
from schemas.common import ERROR_RESPONSES
from schemas.manifest import (
    ExemptionCreate,
    ExemptionPublic,
    ExemptionRequestCreate,
    ExemptionRequestDecision,
    ExemptionRequestPublic,
)
from waste_tracker import units
from waste_tracker.manifest import exemption_requests, exemptions

router = APIRouter(prefix="/api/v1/exemptions", tags=["exemptions"], responses=ERROR_RESPONSES)


@router.post(
    "",
    response_model=ExemptionPublic,
    status_code=201,
    openapi_extra=permission("regulator", "admin", note="city regulators: cross-city; county: cross-county"),
)
async def grant_exemption(body: ExemptionCreate, principal: PrincipalDep, session: SessionDep) -> ExemptionPublic:
    ex = await exemptions.grant(
        session,
        principal,
        scope=body.scope,
        generator_org_id=body.generator_org_id,
        generator_site_id=body.generator_site_id,
        receiver_site_id=body.receiver_site_id,
        waste_codes=body.waste_codes,
        quantity_cap_kg=units.to_kg(body.quantity_cap, body.unit, max_kg=None),
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        reason=body.reason,
    )
    return ExemptionPublic.model_validate(ex)


@router.get("", response_model=list[ExemptionPublic], openapi_extra=ANY_USER)
async def list_exemptions(
    principal: PrincipalDep, session: SessionDep, generator_org_id: uuid.UUID | None = None
) -> list[ExemptionPublic]:
    return [ExemptionPublic.model_validate(e) for e in await exemptions.list_exemptions(session, principal, generator_org_id)]


@router.delete("/{exemption_id}", response_model=ExemptionPublic, openapi_extra=permission("regulator", "admin"))
async def revoke_exemption(exemption_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> ExemptionPublic:
    return ExemptionPublic.model_validate(await exemptions.revoke(session, principal, exemption_id))


requests = APIRouter(prefix="/api/v1/exemption-requests", tags=["exemptions"], responses=ERROR_RESPONSES)


@requests.post(
    "",
    response_model=ExemptionRequestPublic,
    status_code=201,
    openapi_extra=permission("enterprise", note="a generator, for its own site"),
)
async def request_exemption(body: ExemptionRequestCreate, principal: PrincipalDep, session: SessionDep) -> ExemptionRequestPublic:
    """Ask for an exemption (cross-county or cross-city follows from the codes and the two sites)."""
    r = await exemption_requests.request(
        session,
        principal,
        generator_site_id=body.generator_site_id,
        receiver_site_id=body.receiver_site_id,
        waste_codes=body.waste_codes,
        quantity_kg=units.to_kg(body.quantity, body.unit, max_kg=None),
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        reason=body.reason,
    )
    return ExemptionRequestPublic.model_validate(r)


@requests.get("", response_model=list[ExemptionRequestPublic], openapi_extra=ANY_USER)
async def list_requests(principal: PrincipalDep, session: SessionDep, status: str | None = None) -> list[ExemptionRequestPublic]:
    """Own requests; regulators: those leaving their counties."""
    return [ExemptionRequestPublic.model_validate(r) for r in await exemption_requests.list_requests(session, principal, status)]


@requests.post(
    "/{request_id}/grant",
    response_model=ExemptionRequestPublic,
    openapi_extra=permission("regulator", "admin", note="as for a grant: city regulators cross-city, county cross-county"),
)
async def grant_request(
    request_id: uuid.UUID, body: ExemptionRequestDecision, principal: PrincipalDep, session: SessionDep
) -> ExemptionRequestPublic:
    kg = units.to_kg(body.quantity, body.unit, max_kg=None) if body.quantity is not None else None
    return ExemptionRequestPublic.model_validate(
        await exemption_requests.grant(session, principal, request_id, quantity_kg=kg, note=body.note)
    )


@requests.post("/{request_id}/refuse", response_model=ExemptionRequestPublic, openapi_extra=permission("regulator", "admin"))
async def refuse_request(
    request_id: uuid.UUID, body: ExemptionRequestDecision, principal: PrincipalDep, session: SessionDep
) -> ExemptionRequestPublic:
    return ExemptionRequestPublic.model_validate(await exemption_requests.refuse(session, principal, request_id, body.note))


@requests.post("/{request_id}/withdraw", response_model=ExemptionRequestPublic, openapi_extra=permission("enterprise"))
async def withdraw_request(request_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> ExemptionRequestPublic:
    return ExemptionRequestPublic.model_validate(await exemption_requests.withdraw(session, principal, request_id))
