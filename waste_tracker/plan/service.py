"""Use cases of management plans: draft and revise (every body a new version, with who, when and
why), submit, and the county bureau's acceptance (with the filing number) or return."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Conflict, Forbidden, Invalid, NotFound
from waste_tracker.ledger import access
from waste_tracker.models import Licence, ManagementPlan, ManagementPlanEvent, Site
from waste_tracker.plan.classes import basis_for, classify
from waste_tracker.registry import catalogue, editions

FILING_DEADLINE = (3, 31)  # month, day: plans are filed by 31 March (HJ 1259 §5)
EDITABLE = ("draft", "returned", "accepted")


def filing_deadline(year: int) -> date:
    return date(year, *FILING_DEADLINE)


async def _validate(session: AsyncSession, kind: str, body: dict[str, Any], edition: str) -> dict[str, Any]:
    """The body's references hold: catalogue codes of the plan's kind, method codes, receiver sites
    and their licences; a transfer names only wastes the plan expects."""
    wastes = body.get("wastes") or []
    if not wastes:
        raise Invalid("plan_without_wastes", {})
    codes = [w["waste_code"] for w in wastes]
    if len(set(codes)) != len(codes):
        raise Invalid("duplicate_waste_code", {"codes": sorted({c for c in codes if codes.count(c) > 1})})
    known = await catalogue.resolve_codes(session, codes, edition)
    wrong = [c for c in codes if known[c]["kind"] != kind]
    if wrong:
        raise Invalid("waste_kind_mismatch", {"codes": wrong, "plan_kind": kind})
    methods = {t["method_code"] for t in body.get("transfers") or []} | {o["method_code"] for o in body.get("own_handling") or []}
    if methods:
        await catalogue.check_method_codes(session, sorted(methods))
    for i, tr in enumerate(body.get("transfers") or []):
        stray = [c for c in tr["waste_codes"] if c not in codes]
        if stray:
            raise Invalid("transfer_code_not_in_plan", {"index": i, "codes": stray})
        site = await session.get(Site, uuid.UUID(str(tr["receiver_site_id"])))
        if site is None:
            raise Invalid("unknown_receiver_site", {"index": i, "receiver_site_id": str(tr["receiver_site_id"])})
        if tr.get("licence_number"):
            lic = (await session.execute(select(Licence).where(Licence.number == tr["licence_number"]))).scalar_one_or_none()
            if lic is None or lic.site_id != site.id:
                raise Invalid("licence_not_of_receiver", {"index": i, "licence_number": tr["licence_number"]})
    for i, o in enumerate(body.get("own_handling") or []):
        if o["waste_code"] not in codes:
            raise Invalid("own_handling_code_not_in_plan", {"index": i, "code": o["waste_code"]})
    return body


async def _append(
    session: AsyncSession,
    p: ManagementPlan,
    type_: str,
    actor: Principal,
    *,
    body: dict[str, Any] | None = None,
    reason: str = "",
) -> ManagementPlanEvent:
    now = clock.now()
    p.seq += 1
    p.updated_at = now
    ev = ManagementPlanEvent(
        plan_id=p.id,
        seq=p.seq,
        type=type_,
        version=p.version,
        body=body,
        reason=reason,
        actor_user_id=actor.user_id,
        actor_org_id=actor.organisation_id,
        at=now,
    )
    session.add(ev)
    await session.flush()
    return ev


async def create(
    session: AsyncSession, actor: Principal, *, site_id: uuid.UUID, year: int, kind: str, body: dict[str, Any]
) -> ManagementPlan:
    site = await access.own_site(session, actor, site_id)
    this_year = clock.today().year
    if not this_year - 1 <= year <= this_year + 1:
        raise Invalid("plan_year_out_of_range", {"year": year, "allowed": [this_year - 1, this_year + 1]})
    edition = await editions.in_force(session, clock.today())
    body = await _validate(session, kind, body, edition)
    exists = (
        await session.execute(
            select(ManagementPlan.id).where(
                ManagementPlan.site_id == site.id, ManagementPlan.year == year, ManagementPlan.kind == kind
            )
        )
    ).scalar_one_or_none()
    if exists is not None:
        raise Conflict("plan_exists", {"plan_id": str(exists), "year": year, "kind": kind})
    basis = await basis_for(session, site, year, kind, body)
    p = ManagementPlan(
        site_id=site.id,
        organisation_id=site.organisation_id,
        county_adcode=site.county_adcode,
        year=year,
        kind=kind,
        catalogue_edition=edition,
        management_class=classify(basis) if kind == "hazardous" else None,
        class_basis=basis.as_dict(),
        status="draft",
        version=1,
        seq=0,
        body=body,
        created_by=actor.user_id,
    )
    session.add(p)
    await session.flush()
    await _append(session, p, "drafted", actor, body=body)
    return p


async def lock(session: AsyncSession, plan_id: uuid.UUID) -> ManagementPlan:
    p = (
        await session.execute(
            select(ManagementPlan).where(ManagementPlan.id == plan_id).with_for_update().execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if p is None:
        raise NotFound("management_plan", plan_id)
    return p


def _require_owner(actor: Principal, p: ManagementPlan) -> None:
    if actor.role != "enterprise" or not actor.owns(p.organisation_id):
        if access.can_read(actor, p.organisation_id, p.county_adcode):
            raise Forbidden("plan_not_yours", {"plan_id": str(p.id)})
        raise NotFound("management_plan", p.id)


async def revise(
    session: AsyncSession, actor: Principal, plan_id: uuid.UUID, body: dict[str, Any], reason: str
) -> ManagementPlan:
    """A new version of the body. Once submitted or accepted, a change says why; a change to an
    accepted plan goes back to the bureau, and the accepted version stays in force meanwhile."""
    p = await lock(session, plan_id)
    _require_owner(actor, p)
    if p.status not in EDITABLE:
        raise Conflict("plan_not_editable", {"status": p.status})
    if (p.submitted_at is not None) and not reason.strip():
        raise Invalid("reason_required", {"field": "reason"})
    body = await _validate(session, p.kind, body, p.catalogue_edition)
    site = await session.get(Site, p.site_id)
    assert site is not None
    basis = await basis_for(session, site, p.year, p.kind, body)
    p.body, p.version = body, p.version + 1
    p.management_class = classify(basis) if p.kind == "hazardous" else None
    p.class_basis = basis.as_dict()
    if p.status == "accepted":
        p.status = "draft"
    await _append(session, p, "revised", actor, body=body, reason=reason)
    return p


async def submit(session: AsyncSession, actor: Principal, plan_id: uuid.UUID) -> ManagementPlan:
    p = await lock(session, plan_id)
    _require_owner(actor, p)
    if p.status not in ("draft", "returned"):
        raise Conflict("plan_not_submittable", {"status": p.status})
    now = clock.now()
    late = p.accepted_version is None and clock.local_date(now) > filing_deadline(p.year)
    p.status, p.submitted_at = "submitted", now
    await _append(session, p, "submitted", actor, reason="late" if late else "")
    return p


async def _next_filing_number(session: AsyncSession, p: ManagementPlan) -> str:
    serial = (
        await session.execute(
            text("""INSERT INTO plan_serial (county_adcode, year, last_serial) VALUES (:c, :y, 1)
                    ON CONFLICT (county_adcode, year) DO UPDATE SET last_serial = plan_serial.last_serial + 1
                    RETURNING last_serial"""),
            {"c": p.county_adcode, "y": p.year},
        )
    ).scalar_one()
    return f"{p.county_adcode}-{p.year}-{'W' if p.kind == 'hazardous' else 'G'}{int(serial):04d}"


def _require_bureau(actor: Principal, p: ManagementPlan) -> None:
    if not (actor.is_admin or (actor.is_regulator and actor.in_scope(p.county_adcode))):
        if access.can_read(actor, p.organisation_id, p.county_adcode):
            raise Forbidden("county_regulator_required", {"county": p.county_adcode})
        raise NotFound("management_plan", p.id)


async def accept(session: AsyncSession, actor: Principal, plan_id: uuid.UUID, note: str = "") -> ManagementPlan:
    p = await lock(session, plan_id)
    _require_bureau(actor, p)
    if p.status != "submitted":
        raise Conflict("plan_not_submitted", {"status": p.status})
    if p.filing_number is None:
        p.filing_number = await _next_filing_number(session, p)
    p.status, p.accepted_at = "accepted", clock.now()
    p.accepted_version, p.accepted_body = p.version, p.body
    await _append(session, p, "accepted", actor, reason=note)
    return p


async def return_plan(session: AsyncSession, actor: Principal, plan_id: uuid.UUID, reason: str) -> ManagementPlan:
    p = await lock(session, plan_id)
    _require_bureau(actor, p)
    if p.status != "submitted":
        raise Conflict("plan_not_submitted", {"status": p.status})
    if not reason.strip():
        raise Invalid("reason_required", {"field": "reason"})
    p.status = "returned"
    await _append(session, p, "returned", actor, reason=reason)
    return p


async def get_plan(session: AsyncSession, actor: Principal, plan_id: uuid.UUID) -> ManagementPlan:
    p = await session.get(ManagementPlan, plan_id)
    if (
        p is None
        or not access.can_read(actor, p.organisation_id, p.county_adcode)
        or (p.status == "draft" and p.submitted_at is None and not actor.owns(p.organisation_id))
    ):
        raise NotFound("management_plan", plan_id)
    return p


async def list_plans(
    session: AsyncSession,
    actor: Principal,
    *,
    year: int | None = None,
    status: str | None = None,
    site_id: uuid.UUID | None = None,
) -> list[ManagementPlan]:
    conds: list[Any] = [access.scope(actor, col(ManagementPlan.organisation_id), col(ManagementPlan.county_adcode))]
    if not (actor.role == "enterprise"):
        conds.append(col(ManagementPlan.submitted_at).is_not(None))  # a bureau never sees a first draft
    if year is not None:
        conds.append(col(ManagementPlan.year) == year)
    if status is not None:
        conds.append(col(ManagementPlan.status) == status)
    if site_id is not None:
        conds.append(col(ManagementPlan.site_id) == site_id)
    stmt = select(ManagementPlan).where(*conds).order_by(col(ManagementPlan.year).desc(), col(ManagementPlan.created_at))
    return list((await session.execute(stmt.limit(1000))).scalars())


async def history(session: AsyncSession, plan_id: uuid.UUID) -> list[ManagementPlanEvent]:
    stmt = select(ManagementPlanEvent).where(ManagementPlanEvent.plan_id == plan_id).order_by(col(ManagementPlanEvent.seq))
    return list((await session.execute(stmt)).scalars())


async def plan_for(session: AsyncSession, site_id: uuid.UUID, year: int, kind: str) -> ManagementPlan | None:
    return (
        await session.execute(
            select(ManagementPlan).where(
                ManagementPlan.site_id == site_id, ManagementPlan.year == year, ManagementPlan.kind == kind
            )
        )
    ).scalar_one_or_none()
