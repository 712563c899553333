"""The canonical form and the hash chain, without a database."""

import hashlib
import json
from datetime import UTC, datetime

import pytest

from waste_tracker.manifest.chain import GENESIS, canonical, event_hash, verify_events

T = datetime(2026, 11, 29, 8, 0, 0, 123456, tzinfo=UTC)


def chain(n: int) -> list[dict]:
    out, prev = [], GENESIS
    for i in range(1, n + 1):
        e = {
            "manifest_id": "0190a0c4-0000-7000-8000-000000000001",
            "seq": i,
            "type": "x",
            "actor_user_id": None,
            "actor_org_id": None,
            "server_time": T,
            "device_time": None,
            "location": (120.1234567, 30.7654321) if i == 2 else None,
            "accuracy_m": None,
            "vehicle_plate": None,
            "payload": {"n": i, "名称": "废矿物油"},
            "prev_hash": prev,
        }
        e["hash"] = event_hash(e)
        prev = e["hash"]
        out.append(e)
    return out


def test_canonical_form_is_documented_json() -> None:
    e = chain(2)[1]
    doc = json.loads(canonical(e))
    assert list(doc) == sorted(doc)
    assert doc["server_time"] == "2026-11-29T08:00:00.123456Z"
    assert doc["location"] == ["120.1234567", "30.7654321"]
    assert "废矿物油" in canonical(e).decode()  # UTF-8, not \\u escapes
    assert event_hash(e) == hashlib.sha256(canonical(e)).hexdigest()


def test_floats_are_refused_in_payloads() -> None:
    e = chain(1)[0] | {"payload": {"q": 1.5}}
    with pytest.raises(TypeError, match="floats"):
        canonical(e)


def test_intact_chain_verifies() -> None:
    n, brk = verify_events(chain(5))
    assert (n, brk) == (5, None)


def test_edit_is_pinpointed() -> None:
    events = chain(5)
    events[2]["payload"] = {"n": 999}
    _, brk = verify_events(events)
    assert brk is not None
    assert (brk.seq, brk.reason) == (3, "hash_mismatch")


def test_rewritten_link_is_pinpointed() -> None:
    events = chain(4)
    events[2]["payload"] = {"n": 999}
    events[2]["hash"] = event_hash(events[2])  # recomputed by a careful forger...
    _, brk = verify_events(events)
    assert brk is not None
    assert (brk.seq, brk.reason) == (4, "prev_hash_mismatch")  # ...breaks the next link


def test_missing_event_is_a_gap() -> None:
    events = chain(4)
    del events[1]
    _, brk = verify_events(events)
    assert brk is not None
    assert (brk.seq, brk.reason) == (3, "sequence_gap")
