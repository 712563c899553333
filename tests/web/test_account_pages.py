"""The account page and the two-step log-in, as a browser would post them (issue #10 item 9)."""

from __future__ import annotations

import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.web.test_pages import assert_clean_html, login
from waste_tracker import clock
from waste_tracker.auth import totp


async def _post(client: httpx.AsyncClient, url: str, **data: str) -> httpx.Response:
    return await client.post(url, data={"csrf": client.cookies.get("wt_csrf") or "", **data})


async def test_password_change_and_two_step_log_in_on_the_pages(client: httpx.AsyncClient, session: AsyncSession) -> None:
    u = await f.user(session, role="admin", username="page-admin")
    r = await login(client, u.username, f.PASSWORD)
    assert r.status_code == 303
    page = await client.get("/account")
    assert page.status_code == 200 and "修改密码" in page.text and "开启两步验证" in page.text
    assert_clean_html(page)
    old_cookie = client.cookies.get("wt_session")

    r = await _post(client, "/account/password", current_password=f.PASSWORD, new_password="1234567890")
    assert r.status_code == 422 and "常见密码" in r.text
    r = await _post(client, "/account/password", current_password=f.PASSWORD, new_password="南湖 红船 2026 春天")
    assert r.status_code == 200 and 'id="account-notice"' in r.text
    assert client.cookies.get("wt_session") != old_cookie  # this browser continues on a new session
    other = httpx.AsyncClient(transport=client._transport, base_url="http://t")  # noqa: SLF001 - the same app
    other.cookies.set("wt_session", old_cookie or "")
    assert (await other.get("/account")).status_code == 303  # the old session ended: back to log-in

    r = await _post(client, "/account/second-factor")
    secret = re.search(r'id="second-factor-secret">([A-Z2-7]+)<', r.text)
    assert r.status_code == 200 and secret and "<svg" in r.text
    code = totp.code_at(secret.group(1), totp.step_of(clock.now()))
    r = await _post(client, "/account/second-factor/confirm", code=code)
    assert r.status_code == 200 and 'id="recovery-codes"' in r.text
    recovery = re.findall(r"<li>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</li>", r.text)
    assert len(recovery) == 10

    client.cookies.clear()
    r = await login(client, u.username, "南湖 红船 2026 春天")
    assert r.status_code == 200 and 'action="/login/code"' in r.text  # the second step
    pending = re.search(r'name="pending" value="([^"]+)"', r.text)
    assert pending
    r = await _post(client, "/login/code", pending=pending.group(1), code="000000")
    assert r.status_code == 401 and "不正确" in r.text
    r = await _post(client, "/login/code", pending=pending.group(1), code=recovery[0])
    assert r.status_code == 303 and client.cookies.get("wt_session")
    assert (await client.get("/account")).status_code == 200

    # log-out ends the session itself: the cookie's token no longer works anywhere
    token = client.cookies.get("wt_session")
    await _post(client, "/logout")
    r = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and r.json()["code"] == "session_ended"
