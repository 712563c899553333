"""Scans at pickup and drop-off."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.deps import PrincipalDep, SessionDep, SettingsDep, permission
from api.http import event_public
from api.idempotency import idempotent
from schemas.common import ERROR_RESPONSES
from schemas.manifest import ScanIn, ScanPublic
from waste_tracker.scan import service

router = APIRouter(prefix="/api/v1", tags=["scans"], responses=ERROR_RESPONSES)


@router.post(
    "/scans",
    response_model=ScanPublic,
    status_code=201,
    openapi_extra=permission("driver", note="a driver of the manifest's carrier"),
    description="Scan a manifest label's QR at pickup, at a handover to the next carrier, or at drop-off, with the "
    "phone's GPS. Accepts an "
    "Idempotency-Key header: a retry returns the first response and records nothing twice.",
)
async def create_scan(
    body: ScanIn, request: Request, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> JSONResponse:
    async def produce() -> ScanPublic:
        r = await service.scan(
            session,
            principal,
            secret=settings.secret_key,
            token=body.token,
            action=body.action,
            lon=body.lon,
            lat=body.lat,
            accuracy_m=body.accuracy_m,
            device_time=body.device_time,
            vehicle_plate=body.vehicle_plate,
            quantity_kg=body.quantity_kg,
            geofence_m=settings.geofence_radius_m,
            container_codes=body.container_codes,
            confirmed_container_count=body.confirmed_container_count,
            from_vehicle_plate=body.from_vehicle_plate,
            number=body.number,
            check_code=body.check_code,
        )
        return ScanPublic(
            manifest_id=r.manifest.id,
            number=r.manifest.number or "",
            status=r.manifest.status,
            event=event_public(r.event, body.lon, body.lat),
            findings=r.findings,
        )

    return await idempotent(request, session, principal, 201, produce)
