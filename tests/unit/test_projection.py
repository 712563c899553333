"""The replay of events into the columns pages read (waste_tracker.manifest.projection), pure."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from waste_tracker.manifest.projection import InvalidPayload, compare, replayed

T = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
ORG = "0192f0a0-0000-7000-8000-000000000001"
SITE = "0192f0a0-0000-7000-8000-000000000002"
LINE = {
    "line_no": 1,
    "waste_code": "900-041-49",
    "category_code": "HW49",
    "kind": "hazardous",
    "description": "废活性炭",
    "physical_form": "solid",
    "hazard_characteristics": ["T"],
    "declared_kg": "100.000",
    "container_type": "吨袋",
    "container_count": 1,
}


def _created(**over: Any) -> dict[str, Any]:
    payload = {
        "generator_site_id": SITE,
        "carrier_org_id": ORG,
        "receiver_site_id": SITE,
        "planned_method_code": "D10",
        "planned_pickup_date": "2026-12-04",
        "emergency_measures": "m",
        "emergency_contact": "c",
        "emergency_phone": "1",
        "notes": "",
        "kind": "hazardous",
        "declared_kg": "100.000",
        "lines": [LINE],
        "purpose": "transfer",
        "parent_manifest_id": None,
        "pickup_site_id": SITE,
    } | over
    return {"type": "created", "seq": 1, "server_time": T, "payload": payload, "actor_org_id": ORG, "hash": "a" * 64}


def test_a_draft_replays_to_its_row_and_lines() -> None:
    r = replayed([_created()])
    assert r.row["status"] == "draft" and r.row["declared_kg"] == Decimal("100.000") and r.row["last_hash"] == "a" * 64
    assert r.lines[1]["description"] == "废活性炭" and r.lines[1]["received_kg"] is None


def test_a_payload_the_service_could_not_have_written_is_named_at_its_event() -> None:
    bad = _created()
    del bad["payload"]["lines"]
    with pytest.raises(InvalidPayload) as e:
        replayed([bad])
    assert e.value.seq == 1 and "lines" in e.value.reason
    received = {"type": "received", "seq": 2, "server_time": T, "payload": {"decision": "accepted"}, "hash": "b" * 64}
    with pytest.raises(InvalidPayload) as e:
        replayed([_created(), received])
    assert e.value.seq == 2
    with pytest.raises(InvalidPayload):
        replayed([{**_created(), "payload": ["not", "an", "object"]}])


def test_compare_names_the_field_the_stored_value_and_the_replayed_value() -> None:
    r = replayed([_created()])
    stored = dict(r.row) | {"notes": "edited", "declared_kg": Decimal("100")}
    lines = [{**LINE, "declared_kg": Decimal("100.000"), "received_kg": None, "accepted_kg": None, "container_count": 2}]
    breaks = compare("m", r, stored, lines)
    assert [(b.field, b.found, b.expected) for b in breaks] == [("notes", "edited", ""), ("lines[1].container_count", "2", "1")]
