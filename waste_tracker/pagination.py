"""Keyset cursors: the sort key of a page's last row, as an opaque URL-safe string. Shared by every
list (manifests, alerts) so a cursor is read and refused (``invalid_cursor``) the same way."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from typing import Any

from waste_tracker.errors import Invalid


def aware(text: str) -> datetime:
    """An ISO instant with its zone (a cursor never carries a naive time)."""
    t = datetime.fromisoformat(text)
    if t.tzinfo is None:
        raise ValueError("naive time")
    return t


def encode_cursor(*key: object) -> str:
    raw = "|".join(k.isoformat() if isinstance(k, datetime) else str(k) for k in key)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *parts: Callable[[str], Any]) -> tuple[Any, ...]:
    """The key back, each part read by its parser (``int``, ``uuid.UUID``, ``aware``)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split("|")
        if len(raw) != len(parts):
            raise ValueError("wrong number of parts")
        return tuple(read(text) for read, text in zip(parts, raw, strict=True))
    except (ValueError, UnicodeDecodeError) as e:
        raise Invalid("invalid_cursor", {}) from e
