"""Hand-written bad input: each gets a clear 4xx {code, message, details} and writes nothing."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.manifest.conftest import Flow, World, token_of
from waste_tracker import clock

FIGURES: dict[str, int] = {"cases": 0}


async def snapshot(session: AsyncSession) -> dict[str, int]:
    """Row counts of every table (and the event log's newest hash): 'writes nothing' is checkable."""
    tables = (
        (
            await session.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN "
                    "('spatial_ref_sys', 'login_failure')"
                )
            )
        )
        .scalars()
        .all()
    )
    out = {t: (await session.execute(text(f'SELECT count(*) FROM "{t}"'))).scalar_one() for t in tables}
    out["_last_hash"] = (await session.execute(text("SELECT max(hash) FROM manifest_event"))).scalar()
    out["_statuses"] = hash(tuple((await session.execute(text("SELECT id, status, version FROM manifest ORDER BY id"))).all()))
    return out


def assert_error(r, status: int | tuple[int, ...], code: str | None = None) -> None:  # type: ignore[no-untyped-def]
    statuses = (status,) if isinstance(status, int) else status
    assert r.status_code in statuses, (r.status_code, r.text[:300])
    body = r.json()
    assert set(body) == {"code", "message", "details"}, body
    assert body["message"] and isinstance(body["code"], str)
    if code:
        assert body["code"] == code, body
    FIGURES["cases"] += 1


async def test_bad_scans_write_nothing(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.submitted()
    good = {"token": token_of(m), "action": "pickup", "vehicle_plate": world.truck.plate, "lon": 120.812, "lat": 30.719}
    h = f.auth(world.driver)
    before = await snapshot(session)
    cases = [
        ({**good, "token": good["token"][:-3] + "zzz"}, 422, "invalid_qr_token"),  # forged
        ({**good, "token": good["token"][:12]}, 422, "invalid_qr_token"),  # truncated
        ({**good, "lon": 181}, 422, "validation_error"),
        ({**good, "lat": -90.5}, 422, "validation_error"),
        ({**good, "lon": math.nan}, 422, None),  # NaN is not even valid JSON
        ({**good, "quantity_kg": "-5"}, 422, "validation_error"),
        ({**good, "quantity_kg": "0"}, 422, "validation_error"),
        ({**good, "quantity_kg": "1e30"}, 422, "validation_error"),
        ({**good, "quantity_kg": "lots"}, 422, "validation_error"),
        ({**good, "device_time": "2026-11-29T08:00:00"}, 422, "validation_error"),  # no zone
        ({**good, "device_time": (clock.now() + timedelta(days=3)).isoformat()}, 422, "device_time_out_of_range"),
        ({**good, "vehicle_plate": "浙F' OR 1=1 --"}, 422, "unknown_vehicle"),
        ({**good, "action": "teleport"}, 422, "validation_error"),
    ]
    for body, status, code in cases:
        if isinstance(body.get("lon"), float) and math.isnan(body["lon"]):
            r = await client.post(
                "/api/v1/scans",
                content=b'{"token": "x", "action": "pickup", "lon": NaN, "lat": 1}',
                headers=h | {"Content-Type": "application/json"},
            )
        else:
            r = await client.post("/api/v1/scans", json=body, headers=h)
        assert_error(r, status, code)
    # A replayed token after the pickup: the wrong moment.
    assert (await client.post("/api/v1/scans", json=good, headers=h)).status_code == 201
    before = await snapshot(session)
    assert_error(await client.post("/api/v1/scans", json=good, headers=h), 409, "invalid_transition")
    assert await snapshot(session) == before


async def test_bad_manifests_write_nothing(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    h = f.auth(world.gen_user)
    before = await snapshot(session)

    def line(**kw):  # type: ignore[no-untyped-def]
        return {
            "waste_code": "900-249-08",
            "physical_form": "liquid",
            "quantity": "10",
            "container_type": "桶",
            "container_count": 1,
            **kw,
        }

    cases = [
        (world.body(lines=[line(quantity="-1")]), 422, "validation_error"),
        (world.body(lines=[line(quantity="0")]), 422, "validation_error"),
        (world.body(lines=[line(quantity="9999999999")]), 422, "validation_error"),
        (world.body(lines=[line(quantity="ten")]), 422, "validation_error"),
        (world.body(lines=[line(waste_code="000-000-00")]), 422, "unknown_waste_code"),
        (world.body(lines=[line(waste_code="'; DROP TABLE manifest; --")]), 422, None),
        (world.body(lines=[]), 422, "validation_error"),
        (world.body(planned_method_code="ZZ"), 422, "unknown_method_code"),
        (world.body(planned_pickup_date="2026-02-30"), 422, "validation_error"),
        (world.body(emergency_phone="1"), 422, "validation_error"),
        ({**world.body(), "unexpected": 1}, 422, "validation_error"),
        (world.body(receiver_site_id=str(world.gen_site.id)), 422, "invalid_receiver"),
        (world.body(carrier_org_id=str(world.receiver.id)), 422, "invalid_carrier"),
    ]
    for body, status, code in cases:
        assert_error(await client.post("/api/v1/manifests", json=body, headers=h), status, code)
    assert_error(
        await client.post("/api/v1/manifests", content=b"{not json", headers=h | {"Content-Type": "application/json"}),
        422,
        "malformed_json",
    )
    assert_error(
        await client.post("/api/v1/manifests", content=b"<xml/>", headers=h | {"Content-Type": "application/xml"}),
        415,
        "unsupported_media_type",
    )
    big = b"x" * 1_200_000
    assert_error(
        await client.post("/api/v1/manifests", content=big, headers=h | {"Content-Type": "application/json"}),
        413,
        "payload_too_large",
    )
    assert_error(await client.get("/api/v1/manifests/not-a-uuid", headers=h), 422, "validation_error")
    assert_error(await client.get("/api/v1/manifests?created_from=2026-13-01", headers=h), 422, "validation_error")
    assert_error(await client.get("/api/v1/waste-codes", params={"q": "\x00"}, headers=h), 422, "validation_error")
    assert_error(await client.get("/api/v1/jurisdictions/99999999999", headers=h), (404, 422))
    assert await snapshot(session) == before


async def test_idempotency_key_reuse_writes_nothing(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    h = f.auth(world.gen_user) | {"Idempotency-Key": "erp-1"}
    assert (await client.post("/api/v1/manifests", json=world.body(), headers=h)).status_code == 201
    before = await snapshot(session)
    assert_error(
        await client.post("/api/v1/manifests", json=world.body(notes="另一个"), headers=h), 422, "idempotency_key_reused"
    )
    assert_error(
        await client.post("/api/v1/manifests", json=world.body(), headers=h | {"Idempotency-Key": "x" * 300}),
        422,
        "invalid_idempotency_key",
    )
    assert await snapshot(session) == before


async def test_hostile_strings_are_stored_safely_and_rendered_escaped(
    client,
    session: AsyncSession,
    world: World,  # type: ignore[no-untyped-def]
    flow: Flow,
) -> None:
    nasty = "<script>alert(1)</script>'; DROP TABLE manifest_event; -- \u202e\u0007 泄漏"
    m = await flow.submitted(
        world.body(
            emergency_measures=nasty,
            lines=[
                {
                    "waste_code": "900-249-08",
                    "description": nasty,
                    "physical_form": "liquid",
                    "quantity": "10",
                    "container_type": "<b>桶</b>",
                    "container_count": 1,
                }
            ],
        )
    )
    detail = (await client.get(f"/api/v1/manifests/{m['id']}", headers=f.auth(world.gen_user))).json()
    assert detail["emergency_measures"] == nasty  # stored exactly, as data
    assert detail["lines"][0]["description"] == nasty
    html = (await client.get(f"/api/v1/manifests/{m['id']}/label", headers=f.auth(world.gen_user))).text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>桶</b>" not in html
    assert (await session.execute(text("SELECT count(*) FROM manifest_event"))).scalar() >= 2  # still there


@pytest.mark.parametrize("password", ["hunter2-secret-PASSWORD"])
async def test_secrets_never_in_error_bodies_or_logs(client, session: AsyncSession, caplog, password: str) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import TEST_SECRET

    await f.user(session, role="admin", username="secretive")
    caplog.set_level("DEBUG")
    responses = [
        await client.post("/api/v1/auth/token", data={"username": "secretive", "password": password}),
        await client.post("/api/v1/auth/token", data={"password": password}),
        await client.post(
            "/api/v1/users",
            json={"username": "x", "password": password, "role": "nope"},
            headers=f.auth(await f.user(session, role="admin")),
        ),
    ]
    for r in responses:
        assert r.status_code in (401, 422)
        assert password not in r.text and TEST_SECRET not in r.text
    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    assert password not in logged and TEST_SECRET not in logged
