"""Statistics for regulators: flows between counties and per-county KPIs, as JSON and as files."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Request, Response

from api.deps import PrincipalDep, SessionDep, permission
from api.errors import lang_of
from api.web.i18n import gettext
from schemas.common import ERROR_RESPONSES
from schemas.stats import FlowPublic, KpiPublic
from waste_tracker import exports
from waste_tracker.stats import export, service

router = APIRouter(prefix="/api/v1/stats", tags=["stats"], responses=ERROR_RESPONSES)
REG = permission("regulator", "admin", note="scoped to the regulator's jurisdiction")
FILE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}, exports.media_type("xlsx"): {}}, "description": "CSV (UTF-8, BOM) or XLSX"}
}
Kind = Literal["hazardous", "general"]
Fmt = Literal["csv", "xlsx"]


def _file(body: bytes, fmt: str, name: str) -> Response:
    return Response(body, media_type=exports.media_type(fmt), headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/flows", response_model=list[FlowPublic], openapi_extra=REG)
async def flows(
    principal: PrincipalDep, session: SessionDep, date_from: date, date_to: date, kind: Kind | None = None
) -> list[FlowPublic]:
    """Tonnage between counties for manifests picked up in the period (lines for a flows map)."""
    return [FlowPublic(**r) for r in await service.flows(session, principal, date_from, date_to, kind)]


@router.get("/flows/export.{fmt}", openapi_extra=REG, responses=FILE)
async def export_flows(
    fmt: Fmt,
    request: Request,
    principal: PrincipalDep,
    session: SessionDep,
    date_from: date,
    date_to: date,
    kind: Kind | None = None,
) -> Response:
    """The flows of ``GET /stats/flows`` (same parameters, same scope) as a file, the counties named."""
    lang = lang_of(request)
    scopes = {k: gettext(lang, f"flows.{k}") for k in ("in_county", "out_of_county", "out_of_city")}
    body = await export.export_flows(session, principal, date_from, date_to, kind, fmt, lang, scopes)
    return _file(body, fmt, f"flows-{date_from.isoformat()}-{date_to.isoformat()}.{fmt}")


@router.get("/kpis", response_model=list[KpiPublic], openapi_extra=REG)
async def kpis(
    principal: PrincipalDep, session: SessionDep, date_from: date, date_to: date, county: int | None = None
) -> list[KpiPublic]:
    """Per county: manifests, tonnage, share closed on time, disposal (无害化) share, open alerts by rule."""
    return [KpiPublic(**r) for r in await service.kpis(session, principal, date_from, date_to, county)]


@router.get("/kpis/export.{fmt}", openapi_extra=REG, responses=FILE)
async def export_kpis(
    fmt: Fmt,
    request: Request,
    principal: PrincipalDep,
    session: SessionDep,
    date_from: date,
    date_to: date,
    county: int | None = None,
) -> Response:
    """The KPIs of ``GET /stats/kpis`` (same parameters, same scope) as a file; shares in per cent."""
    body = await export.export_kpis(session, principal, date_from, date_to, county, fmt, lang_of(request))
    return _file(body, fmt, f"kpis-{date_from.isoformat()}-{date_to.isoformat()}.{fmt}")
