"""Regulators' pages: the alert queue, an alert with its map and workflow, the flows map between
counties and the KPI table per county; plus the base map GeoJSON every map draws."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import ANY_USER, SessionDep, SettingsDep, permission
from api.http import parse_day
from api.web.evidence import evidence_lines
from api.web.render import WebPrincipal, WebRoute, render, web_lang
from waste_tracker import clock
from waste_tracker.alerts import detail, queries
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Forbidden
from waste_tracker.manifest import parties
from waste_tracker.manifest import queries as manifest_queries
from waste_tracker.manifest.timeline import timeline
from waste_tracker.models import Alert
from waste_tracker.models.alert import ALERT_STATUSES
from waste_tracker.registry.basemap import basemap
from waste_tracker.registry.names import counties_of, jurisdiction_names, organisation_names, user_names
from waste_tracker.rules import catalogue as rules
from waste_tracker.rules.catalogue import RULES
from waste_tracker.rules.settings import effective_settings
from waste_tracker.stats import service as stats

router = APIRouter(route_class=WebRoute, include_in_schema=False)
REG = permission("regulator", "admin", note="web page; scoped to the regulator's jurisdiction")
SEVERITIES = ("critical", "warning", "info")
OPEN = ["open", "acknowledged"]


def _regulator(p: Principal) -> None:
    if not (p.is_regulator or p.is_admin):
        raise Forbidden("forbidden", {"required_roles": ["regulator", "admin"], "role": p.role})


def _period(date_from: str | None, date_to: str | None) -> tuple[date, date]:
    """The days asked for; by default the 30 days up to today (inside the service's calendar)."""
    end = clock.check_day(parse_day(date_to) or clock.today(), "date_to")
    return clock.check_day(parse_day(date_from) or max(clock.MIN_DAY, end - timedelta(days=29)), "date_from"), end


def _rule_titles(lang: str) -> dict[str, str]:
    return {rid: rules.title(rid, lang) for rid in RULES}


async def _names_for(session: AsyncSession, alerts: list[Alert], lang: str) -> dict[int, str]:
    return await jurisdiction_names(
        session, [c for a in alerts for c in (a.generator_county, a.receiver_county, *a.event_counties)], lang
    )


@router.get("/reg/alerts", openapi_extra=REG)
async def alert_queue(
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    severity: list[str] = Query(default=[]),
    status: list[str] = Query(default=[]),
    rule: str | None = Query(default=None, max_length=48),
    county: str | None = Query(default=None, max_length=6),
    cursor: str | None = Query(default=None, max_length=200),
) -> Response:
    _regulator(principal)
    lang = web_lang(request)
    sev = [s for s in severity if s in SEVERITIES]
    sts = [s for s in status if s in ALERT_STATUSES] or ([] if "status" in request.query_params else OPEN)
    county_code = int(county) if county and county.isdigit() else None
    f = queries.AlertFilter(severity=sev or None, status=sts or None, rule=[rule] if rule in RULES else None, county=county_code)
    items, nxt = await queries.list_alerts(session, principal, f, cursor, 50)
    counts = await queries.summary(session, principal, queries.AlertFilter(status=sts or None, county=county_code))
    manifests = await manifest_queries.manifests_by_id(session, [a.manifest_id for a in items])
    return render(
        request,
        "reg_alerts.html",
        items=items,
        next_cursor=nxt,
        counts=counts,
        manifests=manifests,
        county_names=await _names_for(session, items, lang),
        rule_titles=_rule_titles(lang),
        counties=await counties_of(session, settings.home_city_adcode, lang),
        f={"severity": sev, "status": sts, "rule": rule or "", "county": county or ""},
        severities=SEVERITIES,
        statuses=ALERT_STATUSES,
    )


@router.get("/reg/alerts/{alert_id}", openapi_extra=REG)
async def alert_page(alert_id: int, request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    _regulator(principal)
    lang = web_lang(request)
    v = await detail.alert_view(session, principal, alert_id)
    a, m, hist = v.alert, v.manifest, v.history
    orgs = await organisation_names(session, [a.generator_org_id, a.receiver_org_id, a.carrier_org_id])
    if m is not None:  # a manifest's parties as it recorded them at submission
        orgs |= parties.names_by_organisation(m)
    users = await user_names(session, [h.actor_user_id for h in hist] + [a.assignee_id])
    return render(
        request,
        "reg_alert.html",
        a=a,
        m=m,
        title=rules.title(a.rule_id, lang),
        explanation=v.explanation(lang) or "",
        history=hist,
        orgs=orgs,
        users=users,
        county_names=await _names_for(session, [a], lang),
        events=await timeline(session, m.id) if m else [],
        evidence=await evidence_lines(session, a.evidence, lang),
    )


@router.get("/reg/flows", openapi_extra=REG)
async def flows_page(
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    date_from: str | None = Query(default=None, max_length=10),
    date_to: str | None = Query(default=None, max_length=10),
    kind: str | None = Query(default=None, max_length=10),
) -> Response:
    _regulator(principal)
    lang = web_lang(request)
    start, end = _period(date_from, date_to)
    k = kind if kind in ("hazardous", "general") else None
    rows = await stats.flows(session, principal, start, end, k)
    names = await jurisdiction_names(session, [c for r in rows for c in (r["generator_county"], r["receiver_county"])], lang)
    return render(
        request,
        "reg_flows.html",
        rows=rows,
        names=names,
        date_from=start.isoformat(),
        date_to=end.isoformat(),
        kind=k or "",
        total_t=sum(r["tonnes"] for r in rows),
        out_of_city_t=sum(r["tonnes"] for r in rows if r["out_of_city"]),
    )


@router.get("/reg/kpis", openapi_extra=REG)
async def kpis_page(
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    date_from: str | None = Query(default=None, max_length=10),
    date_to: str | None = Query(default=None, max_length=10),
) -> Response:
    _regulator(principal)
    lang = web_lang(request)
    start, end = _period(date_from, date_to)
    rows = await stats.kpis(session, principal, start, end)
    rules_seen = sorted({r for row in rows for r in row["open_alerts_by_rule"]})
    return render(
        request,
        "reg_kpis.html",
        rows=rows,
        rules_seen=rules_seen,
        rule_titles=_rule_titles(lang),
        date_from=start.isoformat(),
        date_to=end.isoformat(),
        # The working days the on-time share allows: the rule's setting, as the KPI uses it.
        receipt_days=(await effective_settings(session))["delivered_not_received"].thresholds["working_days"],
    )


@router.get("/web/basemap.json", openapi_extra=ANY_USER)
async def basemap_json(principal: WebPrincipal, session: SessionDep) -> JSONResponse:
    """County and city polygons (simplified) for the maps' base layer; no external tiles."""
    return JSONResponse(await basemap(session), headers={"Cache-Control": "private, max-age=3600"})
