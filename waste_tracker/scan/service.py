"""Scans: a driver scans the label's QR at pickup, at each handover to the next carrier, and at
drop-off, with the phone's GPS.

With several carriers (Art. 17), each step belongs to one of them: the first picks up, the next
one listed takes over at its handover site (with both trucks' plates and the quantity it checked),
and the last drops off; a carrier scanning out of turn gets ``carrier_out_of_order``.

The geofence compares the scan's location with the site where the step should happen (PostGIS
geography distance); a scan outside it, or without a location, is still recorded, with a finding.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from waste_tracker import clock, units
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Conflict, Forbidden, Invalid
from waste_tracker.ledger import service as ledger
from waste_tracker.manifest import access
from waste_tracker.manifest.events import append, dec_str, state_of
from waste_tracker.manifest.lifecycle import TOKEN_DEAD, Action, EventType, Side, Status, step
from waste_tracker.models import Manifest, ManifestEvent
from waste_tracker.registry.licences import normalise_plate
from waste_tracker.scan.tokens import check_code_matches, check_signature, normalise_check_code, parse_token

MAX_DEVICE_CLOCK_SKEW = timedelta(minutes=10)
MAX_DEVICE_AGE = timedelta(days=10)  # a queued offline scan may arrive late, not years late


@dataclass
class ScanResult:
    manifest: Manifest
    event: ManifestEvent
    findings: list[dict[str, Any]]


async def _manifest_for_token(
    session: AsyncSession, secret: str, token: str | None, number: str | None = None, code: str | None = None
) -> Manifest:
    """The manifest the token (or the label's number and check code, typed by hand) names, locked
    ``FOR UPDATE`` (one round trip: found and locked by its number; the signature or the check
    code is checked before anything else is done with it)."""
    if token:
        number, signature = parse_token(token)
    elif number and code:
        normalise_check_code(code)  # a malformed code is refused before the database is asked
        signature = None
    else:
        raise Invalid("validation_error", {"field": "token", "reason": "the QR token, or the number and check code"})
    m = (
        await session.execute(
            select(Manifest).where(Manifest.number == number).with_for_update().execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if m is None:
        raise Invalid("invalid_check_code" if signature is None else "invalid_qr_token", {"reason": "unknown"})
    if signature is not None:
        check_signature(secret, m.id, number, signature)
    else:
        assert code is not None
        check_code_matches(secret, m.id, number, code)
    return m


_ACTIONS = {"pickup": Action.PICKUP, "handover": Action.HANDOVER, "dropoff": Action.DROPOFF}


def _carrier_in_turn(actor: Principal, m: Manifest, act: Action) -> uuid.UUID:
    """The carrier whose step this is: the first picks up, the next listed takes over, the one
    holding the load drops it off (and takes it back after a rejection). A driver of another
    carrier of the manifest is out of turn."""
    carriers = m.carrier_org_ids
    # A return pickup (after a rejection) is the last carrier's, who brings the load back.
    first_pickup = act == Action.PICKUP and m.status == Status.SUBMITTED
    position = 1 if first_pickup else m.leg + 1 if act == Action.HANDOVER else m.leg
    expected = carriers[position - 1]
    if actor.organisation_id != expected:
        raise Conflict(
            "carrier_out_of_order",
            {
                "number": m.number,
                "action": str(act),
                "expected_position": position,
                "your_positions": [i + 1 for i, c in enumerate(carriers) if c == actor.organisation_id],
            },
        )
    return expected


def _handover(
    m: Manifest, carrier: uuid.UUID, plate: str | None, from_plate: str | None, findings: list[dict[str, Any]]
) -> dict[str, Any]:
    """What a handover records: who hands over to whom, and both trucks (the one handing over as
    the driver read it, checked against the truck that holds the load)."""
    holding = m.vehicle_plate
    given = normalise_plate(from_plate) if from_plate else None
    if given and holding and given != holding:
        findings.append(
            {"code": "handover_from_other_vehicle", "severity": "warning", "holding": holding, "handed_over_by": given}
        )
    return {
        "position": m.leg + 1,
        "from_carrier_org_id": str(m.current_carrier_org_id),
        "to_carrier_org_id": str(carrier),
        "from_vehicle_plate": given or holding,
        "to_vehicle_plate": plate,
    }


async def scan(
    session: AsyncSession,
    actor: Principal,
    *,
    secret: str,
    token: str | None,
    action: str,
    lon: float | None,
    lat: float | None,
    accuracy_m: float | None,
    device_time: datetime | None,
    vehicle_plate: str | None,
    quantity_kg: Decimal | None,
    geofence_m: float,
    now: datetime | None = None,
    container_codes: list[str] | None = None,
    confirmed_container_count: int | None = None,
    from_vehicle_plate: str | None = None,
    number: str | None = None,
    check_code: str | None = None,
) -> ScanResult:
    """One scan: of the label's QR (``token``), or of what is printed beside it (``number`` and
    ``check_code``) when the camera cannot read it."""
    now = now or clock.now()
    m = await _manifest_for_token(session, secret, token, number, check_code)
    # Who first: a stranger holding the label learns nothing about the manifest's state.
    if Side.CARRIER not in access.party_of(actor, m):
        raise Forbidden("wrong_carrier", {"number": m.number})
    if m.status == Status.CANCELLED:
        raise Conflict("manifest_cancelled", {"number": m.number, "status": m.status})
    if m.status in TOKEN_DEAD:
        raise Conflict("manifest_closed", {"number": m.number, "status": m.status})
    act = _ACTIONS.get(action)
    if act is None:
        raise Invalid("validation_error", {"field": "action", "allowed": list(_ACTIONS)})
    st = step(state_of(m), act)
    carrier = _carrier_in_turn(actor, m, act)
    if device_time is not None:
        if device_time.tzinfo is None:
            raise Invalid("timestamp_without_zone", {"field": "device_time"})
        if device_time > now + MAX_DEVICE_CLOCK_SKEW or device_time < now - MAX_DEVICE_AGE:
            raise Invalid("device_time_out_of_range", {"device_time": device_time.isoformat(), "server_time": now.isoformat()})
    plate = normalise_plate(vehicle_plate) if vehicle_plate else None
    needs_vehicle = act in (Action.PICKUP, Action.HANDOVER)
    if needs_vehicle and not plate:
        raise Invalid("vehicle_required", {})
    if act == Action.HANDOVER and quantity_kg is None:
        raise Invalid("handover_quantity_required", {"number": m.number})
    # Where this step should happen (the transition table says): pickups at the pickup site (the
    # generator, or the receiver that rejected the load); handovers at the listed site; drop-offs at
    # the receiver (or back at the generator on a return).
    assert st.at is not None  # every scanned step names its site
    site_id = getattr(m, st.at)
    located = lon is not None and lat is not None
    owner: Any = None
    dist: Any = None
    if needs_vehicle or located:
        # The truck's owner and the distance to the site, in one round trip.
        owner, dist = (
            await session.execute(
                text(
                    "SELECT (SELECT organisation_id FROM vehicle WHERE plate = :plate), "
                    "(SELECT ST_Distance(location::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography) "
                    "FROM site WHERE id = :s)"
                ),
                {"plate": plate if needs_vehicle else None, "lon": lon, "lat": lat, "s": site_id},
            )
        ).one()
    if needs_vehicle and owner != carrier:
        raise Invalid("unknown_vehicle", {"plate": plate})
    findings: list[dict[str, Any]] = []
    if not located:
        findings.append({"code": "scan_without_location", "severity": "warning", "site_id": str(site_id)})
    else:
        dist = float(dist)
        if dist > geofence_m:
            findings.append(
                {
                    "code": "scan_outside_geofence",
                    "severity": "warning",
                    "site_id": str(site_id),
                    "distance_m": f"{dist:.1f}",
                    "radius_m": f"{geofence_m:.1f}",
                }
            )
    if plate and m.vehicle_plate and plate != m.vehicle_plate and act == Action.DROPOFF:
        findings.append(
            {"code": "vehicle_changed", "severity": "warning", "picked_up_by": m.vehicle_plate, "dropped_off_by": plate}
        )
    payload: dict[str, Any] = {"action": action, "site_id": str(site_id), "findings": findings}
    if act == Action.HANDOVER:
        payload |= _handover(m, carrier, plate, from_vehicle_plate, findings)
    containers: list[Any] = []
    if st.event == EventType.PICKED_UP:
        # A manifest filled from the ledger: the driver accounts for every container (HJ 1259 §6).
        containers, check = await ledger.check_pickup(session, m.id, container_codes, confirmed_container_count)
        if check is not None:
            payload["containers"] = check
    if quantity_kg is not None:
        payload["quantity_kg"] = dec_str(units.to_kg(quantity_kg, "kg"))
    ev = await append(
        session,
        m,
        st.event,
        actor,
        payload,
        device_time=device_time,
        lon=lon,
        lat=lat,
        accuracy_m=accuracy_m,
        vehicle_plate=plate or m.vehicle_plate,
        now=now,
        findings=findings,
        geofence_m=geofence_m,
    )
    if containers:
        await ledger.store_out(session, actor, containers, m.id, now)
    return ScanResult(manifest=m, event=ev, findings=findings)
