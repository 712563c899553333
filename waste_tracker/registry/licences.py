"""Receivers' licences, carriers' transport permits and vehicles.

Licences and permits are public records (the bureau publishes them); registering one is an
admin's or a regulator's act. A carrier registers its own vehicles.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import any_, literal, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.db import add_unique
from waste_tracker.errors import Conflict, Forbidden, Invalid, NotFound
from waste_tracker.models import Licence, Organisation, Site, TransportPermit, Vehicle
from waste_tracker.registry import catalogue


def licence_covers(licence: Licence, code: str, category: str, method: str | None, on: date) -> bool:
    """Pure check: does this licence allow this waste (by code or whole category) and method on a day?"""
    if not (licence.valid_from <= on <= licence.valid_to):
        return False
    if code not in licence.waste_codes and category not in licence.waste_categories:
        return False
    return method is None or method in licence.method_codes


async def create_licence(
    session: AsyncSession,
    actor: Principal | None,
    *,
    site_id: uuid.UUID,
    number: str,
    kind: str,
    method_codes: list[str],
    annual_capacity_t: Decimal,
    valid_from: date,
    valid_to: date,
    waste_codes: list[str] | None = None,
    waste_categories: list[str] | None = None,
) -> Licence:
    site = await session.get(Site, site_id)
    if site is None:
        raise NotFound("site", site_id)
    if actor is not None and not (actor.is_admin or (actor.is_regulator and actor.in_scope(site.county_adcode))):
        raise Forbidden()
    org = await session.get(Organisation, site.organisation_id)
    if org is None or "receiver" not in org.roles:
        raise Invalid("organisation_role_missing", {"role": "receiver"})
    if valid_from > valid_to:
        raise Invalid("invalid_validity_window", {"valid_from": str(valid_from), "valid_to": str(valid_to)})
    if kind not in ("hazardous", "general"):
        raise Invalid("validation_error", {"field": "kind", "allowed": ["hazardous", "general"]})
    codes = sorted(set(waste_codes or []))
    cats = sorted({c.upper() for c in (waste_categories or [])})
    if not codes and not cats:
        raise Invalid("validation_error", {"field": "waste_codes", "reason": "a licence covers at least one code"})
    if codes:
        await catalogue.resolve_codes(session, codes)
    known = await catalogue.known_categories(session)
    for c in cats:
        if c not in known:
            raise Invalid("unknown_waste_code", {"code": c})
    if not method_codes:
        raise Invalid("validation_error", {"field": "method_codes", "reason": "at least one method"})
    await catalogue.check_method_codes(session, method_codes)
    if (await session.execute(select(Licence.id).where(Licence.number == number))).first():
        raise Conflict("duplicate_number", {"number": number})
    lic = Licence(
        site_id=site_id,
        number=number,
        kind=kind,
        waste_codes=codes,
        waste_categories=cats,
        method_codes=sorted(set(method_codes)),
        annual_capacity_t=annual_capacity_t,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    return await add_unique(session, lic, Conflict("duplicate_number", {"number": number}))


async def list_licences(
    session: AsyncSession,
    actor: Principal,
    site_id: uuid.UUID | None = None,
    covers: str | None = None,
    valid_on: date | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[Licence]:
    stmt = select(Licence)
    if site_id:
        stmt = stmt.where(Licence.site_id == site_id)
    if covers:
        category = "HW" + covers[-2:] if catalogue.HW_CODE.match(covers) else covers
        stmt = stmt.where(
            or_(
                literal(covers) == any_(col(Licence.waste_codes)),
                literal(category.upper()) == any_(col(Licence.waste_categories)),
            )
        )
    if valid_on:
        stmt = stmt.where(Licence.valid_from <= valid_on, Licence.valid_to >= valid_on)
    stmt = stmt.order_by(Licence.number).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars())


async def get_licence(session: AsyncSession, actor: Principal, licence_id: uuid.UUID) -> Licence:
    lic = await session.get(Licence, licence_id)
    if lic is None:
        raise NotFound("licence", licence_id)
    return lic


# --- carriers ------------------------------------------------------------------------------------


async def _carrier(session: AsyncSession, organisation_id: uuid.UUID) -> Organisation:
    org = await session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("organisation", organisation_id)
    if "carrier" not in org.roles:
        raise Invalid("organisation_role_missing", {"role": "carrier"})
    return org


async def create_permit(
    session: AsyncSession,
    actor: Principal | None,
    *,
    organisation_id: uuid.UUID,
    number: str,
    hazardous_allowed: bool,
    valid_from: date,
    valid_to: date,
) -> TransportPermit:
    carrier = await _carrier(session, organisation_id)
    if actor is not None:
        await _require_permit_authority(session, actor, carrier)
    if valid_from > valid_to:
        raise Invalid("invalid_validity_window", {"valid_from": str(valid_from), "valid_to": str(valid_to)})
    if (await session.execute(select(TransportPermit.id).where(TransportPermit.number == number))).first():
        raise Conflict("duplicate_number", {"number": number})
    permit = TransportPermit(
        organisation_id=organisation_id,
        number=number,
        hazardous_allowed=hazardous_allowed,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    session.add(permit)
    await session.flush()
    return permit


async def _carrier_counties(session: AsyncSession, carrier: Organisation) -> set[int]:
    """Where a carrier is based: the county its 统一社会信用代码 was issued in (characters 3-8),
    and the counties of its registered sites (depots)."""
    counties = set((await session.execute(select(Site.county_adcode).where(Site.organisation_id == carrier.id))).scalars())
    region = carrier.uscc[2:8]
    if region.isdigit():
        counties.add(int(region))
    return counties


async def _require_permit_authority(session: AsyncSession, actor: Principal, carrier: Organisation) -> None:
    """Dangerous-goods road transport permits are issued by the city-level transport authority of
    the carrier's home: an admin, or a city (or provincial) regulator whose jurisdiction holds it."""
    if actor.is_admin:
        return
    if not actor.is_regulator:
        raise Forbidden()
    if not actor.is_city_regulator:
        raise Forbidden("city_regulator_required", {"what": "transport_permit"})
    if not actor.in_scope(*await _carrier_counties(session, carrier)):
        raise Forbidden("outside_jurisdiction", {"organisation_id": str(carrier.id)})


async def revoke_permit(session: AsyncSession, actor: Principal, permit_id: uuid.UUID, reason: str) -> TransportPermit:
    """Revoke a permit: it stays on record with who, when and why, and carries no new manifest
    (manifests already submitted under it keep the permit they were submitted with)."""
    permit = await session.get(TransportPermit, permit_id)
    if permit is None:
        raise NotFound("transport_permit", permit_id)
    carrier = await _carrier(session, permit.organisation_id)
    await _require_permit_authority(session, actor, carrier)
    if not reason.strip():
        raise Invalid("reason_required", {})
    if permit.revoked_at is not None:
        raise Conflict("already_revoked", {"number": permit.number, "revoked_at": permit.revoked_at.isoformat()})
    permit.revoked_at, permit.revoked_by, permit.revoke_reason = clock.now(), actor.user_id, reason.strip()
    await session.flush()
    return permit


async def list_permits(
    session: AsyncSession, actor: Principal, organisation_id: uuid.UUID | None = None
) -> list[TransportPermit]:
    stmt = select(TransportPermit)
    if organisation_id:
        stmt = stmt.where(TransportPermit.organisation_id == organisation_id)
    return list((await session.execute(stmt.order_by(TransportPermit.number))).scalars())


def _may_manage_fleet(actor: Principal, organisation_id: uuid.UUID) -> bool:
    return actor.is_admin or (actor.role == "enterprise" and actor.owns(organisation_id) and actor.acts_as("carrier"))


def normalise_plate(plate: str) -> str:
    return "".join(plate.split()).upper()


async def create_vehicle(
    session: AsyncSession,
    actor: Principal | None,
    *,
    organisation_id: uuid.UUID,
    plate: str,
    capacity_kg: Decimal,
    permit_id: uuid.UUID | None = None,
) -> Vehicle:
    if actor is not None and not _may_manage_fleet(actor, organisation_id):
        raise Forbidden()
    await _carrier(session, organisation_id)
    if permit_id is not None:
        permit = await session.get(TransportPermit, permit_id)
        if permit is None or permit.organisation_id != organisation_id:
            raise NotFound("transport_permit", permit_id)
    plate = normalise_plate(plate)
    if (await session.execute(select(Vehicle.id).where(Vehicle.plate == plate))).first():
        raise Conflict("duplicate_plate", {"plate": plate})
    v = Vehicle(organisation_id=organisation_id, plate=plate, capacity_kg=capacity_kg, permit_id=permit_id)
    session.add(v)
    await session.flush()
    return v


async def list_vehicles(session: AsyncSession, actor: Principal, organisation_id: uuid.UUID | None = None) -> list[Vehicle]:
    stmt = select(Vehicle)
    if not (actor.is_admin or actor.is_regulator):
        if actor.organisation_id is None:
            raise Forbidden()
        stmt = stmt.where(Vehicle.organisation_id == actor.organisation_id)
    if organisation_id:
        stmt = stmt.where(Vehicle.organisation_id == organisation_id)
    return list((await session.execute(stmt.order_by(Vehicle.plate))).scalars())
