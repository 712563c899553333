"""The hash chain over a manifest's events.

Canonical form (documented in docs/manifest-lifecycle.md so anyone can re-verify an export):
a JSON object with exactly these keys, serialised with keys sorted, no insignificant whitespace
(separators ``,`` and ``:``), non-ASCII characters kept as UTF-8, then encoded as UTF-8:

    manifest_id   lower-case UUID string
    seq           integer, 1, 2, 3 ...
    type          event type string
    actor_user_id UUID string or null
    actor_org_id  UUID string or null
    server_time   UTC, "YYYY-MM-DDTHH:MM:SS.ffffffZ"
    device_time   same format or null
    location      [lon, lat] as strings with 7 decimals, or null
    accuracy_m    decimal string with 2 decimals, or null
    vehicle_plate string or null
    payload       object; numbers in it are integers or decimal strings (never floats)
    prev_hash     64 hex characters; "0" * 64 for the first event

``hash`` = lower-case hex SHA-256 of those bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64


def fmt_time(t: datetime | None) -> str | None:
    if t is None:
        return None
    if t.tzinfo is None:
        raise ValueError("event times must be timezone-aware")
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def fmt_coord(v: float) -> str:
    return f"{v:.7f}"


def _check_payload(value: Any, path: str = "payload") -> None:
    if isinstance(value, float):
        raise TypeError(f"{path}: floats are not allowed in event payloads (use decimal strings)")
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{path}: keys must be strings")
            _check_payload(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_payload(v, f"{path}[{i}]")


def canonical(event: Mapping[str, Any]) -> bytes:
    loc = event.get("location")
    acc = event.get("accuracy_m")
    payload = event.get("payload") or {}
    _check_payload(payload)
    doc = {
        "manifest_id": str(event["manifest_id"]),
        "seq": int(event["seq"]),
        "type": event["type"],
        "actor_user_id": str(event["actor_user_id"]) if event.get("actor_user_id") else None,
        "actor_org_id": str(event["actor_org_id"]) if event.get("actor_org_id") else None,
        "server_time": fmt_time(event["server_time"]),
        "device_time": fmt_time(event.get("device_time")),
        "location": [fmt_coord(loc[0]), fmt_coord(loc[1])] if loc else None,
        "accuracy_m": f"{Decimal(str(acc)):.2f}" if acc is not None else None,
        "vehicle_plate": event.get("vehicle_plate"),
        "payload": payload,
        "prev_hash": event["prev_hash"],
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def event_hash(event: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


@dataclass(frozen=True)
class Break:
    manifest_id: str
    seq: int
    reason: str  # hash_mismatch | prev_hash_mismatch | sequence_gap
    expected: str | None = None
    found: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "manifest_id": self.manifest_id,
            "seq": self.seq,
            "reason": self.reason,
            "expected": self.expected,
            "found": self.found,
        }


def verify_events(events: Iterable[Mapping[str, Any]]) -> tuple[int, Break | None]:
    """Check one manifest's events (ordered by seq). Returns (events checked, first break)."""
    prev = GENESIS
    expected_seq = 1
    n = 0
    for e in events:
        n += 1
        mid = str(e["manifest_id"])
        if e["seq"] != expected_seq:
            return n, Break(mid, e["seq"], "sequence_gap", str(expected_seq), str(e["seq"]))
        if e["prev_hash"] != prev:
            return n, Break(mid, e["seq"], "prev_hash_mismatch", prev, e["prev_hash"])
        h = event_hash(e)
        if h != e["hash"]:
            return n, Break(mid, e["seq"], "hash_mismatch", h, e["hash"])
        prev = e["hash"]
        expected_seq += 1
    return n, None
