"""Manifest use cases: draft, submit, cancel, receive, dispose, return, redirect.

Each use case locks the manifest, asks the lifecycle whether the action is allowed now, checks
the acting party, appends the event and updates the projection. Services flush; the caller's
unit of work commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock, units
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Conflict, Forbidden, Invalid, NotFound
from waste_tracker.ledger import service as ledger
from waste_tracker.manifest import access, checks, parties
from waste_tracker.manifest.chain import GENESIS
from waste_tracker.manifest.commands import MAX_HANDOVERS, PLAN_FIELDS, Draft, DraftLine, Handover
from waste_tracker.manifest.events import append, dec_str, lock_manifest, state_of
from waste_tracker.manifest.lifecycle import Action, EventType, Status, decide
from waste_tracker.manifest.numbering import next_number
from waste_tracker.manifest.queries import get_lines
from waste_tracker.models import Exemption, Licence, Manifest, ManifestLine, Organisation, Site, User, Vehicle
from waste_tracker.money import check as contract_check
from waste_tracker.plan import check as plan_check
from waste_tracker.registry import catalogue, editions

PHYSICAL_FORMS = ("solid", "semi_solid", "liquid", "gas")
MAX_LINES = 50


# --- who may act ---------------------------------------------------------------------------------------


async def _locked_for(session: AsyncSession, actor: Principal, manifest_id: uuid.UUID, action: Action) -> tuple[Manifest, str]:
    m = await lock_manifest(session, manifest_id)
    # Who may see it first: a draft does not exist for anyone but its generator, so the answer to
    # anyone else must not depend on the action asked (no status, no allowed actions).
    if not access.can_see(actor, m):
        raise NotFound("manifest", manifest_id)
    access.require_party(actor, m, action)
    return m, decide(state_of(m), action)


# --- drafts ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    """A draft command resolved to its rows and catalogue entries."""

    generator_site: Site
    carrier: Organisation
    receiver_site: Site
    lines: list[dict[str, Any]]
    kind: str
    declared_kg: Decimal
    edition: str
    handovers: tuple[Handover, ...] = ()


async def _check_draft(
    session: AsyncSession, actor: Principal, cmd: Draft, purpose: str = "transfer", *, edition: str
) -> _Checked:
    """The draft's parties, codes (in ``edition``, the catalogue it is filed under) and lines."""
    gen_org = actor.require_org_role("generator")
    gsite = await session.get(Site, cmd.generator_site_id)
    if gsite is None:
        raise Invalid("invalid_generator_site", {"site_id": str(cmd.generator_site_id)})
    if gsite.organisation_id != gen_org:
        # Filing for another organisation's site is a cross-tenant write, not a typo.
        raise Forbidden("forbidden", {"reason": "not your organisation's site", "site_id": str(gsite.id)})
    carrier = await session.get(Organisation, cmd.carrier_org_id)
    if carrier is None or "carrier" not in carrier.roles:
        raise Invalid("invalid_carrier", {"organisation_id": str(cmd.carrier_org_id)})
    rsite = await session.get(Site, cmd.receiver_site_id)
    rorg = await session.get(Organisation, rsite.organisation_id) if rsite else None
    if (
        rsite is None
        or rorg is None
        or ("receiver" not in rorg.roles and not (purpose == "return" and rsite.organisation_id == gen_org))
    ):
        raise Invalid("invalid_receiver", {"site_id": str(cmd.receiver_site_id)})
    if not cmd.lines or len(cmd.lines) > MAX_LINES:
        raise Invalid("validation_error", {"field": "lines", "min": 1, "max": MAX_LINES})
    codes = await catalogue.resolve_codes(session, [ln.waste_code for ln in cmd.lines], edition)
    kinds = {codes[ln.waste_code]["kind"] for ln in cmd.lines}
    if len(kinds) > 1:
        raise Invalid("mixed_waste_kinds", {"kinds": sorted(kinds)})
    await catalogue.check_method_codes(session, [cmd.planned_method_code])
    lines = []
    for i, ln in enumerate(cmd.lines, start=1):
        entry = codes[ln.waste_code]
        if ln.physical_form not in PHYSICAL_FORMS:
            raise Invalid("validation_error", {"field": f"lines[{i}].physical_form", "allowed": list(PHYSICAL_FORMS)})
        lines.append(
            {
                "line_no": i,
                "waste_code": ln.waste_code,
                "category_code": entry["category_code"],
                "kind": entry["kind"],
                "description": (ln.description or entry["description"])[:500],
                "physical_form": ln.physical_form,
                "hazard_characteristics": list(entry["hazard_characteristics"]),
                "declared_kg": units.to_kg(ln.quantity, ln.unit),
                "container_type": ln.container_type,
                "container_count": ln.container_count,
            }
        )
    total = sum((ln["declared_kg"] for ln in lines), Decimal(0))
    handovers = await _check_handovers(session, cmd)
    await _check_crew(session, cmd)
    return _Checked(gsite, carrier, rsite, lines, kinds.pop(), total, edition, handovers)


async def _check_crew(session: AsyncSession, cmd: Draft) -> None:
    """The planned truck and driver, when named, are the (first) carrier's own."""
    if cmd.planned_vehicle_plate:
        owner = (
            await session.execute(select(Vehicle.organisation_id).where(Vehicle.plate == cmd.planned_vehicle_plate))
        ).scalar_one_or_none()
        if owner != cmd.carrier_org_id:
            raise Invalid("planned_vehicle_not_carriers", {"plate": cmd.planned_vehicle_plate})
    if cmd.planned_driver_id:
        driver = await session.get(User, cmd.planned_driver_id)
        if driver is None or driver.role != "driver" or driver.organisation_id != cmd.carrier_org_id or not driver.is_active:
            raise Invalid("planned_driver_not_carriers", {"driver_id": str(cmd.planned_driver_id)})


async def _check_handovers(session: AsyncSession, cmd: Draft) -> tuple[Handover, ...]:
    """Art. 17: up to four more carriers, in order, each a registered carrier taking over from a
    different one, at a registered site."""
    if len(cmd.handovers) > MAX_HANDOVERS:
        raise Invalid("too_many_carriers", {"max_carriers": MAX_HANDOVERS + 1, "given": len(cmd.handovers) + 1})
    previous = cmd.carrier_org_id
    for i, h in enumerate(cmd.handovers):
        org = await session.get(Organisation, h.carrier_org_id)
        if org is None or "carrier" not in org.roles:
            raise Invalid("invalid_carrier", {"organisation_id": str(h.carrier_org_id), "position": i + 2})
        if h.carrier_org_id == previous:
            raise Invalid("handover_to_same_carrier", {"organisation_id": str(h.carrier_org_id), "position": i + 2})
        if await session.get(Site, h.site_id) is None:
            raise Invalid("invalid_handover_site", {"site_id": str(h.site_id), "position": i + 2})
        previous = h.carrier_org_id
    return cmd.handovers


def _draft_payload(cmd: Draft, d: _Checked) -> dict[str, Any]:
    """The event's record of the draft: the parties as checked, the plan as asked, the lines as resolved."""
    plan = {k: str(v) if isinstance(v, date | uuid.UUID) else v for k, v in cmd.plan().items()}
    return {
        "generator_site_id": str(d.generator_site.id),
        "carrier_org_id": str(d.carrier.id),
        "receiver_site_id": str(d.receiver_site.id),
        **plan,
        "kind": d.kind,
        "declared_kg": dec_str(d.declared_kg),
        "lines": [{**ln, "declared_kg": dec_str(ln["declared_kg"])} for ln in d.lines],
        "handovers": [h.wire() for h in d.handovers],
    }


async def _write_lines(session: AsyncSession, m: Manifest, lines: list[dict[str, Any]]) -> None:
    await session.execute(delete(ManifestLine).where(col(ManifestLine.manifest_id) == m.id))
    for ln in lines:
        session.add(ManifestLine(manifest_id=m.id, **ln))


def _columns(cmd: Draft, d: _Checked) -> dict[str, Any]:
    """The manifest's columns that a draft sets: its kind, the parties and their places, the plan."""
    g, r = d.generator_site, d.receiver_site
    return {
        "kind": d.kind,
        "generator_org_id": g.organisation_id,
        "generator_site_id": g.id,
        "carrier_org_id": d.carrier.id,
        "receiver_org_id": r.organisation_id,
        "receiver_site_id": r.id,
        "generator_county": g.county_adcode,
        "generator_city": g.city_adcode,
        "receiver_county": r.county_adcode,
        "receiver_city": r.city_adcode,
        "handover_carrier_org_ids": [h.carrier_org_id for h in d.handovers],
        "handover_site_ids": [h.site_id for h in d.handovers],
        **cmd.plan(),
    }


async def create_draft(
    session: AsyncSession,
    actor: Principal,
    cmd: Draft,
    *,
    parent: Manifest | None = None,
    purpose: str = "transfer",
    pickup_site_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Manifest:
    """Draft a manifest. ``now`` lets a paper manifest used during an outage be back-entered
    with its real time (Transfer Measures Art. 20)."""
    # A new record takes the catalogue in force today; a redirect or return keeps its parent's codes.
    edition = parent.catalogue_edition if parent else await editions.in_force(session, clock.local_date(now or clock.now()))
    d = await _check_draft(session, actor, cmd, purpose, edition=edition)
    m = Manifest(
        purpose=purpose,
        catalogue_edition=d.edition,
        created_by=actor.user_id,
        parent_manifest_id=parent.id if parent else None,
        status=str(Status.DRAFT),
        version=0,
        last_hash=GENESIS,
        pickup_site_id=pickup_site_id or d.generator_site.id,
        # The road the load travels: from where it is picked up (a refused load: the receiver's).
        distance_m=await checks.distance_between_sites(
            session, (await session.get(Site, pickup_site_id) if pickup_site_id else None) or d.generator_site, d.receiver_site
        ),
        **_columns(cmd, d),
    )
    session.add(m)
    await session.flush()
    await _write_lines(session, m, d.lines)
    payload = _draft_payload(cmd, d) | {
        "purpose": purpose,
        "parent_manifest_id": str(parent.id) if parent else None,
        "pickup_site_id": str(m.pickup_site_id),
    }
    await append(session, m, EventType.CREATED, actor, payload, now=now)
    return m


async def create_draft_from_containers(
    session: AsyncSession, actor: Principal, container_ids: list[uuid.UUID], fields: dict[str, Any]
) -> Manifest:
    """Draft a manifest whose lines are the sums of the chosen containers in storage (one line per
    waste code and form), and put the containers on it (HJ 1259 §6: storage → out → manifest line)."""
    site_id = uuid.UUID(str(fields["generator_site_id"]))
    chosen = await ledger.choose_for_manifest(session, actor, site_id, container_ids)
    groups = ledger.lines_from(chosen)
    lines = []
    for (code, form), cs in groups:
        types = sorted({c.container_type for c in cs})
        lines.append(
            {
                "waste_code": code,
                "physical_form": form,
                "quantity": sum((c.net_kg for c in cs), Decimal(0)),
                "unit": "kg",
                "container_type": "、".join(types)[:100],
                "container_count": len(cs),
                "description": cs[0].waste_name,
            }
        )
    m = await create_draft(session, actor, Draft.of({**fields, "lines": lines}))
    await ledger.put_on_manifest(session, actor, [(i + 1, cs) for i, (_, cs) in enumerate(groups)], m.id, m.number)
    return m


async def update_draft(session: AsyncSession, actor: Principal, manifest_id: uuid.UUID, changes: dict[str, Any]) -> Manifest:
    m, event_type = await _locked_for(session, actor, manifest_id, Action.UPDATE)
    if ("lines" in changes or "generator_site_id" in changes) and await ledger.for_manifest(session, m.id):
        raise Conflict("manifest_lines_from_containers", {"manifest_id": str(m.id)})
    cmd = (await _current_draft(session, m)).updated(changes)
    d = await _check_draft(session, actor, cmd, m.purpose, edition=m.catalogue_edition)
    for k, v in _columns(cmd, d).items():
        setattr(m, k, v)
    if m.purpose == "transfer" and m.parent_manifest_id is None:
        m.pickup_site_id = d.generator_site.id
    m.distance_m = await checks.distance_between_sites(session, d.generator_site, d.receiver_site)
    await _write_lines(session, m, d.lines)
    await append(session, m, event_type, actor, _draft_payload(cmd, d))
    return m


async def delete_draft(session: AsyncSession, actor: Principal, manifest_id: uuid.UUID) -> Manifest:
    m, event_type = await _locked_for(session, actor, manifest_id, Action.DELETE)
    await append(session, m, event_type, actor, {})
    await ledger.release_manifest(session, actor, m.id, "draft_deleted")
    return m


async def _current_draft(session: AsyncSession, m: Manifest) -> Draft:
    """The draft as it stands, as the command that would write it again."""
    lines = tuple(
        DraftLine(
            waste_code=ln.waste_code,
            description=ln.description,
            physical_form=ln.physical_form,
            quantity=ln.declared_kg,
            container_type=ln.container_type,
            container_count=ln.container_count,
        )
        for ln in await get_lines(session, m.id)
    )
    parties = {
        "generator_site_id": m.generator_site_id,
        "carrier_org_id": m.carrier_org_id,
        "receiver_site_id": m.receiver_site_id,
    }
    handovers = [Handover(c, site) for c, site in zip(m.handover_carrier_org_ids, m.handover_site_ids, strict=True)]
    return Draft.of({**parties, **{k: getattr(m, k) for k in PLAN_FIELDS}, "lines": lines, "handovers": handovers})


# --- submission ---------------------------------------------------------------------------------------------


async def _submit_locked(
    session: AsyncSession, actor: Principal, m: Manifest, event_type: str, now: datetime | None = None
) -> Manifest:
    now = now or clock.now()
    today = clock.local_date(now)
    if m.planned_pickup_date < today - timedelta(days=1) or m.planned_pickup_date > today + timedelta(days=366):
        raise Invalid("invalid_pickup_date", {"planned_pickup_date": str(m.planned_pickup_date), "today": str(today)})
    lines = await get_lines(session, m.id)
    gsite = await session.get(Site, m.generator_site_id)
    rsite = await session.get(Site, m.receiver_site_id)
    assert gsite is not None and rsite is not None
    on = m.planned_pickup_date
    hazardous = m.kind == "hazardous"
    payload: dict[str, Any] = {}
    if m.purpose == "return":
        lic = None
        outcome = checks.JurisdictionOutcome(None, None, None)
    else:
        lic = await checks.receiver_licence(session, m.receiver_site_id, lines, m.planned_method_code, on)
        outcome = await checks.jurisdiction_rule(
            session,
            kind=m.kind,
            generator_org_id=m.generator_org_id,
            generator_site=gsite,
            receiver_site=rsite,
            codes=[ln.waste_code for ln in lines],
            quantity_kg=m.declared_kg,
            on=on,
        )
    permit = await checks.carrier_permit(session, m.carrier_org_id, hazardous, on)
    # Art. 17: every carrier listed holds a transport permit valid on the day.
    handovers = []
    for i, (org_id, site_id) in enumerate(zip(m.handover_carrier_org_ids, m.handover_site_ids, strict=True)):
        p = await checks.carrier_permit(session, org_id, hazardous, on, position=i + 2)
        org = await session.get(Organisation, org_id)
        assert org is not None  # checked when drafted; organisations are never deleted
        handovers.append(
            {
                "position": i + 2,
                "carrier_org_id": str(org_id),
                "organisation_name": org.name,  # as at submission, like the parties
                "uscc": org.uscc,
                "site_id": str(site_id),
                "permit_id": str(p.id),
                "permit_number": p.number,
            }
        )
    plan = await plan_check.against_plan(session, m, lines, on.year) if m.purpose == "transfer" else None
    contract = await contract_check.at_submission(session, m, lines) if m.purpose == "transfer" else None
    pickup = gsite if m.pickup_site_id == gsite.id else await session.get(Site, m.pickup_site_id)
    m.distance_m = await checks.distance_between_sites(session, pickup or gsite, rsite)
    if outcome.exemption is not None:
        outcome.exemption.used_kg = outcome.exemption.used_kg + m.declared_kg
        m.exemption_id = outcome.exemption.id
        payload["exemption"] = {
            "id": str(outcome.exemption.id),
            "rule": outcome.rule,
            "used_kg": dec_str(m.declared_kg),
            "remaining_kg": dec_str(outcome.remaining_kg),
        }
    else:
        payload["exemption"] = None
    m.licence_id = lic.id if lic else None
    m.permit_id = permit.id
    number = await next_number(session, gsite.city_adcode, now)
    payload |= {
        "number": number,
        "declared_kg": dec_str(m.declared_kg),
        "distance_m": dec_str(m.distance_m, 1),
        "licence_id": str(lic.id) if lic else None,
        "licence_number": lic.number if lic else None,
        "permit_id": str(permit.id),
        "permit_number": permit.number,
        "generator_county": m.generator_county,
        "receiver_county": m.receiver_county,
        "generator_city": m.generator_city,
        "receiver_city": m.receiver_city,
        "parties": await parties.snapshot(session, m),
    }
    if handovers:
        payload["handovers"] = handovers
    if plan is not None:
        payload["plan"] = plan
    if contract is not None:
        payload["contract"] = contract
    await append(session, m, event_type, actor, payload, now=now)
    return m


async def submit(session: AsyncSession, actor: Principal, manifest_id: uuid.UUID, now: datetime | None = None) -> Manifest:
    m, event_type = await _locked_for(session, actor, manifest_id, Action.SUBMIT)
    return await _submit_locked(session, actor, m, event_type, now)


async def cancel(session: AsyncSession, actor: Principal, manifest_id: uuid.UUID, reason: str) -> Manifest:
    m, event_type = await _locked_for(session, actor, manifest_id, Action.CANCEL)
    payload: dict[str, Any] = {"reason": reason, "exemption_released_kg": None}
    if m.exemption_id:
        ex = (await session.execute(select(Exemption).where(Exemption.id == m.exemption_id).with_for_update())).scalar_one()
        ex.used_kg = max(Decimal(0), ex.used_kg - m.declared_kg)
        payload["exemption_released_kg"] = dec_str(m.declared_kg)
    await append(session, m, event_type, actor, payload)
    await ledger.release_manifest(session, actor, m.id, "manifest_cancelled")
    return m


# --- receipt and disposal -------------------------------------------------------------------------------


async def receive(
    session: AsyncSession,
    actor: Principal,
    manifest_id: uuid.UUID,
    *,
    decision: str,
    lines: list[dict[str, Any]],
    reason: str | None = None,
) -> Manifest:
    """Weighed quantity per line; accept, partially accept, or reject (with a reason)."""
    m, event_type = await _locked_for(session, actor, manifest_id, Action.RECEIVE)
    if decision not in ("accepted", "partial", "rejected"):
        raise Invalid("validation_error", {"field": "decision", "allowed": ["accepted", "partial", "rejected"]})
    if decision != "accepted" and not (reason or "").strip():
        raise Invalid("reason_required", {"decision": decision})
    stored = {ln.line_no: ln for ln in await get_lines(session, m.id)}
    given: dict[int, dict[str, Any]] = {}
    for x in lines:
        no = int(x["line_no"])
        if no in given:  # the last would silently win: a weighing typed twice must be looked at
            raise Invalid("duplicate_line_no", {"line_no": no})
        given[no] = x
    if set(given) != set(stored):
        raise Invalid("lines_mismatch", {"expected": sorted(stored), "given": sorted(given)})
    out = []
    total_received = total_accepted = Decimal(0)
    for no, ln in sorted(stored.items()):
        g = given[no]
        received = units.to_kg(g["quantity"], g.get("unit", "kg"))
        if decision == "accepted":
            accepted = received
        elif decision == "rejected":
            accepted = Decimal(0)
        else:
            if g.get("accepted_quantity") is None:
                raise Invalid(
                    "validation_error",
                    {"field": f"lines[{no}].accepted_quantity", "reason": "required for a partial acceptance"},
                )
            accepted = units.in_kg(g["accepted_quantity"], g.get("unit", "kg")).quantize(units.GRAM)
            if accepted < 0 or accepted > received:
                raise Invalid(
                    "accepted_out_of_range", {"line_no": no, "accepted_kg": dec_str(accepted), "received_kg": dec_str(received)}
                )
        ln.received_kg, ln.accepted_kg = received, accepted
        total_received += received
        total_accepted += accepted
        out.append({"line_no": no, "received_kg": dec_str(received), "accepted_kg": dec_str(accepted)})
    if decision == "partial" and total_accepted in (Decimal(0), total_received):
        raise Invalid(
            "partial_acceptance_invalid",
            {"accepted_kg": dec_str(total_accepted), "received_kg": dec_str(total_received)},
        )
    payload = {
        "decision": decision,
        "reason": (reason or "").strip() or None,
        "lines": out,
        "received_kg": dec_str(total_received),
        "accepted_kg": dec_str(total_accepted),
    }
    await append(session, m, event_type, actor, payload)
    return m


async def dispose(
    session: AsyncSession,
    actor: Principal,
    manifest_id: uuid.UUID,
    *,
    method_code: str,
    disposed_on: date,
    quantity: Decimal,
    unit: str = "kg",
) -> Manifest:
    m, event_type = await _locked_for(session, actor, manifest_id, Action.DISPOSE)
    await catalogue.check_method_codes(session, [method_code])
    lic = await session.get(Licence, m.licence_id) if m.licence_id else None
    if lic is not None and method_code not in lic.method_codes:
        raise Invalid("method_not_licensed", {"method": method_code, "licence": lic.number, "licensed_methods": lic.method_codes})
    kg = units.to_kg(quantity, unit)
    if m.accepted_kg is not None and kg > m.accepted_kg:
        raise Invalid("quantity_exceeds_accepted", {"quantity_kg": dec_str(kg), "accepted_kg": dec_str(m.accepted_kg)})
    today = clock.today()
    received_on = clock.local_date(m.received_at) if m.received_at else today
    if disposed_on > today or disposed_on < received_on:
        raise Invalid(
            "invalid_disposal_date",
            {"disposed_on": str(disposed_on), "received_on": str(received_on), "today": str(today)},
        )
    payload = {
        "method_code": method_code,
        "disposed_on": str(disposed_on),
        "quantity_kg": dec_str(kg),
        "licence_number": lic.number if lic else None,
    }
    await append(session, m, event_type, actor, payload)
    return m


# --- after a rejection -----------------------------------------------------------------------------------


async def request_return(session: AsyncSession, actor: Principal, manifest_id: uuid.UUID, note: str = "") -> Manifest:
    """Full rejection: the same truck brings the waste back (scanned like a pickup/drop-off).
    Partial acceptance: the rejected remainder goes back on a new linked return manifest."""
    m, event_type = await _locked_for(session, actor, manifest_id, Action.RETURN)
    if event_type == EventType.RETURN_REQUESTED:
        await append(session, m, event_type, actor, {"note": note})
        return m
    child = await _child(
        session,
        actor,
        m,
        receiver_site_id=m.generator_site_id,
        method=m.planned_method_code,
        purpose="return",
        remainder_only=True,
    )
    await append(session, m, event_type, actor, {"child_manifest_id": str(child.id), "note": note})
    return m


async def redirect(
    session: AsyncSession,
    actor: Principal,
    manifest_id: uuid.UUID,
    *,
    receiver_site_id: uuid.UUID,
    planned_method_code: str,
    carrier_org_id: uuid.UUID | None = None,
    note: str = "",
) -> Manifest:
    """Send rejected waste to another licensed receiver on a new, linked, submitted manifest."""
    m, event_type = await _locked_for(session, actor, manifest_id, Action.REDIRECT)
    child = await _child(
        session,
        actor,
        m,
        receiver_site_id=receiver_site_id,
        method=planned_method_code,
        purpose="transfer",
        remainder_only=event_type == EventType.REMAINDER_REDIRECTED,
        carrier_org_id=carrier_org_id,
    )
    await append(session, m, event_type, actor, {"child_manifest_id": str(child.id), "note": note})
    return child


async def _child(
    session: AsyncSession,
    actor: Principal,
    parent: Manifest,
    *,
    receiver_site_id: uuid.UUID,
    method: str,
    purpose: str,
    remainder_only: bool,
    carrier_org_id: uuid.UUID | None = None,
) -> Manifest:
    lines = []
    for ln in await get_lines(session, parent.id):
        qty = (
            (ln.received_kg or ln.declared_kg) - (ln.accepted_kg or Decimal(0))
            if remainder_only
            else (ln.received_kg or ln.declared_kg)
        )
        if qty > 0:
            lines.append(
                DraftLine(
                    waste_code=ln.waste_code,
                    description=ln.description,
                    physical_form=ln.physical_form,
                    quantity=qty,
                    container_type=ln.container_type,
                    container_count=ln.container_count,
                )
            )
    cmd = Draft(
        generator_site_id=parent.generator_site_id,
        carrier_org_id=carrier_org_id or parent.carrier_org_id,
        receiver_site_id=receiver_site_id,
        lines=tuple(lines),
        planned_method_code=method,
        planned_pickup_date=clock.today(),
        emergency_measures=parent.emergency_measures,
        emergency_contact=parent.emergency_contact,
        emergency_phone=parent.emergency_phone,
        notes=f"原联单 {parent.number} 被拒收的废物",  # shown to people: the form is in Chinese
    )
    child = await create_draft(session, actor, cmd, parent=parent, purpose=purpose, pickup_site_id=parent.receiver_site_id)
    event_type = decide(state_of(child), Action.SUBMIT)
    return await _submit_locked(session, actor, child, event_type)
