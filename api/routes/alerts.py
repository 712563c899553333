"""Alerts for regulators (enterprises read their own): the queue, summary, export, detail and workflow."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from api.deps import PrincipalDep, SessionDep, permission
from api.errors import lang_of
from api.web.i18n import gettext
from schemas.alert import (
    AlertAction,
    AlertAssign,
    AlertDetail,
    AlertHistoryPublic,
    AlertPublic,
    AlertsPublic,
    AlertSummary,
)
from schemas.common import ERROR_RESPONSES
from waste_tracker import clock, exports
from waste_tracker.alerts import detail, export, queries, service
from waste_tracker.alerts.workflow import WORKFLOW
from waste_tracker.models import Alert
from waste_tracker.models.alert import ALERT_STATUSES, SEVERITIES
from waste_tracker.rules import catalogue as rules

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
READ = permission(
    "regulator",
    "admin",
    "enterprise",
    "driver",
    note="regulators: alerts touching their jurisdiction; enterprises: their own, read-only",
)
ACT = permission("regulator", "admin", note="regulators whose jurisdiction the alert touches")


def alert_filter(
    rule: list[str] | None = Query(default=None),
    severity: list[str] | None = Query(default=None),
    status: list[str] | None = Query(default=None),
    county: int | None = None,
    organisation_id: uuid.UUID | None = None,
    manifest_id: uuid.UUID | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    assignee_id: uuid.UUID | None = None,
) -> queries.AlertFilter:
    """The queue's filters, as query parameters read once (the queue, its summary and its export
    read the same ones)."""
    return queries.AlertFilter(
        rule=rule,
        severity=severity,
        status=status,
        county=county,
        organisation_id=organisation_id,
        manifest_id=manifest_id,
        date_from=date_from,
        date_to=date_to,
        assignee_id=assignee_id,
    )


AlertFilterDep = Annotated[queries.AlertFilter, Depends(alert_filter)]


_PUBLIC_FIELDS = tuple(f for f in AlertPublic.model_fields if f != "title")


def public(a: Alert, lang: str) -> AlertPublic:
    return AlertPublic.model_validate({**{k: getattr(a, k) for k in _PUBLIC_FIELDS}, "title": rules.title(a.rule_id, lang)})


@router.get("/alerts", response_model=AlertsPublic, tags=["alerts"], openapi_extra=READ)
async def list_alerts(
    request: Request,
    principal: PrincipalDep,
    session: SessionDep,
    f: AlertFilterDep,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
) -> AlertsPublic:
    """Sorted by severity, then age (oldest first); cursor-paginated; scoped to the caller."""
    rows, nxt = await queries.list_alerts(session, principal, f, cursor, limit)
    lang = lang_of(request)
    return AlertsPublic(items=[public(a, lang) for a in rows], next_cursor=nxt)


@router.get("/alerts/summary", response_model=AlertSummary, tags=["alerts"], openapi_extra=READ)
async def alerts_summary(principal: PrincipalDep, session: SessionDep, f: AlertFilterDep) -> AlertSummary:
    """Counts by rule, severity, status and county, for a dashboard."""
    return AlertSummary(**await queries.summary(session, principal, f))


@router.get(
    "/alerts/export.{fmt}",
    tags=["alerts"],
    openapi_extra=READ,
    responses={200: {"content": {"text/csv": {}, exports.media_type("xlsx"): {}}, "description": "CSV (UTF-8, BOM) or XLSX"}},
)
async def export_alerts(
    fmt: Literal["csv", "xlsx"], request: Request, principal: PrincipalDep, session: SessionDep, f: AlertFilterDep
) -> Response:
    """The queue for the caller's scope and filters, as a file: the queue's order, columns in the
    caller's language, times in Asia/Shanghai (at most 100,000 rows)."""
    lang = lang_of(request)
    severities = {s: gettext(lang, f"severity.{s}") for s in SEVERITIES}
    statuses = {s: gettext(lang, f"alert_status.{s}") for s in ALERT_STATUSES}
    body = await export.export(session, principal, f, fmt, lang, severities, statuses)
    name = f"alerts-{clock.today().isoformat()}.{fmt}"
    return Response(body, media_type=exports.media_type(fmt), headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/alerts/{alert_id}", response_model=AlertDetail, tags=["alerts"], openapi_extra=READ)
async def get_alert(alert_id: int, request: Request, principal: PrincipalDep, session: SessionDep) -> AlertDetail:
    """The evidence in numbers and places (GeoJSON), the rule's explanation, the manifest's timeline."""
    d = await detail.alert_detail(session, principal, alert_id)
    lang = lang_of(request)
    return AlertDetail(
        **public(d.view.alert, lang).model_dump(),
        explanation=d.view.explanation(lang) or d.view.alert.rule_id,
        geometry={"type": "FeatureCollection", "features": d.features},
        manifest=d.manifest,
        timeline=d.timeline,
        history=[AlertHistoryPublic.model_validate(h) for h in d.view.history],
    )


# One route per regulator action of the workflow table (acknowledge, resolve, dismiss, reopen, comment).
_ACTION_DOCS = {
    "resolve": "Note required.",
    "dismiss": "Note required. A dismissed alert stays dismissed while the same finding recurs unchanged.",
}


def _action_route(action: str) -> None:
    async def endpoint(
        alert_id: int, body: AlertAction, request: Request, principal: PrincipalDep, session: SessionDep
    ) -> AlertPublic:
        a = await service.act(session, principal, alert_id, action, body.note)
        return public(a, lang_of(request))

    router.add_api_route(
        f"/alerts/{{alert_id}}/{action}",
        endpoint,
        methods=["POST"],
        name=action,
        response_model=AlertPublic,
        tags=["alerts"],
        openapi_extra=ACT,
        description=_ACTION_DOCS.get(action),
    )


for _action in WORKFLOW:
    _action_route(_action)


@router.post("/alerts/{alert_id}/assign", response_model=AlertPublic, tags=["alerts"], openapi_extra=ACT)
async def assign(alert_id: int, body: AlertAssign, request: Request, principal: PrincipalDep, session: SessionDep) -> AlertPublic:
    a = await service.assign(session, principal, alert_id, body.assignee_id, body.note)
    return public(a, lang_of(request))
