"""Exemptions to the jurisdiction rule (regulators grant; generators see their own)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from api.deps import ANY_USER, PrincipalDep, SessionDep, permission
from schemas.common import ERROR_RESPONSES
from schemas.manifest import ExemptionCreate, ExemptionPublic
from waste_tracker import units
from waste_tracker.manifest import exemptions

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
