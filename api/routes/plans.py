"""Management plans: the enterprise drafts, revises and submits; the county bureau accepts (with
a filing number) or returns it."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import PrincipalDep, SessionDep, permission
from schemas.common import ERROR_RESPONSES
from schemas.cradle import PlanCreate, PlanDecision, PlanDetail, PlanEventPublic, PlanPublic, PlanReturn, PlanRevise
from waste_tracker.models import ManagementPlan
from waste_tracker.plan import progress, service

router = APIRouter(prefix="/api/v1/plans", tags=["plans"], responses=ERROR_RESPONSES)
OWNER = permission("enterprise", note="the site's own organisation")
BUREAU = permission("regulator", "admin", note="a regulator of the site's county")
READERS = permission("enterprise", "regulator", "admin", note="the site's organisation; regulators of its county")


def public(p: ManagementPlan) -> PlanPublic:
    out = PlanPublic.model_validate(p)
    out.filing_deadline = service.filing_deadline(p.year)
    return out


async def detail(session: AsyncSession, p: ManagementPlan) -> PlanDetail:
    return PlanDetail(
        **public(p).model_dump(),
        progress=await progress.progress(session, p),
        history=[PlanEventPublic.model_validate(e) for e in await service.history(session, p.id)],
    )


@router.post("", response_model=PlanDetail, status_code=201, openapi_extra=OWNER)
async def create_plan(body: PlanCreate, principal: PrincipalDep, session: SessionDep) -> PlanDetail:
    p = await service.create(session, principal, site_id=body.site_id, year=body.year, kind=body.kind, body=body.body.as_body())
    return await detail(session, p)


@router.get("", response_model=list[PlanPublic], openapi_extra=READERS)
async def list_plans(
    principal: PrincipalDep,
    session: SessionDep,
    year: int | None = Query(default=None, ge=2000, le=2999),
    status: Literal["draft", "submitted", "accepted", "returned"] | None = None,
    site_id: uuid.UUID | None = None,
) -> list[PlanPublic]:
    return [public(p) for p in await service.list_plans(session, principal, year=year, status=status, site_id=site_id)]


@router.get("/{plan_id}", response_model=PlanDetail, openapi_extra=READERS)
async def get_plan(plan_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> PlanDetail:
    return await detail(session, await service.get_plan(session, principal, plan_id))


@router.put("/{plan_id}", response_model=PlanDetail, openapi_extra=OWNER)
async def revise_plan(plan_id: uuid.UUID, body: PlanRevise, principal: PrincipalDep, session: SessionDep) -> PlanDetail:
    """A new version of the plan (after submission, with the reason)."""
    return await detail(session, await service.revise(session, principal, plan_id, body.body.as_body(), body.reason))


@router.post("/{plan_id}/submit", response_model=PlanDetail, openapi_extra=OWNER)
async def submit_plan(plan_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> PlanDetail:
    return await detail(session, await service.submit(session, principal, plan_id))


@router.post("/{plan_id}/accept", response_model=PlanDetail, openapi_extra=BUREAU)
async def accept_plan(plan_id: uuid.UUID, body: PlanDecision, principal: PrincipalDep, session: SessionDep) -> PlanDetail:
    """Accept the submitted version: it is in force, and the plan gets its filing number."""
    return await detail(session, await service.accept(session, principal, plan_id, body.note))


@router.post("/{plan_id}/return", response_model=PlanDetail, openapi_extra=BUREAU)
async def return_plan(plan_id: uuid.UUID, body: PlanReturn, principal: PrincipalDep, session: SessionDep) -> PlanDetail:
    return await detail(session, await service.return_plan(session, principal, plan_id, body.reason))
