"""Log-in, tokens, API keys, and the error body on 401."""

from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.app import create_app
from tests import factories as f
from tests.conftest import TEST_SECRET
from waste_tracker import clock
from waste_tracker.auth.tokens import issue_access_token


async def test_request_without_token_is_401_with_error_json(client) -> None:  # type: ignore[no-untyped-def]
    r = await client.get("/api/v1/organisations")
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated"
    assert set(r.json()) == {"code", "message", "details"}
    assert r.headers["www-authenticate"] == "Bearer"


async def test_login_and_me(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    org = await f.organisation(session)
    u = await f.user(session, org=org, username="login-ok")
    r = await client.post("/api/v1/auth/token", data={"username": "login-ok", "password": f.PASSWORD})
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    assert r.json()["role"] == "enterprise"
    r = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert r.json()["id"] == str(u.id)
    assert r.json()["organisation_roles"] == ["generator"]


async def test_wrong_password(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    await f.user(session, role="admin", username="login-wrong")
    r = await client.post("/api/v1/auth/token", data={"username": "login-wrong", "password": "nope-nope"})
    assert r.status_code == 401
    assert r.json()["code"] == "invalid_credentials"
    r = await client.post("/api/v1/auth/token", data={"username": "no-such-user", "password": "nope-nope"})
    assert r.json()["code"] == "invalid_credentials"  # same answer: usernames are not revealed


async def test_expired_token_is_rejected(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    u = await f.user(session, role="admin")
    token, _ = issue_access_token(u.id, u.role, TEST_SECRET, 5, now=clock.now() - timedelta(minutes=10))
    r = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert r.json()["code"] == "token_expired"


async def test_forged_token_is_rejected(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    u = await f.user(session, role="admin")
    token, _ = issue_access_token(u.id, u.role, "another-secret-of-sufficient-length-000000", 5)
    r = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert r.json()["code"] == "invalid_token"
    r = await client.get("/api/v1/auth/me", headers={"Authorization": "Bearer garbage"})
    assert r.json()["code"] == "invalid_token"


async def test_api_key_lifecycle(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    org = await f.organisation(session)
    u = await f.user(session, org=org)
    r = await client.post("/api/v1/api-keys", json={"name": "ERP"}, headers=f.auth(u))
    assert r.status_code == 201
    key, key_id = r.json()["key"], r.json()["id"]
    r = await client.get("/api/v1/auth/me", headers={"X-API-Key": key})
    assert r.status_code == 200 and r.json()["id"] == str(u.id)
    # An API key cannot mint further keys.
    r = await client.post("/api/v1/api-keys", json={"name": "again"}, headers={"X-API-Key": key})
    assert r.status_code == 403
    r = await client.delete(f"/api/v1/api-keys/{key_id}", headers=f.auth(u))
    assert r.status_code == 200 and r.json()["revoked_at"]
    r = await client.get("/api/v1/auth/me", headers={"X-API-Key": key})
    assert r.status_code == 401
    assert r.json()["code"] == "invalid_api_key"
    r = await client.get("/api/v1/auth/me", headers={"X-API-Key": key[:-3] + "xyz"})
    assert r.status_code == 401


async def test_login_rate_limited_per_account(settings, engine, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    await f.user(session, role="admin", username="ratelimited")
    await session.commit()  # the outer transaction still rolls it back at the end
    app = create_app(settings.model_copy(update={"login_max_attempts": 3}), engine)
    from api.deps import get_session

    async def _s():  # type: ignore[no-untyped-def]
        yield session

    app.dependency_overrides[get_session] = _s
    transport = httpx.ASGITransport(app=app, client=("203.0.113.99", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        codes = []
        for _ in range(4):
            r = await c.post("/api/v1/auth/token", data={"username": "ratelimited", "password": "wrong-pass"})
            codes.append(r.status_code)
        assert codes == [401, 401, 401, 429]
        assert int(r.headers["retry-after"]) > 0
        assert r.json()["code"] == "too_many_requests"
        # Even the right password is refused while limited.
        r = await c.post("/api/v1/auth/token", data={"username": "ratelimited", "password": f.PASSWORD})
        assert r.status_code == 429
    async with engine.begin() as conn:
        from sqlalchemy import text

        await conn.execute(text("DELETE FROM login_failure WHERE username = 'ratelimited'"))


async def test_demo_accounts_refused_in_production(settings, engine, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    from waste_tracker.auth.service import create_user

    u = await create_user(
        session,
        None,
        username="demo-prod",
        password="jiaxing2026",
        role="admin",
        is_demo=True,
        password_hash=f.PASSWORD_HASH,
    )
    prod = settings.model_copy(update={"env": "production"})
    app = create_app(prod, engine)
    from api.deps import get_session

    async def _s():  # type: ignore[no-untyped-def]
        yield session

    app.dependency_overrides[get_session] = _s
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.get("/api/v1/auth/me", headers=f.auth(u))
        assert r.status_code == 401
        assert r.json()["code"] == "demo_account_refused"


async def test_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    r = await client.get("/healthz")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "content-security-policy" in r.headers
    assert "access-control-allow-origin" not in r.headers


async def test_production_refuses_the_default_secret() -> None:
    import pytest
    from pydantic import ValidationError

    from waste_tracker.config import Settings

    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(env="production", database_url="postgresql://x/y")
    ok = Settings(env="production", database_url="postgresql://x/y", secret_key="k" * 40)
    assert ok.is_production


async def test_one_log_in_service_for_api_and_web(settings, engine, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    """Both doors (API token, web page) go through ``service.log_in``: the limit, the credentials,
    a failure counted in its own transaction (the caller's unit of work rolls back), the token."""
    from sqlalchemy import text

    from waste_tracker.auth import service
    from waste_tracker.errors import TooManyRequests, Unauthenticated

    await f.user(session, role="admin", username="one-login")
    await session.commit()
    few = settings.model_copy(update={"login_max_attempts": 2})
    try:
        ok = await service.log_in(session, engine, "one-login", f.PASSWORD, "192.0.2.77", few)
        assert ok.user.username == "one-login" and ok.token and ok.expires_at > clock.now()
        for _ in range(2):
            with pytest.raises(Unauthenticated) as bad:
                await service.log_in(session, engine, "one-login", "wrong-password", "192.0.2.77", few)
            assert bad.value.code == "invalid_credentials"
        with pytest.raises(TooManyRequests):  # counted although each failing call raised
            await service.log_in(session, engine, "one-login", f.PASSWORD, "192.0.2.77", few)
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM login_failure WHERE username = 'one-login'"))
