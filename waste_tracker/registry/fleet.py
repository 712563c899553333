"""A carrier's fleet as a generator sees it when filing: its road transport permits with their
validity on the pickup day, its trucks (plate, capacity, permit) and its active drivers by name.

Plates and permit numbers are on the trucks' doors and the permits are public; a driver is named
so the generator can say who it expects. Phone numbers and accounts stay private."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Forbidden, NotFound
from waste_tracker.models import TransportPermit, User, Vehicle
from waste_tracker.registry.organisations import get_organisation

READERS = frozenset({"enterprise", "regulator", "admin"})


@dataclass(frozen=True)
class PermitView:
    number: str
    hazardous_allowed: bool
    valid_from: date
    valid_to: date
    valid_on_day: bool  # valid (and not revoked) on the day asked about
    days_left: int  # from that day to the end of validity (negative: expired)


@dataclass(frozen=True)
class VehicleView:
    plate: str
    capacity_kg: Decimal
    permit_number: str | None
    permit_valid_to: date | None


@dataclass(frozen=True)
class DriverView:
    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class Fleet:
    carrier_org_id: uuid.UUID
    on: date
    permits: list[PermitView]
    vehicles: list[VehicleView]
    drivers: list[DriverView]


async def carrier_fleet(session: AsyncSession, actor: Principal, carrier_org_id: uuid.UUID, on: date) -> Fleet:
    """Read by those who choose or oversee carriers: enterprise users (filing), regulators, admins."""
    if actor.role not in READERS:
        raise Forbidden("forbidden", {"required_roles": sorted(READERS), "role": actor.role})
    org = await get_organisation(session, actor, carrier_org_id)
    if "carrier" not in org.roles:
        raise NotFound("carrier", carrier_org_id)
    permits = list(
        (
            await session.execute(
                select(TransportPermit)
                .where(TransportPermit.organisation_id == org.id)
                .order_by(col(TransportPermit.valid_to).desc())
            )
        ).scalars()
    )
    by_id = {p.id: p for p in permits}
    vehicles = (
        await session.execute(select(Vehicle).where(Vehicle.organisation_id == org.id).order_by(col(Vehicle.plate)))
    ).scalars()
    drivers = (
        await session.execute(
            select(User.id, User.display_name, User.username)
            .where(User.organisation_id == org.id, User.role == "driver", col(User.is_active).is_(True))
            .order_by(col(User.display_name), col(User.username))
        )
    ).all()
    return Fleet(
        carrier_org_id=org.id,
        on=on,
        permits=[
            PermitView(
                number=p.number,
                hazardous_allowed=p.hazardous_allowed,
                valid_from=p.valid_from,
                valid_to=p.valid_to,
                valid_on_day=p.revoked_at is None and p.valid_from <= on <= p.valid_to,
                days_left=(p.valid_to - on).days,
            )
            for p in permits
        ],
        vehicles=[
            VehicleView(
                plate=v.plate,
                capacity_kg=v.capacity_kg,
                permit_number=by_id[v.permit_id].number if v.permit_id in by_id else None,
                permit_valid_to=by_id[v.permit_id].valid_to if v.permit_id in by_id else None,
            )
            for v in vehicles
        ],
        drivers=[DriverView(id=i, name=d or u) for i, d, u in drivers],
    )


__all__ = ["DriverView", "Fleet", "PermitView", "VehicleView", "carrier_fleet"]
