"""A submitted manifest shows each party as it was at submission (issue #10 item 5): after a legal
name change (through a regulator, with history) the API, the label, the lists and the regulators'
views keep the name the parties agreed under; a draft shows the name as it is now. Before the fix
every past manifest showed the new name."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.manifest.conftest import Flow, World
from waste_tracker.registry.uscc import make_uscc

OLD, NEW = "测试化工有限公司", "测试新材料有限公司"


async def _rename_generator(client, world: World) -> None:  # type: ignore[no-untyped-def]
    body = {"name": NEW, "uscc": make_uscc("330402", "T00PARTY1"), "reason": "工商变更登记"}
    r = await client.post(
        f"/api/v1/organisations/{world.generator.id}/identity", json=body, headers=f.auth(world.nanhu_regulator)
    )
    assert r.status_code == 200, r.text


async def test_submitted_manifests_keep_the_names_of_submission(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.submitted()
    assert m["generator"]["organisation_name"] == OLD
    old_uscc = m["generator"]["uscc"]
    events = (await client.get(f"/api/v1/manifests/{m['id']}/events", headers=f.auth(world.gen_user))).json()
    submitted = next(e for e in events if e["type"] == "submitted")
    # The snapshot is part of the submitted event, so the chain covers it.
    assert submitted["payload"]["parties"]["generator"]["organisation_name"] == OLD
    assert submitted["payload"]["parties"]["receiver"]["organisation_name"] == world.receiver.name
    assert submitted["payload"]["parties"]["carrier"]["uscc"] == world.carrier.uscc

    draft = await flow.create()
    await _rename_generator(client, world)

    h = f.auth(world.gen_user)
    got = (await client.get(f"/api/v1/manifests/{m['id']}", headers=h)).json()
    assert got["generator"]["organisation_name"] == OLD and got["generator"]["uscc"] == old_uscc
    assert (await client.get(f"/api/v1/manifests/{draft['id']}", headers=h)).json()["generator"]["organisation_name"] == NEW
    label = await client.get(f"/api/v1/manifests/{m['id']}/label", headers=h)
    assert label.status_code == 200 and OLD in label.text and NEW not in label.text
    reg = (await client.get(f"/api/v1/manifests/{m['id']}", headers=f.auth(world.city_regulator))).json()
    assert reg["generator"]["organisation_name"] == OLD
    # Verification still holds: the snapshot is what was hashed.
    v = (await client.get(f"/api/v1/manifests/{m['id']}/verify", headers=h)).json()
    assert v["ok"] is True, v


async def test_lists_and_alert_pages_keep_them_too(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.submitted()
    await flow.scan(m, "pickup", f.POINTS[330402])
    await flow.scan(m, "dropoff", f.POINTS[330481])  # far from the receiver: raises an alert
    await _rename_generator(client, world)
    await client.get("/login")
    r = await client.post(
        "/login",
        data={"username": world.city_regulator.username, "password": f.PASSWORD, "csrf": client.cookies.get("wt_csrf")},
    )
    assert r.status_code == 303
    listing = await client.get(f"/manifests?number={m['number']}")
    assert listing.status_code == 200 and OLD in listing.text and NEW not in listing.text
    alerts = (await client.get("/api/v1/alerts", headers=f.auth(world.city_regulator))).json()["items"]
    a = next(x for x in alerts if x["manifest_id"] == m["id"])
    page = await client.get(f"/reg/alerts/{a['id']}")
    assert page.status_code == 200 and OLD in page.text and NEW not in page.text
