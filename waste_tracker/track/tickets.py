"""Weighbridge tickets: a generator weighs the loaded truck going out, a receiver weighs it
coming in. A ticket is matched to the manifest of that plate at that site around that time
(the pickup at the generator, the drop-off at the receiver) when it is read, so a ticket posted
before the scan still finds its manifest later.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Forbidden, Invalid, NotFound
from waste_tracker.ledger import access
from waste_tracker.models import WeighbridgeTicket
from waste_tracker.registry.licences import normalise_plate

MAX_KG = Decimal("100000")  # a 49-tonne road train is the legal maximum; 100 t is beyond any truck
NET_TOLERANCE_KG = Decimal("0.5")
MAX_AGE = timedelta(days=30)
MATCH_WINDOW = timedelta(hours=6)
MAX_ROWS = 1000
MAX_PHOTO_BYTES = 512 * 1024
# The images a photo may be, told by their first bytes (a client's declared type is not trusted).
_MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


def photo_type(content: bytes) -> str | None:
    """The photo's media type from its first bytes (JPEG, PNG or WebP), or None."""
    for magic, media_type in _MAGIC:
        if content.startswith(magic):
            return media_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass(frozen=True)
class TicketIn:
    plate: str
    gross_kg: Decimal
    tare_kg: Decimal
    net_kg: Decimal
    weighed_at: datetime
    scale_id: str = ""
    photo: bytes | None = None


def _check(t: TicketIn, now: datetime, row: int | None = None) -> None:
    where = {"row": row} if row is not None else {}
    if t.weighed_at.tzinfo is None:
        raise Invalid("timestamp_without_zone", {"field": "weighed_at", **where})
    for name, v in (("gross_kg", t.gross_kg), ("tare_kg", t.tare_kg), ("net_kg", t.net_kg)):
        if not v.is_finite() or v < 0 or v > MAX_KG:
            raise Invalid("weight_out_of_range", {"field": name, "value": str(v), "max_kg": str(MAX_KG), **where})
    if t.gross_kg <= t.tare_kg or t.net_kg <= 0:
        raise Invalid("weight_out_of_range", {"field": "gross_kg", "reason": "gross must exceed tare", **where})
    if abs(t.gross_kg - t.tare_kg - t.net_kg) > NET_TOLERANCE_KG:
        raise Invalid(
            "net_not_gross_minus_tare",
            {"gross_kg": str(t.gross_kg), "tare_kg": str(t.tare_kg), "net_kg": str(t.net_kg), **where},
        )
    if t.weighed_at > now + timedelta(minutes=10) or t.weighed_at < now - MAX_AGE:
        raise Invalid("weighed_at_out_of_range", {"weighed_at": t.weighed_at.isoformat(), "max_days": MAX_AGE.days, **where})


async def post_tickets(
    session: AsyncSession, actor: Principal, site_id: uuid.UUID, side: str, tickets: list[TicketIn]
) -> list[WeighbridgeTicket]:
    """Record tickets of one of the actor's sites, all or nothing."""
    if side not in ("generator", "receiver"):
        raise Invalid("validation_error", {"field": "side", "allowed": ["generator", "receiver"]})
    site = await access.own_site(session, actor, site_id, org_role=side)
    if not tickets or len(tickets) > MAX_ROWS:
        raise Invalid("validation_error", {"field": "tickets", "min": 1, "max": MAX_ROWS})
    now = clock.now()
    out = []
    photos: dict[str, tuple[str, bytes]] = {}
    for i, t in enumerate(tickets):
        _check(t, now, i + 1 if len(tickets) > 1 else None)
        sha = None
        if t.photo:
            media_type = photo_type(t.photo)
            if media_type is None or len(t.photo) > MAX_PHOTO_BYTES:
                reason = "not a JPEG, PNG or WebP image" if media_type is None else "larger than 512 KB"
                raise Invalid("invalid_ticket_photo", {"row": i + 1, "reason": reason, "max_bytes": MAX_PHOTO_BYTES})
            sha = hashlib.sha256(t.photo).hexdigest()
            photos[sha] = (media_type, t.photo)
        plate = normalise_plate(t.plate)
        w = WeighbridgeTicket(
            site_id=site.id,
            organisation_id=site.organisation_id,
            county_adcode=site.county_adcode,
            side=side,
            plate=plate,
            gross_kg=t.gross_kg.quantize(Decimal("0.001")),
            tare_kg=t.tare_kg.quantize(Decimal("0.001")),
            net_kg=t.net_kg.quantize(Decimal("0.001")),
            weighed_at=t.weighed_at,
            scale_id=t.scale_id[:100],
            photo_sha256=sha,
            created_by=actor.user_id,
        )
        session.add(w)
        out.append(w)
    for sha, (media_type, content) in photos.items():  # the same image twice is kept once
        await session.execute(
            text(
                "INSERT INTO ticket_photo (sha256, media_type, content, size) VALUES (:h, :t, :c, :n) "
                "ON CONFLICT (sha256) DO NOTHING"
            ),
            {"h": sha, "t": media_type, "c": content, "n": len(content)},
        )
    await session.flush()
    return out


CSV_COLUMNS = ("plate", "gross_kg", "tare_kg", "net_kg", "weighed_at")


def parse_csv(content: str) -> list[TicketIn]:
    """Rows of ``plate,gross_kg,tare_kg,net_kg,weighed_at[,scale_id]`` (weighed_at ISO 8601 with
    its zone); a bad row refuses the file, naming the row."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise Invalid("invalid_csv", {"missing_columns": missing, "expected": [*CSV_COLUMNS, "scale_id"]})
    out = []
    for n, r in enumerate(reader, start=2):
        try:
            out.append(
                TicketIn(
                    plate=(r["plate"] or "").strip(),
                    gross_kg=Decimal(r["gross_kg"].strip()),
                    tare_kg=Decimal(r["tare_kg"].strip()),
                    net_kg=Decimal(r["net_kg"].strip()),
                    weighed_at=datetime.fromisoformat(r["weighed_at"].strip()),
                    scale_id=(r.get("scale_id") or "").strip(),
                )
            )
        except (InvalidOperation, ValueError, AttributeError) as e:
            raise Invalid("invalid_csv", {"row": n, "reason": str(e)[:200]}) from e
        if len(out) > MAX_ROWS:
            raise Invalid("validation_error", {"field": "rows", "max": MAX_ROWS})
    if not out:
        raise Invalid("invalid_csv", {"reason": "no rows"})
    return out


# A ticket's manifest: the same plate, at this site, the pickup (generator) or drop-off (receiver)
# nearest in time within the window.
MATCH_SQL = """
    LEFT JOIN LATERAL (
        SELECT m.id, m.number, m.declared_kg, m.picked_up_kg, m.received_kg
        FROM manifest m
        WHERE m.vehicle_plate = w.plate
          AND ((w.side = 'generator' AND m.pickup_site_id = w.site_id AND m.picked_up_at IS NOT NULL
                AND m.picked_up_at BETWEEN w.weighed_at - make_interval(hours => 6) AND w.weighed_at + make_interval(hours => 6))
            OR (w.side = 'receiver' AND m.receiver_site_id = w.site_id AND m.delivered_at IS NOT NULL
                AND m.delivered_at BETWEEN w.weighed_at - make_interval(hours => 6) AND w.weighed_at + make_interval(hours => 6)))
        ORDER BY abs(extract(epoch FROM (COALESCE(CASE WHEN w.side = 'generator' THEN m.picked_up_at ELSE m.delivered_at END)
                                          - w.weighed_at)))
        LIMIT 1) mm ON true"""


def _readable(actor: Principal) -> tuple[list[str], dict[str, Any]]:
    """Whose tickets the actor reads: its organisation's; a regulator, its counties'."""
    if actor.role not in ("enterprise", "regulator", "admin"):
        raise Forbidden("forbidden", {"required_roles": ["enterprise", "regulator", "admin"], "role": actor.role})
    if actor.role == "enterprise":
        return ["w.organisation_id = :org"], {"org": actor.organisation_id}
    if actor.is_regulator:
        return ["w.county_adcode = ANY(:counties)"], {"counties": sorted(actor.county_scope or ())}
    return ["TRUE"], {}


async def photo_of(session: AsyncSession, actor: Principal, ticket_id: uuid.UUID) -> tuple[str, bytes]:
    """A ticket's photo (media type, bytes), for those who read the ticket."""
    conds, params = _readable(actor)
    row = (
        await session.execute(
            text(f"""SELECT p.media_type, p.content FROM weighbridge_ticket w JOIN ticket_photo p ON p.sha256 = w.photo_sha256
                     WHERE w.id = :id AND {" AND ".join(conds)}"""),
            {**params, "id": ticket_id},
        )
    ).first()
    if row is None:
        raise NotFound("ticket_photo", ticket_id)
    return row.media_type, bytes(row.content)


async def list_tickets(session: AsyncSession, actor: Principal, site_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
    conds, params = _readable(actor)
    if site_id is not None:
        conds.append("w.site_id = :site")
        params["site"] = site_id
    rows = await session.execute(
        text(f"""SELECT w.id, w.site_id, w.side, w.plate, w.gross_kg, w.tare_kg, w.net_kg, w.weighed_at, w.scale_id,
                        w.photo_sha256, mm.id AS manifest_id, mm.number AS manifest_number
                 FROM weighbridge_ticket w {MATCH_SQL}
                 WHERE {" AND ".join(conds)} ORDER BY w.weighed_at DESC LIMIT 500"""),
        params,
    )
    return [dict(r) for r in rows.mappings()]
