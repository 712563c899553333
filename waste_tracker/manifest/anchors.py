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
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

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


async def unanchored_days(session: AsyncSession | AsyncConnection) -> list[date]:
    """Every finished day not yet anchored, from the first day with events (or the first anchor)
    to yesterday — days without events too: an anchored empty day proves that nothing was
    back-dated into it later."""
    today = clock.today()
    rows = await session.execute(
        text(
            f"""WITH bounds AS (
                SELECT LEAST((SELECT (min(server_time) AT TIME ZONE {clock.SQL_ZONE})::date FROM manifest_event),
                             (SELECT min(day) FROM anchor)) AS first_day)
            SELECT d::date FROM bounds, generate_series(bounds.first_day, CAST(:today AS date) - 1, interval '1 day') AS d
            WHERE bounds.first_day IS NOT NULL AND NOT EXISTS (SELECT 1 FROM anchor a WHERE a.day = d::date)
            ORDER BY d"""
        ),
        {"today": today},
    )
    return list(rows.scalars().all())


async def anchor_finished_days(engine: AsyncEngine) -> list[date]:
    """The scheduled job: anchor every finished day not yet anchored, each in its own transaction
    (a long catch-up keeps its progress). Safe to run anywhere at any time: a day already anchored
    by someone else is skipped (the table's key is the day)."""
    from waste_tracker.db import unit_of_work

    async with engine.connect() as conn:
        days = await unanchored_days(conn)
    done = []
    for day in days:
        try:
            async with unit_of_work(engine) as session:
                await anchor_day(session, day, note="scheduled")
        except Conflict:
            continue
        done.append(day)
    return done


@dataclass(frozen=True)
class Published:
    """One day's anchor as published: with the previous anchored day's root, so that a copy of
    the list is a chain of its own (a rewritten row breaks the next day's link in every copy)."""

    day: date
    algorithm: str
    root: str
    event_count: int
    prev_root: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "algorithm": self.algorithm,
            "root": self.root,
            "event_count": self.event_count,
            "prev_root": self.prev_root,
        }


async def published(
    conn: AsyncConnection | AsyncSession, since: date | None = None, until: date | None = None
) -> list[Published]:
    """The anchors, oldest first, each with the root of the anchor before it."""
    rows = await conn.execute(
        text(
            """SELECT day, algorithm, merkle_root, event_count, prev_root FROM (
                 SELECT day, algorithm, merkle_root, event_count, lag(merkle_root) OVER (ORDER BY day) AS prev_root
                 FROM anchor) a
               WHERE (CAST(:since AS date) IS NULL OR day >= :since) AND (CAST(:until AS date) IS NULL OR day <= :until)
               ORDER BY day"""
        ),
        {"since": since, "until": until},
    )
    return [Published(*r) for r in rows.all()]


def export_document(anchors: list[Published], exported_at: datetime) -> dict[str, Any]:
    """What ``GET /public/anchors`` answers and ``waste-tracker anchor export`` writes: the same
    document, so a bureau may keep either."""
    return {
        "algorithm": ALGORITHM,
        "timezone": clock.ZONE_NAME,
        "exported_at": exported_at.isoformat(),
        "anchors": [a.as_dict() for a in anchors],
    }


@dataclass(frozen=True)
class CopyDifference:
    """The first day where the database and a kept copy disagree, and how."""

    day: date
    reason: str  # anchor_missing | anchor_differs | events_differ | copy_chain_broken
    copy_root: str
    copy_count: int
    anchored_root: str | None
    events_root: str | None
    events_count: int | None


def _copy_entries(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict) or not isinstance(document.get("anchors"), list):
        raise Invalid("invalid_anchor_copy", {"reason": "not an anchor export (no 'anchors' list)"})
    out = []
    for i, a in enumerate(document["anchors"]):
        try:
            out.append(
                {
                    "day": date.fromisoformat(a["day"]),
                    "root": str(a["root"]),
                    "event_count": int(a["event_count"]),
                    "prev_root": a.get("prev_root"),
                }
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise Invalid("invalid_anchor_copy", {"entry": i, "reason": str(exc)}) from exc
    return sorted(out, key=lambda a: a["day"])


async def compare_with_copy(conn: AsyncConnection | AsyncSession, document: Any) -> tuple[int, CopyDifference | None]:
    """Check a copy kept outside the system against the database: the copy's own chain of roots,
    then for each day the anchor row and the root recomputed from the events. Returns the days
    checked and the first difference (None: the database holds what the copy says)."""
    entries = _copy_entries(document)
    anchored = {a.day: a for a in await published(conn)}
    prev: str | None = None
    for i, e in enumerate(entries):
        day = e["day"]
        if i and e["prev_root"] is not None and e["prev_root"] != prev:
            return i, CopyDifference(day, "copy_chain_broken", e["root"], e["event_count"], None, None, None)
        prev = e["root"]
        row = anchored.get(day)
        events_root, events_count = await day_root(conn, day)
        if row is None:
            reason = "anchor_missing"
        elif (row.root, row.event_count) != (e["root"], e["event_count"]):
            reason = "anchor_differs"
        elif (events_root, events_count) != (e["root"], e["event_count"]):
            reason = "events_differ"
        else:
            continue
        return i + 1, CopyDifference(
            day, reason, e["root"], e["event_count"], row.root if row else None, events_root, events_count
        )
    return len(entries), None


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
