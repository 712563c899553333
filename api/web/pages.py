"""Pages of the enterprises and drivers: manifest list and search, the new-manifest form, a
manifest with its timeline and the actions its reader may take, the print-ready label, the
receiver's incoming list, the driver's home and scanner.

Pages read through the domain services (the same scoping as the API); every change is made by
the page's script calling the JSON API, so the rules live in one place."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.deps import SessionDep, SettingsDep, permission
from api.web.render import WebPrincipal, WebRoute, render, web_lang
from waste_tracker import clock
from waste_tracker.alerts import queries as alert_queries
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Forbidden
from waste_tracker.ledger import service as ledger
from waste_tracker.manifest import access, candidates, labels, queries
from waste_tracker.manifest.lifecycle import Side, Status
from waste_tracker.manifest.parties import party_names
from waste_tracker.manifest.timeline import timeline
from waste_tracker.manifest.verify import verify_manifest
from waste_tracker.models import Manifest, Organisation, Site, TransportPermit, User
from waste_tracker.registry import catalogue, editions, licences, organisations
from waste_tracker.rules import catalogue as rules

router = APIRouter(route_class=WebRoute, include_in_schema=False)

READERS = permission("enterprise", "driver", "regulator", "admin", note="web page; scoped like the API")
GENERATOR = permission("enterprise", note="web page; enterprise users of a generator")
RECEIVER = permission("enterprise", note="web page; enterprise users of a receiver")
DRIVER = permission("driver", note="web page; drivers")
STATUSES = [s.value for s in Status]
PAGE = 50


async def _rows(session: AsyncSession, manifests: list[Manifest]) -> list[dict[str, Any]]:
    """Manifests with their parties' names (as submitted), for lists."""
    names = await party_names(session, manifests)
    return [{"m": m, **names[m.id]} for m in manifests]


async def _list(
    session: AsyncSession, principal: Principal, f: queries.ManifestFilter, cursor: str | None = None, limit: int = PAGE
) -> tuple[list[dict[str, Any]], str | None]:
    items, nxt = await queries.list_manifests(session, principal, f, cursor, limit)
    return await _rows(session, items), nxt


@router.get("/manifests/new", openapi_extra=GENERATOR)
async def manifest_new(
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    draft: uuid.UUID | None = None,
    copy: uuid.UUID | None = Query(default=None, alias="from"),
) -> Response:
    """The form; ``?draft=`` edits a saved draft, ``?from=`` starts a new one from any of the
    generator's manifests (most transfers repeat)."""
    org_id = principal.require_org_role("generator")
    prefill = await _prefill(session, principal, draft or copy, org_id, editing=draft is not None)
    org = await organisations.get_organisation(session, principal, org_id)
    sites = await organisations.list_sites(session, principal, organisation_id=org_id)
    carriers = await organisations.list_organisations(session, principal, role="carrier", limit=500)
    # Where a load may change hands (Art. 17): transfer stations, carriers' yards, collection stores.
    handover_sites = await organisations.list_sites(session, principal, kinds=("transit", "parking", "collection"), limit=500)
    return render(
        request,
        "manifest_new.html",
        org=org,
        sites=sites,
        carriers=carriers,
        handover_sites=handover_sites,
        methods=await catalogue.list_methods(session),
        today=clock.today().isoformat(),
        earliest=(clock.today() - timedelta(days=1)).isoformat(),  # the service's own bound
        prefill=prefill,
    )


async def _prefill(
    session: AsyncSession, principal: Principal, manifest_id: uuid.UUID | None, org_id: uuid.UUID, *, editing: bool
) -> dict[str, Any] | None:
    """The form's starting values from one of the generator's manifests: the draft itself
    (``draft_id`` set, saved in place) or a copy (a new draft, today's date)."""
    if manifest_id is None:
        return None
    m = await queries.get_manifest(session, principal, manifest_id)
    if m.generator_org_id != org_id:
        raise Forbidden("forbidden", {"reason": "not your organisation's manifest"})
    editing = editing and m.status == Status.DRAFT and not await ledger.for_manifest(session, m.id)
    today = clock.today()
    return {
        "draft_id": str(m.id) if editing else None,
        "number": m.number,
        "generator_site_id": str(m.generator_site_id),
        "carrier_org_id": str(m.carrier_org_id),
        "receiver_site_id": str(m.receiver_site_id),
        "planned_method_code": m.planned_method_code,
        "planned_pickup_date": str(max(m.planned_pickup_date, today) if editing else today),
        "emergency_measures": m.emergency_measures,
        "emergency_contact": m.emergency_contact,
        "emergency_phone": m.emergency_phone,
        "notes": m.notes,
        "planned_vehicle_plate": m.planned_vehicle_plate,
        "planned_driver_id": str(m.planned_driver_id) if m.planned_driver_id else None,
        "handovers": [
            {"carrier_org_id": str(c), "site_id": str(s)}
            for c, s in zip(m.handover_carrier_org_ids, m.handover_site_ids, strict=True)
        ],
        "lines": [
            {
                "waste_code": ln.waste_code,
                "physical_form": ln.physical_form,
                "quantity": f"{ln.declared_kg.normalize():f}",
                "container_type": ln.container_type,
                "container_count": ln.container_count,
            }
            for ln in await queries.get_lines(session, m.id)
        ],
    }


@router.get("/m/{manifest_id}", openapi_extra=READERS)
async def manifest_page(manifest_id: uuid.UUID, request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    m = await queries.get_manifest(session, principal, manifest_id)
    d = await queries.describe(session, m)
    check = await verify_manifest(session, m.id)
    lic = await licences.get_licence(session, principal, m.licence_id) if m.licence_id else None
    permit = await session.get(TransportPermit, m.permit_id) if m.permit_id else None
    driver = await session.get(User, m.planned_driver_id) if m.planned_driver_id else None
    alerts: list[Any] = []
    if principal.is_regulator or principal.is_admin or principal.role == "enterprise":
        alerts, _ = await alert_queries.list_alerts(session, principal, alert_queries.AlertFilter(manifest_id=m.id), None, 50)
    lang = web_lang(request)
    sides = access.party_of(principal, m)
    allowed = set(d["allowed_actions"])
    redirecting = "redirect" in allowed and Side.GENERATOR in sides  # the rejected waste to another receiver
    return render(
        request,
        "manifest.html",
        m=m,
        d=d,
        events=await timeline(session, m.id),
        chain_ok=check.ok,
        chain_events=check.events,
        chain_breaks=check.breaks,
        related=await _related(session, principal, m),
        redirect_targets=await _redirect_targets(session, principal, m, d) if redirecting else [],
        carriers=await organisations.list_organisations(session, principal, role="carrier", limit=500) if redirecting else [],
        sides=sides,
        allowed=allowed,
        licence_methods=lic.method_codes if lic else [],
        licence_number=lic.number if lic else None,
        permit_number=permit.number if permit else None,
        planned_driver=(driver.display_name or driver.username) if driver else None,
        methods={x["code"]: x for x in await catalogue.list_methods(session)},
        alerts=alerts,
        rule_title=lambda rid: rules.title(rid, lang),
        today=clock.today().isoformat(),
        code_changes_map=await editions.changes_for(session, [ln.waste_code for ln in d["lines"]], m.catalogue_edition),
    )


async def _related(session: AsyncSession, principal: Principal, m: Manifest) -> dict[str, Any]:
    """The parent this manifest came from and the child its rejected waste went on with, each
    with its number (and whether the reader may open it)."""
    out: dict[str, Any] = {}
    for key, other_id in (("parent", m.parent_manifest_id), ("child", m.child_manifest_id)):
        other = await session.get(Manifest, other_id) if other_id else None
        if other is not None:
            seen = access.can_see(principal, other)
            out[key] = {"id": other.id, "number": other.number, "purpose": other.purpose, "open": seen}
    return out


async def _redirect_targets(session: AsyncSession, principal: Principal, m: Manifest, d: dict[str, Any]) -> list[dict[str, Any]]:
    """Where rejected waste may go instead: receivers licensed for every line's code, that the
    jurisdiction rule allows (or an exemption covers), nearest first; one option per method."""
    found = await candidates.candidates(
        session,
        principal,
        generator_site_id=m.generator_site_id,
        codes=[ln.waste_code for ln in d["lines"]],
        on=clock.today(),
    )
    return [
        {"site_id": c.site.id, "label": f"{c.organisation_name} · {c.site.name}", "method": method, "km": c.distance_m / 1000}
        for c in found.items
        if c.outcome != candidates.NEEDS_EXEMPTION and c.site.id != m.receiver_site_id
        for method in c.methods
    ]


@router.get("/m/{manifest_id}/label", openapi_extra=READERS)
async def label_page(
    manifest_id: uuid.UUID,
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    size: Literal["a5", "a6"] = "a5",
) -> Response:
    """The print-ready label (the same content as the API's label page, under the web app's
    styles), laid out for one A5 page or one A6 sticker."""
    card = await labels.label_card(session, principal, manifest_id, settings, web_lang(request))
    return render(request, "label.html", size=size, **card)


@router.get("/r", openapi_extra=RECEIVER)
async def receiver_home(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    org_id = principal.require_org_role("receiver")

    async def section(*statuses: str, limit: int = PAGE) -> list[dict[str, Any]]:
        return (
            await _list(session, principal, queries.ManifestFilter(status=list(statuses), receiver_org_id=org_id), None, limit)
        )[0]

    return render(
        request,
        "receiver.html",
        to_receive=await section("delivered"),
        to_dispose=await section("received"),
        announced=(announced := await section("submitted", limit=100)),
        announced_kg=sum((r["m"].declared_kg for r in announced), Decimal(0)),
        on_the_way=await section("in_transit"),
        closed=await section("completed", "rejected", "returned", "redirected", limit=20),
    )


def _driver(principal: Principal) -> uuid.UUID:
    if principal.role != "driver" or principal.organisation_id is None:
        raise Forbidden("forbidden", {"required_roles": ["driver"], "role": principal.role})
    return principal.organisation_id


@router.get("/d", openapi_extra=DRIVER)
async def driver_home(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    org_id = _driver(principal)
    f = queries.ManifestFilter(status=["submitted", "in_transit", "return_requested", "returning"], carrier_org_id=org_id)
    rows, _ = await _list(session, principal, f, None, 100)
    # A return trip starts where the load was refused: name that place on the job card.
    elsewhere = {r["m"].pickup_site_id for r in rows if r["m"].pickup_site_id != r["m"].generator_site_id}
    if elsewhere:
        found = await session.execute(
            select(Site.id, Organisation.name, Site.name)
            .join(Organisation, col(Organisation.id) == Site.organisation_id)
            .where(col(Site.id).in_(sorted(elsewhere)))
        )
        names = {i: f"{o} · {n}" for i, o, n in found.all()}
        for r in rows:
            r["pickup"] = names.get(r["m"].pickup_site_id)
    return render(request, "driver.html", rows=rows, me=principal.user_id)


@router.get("/scan", openapi_extra=DRIVER)
async def scan_page(
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    m: str | None = Query(default=None, max_length=14),
    t: str | None = Query(default=None, max_length=200),
) -> Response:
    """The driver's scanner; also the target of the label's QR URL (``/scan?m=<number>&t=<token>``),
    so a phone's own camera app lands here with the token already filled in."""
    org_id = _driver(principal)
    vehicles = await licences.list_vehicles(session, principal, organisation_id=org_id)
    return render(
        request,
        "scan.html",
        vehicles=vehicles,
        number=m or "",
        token=t or "",
        track_interval=settings.track_record_interval_seconds,
        org_id=str(org_id),
    )
