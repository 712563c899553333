"""The road in a real browser (Debian's headless Chromium): the driver's phone records the track
while the load is on the truck — through an offline spell — and stops at the drop-off; the
manifest page then draws the journey."""

from __future__ import annotations

import uuid

import httpx
from playwright.async_api import Browser, expect

from tests.conftest import TEST_SECRET
from tests.web.browser import Watch, audit, login, new_context, shot
from tests.web.conftest import LiveServer
from tests.web.test_e2e import submit_a_load, token_of
from waste_tracker.scan.tokens import make_token

GEN_AT = (120.4500, 30.6000)  # 洲泉化纤基地 (桐乡)
RCV_AT = (120.5200, 30.6800)  # 桐乡固废处置场

expect.set_options(timeout=20_000)


async def test_the_phone_records_the_track(live_server: LiveServer, browser: Browser) -> None:
    watch = Watch(live_server.url)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as api:
        m = await submit_a_load(api)
        token = make_token(TEST_SECRET, uuid.UUID(m["id"]), m["number"])
        drv = await new_context(browser, watch, narrow=True, at=GEN_AT)
        page = await drv.new_page()
        await login(page, "driver-tongda")
        await page.goto(f"/scan?m={m['number']}&t={token}")
        await expect(page.locator("#step-confirm")).to_be_visible()
        await page.locator("#confirm").click()
        await expect(page.locator("#result")).to_contain_text("提货成功")
        state = page.locator("#track-state")
        await expect(state).to_contain_text("正在记录行驶轨迹")
        # On the road: positions every second, sent in batches; then a tunnel (offline), then out again.
        for k in range(1, 4):
            await drv.set_geolocation({"longitude": GEN_AT[0] + 0.01 * k, "latitude": GEN_AT[1] + 0.01 * k, "accuracy": 10})
            await page.wait_for_timeout(1200)
        await expect(state).to_contain_text("已发送", timeout=20_000)
        await drv.set_offline(True)
        await drv.set_geolocation({"longitude": GEN_AT[0] + 0.05, "latitude": GEN_AT[1] + 0.05, "accuracy": 10})
        await page.wait_for_timeout(2500)
        await expect(state).to_contain_text("离线")
        await audit(page, "scanner recording the track")
        await shot(page, "r01-driver-recording")
        await drv.set_offline(False)
        await drv.set_geolocation({"longitude": RCV_AT[0], "latitude": RCV_AT[1], "accuracy": 10})
        await page.wait_for_timeout(1500)
        await page.goto(f"/scan?m={m['number']}&t={token}")
        await expect(page.locator("input[name=action][value=dropoff]")).to_be_checked()
        await page.locator("#confirm").click()
        await expect(page.locator("#result")).to_contain_text("卸货成功")
        await expect(state).to_contain_text("轨迹记录结束")
        gen = await token_of(api, "tongxiang-fibre")
        track = (await api.get(f"/api/v1/tracks/{m['id']}", headers=gen)).json()
        assert track["points"] >= 4, track  # the offline ones arrived too
        line = next(f for f in track["features"] if f["properties"]["kind"] == "track")
        assert line["properties"]["sources"] == ["phone"]
        # The generator's manifest page draws the journey.
        ctx = await new_context(browser, watch)
        g = await ctx.new_page()
        await login(g, "tongxiang-fibre")
        await g.goto(f"/m/{m['id']}")
        node = g.locator("#manifest-map")
        await expect(node).to_have_attribute("data-ready", "true")
        assert int(await node.get_attribute("data-track-features") or "0") >= 1
        await expect(g.locator("#manifest-map path.leaflet-interactive").first).to_be_visible()
        await audit(g, "manifest with its track")
        await shot(g, "r02-manifest-track")
        for c in (drv, ctx):
            await c.close()
    assert watch.outside == [], watch.outside
    assert watch.errors == [], watch.errors
