"""Pages of the cradle. Generators: the ledger (register containers, storage with ages, labels,
a manifest from containers, own handling, the month-by-month balance), management plans and
declarations. Receivers: their monthly balance. Regulators: plans to accept, the mass balance per
enterprise, declarations overdue.

As elsewhere in the web app, pages read through the domain services and every change is made by
the page's script calling the JSON API."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import SessionDep, permission
from api.web.render import WebPrincipal, WebRoute, render, web_lang
from waste_tracker import clock
from waste_tracker.alerts import queries as alert_queries
from waste_tracker.auth.principal import Principal
from waste_tracker.declaration import service as declarations
from waste_tracker.declaration.periods import due_periods
from waste_tracker.errors import Forbidden, Invalid
from waste_tracker.ledger import balance, labels, queries
from waste_tracker.ledger.codes import parse
from waste_tracker.models import Organisation, Site, WasteContainer
from waste_tracker.plan import progress
from waste_tracker.plan import service as plans
from waste_tracker.registry import catalogue, editions, organisations
from waste_tracker.rules import catalogue as rules

router = APIRouter(route_class=WebRoute, include_in_schema=False)
GENERATOR = permission("enterprise", note="web page; enterprise users of a generator")
RECEIVER = permission("enterprise", note="web page; enterprise users of a receiver")
READERS = permission("enterprise", "regulator", "admin", note="web page; the site's organisation or its county's bureau")
REG = permission("regulator", "admin", note="web page; scoped to the regulator's jurisdiction")
CRADLE_RULES = (
    "stored_too_long",
    "stored_beyond_plan",
    "shipped_more_than_stored",
    "generation_below_plan",
    "ledger_silent",
    "manifest_outside_plan",
    "plan_quantity_exceeded",
    "plan_not_filed",
    "declaration_overdue",
    "receiver_intake_unbalanced",
)


def _reader(p: Principal) -> None:
    """The site records' readers: enterprises (their own), regulators, admins — not drivers."""
    if p.role not in ("enterprise", "regulator", "admin"):
        raise Forbidden("forbidden", {"required_roles": ["enterprise", "regulator", "admin"], "role": p.role})


def _regulator(p: Principal) -> None:
    if not (p.is_regulator or p.is_admin):
        raise Forbidden("forbidden", {"required_roles": ["regulator", "admin"], "role": p.role})


async def _own_sites(session: AsyncSession, principal: Principal, role: str) -> list[Site]:
    org_id = principal.require_org_role(role)
    return list(await organisations.list_sites(session, principal, organisation_id=org_id))


def _pick(sites: list[Site], site_id: str | None) -> Site | None:
    for s in sites:
        if site_id and str(s.id) == site_id:
            return s
    return sites[0] if sites else None


def chart(months: list[dict[str, Any]]) -> dict[str, Any]:
    """Bars for the monthly balance (generated, shipped, stored at month end), scaled to the largest."""
    keys = ("generated_kg", "shipped_kg", "stored_end_kg")
    top = max([Decimal(m[k]) for m in months for k in keys] + [Decimal(1)])
    bars = []
    for i, m in enumerate(months):
        for j, k in enumerate(keys):
            h = float(Decimal(m[k]) / top * 160)
            bars.append({"x": 40 + i * 56 + j * 15, "y": 180 - h, "h": h, "key": k, "kg": m[k], "month": m["month"]})
    return {"bars": bars, "top_kg": top, "width": 40 + 56 * max(len(months), 1) + 10, "months": months}


# --- generators: the ledger ---------------------------------------------------------------------------


@router.get("/ledger", openapi_extra=GENERATOR)
async def ledger_page(
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    site_id: str | None = Query(default=None, max_length=40),
    status: str = Query(default="in_storage", max_length=20),
) -> Response:
    sites = await _own_sites(session, principal, "generator")
    site = _pick(sites, site_id)
    rows: list[WasteContainer] = []
    total = 0
    months: list[dict[str, Any]] = []
    if site is not None:
        st = status if status in ("in_storage", "on_manifest", "shipped", "handled_on_site") else None
        rows, total = await queries.list_containers(session, principal, queries.ContainerFilter(site_id=site.id, status=st), 500)
        months = await balance.monthly(session, site.id, clock.today().year)
    stored = [c for c in rows if c.status in ("in_storage", "on_manifest")]
    return render(
        request,
        "ledger.html",
        sites=sites,
        site=site,
        status=status,
        rows=rows,
        total=total,
        age=queries.storage_age_days,
        stored_kg=sum((c.net_kg for c in stored), Decimal(0)),
        oldest=max((queries.storage_age_days(c) for c in stored), default=None),
        chart=chart(months),
        methods=await catalogue.list_methods(session),
        today=clock.today().isoformat(),
    )


@router.get("/ledger/labels", openapi_extra=READERS)
async def label_sheet(
    request: Request, principal: WebPrincipal, session: SessionDep, ids: str = Query(default="", max_length=8000)
) -> Response:
    """A printable sheet: each label at its HJ 1276 size (print.css keeps the millimetres)."""
    _reader(principal)
    wanted = []
    for part in ids.split(","):
        try:
            wanted.append(uuid.UUID(part.strip()))
        except ValueError:
            continue
    cards = []
    orgs: dict[uuid.UUID, Organisation] = {}
    for cid in wanted[:200]:
        c = await queries.get_container(session, principal, cid)
        if c.organisation_id not in orgs:
            org = await session.get(Organisation, c.organisation_id)
            assert org is not None
            orgs[c.organisation_id] = org
        size = labels.size_for(c.volume_l)
        cards.append({"c": c, "svg": labels.label_svg(c, orgs[c.organisation_id], web_lang(request)), "size": size})
    return render(request, "ledger_labels.html", cards=cards)


@router.get("/ledger/c/{container_id}", openapi_extra=READERS)
async def container_page(container_id: uuid.UUID, request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    c = await queries.get_container(session, principal, container_id)
    org = await session.get(Organisation, c.organisation_id)
    assert org is not None
    n, brk = await queries.verify_container(session, c)
    parsed = parse(c.identification_code)
    return render(
        request,
        "container.html",
        c=c,
        events=await queries.events_of(session, c.id),
        chain_ok=brk is None,
        chain_events=n,
        chain_break=brk,
        segments=parsed.segments() if parsed else [],
        label=labels.label_svg(c, org, web_lang(request)),
        age=queries.storage_age_days(c),
        changes=await editions.changes_for(session, [c.waste_code], c.catalogue_edition),
        can_act=principal.role == "enterprise" and principal.owns(c.organisation_id),
    )


@router.get("/ledger/manifest", openapi_extra=GENERATOR)
async def manifest_from_containers_page(
    request: Request, principal: WebPrincipal, session: SessionDep, ids: str = Query(default="", max_length=8000)
) -> Response:
    org_id = principal.require_org_role("generator")
    chosen = []
    for part in ids.split(","):
        try:
            chosen.append(await queries.get_container(session, principal, uuid.UUID(part.strip())))
        except ValueError:
            continue
    chosen = [c for c in chosen if c.status == "in_storage"]
    sites = await _receiver_sites(session, principal)
    org = await organisations.get_organisation(session, principal, org_id)
    return render(
        request,
        "ledger_manifest.html",
        chosen=chosen,
        total_kg=sum((c.net_kg for c in chosen), Decimal(0)),
        carriers=await organisations.list_organisations(session, principal, role="carrier", limit=500),
        receiver_sites=sites,
        methods=await catalogue.list_methods(session),
        org=org,
        today=clock.today().isoformat(),
    )


# --- generators: plans ----------------------------------------------------------------------------------


@router.get("/plans", openapi_extra=READERS)
async def plans_page(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    _reader(principal)
    rows = await plans.list_plans(session, principal)
    sites: list[Site] = []
    if principal.role == "enterprise" and "generator" in principal.org_roles:
        sites = await _own_sites(session, principal, "generator")
    names = {s.id: s.name for s in sites}
    today = clock.today()
    return render(
        request,
        "plans.html",
        rows=rows,
        names=names,
        sites=sites,
        year=today.year,
        deadline=plans.filing_deadline(today.year),
        reminding=today >= plans.filing_deadline(today.year) - timedelta(days=30),
        missing=[s for s in sites if not any(p.site_id == s.id and p.year == today.year and p.submitted_at for p in rows)],
    )


async def _receiver_sites(session: AsyncSession, principal: Principal) -> list[dict[str, str]]:
    """Every receiver's sites, named "organisation · site", for the forms' choices."""
    out = []
    for r in await organisations.list_organisations(session, principal, role="receiver", limit=500):
        for site in await organisations.list_sites(session, principal, organisation_id=r.id):
            out.append({"id": str(site.id), "name": f"{r.name} · {site.name}"})
    return out


async def _plan_context(session: AsyncSession, principal: Principal) -> dict[str, Any]:
    return {"receiver_sites": await _receiver_sites(session, principal), "methods": await catalogue.list_methods(session)}


@router.get("/plans/new", openapi_extra=GENERATOR)
async def plan_new(
    request: Request, principal: WebPrincipal, session: SessionDep, site_id: str | None = Query(default=None, max_length=40)
) -> Response:
    sites = await _own_sites(session, principal, "generator")
    return render(
        request,
        "plan.html",
        p=None,
        sites=sites,
        site=_pick(sites, site_id),
        year=clock.today().year,
        body=None,
        progress=[],
        history=[],
        is_owner=True,
        is_bureau=False,
        **await _plan_context(session, principal),
    )


@router.get("/plans/{plan_id}", openapi_extra=READERS)
async def plan_page(plan_id: uuid.UUID, request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    p = await plans.get_plan(session, principal, plan_id)
    site = await session.get(Site, p.site_id)
    return render(
        request,
        "plan.html",
        p=p,
        sites=[site],
        site=site,
        year=p.year,
        body=p.body,
        progress=await progress.progress(session, p),
        history=await plans.history(session, p.id),
        is_owner=principal.role == "enterprise" and principal.owns(p.organisation_id),
        is_bureau=principal.is_admin or (principal.is_regulator and principal.in_scope(p.county_adcode)),
        deadline=plans.filing_deadline(p.year),
        changes=await editions.changes_for(session, [w["waste_code"] for w in p.body.get("wastes") or []], p.catalogue_edition),
        **await _plan_context(session, principal),
    )


# --- generators: declarations ---------------------------------------------------------------------------


@router.get("/declarations", openapi_extra=GENERATOR)
async def declarations_page(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    sites = await _own_sites(session, principal, "generator")
    today = clock.today()
    done = {}
    for d in await declarations.list_declarations(session, principal):
        key = (d.site_id, d.period_kind, d.period_start)
        if key not in done:
            done[key] = d  # the latest version first
    sections = []
    for s in sites:
        for year in (today.year, today.year - 1):
            plan = await plans.plan_for(session, s.id, year, "hazardous")
            cls = plan.management_class if plan else "registered"
            for per in due_periods(cls, year, today):
                d = done.get((s.id, per.kind, per.start))
                state = "submitted" if d else "overdue" if today > per.due_on else "due"
                sections.append({"site": s, "period": per, "class": cls, "declaration": d, "state": state})
    return render(request, "declarations.html", rows=sections)


@router.get("/declarations/draft", openapi_extra=READERS)
async def declaration_draft(
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    site_id: uuid.UUID = Query(),
    kind: str = Query(max_length=8),
    start: str = Query(max_length=10),
) -> Response:
    try:
        start_day = date.fromisoformat(start)
    except ValueError as e:
        raise Invalid("validation_error", {"field": "start"}) from e
    draft = await declarations.preview(session, principal, site_id, kind, start_day)
    versions = [
        d
        for d in await declarations.list_declarations(session, principal, site_id=site_id, kind=kind)
        if d.period_start == start_day
    ]
    site = await session.get(Site, site_id)
    return render(
        request,
        "declaration.html",
        draft=draft,
        versions=versions,
        site=site,
        kind=kind,
        start=start_day,
        can_submit=principal.role == "enterprise" and site is not None and principal.owns(site.organisation_id),
    )


# --- receivers ---------------------------------------------------------------------------------------


@router.get("/r/balance", openapi_extra=RECEIVER)
async def receiver_balance_page(
    request: Request, principal: WebPrincipal, session: SessionDep, site_id: str | None = Query(default=None, max_length=40)
) -> Response:
    sites = await _own_sites(session, principal, "receiver")
    site = _pick(sites, site_id)
    rows = await declarations.list_balances(session, principal, site.id) if site else []
    last = (clock.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    return render(request, "receiver_balance.html", sites=sites, site=site, rows=rows, last_month=last.isoformat())


# --- regulators ---------------------------------------------------------------------------------------


@router.get("/reg/plans", openapi_extra=REG)
async def reg_plans(
    request: Request, principal: WebPrincipal, session: SessionDep, status: str = Query(default="submitted", max_length=12)
) -> Response:
    _regulator(principal)
    st = status if status in ("submitted", "accepted", "returned") else None
    rows = await plans.list_plans(session, principal, status=st)
    site_ids = {p.site_id for p in rows}
    names = {}
    for sid in site_ids:
        s = await session.get(Site, sid)
        o = await session.get(Organisation, s.organisation_id) if s else None
        names[sid] = f"{o.name if o else ''} · {s.name if s else ''}"
    return render(request, "reg_plans.html", rows=rows, names=names, status=status)


def _counties(principal: Principal) -> list[int] | None:
    return None if principal.is_admin else sorted(principal.county_scope or ())


@router.get("/reg/balance", openapi_extra=REG)
async def reg_balance(
    request: Request, principal: WebPrincipal, session: SessionDep, year: int | None = Query(default=None, ge=2000, le=2999)
) -> Response:
    _regulator(principal)
    y = year or clock.today().year
    rows = await balance.overview(session, _counties(principal), y)
    return render(request, "reg_balance.html", rows=rows, year=y)


@router.get("/reg/balance/{site_id}", openapi_extra=REG)
async def reg_balance_site(
    site_id: uuid.UUID,
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    year: int | None = Query(default=None, ge=2000, le=2999),
) -> Response:
    _regulator(principal)
    site = await queries.readable_site(session, principal, site_id)
    org = await session.get(Organisation, site.organisation_id)
    y = year or clock.today().year
    months = await balance.monthly(session, site.id, y)
    f = alert_queries.AlertFilter(rule=list(CRADLE_RULES), status=["open", "acknowledged"])
    alerts, _ = await alert_queries.list_alerts(session, principal, f, None, 200)
    mine = [a for a in alerts if str(site.id) in a.subject_key or a.evidence.get("site_id") == str(site.id)]
    lang = web_lang(request)
    plan = await plans.plan_for(session, site.id, y, "hazardous")
    return render(
        request,
        "reg_balance_site.html",
        site=site,
        org=org,
        year=y,
        chart=chart(months),
        alerts=mine,
        plan=plan,
        rule_title=lambda rid: rules.title(rid, lang),
    )


@router.get("/reg/declarations", openapi_extra=REG)
async def reg_declarations(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    _regulator(principal)
    f = alert_queries.AlertFilter(rule=["declaration_overdue"], status=["open", "acknowledged"])
    overdue, _ = await alert_queries.list_alerts(session, principal, f, None, 500)
    site_names = {}
    for a in overdue:
        sid = a.evidence.get("site_id")
        if sid and sid not in site_names:
            s = await session.get(Site, uuid.UUID(sid))
            o = await session.get(Organisation, s.organisation_id) if s else None
            site_names[sid] = f"{o.name if o else ''} · {s.name if s else ''}"
    recent = (await declarations.list_declarations(session, principal))[:100]
    return render(request, "reg_declarations.html", overdue=overdue, names=site_names, recent=recent)
