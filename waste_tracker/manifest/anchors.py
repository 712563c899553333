"""Daily anchors: a Merkle root over one day's event hashes.

A chain proves that no event in it was edited without rewriting every later hash; an anchor,
published or sent outside the system, proves that no whole chain was rewritten after the day was
anchored. Algorithm ``sha256-merkle-v1`` (documented in docs/reliability.md):

- the day is a calendar day in Asia/Shanghai; its events are those whose server_time falls in it,
  ordered by (server_time, manifest_id, seq);
- leaves are the events' hashes as 32 raw bytes; each level pairs neighbours and hashes
  SHA-256(left || right); an odd last node is carried up unchanged;
- the root of an empty day is SHA-256 of the empty string.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from waste_tracker import clock
from waste_tracker.errors import Conflict, Invalid

ALGORITHM = "sha256-merkle-v1"


def merkle_root(leaves_hex: list[str]) -> str:
    if not leaves_hex:
        return hashlib.sha256(b"").hexdigest()
    level = [bytes.fromhex(h) for h in leaves_hex]
    while len(level) > 1:
        nxt = [hashlib.sha256(level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0].hex()


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = clock.start_of(day)
    return start, start + timedelta(days=1)


async def day_root(conn: AsyncConnection | AsyncSession, day: date) -> tuple[str, int]:
    start, end = _bounds(day)
    hashes = (
        (
            await conn.execute(
                text(
                    """SELECT hash FROM manifest_event WHERE server_time >= :s AND server_time < :e
           ORDER BY server_time, manifest_id, seq"""
                ),
                {"s": start, "e": end},
            )
        )
        .scalars()
        .all()
    )
    return merkle_root(list(hashes)), len(hashes)


async def anchor_day(session: AsyncSession, day: date, actor_user_id: uuid.UUID | None = None, note: str = "") -> dict[str, Any]:
    """Record the root of a finished day (today is refused: events may still arrive)."""
    if day >= clock.today():
        raise Invalid("day_not_finished", {"day": str(day)})
    existing = (await session.execute(text("SELECT merkle_root, event_count FROM anchor WHERE day = :d"), {"d": day})).first()
    if existing is not None:
        raise Conflict("already_anchored", {"day": str(day), "merkle_root": existing[0]})
    root, n = await day_root(session, day)
    await session.execute(
        text(
            """INSERT INTO anchor (day, merkle_root, event_count, algorithm, created_by, note)
           VALUES (:d, :r, :n, :a, :u, :note)"""
        ),
        {"d": day, "r": root, "n": n, "a": ALGORITHM, "u": actor_user_id, "note": note},
    )
    return {"day": str(day), "merkle_root": root, "event_count": n}


async def unanchored_days(session: AsyncSession) -> list[date]:
    """Finished days that have events but no anchor yet (what a daily job should anchor)."""
    today = clock.today()
    rows = (
        (
            await session.execute(
                text(
                    f"""SELECT DISTINCT (server_time AT TIME ZONE {clock.SQL_ZONE})::date AS d FROM manifest_event
           WHERE (server_time AT TIME ZONE {clock.SQL_ZONE})::date < :today
             AND NOT EXISTS (SELECT 1 FROM anchor a WHERE a.day = (server_time AT TIME ZONE {clock.SQL_ZONE})::date)
           ORDER BY d"""
                ),
                {"today": today},
            )
        )
        .scalars()
        .all()
    )
    return list(rows)


@dataclass
class AnchorBreak:
    day: date
    expected_root: str
    found_root: str
    expected_count: int
    found_count: int


async def verify_anchors(conn: AsyncConnection | AsyncSession) -> tuple[int, list[AnchorBreak]]:
    rows = (await conn.execute(text("SELECT day, merkle_root, event_count FROM anchor ORDER BY day"))).all()
    breaks = []
    for day, root, count in rows:
        found, n = await day_root(conn, day)
        if found != root or n != count:
            breaks.append(AnchorBreak(day, root, found, count, n))
    return len(rows), breaks
