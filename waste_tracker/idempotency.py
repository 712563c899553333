"""Idempotency keys: the first response to a keyed request is stored in the same transaction as
its effect; a retry with the same key gets it back and writes nothing.

Claiming uses ``INSERT ... ON CONFLICT DO NOTHING``: a concurrent retry of an in-flight request
waits on the unique index until the first transaction ends, then reads its stored response (or,
if the first one rolled back, claims the key itself). A key reused with a different request is
refused with ``idempotency_key_reused``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker.errors import Conflict, Invalid

MAX_KEY_LENGTH = 128


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any


def fingerprint(method: str, path: str, body: bytes) -> str:
    try:
        normal = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode() if body else b""
    except (ValueError, UnicodeDecodeError):
        normal = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + normal).hexdigest()


def check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise Invalid("invalid_idempotency_key", {"max_length": MAX_KEY_LENGTH})
    return key


async def claim(session: AsyncSession, user_id: uuid.UUID, key: str, fp: str) -> StoredResponse | None:
    """Claim ``key`` for this request; None means go ahead, else the stored first response."""
    got = (
        await session.execute(
            text(
                """INSERT INTO idempotency_record (user_id, key, fingerprint) VALUES (:u, :k, :f)
           ON CONFLICT (user_id, key) DO NOTHING RETURNING key"""
            ),
            {"u": user_id, "k": key, "f": fp},
        )
    ).first()
    if got is not None:
        return None
    row = (
        await session.execute(
            text("SELECT fingerprint, status_code, response FROM idempotency_record WHERE user_id = :u AND key = :k"),
            {"u": user_id, "k": key},
        )
    ).first()
    if row is None:  # the holder rolled back between our insert and select: claim again
        return await claim(session, user_id, key, fp)
    if row[0] != fp:
        raise Invalid("idempotency_key_reused", {"key": key})
    if row[1] is None:
        raise Conflict("idempotency_in_progress", {"key": key})
    return StoredResponse(status_code=row[1], body=row[2])


async def store(session: AsyncSession, user_id: uuid.UUID, key: str, status_code: int, body: Any) -> None:
    await session.execute(
        text("UPDATE idempotency_record SET status_code = :s, response = CAST(:b AS jsonb) WHERE user_id = :u AND key = :k"),
        {"s": status_code, "b": json.dumps(body, ensure_ascii=False, default=str), "u": user_id, "k": key},
    )
