"""Alerts for regulators (enterprises read their own), rules and their settings, the sweep."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import text

from api.deps import ANY_USER, PrincipalDep, SessionDep, permission
from api.errors import lang_of
from schemas.alert import (
    AlertAction,
    AlertAssign,
    AlertDetail,
    AlertHistoryPublic,
    AlertPublic,
    AlertsPublic,
    AlertSummary,
    RuleChangePublic,
    RulePublic,
    RuleUpdate,
    SweepPublic,
)
from schemas.common import ERROR_RESPONSES
from waste_tracker.alerts import queries, service
from waste_tracker.alerts.settings import effective_settings, list_changes, update_rule
from waste_tracker.manifest.service import get_events
from waste_tracker.models import Alert, Manifest
from waste_tracker.rules.registry import RULES, explain
from waste_tracker.rules.sweep import run_sweep

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
READ = permission(
    "regulator",
    "admin",
    "enterprise",
    "driver",
    note="regulators: alerts touching their jurisdiction; enterprises: their own, read-only",
)
ACT = permission("regulator", "admin", note="regulators whose jurisdiction the alert touches")


def _filter(rule, severity, status, county, organisation_id, manifest_id, date_from, date_to, assignee_id):  # type: ignore[no-untyped-def]
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


_PUBLIC_FIELDS = tuple(f for f in AlertPublic.model_fields if f != "title")


def public(a: Alert, lang: str) -> AlertPublic:
    title = RULES[a.rule_id].title.get(lang, a.rule_id) if a.rule_id in RULES else a.rule_id
    return AlertPublic.model_validate({**{k: getattr(a, k) for k in _PUBLIC_FIELDS}, "title": title})


@router.get("/alerts", response_model=AlertsPublic, tags=["alerts"], openapi_extra=READ)
async def list_alerts(
    request: Request,
    principal: PrincipalDep,
    session: SessionDep,
    rule: list[str] | None = Query(default=None),
    severity: list[str] | None = Query(default=None),
    status: list[str] | None = Query(default=None),
    county: int | None = None,
    organisation_id: uuid.UUID | None = None,
    manifest_id: uuid.UUID | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    assignee_id: uuid.UUID | None = None,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
) -> AlertsPublic:
    """Sorted by severity, then age (oldest first); cursor-paginated; scoped to the caller."""
    f = _filter(rule, severity, status, county, organisation_id, manifest_id, date_from, date_to, assignee_id)
    rows, nxt = await queries.list_alerts(session, principal, f, cursor, limit)
    lang = lang_of(request)
    return AlertsPublic(items=[public(a, lang) for a in rows], next_cursor=nxt)


@router.get("/alerts/summary", response_model=AlertSummary, tags=["alerts"], openapi_extra=READ)
async def alerts_summary(
    principal: PrincipalDep,
    session: SessionDep,
    rule: list[str] | None = Query(default=None),
    severity: list[str] | None = Query(default=None),
    status: list[str] | None = Query(default=None),
    county: int | None = None,
    organisation_id: uuid.UUID | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> AlertSummary:
    """Counts by rule, severity, status and county, for a dashboard."""
    f = _filter(rule, severity, status, county, organisation_id, None, date_from, date_to, None)
    return AlertSummary(**await queries.summary(session, principal, f))


@router.get(
    "/alerts/export.csv",
    tags=["alerts"],
    openapi_extra=READ,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 with BOM (opens in Excel)"}},
)
async def export_alerts(
    request: Request,
    principal: PrincipalDep,
    session: SessionDep,
    rule: list[str] | None = Query(default=None),
    severity: list[str] | None = Query(default=None),
    status: list[str] | None = Query(default=None),
    county: int | None = None,
    organisation_id: uuid.UUID | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Response:
    f = _filter(rule, severity, status, county, organisation_id, None, date_from, date_to, None)
    body = await queries.export_csv(session, principal, f, lang_of(request))
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="alerts.csv"'},
    )


@router.get("/alerts/{alert_id}", response_model=AlertDetail, tags=["alerts"], openapi_extra=READ)
async def get_alert(alert_id: int, request: Request, principal: PrincipalDep, session: SessionDep) -> AlertDetail:
    """The evidence in numbers and places (GeoJSON), the rule's explanation, the manifest's timeline."""
    a = await service.get_alert(session, principal, alert_id)
    lang = lang_of(request)
    settings = await effective_settings(session)
    features: list[dict] = []
    manifest: dict | None = None
    timeline: list[dict] = []
    if a.manifest_id:
        m = await session.get(Manifest, a.manifest_id)
        assert m is not None
        rows = (
            (
                await session.execute(
                    text(
                        """SELECT s.id, s.name, o.name AS org, ST_X(s.location) AS lon, ST_Y(s.location) AS lat, s.county_adcode,
                      CASE WHEN s.id = :g THEN 'generator' ELSE 'receiver' END AS role
               FROM site s JOIN organisation o ON o.id = s.organisation_id WHERE s.id IN (:g, :r)"""
                    ),
                    {"g": m.generator_site_id, "r": m.receiver_site_id},
                )
            )
            .mappings()
            .all()
        )
        for r in rows:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                    "properties": {
                        "role": r["role"],
                        "site_id": str(r["id"]),
                        "name": r["name"],
                        "organisation": r["org"],
                        "county_adcode": r["county_adcode"],
                    },
                }
            )
        coords = {
            x[0]: (x[1], x[2])
            for x in (
                await session.execute(
                    text(
                        "SELECT seq, ST_X(location), ST_Y(location) FROM manifest_event WHERE manifest_id = :m "
                        "AND location IS NOT NULL"
                    ),
                    {"m": m.id},
                )
            ).all()
        }
        for e in await get_events(session, m.id):
            item = {
                "seq": e.seq,
                "type": e.type,
                "server_time": e.server_time,
                "device_time": e.device_time,
                "vehicle_plate": e.vehicle_plate,
                "payload": e.payload,
                "hash": e.hash,
            }
            if e.seq in coords:
                lon, lat = coords[e.seq]
                item["location"] = {"type": "Point", "coordinates": [lon, lat]}
                features.append(
                    {
                        "type": "Feature",
                        "geometry": item["location"],
                        "properties": {"role": "scan", "seq": e.seq, "event": e.type, "time": e.server_time.isoformat()},
                    }
                )
            timeline.append(item)
        manifest = {
            "id": str(m.id),
            "number": m.number,
            "kind": m.kind,
            "status": m.status,
            "declared_kg": str(m.declared_kg),
            "distance_m": m.distance_m,
            "generator_county": m.generator_county,
            "receiver_county": m.receiver_county,
            "generator_city": m.generator_city,
            "receiver_city": m.receiver_city,
        }
    thresholds = settings[a.rule_id].thresholds if a.rule_id in settings else {}
    hist = [AlertHistoryPublic.model_validate(h) for h in await service.history(session, a.id)]
    return AlertDetail(
        **public(a, lang).model_dump(),
        explanation=explain(a.rule_id, lang, thresholds) if a.rule_id in RULES else a.rule_id,
        geometry={"type": "FeatureCollection", "features": features},
        manifest=manifest,
        timeline=timeline,
        history=hist,
    )


async def _act(alert_id: int, action: str, body: AlertAction, request: Request, principal, session) -> AlertPublic:  # type: ignore[no-untyped-def]
    a = await service.act(session, principal, alert_id, action, body.note)
    return public(a, lang_of(request))


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertPublic, tags=["alerts"], openapi_extra=ACT)
async def acknowledge(
    alert_id: int, body: AlertAction, request: Request, principal: PrincipalDep, session: SessionDep
) -> AlertPublic:
    return await _act(alert_id, "acknowledge", body, request, principal, session)


@router.post("/alerts/{alert_id}/resolve", response_model=AlertPublic, tags=["alerts"], openapi_extra=ACT)
async def resolve(
    alert_id: int, body: AlertAction, request: Request, principal: PrincipalDep, session: SessionDep
) -> AlertPublic:
    """Note required."""
    return await _act(alert_id, "resolve", body, request, principal, session)


@router.post("/alerts/{alert_id}/dismiss", response_model=AlertPublic, tags=["alerts"], openapi_extra=ACT)
async def dismiss(
    alert_id: int, body: AlertAction, request: Request, principal: PrincipalDep, session: SessionDep
) -> AlertPublic:
    """Note required. A dismissed alert stays dismissed while the same finding recurs unchanged."""
    return await _act(alert_id, "dismiss", body, request, principal, session)


@router.post("/alerts/{alert_id}/reopen", response_model=AlertPublic, tags=["alerts"], openapi_extra=ACT)
async def reopen(alert_id: int, body: AlertAction, request: Request, principal: PrincipalDep, session: SessionDep) -> AlertPublic:
    return await _act(alert_id, "reopen", body, request, principal, session)


@router.post("/alerts/{alert_id}/comment", response_model=AlertPublic, tags=["alerts"], openapi_extra=ACT)
async def comment(
    alert_id: int, body: AlertAction, request: Request, principal: PrincipalDep, session: SessionDep
) -> AlertPublic:
    return await _act(alert_id, "comment", body, request, principal, session)


@router.post("/alerts/{alert_id}/assign", response_model=AlertPublic, tags=["alerts"], openapi_extra=ACT)
async def assign(alert_id: int, body: AlertAssign, request: Request, principal: PrincipalDep, session: SessionDep) -> AlertPublic:
    a = await service.assign(session, principal, alert_id, body.assignee_id, body.note)
    return public(a, lang_of(request))


# --- rules ---------------------------------------------------------------------------------------------


@router.get("/rules", response_model=list[RulePublic], tags=["rules"], openapi_extra=ANY_USER)
async def list_rules(request: Request, principal: PrincipalDep, session: SessionDep) -> list[RulePublic]:
    lang = lang_of(request)
    settings = await effective_settings(session)
    return [
        RulePublic(
            id=r.id,
            trigger=r.trigger,
            enabled=settings[r.id].enabled,
            severity=settings[r.id].severity,
            thresholds=settings[r.id].thresholds,
            defaults=r.defaults,
            title=r.title.get(lang, r.id),
            explanation=explain(r.id, lang, settings[r.id].thresholds),
        )
        for r in RULES.values()
    ]


@router.patch(
    "/rules/{rule_id}",
    response_model=RulePublic,
    tags=["rules"],
    openapi_extra=permission("regulator", "admin", note="city regulators only; every change is recorded"),
)
async def patch_rule(
    rule_id: str, body: RuleUpdate, request: Request, principal: PrincipalDep, session: SessionDep
) -> RulePublic:
    await update_rule(session, principal, rule_id, enabled=body.enabled, severity=body.severity, thresholds=body.thresholds)
    return next(r for r in await list_rules(request, principal, session) if r.id == rule_id)


@router.get(
    "/rules/changes", response_model=list[RuleChangePublic], tags=["rules"], openapi_extra=permission("regulator", "admin")
)
async def rule_changes(
    principal: PrincipalDep, session: SessionDep, rule_id: str | None = Query(default=None, max_length=48)
) -> list[RuleChangePublic]:
    principal.require("regulator", "admin")
    return [RuleChangePublic.model_validate(c) for c in await list_changes(session, rule_id)]


@router.post(
    "/sweep", response_model=SweepPublic, tags=["rules"], openapi_extra=permission("admin", note="runs all time-based rules now")
)
async def sweep_now(principal: PrincipalDep, session: SessionDep) -> SweepPublic:
    principal.require("admin")
    r = await run_sweep(session)
    return SweepPublic(ran=r.ran, seconds=r.seconds, rules=r.rules)
