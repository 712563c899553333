"""Declarations (drafted from the ledger, submitted, corrected by new versions) and receivers'
monthly balances."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from fastapi import APIRouter

from api.deps import PrincipalDep, SessionDep, permission
from schemas.common import ERROR_RESPONSES, Day
from schemas.cradle import BalanceIn, BalancePublic, DeclarationPublic, DeclarationSubmit, PeriodKind
from waste_tracker.declaration import service

router = APIRouter(prefix="/api/v1", tags=["declarations"], responses=ERROR_RESPONSES)
OWNER = permission("enterprise", note="the site's own organisation")
READERS = permission("enterprise", "regulator", "admin", note="the site's organisation; regulators of its county")


@router.get("/declarations/draft", openapi_extra=READERS)
async def draft_declaration(
    principal: PrincipalDep, session: SessionDep, site_id: uuid.UUID, period_kind: PeriodKind, period_start: Day
) -> dict[str, Any]:
    """The declaration as the records stand now (not stored): check it, then submit."""
    return await service.preview(session, principal, site_id, period_kind, period_start)


@router.post("/declarations", response_model=DeclarationPublic, status_code=201, openapi_extra=OWNER)
async def submit_declaration(body: DeclarationSubmit, principal: PrincipalDep, session: SessionDep) -> DeclarationPublic:
    """Submit: the figures are drafted again at this moment and frozen. A second submission for the
    same period is a correction (a reason is required); the earlier versions stay."""
    d = await service.submit(
        session, principal, body.site_id, body.period_kind, body.period_start, reason=body.reason, remarks=body.remarks
    )
    return DeclarationPublic.model_validate(d)


@router.get("/declarations", response_model=list[DeclarationPublic], openapi_extra=READERS)
async def list_declarations(
    principal: PrincipalDep, session: SessionDep, site_id: uuid.UUID | None = None, period_kind: PeriodKind | None = None
) -> list[DeclarationPublic]:
    rows = await service.list_declarations(session, principal, site_id=site_id, kind=period_kind)
    return [DeclarationPublic.model_validate(d) for d in rows]


@router.get("/declarations/{declaration_id}", response_model=DeclarationPublic, openapi_extra=READERS)
async def get_declaration(declaration_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> DeclarationPublic:
    return DeclarationPublic.model_validate(await service.get_declaration(session, principal, declaration_id))


@router.post(
    "/receiver-balances",
    response_model=BalancePublic,
    status_code=201,
    openapi_extra=permission("enterprise", note="the receiver site's own organisation"),
)
async def record_balance(body: BalanceIn, principal: PrincipalDep, session: SessionDep) -> BalancePublic:
    """A receiver's month: utilised, disposed of, in storage at month end (a correction is a new version)."""
    b = await service.record_balance(
        session,
        principal,
        body.site_id,
        body.month,
        utilised_kg=Decimal(body.utilised_kg),
        disposed_kg=Decimal(body.disposed_kg),
        stored_end_kg=Decimal(body.stored_end_kg),
        reason=body.reason,
    )
    return BalancePublic.model_validate(b)


@router.get("/receiver-balances", response_model=list[BalancePublic], openapi_extra=READERS)
async def list_balances(principal: PrincipalDep, session: SessionDep, site_id: uuid.UUID | None = None) -> list[BalancePublic]:
    return [BalancePublic.model_validate(b) for b in await service.list_balances(session, principal, site_id)]
