"""A draft is the generator's own business: to anyone else it does not exist, whatever the method
(issue #10 item 5). Before the fix the named carrier, receiver or driver got 404 on GET but 403 or
409 (with the draft's status and allowed actions) on the action endpoints."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute

from tests import factories as f
from tests.manifest.conftest import Flow, World
from tests.reliability.test_permission_matrix import walk_routes

OTHERS = ["carrier_user", "driver", "rcv_user", "nanhu_regulator", "city_regulator", "haining_regulator"]
BODIES = {
    "receive": {"decision": "accepted", "lines": [{"line_no": 1, "quantity": "1500"}]},
    "dispose": {"method_code": "D10", "disposed_on": "2026-01-01", "quantity": "1500"},
    "cancel": {"reason": "探测"},
    "return": {"note": "探测"},
    "redirect": {"receiver_site_id": "00000000-0000-0000-0000-000000000000", "planned_method_code": "D10"},
    "points": {"points": [{"recorded_at": "2026-12-01T10:00:00+08:00", "lon": 120.8, "lat": 30.7}]},
}


def manifest_routes(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    out = []
    for r in walk_routes(app):
        # A manifest's own routes (the audit route reading one within a sample has its own test:
        # an auditor never sees drafts, tests/audit).
        if isinstance(r, APIRoute) and r.path.startswith("/api/") and "{manifest_id}" in r.path and r.path.count("{") == 1:
            out.extend((m, r.path) for m in sorted(r.methods))
    return out


async def test_a_draft_is_not_found_for_everyone_but_its_generator(app, client, flow: Flow, world: World) -> None:  # type: ignore[no-untyped-def]
    draft = await flow.create()
    routes = manifest_routes(app)
    assert len(routes) >= 8, routes  # the probe really covers the action endpoints
    seen = {}
    for who in OTHERS:
        user = getattr(world, who)
        for method, template in routes:
            url = template.replace("{manifest_id}", draft["id"])
            body = BODIES.get(template.rsplit("/", 1)[-1], {} if method in ("POST", "PATCH") else None)
            r = await client.request(method, url, json=body, headers=f.auth(user))
            seen[(who, method, template)] = r.status_code
            assert r.status_code == 404, (who, method, template, r.status_code, r.text)
            assert r.json()["code"] == "not_found"
            assert "status" not in r.text and "allowed" not in r.text, r.text
    # The generator still reaches its draft through the same routes.
    r = await client.get(f"/api/v1/manifests/{draft['id']}", headers=f.auth(world.gen_user))
    assert r.status_code == 200
    r = await client.patch(f"/api/v1/manifests/{draft['id']}", json={"notes": "改"}, headers=f.auth(world.gen_user))
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("who", ["carrier_user", "driver", "rcv_user"])
async def test_after_submission_the_parties_see_it_again(client, flow: Flow, world: World, who: str) -> None:  # type: ignore[no-untyped-def]
    m = await flow.submitted()
    r = await client.get(f"/api/v1/manifests/{m['id']}", headers=f.auth(getattr(world, who)))
    assert r.status_code == 200
