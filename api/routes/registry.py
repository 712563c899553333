"""Registry endpoints: jurisdictions, waste codes, method codes, organisations, sites, licences,
transport permits and vehicles."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from fastapi import APIRouter, Query

from api.deps import ANY_USER, PrincipalDep, SessionDep, permission
from schemas.common import ERROR_RESPONSES, PointGeoJSON
from schemas.registry import (
    CatalogueEditionPublic,
    FleetPublic,
    IdentityChange,
    IdentityPublic,
    JurisdictionPublic,
    LicenceCreate,
    LicencePublic,
    MethodCodePublic,
    OrganisationCreate,
    OrganisationPublic,
    OrganisationUpdate,
    PermitCreate,
    PermitPublic,
    RevokeIn,
    SiteCreate,
    SitePublic,
    VehicleCreate,
    VehiclePublic,
    WasteCodePublic,
    WasteCodesPublic,
)
from waste_tracker import clock
from waste_tracker.models import Site
from waste_tracker.registry import catalogue, editions, fleet, jurisdictions, licences, organisations

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


def _jurisdiction(row: dict) -> JurisdictionPublic:
    return JurisdictionPublic(
        adcode=row["adcode"],
        level=row["level"],
        parent_adcode=row["parent_adcode"],
        name=row["name"],
        name_en=row["name_en"],
        label_point=PointGeoJSON.of(row["lon"], row["lat"]),
        area_km2=round(row["area_km2"], 1),
        geometry=row.get("geometry"),
    )


@router.get("/jurisdictions", response_model=list[JurisdictionPublic], tags=["registry"], openapi_extra=ANY_USER)
async def list_jurisdictions(
    principal: PrincipalDep,
    session: SessionDep,
    level: Literal["province", "city", "county"] | None = None,
    parent: int | None = Query(default=None, description="Parent adcode, e.g. 330400 for Jiaxing's counties"),
    geometry: bool = Query(default=False, description="Include the GeoJSON boundary"),
) -> list[JurisdictionPublic]:
    return [_jurisdiction(r) for r in await jurisdictions.list_jurisdictions(session, level, parent, geometry)]


@router.get("/jurisdictions/locate", response_model=JurisdictionPublic, tags=["registry"], openapi_extra=ANY_USER)
async def locate(
    principal: PrincipalDep,
    session: SessionDep,
    lon: float = Query(ge=-180, le=180),
    lat: float = Query(ge=-90, le=90),
) -> JurisdictionPublic:
    """The county that covers a WGS-84 point."""
    hit = await jurisdictions.require_county(session, lon, lat)
    return _jurisdiction(await jurisdictions.get_jurisdiction(session, hit.county_adcode))


@router.get("/jurisdictions/{adcode}", response_model=JurisdictionPublic, tags=["registry"], openapi_extra=ANY_USER)
async def get_jurisdiction(
    adcode: int, principal: PrincipalDep, session: SessionDep, geometry: bool = False
) -> JurisdictionPublic:
    return _jurisdiction(await jurisdictions.get_jurisdiction(session, adcode, geometry))


@router.get("/waste-codes", response_model=WasteCodesPublic, tags=["catalogue"], openapi_extra=ANY_USER)
async def search_waste_codes(
    principal: PrincipalDep,
    session: SessionDep,
    q: str | None = Query(default=None, max_length=100, description="A code prefix or words, e.g. 废矿物油"),
    kind: Literal["hazardous", "general"] | None = None,
    category: str | None = Query(default=None, max_length=8),
    edition: str | None = Query(default=None, max_length=16, description="Default: the edition new records use today"),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=100_000),
) -> WasteCodesPublic:
    ed = edition or await editions.in_force(session, clock.today())
    rows, total = await catalogue.search(session, q, kind, category, ed, limit, offset)
    return WasteCodesPublic(items=[WasteCodePublic(**r) for r in rows], total=total)


@router.get("/waste-codes/{code}", response_model=WasteCodePublic, tags=["catalogue"], openapi_extra=ANY_USER)
async def get_waste_code(
    code: str,
    principal: PrincipalDep,
    session: SessionDep,
    edition: str | None = Query(default=None, max_length=16, description="Default: the edition new records use today"),
) -> WasteCodePublic:
    ed = edition or await editions.in_force(session, clock.today())
    entry = await catalogue.get_code(session, code, ed)
    changes = (await editions.changes_for(session, [code], ed)).get(code, [])
    return WasteCodePublic(**entry, changes=changes)


@router.get("/catalogue/editions", response_model=list[CatalogueEditionPublic], tags=["catalogue"], openapi_extra=ANY_USER)
async def list_catalogue_editions(principal: PrincipalDep, session: SessionDep) -> list[CatalogueEditionPublic]:
    """The editions of the National Hazardous Waste List: in force from, the official count, how
    much is loaded, what is missing, and which one new records use."""
    current = await editions.in_force(session, clock.today())
    return [
        CatalogueEditionPublic(**e, used_for_new_records=e["edition"] == current) for e in await editions.list_editions(session)
    ]


@router.get("/method-codes", response_model=list[MethodCodePublic], tags=["catalogue"], openapi_extra=ANY_USER)
async def list_method_codes(principal: PrincipalDep, session: SessionDep) -> list[MethodCodePublic]:
    return [MethodCodePublic(**r) for r in await catalogue.list_methods(session)]


# --- organisations and sites -----------------------------------------------------------------------


@router.post(
    "/organisations",
    response_model=OrganisationPublic,
    status_code=201,
    tags=["registry"],
    openapi_extra=permission("admin"),
)
async def create_organisation(body: OrganisationCreate, principal: PrincipalDep, session: SessionDep) -> OrganisationPublic:
    org = await organisations.create_organisation(session, principal, **body.model_dump())
    return OrganisationPublic.model_validate(org)


@router.get(
    "/organisations",
    response_model=list[OrganisationPublic],
    tags=["registry"],
    openapi_extra=permission(
        "enterprise",
        "driver",
        "regulator",
        "admin",
        note="carriers and receivers are a public directory; others only their own",
    ),
)
async def list_organisations(
    principal: PrincipalDep,
    session: SessionDep,
    role: Literal["generator", "carrier", "receiver"] | None = None,
    q: str | None = Query(default=None, max_length=100),
    limit: int = Query(default=100, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
) -> list[OrganisationPublic]:
    orgs = await organisations.list_organisations(session, principal, role, q, limit, offset)
    return [OrganisationPublic.model_validate(o) for o in orgs]


@router.get("/organisations/{org_id}", response_model=OrganisationPublic, tags=["registry"], openapi_extra=ANY_USER)
async def get_organisation(org_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> OrganisationPublic:
    return OrganisationPublic.model_validate(await organisations.get_organisation(session, principal, org_id))


@router.get(
    "/organisations/{org_id}/fleet",
    response_model=FleetPublic,
    tags=["registry"],
    openapi_extra=permission("enterprise", "regulator", "admin", note="a carrier's permits, trucks and drivers, for filing"),
)
async def get_fleet(
    org_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    on: date | None = Query(default=None, description="The pickup day the permits are judged on (default today, Asia/Shanghai)"),
) -> FleetPublic:
    return FleetPublic.model_validate(await fleet.carrier_fleet(session, principal, org_id, on or clock.today()))


@router.patch(
    "/organisations/{org_id}",
    response_model=OrganisationPublic,
    tags=["registry"],
    openapi_extra=permission(
        "enterprise", "admin", note="own organisation's contact fields; admin also roles; legal name and USCC: see /identity"
    ),
)
async def update_organisation(
    org_id: uuid.UUID, body: OrganisationUpdate, principal: PrincipalDep, session: SessionDep
) -> OrganisationPublic:
    org = await organisations.update_organisation(session, principal, org_id, **body.model_dump(exclude_unset=True))
    return OrganisationPublic.model_validate(org)


@router.post(
    "/organisations/{org_id}/identity",
    response_model=OrganisationPublic,
    tags=["registry"],
    openapi_extra=permission("regulator", "admin", note="regulator of a county holding one of its sites; kept in the history"),
)
async def change_identity(
    org_id: uuid.UUID, body: IdentityChange, principal: PrincipalDep, session: SessionDep
) -> OrganisationPublic:
    """Record a change of legal name or unified social credit code (after the market regulator's
    registration change), with the reason. Submitted manifests keep the names they were submitted under."""
    org = await organisations.change_identity(session, principal, org_id, reason=body.reason, name=body.name, uscc=body.uscc)
    return OrganisationPublic.model_validate(org)


@router.get(
    "/organisations/{org_id}/identity",
    response_model=list[IdentityPublic],
    tags=["registry"],
    openapi_extra=permission("enterprise", "driver", "regulator", "admin", note="whoever sees the organisation"),
)
async def identity_history(org_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> list[IdentityPublic]:
    return [IdentityPublic.model_validate(i) for i in await organisations.identity_history(session, principal, org_id)]


def site_public(site: Site) -> SitePublic:
    lon, lat = organisations.site_lonlat(site)
    return SitePublic(
        id=site.id,
        organisation_id=site.organisation_id,
        name=site.name,
        address=site.address,
        location=PointGeoJSON.of(lon, lat),
        county_adcode=site.county_adcode,
        city_adcode=site.city_adcode,
        kind=site.kind,
        created_at=site.created_at,
    )


@router.post(
    "/sites",
    response_model=SitePublic,
    status_code=201,
    tags=["registry"],
    openapi_extra=permission("enterprise", "admin", note="enterprise: its own organisation"),
)
async def create_site(body: SiteCreate, principal: PrincipalDep, session: SessionDep) -> SitePublic:
    site = await organisations.create_site(
        session,
        principal,
        organisation_id=body.organisation_id,
        name=body.name,
        address=body.address,
        lon=body.location.lon,
        lat=body.location.lat,
        county_adcode=body.county_adcode,
        kind=body.kind,
    )
    return site_public(site)


@router.get("/sites", response_model=list[SitePublic], tags=["registry"], openapi_extra=ANY_USER)
async def list_sites(
    principal: PrincipalDep,
    session: SessionDep,
    organisation_id: uuid.UUID | None = None,
    county: int | None = None,
    limit: int = Query(default=200, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
) -> list[SitePublic]:
    return [site_public(s) for s in await organisations.list_sites(session, principal, organisation_id, county, limit, offset)]


@router.get("/sites/{site_id}", response_model=SitePublic, tags=["registry"], openapi_extra=ANY_USER)
async def get_site(site_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> SitePublic:
    return site_public(await organisations.get_site(session, principal, site_id))


# --- licences, permits, vehicles --------------------------------------------------------------------


@router.post(
    "/licences",
    response_model=LicencePublic,
    status_code=201,
    tags=["registry"],
    openapi_extra=permission("regulator", "admin", note="regulator: sites in their jurisdiction"),
)
async def create_licence(body: LicenceCreate, principal: PrincipalDep, session: SessionDep) -> LicencePublic:
    return LicencePublic.model_validate(await licences.create_licence(session, principal, **body.model_dump()))


@router.get("/licences", response_model=list[LicencePublic], tags=["registry"], openapi_extra=ANY_USER)
async def list_licences(
    principal: PrincipalDep,
    session: SessionDep,
    site_id: uuid.UUID | None = None,
    covers: str | None = Query(default=None, max_length=16, description="A waste code or category"),
    valid_on: date | None = None,
    limit: int = Query(default=200, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
) -> list[LicencePublic]:
    rows = await licences.list_licences(session, principal, site_id, covers, valid_on, limit, offset)
    return [LicencePublic.model_validate(x) for x in rows]


@router.get("/licences/{licence_id}", response_model=LicencePublic, tags=["registry"], openapi_extra=ANY_USER)
async def get_licence(licence_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> LicencePublic:
    return LicencePublic.model_validate(await licences.get_licence(session, principal, licence_id))


@router.post(
    "/permits",
    response_model=PermitPublic,
    status_code=201,
    tags=["registry"],
    openapi_extra=permission("regulator", "admin", note="city regulator of the carrier's home city; admin"),
)
async def create_permit(body: PermitCreate, principal: PrincipalDep, session: SessionDep) -> PermitPublic:
    return PermitPublic.model_validate(await licences.create_permit(session, principal, **body.model_dump()))


@router.post(
    "/permits/{permit_id}/revoke",
    response_model=PermitPublic,
    tags=["registry"],
    openapi_extra=permission("regulator", "admin", note="city regulator of the carrier's home city; admin"),
)
async def revoke_permit(permit_id: uuid.UUID, body: RevokeIn, principal: PrincipalDep, session: SessionDep) -> PermitPublic:
    return PermitPublic.model_validate(await licences.revoke_permit(session, principal, permit_id, body.reason))


@router.get("/permits", response_model=list[PermitPublic], tags=["registry"], openapi_extra=ANY_USER)
async def list_permits(
    principal: PrincipalDep, session: SessionDep, organisation_id: uuid.UUID | None = None
) -> list[PermitPublic]:
    return [PermitPublic.model_validate(p) for p in await licences.list_permits(session, principal, organisation_id)]


@router.post(
    "/vehicles",
    response_model=VehiclePublic,
    status_code=201,
    tags=["registry"],
    openapi_extra=permission("enterprise", "admin", note="enterprise: its own carrier organisation"),
)
async def create_vehicle(body: VehicleCreate, principal: PrincipalDep, session: SessionDep) -> VehiclePublic:
    return VehiclePublic.model_validate(await licences.create_vehicle(session, principal, **body.model_dump()))


@router.get(
    "/vehicles",
    response_model=list[VehiclePublic],
    tags=["registry"],
    openapi_extra=permission("enterprise", "driver", "regulator", "admin", note="own fleet; regulators all"),
)
async def list_vehicles(
    principal: PrincipalDep, session: SessionDep, organisation_id: uuid.UUID | None = None
) -> list[VehiclePublic]:
    return [VehiclePublic.model_validate(v) for v in await licences.list_vehicles(session, principal, organisation_id)]
