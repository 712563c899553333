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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64


def fmt_time(t: datetime | None) -> str | None:
    if t is None:
        return None
    off = t.utcoffset()
    if off is None:
        raise ValueError("event times must be timezone-aware")
    if off:
        t = t.astimezone(UTC)
    if t.year < 1000:  # isoformat pads the year to 4 digits, strftime does not
        return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # isoformat is much faster than strftime; the first 26 characters are the same text
    return t.isoformat(timespec="microseconds")[:26] + "Z"


def fmt_coord(v: float) -> str:
    return f"{v:.7f}"


_LEAVES = frozenset({str, int, bool, type(None)})


def _check_payload(value: Any, path: str = "payload") -> None:
    if isinstance(value, float):
        raise TypeError(f"{path}: floats are not allowed in event payloads (use decimal strings)")
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{path}: keys must be strings")
            if type(v) not in _LEAVES:  # plain scalars need no recursion (and no path string)
                _check_payload(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if type(v) not in _LEAVES:
                _check_payload(v, f"{path}[{i}]")


def _make_dumps() -> Callable[[Any], str]:
    """``json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``, fast.

    ``json.dumps`` builds a new encoder for every call; for the many small documents of a chain
    that costs more than the encoding. This builds CPython's C encoder once (the same call
    ``JSONEncoder.iterencode`` makes, without the circular-reference bookkeeping, which would be
    state shared between calls) and falls back to the reference encoder if that is not
    available or does not give identical output on a probe."""
    reference = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    try:
        from json.encoder import (  # type: ignore[attr-defined]  # CPython's C encoder: not in typeshed
            c_make_encoder,
            encode_basestring,
        )

        enc = c_make_encoder(None, reference.default, encode_basestring, None, ":", ",", True, False, True)
        probe = {"b": [1, None, True, 'é\n\u2028\\"', -7], "a": {"y": "x", "x": {}, "中": []}, "": 10**30}

        def fast(o: Any) -> str:
            return "".join(enc(o, 0))

        if fast(probe) == reference.encode(probe):
            return fast
    except Exception:  # noqa: BLE001 - any surprise: use the reference encoder
        pass
    return reference.encode


_dumps = _make_dumps()


def canonical(event: Mapping[str, Any], *, payload_checked: bool = False) -> bytes:
    """The canonical bytes of one event. ``payload_checked``: the caller guarantees the payload
    holds no floats and only string keys (e.g. it was parsed from JSON with floats refused), so
    the walk over it can be skipped; the bytes are the same either way."""
    loc = event.get("location")
    acc = event.get("accuracy_m")
    payload = event.get("payload") or {}
    if not payload_checked:
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
        "accuracy_m": f"{acc if type(acc) is Decimal else Decimal(str(acc)):.2f}" if acc is not None else None,
        "vehicle_plate": event.get("vehicle_plate"),
        "payload": payload,
        "prev_hash": event["prev_hash"],
    }
    return _dumps(doc).encode("utf-8")


def event_hash(event: Mapping[str, Any], *, payload_checked: bool = False) -> str:
    return hashlib.sha256(canonical(event, payload_checked=payload_checked)).hexdigest()


@dataclass(frozen=True)
class Break:
    manifest_id: str
    seq: int
    # sequence_gap | prev_hash_mismatch | hash_mismatch | invalid_payload (the chain);
    # head_mismatch | projection_mismatch (the stored manifest against its replayed events)
    reason: str
    expected: str | None = None  # what the chain or the replay says
    found: str | None = None  # what is stored
    field: str | None = None  # for projection_mismatch: the column, or ``lines[n].column``

    def as_dict(self) -> dict[str, Any]:
        return {
            "manifest_id": self.manifest_id,
            "seq": self.seq,
            "reason": self.reason,
            "field": self.field,
            "expected": self.expected,
            "found": self.found,
        }


def verify_events(events: Iterable[Mapping[str, Any]], *, payload_checked: bool = False) -> tuple[int, Break | None]:
    """Check one manifest's events (ordered by seq). Returns (events checked, first break).
    ``payload_checked`` as in ``canonical``."""
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
        if e.get("payload_error") is not None:
            return n, Break(mid, e["seq"], "invalid_payload", None, e["payload_error"])
        try:
            h = event_hash(e, payload_checked=payload_checked)
        except (TypeError, ValueError) as exc:  # e.g. a float in the payload: no canonical form
            return n, Break(mid, e["seq"], "invalid_payload", None, str(exc))
        if h != e["hash"]:
            return n, Break(mid, e["seq"], "hash_mismatch", h, e["hash"])
        prev = e["hash"]
        expected_seq += 1
    return n, None


# Shared with the container ledger's chain (waste_tracker.ledger.chain): the same canonical JSON.
dumps_canonical = _dumps
check_payload = _check_payload
