"""Weighbridge tickets: generators and receivers post them (JSON or CSV) and read them with the
manifest each matches."""

from __future__ import annotations

import base64
import binascii
import uuid
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Response

from api.deps import PrincipalDep, SessionDep, permission
from schemas.common import ERROR_RESPONSES
from schemas.ticket import TicketsCsvIn, TicketsIn
from waste_tracker.errors import Invalid
from waste_tracker.track import tickets
from waste_tracker.track.tickets import TicketIn

router = APIRouter(prefix="/api/v1/tickets", tags=["tickets"], responses=ERROR_RESPONSES)
OWNER = permission("enterprise", note="the site's own organisation (generator out, receiver in)")


def _photo(b64: str | None) -> bytes | None:
    if not b64:
        return None
    try:
        return base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError) as e:
        raise Invalid("validation_error", {"field": "photo_base64", "reason": "not base64"}) from e


@router.post("", status_code=201, openapi_extra=OWNER)
async def post_tickets(body: TicketsIn, principal: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    items = [
        TicketIn(
            t.plate, Decimal(t.gross_kg), Decimal(t.tare_kg), Decimal(t.net_kg), t.weighed_at, t.scale_id, _photo(t.photo_base64)
        )
        for t in body.tickets
    ]
    made = await tickets.post_tickets(session, principal, body.site_id, body.side, items)
    return {"recorded": len(made), "ids": [str(w.id) for w in made]}


@router.post("/csv", status_code=201, openapi_extra=OWNER)
async def post_tickets_csv(body: TicketsCsvIn, principal: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    """A scale's export as CSV: all rows or none."""
    made = await tickets.post_tickets(session, principal, body.site_id, body.side, tickets.parse_csv(body.csv))
    return {"recorded": len(made), "ids": [str(w.id) for w in made]}


@router.get(
    "/{ticket_id}/photo",
    response_class=Response,
    openapi_extra=permission("enterprise", "regulator", "admin", note="own tickets; regulators: their counties"),
)
async def ticket_photo(ticket_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> Response:
    """The ticket's photo as sent (its SHA-256 is the ticket's ``photo_sha256``)."""
    media_type, content = await tickets.photo_of(session, principal, ticket_id)
    return Response(content, media_type=media_type, headers={"Cache-Control": "private, max-age=86400"})


@router.get("", openapi_extra=permission("enterprise", "regulator", "admin", note="own tickets; regulators: their counties"))
async def list_tickets(principal: PrincipalDep, session: SessionDep, site_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
    """Tickets with the manifest each matches (none: ``manifest_id`` null)."""
    return await tickets.list_tickets(session, principal, site_id)
