"""Every step of a manifest's life through the API, for the right and the wrong parties."""

import re

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.manifest.conftest import Flow, World, today
from waste_tracker import clock
from waste_tracker.manifest.events import state_of
from waste_tracker.manifest.lifecycle import PROJECTED_FIELDS, replay
from waste_tracker.manifest.queries import get_events
from waste_tracker.manifest.verify import verify_manifest
from waste_tracker.models import Manifest


async def assert_projection_equals_replay(session: AsyncSession) -> int:
    """Replay every manifest's events and compare with the stored row."""
    ids = (await session.execute(text("SELECT id FROM manifest"))).scalars().all()
    for mid in ids:
        m = await session.get(Manifest, mid)
        await session.refresh(m)
        events = await get_events(session, mid)
        replayed = replay(
            [
                {
                    "type": e.type,
                    "seq": e.seq,
                    "server_time": e.server_time,
                    "payload": e.payload,
                    "vehicle_plate": e.vehicle_plate,
                }
                for e in events
            ]
        )
        stored = state_of(m)
        for field in PROJECTED_FIELDS:
            assert getattr(replayed, field) == getattr(stored, field), (m.number, field)
        assert replayed.number == m.number
        check = await verify_manifest(session, mid)
        assert check.breaks == [] and check.events == len(events)
    return len(ids)


async def test_full_life_of_a_hazardous_manifest(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.create()
    assert m["status"] == "draft"
    assert m["number"] is None
    assert m["kind"] == "hazardous"
    assert m["declared_kg"] == "1500.000"
    assert m["lines"][0]["hazard_characteristics"] == ["T", "I"]
    assert 8_000 < m["distance_m"] < 25_000  # 南湖 -> 秀洲
    h = f.auth(world.gen_user)

    r = await client.patch(f"/api/v1/manifests/{m['id']}", json={"notes": "第二次编辑"}, headers=h)
    assert r.status_code == 200 and r.json()["notes"] == "第二次编辑"
    r = await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=h)
    assert r.status_code == 200, r.text
    m = r.json()
    year = clock.local(clock.now()).year
    assert m["number"] == f"{year}3304000001"
    assert m["status"] == "submitted"
    assert m["allowed_actions"] == ["cancel", "pickup"]

    r = await flow.scan(m, "pickup", f.POINTS[330402], quantity_kg="1490")
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "in_transit"
    assert r.json()["findings"] == []
    r = await flow.scan(m, "dropoff", tuple(m["receiver"]["location"]["coordinates"]))
    assert r.status_code == 201 and r.json()["status"] == "delivered"
    r = await flow.receive(m, kg="1480")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "received" and r.json()["accepted_kg"] == "1480.000"
    r = await client.post(
        f"/api/v1/manifests/{m['id']}/dispose",
        headers=f.auth(world.rcv_user),
        json={"method_code": "D10", "disposed_on": str(today()), "quantity": "1480"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "completed"

    events = (await client.get(f"/api/v1/manifests/{m['id']}/events", headers=h)).json()
    assert [e["type"] for e in events] == [
        "created",
        "draft_updated",
        "submitted",
        "picked_up",
        "dropped_off",
        "received",
        "disposed",
    ]
    assert [e["seq"] for e in events] == list(range(1, 8))
    assert events[0]["prev_hash"] == "0" * 64
    assert all(events[i]["prev_hash"] == events[i - 1]["hash"] for i in range(1, 7))
    assert events[3]["location"]["coordinates"] == list(f.POINTS[330402])
    assert events[3]["vehicle_plate"] == world.truck.plate
    v = (await client.get(f"/api/v1/manifests/{m['id']}/verify", headers=h)).json()
    assert v == {"manifest_id": m["id"], "ok": True, "events": 7, "first_break": None, "breaks": []}
    assert await assert_projection_equals_replay(session) == 1


async def test_numbers_are_sequential_per_prefecture(flow: Flow) -> None:
    a = await flow.submitted()
    b = await flow.submitted()
    assert int(b["number"]) == int(a["number"]) + 1
    assert re.fullmatch(r"\d{4}3304\d{6}", b["number"])


async def test_wrong_parties_get_403(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.create()
    mid = m["id"]
    r = await client.post(f"/api/v1/manifests/{mid}/submit", headers=f.auth(world.rcv_user))
    assert r.status_code in (403, 404)
    r = await client.post(f"/api/v1/manifests/{mid}/submit", headers=f.auth(world.other_generator_user))
    assert r.status_code in (403, 404)
    m = (await client.post(f"/api/v1/manifests/{mid}/submit", headers=f.auth(world.gen_user))).json()
    r = await client.post(
        f"/api/v1/manifests/{mid}/receive",
        headers=f.auth(world.gen_user),
        json={"decision": "accepted", "lines": [{"line_no": 1, "quantity": "1"}]},
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = await client.post(f"/api/v1/manifests/{mid}/cancel", headers=f.auth(world.rcv_user), json={"reason": "不要了"})
    assert r.status_code == 403
    r = await flow.scan(m, "pickup", f.POINTS[330402], driver=world.other_driver)
    assert r.status_code == 403 and r.json()["code"] == "wrong_carrier"
    r = await flow.scan(m, "pickup", f.POINTS[330402], driver=world.gen_user)
    assert r.status_code == 403


async def test_forbidden_transitions_get_409_naming_status_and_allowed(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.submitted()
    r = await flow.scan(m, "dropoff", f.POINTS[330411])
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "invalid_transition"
    assert body["details"]["status"] == "submitted"
    assert body["details"]["allowed"] == ["cancel", "pickup"]
    assert "submitted" in body["message"]
    r = await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=f.auth(world.gen_user))
    assert r.status_code == 409
    r = await client.patch(f"/api/v1/manifests/{m['id']}", json={"notes": "x"}, headers=f.auth(world.gen_user))
    assert r.status_code == 409
    r = await client.post(
        f"/api/v1/manifests/{m['id']}/dispose",
        headers=f.auth(world.rcv_user),
        json={"method_code": "D10", "disposed_on": str(today()), "quantity": "1"},
    )
    assert r.status_code == 409
    await flow.scan(m, "pickup", f.POINTS[330402])
    r = await client.post(f"/api/v1/manifests/{m['id']}/cancel", headers=f.auth(world.gen_user), json={"reason": "太晚了"})
    assert r.status_code == 409 and r.json()["details"]["status"] == "in_transit"


async def test_cancel_and_delete(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    h = f.auth(world.gen_user)
    d = await flow.create()
    r = await client.delete(f"/api/v1/manifests/{d['id']}", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "deleted"
    assert (await client.get(f"/api/v1/manifests/{d['id']}/events", headers=h)).json()[-1]["type"] == "draft_deleted"
    m = await flow.submitted()
    r = await client.post(f"/api/v1/manifests/{m['id']}/cancel", headers=h, json={"reason": "计划变更"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = await flow.scan(m, "pickup", f.POINTS[330402])
    assert r.status_code == 409 and r.json()["code"] == "manifest_cancelled"


async def test_partial_acceptance_and_remainder_redirect(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.delivered()
    r = await flow.receive(m, decision="partial", kg="1500", accepted="1000")
    assert r.status_code == 422 and r.json()["code"] == "reason_required"
    r = await flow.receive(m, decision="partial", kg="1500", accepted="1000", reason="部分桶体破损")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "received" and body["decision"] == "partial" and body["remainder_open"] is True
    assert "redirect" in body["allowed_actions"] and "dispose" in body["allowed_actions"]
    r = await client.post(
        f"/api/v1/manifests/{m['id']}/redirect",
        headers=f.auth(world.gen_user),
        json={"receiver_site_id": str(world.far_site.id), "planned_method_code": "D10"},
    )
    assert r.status_code == 422 and r.json()["code"] == "hazardous_leaves_city"  # the rules apply to the new leg
    other = await f.organisation(session, roles=["receiver"])
    other_site = await f.site(session, org=other, county=330424)
    await f.licence(session, site=other_site, categories=["HW08"], methods=["D10"])
    r = await client.post(
        f"/api/v1/manifests/{m['id']}/redirect",
        headers=f.auth(world.gen_user),
        json={"receiver_site_id": str(other_site.id), "planned_method_code": "D10"},
    )
    assert r.status_code == 201, r.text
    child = r.json()
    assert child["parent_manifest_id"] == m["id"]
    assert child["status"] == "submitted" and child["number"]
    assert child["declared_kg"] == "500.000"
    assert child["pickup_site_id"] == str(world.rcv_site.id)
    parent = (await client.get(f"/api/v1/manifests/{m['id']}", headers=f.auth(world.gen_user))).json()
    assert parent["remainder_open"] is False and parent["child_manifest_id"] == child["id"]
    # The new leg is picked up where the load is: at the first receiver.
    r = await flow.scan(child, "pickup", tuple(m["receiver"]["location"]["coordinates"]))
    assert r.status_code == 201 and r.json()["findings"] == []
    await session.commit()


async def test_rejection_then_return_trip(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.delivered()
    r = await flow.receive(m, decision="rejected", kg="1500", reason="与联单不符：实为含油污泥")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    r = await client.post(f"/api/v1/manifests/{m['id']}/return", headers=f.auth(world.gen_user), json={})
    assert r.status_code == 200 and r.json()["status"] == "return_requested"
    rcv = tuple(m["receiver"]["location"]["coordinates"])
    r = await flow.scan(m, "pickup", rcv)
    assert r.status_code == 201 and r.json()["status"] == "returning" and r.json()["findings"] == []
    r = await flow.scan(m, "dropoff", f.POINTS[330402])
    assert r.status_code == 201 and r.json()["status"] == "returned" and r.json()["findings"] == []
    r = await flow.scan(m, "dropoff", f.POINTS[330402])
    assert r.status_code == 409 and r.json()["code"] == "manifest_closed"


async def test_rejection_then_redirect(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.delivered()
    await flow.receive(m, decision="rejected", kg="1500", reason="超出处理能力")
    other = await f.organisation(session, roles=["receiver"])
    other_site = await f.site(session, org=other, county=330482)
    await f.licence(session, site=other_site, categories=["HW08"], methods=["R9"])
    r = await client.post(
        f"/api/v1/manifests/{m['id']}/redirect",
        headers=f.auth(world.gen_user),
        json={"receiver_site_id": str(other_site.id), "planned_method_code": "R9", "note": "改送再生"},
    )
    assert r.status_code == 201, r.text
    parent = (await client.get(f"/api/v1/manifests/{m['id']}", headers=f.auth(world.gen_user))).json()
    assert parent["status"] == "redirected"
    assert parent["child_manifest_id"] == r.json()["id"]
    assert await assert_projection_equals_replay(session) == 2


async def test_receive_validation(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.delivered()
    h = f.auth(world.rcv_user)
    url = f"/api/v1/manifests/{m['id']}/receive"
    r = await client.post(url, headers=h, json={"decision": "accepted", "lines": [{"line_no": 2, "quantity": "1"}]})
    assert r.json()["code"] == "lines_mismatch"
    r = await client.post(url, headers=h, json={"decision": "accepted", "lines": [{"line_no": 1, "quantity": "-1"}]})
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    r = await client.post(
        url,
        headers=h,
        json={"decision": "partial", "reason": "x", "lines": [{"line_no": 1, "quantity": "10", "accepted_quantity": "20"}]},
    )
    assert r.json()["code"] == "accepted_out_of_range"
    assert r.json()["message"] == "第 1 行接受的数量 20.000 千克须在 0 到过磅数量 10.000 千克之间。"
    r = await client.post(
        url, headers=h, json={"decision": "accepted", "lines": [{"line_no": 1, "quantity": "1.48", "unit": "t"}]}
    )
    assert r.status_code == 200 and r.json()["received_kg"] == "1480.000"
    r = await client.post(
        f"/api/v1/manifests/{m['id']}/dispose",
        headers=h,
        json={"method_code": "R9", "disposed_on": str(today()), "quantity": "2000"},
    )
    assert r.json()["code"] == "quantity_exceeds_accepted"
    r = await client.post(
        f"/api/v1/manifests/{m['id']}/dispose",
        headers=h,
        json={"method_code": "D1", "disposed_on": str(today()), "quantity": "1480"},
    )
    assert r.json()["code"] == "method_not_licensed"


async def test_listing_is_scoped_and_paginated(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    ids = [(await flow.submitted())["id"] for _ in range(3)]
    draft = (await flow.create())["id"]
    mine = (await client.get("/api/v1/manifests", params={"limit": 2}, headers=f.auth(world.gen_user))).json()
    assert len(mine["items"]) == 2 and mine["next_cursor"]
    rest = (
        await client.get("/api/v1/manifests", params={"limit": 2, "cursor": mine["next_cursor"]}, headers=f.auth(world.gen_user))
    ).json()
    seen = [x["id"] for x in mine["items"] + rest["items"]]
    assert set(seen) == set(ids) | {draft} and len(seen) == 4
    assert (await client.get("/api/v1/manifests", headers=f.auth(world.other_generator_user))).json()["items"] == []
    for user in (world.carrier_user, world.driver, world.rcv_user, world.city_regulator, world.nanhu_regulator):
        got = {x["id"] for x in (await client.get("/api/v1/manifests", headers=f.auth(user))).json()["items"]}
        assert got == set(ids), user.username  # drafts are the generator's alone
    assert (await client.get("/api/v1/manifests", headers=f.auth(world.haining_regulator))).json()["items"] == []
    r = await client.get(f"/api/v1/manifests/{ids[0]}", headers=f.auth(world.haining_regulator))
    assert r.status_code == 404
    r = await client.get(f"/api/v1/manifests/{draft}", headers=f.auth(world.city_regulator))
    assert r.status_code == 404
    got = (await client.get("/api/v1/manifests", params={"status": "draft"}, headers=f.auth(world.gen_user))).json()
    assert [x["id"] for x in got["items"]] == [draft]
    got = (
        await client.get("/api/v1/manifests", params={"category": "HW08", "county": 330411}, headers=f.auth(world.city_regulator))
    ).json()
    assert len(got["items"]) == 3
    r = await client.get("/api/v1/manifests", params={"cursor": "garbage!"}, headers=f.auth(world.gen_user))
    assert r.status_code == 422 and r.json()["code"] == "invalid_cursor"


async def test_label_endpoints(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    d = await flow.create()
    r = await client.get(f"/api/v1/manifests/{d['id']}/label.png", headers=f.auth(world.gen_user))
    assert r.status_code == 409 and r.json()["code"] == "manifest_not_submitted"
    m = await flow.submitted()
    r = await client.get(f"/api/v1/manifests/{m['id']}/label.png", headers=f.auth(world.driver))
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content[:4] == b"\x89PNG"
    r = await client.get(f"/api/v1/manifests/{m['id']}/label.svg", headers=f.auth(world.gen_user))
    assert r.status_code == 200 and b"<svg" in r.content
    r = await client.get(f"/api/v1/manifests/{m['id']}/label", headers=f.auth(world.gen_user))
    assert r.status_code == 200
    html = r.text
    assert m["number"] in html and "900-249-08" in html and "T, I" in html and "<svg" in html
    from tests.manifest.conftest import token_of

    assert f"t={token_of(m)}".replace(".", ".") in html or token_of(m) in html
    r = await client.get(f"/api/v1/manifests/{m['id']}/label", headers=f.auth(world.other_generator_user))
    assert r.status_code == 404
