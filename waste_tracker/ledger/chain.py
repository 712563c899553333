"""The hash chain over a container's ledger events: the same construction as manifest events
(waste_tracker.manifest.chain), over these keys (documented in docs/ledger.md):

    container_id  lower-case UUID string
    seq           integer, 1, 2, 3 ...
    type          event type string
    actor_user_id UUID string or null
    actor_org_id  UUID string or null
    server_time   UTC, "YYYY-MM-DDTHH:MM:SS.ffffffZ"
    payload       object; numbers are integers or decimal strings (never floats)
    prev_hash     64 hex characters; "0" * 64 for the first event

serialised with keys sorted, separators ``,`` and ``:``, UTF-8; ``hash`` = hex SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from waste_tracker.manifest.chain import GENESIS, Break, check_payload, dumps_canonical, fmt_time

__all__ = ["GENESIS", "Break", "canonical", "event_hash", "verify_events"]


def canonical(event: Mapping[str, Any]) -> bytes:
    payload = event.get("payload") or {}
    check_payload(payload)
    doc = {
        "container_id": str(event["container_id"]),
        "seq": int(event["seq"]),
        "type": str(event["type"]),
        "actor_user_id": str(event["actor_user_id"]) if event.get("actor_user_id") else None,
        "actor_org_id": str(event["actor_org_id"]) if event.get("actor_org_id") else None,
        "server_time": fmt_time(event["server_time"]),
        "payload": payload,
        "prev_hash": event["prev_hash"],
    }
    return dumps_canonical(doc).encode("utf-8")


def event_hash(event: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


def verify_events(events: Iterable[Mapping[str, Any]]) -> tuple[int, Break | None]:
    """Check one container's events (ordered by seq): (events checked, first break). The break's
    ``manifest_id`` field carries the container id (the same record type as manifest breaks)."""
    prev, expected_seq, n = GENESIS, 1, 0
    for e in events:
        n += 1
        cid = str(e["container_id"])
        if e["seq"] != expected_seq:
            return n, Break(cid, e["seq"], "sequence_gap", str(expected_seq), str(e["seq"]))
        if e["prev_hash"] != prev:
            return n, Break(cid, e["seq"], "prev_hash_mismatch", prev, e["prev_hash"])
        try:
            h = event_hash(e)
        except (TypeError, ValueError) as exc:
            return n, Break(cid, e["seq"], "invalid_payload", None, str(exc))
        if h != e["hash"]:
            return n, Break(cid, e["seq"], "hash_mismatch", h, e["hash"])
        prev, expected_seq = e["hash"], expected_seq + 1
    return n, None
