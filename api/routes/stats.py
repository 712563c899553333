"""Statistics for regulators: flows between counties and per-county KPIs."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter

from api.deps import PrincipalDep, SessionDep, permission
from schemas.common import ERROR_RESPONSES
from schemas.stats import FlowPublic, KpiPublic
from waste_tracker.stats import service

router = APIRouter(prefix="/api/v1/stats", tags=["stats"], responses=ERROR_RESPONSES)
REG = permission("regulator", "admin", note="scoped to the regulator's jurisdiction")


@router.get("/flows", response_model=list[FlowPublic], openapi_extra=REG)
async def flows(
    principal: PrincipalDep,
    session: SessionDep,
    date_from: date,
    date_to: date,
    kind: Literal["hazardous", "general"] | None = None,
) -> list[FlowPublic]:
    """Tonnage between counties for manifests picked up in the period (lines for a flows map)."""
    return [FlowPublic(**r) for r in await service.flows(session, principal, date_from, date_to, kind)]


@router.get("/kpis", response_model=list[KpiPublic], openapi_extra=REG)
async def kpis(
    principal: PrincipalDep, session: SessionDep, date_from: date, date_to: date, county: int | None = None
) -> list[KpiPublic]:
    """Per county: manifests, tonnage, share closed on time, disposal (无害化) share, open alerts by rule."""
    return [KpiPublic(**r) for r in await service.kpis(session, principal, date_from, date_to, county)]
