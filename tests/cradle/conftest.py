"""The manifest tests' small city, plus helpers to register containers and file plans through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests import factories as f
from tests.manifest.conftest import Flow, World, build_world, flow, today, world
from waste_tracker.models import User

__all__ = ["Ledger", "World", "build_world", "flow", "today", "world"]


class Ledger:
    """Drive the ledger and plans through the API, asserting each step succeeds."""

    def __init__(self, client, world: World) -> None:  # type: ignore[no-untyped-def]
        self.c = client
        self.w = world
        self.flow = Flow(client, world)

    async def register(self, n: int = 2, user: User | None = None, **over: Any) -> list[dict[str, Any]]:
        record = {
            "waste_code": "900-249-08",
            "main_components": "矿物油",
            "physical_form": "liquid",
            "container_type": "200 L 钢桶",
            "volume_l": 200,
            "gross_kg": "190",
            "net_kg": "180",
            "generated_on": str(today() - timedelta(days=3)),
            "storage_facility": "1号危废暂存间",
            "count": n,
        }
        record.update(over)
        r = await self.c.post(
            "/api/v1/containers",
            json={"site_id": str(self.w.gen_site.id), "records": [record]},
            headers=f.auth(user or self.w.gen_user),
        )
        assert r.status_code == 201, r.text
        return list(r.json())

    def manifest_fields(self, **over: Any) -> dict[str, Any]:
        b = self.w.body()
        b.pop("lines")
        b.update(over)
        return b

    async def manifest_from(self, containers: list[dict[str, Any]], **over: Any) -> dict[str, Any]:
        body = self.manifest_fields(container_ids=[c["id"] for c in containers], **over)
        r = await self.c.post("/api/v1/manifests/from-containers", json=body, headers=f.auth(self.w.gen_user))
        assert r.status_code == 201, r.text
        return dict(r.json())

    def plan_body(self, expected_t: str = "150", **over: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "unit": {"contact_name": "王安全", "contact_phone": "0573-82000000", "products": "润滑油调和"},
            "wastes": [
                {
                    "waste_code": "900-249-08",
                    "name": "废矿物油",
                    "main_components": "矿物油",
                    "physical_form": "liquid",
                    "hazard_characteristics": ["T", "I"],
                    "expected_t": expected_t,
                }
            ],
            "storage_facilities": [{"name": "1号危废暂存间", "type": "贮存库", "capacity_t": "20"}],
            "transfers": [
                {
                    "receiver_site_id": str(self.w.rcv_site.id),
                    "method_code": "D10",
                    "waste_codes": ["900-249-08"],
                    "expected_t": expected_t,
                }
            ],
        }
        body.update(over)
        return body

    async def plan(self, year: int | None = None, accept: bool = True, **over: Any) -> dict[str, Any]:
        r = await self.c.post(
            "/api/v1/plans",
            json={"site_id": str(self.w.gen_site.id), "year": year or today().year, "body": self.plan_body(**over)},
            headers=f.auth(self.w.gen_user),
        )
        assert r.status_code == 201, r.text
        p = r.json()
        if accept:
            r = await self.c.post(f"/api/v1/plans/{p['id']}/submit", headers=f.auth(self.w.gen_user))
            assert r.status_code == 200, r.text
            r = await self.c.post(f"/api/v1/plans/{p['id']}/accept", json={}, headers=f.auth(self.w.nanhu_regulator))
            assert r.status_code == 200, r.text
            p = r.json()
        return dict(p)


@pytest.fixture
def ledger(client, world: World) -> Ledger:  # type: ignore[no-untyped-def]
    return Ledger(client, world)
