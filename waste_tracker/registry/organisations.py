"""Organisations and their sites.

Visibility: receivers and carriers form a public directory (a generator must be able to choose
them); a pure generator's organisation and sites are private to it, to regulators whose
jurisdiction holds one of its sites, and to admins.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import ColumnElement, and_, any_, exists, literal, or_, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker.auth.principal import Principal
from waste_tracker.db import add_unique
from waste_tracker.errors import Conflict, Forbidden, Invalid, NotFound
from waste_tracker.models import Organisation, OrganisationIdentity, Site
from waste_tracker.registry.jurisdictions import require_county
from waste_tracker.registry.uscc import normalise_uscc

ORG_ROLES = ("generator", "carrier", "receiver")
PUBLIC_ROLES = ["carrier", "receiver"]


def _public_org(org_roles: Any) -> ColumnElement[bool]:
    """The organisation has a role of the public directory (array overlap, ``&&``)."""
    return col(org_roles).op("&&")(PUBLIC_ROLES)


def _visible_orgs_clause(actor: Principal) -> ColumnElement[bool]:
    if actor.is_admin:
        return true()
    public = _public_org(Organisation.roles)
    if actor.is_regulator:
        in_scope = exists().where(
            and_(col(Site.organisation_id) == Organisation.id, col(Site.county_adcode).in_(list(actor.county_scope or [])))
        )
        return or_(public, in_scope)
    return or_(public, col(Organisation.id) == actor.organisation_id)


async def create_organisation(
    session: AsyncSession,
    actor: Principal | None,
    *,
    name: str,
    uscc: str,
    roles: list[str],
    industry: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    address: str = "",
) -> Organisation:
    if actor is not None:
        actor.require("admin")
    code = normalise_uscc(uscc)
    roles = sorted(set(roles))
    if not roles or any(r not in ORG_ROLES for r in roles):
        raise Invalid("validation_error", {"field": "roles", "allowed": list(ORG_ROLES)})
    if (await session.execute(select(Organisation.id).where(Organisation.uscc == code))).first():
        raise Conflict("duplicate_uscc", {"uscc": code})
    org = Organisation(
        name=name.strip(),
        uscc=code,
        roles=roles,
        industry=industry,
        contact_name=contact_name,
        contact_phone=contact_phone,
        address=address,
    )
    await add_unique(session, org, Conflict("duplicate_uscc", {"uscc": code}))
    session.add(
        OrganisationIdentity(
            organisation_id=org.id, name=org.name, uscc=code, reason="registered", changed_by=actor.user_id if actor else None
        )
    )
    await session.flush()
    return org


async def get_organisation(session: AsyncSession, actor: Principal, org_id: uuid.UUID) -> Organisation:
    org = (
        await session.execute(select(Organisation).where(Organisation.id == org_id, _visible_orgs_clause(actor)))
    ).scalar_one_or_none()
    if org is None:
        raise NotFound("organisation", org_id)
    return org


async def list_organisations(
    session: AsyncSession,
    actor: Principal,
    role: str | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Organisation]:
    stmt = select(Organisation).where(_visible_orgs_clause(actor))
    if role:
        stmt = stmt.where(literal(role) == any_(col(Organisation.roles)))
    if q:
        like = "%" + q.replace("%", r"\%").replace("_", r"\_") + "%"
        stmt = stmt.where(or_(col(Organisation.name).ilike(like), col(Organisation.uscc).ilike(like)))
    stmt = stmt.order_by(col(Organisation.name), col(Organisation.id)).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars())


async def update_organisation(session: AsyncSession, actor: Principal, org_id: uuid.UUID, **changes: object) -> Organisation:
    org = await get_organisation(session, actor, org_id)
    if not (actor.is_admin or (actor.role == "enterprise" and actor.owns(org.id))):
        raise Forbidden()
    allowed = {"industry", "contact_name", "contact_phone", "address"}
    if actor.is_admin:
        allowed |= {"roles"}
    for key, value in changes.items():
        if value is None:
            continue
        if key in ("name", "uscc"):
            # The legal identity is not the enterprise's to edit: see change_identity.
            raise Forbidden("legal_identity_change", {"field": key})
        if key not in allowed:
            raise Forbidden("forbidden", {"field": key})
        if key == "roles":
            roles = sorted(set(value)) if isinstance(value, list | tuple | set) else []
            if not roles or any(r not in ORG_ROLES for r in roles):
                raise Invalid("validation_error", {"field": "roles", "allowed": list(ORG_ROLES)})
            value = roles
        setattr(org, key, value)
    await session.flush()
    return org


async def change_identity(
    session: AsyncSession,
    actor: Principal,
    org_id: uuid.UUID,
    *,
    reason: str,
    name: str | None = None,
    uscc: str | None = None,
) -> Organisation:
    """A change of legal name or 统一社会信用代码 (after a registration change at the market
    regulator): a regulator whose jurisdiction holds one of the organisation's sites, or an admin,
    records it with the reason; the old identity stays in the history, and submitted manifests
    keep the names they were submitted under."""
    actor.require("regulator", "admin")
    org = await session.get(Organisation, org_id)
    if org is None:
        raise NotFound("organisation", org_id)
    if not actor.is_admin:
        counties = (await session.execute(select(Site.county_adcode).where(Site.organisation_id == org.id))).scalars().all()
        if not actor.in_scope(*counties):
            raise Forbidden("outside_jurisdiction", {"organisation_id": str(org.id)})
    if not reason.strip():
        raise Invalid("reason_required", {})
    new_name = name.strip() if name is not None else org.name
    new_code = normalise_uscc(uscc) if uscc is not None else org.uscc
    if (new_name, new_code) == (org.name, org.uscc):
        raise Invalid("identity_unchanged", {"name": org.name, "uscc": org.uscc})
    taken = (
        await session.execute(
            select(Organisation.name, Organisation.uscc).where(
                Organisation.id != org.id, or_(col(Organisation.name) == new_name, col(Organisation.uscc) == new_code)
            )
        )
    ).first()
    if taken is not None:
        code = "duplicate_uscc" if taken.uscc == new_code else "duplicate_name"
        raise Conflict(code, {"uscc": new_code, "name": new_name})
    org.name, org.uscc = new_name, new_code
    identity = OrganisationIdentity(
        organisation_id=org.id, name=new_name, uscc=new_code, reason=reason.strip(), changed_by=actor.user_id
    )
    session.add(identity)
    await session.flush()
    return org


async def identity_history(session: AsyncSession, actor: Principal, org_id: uuid.UUID) -> list[OrganisationIdentity]:
    """Every legal identity the organisation has held, oldest first (visible to whoever sees it)."""
    await get_organisation(session, actor, org_id)
    stmt = select(OrganisationIdentity).where(OrganisationIdentity.organisation_id == org_id)
    return list(
        (await session.execute(stmt.order_by(col(OrganisationIdentity.created_at), col(OrganisationIdentity.id)))).scalars()
    )


# --- sites ---------------------------------------------------------------------------------------


def _visible_sites_clause(actor: Principal) -> ColumnElement[bool]:
    if actor.is_admin:
        return true()
    public_org = exists().where(and_(col(Organisation.id) == Site.organisation_id, _public_org(Organisation.roles)))
    if actor.is_regulator:
        return or_(public_org, col(Site.county_adcode).in_(list(actor.county_scope or [])))
    return or_(public_org, col(Site.organisation_id) == actor.organisation_id)


SITE_KINDS = ("facility", "parking", "transit", "collection")


async def create_site(
    session: AsyncSession,
    actor: Principal | None,
    *,
    organisation_id: uuid.UUID,
    name: str,
    lon: float,
    lat: float,
    address: str = "",
    county_adcode: int | None = None,
    kind: str = "facility",
) -> Site:
    """Create a site; its county is derived from the location in PostGIS and must agree with any
    county the caller declared."""
    if kind not in SITE_KINDS:
        raise Invalid("validation_error", {"field": "kind", "allowed": list(SITE_KINDS)})
    if actor is not None and not (actor.is_admin or (actor.role == "enterprise" and actor.owns(organisation_id))):
        raise Forbidden()
    org = await session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("organisation", organisation_id)
    hit = await require_county(session, lon, lat)
    if county_adcode is not None and county_adcode != hit.county_adcode:
        raise Invalid("county_mismatch", {"declared": county_adcode, "actual": hit.county_adcode, "actual_name": hit.name})
    site = Site(
        organisation_id=organisation_id,
        name=name.strip(),
        address=address,
        location=f"SRID=4326;POINT({lon!r} {lat!r})",
        county_adcode=hit.county_adcode,
        city_adcode=hit.city_adcode,
        kind=kind,
    )
    session.add(site)
    await session.flush()
    await session.refresh(site)
    return site


async def get_site(session: AsyncSession, actor: Principal, site_id: uuid.UUID) -> Site:
    site = (await session.execute(select(Site).where(Site.id == site_id, _visible_sites_clause(actor)))).scalar_one_or_none()
    if site is None:
        raise NotFound("site", site_id)
    return site


async def list_sites(
    session: AsyncSession,
    actor: Principal,
    organisation_id: uuid.UUID | None = None,
    county: int | None = None,
    limit: int = 200,
    offset: int = 0,
    kinds: Sequence[str] | None = None,
) -> list[Site]:
    stmt = select(Site).where(_visible_sites_clause(actor))
    if organisation_id:
        stmt = stmt.where(Site.organisation_id == organisation_id)
    if kinds:
        stmt = stmt.where(col(Site.kind).in_(list(kinds)))
    if county:
        stmt = stmt.where(Site.county_adcode == county)
    stmt = stmt.order_by(col(Site.name), col(Site.id)).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars())


def site_lonlat(site: Site) -> tuple[float, float]:
    p = to_shape(site.location)
    return p.x, p.y
