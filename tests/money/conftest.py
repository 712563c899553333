"""Fixtures for the money tests: the manifest world, and helpers to register contracts and pay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests import factories as f
from tests.manifest.conftest import Flow, World, build_world, flow, today, world

__all__ = ["Flow", "World", "build_world", "contract_body", "flow", "register_contract", "today", "world"]


def contract_body(w: World, **over: Any) -> dict[str, Any]:
    b: dict[str, Any] = {
        "kind": "disposal",
        "counterparty_org_id": str(w.receiver.id),
        "number": "JX-HT-2026-001",
        "waste_categories": ["HW08"],
        "price_per_tonne": "3200.00",
        "valid_from": str(today() - timedelta(days=30)),
        "valid_to": str(today() + timedelta(days=335)),
        "signed_on": str(today() - timedelta(days=31)),
    }
    b.update(over)
    return b


async def register_contract(client, w: World, **over: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/contracts", json=contract_body(w, **over), headers=f.auth(w.gen_user))
    assert r.status_code == 201, r.text
    return r.json()
