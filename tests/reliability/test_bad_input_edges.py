"""Bad input that once got a 5xx or a wrong answer (issue #10 item 8): each is now a clear 4xx,
with the usual body, and writes nothing."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.manifest.conftest import Flow, World
from tests.reliability.test_bad_input import assert_error, snapshot
from waste_tracker.auth.tokens import issue_access_token

EDGE_QUERIES = [
    "/api/v1/manifests?created_to=9999-12-31",
    "/api/v1/manifests?created_from=0001-01-01",
    "/api/v1/alerts?date_to=9999-12-31",
    "/api/v1/alerts?date_from=0001-01-01",
    "/api/v1/alerts/summary?date_to=9999-12-31",
    "/api/v1/alerts/export.csv?date_to=9999-12-31",
    "/api/v1/stats/flows?date_from=9999-12-30&date_to=9999-12-31",
    "/api/v1/stats/kpis?date_from=9999-12-30&date_to=9999-12-31",
    "/api/v1/stats/kpis?date_from=0001-01-01&date_to=0001-01-02",
]


@pytest.mark.parametrize("url", EDGE_QUERIES)
async def test_dates_at_the_edges_of_the_calendar_are_422(client, world: World, url: str) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(url, headers=f.auth(world.city_regulator))
    assert_error(r, 422)
    assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "url",
    ["/manifests?created_to=9999-12-31", "/reg/flows?date_to=0001-01-02", "/reg/kpis?date_to=9999-12-31"],
)
async def test_pages_with_edge_dates_are_422_pages(client, world: World, url: str) -> None:  # type: ignore[no-untyped-def]
    token, _ = issue_access_token(world.city_regulator.id, "regulator", f.TEST_SECRET, 60)
    client.cookies.set("wt_session", token)
    r = await client.get(url)
    assert r.status_code == 422, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["x-frame-options"] == "DENY"


async def test_numbers_and_dates_are_strict(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    h = f.auth(world.gen_user)
    before = await snapshot(session)
    line = world.body()["lines"][0]
    for body in (
        world.body(lines=[line | {"quantity": "1_000"}]),
        world.body(lines=[line | {"quantity": " 1e3"}]),
        world.body(lines=[line | {"quantity": True}]),
        world.body(planned_pickup_date=0),
        world.body(planned_pickup_date="0"),
        world.body(planned_pickup_date="20270101"),
    ):
        assert_error(await client.post("/api/v1/manifests", json=body, headers=h), 422, "validation_error")
    assert await snapshot(session) == before


async def test_receive_refuses_a_line_given_twice(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.delivered()
    before = await snapshot(session)
    body = {
        "decision": "accepted",
        "lines": [{"line_no": 1, "quantity": "1", "unit": "kg"}, {"line_no": 1, "quantity": "1500", "unit": "kg"}],
    }
    r = await client.post(f"/api/v1/manifests/{m['id']}/receive", json=body, headers=f.auth(world.rcv_user))
    assert_error(r, 422, "duplicate_line_no")
    assert r.json()["details"]["line_no"] == 1
    assert await snapshot(session) == before


@pytest.mark.parametrize("expires_at", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2020-01-01T00:00:00+08:00"])
async def test_api_key_expiry_is_bounded(client, session: AsyncSession, world: World, expires_at: str) -> None:  # type: ignore[no-untyped-def]
    h = f.auth(world.gen_user)
    r = await client.post("/api/v1/api-keys", json={"name": "erp", "expires_at": expires_at}, headers=h)
    assert_error(r, 422, "invalid_expiry")
    listed = await client.get("/api/v1/api-keys", headers=h)
    assert listed.status_code == 200 and listed.json() == []


async def test_unreadable_json_bodies_get_a_stable_400(client, world: World) -> None:  # type: ignore[no-untyped-def]
    h = f.auth(world.gen_user) | {"Content-Type": "application/json"}
    latin1 = '{"notes": "\u00e9"}'.encode("latin-1")
    for content in (b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 5000 + b"1" + b"}" * 5000, latin1):
        r = await client.post("/api/v1/manifests", content=content, headers=h)
        assert_error(r, 400, "unreadable_body")
    en = await client.post("/api/v1/manifests", content=latin1, headers=h | {"Accept-Language": "en"})
    assert "JSON" in en.json()["message"]


async def test_the_400_is_documented(client) -> None:  # type: ignore[no-untyped-def]
    spec = (await client.get("/openapi.json")).json()
    post = spec["paths"]["/api/v1/manifests"]["post"]
    assert "400" in post["responses"]
    assert post["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")


async def test_chunked_body_over_the_limit_is_413(client, world: World) -> None:  # type: ignore[no-untyped-def]
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(30):
            yield b" " * 50_000  # no Content-Length: the body arrives chunked

    h = f.auth(world.gen_user) | {"Content-Type": "application/json"}
    r = await client.post("/api/v1/manifests", content=chunks(), headers=h)
    assert_error(r, 413, "payload_too_large")


async def test_a_500_still_carries_the_security_headers(app) -> None:  # type: ignore[no-untyped-def]
    from api.deps import PUBLIC

    @app.get("/api/v1/_boom", openapi_extra=PUBLIC)
    async def boom() -> None:
        raise RuntimeError("a bug")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        r = await c.get("/api/v1/_boom")
    assert r.status_code == 500 and r.json()["code"] == "internal_error"
    for header in ("x-content-type-options", "x-frame-options", "content-security-policy", "cache-control"):
        assert header in r.headers, header
    assert json.loads(r.text)["details"] is None
