"""HTTP helpers shared by the JSON routes and the web pages, so that neither imports the other and
no router imports another: wire shapes built from domain rows, and lenient parsing of page input."""

from __future__ import annotations

from datetime import date

from fastapi import Request

from schemas.common import PointGeoJSON
from schemas.manifest import EventPublic
from waste_tracker.manifest.queries import LocatedEvent
from waste_tracker.models import ManifestEvent


def client_address(request: Request) -> str:
    """The client's address as the log-in limit counts it (forwarded headers only from the
    configured proxies: waste_tracker/auth/addresses.py)."""
    from waste_tracker.auth.addresses import client_address as resolve

    peer = request.client.host if request.client else None
    return resolve(peer, request.headers.getlist("x-forwarded-for"), request.app.state.settings.trusted_proxies)


def event_public(e: ManifestEvent | LocatedEvent, lon: float | None = None, lat: float | None = None) -> EventPublic:
    """An event on the wire; its location (lon/lat, WGS-84) is given apart, as the event row holds
    it as PostGIS geometry."""
    return EventPublic(
        manifest_id=e.manifest_id,
        seq=e.seq,
        type=e.type,
        actor_user_id=e.actor_user_id,
        actor_org_id=e.actor_org_id,
        server_time=e.server_time,
        device_time=e.device_time,
        location=PointGeoJSON.of(lon, lat) if lon is not None and lat is not None else None,
        accuracy_m=e.accuracy_m,
        vehicle_plate=e.vehicle_plate,
        payload=e.payload,
        prev_hash=e.prev_hash,
        hash=e.hash,
    )


def located_event_public(e: LocatedEvent) -> EventPublic:
    return event_public(e, e.lon, e.lat)


def parse_day(value: str | None, default: date | None = None) -> date | None:
    """A page's date field: an ISO date, else ``default`` (a bad value is ignored, not an error)."""
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default
