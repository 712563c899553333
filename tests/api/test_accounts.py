"""Accounts (issue #10 item 9): sessions that end, password changes, limits that do not lock the
user out, canonical usernames and two-step verification — through the real API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.app import create_app
from tests import factories as f
from waste_tracker import clock
from waste_tracker.auth import totp
from waste_tracker.config import Settings


@pytest.fixture
async def api(settings: Settings, committed: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"login_free_attempts": 2, "second_factor_roles": ["regulator"]}), committed)
    transport = httpx.ASGITransport(app=app, client=("192.0.2.10", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


async def _user(engine: AsyncEngine, username: str, role: str = "admin", **kw: object) -> None:
    async with AsyncSession(engine, expire_on_commit=False) as s:
        await f.user(s, role=role, username=username, **kw)  # type: ignore[arg-type]
        await s.commit()


async def _token(c: httpx.AsyncClient, username: str, password: str = f.PASSWORD, **extra: str) -> httpx.Response:
    return await c.post("/api/v1/auth/token", data={"username": username, "password": password, **extra})


async def test_log_out_ends_the_session_and_a_password_change_ends_the_others(
    api: httpx.AsyncClient, committed: AsyncEngine
) -> None:
    await _user(committed, "sessions")
    phone = (await _token(api, "sessions")).json()["access_token"]
    desk = (await _token(api, "sessions")).json()["access_token"]
    me = await api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {phone}"})
    assert me.status_code == 200
    assert (await api.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {phone}"})).status_code == 204
    r = await api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {phone}"})
    assert r.status_code == 401 and r.json()["code"] == "session_ended"
    laptop = (await _token(api, "sessions")).json()["access_token"]
    bad = await api.post(
        "/api/v1/auth/password",
        json={"current_password": "not-the-password", "new_password": "a new long passphrase"},
        headers={"Authorization": f"Bearer {desk}"},
    )
    assert bad.status_code == 403 and bad.json()["code"] == "wrong_password"
    weak = await api.post(
        "/api/v1/auth/password",
        json={"current_password": f.PASSWORD, "new_password": "1234567890"},
        headers={"Authorization": f"Bearer {desk}"},
    )
    assert weak.status_code == 422 and weak.json()["details"]["reason"] == "common"
    r = await api.post(
        "/api/v1/auth/password",
        json={"current_password": f.PASSWORD, "new_password": "  a new long passphrase "},
        headers={"Authorization": f"Bearer {desk}"},
    )
    assert r.status_code == 200, r.text
    fresh = r.json()["access_token"]
    for old in (desk, laptop):
        r = await api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {old}"})
        assert r.status_code == 401 and r.json()["code"] == "session_ended"
    assert (await api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {fresh}"})).status_code == 200
    # the new password counts exactly as typed, spaces included
    assert (await _token(api, "sessions", "a new long passphrase")).status_code == 401
    assert (await _token(api, "sessions", "  a new long passphrase ")).status_code == 200


async def test_failures_elsewhere_do_not_lock_the_user_out(settings: Settings, committed: AsyncEngine) -> None:
    await _user(committed, "target")
    app = create_app(settings.model_copy(update={"login_free_attempts": 2, "login_delay_base_seconds": 60}), committed)

    def client(address: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 1)), base_url="http://t")

    async with client("198.51.100.66") as attacker, client("192.0.2.20") as owner:
        codes = [(await _token(attacker, "target", "guess-number-x")).status_code for _ in range(4)]
        assert codes == [401, 401, 429, 429]  # the pair waits, longer and longer
        assert (await _token(owner, "target")).status_code == 200  # the user at their own desk gets in
    with clock.frozen(clock.now() + timedelta(minutes=2)):
        async with client("198.51.100.66") as attacker:
            assert (await _token(attacker, "target", "guess-number-y")).status_code == 401  # one more, then a longer wait
            r = await _token(attacker, "target", "guess-number-z")
            assert r.status_code == 429 and int(r.headers["retry-after"]) > 60


async def test_a_rotating_forwarded_for_does_not_escape_the_limit(settings: Settings, committed: AsyncEngine) -> None:
    await _user(committed, "proxied")
    app = create_app(settings.model_copy(update={"login_free_attempts": 1, "trusted_proxies": ["127.0.0.1"]}), committed)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        codes = []
        for i in range(3):  # the client forges a new left-most address each time; the proxy appends the real one
            r = await c.post(
                "/api/v1/auth/token",
                data={"username": "proxied", "password": "wrong-guess-1"},
                headers={"X-Forwarded-For": f"10.9.9.{i}, 203.0.113.9"},
            )
            codes.append(r.status_code)
        assert codes == [401, 429, 429]
    async with committed.connect() as conn:
        stored = (
            (await conn.execute(text("SELECT DISTINCT address FROM login_failure WHERE username = 'proxied'"))).scalars().all()
        )
    assert stored == ["203.0.113.9"]


async def test_usernames_are_unique_under_case_folding_and_the_kelvin_sign_is_no_k(
    api: httpx.AsyncClient, committed: AsyncEngine
) -> None:
    await _user(committed, "k")
    await _user(committed, "kay-user")
    await _user(committed, "root-admin")
    admin = (await _token(api, "root-admin")).json()["access_token"]
    r = await api.post(
        "/api/v1/users",
        json={"username": "KAY-User", "password": "another good one", "role": "admin"},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert r.status_code == 409 and r.json()["code"] == "duplicate_username"
    assert (await _token(api, "\u212a")).status_code == 401
    assert (await _token(api, "K")).status_code == 200  # case does not matter, compatibility forms do


async def test_two_step_verification_required_for_regulators(api: httpx.AsyncClient, committed: AsyncEngine) -> None:
    await _user(committed, "reg-2fa", role="regulator", jurisdiction=330402)
    r = await _token(api, "reg-2fa")
    assert r.status_code == 200 and r.json()["scope"] == "enroll_second_factor"
    h = {"Authorization": f"Bearer {r.json()['access_token']}"}
    r = await api.get("/api/v1/alerts", headers=h)
    assert r.status_code == 403 and r.json()["code"] == "second_factor_enrollment_required"
    secret = (await api.post("/api/v1/auth/second-factor", headers=h)).json()["secret"]
    wrong = await api.post("/api/v1/auth/second-factor/confirm", json={"code": "000000"}, headers=h)
    assert wrong.status_code == 422
    now = clock.now()
    r = await api.post("/api/v1/auth/second-factor/confirm", json={"code": totp.code_at(secret, totp.step_of(now))}, headers=h)
    assert r.status_code == 200, r.text
    codes, full = r.json()["recovery_codes"], r.json()["access_token"]
    assert len(codes) == 10 and r.json()["scope"] == "full"
    assert (await api.get("/api/v1/alerts", headers={"Authorization": f"Bearer {full}"})).status_code == 200
    # from now on the password alone is not enough
    r = await _token(api, "reg-2fa")
    assert r.status_code == 401 and r.json()["code"] == "second_factor_required"
    same_step = totp.code_at(secret, totp.step_of(now))
    assert (await _token(api, "reg-2fa", second_factor=same_step)).status_code == 401  # a code works once
    with clock.frozen(now + timedelta(seconds=30)):
        nxt = totp.code_at(secret, totp.step_of(clock.now()))
        assert (await _token(api, "reg-2fa", second_factor=nxt)).json()["scope"] == "full"
    assert (await _token(api, "reg-2fa", second_factor=codes[0])).status_code == 200  # a recovery code, once
    assert (await _token(api, "reg-2fa", second_factor=codes[0])).status_code == 401
    r = await api.request(
        "DELETE", "/api/v1/auth/second-factor", json={"password": f.PASSWORD}, headers={"Authorization": f"Bearer {full}"}
    )
    assert r.status_code == 403 and r.json()["code"] == "second_factor_mandatory"
