"""The web app's pages without a browser: log-in and its cookies, role homes, CSRF, the language
switch, security headers, and every page rendering for the roles that use it."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.manifest.conftest import today
from waste_tracker.seed.demo import DEMO_PASSWORD, seed

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
STYLE_ATTR = re.compile(r"\sstyle=", re.I)


@pytest.fixture
async def demo(session: AsyncSession) -> None:
    await seed(session)


async def login(client: httpx.AsyncClient, username: str, password: str = DEMO_PASSWORD, next_: str = "") -> httpx.Response:
    await client.get("/login")
    return await client.post(
        "/login", data={"username": username, "password": password, "csrf": client.cookies.get("wt_csrf"), "next": next_}
    )


def assert_clean_html(r: httpx.Response) -> None:
    """What the CSP requires of our pages: no inline scripts, no style attributes."""
    assert r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert not INLINE_SCRIPT.search(r.text), INLINE_SCRIPT.search(r.text)
    assert not STYLE_ATTR.search(r.text)


@pytest.mark.parametrize(
    ("username", "home"),
    [
        ("nanhu-chem", "/manifests"),
        ("haiyan-landfill", "/r"),
        ("lvtong-transport", "/manifests"),
        ("driver-lvtong", "/d"),
        ("haining-regulator", "/reg/alerts"),
        ("admin", "/reg/alerts"),
    ],
)
async def test_each_role_lands_on_its_home(client, demo, username: str, home: str) -> None:  # type: ignore[no-untyped-def]
    r = await login(client, username)
    assert r.status_code == 303 and r.headers["location"] == home
    set_cookie = r.headers.get_list("set-cookie")
    session_cookie = next(c for c in set_cookie if c.startswith("wt_session="))
    assert "HttpOnly" in session_cookie and "samesite=lax" in session_cookie.lower()
    assert any(c.startswith("wt_csrf=") and "HttpOnly" not in c for c in set_cookie)
    page = await client.get(home)
    assert page.status_code == 200, page.text[:500]
    assert_clean_html(page)
    assert (await client.get("/")).headers["location"] == home


async def test_login_failures_and_csrf(client, demo) -> None:  # type: ignore[no-untyped-def]
    r = await login(client, "nanhu-chem", "wrong-password")
    assert r.status_code == 401 and "用户名或密码错误" in r.text
    r = await client.post("/login", data={"username": "nanhu-chem", "password": DEMO_PASSWORD, "csrf": "forged"})
    assert r.status_code == 403 and "wt_session" not in r.headers.get("set-cookie", "")
    r = await login(client, "nanhu-chem", next_="//evil.example/steal")
    assert r.headers["location"] == "/manifests"  # never an open redirect


async def test_pages_need_a_session_and_the_right_role(client, demo) -> None:  # type: ignore[no-untyped-def]
    r = await client.get("/scan?m=20263304000001&t=v1.x")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fscan%3Fm%3D20263304000001%26t%3Dv1.x"
    await login(client, "nanhu-chem")
    for path in ("/reg/alerts", "/reg/kpis", "/d", "/scan", "/r"):
        r = await client.get(path)
        assert r.status_code == 403, path
        assert "您无权执行此操作" in r.text
    r = await client.get("/m/00000000-0000-0000-0000-000000000000")
    assert r.status_code == 404 and "未找到联单" in r.text and "manifest" not in r.text.split("<main")[-1]


async def test_api_calls_with_the_cookie_need_the_csrf_header(client, demo) -> None:  # type: ignore[no-untyped-def]
    await login(client, "nanhu-chem")
    assert (await client.get("/api/v1/auth/me")).status_code == 200
    body = {"reason": "测试取消"}
    r = await client.post("/api/v1/manifests/00000000-0000-0000-0000-000000000000/cancel", json=body)
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    headers = {"X-CSRF-Token": client.cookies.get("wt_csrf")}
    r = await client.post("/api/v1/manifests/00000000-0000-0000-0000-000000000000/cancel", json=body, headers=headers)
    assert r.status_code == 404


async def test_logout(client, demo) -> None:  # type: ignore[no-untyped-def]
    await login(client, "nanhu-chem")
    assert (await client.post("/logout", data={"csrf": "nope"})).status_code == 403
    r = await client.post("/logout", data={"csrf": client.cookies.get("wt_csrf")})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert (await client.get("/manifests")).status_code == 303


async def test_english_is_one_click_away_and_remembered(client, demo) -> None:  # type: ignore[no-untyped-def]
    await login(client, "jiaxing-regulator")
    zh = await client.get("/reg/kpis")
    assert "区县指标" in zh.text and 'lang="zh-CN"' in zh.text
    en = await client.get("/reg/kpis?lang=en")
    assert "County KPIs" in en.text and 'lang="en"' in en.text
    assert client.cookies.get("wt_lang") == "en"
    again = await client.get("/reg/alerts")
    assert "Alert queue" in again.text


async def test_regulator_pages_render(client, demo) -> None:  # type: ignore[no-untyped-def]
    await login(client, "jiaxing-regulator")
    for path in (
        "/reg/alerts",
        "/reg/alerts?severity=critical&status=resolved&rule=long_distance&county=330481",
        f"/reg/flows?date_from=2026-01-01&date_to={today()}",
        "/reg/flows?date_from=bad&kind=general",
        "/reg/kpis",
        "/manifests?status=completed&number=2026",
    ):
        r = await client.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert_clean_html(r)
    base = (await client.get("/web/basemap.json")).json()
    jiaxing = {f["properties"]["adcode"] for f in base["features"] if f["properties"]["parent_adcode"] == 330400}
    assert jiaxing == {330402, 330411, 330421, 330424, 330481, 330482, 330483}


async def test_generator_and_driver_pages_render(client, demo) -> None:  # type: ignore[no-untyped-def]
    await login(client, "tongxiang-fibre")
    r = await client.get("/manifests/new")
    assert r.status_code == 200 and "洲泉化纤基地" in r.text and "桐乡通达固废运输有限公司" in r.text
    assert_clean_html(r)
    client.cookies.clear()
    await login(client, "driver-tongda")
    r = await client.get("/scan?m=20263304000001&t=v1.20263304000001.AAAAAAAAAAAAAAAAAAAAAA")
    assert r.status_code == 200 and "浙F30301" in r.text
    assert 'data-token="v1.20263304000001.AAAAAAAAAAAAAAAAAAAAAA"' in r.text
    assert_clean_html(r)


async def test_manifest_pages_follow_the_lifecycle(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    from tests import factories as f
    from tests.manifest.conftest import Flow, build_world

    w = await build_world(session)
    flow = Flow(client, w)
    draft = await flow.create()
    delivered = await flow.delivered()
    submitted = await flow.submitted()

    await login(client, w.gen_user.username, f.PASSWORD)
    page = await client.get(f"/m/{draft['id']}")
    assert page.status_code == 200 and 'data-act="submit"' in page.text and "/label" not in page.text
    assert_clean_html(page)
    page = await client.get(f"/m/{submitted['id']}")
    assert f'href="/m/{submitted["id"]}/label"' in page.text and 'data-act="cancel"' in page.text
    label = await client.get(f"/m/{submitted['id']}/label")
    assert label.status_code == 200 and submitted["number"] in label.text and "<svg" in label.text
    assert_clean_html(label)
    assert (await client.get(f"/m/{draft['id']}/label")).status_code == 409
    listing = await client.get("/manifests", params={"number": delivered["number"]})
    assert delivered["number"] in listing.text and submitted["number"] not in listing.text

    client.cookies.clear()
    await login(client, w.rcv_user.username, f.PASSWORD)
    home = await client.get("/r")
    assert delivered["number"] in home.text
    page = await client.get(f"/m/{delivered['id']}")
    assert 'id="receive-form"' in page.text and "扫码卸货" in page.text  # the timeline
    assert_clean_html(page)

    client.cookies.clear()
    await login(client, w.driver.username, f.PASSWORD)
    home = await client.get("/d")
    assert submitted["number"] in home.text and delivered["number"] not in home.text
    page = await client.get(f"/m/{submitted['id']}")
    assert f'href="/scan?m={submitted["number"]}"' in page.text

    client.cookies.clear()
    await login(client, w.city_regulator.username, f.PASSWORD)
    page = await client.get(f"/m/{delivered['id']}?lang=en")
    assert "Dropped off" in page.text and 'id="receive-form"' not in page.text


async def test_an_auditor_has_no_bell(client, demo, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    """An auditor is told nothing (it only reads its sample): no bell, no notifications script that
    would be refused; other users keep theirs."""
    from waste_tracker.seed.audit import seed_audit

    await seed_audit(session, DEMO_PASSWORD)
    r = await login(client, "audit-firm")
    assert r.status_code == 303, r.text
    page = await client.get(r.headers["location"])
    assert page.status_code == 200 and 'id="wt-bell"' not in page.text and "notifications.js" not in page.text
    await client.post("/logout", data={"csrf": client.cookies.get("wt_csrf")})
    client.cookies.clear()
    r = await login(client, "nanhu-chem")
    page = await client.get(r.headers["location"])
    assert 'id="wt-bell"' in page.text and "notifications.js" in page.text
